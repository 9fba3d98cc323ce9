"""The indexer: the registry's events, CHAIN_CONFIRMATIONS blocks deep, into Postgres, so reads never scan the chain.

One worker indexes at a time, under a Redis lock it renews while it works. A Redis lock is enough here (the sender
needs Postgres's): indexing twice is harmless, since events are keyed by (deployment, block, log index) and only a
newly stored event moves a listing's state.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from redis.asyncio import Redis
from redis.exceptions import LockError

from osool_chain import metrics
from osool_chain.contract.codec import RegistryCodec
from osool_chain.repository import ChainRepository
from osool_chain.rpc import ChainNode, NodeRejectedError, NodeUnreachableError
from osool_chain.settings import Settings
from osool_common.logging import get_logger

log = get_logger(__name__)
LOCK_KEY = "chain:indexer-lock"


class Indexer:
    def __init__(self, settings: Settings, repository: ChainRepository, node: ChainNode, codec: RegistryCodec) -> None:
        self.settings = settings
        self.repository = repository
        self.node = node
        self.codec = codec

    async def run(self, redis: Redis) -> None:
        poll = self.settings.chain_poll_interval_seconds
        lock = redis.lock(LOCK_KEY, timeout=max(5.0, poll * 10), blocking=False)
        while True:
            try:
                if await lock.owned() or await lock.acquire():
                    caught_up = await self.index_once()
                    await lock.reacquire()
                    if not caught_up:
                        continue  # more blocks to read: no pause
            except LockError:
                pass  # the lock expired under us; the next round takes it again or leaves it to another worker
            except (NodeUnreachableError, NodeRejectedError) as exc:
                log.debug("chain.indexer_waiting", error=str(exc))
            except Exception as exc:  # Redis or Postgres away: the next round tries again
                log.warning("chain.indexer_failed", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(poll)

    async def index_once(self) -> bool:
        """Index the next batch of blocks; True when caught up with the confirmed head."""
        deployment = await self.repository.active_deployment()
        if deployment is None or deployment["address"] is None or deployment["deployed_block"] is None:
            return True
        head = await self.node.block_number()
        target = head - self.settings.chain_confirmations
        last = deployment["last_indexed_block"]
        start = deployment["deployed_block"] if last is None else last + 1
        if target < start:
            metrics.INDEXER_LAG.set(max(0, head - (start - 1)))
            return True
        end = min(target, start + self.settings.chain_indexer_batch_blocks - 1)
        logs = await self.node.logs(deployment["address"], start, end)
        times: dict[int, datetime] = {}
        for block in sorted({entry.block_number for entry in logs}):
            stamp = int(str((await self.node.block(block))["timestamp"]), 0)
            times[block] = datetime.fromtimestamp(stamp, UTC)
        stored = 0
        async with self.repository.pool.acquire() as db, db.transaction():
            if not await self.repository.lock_active_deployment(db, deployment["id"]):
                return True  # reset while we read: the next round starts on the new deployment
            for entry in sorted(logs, key=lambda e: (e.block_number, e.log_index)):
                decoded = self.codec.decode_log(entry.topics, entry.data)
                if decoded is None:
                    continue
                listing_id = decoded.args.get("listingId")
                args = {key: (str(value) if isinstance(value, int) else value) for key, value in decoded.args.items()}
                new = await self.repository.insert_event(
                    db, deployment["id"], entry.block_number, entry.log_index, entry.tx_hash, decoded.event,
                    listing_id, args, times[entry.block_number],
                )  # fmt: skip
                if new and listing_id is not None:
                    await self.repository.apply_event(
                        db, decoded.event, int(listing_id), decoded.args, entry.block_number, times[entry.block_number]
                    )
                stored += int(new)
            await self.repository.set_indexed(db, deployment["id"], end)
        metrics.INDEXER_LAG.set(max(0, head - end))
        if stored:
            log.info("chain.indexed", from_block=start, to_block=end, events=stored)
        return end >= target
