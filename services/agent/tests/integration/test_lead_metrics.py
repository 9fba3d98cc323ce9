"""The lead metrics of an agent process of the test's own (rules brain, one worker, its own multiprocess directory, so
every figure is this module's), on the stack's PostgreSQL, Valkey and services: lead scoring time per turn, the
sellers' qualification rate as the database holds it, and the intent accuracy of the latest lead evaluation."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from prometheus_client.parser import text_string_to_metric_families

from devstack.stack import LocalStack
from devstack.testing import ServiceProcess, admin_headers

pytestmark = pytest.mark.stack
SELLER_TURNS = (
    "I want to sell my apartment in Sheikh Zayed",
    "we are moving abroad for work",
    "as soon as possible",
    "fully finished, we never lived in it",
    "I'm hoping for 6 million",
)


def write_report(path: Path, rules: float, model: float | None = None, finished_at: str | None = None) -> None:
    """A report shaped as `make eval-leads` writes it (osool_agent.leads.evaluation)."""
    readers: dict[str, dict[str, object]] = {
        "rules": {"all": {"utterances": 221, "intent_accuracy": rules}, "en": {"intent_accuracy": rules - 0.01},
                  "ar": {"intent_accuracy": rules + 0.01}, "misses": []},
    }  # fmt: skip
    if model is not None:
        readers["model"] = {"all": {"utterances": 40, "intent_accuracy": model}, "misses": []}
    report: dict[str, object] = {"eval_set": "leads.jsonl", "utterances": 221, "readers": readers}
    if finished_at:
        report["finished_at"] = finished_at
    path.write_text(json.dumps(report))


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("eval") / "eval-leads.json"
    write_report(path, rules=0.9, model=0.125)
    return path


@pytest.fixture(scope="module")
def agent(stack: LocalStack, report: Path) -> Iterator[ServiceProcess]:
    process = ServiceProcess(stack, "osool_agent", AGENT_BRAIN="rules", INTENT_EVALUATION_FILE=str(report)).start()
    try:
        yield process
    finally:
        process.stop()


def samples(agent: ServiceProcess) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    text = httpx.get(f"{agent.url}/metrics", timeout=10).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(agent: ServiceProcess, name: str, **labels: str) -> float | None:
    return samples(agent).get((name, frozenset(labels.items())))


def chat(agent: ServiceProcess, message: str, session: dict[str, str]) -> None:
    body, headers = {"message": message}, {"Accept": "application/json"}
    if session:
        body["session_id"] = session["session_id"]
        headers["X-Session-Secret"] = session["secret"]
    response = httpx.post(f"{agent.url}/api/chat", json=body, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    reply = response.json()
    if not session:  # the first turn opens the session and gives its secret
        session.update(session_id=reply["session_id"], secret=reply["session_secret"])


def published_rate(agent: ServiceProcess, admin: dict[str, str]) -> float | None:
    """The rate after the leads list was read (the list publishes the lead gauges from the database)."""
    assert httpx.get(f"{agent.url}/api/leads", headers=admin, timeout=30).status_code == 200
    return value(agent, "osool_agent_seller_qualification_rate")


def sellers_in_database(stack_env: dict[str, str]) -> tuple[int, int]:
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        row = connection.execute(
            "SELECT count(*) FILTER (WHERE kind = 'seller'), count(*) FILTER (WHERE kind = 'seller' AND motivation "
            "IS NOT NULL AND timeline IS NOT NULL AND condition IS NOT NULL AND price_expectation IS NOT NULL) "
            "FROM agent.leads"
        ).fetchone()
    assert row is not None
    return row[0], row[1]


def test_each_turn_is_scored_once_and_the_seller_rate_follows_the_database(
    stack: LocalStack, stack_env: dict[str, str], agent: ServiceProcess
) -> None:
    admin = admin_headers(stack, "lead-metrics-admin")
    before = samples(agent)
    session: dict[str, str] = {}
    chat(agent, SELLER_TURNS[0], session)
    sellers, qualified = sellers_in_database(stack_env)
    unanswered = published_rate(agent, admin)
    assert unanswered == pytest.approx(qualified / sellers)
    for message in SELLER_TURNS[1:]:
        chat(agent, message, session)
    assert sellers_in_database(stack_env) == (sellers, qualified + 1)  # the same seller, now with its four answers
    answered = published_rate(agent, admin)
    assert answered is not None and unanswered is not None
    assert answered == pytest.approx((qualified + 1) / sellers) and answered > unanswered
    after = samples(agent)
    scored = after[("osool_agent_lead_scoring_seconds_count", frozenset())] - before.get(
        ("osool_agent_lead_scoring_seconds_count", frozenset()), 0.0
    )
    spent = after[("osool_agent_lead_scoring_seconds_sum", frozenset())] - before.get(
        ("osool_agent_lead_scoring_seconds_sum", frozenset()), 0.0
    )
    assert scored == len(SELLER_TURNS) and 0 < spent < 60


def test_the_intent_accuracy_is_the_latest_evaluations_and_follows_a_new_report(
    agent: ServiceProcess, report: Path
) -> None:
    name = "osool_agent_intent_accuracy"
    assert value(agent, name, reader="rules", lang="all") == pytest.approx(0.9)
    assert value(agent, name, reader="rules", lang="ar") == pytest.approx(0.91)
    assert value(agent, name, reader="model", lang="all") == pytest.approx(0.125)
    assert value(agent, "osool_agent_intent_evaluation_timestamp_seconds") is None  # this report did not say when

    write_report(report, rules=0.964, model=0.2, finished_at="2026-11-30T12:00:00+00:00")
    stat = report.stat()
    os.utime(report, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # a later write, whatever the clock
    assert value(agent, name, reader="rules", lang="all") == pytest.approx(0.964)
    assert value(agent, name, reader="model", lang="all") == pytest.approx(0.2)
    assert value(agent, "osool_agent_intent_evaluation_timestamp_seconds") == 1_796_040_000
