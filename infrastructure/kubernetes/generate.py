"""Writes infrastructure/kubernetes/base/generated/: the gateway's nginx.conf rendered for Kubernetes and copies of the
repository's files that the manifests mount, since kustomize reads nothing outside a kustomization's directory.

Run it after changing a source (`.venv/bin/python infrastructure/kubernetes/generate.py`) and commit the result;
tests/test_kubernetes.py fails while a copy is stale. Edit the sources, never base/generated/.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
GENERATED = Path(__file__).resolve().parent / "base" / "generated"
HEADER = "# Written by infrastructure/kubernetes/generate.py. Do not edit; edit the sources and run it again.\n"

# The gateway's upstreams: each service's ClusterIP Service (base/services/<name>.yaml). The Service named after the
# service itself is headless (every replica's address, for the monitoring service's RED job), and nginx resolves a
# name once at start, so it must not point there.
BALANCED_SERVICE = "{service}-lb:8000"
# One ConfigMap per generator: name -> {key in the ConfigMap: source file, relative to the repository}.
COPIED: dict[str, dict[str, str]] = {
    "gateway-templates": {"service-key.conf.template": "gateway/nginx/templates/service-key.conf.template"},
    "prometheus-rules": {
        "recording.yml": "infrastructure/prometheus/rules/recording.yml",
        "alerts.yml": "infrastructure/prometheus/rules/alerts.yml",
    },
    "alertmanager-config": {"alertmanager.yml": "infrastructure/alertmanager/alertmanager.yml"},
    "valkey-config": {"redis.conf": "redis/redis.conf"},
    "valkey-sentinel": {"start-sentinel.sh": "redis/start-sentinel.sh", "sentinel.conf": "redis/sentinel.conf"},
}


def gateway_config() -> str:
    """gateway/nginx/nginx.conf.j2 for the gateway Deployment: its writable paths are the /tmp emptyDir, and every
    *.conf the nginx image renders at start into conf.d is included (the service key's map, the real-IP settings)."""
    sys.path.insert(0, str(REPO_ROOT))
    from devstack.config import SERVICES, GatewayRates
    from devstack.render import render_gateway

    return render_gateway(
        target="infrastructure/kubernetes (the gateway Deployment)",
        upstreams={service: [BALANCED_SERVICE.format(service=service)] for service in SERVICES},
        public_listen="8080",
        internal_listen="8081",
        state_dir="/tmp",  # noqa: S108 - the container's emptyDir, not this machine's
        temp_dir="/tmp",  # noqa: S108
        web_root="/usr/share/nginx/html",
        rates=GatewayRates(),
        # One nginx worker per CPU of the gateway's limit; the image's autotune edits nginx.conf, a read-only mount.
        worker_processes="2",
        error_log="stderr",
        access_log="/dev/stdout",
        service_key_include="/etc/nginx/conf.d/*.conf",
    )


def postgres_init() -> str:
    """database/init.sql as the ConfigMap CloudNativePG runs in the application database after initdb. A plain
    resource, not a generator: a Cluster's reference is not one kustomize renames to a generator's hashed name."""
    sql = (REPO_ROOT / "database" / "init.sql").read_text()
    body = "".join(f"    {line}\n" if line else "\n" for line in sql.splitlines())
    return (
        f"{HEADER}# From database/init.sql.\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: osool-postgres-init\n"
        "  labels:\n    app.kubernetes.io/part-of: osool\n"
        f"data:\n  init.sql: |\n{body}"
    )


def kustomization() -> str:
    lines = [HEADER.rstrip(), "configMapGenerator:"]
    generators = {"gateway-nginx": ["nginx.conf"]} | {name: list(files) for name, files in COPIED.items()}
    for name, files in generators.items():
        lines += [f"- name: {name}", "  files:"] + [f"  - {file}" for file in files]
    lines += ["resources:", "- postgres-init.yaml"]
    return "\n".join(lines) + "\n"


def expected_files() -> dict[str, str]:
    """Every file of base/generated/, by its path there."""
    files = {
        "kustomization.yaml": kustomization(),
        "nginx.conf": gateway_config(),
        "postgres-init.yaml": postgres_init(),
    }
    for sources in COPIED.values():
        files |= {key: (REPO_ROOT / source).read_text() for key, source in sources.items()}
    return files


def main() -> int:
    files = expected_files()
    for path in sorted(GENERATED.rglob("*"), reverse=True):
        relative = path.relative_to(GENERATED).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for relative, text in files.items():
        target = GENERATED / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    print(f"wrote {len(files)} files to {GENERATED.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
