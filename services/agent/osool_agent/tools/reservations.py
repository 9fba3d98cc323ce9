"""The reserve_property tool: a signed-in buyer reserves a listing; the chat shows the reservation pending, then
confirmed or failed as the chain service reports it."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from osool_agent.tools.context import ToolArgs, ToolContext, ToolOutcome
from osool_agent.tools.listings import fetch_listing
from osool_common.errors import DomainError


class ReserveArgs(ToolArgs):
    property_id: str = Field(min_length=1, max_length=100, description="the listing's id, as a tool result gave it")
    quote: bool = Field(
        default=False,
        description="true: only what reserving it takes (the deposit, the hours it holds the unit); nothing reserved",
    )


class ReservationResult(ToolOutcome):
    reservation_id: str | None = None
    property_id: str | None = None
    title: str | None = None
    status: str | None = Field(default=None, description="pending, confirmed or failed; quote: nothing reserved")
    deposit_egp: int | None = None
    price: int | None = None
    expires_at: datetime | None = None
    hold_hours: float | None = Field(default=None, description="how long a reservation holds the unit")


def event_of(row: dict[str, object]) -> dict[str, object]:
    return {"reservation_id": str(row["id"]), "property_id": str(row["listing_id"]), "status": row["status"],
            "deposit_egp": row["deposit_egp"], "expires_at": str(row["expires_at"])}  # fmt: skip


async def reserve_property(ctx: ToolContext, args: ReserveArgs) -> BaseModel:
    if ctx.reservations is None:
        return ToolOutcome(ok=False, error="unavailable", message="reservations are not available here")
    if ctx.user_id is None or args.quote:
        # What reserving it would take ("العربون كام؟", or said before the buyer signs in): the deposit and how long it
        # holds the unit. A quote reserves nothing, signed in or not.
        listing = await fetch_listing(ctx, args.property_id)
        terms = {"property_id": listing.id, "title": listing.title, "price": listing.price,
                 "deposit_egp": ctx.reservations.deposit(listing.price),
                 "hold_hours": ctx.reservations.settings.reservation_hold_hours} if listing else {}  # fmt: skip
        if args.quote:
            if not listing:
                return ToolOutcome(ok=False, error="not_found", message="no such listing")
            return ReservationResult(status="quote", **terms)
        return ReservationResult(ok=False, error="sign_in_required", message="the buyer must sign in to reserve a unit",
                                 **terms)  # fmt: skip
    try:
        listing_id = uuid.UUID(args.property_id)
    except ValueError:
        return ToolOutcome(ok=False, error="invalid", message="property_id: not a listing id")
    try:
        row = await ctx.reservations.reserve(ctx.user_id, listing_id)
        if ctx.emit is not None:
            await ctx.emit("reservation", event_of(dict(row)))
        row = await ctx.reservations.wait(row, ctx.reservations.settings.reservation_confirm_wait_seconds)
    except DomainError as exc:
        error = "not_found" if exc.status_code == 404 else "unavailable" if exc.status_code == 409 else exc.code
        return ToolOutcome(ok=False, error=error, message=exc.message)
    if ctx.emit is not None:
        await ctx.emit("reservation", event_of(dict(row)))
    return ReservationResult(
        ok=row["status"] != "failed", error="failed" if row["status"] == "failed" else None,
        message=row["error"], reservation_id=str(row["id"]), property_id=str(row["listing_id"]),
        title=row["listing_title"], status=row["status"], deposit_egp=row["deposit_egp"], price=row["price_egp"],
        expires_at=row["expires_at"],
    )  # fmt: skip
