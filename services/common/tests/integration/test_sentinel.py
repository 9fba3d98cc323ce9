"""Redis through Sentinel: a Valkey primary, a replica and three Sentinels of the test's own; the primary is killed,
Sentinel promotes the replica, and the kit's client (alone, and inside a chat-history process started with
REDIS_SENTINELS and DATABASE_REPLICA_URLS) keeps working without a restart, after a bounded gap."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import httpx
import pytest
from redis.exceptions import RedisError

from devstack.replication import (
    SentinelGroup,
    StandaloneService,
    postgres_replication,
    valkey_with_sentinels,
    wait_until,
)
from osool_common.cache import TimedRedis, create_redis
from osool_common.settings import CommonSettings

# The goal for a failover: under 10 s of failed calls.
MAX_FAILED_SECONDS = 10.0
SERVICE_KEY = "sentinel-test-service-key-0123456789"


class SentinelKitSettings(CommonSettings):
    service_name: ClassVar[str] = "kit-sentinel"


@pytest.fixture
def group() -> Iterator[SentinelGroup]:
    with valkey_with_sentinels() as sentinels:
        assert sentinels.master_port() == sentinels.primary.port
        yield sentinels


def redis_url(group: SentinelGroup) -> str:
    # With REDIS_SENTINELS, REDIS_URL gives the password and database; its host is never asked (nothing listens there).
    return f"redis://:{group.password}@sentinel-managed.invalid:1/0"


def failed_window(failures: list[float]) -> float:
    """Seconds from the first failed call to the last one (0 without failures)."""
    return failures[-1] - failures[0] if failures else 0.0


async def test_the_kits_client_follows_a_failover_without_a_restart(group: SentinelGroup) -> None:
    settings = SentinelKitSettings(
        database_url="postgresql://unused@127.0.0.1:1/unused",
        redis_url=redis_url(group),
        osool_service_key=SERVICE_KEY,
        osool_env="test",
        redis_sentinels=group.sentinel_addresses,
        redis_sentinel_master=group.master,
        redis_sentinel_password=group.sentinel_password,
    )
    client = create_redis(settings)
    assert isinstance(client, TimedRedis) and client.commands is not None  # the kit's timed client, through Sentinel
    try:
        assert await client.set("failover:counter", 0)
        assert int((await client.info("server"))["tcp_port"]) == group.primary.port
        acknowledged, failures = 0, []
        killed_at = time.monotonic()
        group.primary.kill()
        # Writes every 20 ms until the promoted replica has taken 50 of them in a row.
        streak = 0
        while streak < 50:
            assert time.monotonic() - killed_at < 30, f"no new master after 30 s ({len(failures)} failed calls)"
            try:
                await client.incr("failover:counter")
                acknowledged += 1
                streak += 1
            except RedisError:
                failures.append(time.monotonic())
                streak = 0
            await asyncio.sleep(0.02)
        # The same client, never restarted, now talks to the replica Sentinel promoted.
        assert int((await client.info("server"))["tcp_port"]) == group.replica.port
        assert (await client.execute_command("ROLE"))[0] == "master"
        stored = int(await client.get("failover:counter"))
    finally:
        await client.aclose()
    window = failed_window(failures)
    print(
        f"\nSentinel failover, the kit's client: {len(failures)} failed calls over {window:.2f}s "
        f"(first {failures[0] - killed_at if failures else 0:.2f}s after the kill); "
        f"{acknowledged} writes acknowledged, {stored} stored"
    )
    assert failures, "the kill was not noticed: the test proved nothing"
    assert window < MAX_FAILED_SECONDS
    assert stored >= acknowledged  # every write acknowledged after the kill is on the new master


def test_a_service_started_with_sentinels_and_a_replica_keeps_serving_through_a_failover(group: SentinelGroup) -> None:
    with postgres_replication() as pair:
        service = StandaloneService(
            "osool_chat_history",
            {
                "DATABASE_URL": pair.url(pair.primary),
                "DATABASE_REPLICA_URLS": pair.url(pair.replica),
                "REDIS_URL": redis_url(group),
                "REDIS_SENTINELS": group.sentinel_addresses,
                "REDIS_SENTINEL_MASTER": group.master,
                "REDIS_SENTINEL_PASSWORD": group.sentinel_password,
                "OSOOL_SERVICE_KEY": SERVICE_KEY,
                "OSOOL_ENV": "test",
                "UPSTREAM_SERVICES": "",
                # The purge takes its lock in Redis every second: the service writes to Redis all along.
                "PURGE_INTERVAL_SECONDS": "1",
            },
        )
        try:
            service.start()
            _serve_through_a_failover(group, service)
        finally:
            service.close()


def _serve_through_a_failover(group: SentinelGroup, service: StandaloneService) -> None:
    def health() -> dict[str, dict[str, str]]:
        checks: dict[str, dict[str, str]] = httpx.get(f"{service.url}/health", timeout=5).json()["checks"]
        return checks

    checks = health()
    assert all(check["status"] == "healthy" for check in checks.values()), checks
    # Its Redis check (PING on the service's own client) every 100 ms, and a read and a write of a conversation.
    failures: list[float] = []
    errors: list[str] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            try:
                if health()["redis"]["status"] != "healthy":
                    failures.append(time.monotonic())
            except httpx.HTTPError as exc:
                errors.append(repr(exc))
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        time.sleep(0.5)
        killed_at = time.monotonic()
        group.primary.kill()
        wait_until(lambda: group.master_port() == group.replica.port, 30, "Sentinel promoting the replica")
        promoted = time.monotonic() - killed_at
        wait_until(lambda: health()["redis"]["status"] == "healthy" and failures, 30, "the service's Redis back")
        time.sleep(1.0)  # and staying back
    finally:
        stop.set()
        watcher.join(timeout=10)
    window = failed_window(failures)
    print(
        f"\nSentinel failover, a chat-history process: promoted {promoted:.2f}s after the kill; its Redis check failed "
        f"{len(failures)} times over {window:.2f}s"
    )
    assert not errors, errors  # the service answered its health checks throughout
    assert window < MAX_FAILED_SECONDS
    assert all(check["status"] == "healthy" for check in health().values())
    # No restart: the same process writes and reads a conversation (the page from the replica).
    created = httpx.post(f"{service.url}/api/history/sessions", json={"title": "after the failover"}, timeout=10)
    assert created.status_code == 201, created.text
    session = created.json()
    page = httpx.get(
        f"{service.url}/api/history/sessions/{session['id']}/messages",
        headers={"X-Session-Secret": session["secret"]},
        timeout=10,
    )
    assert page.status_code == 200 and page.json()["messages"] == []
