"""Each service is a package of its own: its dependencies, migrations and README, nothing else's; one Dockerfile
(services/Dockerfile, `--build-arg SERVICE=<name>`) builds any of them with the kit and that service only."""

from __future__ import annotations

import importlib
import pkgutil
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from devstack.config import REPO_ROOT, SERVICES, service_id

SERVICES_DIR = REPO_ROOT / "services"
DOCKERFILE = SERVICES_DIR / "Dockerfile"


@pytest.mark.parametrize("service", SERVICES)
def test_service_folder_has_what_a_service_needs(service: str) -> None:
    folder = SERVICES_DIR / service
    for name in ("pyproject.toml", "README.md"):
        assert (folder / name).is_file(), f"{service}: {name} missing"
    assert sorted((folder / "migrations").glob("*.sql")), f"{service}: no migrations"
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    assert project["name"] == f"osool-{service}" and "osool-common" in project["dependencies"]


def test_one_dockerfile_builds_every_service() -> None:
    assert not list(SERVICES_DIR.glob("*/Dockerfile")), "services/Dockerfile replaces the per-service Dockerfiles"
    dockerfile = DOCKERFILE.read_text()
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    assert copied == {"services/common", "services/${SERVICE}"}
    # The build refuses a SERVICE that is not one of ours, and names them all.
    [accepted] = re.findall(r"^\s+([a-z|-]+)\) ;;", dockerfile, re.MULTILINE)
    assert set(accepted.split("|")) == set(SERVICES)
    # The entry point runs the service's own package: chat-history -> osool_chat_history.
    assert 'package="osool_${SERVICE//-/_}"' in dockerfile
    assert 'ENTRYPOINT ["osool-service"]' in dockerfile and 'CMD ["serve"]' in dockerfile


def test_service_image_is_slim_non_root_and_health_checked() -> None:
    dockerfile = DOCKERFILE.read_text()
    [base] = re.findall(r"^FROM (\S+)", dockerfile, re.MULTILINE)
    assert base.startswith("python:3.11-slim")
    [user] = re.findall(r"^USER (\S+)", dockerfile, re.MULTILINE)
    assert user.split(":")[0] not in ("0", "root")
    assert "--no-cache-dir" in dockerfile
    [healthcheck] = re.findall(r"^HEALTHCHECK .*?(?=^\S)", dockerfile, re.MULTILINE | re.DOTALL)
    assert "http://127.0.0.1:8000/health/live" in healthcheck
    # Everything the image writes goes to /tmp (a tmpfs under a read-only root): metrics, HOME.
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/" in dockerfile and "HOME=/tmp" in dockerfile


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run([str(hadolint), str(DOCKERFILE)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("service", SERVICES)
def test_service_spec_points_at_its_own_migrations_and_settings(service: str) -> None:
    package = f"osool_{service_id(service)}"
    spec = importlib.import_module(f"{package}.__main__").SPEC
    assert spec.name == service and spec.package == package
    assert spec.migrations_dir == SERVICES_DIR / service / "migrations"
    assert spec.settings_class.service_name == service
    assert callable(importlib.import_module(f"{package}.main").create_app)
    # A service's own commands are named "module:function" (imported only when run): each name must resolve, or the
    # command would fail only when someone runs it.
    for name, command in spec.extra_commands.items():
        for function in (command.add_arguments, command.run):
            assert callable(pkgutil.resolve_name(function)), f"{service} {name}: {function}"


# What a query can leave on its session past its transaction: asyncpg's reset query (unlock, close, unlisten, reset
# all) undoes it on release, and a service whose settings say stateless_sessions skips that reset.
SESSION_STATE = re.compile(
    r"pg_(try_)?advisory_lock(_shared)?\(|add_listener\(|[\"']LISTEN |set_config\([^)]*false\)"
    r"|execute\(\s*f?[\"']SET (?!LOCAL)|WITH HOLD|PREPARE TRANSACTION"
    r"|CREATE TEMP(ORARY)? TABLE(?![^\"']*ON COMMIT DROP)"
)
# Session state held on a connection of its own (osool_chain.repository.connect), never one of the pool's: the chain
# sender's leader lock, and the LISTEN that wakes it.
OWN_CONNECTION = {("chain", "sender.py", "add_listener("), ("chain", "repository.py", "pg_try_advisory_lock(")}


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_skips_the_reset_of_its_pool_and_leaves_no_session_state(service: str) -> None:
    package = f"osool_{service.replace('-', '_')}"
    # Each of ours is (the kit's default): its pool skips the reset query, a round trip on every release.
    assert importlib.import_module(f"{package}.settings").Settings.stateless_sessions
    found = [
        (path.name, match.group(0))
        for path in (SERVICES_DIR / service / package).rglob("*.py")
        for match in SESSION_STATE.finditer(path.read_text())
    ]
    assert [hit for hit in found if (service, *hit) not in OWN_CONNECTION] == []


LEAVES_STATE = (
    '"SELECT pg_advisory_lock($1)"',
    '"LISTEN outbox"',
    "await connection.add_listener(",
    'execute("SET statement_timeout = 0")',
    '"CREATE TEMP TABLE x AS SELECT 1"',
    "\"SELECT set_config('a', 'b', false)\"",
)
LEAVES_NONE = (
    '"SELECT pg_advisory_xact_lock($1)"',
    '"UPDATE t SET a = 1"',
    '"DO UPDATE "\n "SET x = 1"',
    "# we listen",
    '"CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT 1"',
    'execute("SET LOCAL lock_timeout = 1")',
)


def test_the_session_state_finder_finds_what_it_must() -> None:
    assert [text for text in LEAVES_STATE if not SESSION_STATE.search(text)] == []
    assert [text for text in LEAVES_NONE if SESSION_STATE.search(text)] == []
