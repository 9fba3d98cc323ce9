"""create_app(): the monitoring service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_common.app import create_service_app
from osool_monitoring import __version__
from osool_monitoring.settings import Settings


def create_app() -> FastAPI:
    settings = Settings.load()
    return create_service_app(
        settings,
        version=__version__,
        description="Operations: health history, alerts, cost reports for every service.",
        redis_critical=False,
    )
