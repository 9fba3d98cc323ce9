"""`make eval-leads`: the labelled buyer and seller utterances of eval/leads.jsonl read by the rules (the search
parser through the gateway, then the lead slot rules) and, when a model is configured, by the model's qualify_lead
tool; intent accuracy and slot F1 printed per reader and language, and written as JSON."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import sys
import time
from collections import defaultdict
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from osool_agent.leads.slots import LeadSlots, read_slots
from osool_common.gateway_client import async_gateway_client

EVAL_FILE = Path(__file__).resolve().parents[2] / "eval" / "leads.jsonl"
GOAL = 0.90
# The labelled set states slots as a listener would; contact details are not labelled.
SCORED_SLOTS = (
    "budget_min", "budget_max", "areas", "types", "bedrooms", "timeline", "financing", "purpose", "motivation",
    "condition", "price_expectation",
)  # fmt: skip


def load(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def pairs(slots: dict[str, Any]) -> set[tuple[str, str]]:
    """Slots as (name, value) pairs, a list giving one pair per element, so F1 counts each area and type."""
    out: set[tuple[str, str]] = set()
    for name in SCORED_SLOTS:
        value = slots.get(name)
        if value is None:
            continue
        for element in value if isinstance(value, list) else [value]:
            out.add((name, str(element)))
    return out


class Tally:
    def __init__(self) -> None:
        self.count = self.intent_right = self.tp = self.fp = self.fn = 0
        self.misses: list[dict[str, Any]] = []

    def add(self, item: dict[str, Any], predicted: dict[str, Any]) -> None:
        self.count += 1
        right = predicted.get("intent") == item["intent"]
        self.intent_right += right
        expected, got = pairs(item.get("slots", {})), pairs(predicted)
        self.tp += len(expected & got)
        self.fp += len(got - expected)
        self.fn += len(expected - got)
        if not right or expected != got:
            self.misses.append({
                "id": item["id"], "text": item["text"], "intent": [item["intent"], predicted.get("intent")],
                "missing": sorted(map(list, expected - got)), "extra": sorted(map(list, got - expected)),
            })  # fmt: skip

    def figures(self) -> dict[str, Any]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "utterances": self.count, "intent_accuracy": round(self.intent_right / max(self.count, 1), 3),
            "slot_precision": round(precision, 3), "slot_recall": round(recall, 3), "slot_f1": round(f1, 3),
        }  # fmt: skip


async def rules_reading(client: httpx.AsyncClient, item: dict[str, Any], today: date) -> dict[str, Any]:
    response = await client.post("/api/properties/parse", json={"query": item["text"][:500]})
    response.raise_for_status()
    context = item.get("context")
    return read_slots(item["text"], response.json(), context=context, today=today).stated()


async def model_reading(item: dict[str, Any]) -> dict[str, Any]:
    """The model's qualify_lead call for one utterance (the same tool schema Amr's model brains get)."""
    from pydantic_ai.direct import model_request
    from pydantic_ai.messages import ModelRequest, ToolCallPart, UserPromptPart
    from pydantic_ai.models import ModelRequestParameters
    from pydantic_ai.tools import ToolDefinition
    from redis.asyncio import Redis

    from osool_agent.brains.openai_compatible import local_brain, openai_brain
    from osool_agent.settings import Settings
    from osool_agent.tools.catalog import tool_schema
    from osool_common.breaker import CircuitBreaker

    settings = Settings.load()
    assert isinstance(settings, Settings) and settings.redis_url is not None
    make = openai_brain if settings.openai_api_key is not None else local_brain
    # The brains call through the shared breaker, which lives in Redis: a breaker of the evaluation's own.
    redis = Redis.from_url(settings.redis_url.get_secret_value())
    brain = make(settings, CircuitBreaker("eval-leads", redis, fail_max=1000, reset_timeout=1))
    tool = ToolDefinition(
        name="qualify_lead", parameters_json_schema=tool_schema(LeadSlots),
        description="Record what the buyer or seller stated: intent and every slot they stated, nothing else.",
    )  # fmt: skip
    prefix = "(a seller answering Amr's question) " if item.get("context") else ""
    request = ModelRequest(parts=[UserPromptPart(prefix + item["text"])],
                           instructions="Call qualify_lead with what this message states.")  # fmt: skip
    # The local server calls tools only with tool_choice "auto" (its brain settings): text output stays allowed.
    parameters = ModelRequestParameters(function_tools=[tool], allow_text_output=True)
    try:
        response = await model_request(
            brain.model, [request], model_settings=brain.settings, model_request_parameters=parameters
        )
    finally:  # a brain (and its connections) per item
        await brain.client.close()
        await redis.aclose()
    for part in response.parts:
        if isinstance(part, ToolCallPart):
            try:
                return LeadSlots.model_validate(part.args_as_dict()).stated()
            except ValueError:
                return {}
    return {}


async def run(url: str, model_limit: int) -> dict[str, Any]:
    items = load()
    today = date.today()
    readers: dict[str, dict[str, Tally]] = {"rules": defaultdict(Tally)}
    started = time.perf_counter()
    async with async_gateway_client(url, timeout=30) as client:
        for item in items:
            predicted = await rules_reading(client, item, today)
            readers["rules"]["all"].add(item, predicted)
            readers["rules"][item["lang"]].add(item, predicted)
    rules_seconds = time.perf_counter() - started
    model_note = "not configured (set OPENAI_API_KEY or LOCAL_LLM_URL)"
    if model_limit and (os.environ.get("OPENAI_API_KEY") or os.environ.get("LOCAL_LLM_URL")):
        readers["model"] = defaultdict(Tally)
        # An even sample across the set (it is ordered by language and intent), not its first utterances.
        sample = items[:: max(1, len(items) // model_limit)][:model_limit]
        failures = 0
        for item in sample:
            try:
                predicted = await model_reading(item)
            except Exception as exc:  # any failure of the model (a timeout, a crash) is a miss, counted and reported
                failures += 1
                print(f"model failed on {item['id']}: {type(exc).__name__}", file=sys.stderr)
                predicted = {}
            readers["model"]["all"].add(item, predicted)
            readers["model"][item["lang"]].add(item, predicted)
        model_note = f"an even sample of {len(sample)} utterances ({failures} model calls failed, counted as misses)"
    report: dict[str, Any] = {"eval_set": str(EVAL_FILE.name), "utterances": len(items), "goal": GOAL,
                              "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
                              "rules_ms_per_utterance": round(1000 * rules_seconds / len(items), 2),
                              "model": model_note, "readers": {}}  # fmt: skip
    for reader, tallies in readers.items():
        report["readers"][reader] = {part: tally.figures() for part, tally in tallies.items()}
        report["readers"][reader]["misses"] = tallies["all"].misses
    return report


def _local_stack_defaults() -> None:
    """With `make up` running, the model path needs nothing set by hand: the settings come from the stack's .env and
    the local model's address from the stack's supervisor file (its port is chosen at each start)."""
    root = EVAL_FILE.parents[3]
    if not os.environ.get("OSOOL_ENV_FILE") and (root / ".env").exists():
        os.environ["OSOOL_ENV_FILE"] = str(root / ".env")
    supervisor = root / ".osool" / "supervisord.conf"
    if not os.environ.get("LOCAL_LLM_URL") and supervisor.exists():
        found = re.search(r'LOCAL_LLM_URL="([^"]+)"', supervisor.read_text())
        if found:
            os.environ["LOCAL_LLM_URL"] = found[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the gateway's public address")
    parser.add_argument("--json", type=Path, help="write the report here")
    parser.add_argument("--model-limit", type=int, default=int(os.environ.get("EVAL_LEADS_MODEL_LIMIT", "0")),
                        help="also ask the model (qualify_lead) about an even sample of N utterances")  # fmt: skip
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    if args.model_limit:
        _local_stack_defaults()
    try:
        report = asyncio.run(run(args.url, args.model_limit))
    except httpx.HTTPError as exc:
        print(f"eval-leads: the gateway at {args.url} did not answer ({type(exc).__name__}); is `make up` running?",
              file=sys.stderr)  # fmt: skip
        return 2
    ok = True
    for reader, parts in report["readers"].items():
        for part, figures in parts.items():
            if part == "misses":
                continue
            print(f"{reader:6} {part:4} n={figures['utterances']:4}  intent accuracy {figures['intent_accuracy']:.3f}  "
                  f"slot F1 {figures['slot_f1']:.3f} (precision {figures['slot_precision']:.3f}, "
                  f"recall {figures['slot_recall']:.3f})")  # fmt: skip
            if reader == "rules" and part == "all":
                ok = figures["intent_accuracy"] >= GOAL and figures["slot_f1"] >= GOAL
        if args.show_misses:
            for miss in parts["misses"]:
                print("   ", json.dumps(miss, ensure_ascii=False))
    print(f"model: {report['model']}; goal {GOAL} for intent accuracy and slot F1 (rules): {'met' if ok else 'MISSED'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
