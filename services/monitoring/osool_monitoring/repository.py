"""The monitoring schema's SQL: alerts received (stored once per occurrence, updated by repeats and resolution) and
the scheduled jobs' reports."""

from __future__ import annotations

from typing import Any

import asyncpg

from osool_monitoring.schemas import WebhookAlert

Record = asyncpg.Record


class AlertRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def upsert(self, alert: WebhookAlert) -> tuple[Record, bool, bool]:
        """The stored alert, whether this delivery created it, and whether it turned it resolved."""
        resolved = alert.status == "resolved"
        # Alertmanager sends endsAt 0001-01-01 while an alert fires: no end yet.
        ends_at = alert.ends_at if alert.ends_at is not None and alert.ends_at.year > 1 else None
        async with self.pool.acquire() as connection, connection.transaction():
            before = await connection.fetchrow(
                "SELECT status FROM alerts WHERE fingerprint = $1 AND starts_at = $2 FOR UPDATE",
                alert.fingerprint, alert.starts_at,
            )  # fmt: skip
            row = await connection.fetchrow(
                """INSERT INTO alerts (fingerprint, alertname, severity, service, status, labels, annotations,
                                       starts_at, ends_at, generator_url, resolved_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, CASE WHEN $11 THEN now() END)
                   ON CONFLICT (fingerprint, starts_at) DO UPDATE SET
                       status = CASE WHEN alerts.status = 'resolved' THEN 'resolved' ELSE EXCLUDED.status END,
                       ends_at = COALESCE(EXCLUDED.ends_at, alerts.ends_at),
                       annotations = EXCLUDED.annotations,
                       receipts = alerts.receipts + 1,
                       last_received_at = now(),
                       resolved_at = COALESCE(alerts.resolved_at, EXCLUDED.resolved_at)
                   RETURNING *""",
                alert.fingerprint, alert.labels.get("alertname", "unnamed"), alert.labels.get("severity"),
                alert.labels.get("service"), alert.status, alert.labels, alert.annotations, alert.starts_at, ends_at,
                alert.generator_url, resolved,
            )  # fmt: skip
        assert row is not None
        created = before is None
        turned_resolved = resolved and (before is None or before["status"] != "resolved")
        return row, created, turned_resolved

    async def mark_notified(self, alert_id: int, status: str) -> None:
        column = "notified_resolved_at" if status == "resolved" else "notified_firing_at"
        await self.pool.execute(
            f"UPDATE alerts SET {column} = COALESCE({column}, now()) WHERE id = $1",  # noqa: S608 (a fixed column)
            alert_id,
        )

    async def recent(self, status: str | None, limit: int) -> list[Record]:
        clauses: list[str] = []
        args: list[Any] = [limit]
        if status is not None:
            args.append(status)
            clauses.append(f"status = ${len(args)}")
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        rows: list[Any] = await self.pool.fetch(
            f"SELECT * FROM alerts {where} ORDER BY last_received_at DESC, id DESC LIMIT $1",  # noqa: S608
            *args,
        )
        return rows


class ReportRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    async def add(self, kind: str, duration_ms: float, summary: dict[str, Any], findings: list[Any]) -> Record:
        row = await self.pool.fetchrow(
            "INSERT INTO reports (kind, duration_ms, summary, findings) VALUES ($1, $2, $3, $4) RETURNING *",
            kind, duration_ms, summary, findings,
        )  # fmt: skip
        assert row is not None
        return row

    async def latest(self, kind: str) -> Record | None:
        row: Record | None = await self.pool.fetchrow(
            "SELECT * FROM reports WHERE kind = $1 ORDER BY created_at DESC, id DESC LIMIT 1", kind
        )
        return row

    async def get(self, report_id: int) -> Record | None:
        row: Record | None = await self.pool.fetchrow("SELECT * FROM reports WHERE id = $1", report_id)
        return row

    async def recent(self, kind: str | None, limit: int) -> list[Record]:
        rows: list[Record] = await self.pool.fetch(
            "SELECT id, kind, created_at, duration_ms, summary, jsonb_array_length(findings) AS finding_count "
            "FROM reports WHERE $1::text IS NULL OR kind = $1 ORDER BY created_at DESC, id DESC LIMIT $2",
            kind, limit,
        )  # fmt: skip
        return rows

    async def prune(self, keep_days: int) -> int:
        deleted = await self.pool.fetchval(
            "WITH gone AS (DELETE FROM reports WHERE created_at < now() - make_interval(days => $1) RETURNING 1) "
            "SELECT count(*) FROM gone",
            keep_days,
        )
        return int(deleted or 0)
