"""The health job's record, one statement against the real database: samples kept, each service's state and since,
a change logged only when the state moves, and an incident that opens on leaving healthy, keeps the worst status it
reached and closes when healthy again."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import pytest

from osool_monitoring.health import HealthHistory

pytestmark = pytest.mark.stack


@pytest.fixture
def history(monitoring_pool: asyncpg.Pool) -> HealthHistory:
    return HealthHistory(monitoring_pool, retention_days=30)


def reading(service: str, status: str, checks: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"service": service, "status": status, "http_status": 200 if status == "healthy" else 503,
            "latency_ms": 1.5, "checks": checks or {"database": {"status": status}}}  # fmt: skip


@pytest.fixture
async def probes(history: HealthHistory) -> AsyncIterator[tuple[str, str]]:
    """Two service names of this test's own (changes come back ordered by service), gone from every table after it:
    the stack is shared, and a probe left unreachable would keep the status page from ever being all healthy."""
    tag = uuid.uuid4().hex[:8]
    names = [f"probe-{tag}-1", f"probe-{tag}-2"]
    yield names[0], names[1]
    for statement in (
        "DELETE FROM incidents WHERE service = ANY($1::text[])",
        "DELETE FROM service_states WHERE service = ANY($1::text[])",
        "DELETE FROM state_changes WHERE service = ANY($1::text[])",
        "DELETE FROM health_samples WHERE service = ANY($1::text[])",
    ):
        await history.pool.execute(statement, names)


async def test_states_changes_and_incidents_move_with_the_readings(
    history: HealthHistory, probes: tuple[str, str]
) -> None:
    one, other = probes
    start = datetime.now(UTC).replace(microsecond=0)
    steps = [
        ("healthy", "healthy"),
        ("degraded", "healthy"),
        ("unhealthy", "healthy"),
        ("degraded", "unreachable"),
        ("healthy", "unreachable"),
    ]
    changes = []
    for index, (first, second) in enumerate(steps):
        at = start + timedelta(seconds=15 * index)
        await history.partitions.ensure(at.date())
        changes.append(await history.record([reading(one, first, {"step": index}), reading(other, second)], at))
    assert changes == [
        [(one, None, "healthy"), (other, None, "healthy")],
        [(one, "healthy", "degraded")],
        [(one, "degraded", "unhealthy")],
        [(one, "unhealthy", "degraded"), (other, "healthy", "unreachable")],
        [(one, "degraded", "healthy")],
    ]
    pool = history.pool
    samples = await pool.fetch(
        "SELECT service, status, http_status, checks FROM health_samples WHERE service = $1 ORDER BY checked_at", one
    )
    assert [(r["status"], r["http_status"], r["checks"]) for r in samples] == [
        (status, 200 if status == "healthy" else 503, {"step": i}) for i, (status, _) in enumerate(steps)
    ]
    state = await pool.fetchrow("SELECT * FROM service_states WHERE service = $1", one)
    assert state is not None and state["status"] == "healthy" and state["since"] == start + timedelta(seconds=60)
    assert state["checks"] == {"step": 4}
    still = await pool.fetchrow("SELECT * FROM service_states WHERE service = $1", other)
    assert still is not None and still["since"] == start + timedelta(seconds=45)  # unreachable since its change
    logged = await pool.fetch("SELECT from_status, to_status FROM state_changes WHERE service = $1 ORDER BY id", one)
    assert [(r["from_status"], r["to_status"]) for r in logged] == [
        (None, "healthy"), ("healthy", "degraded"), ("degraded", "unhealthy"), ("unhealthy", "degraded"),
        ("degraded", "healthy"),
    ]  # fmt: skip
    incidents = await pool.fetch(
        "SELECT * FROM incidents WHERE service = ANY($1::text[]) ORDER BY service", [one, other]
    )
    by_service = {r["service"]: r for r in incidents}
    closed = by_service[one]
    # Opened when it left healthy, kept the worst (unhealthy, and the checks of that reading), closed when healthy.
    assert closed["started_at"] == start + timedelta(seconds=15)
    assert (closed["worst_status"], closed["checks"]) == ("unhealthy", {"step": 2})
    assert closed["ended_at"] == start + timedelta(seconds=60)
    open_one = by_service[other]
    assert (open_one["worst_status"], open_one["ended_at"]) == ("unreachable", None)
