"""create_app(): the auth service's FastAPI app with the shared kit."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import FastAPI

from osool_auth import __version__, siwe
from osool_auth.api import dev_router, internal_router, jwks_router, router
from osool_auth.delivery import EmailSender, SendGridEmailSender, SmsSender, TwilioSmsSender
from osool_auth.google import GoogleIdTokenVerifier
from osool_auth.repository import AuthRepository
from osool_auth.service import AuthService, OutboxDelivery
from osool_auth.settings import Settings
from osool_auth.throttle import FailureLog, KnownAddresses
from osool_auth.tokens import TokenIssuer, parse_signing_keys
from osool_common.app import Resources, create_service_app
from osool_common.auth import TokenVerifier
from osool_common.ratelimit import RateLimiter

WARM_UP_DELAY_SECONDS = 20


def build_senders(settings: Settings, repository: AuthRepository) -> tuple[SmsSender, EmailSender]:
    outbox = OutboxDelivery(repository)
    sms: SmsSender = outbox
    email: EmailSender = outbox
    if settings.sms_configured:
        assert settings.twilio_auth_token is not None
        sms = TwilioSmsSender(
            account_sid=str(settings.twilio_account_sid),
            auth_token=settings.twilio_auth_token.get_secret_value(),
            from_number=str(settings.twilio_from_number),
            api_base_url=settings.twilio_api_base_url,
        )
    if settings.email_configured:
        assert settings.sendgrid_api_key is not None
        email = SendGridEmailSender(
            api_key=settings.sendgrid_api_key.get_secret_value(),
            from_email=str(settings.sendgrid_from_email),
            host=settings.sendgrid_host,
        )
    return sms, email


def create_app() -> FastAPI:
    settings = Settings.load()
    assert isinstance(settings, Settings) and settings.auth_jwt_keys is not None
    issuer = TokenIssuer(
        parse_signing_keys(settings.auth_jwt_keys.get_secret_value()),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        access_ttl_seconds=settings.access_token_minutes * 60,
    )

    async def setup(app: FastAPI, resources: Resources) -> None:
        repository = AuthRepository(resources.db)
        sms, email = build_senders(settings, repository)
        google = (
            GoogleIdTokenVerifier(client_id=settings.google_client_id, jwks_url=settings.google_jwks_url)
            if settings.google_client_id
            else None
        )
        app.state.issuer = issuer

        async def own_keys() -> dict[str, Any]:
            return issuer.jwks()

        # auth verifies its own tokens from its own keys, without a round trip through the gateway.
        app.state.verifier = TokenVerifier(
            own_keys, issuer=settings.jwt_issuer, audience=settings.jwt_audience, redis=resources.redis
        )
        app.state.auth = AuthService(
            settings=settings,
            repository=repository,
            issuer=issuer,
            redis=resources.redis,
            limiter=RateLimiter(resources.redis, "auth:limit"),
            sms=sms,
            email=email,
            google=google,
            failures=FailureLog(resources.redis),
            known_addresses=KnownAddresses(resources.redis, days=settings.known_address_days),
        )
        resources.run_in_background(_warm_up_siwe(), "auth-siwe-warm-up")

    return create_service_app(
        settings,
        version=__version__,
        description="Identity: every way to sign in, tokens, JWKS, roles.",
        # The development outbox does not exist in production.
        routers=[router, jwks_router, internal_router]
        if settings.osool_env == "production"
        else [router, jwks_router, internal_router, dev_router],
        redis_critical=True,
        setup=setup,
    )


async def _warm_up_siwe() -> None:
    # Once the stack has started (the other services are importing meanwhile), in a thread: the event loop keeps
    # answering while the signature libraries load.
    await asyncio.sleep(WARM_UP_DELAY_SECONDS)
    await asyncio.to_thread(siwe.warm_up)
