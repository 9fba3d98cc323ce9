"""`make chaos`: a mixed workload through the public gateway at a fixed rate while faults are injected one at a time.

A private stack (two replicas of every service, one worker each, lax gateway rate limits, the rules brain, 1,000 demo
listings) gets about 22 requests/s from locust (bench/chaos/workload.py: search, property and market reads, password
sign-ins, chat-history sessions, reads and appends, chain reads, listings registered and reserved, chat turns), and
in turn:

- one replica of each service killed with SIGTERM (replica 1) and with SIGKILL (replica 2, the master alone, as the
  OOM killer would): supervisor restarts it; timed until its own port answers /health/live as the service and its
  /health/ready is 200;
- Valkey, then PostgreSQL, stopped through supervisorctl for 8 s and started again: every replica's /health/ready
  polled on its own port every 250 ms, timed to its first 503 after the stop and to 200 for good after the
  dependency answers again; no replica may have been restarted;
- the embedded chain node frozen (SIGSTOP) for 20 s, then resumed: the chain replicas' /health (their readiness
  does not depend on the node by design: writes wait in the outbox) timed the same way.

Each fault's window runs from its start until the stack is whole again (the next fault starts only then); the
requests that started in it are its figures. Afterwards every acknowledged write is looked up in PostgreSQL and on
chain (bench/chaos/acknowledged.py). The figures, the goals and whether each was met go to bench/results/chaos.json.
About 10 minutes on 2 cores, most of it the faults' windows; the stack's start takes 1 to 3.

Locust runs in its own process (see locustfile.py): it monkey-patches its process with gevent, which the fault
injector's threads, subprocesses and psycopg must not share.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import psycopg

import redis
from bench import common
from bench.chaos import acknowledged, faults, report, workload
from bench.common import private_stack, write_results
from devstack.config import REPO_ROOT, SERVICES, UNLIMITED_RATES
from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from osool_common.service_auth import HEADER as SERVICE_KEY_HEADER

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
# Two replicas of each, so one can die while the other serves; one worker each to leave the 2 cores some room.
REPLICAS = dict.fromkeys(SERVICES, 2)
WORKERS = dict.fromkeys(SERVICES, 1)
STACK_ENV = {"DEMO_LISTINGS": "1000", "AGENT_BRAIN": "rules"}

BASELINE_SECONDS = 15.0
LEAD_SECONDS = 4.0  # load before each fault
KILL_WINDOW_SECONDS = 25.0  # at least, from the window's start
DEPENDENCY_DOWN_SECONDS = 8.0
NODE_FROZEN_SECONDS = 20.0
AFTER_RETURN_SECONDS = 5.0  # load (and polling) go on this long after the stack is ready again
SETTLE_TIMEOUT_SECONDS = 60.0
SIGN_IN_USERS = 3
HISTORY_SESSIONS = 12
# The agent allows 20 turns a minute per session; 4 sessions take the chat stream's 15 with room to spare.
CHAT_SESSIONS = 4
CHAIN_READ_LISTINGS = 8


# -- setup ----------------------------------------------------------------------------------------------------------
def create_admins(stack: LocalStack, count: int) -> list[dict[str, str]]:
    """The admin role lets the staff account write to the chain (bench.common.create_admins)."""
    return common.create_admins(stack.config.env_file, count, "chaos")


def prepare(stack: LocalStack, env: dict[str, str], work: Path) -> Path:
    """The plan the locustfile reads: accounts, a staff token, sessions, listing ids, and listings on chain."""
    accounts = create_admins(stack, SIGN_IN_USERS + 1)
    staff, sign_in_users = accounts[0], accounts[1:]
    with httpx.Client(base_url=stack.config.public_url, timeout=30) as api:
        login = api.post("/api/auth/login", json=staff)
        login.raise_for_status()
        token = login.json()["access_token"]

        def session() -> dict[str, str]:
            created = api.post("/api/history/sessions", json={"title": "chaos"})
            created.raise_for_status()
            return {"id": created.json()["id"], "secret": created.json()["secret"]}

        property_ids: list[str] = []
        for query in ("apartment in New Cairo", "villa in Sheikh Zayed", "chalet", "townhouse", "duplex"):
            found = api.post("/api/properties/search", json={"query": query, "limit": 20})
            found.raise_for_status()
            property_ids += [str(result["id"]) for result in found.json()["results"]]
        if not property_ids:
            raise RuntimeError("search found no demo listings")
        chain_refs = [f"chaos-read-{uuid.uuid4().hex[:12]}" for _ in range(CHAIN_READ_LISTINGS)]
        for ref in chain_refs:
            registered = api.post(
                "/api/chain/listings",
                json={"listing_id": ref, "document_hash": "0x" + secrets.token_hex(32), "price_egp": 5_000_000},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"chaos-{uuid.uuid4().hex}"},
            )
            registered.raise_for_status()
        deadline = time.monotonic() + 120
        pending = list(chain_refs)
        while pending:
            if time.monotonic() > deadline:
                raise RuntimeError(f"listings not indexed on chain: {pending}")
            pending = [ref for ref in pending if api.get(f"/api/chain/listings/{ref}").status_code != 200]
            time.sleep(0.5)
        plan = {
            "public_url": stack.config.public_url,
            "internal_url": stack.config.internal_url,
            "service_key_header": SERVICE_KEY_HEADER,
            "service_key": env["OSOOL_SERVICE_KEY"],
            "staff": staff,
            "staff_token": token,
            "sign_in_users": sign_in_users,
            "history_sessions": [session() for _ in range(HISTORY_SESSIONS)],
            "chat_sessions": [session() for _ in range(CHAT_SESSIONS)],
            "property_ids": sorted(set(property_ids)),
            "chain_refs": chain_refs,
        }
    path = work / "plan.json"
    path.touch(mode=0o600)  # it holds the service key and passwords
    path.write_text(json.dumps(plan))
    return path


# -- the load -------------------------------------------------------------------------------------------------------
@contextmanager
def load(plan: Path, work: Path) -> Iterator[Path]:
    """Locust headless in its own process for as long as the block runs; yields the records file. At the end the
    users finish the request in hand (a stop file), then the process is stopped."""
    records, stop, log = work / "records.jsonl", work / "stop", work / "locust.log"
    users = workload.total_users()
    argv = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        "40m",
        "--only-summary",
        "--loglevel",
        "WARNING",
    ]
    environ = {
        **os.environ,
        "CHAOS_PLAN": str(plan),
        "CHAOS_RECORDS": str(records),
        "CHAOS_STOP": str(stop),
        "PYTHONPATH": str(REPO_ROOT),
    }
    with log.open("w") as output:
        process = subprocess.Popen(argv, stdout=output, stderr=subprocess.STDOUT, env=environ, cwd=REPO_ROOT)
    try:
        deadline = time.monotonic() + 60
        while not (records.exists() and records.stat().st_size > 0):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"locust did not start; see {log}:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield records
        if process.poll() is not None:
            raise RuntimeError(f"locust stopped during the run ({process.returncode}):\n{log.read_text()[-3000:]}")
    finally:
        stop.touch()
        time.sleep(workload.REQUEST_TIMEOUT_SECONDS + 2)
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def read_records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


# -- the faults -----------------------------------------------------------------------------------------------------
def settle(stack: LocalStack, timeout: float = SETTLE_TIMEOUT_SECONDS) -> float | None:
    """Wait until every replica's own /health/ready is 200; the time it took, or None."""
    started = time.time()
    targets = faults.replica_targets(stack, "/health/ready")
    while time.time() - started < timeout:
        if all(faults.http_status(url)[0] == 200 for url in targets.values()):
            return round(time.time() - started, 2)
        time.sleep(0.5)
    return None


