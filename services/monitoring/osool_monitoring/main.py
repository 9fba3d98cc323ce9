"""create_app(): the monitoring service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_common.app import Resources, create_service_app
from osool_monitoring import __version__, scheduler
from osool_monitoring.api import internal_router, metrics_router, router
from osool_monitoring.health import HealthHistory, check_every_service
from osool_monitoring.notifications import Operators
from osool_monitoring.repository import AlertRepository
from osool_monitoring.service import AlertService
from osool_monitoring.settings import Settings


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)

    async def setup(app: FastAPI, resources: Resources) -> None:
        app.state.alerts = AlertService(AlertRepository(resources.db), Operators(resources.http))
        history = HealthHistory(resources.db, settings.monitoring_retention_days)
        app.state.health_history = history

        async def health_job() -> None:
            await check_every_service(resources.http, history, settings.monitored)

        jobs = [scheduler.Job("health", settings.monitoring_health_interval_seconds, health_job)]
        running = scheduler.start(scheduler.Leases(resources.db), jobs)
        resources.background.callback(running.shutdown, wait=False)

    return create_service_app(
        settings,
        version=__version__,
        description="Operations: health history, alerts, cost reports for every service.",
        routers=[router, internal_router, metrics_router],
        redis_critical=False,
        setup=setup,
    )
