"""Migrations when a service's replicas start together on a new database (compose's deploy.replicas, the native
rehearsal): every replica's migration run succeeds, and each migration is applied once. A PostgreSQL cluster of the
test's own, from the repository's files (devstack.replication)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from devstack.replication import PostgresServer, create_osool_database, postgres_cluster
from osool_common.migrations import apply_migrations
from osool_common.settings import CommonSettings

PASSWORD = "migrations-test-password-0123456789"
REPLICAS = 4
ROUNDS = 10


class MigratingSettings(CommonSettings):
    service_name: ClassVar[str] = "kit-migrations"


@pytest.fixture(scope="module")
def server() -> Iterator[PostgresServer]:
    with postgres_cluster("osool-migrations-") as cluster:
        create_osool_database(cluster, PASSWORD)
        yield cluster


def test_replicas_migrating_a_new_database_at_the_same_moment_all_succeed(
    server: PostgresServer, tmp_path: Path
) -> None:
    (tmp_path / "0001_table.sql").write_text("CREATE TABLE counted (id int);\n")
    settings = MigratingSettings(
        database_url=f"postgresql://osool:{PASSWORD}@127.0.0.1:{server.port}/osool",
        redis_url="redis://unused:1/0",
        osool_service_key="migrations-test-service-key",
        osool_env="test",
    )
    # CREATE SCHEMA IF NOT EXISTS from two sessions at once can fail one of them; a round rarely shows it, so several.
    for _ in range(ROUNDS):
        server.query("DROP SCHEMA IF EXISTS kit_migrations CASCADE")
        start = threading.Barrier(REPLICAS)
        failures: list[str] = []
        applied: list[list[str]] = []
        threads = [threading.Thread(target=migrate, args=(settings, tmp_path, start, applied, failures))
                   for _ in range(REPLICAS)]  # fmt: skip
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures, failures
        assert sorted(applied) == [[]] * (REPLICAS - 1) + [["0001_table"]]


def migrate(
    settings: CommonSettings, migrations: Path, start: threading.Barrier, applied: list[list[str]], failures: list[str]
) -> None:
    """One replica's start: its migrations, at the same moment as the others'."""
    start.wait()
    try:
        applied.append(apply_migrations(settings, migrations))
    except Exception as exc:
        failures.append(f"{type(exc).__name__}: {exc}")
