"""Search on a read replica: a search process of the test's own, started with DATABASE_REPLICA_URLS on a PostgreSQL
primary and streaming replica of its own, reads searches, listings and market figures from the replica, and does not
cache results while the replica may not have an ingest yet."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

import redis
from devstack.replication import (
    PostgresReplication,
    StandaloneService,
    postgres_replication,
    valkey_server,
    wait_until,
)
from devstack.testing import clean_environ
from osool_common.replicas import CONNECT_TIMEOUT_SECONDS, LAG_CHECK_SECONDS
from osool_search.service import GENERATION_AT_KEY

MAX_LAG = 3.0
# How long after an ingest results are not cached (osool_common.replicas.staleness_bound).
UNCACHED_SECONDS = MAX_LAG + LAG_CHECK_SECONDS + CONNECT_TIMEOUT_SECONDS
DEMO = 300
QUERY = {"query": "apartment in New Cairo", "limit": 5}


@pytest.fixture(scope="module")
def pair() -> Iterator[PostgresReplication]:
    with postgres_replication() as replication:
        yield replication


@pytest.fixture(scope="module")
def search(pair: PostgresReplication) -> Iterator[StandaloneService]:
    with valkey_server() as redis_url:
        service = StandaloneService(
            "osool_search",
            {
                "DATABASE_URL": pair.url(pair.primary),
                "DATABASE_REPLICA_URLS": pair.url(pair.replica),
                "DATABASE_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
                "REDIS_URL": redis_url,
                "OSOOL_SERVICE_KEY": "replica-test-service-key-0123456789",
                "OSOOL_ENV": "test",
                "DEMO_LISTINGS": str(DEMO),
            },
        )
        try:
            service.start()
            ready = lambda: httpx.get(f"{service.url}/health/ready", timeout=5).status_code == 200  # noqa: E731
            wait_until(ready, 180, "search ready with its demo listings", interval=0.5)
            pair.wait_caught_up()
            yield service
        finally:
            service.close()


def metrics(service: StandaloneService) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{service.url}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def reads(service: StandaloneService) -> Counter[str]:
    """osool_db_reads_total as "target/reason"."""
    found: Counter[str] = Counter()
    for (name, labels), value in metrics(service).items():
        if name == "osool_db_reads_total":
            found[f"{dict(labels)['target']}/{dict(labels)['reason']}"] += int(value)
    return found


def searches(service: StandaloneService) -> Counter[str]:
    """osool_search_searches_total by cache result (hit, miss)."""
    found: Counter[str] = Counter()
    for (name, labels), value in metrics(service).items():
        if name == "osool_search_searches_total":
            found[dict(labels)["cache"]] += int(value)
    return found


def get(service: StandaloneService, path: str, **params: Any) -> Any:
    response = httpx.get(f"{service.url}{path}", params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_searches_listings_and_market_figures_are_read_from_the_replica(
    pair: PostgresReplication, search: StandaloneService
) -> None:
    before = reads(search)
    found = httpx.post(f"{search.url}/api/properties/search", json=QUERY, timeout=60)
    assert found.status_code == 200 and found.json()["results"], found.text
    listing = found.json()["results"][0]
    assert get(search, f"/api/properties/{listing['id']}")["price"] == listing["price"]
    assert get(search, f"/api/properties/source/{listing['source_id']}")["id"] == listing["id"]
    assert len(get(search, "/api/properties", limit=5)["results"]) == 5
    assert get(search, "/api/market/stats", location=listing["location"])["count"] > 0
    get(search, "/api/market/comparables", location=listing["location"], type=listing["type"], size_sqm=150)
    moved = reads(search) - before
    # A search is at least two statements (candidates, the page's listings), market stats two, the others one each.
    assert moved["replica/within_lag"] >= 8, moved
    assert set(moved) == {"replica/within_lag"}, moved

    # Proof that the replica answered: with its replay paused, a price changed on the primary is not in the listing
    # read while the lag is within the limit; it is once replay resumes.
    pair.replica.query("SELECT pg_wal_replay_pause()")
    try:
        pair.primary.query("UPDATE search.properties SET price = price + 1000 WHERE id = %s", listing["id"])
        assert get(search, f"/api/properties/{listing['id']}")["price"] == listing["price"]
        assert pair.lag_seconds() < MAX_LAG, "the test was too slow to read within the limit"
    finally:
        pair.replica.query("SELECT pg_wal_replay_resume()")
    new_price = lambda: get(search, f"/api/properties/{listing['id']}")["price"] == listing["price"] + 1000  # noqa: E731
    wait_until(new_price, 10, "the replica replaying the new price")


def seconds_since_ingest(search: StandaloneService) -> float:
    url = search.env["REDIS_URL"]
    with redis.Redis.from_url(url, decode_responses=True) as client:
        stamp = client.get(GENERATION_AT_KEY)
    assert stamp is not None, "no ingest recorded its time"
    return time.time() - float(stamp)


def test_results_are_not_cached_until_the_replicas_can_have_an_ingest(search: StandaloneService) -> None:
    def search_twice() -> Counter[str]:
        before = searches(search)
        for _ in range(2):
            response = httpx.post(f"{search.url}/api/properties/search", json=QUERY, timeout=60)
            assert response.status_code == 200, response.text
        return searches(search) - before

    wait_until(lambda: seconds_since_ingest(search) > UNCACHED_SECONDS, 30, "the demo load's window passed")
    assert search_twice() == Counter({"miss": 1, "hit": 1})  # the cache works with replicas

    # Ten more demo listings, ingested by the command on the primary: the cache's generation moves.
    ingest = subprocess.run(
        [sys.executable, "-m", "osool_search", "load-demo", "--count", str(DEMO + 10), "--json"],
        env={**clean_environ(), **search.env}, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert ingest.returncode == 0, ingest.stderr[-2000:]
    assert '"inserted": 10' in ingest.stdout
    assert seconds_since_ingest(search) < UNCACHED_SECONDS - 1, "the command took too long to test the window"
    assert search_twice() == Counter({"miss": 2})  # a replica may not have the ingest yet: nothing cached

    wait_until(lambda: seconds_since_ingest(search) > UNCACHED_SECONDS, 30, "the ingest's window passed")
    assert search_twice() == Counter({"miss": 1, "hit": 1})
