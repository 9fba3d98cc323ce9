"""Performance: RED per service and route over a window with the slowest routes and what to do about them, the
6-hourly analysis of the routes that rose against their 7-day baseline, and the daily baselines the alerts compare."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg

from osool_monitoring import metrics
from osool_monitoring.red import QUIET_ROUTES, RedHistory, quantile, share_slower_than, summarize
from osool_monitoring.repository import ReportRepository

ANALYSIS_WINDOW = timedelta(hours=6)
BASELINE_WINDOW = timedelta(days=7)
# Enough requests for a quantile to mean something: below this a route is listed but never judged.
MIN_REQUESTS = 20
MIN_BASELINE_REQUESTS = 50
# A chart's worth of points: the series of a window has at most this many bins (of whole minutes).
SERIES_POINTS = 120
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _ms(seconds: float | None) -> float | None:
    return round(seconds * 1000, 2) if seconds is not None else None


def _public(figures: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in figures.items() if key not in ("buckets", "time_share")}


class Performance:
    def __init__(self, pool: asyncpg.Pool, history: RedHistory, reports: ReportRepository) -> None:
        self.pool = pool
        self.history = history
        self.reports = reports

    async def view(self, minutes: float) -> dict[str, Any]:
        """RED per service and per route over the last `minutes`, the slowest routes, and recommendations."""
        until = datetime.now(UTC)
        since = until - timedelta(minutes=minutes)
        rows = await self.history.window(since, until)
        baselines = {
            (r["service"], r["route"], r["method"]): r for r in await self.pool.fetch("SELECT * FROM route_baselines")
        }
        by_service: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in rows:
            by_service[row["service"]].append(row)
        services = {service: summarize(group, minutes) for service, group in by_service.items()}
        routes = []
        for row in rows:
            figures = summarize([row], minutes)
            baseline = baselines.get((row["service"], row["route"], row["method"]))
            routes.append({
                "service": row["service"], "route": row["route"], "method": row["method"], **figures,
                "baseline_p95_ms": _ms(baseline["p95_seconds"]) if baseline else None,
            })  # fmt: skip
        judged = [r for r in routes if r["route"] not in QUIET_ROUTES and r["requests"] >= 5]
        slowest = sorted(judged, key=lambda r: r["p95_ms"] or 0, reverse=True)[:10]
        recommendations = [text for route in slowest for text in _route_advice(route, services[route["service"]])] + [
            text for route in judged for text in _error_advice(route)
        ]
        analysis = await self.reports.latest("performance")
        return {
            "window": {"from": since, "to": until, "minutes": minutes},
            "services": [{"service": name, **_public(figures)} for name, figures in sorted(services.items())],
            "routes": [_public(r) for r in sorted(routes, key=lambda r: (r["service"], r["route"], r["method"]))],
            "slowest": [_public(r) for r in slowest],
            "recommendations": recommendations,
            "analysis": _analysis(analysis),
        }

    async def series(self, minutes: float) -> dict[str, Any]:
        """RED per service over time for charts: every bin of the window (whole minutes, at most SERIES_POINTS),
        requests, rate, 5xx errors and p95, probes and scrapes left out; null where no reading reached the bin (the
        RED job did not run), zero requests where it read other services but not this one (it was down)."""
        until = datetime.now(UTC)
        since = until - timedelta(minutes=minutes)
        step = series_step(minutes)
        rows = await self.history.series(since, until, step)
        first = EPOCH + step * ((since - EPOCH) // step)
        times = [first + step * index for index in range(int((until - first) // step) + 1)]
        slot = {when: index for index, when in enumerate(times)}
        observed = {row["bin"] for row in rows}
        by_service: dict[str, dict[datetime, dict[str, Any]]] = defaultdict(dict)
        for row in rows:
            by_service[row["service"]][row["bin"]] = row
        services = []
        for name, bins in sorted(by_service.items()):
            requests: list[int | None] = [0 if when in observed else None for when in times]
            errors: list[int | None] = list(requests)
            rate: list[float | None] = [0.0 if when in observed else None for when in times]
            p95: list[float | None] = [None] * len(times)
            for when, row in bins.items():
                index = slot[when]
                requests[index], errors[index] = row["requests"], row["errors"]
                rate[index] = round(row["requests"] / (row["seconds"] or step.total_seconds()), 4)
                p95[index] = _ms(quantile(0.95, row["buckets"])) if row["requests"] else None
            total = sum(row["requests"] for row in bins.values())
            failed = sum(row["errors"] for row in bins.values())
            seconds = sum(row["seconds"] for row in bins.values())
            buckets = [sum(values) for values in zip(*(row["buckets"] for row in bins.values() if row["buckets"]),
                                                     strict=True)]  # fmt: skip
            services.append({
                "service": name, "requests": requests, "rate_per_second": rate, "errors": errors, "p95_ms": p95,
                "total": {
                    "requests": total, "rate_per_second": round(total / seconds, 4) if seconds else None,
                    "errors": failed, "error_ratio": round(failed / total, 4) if total else None,
                    "p95_ms": _ms(quantile(0.95, buckets)) if buckets else None,
                },
            })  # fmt: skip
        return {
            "window": {"from": since, "to": until, "minutes": minutes, "step_seconds": step.total_seconds()},
            "times": times,
            "services": services,
        }

    async def analyse(self) -> dict[str, Any]:
        """The 6-hourly analysis: each route's last 6 h against the 7 days before, the rises with their numbers."""
        started = time.perf_counter()
        now = datetime.now(UTC)
        current = _by_route(await self.history.window(now - ANALYSIS_WINDOW, now))
        baseline = _by_route(await self.history.window(now - ANALYSIS_WINDOW - BASELINE_WINDOW, now - ANALYSIS_WINDOW))
        findings = []
        for key, rows in current.items():
            service, route = key
            if route in QUIET_ROUTES or key not in baseline:
                continue
            now_figures = summarize(rows, ANALYSIS_WINDOW.total_seconds() / 60)
            before = summarize(baseline[key], BASELINE_WINDOW.total_seconds() / 60)
            if now_figures["requests"] < MIN_REQUESTS or before["requests"] < MIN_BASELINE_REQUESTS:
                continue
            p95, base_p95 = now_figures["p95_ms"], before["p95_ms"]
            if p95 and base_p95 and p95 >= 1.5 * base_p95 and p95 - base_p95 >= 10:
                findings.append({
                    "kind": "latency_rose", "service": service, "route": route,
                    "p95_ms": p95, "baseline_p95_ms": base_p95, "ratio": round(p95 / base_p95, 2),
                    "requests": now_figures["requests"], "baseline_requests": before["requests"],
                    "recommendation": (
                        f"{route} on {service}: p95 {p95:.0f} ms over the last 6 h ({now_figures['requests']} "
                        f"requests) against {base_p95:.0f} ms over the 7 days before ({before['requests']} requests), "
                        f"{p95 / base_p95:.1f}×: compare its statements in /metrics/database and what was deployed "
                        "since the rise began."
                    ),
                })  # fmt: skip
            ratio, base_ratio = now_figures["error_ratio"] or 0.0, before["error_ratio"] or 0.0
            if ratio >= 2 * base_ratio and ratio - base_ratio >= 0.01 and now_figures["errors"] >= 3:
                findings.append({
                    "kind": "errors_rose", "service": service, "route": route,
                    "error_ratio": ratio, "baseline_error_ratio": base_ratio,
                    "errors": now_figures["errors"], "requests": now_figures["requests"],
                    "recommendation": (
                        f"{route} on {service}: {now_figures['errors']} of {now_figures['requests']} requests failed "
                        f"(5xx, {ratio:.1%}) over the last 6 h against {base_ratio:.2%} over the 7 days before: "
                        f"read {service}'s log for route={route} status>=500."
                    ),
                })  # fmt: skip
        findings.sort(key=lambda f: f.get("ratio", 0) or f.get("error_ratio", 0), reverse=True)
        summary = {
            "window_hours": ANALYSIS_WINDOW.total_seconds() / 3600,
            "baseline_days": BASELINE_WINDOW.days,
            "routes_compared": sum(1 for key in current if key in baseline),
            "routes_without_baseline": sum(1 for key in current if key not in baseline),
        }
        duration = (time.perf_counter() - started) * 1000
        row = await self.reports.add("performance", duration, summary, findings)
        return {"id": row["id"], **summary, "findings": findings}

    async def recalibrate(self) -> int:
        """Each route's p95 over the last 7 days, per method, kept for the gauge the latency alerts compare against
        (LatencyP95High: twice the baseline); a route without enough requests has no baseline."""
        now = datetime.now(UTC)
        baselines = []
        for row in await self.history.window(now - BASELINE_WINDOW, now):
            p95 = quantile(0.95, row["buckets"])
            if p95 is not None and row["requests"] >= MIN_BASELINE_REQUESTS and row["route"] not in QUIET_ROUTES:
                baselines.append((row["service"], row["route"], row["method"], p95, row["requests"], now))
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.execute("DELETE FROM route_baselines")
            await connection.executemany(
                "INSERT INTO route_baselines (service, route, method, p95_seconds, requests, computed_at) "
                "VALUES ($1, $2, $3, $4, $5, $6)",
                baselines,
            )
        await self.publish()
        return len(baselines)

    async def publish(self) -> int:
        """The stored baselines as the gauge (every replica, every few minutes: whichever Prometheus scrapes has
        them, and a route that lost its baseline loses its series)."""
        rows = await self.pool.fetch("SELECT service, route, method, p95_seconds FROM route_baselines")
        return metrics.publish_baselines(
            {(row["service"], row["route"], row["method"]): row["p95_seconds"] for row in rows}
        )


