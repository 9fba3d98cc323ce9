"""Search's statements, Redis commands, pool and cache (de)serialization in /metrics: a search process of the test's own
(one worker, its own multiprocess directory, so every figure is this test's), on the stack's PostgreSQL and Valkey."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack.stack import LocalStack
from devstack.testing import ServiceProcess

pytestmark = pytest.mark.stack
POOL_MAX = 3
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@pytest.fixture(scope="module")
def search_process(stack: LocalStack) -> Iterator[ServiceProcess]:
    process = ServiceProcess(stack, "osool_search", DB_POOL_MAX_SIZE=str(POOL_MAX)).start()
    try:
        yield process
    finally:
        process.stop()


def samples(process: ServiceProcess) -> Samples:
    text = httpx.get(f"{process.url}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(figures: Samples, name: str, **labels: str) -> float:
    return figures.get((name, frozenset({"service": "search", **labels}.items())), 0.0)


def moved(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return value(after, name, **labels) - value(before, name, **labels)


def search(process: ServiceProcess, query: str, limit: int = 10) -> None:
    response = httpx.post(f"{process.url}/api/properties/search", json={"query": query, "limit": limit}, timeout=60)
    assert response.status_code == 200, response.text


def test_a_search_is_timed_in_its_statements_redis_commands_and_both_caches(search_process: ServiceProcess) -> None:
    word = uuid.uuid4().hex[:10]
    query = f"apartment in Maadi with a garden {word}"
    codec = "osool_cache_serialization_seconds_count"
    commands = "osool_redis_command_duration_seconds_count"

    start = samples(search_process)
    search(search_process, query)  # a miss: embedded, ranked, and both entries written
    miss = samples(search_process)
    assert moved(start, miss, codec, cache="search_results", operation="serialize") == 1
    assert moved(start, miss, codec, cache="query_vectors", operation="serialize") == 1
    assert moved(start, miss, codec, cache="search_results", operation="deserialize") == 0
    # One MGET (generation and vector), one GET (the result), two SETs (the vector and the result); the worker's
    # start-up jobs may take their lock (SET NX) meanwhile, hence at least two.
    assert [moved(start, miss, commands, command=c) for c in ("MGET", "GET")] == [1, 1]
    assert moved(start, miss, commands, command="SET") >= 2
    statements = {
        dict(labels)["statement"]: count - start.get((name, labels), 0.0)
        for (name, labels), count in miss.items()
        if name == "osool_db_query_duration_seconds_count" and dict(labels).get("service") == "search"
    }
    assert statements.get("SELECT properties", 0) >= 1, statements

    search(search_process, query)  # the same search again: the cached body, decoded and nothing else
    hit = samples(search_process)
    assert moved(miss, hit, codec, cache="search_results", operation="deserialize") == 1
    assert moved(miss, hit, codec, cache="search_results", operation="serialize") == 0
    assert moved(miss, hit, "osool_db_query_duration_seconds_count", statement="SELECT properties") == 0

    # A fresh worker has no vector in memory: it reads the stored one from Valkey and decodes it.
    search_process.restart()
    fresh = samples(search_process)
    search(search_process, query, limit=5)
    again = samples(search_process)
    assert moved(fresh, again, codec, cache="query_vectors", operation="deserialize") == 1
    assert moved(fresh, again, codec, cache="query_vectors", operation="serialize") == 0
    assert word not in httpx.get(f"{search_process.url}/metrics", timeout=10).text


def test_the_pool_gauges_count_this_workers_connections(search_process: ServiceProcess) -> None:
    search(search_process, f"villa in Sheikh Zayed {uuid.uuid4().hex[:8]}")
    figures = samples(search_process)
    assert value(figures, "osool_db_pool_max_connections") == POOL_MAX
    in_use = value(figures, "osool_db_pool_connections", state="in_use")
    idle = value(figures, "osool_db_pool_connections", state="idle")
    # Nothing holds a connection between two requests; the search left its connections open and idle.
    assert in_use == 0 and 1 <= idle <= POOL_MAX
