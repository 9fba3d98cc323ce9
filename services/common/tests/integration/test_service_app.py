"""A service built with create_service_app() on the real Postgres and Valkey of the test stack.

Sentry is a local HTTP server that speaks Sentry's envelope endpoint, so the real sentry-sdk sends to it.
"""

from __future__ import annotations

import asyncio
import gzip
import json
from collections.abc import AsyncIterator, Iterator
from typing import ClassVar

import asyncpg
import httpx
import pytest
import sentry_sdk
from fastapi import APIRouter, FastAPI, Request, Response

from devstack.stack import LocalStack
from devstack.testing import ThreadedServer
from osool_common.app import Resources, create_service_app
from osool_common.settings import CommonSettings

pytestmark = pytest.mark.stack


class FakeSentry:
    """Accepts POST /api/<project>/envelope/ and keeps the events it carries."""

    def __init__(self) -> None:
        self.events: list[dict[str, object]] = []
        self.transactions: list[dict[str, object]] = []
        app = FastAPI()

        @app.post("/api/{project}/envelope/")
        async def envelope(project: str, request: Request) -> Response:
            raw = await request.body()
            encoding = request.headers.get("content-encoding")
            if encoding == "gzip":
                raw = gzip.decompress(raw)
            elif encoding == "br":  # the SDK's choice whenever brotli is installed (locust brings it)
                import brotli  # type: ignore[import-untyped,unused-ignore]

                raw = brotli.decompress(raw)
            # An envelope: its header line, then items, each a header line and a payload (of `length` bytes when
            # the header says, else up to the next newline).
            position = raw.index(b"\n") + 1
            while position < len(raw):
                end = raw.find(b"\n", position)
                end = len(raw) if end < 0 else end
                header = json.loads(raw[position:end])
                position = end + 1
                length = header.get("length")
                if length is None:
                    end = raw.find(b"\n", position)
                    length = (len(raw) if end < 0 else end) - position
                payload = raw[position : position + length]
                position += length + 1
                if header.get("type") == "event":
                    self.events.append(json.loads(payload))
                elif header.get("type") == "transaction":
                    self.transactions.append(json.loads(payload))
            return Response(content=b'{"id":"0"}', media_type="application/json")

        self.server = ThreadedServer(app)
        self.port = self.server.port


class KitSettings(CommonSettings):
    service_name: ClassVar[str] = "kit-test"


@pytest.fixture
def fake_sentry() -> Iterator[FakeSentry]:
    server = FakeSentry()
    with server.server:
        yield server


@pytest.fixture
def traces_sample_rate() -> float:
    return 0.0  # the default; a test overrides this fixture to trace


@pytest.fixture
async def kit_client(
    stack: LocalStack, stack_env: dict[str, str], fake_sentry: FakeSentry, traces_sample_rate: float
) -> AsyncIterator[httpx.AsyncClient]:
    settings = KitSettings(
        database_url=stack_env["DATABASE_URL"],  # type: ignore[arg-type]
        redis_url=stack_env["REDIS_URL"],  # type: ignore[arg-type]
        osool_service_key=stack_env["OSOOL_SERVICE_KEY"],  # type: ignore[arg-type]
        sentry_dsn=f"http://publickey@127.0.0.1:{fake_sentry.port}/42",  # type: ignore[arg-type]
        sentry_traces_sample_rate=traces_sample_rate,
        osool_env="test",
    )
    router = APIRouter()

    @router.get("/boom")
    async def boom() -> dict[str, str]:
        raise ZeroDivisionError("secret-ish detail that must not reach the caller")

    @router.get("/db-time")
    async def db_time(request: Request) -> dict[str, str]:
        value = await request.app.state.db.fetchval("SELECT current_schema()")
        await request.app.state.redis.set("kit-test:last", value, ex=60)
        vector = await request.app.state.db.fetchval("SELECT '[1,2,3]'::vector")
        return {
            "schema": str(value),
            "cached": await request.app.state.redis.get("kit-test:last"),
            "vector": str(list(vector.to_list())),
        }

    app = create_service_app(settings, version="9.9.9", description="kit test", routers=[router])
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://kit") as client:
            yield client
    sentry_sdk.get_client().close()


async def test_an_unhandled_error_is_a_500_envelope_and_reaches_sentry(
    kit_client: httpx.AsyncClient, fake_sentry: FakeSentry
) -> None:
    response = await kit_client.get("/boom", headers={"X-Request-ID": "kit-sentry-0001"})
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "Internal server error", "request_id": "kit-sentry-0001"}
    }
    assert "secret-ish" not in response.text
    sentry_sdk.flush(timeout=5)
    for _ in range(100):  # the SDK sends from its own thread
        if fake_sentry.events:
            break
        await asyncio.sleep(0.05)
    assert len(fake_sentry.events) == 1
    event = fake_sentry.events[0]
    exception = event["exception"]["values"][-1]  # type: ignore[index]
    assert exception["type"] == "ZeroDivisionError"
    assert event["tags"]["transaction_id"] == "kit-sentry-0001"  # type: ignore[index]
    assert event["release"] == "osool-kit-test@9.9.9" and event["environment"] == "test"
    assert fake_sentry.transactions == []  # tracing is off unless SENTRY_TRACES_SAMPLE_RATE says otherwise


