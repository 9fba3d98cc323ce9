"""The agent evaluation: the labelled requests of eval/requests.jsonl sent through the gateway, tool calls checked."""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

from osool_common.gateway_client import async_gateway_client

EVAL_FILE = Path(__file__).resolve().parent.parent / "eval" / "requests.jsonl"
# A number among these that the request does not expect was invented: the call is wrong even if the rest is right.
NUMERIC_ARGUMENTS = (
    "bedrooms", "min_price", "max_price", "min_size_sqm", "max_size_sqm", "size_sqm", "property_price", "loan_amount",
    "monthly_income", "annual_rent", "monthly_rent",
)  # fmt: skip
_PLACEHOLDER = re.compile(r"^\$shown\[(\d+)\](?:\.(\w+))?$")
_TOLERANCE = 0.01


class ContextError(Exception):
    """The context turns did not show the listings a placeholder refers to."""


def load_eval_set(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def placeholders_in(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value] if _PLACEHOLDER.match(value) else []
    if isinstance(value, list):
        return [found for element in value for found in placeholders_in(element)]
    if isinstance(value, dict):
        return [found for element in value.values() for found in placeholders_in(element)]
    return []


def resolve(value: Any, shown: list[dict[str, Any]]) -> Any:
    """Placeholders ("$shown[0]", "$shown[1].price") replaced by the listings the context turns showed."""
    if isinstance(value, list):
        return [resolve(element, shown) for element in value]
    if isinstance(value, dict):
        return {key: resolve(element, shown) for key, element in value.items()}
    match = _PLACEHOLDER.match(value) if isinstance(value, str) else None
    if match is None:
        return value
    index, attribute = int(match.group(1)), match.group(2) or "id"
    if index >= len(shown) or shown[index].get(attribute) is None:
        raise ContextError(f"{value} not shown (the context showed {len(shown)} listings)")
    return shown[index][attribute]


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.replace(",", ""))
        except ValueError:
            return None
    return None


def _same(expected: Any, got: Any) -> bool:
    if isinstance(expected, list):
        if not isinstance(got, list):
            return False
        return {str(e).strip().lower() for e in expected} == {str(g).strip().lower() for g in got}
    if isinstance(expected, bool) or expected is None:
        return bool(expected == got)
    if isinstance(expected, int | float):
        number = _as_number(got)
        return number is not None and abs(number - expected) <= abs(expected) * _TOLERANCE
    return isinstance(got, str) and got.strip().lower() == str(expected).strip().lower()


def judge(tool: str | None, arguments: dict[str, Any], call: dict[str, Any] | None) -> str | None:
    """Why a first tool call misses the expected tool and arguments; None when it is right."""
    got_tool = call.get("name") if call else None
    if got_tool != tool:
        return f"tool {got_tool} instead of {tool}"
    got = (call or {}).get("arguments") or {}
    wrong = [f"{name}={got.get(name)!r} (expected {value!r})" for name, value in arguments.items()
             if not _same(value, got.get(name))]  # fmt: skip
    invented = [f"{name}={got[name]!r} not asked for" for name in NUMERIC_ARGUMENTS
                if got.get(name) is not None and name not in arguments]  # fmt: skip
    return "; ".join(wrong + invented) or None


@dataclass
class Outcome:
    id: str
    language: str
    message: str
    brain: str
    expected_tool: str | None
    expected_arguments: dict[str, Any]
    got_tool: str | None = None
    got_arguments: dict[str, Any] = field(default_factory=dict)
    miss: str | None = None

    @property
    def correct(self) -> bool:
        return self.miss is None


def _share(outcomes: list[Outcome]) -> float:
    return sum(o.correct for o in outcomes) / len(outcomes) if outcomes else 0.0


@dataclass
class EvalReport:
    outcomes: list[Outcome]

    def by_brain(self) -> dict[str, dict[str, Any]]:
        brains: dict[str, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            brains[outcome.brain].append(outcome)
        summary = {}
        for brain, outcomes in sorted(brains.items()):
            tools: dict[str, list[Outcome]] = defaultdict(list)
            for outcome in outcomes:
                tools[outcome.expected_tool or "none"].append(outcome)
            summary[brain] = {
                "requests": len(outcomes),
                "accuracy": round(_share(outcomes), 4),
                "by_language": {
                    language: round(_share([o for o in outcomes if o.language == language]), 4)
                    for language in sorted({o.language for o in outcomes})
                },
                "by_tool": {tool: round(_share(group), 4) for tool, group in sorted(tools.items())},
            }
        return summary

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": len(self.outcomes),
            "accuracy": round(_share(self.outcomes), 4),
            "by_brain": self.by_brain(),
            "misses": [asdict(o) for o in self.outcomes if not o.correct],
        }


