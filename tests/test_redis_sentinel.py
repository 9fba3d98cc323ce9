"""redis/sentinel.conf and redis/start-sentinel.sh, run natively as the native rehearsal and compose's sentinel-1..3
run them: a Valkey primary and replica from redis/redis.conf and three Sentinels from the template on free loopback
ports; they find each other, keep their own rewritten copies, and promote the replica when the primary dies."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.replication import SENTINEL_TEMPLATE, START_SENTINEL, SentinelGroup, valkey_with_sentinels, wait_until

TEMPLATE = SENTINEL_TEMPLATE


@pytest.fixture(scope="module")
def topology() -> Iterator[SentinelGroup]:
    """devstack.replication.valkey_with_sentinels: the servers from redis/redis.conf, the Sentinels from the template
    through start-sentinel.sh, a failover within seconds (down after 1 s)."""
    with valkey_with_sentinels() as group:
        yield group


def test_template_holds_no_password_and_names_every_placeholder_the_script_sets() -> None:
    text = TEMPLATE.read_text()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", text))
    script = START_SENTINEL.read_text()
    assert placeholders and all(f"{name}=" in script or f"{name}:?" in script for name in placeholders)
    assert "requirepass ${REDIS_SENTINEL_PASSWORD}" in text
    assert "sentinel auth-pass ${REDIS_SENTINEL_MASTER} ${REDIS_PASSWORD}" in text


def test_sentinels_from_the_template_agree_on_the_primary_and_rewrite_their_own_copy(topology: SentinelGroup) -> None:
    for node in topology.sentinels:
        assert topology.master_as_seen_by(node) == ("127.0.0.1", topology.primary.port)
        copy = node.config_file
        # Private (passwords), and rewritten by the Sentinel with what it learnt.
        assert stat.S_IMODE(copy.stat().st_mode) & 0o077 == 0
        rewritten = copy.read_text()
        assert "sentinel known-replica" in rewritten and "sentinel known-sentinel" in rewritten
        assert re.search(r'^sentinel announce-ip "?127\.0\.0\.1"?$', rewritten, re.MULTILINE)
    # An empty value leaves its line out: nothing like "sentinel announce-ip" alone.
    assert "${" not in topology.sentinels[0].config_file.read_text()


def test_primary_killed_the_replica_is_promoted_and_a_restarted_sentinel_remembers_it(topology: SentinelGroup) -> None:
    topology.primary.kill()
    wait_until(
        lambda: all(topology.master_as_seen_by(n) == ("127.0.0.1", topology.replica.port) for n in topology.sentinels),
        30,
        "every Sentinel naming the replica as the primary",
    )
    with topology.client(topology.replica) as client:
        assert client.info("replication")["role"] == "master"
        assert client.set("written-after-failover", "1")

    # A restarted Sentinel keeps its copy, so it watches the new primary, not the template's first one.
    restarted = topology.sentinels[0]
    restarted.kill()
    restarted.start()
    wait_until(lambda: topology.master_as_seen_by(restarted)[1] == topology.replica.port, 20, "the restarted Sentinel")
    assert "keeping" in restarted.log.read_text()


@pytest.mark.parametrize("missing", ["REDIS_MASTER_HOST", "REDIS_PASSWORD", "REDIS_SENTINEL_PASSWORD"])
def test_a_missing_setting_stops_the_script_naming_it(tmp_path: Path, missing: str) -> None:
    env = {"PATH": os.environ["PATH"], "SENTINEL_CONFIG": str(tmp_path / "sentinel.conf"), "REDIS_MASTER_HOST": "x",
           "REDIS_PASSWORD": "p" * 20, "REDIS_SENTINEL_PASSWORD": "s" * 20, "VALKEY_SERVER": "/bin/false"}  # fmt: skip
    del env[missing]
    result = subprocess.run(["/bin/sh", str(START_SENTINEL)], env=env, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and missing in result.stderr
    assert not (tmp_path / "sentinel.conf").exists()


def test_start_sentinel_is_posix_sh_and_clean_under_shellcheck() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run([shellcheck, "--shell=sh", str(START_SENTINEL)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
