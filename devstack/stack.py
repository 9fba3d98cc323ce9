"""LocalStack: prepare the state directory, start everything under supervisord, wait until it is healthy, stop."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from devstack import binaries, llm
from devstack.config import SERVICES, StackConfig, free_port, service_id
from devstack.envfile import ensure_env_file
from devstack.postgres import ensure_cluster, running_as_root
from devstack.render import render_local_gateway, render_supervisord, render_valkey, write_private


@dataclass
class ServiceHealth:
    service: str
    http_status: int
    status: str


class StackError(RuntimeError):
    pass


class LocalStack:
    def __init__(self, config: StackConfig, environ: dict[str, str] | None = None) -> None:
        self.config = config
        # The environment supervisord (and so every service) starts with; None means ours.
        self.environ = environ
        self.env: dict[str, str] = {}
        self.process: subprocess.Popen[bytes] | None = None

    # -- files -------------------------------------------------------------------------------------------
    @property
    def supervisord_conf(self) -> Path:
        return self.config.state_dir / "supervisord.conf"

    @property
    def ports_file(self) -> Path:
        return self.config.state_dir / "ports.json"

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
        self.config.replica_ports = {
            service: [free_port() for _ in range(self.config.replicas_of(service))] for service in SERVICES
        }
        # No CHAIN_RPC_URL of the developer's own: the stack runs the embedded node and the replicas share it.
        self.config.chain_node_port = None if self.env.get("CHAIN_RPC_URL") else free_port()
        self.ports_file.write_text(json.dumps(self.config.replica_ports, indent=2))
        self.prepare_llm()
        # Prometheus multiprocess files of an earlier run would be counted again: wipe them at every start.
        shutil.rmtree(state / "metrics", ignore_errors=True)
        for service in SERVICES:
            (state / "metrics" / service).mkdir(parents=True)
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
        write_private(self.supervisord_conf, render_supervisord(self.config))

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
        if foreground:
            argv.append("-n")
            self.process = subprocess.Popen(argv, env=self.environ)
        else:
            subprocess.run(argv, check=True, env=self.environ)

    def ctl(self, *args: str, check: bool = False) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(binaries.supervisorctl()), "-c", str(self.supervisord_conf), *args],
            capture_output=True, text=True, check=check,
        )  # fmt: skip

    def stop(self, timeout: float = 60.0) -> None:
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

    # -- health ------------------------------------------------------------------------------------------
    def service_health(self, service: str, timeout: float = 3.0) -> ServiceHealth:
        url = f"{self.config.internal_url}/{service}/health"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                body = json.loads(response.read())
                return ServiceHealth(service, response.status, body.get("status", "?"))
        except urllib.error.HTTPError as exc:
            try:
                status = json.loads(exc.read()).get("status", "?")
            except (ValueError, AttributeError):
                status = "?"
            return ServiceHealth(service, exc.code, status)
        except (urllib.error.URLError, OSError, ValueError) as exc:
            return ServiceHealth(service, 0, f"unreachable ({exc})")

    def wait_healthy(self, timeout: float = 120.0) -> list[ServiceHealth]:
        deadline = time.monotonic() + timeout
        while True:
            if self.process is not None and self.process.poll() is not None:
                raise StackError(f"supervisord exited with {self.process.returncode}; see {self.config.state_dir}/logs")
            results = [self.service_health(service) for service in SERVICES]
            if all(result.http_status == 200 for result in results):
                return results
            if time.monotonic() > deadline:
                failing = ", ".join(f"{r.service}={r.http_status}/{r.status}" for r in results if r.http_status != 200)
                raise StackError(f"not healthy after {timeout:g}s: {failing}; see {self.config.state_dir}/logs")
            time.sleep(0.5)

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
        lines.append(f"  logs                       {self.config.state_dir / 'logs'}/")
        return "\n".join(lines)


def package_of(service: str) -> str:
    return f"osool_{service_id(service)}"
