"""The local stack's Prometheus (per host and global), Alertmanager and exporters: their binaries, their configs
rendered from infrastructure/ (the same rules, federation and routes as the compose deployment) and their programs."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from devstack.config import REPO_ROOT, SERVICES, StackConfig

PROMETHEUS_DIR = REPO_ROOT / "infrastructure" / "prometheus"
ALERTMANAGER_CONFIG = REPO_ROOT / "infrastructure" / "alertmanager" / "alertmanager.yml"
# What the rules and dashboards read from the exporter's settings and database collectors, for less (see the file).
POSTGRES_EXPORTER_QUERIES = PROMETHEUS_DIR / "postgres-exporter-queries.yml"
INSTALL_HINT = "apt-get install prometheus prometheus-alertmanager prometheus-postgres-exporter " \
    "prometheus-redis-exporter prometheus-node-exporter"  # fmt: skip

# Debian names them prometheus-<name>; upstream tarballs <name>. The first found wins.
_NAMES = {
    "prometheus": ("prometheus",),
    "alertmanager": ("prometheus-alertmanager", "alertmanager"),
    "postgres-exporter": ("prometheus-postgres-exporter", "postgres_exporter"),
    "redis-exporter": ("prometheus-redis-exporter", "redis_exporter"),
    "node-exporter": ("prometheus-node-exporter", "node_exporter"),
}
# The exporters' scrape jobs, as infrastructure/prometheus/prometheus.yml names them.
EXPORTER_JOBS = {"postgres-exporter": "postgres", "redis-exporter": "valkey", "node-exporter": "node"}
# The environment of every observability program (see programs()).
GO_ENV = {"GOMAXPROCS": "1"}
# How often Prometheus re-reads the targets file besides its inotify events (render_prometheus).
TARGETS_REFRESH = "5m"
NODE_COLLECTORS = ("--collector.disable-defaults", "--collector.filesystem", "--collector.cpu", "--collector.meminfo",
                   "--collector.loadavg")  # fmt: skip


def find(program: str) -> str | None:
    return next((path for name in _NAMES[program] if (path := shutil.which(name))), None)


@dataclass
class Observability:
    """What prepare() decided: the binaries found and the loopback port of each program."""

    binaries: dict[str, str]
    ports: dict[str, int]

    @property
    def prometheus_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['prometheus']}"

    @property
    def global_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['prometheus-global']}"

    @property
    def alertmanager_url(self) -> str | None:
        return f"http://127.0.0.1:{self.ports['alertmanager']}" if "alertmanager" in self.ports else None


def plan(config: StackConfig, free_port: Callable[[], int]) -> Observability | None:
    """None when Prometheus is not installed (the stack runs without it and says how to install it)."""
    binaries = {name: path for name in _NAMES if (path := find(name))}
    if "prometheus" not in binaries:
        return None
    ports = {"prometheus": config.prometheus_port or free_port(), "prometheus-global": config.prometheus_global_port
             or free_port()}  # fmt: skip
    if "alertmanager" in binaries:
        ports["alertmanager"] = config.alertmanager_port or free_port()
    for exporter in EXPORTER_JOBS:
        if exporter in binaries:
            ports[exporter] = free_port()
    return Observability(binaries, ports)


def _state(config: StackConfig) -> Path:
    return config.state_dir / "observability"


def targets_file(config: StackConfig) -> Path:
    """Every replica's address with its service and replica labels: Prometheus's file_sd and the monitoring
    service's RED job read it (written at every start, with or without Prometheus)."""
    return _state(config) / "targets.json"


def write_targets(config: StackConfig) -> None:
    replace_file(targets_file(config), render_targets(config))