def hold_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.time()))


def baseline() -> dict[str, Any]:
    started = time.time()
    hold_until(started + BASELINE_SECONDS)
    return {"fault": {"name": "baseline (no fault)", "type": "none"}, "window": [started, time.time()]}


def replica_kill(stack: LocalStack, service: str, index: int, sig: signal.Signals) -> dict[str, Any]:
    started = time.time()
    hold_until(started + LEAD_SECONDS)
    killed_at = time.time()
    replica = faults.kill_replica(stack, service, index, sig)
    back = replica["ready_again_after_s"]
    # The load goes on while the replica is back, so a restarted replica's first requests count too.
    hold_until(max(started + KILL_WINDOW_SECONDS, killed_at + (back or 0) + AFTER_RETURN_SECONDS))
    settled = settle(stack)
    name = f"{faults.program_name(service, index).split(':')[1]} {sig.name}"
    return {
        "fault": {"name": name, "type": "replica_kill", "service": service, "signal": sig.name},
        "window": [started, time.time()],
        "replica": replica,
        "stack_ready_again_after_s": settled,
    }


def dependency(
    stack: LocalStack,
    name: str,
    stop: Callable[[], None],
    start: Callable[[], None],
    probe: Callable[[], bool],
    *,
    down_seconds: float,
    watched: str,
    services: tuple[str, ...] = SERVICES,
    also_ready: bool = False,
) -> dict[str, Any]:
    """Stop a dependency, keep it down, bring it back; readiness of every replica polled throughout."""
    pids_before = faults.program_pids(stack)
    started = time.time()
    targets = faults.replica_targets(stack, watched, services)
    ready_targets = faults.replica_targets(stack, "/health/ready", services) if also_ready else {}
    with faults.Poller(targets) as poller, faults.Poller(ready_targets) as ready_poller:
        hold_until(started + LEAD_SECONDS)
        stopped_at = time.time()
        stop()
        hold_until(stopped_at + down_seconds)
        with faults.Background(start):
            returned_at = faults.wait_answering(probe, timeout=60)
        if returned_at is None:
            raise RuntimeError(f"{name} did not come back within 60 s")
        deadline = time.time() + 30
        while not poller.all_ready_since(time.time() - 0.5) and time.time() < deadline:
            time.sleep(0.25)
        hold_until(time.time() + AFTER_RETURN_SECONDS)
    pids_after = faults.program_pids(stack)
    replicas = {faults.program_name(s, i) for s in SERVICES for i in range(len(stack.config.replica_ports[s]))}
    restarted = sorted(p for p in replicas if pids_before.get(p) != pids_after.get(p))
    readiness = report.readiness(poller.samples, stopped_at, returned_at)
    for label, reasons in poller.reasons.items():
        readiness["targets"][label]["failing_checks"] = dict(reasons.most_common())
    if also_ready:
        readiness["health_ready_meanwhile"] = report.always_ready(ready_poller.samples)
    return {
        "fault": {"name": name, "type": "dependency"},
        "window": [started, time.time()],
        "dependency": {"down_for_s": round(returned_at - stopped_at, 2)},
        "readiness": {"watched": watched, **readiness},
        "restarted_programs": restarted,
    }


