"""The Grafana dashboards of infrastructure/grafana: Grafana dashboard JSON whose every query parses in a real
Prometheus, provisioned against the global Prometheus; and, on a local stack driven through the gateway (searches,
sign-ins, chat turns against the OpenAI fake, a HOT lead, a viewing, a saved search, a reservation on chain), data
in every panel from the global Prometheus the datasource points at."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml

from devstack import observability
from devstack.config import REPO_ROOT, SERVICES, free_port
from devstack.fakes import FakeOpenAI, Reply, ToolCall
from devstack.stack import LocalStack
from devstack.testing import admin_headers, make_test_stack_config, outbox_link_token, running_stack, stack_root

GRAFANA_DIR = REPO_ROOT / "infrastructure" / "grafana"
DASHBOARD_FILES = sorted((GRAFANA_DIR / "dashboards").glob("*.json"))
DATASOURCE = {"type": "prometheus", "uid": "prometheus"}
PANEL_TYPES = {"timeseries", "stat", "table", "gauge"}
# Grafana's own variables as a Grafana with the datasource's 1 m timeInterval would fill them in over the last hour.
GRAFANA_BUILTINS = {"__rate_interval": "4m", "__interval": "1m", "__interval_ms": "60000", "__range": "1h",
                    "__range_s": "3600", "__range_ms": "3600000"}  # fmt: skip
LABEL_VALUES = re.compile(r"^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_]\w*)\s*\)$")
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)")
PASSWORD = "a long enough passphrase"
BUYER_HOT = "3 bedroom apartment in New Cairo under 8M, paying cash, ready to move. My number is 0100 555 7788"

needs_prometheus = pytest.mark.skipif(
    observability.find("prometheus") is None, reason=f"Prometheus is not installed: {observability.INSTALL_HINT}"
)


# -- reading the dashboards ----------------------------------------------------------------------------------------
def load(path: Path) -> dict[str, Any]:
    board: dict[str, Any] = json.loads(path.read_text())
    return board


def panels_of(board: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in board["panels"]:
        yield panel
        yield from panel.get("panels", [])  # a collapsed row keeps its panels inside it


def variables_of(board: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Each query variable's (metric, label) from its label_values() query."""
    found = {}
    for variable in board.get("templating", {}).get("list", []):
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        match = LABEL_VALUES.match(query.strip())
        assert match, f"{variable['name']}: only label_values(metric, label) variables are used here, not {query!r}"
        found[variable["name"]] = (match[1], match[2])
    return found


