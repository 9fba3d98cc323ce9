"""Starting a service: configuration refused loudly in production, migrations applied into its own schema."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

from devstack.config import SERVICES, service_id
from devstack.stack import LocalStack
from devstack.testing import clean_environ


@pytest.mark.parametrize("command", ["serve", "migrate", "check-config"])
def test_production_without_a_secret_exits_naming_the_variable(command: str) -> None:
    env = {**clean_environ(), "OSOOL_ENV": "production", "REDIS_URL": "redis://:Jf8dK2nQ5wZ7xR3vL6pT@127.0.0.1:1/0"}
    result = subprocess.run(
        [sys.executable, "-m", "osool_search", command], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "DATABASE_URL is not set" in result.stderr


def test_production_with_a_weak_secret_exits_naming_it() -> None:
    env = {
        **clean_environ(),
        "OSOOL_ENV": "production",
        "DATABASE_URL": "postgresql://osool:changethis@127.0.0.1:1/osool",
        "REDIS_URL": "redis://:Jf8dK2nQ5wZ7xR3vL6pT@127.0.0.1:1/0",
    }
    result = subprocess.run(
        [sys.executable, "-m", "osool_auth", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "DATABASE_URL has a weak secret" in result.stderr and "changethis" not in result.stderr


@pytest.mark.stack
def test_each_service_migrated_its_own_schema(stack: LocalStack, stack_env: dict[str, str]) -> None:
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        for service in SERVICES:
            schema = service_id(service)
            comment = connection.execute("SELECT obj_description(%s::regnamespace)", (schema,)).fetchone()
            assert comment is not None and comment[0].startswith(f"Osool {service} service")
            applied = connection.execute(f'SELECT migration_id FROM "{schema}"._yoyo_migration').fetchall()  # noqa: S608
            assert [row[0] for row in applied] == ["0001_schema"]
        extensions = {row[0] for row in connection.execute("SELECT extname FROM pg_extension").fetchall()}
        assert {"vector", "pg_trgm", "btree_gist"} <= extensions


@pytest.mark.stack
def test_migrate_again_applies_nothing(stack: LocalStack) -> None:
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    result = subprocess.run(
        [sys.executable, "-m", "osool_chain", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert '"applied": []' in result.stdout
