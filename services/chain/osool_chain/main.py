"""create_app(): the chain service's FastAPI app with the shared kit, its sender and its indexer."""

from __future__ import annotations

from fastapi import FastAPI

from osool_chain import __version__
from osool_chain.api import internal_router, router
from osool_chain.checks import ChainHead, IndexerCheck, NodeCheck, OutboxCheck
from osool_chain.contract.codec import RegistryCodec
from osool_chain.indexer import Indexer
from osool_chain.repository import ChainRepository
from osool_chain.rpc import ChainNode
from osool_chain.sender import Sender
from osool_chain.service import ChainService
from osool_chain.settings import Settings
from osool_common.app import Resources, create_service_app
from osool_common.settings import ConfigurationError


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)
    if settings.chain_rpc_url is None:
        raise ConfigurationError(
            "CHAIN_RPC_URL is not set; chain cannot serve without an Ethereum node "
            "(`make run` starts the embedded one, or run `python -m osool_chain node`)"
        )
    rpc_url = str(settings.chain_rpc_url)

    async def setup(app: FastAPI, resources: Resources) -> None:
        repository = ChainRepository(resources.db)
        node = ChainNode(rpc_url, settings.chain_rpc_timeout_seconds)
        codec = RegistryCodec()
        app.state.chain = ChainService(settings, repository)
        health = resources.health
        head = ChainHead(node.block_number, repository.active_deployment)
        health.add("chain-node", NodeCheck(head, repository), critical=False, affects_readiness=False)
        health.add("indexer", IndexerCheck(settings, head), critical=False, affects_readiness=False)
        health.add("outbox", OutboxCheck(settings, repository), critical=False, affects_readiness=False)
        resources.background.push_async_callback(node.close)
        sender = Sender(settings, repository, node, codec)
        resources.run_in_background(sender.run(), "chain-sender")
        indexer = Indexer(settings, repository, node, codec)
        resources.run_in_background(indexer.run(resources.redis), "chain-indexer")

    return create_service_app(
        settings,
        version=__version__,
        description="The property registry on Ethereum: reservations, sales, document hashes.",
        routers=[router, internal_router],
        redis_critical=True,
        setup=setup,
    )