def render(expr: str, values: dict[str, str]) -> str:
    """The expression as Grafana sends it: its variables and Grafana's own replaced by these values."""

    def value(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        assert name in values, f"unknown variable ${name} in {expr!r}"
        return values[name]

    return VARIABLE.sub(value, expr)


def every_target() -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    for path in DASHBOARD_FILES:
        board = load(path)
        for panel in panels_of(board):
            for target in panel.get("targets", []):
                yield path.name, panel, target


def prometheus_query(url: str, expr: str) -> dict[str, Any]:
    body: dict[str, Any] = httpx.get(f"{url}/api/v1/query", params={"query": expr}, timeout=10).json()
    return body


# -- the files alone -----------------------------------------------------------------------------------------------
def test_five_dashboards_in_grafanas_model_with_unique_panel_ids_and_a_datasource_on_every_target() -> None:
    assert [path.name for path in DASHBOARD_FILES] == [
        "ai-cost.json", "business.json", "chain.json", "database.json", "red.json",
    ]  # fmt: skip
    uids = set()
    for path in DASHBOARD_FILES:
        board = load(path)  # valid JSON, or this raises
        assert board["uid"] not in uids and board["title"] and board["description"], path.name
        uids.add(board["uid"])
        assert 36 <= board["schemaVersion"] <= 41 and "osool" in board["tags"], path.name
        ids = [panel["id"] for panel in panels_of(board)]
        assert len(ids) == len(set(ids)), f"{path.name}: panel ids repeat: {sorted(ids)}"
        for panel in panels_of(board):
            where = f"{path.name} #{panel['id']} {panel.get('title')!r}"
            if panel["type"] == "row":
                continue
            assert panel["type"] in PANEL_TYPES, where
            assert panel["title"] and set(panel["gridPos"]) == {"h", "w", "x", "y"}, where
            assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24, where
            assert panel["datasource"] == DATASOURCE, where
            assert panel["targets"], f"{where}: no query"
            ref_ids = [target["refId"] for target in panel["targets"]]
            assert len(ref_ids) == len(set(ref_ids)), where
            for target in panel["targets"]:
                assert target["datasource"] == DATASOURCE, where
                assert target["expr"].strip(), where
                assert "or vector(0)" not in target["expr"].replace(" ", ""), f"{where}: data faked with vector(0)"
        for name, (metric, _) in variables_of(board).items():
            assert name not in GRAFANA_BUILTINS and metric, path.name


def test_every_osool_series_a_dashboard_reads_is_declared_by_a_service_or_recorded_by_a_rule() -> None:
    """Metric names come from the code (the pg_* ones from the exporter, checked against the stack below)."""
    declared = set()
    for source in REPO_ROOT.glob("services/*/osool_*/**/*.py"):
        declared |= set(re.findall(r"""["'](osool_[a-z0-9_]+)["']""", source.read_text()))
    rules = yaml.safe_load((REPO_ROOT / "infrastructure" / "prometheus" / "rules" / "recording.yml").read_text())
    recorded = {rule["record"] for group in rules["groups"] for rule in group["rules"]}
    unknown = set()
    for name, panel, target in every_target():
        for metric in re.findall(r"(?<![:\w])(osool_[a-z0-9_]+)(?![:\w])", target["expr"]):
            if metric not in declared and re.sub(r"_(bucket|sum|count)$", "", metric) not in declared:
                unknown.add(f"{name} {panel['title']!r}: {metric}")
        for rule in re.findall(r"(?<![\w:])([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)", target["expr"]):
            if rule not in recorded:
                unknown.add(f"{name} {panel['title']!r}: {rule}")
    assert not unknown, "\n".join(sorted(unknown))


def federated(series: dict[str, str]) -> bool:
    """Whether the global Prometheus's federation (global.yml's match[]) takes a series with these labels: some
    selector whose every matcher holds (each one a label, an operator among = != =~ !~, and a quoted value)."""
    config = yaml.safe_load((REPO_ROOT / "infrastructure" / "prometheus" / "global.yml").read_text())
    [federation] = [job for job in config["scrape_configs"] if job.get("metrics_path") == "/federate"]
    tests: dict[str, Callable[[str, str], bool]] = {
        "=": lambda v, x: v == x,
        "!=": lambda v, x: v != x,
        "=~": lambda v, x: re.fullmatch(x, v) is not None,
        "!~": lambda v, x: re.fullmatch(x, v) is None,
    }
    return any(
        all(tests[op](series.get(label, ""), value)
            for label, op, value in re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', selector))
        for selector in federation["params"]["match[]"]
    )  # fmt: skip


def test_the_global_prometheus_takes_every_series_a_dashboard_reads_and_no_histogram_bucket() -> None:
    """The dashboards read the global Prometheus, which federates a selection (global.yml says why): every raw series
    a panel names is in it; the buckets and the runtime series, a /federate's main cost, are not."""
    jobs = {"osool": "osool", "pg": "postgres", "redis": "valkey", "node": "node"}
    missing = set()
    for name, panel, target in every_target():
        for metric in re.findall(r"(?<![:\w])((?:osool|pg)_[a-z0-9_]+|up)(?![:\w])", target["expr"]):
            if not federated({"__name__": metric, "job": jobs.get(metric.split("_")[0], "osool")}):
                missing.add(f"{name} {panel['title']!r}: {metric}")
        for rule in re.findall(r"(?<![\w:])([a-z_]+:[a-z0-9_]+:[a-z0-9_]+)", target["expr"]):
            if not federated({"__name__": rule, "service": "search"}):
                missing.add(f"{name} {panel['title']!r}: {rule}")
    assert not missing, "read by a dashboard, not federated:\n" + "\n".join(sorted(missing))
    for series in ({"__name__": "osool_http_request_duration_seconds_bucket", "job": "osool"},
                   {"__name__": "osool_db_query_duration_seconds_bucket", "job": "osool"},
                   {"__name__": "python_gc_objects_collected_total", "job": "osool"},
                   {"__name__": "process_cpu_seconds_total", "job": "osool"},
                   {"__name__": "go_goroutines", "job": "postgres"},
                   {"__name__": "pg_settings_shared_buffers_bytes", "job": "postgres"},
                   {"__name__": "redis_latency_percentiles_usec", "job": "valkey"}):  # fmt: skip
        assert not federated(series), series
    for series in ({"__name__": "up", "job": "valkey"}, {"__name__": "osool_http_requests_total", "job": "osool"},
                   {"__name__": "osool_db_query_duration_seconds_count", "job": "osool"}):  # fmt: skip
        assert federated(series), series


def test_the_provisioning_reads_the_global_prometheus_and_loads_the_dashboards_folder() -> None:
    datasources = yaml.safe_load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text())
    [source] = datasources["datasources"]
    assert (source["type"], source["uid"]) == (DATASOURCE["type"], DATASOURCE["uid"])
    # The global Prometheus of the compose deployment: the service that runs infrastructure/prometheus/global.yml.
    compose = yaml.safe_load((REPO_ROOT / "docker-compose.scale.yml").read_text())["services"]
    host, port = re.fullmatch(r"http://([\w-]+):(\d+)", source["url"]).groups()  # type: ignore[union-attr]
    assert any("infrastructure/prometheus/global.yml" in volume for volume in compose[host]["volumes"])
    assert port == "9090"
    # Grafana's $__rate_interval is four of the datasource's timeInterval: it must be the global's own interval, or a
    # rate's window could hold a single federated point and a panel stay empty.
    federating = yaml.safe_load((REPO_ROOT / "infrastructure" / "prometheus" / "global.yml").read_text())["global"]
    assert source["jsonData"]["timeInterval"] == federating["scrape_interval"]
    providers = yaml.safe_load((GRAFANA_DIR / "provisioning" / "dashboards" / "osool.yml").read_text())["providers"]
    assert [(p["type"], p["options"]["path"]) for p in providers] == [("file", "/var/lib/grafana/dashboards/osool")]


# -- the queries against a real Prometheus ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bare_prometheus() -> Iterator[str]:
    """A Prometheus with nothing to scrape: its query API parses every expression."""
    binary = observability.find("prometheus")
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="osool-grafana-promql-") as root:
        config = Path(root) / "prometheus.yml"
        config.write_text("global:\n  scrape_interval: 15s\n")
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [binary, f"--config.file={config}", f"--storage.tsdb.path={root}/data",
                   f"--web.listen-address=127.0.0.1:{port}"]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/-/ready", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, "Prometheus did not start"
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=20)


