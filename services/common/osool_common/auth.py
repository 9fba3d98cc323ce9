"""Access-token verification for every service: keys from the auth service's JWKS, cached; role checks as dependencies.

No service but auth holds a signing key. Tokens are RS256 JWTs with a `kid` (RSA verification is the cheapest of
the asymmetric choices: about half of EdDSA's time here, measured in bench/auth); the algorithm is pinned, so
`alg: none` and HS256-with-the-public-key tokens are refused before any key is looked at.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request

from osool_common.errors import PermissionDeniedError, UnauthenticatedError, UnavailableError
from osool_common.http_client import ServiceClient

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "iss", "aud", "role"]
ROLES = ("user", "agent", "admin")


@dataclass(frozen=True)
class Principal:
    user_id: str  # a UUID in its canonical form: the verifier refuses any other `sub`
    role: str
    token_id: str
    expires_at: int


KeyFetcher = Callable[[], Awaitable[dict[str, Any]]]


def _canonical_uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class TokenVerifier:
    """Verifies access tokens against a JWKS fetched on demand, refetched (at most every 30 s) for an unknown kid."""

    def __init__(
        self,
        fetch_jwks: KeyFetcher,
        *,
        issuer: str,
        audience: str,
        cache_seconds: float = 300.0,
        refetch_interval_seconds: float = 30.0,
        leeway_seconds: float = 5.0,
    ) -> None:
        self._fetch = fetch_jwks
        self.issuer = issuer
        self.audience = audience
        self.cache_seconds = cache_seconds
        self.refetch_interval_seconds = refetch_interval_seconds
        self.leeway_seconds = leeway_seconds
        self._keys: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            if (force and age < self.refetch_interval_seconds) or (not force and age < self.cache_seconds):
                return  # another coroutine just fetched, or refetching now would let garbage tokens hammer auth
            try:
                document = await self._fetch()
                keys = {}
                for entry in document.get("keys", []):
                    if entry.get("kid") and entry.get("alg", ALGORITHM) == ALGORITHM:
                        keys[entry["kid"]] = jwt.PyJWK(entry, algorithm=ALGORITHM).key
            except Exception as exc:  # any failure to get keys: the caller sees "unavailable", not a crash
                raise UnavailableError("token keys are unavailable") from exc
            self._keys, self._fetched_at = keys, time.monotonic()

    async def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise UnauthenticatedError("malformed token") from None
        if header.get("alg") != ALGORITHM:
            raise UnauthenticatedError("token algorithm not accepted")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise UnauthenticatedError("token has no key id")
        if time.monotonic() - self._fetched_at > self.cache_seconds:
            await self._refresh(force=False)
        key = self._keys.get(kid)
        if key is None:
            await self._refresh(force=True)
            key = self._keys.get(kid)
            if key is None:
                raise UnauthenticatedError("token signed by an unknown key")
        try:
            claims = jwt.decode(
                token,
                key=key,
                algorithms=[ALGORITHM],
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise UnauthenticatedError("token expired") from None
        except jwt.PyJWTError:
            raise UnauthenticatedError("invalid token") from None
        # A signature proves who issued the claims, not that they are well-formed: a `sub` that is not a UUID, or a
        # role outside ROLES, is refused here rather than left to break a query in some service.
        user_id, role = _canonical_uuid(claims["sub"]), claims["role"]
        if user_id is None or not isinstance(role, str) or role not in ROLES:
            raise UnauthenticatedError("invalid token")
        return Principal(user_id, role, str(claims["jti"]), int(claims["exp"]))


def gateway_jwks_fetcher(client: ServiceClient) -> KeyFetcher:
    """Fetch the auth service's JWKS through the gateway's internal listener."""

    async def fetch() -> dict[str, Any]:
        response = await client.get("auth", "/.well-known/jwks.json")
        response.raise_for_status()
        document: dict[str, Any] = response.json()
        return document

    return fetch


def _bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def optional_principal(request: Request) -> Principal | None:
    """FastAPI dependency: the caller's principal, or None without a token (a bad token is still refused)."""
    token = _bearer_token(request)
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(token)


async def current_principal(request: Request) -> Principal:
    """FastAPI dependency: a valid access token is required."""
    principal = await optional_principal(request)
    if principal is None:
        raise UnauthenticatedError("sign in first: an access token (Authorization: Bearer ...) is required")
    return principal


def require_role(*roles: str) -> Callable[[Request], Awaitable[Principal]]:
    """FastAPI dependency factory: `Depends(require_role("admin"))`."""

    async def dependency(request: Request) -> Principal:
        principal = await current_principal(request)
        if principal.role not in roles:
            raise PermissionDeniedError(f"this needs the {' or '.join(roles)} role")
        return principal

    return dependency