@pytest.mark.parametrize("traces_sample_rate", [1.0])
async def test_requests_are_traced_at_the_configured_rate(
    kit_client: httpx.AsyncClient, fake_sentry: FakeSentry, traces_sample_rate: float
) -> None:
    for _ in range(3):
        assert (await kit_client.get("/db-time")).status_code == 200
    sentry_sdk.flush(timeout=5)
    for _ in range(100):
        if sum("/db-time" in str(t.get("request", {}).get("url", "")) for t in fake_sentry.transactions) >= 3:  # type: ignore[union-attr]
            break
        await asyncio.sleep(0.05)
    # The fake is an ASGI app in this process, so the SDK traces its own envelope posts too: only the kit's count.
    ours = [t for t in fake_sentry.transactions if "/db-time" in str(t.get("request", {}).get("url", ""))]  # type: ignore[union-attr]
    assert len(ours) == 3, [t.get("request") for t in fake_sentry.transactions[:5]]
    assert all(t["transaction"] == "/db-time" for t in ours)


async def test_the_pool_uses_the_service_schema_and_redis_answers(kit_client: httpx.AsyncClient) -> None:
    response = await kit_client.get("/db-time")
    assert response.status_code == 200
    # kit_test has no schema of its own (no migrations ran), so Postgres falls back to public on the path.
    # pgvector's type is registered on every pooled connection: a vector comes back as a vector, not text.
    assert response.json() == {"schema": "public", "cached": "public", "vector": "[1.0, 2.0, 3.0]"}


async def test_health_of_the_kit_sees_real_dependencies(kit_client: httpx.AsyncClient) -> None:
    body = (await kit_client.get("/health")).json()
    assert body["service"] == "kit-test" and body["version"] == "9.9.9" and body["status"] == "healthy"
    assert set(body["checks"]) == {"database", "redis"}


async def test_a_background_task_runs_for_the_life_of_the_app_and_is_cancelled_before_the_pools_close(
    stack_env: dict[str, str],
) -> None:
    settings = KitSettings(
        database_url=stack_env["DATABASE_URL"],  # type: ignore[arg-type]
        redis_url=stack_env["REDIS_URL"],  # type: ignore[arg-type]
        osool_service_key=stack_env["OSOOL_SERVICE_KEY"],  # type: ignore[arg-type]
        osool_env="test",
    )
    ticks: list[int] = []
    ended: list[str] = []

    async def job(pool: asyncpg.Pool) -> None:
        try:
            while True:
                ticks.append(await pool.fetchval("SELECT 1"))
                await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            # Cancelled while the pool is still open: a last query succeeds.
            ended.append(str(await pool.fetchval("SELECT 'pool still open'")))
            raise

    async def setup(app: FastAPI, resources: Resources) -> None:
        resources.run_in_background(job(resources.db), "kit-test-job")

    app = create_service_app(settings, version="0", description="kit", setup=setup)
    async with app.router.lifespan_context(app):
        await asyncio.sleep(0.2)
        assert len(ticks) > 3
    assert ended == ["pool still open"]
    count = len(ticks)
    await asyncio.sleep(0.05)
    assert len(ticks) == count


class StatefulKitSettings(CommonSettings):
    service_name: ClassVar[str] = "kit-test"
    stateless_sessions: ClassVar[bool] = False


@pytest.mark.parametrize(("settings_class", "survives"), [(StatefulKitSettings, False), (KitSettings, True)])
async def test_only_a_stateless_service_skips_the_reset_of_a_released_connection(
    stack_env: dict[str, str], settings_class: type[CommonSettings], survives: bool
) -> None:
    from osool_common.db import create_pool

    settings = settings_class(
        database_url=stack_env["DATABASE_URL"],  # type: ignore[arg-type]
        redis_url=stack_env["REDIS_URL"],  # type: ignore[arg-type]
        osool_service_key=stack_env["OSOOL_SERVICE_KEY"],  # type: ignore[arg-type]
        osool_env="test",
        db_pool_max_size=1,
    )
    pool = await create_pool(settings)
    try:
        async with pool.acquire() as connection:
            backend = await connection.fetchval("SELECT pg_backend_pid()")
            await connection.execute("SELECT set_config('osool.left_behind', 'yes', false)")
        async with pool.acquire() as connection:
            assert await connection.fetchval("SELECT pg_backend_pid()") == backend  # the same connection, reused
            left = await connection.fetchval("SELECT current_setting('osool.left_behind', true)")
            # A transaction left open is rolled back either way.
            await connection.execute("BEGIN")
        async with pool.acquire() as connection:
            assert not connection.is_in_transaction()
    finally:
        await pool.close()
    assert (left == "yes") is survives