@needs_prometheus
def test_every_query_parses_in_prometheus(bare_prometheus: str) -> None:
    failures = []
    for name, panel, target in every_target():
        expr = render(target["expr"], {**GRAFANA_BUILTINS, "service": "agent"})
        body = prometheus_query(bare_prometheus, expr)
        if body["status"] != "success":
            where = f"{name} {panel['title']!r} {target['refId']}"
            failures.append(f"{where}: {body.get('errorType')}: {body.get('error')}")
    for path in DASHBOARD_FILES:
        for metric, _ in variables_of(load(path)).values():
            assert prometheus_query(bare_prometheus, metric)["status"] == "success", metric
    # The check itself: a broken expression is refused as bad_data.
    assert prometheus_query(bare_prometheus, "sum(rate(osool_http_requests_total[1m])")["errorType"] == "bad_data"
    assert not failures, "\n".join(failures)


# -- every panel with data, on a stack driven through the gateway --------------------------------------------------
def consultant(*, invent: str = "") -> Callable[[dict[str, Any]], Reply]:
    """A scripted model: search for the buyer's words, then quote the first listing found (plus `invent`, a claim no
    tool result backs, which Amr's grounding check repairs); asked to rewrite, it repeats the claim."""

    def respond(body: dict[str, Any]) -> Reply:
        last = body["messages"][-1]
        if last["role"] == "tool":
            listings = json.loads(last["content"]).get("listings") or []
            if not listings:
                return Reply(text="Nothing matched yet.")
            first = listings[0]
            return Reply(text=f"The best match is {first['title']} at EGP {first['price']:,}. {invent}".strip())
        if "Rewrite" in str(last.get("content")):
            return Reply(text=invent or "Nothing more.")
        return Reply(text="\n\n", tool_calls=[ToolCall("search_properties", {"query": str(last["content"])})])

    return respond


