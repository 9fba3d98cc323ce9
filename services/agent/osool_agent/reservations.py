"""Reservations: a signed-in buyer reserves an available listing with a deposit and a hold that expires; the chain
service records it (registering the listing first when needed) under an Idempotency-Key from the reservation's id;
its status follows the chain (pending, then confirmed or failed); expired holds are released on chain by a job."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import uuid
from typing import Any

import asyncpg
from asyncpg import Record

from osool_agent import metrics
from osool_agent.clients import AuthClient, ChainClient, SearchClient, UpstreamError
from osool_agent.repository import ReservationRepository
from osool_agent.settings import Settings
from osool_common.errors import ConflictError, DomainError, NotFoundError, UnauthenticatedError
from osool_common.logging import get_logger

log = get_logger(__name__)
LIVE = ("pending", "confirmed")


def buyer_address(service_key: str, user_id: uuid.UUID) -> str:
    """A buyer without a wallet is recorded on chain under a stable pseudonymous address: an HMAC of their id under
    the service key (no personal data on chain, and nobody can derive the id back)."""
    digest = hmac.new(service_key.encode(), f"osool buyer address v1:{user_id}".encode(), hashlib.sha256).digest()
    return "0x" + digest[-20:].hex()


def record_hash(listing: dict[str, Any]) -> str:
    """The listing record's sha256 (its stable fields), registered on chain when a reservation registers it."""
    fields = {name: listing.get(name) for name in ("id", "source_id", "title", "type", "location", "price", "size_sqm")}
    return "0x" + hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


class ReservationService:
    def __init__(
        self, settings: Settings, repository: ReservationRepository, search: SearchClient, chain: ChainClient,
        auth: AuthClient,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.repository = repository
        self.search = search
        self.chain = chain
        self.auth = auth

    def deposit(self, price: int) -> int:
        return max(
            self.settings.reservation_min_deposit_egp, round(price * self.settings.reservation_deposit_pct / 100)
        )

    async def reserve(self, user_id: uuid.UUID | None, listing_id: uuid.UUID) -> Record:
        """A pending reservation, sent to the chain. 404 for no such listing; 409 when it is not available (reserved
        or sold on chain, withdrawn, or already reserved here)."""
        if user_id is None:
            raise UnauthenticatedError("sign in to reserve a unit")
        listing = await self.search.listing(listing_id)  # NotFoundError (404) when there is none
        if not listing.get("is_available", True):
            raise ConflictError("this unit is no longer available", details={"status": "unavailable"})
        statuses = await self.chain.statuses([str(listing_id)])
        if statuses.get(str(listing_id)) in ("reserved", "sold"):
            raise ConflictError(
                f"this unit is {statuses[str(listing_id)]}", details={"status": statuses[str(listing_id)]}
            )
        profile = await self.auth.user(user_id)
        wallet = (profile or {}).get("wallet_address")
        key = self.settings.osool_service_key
        address = wallet or buyer_address(key.get_secret_value() if key else "", user_id)
        row = await self.repository.create({
            "listing_id": listing_id, "listing_title": listing["title"], "price_egp": int(listing["price"]),
            "deposit_egp": self.deposit(int(listing["price"])), "user_id": user_id, "buyer_address": address,
            "hold_seconds": self.settings.reservation_hold_hours * 3600,
        })  # fmt: skip
        if row is None:
            metrics.RESERVATIONS.labels("conflict").inc()
            raise ConflictError("this unit is already reserved", details={"status": "reserved"})
        metrics.RESERVATIONS.labels("pending").inc()
        try:
            tx = await self.chain.reserve(str(listing_id), address, int(listing["price"]), record_hash(listing),
                                          key=f"reservation-{row['id']}")  # fmt: skip
        except DomainError as exc:
            failed = await self.repository.update(row["id"], only_from=("pending",), status="failed",
                                                  error=f"{exc.code}: {exc.message}"[:500])  # fmt: skip
            metrics.RESERVATIONS.labels("failed").inc()
            if exc.status_code == 409:
                raise ConflictError("this unit was reserved on the registry a moment ago",
                                    details={"status": "reserved"}) from None  # fmt: skip
            return failed or row
        updated = await self.repository.update(row["id"], only_from=("pending",), chain_tx_id=uuid.UUID(tx["tx_id"]))
        return updated or row

    async def refresh(self, row: Record) -> Record:
        """A pending reservation's status as the chain reports its transaction: confirmed or failed when it is."""
        if row["status"] != "pending" or row["chain_tx_id"] is None:
            return row
        try:
            tx = await self.chain.transaction(row["chain_tx_id"])
        except (UpstreamError, DomainError):
            return row
        if tx["status"] == "confirmed":
            done = await self.repository.update(row["id"], only_from=("pending",), status="confirmed")
            if done is not None:
                metrics.RESERVATIONS.labels("confirmed").inc()
            return done or row
        if tx["status"] == "failed":
            error = str(tx.get("error") or "the registry refused it")[:500]
            done = await self.repository.update(row["id"], only_from=("pending",), status="failed", error=error)
            if done is not None:
                metrics.RESERVATIONS.labels("failed").inc()
            return done or row
        return row

    async def wait(self, row: Record, seconds: float) -> Record:
        """Follow a pending reservation for up to `seconds` (a chat turn shows the outcome when it comes quickly)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while row["status"] == "pending" and loop.time() < deadline:
            await asyncio.sleep(0.25)
            row = await self.refresh(row)
        return row

    async def get(self, reservation_id: uuid.UUID, user_id: uuid.UUID, *, admin: bool = False) -> Record:
        row = await self.repository.get(reservation_id)
        if row is None or (row["user_id"] != user_id and not admin):
            raise NotFoundError("no such reservation")
        return await self.refresh(row)

    async def cancel(self, reservation_id: uuid.UUID, user_id: uuid.UUID, *, admin: bool = False) -> Record:
        row = await self.get(reservation_id, user_id, admin=admin)
        if row["status"] not in LIVE:
            raise ConflictError(f"this reservation is {row['status']}", details={"status": row["status"]})
        if row["status"] == "pending":
            raise ConflictError(
                "the registry has not confirmed it yet; cancel in a moment", details={"status": "pending"}
            )
        return await self._release(row, "cancelled")

    async def _release(self, row: Record, status: str) -> Record:
        tx = await self.chain.release(str(row["listing_id"]), key=f"release-{row['id']}")
        done = await self.repository.update(row["id"], only_from=(*LIVE, status), status=status,
                                            release_tx_id=uuid.UUID(tx["tx_id"]))  # fmt: skip
        metrics.RESERVATIONS.labels(status).inc()
        return done or row

    # -- scheduled: follow pending ones, release expired holds ----------------------------------------------------
    async def sweep(self) -> tuple[int, int]:
        followed = 0
        for row in await self.repository.pending(50):
            if (await self.refresh(row))["status"] != "pending":
                followed += 1
        released = 0
        for row in await self.repository.claim_expired(20):
            try:
                await self._release(row, "expired")
                released += 1
            except (UpstreamError, DomainError) as exc:  # the chain is away: back to confirmed, tried again next time
                log.warning("agent.reservation_release_failed", reservation=str(row["id"]), error=type(exc).__name__)
                await self.repository.update(row["id"], only_from=("expired",), status="confirmed")
        return followed, released

    async def run_sweeper(self) -> None:
        while True:
            await asyncio.sleep(self.settings.reservation_sweep_seconds)
            try:
                await self.sweep()
            except (asyncpg.PostgresError, OSError) as exc:
                log.warning("agent.reservation_sweep_failed", error=type(exc).__name__)
