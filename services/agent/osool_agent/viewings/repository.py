"""Every SQL statement of viewings: availability (hours, exceptions, slot length), the agents who show listings, and
the viewings with their booking, changes, notices and reminders."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

import asyncpg
from asyncpg import Record

from osool_agent.viewings.slots import DayException, Schedule, WeeklyHours


class ViewingRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- availability ---------------------------------------------------------------------------------------------
    async def replace_availability(
        self, agent_id: uuid.UUID, timezone: str, slot_minutes: int,
        weekly: list[tuple[int, time, time]], exceptions: list[tuple[date, bool, time | None, time | None]],
    ) -> None:  # fmt: skip
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                """INSERT INTO viewing_agents (agent_id, timezone, slot_minutes) VALUES ($1, $2, $3)
                   ON CONFLICT (agent_id) DO UPDATE SET timezone = EXCLUDED.timezone,
                       slot_minutes = EXCLUDED.slot_minutes, updated_at = now()""",
                agent_id, timezone, slot_minutes,
            )  # fmt: skip
            await connection.execute("DELETE FROM viewing_hours WHERE agent_id = $1", agent_id)
            await connection.execute("DELETE FROM viewing_exceptions WHERE agent_id = $1", agent_id)
            await connection.executemany(
                "INSERT INTO viewing_hours (agent_id, weekday, start_time, end_time) VALUES ($1, $2, $3, $4)",
                [(agent_id, *rule) for rule in weekly],
            )
            await connection.executemany(
                """INSERT INTO viewing_exceptions (agent_id, day, available, start_time, end_time)
                   VALUES ($1, $2, $3, $4, $5)""",
                [(agent_id, *item) for item in exceptions],
            )

    async def availability(self, agent_id: uuid.UUID) -> dict[str, Any] | None:
        agent = await self.pool.fetchrow("SELECT * FROM viewing_agents WHERE agent_id = $1", agent_id)
        if agent is None:
            return None
        hours = await self.pool.fetch(
            "SELECT weekday, start_time, end_time FROM viewing_hours WHERE agent_id = $1 ORDER BY weekday, start_time",
            agent_id,
        )
        exceptions = await self.pool.fetch(
            """SELECT day, available, start_time, end_time FROM viewing_exceptions WHERE agent_id = $1
               ORDER BY day, start_time NULLS FIRST""",
            agent_id,
        )  # fmt: skip
        return {"agent": agent, "hours": hours, "exceptions": exceptions}

    async def schedules(self, agent_ids: list[uuid.UUID] | None, first_day: date, last_day: date) -> list[Schedule]:
        """The schedules of the agents who show listings: on the sales roster, on duty, with hours published (or
        only these agents, when named)."""
        async with self.pool.acquire() as connection:
            agents = await connection.fetch(
                """SELECT v.agent_id, v.timezone, v.slot_minutes FROM viewing_agents v
                   JOIN sales_agents s ON s.agent_id = v.agent_id
                   WHERE s.on_duty AND ($1::uuid[] IS NULL OR v.agent_id = ANY($1::uuid[]))
                   ORDER BY v.agent_id""",
                agent_ids,
            )  # fmt: skip
            ids = [row["agent_id"] for row in agents]
            hours = await connection.fetch(
                "SELECT agent_id, weekday, start_time, end_time FROM viewing_hours WHERE agent_id = ANY($1::uuid[])",
                ids,
            )
            exceptions = await connection.fetch(
                """SELECT agent_id, day, available, start_time, end_time FROM viewing_exceptions
                   WHERE agent_id = ANY($1::uuid[]) AND day BETWEEN $2 AND $3""",
                ids, first_day, last_day,
            )  # fmt: skip
        return [
            Schedule(
                agent_id=row["agent_id"], timezone=row["timezone"], slot_minutes=row["slot_minutes"],
                weekly=[WeeklyHours(h["weekday"], h["start_time"], h["end_time"])
                        for h in hours if h["agent_id"] == row["agent_id"]],
                exceptions=[DayException(e["day"], e["available"], e["start_time"], e["end_time"])
                            for e in exceptions if e["agent_id"] == row["agent_id"]],
            )
            for row in agents
        ]  # fmt: skip

    async def busy(
        self, agent_ids: list[uuid.UUID], start: datetime, end: datetime
    ) -> dict[uuid.UUID, list[tuple[datetime, datetime]]]:
        """The booked viewings of these agents that overlap [start, end)."""
        rows = await self.pool.fetch(
            """SELECT agent_id, starts_at, ends_at FROM viewings
               WHERE status = 'booked' AND agent_id = ANY($1::uuid[]) AND starts_at < $3 AND ends_at > $2""",
            agent_ids, start, end,
        )  # fmt: skip
        busy: dict[uuid.UUID, list[tuple[datetime, datetime]]] = {agent: [] for agent in agent_ids}
        for row in rows:
            busy[row["agent_id"]].append((row["starts_at"], row["ends_at"]))
        return busy

    async def assigned_agent(self, user_id: uuid.UUID) -> tuple[uuid.UUID | None, uuid.UUID | None]:
        """The buyer's lead and the agent it is assigned to, if any."""
        row = await self.pool.fetchrow("SELECT id, assigned_agent_id FROM leads WHERE user_id = $1", user_id)
        return (row["id"], row["assigned_agent_id"]) if row else (None, None)

    # -- viewings -------------------------------------------------------------------------------------------------
    async def book(
        self, listing_id: uuid.UUID, agent_id: uuid.UUID, user_id: uuid.UUID, lead_id: uuid.UUID | None,
        starts_at: datetime, ends_at: datetime,
    ) -> Record:  # fmt: skip
        """Raises asyncpg.ExclusionViolationError when the agent has a booked viewing overlapping the slot."""
        row = await self.pool.fetchrow(
            """INSERT INTO viewings (listing_id, agent_id, user_id, lead_id, starts_at, ends_at)
               VALUES ($1, $2, $3, $4, $5, $6) RETURNING *""",
            listing_id, agent_id, user_id, lead_id, starts_at, ends_at,
        )  # fmt: skip
        assert row is not None
        return row

    async def get(self, viewing_id: uuid.UUID) -> Record | None:
        return await self.pool.fetchrow("SELECT * FROM viewings WHERE id = $1", viewing_id)

    async def cancel(self, viewing_id: uuid.UUID) -> Record | None:
        """The viewing cancelled now, or None when it was not booked."""
        return await self.pool.fetchrow(
            """UPDATE viewings SET status = 'cancelled', cancelled_at = now(), sequence = sequence + 1
               WHERE id = $1 AND status = 'booked' RETURNING *""",
            viewing_id,
        )  # fmt: skip

    async def move(self, viewing_id: uuid.UUID, starts_at: datetime, ends_at: datetime) -> Record | None:
        """The viewing at its new time (its reminder due again), or None when it is not booked. Raises
        asyncpg.ExclusionViolationError when the new time overlaps another booked viewing of the agent."""
        return await self.pool.fetchrow(
            """UPDATE viewings SET starts_at = $2, ends_at = $3, sequence = sequence + 1, rescheduled_at = now(),
                   reminded_at = NULL
               WHERE id = $1 AND status = 'booked' RETURNING *""",
            viewing_id, starts_at, ends_at,
        )  # fmt: skip

    async def mark_notified(self, viewing_id: uuid.UUID, sequence: int) -> None:
        await self.pool.execute(
            """UPDATE viewings SET notified_sequence = $2
               WHERE id = $1 AND (notified_sequence IS NULL OR notified_sequence < $2)""",
            viewing_id, sequence,
        )  # fmt: skip

    async def of_user(self, user_id: uuid.UUID, limit: int) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            "SELECT * FROM viewings WHERE user_id = $1 ORDER BY starts_at DESC LIMIT $2", user_id, limit
        )
        return rows

    async def between(self, agent_id: uuid.UUID | None, start: datetime, end: datetime, limit: int) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            """SELECT * FROM viewings WHERE ($1::uuid IS NULL OR agent_id = $1) AND starts_at >= $2 AND starts_at < $3
               ORDER BY starts_at, id LIMIT $4""",
            agent_id, start, end, limit,
        )  # fmt: skip
        return rows

    # -- the scheduled job ----------------------------------------------------------------------------------------
    async def claim_reminders(self, within_seconds: float, limit: int) -> list[Record]:
        """Booked viewings starting within the window and not reminded yet, marked reminded in the same statement:
        of replicas running this at once, each viewing goes to exactly one."""
        rows: list[Record] = await self.pool.fetch(
            """UPDATE viewings SET reminded_at = now()
               WHERE id IN (SELECT id FROM viewings WHERE status = 'booked' AND reminded_at IS NULL
                                AND starts_at > now() AND starts_at <= now() + make_interval(secs => $1)
                            ORDER BY starts_at LIMIT $2 FOR UPDATE SKIP LOCKED)
                   AND status = 'booked' AND reminded_at IS NULL
               RETURNING *""",
            within_seconds, limit,
        )  # fmt: skip
        return rows

    async def unnotified(self, older_than_seconds: float, limit: int) -> list[Record]:
        """Changes whose notice did not go out (auth down at the time): sent again, under the same dedupe key."""
        rows: list[Record] = await self.pool.fetch(
            """SELECT * FROM viewings WHERE (notified_sequence IS NULL OR notified_sequence < sequence)
                   AND greatest(created_at, rescheduled_at, cancelled_at) < now() - make_interval(secs => $1)
                   AND (status = 'cancelled' OR starts_at > now())
               ORDER BY created_at LIMIT $2""",
            older_than_seconds, limit,
        )  # fmt: skip
        return rows

    async def finish_past(self) -> int:
        """Booked viewings that have ended are done."""
        result: str = await self.pool.execute(
            "UPDATE viewings SET status = 'done' WHERE status = 'booked' AND ends_at < now()"
        )
        return int(result.split()[-1])

    async def release_reminder(self, viewing_id: uuid.UUID, claimed_at: datetime) -> None:
        """A reminder that could not be sent is due again (its dedupe key keeps a retry from sending it twice)."""
        await self.pool.execute(
            "UPDATE viewings SET reminded_at = NULL WHERE id = $1 AND reminded_at = $2", viewing_id, claimed_at
        )
