"""Rendered configuration: the nginx gateway (one template, local or compose), Valkey and supervisord."""

from __future__ import annotations

import math
import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from devstack import binaries, llm, observability
from devstack.config import REPO_ROOT, SERVICES, GatewayRates, StackConfig, service_id
from devstack.postgres import OS_USER, running_as_root, server_command

GATEWAY_DIR = REPO_ROOT / "gateway" / "nginx"
ERROR_PAGES = [
    (400, "bad_request", "Bad request"),
    (401, "unauthenticated", "This listener serves Osool services only"),
    (404, "not_found", "No such route"),
    (405, "method_not_allowed", "Method not allowed"),
    (413, "payload_too_large", "Request body too large"),
    (429, "rate_limited", "Too many requests; slow down"),
    (500, "internal_error", "Gateway error"),
    (502, "bad_gateway", "The service is unavailable"),
    (503, "unavailable", "The service is unavailable"),
    (504, "timeout", "The service did not answer in time"),
]


@dataclass(frozen=True)
class GatewayTls:
    """HTTPS on the public listener (its `public_listen`), with HTTP/2; `redirect_listen` answers plain HTTP with a
    redirect to it. `https_port` is the port clients reach HTTPS on (443 is left out of the redirect's URL)."""

    certificate: str
    certificate_key: str
    redirect_listen: str
    https_port: int = 443

    @property
    def port_suffix(self) -> str:
        return "" if self.https_port == 443 else f":{self.https_port}"


def retry_after_seconds(rate: str) -> int:
    """The Retry-After of a 429 from a limit of this rate ("50r/s", "10r/m"): how long until it lets one more request
    through, in whole seconds, at least 1."""
    match = re.fullmatch(r"(\d+)r/([sm])", rate)
    if match is None or int(match[1]) == 0:
        raise ValueError(f"a gateway rate is N r/s or N r/m, N at least 1, not {rate!r}")
    return max(1, math.ceil((1 if match[2] == "s" else 60) / int(match[1])))


def render_gateway(
    *,
    target: str,
    upstreams: dict[str, Sequence[str]],
    public_listen: str,
    internal_listen: str,
    state_dir: str,
    web_root: str,
    rates: GatewayRates,
    worker_processes: str = "auto",
    error_log: str = "stderr",
    access_log: str | None = None,
    temp_dir: str | None = None,
    service_key: str | None = None,
    service_key_include: str | None = None,
    tls: GatewayTls | None = None,
) -> str:
    """The gateway's nginx.conf. The service key is written into it (a private file) or, for an image whose config
    is committed, read from `service_key_include`, a file rendered at container start. With `tls`, the public
    listener speaks HTTPS and HTTP/2, and a second one redirects plain HTTP to it."""
    if service_key is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,}", service_key):
        # An empty or odd key in the map would let callers without one in, or break the config.
        raise ValueError("OSOOL_SERVICE_KEY must be 16 or more URL-safe characters")
    if (service_key is None) == (service_key_include is None):
        raise ValueError("give the service key or the file that defines it, not both")
    # nginx configuration, not HTML: nothing to escape.
    environment = Environment(  # noqa: S701
        loader=FileSystemLoader(str(GATEWAY_DIR)), undefined=StrictUndefined, keep_trailing_newline=True
    )
    template = environment.get_template("nginx.conf.j2")
    return template.render(
        target=target,
        services=[{"name": s, "id": service_id(s), "addresses": upstreams[s]} for s in SERVICES],
        public_listen=public_listen,
        internal_listen=internal_listen,
        pid_path=f"{state_dir}/nginx.pid",
        temp_dir=temp_dir or f"{state_dir}/temp",
        access_log=access_log or f"{state_dir}/access.log",
        error_log=error_log,
        web_root=web_root,
        worker_processes=worker_processes,
        public_body_limit="1m",
        internal_body_limit="50m",
        rates=rates,
        bursts=rates.bursts,
        retry_after={zone: retry_after_seconds(getattr(rates, zone)) for zone in ("api", "auth", "login", "otp")},
        error_pages=ERROR_PAGES,
        service_key=service_key,
        service_key_include=service_key_include,
        tls=tls,
    )


