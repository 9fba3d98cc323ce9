"""Request and response bodies of the monitoring service: Alertmanager's webhook and the alerts it stored."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

LabelName = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
LabelValue = Annotated[str, StringConstraints(max_length=4000)]
Status = Literal["firing", "resolved"]


class WebhookAlert(BaseModel):
    """One alert as Alertmanager's webhook (version 4) sends it; fields it adds later are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    status: Status
    labels: dict[LabelName, LabelValue] = Field(max_length=50)
    annotations: dict[LabelName, LabelValue] = Field(default_factory=dict, max_length=50)
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    generator_url: str | None = Field(default=None, alias="generatorURL", max_length=4000)
    fingerprint: str = Field(min_length=1, max_length=64, pattern=r"^[0-9a-f]+$")


class AlertmanagerWebhook(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    version: Literal["4"]
    status: Status
    receiver: str = Field(max_length=200)
    group_key: str = Field(default="", alias="groupKey", max_length=4000)
    alerts: list[WebhookAlert] = Field(min_length=1, max_length=1000)


class WebhookResult(BaseModel):
    received: int
    new: int
    resolved: int
    notified: int


class StoredAlert(BaseModel):
    id: int
    fingerprint: str
    alertname: str
    severity: str | None
    service: str | None
    status: Status
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    resolved_at: datetime | None
    receipts: int = Field(description="deliveries of this occurrence (Alertmanager repeats a firing alert)")
    first_received_at: datetime
    last_received_at: datetime
    notified_firing_at: datetime | None
    notified_resolved_at: datetime | None

    @classmethod
    def from_row(cls, row: Any) -> StoredAlert:
        return cls(**{name: row[name] for name in cls.model_fields})


class AlertList(BaseModel):
    items: list[StoredAlert]


class ServiceState(BaseModel):
    service: str
    status: Literal["healthy", "degraded", "unhealthy", "unreachable"]
    since: datetime = Field(description="when the service entered this status")
    checked_at: datetime
    latency_ms: float | None
    checks: dict[str, Any]


class StateChange(BaseModel):
    service: str
    from_status: str | None
    to_status: str
    at: datetime


class HealthOverview(BaseModel):
    status: Literal["healthy", "degraded", "unhealthy", "unreachable", "unknown"] = Field(
        description="the worst service's status; unknown before the first health run"
    )
    services: list[ServiceState]
    changes: list[StateChange] = Field(description="the latest state changes, newest first")


class JobStatus(BaseModel):
    job: str
    interval_seconds: float
    runner: str = Field(description="host:pid of the replica that ran the latest period")
    started_at: datetime
    finished_at: datetime | None
    error: str | None
    overdue: bool = Field(description="no run began in the last two periods")


class DetailedHealth(BaseModel):
    status: Literal["healthy", "degraded", "unhealthy", "unreachable", "unknown"]
    services: list[ServiceState]
    jobs: list[JobStatus]
    open_incidents: int


class Incident(BaseModel):
    id: int
    service: str
    started_at: datetime
    ended_at: datetime | None = Field(description="null while it lasts")
    lasted_seconds: float
    worst_status: str
    checks: dict[str, Any] = Field(description="the checks when it was at its worst")
    alerts: list[dict[str, Any]] = Field(description="alerts received about the service while it lasted")


class IncidentList(BaseModel):
    items: list[Incident]


ReportKind = Literal["database", "performance", "cache", "cost"]


class ReportHeader(BaseModel):
    id: int
    kind: ReportKind
    created_at: datetime
    duration_ms: float
    finding_count: int


class ReportList(BaseModel):
    items: list[ReportHeader]


class Report(BaseModel):
    id: int
    kind: ReportKind
    created_at: datetime
    duration_ms: float
    summary: dict[str, Any]
    findings: list[dict[str, Any]] = Field(description="each with its kind, severity, object and recommendation")


class PerformanceView(BaseModel):
    window: dict[str, Any]
    services: list[dict[str, Any]] = Field(description="RED per service: rate, errors, error ratio, mean, p50/p95/p99")
    routes: list[dict[str, Any]] = Field(description="RED per service, route and method, with its 7-day baseline p95")
    slowest: list[dict[str, Any]] = Field(description="the ten routes with the highest p95 (5 requests or more)")
    recommendations: list[str]
    analysis: dict[str, Any] | None = Field(description="the latest 6-hourly analysis against the 7-day baseline")


class ServiceTotals(BaseModel):
    requests: int
    rate_per_second: float | None
    errors: int = Field(description="answers with a 5xx status")
    error_ratio: float | None
    p95_ms: float | None


class ServiceSeries(BaseModel):
    service: str
    requests: list[int | None] = Field(description="per bin of `times`; null where no RED reading reached the bin")
    rate_per_second: list[float | None]
    errors: list[int | None]
    p95_ms: list[float | None] = Field(description="null where the bin had no request")
    total: ServiceTotals = Field(description="the whole window")


class PerformanceSeries(BaseModel):
    window: dict[str, Any] = Field(description="from, to, minutes, step_seconds (the width of a bin)")
    times: list[datetime] = Field(description="the start of every bin of the window, oldest first")
    services: list[ServiceSeries] = Field(description="health probes and metric scrapes left out")


class DatabaseOptimizationStatus(BaseModel):
    report_id: int | None = None
    last_run_at: datetime | None
    duration_ms: float | None = None
    next_run_in_seconds: int | None
    pg_stat_statements: str | None = None
    cache_hit_ratio: float | None = None
    findings: int
    by_kind: dict[str, int]
    top: list[dict[str, Any]] = Field(description="the five first findings (most severe first), with recommendations")


class CostView(BaseModel):
    source: Literal["live", "report"] = Field(description="live from the agent's meter, or the latest daily report")
    created_at: datetime | None
    summary: dict[str, Any]
    findings: list[dict[str, Any]]
    unavailable: str | None = None