def series_step(minutes: float) -> timedelta:
    """The bin of a window's series: whole minutes, as few as keep the bins to SERIES_POINTS."""
    return timedelta(minutes=max(1, math.ceil(minutes / SERIES_POINTS)))


def _by_route(rows: list[dict[str, Any]]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    grouped: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        grouped[(row["service"], row["route"])].append(row)
    return grouped


def _route_advice(route: dict[str, Any], service: dict[str, Any]) -> list[str]:
    """A route far slower than its service, with the numbers that say how much it matters."""
    p95, service_p95 = route["p95_ms"], service["p95_ms"]
    if not p95 or not service_p95 or p95 < 2 * service_p95 or p95 < 50:
        return []
    share = route["time_share"] / service["time_share"] if service["time_share"] else 0.0
    slow_bound = next((b for b in (0.1, 0.25, 0.5, 1.0) if b * 1000 >= p95 / 2), 1.0)
    slow = share_slower_than(route["buckets"], slow_bound) or 0.0
    advice = (
        f"{route['method']} {route['route']} on {route['service']}: p95 {p95:.0f} ms over {route['requests']} "
        "requests, "
        f"{p95 / service_p95:.1f}× the service's p95 ({service_p95:.0f} ms), {share:.0%} of the service's request "
        f"time; {slow:.0%} of its requests took over {slow_bound * 1000:.0f} ms. Profile it (py-spy) and look at its "
        "statements in /metrics/database."
    )
    baseline = route.get("baseline_p95_ms")
    if baseline:
        advice += f" Its 7-day baseline p95 is {baseline:.0f} ms."
    return [advice]


def _error_advice(route: dict[str, Any]) -> list[str]:
    if route["errors"] < 3 or (route["error_ratio"] or 0) < 0.01:
        return []
    return [
        f"{route['method']} {route['route']} on {route['service']}: {route['errors']} of {route['requests']} requests "
        f"failed with 5xx ({route['error_ratio']:.1%}); read {route['service']}'s log for route={route['route']}."
    ]


def _analysis(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {"id": row["id"], "created_at": row["created_at"], **row["summary"], "findings": row["findings"]}
