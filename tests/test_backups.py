"""Backups: database/backup.sh (compose's nightly `backup` service, and `make backup` through devstack.backups) dumps a
real stack's database; the dump restores into a fresh cluster with the same rows in every table; `make restore`'s
swap keeps the replaced database; old backups go only after a new one succeeded."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from devstack import backups
from devstack.backups import row_counts
from devstack.replication import PostgresServer, create_osool_database, pg_bindir, postgres_cluster
from devstack.stack import LocalStack

PG_BINDIR = pg_bindir()


@dataclass
class Cluster:
    """A fresh PostgreSQL cluster on a free loopback port, with the stack's role (osool) and no database of it."""

    server: PostgresServer
    password: str

    @property
    def root(self) -> Path:
        return self.server.root

    def url(self, database: str, *, superuser: bool = False) -> str:
        if superuser:
            return self.server.superuser_url(database)
        return f"postgresql://osool:{self.password}@127.0.0.1:{self.server.port}/{database}"

    @property
    def env(self) -> dict[str, str]:
        """What devstack.backups reads from a stack's env file."""
        return {"DATABASE_URL": self.url("osool"), "POSTGRES_SUPERUSER_PASSWORD": self.server.superuser_password}

    def databases(self) -> set[str]:
        rows = self.server.rows("SELECT datname FROM pg_database WHERE NOT datistemplate", database="postgres")
        return {row[0] for row in rows}


def run_backup_script(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ["PATH"], "PG_BINDIR": str(PG_BINDIR), **env}
    return subprocess.run(
        ["/bin/sh", str(backups.BACKUP_SCRIPT), *args], env=environment, capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with postgres_cluster("osool-backup-cluster-") as server:
        fresh = Cluster(server, "osool-" + os.urandom(12).hex())
        create_osool_database(server, fresh.password, database=False)
        yield fresh


@pytest.fixture(scope="module")
def stack_backup(
    stack: LocalStack, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, int], dict[str, int]]:
    """`make backup`'s path on the session's stack: the file, and the stack's row counts just before and after."""
    from devstack.envfile import read_env_file

    url = read_env_file(stack.config.env_file)["DATABASE_URL"]
    before = row_counts(url)
    file = backups.backup(url, tmp_path_factory.mktemp("backups"))
    after = row_counts(url)
    return file, before, after


@pytest.mark.stack
def test_a_stack_backup_restores_into_a_fresh_cluster_with_the_rows_of_every_table(
    cluster: Cluster, stack_backup: tuple[Path, dict[str, int], dict[str, int]]
) -> None:
    file, before, after = stack_backup
    assert file.name.startswith("osool-") and file.suffix == ".dump"
    assert oct(file.stat().st_mode & 0o777) == "0o600"
    restored = run_backup_script(
        "restore", str(file), "osool",
        env={"DATABASE_URL": cluster.url("postgres", superuser=True), "RESTORE_OWNER": "osool"},
    )  # fmt: skip
    assert restored.returncode == 0, restored.stderr
    counts = row_counts(cluster.url("osool"))
    assert set(counts) == set(before) == set(after)
    # Every service's schema came back, with its data (the demo listings at least).
    assert {name.split(".")[0] for name in counts} >= {"auth", "search", "chat_history", "chain", "monitoring", "agent"}
    assert counts["search.properties"] >= 1000
    # The stack keeps working while it is dumped (health samples, purges): a table that changed meanwhile has, restored,
    # a count between the two; every other table exactly its count.
    for name, count in counts.items():
        low, high = sorted((before[name], after[name]))
        assert low <= count <= high, f"{name}: {count} rows restored, {before[name]}..{after[name]} on the stack"
    unchanged = [name for name in counts if before[name] == after[name]]
    assert len(unchanged) >= len(counts) * 3 // 4
    with psycopg.connect(cluster.url("osool", superuser=True)) as connection:
        owner = connection.execute("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'osool'").fetchone()
    assert owner == ("osool",)


