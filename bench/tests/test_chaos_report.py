"""The chaos run's arithmetic without a stack: figures per fault, readiness timings, goals met and missed."""

from __future__ import annotations

from typing import Any

from bench.chaos import report, workload


def request(t: float, *, kind: str = "idempotent", ok: bool = True, failure: str | None = None,
            ms: float = 10.0, stream: str = "property", attempts: int = 1) -> dict[str, Any]:  # fmt: skip
    return {"type": "request", "t": t, "stream": stream, "kind": kind, "ok": ok, "status": 200 if ok else 502,
            "failure": failure, "ms": ms, "attempts": attempts}  # fmt: skip


def kill_phase(name: str, failed_idempotent: int, back: float | None = 4.0) -> dict[str, Any]:
    return {
        "fault": {"name": name, "type": "replica_kill"},
        "replica": {"ready_again_after_s": back},
        "load": {
            "sent": {"idempotent": 100, "non_idempotent": 50},
            "failed": {"idempotent": failed_idempotent, "non_idempotent": 3},
        },
    }


def dependency_phase(detect: float | None, back: float | None, restarted: list[str] | None = None) -> dict[str, Any]:
    return {
        "fault": {"name": "valkey stop/start", "type": "dependency"},
        "readiness": {
            "watched": "/health/ready",
            "not_ready_after_s": detect,
            "ready_again_after_s": back,
            "never_not_ready": [],
            "never_ready_again": [],
        },
        "restarted_programs": restarted or [],
    }


CLEAN_WRITES = {"history_appends": {"acknowledged": 90, "missing": 0, "duplicates": 0}}


def test_a_window_counts_only_the_requests_that_started_in_it_and_splits_failures_by_kind() -> None:
    records = [
        request(9.9),
        request(10.0, ms=5),
        request(11.0, ok=False, failure="http_502", ms=30),
        request(12.0, kind="non_idempotent", ok=False, failure="connection", ms=20, stream="search"),
        request(13.0, ms=40, attempts=2),
        {"type": "write", "t": 11.5, "write": "history_append"},
        request(20.0),
    ]
    figures = report.summarize(records, 10.0, 20.0)
    assert figures["requests"] == 4
    assert figures["sent"] == {"idempotent": 3, "non_idempotent": 1}
    assert figures["failed"] == {"idempotent": 1, "non_idempotent": 1}
    assert figures["failed_by_kind"] == {"idempotent": {"http_502": 1}, "non_idempotent": {"connection": 1}}
    assert (figures["p50_ms"], figures["p99_ms"]) == (20.0, 40.0)
    assert figures["retried_by_client"] == 1
    assert figures["by_stream"]["search"] == {"sent": 1, "failed": 1, "failures": {"connection": 1}}


def test_percentile_is_the_nearest_rank() -> None:
    values = list(range(1, 101))
    assert report.percentile(values, 0.5) == 50
    assert report.percentile(values, 0.99) == 99
    assert report.percentile([7.0], 0.99) == 7.0
    assert report.percentile([], 0.5) is None


def test_readiness_is_timed_to_the_first_503_and_to_200_for_good() -> None:
    # Stopped at 100, back at 110: 503 from 101.5 (a no-answer counts as not ready), a flicker of 200 at 111, then
    # 200 for good from 112.
    series = [(99.0, 200), (100.5, 200), (101.5, 503), (103.0, 0), (110.5, 503), (111.0, 200), (111.5, 503),
              (112.0, 200), (113.0, 200)]  # fmt: skip
    assert report.not_ready_after(series, 100.0) == 1.5
    assert report.ready_again_after(series, 110.0) == 2.0
    timings = report.readiness({"search-1": series, "auth-1": [(100.2, 503), (110.1, 200)]}, 100.0, 110.0)
    assert (timings["not_ready_after_s"], timings["ready_again_after_s"]) == (1.5, 2.0)
    assert timings["targets"]["search-1"]["changes"] == [(-1.0, 200), (1.5, 503), (3.0, 0), (10.5, 503), (11.0, 200),
                                                         (11.5, 503), (12.0, 200)]  # fmt: skip
    assert timings["never_not_ready"] == timings["never_ready_again"] == []


def test_a_replica_that_never_turned_503_or_never_came_back_is_named() -> None:
    timings = report.readiness({"chain-1": [(101.0, 200), (111.0, 200)], "chain-2": [(101.0, 503), (111.0, 503)]},
                               100.0, 110.0)  # fmt: skip
    assert timings["never_not_ready"] == ["chain-1"] and timings["never_ready_again"] == ["chain-2"]
    assert timings["not_ready_after_s"] is None and timings["ready_again_after_s"] is None


def test_goals_are_met_only_without_idempotent_failures_lost_writes_or_slow_readiness() -> None:
    phases = [kill_phase("search-1 SIGTERM", 0), kill_phase("search-2 SIGKILL", 0), dependency_phase(1.2, 0.8)]
    assert all(goal["met"] for goal in report.evaluate(phases, CLEAN_WRITES))

    failed = report.evaluate([kill_phase("auth-2 SIGKILL", 2), *phases], CLEAN_WRITES)
    assert not failed[0]["met"] and "auth-2 SIGKILL: 2" in failed[0]["detail"]

    lost = {"history_appends": {"acknowledged": 90, "missing": 1, "duplicates": 2}}
    writes_goal = report.evaluate(phases, lost)[2]
    assert not writes_goal["met"] and "1 missing, 2 duplicated" in writes_goal["detail"]

    for slow in (dependency_phase(5.5, 0.8), dependency_phase(1.0, None), dependency_phase(1.0, 1.0, ["auth:auth-1"])):
        assert not report.evaluate([*phases[:2], slow], CLEAN_WRITES)[-1]["met"]
    assert not report.evaluate([kill_phase("chain-1 SIGTERM", 0, back=None)], CLEAN_WRITES)[1]["met"]


def test_every_stream_keeps_its_rate_with_users_of_at_most_the_per_user_rate() -> None:
    for stream in workload.STREAMS.values():
        assert stream.per_user_rate <= workload.PER_USER_RATE + 1e-9
        assert abs(stream.users * stream.per_user_rate - stream.rate) < 1e-9
    assert 15 <= workload.total_requests_per_second() <= 30
