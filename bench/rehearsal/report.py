"""What the rehearsal's steps add up to: each fault's section of bench/results/rehearsal.json (the load summed up by
bench.chaos.report, the seconds of failed requests, the lag's percentiles), the goals met or missed, and the printed
summary. Plain functions over what bench/rehearsal/scenarios.py returns."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from bench.chaos.report import percentile, summarize

FAILOVER_GOAL_SECONDS = 10.0
LAG_KEYS = ("write_ms", "flush_ms", "replay_ms", "replay_bytes_behind")


def _end(record: Mapping[str, Any]) -> float:
    return float(record["t"]) + float(record["ms"]) / 1000


def failover_failures(records: Iterable[Mapping[str, Any]], killed_at: float) -> dict[str, Any]:
    """The requests that failed from the kill on (those still running at the kill included): how many, the seconds
    from the first one's start to the last one's start, when they began and ended after the kill, and what they said.
    Failures before the kill are counted apart (a baseline that fails is a broken setup, not the failover)."""
    failed = sorted((r for r in records if not r["ok"] and _end(r) >= killed_at), key=lambda r: r["t"])
    before = sum(1 for r in records if not r["ok"] and _end(r) < killed_at)
    said: Counter[str] = Counter(f"{r['stream']}: {r['failure']} {r.get('detail') or ''}".strip() for r in failed)
    if not failed:
        return {"failed_requests": 0, "failed_seconds": 0.0, "first_after_kill_s": None, "last_after_kill_s": None,
                "failed_before_kill": before, "failures": {}}  # fmt: skip
    first, last = float(failed[0]["t"]), float(failed[-1]["t"])
    return {
        "failed_requests": len(failed),
        "failed_seconds": round(last - first, 2),
        "first_after_kill_s": round(first - killed_at, 2),
        "last_after_kill_s": round(last - killed_at, 2),
        "failed_before_kill": before,
        "failures": dict(said.most_common()),
    }


def lag_figures(samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Max and p95 of each lag of pg_stat_replication's samples. A lag the view shows as NULL counts as 0: it is NULL
    once the replica has replayed everything sent (and the bytes behind were 0 then)."""
    figures: dict[str, Any] = {"samples": len(samples)}
    for key in LAG_KEYS:
        values = [float(sample.get(key) or 0.0) for sample in samples]
        p95 = percentile(values, 0.95)
        figures[key] = {"max": round(max(values), 2) if values else None,
                        "p95": None if p95 is None else round(p95, 2)}  # fmt: skip
    figures["not_streaming"] = sum(1 for sample in samples if sample.get("state") != "streaming")
    return figures


def failover_section(raw: Mapping[str, Any]) -> dict[str, Any]:
    start, end = raw["window"]
    return {
        "streams": raw["streams"],
        "promoted_after_s": raw["promoted_after_s"],
        "failed": failover_failures(raw["records"], raw["killed_at"]),
        "load_before_kill": summarize(raw["records"], start, raw["killed_at"]),
        "load_from_kill": summarize(raw["records"], raw["killed_at"], end + 1),
        "writes": raw["writes"],
        "former_primary_rejoined_as_replica_after_s": raw["former_primary_rejoined_as_replica_after_s"],
    }


def replica_stop_section(raw: Mapping[str, Any]) -> dict[str, Any]:
    start, end = raw["window"]
    load = summarize(raw["records"], start, end + 1)
    return {
        "streams": raw["streams"],
        "failed_requests": sum(load["failed"].values()),
        "load_before_stop": summarize(raw["records"], start, raw["stopped_at"]),
        "load_from_stop": summarize(raw["records"], raw["stopped_at"], end + 1),
        "reads_before_stop": raw["reads_before_stop"],
        "reads_after_stop": raw["reads_after_stop"],
        "restart": raw["restart"],
    }


def lag_section(raw: Mapping[str, Any]) -> dict[str, Any]:
    start, end = raw["window"]
    seconds = max(end - start, 1e-9)
    load = summarize(raw["records"], start, end + 1)
    appends = load["by_stream"].get("history_append", {"sent": 0, "failed": 0})
    return {
        "streams": raw["streams"],
        "seconds": round(seconds, 1),
        "appends_per_second": round((appends["sent"] - appends["failed"]) / seconds, 1),
        "failed_requests": sum(load["failed"].values()),
        "load": load,
        "wal_mb_per_second": round(raw["wal_bytes"] / seconds / 1e6, 3),
        "lag": lag_figures(raw["samples"]),
        "reads": raw["reads"],
        "max_lag_limit_s": raw["max_lag_limit_s"],
    }


def _goal(goal: str, met: bool, detail: str) -> dict[str, Any]:
    return {"goal": goal, "met": bool(met), "detail": detail}


