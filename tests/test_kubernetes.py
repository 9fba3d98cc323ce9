"""infrastructure/kubernetes, checked without a cluster: every overlay rendered by `kubectl kustomize`, every object
validated against Kubernetes 1.32's schemas (kubernetes-validate, strict), and what the deployment promises: probes,
resources, non-root read-only containers, an autoscaler and a disruption budget for each Deployment, no secret value
in the repository, NetworkPolicies that let only the gateway (and the scrapers) reach the services, the database's
connections within max_connections, and production's replicas.

CloudNativePG's Cluster and ScheduledBackup and the Barman Cloud plugin's ObjectStore are custom resources that
kubernetes-validate has no schema for: their required fields and references are checked here by hand.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import pytest
import yaml

from devstack import binaries
from devstack.config import REPO_ROOT, SERVICES, service_id

KUBERNETES = REPO_ROOT / "infrastructure" / "kubernetes"
OVERLAYS = ("local", "production")
# A version every supported cluster has reached (autoscaling/v2 and policy/v1 since 1.23); kubernetes-validate ships
# schemas from 1.25.
KUBERNETES_VERSION = "1.32"
CUSTOM_RESOURCES = {
    ("postgresql.cnpg.io/v1", "Cluster"),
    ("postgresql.cnpg.io/v1", "ScheduledBackup"),
    ("barmancloud.cnpg.io/v1", "ObjectStore"),
}
# The Secrets the manifests reference: the operator creates them (README, Deploy), except osool-postgres-app, which
# CloudNativePG writes.
REFERENCED_SECRETS = {
    "local": {"osool-shared", "osool-auth", "osool-chain", "osool-openai", "osool-postgres-app"},
    "production": {
        "osool-shared", "osool-auth", "osool-chain", "osool-openai", "osool-postgres-app", "osool-tls",
        "osool-backup-s3",
    },
}  # fmt: skip
# The local overlay's development chain node: one process's memory, so one replica and no autoscaler.
SINGLETONS = {"local": {"chain-node"}, "production": set()}
# Parameters of database/postgresql.conf that CloudNativePG sets itself (shared_preload_libraries is its own field).
CNPG_MANAGED_PARAMETERS = {"listen_addresses", "wal_level", "max_wal_senders", "shared_preload_libraries"}
# Connections kept free of the services' pools: superuser_reserved_connections, CloudNativePG's instance manager and
# exporter, an operator's psql.
CONNECTION_HEADROOM = 20
SECRET_LIKE = re.compile(r"PASSWORD|SECRET|KEY|TOKEN|DSN|AUTH", re.IGNORECASE)

Object = dict[str, Any]


@pytest.fixture(scope="module")
def rendered() -> dict[str, list[Object]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not on PATH (apt-get install kubernetes-client; .ci/run installs it)")
    renders = {}
    for overlay in OVERLAYS:
        result = subprocess.run(
            [kubectl, "kustomize", str(KUBERNETES / "overlays" / overlay)],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        renders[overlay] = [document for document in yaml.safe_load_all(result.stdout) if document]
    return renders


@pytest.fixture(scope="module", params=OVERLAYS)
def overlay(request: pytest.FixtureRequest, rendered: dict[str, list[Object]]) -> tuple[str, list[Object]]:
    return request.param, rendered[request.param]


def of_kind(objects: list[Object], kind: str) -> dict[str, Object]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] == kind}


def workloads(objects: list[Object]) -> dict[str, Object]:
    return {obj["metadata"]["name"]: obj for obj in objects if obj["kind"] in ("Deployment", "StatefulSet")}


def pod_spec(workload: Object) -> Object:
    spec: Object = workload["spec"]["template"]["spec"]
    return spec


def generator_config_map(objects: list[Object], name: str) -> Object:
    """A ConfigMap of a kustomize generator, whatever its hash suffix."""
    (found,) = [
        obj
        for obj in objects
        if obj["kind"] == "ConfigMap" and re.fullmatch(rf"{name}-[a-z0-9]{{10}}", obj["metadata"]["name"])
    ]
    return found


def settings(objects: list[Object]) -> dict[str, str]:
    """The services' settings that are not secrets (ConfigMap osool-settings)."""
    data: dict[str, str] = generator_config_map(objects, "osool-settings")["data"]
    return data


