"""The local stack's settings from the environment, and the env file it writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from devstack.config import StackConfig
from devstack.envfile import GENERATED_SECRETS, ensure_env_file, read_env_file


def test_replicas_and_workers_come_from_the_environment(tmp_path: Path) -> None:
    config = StackConfig.from_environ(
        {"REPLICAS_SEARCH": "3", "REPLICAS_CHAT_HISTORY": "2", "WORKERS_AGENT": "4", "GATEWAY_PUBLIC_PORT": "9080"},
        root=tmp_path,
    )
    assert config.replicas_of("search") == 3 and config.replicas_of("chat-history") == 2
    assert config.replicas_of("auth") == 1
    assert config.workers_of("agent") == 4 and config.workers_of("search") == 2
    assert config.public_port == 9080 and config.internal_port == 8081
    assert config.state_dir == tmp_path / ".osool" and config.env_file == tmp_path / ".env"


def test_search_runs_two_replicas_by_default_so_balancing_is_exercised(tmp_path: Path) -> None:
    assert StackConfig.from_environ({}, root=tmp_path).replicas_of("search") == 2


@pytest.mark.parametrize("value", ["zero", "-1", "0", "1.5"])
def test_a_bad_count_is_refused_naming_the_variable(tmp_path: Path, value: str) -> None:
    with pytest.raises(SystemExit, match="REPLICAS_SEARCH must be a positive whole number"):
        StackConfig.from_environ({"REPLICAS_SEARCH": value}, root=tmp_path)


def test_env_file_secrets_are_random_private_and_kept(tmp_path: Path) -> None:
    config = StackConfig(state_dir=tmp_path / "state", env_file=tmp_path / ".env")
    first = ensure_env_file(config)
    assert stat.S_IMODE(config.env_file.stat().st_mode) == 0o600
    assert len({first[name] for name in GENERATED_SECRETS}) == len(GENERATED_SECRETS)
    assert all(len(first[name]) >= 32 for name in GENERATED_SECRETS)
    assert first["POSTGRES_PASSWORD"] in first["DATABASE_URL"]

    # A developer's own variable survives; the secrets do not change; the URLs follow the ports.
    with config.env_file.open("a") as handle:
        handle.write("OPENAI_API_KEY=sk-local-test\n")
    config.postgres_port = 6543
    second = ensure_env_file(config)
    assert {name: second[name] for name in GENERATED_SECRETS} == {name: first[name] for name in GENERATED_SECRETS}
    assert read_env_file(config.env_file)["OPENAI_API_KEY"] == "sk-local-test"
    assert ":6543/osool" in second["DATABASE_URL"]


def test_another_machine_gets_other_secrets(tmp_path: Path) -> None:
    one = ensure_env_file(StackConfig(state_dir=tmp_path, env_file=tmp_path / "one.env"))
    two = ensure_env_file(StackConfig(state_dir=tmp_path, env_file=tmp_path / "two.env"))
    assert one["POSTGRES_PASSWORD"] != two["POSTGRES_PASSWORD"]
