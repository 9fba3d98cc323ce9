"""The chain service's health checks: the node, the indexer's lag, the outbox. None of them makes it unready:
with the node down it still accepts writes into the outbox."""

from __future__ import annotations

from dataclasses import dataclass

from osool_chain.repository import ChainRepository
from osool_chain.rpc import ChainNode
from osool_chain.settings import Settings


@dataclass
class NodeCheck:
    node: ChainNode
    repository: ChainRepository

    async def __call__(self) -> str:
        block = await self.node.block_number()
        deployment = await self.repository.active_deployment()
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
    node: ChainNode
    repository: ChainRepository

    async def __call__(self) -> str:
        deployment = await self.repository.active_deployment()
        head = await self.node.block_number()
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
