"""HTTP and WebSocket routes of the agent: the chat turn (JSON or server-sent events), and the cost report."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sse_starlette import EventSourceResponse

from osool_agent.schemas import ChatRequest, ChatResponse, CostReport
from osool_agent.service import Caller, ChatService
from osool_common.auth import Principal, optional_principal, require_role
from osool_common.errors import DomainError, error_body
from osool_common.request_guard import MAX_JSON_DEPTH, json_too_deep

router = APIRouter(tags=["chat"])

SessionSecret = Annotated[
    str | None,
    Header(
        alias="X-Session-Secret",
        min_length=20,
        max_length=100,
        description="the anonymous session's secret, as the first answer gave it",
    ),
]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        pattern=r"^[A-Za-z0-9._:\-]{8,128}$",
        description="a retried request with the same key never writes the turn twice",
    ),
]
EVENTS_DOC = (
    "`Accept: text/event-stream` streams server-sent events: `session` {session_id, session_secret?}, `token` "
    "{text}, `tool_call` {id, name, arguments}, `tool_result` {id, name, ok, summary}, `listings` {listings}, `done` "
    "{brain, model, tokens, cost, latency, time_to_first_token_ms, fallback, ...}, `error` "
    "{status, error}. Otherwise the answer is JSON (ChatResponse)."
)


async def chat_service(request: Request) -> ChatService:
    service: ChatService = request.app.state.chat
    return service


Chat = Annotated[ChatService, Depends(chat_service)]


def _wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


@router.post(
    "/api/chat",
    response_model=ChatResponse,
    responses={200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}, "description": EVENTS_DOC},
               401: {"description": "a session id without its secret or a token"},
               404: {"description": "no such session, or not yours"}, 409: {"description": "turn in progress"},
               429: {"description": "too many turns"}},
)  # fmt: skip
async def chat(
    body: ChatRequest,
    request: Request,
    service: Chat,
    principal: Annotated[Principal | None, Depends(optional_principal)],
    secret: SessionSecret = None,
    idempotency_key: IdempotencyKey = None,
) -> Any:
    """One turn with Amr. Anonymous callers get a session and its secret with their first message; signed-in callers
    send their bearer token (a signed-in caller who sends an anonymous session's secret claims that session)."""
    caller = Caller(principal, request.headers.get("authorization"), secret)
    handle = await service.start_turn(body, caller, idempotency_key)
    if _wants_stream(request):

        async def events() -> AsyncIterator[dict[str, str]]:
            async for name, data in handle.events():
                yield {"event": name, "data": json.dumps(data, ensure_ascii=False, default=str)}

        # X-Accel-Buffering: nginx passes each event on at once.
        return EventSourceResponse(events(), headers={"X-Accel-Buffering": "no", "Cache-Control": "no-cache"})
    outcome = await handle.result()
    return JSONResponse(outcome.json_body(), headers={"Idempotent-Replayed": "true"} if handle.replayed else None)


@router.websocket("/api/chat/ws")
async def chat_socket(websocket: WebSocket) -> None:
    """The same turns over a WebSocket: send {"message", "session_id"?, "language"?, "session_secret"?,
    "access_token"?}; receive {"event", "data"} objects, the events of the stream, ending with `done` or `error`."""
    service: ChatService = websocket.app.state.chat
    await websocket.accept()
    token: str | None = None
    header = websocket.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        token = header[7:].strip()
    secret: str | None = None
    try:
        while True:
            raw = await websocket.receive_text()
            try:
                if json_too_deep(raw):
                    raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
                payload = json.loads(raw)
                if not isinstance(payload, dict):
                    raise ValueError("send a JSON object")
                token = payload.pop("access_token", None) or token
                secret = payload.pop("session_secret", None) or secret
                key = payload.pop("idempotency_key", None)
                request = ChatRequest.model_validate(payload)
                principal = await websocket.app.state.verifier.verify(token) if token else None
                caller = Caller(principal, f"Bearer {token}" if token else None, secret)
                handle = await service.start_turn(request, caller, key)
            except (ValueError, ValidationError) as exc:
                await websocket.send_json({"event": "error", "data": {"status": 422, **error_body(
                    422, str(exc)[:500], "validation_error")}})  # fmt: skip
                continue
            except DomainError as exc:
                await websocket.send_json({"event": "error", "data": {"status": exc.status_code, **error_body(
                    exc.status_code, exc.message, exc.code)}})  # fmt: skip
                continue
            async for name, data in handle.events():
                if name == "session" and data.get("session_secret"):
                    secret = data["session_secret"]
                await websocket.send_json({"event": name, "data": json.loads(json.dumps(data, default=str))})
    except WebSocketDisconnect:
        return


@router.get("/api/agent/costs", response_model=CostReport)
async def costs(
    service: Chat,
    _: Annotated[Principal, Depends(require_role("admin"))],
    days: Annotated[int, Query(ge=1, le=7)] = 7,
) -> dict[str, Any]:
    """Admin: model spend by day, model and purpose (7 days kept), and today's use of the budget."""
    report: dict[str, Any] = await service.cost.report(days)
    return report
