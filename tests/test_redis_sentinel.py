"""redis/sentinel.conf and redis/start-sentinel.sh, run natively as the native rehearsal and compose's sentinel-1..3
run them: a Valkey primary and replica from redis/redis.conf and three Sentinels from the template on free loopback
ports; they find each other, keep their own rewritten copies, and promote the replica when the primary dies."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import redis
from devstack import binaries
from devstack.config import REPO_ROOT, free_port
from devstack.replication import wait_until

TEMPLATE = REPO_ROOT / "redis" / "sentinel.conf"
START_SENTINEL = REPO_ROOT / "redis" / "start-sentinel.sh"
MASTER = "osool"


@dataclass
class Node:
    name: str
    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None


@dataclass
class Topology:
    root: Path
    password: str
    sentinel_password: str
    primary: Node
    replica: Node
    sentinels: list[Node]

    def sentinel_env(self, node: Node) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "SENTINEL_CONFIG": str(node.directory / "sentinel.conf"),
            "REDIS_MASTER_HOST": "127.0.0.1",
            "REDIS_MASTER_PORT": str(self.primary.port),
            "REDIS_PASSWORD": self.password,
            "REDIS_SENTINEL_PASSWORD": self.sentinel_password,
            "SENTINEL_PORT": str(node.port),
            "SENTINEL_ANNOUNCE_HOST": "127.0.0.1",
            # Faster than production's 5 s, to keep the test short; the rest is the template's.
            "SENTINEL_DOWN_AFTER_MS": "1000",
            "SENTINEL_FAILOVER_TIMEOUT_MS": "4000",
            "VALKEY_SERVER": str(binaries.valkey_server()),
        }

    def start_sentinel(self, node: Node) -> None:
        node.directory.mkdir(exist_ok=True)
        log = (node.directory / "sentinel.log").open("ab")
        node.process = subprocess.Popen(
            ["/bin/sh", str(START_SENTINEL), "--bind", "127.0.0.1"],
            env=self.sentinel_env(node),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def client(self, node: Node, *, sentinel: bool = False) -> Any:
        password = self.sentinel_password if sentinel else self.password
        return redis.Redis(port=node.port, password=password, decode_responses=True, socket_timeout=2)

    def master_as_seen_by(self, node: Node) -> tuple[str, int]:
        with self.client(node, sentinel=True) as client:
            host, port = client.sentinel_get_master_addr_by_name(MASTER)
        return str(host), int(port)

    def ready(self) -> bool:
        with self.client(self.replica) as client:
            if client.info("replication").get("master_link_status") != "up":
                return False
        for node in self.sentinels:
            with self.client(node, sentinel=True) as client:
                state = client.sentinel_master(MASTER)
            if int(state["num-slaves"]) < 1 or int(state["num-other-sentinels"]) < 2:
                return False
        return True


def start_server(node: Node, password: str, extra: str = "") -> None:
    """valkey-server with redis/redis.conf, then what compose's command line adds (address, password, announce)."""
    node.directory.mkdir(exist_ok=True)
    config = node.directory / "valkey.conf"
    config.write_text(
        f"include {REPO_ROOT / 'redis' / 'redis.conf'}\nport {node.port}\nbind 127.0.0.1\ndir {node.directory}\n"
        f"requirepass {password}\nmasterauth {password}\nreplica-announce-ip 127.0.0.1\n"
        f"repl-diskless-sync-delay 0\n{extra}"
    )
    log = (node.directory / "server.log").open("ab")
    node.process = subprocess.Popen(
        [str(binaries.valkey_server()), str(config)], stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


@pytest.fixture(scope="module")
def topology() -> Iterator[Topology]:
    root = Path(tempfile.mkdtemp(prefix="osool-sentinel-template-"))
    nodes = {name: Node(name, free_port(), root / name) for name in ("primary", "replica", "s1", "s2", "s3")}
    group = Topology(
        root, secrets.token_urlsafe(18), secrets.token_urlsafe(18), nodes["primary"], nodes["replica"],
        [nodes["s1"], nodes["s2"], nodes["s3"]],
    )  # fmt: skip
    try:
        start_server(group.primary, group.password)
        start_server(group.replica, group.password, f"replicaof 127.0.0.1 {group.primary.port}\n")
        for node in group.sentinels:
            group.start_sentinel(node)
        wait_until(group.ready, 40, "the replica in sync and every Sentinel knowing it and the two others")
        yield group
    finally:
        for node in nodes.values():
            node.kill()
        shutil.rmtree(root, ignore_errors=True)


def test_template_holds_no_password_and_names_every_placeholder_the_script_sets() -> None:
    text = TEMPLATE.read_text()
    placeholders = set(re.findall(r"\$\{([A-Z_]+)\}", text))
    script = START_SENTINEL.read_text()
    assert placeholders and all(f"{name}=" in script or f"{name}:?" in script for name in placeholders)
    assert "requirepass ${REDIS_SENTINEL_PASSWORD}" in text
    assert "sentinel auth-pass ${REDIS_SENTINEL_MASTER} ${REDIS_PASSWORD}" in text


def test_sentinels_from_the_template_agree_on_the_primary_and_rewrite_their_own_copy(topology: Topology) -> None:
    for node in topology.sentinels:
        assert topology.master_as_seen_by(node) == ("127.0.0.1", topology.primary.port)
        copy = node.directory / "sentinel.conf"
        # Private (passwords), and rewritten by the Sentinel with what it learnt.
        assert stat.S_IMODE(copy.stat().st_mode) & 0o077 == 0
        rewritten = copy.read_text()
        assert "sentinel known-replica" in rewritten and "sentinel known-sentinel" in rewritten
        assert re.search(r'^sentinel announce-ip "?127\.0\.0\.1"?$', rewritten, re.MULTILINE)
    # An empty value leaves its line out: nothing like "sentinel announce-ip" alone.
    assert "${" not in (topology.sentinels[0].directory / "sentinel.conf").read_text()


def test_primary_killed_the_replica_is_promoted_and_a_restarted_sentinel_remembers_it(topology: Topology) -> None:
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
    topology.start_sentinel(restarted)
    wait_until(lambda: topology.master_as_seen_by(restarted)[1] == topology.replica.port, 20, "the restarted Sentinel")
    assert "keeping" in (restarted.directory / "sentinel.log").read_text()


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
