"""Throttles on password guesses and OTP sends, keyed so that an attacker slows themself, not the account's owner.

The rules (OWASP ASVS 5.0 V6.3: guessing is slowed, yet a third party cannot lock the owner out):

- Failed sign-ins per (account, client address): after `LOGIN_FAILURES_BEFORE_DELAY` in an hour, each attempt
  from that address waits 2^(failures - N) s after its last failure, up to `LOGIN_MAX_DELAY_SECONDS`, even with the
  right password (else the answer would confirm a guess). Guessing from one address slows that address only.
- Failed sign-ins per account, from every address: after `LOGIN_ACCOUNT_FAILURES_BEFORE_KNOWN_ONLY` in an hour
  (guesses spread over many addresses, credential stuffing), only an address that signed in to this account in the
  last `KNOWN_ADDRESS_DAYS` may try; any other is refused before the password is looked at. The owner gets in from
  an address they used before, by another method (phone, Google, wallet), or by resetting the password, which
  clears the account's failures. An unknown email is counted the same way, so nothing tells the two apart.
- OTP sends: per client address, per (phone, client address), and a larger per-phone ceiling that an address which
  signed in with this phone before does not count against; so no third party uses up the owner's codes. The
  attempts per code (`OTP_MAX_ATTEMPTS`) are a separate, unchanged limit.

A client address is the gateway's X-Real-IP (the TCP peer it saw). Two people behind one NAT share it: a guesser
there slows the owner there too, who still gets in from any other address.
"""

from __future__ import annotations

import time
import uuid

from redis.asyncio import Redis

HOUR = 3600.0
DAY = 86400.0
# 2^30 s is far past any cap; the exponent stops there so a long failure list cannot overflow a float.
_MAX_EXPONENT = 30


def delay_after_failures(times: list[float], now: float, *, free: int, cap: float, window: float = HOUR) -> float:
    """Seconds still to wait: past `free` failures in the window, 2^(failures - free) s after the last, up to `cap`."""
    recent = [t for t in times if now - t < window]
    excess = len(recent) - free
    if excess < 0:
        return 0.0
    delay = min(2.0 ** min(excess, _MAX_EXPONENT), cap)
    return max(0.0, max(recent) + delay - now)


def wait_until_below(times: list[float], now: float, *, limit: int, window: float = HOUR) -> float:
    """Seconds until fewer than `limit` of `times` are inside the window (0 when that is already so)."""
    recent = sorted(t for t in times if now - t < window)
    if len(recent) < limit:
        return 0.0
    return max(0.0, recent[len(recent) - limit] + window - now)


class FailureLog:
    """When failures happened, under a key: a sorted set in Redis that keeps one window."""

    def __init__(self, redis: Redis, *, prefix: str = "auth:failures", window: float = HOUR) -> None:
        self.redis = redis
        self.prefix = prefix
        self.window = window

    def _key(self, key: str) -> str:
        return f"{self.prefix}:{key}"

    async def times(self, key: str) -> list[float]:
        entries = await self.redis.zrangebyscore(self._key(key), time.time() - self.window, "+inf", withscores=True)
        return [float(entry[1]) for entry in entries]

    async def record(self, *keys: str) -> None:
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.zadd(self._key(key), {uuid.uuid4().hex: now})
                pipe.zremrangebyscore(self._key(key), "-inf", now - self.window)
                pipe.expire(self._key(key), int(self.window))
            await pipe.execute()

    async def clear(self, *keys: str) -> None:
        await self.redis.delete(*(self._key(key) for key in keys))


class KnownAddresses:
    """Client addresses that signed in to an account (or with a phone), each remembered for `days` after its last
    success: a sorted set per subject, member the address, score the time."""

    def __init__(self, redis: Redis, *, days: int, prefix: str = "auth:known-addresses") -> None:
        self.redis = redis
        self.prefix = prefix
        self.seconds = days * DAY

    def _key(self, subject: str) -> str:
        return f"{self.prefix}:{subject}"

    async def add(self, subject: str, address: str) -> None:
        now = time.time()
        async with self.redis.pipeline(transaction=False) as pipe:
            pipe.zadd(self._key(subject), {address: now})
            pipe.zremrangebyscore(self._key(subject), "-inf", now - self.seconds)
            pipe.expire(self._key(subject), int(self.seconds))
            await pipe.execute()

    async def contains(self, subject: str, address: str) -> bool:
        score = await self.redis.zscore(self._key(subject), address)
        return score is not None and time.time() - float(score) < self.seconds
