"""Every SQL statement of the agent service: the turns answered under an Idempotency-Key, the leads with their
sessions and audit trail, and the roster of sales agents."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import asyncpg
from asyncpg import Record
from asyncpg.pool import PoolConnectionProxy

BeginResult = Literal["new", "running", "mismatch"] | dict[str, Any]


class TurnRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def begin(
        self, session_id: uuid.UUID, key: str, request_hash: str, *, stale_after_seconds: int
    ) -> BeginResult:
        """Claim the key for this turn. "new": go ahead; the stored answer when it was answered; "running" when
        another request is answering it now; "mismatch" when the key came with another message. A turn left
        running longer than `stale_after_seconds` (its process died), or interrupted, is taken over."""
        row = await self.pool.fetchrow(
            """WITH claimed AS (
                   INSERT INTO turns (session_id, idempotency_key, request_hash, status) VALUES ($1, $2, $3, 'running')
                   ON CONFLICT (session_id, idempotency_key) DO UPDATE SET status = 'running', started_at = now(),
                       error = NULL
                   WHERE turns.request_hash = EXCLUDED.request_hash AND (turns.status = 'interrupted'
                       OR (turns.status = 'running' AND turns.started_at < now() - make_interval(secs => $4)))
                   RETURNING 'new'::text AS outcome, NULL::jsonb AS response, request_hash
               )
               SELECT outcome, response, request_hash FROM claimed
               UNION ALL
               SELECT status, response, request_hash FROM turns
               WHERE session_id = $1 AND idempotency_key = $2 AND NOT EXISTS (SELECT 1 FROM claimed)""",
            session_id, key, request_hash, float(stale_after_seconds),
        )  # fmt: skip
        if row is None:  # a concurrent request with the same key committed its claim a moment ago
            return "running"
        if row["outcome"] == "new":
            return "new"
        if row["request_hash"] != request_hash:
            return "mismatch"
        if row["outcome"] == "completed":
            response: dict[str, Any] = row["response"]
            return response
        return "running"

    async def finish(self, session_id: uuid.UUID, key: str, response: dict[str, Any]) -> None:
        await self.pool.execute(
            """UPDATE turns SET status = 'completed', response = $3, finished_at = now()
               WHERE session_id = $1 AND idempotency_key = $2""",
            session_id, key, response,
        )  # fmt: skip

    async def interrupt(self, session_id: uuid.UUID, key: str, error: str) -> None:
        await self.pool.execute(
            """UPDATE turns SET status = 'interrupted', error = $3, finished_at = now()
               WHERE session_id = $1 AND idempotency_key = $2 AND status = 'running'""",
            session_id, key, error,
        )  # fmt: skip


# What a turn may change on a lead (everything but its identity, owner, pipeline status and timestamps of creation).
LEAD_FIELDS = (
    "kind", "intent", "budget_min", "budget_max", "areas", "types", "bedrooms", "timeline", "financing", "purpose",
    "motivation", "condition", "price_expectation", "pending_question", "questions_asked", "readiness_score",
    "commitment_score", "contact_phone", "contact_email", "contact_name", "contact_consent", "consent_at",
    "listings_shown",
    "listings_asked", "turns", "score", "temperature", "reasons", "hot_at", "assigned_agent_id", "assigned_at",
    "notified_at", "last_message",
)  # fmt: skip
Executor = asyncpg.Connection | asyncpg.Pool | PoolConnectionProxy
LEAD_SORTS = {"newest": ("created_at", "timestamptz"), "score": ("score", "smallint")}


class LeadRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- one turn: find or make the conversation's lead, under a lock on the session (and the user) -----------------
    @staticmethod
    async def lock(connection: Executor, *keys: str) -> None:
        for key in sorted(keys):
            await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1, 7))", f"lead:{key}")

    @staticmethod
    async def by_session(connection: Executor, session_id: uuid.UUID) -> Record | None:
        return await connection.fetchrow(
            "SELECT l.* FROM lead_sessions s JOIN leads l ON l.id = s.lead_id WHERE s.session_id = $1", session_id
        )

    @staticmethod
    async def by_user(connection: Executor, user_id: uuid.UUID) -> Record | None:
        return await connection.fetchrow("SELECT * FROM leads WHERE user_id = $1", user_id)

    @staticmethod
    async def create(connection: Executor, session_id: uuid.UUID, user_id: uuid.UUID | None) -> Record:
        lead = await connection.fetchrow("INSERT INTO leads (user_id) VALUES ($1) RETURNING *", user_id)
        assert lead is not None
        await connection.execute(
            "INSERT INTO lead_sessions (session_id, lead_id) VALUES ($1, $2)", session_id, lead["id"]
        )
        await LeadRepository.event(connection, lead["id"], "created", "amr", {"session_id": str(session_id)})
        return lead

    @staticmethod
    async def add_session(connection: Executor, lead_id: uuid.UUID, session_id: uuid.UUID) -> None:
        await connection.execute(
            "INSERT INTO lead_sessions (session_id, lead_id) VALUES ($1, $2) ON CONFLICT (session_id) DO UPDATE "
            "SET lead_id = EXCLUDED.lead_id", session_id, lead_id,
        )  # fmt: skip

    @staticmethod
    async def set_owner(connection: Executor, lead_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await connection.execute("UPDATE leads SET user_id = $2, updated_at = now() WHERE id = $1", lead_id, user_id)

    @staticmethod
    async def absorb(connection: Executor, keep: uuid.UUID, gone: uuid.UUID) -> None:
        """Move a merged lead's sessions and history onto the lead that stays, then delete it."""
        await connection.execute("UPDATE lead_sessions SET lead_id = $1 WHERE lead_id = $2", keep, gone)
        await connection.execute("UPDATE lead_events SET lead_id = $1 WHERE lead_id = $2", keep, gone)
        await connection.execute("DELETE FROM leads WHERE id = $1", gone)

    @staticmethod
    async def save(connection: Executor, lead_id: uuid.UUID, values: dict[str, Any]) -> None:
        names = [name for name in LEAD_FIELDS if name in values]
        assignments = ", ".join(f"{name} = ${index}" for index, name in enumerate(names, start=2))
        await connection.execute(
            f"UPDATE leads SET {assignments}, updated_at = now() WHERE id = $1",  # noqa: S608 - names from LEAD_FIELDS
            lead_id, *(values[name] for name in names),
        )  # fmt: skip

    @staticmethod
    async def event(connection: Executor, lead_id: uuid.UUID, kind: str, actor: str, data: dict[str, Any]) -> None:
        await connection.execute(
            "INSERT INTO lead_events (lead_id, kind, actor, data) VALUES ($1, $2, $3, $4)", lead_id, kind, actor, data
        )

    @staticmethod
    async def next_agent(connection: Executor, *, exclude: list[uuid.UUID]) -> uuid.UUID | None:
        """Round robin: the agent on duty whose last assignment is oldest (never assigned first)."""
        agent: uuid.UUID | None = await connection.fetchval(
            """WITH next AS (
                   SELECT agent_id FROM sales_agents WHERE on_duty AND NOT (agent_id = ANY($1::uuid[]))
                   ORDER BY last_assigned_at NULLS FIRST, agent_id LIMIT 1 FOR UPDATE SKIP LOCKED
               )
               UPDATE sales_agents a SET last_assigned_at = clock_timestamp() FROM next
               WHERE a.agent_id = next.agent_id RETURNING a.agent_id""",
            exclude,
        )  # fmt: skip
        return agent

    async def uncontacted_waiting(self, connection: Executor, older_than_seconds: float, limit: int) -> list[Record]:
        """Leads waiting for a call (HOT, or not HOT but asked to be called) assigned longer ago than the limit and not
        contacted yet; rows locked so one replica takes each."""
        rows: list[Record] = await connection.fetch(
            """SELECT * FROM leads WHERE (hot_at IS NOT NULL OR contact_consent) AND first_contact_at IS NULL
                   AND status = 'new'
                   AND assigned_at < now() - make_interval(secs => $1)
               ORDER BY assigned_at LIMIT $2 FOR UPDATE SKIP LOCKED""",
            older_than_seconds, limit,
        )  # fmt: skip
        return rows

    @staticmethod
    async def past_agents(connection: Executor, lead_id: uuid.UUID) -> list[uuid.UUID]:
        """Every agent this lead was ever assigned to."""
        rows = await connection.fetch(
            """SELECT DISTINCT COALESCE(data->>'agent_id', data->>'to') AS agent FROM lead_events
               WHERE lead_id = $1 AND kind IN ('assigned', 'reassigned')""",
            lead_id,
        )  # fmt: skip
        return [uuid.UUID(row["agent"]) for row in rows if row["agent"]]

    @staticmethod
    async def postpone(connection: Executor, lead_id: uuid.UUID) -> None:
        """No other agent to hand it to: it stays, and goes to the back of the queue of leads to look at."""
        await connection.execute("UPDATE leads SET assigned_at = now() WHERE id = $1", lead_id)

    # -- the pages agents work from -------------------------------------------------------------------------------
    async def get(self, lead_id: uuid.UUID) -> Record | None:
        return await self.pool.fetchrow(
            """SELECT l.*, COALESCE(array_agg(s.session_id ORDER BY s.added_at) FILTER (WHERE s.session_id IS NOT NULL),
                   '{}') AS session_ids
               FROM leads l LEFT JOIN lead_sessions s ON s.lead_id = l.id WHERE l.id = $1 GROUP BY l.id""",
            lead_id,
        )  # fmt: skip

    async def page(
        self, *, filters: dict[str, Any], sort: str, limit: int, after: tuple[Any, uuid.UUID] | None
    ) -> list[Record]:
        column, sql_type = LEAD_SORTS[sort]
        clauses, args = [], []
        for name in ("temperature", "status", "intent", "kind"):
            if filters.get(name) is not None:
                args.append(filters[name])
                clauses.append(f"l.{name} = ${len(args)}")
        if filters.get("assigned_to") == "none":
            clauses.append("l.assigned_agent_id IS NULL")
        elif filters.get("assigned_to") is not None:
            args.append(filters["assigned_to"])
            clauses.append(f"l.assigned_agent_id = ${len(args)}")
        if filters.get("min_score") is not None:
            args.append(filters["min_score"])
            clauses.append(f"l.score >= ${len(args)}")
        if filters.get("area") is not None:
            args.append(filters["area"])
            clauses.append(f"${len(args)} = ANY(l.areas)")
        if after is not None:
            args.extend([after[0], after[1]])
            clauses.append(f"(l.{column}, l.id) < (${len(args) - 1}::{sql_type}, ${len(args)})")
        args.append(limit)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows: list[Record] = await self.pool.fetch(
            # Only constants and placeholders go into the text: the sort column from LEAD_SORTS, values as $n.
            f"""SELECT l.*, COALESCE(array_agg(s.session_id ORDER BY s.added_at)
                       FILTER (WHERE s.session_id IS NOT NULL), '{{}}') AS session_ids
                FROM leads l LEFT JOIN lead_sessions s ON s.lead_id = l.id {where}
                GROUP BY l.id ORDER BY l.{column} DESC, l.id DESC LIMIT ${len(args)}""",  # noqa: S608
            *args,
        )  # fmt: skip
        return rows

    async def events(self, lead_id: uuid.UUID, limit: int = 500) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            "SELECT id, kind, actor, data, at FROM lead_events WHERE lead_id = $1 ORDER BY id LIMIT $2", lead_id, limit
        )
        return rows

    async def set_status(
        self, lead_id: uuid.UUID, status: str, actor: str, note: str | None
    ) -> tuple[Record | None, str | None]:
        """The new pipeline status with its audit event; the first move past `new` is the first contact."""
        async with self.pool.acquire() as connection, connection.transaction():
            before = await connection.fetchrow("SELECT status, hot_at FROM leads WHERE id = $1 FOR UPDATE", lead_id)
            if before is None:
                return None, None
            row = await connection.fetchrow(
                """UPDATE leads SET status = $2, updated_at = now(),
                       first_contact_at = CASE WHEN $2 <> 'new' THEN COALESCE(first_contact_at, now())
                                               ELSE first_contact_at END
                   WHERE id = $1 RETURNING *""",
                lead_id, status,
            )  # fmt: skip
            await self.event(connection, lead_id, "status", actor,
                             {"from": before["status"], "to": status, **({"note": note} if note else {})})  # fmt: skip
            return row, before["status"]

    async def assign(self, lead_id: uuid.UUID, agent_id: uuid.UUID, actor: str) -> Record | None:
        async with self.pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                """UPDATE leads SET assigned_agent_id = $2, assigned_at = now(), updated_at = now()
                   WHERE id = $1 RETURNING *""",
                lead_id, agent_id,
            )  # fmt: skip
            if row is not None:
                await self.event(connection, lead_id, "assigned", actor, {"agent_id": str(agent_id), "by": "hand"})
            return row

    # -- the roster ---------------------------------------------------------------------------------------------
    async def set_duty(self, agent_id: uuid.UUID, on_duty: bool) -> Record:
        row = await self.pool.fetchrow(
            """INSERT INTO sales_agents (agent_id, on_duty) VALUES ($1, $2)
               ON CONFLICT (agent_id) DO UPDATE SET on_duty = EXCLUDED.on_duty, updated_at = now() RETURNING *""",
            agent_id, on_duty,
        )  # fmt: skip
        assert row is not None
        return row

    async def roster(self) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            """SELECT a.*, (SELECT count(*) FROM leads l WHERE l.assigned_agent_id = a.agent_id
                              AND l.status NOT IN ('won', 'lost')) AS open_leads
               FROM sales_agents a ORDER BY a.agent_id"""
        )
        return rows

    async def stats(self) -> dict[str, Any]:
        row = await self.pool.fetchrow(
            """SELECT count(*) FILTER (WHERE temperature = 'HOT') AS hot,
                      count(*) FILTER (WHERE temperature = 'WARM') AS warm,
                      count(*) FILTER (WHERE temperature = 'COLD') AS cold,
                      count(*) FILTER (WHERE kind = 'seller') AS sellers,
                      count(*) FILTER (WHERE kind = 'seller' AND motivation IS NOT NULL AND timeline IS NOT NULL
                                       AND condition IS NOT NULL AND price_expectation IS NOT NULL)
                          AS sellers_qualified,
                      COALESCE(EXTRACT(EPOCH FROM now() - min(hot_at) FILTER (
                          WHERE hot_at IS NOT NULL AND first_contact_at IS NULL AND status = 'new')), 0)::float8
                          AS oldest_uncontacted_hot_seconds
               FROM leads"""
        )
        return dict(row) if row else {}