def valkey_fault(stack: LocalStack, env: dict[str, str]) -> dict[str, Any]:
    client = redis.Redis.from_url(env["REDIS_URL"], socket_connect_timeout=0.5, socket_timeout=0.5)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False

    try:
        return dependency(
            stack,
            "valkey stop/start",
            lambda: _ctl(stack, "stop", "valkey"),
            lambda: _ctl(stack, "start", "valkey"),
            answers,
            down_seconds=DEPENDENCY_DOWN_SECONDS,
            watched="/health/ready",
        )
    finally:
        client.close()


def postgres_fault(stack: LocalStack, env: dict[str, str]) -> dict[str, Any]:
    def answers() -> bool:
        try:
            with psycopg.connect(env["DATABASE_URL"], connect_timeout=1) as connection:
                connection.execute("SELECT 1")
            return True
        except psycopg.Error:
            return False

    return dependency(
        stack,
        "postgres stop/start",
        lambda: _ctl(stack, "stop", "postgres"),
        lambda: _ctl(stack, "start", "postgres"),
        answers,
        down_seconds=DEPENDENCY_DOWN_SECONDS,
        watched="/health/ready",
    )


def node_fault(stack: LocalStack) -> dict[str, Any]:
    """The chain replicas keep serving while the node is frozen (reads come from the index, writes wait in the
    outbox), so their /health/ready stays 200 by design; /health is what must show the node's absence."""
    node_url = stack.config.chain_node_url
    pid = faults.program_pid(stack, "chain-node")
    if node_url is None or pid is None:
        raise RuntimeError("the stack runs no embedded chain node")

    def answers() -> bool:
        try:
            rpc = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
            return httpx.post(node_url, json=rpc, timeout=0.5).status_code == 200
        except httpx.HTTPError:
            return False

    phase = dependency(
        stack,
        f"chain-node SIGSTOP {NODE_FROZEN_SECONDS:g} s",
        lambda: os.kill(pid, signal.SIGSTOP),
        lambda: os.kill(pid, signal.SIGCONT),
        answers,
        down_seconds=NODE_FROZEN_SECONDS,
        watched="/health",
        services=("chain",),
        also_ready=True,
    )
    phase["readiness"]["note"] = (
        "the chain's /health/ready does not depend on the node by design (reads come from the index, writes wait in"
        " the outbox: services/chain/README.md), so its /health is the readiness watched; health_ready_meanwhile"
        " says whether /health/ready stayed 200"
    )
    return phase


