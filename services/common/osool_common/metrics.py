"""The kit's Prometheus metrics (HTTP routes, database pool and queries, Redis commands, cache serialization), correct
across worker processes, and the /metrics endpoint."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from osool_common.exposition import MultiProcessText
from osool_common.logging import get_logger
from osool_common.routes import route_template

log = get_logger("osool.http")

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter(
    "osool_http_requests_total",
    "HTTP requests served, by route template",
    ["service", "route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "osool_http_request_duration_seconds",
    "HTTP request duration, by route template",
    ["service", "route", "method"],
    buckets=LATENCY_BUCKETS,
)

# Database: the pool of each worker (summed over the live workers of a host), and every statement by its label
# (osool_common.statement_labels), timed by asyncpg's query logger.
DB_POOL_CONNECTIONS = Gauge(
    "osool_db_pool_connections", "Database pool connections open, by state (in_use, idle)", ["service", "state"],
    multiprocess_mode="livesum",
)  # fmt: skip
DB_POOL_MAX = Gauge(
    "osool_db_pool_max_connections", "Database pool connections allowed (max size)", ["service"],
    multiprocess_mode="livesum",
)  # fmt: skip
# This histogram and the two below it are series per statement, command or cache, times buckets: together over a
# third of every series the stack exports, each one scraped, stored, federated and stored again by the global Prometheus
# (bench/monitoring). Their bounds are the ones a p95 per statement or command can be told apart by (roughly a
# factor of 2 to 4 between neighbours, where the figures fall), not every step of the default ladder.
DB_QUERY_DURATION = Histogram(
    "osool_db_query_duration_seconds",
    "Database statement duration, by statement (verb and first table)",
    ["service", "statement"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5, 10.0),
)
REDIS_COMMAND_DURATION = Histogram(
    "osool_redis_command_duration_seconds",
    "Redis command duration as the caller waits it (pool, retries, round trip), by command; PIPELINE and MULTI for a "
    "whole pipeline",
    ["service", "command"],
    buckets=(0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.05, 0.25),
)
CACHE_SERIALIZATION = Histogram(
    "osool_cache_serialization_seconds",
    "Time spent encoding values for a cache in Redis and decoding them back, by cache and operation",
    ["service", "cache", "operation"],
    buckets=(0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.025, 0.1),
)
OTHER_LABEL = "other"

UNMATCHED_ROUTE = "<unmatched>"
# Probes and scrapes are counted but logged at debug level, so the log shows real traffic.
_QUIET_ROUTES = {"/health", "/health/live", "/health/ready", "/metrics"}


class RequestMetricsMiddleware:
    """Counts and times every request by route template, and logs it once.

    Written here rather than taken from prometheus-fastapi-instrumentator or starlette-exporter because
    our metric and label names (osool_http_requests_total{service,route,method,status}) are fixed by the
    design, and both libraries name them their own way; the middleware is a few lines of pure ASGI.
    """

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status_holder = [500]

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            elapsed = time.perf_counter() - start
            route = _route_template(scope)
            method = scope["method"]
            status = status_holder[0]
            HTTP_REQUESTS.labels(self.service, route, method, str(status)).inc()
            HTTP_DURATION.labels(self.service, route, method).observe(elapsed)
            level = "debug" if route in _QUIET_ROUTES and status < 500 else "info"
            getattr(log, level)(
                "http.request", method=method, route=route, status=status, duration_ms=round(elapsed * 1000, 2)
            )


def _route_template(scope: Scope) -> str:
    # FastAPI's own routes leave themselves in the scope; plain Starlette routes (/openapi.json, /metrics) don't,
    # so those are matched again here. A path no route matches is one label, never the raw path.
    route: Any = scope.get("route")
    path = getattr(route, "path", None)
    if isinstance(path, str):
        return path
    # Requests a middleware answered before routing (the request guard, the service key) come this way too.
    return route_template(getattr(scope.get("app"), "routes", ()), scope) or UNMATCHED_ROUTE


class BoundedHistogram:
    """The children of a histogram for one service, keyed by one more label whose values come from outside the code
    (statements, commands): past `limit` distinct values, every new one is counted as "other", so a caller can
    never grow the series without bound. The children are kept, which also saves `labels()` its lock and lookup on
    every observation (this runs on every query and command)."""

    def __init__(self, histogram: Histogram, service: str, limit: int) -> None:
        self.histogram = histogram
        self.service = service
        self.limit = limit
        self._children: dict[str, Any] = {}
        self._lock = threading.Lock()

    def observe(self, label: str, seconds: float) -> None:
        child = self._children.get(label)
        if child is None:
            child = self._child(label)
        child.observe(seconds)

    def _child(self, label: str) -> Any:
        with self._lock:
            if label not in self._children:
                if len(self._children) >= self.limit:
                    return self._other()
                self._children[label] = self.histogram.labels(self.service, label)
            return self._children[label]

    def _other(self) -> Any:
        other = self._children.get(OTHER_LABEL)
        if other is None:
            other = self._children[OTHER_LABEL] = self.histogram.labels(self.service, OTHER_LABEL)
        return other


ScrapeHook = Callable[[], Awaitable[None]]


_multiprocess_text: MultiProcessText | None = None


def render_metrics(names: Collection[str] = ()) -> bytes:
    """The exposition: every worker's files through MultiProcessText (what it parsed kept between scrapes) under
    PROMETHEUS_MULTIPROC_DIR, else this process's registry; `names` keeps only those samples (name[] as in
    prometheus_client's own handler), which the monitoring service's RED job asks for."""
    global _multiprocess_text
    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        from prometheus_client import REGISTRY

        return generate_latest(REGISTRY.restricted_registry(names) if names else REGISTRY)
    if _multiprocess_text is None or _multiprocess_text.path != path:
        _multiprocess_text = MultiProcessText(path)
    return _multiprocess_text.render(names)


async def metrics_endpoint(request: Request) -> Response:
    # Gauges read from this worker's state (the pool, an evaluation file) are brought up to date first; a hook that
    # fails leaves its gauge as it was rather than failing the scrape.
    for hook in getattr(request.app.state, "scrape_hooks", ()):
        try:
            await hook()
        except Exception as exc:
            log.warning("metrics.scrape_hook_failed", hook=getattr(hook, "__qualname__", repr(hook)), error=repr(exc))
    return Response(render_metrics(request.query_params.getlist("name[]")), media_type=CONTENT_TYPE_LATEST)
