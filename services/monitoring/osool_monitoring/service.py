"""The monitoring service's use cases: alerts received from Alertmanager (stored once, resolved, told to operators),
and the scheduled reports with the views over them."""

from __future__ import annotations

import math
import time
from typing import Any

import asyncpg
import httpx
from redis.asyncio import Redis

from osool_common.errors import UnavailableError
from osool_common.http_client import ServiceClient
from osool_common.logging import get_logger
from osool_monitoring import caches, costs, metrics, red
from osool_monitoring.database import DatabaseReport
from osool_monitoring.notifications import Operators
from osool_monitoring.performance import Performance
from osool_monitoring.reader import Reader
from osool_monitoring.red import RedHistory
from osool_monitoring.repository import AlertRepository, Record, ReportRepository
from osool_monitoring.scheduler import next_period_opens
from osool_monitoring.schemas import AlertmanagerWebhook, StoredAlert, WebhookResult
from osool_monitoring.settings import Settings

log = get_logger(__name__)


class AlertService:
    def __init__(self, repository: AlertRepository, operators: Operators) -> None:
        self.repository = repository
        self.operators = operators

    async def receive(self, webhook: AlertmanagerWebhook) -> WebhookResult:
        """Store every alert of a delivery (a repeat updates its occurrence, it never adds one) and tell the operators
        the first time an occurrence is seen firing and the first time it is seen resolved."""
        new = resolved = notified = 0
        for alert in webhook.alerts:
            row, created, turned_resolved = await self.repository.upsert(alert)
            metrics.ALERTS_RECEIVED.labels(row["alertname"], alert.status).inc()
            new += created
            resolved += turned_resolved
            if row["status"] == "firing" and row["notified_firing_at"] is None:
                notified += await self._tell(row, "firing")
            elif row["status"] == "resolved" and row["notified_resolved_at"] is None:
                notified += await self._tell(row, "resolved")
        return WebhookResult(received=len(webhook.alerts), new=new, resolved=resolved, notified=notified)

    async def _tell(self, row: Record, kind: str) -> int:
        annotations = row["annotations"]
        severity = (row["severity"] or "warning").upper()
        summary = annotations.get("summary") or row["alertname"]
        if kind == "resolved":
            subject = f"[RESOLVED] {row['alertname']}: {summary}"
            channels = ["email"]
        else:
            subject = f"[{severity}] {row['alertname']}: {summary}"
            # Critical wakes someone: a text message as well.
            channels = ["email", "sms"] if row["severity"] == "critical" else ["email"]
        lines = [
            summary,
            annotations.get("description", ""),
            f"What to do: {annotations['runbook']}" if annotations.get("runbook") else "",
            f"Started: {row['starts_at'].isoformat()}",
            f"Resolved: {row['resolved_at'].isoformat()}" if kind == "resolved" and row["resolved_at"] else "",
            "Labels: " + ", ".join(f"{k}={v}" for k, v in sorted(row["labels"].items())),
        ]
        text = "\n".join(line for line in lines if line)
        try:
            reached = await self.operators.notify(
                subject[:200], text[:4000], channels, dedupe_key=f"alert:{row['id']}:{kind}"
            )
        except (httpx.HTTPError, RuntimeError, ValueError) as exc:
            metrics.ALERT_NOTIFICATIONS.labels(kind, "failed").inc()
            log.warning("monitoring.alert_notify_failed", alert=row["alertname"], kind=kind, error=str(exc))
            return 0
        await self.repository.mark_notified(row["id"], kind)
        metrics.ALERT_NOTIFICATIONS.labels(kind, "sent").inc()
        log.info("monitoring.alert_notified", alert=row["alertname"], kind=kind, administrators=reached)
        return 1

    async def recent(self, status: str | None, limit: int) -> list[StoredAlert]:
        return [StoredAlert.from_row(row) for row in await self.repository.recent(status, limit)]


