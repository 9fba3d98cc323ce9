"""The monitoring jobs on the real stack: RED from every replica's /metrics, the database report's findings on a table
built to have them, the performance analysis against a baseline, the cache and cost reports, incidents, and the
routes that show them to operators (service key or admin) and to nobody else."""

from __future__ import annotations

import itertools
import os
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack import observability
from devstack.fakes import FakeOpenAI
from devstack.stack import LocalStack
from devstack.testing import ServiceProcess, admin_headers, service_headers, user_headers
from osool_monitoring.settings import Settings

pytestmark = pytest.mark.stack
T = TypeVar("T")


def wait_for(check: Callable[[], T | None], timeout: float = 45, what: str = "") -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}: {value!r}"
        time.sleep(0.5)


@pytest.fixture(scope="module")
def ops(stack: LocalStack) -> Iterator[ServiceProcess]:
    """A monitoring replica beside the stack's own, with every job every few seconds."""
    process = ServiceProcess(
        stack, "osool_monitoring",
        MONITORING_HEALTH_INTERVAL_SECONDS="1", MONITORING_RED_INTERVAL_SECONDS="2",
        MONITORING_DATABASE_REPORT_INTERVAL_SECONDS="4", MONITORING_PERFORMANCE_INTERVAL_SECONDS="4",
        MONITORING_CACHE_REPORT_INTERVAL_SECONDS="4", MONITORING_COST_REPORT_INTERVAL_SECONDS="4",
        MONITORING_BASELINE_PUBLISH_SECONDS="2", MONITORING_UNUSED_INDEX_MIN_HOURS="0",
        MONITORING_TARGETS_FILE=str(observability.targets_file(stack.config)),
    ).start()  # fmt: skip
    yield process
    process.stop()


@pytest.fixture(scope="module")
def db(stack_env: dict[str, str]) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(stack_env["DATABASE_URL"], autocommit=True) as connection:
        yield connection


def finished_runs(db: psycopg.Connection[Any], job: str, after: datetime) -> int:
    row = db.execute(
        "SELECT count(*) FROM monitoring.job_runs WHERE job = %s AND started_at > %s AND finished_at IS NOT NULL",
        (job, after),
    ).fetchone()
    return int(row[0]) if row else 0


def latest_report(db: psycopg.Connection[Any], kind: str, after: datetime) -> dict[str, Any] | None:
    row = db.execute(
        "SELECT id, summary, findings FROM monitoring.reports WHERE kind = %s AND created_at > %s "
        "ORDER BY created_at DESC LIMIT 1",
        (kind, after),
    ).fetchone()
    return {"id": row[0], "summary": row[1], "findings": row[2]} if row else None


