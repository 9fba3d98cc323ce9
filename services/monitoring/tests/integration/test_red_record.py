"""The RED job's record against the real database: each replica's reading kept, the minute's differences summed over
replicas per route, a reading older than the stored one dropped, a replica that restarted counted from zero; and the
minute's housekeeping finds the old leases by index at the retention's size."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from osool_monitoring.red import BOUNDS, Counters, RedHistory, Target

pytestmark = pytest.mark.stack


@pytest.fixture
async def red(monitoring_pool: asyncpg.Pool) -> RedHistory:
    history = RedHistory(monitoring_pool, retention_days=30)
    await history.partitions.ensure(datetime.now(UTC).date())
    return history


def counters(requests: int, errors: int = 0, route: str = "/api/things") -> Counters:
    """`requests` GETs of a route, all under 5 ms, `errors` of them 5xx."""
    buckets = [float(requests) if bound >= 0.005 else 0.0 for bound in BOUNDS]
    return {f"{route} GET": [float(requests), float(errors), requests * 0.002, *buckets]}


async def test_the_minute_sums_every_replicas_difference(red: RedHistory) -> None:
    service = f"probe-{uuid.uuid4().hex[:8]}"
    one, two, three = (Target(service, replica, None) for replica in ("1", "2", "3"))
    start = datetime.now(UTC)
    try:
        first = [(one, counters(10), start), (two, counters(5), start), (three, counters(7), start)]
        assert await red.record(first, start) == 0  # a first reading has nothing to compare with
        later = start + timedelta(seconds=60)
        readings = [
            (one, counters(16, errors=2), later),  # 6 more, 2 of them errors
            (two, counters(3), later),  # counters went down: restarted, its 3 are new
            (three, counters(99), start - timedelta(seconds=1)),  # older than the stored one: dropped
        ]
        assert await red.record(readings, later) == 1
        rows = await red.pool.fetch(
            "SELECT requests, errors, seconds, buckets FROM red_samples WHERE service = $1 AND at = $2", service, later
        )
        assert [(r["requests"], r["errors"], r["seconds"]) for r in rows] == [(9, 2, 60.0)]
        assert rows[0]["buckets"][-1] == 9 and rows[0]["buckets"][0] == 0
        stored = {
            r["replica"]: (r["read_at"], json.loads(r["counters"]) if isinstance(r["counters"], str) else r["counters"])
            for r in await red.pool.fetch("SELECT * FROM red_readings WHERE service = $1", service)
        }
        assert stored["1"] == (later, counters(16, errors=2)) and stored["2"] == (later, counters(3))
        assert stored["3"] == (start, counters(7))  # the dropped reading left the stored one as it was
    finally:
        await red.pool.execute("DELETE FROM red_samples WHERE service = $1", service)
        await red.pool.execute("DELETE FROM red_readings WHERE service = $1", service)


async def test_the_housekeeping_finds_old_leases_by_index(red: RedHistory) -> None:
    """A health lease every 15 s for 30 days and a minute, as the minute's DELETE finds them at steady state: it reads
    the index for the minute past the retention, not the whole table."""
    job = f"probe-{uuid.uuid4().hex[:8]}@15s"
    async with red.pool.acquire() as connection:
        try:
            await connection.execute(
                """INSERT INTO job_runs (job, period, runner, started_at, finished_at)
                   SELECT $1, p, 'test', now() - p * interval '15 seconds', now() - p * interval '15 seconds'
                   FROM generate_series(1, 30 * 24 * 60 * 4 + 4) AS p""",
                job,
            )
            await connection.execute("ANALYZE job_runs")
            plan = await connection.fetchval(
                "EXPLAIN (FORMAT JSON) DELETE FROM job_runs WHERE started_at < now() - make_interval(days => 30)"
            )
        finally:
            await connection.execute("DELETE FROM job_runs WHERE job = $1", job)
    text = json.dumps(plan)
    assert "job_runs_started" in text and "Seq Scan" not in text, text
