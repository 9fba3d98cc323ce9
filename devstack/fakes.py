"""Local stand-ins for third-party services, speaking their wire protocol, for the tests' stack."""

from __future__ import annotations

import asyncio
import hashlib
import html
import itertools
import json
import re
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, StreamingResponse
from jwt.algorithms import RSAAlgorithm

from devstack.testing import ThreadedServer

GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_CLIENT_ID = "osool-test.apps.googleusercontent.com"


class FakeGoogle:
    """Google's published signing keys (the oauth2/v3/certs document), a way to mint ID tokens with them, and its
    OpenID Connect authorization endpoint for the implicit flow a browser goes through (response_type=id_token):
    a page to choose an account by email, then back to redirect_uri with #id_token=...&state=... (or
    #error=access_denied&state=... when the person cancels). Like Google, it refuses another client id, a response
    type other than id_token, no nonce, and a redirect URI that is not registered (here: loopback only)."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-google-1"
        self.hits = 0
        app = FastAPI()

        @app.get("/o/oauth2/v2/auth")
        async def authorize(request: Request) -> Response:
            query = request.query_params
            problem = _authorization_problem(query)
            if problem:
                return HTMLResponse(_google_page("Error 400: invalid_request", f"<p>{html.escape(problem)}</p>"), 400)
            hidden = "".join(
                f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
                for name in ("redirect_uri", "state", "nonce")
            )
            form = (
                '<form method="get" action="/o/oauth2/v2/auth/approve">'
                f"{hidden}<label for=email>Email</label> <input id=email name=email type=email required> "
                '<button name="decision" value="allow">Continue</button> '
                '<button name="decision" value="deny" formnovalidate>Cancel</button></form>'
            )
            return HTMLResponse(_google_page("Choose an account", form))

        @app.get("/o/oauth2/v2/auth/approve")
        async def approve(
            redirect_uri: str, state: str = "", nonce: str = "", email: str = "", decision: str = "deny"
        ) -> Response:
            if _redirect_problem(redirect_uri):
                return HTMLResponse(_google_page("Error 400: redirect_uri_mismatch", ""), 400)
            if decision != "allow" or not email:
                fragment = urlencode({"error": "access_denied", "state": state})
            else:
                subject = hashlib.sha256(email.lower().encode()).hexdigest()[:21]
                token = self.id_token(subject, email=email, nonce=nonce, name=email.split("@")[0])
                fragment = urlencode({"id_token": token, "state": state, "authuser": "0"})
            return RedirectResponse(f"{redirect_uri}#{fragment}", status_code=302)

        @app.get("/oauth2/v3/certs")
        async def certs(response: Response) -> dict[str, Any]:
            self.hits += 1
            response.headers["Cache-Control"] = "public, max-age=3600"
            jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

        self.server = ThreadedServer(app)

    @property
    def jwks_url(self) -> str:
        return f"{self.server.url}/oauth2/v3/certs"

    @property
    def authorization_url(self) -> str:
        return f"{self.server.url}/o/oauth2/v2/auth"

    def id_token(self, subject: str, *, email: str | None = None, email_verified: bool = True, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": GOOGLE_ISSUER,
            "aud": GOOGLE_CLIENT_ID,
            "sub": subject,
            "iat": now,
            "exp": now + 600,
            "email_verified": email_verified,
            "name": "Test Person",
            **({"email": email} if email else {}),
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})


def _redirect_problem(redirect_uri: str) -> str | None:
    parts = urlsplit(redirect_uri)
    if parts.scheme not in ("http", "https") or parts.hostname not in ("127.0.0.1", "localhost") or parts.fragment:
        return "redirect_uri is not registered for this client"
    return None


def _authorization_problem(query: Any) -> str | None:
    if query.get("client_id") != GOOGLE_CLIENT_ID:
        return "The OAuth client was not found (client_id)."
    if query.get("response_type") != "id_token":
        return "Only response_type=id_token is enabled for this client."
    if "openid" not in query.get("scope", "").split():
        return "Missing scope openid."
    if not query.get("nonce"):
        return "Missing required parameter: nonce."
    return _redirect_problem(query.get("redirect_uri", ""))


def _google_page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} - Google Accounts (fake)</title>'
        f"</head><body><main><h1>{title}</h1>{body}</main></body></html>"
    )


@dataclass
class ToolCall:
    """One function call in a scripted reply. `arguments` is sent as JSON, or as is when a string (to script
    malformed arguments); `id` defaults to a unique `call_...`."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str | None = None

    @property
    def arguments_json(self) -> str:
        return self.arguments if isinstance(self.arguments, str) else json.dumps(self.arguments, ensure_ascii=False)


