"""Request and response models of the auth service (its OpenAPI contract)."""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator

from osool_common.validation import PlainText

Role = Literal["user", "agent", "admin"]
Channel = Literal["email", "sms"]
SkipReason = Literal["no_verified_email", "no_verified_phone", "delivery_failed"]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignupRequest(StrictModel):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=1, max_length=256)
    display_name: PlainText | None = Field(default=None, max_length=100)


class LoginRequest(StrictModel):
    email: EmailStr = Field(max_length=254)
    password: str = Field(min_length=1, max_length=256)


class TokenRequest(StrictModel):
    token: str = Field(min_length=16, max_length=256)


class PasswordResetRequest(StrictModel):
    email: EmailStr = Field(max_length=254)


class PasswordResetConfirm(StrictModel):
    token: str = Field(min_length=16, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


class OtpSendRequest(StrictModel):
    phone: str = Field(min_length=3, max_length=32)
    purpose: Literal["sign_in", "verify_phone"] = "sign_in"


class OtpVerifyRequest(StrictModel):
    phone: str = Field(min_length=3, max_length=32)
    code: str = Field(pattern=r"^\d{6}$")
    purpose: Literal["sign_in", "verify_phone"] = "sign_in"


class GoogleSignInRequest(StrictModel):
    id_token: str = Field(min_length=20, max_length=8192)


class SiweRequest(StrictModel):
    message: str = Field(min_length=20, max_length=4096)
    signature: str = Field(pattern=r"^0x[0-9a-fA-F]{130}$")


class RefreshRequest(StrictModel):
    refresh_token: str = Field(min_length=16, max_length=256)


class ProfileUpdate(StrictModel):
    display_name: PlainText | None = Field(default=None, max_length=100)


class RoleUpdate(StrictModel):
    role: Role


class GoogleMethod(BaseModel):
    """What a client needs to send someone to Google and back with an ID token (OpenID Connect implicit flow)."""

    client_id: str
    authorization_url: str


class SignInMethods(BaseModel):
    """The sign-in methods a client shows beyond email, phone and wallet (always on): each null when not configured."""

    google: GoogleMethod | None


class NonceResponse(BaseModel):
    nonce: str
    domain: str
    uri: str
    chain_id: int
    expires_in: int


class GoogleNonceResponse(BaseModel):
    """A nonce to name in Google's authorization request: the ID token that comes back carries it, and auth accepts
    a token naming one of its nonces once, within `expires_in` seconds of issuing it."""

    nonce: str
    expires_in: int


class User(BaseModel):
    id: uuid.UUID
    email: str | None
    email_verified: bool
    phone: str | None
    phone_verified: bool
    wallet_address: str | None
    google_linked: bool
    display_name: str | None
    role: Role
    created_at: datetime


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - the OAuth token type, not a secret
    expires_in: int
    refresh_token: str
    user: User


class Accepted(BaseModel):
    status: Literal["accepted"] = "accepted"
    message: str


class OtpSent(BaseModel):
    status: Literal["sent"] = "sent"
    expires_in: int


class UserPage(BaseModel):
    users: list[User]
    next_cursor: str | None


class OutboxAttachment(BaseModel):
    filename: str
    content_type: str
    content_base64: str


class OutboxMessage(BaseModel):
    id: int
    channel: Literal["sms", "email"]
    recipient: str
    subject: str | None
    body: str
    created_at: datetime
    attachments: list[OutboxAttachment] | None = Field(default=None, description="files sent with an email, if any")


MAX_ATTACHMENT_BYTES = 100 * 1024


class NotifyAttachment(StrictModel):
    """A file sent with the email (a calendar invitation); SMS carries the text only."""

    filename: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._ -]*$")
    content_type: Literal["text/calendar"]
    content_base64: str = Field(min_length=1, max_length=(MAX_ATTACHMENT_BYTES + 2) // 3 * 4)

    @field_validator("content_base64")
    @classmethod
    def _base64_of_at_most_100_kb(cls, value: str) -> str:
        try:
            content = base64.b64decode(value, validate=True)
        except binascii.Error:
            raise ValueError("not base64") from None
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise ValueError(f"an attachment is at most {MAX_ATTACHMENT_BYTES // 1024} KB")
        return value

    def content(self) -> bytes:
        return base64.b64decode(self.content_base64)


class NotifyRequest(StrictModel):
    """What another service asks auth to send to one of its users (internal)."""

    user_id: uuid.UUID
    # One line: it becomes an email's Subject header and the start of the SMS.
    subject: PlainText = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")
    text: PlainText = Field(min_length=1, max_length=4000)
    channels: list[Channel] = Field(min_length=1, max_length=2, json_schema_extra={"uniqueItems": True})
    dedupe_key: PlainText | None = Field(
        default=None,
        min_length=1,
        max_length=200,
        description="a repeat of the same key for the same user sends nothing and answers the first result",
    )
    attachments: list[NotifyAttachment] = Field(
        default_factory=list, max_length=2, description="files sent with the email (not the SMS), at most 100 KB each"
    )

    @field_validator("channels")
    @classmethod
    def _each_channel_once(cls, channels: list[str]) -> list[str]:
        if len(set(channels)) != len(channels):
            raise ValueError("name each channel at most once")
        return channels


class NotificationSent(BaseModel):
    channel: Channel
    recipient_masked: str
    reference: str


class NotificationSkipped(BaseModel):
    channel: Channel
    reason: SkipReason


class NotifyResult(BaseModel):
    user_id: uuid.UUID
    sent: list[NotificationSent]
    skipped: list[NotificationSkipped]
    duplicate: bool = False


class UserSummary(BaseModel):
    """A user as other services may show them: only a verified email or phone, else null."""

    id: uuid.UUID
    role: Role
    display_name: str | None
    email: str | None
    phone: str | None
    wallet_address: str | None = Field(default=None, description="the wallet the user signed in with (SIWE), if any")
