"""Request and response models of the chat-history service (its OpenAPI contract)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from osool_common.validation import PlainText

Role = Literal["user", "assistant", "tool"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SessionCreate(StrictModel):
    title: PlainText | None = Field(default=None, max_length=200)


class Session(BaseModel):
    id: uuid.UUID
    title: str | None
    owned: bool
    message_count: int
    created_at: datetime
    last_activity_at: datetime


class CreatedSession(Session):
    # Only for an anonymous session, only once: the key that opens it (X-Session-Secret) until it is claimed.
    secret: str | None = None


class SessionPage(BaseModel):
    sessions: list[Session]
    next_cursor: str | None


class MessageIn(StrictModel):
    role: Role
    # The size limit is the service's setting (MESSAGE_MAX_CHARS); this bound only stops absurd bodies early.
    content: str = Field(min_length=1, max_length=1_000_000)
    property_ids: list[str] = Field(default_factory=list, max_length=50)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, max_length=20)
    prompt_tokens: int | None = Field(default=None, ge=0, le=10_000_000)
    completion_tokens: int | None = Field(default=None, ge=0, le=10_000_000)


class AppendRequest(StrictModel):
    messages: list[MessageIn] = Field(min_length=1, max_length=500)


class Message(BaseModel):
    id: int
    session_id: uuid.UUID
    role: Role
    content: str
    property_ids: list[str]
    tool_calls: list[dict[str, Any]] | None
    prompt_tokens: int | None
    completion_tokens: int | None
    created_at: datetime


class MessagePage(BaseModel):
    # Oldest first; `next_cursor` pages further back in time.
    messages: list[Message]
    next_cursor: str | None


class SearchHit(Message):
    session_title: str | None
    rank: float


class SearchResults(BaseModel):
    results: list[SearchHit]
