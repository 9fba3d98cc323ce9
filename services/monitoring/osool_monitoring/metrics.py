"""The monitoring service's domain metrics (the kit adds the HTTP ones)."""

from prometheus_client import Counter, Gauge, Histogram

ALERTS_RECEIVED = Counter(
    "osool_monitoring_alerts_received_total", "Alerts delivered by Alertmanager, by alert and status",
    ["alertname", "status"],
)  # fmt: skip
# outcome: sent (every administrator told), failed (auth could not be asked; the next delivery tries again).
ALERT_NOTIFICATIONS = Counter(
    "osool_monitoring_alert_notifications_total", "Alert notifications to the operators, by kind and outcome",
    ["kind", "outcome"],
)  # fmt: skip
# Each route's 7-day p95 (the daily recalibration), published by every replica from route_baselines: the latency
# alerts compare the route's current p95 with it. A route that lost its baseline is set to NaN (a multiprocess gauge
# cannot drop a series another process wrote), and NaN compares false in an alert.
ROUTE_P95_BASELINE = Gauge(
    "osool_monitoring_route_p95_baseline_seconds", "Each route's p95 over the last 7 days, recalibrated daily",
    ["service", "route", "method"], multiprocess_mode="livemostrecent",
)  # fmt: skip
REPORT_SECONDS = Histogram(
    "osool_monitoring_report_duration_seconds", "Run time of the monitoring jobs, by job", ["job"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)  # fmt: skip
_published: set[tuple[str, str, str]] = set()


def publish_baselines(baselines: dict[tuple[str, str, str], float]) -> int:
    for labels in _published - set(baselines):
        ROUTE_P95_BASELINE.labels(*labels).set(float("nan"))
    for labels, seconds in baselines.items():
        ROUTE_P95_BASELINE.labels(*labels).set(seconds)
    _published.clear()
    _published.update(baselines)
    return len(baselines)
