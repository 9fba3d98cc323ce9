"""Sliding-window rate limits kept in Redis, so a limit holds across every replica and worker."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis

# One atomic step: drop hits older than the window, count what is left, add this hit only when under the limit.
# Written as a Lua script (not a library) because the hit must be recorded only when allowed, atomically.
_SLIDING_WINDOW = """
local key, now_ms, window_ms, limit, member = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
redis.call('ZREMRANGEBYSCORE', key, '-inf', now_ms - window_ms)
local count = redis.call('ZCARD', key)
if count < limit then
  redis.call('ZADD', key, now_ms, member)
  redis.call('PEXPIRE', key, window_ms)
  return {1, count + 1, 0}
end
local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local retry_ms = window_ms - (now_ms - tonumber(oldest[2]))
return {0, count, retry_ms}
"""


@dataclass(frozen=True)
class RateDecision:
    allowed: bool
    count: int
    retry_after_seconds: float


class RateLimiter:
    def __init__(self, redis: Redis, prefix: str) -> None:
        self.redis = redis
        self.prefix = prefix
        self._script = redis.register_script(_SLIDING_WINDOW)

    async def hit(self, key: str, *, limit: int, window_seconds: float) -> RateDecision:
        """Record one attempt under `key` unless `limit` attempts already happened in the last window."""
        now_ms = int(time.time() * 1000)
        allowed, count, retry_ms = await self._script(
            keys=[f"{self.prefix}:{key}"],
            args=[now_ms, int(window_seconds * 1000), limit, f"{now_ms}-{uuid.uuid4().hex}"],
        )
        return RateDecision(bool(allowed), int(count), max(0.0, int(retry_ms) / 1000))

    async def reset(self, key: str) -> None:
        await self.redis.delete(f"{self.prefix}:{key}")
