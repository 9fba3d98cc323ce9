"""HTTP routes of the monitoring service: Alertmanager's webhook (internal) and the alerts for administrators."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request

from osool_common.auth import Principal, current_principal, require_role
from osool_common.errors import PermissionDeniedError
from osool_common.service_auth import carries_service_key
from osool_monitoring.health import HealthHistory
from osool_monitoring.schemas import (
    AlertList,
    AlertmanagerWebhook,
    HealthOverview,
    ServiceState,
    StateChange,
    WebhookResult,
)
from osool_monitoring.service import AlertService

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
