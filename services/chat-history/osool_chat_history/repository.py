"""Every SQL statement of the chat-history service, each on the server it belongs on (lists and searches on the read
pool)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from osool_common.replicas import ReadPool

SESSION_COLUMNS = "id, owner_id, secret_hash, title, message_count, created_at, last_activity_at"
MESSAGE_COLUMNS = (
    "id, session_id, role, content, property_ids, tool_calls, prompt_tokens, completion_tokens, created_at"
)
Record = asyncpg.Record


class HistoryRepository:
    """`reads`: the service's read pool, for a user's lists of sessions and messages and their search, which may be a
    few seconds behind. The rest runs on the primary: writes, and the reads that decide access or feed the agent's
    next turn (each says why)."""

    def __init__(self, pool: asyncpg.Pool, reads: ReadPool | asyncpg.Pool | None = None) -> None:
        self.pool = pool
        self.reads = pool if reads is None else reads

    def on_primary(self) -> HistoryRepository:
        """This repository with its reads on the primary too, for a caller that must see the latest writes."""
        return HistoryRepository(self.pool)

    async def insert_session(
        self, session_id: uuid.UUID, owner_id: uuid.UUID | None, secret_hash: bytes | None, title: str | None
    ) -> Record:
        record = await self.pool.fetchrow(
            f"""INSERT INTO sessions (id, owner_id, secret_hash, title) VALUES ($1, $2, $3, $4)
                RETURNING {SESSION_COLUMNS}""",  # noqa: S608 - column list is a constant
            session_id, owner_id, secret_hash, title,
        )  # fmt: skip
        assert record is not None
        return record

    async def session(self, session_id: uuid.UUID) -> Record | None:
        # Primary: it decides who may open the session. A replica behind would still open a session just deleted, or
        # with the secret a claim has just revoked, and not find one just created (the agent's next turn, a second on).
        return await self.pool.fetchrow(f"SELECT {SESSION_COLUMNS} FROM sessions WHERE id = $1", session_id)  # noqa: S608

    async def sessions_of(
        self, owner_id: uuid.UUID, *, limit: int, after: tuple[datetime, uuid.UUID] | None
    ) -> list[Record]:
        if after is None:
            return await self.reads.fetch(
                f"""SELECT {SESSION_COLUMNS} FROM sessions WHERE owner_id = $1
                    ORDER BY last_activity_at DESC, id DESC LIMIT $2""",  # noqa: S608
                owner_id,
                limit,
            )
        return await self.reads.fetch(
            f"""SELECT {SESSION_COLUMNS} FROM sessions WHERE owner_id = $1 AND (last_activity_at, id) < ($3, $4)
                ORDER BY last_activity_at DESC, id DESC LIMIT $2""",  # noqa: S608
            owner_id,
            limit,
            *after,
        )

    async def claim(self, session_id: uuid.UUID, owner_id: uuid.UUID) -> Record | None:
        """An anonymous session becomes the user's; its secret stops opening it."""
        return await self.pool.fetchrow(
            f"""UPDATE sessions SET owner_id = $2, secret_hash = NULL, last_activity_at = now()
                WHERE id = $1 AND owner_id IS NULL RETURNING {SESSION_COLUMNS}""",  # noqa: S608
            session_id,
            owner_id,
        )

    async def delete_session(self, session_id: uuid.UUID) -> bool:
        return bool(await self.pool.execute("DELETE FROM sessions WHERE id = $1", session_id) == "DELETE 1")

    async def delete_sessions_of(self, owner_id: uuid.UUID) -> int:
        status: str = await self.pool.execute("DELETE FROM sessions WHERE owner_id = $1", owner_id)
        return int(status.split()[-1])

    async def purge_anonymous(self, older_than: datetime) -> int:
        status: str = await self.pool.execute(
            "DELETE FROM sessions WHERE owner_id IS NULL AND last_activity_at < $1", older_than
        )
        return int(status.split()[-1])

    async def append(self, session_id: uuid.UUID, messages: list[dict[str, Any]], idempotency_key: str) -> list[Record]:
        """Insert the messages once: a retry with the same key inserts nothing and returns the first write's rows."""
        async with self.pool.acquire() as connection, connection.transaction():
            # Serialises appends to one session, so the message count and order stay exact.
            locked = await connection.fetchval("SELECT 1 FROM sessions WHERE id = $1 FOR UPDATE", session_id)
            if locked is None:
                return []
            rows: list[Record] = []
            inserted = 0
            for index, message in enumerate(messages):
                key = f"{idempotency_key}:{index}"
                row = await connection.fetchrow(
                    f"""INSERT INTO messages (session_id, role, content, property_ids, tool_calls, prompt_tokens,
                            completion_tokens, idempotency_key)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                        ON CONFLICT (session_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
                        RETURNING {MESSAGE_COLUMNS}""",  # noqa: S608 - column list is a constant
                    session_id, message["role"], message["content"], message["property_ids"],
                    message["tool_calls"], message["prompt_tokens"], message["completion_tokens"], key,
                )  # fmt: skip
                if row is None:  # written by an earlier try of this same request
                    row = await connection.fetchrow(
                        f"SELECT {MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 AND idempotency_key = $2",  # noqa: S608
                        session_id,
                        key,
                    )
                else:
                    inserted += 1
                assert row is not None
                rows.append(row)
            if inserted:
                await connection.execute(
                    """UPDATE sessions SET message_count = message_count + $2, last_activity_at = now()
                       WHERE id = $1""",
                    session_id,
                    inserted,
                )
            return rows

    async def latest_messages(self, session_id: uuid.UUID, *, limit: int, before_id: int | None) -> list[Record]:
        rows: list[Record] = await self.reads.fetch(
            f"""SELECT {MESSAGE_COLUMNS} FROM messages
                WHERE session_id = $1 AND ($3::bigint IS NULL OR id < $3)
                ORDER BY id DESC LIMIT $2""",  # noqa: S608
            session_id,
            limit,
            before_id,
        )
        return rows

    async def search(self, owner_id: uuid.UUID, query: str, *, limit: int) -> list[Record]:
        prefixed = ", ".join(f"m.{column.strip()}" for column in MESSAGE_COLUMNS.split(","))
        rows: list[Record] = await self.reads.fetch(
            f"""WITH q AS (SELECT websearch_to_tsquery('english', $2) || websearch_to_tsquery('arabic', $2) AS q)
                SELECT {prefixed}, s.title AS session_title, ts_rank(m.search, q.q) AS rank
                FROM messages m JOIN sessions s ON s.id = m.session_id, q
                WHERE s.owner_id = $1 AND m.search @@ q.q
                ORDER BY rank DESC, m.id DESC LIMIT $3""",  # noqa: S608
            owner_id,
            query,
            limit,
        )
        return rows
