"""The asyncpg pool of a service: its own schema first on the search path, pgvector types registered."""

from __future__ import annotations

import json

import asyncpg
from pgvector.asyncpg import register_vector

from osool_common.settings import CommonSettings


async def _init_connection(connection: asyncpg.Connection) -> None:
    # json and jsonb in and out as Python values, in every service alike.
    for type_name in ("json", "jsonb"):
        await connection.set_type_codec(type_name, encoder=json.dumps, decoder=json.loads, schema="pg_catalog")
    # The vector type lives in the public schema once the extension exists (database/init.sql).
    has_vector = await connection.fetchval("SELECT 1 FROM pg_type WHERE typname = 'vector'")
    if has_vector:
        await register_vector(connection)


async def _keep_session(connection: asyncpg.Connection) -> None:
    """The release of a stateless service's connection. asyncpg still rolls back a transaction left open and drops
    listeners before calling this; what is skipped is its reset query (close cursors, unlisten, unlock, reset
    settings), one more round trip per query that such a service has nothing to undo."""


async def create_pool(settings: CommonSettings) -> asyncpg.Pool:
    assert settings.database_url is not None  # settings validation guarantees it
    # min_size=0: a worker starts even while Postgres is down, reports it in /health, and recovers by itself.
    pool = await asyncpg.create_pool(
        settings.database_url.get_secret_value(),
        min_size=0,
        max_size=settings.db_pool_max_size,
        max_inactive_connection_lifetime=300,
        command_timeout=30,
        init=_init_connection,
        reset=_keep_session if settings.stateless_sessions else None,
        server_settings={
            "search_path": f"{settings.schema_name},public",
            "application_name": settings.service_name,
            **settings.database_session_settings(),
        },
    )
    assert pool is not None
    return pool


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
