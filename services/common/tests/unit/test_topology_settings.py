"""Settings of read replicas and Sentinel: parsed into addresses, bad entries refused with the variable named (never a
password), weak replica passwords refused in production; what counts as a replica's failure."""

from __future__ import annotations

from typing import ClassVar

import asyncpg
import pytest
from redis.asyncio.sentinel import SentinelConnectionPool

from osool_common.cache import TimedRedis, create_redis
from osool_common.replicas import LAG_CHECK_SECONDS, replica_failed, replica_name, staleness_bound
from osool_common.settings import CommonSettings, ConfigurationError

STRONG_DB = "postgresql://osool:Xq7vR2mZpL9wK4tN8sB1@db:5432/osool"
STRONG_REDIS = "redis://:Jf8dK2nQ5wZ7xR3vL6pT@redis:6379/2"
REPLICA_1 = "postgresql://osool:Xq7vR2mZpL9wK4tN8sB1@replica-1:5432/osool"
REPLICA_2 = "postgres://osool:Xq7vR2mZpL9wK4tN8sB1@replica-2/osool"


class ExampleSettings(CommonSettings):
    service_name: ClassVar[str] = "example"


@pytest.fixture(autouse=True)
def _environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OSOOL_ENV", "OSOOL_ENV_FILE", "DATABASE_REPLICA_URLS", "REDIS_SENTINELS", "REDIS_SENTINEL_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", STRONG_DB)
    monkeypatch.setenv("REDIS_URL", STRONG_REDIS)
    monkeypatch.setenv("OSOOL_SERVICE_KEY", "c2VydmljZS1rZXktZm9yLXRlc3Rz")


def test_without_replicas_or_sentinels_nothing_changes() -> None:
    settings = ExampleSettings.load()
    assert (settings.replica_urls, settings.sentinel_addresses) == ([], [])
    assert settings.database_replica_max_lag_seconds == 5.0 and settings.redis_sentinel_master == "osool"
    assert staleness_bound(settings) == 0.0


def test_replica_urls_are_read_as_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_REPLICA_URLS", f" {REPLICA_1} ,{REPLICA_2},")
    monkeypatch.setenv("DATABASE_REPLICA_MAX_LAG_SECONDS", "2.5")
    settings = ExampleSettings.load()
    assert settings.replica_urls == [REPLICA_1, REPLICA_2]
    assert [replica_name(url) for url in settings.replica_urls] == ["replica-1:5432", "replica-2:5432"]
    assert staleness_bound(settings) > 2.5 + LAG_CHECK_SECONDS
    assert "Xq7vR2mZpL9wK4tN8sB1" not in repr(settings)


@pytest.mark.parametrize(
    "entry", ["replica-1:5432", "mysql://u:p@h/db", "postgresql:///osool", "postgresql://h:x/d", f"{REPLICA_1}2"]
)
def test_a_replica_entry_that_is_no_postgres_url_is_named_without_its_password(
    monkeypatch: pytest.MonkeyPatch, entry: str
) -> None:
    monkeypatch.setenv("DATABASE_REPLICA_URLS", f"{REPLICA_1},{entry}")
    with pytest.raises(ConfigurationError, match="DATABASE_REPLICA_URLS: entry 2 ") as raised:
        ExampleSettings.load()
    assert "Xq7vR2mZpL9wK4tN8sB1" not in str(raised.value)


def test_a_lag_limit_of_zero_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_REPLICA_MAX_LAG_SECONDS", "0")
    with pytest.raises(ConfigurationError, match="DATABASE_REPLICA_MAX_LAG_SECONDS"):
        ExampleSettings.load()


def test_production_refuses_a_replica_with_a_weak_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("DATABASE_REPLICA_URLS", f"{REPLICA_1},postgresql://osool:short@replica-2/osool")
    with pytest.raises(ConfigurationError, match="DATABASE_REPLICA_URLS entry 2 has a weak secret"):
        ExampleSettings.load()


def test_sentinels_are_host_port_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REDIS_SENTINELS", "sentinel-1:26379, sentinel-2:26380,[::1]:26381")
    assert ExampleSettings.load().sentinel_addresses == [("sentinel-1", 26379), ("sentinel-2", 26380), ("::1", 26381)]


@pytest.mark.parametrize("entry", ["sentinel-1", "sentinel-1:port", ":26379", "sentinel-1:70000"])
def test_a_sentinel_that_is_not_host_port_is_named(monkeypatch: pytest.MonkeyPatch, entry: str) -> None:
    monkeypatch.setenv("REDIS_SENTINELS", f"sentinel-0:26379,{entry}")
    with pytest.raises(ConfigurationError, match=r"REDIS_SENTINELS: .* is not host:port"):
        ExampleSettings.load()


def test_production_refuses_a_weak_sentinel_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OSOOL_ENV", "production")
    monkeypatch.setenv("REDIS_SENTINELS", "sentinel-1:26379")
    monkeypatch.setenv("REDIS_SENTINEL_PASSWORD", "changeme")
    with pytest.raises(ConfigurationError, match="REDIS_SENTINEL_PASSWORD is weak"):
        ExampleSettings.load()


async def test_with_sentinels_the_client_asks_them_for_the_master_with_the_password_of_redis_url(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REDIS_SENTINELS", "sentinel-1:26379,sentinel-2:26379")
    monkeypatch.setenv("REDIS_SENTINEL_MASTER", "osool-cache")
    client = create_redis(ExampleSettings.load())
    try:
        pool = client.connection_pool
        assert isinstance(client, TimedRedis) and isinstance(pool, SentinelConnectionPool)
        assert pool.service_name == "osool-cache" and pool.is_master
        assert (pool.connection_kwargs["password"], pool.connection_kwargs["db"]) == ("Jf8dK2nQ5wZ7xR3vL6pT", 2)
        assert client.sentinels is not None and len(client.sentinels.sentinels) == 2
    finally:
        await client.aclose()


def test_a_lost_or_refused_connection_is_a_replica_failure_and_bad_sql_is_not() -> None:
    assert replica_failed(ConnectionRefusedError())
    assert replica_failed(TimeoutError())
    assert replica_failed(asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"))
    assert replica_failed(asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed"))
    assert replica_failed(asyncpg.exceptions.SerializationError("canceling statement due to conflict with recovery"))
    assert replica_failed(asyncpg.exceptions.InternalClientError("cannot switch to state 12"))
    assert not replica_failed(asyncpg.exceptions.UndefinedTableError('relation "nothing" does not exist'))
    assert not replica_failed(asyncpg.exceptions.QueryCanceledError("canceling statement due to statement timeout"))
