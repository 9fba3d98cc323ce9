"""The health job: every service's /health through the internal gateway, kept as history (a partition a day, the
retention dropped whole) with each service's current state and every change of it."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

import asyncpg

from osool_common.logging import get_logger
from osool_monitoring.partitions import DailyPartitions
from osool_monitoring.reader import Answer, Reader, ReadError

log = get_logger(__name__)
STATES = ("healthy", "degraded", "unhealthy")
# From least to most severe: an incident keeps the worst it reached.
SEVERITY = ("degraded", "unhealthy", "unreachable")


class HealthHistory:
    def __init__(self, pool: asyncpg.Pool, retention_days: int) -> None:
        self.pool = pool
        self.partitions = DailyPartitions(pool, "health_samples", retention_days)

    async def record(self, readings: list[dict[str, Any]], at: datetime) -> list[tuple[str, str | None, str]]:
        """Store the readings and move each service's state and incident; returns the changes (service, from, to).
        One statement for all of it (data-modifying CTEs, one round trip): the job runs every 15 s of the stack's life,
        and the five statements of a transaction it took were the largest part of its own CPU after the requests
        (bench/monitoring). Every part reads the same snapshot: each service's state before the run, locked."""
        rows = await self.pool.fetch(
            """WITH reading AS (
                   SELECT * FROM unnest($1::text[], $2::text[], $3::int[], $4::real[], $5::text[])
                       AS r(service, status, http_status, latency_ms, checks)
               ), before AS (
                   SELECT service, status FROM service_states WHERE service IN (SELECT service FROM reading)
                   FOR UPDATE
               ), samples AS (
                   INSERT INTO health_samples (checked_at, service, status, http_status, latency_ms, checks)
                   SELECT $6, service, status, http_status, latency_ms, checks::jsonb FROM reading
               ), states AS (
                   INSERT INTO service_states (service, status, since, checked_at, latency_ms, checks)
                   SELECT service, status, $6, $6, latency_ms, checks::jsonb FROM reading
                   ON CONFLICT (service) DO UPDATE SET
                       since = CASE WHEN service_states.status = EXCLUDED.status THEN service_states.since
                                    ELSE EXCLUDED.since END,
                       status = EXCLUDED.status, checked_at = EXCLUDED.checked_at,
                       latency_ms = EXCLUDED.latency_ms, checks = EXCLUDED.checks
               ), changed AS (
                   SELECT r.service, b.status AS from_status, r.status AS to_status, r.checks
                   FROM reading r LEFT JOIN before b USING (service)
                   WHERE b.status IS DISTINCT FROM r.status
               ), logged AS (
                   INSERT INTO state_changes (service, from_status, to_status, at, checks)
                   SELECT service, from_status, to_status, $6, checks::jsonb FROM changed
               ), ended AS (
                   -- An incident opens when a service leaves healthy, keeps the worst status it reached, and closes
                   -- when it is healthy again.
                   UPDATE incidents SET ended_at = $6
                   WHERE ended_at IS NULL AND service IN (SELECT service FROM reading WHERE status = 'healthy')
               ), opened AS (
                   INSERT INTO incidents (service, started_at, worst_status, checks)
                   SELECT service, $6, status, checks::jsonb FROM reading WHERE status <> 'healthy'
                   ON CONFLICT (service) WHERE ended_at IS NULL DO UPDATE SET
                       worst_status = CASE WHEN array_position($7::text[], EXCLUDED.worst_status)
                                                > array_position($7::text[], incidents.worst_status)
                                           THEN EXCLUDED.worst_status ELSE incidents.worst_status END,
                       checks = CASE WHEN array_position($7::text[], EXCLUDED.worst_status)
                                          > array_position($7::text[], incidents.worst_status)
                                     THEN EXCLUDED.checks ELSE incidents.checks END
               )
               SELECT service, from_status, to_status FROM changed ORDER BY service""",
            [r["service"] for r in readings], [r["status"] for r in readings], [r["http_status"] for r in readings],
            [r["latency_ms"] for r in readings], [json.dumps(r["checks"]) for r in readings], at, list(SEVERITY),
        )  # fmt: skip
        return [(row["service"], row["from_status"], row["to_status"]) for row in rows]

    async def states(self) -> list[asyncpg.Record]:
        return await self.pool.fetch("SELECT * FROM service_states ORDER BY service")

    async def recent_changes(self, limit: int) -> list[asyncpg.Record]:
        return await self.pool.fetch("SELECT * FROM state_changes ORDER BY at DESC, id DESC LIMIT $1", limit)

    async def incidents(self, open_only: bool, limit: int) -> list[asyncpg.Record]:
        """The incidents, newest first, each with the alerts received about its service while it lasted."""
        return await self.pool.fetch(
            """SELECT i.*, COALESCE(i.ended_at, now()) - i.started_at AS lasted,
                      COALESCE((SELECT jsonb_agg(jsonb_build_object('id', a.id, 'alertname', a.alertname,
                                                'severity', a.severity, 'status', a.status, 'starts_at', a.starts_at)
                                                ORDER BY a.starts_at)
                                FROM alerts a WHERE a.service = i.service
                                  AND a.starts_at BETWEEN i.started_at - interval '5 minutes'
                                                      AND COALESCE(i.ended_at, now())), '[]') AS alerts
               FROM incidents i WHERE NOT $1 OR i.ended_at IS NULL
               ORDER BY i.started_at DESC, i.id DESC LIMIT $2""",
            open_only, limit,
        )  # fmt: skip


async def read_health(reader: Reader, service: str) -> dict[str, Any]:
    """One service's /health through the internal gateway: its status and checks, or unreachable."""
    started = time.perf_counter()
    try:
        answer: Answer | None = await reader.service(service, "/health")
        body = json.loads(answer.text) if answer is not None and answer.content_type == "application/json" else {}
    except (ReadError, ValueError):
        answer, body = None, {}
    latency = round((time.perf_counter() - started) * 1000, 2)
    status = body.get("status") if isinstance(body, dict) else None
    checks = body.get("checks") if isinstance(body, dict) and isinstance(body.get("checks"), dict) else {}
    return {
        "service": service,
        "status": status if status in STATES else "unreachable",
        "http_status": answer.status if answer is not None else None,
        "latency_ms": latency,
        "checks": checks,
    }


async def check_every_service(reader: Reader, history: HealthHistory, services: list[str]) -> None:
    at = datetime.now(UTC)
    await history.partitions.ensure(at.date())
    readings = [await read_health(reader, service) for service in services]
    for service, before, after in await history.record(readings, at):
        log.warning("monitoring.service_state_changed", service=service, before=before, after=after)
    await history.partitions.prune(at.date())
