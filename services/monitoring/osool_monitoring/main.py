"""create_app(): the monitoring service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_common.app import Resources, create_service_app
from osool_monitoring import __version__
from osool_monitoring.api import internal_router, router
from osool_monitoring.notifications import Operators
from osool_monitoring.repository import AlertRepository
from osool_monitoring.service import AlertService
from osool_monitoring.settings import Settings


def create_app() -> FastAPI:
    settings = Settings.load()

    async def setup(app: FastAPI, resources: Resources) -> None:
        app.state.alerts = AlertService(AlertRepository(resources.db), Operators(resources.http))

    return create_service_app(
        settings,
        version=__version__,
        description="Operations: health history, alerts, cost reports for every service.",
        routers=[router, internal_router],
        redis_critical=False,
        setup=setup,
    )
