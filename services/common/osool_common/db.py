"""The asyncpg pool of a service: its own schema first on the search path, pgvector types registered, every statement
timed and the pool's connections published as metrics."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Coroutine
from typing import Any

import asyncpg
from asyncpg.connection import LoggedQuery
from pgvector.asyncpg import register_vector

from osool_common.metrics import DB_POOL_CONNECTIONS, DB_POOL_MAX, DB_QUERY_DURATION, BoundedHistogram
from osool_common.settings import CommonSettings
from osool_common.statement_labels import statement_label

# Distinct statement labels one worker reports before any new one is counted as "other".
MAX_STATEMENT_LABELS = 200
# How often each worker publishes its pool's connections between scrapes (the worker that answers a scrape publishes
# its own at that moment; the others' figures are at most this old).
POOL_SAMPLE_SECONDS = 5.0


class QueryTimer:
    """asyncpg's query logger (Connection.add_query_logger, asyncpg >= 0.29): every statement a pooled connection
    runs (execute, executemany, fetch*, transactions' BEGIN and COMMIT, the reset on release) is observed in
    osool_db_query_duration_seconds by its label. asyncpg times the call itself (time.monotonic around the round trip)
    and hands over the record, so no call site is wrapped. Not seen: COPY and prepared statements, which the logger
    does not cover (search's bulk COPY of an ingest).

    Cost, measured against the local stack's PostgreSQL with uvloop: this callback takes 1.8 µs of CPU per statement
    (1.6 of it the multiprocess histogram's file write; the label is a cached lookup); end to end, the client's CPU
    for a one-row fetchval went from 13 to 20 µs, 3 of them asyncpg's logging itself (a no-op logger costs that
    much): a fraction of a percent of a search's statements, which take milliseconds."""

    def __init__(self, service: str, limit: int = MAX_STATEMENT_LABELS) -> None:
        self.histogram = BoundedHistogram(DB_QUERY_DURATION, service, limit)

    def __call__(self, record: LoggedQuery) -> None:
        self.histogram.observe(statement_label(record.query), record.elapsed)


def _connection_init(timer: QueryTimer) -> Callable[[asyncpg.Connection], Coroutine[Any, Any, None]]:
    async def init(connection: asyncpg.Connection) -> None:
        # json and jsonb in and out as Python values, in every service alike.
        for type_name in ("json", "jsonb"):
            await connection.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
        # The vector type lives in the public schema once the extension exists (database/init.sql).
        has_vector = await connection.fetchval("SELECT 1 FROM pg_type WHERE typname = 'vector'")
        if has_vector:
            await register_vector(connection)
        # Last, so the setup above is not counted; a logger stays with its connection across releases.
        connection.add_query_logger(timer)

    return init


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The release of a stateless service's connection. asyncpg still rolls back a transaction left open and drops
    listeners before calling this; what is skipped is its reset query (close cursors, unlisten, unlock, reset
    settings), one more round trip per query that such a service has nothing to undo."""


async def create_pool(settings: CommonSettings) -> asyncpg.Pool:
    assert settings.database_url is not None  # settings validation guarantees it
    return await create_pool_for(settings, settings.database_url.get_secret_value(), settings.db_pool_max_size)


async def create_pool_for(settings: CommonSettings, url: str, max_size: int, **connect: Any) -> asyncpg.Pool:
    """A pool of the service's connections to one server (the primary, or a read replica): the same schema first, the
    same codecs, session settings and statement timer on every server. `connect`: more of asyncpg.connect's options
    (a replica's short connect timeout)."""
    # min_size=0: a worker starts even while Postgres is down, reports it in /health, and recovers by itself.
    pool = await asyncpg.create_pool(
        url,
        min_size=0,
        max_size=max_size,
        max_inactive_connection_lifetime=300,
        command_timeout=30,
        init=_connection_init(QueryTimer(settings.service_name)),
        reset=_keep_session if settings.stateless_sessions else None,
        server_settings=session_settings(settings),
        **connect,
    )
    assert pool is not None
    return pool


def session_settings(settings: CommonSettings) -> dict[str, str]:
    """What every connection of the service sets at start (search path, application name, the service's own)."""
    return {
        "search_path": f"{settings.schema_name},public",
        "application_name": settings.service_name,
        **settings.database_session_settings(),
    }


class PoolGauges:
    """osool_db_pool_connections{state=in_use|idle} and osool_db_pool_max_connections of one worker's pool, read from
    the pool itself (asyncpg's get_size, get_idle_size, get_max_size) rather than counted on acquire and release,
    which would drift whenever a connection is lost in use. Summed over the live workers by the multiprocess
    collector (livesum)."""

    def __init__(self, pool: asyncpg.Pool, service: str) -> None:
        self.pool = pool
        self.in_use = DB_POOL_CONNECTIONS.labels(service, "in_use")
        self.idle = DB_POOL_CONNECTIONS.labels(service, "idle")
        self.max_size = DB_POOL_MAX.labels(service)

    async def publish(self) -> None:
        size, idle = self.pool.get_size(), self.pool.get_idle_size()
        self.in_use.set(size - idle)
        self.idle.set(idle)
        self.max_size.set(self.pool.get_max_size())

    async def run(self, interval: float = POOL_SAMPLE_SECONDS) -> None:
        while True:
            await self.publish()
            await asyncio.sleep(interval)


def database_check(pool: asyncpg.Pool) -> DatabaseCheck:
    return DatabaseCheck(pool)


class DatabaseCheck:
    """Health check: a round trip to Postgres through the pool."""

    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def __call__(self) -> str:
        async with self.pool.acquire(timeout=1.0) as connection:
            await connection.fetchval("SELECT 1")
        return f"pool size {self.pool.get_size()}"
