"""Who may see which conversation, and the conversation logic itself. No HTTP, no SQL."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from osool_chat_history import metrics
from osool_chat_history.repository import HistoryRepository, Record
from osool_chat_history.schemas import CreatedSession, Message, MessageIn, SearchHit, Session
from osool_chat_history.settings import Settings
from osool_common.auth import Principal
from osool_common.errors import DomainError, NotFoundError, UnauthenticatedError
from osool_common.logging import get_logger
from osool_common.pagination import InvalidCursorError, decode_cursor, encode_cursor

log = get_logger(__name__)


class MessageTooLargeError(DomainError):
    status_code = 413
    code = "message_too_large"


@dataclass(frozen=True)
class Caller:
    """Who is asking: a signed-in user, the holder of an anonymous session's secret, or both."""

    principal: Principal | None
    secret: str | None

    @property
    def user_id(self) -> uuid.UUID | None:
        return uuid.UUID(self.principal.user_id) if self.principal else None


def hash_secret(secret: str) -> bytes:
    # The secret carries 256 random bits: a plain hash is enough to store it safely.
    return hashlib.sha256(secret.encode()).digest()


@dataclass
class HistoryService:
    settings: Settings
    repository: HistoryRepository

    # -- access ---------------------------------------------------------------------------------------------------
    async def _readable(self, session_id: uuid.UUID, caller: Caller) -> Record:
        """The session when the caller may open it. Anyone else gets the same 404 as for a session that does not
        exist, so ids cannot be probed."""
        session = await self.repository.session(session_id)
        if session is not None:
            if session["owner_id"] is not None and caller.user_id == session["owner_id"]:
                return session
            if (
                session["owner_id"] is None
                and caller.secret is not None
                and session["secret_hash"] is not None
                and hmac.compare_digest(session["secret_hash"], hash_secret(caller.secret))
            ):
                return session
        raise NotFoundError("no such session")

    # -- sessions -------------------------------------------------------------------------------------------------
    async def create_session(self, caller: Caller, title: str | None) -> CreatedSession:
        secret = None if caller.user_id else secrets.token_urlsafe(32)
        row = await self.repository.insert_session(
            uuid.uuid4(), caller.user_id, hash_secret(secret) if secret else None, title
        )
        metrics.SESSIONS_CREATED.labels("owned" if caller.user_id else "anonymous").inc()
        return CreatedSession(**to_session(row).model_dump(), secret=secret)

    async def get_session(self, session_id: uuid.UUID, caller: Caller) -> Session:
        return to_session(await self._readable(session_id, caller))

    async def list_sessions(self, caller: Caller, limit: int, cursor: str | None) -> tuple[list[Session], str | None]:
        owner = _require_user(caller)
        after = _decode_session_cursor(cursor) if cursor else None
        rows = await self.repository.sessions_of(owner, limit=limit + 1, after=after)
        page = rows[:limit]
        next_cursor = None
        if len(rows) > limit:
            next_cursor = encode_cursor(page[-1]["last_activity_at"].isoformat(), page[-1]["id"])
        return [to_session(row) for row in page], next_cursor

    async def claim(self, session_id: uuid.UUID, caller: Caller) -> Session:
        """Signing in claims the anonymous session, so the conversation continues on any device."""
        owner = _require_user(caller)
        session = await self._readable(session_id, Caller(None, caller.secret))
        claimed = await self.repository.claim(session["id"], owner)
        if claimed is None:  # claimed by a parallel request a moment ago
            raise NotFoundError("no such session")
        metrics.SESSIONS_CLAIMED.inc()
        return to_session(claimed)

    async def delete_session(self, session_id: uuid.UUID, caller: Caller) -> None:
        session = await self._readable(session_id, caller)
        await self.repository.delete_session(session["id"])

    async def delete_all(self, caller: Caller) -> int:
        return await self.repository.delete_sessions_of(_require_user(caller))

    # -- messages -------------------------------------------------------------------------------------------------
    async def append(self, session_id: uuid.UUID, messages: list[MessageIn], idempotency_key: str) -> list[Message]:
        """The agent's route: the gateway's internal listener only, so no user credential is asked."""
        if len(messages) > self.settings.messages_per_append_max:
            raise DomainError(f"append at most {self.settings.messages_per_append_max} messages at once")
        for message in messages:
            if len(message.content) > self.settings.message_max_chars:
                raise MessageTooLargeError(
                    f"a message holds at most {self.settings.message_max_chars} characters",
                    details={"max_chars": self.settings.message_max_chars},
                )
        rows = await self.repository.append(session_id, [message.model_dump() for message in messages], idempotency_key)
        if not rows:
            raise NotFoundError("no such session")
        metrics.MESSAGES_APPENDED.inc(len(rows))
        return [to_message(row) for row in rows]

    async def latest(
        self, session_id: uuid.UUID, caller: Caller | None, limit: int, cursor: str | None
    ) -> tuple[list[Message], str | None]:
        """The newest `limit` messages, oldest first; the cursor pages back. `caller=None`: the agent's route."""
        if caller is not None:
            await self._readable(session_id, caller)
        before = _decode_message_cursor(cursor) if cursor else None
        # A user's page may come from a replica a few seconds behind. The agent's reads the primary: it is the
        # conversation's memory for the next turn, which may come a second after the agent appended the last one.
        repository = self.repository if caller is not None else self.repository.on_primary()
        rows = await repository.latest_messages(session_id, limit=limit + 1, before_id=before)
        # The agent's route asks whether the session exists only when there is nothing to show (one query, not two).
        if caller is None and not rows and await self.repository.session(session_id) is None:
            raise NotFoundError("no such session")
        page = rows[:limit]
        next_cursor = encode_cursor(page[-1]["id"]) if len(rows) > limit else None
        return [to_message(row) for row in reversed(page)], next_cursor

    async def search(self, caller: Caller, query: str, limit: int) -> list[SearchHit]:
        owner = _require_user(caller)
        rows = await self.repository.search(owner, query, limit=limit)
        metrics.SEARCHES.inc()
        return [SearchHit(**to_message(row).model_dump(), session_title=row["session_title"], rank=row["rank"])
                for row in rows]  # fmt: skip

    async def purge_anonymous(self) -> int:
        cutoff = datetime.now(UTC) - timedelta(days=self.settings.purge_anonymous_after_days)
        deleted = await self.repository.purge_anonymous(cutoff)
        metrics.SESSIONS_PURGED.inc(deleted)
        log.info("history.purged", deleted=deleted, older_than=cutoff.isoformat())
        return deleted


def _require_user(caller: Caller) -> uuid.UUID:
    if caller.user_id is None:
        raise UnauthenticatedError("sign in first: an access token (Authorization: Bearer ...) is required")
    return caller.user_id


def _decode_session_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    stamp, session_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(stamp), uuid.UUID(session_id)
    except ValueError:
        raise InvalidCursorError("the cursor is not one this service gave out") from None


def _decode_message_cursor(cursor: str) -> int:
    (text,) = decode_cursor(cursor, 1)
    if not text.isdigit() or len(text) > 18:
        raise InvalidCursorError("the cursor is not one this service gave out")
    return int(text)


def to_session(row: Any) -> Session:
    return Session(
        id=row["id"],
        title=row["title"],
        owned=row["owner_id"] is not None,
        message_count=row["message_count"],
        created_at=row["created_at"],
        last_activity_at=row["last_activity_at"],
    )


def to_message(row: Any) -> Message:
    return Message(
        id=row["id"],
        session_id=row["session_id"],
        role=row["role"],
        content=row["content"],
        property_ids=list(row["property_ids"]),
        tool_calls=row["tool_calls"],
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        created_at=row["created_at"],
    )
