"""The responses and security every route of the kit can give, written into each operation of a service's OpenAPI.

A route declares its own outcomes (its model, a 409 it raises); what the kit adds around every route is documented
here once, so clients and the contract fuzzing (`make fuzz`) see every status a route can answer:
- 400: a body that is not JSON or nests too deep, a NUL in the path, a cursor this service did not give out;
- 422: request validation, a NUL in a parameter or value: the envelope, which replaces FastAPI's own documentation of
  its 422 (`{"detail": [...]}`, a body the kit's handler never sends);
- every error a route describes in words only (its 404, 409, ...) is documented with the envelope's schema too;
- 401 / 403: the access token (a route that reads one; an invalid token is refused even where none is needed), the
  role a route requires, and the service key of internal routes;
- 404: a path naming something that does not exist (any path with a parameter);
- 429: the gateway's per-address rate limit on public routes;
- 503: the token keys (auth's JWKS) unavailable to a route that verifies a token.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI

from osool_common.auth import current_principal, optional_principal
from osool_common.routes import endpoint_routes
from osool_common.service_auth import HEADER as SERVICE_KEY_HEADER
from osool_common.service_auth import is_internal_path

ERROR_ENVELOPE = {
    "title": "ErrorEnvelope",
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "request_id": {"type": ["string", "null"]},
                "details": {},
            },
        }
    },
}
_ERROR_REF = {"$ref": "#/components/schemas/ErrorEnvelope"}
# FastAPI's own 422 body and its item, documented for every route with a parameter.
_FASTAPI_VALIDATION = ("HTTPValidationError", "ValidationError")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


def _dependency_calls(dependant: Any) -> Iterator[Callable[..., Any]]:
    for dependency in getattr(dependant, "dependencies", ()):
        if dependency.call is not None:
            yield dependency.call
        yield from _dependency_calls(dependency)


def _access(route: Any) -> str | None:
    """ "role", "required" or "optional": how the route reads the caller's access token; None when it does not."""
    calls = list(_dependency_calls(route.dependant))
    if any(getattr(call, "__qualname__", "").startswith("require_role.") for call in calls):
        return "role"
    if current_principal in calls:
        return "required"
    if optional_principal in calls:
        return "optional"
    return None


def _add(responses: dict[str, Any], status: int, description: str) -> None:
    responses.setdefault(
        str(status), {"description": description, "content": {"application/json": {"schema": _ERROR_REF}}}
    )


def document(app: FastAPI, schema: dict[str, Any]) -> dict[str, Any]:
    """Add the kit's responses and security to `schema` (the app's generated document), in place."""
    endpoints = [route for route in endpoint_routes(app.routes) if hasattr(route, "dependant")]
    access = {route.unique_id: _access(route) for route in endpoints if hasattr(route, "unique_id")}
    components = schema.setdefault("components", {})
    components.setdefault("schemas", {})["ErrorEnvelope"] = ERROR_ENVELOPE
    schemes = components.setdefault("securitySchemes", {})
    schemes["accessToken"] = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
    schemes["serviceKey"] = {"type": "apiKey", "in": "header", "name": SERVICE_KEY_HEADER}
    for path, operations in schema.get("paths", {}).items():
        internal = is_internal_path(path)
        for method in _METHODS:
            operation = operations.get(method)
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            _add(responses, 400, "The request is malformed: not JSON, nested too deep, a NUL in the path, or a cursor "
                 "this service did not give out")  # fmt: skip
            if _refers(responses.get("422"), _FASTAPI_VALIDATION[0]):
                del responses["422"]
            _add(responses, 422, "The request is not valid (the details name each field)")
            if "{" in path:
                _add(responses, 404, "Nothing exists at this path")
            if path.startswith("/api/") and not internal:
                _add(responses, 429, "Too many requests from this address (the gateway's rate limit)")
            kind = access.get(operation.get("operationId", ""))
            security: list[dict[str, list[str]]] = []
            if internal:
                security.append({"serviceKey": []})
                _add(responses, 401, "Only Osool services may call an internal route (the service key)")
            if kind is not None:
                _add(responses, 401, "The access token is missing, invalid, expired or revoked")
                _add(responses, 503, "The token keys are unavailable; try again shortly")
                if kind == "role":
                    _add(responses, 403, "The signed-in account's role may not do this")
                token: dict[str, list[str]] = {"accessToken": []}
                if internal:
                    security = [{"serviceKey": [], "accessToken": []}]
                elif kind == "optional":
                    security = [{}, token]  # anonymous callers too; a token given must be valid
                else:
                    security = [token]
            if security:
                operation["security"] = security
            for status, response in responses.items():
                if status[:1] in ("4", "5"):  # an error a route describes in words only is the envelope too
                    response.setdefault("content", {"application/json": {"schema": _ERROR_REF}})
    # FastAPI's 422 body, then its item, once nothing refers to them any more.
    schemas = components["schemas"]
    for name in _FASTAPI_VALIDATION:
        others = {key: value for key, value in schemas.items() if key != name}
        if not _refers(schema.get("paths"), name) and not _refers(others, name):
            schemas.pop(name, None)
    return schema


def _refers(part: Any, name: str) -> bool:
    """Whether a part of the document refers to the component schema `name`."""
    return f'"#/components/schemas/{name}"' in json.dumps(part)


def install(app: FastAPI) -> None:
    """Make `app.openapi()` return the documented schema (generated once, like FastAPI's own)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document(app, generate())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
