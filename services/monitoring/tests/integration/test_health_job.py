"""The health job: two monitoring replicas schedule it every second and it runs once per period (the lease), the
other takes over when the runner dies, every service's state is kept with its history, and a change is recorded."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import psycopg
import pytest

from devstack.config import SERVICES
from devstack.stack import LocalStack
from devstack.testing import ServiceProcess, admin_headers, service_headers, user_headers

pytestmark = pytest.mark.stack
JOB = "health@1s"


@pytest.fixture(scope="module")
def replicas(stack: LocalStack) -> Iterator[list[ServiceProcess]]:
    started = [
        ServiceProcess(stack, "osool_monitoring", MONITORING_HEALTH_INTERVAL_SECONDS="1").start() for _ in range(2)
    ]
    yield started
    for process in started:
        process.stop()


def runs(stack_env: dict[str, str]) -> list[tuple[int, str, Any]]:
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT period, runner, finished_at FROM monitoring.job_runs WHERE job = %s ORDER BY period", (JOB,)
        ).fetchall()
    return [(int(r[0]), str(r[1]), r[2]) for r in rows]


def test_two_replicas_run_the_job_once_per_period_and_one_takes_over(
    stack: LocalStack, stack_env: dict[str, str], replicas: list[ServiceProcess]
) -> None:
    time.sleep(5)
    before = runs(stack_env)
    assert len(before) >= 3, before
    runners = {runner for _, runner, _ in before}
    periods = [period for period, _, _ in before]
    assert len(periods) == len(set(periods))  # the lease: never two runs of one period
    # Every run reads each service once, and no period runs twice: over a window that starts and ends between two
    # runs, the readings are exactly one per service per run (the stack's own replica runs its minute's job too).
    start = int(time.time()) + 1.5
    time.sleep(start + 4 - time.time() + 1)
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        window = (datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(start + 4, UTC))
        started = connection.execute(
            "SELECT count(*) FROM monitoring.job_runs WHERE job LIKE 'health@%%' AND started_at BETWEEN %s AND %s",
            window,
        ).fetchone()
        readings = connection.execute(
            "SELECT count(*) FROM monitoring.health_samples WHERE checked_at BETWEEN %s AND %s", window
        ).fetchone()
    assert started is not None and readings is not None and started[0] >= 3
    assert readings[0] == started[0] * len(SERVICES), (readings, started)

    # Kill the replica whose worker ran last; the other runs every later period.
    def workers(process: ServiceProcess) -> set[str]:
        pid = process.process.pid
        children = open(f"/proc/{pid}/task/{pid}/children").read().split()
        return {f":{child}" for child in children}

    by_replica = {index: workers(process) for index, process in enumerate(replicas)}
    last_runner = before[-1][1]
    victim_index = next((i for i, pids in by_replica.items() if any(last_runner.endswith(p) for p in pids)), 0)
    replicas[victim_index].stop(signal.SIGKILL)
    killed_at = int(time.time())
    time.sleep(4)
    after = [run for run in runs(stack_env) if run[0] > killed_at]
    assert len(after) >= 2, after
    victim_pids = by_replica[victim_index]
    assert not [runner for _, runner, _ in after if any(runner.endswith(p) for p in victim_pids)], (after, victim_pids)
    assert all(finished is not None for _, _, finished in after[:-1])  # each run finished, none left half-done
    assert runners  # who ran before the kill, for the message of a failure above
    # A run is logged only when it fails: no line from APScheduler for each of these runs.
    log = replicas[1 - victim_index].log.read_text()
    assert '"service.started"' in log and "Running job" not in log and "executed successfully" not in log


def test_every_service_state_and_a_change_recorded(
    stack: LocalStack, stack_env: dict[str, str], replicas: list[ServiceProcess]
) -> None:
    live = next(p for p in replicas if p.process is not None)
    overview = httpx.get(f"{live.url}/metrics/health", headers=service_headers(stack), timeout=10).json()
    assert {s["service"] for s in overview["services"]} == set(SERVICES)
    assert overview["status"] == "healthy", overview
    assert all(s["checks"] for s in overview["services"])
    node = stack.program_pid("chain-node")
    os.kill(node, signal.SIGSTOP)  # chain's node check fails: chain degraded
    try:
        deadline = time.monotonic() + 30
        while True:
            states = {
                s["service"]: s
                for s in httpx.get(f"{live.url}/metrics/health", headers=service_headers(stack), timeout=10).json()[
                    "services"
                ]
            }
            if states["chain"]["status"] == "degraded":
                break
            assert time.monotonic() < deadline, states["chain"]
            time.sleep(0.5)
    finally:
        os.kill(node, signal.SIGCONT)
    assert states["chain"]["checks"]["chain-node"]["status"] == "unhealthy"
    deadline = time.monotonic() + 30
    while True:
        overview = httpx.get(f"{live.url}/metrics/health", headers=service_headers(stack), timeout=10).json()
        changes = [(c["service"], c["from_status"], c["to_status"]) for c in overview["changes"]]
        if ("chain", "degraded", "healthy") in changes:
            break
        assert time.monotonic() < deadline, changes
        time.sleep(0.5)
    assert ("chain", "healthy", "degraded") in changes
    # The same overview for administrators through the public listener (/api/monitoring/status and /metrics/health),
    # and for our tools with the service key on the internal one; nobody else.
    admin = admin_headers(stack)
    for path in ("/api/monitoring/status", "/metrics/health"):
        answer = httpx.get(f"{stack.config.public_url}{path}", headers=admin, timeout=10)
        assert answer.status_code == 200 and {s["service"] for s in answer.json()["services"]} == set(SERVICES)
        assert httpx.get(f"{stack.config.public_url}{path}", timeout=10).status_code == 401
        assert httpx.get(f"{stack.config.public_url}{path}", headers=user_headers(stack), timeout=10).status_code == 403
    internal = httpx.get(f"{stack.config.internal_url}/monitoring/metrics/health", headers=service_headers(stack))
    assert internal.status_code == 200
