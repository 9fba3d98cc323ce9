"""Service-to-service authentication: the per-deployment key our own calls carry, checked on every internal route.

Who holds it: every service (`OSOOL_SERVICE_KEY`, generated into .env on the first local start) and the gateway,
whose internal listener refuses a caller without it too (gateway/nginx/nginx.conf.j2). So a process on the host, or a
pod in the cluster, that is not one of ours gets 401 on `/api/<area>/internal/...` whichever way it comes: through
the internal listener or straight to a service's port. A shared key rather than tokens issued by auth: internal
calls must not depend on auth being up, and the key rotates with a rolling restart (README, "Security").
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable

from osool_common.request_guard import ASGIApp, Receive, Scope, Send, send_error

HEADER = "X-Osool-Service-Key"
_HEADER_BYTES = HEADER.lower().encode()
# The same key as a bearer token, for callers that can send no header of their own: Alertmanager's webhook (its
# http_config knows basic and bearer authorization only). A user's token on an internal route is just not the key.
_BEARER_PREFIX = b"bearer "
_INTERNAL_PATH = re.compile(r"^/api/[^/]+/internal(/|$)")


def is_internal_path(path: str) -> bool:
    return bool(_INTERNAL_PATH.match(path))


def carries_service_key(headers: Iterable[tuple[bytes, bytes]], key: bytes | None) -> bool:
    """Whether ASGI headers carry the deployment's key: in X-Osool-Service-Key, or as a bearer token."""
    presented = b""
    for name, value in headers:
        if name == _HEADER_BYTES:
            presented = value
            break
        if name == b"authorization" and value[:7].lower() == _BEARER_PREFIX:
            presented = value[7:].strip()
    return key is not None and hmac.compare_digest(presented, key)


class ServiceKeyMiddleware:
    """Answers 401 to a request for an internal route that does not carry this deployment's service key."""

    def __init__(self, app: ASGIApp, key: str | None) -> None:
        self.app = app
        # No key configured: no caller can prove it is one of ours, so internal routes refuse everyone.
        self.key = key.encode() if key else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and is_internal_path(scope.get("path", "")):
            if not carries_service_key(scope.get("headers", ()), self.key):
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                else:
                    await send_error(send, 401, "internal route: only Osool services may call it", "unauthenticated")
                return
        await self.app(scope, receive, send)
