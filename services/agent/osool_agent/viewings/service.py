"""The viewing workflow: availability, free slots of a listing, booking (the database's exclusion constraint decides
between concurrent bookings), cancel and reschedule by the owner or a signed link, notices with a calendar invitation,
and the scheduled job that sends each reminder once and resends notices that failed. No HTTP, no SQL."""

from __future__ import annotations

import asyncio
import base64
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

import asyncpg
from asyncpg import Record

from osool_agent import metrics
from osool_agent.clients import AuthClient, SearchClient, UpstreamError
from osool_agent.settings import Settings
from osool_agent.viewings.calendar import Invitation, build_ics
from osool_agent.viewings.links import Action, ViewingLinks
from osool_agent.viewings.repository import ViewingRepository
from osool_agent.viewings.schemas import AvailabilityIn, BookingIn
from osool_agent.viewings.slots import CAIRO, Schedule, Slot, free_slots, local_day, offer, schedule_slots
from osool_common.auth import Principal
from osool_common.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    UnauthenticatedError,
    ValidationFailedError,
)
from osool_common.logging import get_logger

log = get_logger(__name__)
REMINDER_WINDOW_SECONDS = 24 * 3600
Notice = Literal["booked", "moved", "cancelled", "reminder"]


class SlotTakenError(ConflictError):
    code = "slot_taken"


class NotASlotError(ValidationFailedError):
    code = "not_a_free_slot"


class InvalidLinkError(PermissionDeniedError):
    code = "invalid_link"


@dataclass(frozen=True)
class Offered:
    slot: Slot
    assigned: bool


def _clock(value: str) -> time:
    return time.fromisoformat(value)


