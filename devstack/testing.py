"""pytest fixtures: a whole local stack in a temporary directory on free ports, started once per session."""

from __future__ import annotations

import os
import re
import secrets
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.config import REPO_ROOT, SERVICES, GatewayRates, StackConfig, free_port
from devstack.envfile import read_env_file
from devstack.render import GatewayTls, render_gateway
from devstack.stack import LocalStack

# Variables a developer may have exported for their own stack; the test stack must not inherit them.
_LEAKY_VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SENTRY_DSN",
    "OSOOL_ENV",
    "OSOOL_ENV_FILE",
    "GATEWAY_INTERNAL_URL",
    "PROMETHEUS_MULTIPROC_DIR",
    "UPSTREAM_SERVICES",
    "OSOOL_STATE_DIR",
    "CHAIN_RPC_URL",
    "CHAIN_PRIVATE_KEY",
    "CHAIN_CONTRACT_ADDRESS",
    "CHAIN_CONFIRMATIONS",
    "LOCAL_LLM",
    "LOCAL_LLM_URL",
    "LOCAL_LLM_MODEL",
    "AGENT_BRAIN",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OSOOL_SERVICE_KEY",
)


TEST_OTP_SENDS_PER_IP = 30  # under the test gateway's OTP burst (40), so the service's own limit is what answers


def clean_environ() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in _LEAKY_VARIABLES}


def make_test_stack_config(root: Path) -> StackConfig:
    return StackConfig(
        state_dir=root / "state",
        env_file=root / "state" / ".env",
        public_port=free_port(),
        internal_port=free_port(),
        postgres_port=free_port(),
        valkey_port=free_port(),
        osool_env="test",
        # chain has two replicas so that its single-writer and concurrency tests go through both.
        replicas={"search": 2, "chain": 2},
        # Two workers where the multi-process metrics are tested, one elsewhere to keep the session light.
        workers={service: 2 if service == "search" else 1 for service in SERVICES},
        # Looser than the defaults, so a test session's many sign-ins from one address are not refused by the
        # gateway; the strict limits themselves are tested from another loopback address.
        rates=GatewayRates(
            api="500r/s",
            auth="6000r/m",
            login="120r/m",
            otp="120r/m",
            bursts={"api": 500, "auth": 1000, "login": 40, "otp": 40},
        ),
    )


# The stacks this process started, by public URL: a helper given a client of one finds the stack behind it.
_RUNNING: dict[str, LocalStack] = {}


@contextmanager
def stack_root(prefix: str = "osool-test-stack-") -> Iterator[Path]:
    """A stack's own directory under the system temp dir, removed afterwards. Not pytest's tmp_path: PostgreSQL's user
    and nginx's workers must traverse every parent (o+x, devstack.postgres), and each new pytest session resets
    /tmp/pytest-of-<user> to 0700, which broke the stack of any test run already going on the machine."""
    import shutil
    import tempfile

    root = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def running_stack(config: StackConfig, *, timeout: float = 420) -> Iterator[LocalStack]:
    """Start a stack in the background, wait until every service is healthy, and always stop it after,
    killing anything left behind: tests and benchmarks leave nothing running."""
    local_stack = LocalStack(config, environ=clean_environ())
    try:
        local_stack.start(foreground=False)
        local_stack.wait_healthy(timeout=timeout)
        _RUNNING[config.public_url] = local_stack
        yield local_stack
    finally:
        _RUNNING.pop(config.public_url, None)
        local_stack.stop()
        kill_leftovers(config.state_dir)


def processes_of(state_dir: Path) -> dict[int, str]:
    """Every process (but this one) whose command line or environment names the stack's directory, by pid: its
    command line."""
    marker = str(state_dir)
    found = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            environ = (proc / "environ").read_bytes().decode(errors="replace")
        except OSError:
            continue
        if marker in cmdline or marker in environ:
            found[int(proc.name)] = cmdline
    return found


def kill_leftovers(state_dir: Path) -> None:
    """Anything still running from this stack's directory after shutdown is killed: tests leave nothing behind."""
    for pid in processes_of(state_dir):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="session")
