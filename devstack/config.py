"""What a local stack is made of: ports, replicas, workers and where its files go."""

from __future__ import annotations

import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# Service names as they appear in internal paths, in start order (providers before their callers).
SERVICES: tuple[str, ...] = ("auth", "search", "chat-history", "chain", "monitoring", "agent")

# At least two replicas of one service by default, so load balancing is always exercised.
DEFAULT_REPLICAS = {"search": 2}
DEFAULT_WORKERS = 2


def service_id(name: str) -> str:
    """chat-history -> chat_history (Python package, Postgres schema, nginx upstream, env suffix)."""
    return name.replace("-", "_")


def free_port() -> int:
    """A port free at this moment. Another process may bind it before you do: fine for a server started at once,
    not for a stack's replicas, which start much later and restart (devstack.ports.reserve_port)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class GatewayRates:
    api: str = "50r/s"
    auth: str = "30r/m"
    login: str = "10r/m"
    otp: str = "3r/m"
    bursts: dict[str, int] = field(default_factory=lambda: {"api": 100, "auth": 20, "login": 5, "otp": 2})


# For load tools, fuzzers and benchmarks, whose every request comes from 127.0.0.1: the gateway's per-address limits
# would answer 429 instead of the services (the limits themselves are tested apart).
UNLIMITED_RATES = GatewayRates(
    api="100000r/s", auth="100000r/s", login="100000r/s", otp="100000r/s",
    bursts={"api": 100000, "auth": 100000, "login": 100000, "otp": 100000},
)  # fmt: skip


@dataclass
class StackConfig:
    state_dir: Path
    env_file: Path
    public_port: int = 8080
    internal_port: int = 8081
    postgres_port: int = 5433
    valkey_port: int = 6380
    osool_env: str = "development"
    replicas: dict[str, int] = field(default_factory=dict)
    workers: dict[str, int] = field(default_factory=dict)
    rates: GatewayRates = field(default_factory=GatewayRates)
    python: str = sys.executable
    # Filled in by LocalStack.prepare(): the loopback port of every replica.
    replica_ports: dict[str, list[int]] = field(default_factory=dict)
    # Filled in by LocalStack.prepare() when the env file names no CHAIN_RPC_URL: the port of the embedded
    # Ethereum node (`python -m osool_chain node`) that every chain replica shares.
    chain_node_port: int | None = None
    # Whether to supervise the local model server when `make llm` installed it: the developer's stack does (unless
    # LOCAL_LLM=off), a test stack never does (over 2 GB and two busy cores for tests that do not need it).
    local_llm: bool = False
    # Filled in by LocalStack.prepare() when the local model server starts: its port and the verified model file.
    llm_port: int | None = None
    llm_model_file: Path | None = None
    # Prometheus (per host and global), Alertmanager and the exporters, supervised when installed: the developer's
    # stack runs them (unless PROMETHEUS=off), a test stack only when its test asks. A port of 0 is a free one.
    observability: bool = False
    prometheus_port: int = 0
    prometheus_global_port: int = 0
    alertmanager_port: int = 0
    # Every replica renders its /metrics at each scrape, and the rules run at each evaluation: 30 s costs half of
    # 15 s (bench/monitoring), and the alerts' `for:` durations (30 s and up) still hold.
    scrape_interval: str = "30s"

    @property
    def chain_node_url(self) -> str | None:
        return f"http://127.0.0.1:{self.chain_node_port}" if self.chain_node_port else None

    @property
    def llm_url(self) -> str | None:
        """The OpenAI-compatible base URL the agent's local brain is given (LOCAL_LLM_URL)."""
        return f"http://127.0.0.1:{self.llm_port}/v1" if self.llm_port else None

    def replicas_of(self, service: str) -> int:
        return self.replicas.get(service, DEFAULT_REPLICAS.get(service, 1))

    def workers_of(self, service: str) -> int:
        return self.workers.get(service, DEFAULT_WORKERS)

    @property
    def public_url(self) -> str:
        return f"http://127.0.0.1:{self.public_port}"

    @property
    def internal_url(self) -> str:
        return f"http://127.0.0.1:{self.internal_port}"

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] = os.environ, root: Path = REPO_ROOT) -> StackConfig:
        """The developer's stack: .osool/ and .env in the repository, ports and counts overridable."""

        def number(name: str, default: int) -> int:
            value = environ.get(name, "")
            if not value:
                return default
            if not value.isdigit() or int(value) < 1:
                raise SystemExit(f"{name} must be a positive whole number, not {value!r}")
            return int(value)

        replicas = {s: number(f"REPLICAS_{service_id(s).upper()}", 0) for s in SERVICES}
        workers = {s: number(f"WORKERS_{service_id(s).upper()}", 0) for s in SERVICES}
        return cls(
            state_dir=Path(environ.get("OSOOL_STATE_DIR", root / ".osool")),
            env_file=Path(environ.get("OSOOL_ENV_FILE", root / ".env")),
            public_port=number("GATEWAY_PUBLIC_PORT", 8080),
            internal_port=number("GATEWAY_INTERNAL_PORT", 8081),
            postgres_port=number("POSTGRES_PORT", 5433),
            valkey_port=number("VALKEY_PORT", 6380),
            osool_env=environ.get("OSOOL_ENV", "development"),
            replicas={s: n for s, n in replicas.items() if n},
            workers={s: n for s, n in workers.items() if n},
            local_llm=environ.get("LOCAL_LLM", "").strip().lower() != "off",
            observability=environ.get("PROMETHEUS", "").strip().lower() != "off",
            prometheus_port=number("PROMETHEUS_PORT", 9090),
            prometheus_global_port=number("PROMETHEUS_GLOBAL_PORT", 9091),
            alertmanager_port=number("ALERTMANAGER_PORT", 9093),
        )
