"""The daily cost report of the AI: the agent's cost meter (spend by model and purpose, 7 days, budget use) read
through the internal gateway, with what stands out (a day over budget, a spike against the week's mean)."""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import httpx

from osool_common.http_client import ServiceClient

# A day that spent this many times the mean of the other days of the week is a spike worth a look.
SPIKE_RATIO = 2.0


class CostUnavailableError(RuntimeError):
    """The agent did not answer with its cost report."""


async def read_costs(http: ServiceClient, days: int = 7) -> dict[str, Any]:
    try:
        response = await http.get("agent", "/api/agent/internal/costs", params={"days": days})
    except httpx.HTTPError as exc:
        raise CostUnavailableError(f"the agent is unreachable: {exc}") from exc
    if response.status_code != 200:
        raise CostUnavailableError(f"the agent answered {response.status_code}")
    report: dict[str, Any] = response.json()
    return report


def cost_report(meter: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Spend by model and by purpose over the days the meter keeps, each day's total and budget use, and findings."""
    by_model: dict[str, float] = defaultdict(float)
    by_purpose: dict[str, float] = defaultdict(float)
    tokens: dict[str, int] = defaultdict(int)
    calls = 0
    budget = float(meter["budget_usd"])
    history = []
    for day in meter["days"]:
        for line in day["by_model"]:
            by_model[line["model"]] += line["usd"]
            by_purpose[line["purpose"]] += line["usd"]
            tokens["input"] += line["input_tokens"]
            tokens["output"] += line["output_tokens"]
            calls += line["calls"]
        history.append({
            "date": day["date"], "total_usd": day["total_usd"],
            "budget_used_pct": round(100 * day["total_usd"] / budget, 2) if budget else None,
        })  # fmt: skip
    week = sum(day["total_usd"] for day in history)
    summary = {
        "days": len(history), "total_usd": round(week, 6), "budget_usd": budget,
        "spent_today_usd": meter["spent_today_usd"], "budget_used_pct_today": meter["budget_used_pct"],
        "over_budget_today": meter["over_budget"],
        "by_model": {model: round(usd, 6) for model, usd in sorted(by_model.items(), key=lambda i: -i[1])},
        "by_purpose": {purpose: round(usd, 6) for purpose, usd in sorted(by_purpose.items(), key=lambda i: -i[1])},
        "tokens": dict(tokens), "calls": calls,
        "usd_per_call": round(week / calls, 6) if calls else None,
        "history": history,
    }  # fmt: skip
    findings = []
    for day in history:
        if budget and day["total_usd"] > budget:
            findings.append({
                "kind": "over_budget", "severity": "warning", "object": day["date"],
                "recommendation": (
                    f"{day['date']}: ${day['total_usd']:.4f} spent, {day['budget_used_pct']:.0f}% of the daily budget "
                    f"of ${budget:.2f}; the most went to {next(iter(summary['by_model']), 'no model')}: move that "
                    "purpose to a smaller model or raise LLM_DAILY_BUDGET_USD."
                ),
            })  # fmt: skip
    if len(history) >= 2:
        today, others = history[0], history[1:]
        mean = sum(day["total_usd"] for day in others) / len(others)
        if mean > 0 and today["total_usd"] >= SPIKE_RATIO * mean:
            findings.append({
                "kind": "cost_spike", "severity": "warning", "object": today["date"],
                "recommendation": (
                    f"{today['date']}: ${today['total_usd']:.4f} spent, {today['total_usd'] / mean:.1f}× the mean "
                    f"${mean:.4f} of the {len(others)} days before: look at the turns of the day in the agent's "
                    "log (model, tokens) for a loop or an abuser."
                ),
            })  # fmt: skip
    return summary, findings


def measure(started: float) -> float:
    return (time.perf_counter() - started) * 1000
