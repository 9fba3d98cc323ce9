"""Each service is a package of its own: its dependencies, migrations, Dockerfile and README, nothing else's."""

from __future__ import annotations

import importlib
import tomllib

import pytest

from devstack.config import REPO_ROOT, SERVICES, service_id

SERVICES_DIR = REPO_ROOT / "services"


@pytest.mark.parametrize("service", SERVICES)
def test_service_folder_has_what_a_service_needs(service: str) -> None:
    folder = SERVICES_DIR / service
    for name in ("pyproject.toml", "Dockerfile", "README.md"):
        assert (folder / name).is_file(), f"{service}: {name} missing"
    assert sorted((folder / "migrations").glob("*.sql")), f"{service}: no migrations"
    project = tomllib.loads((folder / "pyproject.toml").read_text())["project"]
    assert project["name"] == f"osool-{service}" and "osool-common" in project["dependencies"]


@pytest.mark.parametrize("service", SERVICES)
def test_service_container_installs_only_the_kit_and_itself(service: str) -> None:
    dockerfile = (SERVICES_DIR / service / "Dockerfile").read_text()
    copied = {line.split()[1] for line in dockerfile.splitlines() if line.startswith("COPY ")}
    assert copied == {"services/common", f"services/{service}"}
    assert f'python", "-m", "osool_{service_id(service)}", "serve"' in dockerfile
    assert "USER osool" in dockerfile and "HEALTHCHECK" in dockerfile


@pytest.mark.parametrize("service", SERVICES)
def test_service_spec_points_at_its_own_migrations_and_settings(service: str) -> None:
    package = f"osool_{service_id(service)}"
    spec = importlib.import_module(f"{package}.__main__").SPEC
    assert spec.name == service and spec.package == package
    assert spec.migrations_dir == SERVICES_DIR / service / "migrations"
    assert spec.settings_class.service_name == service
    assert callable(importlib.import_module(f"{package}.main").create_app)
