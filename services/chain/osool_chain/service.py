"""The chain service's logic: writes decided and queued once, reads from what the indexer stored. No HTTP, no SQL."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

import asyncpg

from osool_chain import metrics
from osool_chain.registry import ListingState, apply_write, chain_listing_id, request_hash
from osool_chain.repository import ChainRepository, Record
from osool_chain.schemas import ChainEvent, Listing, ListingStatus, Transaction, Verification
from osool_chain.settings import Settings
from osool_common.auth import Principal
from osool_common.errors import ConflictError, DomainError, NotFoundError, ValidationFailedError
from osool_common.logging import get_logger

log = get_logger(__name__)
_REF = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")


class IdempotencyKeyRequiredError(DomainError):
    status_code = 400
    code = "idempotency_key_required"


class IdempotencyKeyReusedError(DomainError):
    status_code = 422
    code = "idempotency_key_reused"


@dataclass(frozen=True)
class WriteResult:
    transaction: Transaction
    replayed: bool


@dataclass
class ChainService:
    settings: Settings
    repository: ChainRepository

    async def write(
        self, function: str, ref: str, args: dict[str, Any], idempotency_key: str | None, principal: Principal
    ) -> WriteResult:
        """Decide the write against the listing's intended state under its row lock, and queue it in the same
        transaction: of many concurrent conflicting writes exactly one is queued, the others get 409. A request
        replayed with its Idempotency-Key gets the first answer (the same tx_id), never a second write."""
        if not idempotency_key:
            raise IdempotencyKeyRequiredError("writes need an Idempotency-Key header (any unique string, 8-128 chars)")
        listing_id = chain_listing_id(ref)
        args = {"listing": ref, **args}
        fingerprint = request_hash(function, listing_id, args, principal.user_id)
        try:
            async with self.repository.pool.acquire() as db, db.transaction():
                existing = await self.repository.transaction_by_key(db, idempotency_key)
                row: Record | None = None
                if existing is None:
                    if function == "list":
                        await self.repository.insert_listing_if_absent(db, listing_id, ref)
                    row = await self.repository.lock_listing(db, listing_id)
                    # Again under the lock: a concurrent twin of this request may have committed meanwhile.
                    existing = await self.repository.transaction_by_key(db, idempotency_key)
                if existing is None:
                    state = _intended(row)
                    try:
                        after = apply_write(state, function, args, ref)
                    except ConflictError:
                        metrics.WRITES.labels(function, "conflict").inc()
                        raise
                    await self.repository.set_intended(db, listing_id, after, ref)
                    record = await self.repository.insert_transaction(
                        db, function=function, args=args, listing_id=listing_id, idempotency_key=idempotency_key,
                        request_hash=fingerprint, requested_by=principal.user_id,
                    )  # fmt: skip
                    await self.repository.notify_outbox(db)
                    metrics.WRITES.labels(function, "accepted").inc()
                    log.info("chain.write_accepted", function=function, listing=ref, tx_id=str(record["id"]))
                    return WriteResult(to_transaction(record), replayed=False)
        except asyncpg.UniqueViolationError:
            # The same key on another listing, committed between our two looks: answer as a replay.
            existing = await self.repository.transaction_by_key(self.repository.pool, idempotency_key)
            if existing is None:
                raise
        if bytes(existing["request_hash"] or b"") != fingerprint:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was used for a different request; use a new key for a new request"
            )
        metrics.WRITES.labels(function, "replayed").inc()
        return WriteResult(to_transaction(existing), replayed=True)

    async def statuses(self, refs: list[str]) -> list[ListingStatus]:
        """Many listings' status in one read (the agent's cards); a listing never registered is not_registered."""
        for ref in refs:
            if not _REF.match(ref):
                raise ValidationFailedError(f"not a listing id: {ref[:100]!r} (letters, digits and ._:- only)")
        ids = {ref: chain_listing_id(ref) for ref in refs}
        rows = {int(row["listing_id"]): row for row in await self.repository.listings(list(set(ids.values())))}
        statuses = []
        for ref, listing_id in ids.items():
            row = rows.get(listing_id)
            registered = row is not None and (row["status"] is not None or row["intended_status"] is not None)
            statuses.append(ListingStatus(
                listing_id=ref,
                status=(row["status"] or "pending") if registered and row is not None else "not_registered",
                pending_status=row["intended_status"] if row is not None else None,
                price_egp=int(row["price"]) if row is not None and row["price"] is not None else None,
            ))  # fmt: skip
        return statuses

    async def listing(self, ref: str) -> Listing:
        listing_id = chain_listing_id(ref)
        row = await self.repository.listing(listing_id)
        if row is None or (row["status"] is None and row["intended_status"] is None):
            raise NotFoundError(f"listing {ref} is not registered")
        deployment = await self.repository.active_deployment()
        events = await self.repository.listing_events(listing_id, deployment["id"]) if deployment is not None else []
        pending = await self.repository.listing_transactions(listing_id, open_only=True)
        return Listing(
            listing_id=row["ref"] or ref,
            chain_listing_id=str(listing_id),
            status=row["status"],
            pending_status=row["intended_status"],
            owner=row["owner"],
            reserved_by=row["reserved_by"],
            price_egp=int(row["price"]) if row["price"] is not None else None,
            document_hash=row["document_hash"],
            listed_at=row["listed_at"],
            updated_at=row["updated_at"],
            last_block=row["last_block"],
            contract_address=deployment["address"] if deployment is not None else None,
            transactions=[
                ChainEvent(
                    event=e["event"],
                    tx_hash=e["tx_hash"],
                    block_number=e["block_number"],
                    log_index=e["log_index"],
                    block_time=e["block_time"],
                    args={key: str(value) for key, value in e["args"].items()},
                )
                for e in events
            ],
            pending_transactions=[to_transaction(tx) for tx in pending],
        )

    async def transaction(self, tx_id: uuid.UUID) -> Transaction:
        record = await self.repository.transaction(tx_id)
        if record is None:
            raise NotFoundError("no such transaction")
        return to_transaction(record)

    async def verify(self, ref: str, document_hash: str) -> Verification:
        """Against the document hash confirmed on chain (as indexed), not against what is still pending."""
        row = await self.repository.listing(chain_listing_id(ref))
        if row is None or row["document_hash"] is None:
            raise NotFoundError(f"listing {ref} is not registered on chain (yet)")
        return Verification(
            listing_id=ref,
            document_hash=document_hash,
            matches=row["document_hash"] == document_hash,
            on_chain_document_hash=row["document_hash"],
            as_of_block=row["last_block"],
        )


def _intended(row: Record | None) -> ListingState | None:
    if row is None or row["intended_status"] is None:
        return None
    return ListingState(row["intended_status"], row["intended_reserved_by"])


def to_transaction(record: Record) -> Transaction:
    args = record["args"] or {}
    listing = args.get("listing") or (str(record["listing_id"]) if record["listing_id"] is not None else None)
    return Transaction(
        tx_id=record["id"],
        function=record["function"],
        listing_id=listing,
        status=record["status"],
        tx_hash=record["tx_hash"],
        nonce=record["nonce"],
        block_number=record["block_number"],
        gas_used=record["gas_used"],
        error=record["error"],
        created_at=record["created_at"],
        sent_at=record["sent_at"],
        mined_at=record["mined_at"],
        finished_at=record["finished_at"],
    )
