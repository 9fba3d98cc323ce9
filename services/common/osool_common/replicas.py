"""Read replicas: a small pool per streaming replica, each one's lag measured every second, and the read pool that sends
a read to a replica within the lag limit, or to the primary when none is (or when the replica fails it)."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import math
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from prometheus_client import Counter, Gauge

from osool_common.db import create_pool_for
from osool_common.health import CheckFunc
from osool_common.logging import get_logger
from osool_common.settings import CommonSettings

log = get_logger(__name__)

# How often each worker measures each replica's lag, and how long a connection to a replica may take to open: a
# replica that stopped answering is noticed within about the sum of the two, and meanwhile a read that meets it falls
# back to the primary (no request waits longer than the connect timeout for it).
LAG_CHECK_SECONDS = 1.0
CONNECT_TIMEOUT_SECONDS = 1.0

# The replica's lag in seconds. Caught up with all it received (and still receiving): 0, even when the primary has
# written nothing for an hour (then the last replayed transaction is an hour old, and not a lag). Otherwise, or when
# its WAL receiver is not running (cut off from the primary, it would look caught up forever), the age of the last
# transaction it replayed; infinite before it has replayed any. "Received" is at or before "replayed", not only
# equal: a restarted replica reports the start of the WAL segment it streams from, behind what it already replayed.
# A server not in recovery is a primary: its own data, no lag. pg_stat_wal_receiver hides its status from a role
# without pg_read_all_stats; its row alone then says the receiver runs.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE coalesce(status, 'streaming') = 'streaming') THEN 0
    ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 'Infinity')
END::float8
"""

Target = Literal["replica", "primary"]
# Why a read ran on the primary: no replica configured, every replica down, none within the lag limit (and at least
# one up), or the replica chosen failed the read (connection lost, shutting down, a recovery conflict) and the
# primary answered it instead.
Reason = Literal["within_lag", "no_replica", "replica_down", "replica_lagging", "replica_error"]

READS = Counter(
    "osool_db_reads_total",
    "Statements sent through the read pool, by the server that ran them (replica or primary) and why",
    ["service", "target", "reason"],
)
REPLICA_LAG = Gauge(
    "osool_db_replica_lag_seconds",
    "Replication lag of each read replica as this service last measured it (NaN while unreachable)",
    ["service", "replica"],
    multiprocess_mode="livemostrecent",
)
REPLICA_UP = Gauge(
    "osool_db_replica_up",
    "1 when the replica answered the service's last lag check, 0 otherwise",
    ["service", "replica"],
    multiprocess_mode="livemostrecent",
)


def replica_failed(exc: BaseException) -> bool:
    """The replica could not run the read, and the primary can: the connection failed or was closed, the server is
    shutting down or starting, it has no connection left, or replay cancelled the statement (a recovery conflict).
    Any other error (bad SQL, a timeout of the statement itself) would fail on the primary too, and is raised.

    asyncpg's InternalClientError is one of them: a server shutting down (pg_ctl stop -m fast) sends its FATAL error
    to every idle connection, and a connection the pool hands out before the socket closes refuses the query with
    "cannot switch to state 12; another operation (2) is in progress" (seen under load in the tests)."""
    failures = (
        OSError,
        TimeoutError,
        asyncpg.PostgresConnectionError,
        asyncpg.exceptions.AdminShutdownError,
        asyncpg.exceptions.CrashShutdownError,
        asyncpg.exceptions.CannotConnectNowError,
        asyncpg.exceptions.TooManyConnectionsError,
        asyncpg.exceptions.SerializationError,
        asyncpg.exceptions.InternalClientError,
    )
    if isinstance(exc, failures):
        return True
    return isinstance(exc, asyncpg.InterfaceError) and "closed" in str(exc)


def staleness_bound(settings: CommonSettings) -> float:
    """At most how far behind the primary a read through the read pool can be, in seconds (0 without replicas): the
    lag limit, plus the age of the measurement that let the replica in. A cache filled from reads should not trust
    them for this long after a write it must reflect (search's result cache after an ingest)."""
    if not settings.replica_urls:
        return 0.0
    return settings.database_replica_max_lag_seconds + LAG_CHECK_SECONDS + CONNECT_TIMEOUT_SECONDS


def replica_name(url: str) -> str:
    """host:port of a replica URL: its label and health check name (never the password)."""
    parts = urlsplit(url)
    return f"{parts.hostname}:{parts.port or 5432}"


@dataclass(eq=False)
class Replica:
    """One replica as this worker sees it: its pool, its last measured lag (None: unreachable at the last check)."""

    name: str
    url: str = field(repr=False)
    pool: asyncpg.Pool = field(repr=False)
    lag: float | None = None
    error: str = "not checked yet"
    # The lag check's own connection: it takes no slot of the pool and leaves the service's statement timings alone.
    monitor: asyncpg.Connection | None = field(default=None, repr=False)

    def state(self, max_lag: float) -> Literal["fresh", "lagging", "down"]:
        if self.lag is None:
            return "down"
        return "fresh" if self.lag <= max_lag else "lagging"