@dataclass
class Reply:
    """What the fake model answers: text, tool calls, or both. In a stream the text comes first, so
    `Reply(text="\\n\\n", tool_calls=[...])` is a whitespace-only text delta before a tool call. Token counts left
    at None are computed from the request and the reply (characters / 4)."""

    text: str = ""
    tool_calls: list[ToolCall] = field(default_factory=list)
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @classmethod
    def call(cls, name: str, arguments: dict[str, Any] | str | None = None, *, text: str = "") -> Reply:
        return cls(text=text, tool_calls=[ToolCall(name, {} if arguments is None else arguments)])


DEFAULT_CHAT_TEXT = "This is the fake model's answer."
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 404: "not_found_error",
                429: "rate_limit_exceeded"}  # fmt: skip
_ARGUMENT_FRAGMENT = 5  # characters of a tool call's JSON arguments per streamed delta


class FakeOpenAI:
    """OpenAI's embeddings, chat completions and model list, for the real `openai` client, on one local server.

    Embeddings (POST /v1/embeddings): a text's vector is one-hot at its length (not normalised, so the embedder
    must normalise), and the data comes back out of order, so the client must put vectors back in the order of the
    texts. Bodies and Authorization headers go to `requests`.

    Chat (POST /v1/chat/completions, streamed or not): each request gets the next queued reply (`script`,
    `replies`), else what `responder(body)` returns, else DEFAULT_CHAT_TEXT. Streams are cut like OpenAI's:
    a role chunk, text in word-sized deltas, each tool call opened with its id and name then its arguments in
    fragments of a few characters, a finish_reason chunk, a usage chunk when `stream_options.include_usage`,
    then `[DONE]`. Bodies and Authorization headers go to `chat_requests`. `fail_next` and `delay_seconds`
    make requests fail or hang."""

    def __init__(self, models: tuple[str, ...] = ("gpt-4o-mini", "text-embedding-3-small")) -> None:
        self.models = list(models)
        self.requests: list[dict[str, Any]] = []
        self.chat_requests: list[dict[str, Any]] = []
        # The server's thread takes replies while a test's thread adds them: deque appends and pops are atomic,
        # the failure count is kept under the lock.
        self.replies: deque[Reply | str] = deque()
        self.responder: Callable[[dict[str, Any]], Reply | str] | None = None
        self.delay_seconds = 0.0  # before answering a chat request (a hung upstream, for timeouts)
        self.chunk_delay_seconds = 0.0  # between streamed chunks (a slow stream)
        self._lock = threading.Lock()
        self._failures_left = 0
        self._failure_status = 500
        self._ids = itertools.count(1)
        self.app = FastAPI()

        @self.app.post("/v1/embeddings")
        async def embeddings(request: Request) -> dict[str, Any]:
            body = await request.json()
            self.requests.append({"body": body, "authorization": request.headers.get("authorization")})
            data = []
            for index, text in reversed(list(enumerate(body["input"]))):
                vector = [0.0] * body["dimensions"]
                vector[len(text) % body["dimensions"]] = 3.0
                data.append({"object": "embedding", "index": index, "embedding": vector})
            usage = {"prompt_tokens": 5, "total_tokens": 5}
            return {"object": "list", "data": data, "model": body["model"], "usage": usage}

        @self.app.post("/v1/chat/completions")
        async def chat_completions(request: Request) -> Response:
            body = await request.json()
            self.chat_requests.append({"body": body, "authorization": request.headers.get("authorization")})
            await self._hang(request)
            status = self._take_failure()
            if status is not None:
                return JSONResponse(_error_body(status), status_code=status)
            reply = self._next_reply(body)
            if body.get("stream"):
                include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
                chunks = self._chunks(body, reply, include_usage)
                return StreamingResponse(chunks, media_type="text/event-stream")
            return JSONResponse(self._completion(body, reply))

        @self.app.get("/v1/models")
        async def list_models() -> dict[str, Any]:
            data = [{"id": name, "object": "model", "created": 0, "owned_by": "osool-fake"} for name in self.models]
            return {"object": "list", "data": data}

        self.server = ThreadedServer(self.app)

    @property
    def url(self) -> str:
        return self.server.url

    @property
    def base_url(self) -> str:
        """What the `openai` client takes as base_url."""
        return f"{self.server.url}/v1"

    def script(self, *replies: Reply | str) -> None:
        """Queue replies for the next chat requests, in order; a string is a text reply."""
        self.replies.extend(replies)

    def fail_next(self, count: int = 1, *, status: int = 500) -> None:
        """The next `count` chat requests get an OpenAI-style error with this status (the client's retries count)."""
        with self._lock:
            self._failures_left, self._failure_status = count, status

    def _take_failure(self) -> int | None:
        with self._lock:
            if self._failures_left <= 0:
                return None
            self._failures_left -= 1
            return self._failure_status

    def _next_reply(self, body: dict[str, Any]) -> Reply:
        try:
            reply = self.replies.popleft()
        except IndexError:
            reply = self.responder(body) if self.responder else DEFAULT_CHAT_TEXT
        reply = Reply(text=reply) if isinstance(reply, str) else reply
        calls = [ToolCall(c.name, c.arguments, c.id or f"call_fake{next(self._ids)}") for c in reply.tool_calls]
        return Reply(reply.text, calls, reply.prompt_tokens, reply.completion_tokens)

    async def _hang(self, request: Request) -> None:
        """Wait `delay_seconds`, but stop early when the client gives up or the server stops, so that a timed-out
        test does not hold the server's shutdown."""
        deadline = time.monotonic() + self.delay_seconds
        while time.monotonic() < deadline and not self.server.server.should_exit:
            if await request.is_disconnected():
                return
            await asyncio.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    def _completion(self, body: dict[str, Any], reply: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.text or None, "refusal": None}
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments_json}}
                for call in reply.tool_calls
            ]
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": _finish_reason(reply)}
        return {**self._envelope(body, "chat.completion"), "choices": [choice], "usage": _usage(body, reply)}

    async def _chunks(self, body: dict[str, Any], reply: Reply, include_usage: bool) -> AsyncIterator[bytes]:
        envelope = self._envelope(body, "chat.completion.chunk")

        def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> bytes:
            choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
            data = {**envelope, "choices": [choice], **({"usage": None} if include_usage else {})}
            return _sse(data)

        deltas: list[dict[str, Any]] = [{"role": "assistant", "content": "" if not reply.tool_calls else None}]
        deltas += [{"content": piece} for piece in re.findall(r"\s+|\S+\s*", reply.text)]
        for index, call in enumerate(reply.tool_calls):
            opening = {"index": index, "id": call.id, "type": "function",
                       "function": {"name": call.name, "arguments": ""}}  # fmt: skip
            deltas.append({"tool_calls": [opening]})
            arguments = call.arguments_json
            for start in range(0, len(arguments), _ARGUMENT_FRAGMENT):
                fragment = arguments[start : start + _ARGUMENT_FRAGMENT]
                deltas.append({"tool_calls": [{"index": index, "function": {"arguments": fragment}}]})
        for delta in deltas:
            yield chunk(delta)
            await asyncio.sleep(self.chunk_delay_seconds)
        yield chunk({}, _finish_reason(reply))
        if include_usage:
            yield _sse({**envelope, "choices": [], "usage": _usage(body, reply)})
        yield b"data: [DONE]\n\n"

    def _envelope(self, body: dict[str, Any], kind: str) -> dict[str, Any]:
        return {"id": f"chatcmpl-fake{next(self._ids)}", "object": kind, "created": int(time.time()),
                "model": body.get("model", "gpt-4o-mini"), "system_fingerprint": "fp_osool_fake"}  # fmt: skip


def _finish_reason(reply: Reply) -> str:
    return "tool_calls" if reply.tool_calls else "stop"


def _usage(body: dict[str, Any], reply: Reply) -> dict[str, int]:
    prompt = reply.prompt_tokens
    if prompt is None:
        prompt = max(1, len(json.dumps(body.get("messages", []), ensure_ascii=False)) // 4)
    completion = reply.completion_tokens
    if completion is None:
        completion = max(1, (len(reply.text) + sum(len(c.name + c.arguments_json) for c in reply.tool_calls)) // 4)
    return {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion}


def _error_body(status: int) -> dict[str, Any]:
    kind = _ERROR_TYPES.get(status, "server_error")
    message = f"The fake OpenAI server was told to fail with {status}."
    return {"error": {"message": message, "type": kind, "param": None, "code": kind if status != 500 else None}}


def _sse(data: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n".encode()