def _ctl(stack: LocalStack, action: str, program: str) -> None:
    stack.ctl(action, program, check=True)


# -- the run --------------------------------------------------------------------------------------------------------
def run(stack: LocalStack) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    env = read_env_file(stack.config.env_file)
    work = stack.config.state_dir.parent / "chaos"
    work.mkdir()
    print("setting up accounts, sessions and listings", flush=True)
    plan = prepare(stack, env, work)
    phases: list[dict[str, Any]] = []

    def step(name: str, action: Callable[[], dict[str, Any]]) -> None:
        print(f"  {name}", flush=True)
        phases.append(action())

    print(f"load: {workload.total_requests_per_second():g} requests/s from {workload.total_users()} users", flush=True)
    with load(plan, work) as records_file:
        step("baseline", baseline)
        for service in SERVICES:
            for index, sig in ((0, signal.SIGTERM), (1, signal.SIGKILL)):
                step(f"{service} replica {index + 1} {sig.name}", partial(replica_kill, stack, service, index, sig))
        step("valkey", lambda: valkey_fault(stack, env))
        step("postgres", lambda: postgres_fault(stack, env))
        step("chain node", lambda: node_fault(stack))
    records = read_records(records_file)
    print("checking every acknowledged write", flush=True)
    assert stack.config.chain_node_url
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        writes = {
            "history_appends": acknowledged.check_history(connection, records),
            "chat_turns": acknowledged.check_chat(connection, records),
            **acknowledged.check_chain(connection, stack.config.chain_node_url, records),
        }
    return phases, records, writes


def main() -> None:
    started = time.monotonic()
    with private_stack(STACK_ENV, rates=UNLIMITED_RATES, replicas=REPLICAS, workers=WORKERS) as stack:
        print(f"stack up in {time.monotonic() - started:.0f} s", flush=True)
        phases, records, writes = run(stack)
    for phase in phases:
        phase["load"] = report.summarize(records, *phase["window"])
    goals = report.evaluate(phases, writes)
    figures = {
        "stack": {"replicas": REPLICAS, "workers": WORKERS, "environment": STACK_ENV},
        "workload": {
            "requests_per_second": workload.total_requests_per_second(),
            "users": workload.total_users(),
            "streams": {
                s.name: {
                    "rate": s.rate,
                    "sends": s.sends,
                    "idempotent": s.idempotent,
                    "requests_per_task": s.requests_per_task,
                }
                for s in workload.STREAMS.values()
            },
            "client_retries": f"writes with an Idempotency-Key: up to {workload.KEYED_WRITE_ATTEMPTS} attempts with the"
            " same key after a transport error, 502, 503 or 504; GETs are retried by the gateway only; POSTs without"
            " a key never",
        },
        "phases": [{**phase, "window": [round(t, 3) for t in phase["window"]]} for phase in phases],
        "writes": writes,
        "goals": goals,
        "met": all(goal["met"] for goal in goals),
        "run_seconds": round(time.monotonic() - started),
    }
    path = write_results("chaos", figures)
    print(report.table(phases))
    print()
    for name, check in writes.items():
        print(
            f"{name:<16} acknowledged {check['acknowledged']:>4}, present {check['present']:>4}, "
            f"missing {check['missing']}, duplicates {check['duplicates']}"
        )
    print()
    for goal in goals:
        print(f"[{'met' if goal['met'] else 'MISSED'}] {goal['goal']}: {goal['detail']}")
    print(f"\n{len(records)} records in {figures['run_seconds']} s; written to {path}")


if __name__ == "__main__":
    main()