def fake_google() -> Iterator[Any]:
    from devstack.fakes import FakeGoogle

    google = FakeGoogle()
    with google.server:
        yield google


@pytest.fixture(scope="session")
def stack(fake_google: Any) -> Iterator[LocalStack]:
    with stack_root() as root:
        yield from _session_stack(root, fake_google)


def _session_stack(root: Path, fake_google: Any) -> Iterator[LocalStack]:
    from devstack.fakes import GOOGLE_CLIENT_ID

    config = make_test_stack_config(root)
    config.env_file.parent.mkdir(parents=True, exist_ok=True)
    # Third parties the services talk to, as local fakes (kept by the env file writer like a developer's own).
    config.env_file.write_text(
        f"GOOGLE_CLIENT_ID={GOOGLE_CLIENT_ID}\nGOOGLE_JWKS_URL={fake_google.jwks_url}\n"
        f"GOOGLE_AUTHORIZATION_URL={fake_google.authorization_url}\n"
        # Every test signs in from 127.0.0.1; the per-address OTP limit is tested from its own address.
        f"OTP_SENDS_PER_IP_PER_HOUR={TEST_OTP_SENDS_PER_IP}\n"
        # The scheduled purge of old anonymous sessions runs every second, so its effect can be watched.
        "PURGE_INTERVAL_SECONDS=1\n"
        # The demo listings a new user gets, so the search evaluation runs on what `make run` serves.
        "DEMO_LISTINGS=3500\n"
        # The RED job every 20 s rather than its minute: the page's traffic chart has figures after two readings.
        "MONITORING_RED_INTERVAL_SECONDS=20\n"
        # An upstream's answer spares the services' checks a probe for 5 s, not 40: the request-id test waits for one.
        "UPSTREAM_FRESH_SECONDS=5\n"
    )
    # Given up before pytest's own timeout (300 s a test, its fixtures' setup included), so the error names what did
    # not come up and shows its log, rather than only "Timeout".
    with running_stack(config, timeout=270) as local_stack:
        yield local_stack


@pytest.fixture(scope="session")
def stack_env(stack: LocalStack) -> dict[str, str]:
    """The test stack's generated env file (DATABASE_URL, REDIS_URL, ...)."""
    return read_env_file(stack.config.env_file)


class ThreadedServer:
    """A test peer: an ASGI app served by uvicorn on a free loopback port in a thread (a fake third-party API,
    an upstream for the gateway, ...). Use as a context manager; `url` is its base address."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="error"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            assert time.monotonic() < deadline, "test server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=5)


def read_sse(response: Any) -> list[tuple[str, dict[str, Any]]]:
    """A server-sent events stream (an httpx streaming response) as (event, JSON data) pairs, in order."""
    import json

    events, name = [], "message"
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            events.append((name, json.loads(line.split(":", 1)[1])))
    return events


def admin_headers(stack: LocalStack, label: str = "admin") -> dict[str, str]:
    """A new administrator made as an operator makes one (`create-admin`), signed in for real: its bearer header."""
    import secrets
    import subprocess
    import sys
    import uuid

    import httpx

    email = f"{label}-{uuid.uuid4().hex[:8]}@osool-test.eg"
    password = secrets.token_urlsafe(16)
    created = subprocess.run(
        [sys.executable, "-m", "osool_auth", "create-admin", "--email", email, "--password-stdin"],
        input=f"{password}\n", env={**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    pair = httpx.post(f"{stack.config.public_url}/api/auth/login", json={"email": email, "password": password},
                      timeout=30).json()  # fmt: skip
    return {"Authorization": f"Bearer {pair['access_token']}"}


def ingest_own_place(stack: LocalStack, prefix: str, rows: list[dict[str, Any]]) -> tuple[str, str]:
    """Listings of a place no other listing is in, ingested through the gateway by an administrator: each row gets the
    place and the id f"{prefix}-{tag}-{n}" (n from 1, in order). Returns the tag and the place."""
    tag = "".join(secrets.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))  # letters only: never a number or a size
    location = f"{prefix}ville {tag}"
    export = [{**row, "id": f"{prefix}-{tag}-{n}", "location": location} for n, row in enumerate(rows, start=1)]
    headers = admin_headers(stack, f"{prefix.lower()}-admin")
    response = httpx.post(f"{stack.config.public_url}/api/properties/ingest", json=export, headers=headers, timeout=60)
    assert response.status_code == 200 and response.json()["inserted"] == len(rows), response.text
    return tag, location


def own_numbers(results: list[dict[str, Any]], prefix: str, tag: str) -> set[int]:
    """The numbers n of the results that are listings of ingest_own_place's (f"{prefix}-{tag}-{n}")."""
    return {int(r["source_id"].removeprefix(f"{prefix}-{tag}-")) for r in results if r["source_id"].startswith(prefix)}


