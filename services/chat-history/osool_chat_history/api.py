"""HTTP routes of the chat-history service: parse, call the service layer, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response

from osool_chat_history.schemas import (
    AppendRequest,
    CreatedSession,
    Message,
    MessagePage,
    SearchResults,
    Session,
    SessionCreate,
    SessionPage,
)
from osool_chat_history.service import Caller, HistoryService
from osool_common.auth import Principal, optional_principal
from osool_common.responses import model_response

router = APIRouter(prefix="/api/history", tags=["history"])
# Reachable only through the gateway's internal listener (the public one answers 404 for /api/*/internal/*).
internal_router = APIRouter(prefix="/api/history/internal", tags=["history (internal)"])

SessionSecret = Annotated[
    str | None,
    Header(alias="X-Session-Secret", min_length=20, max_length=100, description="opens an anonymous session"),
]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=200)]


async def history(request: Request) -> HistoryService:
    service: HistoryService = request.app.state.history
    return service


History = Annotated[HistoryService, Depends(history)]


async def caller(
    principal: Annotated[Principal | None, Depends(optional_principal)], secret: SessionSecret = None
) -> Caller:
    return Caller(principal, secret)


Who = Annotated[Caller, Depends(caller)]


@router.post("/sessions", status_code=201, response_model=CreatedSession)
async def create_session(body: SessionCreate, who: Who, service: History) -> CreatedSession:
    """Signed in: the session is yours. Anonymous: the answer carries the session's secret, once."""
    return await service.create_session(who, body.title)


@router.get("/sessions", response_model=SessionPage)
async def list_sessions(who: Who, service: History, limit: Limit = 20, cursor: Cursor = None) -> SessionPage:
    """Your sessions, the most recently active first."""
    sessions, next_cursor = await service.list_sessions(who, limit, cursor)
    return SessionPage(sessions=sessions, next_cursor=next_cursor)


@router.delete("/sessions", response_model=dict[str, int])
async def delete_all(who: Who, service: History) -> dict[str, int]:
    """Delete all your history."""
    return {"deleted": await service.delete_all(who)}


@router.get("/sessions/{session_id}", response_model=Session)
async def get_session(session_id: uuid.UUID, who: Who, service: History) -> Session:
    return await service.get_session(session_id, who)


@router.delete("/sessions/{session_id}", status_code=204)
async def delete_session(session_id: uuid.UUID, who: Who, service: History) -> Response:
    await service.delete_session(session_id, who)
    return Response(status_code=204)


@router.post("/sessions/{session_id}/claim", response_model=Session)
async def claim_session(session_id: uuid.UUID, who: Who, service: History) -> Session:
    """Signed in, with the anonymous session's secret: the session becomes yours, on every device."""
    return await service.claim(session_id, who)


@router.get("/sessions/{session_id}/messages", response_model=MessagePage)
async def messages(
    session_id: uuid.UUID, who: Who, service: History, limit: Limit = 20, cursor: Cursor = None
) -> Response:
    """The newest messages, oldest first; `next_cursor` pages back in time."""
    page, next_cursor = await service.latest(session_id, who, limit, cursor)
    return model_response(MessagePage(messages=page, next_cursor=next_cursor))


@router.get("/search", response_model=SearchResults)
async def search(
    who: Who,
    service: History,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    limit: Limit = 20,
) -> SearchResults:
    """Full-text search over your own messages, in English and Arabic."""
    return SearchResults(results=await service.search(who, q, limit))


@internal_router.post("/sessions/{session_id}/messages", status_code=201, response_model=list[Message])
async def append(
    session_id: uuid.UUID,
    body: AppendRequest,
    service: History,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", pattern=r"^[A-Za-z0-9._:\-]{8,128}$")],
) -> Response:
    """Append messages once: a retry with the same Idempotency-Key returns the first write, writing nothing."""
    return model_response(await service.append(session_id, body.messages, idempotency_key), status_code=201)


@internal_router.get("/sessions/{session_id}/messages", response_model=MessagePage)
async def agent_messages(session_id: uuid.UUID, service: History, limit: Limit = 20, cursor: Cursor = None) -> Response:
    """The agent's memory: the newest messages of a session, oldest first."""
    page, next_cursor = await service.latest(session_id, None, limit, cursor)
    return model_response(MessagePage(messages=page, next_cursor=next_cursor))
