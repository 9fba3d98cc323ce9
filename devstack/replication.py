"""Throwaway replicated servers for tests: a PostgreSQL primary with a streaming replica, a Valkey primary with a
replica and three Sentinels, and a service process using them; each in its own temporary directory on free ports."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from devstack import binaries
from devstack.config import REPO_ROOT, free_port
from devstack.postgres import OS_USER, ensure_os_user, running_as_root

REPLICATION_USER = "replicator"
SLOT = "replica_1"


def wait_until(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.1) -> Any:
    """Poll `condition` until it returns something true (returned), or fail naming `what`."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = condition()
            if result:
                return result
        except Exception as exc:  # the server may not answer yet
            last_error = exc
        time.sleep(interval)
    raise AssertionError(f"{what}: not within {timeout:g}s (last error: {last_error!r})")


def _private_dir(prefix: str) -> Path:
    """A temporary directory PostgreSQL's system user may use (it refuses to run as root)."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # mkdtemp is 0700; the server's user must traverse it
    if running_as_root():
        ensure_os_user()
        user = pwd.getpwnam(OS_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    return root


def _as_server_user(argv: list[str]) -> list[str]:
    return [binaries.runuser(), "-u", OS_USER, "--", *argv] if running_as_root() else argv


# ---- PostgreSQL ----


@dataclass
class PostgresServer:
    """One cluster's server, started and stopped with pg_ctl."""

    data: Path
    port: int
    superuser_password: str = field(repr=False)

    @property
    def log(self) -> Path:
        return self.data.parent / f"{self.data.name}.log"

    def flags(self) -> str:
        settings = {
            "listen_addresses": "127.0.0.1",
            "port": str(self.port),
            "unix_socket_directories": "",
            "max_connections": "100",
            "shared_buffers": "32MB",
            "fsync": "off",  # a test's cluster: durability is not what is tested
            "wal_level": "replica",
            "max_wal_senders": "5",
            "max_replication_slots": "5",
            "hot_standby": "on",
            # The replica reports its positions every second, so pg_stat_replication is current.
            "wal_receiver_status_interval": "1s",
        }
        # pg_ctl hands these to a shell: an empty value is quoted.
        return " ".join(f"-c {key}={value or chr(39) * 2}" for key, value in settings.items())

    def start(self) -> None:
        pg_ctl = str(binaries.postgres_bin("pg_ctl"))
        started = subprocess.run(
            _as_server_user([pg_ctl, "-D", str(self.data), "-o", self.flags(), "-l", str(self.log), "-w", "-t", "60",
                             "start"]),
            capture_output=True, text=True,
        )  # fmt: skip
        if started.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL on {self.port} did not start: {started.stderr}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop: `fast` ends every session with an error to its client, `immediate` kills the server as a crash
        would (no shutdown checkpoint, connections cut)."""
        pg_ctl = str(binaries.postgres_bin("pg_ctl"))
        subprocess.run(
            _as_server_user([pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"]), capture_output=True
        )

    def superuser_url(self, database: str = "osool") -> str:
        return f"postgresql://postgres:{self.superuser_password}@127.0.0.1:{self.port}/{database}"

    def query(self, statement: str, *params: Any, database: str = "osool") -> Any:
        """One statement as the superuser; the first column of the first row (None without rows)."""
        with psycopg.connect(self.superuser_url(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(statement.encode(), params or None)
            row = cursor.fetchone() if cursor.description else None
        return None if row is None else row[0]


@dataclass
class PostgresReplication:
    """A primary and its streaming replica (pg_basebackup -R, a replication slot), with the osool role and database
    and database/init.sql applied as on the local stack."""

    primary: PostgresServer
    replica: PostgresServer
    password: str = field(repr=False)  # the osool role's

    def url(self, server: PostgresServer) -> str:
        return f"postgresql://osool:{self.password}@127.0.0.1:{server.port}/osool"

    def streaming(self) -> bool:
        """The primary sees the replica streaming through its slot."""
        state = self.primary.query(
            "SELECT state FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid "
            "WHERE s.slot_name = %s",
            SLOT,
        )
        return bool(state == "streaming")

    def replayed_everything(self) -> bool:
        """The replica has replayed all the primary has written so far."""
        target = self.primary.query("SELECT pg_current_wal_lsn()::text")
        return bool(self.replica.query("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", target))

    def wait_caught_up(self, timeout: float = 30) -> None:
        wait_until(self.replayed_everything, timeout, "the replica replaying the primary's writes")

    def lag_seconds(self) -> float:
        """The lag as the kit measures it (osool_common.replicas.LAG_SQL), on the replica."""
        from osool_common.replicas import LAG_SQL

        return float(self.replica.query(LAG_SQL))


@contextmanager
def postgres_replication() -> Iterator[PostgresReplication]:
    """Start a primary and a streaming replica of it in a temporary directory; both stopped and removed after."""
    root = _private_dir("osool-pg-replication-")
    superuser_password = secrets.token_urlsafe(18)
    password = secrets.token_urlsafe(18)
    replication_password = secrets.token_urlsafe(18)
    primary = PostgresServer(root / "primary", free_port(), superuser_password)
    replica = PostgresServer(root / "replica", free_port(), superuser_password)
    pair = PostgresReplication(primary, replica, password)
    try:
        _initdb(primary.data, superuser_password)
        # Loopback only, passwords (SCRAM), and replication for its own role only.
        (primary.data / "pg_hba.conf").write_text(
            f"host all all 127.0.0.1/32 scram-sha-256\nhost replication {REPLICATION_USER} 127.0.0.1/32 scram-sha-256\n"
        )
        primary.start()
        with psycopg.connect(primary.superuser_url("postgres"), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE ROLE osool LOGIN PASSWORD {}").format(sql.Literal(password)))
            connection.execute("CREATE DATABASE osool OWNER osool")
            connection.execute(
                sql.SQL("CREATE ROLE {} REPLICATION LOGIN PASSWORD {}").format(
                    sql.Identifier(REPLICATION_USER), sql.Literal(replication_password)
                )
            )
        with psycopg.connect(primary.superuser_url("osool"), autocommit=True) as connection:
            connection.execute((REPO_ROOT / "database" / "init.sql").read_text().encode())
        # The replica: a base backup that writes its own standby.signal and primary_conninfo (-R), through a slot
        # (-C -S) so the primary keeps the WAL it has not received.
        cloned = subprocess.run(
            _as_server_user([
                str(binaries.postgres_bin("pg_basebackup")), "-h", "127.0.0.1", "-p", str(primary.port),
                "-U", REPLICATION_USER, "-D", str(replica.data), "-R", "-X", "stream", "-C", "-S", SLOT,
                "--checkpoint=fast",
            ]),
            env={**os.environ, "PGPASSWORD": replication_password}, capture_output=True, text=True,
        )  # fmt: skip
        if cloned.returncode != 0:
            raise RuntimeError(f"pg_basebackup failed: {cloned.stderr}")
        replica.start()
        wait_until(pair.streaming, 30, "the replica streaming from the primary")
        yield pair
    finally:
        replica.stop("immediate")
        primary.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


def _initdb(data: Path, superuser_password: str) -> None:
    data.mkdir(mode=0o700)
    pwfile = data.parent / "pwfile"
    pwfile.write_text(superuser_password)
    if running_as_root():
        user = pwd.getpwnam(OS_USER)
        for path in (data, pwfile):
            os.chown(path, user.pw_uid, user.pw_gid)
    try:
        subprocess.run(
            _as_server_user([
                str(binaries.postgres_bin("initdb")), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
                f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
            ]),
            check=True, capture_output=True,
        )  # fmt: skip
    finally:
        pwfile.unlink()


# ---- Valkey with Sentinel ----


@dataclass
class ValkeyProcess:
    """valkey-server (or a Sentinel: `--sentinel`) from a config file in its own directory."""

    directory: Path
    port: int
    config: str
    sentinel: bool = False
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        config_file = self.directory / ("sentinel.conf" if self.sentinel else "valkey.conf")
        config_file.write_text(self.config)  # Sentinel rewrites its file: written once, before the first start
        argv = [str(binaries.valkey_server()), str(config_file), *(["--sentinel"] if self.sentinel else [])]
        with (self.directory / "server.log").open("ab") as log:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class SentinelGroup:
    """A Valkey primary, one replica and three Sentinels watching them, passwords on all."""

    primary: ValkeyProcess
    replica: ValkeyProcess
    sentinels: list[ValkeyProcess]
    master: str
    password: str = field(repr=False)
    sentinel_password: str = field(repr=False)

    @property
    def sentinel_addresses(self) -> str:
        return ",".join(f"127.0.0.1:{s.port}" for s in self.sentinels)

    def client(self, process: ValkeyProcess) -> Any:
        """A synchronous client of one server or Sentinel (close it, or use it in `with`)."""
        import redis

        password = self.sentinel_password if process.sentinel else self.password
        return redis.Redis(port=process.port, password=password, decode_responses=True, socket_timeout=2)

    def master_port(self) -> int:
        """The master's port as the first Sentinel that answers names it."""
        for sentinel in self.sentinels:
            try:
                with self.client(sentinel) as client:
                    return int(client.sentinel_get_master_addr_by_name(self.master)[1])
            except Exception:  # noqa: S112 - ask the next one
                continue
        raise AssertionError("no Sentinel answers")

    def replica_in_sync(self) -> bool:
        with self.client(self.replica) as client:
            return bool(client.info("replication").get("master_link_status") == "up")

    def ready(self) -> bool:
        """The replica is in sync, and every Sentinel knows it and the two other Sentinels (ready for a failover)."""
        if not self.replica_in_sync():
            return False
        for sentinel in self.sentinels:
            with self.client(sentinel) as client:
                state = client.sentinel_master(self.master)
            if int(state["num-slaves"]) < 1 or int(state["num-other-sentinels"]) < 2:
                return False
        return True


