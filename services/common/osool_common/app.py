"""create_service_app(): a FastAPI app with the whole kit wired in (logs, request id, metrics, errors, health)."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import asyncpg
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import APIRouter, FastAPI
from redis.asyncio import Redis

from osool_common import openapi
from osool_common.auth import TokenVerifier, gateway_jwks_fetcher
from osool_common.cache import RedisCheck, create_redis
from osool_common.db import DatabaseCheck, PoolGauges, create_pool
from osool_common.errors import install_error_handlers
from osool_common.health import HealthRegistry, health_router
from osool_common.http_client import ServiceClient, UpstreamCheck
from osool_common.logging import configure_logging, flush_logs, get_logger
from osool_common.metrics import RequestMetricsMiddleware, ScrapeHook, metrics_endpoint
from osool_common.replicas import ReadPool, create_read_pool
from osool_common.request_guard import RequestGuardMiddleware
from osool_common.sentry import init_sentry
from osool_common.service_auth import ServiceKeyMiddleware
from osool_common.settings import CommonSettings

log = get_logger(__name__)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{8,128}$")


def is_valid_request_id(value: str) -> bool:
    """Accept the gateway's ids (32 hex), UUIDs and other short opaque ids; nothing that could forge a log line."""
    return bool(_REQUEST_ID.match(value))


@dataclass
class Resources:
    """What a service's lifespan opened; app.state holds the same objects for request handlers."""

    settings: CommonSettings
    db: asyncpg.Pool
    redis: Redis
    http: ServiceClient
    health: HealthRegistry
    verifier: TokenVerifier
    # Where read-heavy queries go: a replica within the lag limit, else the primary (the primary itself without
    # DATABASE_REPLICA_URLS). Writes, transactions and reads of the caller's own writes use `db`.
    db_read: ReadPool
    # Closed at shutdown before the pools: background tasks and whatever a service registers on it.
    background: AsyncExitStack = field(default_factory=AsyncExitStack)
    # Run by /metrics before it answers: gauges that read the worker's own state (its pool, a file) bring it up to date.
    scrape_hooks: list[ScrapeHook] = field(default_factory=list)

    def run_in_background(self, work: Coroutine[Any, Any, Any], name: str) -> asyncio.Task[Any]:
        """A task for the life of the app (a scheduled job, a sender loop), cancelled at shutdown."""
        task = asyncio.create_task(work, name=name)

        async def stop() -> None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

        self.background.push_async_callback(stop)
        return task


Setup = Callable[[FastAPI, Resources], Awaitable[None]]
Teardown = Callable[[FastAPI], Awaitable[None]]


def create_service_app(
    settings: CommonSettings,
    *,
    version: str,
    description: str,
    routers: Sequence[APIRouter] = (),
    redis_critical: bool = True,
    setup: Setup | None = None,
    teardown: Teardown | None = None,
) -> FastAPI:
    """Build the app. `redis_critical=False` makes a Redis outage degrade the service instead of failing it."""
    configure_logging(settings.service_name, settings.log_level, flush_seconds=settings.log_flush_seconds)
    init_sentry(settings, version)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        health = HealthRegistry(settings.service_name, version, settings.health_check_timeout_seconds)
        db = await create_pool(settings)
        db_read = await create_read_pool(settings, db)
        redis = create_redis(settings)
        http = ServiceClient(settings)
        verifier = TokenVerifier(
            gateway_jwks_fetcher(http), issuer=settings.jwt_issuer, audience=settings.jwt_audience, redis=redis
        )
        health.add("database", DatabaseCheck(db), critical=True)
        for replica in db_read.replicas:
            # The primary serves a replica's reads while it is down or behind: degraded, still ready.
            health.add(
                f"database-replica:{replica.name}", db_read.check(replica), critical=False, affects_readiness=False
            )
        health.add("redis", RedisCheck(redis), critical=redis_critical)
        for upstream in settings.upstreams:
            health.add(
                f"service:{upstream}", UpstreamCheck(http, upstream, settings.upstream_fresh_seconds), critical=False
            )
        resources = Resources(settings, db, redis, http, health, verifier, db_read)
        app.state.settings, app.state.db, app.state.db_read, app.state.redis = settings, db, db_read, redis
        app.state.http, app.state.health, app.state.resources = http, health, resources
        app.state.verifier, app.state.scrape_hooks = verifier, resources.scrape_hooks
        pool_gauges = PoolGauges(db, settings.service_name)
        resources.scrape_hooks.append(pool_gauges.publish)
        resources.run_in_background(pool_gauges.run(), "db-pool-gauges")
        if db_read.replicas:
            resources.run_in_background(db_read.run(), "db-replica-lag")
        if setup is not None:
            await setup(app, resources)
        log.info("service.started", version=version)
        try:
            yield
        finally:
            await resources.background.aclose()
            if teardown is not None:
                await teardown(app)
            await http.aclose()
            await redis.aclose()
            await db_read.close()
            await db.close()
            log.info("service.stopped")
            flush_logs()

    app = FastAPI(
        title=f"Osool {settings.service_name}",
        version=version,
        description=description,
        lifespan=lifespan,
        # No redirect from /path/ to /path: its Location would name the internal host the gateway called (and say
        # which routes exist); a path that is not a route is a 404.
        redirect_slashes=False,
    )
    install_error_handlers(app)
    app.include_router(health_router())
    app.add_route("/metrics", metrics_endpoint, include_in_schema=False)
    for router in routers:
        app.include_router(router)
    # Every status the kit can answer (400, 401, 403, 404, 429, 503) and the security each route needs, documented.
    openapi.install(app)
    # Added last, runs first: the request id exists before the metrics middleware logs the request, and both
    # before a NUL in a URL or an over-deep JSON body is refused, or an internal route called without the
    # service key (it gets the request id and is counted).
    key = settings.osool_service_key.get_secret_value() if settings.osool_service_key else None
    app.add_middleware(ServiceKeyMiddleware, key=key)
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(RequestMetricsMiddleware, service=settings.service_name)
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name="X-Request-ID",
        validator=is_valid_request_id,
        update_request_header=True,
    )
    return app
