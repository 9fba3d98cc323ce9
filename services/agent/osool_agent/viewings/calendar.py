"""The calendar invitation of a viewing (RFC 5545 with iTIP methods): one VEVENT whose UID stays the viewing's, whose
SEQUENCE grows with each change, REQUEST for a booking or a new time and CANCEL for a cancellation."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//Osool//Viewings//EN"


@dataclass(frozen=True)
class Invitation:
    viewing_id: uuid.UUID
    sequence: int
    starts_at: datetime
    ends_at: datetime
    title: str
    location: str
    description: str
    cancelled: bool = False
    organizer_email: str | None = None
    organizer_name: str | None = None
    attendee_email: str | None = None


def uid(viewing_id: uuid.UUID) -> str:
    return f"{viewing_id}@osool"


def build_ics(invitation: Invitation, *, now: datetime | None = None) -> bytes:
    """The .ics file: times in UTC, the same UID for every version of the viewing."""
    method: Literal["REQUEST", "CANCEL"] = "CANCEL" if invitation.cancelled else "REQUEST"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid(invitation.viewing_id))
    event.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    event.add("dtstart", invitation.starts_at.astimezone(UTC))
    event.add("dtend", invitation.ends_at.astimezone(UTC))
    event.add("sequence", invitation.sequence)
    event.add("summary", f"Viewing: {invitation.title}")
    event.add("location", invitation.location)
    event.add("description", invitation.description)
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    if invitation.organizer_email:
        organizer = vCalAddress(f"mailto:{invitation.organizer_email}")
        if invitation.organizer_name:
            organizer.params["cn"] = vText(invitation.organizer_name)
        event.add("organizer", organizer)
    if invitation.attendee_email:
        attendee = vCalAddress(f"mailto:{invitation.attendee_email}")
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        event.add("attendee", attendee)
    calendar.add_component(event)
    ics: bytes = calendar.to_ical()
    return ics
