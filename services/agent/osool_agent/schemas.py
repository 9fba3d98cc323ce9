"""Request and response models of the agent service: the chat turn, its events, the listing card, the cost report."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from osool_agent.tools.context import ListingFacts
from osool_common.validation import PlainText


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: PlainText = Field(min_length=1, max_length=4000, description="what the buyer or seller says")
    session_id: uuid.UUID | None = Field(default=None, description="absent on the first message of a conversation")
    language: Literal["auto", "en", "ar"] = Field(default="auto", description="reply language; auto follows the user")


class PaymentPlan(BaseModel):
    down_payment_pct: float | None
    down_payment: int | None = Field(default=None, description="what the buyer pays up front, EGP")
    installment_years: int | None
    monthly_installment: int | None
    is_cash_only: bool


class Card(BaseModel):
    """A listing as the client shows it, built from a tool result (never from the model's words)."""

    id: str
    source_id: str
    title: str
    price: int
    price_per_sqm: int
    size_sqm: float
    bedrooms: int | None
    bathrooms: int | None = None
    type: str
    location: str
    compound: str | None
    developer: str | None
    location_ar: str | None = Field(default=None, description="the place's Arabic name, when search knows it")
    compound_ar: str | None = None
    developer_ar: str | None = None
    delivery_year: int | None
    is_delivered: bool
    payment_plan: PaymentPlan
    on_chain_status: str | None = Field(description="available, reserved, sold, not_registered or unknown")
    updated_at: datetime
    stale: bool = Field(description="the data is older than LISTING_STALE_AFTER_DAYS: confirm before relying on it")
    image_url: str | None = None
    features: list[str] = Field(
        default_factory=list, description="what the listing has or is near: pool, sea_view, ..."
    )
    floor: int | None = Field(default=None, description="the unit's floor: 0 the ground floor, -1 a basement")

    @classmethod
    def from_listing(cls, listing: ListingFacts) -> Card:
        return cls(
            **listing.model_dump(include={
                "id", "source_id", "title", "price", "price_per_sqm", "size_sqm", "bedrooms", "bathrooms", "type",
                "location", "compound", "developer", "location_ar", "compound_ar", "developer_ar", "delivery_year",
                "is_delivered", "on_chain_status", "updated_at", "stale", "image_url", "features", "floor",
            }),
            payment_plan=PaymentPlan(
                down_payment_pct=listing.down_payment_pct, down_payment=listing.down_payment,
                installment_years=listing.installment_years,
                monthly_installment=listing.monthly_installment, is_cash_only=listing.is_cash_only,
            ),
        )  # fmt: skip


class ToolCallRecord(BaseModel):
    name: str
    arguments: dict[str, Any]
    result: dict[str, Any]


class Usage(BaseModel):
    model: str
    input_tokens: int
    output_tokens: int
    cost_usd: float
    latency_ms: float
    time_to_first_token_ms: float | None
    fallback: str | None = Field(description="why the rules brain answered instead of the model, when it did")


class ChatResponse(BaseModel):
    """The JSON answer (Accept: application/json). With Accept: text/event-stream the same turn arrives as events:
    `session` {session_id, session_secret?}, `token` {text}, `tool_call` {id, name, arguments}, `tool_result`
    {id, name, ok, summary}, `listings` {listings: [Card]}, `done` {brain, model, input_tokens, output_tokens,
    cost_usd, latency_ms, time_to_first_token_ms, fallback, replayed}, or `error` {status, error: {code, message}}."""

    session_id: uuid.UUID
    session_secret: str | None = Field(default=None, description="only when this turn opened an anonymous session")
    reply: str
    listings: list[Card]
    tool_calls: list[ToolCallRecord]
    brain: Literal["openai", "local", "rules"]
    usage: Usage


class CostLine(BaseModel):
    model: str
    purpose: str
    usd: float
    input_tokens: int
    output_tokens: int
    calls: int


class CostDay(BaseModel):
    date: str
    total_usd: float
    by_model: list[CostLine]


class CostReport(BaseModel):
    budget_usd: float
    spent_today_usd: float
    budget_used_pct: float | None
    over_budget: bool
    days: list[CostDay]


# -- leads -------------------------------------------------------------------------------------------------------------
LeadStatus = Literal["new", "contacted", "viewing", "negotiating", "won", "lost"]


class ScoreReason(BaseModel):
    factor: str
    points: float
    why: str


class Lead(BaseModel):
    """A lead as agents see it: the phone and email only when the buyer agreed to share them."""

    id: uuid.UUID
    kind: Literal["buyer", "seller"]
    intent: str | None
    user_id: uuid.UUID | None
    session_ids: list[uuid.UUID]
    budget_min: int | None
    budget_max: int | None
    areas: list[str]
    types: list[str]
    bedrooms: int | None
    timeline: str | None
    financing: str | None
    purpose: str | None
    motivation: str | None
    condition: str | None
    price_expectation: int | None
    readiness_score: int | None = Field(description="a seller's financial readiness, 0-100")
    commitment_score: int | None = Field(description="a seller's commitment, 0-100")
    score: int = Field(ge=0, le=100)
    temperature: Literal["HOT", "WARM", "COLD"]
    reasons: list[ScoreReason]
    contact_consent: bool | None = Field(description="null until the buyer answered Amr's question")
    contact_name: str | None = Field(default=None, description="the name given in the chat; only with consent")
    contact_phone: str | None = Field(description="shown only with the buyer's consent")
    contact_email: str | None = Field(description="shown only with the buyer's consent")
    has_contact: bool = Field(description="the lead left a phone or email (hidden without consent)")
    listings_shown: list[str]
    listings_asked: list[str]
    turns: int
    status: LeadStatus
    assigned_agent_id: uuid.UUID | None
    assigned_at: datetime | None
    hot_at: datetime | None
    notified_at: datetime | None
    first_contact_at: datetime | None
    seconds_to_first_contact: float | None
    last_message: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Lead:
        consent = row.get("contact_consent") is True
        first, hot = row.get("first_contact_at"), row.get("hot_at")
        return cls.model_validate({
            **{name: row.get(name) for name in cls.model_fields if name in row},
            "contact_name": row.get("contact_name") if consent else None,
            "contact_phone": row.get("contact_phone") if consent else None,
            "contact_email": row.get("contact_email") if consent else None,
            "has_contact": bool(row.get("contact_phone") or row.get("contact_email")),
            "seconds_to_first_contact": (first - hot).total_seconds() if first and hot else None,
        })  # fmt: skip


class LeadPage(BaseModel):
    items: list[Lead]
    next_cursor: str | None = Field(description="pass as `cursor` for the next page; null on the last")


class LeadEvent(BaseModel):
    id: int
    kind: str
    actor: str
    data: dict[str, Any]
    at: datetime


class ConversationLine(BaseModel):
    session_id: uuid.UUID
    role: Literal["user", "assistant"]
    content: str
    created_at: datetime | None


class LeadDetail(BaseModel):
    lead: Lead
    score_history: list[LeadEvent] = Field(description="every score change with its reasons")
    events: list[LeadEvent] = Field(description="the audit trail: status, assignment, notification, consent, merge")
    conversation: list[ConversationLine]


class LeadStatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: LeadStatus
    note: PlainText | None = Field(default=None, max_length=1000)


class LeadAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    agent_id: uuid.UUID


class DutyChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on_duty: bool


class SalesAgent(BaseModel):
    agent_id: uuid.UUID
    on_duty: bool
    last_assigned_at: datetime | None
    open_leads: int = 0


# -- reservations ------------------------------------------------------------------------------------------------------
class ReservationRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: uuid.UUID


class Reservation(BaseModel):
    id: uuid.UUID
    listing_id: uuid.UUID
    listing_title: str
    price_egp: int
    deposit_egp: int
    status: Literal["pending", "confirmed", "failed", "cancelled", "expired"] = Field(
        description="pending until the registry confirms (or refuses) it; cancelled by the buyer; expired when the "
        "hold ran out (released on chain)"
    )
    buyer_address: str = Field(description="the buyer's wallet, or a pseudonymous address derived from their id")
    chain_tx_id: uuid.UUID | None = Field(description="the reserve transaction: GET /api/chain/transactions/{id}")
    release_tx_id: uuid.UUID | None
    error: str | None
    expires_at: datetime
    created_at: datetime
    updated_at: datetime
