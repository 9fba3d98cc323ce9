"""The viewing tools: schedule_viewing, the next free viewing slots of a listing (real ones, from the viewing workflow),
those nearest the day and time the buyer asked for first, or, with the time the buyer picked, the booking of that slot
for the signed-in buyer; my_viewings, the signed-in buyer's upcoming viewings, and the cancelling of one."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, Field

from osool_agent.tools.context import ToolArgs, ToolContext, ToolOutcome, the_one_named
from osool_agent.viewings.schemas import BookingIn
from osool_agent.viewings.slots import PERIODS, local_day, wall_clock
from osool_common.errors import DomainError

MAX_SLOTS = 6
LOOK_AHEAD_DAYS = 14


class ScheduleViewingArgs(ToolArgs):
    property_id: str = Field(min_length=1, max_length=100, description="the listing's id, as a tool result gave it")
    starts_at: AwareDatetime | None = Field(
        default=None, description="the slot the buyer picked (a starts_at from the offered slots); absent: list slots"
    )
    day: date | None = Field(
        default=None, description="without starts_at: the Cairo day the buyer asked for (its free slots come first)"
    )
    time: str | None = Field(
        default=None,
        pattern=r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$",
        description="without starts_at: the Cairo time of day the buyer asked for, HH:MM (the nearest slots first)",
    )
    period: Literal["morning", "afternoon", "evening"] | None = Field(
        default=None,
        description="without starts_at or time: the part of the day the buyer asked for (before 12:00, 12:00 to "
        "17:00, from 17:00), its slots first",
    )


class OfferedSlot(BaseModel):
    starts_at: datetime
    ends_at: datetime
    local_start: str = Field(description="Cairo wall-clock time")
    agent_id: str


class ViewingResult(ToolOutcome):
    property_id: str | None = None
    viewed: dict[str, Any] | None = Field(
        default=None, description="the listing viewed (its title, place and price), so the reply names it"
    )
    slots: list[OfferedSlot] = Field(default_factory=list, description="free slots to offer, when none was picked")
    viewing_id: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    status: str | None = None
    asked_day: date | None = Field(default=None, description="the day the buyer asked for (from today at the earliest)")
    asked_time: str | None = Field(default=None, description="the time of day the buyer asked for")
    asked_period: str | None = Field(default=None, description="the part of the day the buyer asked for")
    asked_free: bool | None = Field(
        default=None, description="whether the day and time asked for are free (a free time is the one slot offered)"
    )


async def schedule_viewing(ctx: ToolContext, args: ScheduleViewingArgs) -> BaseModel:
    if ctx.viewings is None:
        return ToolOutcome(ok=False, error="unavailable", message="viewings are not available here")
    try:
        listing_id = uuid.UUID(args.property_id)
    except ValueError:
        return ToolOutcome(ok=False, error="invalid", message="property_id: not a listing id")
    try:
        if args.starts_at is None:
            listing = _named(await ctx.viewings.listing(listing_id))
            return await _offer(ctx, listing_id, listing, args.day, args.time, None if args.time else args.period)
        if ctx.user_id is None:
            return ToolOutcome(ok=False, error="sign_in_required",
                               message="the buyer must sign in to book a viewing")  # fmt: skip
        # Read before booking (a booked viewing is never lost to a failed read), once: the booking's notices use it too.
        full = await ctx.viewings.listing(listing_id)
        row = await ctx.viewings.book(ctx.user_id, BookingIn(listing_id=listing_id, starts_at=args.starts_at), full)
        listing = _named(full)
    except DomainError as exc:
        error = {404: "not_found", 409: "slot_taken", 422: "not_a_free_slot"}.get(exc.status_code, "unavailable")
        return ToolOutcome(ok=False, error=error, message=exc.message)
    return ViewingResult(property_id=str(listing_id), viewed=listing, viewing_id=str(row["id"]),
                         starts_at=row["starts_at"], ends_at=row["ends_at"], status=row["status"])  # fmt: skip


NAMED = ("title", "type", "location", "location_ar", "compound", "compound_ar", "price")


def _named(listing: dict[str, Any]) -> dict[str, Any]:
    """What of the listing the reply names it by (the buyer hears which listing the times are for)."""
    return {key: listing.get(key) for key in NAMED}


async def _offer(
    ctx: ToolContext,
    listing_id: uuid.UUID,
    listing: dict[str, Any],
    day: date | None,
    at: str | None,
    period: str | None = None,
) -> ViewingResult:
    """The free slots, at most six: from the day asked for (else today), a week with none looking at the week after;
    those on the day asked for and nearest the time asked for first. A time asked for that is free is offered alone, a
    part of the day with free times only its times (that day's, when a day is asked for too)."""
    assert ctx.viewings is not None
    today = local_day(ctx.now.astimezone(UTC))
    first = max(day, today) if day else today
    found = []
    for week in range(0, LOOK_AHEAD_DAYS, 7):
        found = await ctx.viewings.offered(first + timedelta(days=week), 7, user_id=ctx.user_id)
        if found:
            break
    slots = [OfferedSlot(starts_at=o.slot.starts_at, ends_at=o.slot.ends_at, local_start=wall_clock(o.slot.starts_at),
                         agent_id=str(o.slot.agent_id)) for o in found]  # fmt: skip
    asked = {"asked_day": first if day else None, "asked_time": at, "asked_period": period}
    if not slots:
        return ViewingResult(ok=False, error="no_slots", property_id=str(listing_id), viewed=listing,
                             message="no free viewing slots in the next two weeks", **asked)  # fmt: skip
    if day is None and at is None and period is None:
        return ViewingResult(property_id=str(listing_id), viewed=listing, slots=slots[:MAX_SLOTS])
    minutes = int(at[:2]) * 60 + int(at[3:]) if at else None
    hours = PERIODS[period] if period else None

    def within(local: datetime) -> bool:
        return hours is None or hours[0] <= local.hour < hours[1]

    def distance(slot: OfferedSlot) -> tuple[int, int, int, datetime]:
        # The day asked for first, then those in the part of the day asked for, then the nearest to the time asked for.
        local = datetime.fromisoformat(slot.local_start)
        days = (local.date() - first).days if day else 0
        off = abs(local.hour * 60 + local.minute - minutes) if minutes is not None else 0
        return days, 0 if within(local) else 1, off, slot.starts_at

    slots.sort(key=distance)
    nearest = datetime.fromisoformat(slots[0].local_start)
    free = (day is None or nearest.date() == first) and (at is None or f"{nearest:%H:%M}" == at) and within(nearest)
    if free and at is not None:
        return ViewingResult(property_id=str(listing_id), viewed=listing, slots=slots[:1], asked_free=True, **asked)
    if free and hours is not None:  # the part of the day has free times: only those are offered
        slots = [slot for slot in slots if within(local := datetime.fromisoformat(slot.local_start))
                 and (day is None or local.date() == first)]  # fmt: skip
    return ViewingResult(property_id=str(listing_id), viewed=listing, slots=slots[:MAX_SLOTS], asked_free=free, **asked)


class MyViewingsArgs(ToolArgs):
    action: Literal["list", "cancel"] = Field(
        default="list", description="list: the buyer's upcoming viewings; cancel: cancel one of them"
    )
    viewing_id: str | None = Field(
        default=None, max_length=100,
        description="with cancel: the viewing_id of the one to cancel (from a list this tool gave); absent, the only "
        "upcoming one",
    )  # fmt: skip


class BookedViewing(BaseModel):
    viewing_id: str
    property_id: str
    viewed: dict[str, Any] | None = Field(default=None, description="the listing (its title, place and price)")
    starts_at: datetime
    local_start: str = Field(description="Cairo wall-clock time")
    status: str


class MyViewingsResult(ToolOutcome):
    viewings: list[BookedViewing] = Field(default_factory=list, description="the upcoming ones, soonest first")
    cancelled: BookedViewing | None = None


# Why no viewing was cancelled (the_one_named's reasons): the error code and what it means.
_NOT_CANCELLED = {
    "none": ("no_viewings", "the buyer has no upcoming viewing"),
    "not_found": ("not_found", "viewing_id: not one of the buyer's upcoming viewings"),
    "which": ("which_viewing", "several upcoming viewings: ask which one to cancel"),
}


async def my_viewings(ctx: ToolContext, args: MyViewingsArgs) -> BaseModel:
    """The signed-in buyer's upcoming viewings (booked, not yet begun), soonest first; or the cancelling of one of
    them: the one named, or the only one (several and none named: which one, with the list)."""
    if ctx.viewings is None:
        return ToolOutcome(ok=False, error="unavailable", message="viewings are not available here")
    if ctx.user_id is None:
        return ToolOutcome(ok=False, error="sign_in_required", message="the buyer must sign in to see their viewings")
    now = ctx.now.astimezone(UTC)
    rows = [row for row in await ctx.viewings.repository.of_user(ctx.user_id, 50)
            if row["status"] == "booked" and row["starts_at"] > now]  # fmt: skip
    rows.sort(key=lambda row: row["starts_at"])
    named = {str(row["listing_id"]): await _listing_named(ctx, row["listing_id"]) for row in rows}
    upcoming = [_booked(row, named[str(row["listing_id"])]) for row in rows]
    if args.action == "list":
        return MyViewingsResult(viewings=upcoming)
    chosen = the_one_named(rows, args.viewing_id, lambda row: str(row["id"]))
    if isinstance(chosen, str):
        error, message = _NOT_CANCELLED[chosen]
        return MyViewingsResult(ok=False, error=error, message=message, viewings=upcoming)
    try:
        cancelled = await ctx.viewings.cancel(chosen)
    except DomainError as exc:
        return ToolOutcome(ok=False, error="unavailable", message=exc.message)
    left = [viewing for viewing in upcoming if viewing.viewing_id != str(cancelled["id"])]
    return MyViewingsResult(viewings=left, cancelled=_booked(cancelled, named[str(cancelled["listing_id"])]))


async def _listing_named(ctx: ToolContext, listing_id: uuid.UUID) -> dict[str, Any] | None:
    assert ctx.viewings is not None
    try:
        return _named(await ctx.viewings.listing(listing_id))
    except DomainError:
        return None  # a listing gone from search: the viewing is still the buyer's


def _booked(row: Any, viewed: dict[str, Any] | None) -> BookedViewing:
    return BookedViewing(viewing_id=str(row["id"]), property_id=str(row["listing_id"]), viewed=viewed,
                         starts_at=row["starts_at"], local_start=wall_clock(row["starts_at"]),
                         status=row["status"])  # fmt: skip
