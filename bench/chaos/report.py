"""What the chaos run's records add up to: figures per fault, readiness timings, the goals met or missed, the table.

Plain functions over the lines the locustfile writes ({"type": "request", "t", "stream", "kind", "ok", "status",
"failure", "ms", "attempts"}) and over readiness samples ((time, HTTP status) pairs; 0 when nothing answered).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

READINESS_GOAL_SECONDS = 5.0
KINDS = ("idempotent", "non_idempotent")

Sample = tuple[float, int]


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Nearest rank: the smallest value with at least `fraction` of all values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarize(records: Iterable[dict[str, Any]], start: float, end: float) -> dict[str, Any]:
    """The requests that started in [start, end): sent, failed by kind and reason, p50/p99 of all of them (a failed
    request's time included: a client waited for it), how many needed the client's retry."""
    window = [r for r in records if r.get("type") == "request" and start <= r["t"] < end]
    failures: dict[str, Counter[str]] = {kind: Counter() for kind in KINDS}
    sent: Counter[str] = Counter()
    streams: dict[str, dict[str, Any]] = {}
    for request in window:
        sent[request["kind"]] += 1
        per_stream = streams.setdefault(request["stream"], {"sent": 0, "failed": 0, "failures": Counter()})
        per_stream["sent"] += 1
        if not request["ok"]:
            failures[request["kind"]][request["failure"]] += 1
            per_stream["failed"] += 1
            # What the failure said, so a 502 of the gateway can be told from a service's 500.
            per_stream["failures"][f"{request['failure']} {request.get('detail') or ''}".strip()] += 1
    latencies = [float(r["ms"]) for r in window]
    p50, p99 = percentile(latencies, 0.50), percentile(latencies, 0.99)
    return {
        "seconds": round(end - start, 1),
        "requests": len(window),
        "sent": {kind: sent[kind] for kind in KINDS},
        "failed": {kind: sum(failures[kind].values()) for kind in KINDS},
        "failed_by_kind": {kind: dict(sorted(failures[kind].items())) for kind in KINDS},
        "p50_ms": None if p50 is None else round(p50, 1),
        "p99_ms": None if p99 is None else round(p99, 1),
        "retried_by_client": sum(1 for r in window if r.get("attempts", 1) > 1),
        "by_stream": {
            name: {"sent": c["sent"], "failed": c["failed"], "failures": dict(c["failures"].most_common())}
            for name, c in sorted(streams.items())
        },
    }


def not_ready_after(samples: Sequence[Sample], since: float) -> float | None:
    """Seconds from `since` to the first answer other than 200 (a 503, or no answer at all); None if none came."""
    for at, status in samples:
        if at >= since and status != 200:
            return round(at - since, 2)
    return None


def ready_again_after(samples: Sequence[Sample], since: float) -> float | None:
    """Seconds from `since` to the first 200 after which every answer was 200 (ready for good, not a flicker);
    None when the last answer was not a 200 or nothing answered after `since`."""
    later = [(at, status) for at, status in samples if at >= since]
    if not later or later[-1][1] != 200:
        return None
    settled = len(later) - 1
    while settled > 0 and later[settled - 1][1] == 200:
        settled -= 1
    return round(later[settled][0] - since, 2)


def readiness(samples: Mapping[str, Sequence[Sample]], stopped_at: float, returned_at: float) -> dict[str, Any]:
    """Per watched replica and overall (the slowest): how soon it turned not ready after the dependency stopped,
    and ready again after it returned."""
    detected = {label: not_ready_after(series, stopped_at) for label, series in samples.items()}
    recovered = {label: ready_again_after(series, returned_at) for label, series in samples.items()}
    return {
        "not_ready_after_s": _slowest(detected),
        "ready_again_after_s": _slowest(recovered),
        "never_not_ready": sorted(label for label, after in detected.items() if after is None),
        "never_ready_again": sorted(label for label, after in recovered.items() if after is None),
        "targets": {
            label: {
                "not_ready_after_s": detected[label],
                "ready_again_after_s": recovered[label],
                "answers": answers(samples[label]),
                "changes": changes(samples[label], stopped_at),
            }
            for label in sorted(samples)
        },
    }


def _slowest(timings: Mapping[str, float | None]) -> float | None:
    """The slowest of the replicas, or None when one never got there (or none was watched)."""
    values = list(timings.values())
    if not values or any(value is None for value in values):
        return None
    return max(value for value in values if value is not None)


def changes(series: Sequence[Sample], since: float) -> list[tuple[float, int]]:
    """Each change of answer, as (seconds after `since`, status): a flicker shows as a short-lived change."""
    found: list[tuple[float, int]] = []
    for at, status in series:
        if not found or found[-1][1] != status:
            found.append((round(at - since, 2), status))
    return found


def answers(series: Sequence[Sample]) -> dict[str, int]:
    """How often each status came back (0: no answer within the poll's timeout)."""
    return {str(status): n for status, n in sorted(Counter(status for _, status in series).items())}


def always_ready(samples: Mapping[str, Sequence[Sample]]) -> dict[str, Any]:
    """For a check that must not gate readiness: did every answer stay a 200, and what came back."""
    return {
        "stayed_200": all(status == 200 for series in samples.values() for _, status in series),
        "answers": {label: answers(series) for label, series in sorted(samples.items())},
    }


def _goal(name: str, met: bool, detail: str) -> dict[str, Any]:
    return {"goal": name, "met": met, "detail": detail}


def evaluate(phases: Sequence[dict[str, Any]], writes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The issue's goals against what the run measured."""
    goals = []
    kills = [p for p in phases if p["fault"]["type"] == "replica_kill"]
    sent = sum(p["load"]["sent"]["idempotent"] for p in kills)
    failed = sum(p["load"]["failed"]["idempotent"] for p in kills)
    where = ", ".join(f"{p['fault']['name']}: {n}" for p in kills if (n := p["load"]["failed"]["idempotent"]))
    goals.append(
        _goal(
            "0 failed idempotent requests during replica kills",
            bool(kills) and failed == 0,
            f"{failed} of {sent} failed" + (f" ({where})" if where else ""),
        )
    )
    not_back = [p["fault"]["name"] for p in kills if p["replica"].get("ready_again_after_s") is None]
    goals.append(
        _goal(
            "every killed replica is restarted by supervisor and serves again",
            bool(kills) and not not_back,
            "all back" if not not_back else f"not back: {', '.join(not_back)}",
        )
    )
    problems = []
    for kind, check in writes.items():
        if check["missing"] or check["duplicates"]:
            problems.append(f"{kind}: {check['missing']} missing, {check['duplicates']} duplicated")
    summary = ", ".join(f"{kind} {check['acknowledged']}" for kind, check in writes.items())
    goals.append(
        _goal(
            "every acknowledged write is present afterwards, no duplicates",
            bool(writes) and not problems,
            "; ".join(problems) if problems else f"all present once (acknowledged: {summary})",
        )
    )
    for phase in phases:
        if phase["fault"]["type"] != "dependency":
            continue
        ready = phase["readiness"]
        detect, back = ready["not_ready_after_s"], ready["ready_again_after_s"]
        restarted = phase.get("restarted_programs", [])
        met = (
            detect is not None
            and detect <= READINESS_GOAL_SECONDS
            and back is not None
            and back <= READINESS_GOAL_SECONDS
            and not restarted
        )
        detail = f"{ready['watched']} not ready after {_seconds(detect)}, ready again {_seconds(back)} after its return"
        if ready["never_not_ready"]:
            detail += f"; never not ready: {', '.join(ready['never_not_ready'])}"
        if ready["never_ready_again"]:
            detail += f"; not ready again: {', '.join(ready['never_ready_again'])}"
        if restarted:
            detail += f"; restarted: {', '.join(restarted)}"
        limit = f"{READINESS_GOAL_SECONDS:g} s"
        name = f"{phase['fault']['name']}: {ready['watched']} 503 within {limit} of the dependency stopping and 200"
        goals.append(_goal(f"{name} within {limit} of its return, no service restarted", met, detail))
    return goals


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:.2f} s"


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def table(phases: Sequence[dict[str, Any]]) -> str:
    """One line per fault: requests sent, failed (idempotent / non-idempotent) and why, p50/p99, how soon readiness
    turned 503 and came back (replica kills: the killed replica's own /health/ready back at 200)."""
    header = (
        f"{'fault':<28} {'sent':>5} {'idem':>5} {'non-idem':>8} {'p50 ms':>7} {'p99 ms':>8} {'503 after':>9} "
        f"{'back after':>10}  failures"
    )
    lines = [header, "-" * len(header)]
    for phase in phases:
        load = phase["load"]
        if phase["fault"]["type"] == "dependency":
            detect, back = phase["readiness"]["not_ready_after_s"], phase["readiness"]["ready_again_after_s"]
        else:
            detect, back = None, phase.get("replica", {}).get("ready_again_after_s")
        kinds = Counter[str]()
        for per_kind in load["failed_by_kind"].values():
            kinds.update(per_kind)
        lines.append(
            f"{phase['fault']['name']:<28} {load['requests']:>5} {load['failed']['idempotent']:>5} "
            f"{load['failed']['non_idempotent']:>8} {_cell(load['p50_ms']):>7} {_cell(load['p99_ms']):>8} "
            f"{_cell(detect):>9} {_cell(back):>10}  {', '.join(f'{k} {v}' for k, v in sorted(kinds.items())) or '-'}"
        )
    return "\n".join(lines)
