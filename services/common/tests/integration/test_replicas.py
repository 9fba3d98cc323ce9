"""The read pool on a real streaming replica: a chat-history process started with DATABASE_REPLICA_URLS reads a user's
messages from the replica and writes on the primary, skips the replica while it lags beyond the limit, and fails no
request when the replica stops under load. A PostgreSQL primary and replica of the test's own (pg_basebackup -R)."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack.replication import (
    PostgresReplication,
    StandaloneService,
    postgres_replication,
    valkey_server,
    wait_until,
)

MAX_LAG = 3.0
SERVICE_KEY = "replica-test-service-key-0123456789"


@pytest.fixture(scope="module")
def pair() -> Iterator[PostgresReplication]:
    with postgres_replication() as replication:
        assert replication.streaming()  # pg_stat_replication on the primary: the replica streams through its slot
        yield replication


@pytest.fixture(scope="module")
def history(pair: PostgresReplication) -> Iterator[StandaloneService]:
    with valkey_server() as redis_url:
        service = StandaloneService(
            "osool_chat_history",
            {
                "DATABASE_URL": pair.url(pair.primary),
                "DATABASE_REPLICA_URLS": pair.url(pair.replica),
                "DATABASE_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG),
                "REDIS_URL": redis_url,
                "OSOOL_SERVICE_KEY": SERVICE_KEY,
                "OSOOL_ENV": "test",
                "UPSTREAM_SERVICES": "",  # no auth here: anonymous sessions and the agent's routes only
            },
        )
        try:
            yield service.start()
        finally:
            service.close()


class Conversation:
    """An anonymous session of the service: messages appended as the agent does, read as its owner does."""

    def __init__(self, service: StandaloneService) -> None:
        self.url = service.url
        created = httpx.post(f"{self.url}/api/history/sessions", json={"title": "replica test"}, timeout=10)
        assert created.status_code == 201, created.text
        self.id, self.secret = created.json()["id"], created.json()["secret"]

    def append(self, text: str) -> None:
        response = httpx.post(
            f"{self.url}/api/history/internal/sessions/{self.id}/messages",
            json={"messages": [{"role": "user", "content": text}]},
            headers={"X-Osool-Service-Key": SERVICE_KEY, "Idempotency-Key": uuid.uuid4().hex},
            timeout=10,
        )
        assert response.status_code == 201, response.text

    def read(self, client: httpx.Client | None = None) -> list[str]:
        """The owner's page of messages (the read pool)."""
        get = client.get if client is not None else httpx.get
        response = get(
            f"{self.url}/api/history/sessions/{self.id}/messages",
            headers={"X-Session-Secret": self.secret},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return [message["content"] for message in response.json()["messages"]]

    def agent_reads(self) -> list[str]:
        """The agent's memory of it (the primary)."""
        response = httpx.get(
            f"{self.url}/api/history/internal/sessions/{self.id}/messages",
            headers={"X-Osool-Service-Key": SERVICE_KEY},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        return [message["content"] for message in response.json()["messages"]]


def reads(service: StandaloneService) -> Counter[tuple[str, str]]:
    """osool_db_reads_total by (target, reason)."""
    text = httpx.get(f"{service.url}/metrics", timeout=10).text
    found: Counter[tuple[str, str]] = Counter()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "osool_db_reads_total":
                found[(sample.labels["target"], sample.labels["reason"])] += int(sample.value)
    return found


def health(service: StandaloneService) -> tuple[int, dict[str, Any], int]:
    """/health's status code and body, and /health/ready's status code."""
    summary = httpx.get(f"{service.url}/health", timeout=10)
    ready = httpx.get(f"{service.url}/health/ready", timeout=10)
    return summary.status_code, summary.json(), ready.status_code


def replica_check(pair: PostgresReplication, body: dict[str, Any]) -> dict[str, Any]:
    check: dict[str, Any] = body["checks"][f"database-replica:127.0.0.1:{pair.replica.port}"]
    return check


def pause_replay(pair: PostgresReplication) -> None:
    pair.replica.query("SELECT pg_wal_replay_pause()")
    wait_until(lambda: pair.replica.query("SELECT pg_get_wal_replay_pause_state()") == "paused", 10, "replay paused")


@pytest.fixture
def replaying(pair: PostgresReplication, history: StandaloneService) -> Iterator[None]:
    """The test leaves the replica up, replaying and caught up, as the service sees it."""
    yield
    try:
        pair.replica.query("SELECT 1")
    except psycopg.OperationalError:  # a test that stopped it failed before starting it again
        pair.replica.start()
    pair.replica.query("SELECT pg_wal_replay_resume()")
    pair.wait_caught_up()
    wait_until(lambda: replica_check(pair, health(history)[1])["status"] == "healthy", 15, "the replica healthy")


def test_a_users_reads_come_from_the_replica_and_writes_go_to_the_primary(
    pair: PostgresReplication, history: StandaloneService, replaying: None
) -> None:
    talk = Conversation(history)
    talk.append("before the pause")
    pair.wait_caught_up()
    before = reads(history)
    assert talk.read() == ["before the pause"]
    assert reads(history)[("replica", "within_lag")] - before[("replica", "within_lag")] == 1
    # Proof that the page came from the replica: with its replay paused, a message written on the primary is on the
    # primary and not in the owner's page, while the lag is still within the limit; the agent's read (primary) has it.
    pause_replay(pair)
    talk.append("written during the pause")
    owners_page = talk.read()
    lag = pair.lag_seconds()
    assert lag < MAX_LAG, f"the test was too slow to read within the limit ({lag:.1f}s)"
    assert owners_page == ["before the pause"]
    assert talk.agent_reads() == ["before the pause", "written during the pause"]
    count = "SELECT count(*) FROM chat_history.messages WHERE session_id = %s"
    assert (pair.primary.query(count, talk.id), pair.replica.query(count, talk.id)) == (2, 1)
    # The service's connections on the replica: the reads' pool and the lag check's own connection.
    names = "SELECT array_agg(DISTINCT application_name ORDER BY application_name) FROM pg_stat_activity"
    assert {"chat-history", "chat-history lag check"} <= set(pair.replica.query(names))
    pair.replica.query("SELECT pg_wal_replay_resume()")
    wait_until(lambda: talk.read() == ["before the pause", "written during the pause"], 10, "the replica caught up")


def test_a_replica_lagging_beyond_the_limit_is_skipped_until_it_catches_up(
    pair: PostgresReplication, history: StandaloneService, replaying: None
) -> None:
    talk = Conversation(history)
    talk.append("first")
    pair.wait_caught_up()
    pause_replay(pair)
    talk.append("second")
    paused = time.monotonic()
    before = reads(history)
    # Served stale by the replica while within the limit, then by the primary once the measured lag passes it.
    wait_until(lambda: talk.read() == ["first", "second"], MAX_LAG + 10, "the primary serving the reads")
    waited = time.monotonic() - paused
    assert pair.lag_seconds() > MAX_LAG
    assert waited < MAX_LAG + 5, f"the lagging replica kept the reads for {waited:.1f}s"
    after = reads(history)
    assert after[("primary", "replica_lagging")] > before[("primary", "replica_lagging")]
    status, body, ready = health(history)
    check = replica_check(pair, body)
    assert (status, body["status"], check["status"], ready) == (503, "degraded", "unhealthy", 200), body
    assert f"over the {MAX_LAG:g}s limit" in check["message"]

    pair.replica.query("SELECT pg_wal_replay_resume()")
    pair.wait_caught_up()
    wait_until(lambda: replica_check(pair, health(history)[1])["status"] == "healthy", 10, "the replica healthy")
    back = reads(history)
    assert talk.read() == ["first", "second"]
    assert reads(history)[("replica", "within_lag")] - back[("replica", "within_lag")] == 1


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_no_read_fails_when_the_replica_stops_under_load(
    pair: PostgresReplication, history: StandaloneService, replaying: None, mode: str
) -> None:
    talks = [Conversation(history) for _ in range(4)]
    for number, talk in enumerate(talks):
        talk.append(f"message {number}")
    pair.wait_caught_up()
    outcomes: Counter[str] = Counter()
    stop = threading.Event()

    def read_continuously(talk: Conversation) -> None:
        with httpx.Client() as client:
            while not stop.is_set():
                try:
                    talk.read(client)
                    outcomes["ok"] += 1
                except (AssertionError, httpx.HTTPError) as exc:
                    outcomes[f"failed: {exc}"[:200]] += 1

    before = reads(history)
    readers = [threading.Thread(target=read_continuously, args=(talk,)) for talk in talks]
    for reader in readers:
        reader.start()
    try:
        time.sleep(1.0)
        served_by_replica = reads(history)[("replica", "within_lag")] - before[("replica", "within_lag")]
        pair.replica.stop(mode)  # pg_ctl stop -m fast (sessions ended with an error) or immediate (a crash)
        time.sleep(3.0)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    after = reads(history)
    moved = {
        reason: after[("primary", reason)] - before[("primary", reason)] for reason in ("replica_down", "replica_error")
    }
    fell_back = sum(moved.values())
    print(f"\nreplica stopped ({mode}) under load: {dict(outcomes)}; reads by the replica before: {served_by_replica}, "
          f"then on the primary: {moved}")  # fmt: skip
    assert outcomes["ok"] > 20 and sum(outcomes.values()) == outcomes["ok"], dict(outcomes)
    assert served_by_replica > 0 and fell_back > 0
    status, body, ready = health(history)
    assert (status, body["status"], replica_check(pair, body)["status"], ready) == (503, "degraded", "unhealthy", 200)

    pair.replica.start()
    wait_until(pair.streaming, 30, "the replica streaming again")
    wait_until(lambda: replica_check(pair, health(history)[1])["status"] == "healthy", 15, "the replica healthy")
    again = reads(history)
    talks[0].read()
    assert reads(history)[("replica", "within_lag")] - again[("replica", "within_lag")] == 1
