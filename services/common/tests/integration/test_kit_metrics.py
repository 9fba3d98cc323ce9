"""The kit's database, pool and Redis metrics on the test stack's real PostgreSQL and Valkey, read from /metrics."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import httpx
import pytest
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from osool_common.app import Resources, create_service_app
from osool_common.settings import CommonSettings

pytestmark = pytest.mark.stack
POOL_MAX = 4
RESET = "SELECT pg_advisory_unlock_all; CLOSE; UNLISTEN; RESET"


class MetricsKitSettings(CommonSettings):
    service_name: ClassVar[str] = "kit-metrics"
    # A pool that resets a released connection (the kit's default skips it): the reset is a statement, timed too.
    stateless_sessions: ClassVar[bool] = False


class Kit:
    def __init__(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        self.app = app
        self.client = client

    async def samples(self) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
        response = await self.client.get("/metrics")
        assert response.status_code == 200
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.text)
            for sample in family.samples
        }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset({"service": "kit-metrics", **labels}.items())), 0.0)


@pytest.fixture
async def kit(stack_env: dict[str, str]) -> AsyncIterator[Kit]:
    settings = MetricsKitSettings(
        database_url=stack_env["DATABASE_URL"],
        redis_url=stack_env["REDIS_URL"],
        osool_service_key=stack_env["OSOOL_SERVICE_KEY"],
        osool_env="test",
        db_pool_max_size=POOL_MAX,
    )

    async def failing_hook() -> None:
        raise RuntimeError("a gauge that cannot be read this time")

    async def setup(app: FastAPI, resources: Resources) -> None:
        resources.scrape_hooks.append(failing_hook)

    app = create_service_app(settings, version="0", description="kit metrics", setup=setup)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
            yield Kit(app, client)


async def test_every_statement_is_timed_under_its_verb_and_first_table_and_never_its_literals(kit: Kit) -> None:
    db = kit.app.state.db
    before = await kit.samples()
    for name in ("pg_type", "pg_class", "pg_proc"):
        assert await db.fetchval("SELECT relname FROM pg_class WHERE relname = $1", name) == name
    async with db.acquire() as connection, connection.transaction():
        await connection.fetchval("SELECT count(*) FROM pg_namespace WHERE nspname = 'kit-secret-literal'")
    after = await kit.samples()

    def moved(statement: str) -> float:
        name = "osool_db_query_duration_seconds_count"
        return value(after, name, statement=statement) - value(before, name, statement=statement)

    assert moved("SELECT pg_class") == 3
    assert (moved("SELECT pg_namespace"), moved("BEGIN"), moved("COMMIT")) == (1, 1, 1)
    # Each of the four releases ran asyncpg's reset (this kit's sessions are not stateless): timed as well.
    assert moved(RESET) == 4
    spent = value(after, "osool_db_query_duration_seconds_sum", statement="SELECT pg_class") - value(
        before, "osool_db_query_duration_seconds_sum", statement="SELECT pg_class"
    )
    assert 0 < spent < 5
    text = (await kit.client.get("/metrics")).text
    assert "kit-secret-literal" not in text
    # The pool's own setup of each connection (codecs, the vector type) is not the service's work: not counted.
    assert 'statement="SELECT pg_type"' not in text


async def test_the_pool_publishes_its_connections_in_use_idle_and_its_maximum(kit: Kit) -> None:
    db = kit.app.state.db
    async with db.acquire() as first, db.acquire() as second:
        await first.fetchval("SELECT 1")
        await second.fetchval("SELECT 1")
        held = await kit.samples()
        size = db.get_size()
    released = await kit.samples()
    assert value(held, "osool_db_pool_connections", state="in_use") == 2
    assert value(held, "osool_db_pool_connections", state="idle") == size - 2
    assert value(held, "osool_db_pool_max_connections") == POOL_MAX
    assert value(released, "osool_db_pool_connections", state="in_use") == 0
    assert value(released, "osool_db_pool_connections", state="idle") == db.get_size() >= 2


async def test_redis_commands_and_pipelines_are_timed_by_command(kit: Kit) -> None:
    redis: Any = kit.app.state.redis
    key = f"kit-metrics:{uuid.uuid4().hex}"
    before = await kit.samples()
    await redis.set(key, "1", ex=60)
    assert await redis.get(key) == "1"
    assert await redis.get(f"{key}:absent") is None
    async with redis.pipeline(transaction=False) as pipe:
        assert await pipe.incr(key).expire(key, 60).execute() == [2, True]
    async with redis.pipeline(transaction=True) as pipe:
        assert await pipe.incr(key).delete(key).execute() == [3, 1]
    after = await kit.samples()

    def moved(command: str) -> float:
        name = "osool_redis_command_duration_seconds_count"
        return value(after, name, command=command) - value(before, name, command=command)

    assert [moved(c) for c in ("SET", "GET", "PIPELINE", "MULTI", "INCR")] == [1, 2, 1, 1, 0]


async def test_a_failing_scrape_hook_leaves_the_scrape_answering(kit: Kit) -> None:
    response = await kit.client.get("/metrics")
    assert response.status_code == 200 and "osool_db_pool_max_connections" in response.text


async def test_name_filters_keep_only_those_samples(kit: Kit) -> None:
    assert (await kit.client.get("/health/live")).status_code == 200

    response = await kit.client.get(
        "/metrics", params={"name[]": ["osool_http_requests_total", "osool_http_request_duration_seconds_sum"]}
    )

    assert response.status_code == 200
    names = {s.name for family in text_string_to_metric_families(response.text) for s in family.samples}
    assert names == {"osool_http_requests_total", "osool_http_request_duration_seconds_sum"}
