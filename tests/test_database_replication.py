"""database/init-replication.sh and create-replication-role.sh, run natively as the native rehearsal and the compose
containers run them: a real primary on a free loopback port, started with database/postgresql.conf and
database/pg_hba.conf, the role made by the one script and a replica cloned by the other, streaming."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from devstack.config import free_port
from devstack.replication import (
    CREATE_REPLICATION_ROLE,
    INIT_REPLICATION,
    TEST_SETTINGS,
    PostgresServer,
    create_cluster,
    create_replication_role,
    replica_environment,
    run_server_script,
    server_directory,
    wait_until,
)


@dataclass
class Primary:
    server: PostgresServer
    replication_password: str

    def query(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        return self.server.rows(statement, *params, database="postgres")


@pytest.fixture(scope="module")
def primary() -> Iterator[Primary]:
    root = server_directory("osool-init-replication-")
    try:
        # database/postgresql.conf and pg_hba.conf (devstack.replication.PostgresServer), the role made over its socket.
        server = Primary(create_cluster(root, "primary"), "repl-" + os.urandom(12).hex())
        made = create_replication_role(server.server, server.replication_password)
        assert made.returncode == 0, made.stderr
        yield server
    finally:
        for name in ("replica", "primary"):
            if (root / name / "postmaster.pid").exists():
                PostgresServer(root / name, 0, "").stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def streaming_replicas(primary: Primary) -> list[tuple[object, ...]]:
    return primary.query(
        "SELECT r.application_name, r.state, s.slot_name FROM pg_stat_replication r "
        "JOIN pg_replication_slots s ON s.active_pid = r.pid ORDER BY 1"
    )


def test_replication_role_is_made_once_with_replication_and_nothing_more(primary: Primary) -> None:
    again = run_server_script(
        CREATE_REPLICATION_ROLE,
        {"PGHOST": "127.0.0.1", "PGPORT": str(primary.server.port), "PGUSER": "postgres",
         "PGPASSWORD": primary.server.superuser_password, "REPLICATION_PASSWORD": primary.replication_password},
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    rows = primary.query(
        "SELECT rolreplication, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
        "(SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator') LIKE 'SCRAM-SHA-256$%' "
        "FROM pg_roles WHERE rolname = 'replicator'"
    )
    assert rows == [(True, True, False, False, False, True)]


def test_cloned_replica_streams_through_its_slot_and_restarts_without_cloning(primary: Primary) -> None:
    replica = PostgresServer(primary.server.root / "replica", free_port(), primary.server.superuser_password,
                             TEST_SETTINGS)  # fmt: skip
    env = replica_environment(primary.server, replica.data, primary.replication_password)
    cloned = run_server_script(INIT_REPLICATION, env, *replica.start_command())
    assert cloned.returncode == 0, cloned.stdout + cloned.stderr
    assert "cloning" in cloned.stdout
    assert (replica.data / "standby.signal").is_file()
    assert oct(replica.data.stat().st_mode & 0o777) == "0o700"

    wait_until(lambda: streaming_replicas(primary) == [("replica_1", "streaming", "replica_1")], 30, "streaming")
    primary.query("CREATE TABLE IF NOT EXISTS replicated (id int)")
    primary.query("INSERT INTO replicated VALUES (1)")

    def replica_sees_the_row() -> bool:
        with psycopg.connect(replica.superuser_url("postgres"), connect_timeout=5) as connection:
            recovering = connection.execute("SELECT pg_is_in_recovery()").fetchone()
            count = connection.execute("SELECT count(*) FROM replicated").fetchone()
        return recovering == (True,) and count == (1,)

    wait_until(replica_sees_the_row, 30, "the replica replaying the primary's insert")

    # A restart (the container's): the data directory is a replica's, so it is started as it is, not cloned again.
    replica.stop("fast")
    assert not replica.running
    restarted = run_server_script(INIT_REPLICATION, env, *replica.start_command())
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "already a replica" in restarted.stdout and "cloning" not in restarted.stdout
    wait_until(lambda: streaming_replicas(primary) == [("replica_1", "streaming", "replica_1")], 30, "streaming again")


def test_a_data_directory_that_is_not_empty_is_refused_and_left_alone(tmp_path: Path) -> None:
    data = server_directory("osool-not-empty-")
    try:
        (data / "precious").write_text("kept")
        (data / "PG_VERSION").write_text("17\n")  # a primary's, say: no standby.signal
        refused = run_server_script(
            INIT_REPLICATION,
            {"PGDATA": str(data), "PRIMARY_HOST": "127.0.0.1", "PRIMARY_PORT": str(free_port()),
             "REPLICATION_PASSWORD": "unused-here-0123456789", "REPLICATION_SLOT": "replica_1"},
            "/bin/echo", "the server would start",
        )  # fmt: skip
        assert refused.returncode == 1
        assert "not empty and is not a replica: refusing to clone over it" in refused.stderr
        assert "the server would start" not in refused.stdout
        assert sorted(path.name for path in data.iterdir()) == ["PG_VERSION", "precious"]
        assert (data / "precious").read_text() == "kept"
    finally:
        shutil.rmtree(data, ignore_errors=True)


@pytest.mark.parametrize("missing", ["PGDATA", "PRIMARY_HOST", "REPLICATION_PASSWORD", "REPLICATION_SLOT"])
def test_a_missing_setting_stops_the_script_naming_it(tmp_path: Path, missing: str) -> None:
    env = {"PGDATA": str(tmp_path / "data"), "PRIMARY_HOST": "127.0.0.1", "REPLICATION_PASSWORD": "x" * 20,
           "REPLICATION_SLOT": "replica_1"}  # fmt: skip
    del env[missing]
    result = subprocess.run(["/bin/sh", str(INIT_REPLICATION)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and missing in result.stderr
    assert not (tmp_path / "data").exists()


def test_a_slot_name_the_primary_would_refuse_is_refused_first(tmp_path: Path) -> None:
    env = {"PGDATA": str(tmp_path / "data"), "PRIMARY_HOST": "127.0.0.1", "REPLICATION_PASSWORD": "x" * 20,
           "REPLICATION_SLOT": "replica-1"}  # fmt: skip
    result = subprocess.run(["/bin/sh", str(INIT_REPLICATION)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "REPLICATION_SLOT 'replica-1'" in result.stderr


@pytest.mark.parametrize("script", [INIT_REPLICATION, CREATE_REPLICATION_ROLE], ids=lambda path: path.name)
def test_scripts_are_posix_sh_and_clean_under_shellcheck(script: Path) -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run([shellcheck, "--shell=sh", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert script.read_text().startswith("#!/bin/sh\n")
