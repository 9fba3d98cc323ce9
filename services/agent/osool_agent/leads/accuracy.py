"""osool_agent_intent_accuracy: the intent accuracy of the latest labelled lead evaluation (`make eval-leads`), read
from its report and read again at a scrape when the file changed."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path

from osool_agent import metrics
from osool_common.logging import get_logger

log = get_logger(__name__)


def read_report(path: Path) -> tuple[dict[tuple[str, str], float], float | None]:
    """Intent accuracy by (reader, part) — reader `rules` or `model`, part `all`, `en` or `ar` — and when the
    evaluation finished (None in a report written before it said so)."""
    report = json.loads(path.read_text(encoding="utf-8"))
    figures = {
        (reader, part): float(values["intent_accuracy"])
        for reader, parts in report["readers"].items()
        for part, values in parts.items()
        if isinstance(values, dict) and "intent_accuracy" in values
    }
    finished = report.get("finished_at")
    return figures, datetime.fromisoformat(finished).timestamp() if finished else None


class IntentAccuracy:
    """The gauges follow the report file: published at start, and again by a scrape that finds the file changed.

    Why the evaluation's report and not a figure computed here: the labelled set is read through the search service's
    parser over the gateway (221 utterances) and, for the model reader, by the model itself; that is the evaluation's
    job, run on purpose, and its report is the latest measured truth. No report (a container without bench/), no
    gauge: nothing is claimed that was not measured."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: int | None = None  # the report's mtime when last read (-1: found missing)

    async def refresh(self) -> None:
        try:
            modified = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            if self._seen is None:
                log.info("agent.intent_evaluation_missing", path=str(self.path), hint="run make eval-leads")
                self._seen = -1
            return
        if modified == self._seen:
            return
        try:
            figures, finished = read_report(self.path)
        except (OSError, ValueError, KeyError, TypeError) as exc:
            log.warning("agent.intent_evaluation_unreadable", path=str(self.path), error=repr(exc))
            self._seen = modified
            return
        # A reader that a later report leaves out keeps its figure until the workers restart (multiprocess files
        # cannot forget a series); each report so far has had the rules reader.
        for (reader, part), accuracy in figures.items():
            metrics.INTENT_ACCURACY.labels(reader, part).set(accuracy)
        if finished is not None:
            metrics.INTENT_EVALUATION_TIME.set(finished)
        self._seen = modified
        log.info("agent.intent_evaluation_read", path=str(self.path), readers=sorted({r for r, _ in figures}))