def test_red_counts_every_request_of_a_route_across_replicas(
    stack: LocalStack, ops: ServiceProcess, db: psycopg.Connection[Any]
) -> None:
    started = datetime.now(UTC)
    wait_for(lambda: finished_runs(db, "red@2s", started) >= 1, what="a RED run")
    after_first = datetime.now(UTC)
    sent = 9
    for _ in range(sent):
        httpx.get(f"{stack.config.public_url}/api/market/stats", timeout=10)
    # Two runs later every replica's counters of those requests have been read (the gateway spread them).
    wait_for(lambda: finished_runs(db, "red@2s", after_first) >= 2, what="two more RED runs")

    def counted() -> int:
        row = db.execute(
            "SELECT COALESCE(sum(requests), 0) FROM monitoring.red_samples "
            "WHERE service = 'search' AND route = '/api/market/stats' AND at > %s",
            (after_first,),
        ).fetchone()
        return int(row[0]) if row else 0

    assert counted() == sent
    # Each replica of the targets file read on its own (a monitoring process of another test module, started without
    # the targets file, may have read search once through the gateway too: its row is `gateway`).
    replicas = {row[0] for row in db.execute("SELECT replica FROM monitoring.red_readings WHERE service = 'search'")}
    assert replicas - {"gateway"} == {str(index + 1) for index in range(len(stack.config.replica_ports["search"]))}

    # The view: RED per service and route with quantiles, the slowest routes, for the service key and admins only.
    view = httpx.get(
        f"{stack.config.internal_url}/monitoring/metrics/performance", params={"minutes": 10},
        headers=service_headers(stack), timeout=10,
    )  # fmt: skip
    assert view.status_code == 200, view.text
    body = view.json()
    route = next(r for r in body["routes"] if r["service"] == "search" and r["route"] == "/api/market/stats")
    assert route["requests"] >= sent and 0 < route["p50_ms"] <= route["p95_ms"] <= route["p99_ms"] <= 10_000
    search = next(s for s in body["services"] if s["service"] == "search")
    assert search["requests"] >= route["requests"] and search["rate_per_second"] > 0
    assert body["slowest"] and all(r["route"] not in ("/health", "/metrics") for r in body["slowest"])
    assert body["slowest"] == sorted(body["slowest"], key=lambda r: r["p95_ms"], reverse=True)
    public = f"{stack.config.public_url}/metrics/performance"
    assert httpx.get(public, headers=admin_headers(stack), timeout=10).status_code == 200
    assert httpx.get(public, timeout=10).status_code == 401
    assert httpx.get(public, headers=user_headers(stack), timeout=10).status_code == 403
    bad = httpx.get(public, params={"minutes": 0}, headers=admin_headers(stack), timeout=10)
    assert bad.status_code == 422 and bad.json()["error"]["code"]


def test_the_series_gives_each_services_traffic_per_minute_without_the_probes(
    stack: LocalStack, ops: ServiceProcess, db: psycopg.Connection[Any]
) -> None:
    started = datetime.now(UTC)
    wait_for(lambda: finished_runs(db, "red@2s", started) >= 1, what="a RED run")
    after_first = datetime.now(UTC)
    for _ in range(7):
        httpx.get(f"{stack.config.public_url}/api/market/stats", timeout=10)
    wait_for(lambda: finished_runs(db, "red@2s", after_first) >= 2, what="two more RED runs")
    admin = admin_headers(stack)
    answer = httpx.get(f"{ops.url}/api/monitoring/performance/series", params={"minutes": 10}, headers=admin,
                       timeout=10)  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["window"]["step_seconds"] == 60
    times = [datetime.fromisoformat(value) for value in body["times"]]
    assert len(times) in (10, 11) and all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(times))
    assert times[0].second == 0 and times[0].microsecond == 0  # minute bins on the clock, the same at every call
    search = next(s for s in body["services"] if s["service"] == "search")
    assert all(len(search[key]) == len(times) for key in ("requests", "rate_per_second", "errors", "p95_ms"))
    assert search["total"]["requests"] >= 7 and search["total"]["requests"] == sum(n or 0 for n in search["requests"])
    assert search["total"]["p95_ms"] and search["total"]["rate_per_second"]
    assert all(p95 for n, p95 in zip(search["requests"], search["p95_ms"], strict=True) if n)
    # Probes and scrapes are left out: the total is what the samples hold for search's other routes, to the row.
    row = db.execute(
        "SELECT sum(requests) FILTER (WHERE route NOT IN ('/health', '/health/live', '/health/ready', '/metrics', "
        "'<unmatched>')), sum(requests) FROM monitoring.red_samples WHERE service = 'search' AND at > %s AND at <= %s",
        (datetime.fromisoformat(body["window"]["from"]), datetime.fromisoformat(body["window"]["to"])),
    ).fetchone()
    assert row is not None and search["total"]["requests"] == row[0] < row[1]

    public = f"{stack.config.public_url}/api/monitoring/performance/series"
    assert httpx.get(public, headers=admin, timeout=10).status_code == 200
    assert httpx.get(public, timeout=10).status_code == 401
    assert httpx.get(public, headers=user_headers(stack), timeout=10).status_code == 403
    bad = httpx.get(public, params={"minutes": 20000}, headers=admin, timeout=10)
    assert bad.status_code == 422 and bad.json()["error"]["code"]