def replace_file(path: Path, text: str) -> None:
    """The file's new text in one rename: Prometheus's file_sd (on its inotify event) and the RED job never read it
    half-written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    staged.write_text(text)
    os.replace(staged, path)


def render_targets(config: StackConfig) -> str:
    """The file_sd targets of the per-host Prometheus: every replica of every service, by service and replica."""
    groups = [
        {"targets": [f"127.0.0.1:{port}"], "labels": {"service": service, "replica": str(index + 1)}}
        for service in SERVICES
        for index, port in enumerate(config.replica_ports[service])
    ]
    return json.dumps(groups, indent=2)


def render_prometheus(config: StackConfig, plan: Observability) -> str:
    """infrastructure/prometheus/prometheus.yml with this stack's addresses: the replicas from the targets file the
    launcher writes, the exporters on their loopback ports, the rules from the repository."""
    base: dict[str, Any] = yaml.safe_load((PROMETHEUS_DIR / "prometheus.yml").read_text())
    base["global"].update(scrape_interval=config.scrape_interval, evaluation_interval=config.scrape_interval)
    base["global"]["external_labels"] = {"stack": "osool-local", "host": socket.gethostname()}
    base["rule_files"] = [str(PROMETHEUS_DIR / rule) for rule in base["rule_files"]]
    if plan.alertmanager_url:
        base["alerting"]["alertmanagers"] = [{"static_configs": [{"targets": [plan.alertmanager_url[7:]]}]}]
    else:
        del base["alerting"]
    jobs = []
    exporter_of_job = {job: exporter for exporter, job in EXPORTER_JOBS.items()}
    for job in base["scrape_configs"]:
        name = job["job_name"]
        if name == "osool":
            # The replicas' ports change at every start: a file the launcher rewrites, labels included. Prometheus
            # watches it (inotify) and reads a new one at once; the refresh is the fallback, at its default. At 5 s
            # it re-read the file and re-synced every target twelve times a minute for nothing (its
            # prometheus_target_sync_length_seconds_count), CPU that counted against monitoring (bench/monitoring).
            del job["dns_sd_configs"], job["relabel_configs"]
            job["file_sd_configs"] = [{"files": [str(targets_file(config))], "refresh_interval": TARGETS_REFRESH}]
        elif name in exporter_of_job:
            exporter = exporter_of_job[name]
            if exporter not in plan.ports:
                continue
            job["static_configs"] = [{"targets": [f"127.0.0.1:{plan.ports[exporter]}"]}]
        jobs.append(job)
    base["scrape_configs"] = jobs
    return "# Rendered by devstack from infrastructure/prometheus/prometheus.yml. Do not edit.\n" + yaml.safe_dump(
        base, sort_keys=False
    )


def twice(interval: str) -> str:
    """A Prometheus duration of one unit, doubled: 30s -> 60s."""
    match = re.fullmatch(r"(\d+)(ms|s|m|h)", interval)
    if not match:
        raise ValueError(f"not a duration of one unit: {interval!r}")
    return f"{int(match[1]) * 2}{match[2]}"


def render_global(config: StackConfig, plan: Observability) -> str:
    """infrastructure/prometheus/global.yml federating this host's Prometheus and scraping its own metrics."""
    base: dict[str, Any] = yaml.safe_load((PROMETHEUS_DIR / "global.yml").read_text())
    # As in the compose file: twice the per-host interval (global.yml says why).
    federation = twice(config.scrape_interval)
    base["global"].update(scrape_interval=federation, evaluation_interval=federation)
    base["global"]["external_labels"] = {"stack": "osool-local", "tier": "global"}
    for job in base["scrape_configs"]:
        job["static_configs"] = [{"targets": [plan.prometheus_url[7:]]}]
    return "# Rendered by devstack from infrastructure/prometheus/global.yml. Do not edit.\n" + yaml.safe_dump(
        base, sort_keys=False
    )


