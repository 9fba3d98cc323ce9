"""Every SQL statement of the auth service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

import asyncpg

USER_COLUMNS = (
    "id, email, email_verified_at, phone, phone_verified_at, google_subject, wallet_address, password_hash, "
    "display_name, role, created_at, updated_at"
)
Record = asyncpg.Record
NotificationClaim = Literal["new", "sending"] | dict[str, Any]


class AuthRepository:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool

    # -- users ----------------------------------------------------------------------------------------------
    async def insert_user(
        self,
        *,
        email: str | None = None,
        password_hash: str | None = None,
        phone: str | None = None,
        phone_verified: bool = False,
        google_subject: str | None = None,
        email_verified: bool = False,
        wallet_address: str | None = None,
        display_name: str | None = None,
        role: str = "user",
    ) -> Record | None:
        """The new user, or None when the email, phone, Google account or wallet is already taken."""
        try:
            return await self.pool.fetchrow(
                f"""INSERT INTO users (id, email, password_hash, phone, phone_verified_at, google_subject,
                        email_verified_at, wallet_address, display_name, role)
                    VALUES ($1, $2, $3, $4, CASE WHEN $5 THEN now() END, $6, CASE WHEN $7 THEN now() END, $8, $9, $10)
                    RETURNING {USER_COLUMNS}""",  # noqa: S608 - column list is a constant
                uuid.uuid4(), email, password_hash, phone, phone_verified, google_subject, email_verified,
                wallet_address, display_name, role,
            )  # fmt: skip
        except asyncpg.UniqueViolationError:
            return None

    async def user_by_id(self, user_id: uuid.UUID) -> Record | None:
        return await self.pool.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE id = $1", user_id)  # noqa: S608

    async def user_by_email(self, email: str) -> Record | None:
        return await self.pool.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users WHERE lower(email) = lower($1)",  # noqa: S608
            email,
        )

    async def user_by_phone(self, phone: str) -> Record | None:
        return await self.pool.fetchrow(f"SELECT {USER_COLUMNS} FROM users WHERE phone = $1", phone)  # noqa: S608

    async def user_by_google_subject(self, subject: str) -> Record | None:
        return await self.pool.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users WHERE google_subject = $1",  # noqa: S608
            subject,
        )

    async def user_by_wallet(self, address: str) -> Record | None:
        return await self.pool.fetchrow(
            f"SELECT {USER_COLUMNS} FROM users WHERE lower(wallet_address) = lower($1)",  # noqa: S608
            address,
        )

    async def mark_email_verified(self, user_id: uuid.UUID) -> None:
        await self.pool.execute(
            "UPDATE users SET email_verified_at = coalesce(email_verified_at, now()), updated_at = now() WHERE id = $1",
            user_id,
        )

    async def set_verified_phone(self, user_id: uuid.UUID, phone: str) -> bool:
        try:
            status = await self.pool.execute(
                "UPDATE users SET phone = $2, phone_verified_at = now(), updated_at = now() WHERE id = $1",
                user_id,
                phone,
            )
        except asyncpg.UniqueViolationError:
            return False
        return status == "UPDATE 1"

    async def set_password_hash(self, user_id: uuid.UUID, password_hash: str) -> None:
        await self.pool.execute(
            "UPDATE users SET password_hash = $2, updated_at = now() WHERE id = $1", user_id, password_hash
        )

    async def set_google_subject(self, user_id: uuid.UUID, subject: str) -> bool:
        try:
            await self.pool.execute(
                "UPDATE users SET google_subject = $2, updated_at = now() WHERE id = $1", user_id, subject
            )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def set_wallet(self, user_id: uuid.UUID, address: str) -> bool:
        try:
            await self.pool.execute(
                "UPDATE users SET wallet_address = $2, updated_at = now() WHERE id = $1", user_id, address
            )
        except asyncpg.UniqueViolationError:
            return False
        return True

    async def update_profile(self, user_id: uuid.UUID, *, display_name: str | None) -> Record | None:
        return await self.pool.fetchrow(
            f"UPDATE users SET display_name = $2, updated_at = now() WHERE id = $1 RETURNING {USER_COLUMNS}",  # noqa: S608
            user_id,
            display_name,
        )

    async def set_role(self, user_id: uuid.UUID, role: str) -> Record | None:
        return await self.pool.fetchrow(
            f"UPDATE users SET role = $2, updated_at = now() WHERE id = $1 RETURNING {USER_COLUMNS}",  # noqa: S608
            user_id,
            role,
        )

    async def users_with_role(self, role: str, limit: int) -> list[Record]:
        return await self.pool.fetch(
            f"SELECT {USER_COLUMNS} FROM users WHERE role = $1 ORDER BY created_at, id LIMIT $2",  # noqa: S608
            role, limit,
        )  # fmt: skip

    async def list_users(self, *, limit: int, after: tuple[datetime, uuid.UUID] | None) -> list[Record]:
        if after is None:
            return await self.pool.fetch(
                f"SELECT {USER_COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT $1",  # noqa: S608
                limit,
            )
        return await self.pool.fetch(
            f"""SELECT {USER_COLUMNS} FROM users WHERE (created_at, id) < ($2, $3)
                ORDER BY created_at DESC, id DESC LIMIT $1""",  # noqa: S608
            limit,
            *after,
        )

    # -- single-use email tokens ------------------------------------------------------------------------------
    async def insert_email_token(
        self, token_hash: bytes, user_id: uuid.UUID, purpose: str, expires_at: datetime
    ) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            # A new link replaces the old ones of the same purpose.
            await connection.execute(
                "UPDATE email_tokens SET used_at = now() WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
                user_id,
                purpose,
            )
            await connection.execute(
                "INSERT INTO email_tokens (token_hash, user_id, purpose, expires_at) VALUES ($1, $2, $3, $4)",
                token_hash,
                user_id,
                purpose,
                expires_at,
            )

    async def consume_email_token(self, token_hash: bytes, purpose: str) -> uuid.UUID | None:
        value: uuid.UUID | None = await self.pool.fetchval(
            """UPDATE email_tokens SET used_at = now()
               WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > now()
               RETURNING user_id""",
            token_hash,
            purpose,
        )
        return value

    # -- OTPs ---------------------------------------------------------------------------------------------------
    async def replace_otp(
        self, phone: str, purpose: str, code_hash: bytes, user_id: uuid.UUID | None, expires_at: datetime
    ) -> None:
        await self.pool.execute(
            """INSERT INTO otps (phone, purpose, code_hash, user_id, expires_at) VALUES ($1, $2, $3, $4, $5)
               ON CONFLICT (phone, purpose) DO UPDATE SET code_hash = excluded.code_hash, user_id = excluded.user_id,
                   expires_at = excluded.expires_at, attempts = 0, used_at = NULL, created_at = now()""",
            phone,
            purpose,
            code_hash,
            user_id,
            expires_at,
        )

    async def count_otp_attempt(self, phone: str, purpose: str) -> Record | None:
        """Count one attempt before comparing, so parallel guesses cannot get past the limit."""
        return await self.pool.fetchrow(
            """UPDATE otps SET attempts = attempts + 1
               WHERE phone = $1 AND purpose = $2 AND used_at IS NULL
               RETURNING attempts, code_hash, expires_at, user_id""",
            phone,
            purpose,
        )

    async def mark_otp_used(self, phone: str, purpose: str) -> bool:
        status = await self.pool.execute(
            "UPDATE otps SET used_at = now() WHERE phone = $1 AND purpose = $2 AND used_at IS NULL", phone, purpose
        )
        return status == "UPDATE 1"

    # -- refresh tokens ------------------------------------------------------------------------------------------
    async def insert_refresh_token(
        self, token_hash: bytes, family_id: uuid.UUID, user_id: uuid.UUID, expires_at: datetime
    ) -> None:
        await self.pool.execute(
            "INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at) VALUES ($1, $2, $3, $4)",
            token_hash,
            family_id,
            user_id,
            expires_at,
        )

    async def use_refresh_token(self, token_hash: bytes) -> Record | None:
        """Mark a live token used and return its user and family; None when it is unknown, used, revoked or expired."""
        return await self.pool.fetchrow(
            """UPDATE refresh_tokens SET used_at = now()
               WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()
               RETURNING user_id, family_id""",
            token_hash,
        )

    async def refresh_token_family(self, token_hash: bytes) -> uuid.UUID | None:
        value: uuid.UUID | None = await self.pool.fetchval(
            "SELECT family_id FROM refresh_tokens WHERE token_hash = $1", token_hash
        )
        return value

    async def revoke_family(self, family_id: uuid.UUID) -> int:
        status: str = await self.pool.execute(
            "UPDATE refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL", family_id
        )
        return int(status.split()[-1])

    async def revoke_user_tokens(self, user_id: uuid.UUID, *, issued_within_seconds: int) -> list[uuid.UUID]:
        """Revoke every refresh token of the user; return the families that issued a token within the last
        `issued_within_seconds` (an access token is issued with each refresh token, so theirs may still be live)."""
        rows = await self.pool.fetch(
            """WITH revoked AS (
                   UPDATE refresh_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL
               )
               SELECT DISTINCT family_id FROM refresh_tokens
               WHERE user_id = $1 AND created_at > now() - $2::int * interval '1 second'""",
            user_id,
            issued_within_seconds,
        )
        return [row["family_id"] for row in rows]

    # -- outbox --------------------------------------------------------------------------------------------------
    async def insert_outbox(
        self,
        channel: str,
        recipient: str,
        subject: str | None,
        body: str,
        attachments: list[dict[str, str]] | None = None,
    ) -> int:
        value: int = await self.pool.fetchval(
            """INSERT INTO outbox (channel, recipient, subject, body, attachments) VALUES ($1, $2, $3, $4, $5)
               RETURNING id""",
            channel,
            recipient,
            subject,
            body,
            attachments,
        )
        return value

    async def list_outbox(self, *, recipient: str | None, limit: int) -> list[Record]:
        return await self.pool.fetch(
            """SELECT id, channel, recipient, subject, body, created_at, attachments FROM outbox
               WHERE $1::text IS NULL OR lower(recipient) = lower($1) ORDER BY id DESC LIMIT $2""",
            recipient,
            limit,
        )

    # -- notifications under a dedupe key -------------------------------------------------------------------------
    async def claim_notification(
        self, user_id: uuid.UUID, dedupe_key: str, *, stale_after_seconds: int
    ) -> NotificationClaim:
        """Claim the key. "new": go ahead and send; the stored result when it was sent before; "sending" when another
        request is sending it now. A claim left sending longer than `stale_after_seconds` (its process died) is
        taken over."""
        row = await self.pool.fetchrow(
            """WITH claimed AS (
                   INSERT INTO notifications (user_id, dedupe_key, status) VALUES ($1, $2, 'sending')
                   ON CONFLICT (user_id, dedupe_key) DO UPDATE SET started_at = now()
                   WHERE notifications.status = 'sending'
                       AND notifications.started_at < now() - make_interval(secs => $3)
                   RETURNING 'new'::text AS outcome, NULL::jsonb AS result
               )
               SELECT outcome, result FROM claimed
               UNION ALL
               SELECT status, result FROM notifications
               WHERE user_id = $1 AND dedupe_key = $2 AND NOT EXISTS (SELECT 1 FROM claimed)""",
            user_id, dedupe_key, float(stale_after_seconds),
        )  # fmt: skip
        if row is None:  # a concurrent request with the same key committed its claim a moment ago
            return "sending"
        if row["outcome"] == "new":
            return "new"
        if row["outcome"] == "sent":
            result: dict[str, Any] = row["result"]
            return result
        return "sending"

    async def finish_notification(self, user_id: uuid.UUID, dedupe_key: str, result: dict[str, Any]) -> None:
        await self.pool.execute(
            """UPDATE notifications SET status = 'sent', result = $3, finished_at = now()
               WHERE user_id = $1 AND dedupe_key = $2""",
            user_id, dedupe_key, result,
        )  # fmt: skip

    async def release_notification(self, user_id: uuid.UUID, dedupe_key: str) -> None:
        """Give the key up (nothing was sent): a retry with it sends."""
        await self.pool.execute(
            "DELETE FROM notifications WHERE user_id = $1 AND dedupe_key = $2 AND status = 'sending'",
            user_id,
            dedupe_key,
        )


def as_dict(record: Any) -> dict[str, Any]:
    return dict(record) if record is not None else {}