@contextmanager
def valkey_server() -> Iterator[str]:
    """A lone Valkey with a password, for a test that needs one beside its own database: yields its REDIS_URL."""
    root = Path(tempfile.mkdtemp(prefix="osool-valkey-"))
    password, port = secrets.token_urlsafe(18), free_port()
    server = ValkeyProcess(
        root, port, f'port {port}\nbind 127.0.0.1\ndir "{root}"\nsave ""\nappendonly no\nrequirepass {password}\n'
    )
    try:
        server.start()
        url = f"redis://:{password}@127.0.0.1:{port}/0"

        def answers() -> bool:
            import redis

            with redis.Redis.from_url(url, socket_timeout=1) as client:
                return bool(client.ping())

        wait_until(answers, 10, "Valkey answering")
        yield url
    finally:
        server.kill()
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def valkey_with_sentinels(master: str = "osool") -> Iterator[SentinelGroup]:
    """Start a Valkey primary and replica and three Sentinels that fail over within seconds (a master unreachable for
    1 s is down); all killed and removed after."""
    root = Path(tempfile.mkdtemp(prefix="osool-sentinel-"))
    password, sentinel_password = secrets.token_urlsafe(18), secrets.token_urlsafe(18)
    primary_port, replica_port = free_port(), free_port()

    def server(name: str, port: int, extra: str = "") -> ValkeyProcess:
        config = (
            f'port {port}\nbind 127.0.0.1\ndir "{root / name}"\nsave ""\nappendonly no\n'
            f"requirepass {password}\nmasterauth {password}\nrepl-diskless-sync-delay 0\n{extra}"
        )
        return ValkeyProcess(root / name, port, config)

    def sentinel(name: str) -> ValkeyProcess:
        port = free_port()
        config = (
            f'port {port}\nbind 127.0.0.1\ndir "{root / name}"\nrequirepass {sentinel_password}\n'
            f"sentinel sentinel-pass {sentinel_password}\n"
            f"sentinel monitor {master} 127.0.0.1 {primary_port} 2\n"
            f"sentinel auth-pass {master} {password}\n"
            f"sentinel down-after-milliseconds {master} 1000\n"
            f"sentinel failover-timeout {master} 4000\n"
            f"sentinel parallel-syncs {master} 1\n"
        )
        return ValkeyProcess(root / name, port, config, sentinel=True)

    group = SentinelGroup(
        server("primary", primary_port),
        server("replica", replica_port, f"replicaof 127.0.0.1 {primary_port}\n"),
        [sentinel(f"sentinel-{n}") for n in (1, 2, 3)],
        master,
        password,
        sentinel_password,
    )
    processes = [group.primary, group.replica, *group.sentinels]
    try:
        group.primary.start()
        group.replica.start()
        # The Sentinels after the replica is in sync: they learn of replicas from the master's INFO, which they ask
        # on connecting and then every 10 s.
        wait_until(group.replica_in_sync, 30, "the Valkey replica in sync")
        for watcher in group.sentinels:
            watcher.start()
        wait_until(group.ready, 30, "the Sentinels knowing the replica and each other")
        yield group
    finally:
        for process in processes:
            process.kill()
        shutil.rmtree(root, ignore_errors=True)


# ---- a service process on them ----


class StandaloneService:
    """`python -m <package> serve` with an environment of the test's own (no local stack): its own port, metrics
    directory and log; always stopped. KEEP_SERVICE_LOGS=1 keeps the directory, to read the log after a test."""

    def __init__(self, package: str, env: dict[str, str]) -> None:
        self.package = package
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix=f"{package}-standalone-"))
        self.log = self.directory / "service.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 90) -> StandaloneService:
        from devstack.testing import clean_environ

        metrics = self.directory / "metrics"
        metrics.mkdir(exist_ok=True)
        env = {**clean_environ(), "PROMETHEUS_MULTIPROC_DIR": str(metrics), "PYTHONUNBUFFERED": "1", **self.env}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.package, "serve", "--port", str(self.port), "--workers", "1"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        process = self.process

        def live() -> bool:
            assert process.poll() is None, self.log.read_text()[-3000:]
            return httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200

        wait_until(live, timeout, f"{self.package} answering on {self.port}", interval=0.2)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def close(self) -> None:
        self.stop()
        if not os.environ.get("KEEP_SERVICE_LOGS"):
            shutil.rmtree(self.directory, ignore_errors=True)
