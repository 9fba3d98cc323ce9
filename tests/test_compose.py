"""docker-compose.scale.yml and the Prometheus config it mounts, checked statically (no Docker engine needed)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from devstack.config import REPO_ROOT, SERVICES, service_id

COMPOSE_FILE = REPO_ROOT / "docker-compose.scale.yml"
PROMETHEUS_CONFIG = REPO_ROOT / "infrastructure" / "prometheus" / "prometheus.yml"
INFRASTRUCTURE = (
    "postgres", "redis", "gateway", "prometheus", "prometheus-global", "alertmanager", "postgres-exporter",
    "redis-exporter", "node-exporter",
)  # fmt: skip

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+alt}; `$${` is a literal `${`.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[:?+-]*)(?P<rest>[^}]*)\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def prometheus() -> dict[str, Any]:
    return yaml.safe_load(PROMETHEUS_CONFIG.read_text())


def host_sources(service: dict[str, Any]) -> list[str]:
    """The host side of every bind mount (short `./src:/dst[:ro]` or long `{type: bind, source: ./src}`)."""
    sources = []
    for volume in service.get("volumes", []):
        source = volume.get("source", "") if isinstance(volume, dict) else volume.split(":", 1)[0]
        if source.startswith("./"):
            sources.append(source)
    return sources


def published_container_ports(service: dict[str, Any]) -> set[int]:
    """Container ports a service publishes on the host, whatever the port syntax."""
    ports = set()
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports.add(int(entry["target"]))
        else:
            ports.add(int(str(entry).rsplit(":", 1)[-1].split("/", 1)[0]))
    return ports


def test_compose_file_parses_without_a_version_key(compose: dict[str, Any]) -> None:
    assert isinstance(compose, dict)
    assert "version" not in compose


def test_compose_has_exactly_the_six_services_and_the_infrastructure(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == set(SERVICES) | set(INFRASTRUCTURE)


def test_every_mounted_file_exists_in_the_repo(compose: dict[str, Any]) -> None:
    checked = 0
    for name, service in compose["services"].items():
        for source in host_sources(service):
            assert (REPO_ROOT / source).exists(), f"{name} mounts {source}, which is not in the repo"
            checked += 1
    assert checked >= 6  # postgres (2), redis, gateway (2), prometheus


def test_every_build_context_and_dockerfile_exists(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        build = compose["services"][name]["build"]
        context = REPO_ROOT / build["context"]
        assert context.is_dir(), f"{name}: build context {build['context']} is not a directory"
        assert build["dockerfile"] == "services/Dockerfile" and build["args"] == {"SERVICE": name}
        assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']} does not exist"


def test_each_service_has_replicas_and_production_settings(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        service = compose["services"][name]
        assert service["deploy"]["replicas"] == f"${{REPLICAS_{service_id(name).upper()}:-2}}", name
        environment = service["environment"]
        assert environment["OSOOL_ENV"] == "production", name
        assert environment["DATABASE_URL"].startswith("postgresql://osool:"), name
        assert environment["DATABASE_URL"].endswith("@postgres:5432/osool"), name
        assert environment["REDIS_URL"].startswith("redis://:"), name
        assert environment["REDIS_URL"].endswith("@redis:6379/0"), name
        assert environment["GATEWAY_INTERNAL_URL"] == "http://gateway:8081", name


def test_services_wait_for_healthy_postgres_and_redis(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        depends_on = compose["services"][name]["depends_on"]
        assert depends_on["postgres"]["condition"] == "service_healthy", name
        assert depends_on["redis"]["condition"] == "service_healthy", name
    assert "healthcheck" in compose["services"]["postgres"]
    assert "healthcheck" in compose["services"]["redis"]


def test_no_service_port_is_published(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        assert not compose["services"][name].get("ports"), f"{name} publishes a port; only the gateway may"


def test_no_secret_has_a_default() -> None:
    text = COMPOSE_FILE.read_text()
    secrets = [m for m in INTERPOLATION.finditer(text) if SECRET_NAME.search(m["name"])]
    assert secrets, "no secret interpolation found: the pattern no longer matches the file"
    for match in secrets:
        assert match["modifier"] == ":?" and match["rest"].strip(), f"{match[0]} must be ${{VAR:?message}}"
    sentry = [m for m in INTERPOLATION.finditer(text) if m["name"] == "SENTRY_DSN"]
    assert sentry, "SENTRY_DSN is not passed to the services"
    for match in sentry:
        assert match["modifier"] == ":-" and match["rest"] == "", f"{match[0]} may only default to empty"


def test_secret_pattern_catches_a_default() -> None:
    for bad in ("${POSTGRES_PASSWORD}", "${POSTGRES_PASSWORD:-osool}", "${JWT_SECRET-x}", "${OPENAI_API_KEY:?}"):
        match = INTERPOLATION.search(bad)
        assert match is not None and SECRET_NAME.search(match["name"])
        assert not (match["modifier"] == ":?" and match["rest"].strip()), bad


def test_gateway_publishes_the_public_port_only(compose: dict[str, Any]) -> None:
    gateway = compose["services"]["gateway"]
    assert published_container_ports(gateway) == {8080}
    assert set(gateway["depends_on"]) == set(SERVICES)
    assert "./gateway/nginx/nginx.compose.conf" in host_sources(gateway)


def test_prometheus_is_published_on_loopback_only(compose: dict[str, Any]) -> None:
    assert compose["services"]["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]
    assert "./infrastructure/prometheus/prometheus.yml" in host_sources(compose["services"]["prometheus"])


def test_prometheus_scrapes_every_replica_of_every_service(prometheus: dict[str, Any]) -> None:
    assert prometheus["global"]["scrape_interval"] == "15s"
    assert prometheus["global"]["evaluation_interval"] == "15s"
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    assert set(jobs) == {"prometheus", "osool", "postgres", "valkey", "node"}
    osool = jobs["osool"]
    assert osool.get("metrics_path", "/metrics") == "/metrics"
    # Every replica of every service through Docker's DNS, labelled with its service (the DNS name) and replica.
    [dns] = osool["dns_sd_configs"]
    assert sorted(dns.pop("names")) == sorted(SERVICES)
    assert dns == {"type": "A", "port": 8000}
    relabels = {rule["target_label"]: rule["source_labels"] for rule in osool["relabel_configs"]}
    assert relabels == {"service": ["__meta_dns_name"], "replica": ["__address__"]}
    assert prometheus["rule_files"] == ["rules/recording.yml", "rules/alerts.yml"]
    assert prometheus["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["alertmanager:9093"]


def test_prometheus_mounts_its_rules_next_to_its_config(compose: dict[str, Any]) -> None:
    for name in ("prometheus",):
        volumes = compose["services"][name]["volumes"]
        assert "./infrastructure/prometheus/rules:/etc/prometheus/rules:ro" in volumes, name


def test_monitoring_reads_every_replica_through_compose_dns(compose: dict[str, Any]) -> None:
    """The RED job resolves each service's name to all its replicas and reads their /metrics on the services' port,
    the one Prometheus scrapes."""
    monitoring = compose["services"]["monitoring"]["environment"]
    assert monitoring["MONITORING_TARGETS_DNS_PORT"] == "8000"
    assert monitoring["DATABASE_URL"] == compose["services"]["search"]["environment"]["DATABASE_URL"]
    assert "MONITORING_TARGETS_DNS_PORT" not in compose["services"]["search"]["environment"]