@pytest.fixture(scope="module")
def probe_table(db: psycopg.Connection[Any]) -> Iterator[str]:
    """A table with what the report must find: an index never used, a duplicate, sequential scans filtering an
    unindexed column, and half its rows dead."""
    db.execute("DROP SCHEMA IF EXISTS report_probe CASCADE")
    db.execute("CREATE SCHEMA report_probe")
    db.execute(
        "CREATE TABLE report_probe.listings (id bigint PRIMARY KEY, city text, price bigint, agent_code text) "
        "WITH (autovacuum_enabled = false)"
    )
    db.execute(
        "INSERT INTO report_probe.listings SELECT g, 'city-' || (g % 50), g * 1000, 'agent-' || (g % 997) "
        "FROM generate_series(1, 20000) g"
    )
    db.execute("CREATE INDEX listings_price_never_used ON report_probe.listings (price)")
    db.execute("CREATE INDEX listings_city ON report_probe.listings (city)")
    db.execute("CREATE INDEX listings_city_again ON report_probe.listings (city)")
    db.execute("ANALYZE report_probe.listings")
    for _ in range(6):
        db.execute("SELECT count(*) FROM report_probe.listings WHERE agent_code = 'agent-7'").fetchone()
    db.execute("UPDATE report_probe.listings SET price = price + 1 WHERE id % 2 = 0")
    time.sleep(1.5)  # statistics reach the cumulative stats system when the backend is idle
    yield "report_probe.listings"
    db.execute("DROP SCHEMA IF EXISTS report_probe CASCADE")


def test_the_database_report_names_real_findings_with_recommendations(
    stack: LocalStack, ops: ServiceProcess, db: psycopg.Connection[Any], probe_table: str
) -> None:
    ready = datetime.now(UTC)

    def report() -> dict[str, Any] | None:
        found = latest_report(db, "database", ready)
        if found is None:
            return None
        objects = {(f["kind"], f["object"]) for f in found["findings"]}
        wanted = {
            ("unused_index", "report_probe.listings_price_never_used"),
            ("duplicate_index", "report_probe.listings_city_again"),
            ("sequential_scans", probe_table),
            ("bloat", probe_table),
        }
        return found if wanted <= objects else None

    found = wait_for(report, timeout=60, what="a database report with the probe's findings")
    by_kind = {f["kind"]: f for f in found["findings"] if probe_table in f["object"] or f["object"] == probe_table}
    assert found["summary"]["pg_stat_statements"] == "on"
    assert found["summary"]["statements_by_total_time"] and found["summary"]["connections"]["total"] >= 1
    assert 0 < found["summary"]["cache_hit_ratio"] <= 1
    scans = by_kind["sequential_scans"]
    assert scans["suggested_column"] == "agent_code" and scans["seq_scans"] >= 6 and scans["live_rows"] >= 10_000
    assert scans["recommendation"].startswith(f"CREATE INDEX CONCURRENTLY ON {probe_table} (agent_code);")
    bloat = by_kind["bloat"]
    assert bloat["dead_rows"] == 10_000 and bloat["dead_ratio"] >= 0.2
    rows = bloat["dead_rows"] + bloat["live_rows"]
    assert bloat["dead_ratio"] == pytest.approx(bloat["dead_rows"] / rows, abs=1e-3)
    assert bloat["recommendation"].startswith(f"VACUUM (ANALYZE) {probe_table};")
    unused = next(f for f in found["findings"] if f["object"] == "report_probe.listings_price_never_used")
    assert unused["recommendation"].startswith("DROP INDEX CONCURRENTLY report_probe.listings_price_never_used;")
    duplicate = next(f for f in found["findings"] if f["object"] == "report_probe.listings_city_again")
    assert duplicate["covered_by"] == "report_probe.listings_city"

    # /metrics/database is the latest report; the status says when it ran and what it found.
    latest = httpx.get(
        f"{stack.config.internal_url}/monitoring/metrics/database", headers=service_headers(stack), timeout=10
    )
    assert latest.status_code == 200 and latest.json()["kind"] == "database" and latest.json()["findings"]
    asked = time.time()
    status = httpx.get(f"{stack.config.public_url}/api/monitoring/database-optimization/status",
                       headers=admin_headers(stack), timeout=10)  # fmt: skip
    answered = time.time()
    assert status.status_code == 200, status.text
    # The next run begins as the next period opens (the jobs fire at their periods' starts): the stack's replica
    # answers, at its default hour.
    upcoming = status.json()["next_run_in_seconds"]
    hour = Settings.model_fields["monitoring_database_report_interval_seconds"].default
    assert 0 < upcoming <= hour and (answered + upcoming) % hour < 1 + answered - asked, (asked, answered, upcoming)
    assert status.json()["last_run_at"] and status.json()["findings"] >= 4 and status.json()["top"]
    assert all(item["recommendation"] for item in status.json()["top"])
    assert httpx.get(f"{stack.config.public_url}/api/monitoring/database-optimization/status",
                     headers=user_headers(stack), timeout=10).status_code == 403  # fmt: skip


