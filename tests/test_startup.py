"""Starting a service: configuration refused loudly in production, migrations applied into its own schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from devstack.config import REPO_ROOT, SERVICES, service_id
from devstack.render import replica_program_name
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
        "CHAIN_PRIVATE_KEY": "0x" + "4f" * 32,
    }
    result = subprocess.run(
        [sys.executable, "-m", "osool_chain", "serve"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "DATABASE_URL has a weak secret" in result.stderr and "changethis" not in result.stderr


@pytest.mark.parametrize(
    ("missing", "present"),
    [
        ("AUTH_JWT_KEYS", {}),
        ("TWILIO_ACCOUNT_SID", {"AUTH_JWT_KEYS": "set-below"}),
    ],
)
def test_auth_in_production_names_its_own_missing_secrets(missing: str, present: dict[str, str]) -> None:
    from osool_auth.tokens import generate_signing_key_entry

    env = {
        **clean_environ(),
        "OSOOL_ENV": "production",
        "DATABASE_URL": "postgresql://osool:Xq7vR2mZpL9wK4tN8sB1@127.0.0.1:1/osool",
        "REDIS_URL": "redis://:Jf8dK2nQ5wZ7xR3vL6pT@127.0.0.1:1/0",
        **{key: generate_signing_key_entry() for key in present},
    }
    result = subprocess.run(
        [sys.executable, "-m", "osool_auth", "check-config"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert f"{missing} is not set" in result.stderr


@pytest.mark.stack
def test_each_service_migrated_its_own_schema(stack: LocalStack, stack_env: dict[str, str]) -> None:
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        for service in SERVICES:
            schema = service_id(service)
            comment = connection.execute("SELECT obj_description(%s::regnamespace)", (schema,)).fetchone()
            assert comment is not None and comment[0].startswith(f"Osool {service} service")
            applied = connection.execute(f'SELECT migration_id FROM "{schema}"._yoyo_migration').fetchall()  # noqa: S608
            files = sorted(path.stem for path in (REPO_ROOT / "services" / service / "migrations").glob("*.sql"))
            assert sorted(row[0] for row in applied) == files
        extensions = {row[0] for row in connection.execute("SELECT extname FROM pg_extension").fetchall()}
        assert {"vector", "pg_trgm", "btree_gist"} <= extensions


def _unix_socket_paths(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    paths = set()
    for line in Path("/proc/net/unix").read_text().splitlines()[1:]:
        fields = line.split()
        if len(fields) >= 8 and fields[6] in inodes:
            paths.add(fields[7])
    return paths


@pytest.mark.stack
def test_each_replica_is_one_gunicorn_in_its_serve_process_with_no_shared_control_socket(stack: LocalStack) -> None:
    for service in SERVICES:
        master = stack.program_pid(f"{service}:{replica_program_name(service, 0)}")
        argv = Path(f"/proc/{master}/cmdline").read_bytes().split(b"\0")
        # The serve command runs gunicorn in its own process with the app it imported (preloaded, forked into the
        # workers), rather than exec'ing a gunicorn whose workers would each import the service again.
        assert argv[1:4] == [b"-m", f"osool_{service_id(service)}".encode(), b"serve"], argv
        workers = [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
        assert len(workers) == stack.config.workers_of(service), (service, workers)
        # Gunicorn's control socket would be one path for every master of this user.
        assert not [p for p in _unix_socket_paths(master) if p.endswith("gunicorn.ctl")], service


@pytest.mark.stack
def test_migrate_again_applies_nothing(stack: LocalStack) -> None:
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    result = subprocess.run(
        [sys.executable, "-m", "osool_chain", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert '"applied": []' in result.stdout


@pytest.mark.stack
def test_make_migrate_runs_every_service_against_the_running_stack(stack: LocalStack) -> None:
    env = {
        **clean_environ(),
        "OSOOL_STATE_DIR": str(stack.config.state_dir),
        "OSOOL_ENV_FILE": str(stack.config.env_file),
        "POSTGRES_PORT": str(stack.config.postgres_port),
        "VALKEY_PORT": str(stack.config.valkey_port),
    }
    result = subprocess.run(
        [sys.executable, "-m", "devstack", "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    for service in SERVICES:
        assert f"migrating {service} ..." in result.stdout


def test_make_migrate_without_a_running_stack_says_what_to_do(tmp_path: object) -> None:
    env = {**clean_environ(), "OSOOL_STATE_DIR": str(tmp_path), "OSOOL_ENV_FILE": f"{tmp_path}/.env"}
    result = subprocess.run(
        [sys.executable, "-m", "devstack", "migrate"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "make up" in result.stderr


@pytest.mark.stack
def test_a_second_stack_on_busy_ports_refuses_naming_the_variable(stack: LocalStack, tmp_path: object) -> None:
    from pathlib import Path

    from devstack.config import StackConfig
    from devstack.stack import StackError

    config = StackConfig(
        state_dir=Path(str(tmp_path)) / "state",
        env_file=Path(str(tmp_path)) / ".env",
        public_port=stack.config.public_port,
    )
    with pytest.raises(StackError, match=f"port {stack.config.public_port} is already in use.*GATEWAY_PUBLIC_PORT"):
        LocalStack(config).check_ports_free()