def day_bounds(first_day: date, days: int, timezone: str = CAIRO) -> tuple[datetime, datetime]:
    zone = ZoneInfo(timezone)
    start = datetime.combine(first_day, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(first_day + timedelta(days=days), time(0), tzinfo=zone).astimezone(UTC)
    return start, end


def local_text(instant: datetime, timezone: str = CAIRO) -> str:
    return f"{instant.astimezone(ZoneInfo(timezone)):%A %d %B %Y at %H:%M} (Cairo time)"


class ViewingService:
    def __init__(
        self, settings: Settings, repository: ViewingRepository, search: SearchClient, auth: AuthClient,
        links: ViewingLinks,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.repository = repository
        self.search = search
        self.auth = auth
        self.links = links

    def now(self) -> datetime:
        return datetime.now(UTC)

    def earliest(self) -> datetime:
        return self.now() + timedelta(minutes=self.settings.viewing_min_notice_minutes)

    # -- availability ---------------------------------------------------------------------------------------------
    async def set_availability(self, agent_id: uuid.UUID, body: AvailabilityIn) -> None:
        await self.repository.replace_availability(
            agent_id, body.timezone, body.slot_minutes,
            [(rule.weekday, _clock(rule.start), _clock(rule.end)) for rule in body.weekly],
            [(item.date, item.available, _clock(item.start) if item.start else None,
              _clock(item.end) if item.end else None) for item in body.exceptions],
        )  # fmt: skip
        log.info("viewings.availability_set", agent_id=str(agent_id), rules=len(body.weekly))

    # -- free slots -----------------------------------------------------------------------------------------------
    async def listing(self, listing_id: uuid.UUID) -> dict[str, Any]:
        try:
            return await self.search.listing(listing_id)
        except NotFoundError:
            raise NotFoundError("no such listing") from None

    async def free(
        self, listing_id: uuid.UUID, first_day: date, days: int, *, user_id: uuid.UUID | None,
        agent_id: uuid.UUID | None = None,
    ) -> list[Offered]:  # fmt: skip
        """One free slot per start time over these local days, the buyer's own agent's first (404: no such listing)."""
        await self.listing(listing_id)
        return await self.offered(first_day, days, user_id=user_id, agent_id=agent_id)

    async def offered(
        self, first_day: date, days: int, *, user_id: uuid.UUID | None, agent_id: uuid.UUID | None = None
    ) -> list[Offered]:
        """The free slots of a listing already known to exist (they are the agents', the same for every listing)."""
        preferred = (await self.repository.assigned_agent(user_id))[1] if user_id else None
        schedules = await self.repository.schedules([agent_id] if agent_id else None, first_day,
                                                    first_day + timedelta(days=days))  # fmt: skip
        if not schedules:
            return []
        start, end = day_bounds(first_day, days)
        busy = await self.repository.busy([s.agent_id for s in schedules], start, end)
        earliest = self.earliest()
        by_agent = {s.agent_id: free_slots(s, busy[s.agent_id], first_day, days, earliest=earliest) for s in schedules}
        load = {agent: len(taken) for agent, taken in busy.items()}
        return [Offered(slot, slot.agent_id == preferred) for slot in offer(by_agent, preferred=preferred, load=load)]

    def _slot_at(self, schedule: Schedule, starts_at: datetime) -> Slot | None:
        """The schedule's slot starting at this instant (booked or not), if it is one and far enough ahead."""
        if starts_at < self.earliest():
            return None
        day = local_day(starts_at, schedule.timezone)
        return next((s for s in schedule_slots(schedule, day, 1) if s.starts_at == starts_at), None)

    # -- booking --------------------------------------------------------------------------------------------------
    async def book(self, user_id: uuid.UUID, body: BookingIn, listing: dict[str, Any] | None = None) -> Record:
        """Book the slot. Whether it is still free is the exclusion constraint's to say (409 slot_taken), never a
        prior read: of concurrent bookings of one agent's slot exactly one is committed. `listing`: the listing
        already read by the caller (Amr's tool names it in its reply), else read here."""
        listing = listing or await self.listing(body.listing_id)
        starts_at = body.starts_at.astimezone(UTC)
        day = local_day(starts_at)
        schedules = await self.repository.schedules([body.agent_id] if body.agent_id else None, day, day)
        slots = [slot for schedule in schedules if (slot := self._slot_at(schedule, starts_at)) is not None]
        if not slots:
            raise NotASlotError("not one of this listing's free slots: GET /api/viewings/slots lists them")
        lead_id, preferred = await self.repository.assigned_agent(user_id)
        start, end = day_bounds(day, 1)
        busy = await self.repository.busy([slot.agent_id for slot in slots], start, end)
        # Where the buyer did not name an agent: theirs first, then the least booked; a slot taken meanwhile by
        # another buyer moves on to the next agent free at that time.
        slots.sort(key=lambda s: (s.agent_id != preferred, len(busy[s.agent_id]), str(s.agent_id)))
        for slot in slots:
            try:
                row = await self.repository.book(body.listing_id, slot.agent_id, user_id, lead_id, slot.starts_at,
                                                 slot.ends_at)  # fmt: skip
            except asyncpg.ExclusionViolationError:
                continue
            metrics.VIEWINGS.labels("booked").inc()
            log.info("viewings.booked", viewing_id=str(row["id"]), agent_id=str(slot.agent_id))
            await self.send_notice(row, listing)
            return row
        raise SlotTakenError("this slot was just booked by someone else: pick another")

    # -- the viewing by its owner, its agent, an administrator or a signed link -------------------------------------
    async def authorised(
        self, viewing_id: uuid.UUID, *, token: str | None, principal: Principal | None, actions: tuple[Action, ...]
    ) -> Record:
        row = await self.repository.get(viewing_id)
        if token is not None:
            if row is None or not self.links.valid(token, viewing_id, actions):
                raise InvalidLinkError("this link is not valid for this viewing")
            if row["starts_at"] <= self.now():
                raise InvalidLinkError("this link expired when the viewing started")
            return row
        if principal is None:
            raise UnauthenticatedError("sign in, or use the link from your confirmation")
        me = uuid.UUID(principal.user_id)
        if row is None or (principal.role != "admin" and me not in (row["user_id"], row["agent_id"])):
            raise NotFoundError("no such viewing")
        return row

    def _changeable(self, row: Record) -> None:
        if row["status"] == "done" or row["starts_at"] <= self.now():
            raise ConflictError("the viewing has already taken place")

    async def cancel(self, row: Record) -> Record:
        if row["status"] == "cancelled":
            return row  # a second click of the link: nothing more to do
        self._changeable(row)
        cancelled = await self.repository.cancel(row["id"])
        if cancelled is None:  # cancelled by another request a moment ago
            again = await self.repository.get(row["id"])
            assert again is not None
            return again
        metrics.VIEWINGS.labels("cancelled").inc()
        log.info("viewings.cancelled", viewing_id=str(row["id"]))
        await self.send_notice(cancelled)
        return cancelled

    async def reschedule(self, row: Record, starts_at: datetime) -> Record:
        if row["status"] != "booked":
            raise ConflictError(f"the viewing is {row['status']}: book a new one")
        self._changeable(row)
        starts_at = starts_at.astimezone(UTC)
        if starts_at == row["starts_at"]:
            return row
        day = local_day(starts_at)
        schedules = await self.repository.schedules([row["agent_id"]], day, day)
        slot = self._slot_at(schedules[0], starts_at) if schedules else None
        if slot is None:
            raise NotASlotError("not a free slot of this viewing's agent: GET /api/viewings/slots?agent_id= lists them")
        try:
            moved = await self.repository.move(row["id"], slot.starts_at, slot.ends_at)
        except asyncpg.ExclusionViolationError:
            raise SlotTakenError("this slot is taken: pick another") from None
        if moved is None:
            raise ConflictError("the viewing was cancelled meanwhile")
        metrics.VIEWINGS.labels("rescheduled").inc()
        log.info("viewings.rescheduled", viewing_id=str(row["id"]), sequence=moved["sequence"])
        await self.send_notice(moved)
        return moved

    # -- notices --------------------------------------------------------------------------------------------------
    async def send_notice(self, row: Record, listing: dict[str, Any] | None = None) -> bool:
        """The booking's, new time's or cancellation's notice to the buyer and the agent (email with the calendar
        invitation, and SMS), once per change: a retry under the same dedupe key sends nothing more."""
        kind: Notice = "cancelled" if row["status"] == "cancelled" else "booked" if row["sequence"] == 0 else "moved"
        try:
            listing = listing or await self.listing(row["listing_id"])
            buyer, agent = await self.auth.user(row["user_id"]), await self.auth.user(row["agent_id"])
            ics = build_ics(Invitation(
                viewing_id=row["id"], sequence=row["sequence"], starts_at=row["starts_at"], ends_at=row["ends_at"],
                title=str(listing["title"]), location=_place(listing), description=self._description(row, listing),
                cancelled=kind == "cancelled", organizer_email=(agent or {}).get("email"),
                organizer_name=(agent or {}).get("display_name"), attendee_email=(buyer or {}).get("email"),
            ))  # fmt: skip
            attachment = {"filename": "viewing.ics", "content_type": "text/calendar",
                          "content_base64": base64.b64encode(ics).decode()}  # fmt: skip
            key = f"viewing-{'confirm' if kind != 'cancelled' else 'cancel'}:{row['id']}:{row['sequence']}"
            for user_id, subject, text in self._texts(kind, row, listing):
                await self.auth.notify(user_id, subject, text, ["email", "sms"], key, attachments=[attachment])
        except DomainError as exc:  # auth or search down: the scheduled job sends it again
            log.warning("viewings.notice_failed", viewing_id=str(row["id"]), error=type(exc).__name__)
            return False
        await self.repository.mark_notified(row["id"], row["sequence"])
        return True

    def _description(self, row: Record, listing: dict[str, Any]) -> str:
        if row["status"] == "cancelled":
            return f"This viewing of {listing['title']} was cancelled."
        return (f"Viewing of {listing['title']} ({_place(listing)}) with an Osool consultant.\n"
                f"Cancel: {self.links.url(row['id'], 'cancel')}\n"
                f"Reschedule: {self.links.url(row['id'], 'reschedule')}")  # fmt: skip

    def _texts(self, kind: Notice, row: Record, listing: dict[str, Any]) -> list[tuple[uuid.UUID, str, str]]:
        title, place, when = listing["title"], _place(listing), local_text(row["starts_at"])
        buyer_links = (f" To cancel: {self.links.url(row['id'], 'cancel')} To reschedule: "
                       f"{self.links.url(row['id'], 'reschedule')}")  # fmt: skip
        agent_link = f" {self.settings.public_url.rstrip('/')}/agents/viewings/{row['id']}"
        if kind == "booked":
            return [
                (row["user_id"], f"Viewing booked: {title}",
                 f"Your viewing of {title} ({place}) is booked for {when}.{buyer_links}"),
                (row["agent_id"], f"New viewing: {title}",
                 f"A buyer booked a viewing of {title} ({place}) with you for {when}.{agent_link}"),
            ]  # fmt: skip
        if kind == "moved":
            return [
                (row["user_id"], f"Viewing moved: {title}",
                 f"Your viewing of {title} ({place}) is now on {when}.{buyer_links}"),
                (row["agent_id"], f"Viewing moved: {title}",
                 f"The viewing of {title} ({place}) is now on {when}.{agent_link}"),
            ]  # fmt: skip
        if kind == "cancelled":
            return [
                (row["user_id"], f"Viewing cancelled: {title}",
                 f"Your viewing of {title} ({place}) on {when} is cancelled."),
                (row["agent_id"], f"Viewing cancelled: {title}",
                 f"The viewing of {title} ({place}) on {when} is cancelled.{agent_link}"),
            ]  # fmt: skip
        return [
            (row["user_id"], f"Reminder: viewing of {title}",
             f"A reminder: your viewing of {title} ({place}) is on {when}.{buyer_links}"),
            (row["agent_id"], f"Reminder: viewing of {title}",
             f"A reminder: you show {title} ({place}) on {when}.{agent_link}"),
        ]  # fmt: skip

    # -- the scheduled job ----------------------------------------------------------------------------------------
    async def send_reminders(self) -> int:
        """Each booked viewing starting within 24 hours is reminded once: the claim marks it in the statement that
        finds it, so replicas running this at once never both take one."""
        rows = await self.repository.claim_reminders(REMINDER_WINDOW_SECONDS, 50)
        sent = 0
        for row in rows:
            try:
                listing = await self.listing(row["listing_id"])
                for user_id, subject, text in self._texts("reminder", row, listing):
                    await self.auth.notify(user_id, subject, text, ["email", "sms"],
                                           f"viewing-reminder:{row['id']}:{row['sequence']}")  # fmt: skip
            except DomainError as exc:
                log.warning("viewings.reminder_failed", viewing_id=str(row["id"]), error=type(exc).__name__)
                await self.repository.release_reminder(row["id"], row["reminded_at"])
                continue
            metrics.VIEWINGS.labels("reminded").inc()
            sent += 1
        return sent

    async def resend_notices(self) -> None:
        for row in await self.repository.unnotified(30, 20):
            await self.send_notice(row)

    async def run_jobs(self) -> None:
        """Every worker of every replica runs it: the reminders' claim and the notices' dedupe keys make each
        message go once."""
        while True:
            await asyncio.sleep(self.settings.viewing_reminder_check_seconds)
            try:
                await self.send_reminders()
                await self.resend_notices()
                await self.repository.finish_past()
            except (asyncpg.PostgresError, OSError, UpstreamError) as exc:
                log.warning("viewings.job_failed", error=type(exc).__name__)


def _place(listing: dict[str, Any]) -> str:
    return ", ".join(str(part) for part in (listing.get("compound"), listing.get("location")) if part)
