"""scripts/health-check.sh against the running stack: every format, quick and full, one service or all, a degraded
service, a stopped one, an unreachable gateway, bad usage; and clean under shellcheck."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack.config import REPO_ROOT, SERVICES, free_port
from devstack.stack import LocalStack
from devstack.testing import clean_environ

SCRIPT = REPO_ROOT / "scripts" / "health-check.sh"


def run(stack: LocalStack | None, *args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
    target = url or (stack.config.internal_url if stack else "")
    # /bin/sh (dash on Debian): the script is POSIX, no bash needed.
    return subprocess.run(["/bin/sh", str(SCRIPT), "--url", target, *args], capture_output=True, text=True,
                          timeout=60, env=clean_environ())  # fmt: skip


def test_shellcheck_finds_nothing() -> None:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run([shellcheck, "--shell=sh", str(SCRIPT)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout


def test_bad_usage_is_64_with_the_usage() -> None:
    for args in (["--format", "xml"], ["--service", "nosuch"], ["--timeout", "soon"], ["--what"]):
        result = run(None, *args, url="http://127.0.0.1:1")
        assert result.returncode == 64, (args, result.stdout, result.stderr)
        assert "--service NAME" in result.stderr


def test_an_unreachable_gateway_is_3() -> None:
    result = run(None, "--timeout", "2", url=f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 3, result.stdout
    assert result.stdout.strip().endswith("overall: unreachable")


@pytest.mark.stack
def test_every_service_healthy_in_the_console_with_each_check(stack: LocalStack) -> None:
    result = run(stack)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for service in SERVICES:
        assert any(line.split()[:2] == [service, "healthy"] for line in lines), (service, result.stdout)
    assert any(line.split()[:2] == ["database", "healthy"] for line in lines)
    assert lines[-1] == "overall: healthy"


@pytest.mark.stack
def test_one_service_as_json_with_its_checks_and_latencies(stack: LocalStack) -> None:
    result = run(stack, "--service", "search", "--format", "json")
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["status"] == "healthy" and report["mode"] == "full"
    [search] = report["services"]
    assert search["service"] == "search" and search["http_status"] == 200 and search["latency_ms"] > 0
    checks = {check["name"]: check for check in search["checks"]}
    assert {"database", "redis", "embedder", "listings"} <= set(checks)
    assert all(check["status"] == "healthy" and check["latency_ms"] >= 0 for check in checks.values())
    quick = json.loads(run(stack, "--service", "search", "--quick", "--format", "json").stdout)
    assert quick["mode"] == "quick" and quick["services"][0]["status"] == "healthy"
    assert quick["services"][0]["checks"] == []


@pytest.mark.stack
def test_prometheus_format_parses(stack: LocalStack) -> None:
    result = run(stack, "--format", "prometheus")
    assert result.returncode == 0, result.stdout + result.stderr
    families = {family.name: family for family in text_string_to_metric_families(result.stdout)}
    states = {sample.labels["service"]: sample.value for sample in families["osool_health_state"].samples}
    assert states == dict.fromkeys(SERVICES, 0.0)
    checks = families["osool_health_check_up"].samples
    assert any(s.labels == {"service": "chain", "check": "chain-node"} and s.value == 1 for s in checks)


@pytest.mark.stack
def test_a_degraded_and_a_stopped_service(stack: LocalStack) -> None:
    node = stack.program_pid("chain-node")
    os.kill(node, signal.SIGSTOP)  # the node frozen: chain's node check fails, chain is degraded
    try:
        result = run(stack, "--service", "chain", "--timeout", "10")
    finally:
        os.kill(node, signal.SIGCONT)
    assert result.returncode == 1, result.stdout
    assert result.stdout.splitlines()[0].split()[:2] == ["chain", "degraded"]
    assert any(line.split()[:2] == ["chain-node", "unhealthy"] for line in result.stdout.splitlines())

    stack.ctl("stop", "monitoring:*", check=True)
    try:
        everything = run(stack, "--quick")
        alone = run(stack, "--service", "search")
    finally:
        stack.ctl("start", "monitoring:*", check=True)
        stack.wait_healthy()
    assert everything.returncode == 3, everything.stdout
    assert any(line.split()[:2] == ["monitoring", "unreachable"] for line in everything.stdout.splitlines())
    assert any(line.split()[:2] == ["search", "healthy"] for line in everything.stdout.splitlines())
    assert alone.returncode == 0