def quantity(value: str | int | float) -> float:
    """A Kubernetes quantity (250m, 2, 768Mi, 1Gi) as a number."""
    text = str(value)
    for suffix, factor in (("Ki", 2**10), ("Mi", 2**20), ("Gi", 2**30), ("Ti", 2**40), ("m", 1e-3)):
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * factor
    return float(text)


def selects(selector: Object, labels: dict[str, str]) -> bool:
    """A label selector (matchLabels only, as ours are) against a pod's labels."""
    assert set(selector) <= {"matchLabels"}, f"selector with more than matchLabels: {selector}"
    return all(labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def load_generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("kubernetes_generate", KUBERNETES / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# --- the files ---------------------------------------------------------------------------------------------------


def test_generated_files_are_current() -> None:
    generate = load_generate()
    expected = generate.expected_files()
    on_disk = {
        path.relative_to(generate.GENERATED).as_posix(): path.read_text()
        for path in generate.GENERATED.rglob("*")
        if path.is_file()
    }
    stale = sorted(name for name in expected.keys() | on_disk.keys() if expected.get(name) != on_disk.get(name))
    assert not stale, f"run `make kubernetes` and commit: {stale}"


def test_no_secret_generator_and_no_secret_file_in_the_repository() -> None:
    for kustomization in KUBERNETES.rglob("kustomization.yaml"):
        assert "secretGenerator" not in kustomization.read_text(), kustomization
    for manifest in KUBERNETES.rglob("*.yaml"):
        for document in yaml.safe_load_all(manifest.read_text()):
            assert not (document and document.get("kind") == "Secret"), manifest


def test_scripts_pass_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    scripts = sorted(KUBERNETES.rglob("*.sh"))
    assert len(scripts) == 3
    result = subprocess.run([shellcheck, *map(str, scripts)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("pod", "sentinels_name", "follows"),
    [
        ("valkey-0", None, None),  # the set's first start: no Sentinel answers, valkey-0 is the primary
        ("valkey-1", None, "valkey-0.valkey"),
        ("valkey-0", "valkey-1.valkey", "valkey-1.valkey"),  # after a failover the old primary comes back a replica
        ("valkey-1", "valkey-1.valkey", None),
    ],
)
def test_a_valkey_server_follows_the_primary_the_sentinels_name(
    tmp_path: Path, pod: str, sentinels_name: str | None, follows: str | None
) -> None:
    stubs = tmp_path / "bin"
    stubs.mkdir()
    answer = f"printf '%s\\n6379\\n' {sentinels_name}" if sentinels_name else "exit 1"
    for command, body in {"hostname": f"echo {pod}", "valkey-cli": answer, "valkey-server": 'cat "$1"'}.items():
        (stubs / command).write_text(f"#!/bin/sh\n{body}\n")
        (stubs / command).chmod(0o755)
    result = subprocess.run(
        ["sh", str(KUBERNETES / "base" / "valkey" / "start-valkey.sh")],
        env={
            "PATH": f"{stubs}:/usr/bin:/bin",
            "REDIS_PASSWORD": "p" * 24,
            "REDIS_SENTINEL_PASSWORD": "s" * 24,
            "VALKEY_CONFIG": str(tmp_path / "valkey.conf"),
        },
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    config = result.stdout.splitlines()
    assert f"replica-announce-ip {pod}.valkey" in config
    assert [line for line in config if line.startswith("replicaof")] == (
        [f"replicaof {follows} 6379"] if follows else []
    )


# --- every object valid ------------------------------------------------------------------------------------------


def test_every_object_is_valid_for_kubernetes(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    errors = []
    for obj in objects:
        if (obj["apiVersion"], obj["kind"]) in CUSTOM_RESOURCES:
            continue
        try:
            kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as exc:
            path = ".".join(str(part) for part in exc.path)
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {path}: {exc.message}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{obj['kind']}/{obj['metadata']['name']}: {exc.message}")
    assert not errors, "\n".join(errors)


def test_custom_resources_have_their_required_fields_and_references(overlay: tuple[str, list[Object]]) -> None:
    name, objects = overlay
    # CloudNativePG's CRD requires spec.instances (Cluster) and spec.cluster and spec.schedule (ScheduledBackup);
    # the plugin's requires spec.configuration.destinationPath (ObjectStore).
    (cluster,) = of_kind(objects, "Cluster").values()
    spec = cluster["spec"]
    assert cluster["metadata"]["name"] == "osool-postgres"
    assert isinstance(spec["instances"], int) and spec["instances"] >= 1
    # The standard image is the one with pgvector; the tag names the PostgreSQL major and the Debian release.
    assert re.fullmatch(r"ghcr\.io/cloudnative-pg/postgresql:\d+-standard-[a-z]+", spec["imageName"])
    initdb = spec["bootstrap"]["initdb"]
    assert (initdb["database"], initdb["owner"]) == ("osool", "osool")
    config_maps = of_kind(objects, "ConfigMap")
    for reference in initdb["postInitApplicationSQLRefs"]["configMapRefs"]:
        assert reference["key"] in config_maps[reference["name"]]["data"]
    assert "CREATE EXTENSION IF NOT EXISTS vector" in config_maps["osool-postgres-init"]["data"]["init.sql"]
    assert spec["postgresql"]["shared_preload_libraries"] == ["pg_stat_statements"]

    backups = of_kind(objects, "ScheduledBackup")
    stores = of_kind(objects, "ObjectStore")
    plugins = {plugin["name"]: plugin for plugin in spec.get("plugins", [])}
    if name == "production":
        assert backups and stores
    for backup in backups.values():
        assert backup["spec"]["cluster"]["name"] == "osool-postgres"
        assert len(backup["spec"]["schedule"].split()) == 6, "CloudNativePG's schedule has seconds first"
        assert backup["spec"]["method"] == "plugin"
        plugin = plugins[backup["spec"]["pluginConfiguration"]["name"]]
        assert plugin["isWALArchiver"] is True
        assert plugin["parameters"]["barmanObjectName"] in stores
    for store in stores.values():
        assert store["spec"]["configuration"]["destinationPath"].startswith("s3://")
        for credential in store["spec"]["configuration"]["s3Credentials"].values():
            assert set(credential) == {"name", "key"}


# --- the services ------------------------------------------------------------------------------------------------


def test_every_service_runs_behind_both_health_probes(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    deployments = of_kind(objects, "Deployment")
    for service in SERVICES:
        (container,) = pod_spec(deployments[service])["containers"]
        assert container["ports"] == [{"name": "http", "containerPort": 8000}]
        assert f"exec python -m osool_{service_id(service)} serve --host 0.0.0.0 --port 8000" in container["args"][0]
        probes = {kind: container[kind]["httpGet"] for kind in ("startupProbe", "livenessProbe", "readinessProbe")}
        assert probes["startupProbe"] == {"path": "/health/live", "port": "http"}
        assert probes["livenessProbe"] == {"path": "/health/live", "port": "http"}
        assert probes["readinessProbe"] == {"path": "/health/ready", "port": "http"}
    (gateway,) = pod_spec(deployments["gateway"])["containers"]
    assert gateway["livenessProbe"]["httpGet"]["path"] == gateway["readinessProbe"]["httpGet"]["path"] == "/healthz"


def test_every_container_has_requests_and_limits_and_runs_read_only_as_non_root(
    overlay: tuple[str, list[Object]],
) -> None:
    _, objects = overlay
    for name, workload in workloads(objects).items():
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True, name
        for container in spec["containers"]:
            where = f"{name}/{container['name']}"
            user = container.get("securityContext", {}).get("runAsUser", spec["securityContext"].get("runAsUser"))
            assert isinstance(user, int) and user > 0, f"{where}: a numeric non-root user"
            assert container["securityContext"]["readOnlyRootFilesystem"] is True, where
            assert container["securityContext"]["allowPrivilegeEscalation"] is False, where
            assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}, where
            resources = container["resources"]
            for resource in ("cpu", "memory"):
                request, limit = resources["requests"][resource], resources["limits"][resource]
                assert quantity(request) <= quantity(limit), f"{where}: {resource} request {request} > limit {limit}"


def test_service_pods_write_only_to_their_empty_dirs(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    metrics_dir = settings(objects)["PROMETHEUS_MULTIPROC_DIR"]
    for service in SERVICES:
        spec = pod_spec(of_kind(objects, "Deployment")[service])
        empty_dirs = {volume["name"] for volume in spec["volumes"] if "emptyDir" in volume}
        (container,) = spec["containers"]
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        assert mounts.keys() == {"/tmp", metrics_dir}, service
        assert set(mounts.values()) <= empty_dirs, service
        # A restarted container keeps its emptyDir: the dead process's metric files are removed before serving.
        assert container["args"][0].startswith('rm -rf "${PROMETHEUS_MULTIPROC_DIR:?}"/* && exec ')


def test_services_reach_the_primary_and_valkey_and_expand_only_defined_variables(
    overlay: tuple[str, list[Object]],
) -> None:
    _, objects = overlay
    (cluster_name,) = of_kind(objects, "Cluster")
    valkey = of_kind(objects, "StatefulSet")["valkey"]
    for name, workload in workloads(objects).items():
        for container in pod_spec(workload)["containers"]:
            defined: set[str] = set()
            for variable in container.get("env", []):
                # $(NAME) is expanded by the kubelet only from variables defined before it.
                for reference in re.findall(r"\$\((\w+)\)", variable.get("value", "")):
                    assert reference in defined, f"{name}: {variable['name']} uses $({reference}) before it is set"
                defined.add(variable["name"])
    for service in SERVICES:
        (container,) = pod_spec(of_kind(objects, "Deployment")[service])["containers"]
        env = {variable["name"]: variable for variable in container["env"]}
        assert f"@{cluster_name}-rw:5432/osool" in env["DATABASE_URL"]["value"]
        assert env["POSTGRES_PASSWORD"]["valueFrom"]["secretKeyRef"] == {
            "name": f"{cluster_name}-app",
            "key": "password",
        }
        assert env["REDIS_URL"]["value"].endswith(f"@valkey-0.{valkey['spec']['serviceName']}:6379/0")


def test_every_deployment_has_an_autoscaler_and_a_disruption_budget(overlay: tuple[str, list[Object]]) -> None:
    name, objects = overlay
    deployments = of_kind(objects, "Deployment")
    autoscalers = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in of_kind(objects, "HorizontalPodAutoscaler").values()
    }
    budgets = of_kind(objects, "PodDisruptionBudget").values()
    assert deployments.keys() == {*SERVICES, "gateway"} | SINGLETONS[name]
    for deployment_name, deployment in deployments.items():
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        if deployment_name in SINGLETONS[name]:
            assert deployment["spec"]["replicas"] == 1
            continue
        hpa = autoscalers[deployment_name]["spec"]
        assert hpa["scaleTargetRef"]["kind"] == "Deployment"
        assert [metric["resource"]["name"] for metric in hpa["metrics"]] == ["cpu"]
        assert 1 <= hpa["minReplicas"] <= hpa["maxReplicas"]
        # The autoscaler owns the count: an applied replicas field would reset it at every apply.
        assert "replicas" not in deployment["spec"], deployment_name
        assert [pdb for pdb in budgets if selects(pdb["spec"]["selector"], labels)], f"{deployment_name} has no PDB"


def test_production_keeps_two_of_everything(rendered: dict[str, list[Object]]) -> None:
    objects = rendered["production"]
    for hpa in of_kind(objects, "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["minReplicas"] >= 2, hpa["metadata"]["name"]
    for pdb in of_kind(objects, "PodDisruptionBudget").values():
        assert pdb["spec"]["maxUnavailable"] == 1, pdb["metadata"]["name"]
    (cluster,) = of_kind(objects, "Cluster").values()
    assert cluster["spec"]["instances"] == 3, "a primary and two replicas"
    statefulsets = of_kind(objects, "StatefulSet")
    assert statefulsets["valkey"]["spec"]["replicas"] == 2, "a primary and a replica"
    assert statefulsets["valkey-sentinel"]["spec"]["replicas"] == 3
    for hpa in of_kind(rendered["local"], "HorizontalPodAutoscaler").values():
        assert hpa["spec"]["minReplicas"] == 1, "the local overlay runs one of each"


def test_the_pools_fit_in_max_connections(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    config = settings(objects)
    per_pod = int(config["WORKERS"]) * int(config["DB_POOL_MAX_SIZE"])
    autoscalers = {
        hpa["spec"]["scaleTargetRef"]["name"]: hpa for hpa in of_kind(objects, "HorizontalPodAutoscaler").values()
    }
    most = sum(autoscalers[service]["spec"]["maxReplicas"] * per_pod for service in SERVICES)
    (cluster,) = of_kind(objects, "Cluster").values()
    allowed = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"]) - CONNECTION_HEADROOM
    assert most <= allowed, f"every service at its maximum opens {most} connections; PostgreSQL allows {allowed}"


def test_postgres_parameters_are_database_postgresql_conf(rendered: dict[str, list[Object]]) -> None:
    conf = {}
    for line in (REPO_ROOT / "database" / "postgresql.conf").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            key, value = (part.strip() for part in line.split("=", 1))
            conf[key] = value.strip("'")
    for name, objects in rendered.items():
        (cluster,) = of_kind(objects, "Cluster").values()
        parameters = cluster["spec"]["postgresql"]["parameters"]
        expected = {key: value for key, value in conf.items() if key not in CNPG_MANAGED_PARAMETERS}
        # Production sizes the cache to its memory.
        tuned = {"shared_buffers", "effective_cache_size"} if name == "production" else set()
        assert {k: v for k, v in parameters.items() if k not in tuned} == {
            k: v for k, v in expected.items() if k not in tuned
        }
        assert cluster["spec"]["postgresql"]["shared_preload_libraries"] == conf["shared_preload_libraries"].split(",")


# --- secrets -----------------------------------------------------------------------------------------------------


def secret_references(objects: list[Object]) -> Iterator[tuple[str, str]]:
    """(where, Secret name) for every reference to a Secret in the rendered objects."""
    for name, workload in workloads(objects).items():
        spec = pod_spec(workload)
        for container in spec["containers"]:
            for variable in container.get("env", []):
                if "secretKeyRef" in variable.get("valueFrom", {}):
                    yield f"{name}: {variable['name']}", variable["valueFrom"]["secretKeyRef"]["name"]
            for source in container.get("envFrom", []):
                assert "secretRef" not in source, f"{name}: every secret variable is named (secretKeyRef)"
        for volume in spec.get("volumes", []):
            if "secret" in volume:
                yield f"{name}: volume {volume['name']}", volume["secret"]["secretName"]
    for ingress in of_kind(objects, "Ingress").values():
        for tls in ingress["spec"].get("tls", []):
            yield "Ingress", tls["secretName"]
    for store in of_kind(objects, "ObjectStore").values():
        for credential in store["spec"]["configuration"]["s3Credentials"].values():
            yield "ObjectStore", credential["name"]


def test_secrets_are_referenced_never_embedded(overlay: tuple[str, list[Object]]) -> None:
    name, objects = overlay
    assert not [obj for obj in objects if obj["kind"] == "Secret"], "a Secret object would carry its values"
    assert {secret for _, secret in secret_references(objects)} == REFERENCED_SECRETS[name]
    for workload_name, workload in workloads(objects).items():
        for container in pod_spec(workload)["containers"]:
            from_secrets = set()
            for variable in container.get("env", []):
                where = f"{workload_name}: {variable['name']}"
                if "secretKeyRef" in variable.get("valueFrom", {}):
                    from_secrets.add(variable["name"])
                    continue
                assert not SECRET_LIKE.search(variable["name"]), f"{where} is not read from a Secret"
                # A URL carries a password only as $(VARIABLE) of a variable read from a Secret.
                for password in re.findall(r"://[^:/@]*:([^@]*)@", variable.get("value", "")):
                    assert password.removeprefix("$(").removesuffix(")") in from_secrets, where
    for key in settings(objects):
        assert not SECRET_LIKE.search(key), f"osool-settings holds {key}"


# --- network policies --------------------------------------------------------------------------------------------


def admitted(objects: list[Object], labels: dict[str, str], port: int) -> set[str]:
    """Who the NetworkPolicies let reach a pod with these labels on this port: workload names, `namespace:<name>`
    for a namespace selector, `ip:<cidr>` for an address block."""
    workload_labels = {name: w["spec"]["template"]["metadata"]["labels"] for name, w in workloads(objects).items()}
    workload_labels["postgres"] = {"cnpg.io/cluster": "osool-postgres"}
    found: set[str] = set()
    for policy in of_kind(objects, "NetworkPolicy").values():
        if not selects(policy["spec"]["podSelector"], labels):
            continue
        for rule in policy["spec"].get("ingress", []):
            ports = [entry["port"] for entry in rule.get("ports", [])]
            if ports and port not in ports:
                continue
            for peer in rule.get("from", []):
                if "namespaceSelector" in peer:
                    assert "podSelector" not in peer
                    found.add(f"namespace:{peer['namespaceSelector']['matchLabels']['kubernetes.io/metadata.name']}")
                elif "ipBlock" in peer:
                    found.add(f"ip:{peer['ipBlock']['cidr']}")
                else:
                    found |= {name for name, pod in workload_labels.items() if selects(peer["podSelector"], pod)}
    return found


def test_everything_is_refused_unless_a_policy_admits_it(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    policies = of_kind(objects, "NetworkPolicy")
    assert policies["default-deny-ingress"]["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    for name, workload in workloads(objects).items():
        labels = workload["spec"]["template"]["metadata"]["labels"]
        covering = [
            p for p in policies.values() if p["spec"]["podSelector"] and selects(p["spec"]["podSelector"], labels)
        ]
        # Prometheus is reached by port-forward only, which passes no policy.
        assert covering or name == "prometheus", f"{name}: no policy admits anything to it"


def test_only_the_gateway_and_the_scrapers_reach_the_services(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    deployments = of_kind(objects, "Deployment")
    for service in SERVICES:
        labels = deployments[service]["spec"]["template"]["metadata"]["labels"]
        # The monitoring service's RED job reads every replica's /metrics; a NetworkPolicy sees ports, not paths.
        assert admitted(objects, labels, 8000) == {"gateway", "prometheus", "monitoring"}, service
    gateway = deployments["gateway"]["spec"]["template"]["metadata"]["labels"]
    assert admitted(objects, gateway, 8080) == {"namespace:ingress-nginx"}
    assert admitted(objects, gateway, 8081) == {*SERVICES, "alertmanager"}


def test_only_the_services_reach_postgres_and_valkey(overlay: tuple[str, list[Object]]) -> None:
    _, objects = overlay
    statefulsets = of_kind(objects, "StatefulSet")
    postgres = {"cnpg.io/cluster": "osool-postgres"}
    assert admitted(objects, postgres, 5432) == {*SERVICES, "postgres", "namespace:cnpg-system"}
    assert admitted(objects, postgres, 9187) == {"postgres", "prometheus"}
    valkey = statefulsets["valkey"]["spec"]["template"]["metadata"]["labels"]
    assert admitted(objects, valkey, 6379) == {*SERVICES, "valkey", "valkey-sentinel"}
    assert admitted(objects, valkey, 9121) == {"prometheus"}
    sentinel = statefulsets["valkey-sentinel"]["spec"]["template"]["metadata"]["labels"]
    assert admitted(objects, sentinel, 26379) == {*SERVICES, "valkey", "valkey-sentinel"}


# --- the gateway and Prometheus ----------------------------------------------------------------------------------


def test_the_gateway_proxies_to_each_service_balanced_service(rendered: dict[str, list[Object]]) -> None:
    conf = (KUBERNETES / "base" / "generated" / "nginx.conf").read_text()
    upstreams = re.findall(r"^\s+server ([a-z-]+):(\d+) ", conf, re.MULTILINE)
    for objects in rendered.values():
        services = of_kind(objects, "Service")
        assert sorted(upstreams) == sorted((f"{service}-lb", "8000") for service in SERVICES)
        for host, port in upstreams:
            # A ClusterIP Service: nginx resolves the name once, so it must not be the headless one.
            assert "clusterIP" not in services[host]["spec"] and services[host]["spec"]["ports"][0]["port"] == int(port)
            assert services[host.removesuffix("-lb")]["spec"]["clusterIP"] == "None"
        (ingress,) = of_kind(objects, "Ingress").values()
        (rule,) = ingress["spec"]["rules"]
        assert rule["http"]["paths"][0]["backend"]["service"] == {"name": "gateway", "port": {"name": "public"}}
    (production,) = of_kind(rendered["production"], "Ingress").values()
    assert production["spec"]["tls"] == [{"hosts": [production["spec"]["rules"][0]["host"]], "secretName": "osool-tls"}]


def test_the_gateway_image_puts_the_web_client_where_nginx_serves_it() -> None:
    conf = (KUBERNETES / "base" / "generated" / "nginx.conf").read_text()
    roots = set(re.findall(r"^\s+root (\S+);", conf, re.MULTILINE))
    dockerfile = (KUBERNETES / "gateway.Dockerfile").read_text()
    (destination,) = re.findall(r"^COPY --from=web /web/dist (\S+)$", dockerfile, re.MULTILINE)
    assert roots == {destination}


def test_nginx_accepts_the_kubernetes_gateway_config(tmp_path: Path, rendered: dict[str, list[Object]]) -> None:
    # What the gateway pod has: nginx.conf, and conf.d/ written by the image's envsubst from the templates.
    objects = rendered["production"]
    text = generator_config_map(objects, "gateway-nginx")["data"]["nginx.conf"]
    text = re.sub(r"server ([a-z-]+):8000", "server 127.0.0.1:8000", text)
    text = text.replace("/tmp", str(tmp_path)).replace("/dev/stdout", str(tmp_path / "access.log"))
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    templates = (
        generator_config_map(objects, "gateway-templates")["data"]
        | generator_config_map(objects, "gateway-real-ip")["data"]
    )
    assert set(templates) == {"service-key.conf.template", "real-ip.conf.template"}
    for name, template in templates.items():
        rendered_text = string.Template(template).safe_substitute(OSOOL_SERVICE_KEY="k" * 24)
        (conf_d / name.removesuffix(".template")).write_text(rendered_text)
    text = text.replace("/etc/nginx/conf.d/*.conf", f"{conf_d}/*.conf")
    (tmp_path / "nginx.conf").write_text(text)
    result = subprocess.run(
        [str(binaries.nginx()), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def test_prometheus_scrapes_every_replica_with_the_compose_labels(
    tmp_path: Path, rendered: dict[str, list[Object]]
) -> None:
    objects = rendered["production"]
    config = yaml.safe_load(generator_config_map(objects, "prometheus-config")["data"]["prometheus.yml"])
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    osool = jobs["osool"]
    assert osool["kubernetes_sd_configs"][0]["role"] == "pod"
    targets = {rule.get("target_label"): rule.get("source_labels") for rule in osool["relabel_configs"]}
    assert targets["service"] == ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    assert targets["replica"] == ["__address__"]
    # Discovery reads the pods of its own namespace with its service account.
    (binding,) = of_kind(objects, "RoleBinding").values()
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "prometheus", "namespace": "osool"}]
    assert (
        of_kind(objects, "StatefulSet")["prometheus"]["spec"]["template"]["spec"]["serviceAccountName"] == "prometheus"
    )
    # The rules of infrastructure/prometheus, mounted where rule_files looks.
    rules = generator_config_map(objects, "prometheus-rules")["data"]
    assert config["rule_files"] == ["/etc/prometheus/rules/*.yml"] and set(rules) == {"alerts.yml", "recording.yml"}

    # promtool checks the rest (Debian's Prometheus is built without Kubernetes discovery: static targets instead).
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not on PATH: apt-get install prometheus (.ci/run does)")
    for job in config["scrape_configs"]:
        if job.pop("kubernetes_sd_configs", None) is not None:
            job["static_configs"] = [{"targets": ["127.0.0.1:8000"]}]
    (tmp_path / "rules").mkdir()
    for name, text in rules.items():
        (tmp_path / "rules" / name).write_text(text)
    config["rule_files"] = [str(tmp_path / "rules" / "*.yml")]
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", str(tmp_path / "prometheus.yml")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