def _samples(at: datetime, requests: int, errors: int, slow_from: float) -> tuple[Any, ...]:
    """Requests of the probe route, all in the bucket just above `slow_from` seconds."""
    from osool_monitoring.red import BOUNDS

    index = BOUNDS.index(slow_from) + 1
    buckets = [0] * index + [requests] * (len(BOUNDS) - index)
    return (at, "probe", "/probe", "GET", 60, requests, errors, requests * slow_from, buckets)


def test_the_analysis_finds_a_route_that_rose_and_the_baseline_is_published(
    stack: LocalStack, ops: ServiceProcess, db: psycopg.Connection[Any]
) -> None:
    now = datetime.now(UTC)
    yesterday = (now - timedelta(days=1)).date()
    db.execute(
        f"CREATE TABLE IF NOT EXISTS monitoring.red_samples_{yesterday:%Y%m%d} PARTITION OF monitoring.red_samples "
        f"FOR VALUES FROM ('{yesterday}') TO ('{yesterday + timedelta(days=1)}')"
    )
    db.execute("DELETE FROM monitoring.red_samples WHERE service = 'probe'")
    with db.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO monitoring.red_samples (at, service, route, method, seconds, requests, errors, duration_sum,"
            " buckets) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [_samples(now - timedelta(days=1, minutes=m), 50, 0, 0.005) for m in range(4)]  # 7-day baseline: fast
            + [_samples(now - timedelta(minutes=30 + m), 40, 4, 0.1) for m in range(3)],  # last 6 h: slower, failing
        )
    inserted = datetime.now(UTC)

    def analysis() -> dict[str, Any] | None:
        found = latest_report(db, "performance", inserted)
        return found if found and any(f["route"] == "/probe" for f in found["findings"]) else None

    found = wait_for(analysis, what="a performance analysis naming the probe route")
    rose = {f["kind"]: f for f in found["findings"] if f["route"] == "/probe"}
    assert rose["latency_rose"]["baseline_p95_ms"] < 10 < 100 < rose["latency_rose"]["p95_ms"] <= 250
    assert rose["latency_rose"]["requests"] == 120 and rose["latency_rose"]["baseline_requests"] == 200
    assert rose["errors_rose"]["errors"] == 12 and rose["errors_rose"]["error_ratio"] == 0.1
    assert "/probe on probe" in rose["latency_rose"]["recommendation"]

    # The daily recalibration (the cost job) stores each route's 7-day p95, and every replica publishes it.
    def baseline() -> float | None:
        row = db.execute(
            "SELECT p95_seconds FROM monitoring.route_baselines WHERE service = 'probe' AND route = '/probe' "
            "AND computed_at > %s",
            (inserted,),
        ).fetchone()
        return float(row[0]) if row else None

    p95 = wait_for(baseline, what="the probe route's baseline")
    assert 0.1 < p95 <= 0.25  # 320 requests: 200 fast ones and 120 slow ones put the 95th among the slow

    def published() -> float | None:
        text = httpx.get(f"{ops.url}/metrics", timeout=10).text
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "osool_monitoring_route_p95_baseline_seconds" and sample.labels == {
                    "service": "probe", "route": "/probe", "method": "GET"
                }:  # fmt: skip
                    return sample.value
        return None

    # The gauge LatencyP95High compares each route's p95 with (same service, route and method).
    assert wait_for(published, what="the baseline gauge") == pytest.approx(p95, rel=1e-4)
    db.execute("DELETE FROM monitoring.red_samples WHERE service = 'probe'")


