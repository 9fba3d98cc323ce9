"""The rehearsal's arithmetic without a topology: the seconds of failed requests around a kill, the lag's
percentiles, the goals met and missed."""

from __future__ import annotations

import copy
from typing import Any

from bench.rehearsal import report

KILLED_AT = 1000.0


def request(t: float, *, ok: bool = True, ms: float = 10.0, stream: str = "siwe_nonce") -> dict[str, Any]:
    return {"type": "request", "t": t, "stream": stream, "kind": "idempotent", "ok": ok, "status": 200 if ok else 503,
            "failure": None if ok else "http_503", "detail": None if ok else "unavailable", "ms": ms,
            "attempts": 1}  # fmt: skip


def test_failed_seconds_run_from_the_first_failure_to_the_last_one_after_the_kill() -> None:
    records = [
        request(990.0),
        request(999.9, ok=False, ms=300.0),  # started before the kill, failed because of it
        request(1003.0, ok=False, stream="sign_in_out"),
        request(1006.5, ok=False),
        request(1008.0),
    ]
    failed = report.failover_failures(records, KILLED_AT)
    assert failed["failed_requests"] == 3
    assert failed["failed_seconds"] == 6.6
    assert (failed["first_after_kill_s"], failed["last_after_kill_s"]) == (-0.1, 6.5)
    assert failed["failed_before_kill"] == 0
    assert failed["failures"] == {"siwe_nonce: http_503 unavailable": 2, "sign_in_out: http_503 unavailable": 1}


def test_a_failure_that_ended_before_the_kill_is_not_the_failovers() -> None:
    failed = report.failover_failures([request(990.0, ok=False), request(1001.0)], KILLED_AT)
    assert failed["failed_requests"] == 0 and failed["failed_seconds"] == 0.0 and failed["failed_before_kill"] == 1


def test_lag_percentiles_count_a_null_lag_as_caught_up() -> None:
    samples = [{"write_ms": float(n), "flush_ms": float(n), "replay_ms": float(n), "replay_bytes_behind": n * 100,
                "state": "streaming"} for n in range(1, 21)]  # fmt: skip
    samples.append({"write_ms": None, "flush_ms": None, "replay_ms": None, "replay_bytes_behind": 0,
                    "state": "streaming"})  # fmt: skip
    figures = report.lag_figures(samples)
    assert figures["samples"] == 21 and figures["not_streaming"] == 0
    assert figures["replay_ms"] == {"max": 20.0, "p95": 19.0}
    assert figures["replay_bytes_behind"] == {"max": 2000.0, "p95": 1900.0}


def met_figures() -> dict[str, Any]:
    sentinel = {"master": "127.0.0.1:7000", "replicas": 1, "other_sentinels": 2, "quorum": 2, "down_after_ms": 5000}
    return {
        "topology": {
            "postgres": {
                "pg_stat_replication": [
                    {"application_name": "replica_1", "state": "streaming", "sync_state": "async", "slot": "replica_1"}
                ]
            },
            "valkey": {"replica_link": "up", "replica_role": "slave", "sentinels": [sentinel] * 3},
            "gateway": {"tls_version": "TLSv1.3", "alpn": "h2", "plain_http": "301 to https://...", "upstreams": {}},
            "services": {"auth": 2},
        },
        "valkey_failover": {
            "promoted_after_s": 6.1,
            "failed": report.failover_failures([request(1001.0, ok=False), request(1007.0, ok=False)], KILLED_AT),
            "load_from_kill": {"requests": 100},
            "writes": {
                "siwe_nonces": {"acknowledged": 20, "present": 20, "missing": 0},
                "logouts": {"acknowledged": 8, "present": 8, "missing": 0, "signed_out_tokens": {"refused": 8}},
            },
            "former_primary_rejoined_as_replica_after_s": 12.0,
        },
        "postgres_replica_stop": {
            "failed_requests": 0,
            "load_from_stop": {"requests": 80},
            "reads_before_stop": {"replica": 40, "primary:replica_down": 0},
            "reads_after_stop": {"replica": 2, "primary:replica_down": 50, "primary:replica_error": 3},
            "restart": {"streaming_after_s": 1.0},
        },
        "replication_lag": {
            "appends_per_second": 120.0,
            "wal_mb_per_second": 0.2,
            "max_lag_limit_s": 5.0,
            "lag": report.lag_figures(
                [
                    {
                        "write_ms": 5.0,
                        "flush_ms": 9.0,
                        "replay_ms": 12.0,
                        "replay_bytes_behind": 4000,
                        "state": "streaming",
                    }
                ]
            ),
        },
        "backup": {
            "tables": 70,
            "rows": 3600,
            "differing": {},
            "dump_bytes": 1,
            "dump_seconds": 1.0,
            "restore_seconds": 1.0,
        },
    }


def test_every_goal_is_met_by_a_good_run_and_the_summary_says_so() -> None:
    figures = met_figures()
    figures["goals"] = report.evaluate(figures)
    assert [goal["met"] for goal in figures["goals"]] == [True] * 7
    text = report.summary(figures)
    assert "MISSED" not in text and "2 requests failed over 6.0 s" in text


def test_each_goal_is_missed_by_what_it_watches() -> None:
    def missed(change: Any) -> list[str]:
        figures = copy.deepcopy(met_figures())
        change(figures)
        return [goal["goal"] for goal in report.evaluate(figures) if not goal["met"]]

    def slow_failover(f: dict[str, Any]) -> None:
        f["valkey_failover"]["failed"]["failed_seconds"] = 10.0

    def lost_sign_out(f: dict[str, Any]) -> None:
        f["valkey_failover"]["writes"]["logouts"]["signed_out_tokens"] = {"refused": 7, "answered 200": 1}

    def failed_read(f: dict[str, Any]) -> None:
        f["postgres_replica_stop"]["failed_requests"] = 1

    def reads_stayed(f: dict[str, Any]) -> None:
        f["postgres_replica_stop"]["reads_after_stop"] = {"replica": 50}

    def lagging(f: dict[str, Any]) -> None:
        f["replication_lag"]["lag"]["replay_ms"]["max"] = 5000.0

    def lost_rows(f: dict[str, Any]) -> None:
        f["backup"]["differing"] = {"auth.users": {"primary": 3, "restored": 2}}

    def no_sentinel_agreement(f: dict[str, Any]) -> None:
        f["topology"]["valkey"]["sentinels"][0] = {**f["topology"]["valkey"]["sentinels"][0], "master": "x:1"}

    assert missed(slow_failover) == ["Valkey's primary killed: requests fail for under 10 s"]
    assert missed(lost_sign_out) == ["Valkey's failover loses no acknowledged write"]
    assert missed(failed_read) == ["the PostgreSQL replica stopped: no request fails"]
    assert missed(reads_stayed) == ["the PostgreSQL replica stopped: reads go to the primary"]
    assert missed(lagging) == ["replication lag under writes stays within the read pool's limit (5 s)"]
    assert missed(lost_rows) == ["a backup restored into a fresh cluster has every table's rows"]
    assert missed(no_sentinel_agreement)[0].startswith("the topology runs as compose's")
