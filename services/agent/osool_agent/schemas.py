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
    type: str
    location: str
    compound: str | None
    developer: str | None
    delivery_year: int | None
    is_delivered: bool
    payment_plan: PaymentPlan
    on_chain_status: str | None = Field(description="available, reserved, sold, not_registered or unknown")
    updated_at: datetime
    stale: bool = Field(description="the data is older than LISTING_STALE_AFTER_DAYS: confirm before relying on it")
    image_url: str | None = None

    @classmethod
    def from_listing(cls, listing: ListingFacts) -> Card:
        return cls(
            **listing.model_dump(include={
                "id", "source_id", "title", "price", "price_per_sqm", "size_sqm", "bedrooms", "type", "location",
                "compound", "developer", "delivery_year", "is_delivered", "on_chain_status", "updated_at", "stale",
                "image_url",
            }),
            payment_plan=PaymentPlan(
                down_payment_pct=listing.down_payment_pct, installment_years=listing.installment_years,
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