def test_the_cache_report_measures_the_search_caches(
    stack: LocalStack, ops: ServiceProcess, db: psycopg.Connection[Any]
) -> None:
    body = {"query": f"villa with a garden in Sheikh Zayed {time.time_ns()}", "limit": 5}
    for _ in range(3):  # a miss, then hits
        assert httpx.post(f"{stack.config.public_url}/api/properties/search", json=body, timeout=30).status_code == 200
    after = datetime.now(UTC)

    def report() -> dict[str, Any] | None:
        found = latest_report(db, "cache", after)
        if not found:
            return None
        caches = {c["cache"]: c for c in found["summary"]["caches"]}
        return found if (caches["search results"]["hits"] or 0) >= 2 else None

    found = wait_for(report, what="a cache report after the searches")
    caches = {c["cache"]: c for c in found["summary"]["caches"]}
    results, vectors = caches["search results"], caches["query vectors"]
    assert results["keys"] >= 1 and results["memory_bytes"] > 0 and 0 < results["hit_ratio"] <= 1
    assert vectors["keys"] >= 1 and vectors["memory_bytes"] > 0
    assert found["summary"]["used_memory_bytes"] > 0 and found["summary"]["maxmemory_policy"]


def test_the_cost_report_reads_the_agents_meter(
    stack: LocalStack, ops: ServiceProcess, db: psycopg.Connection[Any]
) -> None:
    fake = FakeOpenAI()
    with fake.server:
        agent = ServiceProcess(
            stack, "osool_agent", AGENT_BRAIN="openai", OPENAI_API_KEY="sk-test-osool",
            OPENAI_BASE_URL=fake.base_url, AGENT_MODEL="gpt-4o-mini",
        ).start()  # fmt: skip
        try:
            turn = httpx.post(f"{agent.url}/api/chat", json={"message": "an apartment in Maadi under 5M"},
                              headers={"Accept": "application/json"}, timeout=60)  # fmt: skip
            assert turn.status_code == 200, turn.text
        finally:
            agent.stop()
    after = datetime.now(UTC)
    meter = httpx.get(f"{stack.config.public_url}/api/agent/costs", headers=admin_headers(stack), timeout=10).json()
    assert meter["spent_today_usd"] > 0
    found = wait_for(lambda: latest_report(db, "cost", after), what="a cost report")
    summary = found["summary"]
    assert summary["days"] == 7 and summary["total_usd"] >= meter["spent_today_usd"] > 0
    assert "gpt-4o-mini" in summary["by_model"] and summary["calls"] >= 1 and summary["tokens"]["input"] > 0
    assert summary["history"][0]["budget_used_pct"] == pytest.approx(
        100 * summary["history"][0]["total_usd"] / meter["budget_usd"], abs=0.01
    )
    live = httpx.get(f"{stack.config.public_url}/api/monitoring/costs", headers=admin_headers(stack), timeout=10)
    assert live.status_code == 200 and live.json()["source"] == "live"
    assert live.json()["summary"]["spent_today_usd"] >= meter["spent_today_usd"]
    assert httpx.get(f"{stack.config.public_url}/api/monitoring/costs", timeout=10).status_code == 401


