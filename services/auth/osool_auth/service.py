"""The auth service's logic: sign-up and sign-in, tokens, OTP and login limits, notifying users. No HTTP, no SQL."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string
import uuid
from base64 import b64encode
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.asyncio import Redis

from osool_auth import metrics
from osool_auth.delivery import DeliveryError, EmailAttachment, EmailSender, SmsSender
from osool_auth.google import GoogleIdTokenVerifier, GoogleTokenError
from osool_auth.passwords import hash_password, needs_rehash, password_problem, verify_password
from osool_auth.phones import normalize_phone
from osool_auth.repository import AuthRepository, Record
from osool_auth.schemas import (
    Channel,
    NotificationSent,
    NotificationSkipped,
    NotifyResult,
    SkipReason,
    TokenPair,
    User,
    UserSummary,
)
from osool_auth.settings import Settings
from osool_auth.siwe import SiweError, verify_siwe_message
from osool_auth.throttle import FailureLog, KnownAddresses, delay_after_failures, wait_until_below
from osool_auth.tokens import TokenIssuer, hash_token, new_opaque_token
from osool_common.auth import LEEWAY_SECONDS, Principal, revoke_sessions
from osool_common.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnauthenticatedError,
    UnavailableError,
)
from osool_common.logging import get_logger
from osool_common.pagination import InvalidCursorError, decode_cursor, encode_cursor
from osool_common.ratelimit import RateLimiter

log = get_logger(__name__)

HOUR = 3600.0
WRONG_CREDENTIALS = "the email or the password is wrong"
NONCE_ALPHABET = string.ascii_letters + string.digits
# Our Google nonces say whose they are: a token naming one must name a live one, once. A token with another nonce
# (or none: a mobile app's Google SDK) is checked as before, so clients that never asked for one keep working.
GOOGLE_NONCE_PREFIX = "osool-"
SMS_MAX_CHARACTERS = 480  # three concatenated GSM-7 segments (153 characters each) and change
# Longer than any send can take (each provider call times out after 10 s): a claim this old was left by a dead process.
NOTIFY_CLAIM_STALE_SECONDS = 120


class NotEnabledError(DomainError):
    """A sign-in method this deployment has not configured (Google without GOOGLE_CLIENT_ID)."""

    status_code = 404
    code = "not_enabled"


class InvalidCodeError(DomainError):
    status_code = 400
    code = "invalid_code"


class WeakPasswordError(DomainError):
    status_code = 422
    code = "weak_password"


class EmailNotVerifiedError(DomainError):
    status_code = 403
    code = "email_not_verified"


class OutboxDelivery:
    """Where SMS and email go when no provider is configured (outside production): the outbox table."""

    def __init__(self, repository: AuthRepository) -> None:
        self.repository = repository

    async def send_sms(self, to: str, body: str) -> str:
        return f"outbox-{await self.repository.insert_outbox('sms', to, None, body)}"

    async def send_email(self, to: str, subject: str, text: str, attachments: Sequence[EmailAttachment] = ()) -> str:
        files = [
            {"filename": a.filename, "content_type": a.content_type, "content_base64": b64encode(a.content).decode()}
            for a in attachments
        ]
        return f"outbox-{await self.repository.insert_outbox('email', to, subject, text, files or None)}"


@dataclass
class AuthService:
    settings: Settings
    repository: AuthRepository
    issuer: TokenIssuer
    redis: Redis
    limiter: RateLimiter
    sms: SmsSender
    email: EmailSender
    google: GoogleIdTokenVerifier | None
    failures: FailureLog
    known_addresses: KnownAddresses

    # -- tokens ---------------------------------------------------------------------------------------------------
    async def _sign_in(self, user: Record, method: str, family_id: uuid.UUID | None = None) -> TokenPair:
        session_id = family_id or uuid.uuid4()
        access = self.issuer.issue_access_token(user["id"], user["role"], session_id)
        refresh = new_opaque_token()
        expires_at = datetime.now(UTC) + timedelta(days=self.settings.refresh_token_days)
        await self.repository.insert_refresh_token(hash_token(refresh), session_id, user["id"], expires_at)
        metrics.TOKENS_ISSUED.labels("access").inc()
        metrics.TOKENS_ISSUED.labels("refresh").inc()
        if family_id is None:
            metrics.SIGN_INS.labels(method, "success").inc()
            log.info("auth.signed_in", method=method, user_id=str(user["id"]))
        return TokenPair(
            access_token=access.token, expires_in=access.expires_in, refresh_token=refresh, user=to_user(user)
        )

    async def refresh(self, refresh_token: str) -> TokenPair:
        token_hash = hash_token(refresh_token)
        used = await self.repository.use_refresh_token(token_hash)
        if used is None:
            family_id = await self.repository.refresh_token_family(token_hash)
            if family_id is not None:
                # A used (or revoked) token came back: it was stolen or replayed. End every session descended
                # from that sign-in, the legitimate one included.
                revoked = await self.repository.revoke_family(family_id)
                await self._end_sessions([family_id])
                metrics.REFRESH_REUSE.inc()
                log.warning("auth.refresh_reuse", family_id=str(family_id), revoked=revoked)
            raise UnauthenticatedError("the refresh token is not valid; sign in again")
        user = await self.repository.user_by_id(used["user_id"])
        if user is None:
            raise UnauthenticatedError("the refresh token is not valid; sign in again")
        return await self._sign_in(user, "refresh", family_id=used["family_id"])

    async def logout(self, refresh_token: str) -> None:
        family_id = await self.repository.refresh_token_family(hash_token(refresh_token))
        if family_id is not None:
            await self.repository.revoke_family(family_id)
            await self._end_sessions([family_id])

    @property
    def _access_token_lifetime(self) -> int:
        # The longest an access token of a session can still be accepted: its lifetime, the verifiers' leeway on
        # `exp`, and a margin for a clock that runs behind.
        return self.settings.access_token_minutes * 60 + int(LEEWAY_SECONDS) + 5

    async def _end_sessions(self, family_ids: list[uuid.UUID]) -> None:
        """The access tokens of these sessions stop working in every service (their refresh tokens are revoked by
        the caller): the sessions go on the deny list every verifier reads, for as long as such a token lives."""
        if family_ids:
            await revoke_sessions(
                self.redis, [str(family_id) for family_id in family_ids], ttl_seconds=self._access_token_lifetime
            )

    # -- email and password ---------------------------------------------------------------------------------------
    async def sign_up(self, email: str, password: str, display_name: str | None) -> None:
        problem = password_problem(password, email=email)
        if problem:
            raise WeakPasswordError(problem)
        if not await self._limit(f"signup:{email.lower()}", 3, HOUR, "signup", silent=True):
            return  # the same answer, and no more email to that address this hour
        user = await self.repository.insert_user(
            email=email, password_hash=await hash_password(password), display_name=display_name
        )
        if user is None:
            # The same answer as for a new address (no enumeration); the owner learns of the attempt by email.
            await self._send_email(
                email,
                "Someone tried to create an Osool account with your email",
                "An account with this email already exists. If it was you, sign in or reset your password at "
                f"{self.settings.public_base_url}/reset-password. If not, you can ignore this message.",
            )
            return
        await self._send_email_token(user, "verify_email")

    async def verify_email(self, token: str) -> TokenPair:
        user_id = await self.repository.consume_email_token(hash_token(token), "verify_email")
        if user_id is None:
            raise InvalidCodeError("this verification link is not valid any more; ask for a new one")
        await self.repository.mark_email_verified(user_id)
        user = await self.repository.user_by_id(user_id)
        assert user is not None
        return await self._sign_in(user, "email_verification")

    async def login(self, email: str, password: str, client_ip: str) -> TokenPair:
        account = email.lower()
        from_here, everywhere = _login_failure_keys(account, client_ip)
        await self._check_login_throttle(account, client_ip)
        user = await self.repository.user_by_email(email)
        # Unknown accounts are checked against a dummy hash and counted like known ones: same answer, same time.
        if not await verify_password(user["password_hash"] if user else None, password) or user is None:
            await self.failures.record(from_here, everywhere)
            metrics.SIGN_INS.labels("password", "failure").inc()
            raise UnauthenticatedError(WRONG_CREDENTIALS)
        # The account's failures from everywhere stay: the owner signing in does not reopen it to a distributed guess.
        await self.failures.clear(from_here)
        if needs_rehash(user["password_hash"]):
            await self.repository.set_password_hash(user["id"], await hash_password(password))
        if user["email_verified_at"] is None:
            metrics.SIGN_INS.labels("password", "unverified").inc()
            await self._send_email_token(user, "verify_email")
            raise EmailNotVerifiedError("verify your email first: we sent you a new link")
        await self.known_addresses.add(f"email:{account}", client_ip)
        return await self._sign_in(user, "password")

    async def _check_login_throttle(self, account: str, client_ip: str) -> None:
        """The two rules of throttle.py, both before the password is looked at (a refusal says nothing of it)."""
        from_here, everywhere = _login_failure_keys(account, client_ip)
        now = datetime.now(UTC).timestamp()
        wait = delay_after_failures(
            await self.failures.times(from_here),
            now,
            free=self.settings.login_failures_before_delay,
            cap=float(self.settings.login_max_delay_seconds),
        )
        if wait > 0:
            metrics.RATE_LIMITED.labels("login").inc()
            retry = int(wait) + 1
            raise RateLimitedError(
                f"too many failed sign-ins; try again in {retry} s", details={"retry_after": retry}, retry_after=retry
            )
        wait = wait_until_below(
            await self.failures.times(everywhere), now, limit=self.settings.login_account_failures_before_known_only
        )
        if wait > 0 and not await self.known_addresses.contains(f"email:{account}", client_ip):
            metrics.RATE_LIMITED.labels("login_account").inc()
            retry = int(wait) + 1
            raise RateLimitedError(
                "too many failed sign-ins on this account: sign in from a device you have used before, reset your "
                f"password, or try again in {retry} s",
                details={"retry_after": retry},
                retry_after=retry,
            )

    async def request_password_reset(self, email: str) -> None:
        # Always the same answer: whether the account exists is never told.
        if not (await self.limiter.hit(f"reset:{email.lower()}", limit=3, window_seconds=HOUR)).allowed:
            metrics.RATE_LIMITED.labels("password_reset").inc()
            return
        user = await self.repository.user_by_email(email)
        if user is not None:
            await self._send_email_token(user, "reset_password")

    async def confirm_password_reset(self, token: str, new_password: str, client_ip: str) -> None:
        token_hash = hash_token(token)
        user_id = await self.repository.consume_email_token(token_hash, "reset_password")
        if user_id is None:
            raise InvalidCodeError("this reset link is not valid any more; ask for a new one")
        user = await self.repository.user_by_id(user_id)
        assert user is not None
        problem = password_problem(new_password, email=user["email"])
        if problem:
            raise WeakPasswordError(problem)
        await self.repository.set_password_hash(user_id, await hash_password(new_password))
        await self.repository.mark_email_verified(user_id)  # the link proved the inbox is theirs
        # A reset ends every session, access tokens included.
        await self._end_sessions(
            await self.repository.revoke_user_tokens(user_id, issued_within_seconds=self._access_token_lifetime)
        )
        # The old password's guesses are moot: the account opens again to every address, and this one is known.
        account = str(user["email"]).lower()
        await self.failures.clear(*_login_failure_keys(account, client_ip))
        await self.known_addresses.add(f"email:{account}", client_ip)

    async def _send_email_token(self, user: Record, purpose: str) -> None:
        token = new_opaque_token()
        expires_at = datetime.now(UTC) + timedelta(hours=self.settings.email_token_hours)
        await self.repository.insert_email_token(hash_token(token), user["id"], purpose, expires_at)
        if purpose == "verify_email":
            subject = "Verify your email for Osool"
            text = f"Open this link to verify your email: {self.settings.public_base_url}/verify-email?token={token}"
        else:
            subject = "Reset your Osool password"
            text = (
                f"Open this link to choose a new password: {self.settings.public_base_url}/reset-password?token={token}"
                f"\nIt works once, for {self.settings.email_token_hours} hours. If you did not ask, ignore this email."
            )
        await self._send_email(user["email"], subject, text)

    async def _send_email(self, to: str, subject: str, text: str) -> None:
        try:
            await self.email.send_email(to, subject, text)
        except DeliveryError as exc:
            log.error("auth.email_failed", status=exc.status)
            raise UnavailableError("the email could not be sent; try again shortly") from None

    # -- phone OTP ------------------------------------------------------------------------------------------------
    @staticmethod
    def _code_hash(phone: str, purpose: str, code: str) -> bytes:
        return hashlib.sha256(f"{purpose}:{phone}:{code}".encode()).digest()

    async def send_otp(self, raw_phone: str, purpose: str, principal: Principal | None, client_ip: str) -> int:
        phone = normalize_phone(raw_phone)
        if purpose == "verify_phone" and principal is None:
            raise UnauthenticatedError("sign in first to verify a phone on your account")
        settings = self.settings
        await self._limit(f"otp-ip:{client_ip}", settings.otp_sends_per_ip_per_hour, HOUR, "otp_ip")
        await self._limit(
            f"otp-phone-from:{client_ip}/{phone}", settings.otp_sends_per_phone_and_ip_per_hour, HOUR, "otp_phone_ip"
        )
        # The per-phone ceiling binds strangers only: the owner's own address cannot be starved by others' sends.
        if not await self.known_addresses.contains(f"phone:{phone}", client_ip):
            await self._limit(f"otp-phone:{phone}", settings.otp_sends_per_phone_per_hour, HOUR, "otp_phone")
        code = f"{secrets.randbelow(1_000_000):06d}"
        expires_at = datetime.now(UTC) + timedelta(seconds=self.settings.otp_ttl_seconds)
        user_id = uuid.UUID(principal.user_id) if principal else None
        # A resend replaces the previous code (and its attempt count).
        await self.repository.replace_otp(phone, purpose, self._code_hash(phone, purpose, code), user_id, expires_at)
        minutes = self.settings.otp_ttl_seconds // 60
        try:
            await self.sms.send_sms(phone, f"Your Osool code is {code}. It expires in {minutes} minutes.")
        except DeliveryError as exc:
            log.error("auth.sms_failed", status=exc.status)
            raise UnavailableError("the code could not be sent; try again shortly") from None
        metrics.OTPS_SENT.labels(purpose, "sms" if self.settings.sms_configured else "outbox").inc()
        return self.settings.otp_ttl_seconds

    async def verify_otp(
        self, raw_phone: str, code: str, purpose: str, principal: Principal | None, client_ip: str
    ) -> TokenPair | None:
        phone = normalize_phone(raw_phone)
        attempt = await self.repository.count_otp_attempt(phone, purpose)
        if attempt is None:
            metrics.OTPS_VERIFIED.labels("no_code").inc()
            raise InvalidCodeError("no code is waiting for this number; ask for one")
        if attempt["attempts"] > self.settings.otp_max_attempts:
            metrics.OTPS_VERIFIED.labels("too_many_attempts").inc()
            raise RateLimitedError("too many wrong codes; ask for a new code")
        if attempt["expires_at"] <= datetime.now(UTC):
            metrics.OTPS_VERIFIED.labels("expired").inc()
            raise InvalidCodeError("the code has expired; ask for a new one")
        if not hmac.compare_digest(attempt["code_hash"], self._code_hash(phone, purpose, code)):
            metrics.OTPS_VERIFIED.labels("wrong").inc()
            left = self.settings.otp_max_attempts - attempt["attempts"]
            raise InvalidCodeError(f"wrong code; {left} attempts left", details={"attempts_left": left})
        if not await self.repository.mark_otp_used(phone, purpose):
            raise InvalidCodeError("this code was already used")
        metrics.OTPS_VERIFIED.labels("success").inc()
        await self.known_addresses.add(f"phone:{phone}", client_ip)  # the code reached this address: the owner's
        if purpose == "verify_phone":
            if principal is None or attempt["user_id"] is None or str(attempt["user_id"]) != principal.user_id:
                raise PermissionDeniedError("this code was sent for another account")
            if not await self.repository.set_verified_phone(attempt["user_id"], phone):
                raise ConflictError("this phone number belongs to another account")
            return None
        user = await self.repository.user_by_phone(phone)
        if user is None:
            user = await self.repository.insert_user(phone=phone, phone_verified=True)
            if user is None:  # created by a parallel request a moment ago
                user = await self.repository.user_by_phone(phone)
        assert user is not None
        return await self._sign_in(user, "phone_otp")

    # -- Google ---------------------------------------------------------------------------------------------------
    async def sign_in_with_google(self, id_token: str) -> TokenPair:
        if self.google is None:
            # Not a failure of ours: the deployment has no Google sign-in, as if the route did not exist.
            raise NotEnabledError("Google sign-in is not enabled on this deployment (GOOGLE_CLIENT_ID)")
        try:
            identity = await self.google.verify(id_token)
        except GoogleTokenError as exc:
            metrics.SIGN_INS.labels("google", "failure").inc()
            if exc.reason == "keys_unavailable":
                raise UnavailableError("Google's keys could not be fetched; try again shortly") from None
            raise UnauthenticatedError("the Google sign-in is not valid") from None
        if identity.nonce is not None and identity.nonce.startswith(GOOGLE_NONCE_PREFIX):
            # Single use, like SIWE's: the first request that deletes the nonce wins; the same token replayed (from
            # a browser's history, a log, a proxy) or a token naming a nonce we never issued finds nothing.
            if not await self._use_nonce("google-nonce", identity.nonce):
                metrics.SIGN_INS.labels("google", "failure").inc()
                raise UnauthenticatedError("the Google sign-in is not valid (unknown, expired or used nonce)")
        user = await self.repository.user_by_google_subject(identity.subject)
        if user is None and identity.email and identity.email_verified:
            # Google vouches for the address: link it to the account that already uses it.
            existing = await self.repository.user_by_email(identity.email)
            if existing is not None:
                await self.repository.set_google_subject(existing["id"], identity.subject)
                await self.repository.mark_email_verified(existing["id"])
                user = await self.repository.user_by_id(existing["id"])
        if user is None:
            user = await self.repository.insert_user(
                email=identity.email if identity.email_verified else None,
                email_verified=identity.email_verified,
                google_subject=identity.subject,
                display_name=identity.name,
            )
            if user is None:
                user = await self.repository.user_by_google_subject(identity.subject)
        assert user is not None
        return await self._sign_in(user, "google")

    async def new_google_nonce(self) -> str:
        if self.google is None:
            raise NotEnabledError("Google sign-in is not enabled on this deployment (GOOGLE_CLIENT_ID)")
        return await self._issue_nonce("google-nonce", GOOGLE_NONCE_PREFIX, 32, self.settings.google_nonce_ttl_seconds)

    # -- single-use nonces (Google, SIWE) ---------------------------------------------------------------------------
    async def _issue_nonce(self, kind: str, prefix: str, length: int, ttl_seconds: int) -> str:
        nonce = prefix + "".join(secrets.choice(NONCE_ALPHABET) for _ in range(length))
        await self.redis.set(f"auth:{kind}:{nonce}", "1", ex=ttl_seconds)
        return nonce

    async def _use_nonce(self, kind: str, nonce: str) -> bool:
        """Single use: the first request that deletes the nonce wins; a replay, or a nonce never issued, finds none."""
        return bool(await self.redis.delete(f"auth:{kind}:{nonce}"))

    # -- Ethereum wallet (SIWE) -------------------------------------------------------------------------------------
    async def new_siwe_nonce(self) -> str:
        return await self._issue_nonce("siwe", "", 17, self.settings.siwe_nonce_ttl_seconds)

    async def _verified_wallet(self, message: str, signature: str) -> str:
        try:
            parsed = verify_siwe_message(
                message,
                signature,
                expected_domain=self.settings.siwe_domain,
                expected_uri=self.settings.siwe_uri,
                expected_chain_id=self.settings.siwe_chain_id,
                now=datetime.now(UTC),
            )
        except SiweError as exc:
            metrics.SIGN_INS.labels("wallet", "failure").inc()
            raise UnauthenticatedError(f"the wallet sign-in is not valid ({exc.reason})") from None
        if not await self._use_nonce("siwe", parsed.nonce):
            metrics.SIGN_INS.labels("wallet", "failure").inc()
            raise UnauthenticatedError("the wallet sign-in is not valid (unknown or used nonce)")
        return parsed.address

    async def sign_in_with_wallet(self, message: str, signature: str) -> TokenPair:
        address = await self._verified_wallet(message, signature)
        user = await self.repository.user_by_wallet(address)
        if user is None:
            user = await self.repository.insert_user(wallet_address=address)
            if user is None:
                user = await self.repository.user_by_wallet(address)
        assert user is not None
        return await self._sign_in(user, "wallet")

    async def link_wallet(self, principal: Principal, message: str, signature: str) -> User:
        address = await self._verified_wallet(message, signature)
        if not await self.repository.set_wallet(uuid.UUID(principal.user_id), address):
            raise ConflictError("this wallet is linked to another account")
        return await self.me(principal)

    # -- profile and administration ---------------------------------------------------------------------------------
    async def me(self, principal: Principal) -> User:
        user = await self.repository.user_by_id(uuid.UUID(principal.user_id))
        if user is None:
            raise NotFoundError("this account no longer exists")
        return to_user(user)

    async def update_me(self, principal: Principal, display_name: str | None) -> User:
        user = await self.repository.update_profile(uuid.UUID(principal.user_id), display_name=display_name)
        if user is None:
            raise NotFoundError("this account no longer exists")
        return to_user(user)

    async def set_role(self, user_id: uuid.UUID, role: str) -> User:
        user = await self.repository.set_role(user_id, role)
        if user is None:
            raise NotFoundError("no such user")
        log.info("auth.role_changed", user_id=str(user_id), role=role)
        return to_user(user)

    async def list_users(self, limit: int, cursor: str | None) -> tuple[list[User], str | None]:
        after = decode_user_cursor(cursor) if cursor else None
        rows = await self.repository.list_users(limit=limit + 1, after=after)
        page = rows[:limit]
        next_cursor = encode_cursor(page[-1]["created_at"].isoformat(), page[-1]["id"]) if len(rows) > limit else None
        return [to_user(row) for row in page], next_cursor

    # -- notifications for other services (internal) ------------------------------------------------------------
    async def users_with_role(self, role: str, limit: int) -> list[UserSummary]:
        """Every user of a role (the oldest first), as other services may show them."""
        return [self._summary(user) for user in await self.repository.users_with_role(role, limit)]

    async def user_summary(self, user_id: uuid.UUID) -> UserSummary:
        user = await self.repository.user_by_id(user_id)
        if user is None:
            raise NotFoundError("no such user")
        return self._summary(user)

    @staticmethod
    def _summary(user: Record) -> UserSummary:
        return UserSummary(
            id=user["id"],
            role=user["role"],
            display_name=user["display_name"],
            email=verified_email(user),
            phone=verified_phone(user),
            wallet_address=user["wallet_address"],
        )

    async def notify(
        self,
        user_id: uuid.UUID,
        subject: str,
        text: str,
        channels: list[Channel],
        dedupe_key: str | None,
        attachments: Sequence[EmailAttachment] = (),
    ) -> NotifyResult:
        """Send to the user's verified email and phone. Under a dedupe key it is sent once: a repeat answers the
        first result (`duplicate`), a repeat while the first is still sending is a conflict to retry."""
        user = await self.repository.user_by_id(user_id)
        if user is None:
            raise NotFoundError("no such user")
        if dedupe_key is not None:
            claim = await self.repository.claim_notification(
                user_id, dedupe_key, stale_after_seconds=NOTIFY_CLAIM_STALE_SECONDS
            )
            if claim == "sending":
                raise ConflictError("a notification with this dedupe_key is being sent; try again shortly")
            if claim != "new":
                for channel in channels:
                    metrics.NOTIFICATIONS.labels(channel, "duplicate").inc()
                return NotifyResult.model_validate({**claim, "duplicate": True})
        try:
            result = await self._deliver(user, subject, text, channels, attachments)
            if not result.sent and any(item.reason == "delivery_failed" for item in result.skipped):
                raise UnavailableError("the notification could not be sent; try again shortly")
        except Exception:
            if dedupe_key is not None:
                # The key stays free so that the caller's retry sends (a provider down is the usual cause).
                await self.repository.release_notification(user_id, dedupe_key)
            raise
        if dedupe_key is not None:
            await self.repository.finish_notification(user_id, dedupe_key, result.model_dump(mode="json"))
        return result

    async def _deliver(
        self, user: Record, subject: str, text: str, channels: list[Channel], attachments: Sequence[EmailAttachment]
    ) -> NotifyResult:
        sent: list[NotificationSent] = []
        skipped: list[NotificationSkipped] = []
        for channel in channels:
            recipient = verified_email(user) if channel == "email" else verified_phone(user)
            if recipient is None:
                reason: SkipReason = "no_verified_email" if channel == "email" else "no_verified_phone"
                skipped.append(NotificationSkipped(channel=channel, reason=reason))
                metrics.NOTIFICATIONS.labels(channel, "skipped").inc()
                continue
            masked = mask_email(recipient) if channel == "email" else mask_phone(recipient)
            try:
                if channel == "email":
                    reference = await self.email.send_email(recipient, subject, text, attachments)
                else:
                    reference = await self.sms.send_sms(recipient, sms_text(subject, text))
            except DeliveryError as exc:
                log.error("auth.notify_failed", channel=channel, provider=exc.provider, status=exc.status)
                skipped.append(NotificationSkipped(channel=channel, reason="delivery_failed"))
                metrics.NOTIFICATIONS.labels(channel, "failed").inc()
                continue
            sent.append(NotificationSent(channel=channel, recipient_masked=masked, reference=reference))
            metrics.NOTIFICATIONS.labels(channel, "sent").inc()
        log.info(
            "auth.notified",
            user_id=str(user["id"]),
            sent=[item.channel for item in sent],
            skipped=[f"{item.channel}:{item.reason}" for item in skipped],
        )
        return NotifyResult(user_id=user["id"], sent=sent, skipped=skipped)

    # -- limits -------------------------------------------------------------------------------------------------
    async def _limit(self, key: str, limit: int, window: float, name: str, *, silent: bool = False) -> bool:
        decision = await self.limiter.hit(key, limit=limit, window_seconds=window)
        if decision.allowed:
            return True
        metrics.RATE_LIMITED.labels(name).inc()
        if silent:
            return False
        retry = int(decision.retry_after_seconds) + 1
        raise RateLimitedError(
            f"too many requests; try again in {retry} s", details={"retry_after": retry}, retry_after=retry
        )


def _login_failure_keys(account: str, client_ip: str) -> tuple[str, str]:
    """Failure-log keys: from this address (an address has no '/', an email always has an '@'), and from everywhere."""
    return f"login-from:{client_ip}/{account}", f"login:{account}"


def verified_email(user: Any) -> str | None:
    return str(user["email"]) if user["email"] and user["email_verified_at"] is not None else None


def verified_phone(user: Any) -> str | None:
    return str(user["phone"]) if user["phone"] and user["phone_verified_at"] is not None else None


def mask_email(email: str) -> str:
    """Enough for a person to recognise their own address, not enough to learn someone else's: m***@example.com."""
    local, _, domain = email.rpartition("@")
    return f"{local[:1]}***@{domain}"


