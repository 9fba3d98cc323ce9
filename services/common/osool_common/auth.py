"""Access-token verification for every service: keys from the auth service's JWKS, cached; signed-out sessions from
a deny list in Redis, cached for a second; role checks as dependencies.

No service but auth holds a signing key. Tokens are RS256 JWTs with a `kid` (RSA verification is the cheapest of
the asymmetric choices: about half of EdDSA's time here, measured in bench/auth); the algorithm is pinned, so
`alg: none` and HS256-with-the-public-key tokens are refused before any key is looked at.

Revocation: every access token names its session (`sid`, the refresh-token family it was issued with). Logout, a
reused refresh token and a password reset put the session on a deny list in Redis (`revoke_sessions`) for as long
as its access tokens can live; every service's verifier reads that list, so a signed-out token stops working
everywhere within `revocation_cache_seconds` instead of living out its 15 minutes.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import jwt
from fastapi import Request
from prometheus_client import Counter
from redis.asyncio import Redis
from redis.exceptions import RedisError

from osool_common.errors import PermissionDeniedError, UnauthenticatedError, UnavailableError
from osool_common.http_client import ServiceClient
from osool_common.logging import get_logger

log = get_logger(__name__)

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "jti", "iss", "aud", "role", "sid"]
ROLES = ("user", "agent", "admin")
# Clock skew allowed on `exp` and `iat` between auth and the verifying service (NTP keeps hosts far closer).
LEEWAY_SECONDS = 1.0
REVOKED_SESSION_KEY = "auth:revoked-session:{}"

REVOCATION_REDIS_ERRORS = Counter(
    "osool_token_revocation_redis_errors_total",
    "Redis errors that let the token verifier accept a token without reading the deny list of signed-out sessions",
)


@dataclass(frozen=True)
class Principal:
    user_id: str  # a UUID in its canonical form: the verifier refuses any other `sub`
    role: str
    token_id: str
    expires_at: int
    session_id: str  # the refresh-token family the token was issued with; logout ends it


async def revoke_sessions(redis: Redis, session_ids: Iterable[str], *, ttl_seconds: int) -> None:
    """Put sessions on the deny list every verifier reads; `ttl_seconds` must outlast their access tokens."""
    async with redis.pipeline(transaction=False) as pipe:
        for session_id in session_ids:
            pipe.set(REVOKED_SESSION_KEY.format(session_id), "1", ex=ttl_seconds)
        await pipe.execute()


class RevokedSessions:
    """Reads the deny list through a per-process cache: one Redis read per session per `cache_seconds` at most.

    A revoked answer is kept longer (a session never comes back). When Redis fails, tokens are accepted (the deny
    list is unreadable, and refusing every signed-in request of every service would turn a Redis outage into a
    full one): counted in osool_token_revocation_redis_errors_total, logged once per outage, Redis asked again
    after a second.
    """

    REVOKED_CACHE_SECONDS = 60.0
    REDIS_RETRY_SECONDS = 1.0
    MAX_ENTRIES = 100_000

    def __init__(self, redis: Redis, *, cache_seconds: float) -> None:
        self.redis = redis
        self.cache_seconds = cache_seconds
        self._seen: dict[str, tuple[bool, float]] = {}  # session id -> (revoked, fresh until on the monotonic clock)
        self._redis_retry_at = float("-inf")
        self._redis_out = False

    async def is_revoked(self, session_id: str) -> bool:
        now = time.monotonic()
        cached = self._seen.get(session_id)
        if cached is not None and now < cached[1]:
            return cached[0]
        if now < self._redis_retry_at:
            return cached[0] if cached is not None else False
        try:
            revoked = bool(await self.redis.exists(REVOKED_SESSION_KEY.format(session_id)))
        except (RedisError, OSError) as exc:
            REVOCATION_REDIS_ERRORS.inc()
            self._redis_retry_at = now + self.REDIS_RETRY_SECONDS
            if not self._redis_out:
                self._redis_out = True
                log.warning("auth.revocation_list_unavailable", error=f"{type(exc).__name__}: {exc}")
            return cached[0] if cached is not None else False
        if self._redis_out:
            self._redis_out = False
            log.info("auth.revocation_list_recovered")
        if len(self._seen) >= self.MAX_ENTRIES:
            self._seen = {key: entry for key, entry in self._seen.items() if entry[1] > now}
            if len(self._seen) >= self.MAX_ENTRIES:
                self._seen.clear()
        self._seen[session_id] = (revoked, now + (self.REVOKED_CACHE_SECONDS if revoked else self.cache_seconds))
        return revoked


KeyFetcher = Callable[[], Awaitable[dict[str, Any]]]


def _canonical_uuid(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


class TokenVerifier:
    """Verifies access tokens against a JWKS fetched on demand, refetched (at most every 30 s) for an unknown kid,
    and against the deny list of signed-out sessions in `redis`.

    `redis` has no default: a service that passes None accepts signed-out tokens until they expire, so that is said
    out loud (unit tests and benchmarks of the signature check alone do).
    """

    def __init__(
        self,
        fetch_jwks: KeyFetcher,
        *,
        issuer: str,
        audience: str,
        redis: Redis | None,
        cache_seconds: float = 300.0,
        refetch_interval_seconds: float = 30.0,
        leeway_seconds: float = LEEWAY_SECONDS,
        revocation_cache_seconds: float = 1.0,
    ) -> None:
        self._fetch = fetch_jwks
        self.issuer = issuer
        self.audience = audience
        self.cache_seconds = cache_seconds
        self.refetch_interval_seconds = refetch_interval_seconds
        self.leeway_seconds = leeway_seconds
        self.revoked_sessions = (
            RevokedSessions(redis, cache_seconds=revocation_cache_seconds) if redis is not None else None
        )
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
        # A signature proves who issued the claims, not that they are well-formed: a `sub` or `sid` that is not a
        # UUID, or a role outside ROLES, is refused here rather than left to break a query in some service.
        user_id, session_id = _canonical_uuid(claims["sub"]), _canonical_uuid(claims["sid"])
        role = claims["role"]
        if user_id is None or session_id is None or not isinstance(role, str) or role not in ROLES:
            raise UnauthenticatedError("invalid token")
        if self.revoked_sessions is not None and await self.revoked_sessions.is_revoked(session_id):
            raise UnauthenticatedError("this session has ended; sign in again")
        return Principal(user_id, role, str(claims["jti"]), int(claims["exp"]), session_id)


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