def render_alertmanager(config: StackConfig) -> str:
    """infrastructure/alertmanager/alertmanager.yml sending to this stack's internal gateway, with the service key
    read from a private file."""
    base: dict[str, Any] = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    for receiver in base["receivers"]:
        for webhook in receiver.get("webhook_configs", []):
            webhook["url"] = webhook["url"].replace("http://gateway:8081", config.internal_url)
            webhook["http_config"]["authorization"]["credentials_file"] = str(_state(config) / "service-key")
    return "# Rendered by devstack from infrastructure/alertmanager/alertmanager.yml. Do not edit.\n" + yaml.safe_dump(
        base, sort_keys=False
    )


def write_configs(config: StackConfig, plan: Observability, env: dict[str, str], write_private: Any) -> None:
    state = _state(config)
    for sub in ("prometheus-data", "prometheus-global-data", "alertmanager-data"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    write_targets(config)
    (state / "prometheus.yml").write_text(render_prometheus(config, plan))
    (state / "global.yml").write_text(render_global(config, plan))
    if plan.alertmanager_url:
        write_private(state / "service-key", env["OSOOL_SERVICE_KEY"])
        (state / "alertmanager.yml").write_text(render_alertmanager(config))


def programs(
    config: StackConfig, plan: Observability, env: dict[str, str]
) -> list[tuple[str, list[str], dict[str, str]]]:
    """(name, command, environment) of each program to supervise. Every one of them is a Go program, run with
    GOMAXPROCS=1 (GO_ENV): on a laptop's few cores the runtime's garbage collector and idle workers spinning across
    them cost Prometheus a fifth more CPU at rest (1.57 millicores against 1.27, side by side on one stack) for
    nothing a single developer's stack needs."""
    state = _state(config)
    binaries, ports = plan.binaries, plan.ports
    listed: list[tuple[str, list[str], dict[str, str]]] = []
    for name, conf, data in (("prometheus", "prometheus.yml", "prometheus-data"),
                             ("prometheus-global", "global.yml", "prometheus-global-data")):  # fmt: skip
        listed.append((name, [
            binaries["prometheus"], f"--config.file={state / conf}", f"--storage.tsdb.path={state / data}",
            f"--web.listen-address=127.0.0.1:{ports[name]}", "--storage.tsdb.retention.time=15d",
        ], dict(GO_ENV)))  # fmt: skip
    if "alertmanager" in ports:
        listed.append(("alertmanager", [
            binaries["alertmanager"], f"--config.file={state / 'alertmanager.yml'}",
            f"--storage.path={state / 'alertmanager-data'}", f"--web.listen-address=127.0.0.1:{ports['alertmanager']}",
            "--cluster.listen-address=",  # one instance: no gossip port
        ], dict(GO_ENV)))  # fmt: skip
    if "postgres-exporter" in ports:
        listed.append(("postgres-exporter", [
            binaries["postgres-exporter"], f"--web.listen-address=127.0.0.1:{ports['postgres-exporter']}",
            "--disable-settings-metrics", "--no-collector.database", f"--extend.query-path={POSTGRES_EXPORTER_QUERIES}",
        ], {"DATA_SOURCE_NAME": env["DATABASE_URL"] + "?sslmode=disable", **GO_ENV}))  # fmt: skip
    if "redis-exporter" in ports:
        listed.append(("redis-exporter", [
            binaries["redis-exporter"], f"-redis.addr=redis://127.0.0.1:{config.valkey_port}",
            f"-web.listen-address=127.0.0.1:{ports['redis-exporter']}",
        ], {"REDIS_PASSWORD": env["REDIS_PASSWORD"], **GO_ENV}))  # fmt: skip
    if "node-exporter" in ports:
        # The host's disks (DiskSpaceLow), CPU, memory and load; the thirty-odd other default collectors (network
        # classes, hardware sensors, ...) are read by no rule or dashboard and were most of its CPU.
        listed.append(("node-exporter", [
            binaries["node-exporter"], f"--web.listen-address=127.0.0.1:{ports['node-exporter']}",
            *NODE_COLLECTORS,
        ], dict(GO_ENV)))  # fmt: skip
    return listed