def own_listed(api: httpx.Client, prefix: str, place: tuple[str, str], **params: Any) -> set[int]:
    """The numbers of ingest_own_place's listings the listing route returns for these parameters, in that place."""
    tag, location = place
    response = api.get("/api/properties", params={"location": location, "limit": 50, **params})
    assert response.status_code == 200, response.text
    return own_numbers(response.json()["results"], prefix, tag)


def service_headers(stack: LocalStack) -> dict[str, str]:
    """What our services send on the internal listener and internal routes: this stack's service key."""
    from osool_common.service_auth import HEADER

    return {HEADER: read_env_file(stack.config.env_file)["OSOOL_SERVICE_KEY"]}


def replica_metrics(stack: LocalStack, service: str) -> list[str]:
    """Each replica's own /metrics, straight from its port (as Prometheus scrapes them): through the gateway, one
    replica answers with its own counters only."""
    return [
        httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text for port in stack.config.replica_ports[service]
    ]


_OUTBOX_READERS: dict[str, dict[str, str]] = {}


def read_outbox(target: LocalStack | Any, recipient: str, *, limit: int = 50) -> list[dict[str, Any]]:
    """The development outbox as operators read it: the internal route, with the service key and an admin's token
    (one administrator per stack, made on first use). `target`: the stack, or an httpx client of its public URL."""
    import httpx

    stack = target if isinstance(target, LocalStack) else _RUNNING[str(target.base_url).rstrip("/")]
    key = str(stack.config.state_dir)
    for attempt in range(2):
        if key not in _OUTBOX_READERS:
            _OUTBOX_READERS[key] = {**admin_headers(stack, "outbox-reader"), **service_headers(stack)}
        response = httpx.get(
            f"{stack.config.internal_url}/auth/api/auth/internal/dev/outbox",
            params={"recipient": recipient, "limit": limit}, headers=_OUTBOX_READERS[key], timeout=30,
        )  # fmt: skip
        if response.status_code != 401 or attempt:
            break
        del _OUTBOX_READERS[key]  # the administrator's access token (15 minutes) ended in a long run: a new one
    response.raise_for_status()
    messages: list[dict[str, Any]] = response.json()
    return messages


def outbox_link_token(target: LocalStack | Any, recipient: str, kind: str = "") -> str:
    """The token of the newest link of this kind ("verify-email", "reset-password"; any when empty) sent to
    `recipient`, from the development outbox."""
    import re

    message = next(m for m in read_outbox(target, recipient) if f"{kind}?token=" in m["body"])
    match = re.search(r"token=([A-Za-z0-9_\-]+)", message["body"])
    assert match, message["body"]
    return match[1]


def user_headers(stack: LocalStack, label: str = "user") -> dict[str, str]:
    """A new user signed up by email and verified from the outbox, signed in: its bearer header."""
    import uuid

    import httpx

    email = f"{label}-{uuid.uuid4().hex[:8]}@osool-test.eg"
    signup = httpx.post(f"{stack.config.public_url}/api/auth/signup",
                        json={"email": email, "password": "a long enough passphrase"}, timeout=30)  # fmt: skip
    assert signup.status_code == 202, signup.text
    token = outbox_link_token(stack, email, "verify-email")
    pair = httpx.post(f"{stack.config.public_url}/api/auth/verify-email", json={"token": token}, timeout=30)
    assert pair.status_code == 200, pair.text
    return {"Authorization": f"Bearer {pair.json()['access_token']}"}


