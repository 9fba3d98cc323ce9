"""The gateway serving the web client (web/dist): cache rules, client routes answered with index.html and never
/api/* or /metrics/*, the same strict CSP, and a page saying how to build the client when it is not built. A gateway
of the test's own over a temporary web root and a stand-in upstream; no stack needed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request

from devstack.config import GatewayRates
from devstack.testing import ThreadedServer, standalone_gateway

INDEX = (
    '<!doctype html><html><head><title>Osool test build</title><script type="module" src="/assets/app-Ab12Cd34.js">'
    '</script></head><body><div id="app"></div></body></html>'
)
CSP = (
    "default-src 'self'; img-src 'self' data: https:; style-src 'self'; script-src 'self'; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
CLIENT_ROUTES = ["/", "/listings/4f1c2d3e", "/search", "/signin", "/verify-email?token=abc",
                 "/reset-password?token=abc", "/history", "/agents", "/admin/listings", "/operations",
                 "/saved-searches", "/bookings", "/alerts/unsubscribe?token=abc", "/account",
                 "/some/page/the/client/may/add"]  # fmt: skip


@contextmanager
def gateway(web_root: Path, tmp_path: Path) -> Iterator[str]:
    app = FastAPI()

    @app.api_route("/{path:path}", methods=["GET", "POST"])
    async def anything(path: str, request: Request) -> dict[str, str]:
        return {"upstream": request.url.path}

    with (
        ThreadedServer(app) as upstream,
        standalone_gateway(tmp_path / "nginx", upstream.port, GatewayRates(), web_root) as url,
    ):
        yield url


@pytest.fixture
def built(tmp_path: Path) -> Iterator[str]:
    web = tmp_path / "web"
    (web / "dist" / "assets").mkdir(parents=True)
    (web / "dist" / "index.html").write_text(INDEX)
    (web / "dist" / "favicon.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (web / "dist" / "assets" / "app-Ab12Cd34.js").write_text("console.log('osool');\n" * 200)
    (web / "dist" / "assets" / "app-Ab12Cd34.css").write_text("body { margin: 0 }\n" * 200)
    # The rest of web/ (sources, node_modules) is never served.
    (web / "package.json").write_text("{}")
    with gateway(web, tmp_path) as url:
        yield url


@pytest.mark.parametrize("path", CLIENT_ROUTES)
def test_client_routes_get_index_html_revalidated_every_time(built: str, path: str) -> None:
    response = httpx.get(f"{built}{path}")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-frame-options"] == "DENY" and response.headers["x-content-type-options"] == "nosniff"


def test_hashed_assets_are_cached_for_a_year_and_compressed(built: str) -> None:
    script = httpx.get(f"{built}/assets/app-Ab12Cd34.js", headers={"Accept-Encoding": "gzip"})
    assert script.status_code == 200
    assert script.headers["content-type"] == "application/javascript"
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-encoding"] == "gzip"
    assert script.headers["content-security-policy"] == CSP and script.headers["x-content-type-options"] == "nosniff"
    style = httpx.get(f"{built}/assets/app-Ab12Cd34.css")
    assert style.headers["content-type"] == "text/css" and "immutable" in style.headers["cache-control"]


def test_a_missing_asset_is_a_404_not_the_page(built: str) -> None:
    response = httpx.get(f"{built}/assets/app-gone0000.js")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_only_the_build_is_served(built: str) -> None:
    assert httpx.get(f"{built}/package.json").text == INDEX  # a client route, not the file beside dist/
    assert httpx.get(f"{built}/favicon.svg").headers["content-type"] == "image/svg+xml"


@pytest.mark.parametrize("path", ["/api/properties/4f1c2d3e", "/api/history/sessions", "/metrics/performance"])
def test_api_and_metrics_paths_go_to_their_service_never_to_the_page(built: str, path: str) -> None:
    response = httpx.get(f"{built}{path}")
    assert response.json() == {"upstream": path}


@pytest.mark.parametrize("path", ["/api/unknown-area", "/api/", "/search/health", "/metrics"])
def test_api_and_internal_paths_without_a_route_stay_json_404s(built: str, path: str) -> None:
    response = httpx.get(f"{built}{path}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_without_a_build_the_gateway_says_how_to_make_one(tmp_path: Path) -> None:
    web = tmp_path / "web"
    web.mkdir()
    with gateway(web, tmp_path) as url:
        for path in ("/", "/signin", "/search"):
            response = httpx.get(f"{url}{path}")
            assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
            assert "<title>Osool" in response.text and "make install" in response.text
            assert response.headers["cache-control"] == "no-store"
            assert response.headers["content-security-policy"] == CSP
        assert httpx.get(f"{url}/assets/app-Ab12Cd34.js").status_code == 404
        assert httpx.get(f"{url}/api/properties/1").json() == {"upstream": "/api/properties/1"}
