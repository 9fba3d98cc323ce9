"""The RED job's arithmetic: an exposition parsed into counters per route, the difference between two readings (and a
restarted replica), and quantiles from cumulative buckets computed as Prometheus's histogram_quantile does."""

from __future__ import annotations

import json
import math
from datetime import timedelta
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from osool_common.metrics import LATENCY_BUCKETS
from osool_monitoring.performance import series_step
from osool_monitoring.red import BOUNDS, RED_SAMPLES, difference, find_targets, parse, quantile, summarize


def exposition(durations: list[float], statuses: list[str]) -> str:
    registry = CollectorRegistry()
    requests = Counter("osool_http_requests_total", "r", ["service", "route", "method", "status"], registry=registry)
    latency = Histogram("osool_http_request_duration_seconds", "d", ["service", "route", "method"],
                        buckets=LATENCY_BUCKETS, registry=registry)  # fmt: skip
    for duration, status in zip(durations, statuses, strict=True):
        requests.labels("search", "/api/properties", "GET", status).inc()
        latency.labels("search", "/api/properties", "GET").observe(duration)
    requests.labels("search", "/health", "GET", "200").inc()
    return generate_latest(registry).decode()


def test_an_exposition_becomes_counters_per_route_with_errors_and_buckets() -> None:
    counters = parse(exposition([0.002, 0.02, 0.2, 3.0], ["200", "200", "503", "500"]))
    row = counters["/api/properties GET"]
    assert row[0] == 4 and row[1] == 2  # requests, 5xx
    assert row[2] == pytest.approx(3.222)
    buckets = row[3:]
    assert len(buckets) == len(BOUNDS)
    assert buckets[BOUNDS.index(0.0025)] == 1 and buckets[BOUNDS.index(0.025)] == 2
    assert buckets[BOUNDS.index(0.25)] == 3 and buckets[BOUNDS.index(5.0)] == 4 and buckets[-1] == 4
    assert counters["/health GET"][0] == 1


def library_parse(text: str) -> dict[str, list[float]]:
    """The same counters read with prometheus_client's own parser: what `parse` must agree with."""
    counters: dict[str, list[float]] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name not in RED_SAMPLES:
                continue
            row = counters.setdefault(f"{sample.labels['route']} {sample.labels['method']}", [0.0] * (3 + len(BOUNDS)))
            if sample.name == "osool_http_requests_total":
                row[0] += sample.value
                row[1] += sample.value if sample.labels["status"].startswith("5") else 0.0
            elif sample.name.endswith("_sum"):
                row[2] += sample.value
            elif float(sample.labels["le"]) in BOUNDS:
                row[3 + BOUNDS.index(float(sample.labels["le"]))] += sample.value
    return counters


def test_the_counters_are_those_prometheus_client_reads_from_the_same_text() -> None:
    text = exposition([0.002, 0.02, 0.2, 3.0, 0.0004], ["200", "404", "503", "500", "200"])
    assert parse(text) == library_parse(text)
    # Routes as templates (braces), a label value with an escaped quote, backslash and newline, other families of the
    # same prefix, a timestamp, a trailing comma: all as the text format allows.
    odd = (
        "# HELP osool_http_requests_total r\n# TYPE osool_http_requests_total counter\n"
        'osool_http_requests_total{method="GET",route="/api/properties/{listing_id}",service="search",status="200"} 7\n'
        'osool_http_requests_total{method="POST",route="/a\\"b\\\\c\\nd",status="502",} 2 1700000000000\n'
        'osool_http_requests_in_flight{service="search"} 3\n'
        "# TYPE osool_http_request_duration_seconds histogram\n"
        'osool_http_request_duration_seconds_bucket{le="0.005",method="GET",route="/api/properties/{listing_id}"} 4\n'
        'osool_http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/api/properties/{listing_id}"} 7\n'
        'osool_http_request_duration_seconds_count{method="GET",route="/api/properties/{listing_id}"} 7\n'
        'osool_http_request_duration_seconds_sum{method="GET",route="/api/properties/{listing_id}"} 0.125\n'
    )
    counters = parse(odd)
    assert counters == library_parse(odd)
    assert counters['/a"b\\c\nd POST'][:2] == [2.0, 2.0]
    row = counters["/api/properties/{listing_id} GET"]
    assert row[:3] == [7.0, 0.0, 0.125] and row[3 + BOUNDS.index(0.005)] == 4 and row[-1] == 7


def test_an_unreadable_red_line_is_an_error_not_a_silent_zero() -> None:
    with pytest.raises(ValueError, match="unreadable"):
        parse('osool_http_requests_total{route="/x",method="GET" 3\n')
    with pytest.raises(ValueError, match="unreadable"):
        parse('osool_http_requests_total{route="/x" method="GET"} 3\n')


