"""The local PostgreSQL cluster: created once (initdb, role, database, extensions), then run by supervisor."""

from __future__ import annotations

import os
import pwd
import stat
import subprocess
import tempfile
from pathlib import Path

import psycopg
from psycopg import sql

from devstack import binaries
from devstack.config import REPO_ROOT, StackConfig

# PostgreSQL refuses to run as root; on a root machine it runs as this system user.
OS_USER = "osool"
SETTINGS_FILE = REPO_ROOT / "database" / "postgresql.conf"
INIT_SQL = REPO_ROOT / "database" / "init.sql"


def running_as_root() -> bool:
    return os.geteuid() == 0


def ensure_os_user() -> None:
    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", OS_USER],
            check=True,
            capture_output=True,
        )


def _make_traversable(path: Path) -> None:
    """Let the postgres user reach its data directory: o+x on every parent, as pgserver does."""
    for parent in [path, *path.parents]:
        mode = parent.stat().st_mode
        if not mode & stat.S_IXOTH:
            parent.chmod(mode | stat.S_IXOTH)


def _as_postgres_user(argv: list[str]) -> list[str]:
    return [binaries.runuser(), "-u", OS_USER, "--", *argv] if running_as_root() else argv


def data_dir(config: StackConfig) -> Path:
    return config.state_dir / "postgres" / "data"


def server_flags(config: StackConfig) -> list[str]:
    """database/postgresql.conf as -c flags, then the local stack's own address (loopback, TCP only)."""
    flags: list[str] = []
    for line in SETTINGS_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, _, value = line.partition("=")
            flags += ["-c", f"{key.strip()}={value.strip().strip(chr(39))}"]
    flags += [
        "-c", "listen_addresses=127.0.0.1",
        "-c", f"port={config.postgres_port}",
        "-c", "unix_socket_directories=",
        "-c", "max_connections=300",
    ]  # fmt: skip
    return flags


def server_command(config: StackConfig) -> list[str]:
    return [str(binaries.postgres_bin("postgres")), "-D", str(data_dir(config)), *server_flags(config)]


def ensure_cluster(config: StackConfig, env: dict[str, str]) -> bool:
    """initdb and bootstrap a new cluster; returns False when one already exists."""
    data = data_dir(config)
    if (data / "PG_VERSION").exists():
        return False
    data.mkdir(parents=True, exist_ok=True)
    if running_as_root():
        ensure_os_user()
        _make_traversable(data.parent)
        user = pwd.getpwnam(OS_USER)
        os.chown(data.parent, user.pw_uid, user.pw_gid)
        os.chown(data, user.pw_uid, user.pw_gid)
    data.chmod(0o700)
    with tempfile.NamedTemporaryFile("w", dir=data.parent, delete=False) as pwfile:
        pwfile.write(env["POSTGRES_SUPERUSER_PASSWORD"])
    try:
        if running_as_root():
            user = pwd.getpwnam(OS_USER)
            os.chown(pwfile.name, user.pw_uid, user.pw_gid)
        subprocess.run(
            _as_postgres_user(
                [
                    str(binaries.postgres_bin("initdb")), "-D", str(data), "-U", "postgres",
                    "--auth=scram-sha-256", f"--pwfile={pwfile.name}", "-E", "UTF8", "--locale=C.UTF-8",
                    "--no-instructions",
                ]
            ),
            check=True,
            capture_output=True,
        )  # fmt: skip
    finally:
        os.unlink(pwfile.name)
    log_file = data.parent / "bootstrap.log"
    pg_ctl = str(binaries.postgres_bin("pg_ctl"))
    options = " ".join(f"'{flag}'" if flag != "-c" else flag for flag in server_flags(config))
    subprocess.run(
        _as_postgres_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(log_file), "-w", "-t", "60", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        _bootstrap(config, env)
    finally:
        subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)
    return True


def superuser_url(config: StackConfig, env: dict[str, str], database: str = "postgres") -> str:
    password = env["POSTGRES_SUPERUSER_PASSWORD"]
    return f"postgresql://postgres:{password}@127.0.0.1:{config.postgres_port}/{database}"


def _bootstrap(config: StackConfig, env: dict[str, str]) -> None:
    with psycopg.connect(superuser_url(config, env), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE ROLE osool LOGIN PASSWORD {}").format(sql.Literal(env["POSTGRES_PASSWORD"])))
        connection.execute("CREATE DATABASE osool OWNER osool")
    with psycopg.connect(superuser_url(config, env, "osool"), autocommit=True) as connection:
        connection.execute(INIT_SQL.read_text().encode())
