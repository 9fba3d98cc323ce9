"""An app's endpoint routes, through included routers: which one a path names, and every method a path allows.

FastAPI keeps an included router as one route (`_IncludedRouter`) whose own routes hold the endpoints
(`effective_candidates()`); Starlette's plain routes are endpoints themselves. If a FastAPI release changes that,
the walk sees fewer routes (a request is labelled unmatched, an Allow header lists fewer methods) but never fails.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from starlette.routing import Match


def endpoint_routes(routes: Iterable[Any]) -> Iterator[Any]:
    for route in routes:
        nested = getattr(route, "effective_candidates", None)
        if callable(nested):
            yield from endpoint_routes(nested())
        else:
            yield route


def route_template(routes: Iterable[Any], scope: dict[str, Any] | Any) -> str | None:
    """The path template of the route that fully matches `scope` (path and method), if any."""
    for route in endpoint_routes(routes):
        path = getattr(route, "path", None)
        matches = getattr(route, "matches", None)
        if isinstance(path, str) and callable(matches) and matches(scope)[0] == Match.FULL:
            return path
    return None


def allowed_methods(routes: Iterable[Any], scope: dict[str, Any] | Any) -> list[str]:
    """Every method some route serves at this path (Starlette's own 405 names only the first route's)."""
    methods: set[str] = set()
    for route in endpoint_routes(routes):
        matches = getattr(route, "matches", None)
        route_methods = getattr(route, "methods", None)
        if callable(matches) and route_methods and matches(scope)[0] in (Match.FULL, Match.PARTIAL):
            methods |= set(route_methods)
    return sorted(methods)
