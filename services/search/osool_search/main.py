"""create_app(): the search service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_common.app import create_service_app
from osool_search import __version__
from osool_search.settings import Settings


def create_app() -> FastAPI:
    settings = Settings.load()
    return create_service_app(
        settings,
        version=__version__,
        description="Verified listings: ingestion, hybrid semantic search with pgvector, market statistics.",
        redis_critical=False,
    )
