"""Every SQL statement of saved searches and alerts: the searches, the items found, the digest claims and the
cursor in the search service's change log."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from asyncpg import Record

SEARCH_COLUMNS = "id, user_id, query, filters, channel, language, active, created_at, updated_at"


class SavedSearchRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # ---- saved searches ----

    async def create(
        self, user_id: uuid.UUID, query: str, filters: dict[str, Any], channel: str, language: str, limit: int
    ) -> tuple[Record, bool] | None:
        """(the saved search, created) — an active one with the same words is returned as it is, with its channel
        updated. None when the buyer already has `limit` active ones."""
        async with self.pool.acquire() as connection, connection.transaction():
            # One buyer's saves take turns, so the count and the insert agree.
            await connection.execute("SELECT pg_advisory_xact_lock(hashtextextended($1::text, 7))", str(user_id))
            row = await connection.fetchrow(
                f"""UPDATE saved_searches SET channel = $3, updated_at = now()
                    WHERE user_id = $1 AND lower(query) = lower($2) AND active RETURNING {SEARCH_COLUMNS}""",
                user_id, query, channel,
            )  # fmt: skip
            if row is not None:
                return row, False
            count = await connection.fetchval(
                "SELECT count(*) FROM saved_searches WHERE user_id = $1 AND active", user_id
            )
            if count >= limit:
                return None
            row = await connection.fetchrow(
                f"""INSERT INTO saved_searches (user_id, query, filters, channel, language) VALUES ($1, $2, $3, $4, $5)
                    RETURNING {SEARCH_COLUMNS}""",
                user_id, query, filters, channel, language,
            )  # fmt: skip
            assert row is not None
            return row, True

    async def list_for(self, user_id: uuid.UUID) -> list[Record]:
        return await self.pool.fetch(
            f"SELECT {SEARCH_COLUMNS} FROM saved_searches WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
            user_id,
        )

    async def get(self, saved_search_id: uuid.UUID) -> Record | None:
        return await self.pool.fetchrow(f"SELECT {SEARCH_COLUMNS} FROM saved_searches WHERE id = $1", saved_search_id)

    async def update(self, saved_search_id: uuid.UUID, channel: str | None, active: bool | None) -> Record | None:
        """Change the channel or switch it on or off; switched off, what it found and has not sent yet is dropped."""
        async with self.pool.acquire() as connection, connection.transaction():
            row = await connection.fetchrow(
                f"""UPDATE saved_searches SET channel = coalesce($2, channel), active = coalesce($3, active),
                        updated_at = now() WHERE id = $1 RETURNING {SEARCH_COLUMNS}""",
                saved_search_id, channel, active,
            )  # fmt: skip
            if row is not None and not row["active"]:
                await connection.execute(
                    "DELETE FROM alert_items WHERE saved_search_id = $1 AND sent_at IS NULL", saved_search_id
                )
            return row

    async def delete(self, saved_search_id: uuid.UUID) -> bool:
        result = await self.pool.execute("DELETE FROM saved_searches WHERE id = $1", saved_search_id)
        return result.endswith(" 1")

    async def deactivate(self, user_id: uuid.UUID, saved_search_id: uuid.UUID | None) -> list[uuid.UUID]:
        """Switch off one of the buyer's saved searches, or all of them; the ids switched off (none: already off)."""
        async with self.pool.acquire() as connection, connection.transaction():
            rows = await connection.fetch(
                """UPDATE saved_searches SET active = false, updated_at = now()
                   WHERE user_id = $1 AND active AND ($2::uuid IS NULL OR id = $2) RETURNING id""",
                user_id, saved_search_id,
            )  # fmt: skip
            ids = [row["id"] for row in rows]
            await connection.execute(
                """DELETE FROM alert_items WHERE user_id = $1 AND sent_at IS NULL
                   AND (saved_search_id = ANY($2::uuid[]) OR ($3 AND saved_search_id IS NULL))""",
                user_id, ids, saved_search_id is None,
            )  # fmt: skip
            return ids

    async def active_searches(self) -> list[Record]:
        return await self.pool.fetch(
            f"SELECT {SEARCH_COLUMNS} FROM saved_searches WHERE active ORDER BY created_at, id"
        )

    async def shown_to_alerted(self, listing_ids: Sequence[str]) -> dict[str, list[Record]]:
        """For each listing, the buyers it was shown to (their lead's listings_shown) who get alerts (an active saved
        search), with their newest search's channel and language. One statement for a whole page of changes, driven
        from the active saved searches (few) to their buyers' leads (by the unique user_id)."""
        rows = await self.pool.fetch(
            """SELECT DISTINCT ON (shown.listing, s.user_id) shown.listing, s.user_id, s.channel, s.language
               FROM saved_searches s JOIN leads l ON l.user_id = s.user_id
               CROSS JOIN LATERAL unnest(l.listings_shown) AS shown (listing)
               WHERE s.active AND shown.listing = ANY($1::text[])
               ORDER BY shown.listing, s.user_id, s.created_at DESC""",
            list(listing_ids),
        )
        found: dict[str, list[Record]] = {}
        for row in rows:
            found.setdefault(row["listing"], []).append(row)
        return found

    # ---- the matching's cursor and what it found ----

    async def cursor(self) -> int | None:
        value = await self.pool.fetchval("SELECT last_seq FROM alert_cursor")
        return None if value is None else int(value)

    async def start_cursor(self, last_seq: int) -> None:
        await self.pool.execute("INSERT INTO alert_cursor (last_seq) VALUES ($1) ON CONFLICT DO NOTHING", last_seq)

    async def record(self, read_from: int, read_to: int, items: Sequence[dict[str, Any]]) -> int | None:
        """Move the cursor from `read_from` to `read_to` and keep the items found in between, together; None when
        another worker moved it first (its items are the same ones). The number of new items otherwise."""
        async with self.pool.acquire() as connection, connection.transaction():
            moved = await connection.fetchval(
                "UPDATE alert_cursor SET last_seq = $2 WHERE last_seq = $1 RETURNING last_seq", read_from, read_to
            )
            if moved is None:
                return None
            if not items:
                return 0
            rows = await connection.fetch(
                """INSERT INTO alert_items (user_id, saved_search_id, channel, language, kind, listing_id, price,
                                            previous_price, listing)
                   SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::uuid[],
                                        $7::bigint[], $8::bigint[], $9::jsonb[])
                   ON CONFLICT (user_id, listing_id, kind, price) DO NOTHING RETURNING id""",
                [i["user_id"] for i in items], [i["saved_search_id"] for i in items], [i["channel"] for i in items],
                [i["language"] for i in items], [i["kind"] for i in items], [i["listing_id"] for i in items],
                [i["price"] for i in items], [i["previous_price"] for i in items],
                [i["listing"] for i in items],
            )  # fmt: skip
            return len(rows)

    # ---- digests ----

    async def due(self, every_seconds: float, limit: int) -> list[Record]:
        """Buyer and channel pairs with unsent items whose last digest is at least `every_seconds` old."""
        return await self.pool.fetch(
            """SELECT DISTINCT i.user_id, i.channel FROM alert_items i
               LEFT JOIN alert_digests d ON d.user_id = i.user_id AND d.channel = i.channel
               WHERE i.sent_at IS NULL
                 AND (d.last_sent_at IS NULL OR d.last_sent_at <= now() - make_interval(secs => $1))
               LIMIT $2""",
            every_seconds, limit,
        )  # fmt: skip

    @asynccontextmanager
    async def claim_digest(
        self, user_id: uuid.UUID, channel: str, every_seconds: float, limit: int
    ) -> AsyncIterator[DigestClaim | None]:
        """The buyer's digest on this channel, held for this worker alone until the block ends (None: another worker
        holds it, or it is not due). Items marked sent in the block are committed with the digest's time."""
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute(
                "INSERT INTO alert_digests (user_id, channel) VALUES ($1, $2) ON CONFLICT DO NOTHING", user_id, channel
            )
            held = await connection.fetchval(
                """SELECT true FROM alert_digests WHERE user_id = $1 AND channel = $2
                     AND (last_sent_at IS NULL OR last_sent_at <= now() - make_interval(secs => $3))
                   FOR UPDATE SKIP LOCKED""",
                user_id, channel, every_seconds,
            )  # fmt: skip
            if not held:
                yield None
                return
            items = await connection.fetch(
                """SELECT i.*, s.query FROM alert_items i LEFT JOIN saved_searches s ON s.id = i.saved_search_id
                   WHERE i.user_id = $1 AND i.channel = $2 AND i.sent_at IS NULL ORDER BY i.id LIMIT $3""",
                user_id, channel, limit,
            )  # fmt: skip
            yield DigestClaim(connection, user_id, channel, items)

    async def items_for(self, user_id: uuid.UUID) -> list[Record]:
        return await self.pool.fetch("SELECT * FROM alert_items WHERE user_id = $1 ORDER BY id DESC LIMIT 200", user_id)


class DigestClaim:
    def __init__(self, connection: Any, user_id: uuid.UUID, channel: str, items: list[Record]) -> None:
        self.connection = connection
        self.user_id = user_id
        self.channel = channel
        self.items = items

    async def sent(self, outcome: str) -> None:
        await self.connection.execute(
            "UPDATE alert_items SET sent_at = now(), outcome = $2 WHERE id = ANY($1::bigint[])",
            [item["id"] for item in self.items], outcome,
        )  # fmt: skip
        await self.connection.execute(
            "UPDATE alert_digests SET last_sent_at = now() WHERE user_id = $1 AND channel = $2",
            self.user_id, self.channel,
        )  # fmt: skip
