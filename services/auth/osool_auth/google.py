"""Verification of Google ID tokens (Sign in with Google): Google's signing keys, their cache, and the claim checks."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from jwt.algorithms import RSAAlgorithm

from osool_common.logging import get_logger

log = get_logger(__name__)

GoogleTokenReason = Literal[
    "malformed",
    "unknown_key",
    "bad_signature",
    "wrong_audience",
    "wrong_issuer",
    "expired",
    "email_unverified",
    "keys_unavailable",
]

GOOGLE_JWKS_URL = "https://www.googleapis.com/oauth2/v3/certs"
GOOGLE_ISSUERS = ("https://accounts.google.com", "accounts.google.com")

# Google signs ID tokens with RS256 only; pinning it is what stops a token that claims "none" or HS256 (with our
# public key as the HMAC secret) from ever reaching a verifier.
_ALGORITHM = "RS256"
# Google's ID tokens are about 1 KB; anything far larger is not one and is not worth parsing.
_MAX_TOKEN_LENGTH = 16_384
# Tokens naming a kid we do not know may come from an attacker: they may make us ask Google at most this often.
_REFETCH_INTERVAL_SECONDS = 30.0
# A Cache-Control of max-age=0 would otherwise turn every verification into a request to Google.
_MIN_MAX_AGE_SECONDS = 30.0
_MIN_RSA_KEY_BITS = 2048
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d+)", re.IGNORECASE)


class GoogleTokenError(Exception):
    """A Google ID token that must not sign anyone in; `reason` is a short code for the caller and the logs."""

    def __init__(self, reason: GoogleTokenReason, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason: GoogleTokenReason = reason
        self.detail = detail


@dataclass(frozen=True)
class GoogleIdentity:
    subject: str
    email: str | None
    email_verified: bool
    name: str | None
    nonce: str | None = None


class GoogleIdTokenVerifier:
    """Checks an ID token's signature against Google's published keys and its claims against our client id.

    One instance per process: it holds the key cache and, unless one is given, its own httpx client.
    """

    def __init__(
        self,
        *,
        client_id: str,
        jwks_url: str = GOOGLE_JWKS_URL,
        issuers: tuple[str, ...] = GOOGLE_ISSUERS,
        cache_seconds: float = 3600.0,
        http: httpx.AsyncClient | None = None,
        leeway_seconds: float = 30.0,
    ) -> None:
        if not client_id:
            raise ValueError("a Google client id is required: without it any Google app's tokens would pass")
        if not issuers:
            raise ValueError("at least one accepted issuer is required")
        self._client_id = client_id
        self._jwks_url = jwks_url
        self._issuers = issuers
        self._cache_seconds = cache_seconds
        self._leeway_seconds = leeway_seconds
        self._owns_http = http is None
        self._http = http or httpx.AsyncClient(
            timeout=httpx.Timeout(5.0, connect=2.0), headers={"User-Agent": "osool-auth"}
        )
        self._lock = asyncio.Lock()
        self._keys: dict[str, RSAPublicKey] = {}
        self._keys_expire_at = 0.0
        self._last_refetch_at: float | None = None
        # Counts finished fetches so that callers who queued behind one take its result instead of fetching again.
        self._fetches_finished = 0
        self._last_fetch_failed = False

    async def verify(self, id_token: str) -> GoogleIdentity:
        """The identity in a genuine, current ID token issued for our client; GoogleTokenError for anything else.

        An unverified or missing email is reported, not refused: whether it is good enough is the caller's call.
        """
        kid = _signing_key_id(id_token)
        key = await self._public_key(kid)
        return _identity(self._decode(id_token, key))

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    def _decode(self, id_token: str, key: RSAPublicKey) -> dict[str, Any]:
        try:
            return jwt.decode(
                id_token,
                key,
                algorithms=[_ALGORITHM],
                audience=self._client_id,
                issuer=self._issuers,
                leeway=self._leeway_seconds,
                # strict_aud: Google puts one audience in a string; a list naming us among others is not for us.
                options={"require": ["exp", "iat", "sub"], "strict_aud": True},
            )
        except jwt.PyJWTError as exc:
            raise GoogleTokenError(_reason_for(exc), str(exc)) from None

    async def _public_key(self, kid: str) -> RSAPublicKey:
        if self._keys_are_fresh() and kid in self._keys:
            return self._keys[kid]
        fetches_seen = self._fetches_finished
        async with self._lock:
            if self._fetches_finished != fetches_seen:
                return self._key_from_fetch_we_waited_for(kid)
            if not self._keys_are_fresh():
                await self._fetch_keys()
            elif kid not in self._keys and self._may_refetch():
                # Google publishes a new key before signing with it, but our cache may predate that.
                self._last_refetch_at = time.monotonic()
                await self._fetch_keys()
            key = self._keys.get(kid)
        if key is None:
            raise GoogleTokenError("unknown_key", f"no Google key with kid {kid!r}")
        return key

    def _key_from_fetch_we_waited_for(self, kid: str) -> RSAPublicKey:
        key = self._keys.get(kid)
        if key is not None and (self._keys_are_fresh() or not self._last_fetch_failed):
            return key
        if self._last_fetch_failed:
            raise GoogleTokenError("keys_unavailable", "Google's keys could not be fetched")
        raise GoogleTokenError("unknown_key", f"no Google key with kid {kid!r}")

    def _keys_are_fresh(self) -> bool:
        return bool(self._keys) and time.monotonic() < self._keys_expire_at

    def _may_refetch(self) -> bool:
        return self._last_refetch_at is None or time.monotonic() - self._last_refetch_at >= _REFETCH_INTERVAL_SECONDS

    async def _fetch_keys(self) -> None:
        try:
            keys, max_age = await self._download_keys()
        except GoogleTokenError as exc:
            self._last_fetch_failed = True
            self._fetches_finished += 1
            log.warning("google.jwks_unavailable", url=self._jwks_url, detail=exc.detail)
            raise
        ttl = self._cache_seconds if max_age is None else max(max_age, _MIN_MAX_AGE_SECONDS)
        self._keys = keys
        self._keys_expire_at = time.monotonic() + ttl
        self._last_fetch_failed = False
        self._fetches_finished += 1
        log.info("google.jwks_fetched", keys=len(keys), cache_seconds=ttl)

    async def _download_keys(self) -> tuple[dict[str, RSAPublicKey], float | None]:
        try:
            response = await self._http.get(self._jwks_url, headers={"Accept": "application/json"})
            response.raise_for_status()
            document = response.json()
        except (httpx.HTTPError, httpx.InvalidURL, httpx.StreamError, ValueError) as exc:
            raise GoogleTokenError("keys_unavailable", f"{type(exc).__name__}: {exc}") from None
        keys = _rsa_keys(document)
        if not keys:
            # Caching an empty set would refuse every sign-in until it expired.
            raise GoogleTokenError("keys_unavailable", "the JWKS holds no usable RS256 key")
        return keys, _max_age(response.headers.get("cache-control"))


def _signing_key_id(id_token: str) -> str:
    if not isinstance(id_token, str) or not id_token or len(id_token) > _MAX_TOKEN_LENGTH:
        raise GoogleTokenError("malformed", "not a JWT")
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError as exc:
        raise GoogleTokenError("malformed", str(exc)) from None
    # Refused before any key lookup, so a forged header cannot even cost us a request to Google.
    if header.get("alg") != _ALGORITHM:
        raise GoogleTokenError("bad_signature", f"algorithm {header.get('alg')!r} is not {_ALGORITHM}")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise GoogleTokenError("unknown_key", "the token names no key")
    return kid


def _reason_for(exc: jwt.PyJWTError) -> GoogleTokenReason:
    if isinstance(exc, (jwt.InvalidSignatureError, jwt.InvalidAlgorithmError)):
        return "bad_signature"
    if isinstance(exc, jwt.InvalidAudienceError):
        return "wrong_audience"
    if isinstance(exc, jwt.InvalidIssuerError):
        return "wrong_issuer"
    # A token dated in the future (beyond the leeway) is outside its validity window just like an expired one.
    if isinstance(exc, (jwt.ExpiredSignatureError, jwt.ImmatureSignatureError)):
        return "expired"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        if exc.claim == "aud":
            return "wrong_audience"
        if exc.claim == "iss":
            return "wrong_issuer"
    return "malformed"


def _identity(claims: dict[str, Any]) -> GoogleIdentity:
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise GoogleTokenError("malformed", "the token has no subject")
    email = claims.get("email")
    email = email if isinstance(email, str) and email else None
    name = claims.get("name")
    nonce = claims.get("nonce")
    # Google's tokeninfo endpoint has sent the flag as the string "true"; accept both spellings, nothing else.
    verified = claims.get("email_verified") in (True, "true")
    return GoogleIdentity(
        subject=subject,
        email=email,
        email_verified=email is not None and verified,
        name=name if isinstance(name, str) and name else None,
        nonce=nonce if isinstance(nonce, str) and nonce else None,
    )


def _rsa_keys(document: Any) -> dict[str, RSAPublicKey]:
    entries = document.get("keys") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        return {}
    keys: dict[str, RSAPublicKey] = {}
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("kty") != "RSA" or entry.get("alg", _ALGORITHM) != _ALGORITHM:
            continue
        kid = entry.get("kid")
        if not isinstance(kid, str) or not kid or entry.get("use", "sig") != "sig":
            continue
        try:
            key = RSAAlgorithm.from_jwk(entry)
        except (jwt.PyJWTError, ValueError, TypeError, KeyError):
            continue
        # from_jwk builds a private key when "d" is present; a JWKS that publishes one is not to be trusted.
        if isinstance(key, RSAPublicKey) and key.key_size >= _MIN_RSA_KEY_BITS:
            keys[kid] = key
    return keys


def _max_age(cache_control: str | None) -> float | None:
    match = _MAX_AGE.search(cache_control or "")
    return float(match.group(1)) if match else None
