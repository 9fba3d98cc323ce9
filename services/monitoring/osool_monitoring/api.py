"""HTTP routes of the monitoring service: Alertmanager's webhook (internal) and the alerts for administrators."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request

from osool_common.auth import Principal, require_role
from osool_monitoring.schemas import AlertList, AlertmanagerWebhook, WebhookResult
from osool_monitoring.service import AlertService

router = APIRouter(prefix="/api/monitoring", tags=["monitoring"])
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
