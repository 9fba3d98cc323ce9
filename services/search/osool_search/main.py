"""create_app(): the search service's FastAPI app with the shared kit, the embedder and the first-start demo load."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI

from osool_common.app import Resources, create_service_app
from osool_common.logging import get_logger
from osool_search import __version__
from osool_search.api import internal_router, router
from osool_search.embeddings import OpenAIEmbedder, create_embedder
from osool_search.repository import ListingRepository
from osool_search.service import SearchService
from osool_search.settings import Settings
from osool_search.sources import demo_records

log = get_logger(__name__)

DEMO_LOCK_KEY = "search:demo-load-lock"
# The demo generator's edition. A stack whose demo listings an older edition wrote loads them again on its next start
# (by source_id and content hash, so only what changed is written: edition 2 added floors).
DEMO_EDITION = 2
DEMO_DONE_SETTING = f"demo_loaded:{DEMO_EDITION}"
FEATURES_LOCK_KEY = "search:features-read-lock"


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)

    async def setup(app: FastAPI, resources: Resources) -> None:
        embedder = create_embedder(settings, resources.redis)
        repository = ListingRepository(resources.db, resources.db_read)
        service = SearchService(settings, repository, embedder, resources.redis)
        app.state.search = service
        resources.background.push_async_callback(embedder.close)  # after the tasks below are cancelled (LIFO)
        resources.run_in_background(embedder.load(), "search-embedder-load")

        async def embedder_check() -> str:
            if not embedder.ready:
                raise RuntimeError(f"loading the embedding model {embedder.model}")
            return embedder.model

        async def listings_check() -> str:
            stored, others = await repository.listings_summary(embedder.model)
            if settings.demo_listings and not await repository.get_setting(DEMO_DONE_SETTING):
                raise RuntimeError(f"loading {settings.demo_listings} demo listings (about {stored} so far)")
            if others:
                return f"about {stored} listings; {others} need `reindex`"
            return f"about {stored} listings"

        resources.health.add("embedder", embedder_check, critical=True)
        resources.health.add("listings", listings_check, critical=True, timeout_seconds=2.0)
        if isinstance(embedder, OpenAIEmbedder) and embedder.breaker is not None:
            # Degraded, not gating readiness: every replica shares the breaker, so an open one would take them all
            # out of rotation at once, with the reads and market figures that need no embeddings.
            breaker = embedder.breaker
            resources.health.add(
                f"breaker:{breaker.dependency}", breaker.health_check, critical=False, affects_readiness=False
            )
        if settings.demo_listings:
            resources.run_in_background(_load_demo_once(service, resources, settings.demo_listings), "search-demo")
        resources.run_in_background(_read_features(service, resources), "search-features")

    return create_service_app(
        settings,
        version=__version__,
        description="Verified listings: ingestion, hybrid semantic search with pgvector, market statistics.",
        routers=[router, internal_router],
        redis_critical=False,
        setup=setup,
    )


async def _retrying(name: str, attempt: Callable[[], Awaitable[bool]]) -> None:
    """Call `attempt` every 2 s until it says it is done; an error (the database or Redis not up yet) is logged and
    tried again."""
    while True:
        try:
            if await attempt():
                return
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning(f"{name}.retry", exc_info=True)
        await asyncio.sleep(2)


@asynccontextmanager
async def _holding(resources: Resources, key: str) -> AsyncIterator[bool]:
    """A lock one worker of all replicas holds at a time (expiring should its holder die); yields whether it is ours."""
    held = bool(await resources.redis.set(key, "1", nx=True, ex=600))
    try:
        yield held
    finally:
        if held:
            await resources.redis.delete(key)


async def _read_features(service: SearchService, resources: Resources) -> None:
    """Listings read with other words than today's (or never read) get their features again, by one worker at a time
    (the others find them read when they next start)."""

    async def attempt() -> bool:
        async with _holding(resources, FEATURES_LOCK_KEY) as held:
            if held and (changed := await service.read_features()) is not None:
                log.info("features.read", changed=changed)
        return True

    await _retrying("features", attempt)


async def _load_demo_once(service: SearchService, resources: Resources, count: int) -> None:
    """On a stack's first start, one worker of one replica loads the demo listings; the others wait for it. A load
    cut short (the stack stopped) is resumed on the next start: ingestion is idempotent by source_id."""
    repository = service.repository

    async def attempt() -> bool:
        if await repository.get_setting(DEMO_DONE_SETTING):
            return True
        async with _holding(resources, DEMO_LOCK_KEY) as held:
            if not held:
                return False  # another worker is loading them: wait for it
            log.info("demo.loading", count=count)
            report = await service.ingest(demo_records(count), f"demo:{count}")
            await repository.set_setting(DEMO_DONE_SETTING, str(count))
            log.info("demo.loaded", inserted=report.inserted, seconds=report.seconds)
        return True

    await _retrying("demo", attempt)
