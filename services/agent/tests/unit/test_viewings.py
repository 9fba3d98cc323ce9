"""Viewing slots from weekly hours and exceptions in Cairo (summer time included), the offer of one slot per start
time, the calendar invitation, and the signed links: plain functions, no servers."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Calendar

from osool_agent.viewings.calendar import Invitation, build_ics
from osool_agent.viewings.links import ViewingLinks, link_key
from osool_agent.viewings.slots import (
    DayException,
    Schedule,
    WeeklyHours,
    free_slots,
    local_instant,
    offer,
    schedule_slots,
)

AGENT = uuid.UUID("00000000-0000-0000-0000-00000000000a")
EVERY_DAY = [WeeklyHours(day, time(9), time(12)) for day in range(7)]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def starts(schedule: Schedule, day: date, days: int = 1) -> list[datetime]:
    return [slot.starts_at for slot in schedule_slots(schedule, day, days)]


def test_cairo_hours_are_utc_plus_two_in_winter_and_plus_three_in_summer() -> None:
    schedule = Schedule(AGENT, weekly=EVERY_DAY)
    # Egypt's summer time (reinstated in 2023) starts on the last Friday of April: 2024-04-26.
    assert starts(schedule, date(2024, 4, 25)) == [utc(2024, 4, 25, 7), utc(2024, 4, 25, 8), utc(2024, 4, 25, 9)]
    assert starts(schedule, date(2024, 4, 26)) == [utc(2024, 4, 26, 6), utc(2024, 4, 26, 7), utc(2024, 4, 26, 8)]
    # ... and ends after the last Thursday of October: 2024-10-31 is still summer, 2024-11-01 is not.
    assert starts(schedule, date(2024, 10, 31))[0] == utc(2024, 10, 31, 6)
    assert starts(schedule, date(2024, 11, 1))[0] == utc(2024, 11, 1, 7)


def test_a_time_the_clock_skips_is_no_slot_and_a_repeated_one_is_its_first() -> None:
    # 2024-04-26 00:00 jumps to 01:00 in Cairo; 2024-10-31 23:00-24:00 happens twice.
    from zoneinfo import ZoneInfo

    cairo = ZoneInfo("Africa/Cairo")
    assert local_instant(date(2024, 4, 26), 30, cairo) is None
    assert local_instant(date(2024, 10, 31), 23 * 60 + 30, cairo) == utc(2024, 10, 31, 20, 30)
    night = Schedule(AGENT, slot_minutes=30, weekly=[WeeklyHours(4, time(0), time(2))])  # Friday
    assert starts(night, date(2024, 4, 26)) == [utc(2024, 4, 25, 22), utc(2024, 4, 25, 22, 30)]  # 01:00, 01:30


def test_slots_fill_the_hours_with_the_agent_slot_length() -> None:
    schedule = Schedule(AGENT, slot_minutes=45, weekly=[WeeklyHours(0, time(10), time(12, 30))])
    monday = date(2026, 12, 7)
    assert [s.starts_at for s in schedule_slots(schedule, monday, 7)] == [
        utc(2026, 12, 7, 8), utc(2026, 12, 7, 8, 45), utc(2026, 12, 7, 9, 30)]  # fmt: skip
    assert all(s.ends_at - s.starts_at == timedelta(minutes=45) for s in schedule_slots(schedule, monday, 7))


def test_a_day_off_hours_off_and_extra_hours_change_the_day() -> None:
    monday, tuesday, wednesday = date(2026, 12, 7), date(2026, 12, 8), date(2026, 12, 9)
    schedule = Schedule(AGENT, weekly=EVERY_DAY, exceptions=[
        DayException(monday, False),
        DayException(tuesday, False, time(10), time(11)),
        DayException(wednesday, True, time(15), time(17)),
    ])  # fmt: skip
    assert starts(schedule, monday) == []
    assert starts(schedule, tuesday) == [utc(2026, 12, 8, 7), utc(2026, 12, 8, 9)]
    assert starts(schedule, wednesday) == [utc(2026, 12, 9, h) for h in (7, 8, 9, 13, 14)]


def test_free_slots_leave_out_booked_and_too_soon_ones() -> None:
    schedule = Schedule(AGENT, weekly=EVERY_DAY)
    day = date(2026, 12, 7)
    booked = [(utc(2026, 12, 7, 8, 30), utc(2026, 12, 7, 9))]  # overlaps 10:00-11:00 Cairo
    assert [s.starts_at for s in free_slots(schedule, booked, day, 1, earliest=utc(2026, 12, 7, 6))] == [
        utc(2026, 12, 7, 7), utc(2026, 12, 7, 9)]  # fmt: skip
    assert [s.starts_at for s in free_slots(schedule, [], day, 1, earliest=utc(2026, 12, 7, 7, 1))] == [
        utc(2026, 12, 7, 8), utc(2026, 12, 7, 9)]  # fmt: skip


def test_the_offer_has_one_slot_per_time_with_the_buyers_agent_first() -> None:
    other, mine = uuid.UUID(int=1), uuid.UUID(int=2)
    day = date(2026, 12, 7)
    by_agent = {
        other: schedule_slots(Schedule(other, weekly=EVERY_DAY), day, 1),
        mine: schedule_slots(Schedule(mine, weekly=[WeeklyHours(0, time(10), time(11))]), day, 1),
    }
    offered = offer(by_agent, preferred=mine, load={})
    assert [(s.starts_at.hour, s.agent_id) for s in offered] == [(8, mine), (7, other), (9, other)]
    assert [s.agent_id for s in offer(by_agent, preferred=None, load={other: 3})] == [other, mine, other]


def test_the_invitation_parses_back_with_its_uid_times_and_sequence() -> None:
    viewing = uuid.uuid4()
    invitation = Invitation(viewing, 0, utc(2026, 12, 7, 8), utc(2026, 12, 7, 9), "Apartment in Zed Towers",
                            "Sheikh Zayed", "Cancel: https://example/viewings/x?token=y", organizer_email="a@osool.eg",
                            organizer_name="Mona", attendee_email="buyer@example.com")  # fmt: skip
    calendar = Calendar.from_ical(build_ics(invitation))
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(event["UID"]) == f"{viewing}@osool" and int(event["SEQUENCE"]) == 0
    assert event.decoded("DTSTART") == utc(2026, 12, 7, 8) and event.decoded("DTEND") == utc(2026, 12, 7, 9)
    assert str(event["SUMMARY"]) == "Viewing: Apartment in Zed Towers" and str(event["LOCATION"]) == "Sheikh Zayed"
    assert "token=y" in str(event["DESCRIPTION"]) and str(event["STATUS"]) == "CONFIRMED"
    assert "DTSTART:20261207T080000Z" in build_ics(invitation).decode()
    cancelled = Calendar.from_ical(build_ics(Invitation(**{**invitation.__dict__, "sequence": 2, "cancelled": True})))
    [event] = cancelled.walk("VEVENT")
    assert (str(cancelled["METHOD"]), int(event["SEQUENCE"]), str(event["STATUS"])) == ("CANCEL", 2, "CANCELLED")
    assert str(event["UID"]) == f"{viewing}@osool"


def test_a_link_is_good_for_its_viewing_and_action_only() -> None:
    links = ViewingLinks("a service key of the stack", "http://127.0.0.1:8080/")
    viewing, other = uuid.uuid4(), uuid.uuid4()
    token = links.token(viewing, "cancel")
    assert links.valid(token, viewing, ("cancel",))
    assert not links.valid(token, viewing, ("reschedule",))
    assert not links.valid(token, other, ("cancel",))
    assert not links.valid(token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), viewing, ("cancel",))
    assert not ViewingLinks("another key", "http://x").valid(token, viewing, ("cancel",))
    assert links.url(viewing, "cancel").startswith(f"http://127.0.0.1:8080/viewings/{viewing}?action=cancel&token=")
    # Derived, not the service key itself.
    assert link_key("k") != b"k" and len(link_key("k")) == 32
