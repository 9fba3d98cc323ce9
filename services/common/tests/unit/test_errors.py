"""The error envelope: domain errors, HTTP errors, validation errors and crashes all answer the same shape."""

from __future__ import annotations

import asyncpg
import pytest
import redis.exceptions
from asgi_correlation_id import CorrelationIdMiddleware
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from osool_common.app import is_valid_request_id
from osool_common.errors import ConflictError, NotFoundError, RateLimitedError, install_error_handlers


class Order(BaseModel):
    quantity: int = Field(ge=1)


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/things/{thing_id}")
    async def get_thing(thing_id: int) -> dict[str, int]:
        if thing_id == 0:
            raise NotFoundError("thing 0 does not exist")
        if thing_id == 1:
            raise ConflictError("thing 1 is taken", details={"holder": "someone"})
        if thing_id == 2:
            raise RuntimeError("database password is hunter2")
        if thing_id == 3:
            raise RateLimitedError("slow down", details={"retry_after_seconds": 2.2}, retry_after=2.2)
        if thing_id == 4:
            raise RateLimitedError("too many wrong codes; ask for a new code")
        return {"id": thing_id}

    @app.post("/orders")
    async def order(body: Order) -> Order:
        return body

    app.add_middleware(CorrelationIdMiddleware, header_name="X-Request-ID", validator=is_valid_request_id)
    return app


@pytest.fixture
def client() -> TestClient:
    return TestClient(_app(), raise_server_exceptions=False)


def test_domain_error_becomes_the_envelope(client: TestClient) -> None:
    response = client.get("/things/0", headers={"X-Request-ID": "req-abcdef12"})
    assert response.status_code == 404
    assert response.json() == {
        "error": {"code": "not_found", "message": "thing 0 does not exist", "request_id": "req-abcdef12"}
    }


def test_domain_error_details_are_kept(client: TestClient) -> None:
    response = client.get("/things/1")
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"holder": "someone"}


def test_validation_error_names_the_field(client: TestClient) -> None:
    response = client.post("/orders", json={"quantity": 0})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["location"] == ["body", "quantity"]


def test_malformed_json_is_a_4xx_envelope(client: TestClient) -> None:
    response = client.post("/orders", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "validation_error"


def test_unknown_route_and_wrong_method_use_the_envelope(client: TestClient) -> None:
    assert client.get("/nowhere").json()["error"]["code"] == "not_found"
    response = client.delete("/orders")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_crash_is_a_500_with_request_id_and_no_details(client: TestClient) -> None:
    response = client.get("/things/2", headers={"X-Request-ID": "crash-0001"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "crash-0001"
    body = response.json()
    assert body == {"error": {"code": "internal_error", "message": "Internal server error", "request_id": "crash-0001"}}
    assert "hunter2" not in response.text and "Traceback" not in response.text


def test_request_id_is_generated_when_missing_or_malformed(client: TestClient) -> None:
    generated = client.get("/things/5").headers["X-Request-ID"]
    assert len(generated) == 32 and int(generated, 16) >= 0
    forged = client.get("/things/5", headers={"X-Request-ID": "bad id\twith spaces"}).headers["X-Request-ID"]
    assert forged != "bad id\twith spaces" and len(forged) == 32


@pytest.mark.parametrize(
    ("value", "valid"),
    [("0123456789abcdef0123456789abcdef", True), ("3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e", True),
     ("short", False), ("x" * 129, False), ("evil\nline", False), ("a b c d e f g h", False)],
)  # fmt: skip
def test_request_id_validator(value: str, valid: bool) -> None:
    assert is_valid_request_id(value) is valid


@pytest.mark.parametrize(
    "failure",
    [
        asyncpg.CannotConnectNowError("the database system is starting up"),
        asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6380. Connection refused."),
        ConnectionRefusedError(111, "Connection refused"),
        TimeoutError(),
    ],
)
def test_a_dependency_down_is_a_503_to_retry_and_the_connection_stays_open(failure: Exception) -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/needs-the-database")
    async def needs() -> None:
        raise failure

    response = TestClient(app, raise_server_exceptions=True).get("/needs-the-database")
    # raise_server_exceptions: a 500 from Starlette's last-resort handler would raise here instead of answering.
    assert response.status_code == 503 and response.headers["retry-after"] == "2"
    assert response.json()["error"]["code"] == "unavailable"


def test_rate_limited_says_when_to_retry_in_the_standard_header(client: TestClient) -> None:
    response = client.get("/things/3")
    assert response.status_code == 429 and response.json()["error"]["code"] == "rate_limited"
    assert response.headers["Retry-After"] == "3"  # whole seconds, rounded up: never sooner than the limiter allows
    assert response.json()["error"]["details"] == {"retry_after_seconds": 2.2}
    # Without a known wait (a new code is needed, not time) there is no header to promise one.
    assert "retry-after" not in client.get("/things/4").headers
