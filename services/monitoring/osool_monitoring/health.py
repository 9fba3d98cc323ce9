"""The health job: every service's /health through the internal gateway, kept as history (a partition a day, the
retention dropped whole) with each service's current state and every change of it."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import httpx

from osool_common.http_client import ServiceClient
from osool_common.logging import get_logger

log = get_logger(__name__)
STATES = ("healthy", "degraded", "unhealthy")


class HealthHistory:
    def __init__(self, pool: asyncpg.Pool, retention_days: int) -> None:
        self.pool = pool
        self.retention_days = retention_days
        self._partitions: set[date] = set()
        self._pruned: date | None = None

    async def ensure_partitions(self, today: date) -> None:
        for day in (today, today + timedelta(days=1)):
            if day in self._partitions:
                continue
            name = f"health_samples_{day:%Y%m%d}"
            # Names and bounds are dates formatted here, never input.
            await self.pool.execute(
                f"CREATE TABLE IF NOT EXISTS {name} PARTITION OF health_samples "
                f"FOR VALUES FROM ('{day.isoformat()}') TO ('{(day + timedelta(days=1)).isoformat()}')"
            )
            self._partitions.add(day)

    async def prune(self, today: date) -> list[str]:
        """Drop the partitions wholly older than the retention; once a day per process."""
        if self._pruned == today:
            return []
        oldest = today - timedelta(days=self.retention_days)
        rows = await self.pool.fetch(
            """SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'health_samples'"""
        )
        dropped = []
        for row in rows:
            day = datetime.strptime(row["relname"].rsplit("_", 1)[1], "%Y%m%d").date()
            if day < oldest:
                await self.pool.execute(f"DROP TABLE IF EXISTS {row['relname']}")
                dropped.append(row["relname"])
        self._pruned = today
        return dropped

    async def record(self, readings: list[dict[str, Any]], at: datetime) -> list[tuple[str, str | None, str]]:
        """Store the readings and move each service's state; returns the changes (service, from, to)."""
        changes = []
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.executemany(
                "INSERT INTO health_samples (checked_at, service, status, http_status, latency_ms, checks) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                [(at, r["service"], r["status"], r["http_status"], r["latency_ms"], r["checks"]) for r in readings],
            )
            for reading in readings:
                before = await connection.fetchval(
                    "SELECT status FROM service_states WHERE service = $1 FOR UPDATE", reading["service"]
                )
                await connection.execute(
                    """INSERT INTO service_states (service, status, since, checked_at, latency_ms, checks)
                       VALUES ($1, $2, $3, $3, $4, $5)
                       ON CONFLICT (service) DO UPDATE SET
                           since = CASE WHEN service_states.status = EXCLUDED.status THEN service_states.since
                                        ELSE EXCLUDED.since END,
                           status = EXCLUDED.status, checked_at = EXCLUDED.checked_at,
                           latency_ms = EXCLUDED.latency_ms, checks = EXCLUDED.checks""",
                    reading["service"], reading["status"], at, reading["latency_ms"], reading["checks"],
                )  # fmt: skip
                if before != reading["status"]:
                    await connection.execute(
                        "INSERT INTO state_changes (service, from_status, to_status, at, checks) "
                        "VALUES ($1, $2, $3, $4, $5)",
                        reading["service"], before, reading["status"], at, reading["checks"],
                    )  # fmt: skip
                    changes.append((reading["service"], before, reading["status"]))
        return changes

    async def states(self) -> list[asyncpg.Record]:
        return await self.pool.fetch("SELECT * FROM service_states ORDER BY service")

    async def recent_changes(self, limit: int) -> list[asyncpg.Record]:
        return await self.pool.fetch("SELECT * FROM state_changes ORDER BY at DESC, id DESC LIMIT $1", limit)


async def read_health(http: ServiceClient, service: str) -> dict[str, Any]:
    """One service's /health through the internal gateway: its status and checks, or unreachable."""
    started = time.perf_counter()
    try:
        response = await http.get(service, "/health")
        body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
    except (httpx.HTTPError, ValueError):
        response, body = None, {}
    latency = round((time.perf_counter() - started) * 1000, 2)
    status = body.get("status") if isinstance(body, dict) else None
    checks = body.get("checks") if isinstance(body, dict) and isinstance(body.get("checks"), dict) else {}
    return {
        "service": service,
        "status": status if status in STATES else "unreachable",
        "http_status": response.status_code if response is not None else None,
        "latency_ms": latency,
        "checks": checks,
    }


async def check_every_service(http: ServiceClient, history: HealthHistory, services: list[str]) -> None:
    at = datetime.now(UTC)
    await history.ensure_partitions(at.date())
    readings = [await read_health(http, service) for service in services]
    for service, before, after in await history.record(readings, at):
        log.warning("monitoring.service_state_changed", service=service, before=before, after=after)
    await history.prune(at.date())
