"""Every SQL statement of the chain service."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

import asyncpg

from osool_chain.registry import ListingState
from osool_common.settings import CommonSettings

Record = asyncpg.Record
# A pool for one-off statements, or a connection for a transaction (and the sender's locked connection).
Executor = asyncpg.Pool | asyncpg.Connection

TX_COLUMNS = (
    "id, idempotency_key, request_hash, requested_by, function, listing_id, args, status, priority, deployment_id, "
    "nonce, tx_hash, raw_tx, block_number, gas_used, error, attempts, created_at, sent_at, mined_at, finished_at"
)
DEPLOYMENT_COLUMNS = (
    "id, chain_id, genesis_hash, signer, address, configured, deployed_block, next_nonce, last_indexed_block, "
    "created_at, retired_at, retired_reason"
)
LISTING_COLUMNS = (
    "listing_id, ref, intended_status, intended_reserved_by, status, owner, reserved_by, price, document_hash, "
    "listed_at, updated_at, last_block"
)
OUTBOX_CHANNEL = "chain_outbox"


async def connect(settings: CommonSettings) -> asyncpg.Connection:
    """A connection of its own, outside the pool: the sender holds its lock on it for as long as it leads."""
    assert settings.database_url is not None
    connection: asyncpg.Connection = await asyncpg.connect(
        settings.database_url.get_secret_value(),
        server_settings={"search_path": f"{settings.schema_name},public", "application_name": "chain-sender"},
        timeout=5,
    )
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    return connection


class ChainRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- locks -----------------------------------------------------------------------------------------------------
    @staticmethod
    async def wait_for_lock(connection: asyncpg.Connection, key: int, poll_seconds: float) -> None:
        """Return once this session holds the advisory lock (released when the connection closes), trying every
        `poll_seconds`. Not pg_advisory_lock: a session blocked in it is a statement running for as long as it waits,
        and its snapshot held back VACUUM's horizon for the whole cluster (no dead row of any service cleaned, no page
        marked all-visible, so no index-only scan) for as long as another replica led, which is always."""
        # Polling, not an event: the lock's release happens in another process, and Postgres tells no one.
        while not await connection.fetchval("SELECT pg_try_advisory_lock($1)", key):  # noqa: ASYNC110
            await asyncio.sleep(poll_seconds)

    # -- deployments -----------------------------------------------------------------------------------------------
    async def active_deployment(self, db: Executor | None = None) -> Record | None:
        return await (db or self.pool).fetchrow(
            f"SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE retired_at IS NULL"  # noqa: S608
        )

    async def last_retired(self, db: Executor | None = None) -> Record | None:
        return await (db or self.pool).fetchrow(
            f"SELECT {DEPLOYMENT_COLUMNS} FROM deployments WHERE retired_at IS NOT NULL ORDER BY id DESC LIMIT 1"  # noqa: S608
        )

    @staticmethod
    async def insert_deployment(
        db: Executor,
        *,
        chain_id: int,
        genesis_hash: str,
        signer: str,
        next_nonce: int,
        address: str | None,
        deployed_block: int | None,
    ) -> Record:
        record = await db.fetchrow(
            f"""INSERT INTO deployments (chain_id, genesis_hash, signer, next_nonce, address, configured,
                    deployed_block, last_indexed_block)
                VALUES ($1, $2, $3, $4, $5, $5::text IS NOT NULL, $6, $6::bigint - 1)
                RETURNING {DEPLOYMENT_COLUMNS}""",  # noqa: S608 - column list is a constant
            chain_id, genesis_hash, signer, next_nonce, address, deployed_block,
        )  # fmt: skip
        assert record is not None
        return record

    @staticmethod
    async def retire_deployment(db: Executor, deployment_id: int, reason: str) -> None:
        await db.execute(
            "UPDATE deployments SET retired_at = now(), retired_reason = $2 WHERE id = $1", deployment_id, reason
        )

    @staticmethod
    async def set_deployed(db: Executor, deployment_id: int, address: str, block: int) -> None:
        await db.execute(
            """UPDATE deployments SET address = $2, deployed_block = $3::bigint, last_indexed_block = $3::bigint - 1
               WHERE id = $1""",
            deployment_id, address, block,
        )  # fmt: skip

    @staticmethod
    async def take_nonce(db: Executor, deployment_id: int) -> int:
        """The next nonce, taken: only the sender (under its lock) calls this, inside the transaction that records
        the signed transaction, so a nonce is never taken without being recorded."""
        nonce = await db.fetchval(
            "UPDATE deployments SET next_nonce = next_nonce + 1 WHERE id = $1 RETURNING next_nonce - 1", deployment_id
        )
        return int(nonce)

    @staticmethod
    async def raise_next_nonce(db: Executor, deployment_id: int, at_least: int) -> None:
        await db.execute(
            "UPDATE deployments SET next_nonce = greatest(next_nonce, $2) WHERE id = $1", deployment_id, at_least
        )

    # -- transactions: the request side ----------------------------------------------------------------------------
    @staticmethod
    async def transaction_by_key(db: Executor, key: str) -> Record | None:
        return await db.fetchrow(f"SELECT {TX_COLUMNS} FROM transactions WHERE idempotency_key = $1", key)  # noqa: S608

    async def transaction(self, tx_id: uuid.UUID) -> Record | None:
        return await self.pool.fetchrow(f"SELECT {TX_COLUMNS} FROM transactions WHERE id = $1", tx_id)  # noqa: S608

    @staticmethod
    async def transaction_on(db: Executor, tx_id: uuid.UUID) -> Record | None:
        return await db.fetchrow(f"SELECT {TX_COLUMNS} FROM transactions WHERE id = $1", tx_id)  # noqa: S608

    @staticmethod
    async def insert_transaction(
        db: Executor,
        *,
        function: str,
        args: dict[str, Any],
        listing_id: int | None = None,
        idempotency_key: str | None = None,
        request_hash: bytes | None = None,
        requested_by: str | None = None,
        priority: int = 1,
    ) -> Record:
        record = await db.fetchrow(
            f"""INSERT INTO transactions (id, idempotency_key, request_hash, requested_by, function, listing_id, args,
                    priority)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING {TX_COLUMNS}""",  # noqa: S608
            uuid.uuid4(), idempotency_key, request_hash, requested_by, function, listing_id, args, priority,
        )  # fmt: skip
        assert record is not None
        return record

    @staticmethod
    async def notify_outbox(db: Executor) -> None:
        # Delivered at commit: the sender wakes as soon as the write is there to send.
        await db.execute(f"NOTIFY {OUTBOX_CHANNEL}")

    async def listing_transactions(self, listing_id: int, open_only: bool) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            f"""SELECT {TX_COLUMNS} FROM transactions
                WHERE listing_id = $1 AND (NOT $2 OR status IN ('pending', 'sent'))
                ORDER BY seq""",  # noqa: S608
            listing_id, open_only,
        )  # fmt: skip
        return rows

    # -- transactions: the sender's side ---------------------------------------------------------------------------
    @staticmethod
    async def in_flight(db: Executor) -> list[Record]:
        """Signed transactions not yet mined, oldest nonce first."""
        rows: list[Record] = await db.fetch(
            f"""SELECT {TX_COLUMNS} FROM transactions
                WHERE status IN ('pending', 'sent') AND nonce IS NOT NULL AND block_number IS NULL
                ORDER BY nonce"""  # noqa: S608
        )
        return rows

    @staticmethod
    async def next_unsigned(db: Executor) -> Record | None:
        return await db.fetchrow(
            f"""SELECT {TX_COLUMNS} FROM transactions
                WHERE status = 'pending' AND nonce IS NULL AND next_attempt_at <= now()
                ORDER BY priority, seq LIMIT 1"""  # noqa: S608
        )

    @staticmethod
    async def earliest_retry(db: Executor) -> datetime | None:
        value: datetime | None = await db.fetchval(
            "SELECT min(next_attempt_at) FROM transactions WHERE status = 'pending' AND nonce IS NULL"
        )
        return value

    @staticmethod
    async def mark_signed(
        db: Executor, tx_id: uuid.UUID, deployment_id: int, nonce: int, tx_hash: str, raw: bytes
    ) -> None:
        await db.execute(
            """UPDATE transactions SET deployment_id = $2, nonce = $3, tx_hash = $4, raw_tx = $5,
                   attempts = attempts + 1
               WHERE id = $1""",
            tx_id, deployment_id, nonce, tx_hash, raw,
        )  # fmt: skip

    @staticmethod
    async def mark_sent(db: Executor, tx_id: uuid.UUID) -> bool:
        status = await db.execute(
            "UPDATE transactions SET status = 'sent', sent_at = now() WHERE id = $1 AND status = 'pending'", tx_id
        )
        return bool(status == "UPDATE 1")

    @staticmethod
    async def release_nonce(db: Executor, tx_id: uuid.UUID, deployment_id: int, nonce: int, error: str,
                            retry_in_seconds: float) -> None:  # fmt: skip
        """The node refused the signed transaction outright: its nonce was never used, so the next one takes it."""
        await db.execute(
            """UPDATE transactions SET nonce = NULL, tx_hash = NULL, raw_tx = NULL, error = $2,
                   next_attempt_at = now() + make_interval(secs => $3)
               WHERE id = $1""",
            tx_id, error, retry_in_seconds,
        )  # fmt: skip
        await db.execute(
            "UPDATE deployments SET next_nonce = $2 WHERE id = $1 AND next_nonce = $2 + 1", deployment_id, nonce
        )

    @staticmethod
    async def mark_mined(db: Executor, tx_id: uuid.UUID, block: int, gas_used: int) -> None:
        await db.execute(
            """UPDATE transactions SET status = 'sent', sent_at = coalesce(sent_at, now()), block_number = $2,
                   gas_used = $3, mined_at = now()
               WHERE id = $1""",
            tx_id, block, gas_used,
        )  # fmt: skip

    @staticmethod
    async def mark_failed(
        db: Executor, tx_id: uuid.UUID, error: str, block: int | None = None, gas_used: int | None = None
    ) -> None:
        await db.execute(
            """UPDATE transactions SET status = 'failed', error = $2, block_number = coalesce($3, block_number),
                   gas_used = coalesce($4, gas_used), finished_at = now(),
                   mined_at = CASE WHEN $3::bigint IS NULL THEN mined_at ELSE now() END
               WHERE id = $1""",
            tx_id, error, block, gas_used,
        )  # fmt: skip

    @staticmethod
    async def confirm_mined(db: Executor, up_to_block: int) -> list[Record]:
        rows: list[Record] = await db.fetch(
            """UPDATE transactions SET status = 'confirmed', finished_at = now()
               WHERE status = 'sent' AND block_number IS NOT NULL AND block_number <= $1
               RETURNING function""",
            up_to_block,
        )
        return rows

    @staticmethod
    async def fail_open_transactions(db: Executor, error: str) -> list[Record]:
        rows: list[Record] = await db.fetch(
            """UPDATE transactions SET status = 'failed', error = $1, finished_at = now()
               WHERE status IN ('pending', 'sent') RETURNING function""",
            error,
        )
        return rows

    @staticmethod
    async def unsigned_writes_of(db: Executor, listing_id: int) -> list[Record]:
        rows: list[Record] = await db.fetch(
            f"""SELECT {TX_COLUMNS} FROM transactions
                WHERE listing_id = $1 AND status = 'pending' AND nonce IS NULL ORDER BY seq""",  # noqa: S608
            listing_id,
        )
        return rows

    async def outbox_summary(self) -> Record:
        record = await self.pool.fetchrow(
            """SELECT count(*) AS depth, extract(epoch FROM now() - min(created_at)) AS oldest_seconds
               FROM transactions WHERE status = 'pending'"""
        )
        assert record is not None
        return record

    # -- listings ----------------------------------------------------------------------------------------------------
    @staticmethod
    async def insert_listing_if_absent(db: Executor, listing_id: int, ref: str) -> None:
        await db.execute(
            "INSERT INTO listings (listing_id, ref) VALUES ($1, $2) ON CONFLICT (listing_id) DO NOTHING",
            listing_id, ref,
        )  # fmt: skip

    @staticmethod
    async def lock_listing(db: Executor, listing_id: int) -> Record | None:
        query = f"SELECT {LISTING_COLUMNS} FROM listings WHERE listing_id = $1 FOR UPDATE"  # noqa: S608
        return await db.fetchrow(query, listing_id)

    async def listings(self, listing_ids: list[int]) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            f"SELECT {LISTING_COLUMNS} FROM listings WHERE listing_id = ANY($1::numeric[])",  # noqa: S608
            [Decimal(listing_id) for listing_id in listing_ids],
        )
        return rows

    async def listing(self, listing_id: int) -> Record | None:
        return await self.pool.fetchrow(f"SELECT {LISTING_COLUMNS} FROM listings WHERE listing_id = $1", listing_id)  # noqa: S608

    @staticmethod
    async def set_intended(db: Executor, listing_id: int, state: ListingState | None, ref: str | None = None) -> None:
        await db.execute(
            """UPDATE listings SET intended_status = $2, intended_reserved_by = $3, ref = coalesce(ref, $4)
               WHERE listing_id = $1""",
            listing_id, state.status if state else None, state.reserved_by if state else None, ref,
        )  # fmt: skip

    @staticmethod
    async def delete_listings(db: Executor) -> None:
        await db.execute("DELETE FROM listings")

    # -- events ------------------------------------------------------------------------------------------------------
    @staticmethod
    async def insert_event(
        db: Executor, deployment_id: int, block: int, log_index: int, tx_hash: str, event: str,
        listing_id: int | None, args: dict[str, Any], block_time: datetime,
    ) -> bool:  # fmt: skip
        status = await db.execute(
            """INSERT INTO events (deployment_id, block_number, log_index, tx_hash, event, listing_id, args, block_time)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING""",
            deployment_id, block, log_index, tx_hash, event, listing_id, args, block_time,
        )  # fmt: skip
        return bool(status == "INSERT 0 1")

    @staticmethod
    async def apply_event(db: Executor, event: str, listing_id: int, args: dict[str, Any], block: int,
                          at: datetime) -> None:  # fmt: skip
        """The confirmed state of a listing after one of its events."""
        if event == "Listed":
            await db.execute(
                """INSERT INTO listings (listing_id, status, owner, price, document_hash, listed_at, updated_at,
                       last_block, intended_status)
                   VALUES ($1, 'available', $2, $3, $4, $5, $5, $6, 'available')
                   ON CONFLICT (listing_id) DO UPDATE SET status = 'available', owner = $2, price = $3,
                       document_hash = $4, reserved_by = NULL, listed_at = $5, updated_at = $5, last_block = $6""",
                listing_id, args["owner"], int(args["price"]), args["documentHash"], at, block,
            )  # fmt: skip
            return
        statements = {
            "DocumentUpdated": ("UPDATE listings SET document_hash = $2::text", args.get("documentHash")),
            "PriceUpdated": ("UPDATE listings SET price = $2::text::numeric", str(args.get("price"))),
            "Reserved": ("UPDATE listings SET status = 'reserved', reserved_by = $2::text", args.get("buyer")),
            "ReservationCancelled": ("UPDATE listings SET status = 'available', reserved_by = $2::text", None),
            "Sold": ("UPDATE listings SET status = 'sold', reserved_by = $2::text", args.get("buyer")),
        }
        if event not in statements:
            return
        statement, value = statements[event]
        await db.execute(
            statement + ", updated_at = $3, last_block = $4 WHERE listing_id = $1",
            listing_id, value, at, block,
        )  # fmt: skip

    @staticmethod
    async def set_indexed(db: Executor, deployment_id: int, block: int) -> None:
        await db.execute(
            """UPDATE deployments SET last_indexed_block = $2
               WHERE id = $1 AND coalesce(last_indexed_block, -1) < $2""",
            deployment_id, block,
        )  # fmt: skip

    @staticmethod
    async def lock_active_deployment(db: Executor, deployment_id: int) -> bool:
        """Inside the indexer's transaction: the deployment is still the active one (no reset under our feet)."""
        found = await db.fetchval(
            "SELECT 1 FROM deployments WHERE id = $1 AND retired_at IS NULL FOR SHARE", deployment_id
        )
        return found is not None

    async def listing_events(self, listing_id: int, deployment_id: int) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            """SELECT block_number, log_index, tx_hash, event, args, block_time FROM events
               WHERE listing_id = $1 AND deployment_id = $2 ORDER BY block_number, log_index""",
            listing_id, deployment_id,
        )  # fmt: skip
        return rows
