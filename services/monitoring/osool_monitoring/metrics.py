"""The monitoring service's domain metrics (the kit adds the HTTP ones)."""

from prometheus_client import Counter

ALERTS_RECEIVED = Counter(
    "osool_monitoring_alerts_received_total", "Alerts delivered by Alertmanager, by alert and status",
    ["alertname", "status"],
)  # fmt: skip
# outcome: sent (every administrator told), failed (auth could not be asked; the next delivery tries again).
ALERT_NOTIFICATIONS = Counter(
    "osool_monitoring_alert_notifications_total", "Alert notifications to the operators, by kind and outcome",
    ["kind", "outcome"],
)  # fmt: skip
