"""The Prometheus and Alertmanager configuration, checked with their own tools: promtool (configs, rules, and the
rules' unit tests: every alert fires on what should wake someone and stays quiet otherwise) and amtool."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from devstack.config import REPO_ROOT

PROMETHEUS = REPO_ROOT / "infrastructure" / "prometheus"
RULES = PROMETHEUS / "rules"
ALERTMANAGER_CONFIG = REPO_ROOT / "infrastructure" / "alertmanager" / "alertmanager.yml"
# The alerts the monitoring issue names, one rule each (more may come).
NAMED_ALERTS = {
    "ServiceDown", "ReplicaDown", "ErrorRatioHigh", "LatencyP95High", "PostgresDown", "PostgresConnectionsNearLimit",
    "PostgresCacheHitRatioLow", "PostgresReplicationLag", "ValkeyDown", "ValkeyMemoryHigh", "CircuitBreakerOpen",
    "AISpendOverDailyBudget", "AICostSpike", "ChainNodeDown", "ChainIndexerLag", "ChainOutboxBacklog",
    "SearchLatencyHigh", "GroundingRepairsRising", "SignInFailureSpike", "OTPSendSpike", "HotLeadsNotContacted",
    "DiskSpaceLow",
}  # fmt: skip


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        # .ci/run installs them (apt-get install prometheus prometheus-alertmanager): a missing tool is a failure there.
        pytest.fail(f"{name} is not on PATH: apt-get install prometheus prometheus-alertmanager")
    return found


def _run(*argv: str) -> str:
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def _alerts() -> list[dict[str, Any]]:
    groups = yaml.safe_load((RULES / "alerts.yml").read_text())["groups"]
    return [rule for group in groups for rule in group["rules"] if "alert" in rule]


@pytest.mark.parametrize("config", ["prometheus.yml", "global.yml"])
def test_promtool_accepts_each_prometheus_config(config: str) -> None:
    output = _run(_tool("promtool"), "check", "config", str(PROMETHEUS / config))
    assert "SUCCESS" in output


def test_promtool_accepts_the_rules() -> None:
    output = _run(_tool("promtool"), "check", "rules", str(RULES / "recording.yml"), str(RULES / "alerts.yml"))
    assert f"SUCCESS: {len(_alerts())} rules found" in output


def test_every_alert_and_recording_rule_passes_its_unit_tests() -> None:
    tests = sorted((RULES / "tests").glob("*.yml"))
    assert len(tests) >= 2
    output = _run(_tool("promtool"), "test", "rules", *map(str, tests))
    assert output.count("SUCCESS") == len(tests)


def test_the_rules_unit_tests_fail_when_an_alert_is_lost(tmp_path: Path) -> None:
    """The unit tests are not vacuous: without the ServiceDown rule, promtool test rules fails."""
    groups = yaml.safe_load((RULES / "alerts.yml").read_text())
    for group in groups["groups"]:
        group["rules"] = [rule for rule in group["rules"] if rule.get("alert") != "ServiceDown"]
    (tmp_path / "alerts.yml").write_text(yaml.safe_dump(groups))
    shutil.copy(RULES / "recording.yml", tmp_path / "recording.yml")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "alerts_test.yml").write_text((RULES / "tests" / "alerts_test.yml").read_text())
    result = subprocess.run(
        [_tool("promtool"), "test", "rules", str(tmp_path / "tests" / "alerts_test.yml")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "ServiceDown" in result.stdout + result.stderr


def test_at_least_twenty_alerts_each_with_severity_runbook_and_both_cases_tested() -> None:
    alerts = _alerts()
    names = [rule["alert"] for rule in alerts]
    assert len(names) == len(set(names)) >= 20
    assert NAMED_ALERTS <= set(names)
    for rule in alerts:
        assert rule["labels"]["severity"] in {"critical", "warning"}, rule["alert"]
        for annotation in ("summary", "description", "runbook"):
            assert rule["annotations"].get(annotation, "").strip(), (rule["alert"], annotation)
    tests = yaml.safe_load((RULES / "tests" / "alerts_test.yml").read_text())["tests"]
    fires: set[str] = set()
    quiet: set[str] = set()
    for group in tests:
        for case in group["alert_rule_test"]:
            (fires if case["exp_alerts"] else quiet).add(case["alertname"])
    assert set(names) <= fires, set(names) - fires
    assert set(names) <= quiet, set(names) - quiet


def test_amtool_accepts_the_alertmanager_config() -> None:
    output = _run(_tool("amtool"), "check-config", str(ALERTMANAGER_CONFIG))
    assert "SUCCESS" in output


def test_alertmanager_sends_every_alert_and_its_resolution_to_the_monitoring_webhook() -> None:
    config = yaml.safe_load(ALERTMANAGER_CONFIG.read_text())
    receivers = {receiver["name"]: receiver for receiver in config["receivers"]}
    routes = [config["route"], *config["route"].get("routes", [])]
    assert {route["receiver"] for route in routes} == {"monitoring"}
    [webhook] = receivers["monitoring"]["webhook_configs"]
    assert webhook["send_resolved"] is True
    assert webhook["url"].endswith("/monitoring/api/monitoring/internal/alerts")
    # Severity decides how fast and how often: critical at once and hourly, warnings grouped longer.
    by_severity = {route["matchers"][0]: route for route in config["route"]["routes"]}
    assert by_severity['severity="critical"']["repeat_interval"] == "1h"
    inhibited = {rule["source_matchers"][0]: rule for rule in config["inhibit_rules"]}
    assert inhibited['alertname="ServiceDown"']["equal"] == ["service"]