class ServiceProcess:
    """`python -m osool_<name> serve` beside the stack, with settings of the test's own (short periods, another
    brain), on its own port, with the stack's database, Valkey and internal gateway; restartable, always stopped."""

    def __init__(self, stack: LocalStack, package: str, **env: str) -> None:
        import shutil
        import tempfile
        import weakref

        self.stack = stack
        self.package = package
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Its metrics and log in one temporary directory, removed with the object (or when the tests' process ends):
        # each run of the suite left some 80 such directories behind.
        self.directory = Path(tempfile.mkdtemp(prefix=f"{package}-test-"))
        weakref.finalize(self, shutil.rmtree, self.directory, ignore_errors=True)
        self.metrics_dir = self.directory / "metrics"
        self.metrics_dir.mkdir()
        self.log = self.directory / "service.log"
        self.process: Any = None

    def start(self) -> ServiceProcess:
        import subprocess
        import sys

        import httpx

        env = {
            **clean_environ(),
            "OSOOL_ENV_FILE": str(self.stack.config.env_file),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.package, "serve", "--port", str(self.port), "--workers", "1"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"{self.package} on {self.port} did not start: {self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        import subprocess

        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


def render_standalone_gateway(
    state: Path,
    upstream_port: int,
    rates: GatewayRates,
    public_port: int,
    web_root: Path | None = None,
    tls: GatewayTls | None = None,
) -> str:
    """The rendered template for nginx alone (run as root, one worker), every service's upstream at one port (a
    test's own server), its files in `state`, its public listener on `public_port` (HTTPS with `tls`)."""
    (state / "temp").mkdir(parents=True, exist_ok=True)
    return render_gateway(
        target="test",
        upstreams={service: [f"127.0.0.1:{upstream_port}"] for service in SERVICES},
        public_listen=f"127.0.0.1:{public_port}",
        internal_listen=f"127.0.0.1:{free_port()}",
        state_dir=str(state),
        web_root=str(web_root or REPO_ROOT / "web"),
        rates=rates,
        worker_processes="1",
        error_log=str(state / "error.log"),
        service_key=secrets.token_urlsafe(24),
        tls=tls,
    ).replace("\nworker_processes", "\nuser root;\nworker_processes")


@contextmanager
def standalone_gateway(
    state: Path, upstream_port: int, rates: GatewayRates, web_root: Path | None = None
) -> Iterator[str]:
    """nginx alone on the rendered template (render_standalone_gateway); yields its public URL, stops it after."""
    from devstack.scale import nginx_gateway

    public_port = free_port()
    url = f"http://127.0.0.1:{public_port}"
    with nginx_gateway(render_standalone_gateway(state, upstream_port, rates, public_port, web_root), state,
                       f"{url}/healthz"):  # fmt: skip
        yield url


def spawn_delay(supervisord_log: Path, program: str, timeout: float = 10.0) -> float:
    """Seconds from supervisord's start to the spawn of `program`, as its log says (waiting for the spawn's line).
    Left alone, supervisord spawns a whole poll (1 s) after it starts; woken (devstack.stack.wake_supervisord), at
    once."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = supervisord_log.read_text() if supervisord_log.exists() else ""
        if f"spawned: '{program}'" in text:
            break
        time.sleep(0.05)

    def stamp(pattern: str) -> datetime:
        # The last start in the log: a stack's log file is appended to by every start.
        found = re.findall(rf"^(\S+ \S+) INFO {pattern}", text, re.MULTILINE)
        assert found, f"no line like {pattern!r} in {supervisord_log}:\n{text[-3000:]}"
        return datetime.strptime(found[-1], "%Y-%m-%d %H:%M:%S,%f")

    return (stamp(f"spawned: '{program}'") - stamp("supervisord started")).total_seconds()
