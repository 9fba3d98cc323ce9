"""LocalStack: prepare the state directory, start everything under supervisord, wait until it is healthy, stop."""

from __future__ import annotations

import http.client
import json
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
import xmlrpc.client
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from supervisor.xmlrpc import SupervisorTransport

from devstack import binaries, llm, observability
from devstack.config import SERVICES, StackConfig, free_port, service_id
from devstack.envfile import ensure_env_file, read_env_file
from devstack.ports import foreign_listeners, reserve_port
from devstack.postgres import ensure_cluster, running_as_root
from devstack.render import (
    metrics_dir_of,
    render_local_gateway,
    render_supervisord,
    render_valkey,
    replica_program_name,
    write_private,
)


@dataclass
class ServiceHealth:
    service: str
    http_status: int
    status: str
    # The `service` its answer names: another service's name means another server holds the route's port.
    answered_as: str = ""


@dataclass
class ReplicaAnswer:
    """What one replica's own port answered to /health/live."""

    program: str  # as supervisor names it: search:search-1
    service: str
    port: int
    http_status: int
    answered_as: str = ""


class StackError(RuntimeError):
    pass


class LocalStack:
    def __init__(self, config: StackConfig, environ: dict[str, str] | None = None) -> None:
        self.config = config
        # The environment supervisord (and so every service) starts with; None means ours.
        self.environ = environ
        self.env: dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None
        # The replicas' ports, held from the moment they are chosen until supervisord holds them (ports.reserve_port).
        self.reservations: list[socket.socket] = []
        # Set by prepare(): the monitoring programs to supervise, or None.
        self.observed: observability.Observability | None = None

    # -- files -------------------------------------------------------------------------------------------
    @property
    def supervisord_conf(self) -> Path:
        return self.config.state_dir / "supervisord.conf"

    @property
    def ports_file(self) -> Path:
        return self.config.state_dir / "ports.json"

    @property
    def observability_file(self) -> Path:
        """Where Prometheus, its global instance and Alertmanager listen, for `make status` and the tests."""
        return self.config.state_dir / "observability.json"

    @property
    def llm_file(self) -> Path:
        """Where the local model server is, for `make status` (another process than the one that started it)."""
        return self.config.state_dir / "llm.json"

    def check_ports_free(self) -> None:
        """Fail fast, naming the variable to change, when another program holds one of the stack's ports."""
        wanted = {
            "GATEWAY_PUBLIC_PORT": self.config.public_port,
            "GATEWAY_INTERNAL_PORT": self.config.internal_port,
            "POSTGRES_PORT": self.config.postgres_port,
            "VALKEY_PORT": self.config.valkey_port,
        }
        if self.config.observability and observability.find("prometheus"):
            wanted.update({
                "PROMETHEUS_PORT": self.config.prometheus_port,
                "PROMETHEUS_GLOBAL_PORT": self.config.prometheus_global_port,
                "ALERTMANAGER_PORT": self.config.alertmanager_port,
            })  # fmt: skip
            wanted = {variable: port for variable, port in wanted.items() if port}
        for variable, port in wanted.items():
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    raise StackError(f"port {port} is already in use on 127.0.0.1; set {variable} to another port")

    def prepare(self) -> None:
        """Everything that must be true before supervisord starts; safe to repeat."""
        state = self.config.state_dir
        self.check_ports_free()
        for sub in ("logs", "valkey", "nginx/temp", "metrics"):
            (state / sub).mkdir(parents=True, exist_ok=True)
        self.env = ensure_env_file(self.config)
        created = ensure_cluster(self.config, self.env)
        if created:
            print(f"created PostgreSQL cluster in {state / 'postgres'}", flush=True)
        self.release_reservations()
        reserved = {service: [reserve_port() for _ in range(self.config.replicas_of(service))] for service in SERVICES}
        self.reservations = [sock for socks in reserved.values() for sock in socks]
        self.config.replica_ports = {
            service: [sock.getsockname()[1] for sock in socks] for service, socks in reserved.items()
        }
        # No CHAIN_RPC_URL of the developer's own: the stack runs the embedded node and the replicas share it.
        self.config.chain_node_port = None if self.env.get("CHAIN_RPC_URL") else free_port()
        self.ports_file.write_text(json.dumps(self.config.replica_ports, indent=2))
        observability.write_targets(self.config)
        self.prepare_llm()
        self.prepare_observability()
        # Prometheus multiprocess files of an earlier run would be counted again: wipe them at every start.
        shutil.rmtree(state / "metrics", ignore_errors=True)
        for service in SERVICES:
            for index in range(self.config.replicas_of(service)):
                metrics_dir_of(self.config, service, index).mkdir(parents=True)
        access_log = state / "nginx" / "access.log"
        if access_log.exists():
            # One previous run's access log is kept; older ones go, so a laptop's disk does not fill up.
            access_log.replace(access_log.with_suffix(".log.1"))
        if running_as_root():
            # nginx workers run as nobody and need to write their temp files.
            shutil.chown(state / "nginx" / "temp", user="nobody")
        write_private(state / "valkey" / "valkey.conf", render_valkey(self.config, self.env["REDIS_PASSWORD"]))
        # Private: it holds the service key.
        write_private(state / "nginx" / "nginx.conf", render_local_gateway(self.config, self.env["OSOOL_SERVICE_KEY"]))
        self.check_gateway_config()
        programs = []
        if self.observed is not None:
            observability.write_configs(self.config, self.observed, self.env, write_private)
            programs = observability.programs(self.config, self.observed, self.env)
        write_private(self.supervisord_conf, render_supervisord(self.config, programs))

    def prepare_observability(self) -> None:
        """Plan Prometheus, Alertmanager and the exporters when they are installed and wanted; say how to install
        them when they are not."""
        self.observed = None
        self.observability_file.unlink(missing_ok=True)
        if not self.config.observability:
            return
        self.observed = observability.plan(self.config, free_port)
        if self.observed is None:
            print(f"Prometheus and Alertmanager not started (not installed): {observability.INSTALL_HINT}", flush=True)
            return
        self.observability_file.write_text(json.dumps(self.observed.ports))

    def prepare_llm(self) -> None:
        """Supervise the local model server when it is installed and wanted; the agent is told where it is."""
        self.config.llm_port = self.config.llm_model_file = None
        self.llm_file.unlink(missing_ok=True)
        # LOCAL_LLM=off in the environment was read into config.local_llm; in the env file it is read here. A
        # LOCAL_LLM_URL of the developer's own (another server) is used instead of starting ours.
        if not self.config.local_llm or self.env.get("LOCAL_LLM", "").strip().lower() == "off":
            return
        if self.env.get("LOCAL_LLM_URL"):
            return
        local = llm.locate(self.config.python)
        if not local.ready:
            if local.model is not None:
                # The weights are there but the server is not: say so, since the agent silently takes another brain.
                print(f"local model not started: llama_cpp.server does not import in {self.config.python} (make llm)")
            return
        self.config.llm_port = free_port()
        self.config.llm_model_file = local.model
        self.llm_file.write_text(json.dumps({"url": self.config.llm_url, "model": llm.MODEL_ALIAS}))

    def check_gateway_config(self) -> str:
        result = subprocess.run(
            [str(binaries.nginx()), "-t", "-p", str(self.config.state_dir / "nginx"), "-c",
             str(self.config.state_dir / "nginx" / "nginx.conf")],
            capture_output=True, text=True,
        )  # fmt: skip
        if result.returncode != 0:
            raise StackError(f"nginx -t failed:\n{result.stderr}")
        return result.stderr

    # -- processes ---------------------------------------------------------------------------------------
    def is_running(self) -> bool:
        pid_file = self.config.state_dir / "supervisord.pid"
        if not pid_file.exists():
            return False
        try:
            pid = int(pid_file.read_text().strip())
            Path(f"/proc/{pid}").stat()
            return "supervisord" in Path(f"/proc/{pid}/cmdline").read_text()
        except (ValueError, OSError):
            return False

    def start(self, *, foreground: bool) -> None:
        if self.is_running():
            raise StackError(f"a stack is already running from {self.config.state_dir} (make down stops it)")
        self.prepare()
        argv = [str(binaries.supervisord()), "-c", str(self.supervisord_conf)]
        # supervisord inherits the replicas' port reservations and keeps them for as long as the stack runs, so no
        # other program takes a port while its replica starts or restarts (its children do not inherit them:
        # supervisor closes every descriptor above 2 in a child; `supervisorctl reload` would drop them).
        held = [sock.fileno() for sock in self.reservations]
        try:
            if foreground:
                argv.append("-n")
                self.process = subprocess.Popen(argv, env=self.environ, pass_fds=held)
            else:
                subprocess.run(argv, check=True, env=self.environ, pass_fds=held)
        finally:
            self.release_reservations()
        if not foreground:
            # The daemon's parent has exited, after opening the socket (the pid file may not be written yet). In the
            # foreground, the caller wakes supervisord once it has set up its signal handlers (devstack run).
            self.wake()

    def wake(self) -> bool:
        """Have supervisord spawn its programs now (wake_supervisord); True when it answered."""
        process = self.process
        return wake_supervisord(
            self.config.state_dir / "supervisor.sock", alive=lambda: process is None or process.poll() is None
        )

    def release_reservations(self) -> None:
        for sock in self.reservations:
            sock.close()
        self.reservations = []

    def ctl(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(binaries.supervisorctl()), "-c", str(self.supervisord_conf), *args],
            capture_output=True, text=True, check=check,
        )  # fmt: skip

    def stop(self, timeout: float = 60.0) -> None:
        self.release_reservations()
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
            return
        if self.is_running():
            self.ctl("shutdown")
            deadline = time.monotonic() + timeout
            while self.is_running() and time.monotonic() < deadline:
                time.sleep(0.2)

    def program_pid(self, name: str) -> int:
        result = self.ctl("pid", name)
        text = result.stdout.strip()
        if not text.isdigit() or text == "0":
            raise StackError(f"{name} is not running: {text}")
        return int(text)

    def program_pids(self) -> dict[str, int]:
        """The pid of every running program, by supervisor's name (search:search-1), from one status call."""
        lines = self.ctl("status").stdout.splitlines()
        matches = (re.match(r"(\S+)\s+\S+\s+pid (\d+),", line) for line in lines)
        return {match[1]: int(match[2]) for match in matches if match}

    def programs_by_port(self) -> dict[int, str]:
        """Which supervisor program must be the one listening on each of the stack's ports."""
        programs = {
            self.config.public_port: "gateway",
            self.config.internal_port: "gateway",
            self.config.postgres_port: "postgres",
            self.config.valkey_port: "valkey",
        }
        if self.config.chain_node_port:
            programs[self.config.chain_node_port] = "chain-node"
        for service in SERVICES:
            for index, port in enumerate(self.config.replica_ports[service]):
                programs[port] = f"{service}:{replica_program_name(service, index)}"
        return programs

    def foreign_holders(self) -> list[str]:
        """Every port of the stack on which a process other than the program supervisor started for it listens
        (a port taken before the program bound it, or shared with it through SO_REUSEPORT)."""
        pids = self.program_pids()
        problems = []
        for port, program in self.programs_by_port().items():
            others = foreign_listeners(port, pids.get(program))
            if others:
                problems.append(f"port {port} of {program} is held by {', '.join(others)}")
        return problems

    # -- health ------------------------------------------------------------------------------------------
    def service_health(self, service: str, timeout: float = 3.0) -> ServiceHealth:
        url = f"{self.config.internal_url}/{service}/health"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                body = json.loads(response.read())
                return ServiceHealth(service, response.status, body.get("status", "?"), str(body.get("service", "")))
        except urllib.error.HTTPError as exc:
            try:
                status = json.loads(exc.read()).get("status", "?")
            except (ValueError, AttributeError):
                status = "?"
            return ServiceHealth(service, exc.code, status)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return ServiceHealth(service, 0, f"unreachable ({exc})")

    def replica_live(self, service: str, index: int, port: int, timeout: float = 3.0) -> ReplicaAnswer:
        answer = ReplicaAnswer(f"{service}:{replica_program_name(service, index)}", service, port, 0)
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live", timeout=timeout) as response:
                body = json.loads(response.read())
                answer.http_status = response.status
                answer.answered_as = str(body.get("service", "")) if isinstance(body, dict) else ""
        except urllib.error.HTTPError as exc:
            answer.http_status = exc.code
        except (urllib.error.URLError, OSError, ValueError):
            pass
        return answer

    def wait_healthy(self, timeout: float = 120.0) -> list[ServiceHealth]:
        """Up means: every service healthy through the gateway, every replica answering /health/live on its own
        port with its own service name, and every port of the stack held by the program started for it. A server
        answering as another service, or another process on one of the ports, is refused at once: waiting would not
        make it go away, and the stack would route one service's calls to another."""
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise StackError(f"supervisord exited with {self.process.returncode}; see {self.config.state_dir}/logs")
            replicas = [
                self.replica_live(service, index, port)
                for service in SERVICES
                for index, port in enumerate(self.config.replica_ports[service])
            ]
            results = [self.service_health(service) for service in SERVICES]
            for answer in replicas:
                if answer.answered_as and answer.answered_as != answer.service:
                    raise StackError(
                        f"port {answer.port} of {answer.program} answers as {answer.answered_as!r}: another server "
                        "holds it"
                    )
            for result in results:
                if result.answered_as and result.answered_as != result.service:
                    raise StackError(
                        f"{self.config.internal_url}/{result.service}/ answers as {result.answered_as!r}: another "
                        "server holds the gateway's port or one of the service's"
                    )
            if all(r.http_status == 200 for r in results) and all(a.http_status == 200 for a in replicas):
                # A program restarted between the status call and the look at its sockets would seem foreign: only
                # what is still there a moment later counts.
                if self.foreign_holders():
                    time.sleep(1.0)
                    if problems := self.foreign_holders():
                        raise StackError(f"another process listens on the stack's ports: {'; '.join(problems)}")
                return results
            if time.monotonic() > deadline:
                failing = [f"{r.service}={r.http_status}/{r.status}" for r in results if r.http_status != 200]
                failing += [f"{a.program} (port {a.port})={a.http_status}" for a in replicas if a.http_status != 200]
                programs = {a.program.split(":")[-1] for a in replicas if a.http_status != 200} | {"supervisord"}
                raise StackError(
                    f"not healthy after {timeout:g}s: {', '.join(failing)}; see {self.config.state_dir}/logs"
                    + self._log_tails(programs)
                )
            time.sleep(0.5)

    def _log_tails(self, programs: set[str], lines: int = 20) -> str:
        """The last lines of these programs' logs (search-1, supervisord), for an error raised before the stack's
        directory is removed (a test stack's goes with it, and "see the logs" then points nowhere)."""
        tails = []
        for program in sorted(programs):
            log = self.config.state_dir / "logs" / f"{program}.log"
            try:
                text = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            except OSError:
                continue
            tails.append(f"\n--- {log.name} ---\n" + "\n".join(text))
        return "".join(tails)

    def addresses(self) -> str:
        ports = json.loads(self.ports_file.read_text()) if self.ports_file.exists() else {}
        env_file = self.config.env_file
        lines = [
            f"  web client and public API  {self.config.public_url}/",
            f"  internal gateway           {self.config.internal_url}/<service>/...",
            f"  PostgreSQL                 127.0.0.1:{self.config.postgres_port} (DATABASE_URL in {env_file})",
            f"  Valkey                     127.0.0.1:{self.config.valkey_port} (REDIS_URL in {env_file})",
        ]
        for service in SERVICES:
            replica_ports = ", ".join(str(p) for p in ports.get(service, []))
            lines.append(f"  {service:<26} {self.config.internal_url}/{service}/health   replicas on {replica_ports}")
        if self.llm_file.exists():
            served = json.loads(self.llm_file.read_text())
            lines.append(f"  local model (program llm)  {served['url']}   model {served['model']}")
        if self.observability_file.exists():
            ports = json.loads(self.observability_file.read_text())
            lines.append(f"  Prometheus (this host)     http://127.0.0.1:{ports['prometheus']}/")
            lines.append(f"  Prometheus (global)        http://127.0.0.1:{ports['prometheus-global']}/")
            if "alertmanager" in ports:
                lines.append(f"  Alertmanager               http://127.0.0.1:{ports['alertmanager']}/")
        demo_agent = read_env_file(env_file).get("DEMO_AGENT_EMAIL")
        if demo_agent:
            lines.append(f"  demo sales agent           {demo_agent} (DEMO_AGENT_PASSWORD in {env_file})")
        lines.append(f"  logs                       {self.config.state_dir / 'logs'}/")
        return "\n".join(lines)


def wake_supervisord(socket_path: Path, alive: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Start supervisord's programs now rather than a second from now; True when supervisord answered.

    supervisord spawns its programs in the pass of its main loop that follows a poll of its sockets, and that poll
    waits a whole second when nothing happens (supervisor 4 hard-codes the timeout): every start of the stack spent
    that second with both cores idle. A request on its socket is something happening: asked for its state as soon
    as the socket takes connections, it spawns the programs in the same pass as it answers. The socket is there
    before a daemon's parent exits; a foreground supervisord opens it a moment after it starts, hence the retries.
    A supervisord that never answers only loses the second: wait_healthy's own checks report it."""
    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        # A new transport for each try: one whose connection failed refuses every later request.
        transport = SupervisorTransport("", "", f"unix://{socket_path}")
        try:
            xmlrpc.client.ServerProxy("http://localhost", transport=transport).supervisor.getState()
            return True
        except (OSError, http.client.HTTPException, xmlrpc.client.Error):
            time.sleep(0.02)
    return False


def package_of(service: str) -> str:
    return f"osool_{service_id(service)}"
