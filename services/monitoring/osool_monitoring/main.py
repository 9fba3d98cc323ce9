"""create_app(): the monitoring service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_common.app import Resources, create_service_app
from osool_monitoring import __version__, scheduler
from osool_monitoring.api import detailed_router, internal_router, metrics_router, router
from osool_monitoring.health import HealthHistory, check_every_service
from osool_monitoring.notifications import Operators
from osool_monitoring.performance import Performance
from osool_monitoring.reader import Reader
from osool_monitoring.red import RedHistory
from osool_monitoring.repository import AlertRepository, ReportRepository
from osool_monitoring.service import AlertService, ReportService
from osool_monitoring.settings import Settings


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)

    async def setup(app: FastAPI, resources: Resources) -> None:
        # The kit's client for the seldom calls (admins to notify, the agent's costs); the jobs' many reads, every
        # /health and every replica's /metrics, have their own (reader.py).
        http = resources.http
        reader = Reader(settings)
        resources.background.push_async_callback(reader.aclose)
        app.state.alerts = AlertService(AlertRepository(resources.db), Operators(http))
        history = HealthHistory(resources.db, settings.monitoring_retention_days)
        app.state.health_history = history

        red_history = RedHistory(resources.db, settings.monitoring_retention_days)
        reports_repository = ReportRepository(resources.db)
        performance = Performance(resources.db, red_history, reports_repository)
        reports = ReportService(
            settings, resources.db, resources.redis, http, reader, reports_repository, red_history,
            performance,
        )  # fmt: skip
        app.state.reports = reports

        async def health_job() -> None:
            await check_every_service(reader, history, settings.monitored)

        jobs = [
            scheduler.Job("health", settings.monitoring_health_interval_seconds, health_job),
            scheduler.Job("red", settings.monitoring_red_interval_seconds, reports.collect_red),
            scheduler.Job("database-report", settings.monitoring_database_report_interval_seconds,
                          reports.database_report),
            scheduler.Job("performance-analysis", settings.monitoring_performance_interval_seconds,
                          reports.analyse_performance),
            scheduler.Job("cache-report", settings.monitoring_cache_report_interval_seconds, reports.cache_report),
            scheduler.Job("cost-report", settings.monitoring_cost_report_interval_seconds, reports.cost_report),
            scheduler.Job("publish-baselines", settings.monitoring_baseline_publish_seconds, performance.publish,
                          leased=False),
        ]  # fmt: skip
        running = scheduler.start(scheduler.Leases(resources.db), jobs)
        resources.background.callback(running.shutdown, wait=False)

    return create_service_app(
        settings,
        version=__version__,
        description="Operations: health history, alerts, cost reports for every service.",
        routers=[router, internal_router, metrics_router, detailed_router],
        redis_critical=False,
        setup=setup,
    )
