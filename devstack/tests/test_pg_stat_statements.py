"""pg_stat_statements in the local PostgreSQL: its build's stamp, the server's settings, and the extension at work."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from devstack import pg_stat_statements_build as build
from devstack import postgres
from devstack.config import REPO_ROOT, StackConfig
from devstack.envfile import ensure_env_file
from devstack.testing import make_test_stack_config, stack_root

PG_STAT_STATEMENTS_SETTINGS = {
    "shared_preload_libraries": "pg_stat_statements",
    "compute_query_id": "on",
    "pg_stat_statements.track": "top",
    "pg_stat_statements.max": "5000",
    "track_io_timing": "on",
}


# -- the build's stamp (a fake pginstall: files and a pg_config that tells its version) --------------------------------
def fake_pginstall(root: Path, version: str = build.VERSION) -> Path:
    (root / "bin").mkdir(parents=True)
    pg_config = root / "bin" / "pg_config"
    pg_config.write_text(f"#!/bin/sh\necho 'PostgreSQL {version}'\n")
    pg_config.chmod(0o755)
    (root / "lib" / "postgresql").mkdir(parents=True)
    (root / "share" / "postgresql" / "extension").mkdir(parents=True)
    return root


def install_fake_build(root: Path) -> Path:
    library = root / "lib" / "postgresql" / build.LIBRARY
    library.write_bytes(b"a compiled module")
    (root / "share" / "postgresql" / "extension" / build.CONTROL).write_text("default_version = '1.12'\n")
    digest = hashlib.sha256(library.read_bytes()).hexdigest()
    library.with_name(build.STAMP_NAME).write_text(f"{digest} pg_stat_statements of PostgreSQL {build.VERSION}\n")
    return library


def test_a_stamped_library_for_this_server_is_built(tmp_path: Path) -> None:
    root = fake_pginstall(tmp_path)
    assert not build.is_built(root)
    install_fake_build(root)
    assert build.is_built(root)


def test_a_library_replaced_since_the_stamp_is_built_again(tmp_path: Path) -> None:
    root = fake_pginstall(tmp_path)
    install_fake_build(root).write_bytes(b"another library")
    assert not build.is_built(root)


def test_a_build_for_another_server_release_is_not_taken_for_this_one(tmp_path: Path) -> None:
    root = fake_pginstall(tmp_path, version="19.1")
    install_fake_build(root)
    assert not build.is_built(root)


def test_a_missing_control_file_is_not_a_build(tmp_path: Path) -> None:
    root = fake_pginstall(tmp_path)
    install_fake_build(root)
    (root / "share" / "postgresql" / "extension" / build.CONTROL).unlink()
    assert not build.is_built(root)


def test_install_does_nothing_when_the_build_is_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = fake_pginstall(tmp_path)
    install_fake_build(root)
    monkeypatch.setattr(build, "pginstall", lambda: root)

    def no_build(_root: Path | None = None) -> Path:
        raise AssertionError("built again")

    monkeypatch.setattr(build, "build", no_build)
    assert build.main() == 0


def test_a_server_of_another_release_is_refused_before_any_download(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = fake_pginstall(tmp_path, version="19.1")
    monkeypatch.setattr(build, "pginstall", lambda: root)

    def no_download(_work: Path) -> Path:
        raise AssertionError("downloaded")

    monkeypatch.setattr(build, "_download", no_download)
    assert build.main() == 1
    assert f"PostgreSQL 19.1, this module pins the source of {build.VERSION}" in capsys.readouterr().err
    assert not (root / "lib" / "postgresql" / build.LIBRARY).exists()


# -- the server's settings ------------------------------------------------------------------------------------------
def flag_values(flags: list[str]) -> dict[str, str]:
    assert flags[::2] == ["-c"] * (len(flags) // 2)
    return dict(flag.split("=", 1) for flag in flags[1::2])


def test_the_server_preloads_pg_stat_statements_when_it_is_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "statement_statistics_available", lambda: True)
    values = flag_values(postgres.server_flags(make_test_stack_config(tmp_path)))
    assert {key: values.get(key) for key in PG_STAT_STATEMENTS_SETTINGS} == PG_STAT_STATEMENTS_SETTINGS


def test_the_server_starts_without_pg_stat_statements_settings_when_it_is_not_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(postgres, "statement_statistics_available", lambda: False)
    values = flag_values(postgres.server_flags(make_test_stack_config(tmp_path)))
    assert not {key for key in values if key.startswith("pg_stat_statements")}
    assert "shared_preload_libraries" not in values and "compute_query_id" not in values
    assert values["track_io_timing"] == "on" and values["max_connections"] == "300"


def test_other_preloaded_libraries_stay_when_pg_stat_statements_is_not_built() -> None:
    drop = postgres._without_pg_stat_statements
    assert drop("shared_preload_libraries", "auto_explain, pg_stat_statements") == "auto_explain"
    assert drop("shared_preload_libraries", "pg_stat_statements") is None
    assert drop("work_mem", "16MB") == "16MB"


def test_compose_postgres_reads_the_same_settings_and_init_sql() -> None:
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.scale.yml").read_text())["services"]["postgres"]
    assert compose["command"].startswith("postgres -c config_file=/etc/postgresql/postgresql.conf ")
    assert "./database/postgresql.conf:/etc/postgresql/postgresql.conf:ro" in compose["volumes"]
    assert "./database/init.sql:/docker-entrypoint-initdb.d/init.sql:ro" in compose["volumes"]
    settings = {}
    for line in postgres.SETTINGS_FILE.read_text().splitlines():
        key, _, value = line.split("#", 1)[0].partition("=")
        if value:
            settings[key.strip()] = value.strip().strip("'")
    assert {key: settings.get(key) for key in PG_STAT_STATEMENTS_SETTINGS} == PG_STAT_STATEMENTS_SETTINGS
    assert "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" in postgres.INIT_SQL.read_text()


# -- the real server ------------------------------------------------------------------------------------------------
@dataclass
class Cluster:
    config: StackConfig
    env: dict[str, str]

    def superuser(self) -> psycopg.Connection[Any]:
        return psycopg.connect(postgres.superuser_url(self.config, self.env, "osool"), autocommit=True)

    def application(self) -> psycopg.Connection[Any]:
        """As the services connect: role osool, its DATABASE_URL."""
        return psycopg.connect(self.env["DATABASE_URL"], autocommit=True)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not postgres.statement_statistics_available():
        pytest.skip("pg_stat_statements is not built in pginstall (python -m devstack.pg_stat_statements_build)")
    with stack_root("osool-test-pg-stat-statements-") as root:
        config = make_test_stack_config(root)
        env = ensure_env_file(config)
        assert postgres.ensure_cluster(config, env)
        yield Cluster(config, env)


def preloaded(connection: psycopg.Connection[Any]) -> dict[str, str]:
    values = {}
    for key in PG_STAT_STATEMENTS_SETTINGS:
        row = connection.execute("SELECT current_setting(%s)", [key]).fetchone()
        assert row is not None
        values[key] = str(row[0])
    return values


def test_the_stack_server_loads_pg_stat_statements_and_the_app_database_has_it(cluster: Cluster) -> None:
    with postgres.temporary_server(cluster.config), cluster.superuser() as connection:
        assert preloaded(connection) == PG_STAT_STATEMENTS_SETTINGS
        schema = connection.execute(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements'"
        ).fetchone()
        assert schema == ("public",)


def test_a_statement_of_the_services_role_is_counted_and_readable(cluster: Cluster) -> None:
    with postgres.temporary_server(cluster.config):
        with cluster.application() as osool:
            for name in ("pg_class", "pg_type", "pg_proc"):
                osool.execute("SELECT count(*) AS osool_probe FROM pg_catalog.pg_class WHERE relname = %s", [name])
        with cluster.superuser() as superuser:
            superuser.execute("SELECT 1 AS osool_superuser_probe")
        with cluster.application() as osool:
            rows = osool.execute("SELECT userid::regrole::text, query, calls FROM pg_stat_statements").fetchall()
    assert ("osool", "SELECT count(*) AS osool_probe FROM pg_catalog.pg_class WHERE relname = $1", 3) in rows
    # Another role's statements too: the monitoring report reads every role's, never `<insufficient privilege>`.
    assert any(role == "postgres" and "osool_superuser_probe" in query for role, query, _ in rows)
    assert not [query for _, query, _ in rows if query == "<insufficient privilege>"]


def test_an_existing_cluster_without_the_extension_gets_it_on_its_next_start(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As a cluster created before pg_stat_statements was built: no extension, no grant, no marker of init.sql.
    with postgres.temporary_server(cluster.config), cluster.superuser() as connection:
        connection.execute("DROP EXTENSION pg_stat_statements")
        connection.execute("REVOKE pg_read_all_stats FROM osool")
    (postgres.data_dir(cluster.config).parent / "init.sql.applied").unlink()
    assert not postgres.ensure_cluster(cluster.config, cluster.env)
    with postgres.temporary_server(cluster.config), cluster.superuser() as connection:
        assert connection.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_stat_statements'").fetchone()
        assert connection.execute("SELECT pg_has_role('osool', 'pg_read_all_stats', 'MEMBER')").fetchone() == (True,)

    # Once applied, a start does not run the server for it again.
    def no_server(_config: StackConfig) -> None:
        raise AssertionError("the server was started again")

    monkeypatch.setattr(postgres, "temporary_server", no_server)
    assert not postgres.ensure_cluster(cluster.config, cluster.env)
