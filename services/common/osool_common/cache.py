"""The Redis (Valkey) client of a service, straight from REDIS_URL or through Sentinel, with short timeouts so a dead
server is noticed fast, every command timed; and the timers of a cache's (de)serialization."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import parse_url
from redis.asyncio.sentinel import Sentinel
from redis.exceptions import ConnectionError as RedisConnectionError

from osool_common.metrics import CACHE_SERIALIZATION, REDIS_COMMAND_DURATION, BoundedHistogram
from osool_common.settings import CommonSettings

# Command names come from the code, but execute_command takes any string: past this many, "other".
MAX_COMMAND_LABELS = 100


class TimedRedis(Redis):
    """A Redis client whose commands are observed in osool_redis_command_duration_seconds{service,command}.

    A subclass overriding execute_command, the one method every command of the client goes through, and pipeline(),
    whose pipelines send their commands in execute() instead (timed as one PIPELINE, or MULTI for a transaction,
    since that is one round trip). redis-py's own instrumentation (redis.observability) records to OpenTelemetry
    only, which has no exporter for prometheus_client's multiprocess files; a connection-level hook would miss the
    time waiting for a connection from the pool, which the caller waits too."""

    commands: BoundedHistogram | None = None
    # Through Sentinel: the Sentinels' own clients, closed with this one (master_for leaves them to the caller).
    sentinels: Sentinel | None = None

    def time_commands(self, service: str) -> TimedRedis:
        self.commands = BoundedHistogram(REDIS_COMMAND_DURATION, service, MAX_COMMAND_LABELS)
        return self

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        await super().aclose(close_connection_pool)
        if self.sentinels is not None:
            await self.sentinels.aclose()

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        started = time.perf_counter()
        try:
            return await super().execute_command(*args, **options)
        finally:
            if self.commands is not None:
                self.commands.observe(_command_name(args[0]), time.perf_counter() - started)

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        return TimedPipeline(self.connection_pool, self.response_callbacks, transaction, shard_hint, self.commands)


class TimedPipeline(Pipeline):
    def __init__(
        self, connection_pool: Any, response_callbacks: Any, transaction: bool, shard_hint: str | None,
        commands: BoundedHistogram | None,
    ) -> None:  # fmt: skip
        super().__init__(connection_pool, response_callbacks, transaction, shard_hint)
        self.commands = commands

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        if self.commands is None or not self.command_stack:
            return await super().execute(raise_on_error)
        name = "MULTI" if self.is_transaction or self.explicit_transaction else "PIPELINE"
        started = time.perf_counter()
        try:
            return await super().execute(raise_on_error)
        finally:
            self.commands.observe(name, time.perf_counter() - started)


def _command_name(name: Any) -> str:
    if isinstance(name, bytes):
        name = name.decode(errors="replace")
    return str(name).upper()


# Every client alike, direct or through Sentinel.
CLIENT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 1.0,
    "socket_timeout": 2.0,
    "health_check_interval": 15,
    "decode_responses": True,
}


def create_redis(settings: CommonSettings) -> TimedRedis:
    assert settings.redis_url is not None  # settings validation guarantees it
    if settings.sentinel_addresses:
        return _through_sentinel(settings, settings.redis_url.get_secret_value())
    client = TimedRedis.from_url(
        settings.redis_url.get_secret_value(), **CLIENT_OPTIONS, client_name=settings.service_name
    )
    assert isinstance(client, TimedRedis)  # from_url builds the class it is called on
    return client.time_commands(settings.service_name)


def _through_sentinel(settings: CommonSettings, url: str) -> TimedRedis:
    """The master of REDIS_SENTINEL_MASTER as the Sentinels name it: redis-py's SentinelConnectionPool asks them for its
    address before each new connection and drops its connections when the address changes, and a connection to a
    demoted master fails its next write (READONLY) and reconnects; so after a failover the client finds the promoted
    replica by itself. REDIS_URL gives the password, user and database; its host is not used."""
    given = parse_url(url)
    sentinel_password = settings.redis_sentinel_password
    sentinel = Sentinel(
        settings.sentinel_addresses,
        sentinel_kwargs={
            "socket_connect_timeout": CLIENT_OPTIONS["socket_connect_timeout"],
            "socket_timeout": CLIENT_OPTIONS["socket_timeout"],
            "password": sentinel_password.get_secret_value() if sentinel_password else None,
        },
    )
    client = sentinel.master_for(
        settings.redis_sentinel_master,
        redis_class=TimedRedis,
        username=given.get("username"),
        password=given.get("password"),
        db=given.get("db", 0),
        ssl=urlsplit(url).scheme == "rediss",
        client_name=settings.service_name,
        **CLIENT_OPTIONS,
    )
    assert isinstance(client, TimedRedis)  # master_for builds redis_class
    client.sentinels = sentinel
    return client.time_commands(settings.service_name)


@dataclass(frozen=True)
class SerializationTimers:
    """The time one cache of a service spends encoding values for Redis and decoding them back, in
    osool_cache_serialization_seconds{service,cache,operation}: `with timers.serialize.time(): ...` (the histogram's
    own timer)."""

    serialize: Any
    deserialize: Any


def serialization_timers(service: str, cache: str) -> SerializationTimers:
    return SerializationTimers(*(CACHE_SERIALIZATION.labels(service, cache, op) for op in ("serialize", "deserialize")))


class RedisCheck:
    """Health check: PING. A pooled connection that Valkey closed when it restarted fails once and is dropped, so the
    PING goes once more on a new connection: otherwise readiness flickers back to 503 for each stale connection the
    check happens to draw, seconds after Valkey is back (make chaos saw one 4.8 s after the return)."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis

    async def __call__(self) -> str:
        try:
            await self.redis.ping()
        except RedisConnectionError:
            await self.redis.ping()
        return "ping ok"
