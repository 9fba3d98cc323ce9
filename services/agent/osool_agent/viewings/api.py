"""HTTP routes of viewings (/api/viewings): agents' availability, a listing's free slots, booking, a buyer's and an
agent's viewings, and cancel and reschedule by the owner or a signed link."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from osool_agent.viewings.schemas import Availability, AvailabilityIn, BookingIn, FreeSlot, RescheduleIn, Viewing
from osool_agent.viewings.service import ViewingService, day_bounds
from osool_agent.viewings.slots import local_day, wall_clock
from osool_common.auth import Principal, current_principal, optional_principal, require_role
from osool_common.errors import NotFoundError, ValidationFailedError

router = APIRouter(prefix="/api/viewings", tags=["viewings"])


async def viewing_service(request: Request) -> ViewingService:
    service: ViewingService = request.app.state.viewings
    return service


Viewings = Annotated[ViewingService, Depends(viewing_service)]
Staff = Annotated[Principal, Depends(require_role("agent", "admin"))]
SignedIn = Annotated[Principal, Depends(current_principal)]
Anyone = Annotated[Principal | None, Depends(optional_principal)]
Token = Annotated[str | None, Query(min_length=10, max_length=500, pattern=r"^[A-Za-z0-9_.\-]+$",
                                    description="the signed link's token (no sign-in needed with it)")]  # fmt: skip
STAFF: dict[int | str, dict[str, Any]] = {
    401: {"description": "no valid access token"},
    403: {"description": "not an agent or administrator"},
}
BY_LINK: dict[int | str, dict[str, Any]] = {
    401: {"description": "neither a link's token nor an access token"},
    403: {"description": "invalid_link: a token tampered with, for another viewing or action, or expired (the "
                         "viewing started)"},
    404: {"description": "no such viewing, or not yours"},
}  # fmt: skip


async def _agent_for(principal: Principal, agent_id: uuid.UUID | None, service: ViewingService) -> uuid.UUID:
    """An agent acts on their own availability; an administrator names the agent (who must hold the agent role)."""
    if principal.role != "admin":
        if agent_id is not None and agent_id != uuid.UUID(principal.user_id):
            raise ValidationFailedError("an agent sets their own availability (leave agent_id out)")
        return uuid.UUID(principal.user_id)
    if agent_id is None:
        raise ValidationFailedError("agent_id: name the agent whose availability this is")
    profile = await service.auth.user(agent_id)
    if profile is None or profile.get("role") != "agent":
        raise NotFoundError("no agent with this id")
    return agent_id


@router.put(
    "/availability", response_model=Availability,
    responses={**STAFF, 404: {"description": "(administrators) no agent with this agent_id"},
               422: {"description": "hours that are not HH:MM, start not before end, a slot length outside 30..180, "
                                    "or an administrator without agent_id"}},
)  # fmt: skip
async def put_availability(
    body: AvailabilityIn, service: Viewings, principal: Staff,
    agent_id: Annotated[uuid.UUID | None, Query(description="administrators: the agent")] = None,
) -> Availability:  # fmt: skip
    """Replace an agent's weekly hours (local times in Africa/Cairo, Monday = 0), slot length and exceptions (a day
    off, hours off, extra hours). Viewings already booked stay booked. Buyers see the slots of agents on duty
    (PUT /api/leads/agents/me/duty)."""
    agent = await _agent_for(principal, agent_id, service)
    await service.set_availability(agent, body)
    return Availability.from_rows(agent, await service.repository.availability(agent))


@router.get("/availability", response_model=Availability,
            responses={**STAFF, 404: {"description": "(administrators) no agent with this agent_id"},
                       422: {"description": "an administrator without agent_id"}})  # fmt: skip
async def get_availability(
    service: Viewings, principal: Staff,
    agent_id: Annotated[uuid.UUID | None, Query(description="administrators: the agent")] = None,
) -> Availability:  # fmt: skip
    """An agent's own availability (an administrator's: any agent's)."""
    agent = await _agent_for(principal, agent_id, service)
    return Availability.from_rows(agent, await service.repository.availability(agent))


@router.get(
    "/slots", response_model=list[FreeSlot],
    responses={401: {"description": "an access token that is not valid"},
               404: {"description": "no such listing"},
               422: {"description": "from, days (1..14) or listing_id not valid"}},
)  # fmt: skip
async def free_slots(
    service: Viewings, principal: Anyone, listing_id: uuid.UUID,
    from_: Annotated[date | None, Query(alias="from", description="the first day (Cairo), today when absent")] = None,
    days: Annotated[int, Query(ge=1, le=14)] = 7,
    agent_id: Annotated[uuid.UUID | None, Query(description="only this agent's slots")] = None,
) -> list[FreeSlot]:  # fmt: skip
    """Free viewing slots of a listing (anyone may ask): one per start time, at least VIEWING_MIN_NOTICE_MINUTES
    ahead, within the hours of the agents on duty minus their exceptions and booked viewings. A signed-in buyer
    whose lead has an agent sees that agent's slots first (`assigned`)."""
    first_day = from_ or local_day(datetime.now(UTC))
    user_id = uuid.UUID(principal.user_id) if principal else None
    offered = await service.free(listing_id, first_day, days, user_id=user_id, agent_id=agent_id)
    return [FreeSlot(starts_at=item.slot.starts_at, ends_at=item.slot.ends_at, agent_id=item.slot.agent_id,
                     local_start=wall_clock(item.slot.starts_at), assigned=item.assigned)
            for item in offered]  # fmt: skip


