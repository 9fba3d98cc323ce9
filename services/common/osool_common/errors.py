"""Domain exceptions and the one JSON error envelope every 4xx/5xx takes."""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any

import asyncpg
import redis.exceptions
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from osool_common.logging import get_logger
from osool_common.routes import allowed_methods

log = get_logger(__name__)


class DomainError(Exception):
    """A failure the caller can act on. Subclasses set the HTTP status and a stable code."""

    status_code: int = 400
    code: str = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class NotFoundError(DomainError):
    status_code = 404
    code = "not_found"


class ValidationFailedError(DomainError):
    """Input that is well-formed but not acceptable, found past request-model validation (same code as that)."""

    status_code = 422
    code = "validation_error"


class PayloadTooLargeError(DomainError):
    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaTypeError(DomainError):
    status_code = 415
    code = "unsupported_media_type"


class ConflictError(DomainError):
    status_code = 409
    code = "conflict"


class PermissionDeniedError(DomainError):
    status_code = 403
    code = "forbidden"


class UnauthenticatedError(DomainError):
    status_code = 401
    code = "unauthenticated"


class RateLimitedError(DomainError):
    """Too many requests. `retry_after` (seconds) becomes the standard Retry-After header, rounded up to whole seconds,
    so HTTP clients and proxies that know the header back off without reading our envelope."""

    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, details: Any = None, retry_after: float | None = None) -> None:
        super().__init__(message, details=details)
        self.retry_after = retry_after


class UnavailableError(DomainError):
    status_code = 503
    code = "unavailable"


_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    502: "bad_gateway",
    503: "unavailable",
    504: "timeout",
}


def error_body(status: int, message: str, code: str | None = None, details: Any = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "code": code or _CODES_BY_STATUS.get(status, "error"),
        "message": message,
        "request_id": correlation_id.get(),
    }
    if details is not None:
        error["details"] = details
    return {"error": error}


def error_response(status: int, message: str, code: str | None = None, details: Any = None) -> JSONResponse:
    headers = {}
    request_id = correlation_id.get()
    if request_id:
        headers["X-Request-ID"] = request_id
    return JSONResponse(error_body(status, message, code, details), status_code=status, headers=headers)


async def _domain_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DomainError)
    response = error_response(exc.status_code, exc.message, exc.code, exc.details)
    if isinstance(exc, RateLimitedError) and exc.retry_after is not None:
        response.headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
    return response


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    message = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    response = error_response(exc.status_code, message)
    for name, value in (exc.headers or {}).items():
        response.headers[name] = value
    if exc.status_code == 405:
        # Every method of the path: one route per method, and Starlette's 405 names the first route's only.
        methods = allowed_methods(request.app.routes, request.scope)
        if methods:
            response.headers["Allow"] = ", ".join(methods)
    return response


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    details = [
        {"location": list(error.get("loc", ())), "message": error.get("msg", ""), "type": error.get("type", "")}
        for error in exc.errors()
    ]
    return error_response(422, "The request is not valid", "validation_error", details)


# A dependency that is down or restarting (PostgreSQL, Valkey, a connection dropped or refused) is a 503 the caller can
# retry, not a 500. Answered here, before Starlette's last-resort handler: that one also closes the connection, and the
# gateway, finding a kept-alive connection reset, took the replica out and answered 502 for a while (make chaos).
DEPENDENCY_DOWN: tuple[type[Exception], ...] = (
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.TooManyConnectionsError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)


async def _dependency_down(request: Request, exc: Exception) -> JSONResponse:
    log.warning("request.dependency_unavailable", path=request.url.path, error=type(exc).__name__)
    response = error_response(503, "A service this request needs is briefly unavailable; try again shortly")
    response.headers["Retry-After"] = "2"
    return response


async def _unhandled_error(request: Request, exc: Exception) -> JSONResponse:
    # The stack trace goes to the log (and Sentry), never to the caller.
    log.error("request.unhandled_error", path=request.url.path, error=type(exc).__name__, exc_info=exc)
    return error_response(500, "Internal server error", "internal_error")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(DomainError, _domain_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    for kind in DEPENDENCY_DOWN:
        app.add_exception_handler(kind, _dependency_down)
    app.add_exception_handler(Exception, _unhandled_error)
