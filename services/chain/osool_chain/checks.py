"""The chain service's health checks: the node, the indexer's lag, the outbox. None of them makes it unready:
with the node down it still accepts writes into the outbox."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from asyncpg import Record

from osool_chain.repository import ChainRepository
from osool_chain.settings import Settings


@dataclass
class ChainHead:
    """The node's head block and the active deployment, read once for the checks of one health run. The node and
    indexer checks both need them and run at the same time; each reading its own was two RPCs and two queries a run
    (every 15 s from the monitoring job, every 10 s from a pod's readiness probe) where one of each answers.
    `ChainHead(node.block_number, repository.active_deployment)`."""

    block_number: Callable[[], Awaitable[int]]
    active_deployment: Callable[[], Awaitable[Record | None]]
    _reading: asyncio.Task[tuple[int, Record | None]] | None = field(default=None, init=False)

    async def read(self) -> tuple[int, Record | None]:
        """The reading under way if there is one, else a new one: never an old answer."""
        if self._reading is None:
            self._reading = asyncio.create_task(self._read())
            self._reading.add_done_callback(self._forget)
        # Shielded: a check that times out stops waiting without cancelling the reading the other check awaits.
        return await asyncio.shield(self._reading)

    def _forget(self, reading: asyncio.Task[tuple[int, Record | None]]) -> None:
        if self._reading is reading:
            self._reading = None
        if not reading.cancelled():
            reading.exception()  # retrieved: a failed reading is reported by the checks that awaited it

    async def _read(self) -> tuple[int, Record | None]:
        block = await self.block_number()
        return block, await self.active_deployment()


@dataclass
class NodeCheck:
    head: ChainHead
    repository: ChainRepository

    async def __call__(self) -> str:
        block, deployment = await self.head.read()
        if deployment is None:
            return f"block {block}; the registry is not deployed yet"
        if deployment["address"] is None:
            where = "deploying the registry"
        else:
            where = f"registry at {deployment['address']}"
        previous = await self.repository.last_retired()
        if previous is not None:
            where += (
                f"; redeployed at {deployment['created_at'].isoformat(timespec='seconds')} because "
                f"{previous['retired_reason']}"
            )
        return f"block {block}; chain id {deployment['chain_id']}; {where}"


@dataclass
class IndexerCheck:
    settings: Settings
    head: ChainHead

    async def __call__(self) -> str:
        head, deployment = await self.head.read()
        if deployment is None or deployment["last_indexed_block"] is None:
            return f"nothing to index yet (block {head})"
        lag = head - int(deployment["last_indexed_block"])
        allowed = self.settings.chain_confirmations + self.settings.chain_indexer_max_lag_blocks
        if lag > allowed:
            raise RuntimeError(f"indexer {lag} blocks behind (at {deployment['last_indexed_block']}, head {head})")
        return f"lag {lag} blocks (indexed to {deployment['last_indexed_block']}, head {head})"


@dataclass
class OutboxCheck:
    settings: Settings
    repository: ChainRepository

    async def __call__(self) -> str:
        summary = await self.repository.outbox_summary()
        depth, oldest = int(summary["depth"]), float(summary["oldest_seconds"] or 0)
        if oldest > self.settings.chain_outbox_max_age_seconds:
            raise RuntimeError(f"{depth} writes waiting, the oldest for {oldest:.0f}s")
        return f"{depth} writes waiting" + (f", the oldest for {oldest:.1f}s" if depth else "")