@pytest.fixture(scope="module")
def dashboard_stack() -> Iterator[tuple[LocalStack, observability.Observability, FakeOpenAI]]:
    """A stack of its own with both Prometheus instances scraping every second, whose agent talks to the OpenAI
    fake (a model brain, so the spend and token series exist)."""
    fake = FakeOpenAI()
    with fake.server, stack_root() as root:
        config = make_test_stack_config(root)
        config.observability = True
        config.scrape_interval = "1s"
        config.env_file.parent.mkdir(parents=True, exist_ok=True)
        config.env_file.write_text(
            f"AGENT_BRAIN=openai\nOPENAI_API_KEY=sk-test-osool\nOPENAI_BASE_URL={fake.base_url}\nAGENT_MODEL=gpt-4o-mini\n"
            "DEMO_LISTINGS=500\n"
        )
        with running_stack(config) as stack:
            assert stack.observed is not None
            yield stack, stack.observed, fake


def person(stack: LocalStack, api: httpx.Client, label: str) -> tuple[str, str, dict[str, str]]:
    """A user signed up and verified from the outbox: (id, email, bearer header)."""
    email = f"{label}-{uuid.uuid4().hex[:8]}@osool-test.eg"
    assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    pair = api.post("/api/auth/verify-email", json={"token": outbox_link_token(stack, email, "verify-email")}).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    return api.get("/api/auth/me", headers=headers).json()["id"], email, headers


def chat(api: httpx.Client, message: str) -> dict[str, Any]:
    response = api.post("/api/chat", json={"message": message}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def sales_agent_on_duty(stack: LocalStack, api: httpx.Client, admin: dict[str, str]) -> None:
    """An agent on duty with viewing hours every day: HOT leads are assigned to them, buyers can book viewings."""
    agent_id, email, _ = person(stack, api, "dashboards-agent")
    role = api.put(f"/api/auth/admin/users/{agent_id}/role", json={"role": "agent"}, headers=admin)
    assert role.status_code == 200, role.text
    pair = api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).json()  # again, with the role
    staff = {"Authorization": f"Bearer {pair['access_token']}"}
    assert api.put("/api/leads/agents/me/duty", json={"on_duty": True}, headers=staff).status_code == 200
    hours = {"timezone": "Africa/Cairo", "slot_minutes": 60,
             "weekly": [{"weekday": day, "start": "09:00", "end": "12:00"} for day in range(7)]}  # fmt: skip
    assert api.put("/api/viewings/availability", json=hours, headers=staff).status_code == 200


def book_viewing(api: httpx.Client, buyer: dict[str, str], listing_id: str) -> None:
    """The first free slot from tomorrow (Cairo)."""
    tomorrow = (datetime.now(ZoneInfo("Africa/Cairo")) + timedelta(days=1)).date().isoformat()
    slots = api.get("/api/viewings/slots", params={"listing_id": listing_id, "from": tomorrow, "days": 2})
    assert slots.status_code == 200 and slots.json(), slots.text
    booking = {"listing_id": listing_id, "starts_at": slots.json()[0]["starts_at"]}
    booked = api.post("/api/viewings", json=booking, headers=buyer)
    assert booked.status_code == 201, booked.text


def reserve(api: httpx.Client, buyer: dict[str, str], listings: list[dict[str, Any]]) -> None:
    """A unit not yet on chain, reserved until the registry confirms it: a write, a transaction, its gas."""
    statuses = api.get("/api/chain/listings", params=[("id", row["id"]) for row in listings]).json()["listings"]
    free = next(s["listing_id"] for s in statuses if s["status"] == "not_registered" and not s["pending_status"])
    made = api.post("/api/reservations", json={"listing_id": free}, headers=buyer)
    assert made.status_code == 201, made.text
    deadline = time.monotonic() + 60
    while True:
        status = api.get(f"/api/reservations/{made.json()['id']}", headers=buyer).json()["status"]
        if status != "pending" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert status == "confirmed", status


