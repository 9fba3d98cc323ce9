"""What operators rely on: a dependency outage shows in /health and heals, a dead replica costs no request."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from devstack.config import SERVICES
from devstack.ports import foreign_listeners, process_tree
from devstack.stack import LocalStack

pytestmark = pytest.mark.stack


def _gateway_fail_timeout() -> int:
    """How long the gateway sets a replica aside after a failed request, in seconds (its upstreams' template)."""
    found = re.search(r"fail_timeout=(\d+)s", (Path(__file__).parents[1] / "gateway/nginx/nginx.conf.j2").read_text())
    assert found is not None
    return int(found[1])


def _statuses(stack: LocalStack) -> dict[str, tuple[int, str]]:
    result = {}
    for service in SERVICES:
        health = stack.service_health(service)
        result[service] = (health.http_status, health.status)
    return result


def test_valkey_outage_shows_within_5_seconds_and_heals_without_restart(stack: LocalStack) -> None:
    pids_before = {service: stack.program_pid(f"{service}:{service}-1") for service in SERVICES}
    stack.ctl("stop", "valkey", check=True)
    try:
        started = time.monotonic()
        while True:
            statuses = _statuses(stack)
            if all(code == 503 for code, _ in statuses.values()):
                break
            assert time.monotonic() - started < 5.0, f"still answering after 5s: {statuses}"
            time.sleep(0.2)
        # Redis is critical where rate limits and the chain writer lock live, optional elsewhere.
        assert statuses["auth"] == (503, "unhealthy") and statuses["chain"] == (503, "unhealthy")
        assert statuses["search"] == (503, "degraded") and statuses["agent"] == (503, "degraded")
        ready = httpx.get(f"{stack.config.internal_url}/search/health/ready")
        assert ready.status_code == 503 and ready.json()["checks"]["redis"]["status"] == "unhealthy"
    finally:
        stack.ctl("start", "valkey", check=True)
    started = time.monotonic()
    while not all(code == 200 for code, _ in _statuses(stack).values()):
        assert time.monotonic() - started < 10.0, f"not healthy again: {_statuses(stack)}"
        time.sleep(0.2)
    assert {service: stack.program_pid(f"{service}:{service}-1") for service in SERVICES} == pids_before


async def _flow_requests_while(stack: LocalStack, action: Callable[[], None]) -> list[int | str]:
    """16 clients call search through the gateway for 4 s; `action` runs after 1 s. Returns every outcome."""
    results: list[int | str] = []

    async def client_loop(client: httpx.AsyncClient, stop_at: float) -> None:
        while time.monotonic() < stop_at:
            try:
                response = await client.get(f"{stack.config.internal_url}/search/health/live")
                results.append(response.status_code)
            except httpx.HTTPError as exc:
                results.append(type(exc).__name__)

    async with httpx.AsyncClient(timeout=10) as client:
        stop_at = time.monotonic() + 4.0
        tasks = [asyncio.create_task(client_loop(client, stop_at)) for _ in range(16)]
        await asyncio.sleep(1.0)
        action()
        await asyncio.gather(*tasks)
    return results


def _wait_restarted(stack: LocalStack, program: str, old_pid: int) -> None:
    """Supervisor has a new process for the program, the replica answers on its own port again, and the gateway has
    taken it back (a test that kills the other replica next must not find both down)."""
    deadline = time.monotonic() + 60
    while True:
        status = stack.ctl("status", program).stdout.split()
        if len(status) > 3 and status[1] == "RUNNING" and status[3].rstrip(",") != str(old_pid):
            break
        assert time.monotonic() < deadline, f"{program} was not restarted: {status}"
        time.sleep(0.3)
    service, replica = program.split(":")
    port = stack.config.replica_ports[service][int(replica.rsplit("-", 1)[1]) - 1]
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"{program} does not answer on port {port}"
        time.sleep(0.3)
    # The gateway takes the replica back only once its last failure there is fail_timeout old (nginx counts whole
    # seconds), and then through one probing request at a time until one succeeds: a test that kills the other
    # replica sooner finds no live upstream and gets 502s, as two replicas failing at once would in production.
    time.sleep(_gateway_fail_timeout() + 1)
    for _ in range(6):  # least_conn sends one of these serial requests to the replica taken back, probing it
        assert httpx.get(f"{stack.config.internal_url}/{service}/health/live", timeout=5).status_code == 200


async def test_killing_a_replica_while_requests_flow_fails_no_request(stack: LocalStack) -> None:
    victim = "search:search-1"
    old_pid = stack.program_pid(victim)
    # kill(1)'s default signal, as `kill`, docker stop or a Kubernetes eviction sends it.
    results = await _flow_requests_while(stack, lambda: os.kill(old_pid, signal.SIGTERM))
    assert len(results) > 200
    assert [result for result in results if result != 200] == []
    _wait_restarted(stack, victim, old_pid)  # supervisor brings the replica back


async def test_a_crashed_replica_only_costs_responses_already_on_the_wire(stack: LocalStack) -> None:
    victim = "search:search-2"
    old_pid = stack.program_pid(victim)
    # SIGKILL to the master and its workers, as a crash or the OOM killer would.
    results = await _flow_requests_while(stack, lambda: os.killpg(old_pid, signal.SIGKILL))
    assert len(results) > 200
    failures = [result for result in results if result != 200]
    # Every request the dead replica had not started answering was retried on the other one: no 502, no
    # refused connection. Only a response whose headers had already left can be cut (at most one per client).
    assert all(failure == "RemoteProtocolError" for failure in failures), failures
    assert len(failures) <= 16
    _wait_restarted(stack, victim, old_pid)


def _running(pid: int) -> bool:
    """Neither gone nor a zombie (an orphan's parent becomes PID 1, which may never reap it)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_replica_whose_master_is_killed_hard_comes_back(stack: LocalStack) -> None:
    victim = "search:search-1"
    port = stack.config.replica_ports["search"][0]
    master = stack.program_pid(victim)
    workers = process_tree(master) - {master}
    assert len(workers) == stack.config.workers_of("search")
    # SIGKILL to the master alone, as the OOM killer picks one process: its workers must not live on, serving
    # unsupervised and holding the port the restarted master needs.
    os.kill(master, signal.SIGKILL)
    try:
        deadline = time.monotonic() + 5
        while orphans := {worker for worker in workers if _running(worker)}:
            assert time.monotonic() < deadline, f"workers {sorted(orphans)} outlived their master by 5 s"
            time.sleep(0.1)
    finally:
        for worker in workers:  # nothing left running when the assertion failed
            try:
                os.kill(worker, signal.SIGKILL)
            except ProcessLookupError:
                pass
    _wait_restarted(stack, victim, master)
    assert httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=5).json()["service"] == "search"
    # What answers is the new master's: nothing else listens on the port.
    assert foreign_listeners(port, stack.program_pid(victim)) == []
