"""create_app(): the monitoring service's FastAPI app with the shared kit."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from httpx_aiohttp import AiohttpTransport

from osool_common.app import Resources, create_service_app
from osool_common.http_client import ServiceClient
from osool_monitoring import __version__, scheduler
from osool_monitoring.api import detailed_router, internal_router, metrics_router, router
from osool_monitoring.health import HealthHistory, check_every_service
from osool_monitoring.notifications import Operators
from osool_monitoring.performance import Performance
from osool_monitoring.red import RedHistory
from osool_monitoring.repository import AlertRepository, ReportRepository
from osool_monitoring.service import AlertService, ReportService
from osool_monitoring.settings import Settings

# Kept open across the jobs' periods (nginx keeps an idle connection 65 s): a health run every 15 s reuses its
# connections instead of opening new ones (httpx's default keeps them 5 s).
KEEPALIVE = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=30.0)


def jobs_transport() -> AiohttpTransport:
    """The transport of the jobs' calls (six /health every 15 s, every replica's /metrics every minute, the reports'
    readings): httpx's API and error types over aiohttp's compiled HTTP parser (httpx-aiohttp, the transport behind
    the OpenAI SDK's aiohttp client). httpx's own transport (httpcore's h11, pure Python) took 1.3 ms of CPU per GET
    against 0.6, in the service that makes a request for every service every 15 s all day: the health job
    was the largest share of what monitoring costs the stack (bench/monitoring)."""
    return AiohttpTransport(limits=KEEPALIVE)


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)

    async def setup(app: FastAPI, resources: Resources) -> None:
        # The kit's client (resources.http) serves the request path (sign-in keys); the jobs and alerts have theirs.
        http = ServiceClient(settings, transport=jobs_transport())
        resources.background.push_async_callback(http.aclose)
        app.state.alerts = AlertService(AlertRepository(resources.db), Operators(http))
        history = HealthHistory(resources.db, settings.monitoring_retention_days)
        app.state.health_history = history

        # Each replica's own /metrics, straight to its port (the targets file names them); no service key needed.
        direct = httpx.AsyncClient(timeout=httpx.Timeout(5.0, connect=1.0), transport=jobs_transport())
        resources.background.push_async_callback(direct.aclose)
        red_history = RedHistory(resources.db, settings.monitoring_retention_days)
        reports_repository = ReportRepository(resources.db)
        performance = Performance(resources.db, red_history, reports_repository)
        reports = ReportService(
            settings, resources.db, resources.redis, http, direct, reports_repository, red_history,
            performance,
        )  # fmt: skip
        app.state.reports = reports

        async def health_job() -> None:
            await check_every_service(http, history, settings.monitored)

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