def drive_traffic(stack: LocalStack, fake: FakeOpenAI) -> None:
    """What each panel's series needs to exist: every event the dashboards count, caused once for real."""
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as api:
        for query in ("apartment in New Cairo", "villa in Sheikh Zayed", "apartment in New Cairo", "chalet"):
            assert api.post("/api/properties/search", json={"query": query}).status_code == 200
        listings = api.post("/api/properties/search", json={"query": "apartment", "limit": 20}).json()["results"]
        admin = admin_headers(stack, "dashboards-admin")  # a password sign-in
        sales_agent_on_duty(stack, api, admin)
        # Amr with a model: a HOT buyer, a reply with an invented price (repaired), a failed model (rules fallback).
        fake.responder = consultant()
        hot = chat(api, BUYER_HOT)
        assert hot["brain"] == "openai" and hot["listings"], hot
        fake.responder = consultant(invent="The first one is only EGP 1,234,567 this week.")
        assert "1,234,567" not in chat(api, "apartment in New Cairo")["reply"]
        fake.responder = consultant()
        fake.fail_next(3, status=500)
        fallback = chat(api, "villa in Sheikh Zayed")
        fake.fail_next(0)
        assert fallback["brain"] == "rules" and fallback["usage"]["fallback"] == "model_error", fallback
        assert api.get("/api/leads", headers=admin).status_code == 200  # publishes the lead gauges
        _, _, buyer = person(stack, api, "dashboards-buyer")
        saved = api.post("/api/saved-searches", json={"query": "apartment in New Cairo"}, headers=buyer)
        assert saved.status_code == 201, saved.text
        book_viewing(api, buyer, listings[0]["id"])
        reserve(api, buyer, listings)


def variable_values(url: str, board: dict[str, Any]) -> dict[str, list[str]]:
    """What Grafana would offer for each variable, read from the same Prometheus."""
    values = {}
    for name, (metric, label) in variables_of(board).items():
        response = httpx.get(f"{url}/api/v1/label/{label}/values", params={"match[]": metric}, timeout=10)
        values[name] = response.json()["data"]
    return values


@needs_prometheus
@pytest.mark.stack
@pytest.mark.timeout(600)
def test_every_panel_shows_data_from_the_global_prometheus_after_real_traffic(
    dashboard_stack: tuple[LocalStack, observability.Observability, FakeOpenAI],
) -> None:
    stack, observed, fake = dashboard_stack
    # The database and Valkey panels read the exporters' series: without an exporter they could only be empty.
    missing = {"postgres-exporter", "redis-exporter"} - set(observed.ports)
    assert not missing, f"{sorted(missing)} not installed: {observability.INSTALL_HINT}"
    drive_traffic(stack, fake)
    url = observed.global_url  # where the datasource points: every series the dashboards read is federated
    # Every query with each value its variables can take (each service for $service).
    queries: dict[str, str] = {}
    deadline = time.monotonic() + 60
    while True:
        boards = {path.name: load(path) for path in DASHBOARD_FILES}
        values = {name: variable_values(url, board) for name, board in boards.items()}
        if set(values["red.json"]["service"]) >= set(SERVICES) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert set(values["red.json"]["service"]) >= set(SERVICES), values["red.json"]
    for name, board in boards.items():
        choices = values[name]
        for panel in panels_of(board):
            for target in panel.get("targets", []):
                used = [v for v in choices if re.search(rf"\$\{{?{v}\b|\[\[{v}\]\]", target["expr"])]
                for combination in itertools.product(*(choices[v] for v in used)):
                    bound = dict(zip(used, combination, strict=True))
                    label = f"{name} #{panel['id']} {panel['title']!r} {target['refId']} {bound or ''}".rstrip()
                    queries[label] = render(target["expr"], {**GRAFANA_BUILTINS, **bound})
    # Series appear a scrape after their event; the hourly spend is recorded once a minute, then federated.
    empty = dict(queries)
    deadline = time.monotonic() + 150
    while empty and time.monotonic() < deadline:
        for label, expr in list(empty.items()):
            body = prometheus_query(url, expr)
            assert body["status"] == "success", f"{label}: {body}"
            if body["data"]["result"]:
                del empty[label]
        time.sleep(2)
    assert not empty, "panels without data on the global Prometheus:\n" + "\n".join(
        f"{label}: {expr}" for label, expr in empty.items()
    )