class Gateway:
    """One anonymous chat session per request, as a browser would hold it."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def conversation(self, messages: list[str]) -> list[dict[str, Any]]:
        answers: list[dict[str, Any]] = []
        session_id: str | None = None
        secret: str | None = None
        for message in messages:
            body: dict[str, Any] = {"message": message, "language": "auto"}
            headers = {"Accept": "application/json"}
            if session_id:
                body["session_id"] = session_id
            if secret:
                headers["X-Session-Secret"] = secret
            response = await self.client.post("/api/chat", json=body, headers=headers)
            response.raise_for_status()
            answer = response.json()
            session_id = answer.get("session_id") or session_id
            secret = answer.get("session_secret") or secret
            answers.append(answer)
        return answers


async def evaluate_item(gateway: Gateway, item: dict[str, Any], label: str | None) -> Outcome:
    outcome = Outcome(
        item["id"], item["language"], item["message"], label or "unknown", item["tool"], dict(item["arguments"])
    )
    try:
        answers = await gateway.conversation([*item.get("context", []), item["message"]])
    except httpx.HTTPStatusError as exc:
        outcome.miss = f"HTTP {exc.response.status_code}: {exc.response.text[:200]}"
        return outcome
    except httpx.HTTPError as exc:
        outcome.miss = f"{type(exc).__name__}: {exc}"
        return outcome
    answer = answers[-1]
    outcome.brain = label or str(answer.get("brain") or "unknown")
    shown = list(answers[-2].get("listings") or []) if len(answers) > 1 else []
    try:
        outcome.expected_arguments = resolve(item["arguments"], shown)
    except ContextError as exc:
        outcome.miss = f"context: {exc}"
        return outcome
    calls = answer.get("tool_calls") or []
    call = calls[0] if calls else None
    outcome.got_tool = call.get("name") if call else None
    outcome.got_arguments = dict(call.get("arguments") or {}) if call else {}
    outcome.miss = judge(item["tool"], outcome.expected_arguments, call)
    return outcome


async def evaluate(
    base_url: str,
    eval_set: list[dict[str, Any]],
    label: str | None = None,
    concurrency: int = 4,
    turn_seconds: float = 180,
) -> EvalReport:
    limit = asyncio.Semaphore(concurrency)
    async with async_gateway_client(base_url, timeout=turn_seconds) as client:
        gateway = Gateway(client)
        done = 0

        async def one(item: dict[str, Any]) -> Outcome:
            nonlocal done
            async with limit:
                outcome = await evaluate_item(gateway, item, label)
            done += 1
            mark = "ok" if outcome.correct else f"MISS {outcome.miss}"
            print(f"[{done}/{len(eval_set)}] {outcome.id} {outcome.brain}: {mark}", file=sys.stderr)
            return outcome

        return EvalReport(list(await asyncio.gather(*(one(item) for item in eval_set))))


def reachable(base_url: str) -> bool:
    try:
        httpx.get(f"{base_url}/health/live", timeout=10)
    except httpx.HTTPError:
        return False
    return True


def print_report(report: EvalReport) -> None:
    summary = report.as_dict()
    print(f"requests: {summary['requests']}, tool accuracy: {summary['accuracy']:.2f}")
    for brain, figures in summary["by_brain"].items():
        languages = ", ".join(f"{language} {share:.2f}" for language, share in figures["by_language"].items())
        print(f"  {brain}: {figures['accuracy']:.2f} of {figures['requests']} ({languages})")
        print("    " + ", ".join(f"{tool} {share:.2f}" for tool, share in figures["by_tool"].items()))
    misses = [o for o in report.outcomes if not o.correct]
    if misses:
        print(f"misses ({len(misses)}):")
    for o in misses:
        print(f"  {o.id} [{o.brain}] {o.message!r}")
        print(f"    expected {o.expected_tool} {json.dumps(o.expected_arguments, ensure_ascii=False)}")
        print(f"    got      {o.got_tool} {json.dumps(o.got_arguments, ensure_ascii=False)}: {o.miss}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate Amr's tool choice against the labelled requests")
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the gateway's public address")
    parser.add_argument("--brain-label", help="name the brain in the report (default: the brain each answer names)")
    parser.add_argument("--json", type=Path, help="also write the report here")
    parser.add_argument("--limit", type=int, help="only the first N requests")
    parser.add_argument("--every", type=int, default=1, help="every Kth request (a sample across tools and languages)")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=180, help="seconds per chat turn")
    args = parser.parse_args(argv)
    base_url = args.url.rstrip("/")
    if not reachable(base_url):
        print(f"the gateway at {base_url} does not answer; start the stack first (make up)", file=sys.stderr)
        return 2
    eval_set = load_eval_set()[:: max(1, args.every)]
    eval_set = eval_set[: args.limit] if args.limit else eval_set
    print(f"eval-agent: {len(eval_set)} requests against {base_url}", file=sys.stderr)
    report = asyncio.run(evaluate(base_url, eval_set, args.brain_label, args.concurrency, args.timeout))
    print_report(report)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