def mask_phone(phone: str) -> str:
    """The country code's start and the last digits of an E.164 number: +20*******678."""
    head, tail = (3, 3) if len(phone) >= 10 else (1, 2)
    return phone[:head] + "*" * max(len(phone) - head - tail, 0) + phone[-tail:]


def sms_text(subject: str, text: str, limit: int = SMS_MAX_CHARACTERS) -> str:
    """`subject: text`, cut at a word boundary to `limit` characters with "..." (ASCII, so a GSM-7 message stays
    GSM-7: one non-GSM character would switch the whole SMS to UCS-2, 70 characters a segment)."""
    body = f"{subject}: {text}"
    if len(body) <= limit:
        return body
    cut = body[: limit - 3]
    boundary = cut.rfind(" ")
    if boundary > limit * 3 // 4:  # a word boundary near the end; else a very long word is cut where it stands
        cut = cut[:boundary]
    return cut.rstrip() + "..."


def to_user(row: Any) -> User:
    return User(
        id=row["id"],
        email=row["email"],
        email_verified=row["email_verified_at"] is not None,
        phone=row["phone"],
        phone_verified=row["phone_verified_at"] is not None,
        wallet_address=row["wallet_address"],
        google_linked=row["google_subject"] is not None,
        display_name=row["display_name"],
        role=row["role"],
        created_at=row["created_at"],
    )


def decode_user_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    created, user_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(created), uuid.UUID(user_id)
    except ValueError:
        raise InvalidCursorError("the cursor is not one this service gave out") from None
