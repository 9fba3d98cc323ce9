"""Statement labels name the verb and the first table, never a literal, and a histogram keyed by them stays bounded."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry, Histogram

from osool_common.metrics import OTHER_LABEL, BoundedHistogram
from osool_common.statement_labels import UNPARSED, statement_label


@pytest.mark.parametrize(
    ("sql", "label"),
    [
        ("SELECT id, price FROM properties WHERE location = $1 AND price < $2", "SELECT properties"),
        ("select count(*) from leads l join lead_events e on e.lead_id = l.id", "SELECT leads"),
        # A CTE's name is not a table: the first table is the one the CTE reads.
        (
            "WITH nearest AS (SELECT id FROM properties ORDER BY embedding <=> $1 LIMIT 40) "
            "SELECT p.id FROM nearest n JOIN properties p USING (id)",
            "SELECT properties",
        ),
        ("INSERT INTO leads (session_id) VALUES ($1) ON CONFLICT DO NOTHING RETURNING id", "INSERT leads"),
        (
            "WITH moved AS (DELETE FROM holds WHERE at < now() RETURNING *) INSERT INTO released SELECT * FROM moved",
            "INSERT released",
        ),
        ("UPDATE agent.leads SET notified_at = now() WHERE id = $1", "UPDATE leads"),
        ("DELETE FROM sessions WHERE expires_at < now()", "DELETE sessions"),
        ("SELECT pg_advisory_xact_lock(hashtext($1))", "SELECT pg_advisory_xact_lock"),
        ("SELECT 1", "SELECT"),
        ("BEGIN ISOLATION LEVEL SERIALIZABLE;", "BEGIN"),
        ("  -- the reader's timeout\n SET LOCAL statement_timeout = 1000", "SET"),
        # asyncpg's reset of a released connection is several statements in one text.
        (
            "SELECT pg_advisory_unlock_all();\nCLOSE ALL;\nUNLISTEN *;\nRESET ALL;",
            "SELECT pg_advisory_unlock_all; CLOSE; UNLISTEN; RESET",
        ),
        ("SELEC broken", UNPARSED),
    ],
)
def test_a_statement_is_labelled_by_its_verb_and_first_table(sql: str, label: str) -> None:
    assert statement_label(sql) == label


def test_literals_never_reach_the_label() -> None:
    label = statement_label("SELECT * FROM users WHERE email = 'someone@example.com' AND phone = '+201005557788'")
    assert label == "SELECT users"
    assert statement_label("SELECT 'FROM secrets' AS trick") == "SELECT"


def test_past_the_limit_new_labels_are_counted_as_other() -> None:
    registry = CollectorRegistry()
    histogram = Histogram("t_duration_seconds", "test", ["service", "statement"], registry=registry)
    bounded = BoundedHistogram(histogram, "svc", limit=3)
    for index in range(10):
        bounded.observe(f"SELECT table_{index}", 0.001)
    bounded.observe("SELECT table_0", 0.001)  # a label seen before the limit keeps its own series

    def count(statement: str) -> float | None:
        return registry.get_sample_value("t_duration_seconds_count", {"service": "svc", "statement": statement})

    assert [count(f"SELECT table_{i}") for i in range(4)] == [2.0, 1.0, 1.0, None]
    assert count(OTHER_LABEL) == 7.0
