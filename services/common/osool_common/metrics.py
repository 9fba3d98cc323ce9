"""Prometheus RED metrics for every route, correct across worker processes, and the /metrics endpoint."""

from __future__ import annotations

import os
import time
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

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


def metrics_registry() -> CollectorRegistry:
    """A registry that reads every worker's files when the launcher set PROMETHEUS_MULTIPROC_DIR."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


async def metrics_endpoint(_: Request) -> Response:
    return Response(generate_latest(metrics_registry()), media_type=CONTENT_TYPE_LATEST)
