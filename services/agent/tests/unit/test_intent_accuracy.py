"""The report `make eval-leads` leaves in the checkout is the one the agent publishes as osool_agent_intent_accuracy."""

from __future__ import annotations

import json

from osool_agent.leads.accuracy import read_report
from osool_agent.settings import DEFAULT_INTENT_EVALUATION


def test_the_checked_in_lead_evaluation_gives_an_accuracy_per_reader_and_language() -> None:
    figures, _ = read_report(DEFAULT_INTENT_EVALUATION)
    assert {("rules", "all"), ("rules", "en"), ("rules", "ar")} <= set(figures)
    assert all(0.0 <= accuracy <= 1.0 for accuracy in figures.values())
    report = json.loads(DEFAULT_INTENT_EVALUATION.read_text(encoding="utf-8"))
    assert figures[("rules", "all")] == report["readers"]["rules"]["all"]["intent_accuracy"]
