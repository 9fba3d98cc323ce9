"""The OpenAPI document says what the kit answers: a 422 is the error envelope, not FastAPI's own `detail` body."""

from __future__ import annotations

from typing import Any

import jsonschema
from fastapi import FastAPI, Query
from fastapi.testclient import TestClient
from pydantic import BaseModel, Field

from osool_common import openapi
from osool_common.errors import install_error_handlers


class Order(BaseModel):
    quantity: int = Field(ge=1)


def _client() -> TestClient:
    app = FastAPI()
    install_error_handlers(app)

    @app.post("/orders")
    async def order(body: Order) -> Order:
        return body

    @app.get("/orders", responses={422: {"description": "a page past the last"}})
    async def orders(page: int = Query(ge=1)) -> list[Order]:
        return []

    openapi.install(app)
    return TestClient(app)


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema with the document's components, for jsonschema to follow its references."""
    return {**schema, "components": document["components"]}


def test_a_422_is_documented_as_the_envelope_it_is() -> None:
    client = _client()
    document = client.get("/openapi.json").json()
    documented = document["paths"]["/orders"]["post"]["responses"]["422"]
    assert documented["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    answered = client.post("/orders", json={"quantity": 0})
    assert answered.status_code == 422
    schema = _resolved(document, documented["content"]["application/json"]["schema"])
    jsonschema.validate(answered.json(), schema)  # what the service sends fits what it documents
    # FastAPI's own 422 body ({"detail": [...]}) is gone, and so is what only it referred to.
    assert "HTTPValidationError" not in document["components"]["schemas"]
    assert "ValidationError" not in document["components"]["schemas"]
    assert "Order" in document["components"]["schemas"]


def test_an_error_a_route_describes_in_words_keeps_them_and_is_the_envelope() -> None:
    document = _client().get("/openapi.json").json()
    described = document["paths"]["/orders"]["get"]["responses"]["422"]
    assert described["description"] == "a page past the last"
    assert described["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorEnvelope"}
    ok = document["paths"]["/orders"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok["type"] == "array"  # a success keeps its own schema