def test_the_difference_of_two_readings_and_a_restarted_replica() -> None:
    before = parse(exposition([0.002] * 3, ["200"] * 3))
    after = parse(exposition([0.002] * 3 + [0.2] * 2, ["200"] * 4 + ["500"]))
    delta = difference(after, before)["/api/properties GET"]
    assert delta[0] == 2 and delta[1] == 1 and delta[3 + BOUNDS.index(0.25)] == 2
    assert delta[3 + BOUNDS.index(0.0025)] == 0
    assert difference(after, None) == {}  # a first reading has nothing to subtract from
    restarted = parse(exposition([0.02], ["200"]))
    assert difference(restarted, after)["/api/properties GET"][0] == 1  # counters went down: since the restart


def test_quantiles_interpolate_inside_the_bucket_like_prometheus() -> None:
    # 100 requests: 50 in (0, 0.001], 40 in (0.005, 0.01], 10 in (0.05, 0.1].
    cumulative = [50, 50, 50, 90, 90, 90, 100, 100, 100, 100, 100, 100, 100, 100]
    assert quantile(0.5, [float(c) for c in cumulative]) == pytest.approx(0.001)
    # rank 95 falls in (0.05, 0.1] holding 90..100: 0.05 + 0.05 * (95 - 90) / 10.
    assert quantile(0.95, [float(c) for c in cumulative]) == pytest.approx(0.075)
    assert quantile(0.95, [0.0] * len(BOUNDS)) is None
    # Beyond the last finite bound: that bound, as Prometheus answers.
    assert quantile(0.99, [0.0] * (len(BOUNDS) - 1) + [5.0]) == BOUNDS[-2]
    assert math.isinf(BOUNDS[-1])


def test_a_window_summary_sums_routes_before_taking_quantiles() -> None:
    fast = {"requests": 90, "errors": 0, "duration_sum": 0.09, "buckets": [90.0] * len(BOUNDS)}
    slow = {"requests": 10, "errors": 5, "duration_sum": 2.0,
            "buckets": [0.0] * BOUNDS.index(0.25) + [10.0] * (len(BOUNDS) - BOUNDS.index(0.25))}  # fmt: skip
    figures = summarize([fast, slow], minutes=10)
    assert figures["requests"] == 100 and figures["errors"] == 5 and figures["error_ratio"] == 0.05
    assert figures["rate_per_second"] == pytest.approx(100 / 600, abs=1e-4)
    assert figures["mean_ms"] == pytest.approx(20.9)
    assert figures["p50_ms"] == pytest.approx(0.56, abs=0.01)  # rank 50 inside (0, 0.001]
    assert 100 < figures["p95_ms"] <= 250  # rank 95 among the slow ten, in (0.1, 0.25]


async def test_replicas_come_from_dns_then_the_targets_file_then_the_gateway(tmp_path: Path) -> None:
    targets_file = tmp_path / "targets.json"
    targets_file.write_text(json.dumps([
        {"targets": ["127.0.0.1:9101"], "labels": {"service": "search.invalid", "replica": "1"}},
        {"targets": ["127.0.0.1:9102"], "labels": {"service": "search.invalid", "replica": "2"}},
        {"targets": ["127.0.0.1:9103"], "labels": {"service": "not-monitored", "replica": "1"}},
    ]))  # fmt: skip
    found = await find_targets(str(targets_file), None, ["search.invalid", "auth"])
    assert [(t.service, t.replica, t.url) for t in found] == [
        ("search.invalid", "1", "http://127.0.0.1:9101/metrics"), ("search.invalid", "2", "http://127.0.0.1:9102/metrics"),
        ("auth", "gateway", None),
    ]  # fmt: skip
    # With a DNS port, a name that resolves gives one target per address; one that does not falls back.
    found = await find_targets(str(targets_file), 8000, ["localhost", "search.invalid", "no-such-host.invalid"])
    assert ("localhost", "http://127.0.0.1:8000/metrics") in [(t.service, t.url) for t in found]
    assert [t.url for t in found if t.service == "search.invalid"] == [
        "http://127.0.0.1:9101/metrics", "http://127.0.0.1:9102/metrics"
    ]  # fmt: skip
    assert next(t for t in found if t.service == "no-such-host.invalid").url is None


@pytest.mark.parametrize(("minutes", "step"), [(1, 1), (60, 1), (120, 1), (121, 2), (1440, 12), (10080, 84)])
def test_a_series_has_whole_minute_bins_and_at_most_120_of_them(minutes: float, step: int) -> None:
    assert series_step(minutes) == timedelta(minutes=step)
    assert minutes / step <= 120
