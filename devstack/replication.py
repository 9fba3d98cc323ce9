"""Throwaway servers from the repository's own configuration, each group in its own temporary directory on free loopback
ports: PostgreSQL (database/postgresql.conf and pg_hba.conf; the replica cloned by init-replication.sh, its role made by
create-replication-role.sh) alone or as a primary with a streaming replica, Valkey (redis/redis.conf) alone or as a
primary with a replica and three Sentinels (redis/sentinel.conf through start-sentinel.sh), and a service process using
them. For the tests, and for the native rehearsal of docker-compose.scale.yml (devstack.scale): what differs from the
containers is only the address (loopback), the ports and the directories, plus what a test asks for (TEST_SETTINGS,
FAST_FAILOVER)."""

from __future__ import annotations

import os
import pwd
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql

from devstack import binaries
from devstack.config import REPO_ROOT, free_port
from devstack.postgres import INIT_SQL, OS_USER, ensure_os_user, running_as_root, settings_flags

DATABASE_DIR = REPO_ROOT / "database"
PG_HBA = DATABASE_DIR / "pg_hba.conf"
INIT_REPLICATION = DATABASE_DIR / "init-replication.sh"
CREATE_REPLICATION_ROLE = DATABASE_DIR / "create-replication-role.sh"
REDIS_CONF = REPO_ROOT / "redis" / "redis.conf"
SENTINEL_TEMPLATE = REPO_ROOT / "redis" / "sentinel.conf"
START_SENTINEL = REPO_ROOT / "redis" / "start-sentinel.sh"

REPLICATION_USER = "replicator"  # as database/pg_hba.conf admits
SLOT = "replica_1"
LOOPBACK = "127.0.0.1"

# What a test's PostgreSQL changes beyond the address: no fsync and a small cache (a throwaway cluster that starts
# fast), and the replica's positions reported every second (pg_stat_replication current). The rehearsal passes none.
TEST_SETTINGS: Mapping[str, str] = {"fsync": "off", "shared_buffers": "32MB", "wal_receiver_status_interval": "1s"}
# A test's Valkey replica syncs at once instead of after redis.conf's (Valkey's default) 5 s diskless-sync delay.
TEST_VALKEY = "repl-diskless-sync-delay 0\n"
# A test's Sentinels: a primary unreachable for 1 s is down (sentinel.conf: 5 s), a failover retried after 4 s (30 s).
FAST_FAILOVER: Mapping[str, str] = {"SENTINEL_DOWN_AFTER_MS": "1000", "SENTINEL_FAILOVER_TIMEOUT_MS": "4000"}


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


