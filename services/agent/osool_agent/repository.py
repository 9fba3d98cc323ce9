"""Every SQL statement of the agent service: the turns answered under an Idempotency-Key."""

from __future__ import annotations

import uuid
from typing import Any, Literal

import asyncpg

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
