"""Service settings from the environment: the common variables and the secret rules every service shares."""

from __future__ import annotations

import os
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that mean "somebody copied the example file": refused in production.
_PLACEHOLDER_SECRETS = {"changethis", "changeme", "secret", "password", "postgres", "osool", "example"}
_MIN_PRODUCTION_SECRET_LENGTH = 16


class ConfigurationError(Exception):
    """Raised at start when the environment cannot run the service; the message names the variable."""


class CommonSettings(BaseSettings):
    """Variables every service reads. Secrets have no default: the local stack writes them to .env."""

    model_config = SettingsConfigDict(env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    # Each service sets these two class attributes in its own Settings subclass.
    service_name: ClassVar[str] = "service"
    # Secrets this service cannot run without (environment variable names, lower case).
    required_secrets: ClassVar[tuple[str, ...]] = ("database_url", "redis_url", "osool_service_key")

    osool_env: Literal["development", "test", "production"] = "development"
    log_level: str = "INFO"
    database_url: SecretStr | None = None
    redis_url: SecretStr | None = None
    sentry_dsn: SecretStr | None = None
    # Share of requests traced to Sentry (performance); errors are always sent. 0 by default: tracing costs every
    # request, so production turns it on knowingly (0.1 is the usual start).
    sentry_traces_sample_rate: float = Field(default=0.0, ge=0.0, le=1.0)
    # The per-deployment key every call between our services carries (osool_common.service_auth): internal routes
    # and the gateway's internal listener refuse a caller without it.
    osool_service_key: SecretStr | None = None
    gateway_internal_url: AnyHttpUrl = Field(default=AnyHttpUrl("http://127.0.0.1:8081"))
    http_timeout_seconds: float = 5.0
    http_retries: int = 2
    health_check_timeout_seconds: float = 1.0
    db_pool_max_size: int = 10
    # Access tokens: who signs them and for whom (not secrets; the keys come from the auth service's JWKS).
    jwt_issuer: str = "osool-auth"
    jwt_audience: str = "osool"
    # Which upstream services /health/ready checks through the gateway (comma-separated names).
    upstream_services: str = ""

    @model_validator(mode="after")
    def _secrets_present_and_strong(self) -> CommonSettings:
        for name in self.required_secrets:
            value = getattr(self, name, None)
            if value is None or (isinstance(value, SecretStr) and not value.get_secret_value()):
                raise ValueError(f"{name.upper()} is not set; {self.service_name} cannot start without it")
        if self.osool_env == "production":
            for name in self.required_secrets:
                value = getattr(self, name)
                secret = value.get_secret_value() if isinstance(value, SecretStr) else str(value)
                weak = _weak_part(secret)
                if weak is not None:
                    raise ValueError(f"{name.upper()} has a weak secret ({weak}); set a strong one in production")
        return self

    # True for a service whose queries never leave session state on a connection (no SET, LISTEN, advisory lock,
    # cursor or prepared transaction): its pool then skips asyncpg's reset query, a round trip per release.
    stateless_sessions: ClassVar[bool] = False

    def database_session_settings(self) -> dict[str, str]:
        """Extra Postgres settings for every connection of the service's pool (e.g. pgvector's scan settings)."""
        return {}

    @property
    def schema_name(self) -> str:
        """The Postgres schema this service owns (chat-history -> chat_history)."""
        return self.service_name.replace("-", "_")

    @property
    def upstreams(self) -> list[str]:
        return [name.strip() for name in self.upstream_services.split(",") if name.strip()]

    @classmethod
    def load(cls) -> CommonSettings:
        """Read the environment (and OSOOL_ENV_FILE when set) or raise ConfigurationError naming the variable."""
        env_file = os.environ.get("OSOOL_ENV_FILE") or None
        try:
            return cls(_env_file=env_file)
        except ValidationError as exc:
            raise ConfigurationError(_describe(exc)) from None


def _weak_part(secret: str) -> str | None:
    """Return why a secret (or the password inside a URL) is weak, or None."""
    candidate = secret
    if "://" in secret:
        parts = urlsplit(secret)
        if parts.password is None:
            return "the URL has no password"
        candidate = parts.password
    if candidate.lower() in _PLACEHOLDER_SECRETS:
        return "a placeholder value"
    if len(candidate) < _MIN_PRODUCTION_SECRET_LENGTH:
        return f"shorter than {_MIN_PRODUCTION_SECRET_LENGTH} characters"
    return None


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{location}: {message}" if location else message)
    return "; ".join(lines)
