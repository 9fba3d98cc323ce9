"""Per-service schema migrations with yoyo-migrations: the service's schema is created, then its SQL files applied."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from yoyo import get_backend, read_migrations

from osool_common.logging import get_logger
from osool_common.settings import CommonSettings

log = get_logger(__name__)


def _yoyo_url(database_url: str, schema: str) -> str:
    parts = urlsplit(database_url)
    # pgvector's types live in public, so the service schema comes first and public second.
    query = "&".join(filter(None, [parts.query, f"schema={schema},public"]))
    return urlunsplit(("postgresql+psycopg", parts.netloc, parts.path, query, ""))


def wait_for_database(database_url: str, timeout_seconds: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            with psycopg.connect(database_url, connect_timeout=2) as connection:
                connection.execute("SELECT 1")
            return
        except psycopg.OperationalError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"database not reachable after {timeout_seconds:g}s: {exc}") from None
            time.sleep(0.5)


def apply_migrations(settings: CommonSettings, migrations_dir: Path) -> list[str]:
    """Apply what is missing, under yoyo's lock so concurrent replicas take turns. Returns the ids applied."""
    assert settings.database_url is not None
    database_url = settings.database_url.get_secret_value()
    schema = settings.schema_name
    with psycopg.connect(database_url, autocommit=True) as connection:
        try:
            connection.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        except psycopg.errors.UniqueViolation:
            # IF NOT EXISTS is checked before the catalog row is written, so a replica starting at the same moment
            # can write it first: the schema is there, which is all this statement is for (seen in the native rehearsal
            # of the compose topology, whose replicas start together on a new database).
            pass
    backend = get_backend(_yoyo_url(database_url, schema))
    migrations = read_migrations(str(migrations_dir))
    with backend.lock(timeout=60):
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    applied = [migration.id for migration in pending]
    log.info("migrations.applied", schema=schema, applied=applied, total=len(migrations))
    return applied