class ReportService:
    """The scheduled reports (database, performance, cache, cost) and the views over them and over the jobs."""

    def __init__(
        self, settings: Settings, pool: asyncpg.Pool, redis: Redis, http: ServiceClient, reader: Reader,
        reports: ReportRepository, red: RedHistory, performance: Performance,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.pool = pool
        self.redis = redis
        self.http = http
        self.reader = reader
        self.reports = reports
        self.red = red
        self.performance = performance

    async def collect_red(self) -> int:
        with metrics.REPORT_SECONDS.labels("red").time():
            targets = await self._targets(self.settings.monitored)
            stored = await red.collect_red(self.reader, self.red, targets)
        # Housekeeping rides on the minute's job: leases and reports past the retention.
        await self.pool.execute(
            "DELETE FROM job_runs WHERE started_at < now() - make_interval(days => $1)",
            self.settings.monitoring_retention_days,
        )
        await self.reports.prune(self.settings.monitoring_retention_days)
        return stored

    async def _targets(self, services: list[str]) -> list[red.Target]:
        return await red.find_targets(
            self.settings.monitoring_targets_file, self.settings.monitoring_targets_dns_port, services
        )

    async def database_report(self) -> Record:
        with metrics.REPORT_SECONDS.labels("database").time():
            summary, findings, duration = await DatabaseReport(
                self.pool, self.settings.monitoring_unused_index_min_hours
            ).run()
        row = await self.reports.add("database", duration, summary, findings)
        log.info("monitoring.database_report", findings=len(findings), ms=round(duration, 1))
        return row

    async def analyse_performance(self) -> dict[str, Any]:
        with metrics.REPORT_SECONDS.labels("performance").time():
            return await self.performance.analyse()

    async def cache_report(self) -> Record:
        started = time.perf_counter()
        with metrics.REPORT_SECONDS.labels("cache").time():
            targets = await self._targets(["search"])
            texts = [text for t in targets if (text := await red.read_text(self.reader, t)) is not None]
            previous = await self.reports.latest("cache")
            summary, findings, _ = await caches.cache_report(
                self.redis, texts, previous["summary"] if previous else None
            )
        return await self.reports.add("cache", (time.perf_counter() - started) * 1000, summary, findings)

    async def cost_report(self) -> Record:
        started = time.perf_counter()
        with metrics.REPORT_SECONDS.labels("cost").time():
            summary, findings = costs.cost_report(await costs.read_costs(self.http))
            baselines = await self.performance.recalibrate()
        summary["route_baselines"] = baselines
        return await self.reports.add("cost", (time.perf_counter() - started) * 1000, summary, findings)

    async def live_costs(self) -> dict[str, Any]:
        """The agent's meter now, with the figures of the cost report; the latest stored report when the agent
        does not answer."""
        try:
            summary, findings = costs.cost_report(await costs.read_costs(self.http))
            return {"source": "live", "created_at": None, "summary": summary, "findings": findings}
        except costs.CostUnavailableError as exc:
            latest = await self.reports.latest("cost")
            if latest is None:
                raise UnavailableError(f"no cost report yet, and {exc}") from exc
            return {"source": "report", "created_at": latest["created_at"], "summary": latest["summary"],
                    "findings": latest["findings"], "unavailable": str(exc)}  # fmt: skip

    async def jobs(self) -> list[dict[str, Any]]:
        """Each job's latest run: when it started and finished, who ran it, its error, whether it is overdue."""
        rows = await self.pool.fetch(
            """SELECT DISTINCT ON (job) job, period, runner, started_at, finished_at, error
               FROM job_runs ORDER BY job, period DESC"""
        )
        now = time.time()
        result = []
        for row in rows:
            name, _, interval = row["job"].partition("@")
            seconds = float(interval.removesuffix("s") or 0)
            result.append({
                "job": name, "interval_seconds": seconds, "runner": row["runner"], "started_at": row["started_at"],
                "finished_at": row["finished_at"], "error": row["error"],
                # Overdue: no run began in the last two periods (every replica down, or the scheduler stuck).
                "overdue": now - row["started_at"].timestamp() > 2 * seconds + 5,
            })  # fmt: skip
        return result

    async def database_status(self) -> dict[str, Any]:
        latest = await self.reports.latest("database")
        if latest is None:
            return {"last_run_at": None, "next_run_in_seconds": None, "findings": 0, "by_kind": {}, "top": []}
        by_kind: dict[str, int] = {}
        for finding in latest["findings"]:
            by_kind[finding["kind"]] = by_kind.get(finding["kind"], 0) + 1
        interval, now = self.settings.monitoring_database_report_interval_seconds, time.time()
        return {
            "report_id": latest["id"], "last_run_at": latest["created_at"], "duration_ms": latest["duration_ms"],
            "next_run_in_seconds": math.ceil(next_period_opens(interval, now) - now),
            "pg_stat_statements": latest["summary"].get("pg_stat_statements"),
            "cache_hit_ratio": latest["summary"].get("cache_hit_ratio"),
            "findings": len(latest["findings"]), "by_kind": by_kind,
            "top": [{k: f[k] for k in ("kind", "severity", "object", "recommendation")}
                    for f in latest["findings"][:5]],
        }  # fmt: skip
