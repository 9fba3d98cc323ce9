"""Redis errors a search survives are counted every time and logged at most once a minute per operation."""

from __future__ import annotations

from typing import Any, cast

from prometheus_client import REGISTRY
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from structlog.testing import capture_logs

from devstack.config import free_port
from osool_search.service import SearchService
from osool_search.settings import Settings


def _errors(operation: str) -> float:
    return REGISTRY.get_sample_value("osool_search_redis_errors_total", {"operation": operation}) or 0.0


async def test_a_redis_outage_is_counted_per_search_and_logged_once() -> None:
    # A real client to a port nothing listens on: the outage, not a mock of one.
    redis = Redis(host="127.0.0.1", port=free_port(), socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0))
    settings = Settings(database_url="postgresql://x@h/d", redis_url="redis://h", osool_service_key="k" * 24)  # type: ignore[arg-type]
    service = SearchService(settings, cast(Any, None), cast(Any, None), redis)
    before_read, before_set = _errors("read"), _errors("cache_set")
    try:
        with capture_logs() as logs:
            for _ in range(3):
                assert await service._read("search:qvec:b64:model:abc") == (None, None)
                await service._cache_set("search:result:0:abc:0:10", "{}")
    finally:
        await redis.aclose()
    assert _errors("read") - before_read == 3
    assert _errors("cache_set") - before_set == 3
    lines = [entry for entry in logs if entry["event"] == "search.redis_failed"]
    assert sorted(line["operation"] for line in lines) == ["cache_set", "read"]  # once each, not three times
