"""The scale-out topology of docker-compose.scale.yml natively, on free loopback ports in a temporary directory: the
PostgreSQL primary and a streaming replica, Valkey's primary and replica with three Sentinels, the embedded chain node,
every service in two replicas, and the gateway with TLS; for `make rehearse-scale` (bench/rehearsal) and its test.

Everything comes from the repository's files as compose runs them (devstack.replication: postgresql.conf, pg_hba.conf,
create-replication-role.sh, init-replication.sh, redis.conf, sentinel.conf through start-sentinel.sh; the gateway's
template with devstack.render.GatewayTls and a certificate from make-local-certificates.sh). What differs natively and
nothing else: loopback addresses instead of names, free ports, directories under the temporary one, and the
gateway's per-address rate limits lifted (every request of a rehearsal comes from 127.0.0.1, as in the benchmarks).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devstack import binaries, observability
from devstack.config import REPO_ROOT, SERVICES, UNLIMITED_RATES, StackConfig, free_port, service_id
from devstack.envfile import ensure_env_file
from devstack.render import GatewayTls, render_local_gateway, write_private
from devstack.replication import (
    LOOPBACK,
    PostgresReplication,
    SentinelGroup,
    StandaloneService,
    postgres_replication,
    valkey_with_sentinels,
    wait_until,
)

CERTIFICATE_SCRIPT = REPO_ROOT / "gateway" / "nginx" / "ssl" / "make-local-certificates.sh"
REPLICAS = 2
# The services that read through the replicas, as docker-compose.scale.yml gives them DATABASE_REPLICA_URLS (the
# others have no read pool: their reads must see their own writes).
READ_FROM_REPLICAS = ("search", "chat-history")
SENTINEL_MASTER = "osool"
# What compose's command line adds to postgresql.conf for the primary and its replicas.
COMPOSE_SERVER_SETTINGS = {"max_slot_wal_keep_size": "16GB"}
DEMO_LISTINGS = 500
START_TIMEOUT_SECONDS = 420.0


def make_certificates(directory: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """gateway/nginx/ssl/make-local-certificates.sh into `directory` (SSL_DIR); `env` its other parameters."""
    return subprocess.run(
        ["/bin/sh", str(CERTIFICATE_SCRIPT)],
        env={"PATH": "/usr/bin:/bin", "SSL_DIR": str(directory), **env},
        capture_output=True,
        text=True,
        check=False,
    )


@contextmanager
def nginx_gateway(config: str, state: Path, probe_url: str, timeout: float = 20) -> Iterator[subprocess.Popen[bytes]]:
    """nginx in the foreground on the rendered `config` (written into `state`, private: it holds the service key),
    checked with nginx -t first; yields once `probe_url` answers, stops it after."""
    conf = state / "nginx.conf"
    write_private(conf, config)
    nginx = str(binaries.nginx())
    checked = subprocess.run([nginx, "-t", "-p", str(state), "-c", str(conf)], capture_output=True, text=True)
    if checked.returncode != 0:
        raise RuntimeError(f"nginx -t failed:\n{checked.stderr}")
    with (state / "nginx.log").open("ab") as log:
        process = subprocess.Popen(
            [nginx, "-p", str(state), "-c", str(conf), "-g", "daemon off;"], stdout=log, stderr=subprocess.STDOUT
        )
    try:

        def answers() -> bool:
            assert process.poll() is None, (state / "nginx.log").read_text()[-3000:]
            httpx.get(probe_url, timeout=1)
            return True

        wait_until(answers, timeout, f"the gateway answering {probe_url}", interval=0.05)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@dataclass
class ScaleTopology:
    """What scale_topology started, and how to reach it."""

    root: Path
    config: StackConfig
    env: dict[str, str] = field(repr=False)  # the env file every replica reads
    database: PostgresReplication
    valkey: SentinelGroup
    replicas: dict[str, list[StandaloneService]]
    certificates: Path
    redirect_port: int
    chain_node: subprocess.Popen[bytes] | None = None

    @property
    def public_url(self) -> str:
        return f"https://{LOOPBACK}:{self.config.public_port}"

    @property
    def internal_url(self) -> str:
        return self.config.internal_url

    @property
    def redirect_url(self) -> str:
        return f"http://{LOOPBACK}:{self.redirect_port}"

    @property
    def database_url(self) -> str:
        return self.database.url(self.database.primary)

    def tls_context(self) -> ssl.SSLContext:
        """Verifies the gateway's certificate with the local authority make-local-certificates.sh made."""
        return ssl.create_default_context(cafile=str(self.certificates / "ca.crt"))

    def client(self, **options: Any) -> httpx.Client:
        """A client of the public listener (HTTPS, the certificate verified)."""
        return httpx.Client(base_url=self.public_url, verify=self.tls_context(), **{"timeout": 10.0, **options})

    def service_headers(self) -> dict[str, str]:
        from osool_common.service_auth import HEADER

        return {HEADER: self.env["OSOOL_SERVICE_KEY"]}

    def every_replica(self) -> list[StandaloneService]:
        return [replica for service in SERVICES for replica in self.replicas[service]]

    def unhealthy(self) -> list[str]:
        """Every replica whose /health/ready is not 200 on its own port, and every service whose /health through the
        gateway's internal listener is not 200; empty when all are."""
        failing = []
        for service in SERVICES:
            for index, replica in enumerate(self.replicas[service], start=1):
                status = _status(f"{replica.url}/health/ready")
                if status != 200:
                    failing.append(f"{service}-{index} ready={status}")
            status = _status(f"{self.internal_url}/{service}/health")
            if status != 200:
                failing.append(f"{service} through the gateway={status}")
        return failing

    def wait_healthy(self, timeout: float = START_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        while failing := self.unhealthy():
            for replica in self.every_replica():
                if replica.process is not None and replica.process.poll() is not None:
                    log = replica.log.read_text()[-3000:]
                    raise RuntimeError(f"{replica.package} on {replica.port} exited:\n{log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"not healthy after {timeout:g} s: {', '.join(failing)}; logs under {self.root}")
            time.sleep(1.0)

    def stop_services(self) -> None:
        """Every replica stopped (SIGTERM, all at once): nothing writes to the database any more."""
        with ThreadPoolExecutor(max_workers=len(self.every_replica()) or 1) as pool:
            list(pool.map(lambda replica: replica.stop(), self.every_replica()))

    def close_services(self) -> None:
        self.stop_services()
        for replica in self.every_replica():
            replica.close()


def _status(url: str) -> int:
    try:
        return httpx.get(url, timeout=3).status_code
    except httpx.HTTPError:
        return 0


def _kill_leftovers(root: Path) -> None:
    from devstack.testing import kill_leftovers as kill

    kill(root)


@contextmanager
def scale_topology(*, demo_listings: int = DEMO_LISTINGS, replicas: int = REPLICAS) -> Iterator[ScaleTopology]:
    """Start the whole topology and wait until every replica is ready and the demo listings are loaded; everything is
    stopped and its directory removed afterwards (KEEP_SCALE_DIR=1 keeps the directory, with every log)."""
    root = Path(tempfile.mkdtemp(prefix="osool-scale-"))
    root.chmod(0o755)  # the servers' users (PostgreSQL's, nginx's workers) traverse it
    with ExitStack() as cleanup:
        if not os.environ.get("KEEP_SCALE_DIR"):
            cleanup.callback(shutil.rmtree, root, ignore_errors=True)
        cleanup.callback(_kill_leftovers, root)
        redirect_port = free_port()
        config = StackConfig(
            state_dir=root / "state",
            env_file=root / "osool.env",
            public_port=free_port(),
            internal_port=free_port(),
            postgres_port=free_port(),
            valkey_port=free_port(),
            osool_env="test",
            replicas=dict.fromkeys(SERVICES, replicas),
            workers=dict.fromkeys(SERVICES, 1),
            rates=UNLIMITED_RATES,
        )
        sentinel_ports = [free_port() for _ in range(3)]
        # compose's x-environment, on loopback: Valkey through the Sentinels (REDIS_URL then gives only the password);
        # the launcher's env file adds the generated secrets, DATABASE_URL, REDIS_URL and GATEWAY_INTERNAL_URL.
        config.env_file.write_text(
            f"REDIS_SENTINELS={','.join(f'{LOOPBACK}:{port}' for port in sentinel_ports)}\n"
            f"REDIS_SENTINEL_MASTER={SENTINEL_MASTER}\nREDIS_SENTINEL_PASSWORD={secrets.token_urlsafe(24)}\n"
            # No model to call: the agent answers with its rules brain.
            f"AGENT_BRAIN=rules\nDEMO_LISTINGS={demo_listings}\n"
        )
        env = ensure_env_file(config)
        database = cleanup.enter_context(
            postgres_replication(
                settings=COMPOSE_SERVER_SETTINGS, primary_port=config.postgres_port, root=root,
                superuser_password=env["POSTGRES_SUPERUSER_PASSWORD"], password=env["POSTGRES_PASSWORD"],
            )
        )  # fmt: skip
        valkey = cleanup.enter_context(
            valkey_with_sentinels(
                SENTINEL_MASTER, timing={}, extra="", primary_port=config.valkey_port, sentinel_ports=sentinel_ports,
                password=env["REDIS_PASSWORD"], sentinel_password=env["REDIS_SENTINEL_PASSWORD"], root=root,
            )
        )  # fmt: skip

        certificates = root / "ssl"
        made = make_certificates(certificates, TLS_HOSTNAMES=f"localhost,{LOOPBACK}")
        if made.returncode != 0:
            raise RuntimeError(f"make-local-certificates.sh failed: {made.stderr}")

        chain_url = f"http://{LOOPBACK}:{free_port()}"
        from devstack.testing import clean_environ

        common = {"OSOOL_ENV_FILE": str(config.env_file)}
        replica_urls = database.url(database.replica)
        topology = ScaleTopology(root, config, env, database, valkey, {}, certificates, redirect_port)
        for service in SERVICES:
            extra: dict[str, str] = {}
            if service in READ_FROM_REPLICAS:
                extra["DATABASE_REPLICA_URLS"] = replica_urls
            if service == "chain":
                extra["CHAIN_RPC_URL"] = chain_url
            if service == "monitoring":
                extra["MONITORING_TARGETS_FILE"] = str(observability.targets_file(config))
            package = f"osool_{service_id(service)}"
            topology.replicas[service] = [StandaloneService(package, {**common, **extra}) for _ in range(replicas)]
        cleanup.callback(topology.close_services)
        config.replica_ports = {service: [r.port for r in topology.replicas[service]] for service in SERVICES}
        observability.write_targets(config)

        # The gateway: every replica of a service in its upstream, HTTPS with HTTP/2 on the public listener, plain HTTP
        # redirecting to it, the internal listener plain as inside compose's network.
        nginx_state = config.state_dir / "nginx"
        (nginx_state / "temp").mkdir(parents=True)
        if os.geteuid() == 0:
            shutil.chown(nginx_state / "temp", user="nobody")  # the workers run as nobody
        tls = GatewayTls(
            certificate=str(certificates / "server.crt"),
            certificate_key=str(certificates / "server.key"),
            redirect_listen=f"{LOOPBACK}:{redirect_port}",
            https_port=config.public_port,
        )
        gateway_conf = render_local_gateway(
            config, env["OSOOL_SERVICE_KEY"], target="native rehearsal of docker-compose.scale.yml", tls=tls
        )
        cleanup.enter_context(nginx_gateway(gateway_conf, nginx_state, f"{topology.redirect_url}/healthz"))

        # The embedded chain node every chain replica shares, as in the local stack (compose names a real node).
        with (root / "chain-node.log").open("ab") as log:
            topology.chain_node = subprocess.Popen(
                [sys.executable, "-m", "osool_chain", "node"],
                env={**clean_environ(), **common, "CHAIN_RPC_URL": chain_url, "PYTHONUNBUFFERED": "1"},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO_ROOT,
            )  # fmt: skip
        cleanup.callback(_terminate, topology.chain_node)
        wait_until(lambda: _rpc_answers(chain_url), 120, "the embedded chain node answering", interval=0.5)

        for replica in topology.every_replica():
            replica.launch()
        for replica in topology.every_replica():
            replica.wait_live(START_TIMEOUT_SECONDS)
        topology.wait_healthy()
        wait_until(
            lambda: database.primary.query("SELECT count(*) FROM search.properties") >= demo_listings,
            START_TIMEOUT_SECONDS,
            "the demo listings loaded",
            interval=1.0,
        )
        yield topology


def _rpc_answers(url: str) -> bool:
    call = {"jsonrpc": "2.0", "id": 1, "method": "eth_blockNumber", "params": []}
    return httpx.post(url, json=call, timeout=2).status_code == 200


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