def server_directory(prefix: str = "", *, parent: Path | None = None, name: str = "") -> Path:
    """A directory PostgreSQL's system user may use (the server refuses to run as root): a new temporary one (`prefix`)
    or `parent`/`name`. Its servers put their socket in it and the replication script makes the replica's data in it."""
    if parent is None:
        root = Path(tempfile.mkdtemp(prefix=prefix))
    else:
        root = parent / name
        root.mkdir()
    root.chmod(0o755)  # mkdtemp is 0700; the server's user must traverse it
    if running_as_root():
        ensure_os_user()
        user = pwd.getpwnam(OS_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    return root


def as_server_user(argv: list[str]) -> list[str]:
    return [binaries.runuser(), "-u", OS_USER, "--", *argv] if running_as_root() else argv


def pg_bindir() -> Path:
    return binaries.postgres_bin("postgres").parent


def run_server_script(script: Path, env: Mapping[str, str], *command: str) -> subprocess.CompletedProcess[str]:
    """One of database/'s scripts under sh, as the server's system user (in the containers: the postgres user), every
    parameter in the environment, as the containers run them; `command` is what the script runs last (the server)."""
    environment = {"PATH": os.environ["PATH"], "PG_BINDIR": str(pg_bindir()), **env}
    return subprocess.run(
        as_server_user(["/bin/sh", str(script), *command]),
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


# ---- PostgreSQL ----


@dataclass
class PostgresServer:
    """One cluster's server, started and stopped with pg_ctl: database/postgresql.conf and the repository's
    pg_hba.conf, then what differs natively (loopback, its port, its socket in the cluster's directory), then
    `settings` (a test's: TEST_SETTINGS)."""

    data: Path
    port: int
    superuser_password: str = field(repr=False)
    settings: Mapping[str, str] = field(default_factory=dict)

    @property
    def root(self) -> Path:
        """The directory of its cluster: its socket, pg_hba.conf and log are there."""
        return self.data.parent

    @property
    def log(self) -> Path:
        return self.root / f"{self.data.name}.log"

    @property
    def hba_file(self) -> Path:
        """database/pg_hba.conf, copied beside the data (the server's user may not reach the checkout)."""
        return self.root / "pg_hba.conf"

    def options(self) -> list[str]:
        native = {
            "hba_file": str(self.hba_file),
            "listen_addresses": LOOPBACK,
            "port": str(self.port),
            "unix_socket_directories": str(self.root),
        }
        flags = settings_flags()
        for key, value in {**native, **self.settings}.items():
            flags += ["-c", f"{key}={value}"]
        return flags

    def start_command(self) -> list[str]:
        """pg_ctl start, waiting until it accepts connections (also what init-replication.sh runs after a clone)."""
        return [str(pg_bindir() / "pg_ctl"), "-D", str(self.data), "-o", shlex.join(self.options()),
                "-l", str(self.log), "-w", "-t", "120", "start"]  # fmt: skip

    def install_hba_file(self) -> None:
        if not self.hba_file.exists():
            shutil.copy(PG_HBA, self.hba_file)
            if running_as_root():
                shutil.chown(self.hba_file, OS_USER)

    def start(self) -> None:
        self.install_hba_file()
        started = subprocess.run(as_server_user(self.start_command()), capture_output=True, text=True)
        if started.returncode != 0:
            log = self.log.read_text()[-3000:] if self.log.exists() else ""
            raise RuntimeError(f"PostgreSQL on {self.port} did not start: {started.stderr}\n{log}")

    def stop(self, mode: str = "fast") -> None:
        """pg_ctl stop: `fast` ends every session with an error to its client, `immediate` kills the server as a crash
        would (no shutdown checkpoint, connections cut)."""
        pg_ctl = str(pg_bindir() / "pg_ctl")
        subprocess.run(as_server_user([pg_ctl, "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop"]),
                       capture_output=True)  # fmt: skip

    @property
    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def superuser_url(self, database: str = "osool") -> str:
        return f"postgresql://postgres:{self.superuser_password}@{LOOPBACK}:{self.port}/{database}"

    def rows(self, statement: str, *params: Any, database: str = "osool") -> list[tuple[Any, ...]]:
        """One statement as the superuser; every row."""
        with psycopg.connect(self.superuser_url(database), autocommit=True, connect_timeout=5) as connection:
            cursor = connection.execute(statement.encode(), params or None)
            return cursor.fetchall() if cursor.description else []

    def query(self, statement: str, *params: Any, database: str = "osool") -> Any:
        """One statement as the superuser; the first column of the first row (None without rows)."""
        rows = self.rows(statement, *params, database=database)
        return rows[0][0] if rows else None


def initdb(data: Path, superuser_password: str) -> None:
    """A new cluster in `data` (SCRAM passwords, UTF-8), its superuser `postgres`."""
    data.mkdir(mode=0o700)
    pwfile = data.parent / f"{data.name}.pwfile"
    pwfile.write_text(superuser_password)
    if running_as_root():
        user = pwd.getpwnam(OS_USER)
        for path in (data, pwfile):
            os.chown(path, user.pw_uid, user.pw_gid)
    try:
        subprocess.run(
            as_server_user([
                str(pg_bindir() / "initdb"), "-D", str(data), "-U", "postgres", "--auth=scram-sha-256",
                f"--pwfile={pwfile}", "-E", "UTF8", "--locale=C.UTF-8", "--no-instructions",
            ]),
            check=True, capture_output=True,
        )  # fmt: skip
    finally:
        pwfile.unlink()


def create_cluster(
    root: Path, name: str, *, port: int | None = None, superuser_password: str | None = None,
    settings: Mapping[str, str] = TEST_SETTINGS,
) -> PostgresServer:  # fmt: skip
    """initdb into `root`/`name` and start its server."""
    server = PostgresServer(root / name, port or free_port(), superuser_password or secrets.token_urlsafe(18), settings)
    initdb(server.data, server.superuser_password)
    server.start()
    return server


def create_osool_database(server: PostgresServer, password: str, *, database: bool = True) -> None:
    """The services' role (osool, with `password`) and, unless `database` is False, its database with database/init.sql
    applied, as the local stack and the compose primary's first start make them."""
    with psycopg.connect(server.superuser_url("postgres"), autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE ROLE osool LOGIN PASSWORD {}").format(sql.Literal(password)))
        if database:
            connection.execute("CREATE DATABASE osool OWNER osool")
    if database:
        with psycopg.connect(server.superuser_url("osool"), autocommit=True) as connection:
            connection.execute(INIT_SQL.read_text().encode())


def create_replication_role(primary: PostgresServer, password: str) -> subprocess.CompletedProcess[str]:
    """database/create-replication-role.sh over the primary's socket as its superuser, as the image runs it from
    /docker-entrypoint-initdb.d."""
    return run_server_script(
        CREATE_REPLICATION_ROLE,
        {"PGHOST": str(primary.root), "PGPORT": str(primary.port), "POSTGRES_USER": "postgres",
         "PGPASSWORD": primary.superuser_password, "REPLICATION_PASSWORD": password},
    )  # fmt: skip


def replica_environment(
    primary: PostgresServer, data: Path, replication_password: str, slot: str = SLOT
) -> dict[str, str]:
    """database/init-replication.sh's parameters for a replica of `primary` in `data`, as compose sets them."""
    return {
        "PGDATA": str(data),
        "PRIMARY_HOST": LOOPBACK,
        "PRIMARY_PORT": str(primary.port),
        "REPLICATION_USER": REPLICATION_USER,
        "REPLICATION_PASSWORD": replication_password,
        "REPLICATION_SLOT": slot,
        "PRIMARY_WAIT_SECONDS": "10",
    }


@dataclass
class PostgresReplication:
    """A primary and its streaming replica (cloned by database/init-replication.sh through its own slot), with the
    osool role and database and database/init.sql applied as on the local stack."""

    primary: PostgresServer
    replica: PostgresServer
    password: str = field(repr=False)  # the osool role's
    replication_password: str = field(repr=False)
    slot: str = SLOT

    def url(self, server: PostgresServer) -> str:
        return f"postgresql://osool:{self.password}@{LOOPBACK}:{server.port}/osool"

    def start_replica(self) -> subprocess.CompletedProcess[str]:
        """init-replication.sh, then the server: the first time it clones the primary into the replica's empty data
        directory; later it finds a replica's data there and starts it as it is (a container's restart)."""
        self.replica.install_hba_file()
        ran = run_server_script(
            INIT_REPLICATION,
            replica_environment(self.primary, self.replica.data, self.replication_password, self.slot),
            *self.replica.start_command(),
        )
        if ran.returncode != 0:
            log = self.replica.log.read_text()[-3000:] if self.replica.log.exists() else ""
            raise RuntimeError(f"init-replication.sh failed:\n{ran.stdout}{ran.stderr}\n{log}")
        return ran

    def streaming(self) -> bool:
        """The primary sees the replica streaming through its slot."""
        state = self.primary.query(
            "SELECT state FROM pg_stat_replication r JOIN pg_replication_slots s ON s.active_pid = r.pid "
            "WHERE s.slot_name = %s",
            self.slot,
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
def postgres_cluster(
    prefix: str = "osool-pg-", *, settings: Mapping[str, str] = TEST_SETTINGS
) -> Iterator[PostgresServer]:
    """A fresh cluster (no osool role or database) in a temporary directory; stopped and removed after."""
    root = server_directory(prefix)
    try:
        server = create_cluster(root, "data", settings=settings)
        try:
            yield server
        finally:
            server.stop("immediate")
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_replication(
    *, settings: Mapping[str, str] = TEST_SETTINGS, primary_port: int | None = None,
    superuser_password: str | None = None, password: str | None = None, root: Path | None = None,
) -> Iterator[PostgresReplication]:  # fmt: skip
    """A primary and a streaming replica of it, as docker-compose.scale.yml's postgres and postgres-replica-1 (in
    `root`/postgres, or a temporary directory); both stopped and removed after."""
    directory = server_directory("osool-pg-replication-", parent=root, name="postgres")
    superuser_password = superuser_password or secrets.token_urlsafe(18)
    primary = PostgresServer(directory / "primary", primary_port or free_port(), superuser_password, settings)
    replica = PostgresServer(directory / "replica", free_port(), superuser_password, settings)
    pair = PostgresReplication(primary, replica, password or secrets.token_urlsafe(18), secrets.token_urlsafe(18))
    try:
        initdb(primary.data, superuser_password)
        primary.start()
        made = create_replication_role(primary, pair.replication_password)
        if made.returncode != 0:
            raise RuntimeError(f"create-replication-role.sh failed: {made.stderr}")
        create_osool_database(primary, pair.password)
        pair.start_replica()
        wait_until(pair.streaming, 30, "the replica streaming from the primary")
        yield pair
    finally:
        for server in (replica, primary):
            if server.running:
                server.stop("immediate")
        shutil.rmtree(directory, ignore_errors=True)


# ---- Valkey with Sentinel ----


@dataclass
class ValkeyProcess:
    """valkey-server from its own config file (including redis/redis.conf), or a Sentinel run by
    redis/start-sentinel.sh; in its own directory, its output in server.log."""

    directory: Path
    port: int
    argv: list[str]
    env: dict[str, str] | None = field(default=None, repr=False)
    sentinel: bool = False
    process: subprocess.Popen[bytes] | None = None

    @property
    def log(self) -> Path:
        return self.directory / "server.log"

    @property
    def config_file(self) -> Path:
        """The file the server runs on, which Sentinel rewrites (a Sentinel's copy of the template, once written)."""
        return self.directory / ("sentinel.conf" if self.sentinel else "valkey.conf")

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.argv, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, as in a crash."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


def valkey_node(directory: Path, port: int, password: str, extra: str = "") -> ValkeyProcess:
    """A server as compose's redis and redis-replica run: redis/redis.conf, then its address, port, directory and
    password, the primary's password (a replica's, or a former primary's once Sentinel makes it one) and the address
    it announces; `extra` after (`replicaof ...`, TEST_VALKEY). Its config file is written here, once."""
    directory.mkdir(parents=True, exist_ok=True)
    node = ValkeyProcess(directory, port, [])
    node.argv = [str(binaries.valkey_server()), str(node.config_file)]
    node.config_file.write_text(
        f'include {REDIS_CONF}\nport {port}\nbind {LOOPBACK}\ndir "{directory}"\nrequirepass {password}\n'
        f"masterauth {password}\nreplica-announce-ip {LOOPBACK}\n{extra}"
    )
    node.config_file.chmod(0o600)  # it holds the password
    return node


def sentinel_node(
    directory: Path, port: int, *, master: str, master_port: int, password: str, sentinel_password: str,
    timing: Mapping[str, str],
) -> ValkeyProcess:  # fmt: skip
    """A Sentinel as compose's sentinel-1..3 run: redis/start-sentinel.sh fills redis/sentinel.conf into the Sentinel's
    own copy at the first start, and keeps that copy (which the Sentinel rewrites) on later starts. `timing`: the
    down-after and failover timeouts (FAST_FAILOVER), or nothing for the template's."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": os.environ["PATH"],
        "SENTINEL_CONFIG": str(directory / "sentinel.conf"),
        "SENTINEL_TEMPLATE": str(SENTINEL_TEMPLATE),
        "REDIS_MASTER_HOST": LOOPBACK,
        "REDIS_MASTER_PORT": str(master_port),
        "REDIS_SENTINEL_MASTER": master,
        "REDIS_PASSWORD": password,
        "REDIS_SENTINEL_PASSWORD": sentinel_password,
        "SENTINEL_PORT": str(port),
        "SENTINEL_ANNOUNCE_HOST": LOOPBACK,
        "VALKEY_SERVER": str(binaries.valkey_server()),
        **timing,
    }
    argv = ["/bin/sh", str(START_SENTINEL), "--bind", LOOPBACK]
    return ValkeyProcess(directory, port, argv, env, sentinel=True)


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
        """REDIS_SENTINELS."""
        return ",".join(f"{LOOPBACK}:{s.port}" for s in self.sentinels)

    def client(self, process: ValkeyProcess, **options: Any) -> Any:
        """A synchronous client of one server or Sentinel (close it, or use it in `with`)."""
        import redis

        password = self.sentinel_password if process.sentinel else self.password
        settings = {"socket_timeout": 2, **options}
        return redis.Redis(port=process.port, password=password, decode_responses=True, **settings)

    def master_as_seen_by(self, sentinel: ValkeyProcess) -> tuple[str, int]:
        with self.client(sentinel) as client:
            host, port = client.sentinel_get_master_addr_by_name(self.master)
        return str(host), int(port)

    def master_port(self) -> int:
        """The master's port as the first Sentinel that answers names it."""
        for sentinel in self.sentinels:
            try:
                return self.master_as_seen_by(sentinel)[1]
            except Exception:  # noqa: S112 - ask the next one
                continue
        raise AssertionError("no Sentinel answers")

    def master_process(self) -> ValkeyProcess:
        """The server the Sentinels name as the primary now."""
        port = self.master_port()
        return self.primary if port == self.primary.port else self.replica

    def in_sync(self, replica: ValkeyProcess) -> bool:
        with self.client(replica) as client:
            return bool(client.info("replication").get("master_link_status") == "up")

    def replica_in_sync(self) -> bool:
        return self.in_sync(self.replica)

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
    """A lone Valkey from redis/redis.conf with a password, for a test that needs one beside its own database: yields
    its REDIS_URL."""
    root = Path(tempfile.mkdtemp(prefix="osool-valkey-"))
    password, port = secrets.token_urlsafe(18), free_port()
    server = valkey_node(root, port, password, TEST_VALKEY)
    try:
        server.start()
        url = f"redis://:{password}@{LOOPBACK}:{port}/0"

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
def valkey_with_sentinels(
    master: str = "osool", *, timing: Mapping[str, str] = FAST_FAILOVER, extra: str = TEST_VALKEY,
    primary_port: int | None = None, sentinel_ports: list[int] | None = None, password: str | None = None,
    sentinel_password: str | None = None, root: Path | None = None,
) -> Iterator[SentinelGroup]:  # fmt: skip
    """A Valkey primary and replica and three Sentinels, as docker-compose.scale.yml's redis, redis-replica and
    sentinel-1..3 (in `root`/valkey, or a temporary directory); all killed and removed after. A test's fail over within
    seconds (FAST_FAILOVER); `timing={}` keeps the template's timeouts."""
    if root is None:
        directory = Path(tempfile.mkdtemp(prefix="osool-sentinel-"))
    else:
        directory = root / "valkey"
        directory.mkdir()
    password, sentinel_password = password or secrets.token_urlsafe(18), sentinel_password or secrets.token_urlsafe(18)
    primary_port = primary_port or free_port()
    replica_port = free_port()
    ports = sentinel_ports or [free_port() for _ in range(3)]
    sentinels = [
        sentinel_node(directory / f"sentinel-{number}", port, master=master, master_port=primary_port,
                      password=password, sentinel_password=sentinel_password, timing=timing)
        for number, port in enumerate(ports, start=1)
    ]  # fmt: skip
    group = SentinelGroup(
        valkey_node(directory / "primary", primary_port, password, extra),
        valkey_node(directory / "replica", replica_port, password, f"{extra}replicaof {LOOPBACK} {primary_port}\n"),
        sentinels,
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
        wait_until(group.ready, 40, "the Sentinels knowing the replica and each other")
        yield group
    finally:
        for process in processes:
            process.kill()
        shutil.rmtree(directory, ignore_errors=True)


# ---- a service process on them ----


class StandaloneService:
    """`python -m <package> serve` with an environment of the caller's own (no local stack): its own port, metrics
    directory and log; always stopped. KEEP_SERVICE_LOGS=1 keeps the directory, to read the log afterwards."""

    def __init__(self, package: str, env: dict[str, str], *, workers: int = 1) -> None:
        self.package = package
        self.env = env
        self.workers = workers
        self.port = free_port()
        self.url = f"http://{LOOPBACK}:{self.port}"
        self.directory = Path(tempfile.mkdtemp(prefix=f"{package}-standalone-"))
        self.log = self.directory / "service.log"
        self.process: subprocess.Popen[bytes] | None = None

    def launch(self) -> StandaloneService:
        """Start the process and return at once (wait_live waits for it)."""
        from devstack.testing import clean_environ

        metrics = self.directory / "metrics"
        shutil.rmtree(metrics, ignore_errors=True)  # a restarted replica's counters start again, as in the stack
        metrics.mkdir()
        env = {**clean_environ(), "PROMETHEUS_MULTIPROC_DIR": str(metrics), "PYTHONUNBUFFERED": "1", **self.env}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.package, "serve", "--host", LOOPBACK, "--port", str(self.port),
                 "--workers", str(self.workers)],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO_ROOT,
            )  # fmt: skip
        return self

    def wait_live(self, timeout: float = 90) -> StandaloneService:
        """Until /health/live answers 200; a process that exits meanwhile fails at once, with its log."""
        process = self.process
        assert process is not None, "launch() first"
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"{self.package} on {self.port} exited:\n{self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"{self.package} not answering on {self.port} within {timeout:g}s")
            time.sleep(0.2)

    def start(self, timeout: float = 90) -> StandaloneService:
        return self.launch().wait_live(timeout)

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
