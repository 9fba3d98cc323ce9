"""What every request passes before a route sees it: no NUL in its URL or JSON body, and JSON no deeper than a limit.

NUL: PostgreSQL cannot store or compare it in text, so `?q=a%00b` reached the database as an error (a 500); no route
of ours has a use for it, so it is refused here once for all (in a JSON body: a `\u0000` escape).

Depth: the stdlib's C JSON parser recurses once per nesting level and stops only at `sys.getrecursionlimit()`, and
py_ecc and py-evm (imported by eth_account in auth and by the chain) raise that limit to 100,000 at import. A 200 KB
body of brackets then overflows the C stack and the worker dies with SIGSEGV. Lowering the limit again would break
the EVM, so every service refuses over-deep JSON here instead, whatever its imports do. No library checks depth
without parsing; this scanner is linear in the body and exits early.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from osool_common.errors import error_body

# Far deeper than any request model of ours (the deepest is about 5), far shallower than what hurts a parser.
MAX_JSON_DEPTH = 64

# One token at a time from the current position: text without brackets or quotes, a whole string, a run of
# opening brackets, a run of closing ones. Matching at a position (never searching) keeps it linear: an
# unterminated string is scanned once, and the scan stops there (a parser stops there too).
_TOKEN = re.compile(rb'[^"\[\]{}]+|"(?:[^"\\]|\\.)*+"|[\[{]+|[\]}]+', re.DOTALL)

# A \u0000 escape, not a literal backslash followed by "u0000" (that is an even run of backslashes before the u).
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def json_too_deep(body: bytes | str, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the brackets of `body` (outside strings) nest deeper than `limit`; invalid JSON is not judged."""
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    if data.count(b"[") + data.count(b"{") <= limit:
        return False  # the common case, at the speed of bytes.count
    depth, position, end = 0, 0, len(data)
    while position < end:
        token = _TOKEN.match(data, position)
        if token is None:
            return False  # an unterminated string: the parser fails here, no deeper than what came before
        first = data[position]
        if first in b"[{":
            depth += token.end() - position
            if depth > limit:
                return True
        elif first in b"]}":
            depth = max(0, depth - (token.end() - position))
        position = token.end()
    return False


def _is_json(scope: Scope) -> bool:
    # FastAPI parses a body as JSON when it has no content type at all, or a JSON one (application/json, +json).
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return media == b"application/json" or media.endswith(b"+json")
    return True


class RequestGuardMiddleware:
    """Refuses a NUL in the path (400) or in a parameter or JSON value (422, as a field's validation would); reads a
    JSON body whole and refuses it with 400 when it nests deeper than the limit, else replays it unchanged. WebSocket
    handshakes get the URL check; their messages are the route's."""

    def __init__(self, app: ASGIApp, max_depth: int = MAX_JSON_DEPTH) -> None:
        self.app = app
        self.max_depth = max_depth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"%00" in scope.get("query_string", b""):
            if scope["type"] == "websocket":
                await send({"type": "websocket.close", "code": 1008})
            elif "\x00" in scope.get("path", ""):
                await send_error(send, 400, "NUL characters are not allowed in a URL")
            else:
                # A value that is not acceptable, like a field's own validation would say (422, validation_error).
                await send_error(send, 422, "NUL characters are not allowed in a parameter", "validation_error")
            return
        if scope["type"] != "http" or not _is_json(scope):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        chunks: list[bytes] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break  # the client left; the app sees the same disconnect
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if json_too_deep(body, self.max_depth):
            await send_error(send, 400, f"JSON nested deeper than {self.max_depth} levels")
            return
        if _JSON_NUL.search(body):
            await send_error(send, 422, "NUL characters (\\u0000) are not allowed", "validation_error")
            return
        replay = iter(messages)

        async def replayed() -> Message:
            message = next(replay, None)
            return message if message is not None else await receive()

        await self.app(scope, replayed, send)


async def send_error(send: Send, status: int, message: str, code: str | None = None) -> None:
    """The error envelope straight from a middleware (the request id is set: the correlation middleware runs first)."""
    body = json.dumps(error_body(status, message, code)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