def render_local_gateway(config: StackConfig, service_key: str, *, target: str = "local stack",
                         tls: GatewayTls | None = None) -> str:  # fmt: skip
    """The gateway of a stack on loopback (the local stack's; with `tls`, the native rehearsal's of the compose
    topology, devstack.scale)."""
    return render_gateway(
        target=target,
        upstreams={s: [f"127.0.0.1:{port}" for port in config.replica_ports[s]] for s in SERVICES},
        public_listen=f"127.0.0.1:{config.public_port}",
        internal_listen=f"127.0.0.1:{config.internal_port}",
        state_dir=str(config.state_dir / "nginx"),
        web_root=str(REPO_ROOT / "web"),
        rates=config.rates,
        # One worker proxies far more than the services behind it serve on a laptop; a second one would only
        # take CPU from them (measured with make bench on 2 cores: ~5 points of throughput).
        worker_processes="1",
        error_log="stderr",
        service_key=service_key,
        tls=tls,
    )


COMPOSE_PORT = 8000


# Where docker-compose.scale.yml mounts the certificate (gateway/nginx/ssl/, or the operator's TLS_CERT_DIR).
COMPOSE_TLS = GatewayTls(
    certificate="/etc/nginx/ssl/server.crt", certificate_key="/etc/nginx/ssl/server.key", redirect_listen="8080"
)


def render_compose_gateway() -> str:
    """The gateway of docker-compose.scale.yml: each service name resolves to all of its replicas; HTTPS on 8443
    (published on 443), plain HTTP on 8080 (published on 80) only redirects."""
    return render_gateway(
        target="docker-compose.scale.yml",
        upstreams={s: [f"{s}:{COMPOSE_PORT}"] for s in SERVICES},
        public_listen="8443",
        internal_listen="8081",
        state_dir="/var/run",
        temp_dir="/var/cache/nginx",
        web_root="/usr/share/nginx/html",
        rates=GatewayRates(),
        worker_processes="auto",
        error_log="stderr",
        access_log="/dev/stdout",
        service_key_include="/etc/nginx/conf.d/service-key.conf",
        tls=COMPOSE_TLS,
    )


def render_valkey(config: StackConfig, password: str) -> str:
    data = config.state_dir / "valkey"
    return (
        f"include {REPO_ROOT / 'redis' / 'redis.conf'}\n"
        f"bind 127.0.0.1\nport {config.valkey_port}\ndir {data}\n"
        f'requirepass {password}\nappendfilename osool.aof\ndbfilename osool.rdb\nlogfile ""\n'
    )


def _program(name: str, command: Sequence[str], *, priority: int, log_dir: Path, extra: dict[str, str]) -> str:
    lines = [
        f"[program:{name}]",
        f"command={shlex.join(command)}",
        f"priority={priority}",
        "autostart=true",
        "autorestart=true",
        "redirect_stderr=true",
        f"stdout_logfile={log_dir / (name + '.log')}",
        "stdout_logfile_maxbytes=20MB",
        "stdout_logfile_backups=2",
    ]
    lines += [f"{key}={value}" for key, value in extra.items()]
    return "\n".join(lines) + "\n"


def replica_program_name(service: str, index: int) -> str:
    return f"{service}-{index + 1}"