class ReadPool:
    """Where a service's reads go: `acquire()`, `fetch`, `fetchrow` and `fetchval` as on asyncpg's pool, each read on a
    replica whose lag is within the limit (round robin), else on the primary; a read the replica fails is run again on
    the primary, so a replica dying between two checks fails no request. Single statements only: a transaction, and
    any read that must see the caller's own writes, belongs on the primary pool."""

    def __init__(self, primary: asyncpg.Pool, replicas: Sequence[Replica], service: str, max_lag: float) -> None:
        self.primary = primary
        self.replicas = list(replicas)
        self.service = service
        self.max_lag = max_lag
        self._turn = itertools.count()
        self._reads = {
            (target, reason): READS.labels(service, target, reason)
            for target, reason in [("replica", "within_lag")]
            + [("primary", r) for r in ("no_replica", "replica_down", "replica_lagging", "replica_error")]
        }
        self._lag = {r.name: REPLICA_LAG.labels(service, r.name) for r in self.replicas}
        self._up = {r.name: REPLICA_UP.labels(service, r.name) for r in self.replicas}
        self._expiring: asyncio.Future[None] | None = None

    # ---- the reads ----

    @asynccontextmanager
    async def acquire(self) -> AsyncIterator[ReadConnection]:
        """One connection for several reads (a replica's, or the primary's); released at the end of the block."""
        connection = ReadConnection(self)
        await connection.open()
        try:
            yield connection
        finally:
            await connection.close()

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        async with self.acquire() as connection:
            return await connection.fetch(query, *args)

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        async with self.acquire() as connection:
            return await connection.fetchrow(query, *args)

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any:
        async with self.acquire() as connection:
            return await connection.fetchval(query, *args, column=column)

    def choose(self) -> tuple[Replica | None, Reason]:
        """The next replica within the lag limit, or None and why the primary serves."""
        if not self.replicas:
            return None, "no_replica"
        fresh = [r for r in self.replicas if r.state(self.max_lag) == "fresh"]
        if fresh:
            return fresh[next(self._turn) % len(fresh)], "within_lag"
        if any(r.lag is not None for r in self.replicas):
            return None, "replica_lagging"
        return None, "replica_down"

    def counted(self, target: Target, reason: Reason) -> None:
        self._reads[(target, reason)].inc()

    def failed(self, replica: Replica, exc: BaseException) -> None:
        """A read the replica could not serve: until its next good check, reads go elsewhere (a recovery conflict
        cancels one statement and says nothing of the server, so it does not count as down)."""
        log.warning("db.replica_read_failed", replica=replica.name, error=f"{type(exc).__name__}: {exc}"[:300])
        if not isinstance(exc, asyncpg.exceptions.SerializationError):
            self._record(replica, None, f"{type(exc).__name__}: {exc}")

    # ---- the lag ----

    async def measure(self, replica: Replica) -> float:
        """The replica's lag now, on the lag check's own connection (opened again when lost); recorded either way."""
        try:
            if replica.monitor is None or replica.monitor.is_closed():
                replica.monitor = await asyncpg.connect(
                    replica.url,
                    timeout=CONNECT_TIMEOUT_SECONDS,
                    server_settings={"application_name": f"{self.service} lag check"},
                )
            lag = float(await replica.monitor.fetchval(LAG_SQL, timeout=CONNECT_TIMEOUT_SECONDS))
        except Exception as exc:
            if replica.monitor is not None:
                replica.monitor.terminate()
                replica.monitor = None
            self._record(replica, None, f"{type(exc).__name__}: {exc}")
            raise
        self._record(replica, lag, "")
        return lag

    async def measure_all(self) -> None:
        await asyncio.gather(*(self.measure(replica) for replica in self.replicas), return_exceptions=True)

    async def run(self, interval: float = LAG_CHECK_SECONDS) -> None:
        """The background task: every replica measured every `interval` seconds, for the life of the worker."""
        while True:
            await asyncio.sleep(interval)
            await self.measure_all()

    def check(self, replica: Replica) -> CheckFunc:
        """The replica's health check: a round trip through the pool the reads use, and its lag against the limit.
        Not critical: while it fails, the primary serves its reads and the service is degraded, not down."""

        async def check() -> str:
            try:
                async with replica.pool.acquire(timeout=CONNECT_TIMEOUT_SECONDS) as connection:
                    lag = float(await connection.fetchval(LAG_SQL))
            except Exception as exc:
                self._record(replica, None, f"{type(exc).__name__}: {exc}")
                raise
            self._record(replica, lag, "")
            if lag > self.max_lag:
                raise RuntimeError(f"lag {lag:.1f}s over the {self.max_lag:g}s limit: its reads go to the primary")
            return f"lag {lag:.2f}s"

        return check

    def _record(self, replica: Replica, lag: float | None, error: str) -> None:
        """Keep what a check (or a failed read) found, publish it, log a change of state."""
        before = replica.state(self.max_lag)
        replica.lag, replica.error = lag, error
        after = replica.state(self.max_lag)
        self._lag[replica.name].set(math.nan if lag is None else lag)
        self._up[replica.name].set(0 if lag is None else 1)
        if after != before:
            level = "info" if after == "fresh" else "warning"
            getattr(log, level)("db.replica_state", replica=replica.name, state=after, lag=lag, error=error[:300])
        if after == "down" and before != "down":
            # Its pooled connections are of a server that went away: once it is back, reads there open new ones.
            self._expiring = asyncio.ensure_future(replica.pool.expire_connections())

    async def close(self) -> None:
        for replica in self.replicas:
            if replica.monitor is not None:
                replica.monitor.terminate()
                replica.monitor = None
            await replica.pool.close()


