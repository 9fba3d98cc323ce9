"""Routes through included routers: metrics labels (also for requests refused before routing), and 405 Allow."""

from __future__ import annotations

from fastapi import APIRouter, FastAPI

from osool_common.metrics import UNMATCHED_ROUTE, _route_template


def app_with_an_included_router() -> FastAPI:
    app = FastAPI()
    router = APIRouter(prefix="/api/things")

    @router.post("/signup")
    async def signup() -> dict[str, str]:
        return {}

    @router.get("/{thing_id}")
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    app.include_router(router)
    return app


def label(app: FastAPI, method: str, path: str) -> str:
    # No "route" in the scope: what a request refused by the request guard or the service key looks like.
    return _route_template({"type": "http", "method": method, "path": path, "root_path": "", "headers": [], "app": app})


def test_a_request_refused_before_routing_gets_its_route_template() -> None:
    app = app_with_an_included_router()
    assert label(app, "POST", "/api/things/signup") == "/api/things/signup"
    assert label(app, "GET", "/api/things/42") == "/api/things/{thing_id}"
    assert label(app, "GET", "/openapi.json") == "/openapi.json"


def test_a_path_no_route_matches_is_one_label() -> None:
    app = app_with_an_included_router()
    assert label(app, "POST", "/api/things/x/y") == UNMATCHED_ROUTE
    assert label(app, "GET", "/secret-probe-123") == UNMATCHED_ROUTE


def test_a_405_allows_every_method_of_the_path() -> None:
    from fastapi.testclient import TestClient

    from osool_common.errors import install_error_handlers

    app = FastAPI()
    install_error_handlers(app)
    router = APIRouter(prefix="/api/sessions")

    @router.post("")
    async def create() -> dict[str, str]:
        return {}

    @router.get("")
    async def listing() -> dict[str, str]:
        return {}

    @router.delete("")
    async def delete() -> dict[str, str]:
        return {}

    app.include_router(router)
    response = TestClient(app).options("/api/sessions")
    assert response.status_code == 405 and response.json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["allow"].split(", ")) >= {"GET", "POST", "DELETE"}