def test_an_incident_opens_and_closes_and_the_detailed_health_shows_the_jobs(
    stack: LocalStack, ops: ServiceProcess
) -> None:
    admin = admin_headers(stack)
    node = stack.program_pid("chain-node")
    os.kill(node, signal.SIGSTOP)  # chain's node check fails: chain degraded

    def open_incident() -> dict[str, Any] | None:
        items = httpx.get(f"{stack.config.public_url}/api/monitoring/incidents", params={"open": "true"},
                          headers=admin, timeout=10).json()["items"]  # fmt: skip
        return next((i for i in items if i["service"] == "chain"), None)

    try:
        incident = wait_for(open_incident, what="chain's incident")
        detailed = httpx.get(f"{ops.url}/health/detailed", headers=service_headers(stack), timeout=10)
        assert detailed.status_code == 200 and detailed.json()["open_incidents"] >= 1
        assert detailed.json()["status"] != "healthy"
    finally:
        os.kill(node, signal.SIGCONT)
    assert incident["ended_at"] is None and incident["worst_status"] in ("degraded", "unhealthy")

    def closed() -> dict[str, Any] | None:
        items = httpx.get(f"{stack.config.public_url}/api/monitoring/incidents", headers=admin, timeout=10).json()
        return next((i for i in items["items"] if i["id"] == incident["id"] and i["ended_at"]), None)

    ended = wait_for(closed, what="the incident closed")
    assert ended["lasted_seconds"] > 0
    jobs = {j["job"]: j for j in httpx.get(f"{ops.url}/health/detailed", headers=service_headers(stack),
                                           timeout=10).json()["jobs"]}  # fmt: skip
    assert {"health", "red", "database-report", "performance-analysis", "cache-report", "cost-report"} <= set(jobs)
    assert httpx.get(f"{ops.url}/health/detailed", timeout=10).status_code == 401


def test_reports_are_listed_and_read_by_admins(stack: LocalStack, ops: ServiceProcess) -> None:
    admin = admin_headers(stack)
    listed = httpx.get(f"{stack.config.public_url}/api/monitoring/reports", params={"kind": "database"},
                       headers=admin, timeout=10)  # fmt: skip
    assert listed.status_code == 200 and listed.json()["items"]
    assert {item["kind"] for item in listed.json()["items"]} == {"database"}
    first = listed.json()["items"][0]
    one = httpx.get(f"{stack.config.public_url}/api/monitoring/reports/{first['id']}", headers=admin, timeout=10)
    assert one.status_code == 200 and len(one.json()["findings"]) == first["finding_count"]
    missing = httpx.get(f"{stack.config.public_url}/api/monitoring/reports/999999999", headers=admin, timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = httpx.get(f"{stack.config.public_url}/api/monitoring/reports", params={"kind": "bogus"}, headers=admin)
    assert bad.status_code == 422
    forbidden = httpx.get(f"{stack.config.public_url}/api/monitoring/reports", headers=user_headers(stack))
    assert forbidden.status_code == 403


async def test_indexes_are_not_called_unused_before_enough_statistics(
    stack_env: dict[str, str], probe_table: str
) -> None:
    import asyncpg

    from osool_monitoring.database import DatabaseReport

    pool = await asyncpg.create_pool(stack_env["DATABASE_URL"], min_size=1, max_size=2)
    try:
        summary, findings, duration = await DatabaseReport(pool, unused_index_min_hours=10_000).run()
        judged, _, _ = await DatabaseReport(pool, unused_index_min_hours=0).run()
    finally:
        await pool.close()
    assert summary["unused_indexes"].startswith("not judged yet")
    assert not [f for f in findings if f["kind"] == "unused_index"]
    assert [f for f in findings if f["kind"] == "duplicate_index"]  # a duplicate needs no waiting
    assert "unused_indexes" not in judged and duration > 0
