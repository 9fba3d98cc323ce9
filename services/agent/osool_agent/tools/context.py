"""What every tool gets (the clients, the clock, the settings) and what every tool returns (ok, or an honest error)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from osool_agent.clients import ChainClient, SearchClient

if TYPE_CHECKING:
    from osool_agent.alerts.service import SavedSearchService
    from osool_agent.reservations import ReservationService
    from osool_agent.viewings.service import ViewingService

PropertyType = Literal[
    "Apartment", "Villa", "Townhouse", "Twinhouse", "Duplex", "Penthouse", "Studio", "Chalet", "Office", "Retail",
    "Clinic",
]  # fmt: skip
# How a unit is finished, as the search service's listings and comparables name it.
Finishing = Literal["core_and_shell", "semi_finished", "fully_finished", "furnished"]


class ToolArgs(BaseModel):
    """Arguments a brain sends; unknown fields are refused so a model learns the schema."""

    model_config = ConfigDict(extra="forbid")


Own = TypeVar("Own")


def the_one_named(own: Sequence[Own], named: str | None, id_of: Callable[[Own], str]) -> Own | str:
    """Of the buyer's own things (their upcoming viewings, their alerts), the one a tool is asked to change: the one
    `named` by its id, else the only one; else why not, "none" (they have none), "not_found" (the id is none of them)
    or "which" (several, none named: the tool asks which)."""
    if not own:
        return "none"
    if named is not None:
        return next((item for item in own if id_of(item) == named), "not_found")
    return own[0] if len(own) == 1 else "which"


class ToolOutcome(BaseModel):
    """Every result says whether it worked; `error` is a stable code (not_found, unavailable, invalid)."""

    ok: bool = True
    error: str | None = None
    message: str | None = None


class ListingFacts(BaseModel):
    """A listing as the search service returned it: the only source of what Amr may say about a property."""

    id: str
    source_id: str
    title: str
    type: str
    location: str
    compound: str | None = None
    developer: str | None = None
    # Their Arabic names, from search's gazetteer (None for a place it does not know): how a reply in Arabic names them.
    location_ar: str | None = None
    compound_ar: str | None = None
    developer_ar: str | None = None
    price: int
    price_per_sqm: int
    size_sqm: float
    bedrooms: int | None = None
    bathrooms: int | None = None
    finishing: str | None = None
    delivery_year: int | None = None
    is_delivered: bool = False
    sale_type: str | None = None
    down_payment_pct: float | None = None
    # What the buyer pays up front, in pounds (search computes it: the price times the share).
    down_payment: int | None = None
    installment_years: int | None = None
    monthly_installment: int | None = None
    is_cash_only: bool = False
    is_available: bool = True
    # What the listing has or is near, as search read it (pool, garden, sea_view, near_auc, ...).
    features: list[str] = Field(default_factory=list)
    # The unit's floor: 0 the ground floor, -1 a basement; None when not stated, or a house.
    floor: int | None = None
    updated_at: datetime
    # True when the data is older than LISTING_STALE_AFTER_DAYS: say so rather than quote it as current.
    stale: bool = False
    # From the property registry: available, reserved, sold, not_registered, or unknown (the registry did not answer).
    on_chain_status: str | None = None
    image_url: str | None = None

    @classmethod
    def from_search(cls, row: dict[str, Any], now: datetime, stale_after_days: int) -> ListingFacts:
        updated = datetime.fromisoformat(str(row["updated_at"]))
        fields = {name: row.get(name) for name in cls.model_fields if name in row}
        fields["id"] = str(row["id"])
        return cls(**fields, stale=now - updated > timedelta(days=stale_after_days))


@dataclass
class ToolContext:
    """One turn's view of the world: the service clients, today's date and the turn's limits."""

    search: SearchClient
    chain: ChainClient
    stale_after_days: int
    cards_per_reply: int
    now: datetime = field(default_factory=lambda: datetime.now(UTC))
    # The signed-in caller (None when anonymous): the tools that act for a buyer (reserve, book) need one.
    user_id: uuid.UUID | None = None
    # The workflows the tools that act use (set by the app), and the turn's event stream (to show progress).
    reservations: ReservationService | None = None
    viewings: ViewingService | None = None
    saved_searches: SavedSearchService | None = None
    emit: Callable[[str, dict[str, Any]], Awaitable[None]] | None = None

    @property
    def today(self) -> date:
        return self.now.date()
