"""Service settings from the environment: the common variables and the secret rules every service shares."""

from __future__ import annotations

import os
from typing import ClassVar, Literal
from urllib.parse import urlsplit

from pydantic import AnyHttpUrl, Field, SecretStr, ValidationError, field_validator, model_validator
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
    # A server writes its log lines in batches this often (warnings and errors at once): see
    # osool_common.logging.BufferedStreamHandler. 0 writes each line as it is logged.
    log_flush_seconds: float = Field(default=0.5, ge=0.0, le=10.0)
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
    # Read replicas (streaming standbys of DATABASE_URL's server), comma-separated URLs; none by default. What a
    # service reads through its read pool goes to one whose replication lag is within the limit, else to the primary
    # (osool_common.replicas). Secret: the URLs carry passwords.
    database_replica_urls: SecretStr | None = None
    database_replica_max_lag_seconds: float = Field(default=5.0, gt=0, le=3600)
    db_replica_pool_max_size: int = Field(default=5, ge=1, le=1000)
    # Redis through Sentinel: the Sentinels' host:port, comma-separated. Set, the client asks them for the master of
    # REDIS_SENTINEL_MASTER before each new connection, so a failover needs no restart; REDIS_URL then gives only the
    # password, user name and database number (its host and port are not used).
    redis_sentinels: str = ""
    redis_sentinel_master: str = Field(default="osool", min_length=1)
    # The Sentinels' own password (their requirepass), when they have one; the master's comes from REDIS_URL.
    redis_sentinel_password: SecretStr | None = None
    # Access tokens: who signs them and for whom (not secrets; the keys come from the auth service's JWKS).
    jwt_issuer: str = "osool-auth"
    jwt_audience: str = "osool"
    # Which upstream services /health/ready checks through the gateway (comma-separated names).
    upstream_services: str = ""
    # An upstream that answered one of this service's calls within this many seconds is not probed by its check
    # (osool_common.http_client.UpstreamCheck); a failed call forgets the answer, so the next check probes. Past two
    # periods of the monitoring job's 15 s: at most every third run of it sends the probes (they were half the
    # stack's CPU for a run, bench/monitoring), and a silent upstream shows in its own /health at every run.
    upstream_fresh_seconds: float = Field(default=40.0, ge=0.0, le=300.0)

    @field_validator("database_replica_urls")
    @classmethod
    def _replica_urls_are_postgres_urls(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _split_replica_urls(value.get_secret_value())  # raises, naming the entry (never its password)
        return value

    @field_validator("redis_sentinels")
    @classmethod
    def _sentinels_are_host_port(cls, value: str) -> str:
        _split_sentinels(value)
        return value

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
            for number, url in enumerate(self.replica_urls, start=1):
                weak = _weak_part(url)
                if weak is not None:
                    raise ValueError(f"DATABASE_REPLICA_URLS entry {number} has a weak secret ({weak})")
            if self.redis_sentinel_password is not None:
                weak = _weak_part(self.redis_sentinel_password.get_secret_value())
                if weak is not None:
                    raise ValueError(f"REDIS_SENTINEL_PASSWORD is weak ({weak}); set a strong one in production")
        return self

    # True while the service's queries never leave session state on a pooled connection (no SET, LISTEN, advisory
    # lock, cursor or prepared transaction): its pool then skips asyncpg's reset query, a round trip per release. None
    # of ours does (tests/test_service_packages.py reads their code for it; the chain sender's leader lock and its
    # listener hold a connection of their own); a service that must, sets False.
    stateless_sessions: ClassVar[bool] = True

    def database_session_settings(self) -> dict[str, str]:
        """Extra Postgres settings for every connection of the service's pool (e.g. pgvector's scan settings)."""
        return {}

    @property
    def schema_name(self) -> str:
        """The Postgres schema this service owns (chat-history -> chat_history)."""
        return self.service_name.replace("-", "_")

    @property
    def replica_urls(self) -> list[str]:
        """DATABASE_REPLICA_URLS as a list (empty: no replicas)."""
        return (
            []
            if self.database_replica_urls is None
            else _split_replica_urls(self.database_replica_urls.get_secret_value())
        )

    @property
    def sentinel_addresses(self) -> list[tuple[str, int]]:
        """REDIS_SENTINELS as (host, port) pairs (empty: Redis straight from REDIS_URL)."""
        return _split_sentinels(self.redis_sentinels)

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


def _split_replica_urls(value: str) -> list[str]:
    urls = [entry.strip() for entry in value.split(",") if entry.strip()]
    seen: dict[tuple[str, int], int] = {}  # a replica is known by its host and port (metrics, health checks)
    for number, url in enumerate(urls, start=1):
        parts = urlsplit(url)
        if parts.scheme not in ("postgresql", "postgres") or not parts.hostname:
            raise ValueError(
                f"entry {number} is not a postgresql://user:password@host:port/database URL (comma-separated URLs)"
            )
        try:
            address = (parts.hostname, parts.port or 5432)
        except ValueError:
            raise ValueError(f"entry {number} has a port that is not a number") from None
        if address in seen:
            raise ValueError(f"entry {number} names the same host and port as entry {seen[address]}")
        seen[address] = number
    return urls


def _split_sentinels(value: str) -> list[tuple[str, int]]:
    addresses = []
    for entry in (part.strip() for part in value.split(",")):
        if not entry:
            continue
        host, _, port = entry.rpartition(":")
        host = host.strip("[]")  # an IPv6 address is written [::1]:26379
        if not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{entry!r} is not host:port (comma-separated Sentinels, e.g. sentinel-1:26379)")
        addresses.append((host, int(port)))
    return addresses


def _describe(exc: ValidationError) -> str:
    lines = []
    for error in exc.errors():
        location = ".".join(str(part) for part in error["loc"]).upper()
        message = str(error["msg"]).removeprefix("Value error, ")
        lines.append(f"{location}: {message}" if location else message)
    return "; ".join(lines)
