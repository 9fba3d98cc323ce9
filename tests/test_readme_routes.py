"""The READMEs describe only routes that exist: every `METHOD /path` they name is served by one of the running
stack's services (its OpenAPI), so a renamed or removed route cannot stay documented."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from devstack.config import SERVICES
from devstack.stack import LocalStack
from devstack.testing import service_headers

ROOT = Path(__file__).resolve().parents[1]
READMES = [
    ROOT / "README.md",
    *sorted((ROOT / "services").glob("*/README.md")),
    *sorted((ROOT / "web").glob("README.md")),
    *sorted((ROOT / "infrastructure").glob("*/README.md")),
]
# A route named in prose or a table: `GET /api/monitoring/status`, `PUT /api/leads/<id>/assignment`.
MENTION = re.compile(r"\b(GET|POST|PUT|PATCH|DELETE)\s+(/[A-Za-z0-9_{}<>\-/.]*)")
# Served by the kit outside OpenAPI (plain Starlette routes): Prometheus's scrape and the schema itself.
UNDOCUMENTED_BY_DESIGN = {("GET", "/metrics"), ("GET", "/openapi.json")}


def normalised(path: str) -> str:
    """Parameters as `{}` whatever their name or spelling (`{id}`, `{viewing_id}`, `<id>`), no trailing slash."""
    return re.sub(r"\{[^}]*\}|<[^>]*>", "{}", path.rstrip("/.") or "/")


def named_routes(text: str) -> set[tuple[str, str]]:
    return {(method, normalised(path)) for method, path in MENTION.findall(text)}


def served(route: tuple[str, str], routes: set[tuple[str, str]]) -> bool:
    """A README names a route as the gateway serves it (`/api/auth/login`) or, in a service's table, as the service's
    own path below its prefix (`/login`)."""
    method, path = route
    return any(method == m and (path == p or p.endswith(path)) for m, p in routes)


def test_a_route_is_matched_whatever_its_parameters_are_called() -> None:
    routes = {("GET", normalised("/api/viewings/{viewing_id}")), ("POST", "/api/auth/login")}
    assert served(("GET", normalised("/api/viewings/<id>")), routes)
    assert served(("POST", "/login"), routes)
    assert not served(("GET", "/login"), routes)  # the method counts
    assert not served(("GET", normalised("/api/viewings/{id}/ics")), routes)
    assert named_routes('see `PUT /api/leads/<id>/assignment {"agent_id"}`.') == {("PUT", "/api/leads/{}/assignment")}


def test_every_route_a_readme_names_is_served(stack: LocalStack) -> None:
    routes = set(UNDOCUMENTED_BY_DESIGN)
    with httpx.Client(base_url=stack.config.internal_url, headers=service_headers(stack), timeout=30) as client:
        for service in SERVICES:
            response = client.get(f"/{service}/openapi.json")
            assert response.status_code == 200, (service, response.text[:200])
            routes |= {
                (method.upper(), normalised(path))
                for path, operations in response.json()["paths"].items()
                for method in operations
            }
    assert len(READMES) >= 8
    missing = {
        str(readme.relative_to(ROOT)): sorted(
            route for route in named_routes(readme.read_text()) if not served(route, routes)
        )
        for readme in READMES
    }
    assert {readme: routes for readme, routes in missing.items() if routes} == {}