@pytest.mark.stack
def test_restore_replaces_the_database_only_after_success_and_keeps_the_replaced_one(
    cluster: Cluster, stack_backup: tuple[Path, dict[str, int], dict[str, int]]
) -> None:
    file, before, _ = stack_backup
    with psycopg.connect(cluster.url("postgres", superuser=True), autocommit=True) as connection:
        connection.execute("DROP DATABASE IF EXISTS osool WITH (FORCE)")
        connection.execute("CREATE DATABASE osool OWNER osool")
    with psycopg.connect(cluster.url("osool"), autocommit=True) as connection:
        connection.execute("CREATE TABLE kept_from_before (id int)")
        connection.execute("INSERT INTO kept_from_before VALUES (1), (2)")
        # A service's connection stays open: the swap closes it.
        held = psycopg.connect(cluster.url("osool"), autocommit=True)

    # A restore that fails leaves the stack's database as it was, and no half-restored database behind.
    broken = cluster.root / "broken.dump"
    broken.write_bytes(file.read_bytes()[: file.stat().st_size // 2])
    with pytest.raises(backups.BackupError):
        backups.restore(cluster.env, broken)
    assert cluster.databases() - {"retention"} == {"postgres", "osool"}
    assert row_counts(cluster.url("osool")) == {"public.kept_from_before": 2}

    replaced = backups.restore(cluster.env, file)
    held.close()
    assert replaced.startswith("osool_replaced_")
    assert cluster.databases() - {"retention"} == {"postgres", "osool", replaced}
    assert row_counts(cluster.url(replaced)) == {"public.kept_from_before": 2}
    restored = row_counts(cluster.url("osool"))
    assert set(restored) == set(before) and restored["search.properties"] >= 1000


def test_old_backups_go_only_after_a_new_one_succeeded(cluster: Cluster, tmp_path: Path) -> None:
    with psycopg.connect(cluster.url("postgres", superuser=True), autocommit=True) as connection:
        if "retention" not in cluster.databases():
            connection.execute("CREATE DATABASE retention OWNER osool")
    week_old, day_old = tmp_path / "osool-20000101T000000Z.dump", tmp_path / "osool-20000108T000000Z.dump"
    for path, days in ((week_old, 7.5), (day_old, 1.5)):
        path.write_bytes(b"an old backup")
        stamp = time.time() - days * 86400
        os.utime(path, (stamp, stamp))
    env = {"BACKUP_DIR": str(tmp_path), "BACKUP_RETENTION_DAYS": "7"}

    failed = run_backup_script("once", env={**env, "DATABASE_URL": cluster.url("no_such_database")})
    assert failed.returncode == 1 and "no backup was made and none was removed" in failed.stderr
    assert sorted(path.name for path in tmp_path.iterdir()) == [week_old.name, day_old.name]

    made = run_backup_script("once", env={**env, "DATABASE_URL": cluster.url("retention")})
    assert made.returncode == 0, made.stderr
    names = sorted(path.name for path in tmp_path.iterdir())
    assert week_old.name not in names and day_old.name in names and len(names) == 2
    assert f"removed (older than the retention) {week_old}" in made.stdout

    assert run_backup_script("check", env={**env, "DATABASE_URL": "unused"}).returncode == 0
    for path in tmp_path.iterdir():
        stamp = time.time() - 30 * 3600
        os.utime(path, (stamp, stamp))
    stale = run_backup_script("check", env={**env, "DATABASE_URL": "unused"})
    assert stale.returncode == 1 and "no backup" in stale.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BACKUP_DIR": "/tmp/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://x"}, "BACKUP_DIR"),
        ({"DATABASE_URL": "postgresql://x", "BACKUP_DIR": "/tmp/x", "BACKUP_RETENTION_DAYS": "0"}, "1 or more"),
        ({"DATABASE_URL": "postgresql://x", "BACKUP_DIR": "/tmp/x", "BACKUP_AT": "25:00"}, "is not HH:MM"),
    ],
)
def test_bad_settings_stop_the_script_naming_them(env: dict[str, str], message: str) -> None:
    result = run_backup_script("daily", env=env)
    assert result.returncode != 0 and message in result.stderr


def test_backup_script_is_posix_sh_and_clean_under_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run(
        [shellcheck, "--shell=sh", str(backups.BACKUP_SCRIPT)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
