"""create_app(): the chat-history service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_chat_history import __version__
from osool_chat_history.api import internal_router, router
from osool_chat_history.purge import purge_periodically
from osool_chat_history.repository import HistoryRepository
from osool_chat_history.service import HistoryService
from osool_chat_history.settings import Settings
from osool_common.app import Resources, create_service_app


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings)

    async def setup(app: FastAPI, resources: Resources) -> None:
        service = HistoryService(settings, HistoryRepository(resources.db, resources.db_read))
        app.state.history = service
        resources.run_in_background(purge_periodically(service, resources.redis), "history-purge")

    return create_service_app(
        settings,
        version=__version__,
        description="Conversations: sessions and messages that survive restarts and follow the user.",
        routers=[router, internal_router],
        redis_critical=False,
        setup=setup,
    )