@router.post(
    "", response_model=Viewing, status_code=201,
    responses={401: {"description": "not signed in"}, 404: {"description": "no such listing"},
               409: {"description": "slot_taken: booked by someone else a moment ago"},
               422: {"description": "not_a_free_slot: not one of the listing's slots (or its agent's), or too soon"}},
)  # fmt: skip
async def book(body: BookingIn, service: Viewings, principal: SignedIn) -> Viewing:
    """Book a free slot (from GET /api/viewings/slots) for the signed-in buyer. Confirmations go to the buyer and the
    agent by email (with a calendar invitation) and SMS."""
    return Viewing.from_row(await service.book(uuid.UUID(principal.user_id), body))


@router.get("/mine", response_model=list[Viewing], responses={401: {"description": "not signed in"}})
async def my_viewings(
    service: Viewings, principal: SignedIn, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> list[Viewing]:
    """The signed-in buyer's viewings, latest first."""
    return [Viewing.from_row(row) for row in await service.repository.of_user(uuid.UUID(principal.user_id), limit)]


@router.get("", response_model=list[Viewing],
            responses={**STAFF, 422: {"description": "an agent asking for another agent's viewings, to before from, "
                                                     "or more than 92 days"}})  # fmt: skip
async def viewings(
    service: Viewings, principal: Staff,
    agent_id: Annotated[uuid.UUID | None, Query(description="administrators: one agent's (all when absent)")] = None,
    from_: Annotated[date | None, Query(alias="from", description="first day (Cairo), today when absent")] = None,
    to: Annotated[date | None, Query(description="last day (Cairo), inclusive; 30 days on when absent")] = None,
) -> list[Viewing]:  # fmt: skip
    """Viewings by start time (at most 1,000): an agent's own, or (administrators) anyone's."""
    if principal.role != "admin":
        if agent_id is not None and agent_id != uuid.UUID(principal.user_id):
            raise ValidationFailedError("an agent sees their own viewings (leave agent_id out)")
        agent_id = uuid.UUID(principal.user_id)
    first = from_ or local_day(datetime.now(UTC))
    last = to or first + timedelta(days=30)
    if not 0 <= (last - first).days <= 92:
        raise ValidationFailedError("to must be on or after from, at most 92 days on")
    start, end = day_bounds(first, (last - first).days + 1)
    return [Viewing.from_row(row) for row in await service.repository.between(agent_id, start, end, 1000)]


@router.get("/{viewing_id}", response_model=Viewing, responses=BY_LINK)
async def one_viewing(viewing_id: uuid.UUID, service: Viewings, principal: Anyone, token: Token = None) -> Viewing:
    """One viewing, for its buyer, its agent, an administrator, or the holder of its link (the page the link opens)."""
    row = await service.authorised(viewing_id, token=token, principal=principal, actions=("cancel", "reschedule"))
    return Viewing.from_row(row)


@router.post("/{viewing_id}/cancel", response_model=Viewing,
             responses={**BY_LINK, 409: {"description": "the viewing has already taken place"}})  # fmt: skip
async def cancel(viewing_id: uuid.UUID, service: Viewings, principal: Anyone, token: Token = None) -> Viewing:
    """Cancel by the link's token (no sign-in) or as the buyer, the agent or an administrator; the slot is free again
    and both are told (an updated invitation, METHOD:CANCEL). Cancelling twice changes nothing."""
    row = await service.authorised(viewing_id, token=token, principal=principal, actions=("cancel",))
    return Viewing.from_row(await service.cancel(row))


@router.post(
    "/{viewing_id}/reschedule", response_model=Viewing,
    responses={**BY_LINK, 409: {"description": "slot_taken, or the viewing was cancelled or has taken place"},
               422: {"description": "not_a_free_slot: not a slot of this viewing's agent, or too soon"}},
)  # fmt: skip
async def reschedule(
    viewing_id: uuid.UUID, body: RescheduleIn, service: Viewings, principal: Anyone, token: Token = None
) -> Viewing:
    """Move the viewing to another free slot of the same agent, by the link's token or as its buyer, agent or an
    administrator; both are sent the updated invitation (same UID, SEQUENCE one more)."""
    row = await service.authorised(viewing_id, token=token, principal=principal, actions=("reschedule",))
    return Viewing.from_row(await service.reschedule(row, body.starts_at))
