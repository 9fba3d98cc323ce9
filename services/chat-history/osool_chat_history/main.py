"""create_app(): the chat-history service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_chat_history import __version__
from osool_chat_history.settings import Settings
from osool_common.app import create_service_app


def create_app() -> FastAPI:
    settings = Settings.load()
    return create_service_app(
        settings,
        version=__version__,
        description="Conversations: sessions and messages that survive restarts and follow the user.",
        redis_critical=False,
    )
