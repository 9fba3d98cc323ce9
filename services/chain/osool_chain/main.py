"""create_app(): the chain service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_chain import __version__
from osool_chain.settings import Settings
from osool_common.app import create_service_app


def create_app() -> FastAPI:
    settings = Settings.load()
    return create_service_app(
        settings,
        version=__version__,
        description="The property registry on Ethereum: reservations, sales, document hashes.",
        redis_critical=True,
    )
