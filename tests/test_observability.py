"""The local stack's monitoring programs: the per-host Prometheus scrapes every replica (labelled by service and
replica) and the exporters, the global one federates it, Alertmanager runs; all rendered from infrastructure/."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
import pytest
import yaml

from devstack import observability
from devstack.config import SERVICES
from devstack.stack import LocalStack
from devstack.testing import admin_headers, make_test_stack_config, read_outbox, running_stack, stack_root

needs_prometheus = pytest.mark.skipif(
    observability.find("prometheus") is None, reason=f"Prometheus is not installed: {observability.INSTALL_HINT}"
)


def query(url: str, promql: str) -> list[dict[str, Any]]:
    response = httpx.get(f"{url}/api/v1/query", params={"query": promql}, timeout=10)
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["data"]["result"]
    return result


def wait_query(url: str, promql: str, done: Any, what: str, timeout: float = 90) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while True:
        result = query(url, promql)
        if done(result):
            return result
        assert time.monotonic() < deadline, f"not within {timeout:g}s: {what}; last answer {result}"
        time.sleep(1)


@pytest.fixture(scope="module")
def observed_stack() -> Iterator[tuple[LocalStack, observability.Observability]]:
    with stack_root() as root:
        config = make_test_stack_config(root)
        config.observability = True
        config.scrape_interval = "1s"
        with running_stack(config) as stack:
            assert stack.observed is not None
            yield stack, stack.observed


@needs_prometheus
@pytest.mark.stack
def test_the_global_prometheus_returns_the_request_rate_of_every_service(
    observed_stack: tuple[LocalStack, observability.Observability],
) -> None:
    stack, observed = observed_stack
    for _ in range(5):  # traffic for every service, through the internal gateway
        for service in SERVICES:
            assert httpx.get(f"{stack.config.internal_url}/{service}/health/live").status_code == 200
    rates = wait_query(
        observed.global_url, "service:osool_http_requests:rate5m",
        lambda result: {r["metric"].get("service") for r in result if float(r["value"][1]) > 0} >= set(SERVICES),
        # Recorded every minute (the group's own interval, whatever the stack's scrape interval), then federated.
        "a request rate for every service on the global Prometheus", timeout=150,
    )  # fmt: skip
    # One series per service: each host's recording, federated with its host label (the global records nothing again).
    assert sorted(r["metric"]["service"] for r in rates) == sorted(SERVICES)
    assert all(r["metric"].get("host") for r in rates)
    # Federated with its labels: the per-host instance's `host`, and each replica's own series.
    replicas = query(observed.global_url, 'up{job="osool"}')
    assert {(r["metric"]["service"], r["metric"]["replica"]) for r in replicas} == {
        (service, str(index + 1)) for service in SERVICES for index in range(stack.config.replicas_of(service))
    }
    assert all(r["metric"].get("host") for r in replicas)
    # A selection, not everything (global.yml): the histogram buckets and the runtime series stay on the host.
    assert query(observed.prometheus_url, 'count({__name__=~".+_bucket", job="osool"})')
    assert query(observed.global_url, 'osool_http_requests_total{job="osool"}')
    assert not query(observed.global_url, '{__name__=~".+_bucket|python_.+|go_.+|process_.+", job!="prometheus"}')


@needs_prometheus
@pytest.mark.stack
def test_the_per_host_prometheus_scrapes_every_replica_and_the_exporters_and_loads_the_rules(
    observed_stack: tuple[LocalStack, observability.Observability],
) -> None:
    stack, observed = observed_stack
    up = wait_query(
        observed.prometheus_url, "up", lambda result: len(result) >= sum(map(stack.config.replicas_of, SERVICES)),
        "every target scraped",
    )  # fmt: skip
    assert all(r["value"][1] == "1" for r in up), [r["metric"] for r in up if r["value"][1] != "1"]
    jobs = {r["metric"]["job"] for r in up}
    assert "osool" in jobs and "prometheus" not in jobs
    # Its own metrics are scraped by the global one, not stored on the host.
    watched = wait_query(observed.global_url, 'up{job="prometheus"}', bool, "the per-host one seen by the global")
    assert [r["metric"]["instance"] for r in watched] == [observed.prometheus_url.removeprefix("http://")]
    assert watched[0]["value"][1] == "1"
    assert query(observed.global_url, 'prometheus_rule_evaluations_total{job="prometheus"}')
    if "postgres-exporter" in observed.ports:
        wait_query(observed.prometheus_url, "pg_up == 1", bool, "PostgreSQL seen by its exporter")
        # Of the settings, the one a rule reads (postgres-exporter-queries.yml), with the server's value.
        settings = query(observed.prometheus_url, '{__name__=~"pg_settings_.+", job="postgres"}')
        with psycopg.connect(stack.env["DATABASE_URL"]) as connection:
            row = connection.execute("SELECT current_setting('max_connections')::float").fetchone()
        assert row is not None
        assert [(r["metric"]["__name__"], float(r["value"][1])) for r in settings] == [
            ("pg_settings_max_connections", row[0])
        ]
        # The databases' sizes but the templates'.
        sizes = query(observed.prometheus_url, 'pg_database_size_bytes{job="postgres"}')
        assert urlsplit(stack.env["DATABASE_URL"]).path.strip("/") in {r["metric"]["datname"] for r in sizes}
        assert not [r for r in sizes if r["metric"]["datname"].startswith("template") or float(r["value"][1]) <= 0]
        # Kept five minutes by the exporter (cache_seconds): a database that grew by megabytes since is not sized
        # again at the next scrape, while the server itself says it grew.
        exporter = f"http://127.0.0.1:{observed.ports['postgres-exporter']}/metrics"
        database = urlsplit(stack.env["DATABASE_URL"]).path.strip("/")

        def exported_size() -> float:
            lines = httpx.get(exporter, timeout=30).text.splitlines()
            [size] = [line.split()[-1] for line in lines
                      if line.startswith("pg_database_size_bytes{") and f'datname="{database}"' in line]  # fmt: skip
            return float(size)

        first = exported_size()
        with psycopg.connect(stack.env["DATABASE_URL"], autocommit=True) as connection:
            connection.execute("CREATE TABLE size_cache_probe AS SELECT repeat('x', 500) AS filler "
                               "FROM generate_series(1, 20000)")  # fmt: skip
            try:
                grown = connection.execute("SELECT pg_database_size(current_database())::float").fetchone()
                assert grown is not None and grown[0] > first + 5_000_000
                assert exported_size() == first
            finally:
                connection.execute("DROP TABLE size_cache_probe")
    if "redis-exporter" in observed.ports:
        wait_query(observed.prometheus_url, "redis_up == 1", bool, "Valkey seen by its exporter")
    if "node-exporter" in observed.ports:
        # Among the few collectors it runs (observability.NODE_COLLECTORS): the disks DiskSpaceLow reads.
        wait_query(observed.prometheus_url, "node_filesystem_avail_bytes", bool, "the disks seen by its exporter")
    rules = httpx.get(f"{observed.prometheus_url}/api/v1/rules", timeout=10).json()["data"]["groups"]
    alerts = {rule["name"] for group in rules for rule in group["rules"] if rule["type"] == "alerting"}
    assert {"ServiceDown", "ReplicaDown", "PostgresDown", "ValkeyDown"} <= alerts and len(alerts) >= 20
    if observed.alertmanager_url:
        assert httpx.get(f"{observed.alertmanager_url}/-/ready", timeout=10).status_code == 200
        targets = httpx.get(f"{observed.prometheus_url}/api/v1/alertmanagers", timeout=10).json()["data"]
        assert [a["url"].split("/api/")[0] for a in targets["activeAlertmanagers"]] == [observed.alertmanager_url]
    assert "Prometheus (global)" in stack.addresses()


@needs_prometheus
@pytest.mark.stack
def test_a_rewritten_targets_file_is_scraped_at_once_though_prometheus_rereads_it_only_every_five_minutes(
    observed_stack: tuple[LocalStack, observability.Observability],
) -> None:
    """The launcher rewrites the targets file when the replicas change; Prometheus's watch sees the new one at once,
    so it need not re-read the file (and re-sync every target) every few seconds."""
    stack, observed = observed_stack
    rendered = yaml.safe_load((stack.config.state_dir / "observability" / "prometheus.yml").read_text())
    [sd] = next(job for job in rendered["scrape_configs"] if job["job_name"] == "osool")["file_sd_configs"]
    assert sd["refresh_interval"] == observability.TARGETS_REFRESH == "5m"
    path = observability.targets_file(stack.config)
    written = path.read_text()
    extra = {"targets": ["127.0.0.1:9"], "labels": {"service": "rewritten", "replica": "1"}}

    def rewritten_targets() -> list[dict[str, Any]]:
        active = httpx.get(f"{observed.prometheus_url}/api/v1/targets", timeout=10).json()["data"]["activeTargets"]
        return [t for t in active if t["labels"].get("service") == "rewritten"]

    observability.replace_file(path, json.dumps([*json.loads(written), extra]))
    try:
        deadline = time.monotonic() + 30
        while not rewritten_targets():
            assert time.monotonic() < deadline, "the rewritten targets file was not read within 30 s"
            time.sleep(0.5)
    finally:
        observability.replace_file(path, written)
    deadline = time.monotonic() + 30
    while rewritten_targets():
        assert time.monotonic() < deadline, "the restored targets file was not read within 30 s"
        time.sleep(0.5)
    assert not list(path.parent.glob(".targets.json.*")), "a staged file was left behind"


def wait_alert(stack: LocalStack, headers: dict[str, str], status: str, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        items = httpx.get(f"{stack.config.public_url}/api/monitoring/alerts", params={"status": status},
                          headers=headers, timeout=10).json()["items"]  # fmt: skip
        found = [a for a in items if a["alertname"] == "ServiceDown" and a["service"] == "chat-history"]
        if found and found[0]["notified_" + status + "_at"]:
            return dict(found[0])
        assert time.monotonic() < deadline, f"no {status} ServiceDown for chat-history within {timeout:g}s"
        time.sleep(2)


@needs_prometheus
@pytest.mark.stack
def test_a_stopped_service_reaches_the_webhook_as_service_down_and_resolves_when_back(
    observed_stack: tuple[LocalStack, observability.Observability],
) -> None:
    """The whole chain: Prometheus sees every replica of chat-history fail its scrape, ServiceDown fires after its
    minute, Alertmanager delivers it to the monitoring service, which stores it and emails the administrators (the
    outbox); started again, the alert resolves and that is stored and told too."""
    stack, observed = observed_stack
    if observed.alertmanager_url is None:
        pytest.skip("Alertmanager is not installed: apt-get install prometheus-alertmanager")
    headers = admin_headers(stack, "on-call")
    email = httpx.get(f"{stack.config.public_url}/api/auth/me", headers=headers, timeout=30).json()["email"]
    stack.ctl("stop", "chat-history:*", check=True)
    try:
        fired = wait_alert(stack, headers, "firing", timeout=150)  # `for: 1m`, then Alertmanager's group_wait
    finally:
        stack.ctl("start", "chat-history:*", check=True)
    assert fired["severity"] == "critical" and fired["labels"]["alertname"] == "ServiceDown"
    subjects = [m.get("subject", "") for m in read_outbox(stack, email)]
    assert "[CRITICAL] ServiceDown: chat-history: no replica answers its scrape" in subjects, subjects
    resolved = wait_alert(stack, headers, "resolved", timeout=150)
    assert resolved["id"] == fired["id"] and resolved["resolved_at"] and resolved["ends_at"]
    subjects = [m.get("subject", "") for m in read_outbox(stack, email)]
    assert "[RESOLVED] ServiceDown: chat-history: no replica answers its scrape" in subjects, subjects


@needs_prometheus
def test_the_rendered_configs_pass_promtool_and_amtool(tmp_path: Path) -> None:
    config = make_test_stack_config(tmp_path)
    config.replica_ports = {service: [9000 + i, 9100 + i] for i, service in enumerate(SERVICES)}
    plan = observability.plan(config, iter(range(20000, 20010)).__next__)
    assert plan is not None
    observability.write_configs(config, plan, {"OSOOL_SERVICE_KEY": "k" * 32}, lambda p, t: p.write_text(t))
    state = config.state_dir / "observability"
    for name in ("prometheus.yml", "global.yml"):
        result = subprocess.run(["promtool", "check", "config", str(state / name)], capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    if plan.alertmanager_url:
        result = subprocess.run(["amtool", "check-config", str(state / "alertmanager.yml")], capture_output=True,
                                text=True)  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr
        assert (
            f"{config.internal_url}/monitoring/api/monitoring/internal/alerts"
            in (state / "alertmanager.yml").read_text()
        )
    targets = (state / "targets.json").read_text()
    assert '"service": "chat-history"' in targets and '"replica": "2"' in targets
    # Every replica scraped at the stack's interval; the global federates at twice it.
    per_host, federating = (
        yaml.safe_load((state / name).read_text())["global"] for name in ("prometheus.yml", "global.yml")
    )
    assert (per_host["scrape_interval"], federating["scrape_interval"]) == ("30s", "60s")


def test_without_prometheus_the_stack_plans_none_and_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    config = make_test_stack_config(Path("/nonexistent"))
    config.observability = True
    assert observability.plan(config, lambda: 1) is None
    assert "apt-get install prometheus prometheus-alertmanager" in observability.INSTALL_HINT