class ReadConnection:
    """One acquire from the read pool: a replica's connection, or the primary's. A read the replica fails (see
    replica_failed) runs again on a connection of the primary, which serves the rest of the block: reads are
    idempotent, so the caller never sees the failure."""

    def __init__(self, reads: ReadPool) -> None:
        self._reads = reads
        self._replica: Replica | None = None
        self._pool: asyncpg.Pool | None = None
        self._connection: PoolConnectionProxy | None = None
        self._reason: Reason = "no_replica"

    async def open(self) -> None:
        replica, reason = self._reads.choose()
        if replica is not None:
            try:
                self._connection = await replica.pool.acquire()
            except Exception as exc:
                if not replica_failed(exc):
                    raise
                self._reads.failed(replica, exc)
                reason = "replica_error"
            else:
                self._replica, self._pool = replica, replica.pool
                return
        await self._on_primary(reason)

    async def _on_primary(self, reason: Reason) -> None:
        self._replica, self._pool, self._reason = None, self._reads.primary, reason
        self._connection = await self._reads.primary.acquire()

    async def close(self) -> None:
        if self._connection is not None and self._pool is not None:
            connection, self._connection = self._connection, None
            # A connection the replica broke is dropped by asyncpg on release; a failure to release it is no
            # failure of the request.
            with contextlib.suppress(Exception):
                await self._pool.release(connection, timeout=CONNECT_TIMEOUT_SECONDS)

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        result: list[asyncpg.Record] = await self._run("fetch", query, args, {})
        return result

    async def fetchrow(self, query: str, *args: Any) -> asyncpg.Record | None:
        result: asyncpg.Record | None = await self._run("fetchrow", query, args, {})
        return result

    async def fetchval(self, query: str, *args: Any, column: int = 0) -> Any:
        return await self._run("fetchval", query, args, {"column": column})

    async def _run(self, method: str, query: str, args: tuple[Any, ...], options: dict[str, Any]) -> Any:
        assert self._connection is not None, "use the connection inside `async with reads.acquire()`"
        if self._replica is not None:
            try:
                result = await getattr(self._connection, method)(query, *args, **options)
            except Exception as exc:
                if not replica_failed(exc):
                    raise
                self._reads.failed(self._replica, exc)
                if not isinstance(exc, asyncpg.exceptions.SerializationError):
                    # Broken, or about to be: closed now, so the pool opens a new one rather than lend it again (a
                    # connection the server closed is already back in the pool, and says so).
                    with contextlib.suppress(asyncpg.InterfaceError):
                        self._connection.terminate()
                await self.close()
                await self._on_primary("replica_error")
            else:
                self._reads.counted("replica", "within_lag")
                return result
        result = await getattr(self._connection, method)(query, *args, **options)
        self._reads.counted("primary", self._reason)
        return result


async def create_read_pool(settings: CommonSettings, primary: asyncpg.Pool) -> ReadPool:
    """The service's read pool: the primary alone without DATABASE_REPLICA_URLS; otherwise a pool per replica (opened
    lazily, so a replica that is down delays nothing) and their lag measured once before the service answers."""
    replicas = [
        Replica(
            replica_name(url),
            url,
            await create_pool_for(settings, url, settings.db_replica_pool_max_size, timeout=CONNECT_TIMEOUT_SECONDS),
        )
        for url in settings.replica_urls
    ]
    reads = ReadPool(primary, replicas, settings.service_name, settings.database_replica_max_lag_seconds)
    if replicas:
        await reads.measure_all()
        log.info("db.replicas", replicas={r.name: r.state(reads.max_lag) for r in replicas}, max_lag=reads.max_lag)
    return reads
