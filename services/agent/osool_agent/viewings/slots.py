"""An agent's free viewing slots from their weekly hours and exceptions (local wall-clock times in their time zone,
Africa/Cairo) minus what is booked: plain functions over typed values, no I/O."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

CAIRO = "Africa/Cairo"
# The parts of a day a buyer may ask a viewing in, by the local hours they span: [from, to).
PERIODS: dict[str, tuple[int, int]] = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}
Interval = tuple[int, int]  # minutes since local midnight, [start, end)


@dataclass(frozen=True)
class WeeklyHours:
    weekday: int  # Monday = 0
    start: time
    end: time


@dataclass(frozen=True)
class DayException:
    """A day off (available=False, no hours), hours off that day (available=False with hours), or extra hours."""

    day: date
    available: bool
    start: time | None = None
    end: time | None = None


@dataclass(frozen=True)
class Schedule:
    agent_id: uuid.UUID
    timezone: str = CAIRO
    slot_minutes: int = 60
    weekly: Sequence[WeeklyHours] = ()
    exceptions: Sequence[DayException] = ()


@dataclass(frozen=True, order=True)
class Slot:
    starts_at: datetime  # aware, UTC
    ends_at: datetime
    agent_id: uuid.UUID = field(compare=False)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _merge(intervals: Iterable[Interval]) -> list[Interval]:
    merged: list[Interval] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(intervals: list[Interval], hole: Interval) -> list[Interval]:
    result: list[Interval] = []
    for start, end in intervals:
        if hole[1] <= start or hole[0] >= end:
            result.append((start, end))
            continue
        if start < hole[0]:
            result.append((start, hole[0]))
        if hole[1] < end:
            result.append((hole[1], end))
    return result


def open_hours(schedule: Schedule, day: date) -> list[Interval]:
    """The day's working hours: the weekly hours (none on a day off), plus extra hours, minus hours off."""
    exceptions = [item for item in schedule.exceptions if item.day == day]
    day_off = any(not item.available and item.start is None for item in exceptions)
    hours = (
        [] if day_off else [(_minutes(r.start), _minutes(r.end)) for r in schedule.weekly if r.weekday == day.weekday()]
    )
    hours += [(_minutes(e.start), _minutes(e.end)) for e in exceptions if e.available and e.start and e.end]
    merged = _merge(hours)
    for item in exceptions:
        if not item.available and item.start is not None and item.end is not None:
            merged = _subtract(merged, (_minutes(item.start), _minutes(item.end)))
    return merged


def local_instant(day: date, minute: int, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of a local wall-clock time, or None when the clock skips it (spring forward). A time the clock
    shows twice (fall back) is its first occurrence."""
    local = datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return instant


def schedule_slots(schedule: Schedule, first_day: date, days: int) -> list[Slot]:
    """Every slot of the schedule on `days` local days from `first_day`, booked or not, in time order."""
    zone = ZoneInfo(schedule.timezone)
    length = schedule.slot_minutes
    slots: list[Slot] = []
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for start, end in open_hours(schedule, day):
            minute = start
            while minute + length <= end:
                instant = local_instant(day, minute, zone)
                if instant is not None:
                    # A slot lasts its length in real time, across a clock change too.
                    slots.append(Slot(instant, instant + timedelta(minutes=length), schedule.agent_id))
                minute += length
    return sorted(slots)


def free_slots(
    schedule: Schedule, busy: Iterable[tuple[datetime, datetime]], first_day: date, days: int, *, earliest: datetime
) -> list[Slot]:
    """The schedule's slots that start no sooner than `earliest` and overlap nothing booked."""
    taken = list(busy)
    return [
        slot
        for slot in schedule_slots(schedule, first_day, days)
        if slot.starts_at >= earliest and not any(slot.starts_at < end and start < slot.ends_at for start, end in taken)
    ]


def local_day(instant: datetime, timezone: str = CAIRO) -> date:
    return instant.astimezone(ZoneInfo(timezone)).date()


def offer(
    slots_by_agent: dict[uuid.UUID, list[Slot]], *, preferred: uuid.UUID | None, load: dict[uuid.UUID, int]
) -> list[Slot]:
    """One slot per start time for the buyer: the preferred agent's (the buyer's lead's agent) where they are free,
    else the least-booked free agent's. The preferred agent's slots come first, then the rest, each in time order."""
    chosen: dict[datetime, Slot] = {}
    rank = {agent: (agent != preferred, load.get(agent, 0), str(agent)) for agent in slots_by_agent}
    for agent in sorted(slots_by_agent, key=lambda item: rank[item]):
        for slot in slots_by_agent[agent]:
            chosen.setdefault(slot.starts_at, slot)
    ordered = sorted(chosen.values())
    return [slot for slot in ordered if slot.agent_id == preferred] + [s for s in ordered if s.agent_id != preferred]


def wall_clock(instant: datetime, timezone: str = CAIRO) -> str:
    """The instant on the local wall clock, YYYY-MM-DDTHH:MM."""
    return f"{instant.astimezone(ZoneInfo(timezone)):%Y-%m-%dT%H:%M}"