def evaluate(figures: Mapping[str, Any]) -> list[dict[str, Any]]:
    topology, failover = figures["topology"], figures["valkey_failover"]
    stop, lag, backup = figures["postgres_replica_stop"], figures["replication_lag"], figures["backup"]
    streaming = topology["postgres"]["pg_stat_replication"]
    sentinels = topology["valkey"]["sentinels"]
    masters = {s["master"] for s in sentinels}
    topology_ok = (
        len(streaming) == 1 and streaming[0]["state"] == "streaming" and streaming[0]["slot"] is not None
        and topology["valkey"]["replica_link"] == "up" and len(sentinels) == 3 and len(masters) == 1
        and all(s["other_sentinels"] == 2 and s["replicas"] >= 1 for s in sentinels)
        and topology["gateway"]["alpn"] == "h2"
    )  # fmt: skip
    goals = [
        _goal(
            "the topology runs as compose's: the replica streaming through its slot, Valkey's replica in sync and "
            "watched by 3 Sentinels agreeing on the primary, HTTPS with HTTP/2",
            topology_ok,
            f"pg_stat_replication {streaming}; Sentinels name {sorted(masters)}; TLS "
            f"{topology['gateway']['tls_version']} {topology['gateway']['alpn']}",
        )
    ]
    failed = failover["failed"]
    goals.append(_goal(
        f"Valkey's primary killed: requests fail for under {FAILOVER_GOAL_SECONDS:g} s",
        failed["failed_seconds"] < FAILOVER_GOAL_SECONDS,
        f"{failed['failed_requests']} failed requests over {failed['failed_seconds']} s "
        f"(promoted {failover['promoted_after_s']} s after the kill)",
    ))  # fmt: skip
    writes = failover["writes"]
    missing = writes["siwe_nonces"]["missing"] + writes["logouts"]["missing"]
    tokens = writes["logouts"]["signed_out_tokens"]
    still_working = sum(count for outcome, count in tokens.items() if outcome != "refused")
    goals.append(_goal(
        "Valkey's failover loses no acknowledged write",
        missing == 0 and still_working == 0,
        f"{writes['siwe_nonces']['acknowledged']} nonces and {writes['logouts']['acknowledged']} sign-outs "
        f"acknowledged, {missing} missing; signed-out tokens {tokens or 'none'}",
    ))  # fmt: skip
    before, after = stop["reads_before_stop"], stop["reads_after_stop"]
    fell_back = after.get("primary:replica_error", 0) + after.get("primary:replica_down", 0)
    goals.append(_goal(
        "the PostgreSQL replica stopped: no request fails",
        stop["failed_requests"] == 0,
        f"{stop['failed_requests']} failed of {stop['load_from_stop']['requests']} sent after the stop",
    ))  # fmt: skip
    goals.append(_goal(
        "the PostgreSQL replica stopped: reads go to the primary",
        before.get("replica", 0) > 0 and fell_back > 0,
        f"reads on the replica before the stop {before.get('replica', 0)}; after it on the primary {fell_back} "
        f"({', '.join(f'{k} {v}' for k, v in after.items() if v) or 'none'})",
    ))  # fmt: skip
    replay = lag["lag"]["replay_ms"]["max"]
    goals.append(_goal(
        f"replication lag under writes stays within the read pool's limit ({lag['max_lag_limit_s']:g} s)",
        replay is not None and replay < lag["max_lag_limit_s"] * 1000 and lag["lag"]["not_streaming"] == 0,
        f"replay lag max {replay} ms, p95 {lag['lag']['replay_ms']['p95']} ms at {lag['appends_per_second']} "
        f"appends/s",
    ))  # fmt: skip
    goals.append(_goal(
        "a backup restored into a fresh cluster has every table's rows",
        backup["tables"] > 0 and not backup["differing"],
        f"{backup['tables']} tables, {backup['rows']} rows, {len(backup['differing'])} differing",
    ))  # fmt: skip
    return goals


def summary(figures: Mapping[str, Any]) -> str:
    topology, failover = figures["topology"], figures["valkey_failover"]
    stop, lag, backup = figures["postgres_replica_stop"], figures["replication_lag"], figures["backup"]
    failed, writes = failover["failed"], failover["writes"]
    gateway, valkey = topology["gateway"], topology["valkey"]
    lines = [
        "topology: " + ", ".join(f"{service} x{count}" for service, count in topology["services"].items()),
        f"  PostgreSQL {topology['postgres']['pg_stat_replication']}; Valkey replica {valkey['replica_link']}, "
        f"{len(valkey['sentinels'])} Sentinels (down after {valkey['sentinels'][0]['down_after_ms']} ms); gateway "
        f"{gateway['tls_version']} {gateway['alpn']}, plain HTTP {gateway['plain_http']}",
        "",
        f"1. Valkey's primary killed: promoted after {failover['promoted_after_s']} s; {failed['failed_requests']} "
        f"requests failed over {failed['failed_seconds']} s (from {failed['first_after_kill_s']} s to "
        f"{failed['last_after_kill_s']} s after the kill), of {failover['load_from_kill']['requests']} sent",
    ]
    lines += [f"     {count:>4}  {what}" for what, count in list(failed["failures"].items())[:8]]
    lines += [
        f"   acknowledged: {writes['siwe_nonces']['acknowledged']} nonces "
        f"({writes['siwe_nonces']['missing']} missing), "
        f"{writes['logouts']['acknowledged']} sign-outs ({writes['logouts']['missing']} missing; tokens "
        f"{writes['logouts']['signed_out_tokens']}); the former primary a replica again after "
        f"{failover['former_primary_rejoined_as_replica_after_s']} s",
        f"2. PostgreSQL replica stopped: {stop['failed_requests']} failed of {stop['load_from_stop']['requests']} "
        f"sent after the stop; reads before {stop['reads_before_stop']}, after {stop['reads_after_stop']}; restarted "
        f"by init-replication.sh, streaming after {stop['restart']['streaming_after_s']} s",
        f"3. Replication lag under {lag['appends_per_second']} appends/s ({lag['wal_mb_per_second']} MB/s of WAL, "
        f"{lag['lag']['samples']} samples): "
        + ", ".join(f"{key} max {lag['lag'][key]['max']} p95 {lag['lag'][key]['p95']}" for key in LAG_KEYS),
        f"4. Backup: {backup['dump_bytes']} bytes in {backup['dump_seconds']} s, restored in "
        f"{backup['restore_seconds']} s: {backup['tables']} tables, {backup['rows']} rows, "
        f"{len(backup['differing'])} differing",
        "",
    ]
    lines += [f"[{'met' if goal['met'] else 'MISSED'}] {goal['goal']}: {goal['detail']}" for goal in figures["goals"]]
    return "\n".join(lines)
