"""create_app(): the agent service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_agent import __version__
from osool_agent.settings import Settings
from osool_common.app import create_service_app


def create_app() -> FastAPI:
    settings = Settings.load()
    return create_service_app(
        settings,
        version=__version__,
        description="Amr, the AI property consultant: chat (SSE), tools, leads and viewings.",
        redis_critical=False,
    )