def render_supervisord(config: StackConfig, monitoring: Sequence[tuple[str, list[str], dict[str, str]]] = ()) -> str:
    """Every program of the stack; `monitoring` adds Prometheus, Alertmanager and the exporters (name, command, env)."""
    state = config.state_dir
    logs = state / "logs"
    nginx_conf = state / "nginx" / "nginx.conf"
    sections = [
        "; Rendered by devstack for this stack. Do not edit.\n"
        "[supervisord]\n"
        f"logfile={logs / 'supervisord.log'}\npidfile={state / 'supervisord.pid'}\n"
        f"childlogdir={logs}\nloglevel=info\n",
        f"[unix_http_server]\nfile={state / 'supervisor.sock'}\nchmod=0700\n",
        f"[supervisorctl]\nserverurl=unix://{state / 'supervisor.sock'}\n",
        "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
    ]
    postgres_extra = {"stopsignal": "INT", "stopwaitsecs": "30", "startsecs": "2"}
    if running_as_root():
        postgres_extra["user"] = OS_USER
    sections.append(_program("postgres", server_command(config), priority=10, log_dir=logs, extra=postgres_extra))
    sections.append(
        _program(
            "valkey",
            [str(binaries.valkey_server()), str(state / "valkey" / "valkey.conf")],
            priority=10,
            log_dir=logs,
            extra={"stopsignal": "TERM", "stopwaitsecs": "10", "startsecs": "1"},
        )
    )
    sections.append(
        _program(
            "gateway",
            [str(binaries.nginx()), "-p", str(state / "nginx"), "-c", str(nginx_conf), "-g", "daemon off;"],
            priority=30,
            log_dir=logs,
            extra={"stopsignal": "QUIT", "stopwaitsecs": "10", "startsecs": "1"},
        )
    )
    if config.chain_node_url:
        # The embedded Ethereum node: one chain for every chain replica (in memory, lost when it restarts).
        node_env = {"OSOOL_ENV_FILE": str(config.env_file), "CHAIN_RPC_URL": config.chain_node_url,
                    "PYTHONUNBUFFERED": "1"}  # fmt: skip
        sections.append(
            _program(
                "chain-node",
                [config.python, "-m", "osool_chain", "node"],
                priority=40,
                log_dir=logs,
                extra={
                    "environment": ",".join(f'{key}="{value}"' for key, value in node_env.items()),
                    "startsecs": "2",
                    "stopsignal": "TERM",
                    "stopwaitsecs": "10",
                    "directory": str(REPO_ROOT),
                },
            )
        )
    if config.llm_port and config.llm_model_file:
        # The local model server (`make llm`): started before the agent, which warms it; a crash or a missing CPU
        # feature only makes the agent fall back to another brain, so the stack's health does not wait for it.
        sections.append(
            _program(
                "llm",
                llm.server_command(config.python, config.llm_model_file, config.llm_port),
                priority=45,
                log_dir=logs,
                extra={
                    "environment": 'PYTHONUNBUFFERED="1"',
                    # Loading the 1.1 GB model takes a few seconds before the port opens.
                    "startsecs": "5",
                    "startretries": "3",
                    "stopsignal": "TERM",
                    "stopwaitsecs": "15",
                    "stopasgroup": "true",
                    "killasgroup": "true",
                    "directory": str(REPO_ROOT),
                },
            )
        )
    for name, command, env in monitoring:
        extra = {"startsecs": "1", "stopsignal": "TERM", "stopwaitsecs": "10"}
        if env:
            # Private like the rest of this file: the exporters' credentials.
            extra["environment"] = ",".join(f'{key}="{value}"' for key, value in env.items())
        sections.append(_program(name, command, priority=20, log_dir=logs, extra=extra))
    for service in SERVICES:
        package = f"osool_{service_id(service)}"
        environment = {
            "OSOOL_ENV_FILE": str(config.env_file),
            "PYTHONUNBUFFERED": "1",
        }
        if service == "chain" and config.chain_node_url:
            environment["CHAIN_RPC_URL"] = config.chain_node_url
        if service == "monitoring":
            # Every replica's /metrics for the RED job, from the file Prometheus reads too.
            environment["MONITORING_TARGETS_FILE"] = str(observability.targets_file(config))
        if service == "agent" and config.llm_url:
            environment["LOCAL_LLM_URL"] = config.llm_url
            environment["LOCAL_LLM_MODEL"] = llm.MODEL_ALIAS
        names = []
        for index, port in enumerate(config.replica_ports[service]):
            # Each replica its own metrics files: a replica's /metrics is that replica's counters, so Prometheus and
            # the RED job sum replicas without counting one twice.
            metrics_dir = {"PROMETHEUS_MULTIPROC_DIR": str(metrics_dir_of(config, service, index))}
            env_line = ",".join(f'{key}="{value}"' for key, value in (environment | metrics_dir).items())
            name = replica_program_name(service, index)
            names.append(name)
            # --reuse-port: the port is reserved for the replica by a socket supervisord holds (devstack.ports).
            command = [
                config.python, "-m", package, "serve",
                "--host", "127.0.0.1", "--port", str(port), "--workers", str(config.workers_of(service)),
                "--reuse-port",
            ]  # fmt: skip
            sections.append(
                _program(
                    name,
                    command,
                    priority=50,
                    log_dir=logs,
                    extra={
                        "environment": env_line,
                        "startsecs": "3",
                        "startretries": "20",
                        "stopsignal": "TERM",
                        "stopwaitsecs": "15",
                        "stopasgroup": "true",
                        "killasgroup": "true",
                        "directory": str(REPO_ROOT),
                    },
                )
            )
        sections.append(f"[group:{service}]\nprograms={','.join(names)}\npriority=50\n")
    return "\n".join(sections)


def metrics_dir_of(config: StackConfig, service: str, index: int) -> Path:
    return config.state_dir / "metrics" / service / str(index + 1)


def write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