def lead_time(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


class ReservationRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def create(self, values: dict[str, Any]) -> Record | None:
        """The new pending reservation, or None when the listing already has a live one (the unique index decides)."""
        try:
            return await self.pool.fetchrow(
                """INSERT INTO reservations (listing_id, listing_title, price_egp, deposit_egp, user_id, buyer_address,
                                             expires_at)
                   VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7)) RETURNING *""",
                values["listing_id"], values["listing_title"], values["price_egp"], values["deposit_egp"],
                values["user_id"], values["buyer_address"], float(values["hold_seconds"]),
            )  # fmt: skip
        except asyncpg.UniqueViolationError:
            return None

    async def get(self, reservation_id: uuid.UUID) -> Record | None:
        return await self.pool.fetchrow("SELECT * FROM reservations WHERE id = $1", reservation_id)

    async def mine(self, user_id: uuid.UUID, limit: int) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            "SELECT * FROM reservations WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2", user_id, limit
        )
        return rows

    async def live_for(self, listing_ids: list[uuid.UUID]) -> dict[uuid.UUID, str]:
        rows = await self.pool.fetch(
            "SELECT listing_id, status FROM reservations WHERE listing_id = ANY($1::uuid[]) "
            "AND status IN ('pending', 'confirmed')", listing_ids,
        )  # fmt: skip
        return {row["listing_id"]: row["status"] for row in rows}

    async def update(self, reservation_id: uuid.UUID, *, only_from: tuple[str, ...], **values: Any) -> Record | None:
        """Set fields, only while the status is one of `only_from` (a reservation moves forward once)."""
        names = sorted(values)
        assignments = ", ".join(f"{name} = ${index}" for index, name in enumerate(names, start=3))
        return await self.pool.fetchrow(
            f"UPDATE reservations SET {assignments}, updated_at = now() "  # noqa: S608 - names are ours
            "WHERE id = $1 AND status = ANY($2::text[]) RETURNING *",
            reservation_id, list(only_from), *(values[name] for name in names),
        )  # fmt: skip

    async def pending(self, limit: int) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            "SELECT * FROM reservations WHERE status = 'pending' AND chain_tx_id IS NOT NULL ORDER BY updated_at "
            "LIMIT $1", limit,
        )  # fmt: skip
        return rows

    async def claim_expired(self, limit: int) -> list[Record]:
        """Confirmed reservations past their hold, marked expired here and now: one replica releases each."""
        rows: list[Record] = await self.pool.fetch(
            """UPDATE reservations SET status = 'expired', updated_at = now()
               WHERE id IN (SELECT id FROM reservations WHERE status = 'confirmed' AND expires_at <= now()
                            ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
               RETURNING *""",
            limit,
        )  # fmt: skip
        return rows
