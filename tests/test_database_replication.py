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

from devstack import binaries
from devstack.config import REPO_ROOT, free_port
from devstack.postgres import OS_USER, running_as_root, settings_flags
from devstack.replication import _as_server_user, _initdb, _private_dir, wait_until

DATABASE_DIR = REPO_ROOT / "database"
INIT_REPLICATION = DATABASE_DIR / "init-replication.sh"
CREATE_ROLE = DATABASE_DIR / "create-replication-role.sh"
PG_BINDIR = binaries.postgres_bin("postgres").parent


@dataclass
class Primary:
    root: Path
    port: int
    superuser_password: str
    replication_password: str

    @property
    def hba_file(self) -> Path:
        return self.root / "pg_hba.conf"

    def query(self, statement: str, *params: object) -> list[tuple[object, ...]]:
        url = f"postgresql://postgres:{self.superuser_password}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(url, autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(statement.encode(), params or None)
            return cursor.fetchall() if cursor.description else []


def server_options(root: Path, port: int, hba_file: Path) -> str:
    """pg_ctl's -o: database/postgresql.conf, then what a test server on loopback needs (its port, a socket in its
    directory, a small cache, no fsync)."""
    flags = [
        *settings_flags(),
        "-c", f"hba_file={hba_file}", "-c", "listen_addresses=127.0.0.1", "-c", f"port={port}",
        "-c", f"unix_socket_directories={root}", "-c", "shared_buffers=32MB", "-c", "fsync=off",
        "-c", "wal_receiver_status_interval=1s",
    ]  # fmt: skip
    return " ".join(flags)


def pg_ctl(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _as_server_user([str(PG_BINDIR / "pg_ctl"), *args]), capture_output=True, text=True, check=False
    )


def run_script(script: Path, env: dict[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    """The script under sh, as the server's system user (as in the containers: the postgres user), its parameters
    in the environment only."""
    environment = {"PATH": os.environ["PATH"], "PG_BINDIR": str(PG_BINDIR), **env}
    return subprocess.run(
        _as_server_user(["/bin/sh", str(script), *command]),
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def primary() -> Iterator[Primary]:
    root = _private_dir("osool-init-replication-")
    server = Primary(root, free_port(), "super-" + os.urandom(12).hex(), "repl-" + os.urandom(12).hex())
    shutil.copy(DATABASE_DIR / "pg_hba.conf", server.hba_file)
    if running_as_root():
        shutil.chown(server.hba_file, OS_USER)
    data = root / "primary"
    try:
        _initdb(data, server.superuser_password)
        started = pg_ctl("-D", str(data), "-o", server_options(root, server.port, server.hba_file),
                         "-l", str(root / "primary.log"), "-w", "-t", "60", "start")  # fmt: skip
        assert started.returncode == 0, started.stderr + (root / "primary.log").read_text()[-3000:]
        # As the image runs it from /docker-entrypoint-initdb.d: over the socket, as the superuser.
        made = run_script(
            CREATE_ROLE,
            {"PGHOST": str(root), "PGPORT": str(server.port), "POSTGRES_USER": "postgres",
             "PGPASSWORD": server.superuser_password, "REPLICATION_PASSWORD": server.replication_password},
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
        yield server
    finally:
        for name in ("replica", "primary"):
            if (root / name / "postmaster.pid").exists():
                pg_ctl("-D", str(root / name), "-m", "immediate", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


def replica_env(primary: Primary, data: Path, slot: str = "replica_1") -> dict[str, str]:
    return {
        "PGDATA": str(data),
        "PRIMARY_HOST": "127.0.0.1",
        "PRIMARY_PORT": str(primary.port),
        "REPLICATION_PASSWORD": primary.replication_password,
        "REPLICATION_SLOT": slot,
        "PRIMARY_WAIT_SECONDS": "10",
    }


def streaming_replicas(primary: Primary) -> list[tuple[object, ...]]:
    return primary.query(
        "SELECT r.application_name, r.state, s.slot_name FROM pg_stat_replication r "
        "JOIN pg_replication_slots s ON s.active_pid = r.pid ORDER BY 1"
    )


def test_replication_role_is_made_once_with_replication_and_nothing_more(primary: Primary) -> None:
    again = run_script(
        CREATE_ROLE,
        {"PGHOST": "127.0.0.1", "PGPORT": str(primary.port), "PGUSER": "postgres",
         "PGPASSWORD": primary.superuser_password, "REPLICATION_PASSWORD": primary.replication_password},
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    rows = primary.query(
        "SELECT rolreplication, rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, "
        "(SELECT rolpassword FROM pg_authid WHERE rolname = 'replicator') LIKE 'SCRAM-SHA-256$%' "
        "FROM pg_roles WHERE rolname = 'replicator'"
    )
    assert rows == [(True, True, False, False, False, True)]


def test_cloned_replica_streams_through_its_slot_and_restarts_without_cloning(primary: Primary) -> None:
    data = primary.root / "replica"
    port = free_port()
    start_replica = [str(PG_BINDIR / "pg_ctl"), "-D", str(data), "-o", server_options(primary.root, port,
                     primary.hba_file), "-l", str(primary.root / "replica.log"), "-w", "-t", "60", "start"]  # fmt: skip
    cloned = run_script(INIT_REPLICATION, replica_env(primary, data), *start_replica)
    assert cloned.returncode == 0, cloned.stdout + cloned.stderr
    assert "cloning" in cloned.stdout
    assert (data / "standby.signal").is_file()
    assert oct(data.stat().st_mode & 0o777) == "0o700"

    wait_until(lambda: streaming_replicas(primary) == [("replica_1", "streaming", "replica_1")], 30, "streaming")
    primary.query("CREATE TABLE IF NOT EXISTS replicated (id int)")
    primary.query("INSERT INTO replicated VALUES (1)")
    replica_url = f"postgresql://postgres:{primary.superuser_password}@127.0.0.1:{port}/postgres"

    def replica_sees_the_row() -> bool:
        with psycopg.connect(replica_url, connect_timeout=5) as connection:
            recovering = connection.execute("SELECT pg_is_in_recovery()").fetchone()
            count = connection.execute("SELECT count(*) FROM replicated").fetchone()
        return recovering == (True,) and count == (1,)

    wait_until(replica_sees_the_row, 30, "the replica replaying the primary's insert")

    # A restart (the container's): the data directory is a replica's, so it is started as it is, not cloned again.
    assert pg_ctl("-D", str(data), "-m", "fast", "-w", "stop").returncode == 0
    restarted = run_script(INIT_REPLICATION, replica_env(primary, data), *start_replica)
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    assert "already a replica" in restarted.stdout and "cloning" not in restarted.stdout
    wait_until(lambda: streaming_replicas(primary) == [("replica_1", "streaming", "replica_1")], 30, "streaming again")


def test_a_data_directory_that_is_not_empty_is_refused_and_left_alone(tmp_path: Path) -> None:
    data = _private_dir("osool-not-empty-")
    try:
        (data / "precious").write_text("kept")
        (data / "PG_VERSION").write_text("17\n")  # a primary's, say: no standby.signal
        refused = run_script(
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


@pytest.mark.parametrize("script", [INIT_REPLICATION, CREATE_ROLE], ids=lambda path: path.name)
def test_scripts_are_posix_sh_and_clean_under_shellcheck(script: Path) -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run([shellcheck, "--shell=sh", str(script)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert script.read_text().startswith("#!/bin/sh\n")
