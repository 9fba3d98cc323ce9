"""create_app(): the auth service's FastAPI app with the shared kit."""

from __future__ import annotations

from fastapi import FastAPI

from osool_auth import __version__
from osool_auth.settings import Settings
from osool_common.app import create_service_app


def create_app() -> FastAPI:
    settings = Settings.load()
    return create_service_app(
        settings,
        version=__version__,
        description="Identity: every way to sign in, tokens, JWKS, roles.",
        redis_critical=True,
    )
