"""docker-compose.scale.yml and the Prometheus config it mounts, checked offline (no Docker engine needed): Debian's
docker-compose resolves and validates it, the compose specification's JSON schema (the one check-jsonschema vendors)
accepts it, every file it mounts or builds from exists, and it has what the deployment needs: replicas, limits,
health checks and read-only roots everywhere, secrets without defaults, HTTPS on 443 with 80 redirecting, two
PostgreSQL replicas, three Sentinels, Prometheus on every replica, Grafana provisioned, nightly backups."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.config import REPO_ROOT, SERVICES, service_id

COMPOSE_FILE = REPO_ROOT / "docker-compose.scale.yml"
PROMETHEUS_CONFIG = REPO_ROOT / "infrastructure" / "prometheus" / "prometheus.yml"
GATEWAY_CONFIG = REPO_ROOT / "gateway" / "nginx" / "nginx.compose.conf"
POSTGRES_REPLICAS = ("postgres-replica-1", "postgres-replica-2")
SENTINELS = ("sentinel-1", "sentinel-2", "sentinel-3")
INFRASTRUCTURE = (
    "postgres", *POSTGRES_REPLICAS, "backup", "redis", "redis-replica", *SENTINELS, "gateway", "prometheus",
    "prometheus-global", "alertmanager", "grafana", "postgres-exporter", "redis-exporter", "node-exporter",
)  # fmt: skip
# The services that read through replicas (osool_common.replicas): search and chat-history.
READS_FROM_REPLICAS = ("search", "chat-history")
# Containers without a health check, and why: nothing else may lack one.
NO_HEALTHCHECK = {"redis-exporter": "the image is the exporter's binary alone: no shell or client to run a check"}

# ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+alt}; `$${` is a literal `${`.
INTERPOLATION = re.compile(r"(?<!\$)\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P<modifier>[:?+-]*)(?P<rest>[^}]*)\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|KEY|TOKEN")
# Integrations that stay off unless configured: they may default to empty, and to nothing else.
OPTIONAL_SECRETS = {"SENTRY_DSN", "OPENAI_API_KEY"}


def required_variables() -> dict[str, str]:
    """A value for every ${VAR:?} of the file: what an operator must set."""
    names = {m["name"] for m in INTERPOLATION.finditer(COMPOSE_FILE.read_text()) if m["modifier"] == ":?"}
    return {name: f"{name.lower().replace('_', '-')}-0123456789abcdef" for name in names}


def docker_compose(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Debian's docker-compose on the file, with `env` only: an empty --env-file, so the repository's .env (the local
    stack's secrets) stays out of it."""
    executable = shutil.which("docker-compose")
    if executable is None:
        pytest.skip("docker-compose is not installed (.ci/run installs Debian's)")
    empty = tmp_path / "empty.env"
    empty.write_text("")
    return subprocess.run(
        [executable, "--env-file", str(empty), "-f", str(COMPOSE_FILE), "-p", "osool", *args],
        env={"PATH": os.environ["PATH"], **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def resolved(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The file as docker-compose resolves it (anchors merged, variables filled in with the defaults)."""
    result = docker_compose(tmp_path_factory.mktemp("compose"), required_variables(), "config")
    assert result.returncode == 0, result.stderr
    return yaml.safe_load(result.stdout)


@pytest.fixture(scope="module")
def prometheus() -> dict[str, Any]:
    return yaml.safe_load(PROMETHEUS_CONFIG.read_text())


def host_sources(service: dict[str, Any]) -> list[str]:
    """The host side of every bind mount from the repository (short `./src:/dst[:ro]` or long `{source: ./src}`),
    with `${VAR:-./default}` read as its default."""
    sources = []
    for volume in service.get("volumes", []):
        source = volume.get("source", "") if isinstance(volume, dict) else volume
        default = re.fullmatch(r"\$\{[A-Z_]+:-([^}]+)\}(:.*)?", source)
        source = default.group(1) if default else source.split(":", 1)[0]
        if source.startswith("./"):
            sources.append(source)
    return sources


def mounts(service: dict[str, Any]) -> list[dict[str, Any]]:
    """Every mount of a resolved service as {source, target, read_only, named}: docker-compose 1.29 writes them as
    `source:target[:mode]` strings (a named volume's source has no slash), later versions as mappings."""
    found = []
    for volume in service.get("volumes", []):
        if isinstance(volume, dict):
            source, target = volume.get("source", ""), volume["target"]
            read_only, named = bool(volume.get("read_only")), volume.get("type") == "volume"
        else:
            source, target, *mode = volume.split(":")
            read_only, named = "ro" in ",".join(mode).split(","), "/" not in source
        found.append({"source": source, "target": target, "read_only": read_only, "named": named})
    return found


def published_ports(service: dict[str, Any]) -> dict[int, int]:
    """Published host port -> container port, whatever the port syntax."""
    ports = {}
    for entry in service.get("ports", []):
        if isinstance(entry, dict):
            ports[int(entry["published"])] = int(entry["target"])
        else:
            *host, container = str(entry).split(":")
            ports[int(host[-1])] = int(container.split("/", 1)[0])
    return ports


# -- the file is valid ----------------------------------------------------------------------------------------------
def test_docker_compose_accepts_the_file(tmp_path: Path) -> None:
    result = docker_compose(tmp_path, required_variables(), "config", "-q")
    assert result.returncode == 0, result.stderr


def test_a_missing_secret_stops_docker_compose_naming_it(tmp_path: Path) -> None:
    variables = required_variables()
    for missing in ("POSTGRES_PASSWORD", "REPLICATION_PASSWORD", "REDIS_SENTINEL_PASSWORD", "GRAFANA_ADMIN_PASSWORD"):
        result = docker_compose(tmp_path, {k: v for k, v in variables.items() if k != missing}, "config", "-q")
        assert result.returncode != 0, f"docker-compose accepted the file without {missing}"
        assert f"set {missing}" in result.stderr


def test_the_compose_specification_schema_accepts_the_file() -> None:
    """The compose specification's JSON schema as check-jsonschema (pinned in requirements-dev.txt) vendors it."""
    check = Path(sys.executable).parent / "check-jsonschema"
    result = subprocess.run(
        [str(check), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_file_has_no_version_and_no_name(compose: dict[str, Any]) -> None:
    # `version` is obsolete; a top-level `name` is refused by Debian's docker-compose 1.29: the project is `-p osool`.
    assert "version" not in compose and "name" not in compose
    assert "-p osool" in COMPOSE_FILE.read_text()


def test_compose_has_the_six_services_and_the_infrastructure(compose: dict[str, Any]) -> None:
    assert set(compose["services"]) == set(SERVICES) | set(INFRASTRUCTURE)


def test_every_mounted_file_exists_in_the_repo(compose: dict[str, Any]) -> None:
    checked = 0
    for name, service in compose["services"].items():
        for source in host_sources(service):
            assert (REPO_ROOT / source).exists(), f"{name} mounts {source}, which is not in the repo"
            checked += 1
    assert checked >= 25


def test_every_build_context_and_dockerfile_exists(compose: dict[str, Any]) -> None:
    built = {name: service["build"] for name, service in compose["services"].items() if "build" in service}
    assert set(built) == set(SERVICES) | {"gateway"}
    for name, build in built.items():
        context = REPO_ROOT / build["context"]
        assert context.is_dir(), f"{name}: build context {build['context']} is not a directory"
        assert (context / build["dockerfile"]).is_file(), f"{name}: {build['dockerfile']} does not exist"
    for name in SERVICES:
        assert built[name]["dockerfile"] == "services/Dockerfile" and built[name]["args"] == {"SERVICE": name}
        assert compose["services"][name]["image"] == f"osool-{name}"
    # Files a Dockerfile copies: the kit and each service's folder.
    for name in SERVICES:
        assert (REPO_ROOT / "services" / name / "pyproject.toml").is_file()


# -- every container ------------------------------------------------------------------------------------------------
def test_every_container_has_replicas_limits_a_health_check_and_a_read_only_root(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        deploy = service.get("deploy", {})
        assert deploy.get("replicas", 0) >= 1, f"{name} has no deploy.replicas"
        limits = deploy.get("resources", {}).get("limits", {})
        assert limits.get("cpus") and limits.get("memory"), f"{name} has no CPU and memory limits"
        assert service.get("read_only") is True, f"{name} has a writable root file system"
        healthcheck = service.get("healthcheck", {})
        if name in NO_HEALTHCHECK:
            assert healthcheck.get("disable") is True or healthcheck.get("test") == ["NONE"]
        else:
            test = healthcheck.get("test")
            assert test and test != ["NONE"] and not healthcheck.get("disable"), f"{name} has no health check"


def test_each_service_has_replicas_and_production_settings(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        service = compose["services"][name]
        assert service["deploy"]["replicas"] == f"${{REPLICAS_{service_id(name).upper()}:-2}}", name
    for name in SERVICES:
        environment = {**compose["services"][name]["environment"]}
        assert environment["OSOOL_ENV"] == "production", name
        assert environment["DATABASE_URL"].startswith("postgresql://osool:"), name
        assert environment["DATABASE_URL"].endswith("@postgres:5432/osool"), name
        assert environment["REDIS_URL"].startswith("redis://:"), name
        assert environment["REDIS_URL"].endswith("@redis:6379/0"), name
        assert environment["GATEWAY_INTERNAL_URL"] == "http://gateway:8081", name


def test_services_run_from_tmpfs_with_the_image_health_check(resolved: dict[str, Any]) -> None:
    for name in SERVICES:
        service = resolved["services"][name]
        assert any(mount.startswith("/tmp") for mount in service["tmpfs"]), name
        assert "http://127.0.0.1:8000/health/live" in " ".join(service["healthcheck"]["test"]), name


def test_services_wait_for_healthy_postgres_redis_and_sentinels(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        depends_on = compose["services"][name]["depends_on"]
        for dependency in ("postgres", "redis", *SENTINELS):
            assert depends_on[dependency]["condition"] == "service_healthy", (name, dependency)


def test_no_service_port_is_published(compose: dict[str, Any]) -> None:
    for name in SERVICES:
        assert not compose["services"][name].get("ports"), f"{name} publishes a port; only the gateway may"
    for name in ("postgres", *POSTGRES_REPLICAS, "redis", "redis-replica", *SENTINELS, "backup"):
        assert not compose["services"][name].get("ports"), f"{name} publishes a port"


# -- secrets ----------------------------------------------------------------------------------------------------------
def test_no_secret_has_a_default() -> None:
    text = COMPOSE_FILE.read_text()
    secrets = [m for m in INTERPOLATION.finditer(text) if SECRET_NAME.search(m["name"])]
    assert secrets, "no secret interpolation found: the pattern no longer matches the file"
    for match in secrets:
        if match["name"] in OPTIONAL_SECRETS:
            assert match["modifier"] == ":-" and match["rest"] == "", f"{match[0]} may only default to empty"
        else:
            assert match["modifier"] == ":?" and match["rest"].strip(), f"{match[0]} must be ${{VAR:?message}}"
    for name in OPTIONAL_SECRETS:
        assert f"${{{name}:-}}" in text, f"{name} is not passed on"


def test_secret_pattern_catches_a_default() -> None:
    for bad in ("${POSTGRES_PASSWORD}", "${POSTGRES_PASSWORD:-osool}", "${JWT_SECRET-x}", "${OPENAI_API_KEY:?}"):
        match = INTERPOLATION.search(bad)
        assert match is not None and SECRET_NAME.search(match["name"])
        assert not (match["modifier"] == ":?" and match["rest"].strip()), bad


def test_every_secret_the_file_requires_is_a_variable_an_operator_sets() -> None:
    assert set(required_variables()) == {
        "POSTGRES_PASSWORD", "REPLICATION_PASSWORD", "REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD", "OSOOL_SERVICE_KEY",
        "GRAFANA_ADMIN_PASSWORD", "AUTH_JWT_KEYS", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER",
        "SENDGRID_API_KEY", "SENDGRID_FROM_EMAIL", "CHAIN_RPC_URL", "CHAIN_PRIVATE_KEY",
    }  # fmt: skip


# -- the gateway --------------------------------------------------------------------------------------------------
def test_gateway_publishes_https_on_443_and_redirects_80(compose: dict[str, Any]) -> None:
    gateway = compose["services"]["gateway"]
    assert published_ports(gateway) == {443: 8443, 80: 8080}
    assert set(gateway["depends_on"]) == set(SERVICES)
    assert "./gateway/nginx/nginx.compose.conf" in host_sources(gateway)
    assert "${TLS_CERT_DIR:-./gateway/nginx/ssl}:/etc/nginx/ssl:ro" in gateway["volumes"]
    config = GATEWAY_CONFIG.read_text()
    assert "listen 8443 ssl;" in config and "http2 on;" in config
    assert re.search(r"listen 8080;.*?return 301 https://\$host\$request_uri;", config, re.DOTALL)
    assert 'Strict-Transport-Security "max-age=31536000; includeSubDomains" always' in config
    # Its writable paths are memory (the rendered key map, nginx's temp files and pid).
    assert {mount.split(":")[0] for mount in gateway["tmpfs"]} >= {"/etc/nginx/conf.d", "/var/cache/nginx", "/var/run"}


# -- PostgreSQL: a primary and two streaming replicas ---------------------------------------------------------------
def test_postgres_primary_reads_the_repository_config_and_makes_the_replication_role(compose: dict[str, Any]) -> None:
    postgres = compose["services"]["postgres"]
    assert "-c config_file=/etc/postgresql/postgresql.conf" in postgres["command"]
    assert "-c hba_file=/etc/postgresql/pg_hba.conf" in postgres["command"]
    volumes = postgres["volumes"]
    assert "./database/pg_hba.conf:/etc/postgresql/pg_hba.conf:ro" in volumes
    assert "./database/create-replication-role.sh:/docker-entrypoint-initdb.d/replication-role.sh:ro" in volumes
    assert (REPO_ROOT / "database" / "create-replication-role.sh").stat().st_mode & 0o111, "initdb.d runs it if +x"


def test_two_postgres_replicas_clone_the_primary_each_through_its_own_slot(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    slots, volumes = set(), set()
    for name in POSTGRES_REPLICAS:
        replica = services[name]
        assert replica["entrypoint"] == ["/bin/sh", "/osool/init-replication.sh"]
        assert replica["command"][0] == "postgres" and "hba_file=/etc/postgresql/pg_hba.conf" in replica["command"]
        environment = replica["environment"]
        assert environment["PRIMARY_HOST"] == "postgres" and environment["REPLICATION_USER"] == "replicator"
        slots.add(environment["REPLICATION_SLOT"])
        assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
        [data] = [mount for mount in mounts(replica) if mount["named"]]
        assert Path(environment["PGDATA"]).is_relative_to(data["target"])
        volumes.add(data["source"])
        assert replica["user"] == "postgres"
    assert len(slots) == len(volumes) == 2
    for name in SERVICES:
        urls = services[name]["environment"].get("DATABASE_REPLICA_URLS")
        if name in READS_FROM_REPLICAS:
            hosts = re.findall(r"@([\w-]+):5432/osool", urls)
            assert hosts == list(POSTGRES_REPLICAS), name
        else:
            assert urls is None, f"{name} does not read through replicas; it would only hold their connections"


def test_replication_role_in_pg_hba_matches_the_compose_user() -> None:
    rules = [line.split() for line in (REPO_ROOT / "database" / "pg_hba.conf").read_text().splitlines()]
    rules = [rule for rule in rules if rule and not rule[0].startswith("#")]
    assert ["host", "replication", "replicator", "samenet", "scram-sha-256"] in rules
    assert {rule[-1] for rule in rules} == {"scram-sha-256"}


# -- Valkey: a primary, a replica, three Sentinels ------------------------------------------------------------------
def test_three_sentinels_watch_the_primary_with_their_own_writable_config(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    volumes = set()
    for name in SENTINELS:
        sentinel = services[name]
        assert sentinel["entrypoint"] == ["/bin/sh", "/osool/start-sentinel.sh"]
        environment = sentinel["environment"]
        assert environment["REDIS_MASTER_HOST"] == "redis" and environment["REDIS_SENTINEL_MASTER"] == "osool"
        assert environment["SENTINEL_ANNOUNCE_HOST"] == name and environment["REDIS_SENTINEL_QUORUM"] == "2"
        # The template read-only, the Sentinel's own copy (which it rewrites) in a volume of its own.
        [template] = [mount for mount in mounts(sentinel) if mount["target"] == environment["SENTINEL_TEMPLATE"]]
        assert template["read_only"] and template["source"].endswith("/redis/sentinel.conf")
        [data] = [mount for mount in mounts(sentinel) if mount["named"]]
        assert Path(environment["SENTINEL_CONFIG"]).parent == Path(data["target"])
        volumes.add(data["source"])
    assert len(volumes) == 3
    replica = services["redis-replica"]["command"]
    assert replica[replica.index("--replicaof") + 1 :][:2] == ["redis", "6379"]
    for name in SERVICES:
        environment = services[name]["environment"]
        assert environment["REDIS_SENTINELS"] == ",".join(f"{s}:26379" for s in SENTINELS), name
        assert environment["REDIS_SENTINEL_MASTER"] == "osool", name


# -- monitoring -------------------------------------------------------------------------------------------------------
def test_prometheus_is_published_on_loopback_only(compose: dict[str, Any]) -> None:
    assert compose["services"]["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]
    assert "./infrastructure/prometheus/prometheus.yml" in host_sources(compose["services"]["prometheus"])
    for name in ("prometheus-global", "alertmanager", "grafana"):
        assert all(port.startswith("127.0.0.1:") for port in compose["services"][name]["ports"]), name


def test_prometheus_scrapes_every_replica_of_every_service(prometheus: dict[str, Any]) -> None:
    assert prometheus["global"]["scrape_interval"] == "30s"
    assert prometheus["global"]["evaluation_interval"] == "30s"
    jobs = {job["job_name"]: job for job in prometheus["scrape_configs"]}
    # Not itself: the global Prometheus scrapes it (global.yml).
    assert set(jobs) == {"osool", "postgres", "valkey", "node"}
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


def test_prometheus_targets_are_compose_services(compose: dict[str, Any], prometheus: dict[str, Any]) -> None:
    for job in prometheus["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host = target.rsplit(":", 1)[0]
                assert host == "localhost" or host in compose["services"], f"{job['job_name']}: {target}"


def test_prometheus_mounts_its_rules_next_to_its_config(compose: dict[str, Any]) -> None:
    volumes = compose["services"]["prometheus"]["volumes"]
    assert "./infrastructure/prometheus/rules:/etc/prometheus/rules:ro" in volumes


def test_grafana_is_provisioned_with_the_dashboards_from_the_global_prometheus(compose: dict[str, Any]) -> None:
    grafana = compose["services"]["grafana"]
    provisioning = REPO_ROOT / "infrastructure" / "grafana" / "provisioning"
    [provider] = yaml.safe_load((provisioning / "dashboards" / "osool.yml").read_text())["providers"]
    assert "./infrastructure/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    assert f"./infrastructure/grafana/dashboards:{provider['options']['path']}:ro" in grafana["volumes"]
    [source] = yaml.safe_load((provisioning / "datasources" / "prometheus.yml").read_text())["datasources"]
    assert source["url"] == "http://prometheus-global:9090" and "prometheus-global" in compose["services"]


def test_monitoring_reads_every_replica_through_compose_dns(compose: dict[str, Any]) -> None:
    """The RED job resolves each service's name to all its replicas and reads their /metrics on the services' port,
    the one Prometheus scrapes."""
    monitoring = compose["services"]["monitoring"]["environment"]
    assert monitoring["MONITORING_TARGETS_DNS_PORT"] == "8000"
    assert monitoring["DATABASE_URL"] == compose["services"]["search"]["environment"]["DATABASE_URL"]
    assert "MONITORING_TARGETS_DNS_PORT" not in compose["services"]["search"]["environment"]


# -- backups ----------------------------------------------------------------------------------------------------------
def test_backup_runs_nightly_from_the_repository_script_into_its_volume(resolved: dict[str, Any]) -> None:
    backup = resolved["services"]["backup"]
    assert backup["entrypoint"] == ["/bin/sh", "/osool/backup.sh"] and backup["command"] == ["daily"]
    environment = backup["environment"]
    assert environment["DATABASE_URL"].endswith("@postgres:5432/osool")
    assert environment["BACKUP_RETENTION_DAYS"] == "7" and environment["BACKUP_AT"] == "02:30"
    [data] = [mount for mount in mounts(backup) if mount["named"]]
    assert Path(environment["BACKUP_DIR"]).is_relative_to(data["target"])
    assert backup["healthcheck"]["test"] == ["CMD", "/bin/sh", "/osool/backup.sh", "check"]
    # pg_dump of the server's own major version.
    assert backup["image"] == resolved["services"]["postgres"]["image"]
