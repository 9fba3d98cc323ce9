"""Every SQL statement of contract reviews: the audits signed-in buyers asked to keep."""

from __future__ import annotations

import uuid
from typing import Any

import asyncpg


class ContractAuditRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def insert(
        self, user_id: uuid.UUID, *, source: str, text_sha256: str, text_chars: int, review: dict[str, Any]
    ) -> asyncpg.Record:
        row: asyncpg.Record | None = await self.pool.fetchrow(
            """INSERT INTO contract_audits
                   (user_id, source, text_sha256, text_chars, language, findings, summary, score)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
               RETURNING id, created_at""",
            user_id, source, text_sha256, text_chars, review["language"], review["findings"], review["summary"],
            review["score"],
        )  # fmt: skip
        assert row is not None  # INSERT ... RETURNING always returns the row
        return row

    async def get_owned(self, audit_id: uuid.UUID, user_id: uuid.UUID) -> asyncpg.Record | None:
        """The audit when `user_id` kept it; None for anyone else (the same answer as for no audit at all)."""
        row: asyncpg.Record | None = await self.pool.fetchrow(
            """SELECT id, source, language, findings, summary, score, created_at FROM contract_audits
               WHERE id = $1 AND user_id = $2""",
            audit_id, user_id,
        )  # fmt: skip
        return row
