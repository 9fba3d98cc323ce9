"""Request and response models of viewings: availability, free slots, a booking, a new time, a viewing."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime, time
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

CLOCK = r"^([01]\d|2[0-3]):[0-5]\d$"  # local wall-clock time, HH:MM


def _clock(value: str) -> time:
    return time.fromisoformat(value)


class WeeklyHoursIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    weekday: int = Field(ge=0, le=6, description="Monday = 0 ... Sunday = 6")
    start: str = Field(pattern=CLOCK, description="local wall-clock time, HH:MM")
    end: str = Field(pattern=CLOCK, description="local wall-clock time, HH:MM")

    @model_validator(mode="after")
    def _start_before_end(self) -> WeeklyHoursIn:
        if _clock(self.start) >= _clock(self.end):
            raise ValueError("start must be before end")
        return self


class ExceptionIn(BaseModel):
    """`{"date", "available": false}` a day off; with `start`/`end` only those hours off; `{"date", "start", "end",
    "available": true}` extra hours."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    available: bool
    start: str | None = Field(default=None, pattern=CLOCK, description="local wall-clock time, HH:MM")
    end: str | None = Field(default=None, pattern=CLOCK, description="local wall-clock time, HH:MM")

    @model_validator(mode="after")
    def _hours(self) -> ExceptionIn:
        if (self.start is None) != (self.end is None):
            raise ValueError("give both start and end, or neither")
        if self.available and self.start is None:
            raise ValueError("extra hours need start and end")
        if self.start is not None and self.end is not None and _clock(self.start) >= _clock(self.end):
            raise ValueError("start must be before end")
        return self


class AvailabilityIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: Literal["Africa/Cairo"] = Field(
        default="Africa/Cairo", description="the time zone of the hours (Egypt's, with its summer time)"
    )
    slot_minutes: int = Field(default=60, ge=30, le=180, description="the length of one viewing")
    weekly: list[WeeklyHoursIn] = Field(max_length=50)
    exceptions: list[ExceptionIn] = Field(default_factory=list, max_length=366)


class Availability(BaseModel):
    agent_id: uuid.UUID
    timezone: str
    slot_minutes: int
    weekly: list[WeeklyHoursIn]
    exceptions: list[ExceptionIn]
    updated_at: datetime | None

    @classmethod
    def from_rows(cls, agent_id: uuid.UUID, stored: dict[str, Any] | None) -> Availability:
        if stored is None:
            return cls(agent_id=agent_id, timezone="Africa/Cairo", slot_minutes=60, weekly=[], exceptions=[],
                       updated_at=None)  # fmt: skip
        return cls(
            agent_id=agent_id, timezone=stored["agent"]["timezone"], slot_minutes=stored["agent"]["slot_minutes"],
            weekly=[WeeklyHoursIn(weekday=row["weekday"], start=f"{row['start_time']:%H:%M}",
                                  end=f"{row['end_time']:%H:%M}") for row in stored["hours"]],
            exceptions=[ExceptionIn(date=row["day"], available=row["available"],
                                    start=f"{row['start_time']:%H:%M}" if row["start_time"] else None,
                                    end=f"{row['end_time']:%H:%M}" if row["end_time"] else None)
                        for row in stored["exceptions"]],
            updated_at=stored["agent"]["updated_at"],
        )  # fmt: skip


class FreeSlot(BaseModel):
    starts_at: datetime = Field(description="UTC")
    ends_at: datetime
    local_start: str = Field(description="the start on the wall clock in Cairo, YYYY-MM-DDTHH:MM")
    agent_id: uuid.UUID
    assigned: bool = Field(description="the agent already looking after this buyer (their lead's agent)")


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    listing_id: uuid.UUID
    starts_at: AwareDatetime = Field(description="a free slot's starts_at, with its offset")
    agent_id: uuid.UUID | None = Field(default=None, description="the slot's agent; any free agent when absent")


class RescheduleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    starts_at: AwareDatetime = Field(description="a free slot of the same agent")


class Viewing(BaseModel):
    id: uuid.UUID
    listing_id: uuid.UUID
    agent_id: uuid.UUID
    user_id: uuid.UUID
    lead_id: uuid.UUID | None
    starts_at: datetime
    ends_at: datetime
    status: Literal["booked", "cancelled", "done"]
    sequence: int = Field(description="the calendar invitation's SEQUENCE")
    created_at: datetime
    cancelled_at: datetime | None
    rescheduled_at: datetime | None
    reminded_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> Viewing:
        return cls.model_validate({name: row[name] for name in cls.model_fields})
