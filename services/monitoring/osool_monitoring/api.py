"""HTTP routes of the monitoring service: Alertmanager's webhook (internal), and for operators the health, RED,
database, cache and cost figures (the service key on the internal listener, an administrator's token on the public)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request

from osool_common.auth import Principal, current_principal, require_role
from osool_common.errors import NotFoundError, PermissionDeniedError
from osool_common.service_auth import carries_service_key
from osool_monitoring.health import HealthHistory
from osool_monitoring.schemas import (
    AlertList,
    AlertmanagerWebhook,
    CostView,
    DatabaseOptimizationStatus,
    DetailedHealth,
    HealthOverview,
    Incident,
    IncidentList,
    JobStatus,
    PerformanceSeries,
    PerformanceView,
    Report,
    ReportHeader,
    ReportKind,
    ReportList,
    ServiceState,
    StateChange,
    WebhookResult,
)
from osool_monitoring.service import AlertService, ReportService

router = APIRouter(prefix="/api/monitoring", tags=["monitoring"])


async def operator(request: Request) -> None:
    """Our services and operators' tools with the service key (the internal listener), or an administrator's token
    (the public listener routes /metrics/* here too): what these routes show is about the whole deployment."""
    key = request.app.state.settings.osool_service_key
    if carries_service_key(request.scope["headers"], key.get_secret_value().encode() if key else None):
        return
    principal = await current_principal(request)
    if principal.role != "admin":
        raise PermissionDeniedError("this needs the admin role or the service key")


metrics_router = APIRouter(
    prefix="/metrics",
    tags=["monitoring (operators)"],
    dependencies=[Depends(operator)],
    responses={
        401: {"description": "Neither the service key nor a valid access token"},
        403: {"description": "The signed-in account is not an administrator"},
        503: {"description": "The token keys are unavailable; try again shortly"},
    },
)
# /health/detailed beside the kit's /health routes, with the same credentials as /metrics/*.
detailed_router = APIRouter(
    tags=["monitoring (operators)"], dependencies=[Depends(operator)],
    responses={401: {"description": "Neither the service key nor a valid access token"},
               403: {"description": "The signed-in account is not an administrator"}},
)  # fmt: skip
# Either credential: the service key (the internal listener) or an administrator's token.
OPERATOR_SECURITY: dict[str, Any] = {"security": [{"serviceKey": []}, {"accessToken": []}]}
# Reachable only with the service key (the gateway's internal listener; Alertmanager sends it as a bearer token).
internal_router = APIRouter(prefix="/api/monitoring/internal", tags=["monitoring (internal)"])


async def alert_service(request: Request) -> AlertService:
    service: AlertService = request.app.state.alerts
    return service


Alerts = Annotated[AlertService, Depends(alert_service)]
Admin = Annotated[Principal, Depends(require_role("admin"))]


@internal_router.post("/alerts", response_model=WebhookResult, responses={401: {"description": "no service key"}})
async def receive_alerts(body: AlertmanagerWebhook, alerts: Alerts) -> WebhookResult:
    """Alertmanager's webhook (version 4): every alert stored once per occurrence (fingerprint and start), repeats
    counted, resolution recorded; the administrators are told when one fires (email, and SMS when critical) and when
    it resolves."""
    return await alerts.receive(body)


@router.get("/alerts", response_model=AlertList)
async def list_alerts(
    alerts: Alerts,
    _: Admin,
    status: Literal["firing", "resolved"] | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AlertList:
    """Admin: the alerts received, most recently delivered first; `status=firing` for what is wrong now."""
    return AlertList(items=await alerts.recent(status, limit))


async def health_history(request: Request) -> HealthHistory:
    history: HealthHistory = request.app.state.health_history
    return history


History = Annotated[HealthHistory, Depends(health_history)]
_RANK = {"healthy": 0, "degraded": 1, "unhealthy": 2, "unreachable": 3}


async def _overview(history: HealthHistory) -> HealthOverview:
    states = [ServiceState(**dict(row)) for row in await history.states()]
    changes = [StateChange(**{k: row[k] for k in StateChange.model_fields}) for row in await history.recent_changes(20)]
    worst = max(states, key=lambda state: _RANK[state.status]).status if states else "unknown"
    return HealthOverview(status=worst, services=states, changes=changes)


@metrics_router.get("/health", response_model=HealthOverview, openapi_extra=OPERATOR_SECURITY)
async def metrics_health(history: History) -> HealthOverview:
    """Every service's state from the health job (every MONITORING_HEALTH_INTERVAL_SECONDS), its checks, since
    when, and the latest changes."""
    return await _overview(history)


@router.get("/status", response_model=HealthOverview)
async def status(history: History, _: Admin) -> HealthOverview:
    """Admin: the status overview (the same as /metrics/health on the internal listener)."""
    return await _overview(history)


async def report_service(request: Request) -> ReportService:
    service: ReportService = request.app.state.reports
    return service


Reports = Annotated[ReportService, Depends(report_service)]
Minutes = Annotated[float, Query(ge=1, le=10080, description="the window: the last this many minutes")]
NO_REPORT: dict[int | str, dict[str, Any]] = {
    404: {"description": "no database report yet (the first runs when the service starts)"}
}


async def _database(reports: ReportService) -> Report:
    row = await reports.reports.latest("database")
    if row is None:
        raise NotFoundError("no database report yet: the first one runs when the service starts")
    return Report(**{name: row[name] for name in Report.model_fields})


@detailed_router.get("/health/detailed", response_model=DetailedHealth, openapi_extra=OPERATOR_SECURITY)
async def health_detailed(history: History, reports: Reports) -> DetailedHealth:
    """Every service's state and checks, each scheduled job's latest run (overdue when none began in two periods),
    and the open incidents."""
    overview = await _overview(history)
    jobs = [JobStatus(**job) for job in await reports.jobs()]
    open_incidents = len(await history.incidents(True, 200))
    status = overview.status
    if status == "healthy" and any(job.overdue or job.error for job in jobs):
        status = "degraded"
    return DetailedHealth(status=status, services=overview.services, jobs=jobs, open_incidents=open_incidents)


@metrics_router.get("/performance", response_model=PerformanceView, openapi_extra=OPERATOR_SECURITY)
async def metrics_performance(reports: Reports, minutes: Minutes = 60) -> PerformanceView:
    """RED per service and per route over the window (from the minute job's history of every replica's /metrics),
    the slowest routes, recommendations with their numbers, and the latest analysis against the 7-day baseline."""
    return PerformanceView(**await reports.performance.view(minutes))


@metrics_router.get("/database", response_model=Report, responses=NO_REPORT, openapi_extra=OPERATOR_SECURITY)
async def metrics_database(reports: Reports) -> Report:
    """The latest hourly database report: top statements, unused and duplicate indexes, tables read by sequential
    scans, bloat, cache-hit ratio, connections by state and service, replication; each finding with its
    recommendation."""
    return await _database(reports)


@router.get("/performance", response_model=PerformanceView)
async def performance(reports: Reports, _: Admin, minutes: Minutes = 60) -> PerformanceView:
    """Admin: the same as /metrics/performance."""
    return PerformanceView(**await reports.performance.view(minutes))


@router.get("/performance/series", response_model=PerformanceSeries)
async def performance_series(reports: Reports, _: Admin, minutes: Minutes = 60) -> PerformanceSeries:
    """Admin: requests, rate, 5xx errors and p95 per service over time (bins of whole minutes, at most 120 over the
    window), for charts; probes and scrapes left out."""
    return PerformanceSeries(**await reports.performance.series(minutes))


@router.get("/database", response_model=Report, responses=NO_REPORT)
async def database(reports: Reports, _: Admin) -> Report:
    """Admin: the same as /metrics/database."""
    return await _database(reports)


@router.get("/database-optimization/status", response_model=DatabaseOptimizationStatus)
async def database_optimization_status(reports: Reports, _: Admin) -> DatabaseOptimizationStatus:
    """Admin: when the last database report ran, when the next runs, and what it found (counts by kind, the five
    first findings)."""
    return DatabaseOptimizationStatus(**await reports.database_status())


@router.get("/incidents", response_model=IncidentList)
async def incidents(
    history: History, _: Admin, open: bool = False, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> IncidentList:
    """Admin: the times a service was not healthy (newest first; `open=true` for those still going on), each with
    the worst status it reached and the alerts received about it meanwhile."""
    rows = await history.incidents(open, limit)
    return IncidentList(items=[
        Incident(**{k: row[k] for k in Incident.model_fields if k != "lasted_seconds"},
                 lasted_seconds=row["lasted"].total_seconds())
        for row in rows
    ])  # fmt: skip


@router.get("/reports", response_model=ReportList)
async def list_reports(
    reports: Reports, _: Admin, kind: ReportKind | None = None, limit: Annotated[int, Query(ge=1, le=200)] = 50
) -> ReportList:
    """Admin: the reports of the scheduled jobs, newest first."""
    rows = await reports.reports.recent(kind, limit)
    return ReportList(items=[ReportHeader(**{k: row[k] for k in ReportHeader.model_fields}) for row in rows])


@router.get("/reports/{report_id}", response_model=Report, responses={404: {"description": "no such report"}})
async def get_report(reports: Reports, _: Admin, report_id: Annotated[int, Path(ge=1, le=2**62)]) -> Report:
    """Admin: one report with its summary and findings."""
    row = await reports.reports.get(report_id)
    if row is None:
        raise NotFoundError("no such report")
    return Report(**{name: row[name] for name in Report.model_fields})


@router.get(
    "/costs",
    response_model=CostView,
    responses={503: {"description": "the agent is unreachable and no cost report exists yet"}},
)
async def cost_view(reports: Reports, _: Admin) -> CostView:
    """Admin: the AI's spend by model and purpose over 7 days, each day's budget use, findings (over budget, a
    spike); live from the agent's meter, or the latest daily report when the agent does not answer."""
    return CostView(**await reports.live_costs())
