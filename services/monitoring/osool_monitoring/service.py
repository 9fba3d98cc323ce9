"""The monitoring service's use cases: alerts received from Alertmanager, stored once, resolved, told to operators."""

from __future__ import annotations

import httpx

from osool_common.logging import get_logger
from osool_monitoring import metrics
from osool_monitoring.notifications import Operators
from osool_monitoring.repository import AlertRepository, Record
from osool_monitoring.schemas import AlertmanagerWebhook, StoredAlert, WebhookResult

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
