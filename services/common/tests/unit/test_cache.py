"""The Redis health check: a connection Valkey closed while it was pooled is not a failed check."""

from __future__ import annotations

from typing import Any, cast

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from osool_common.cache import RedisCheck


class FlakyRedis:
    """PING fails with a ConnectionError the first `failures` times, as a stale pooled connection does."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.pings = 0

    async def ping(self) -> bool:
        self.pings += 1
        if self.pings <= self.failures:
            raise RedisConnectionError("Connection closed by server.")
        return True


async def test_a_connection_closed_by_a_restarted_valkey_is_pinged_again_on_a_new_one() -> None:
    redis = FlakyRedis(failures=1)
    assert await RedisCheck(cast(Any, redis))() == "ping ok"
    assert redis.pings == 2


async def test_a_valkey_that_is_down_still_fails_the_check() -> None:
    redis = FlakyRedis(failures=2)
    with pytest.raises(RedisConnectionError):
        await RedisCheck(cast(Any, redis))()
    assert redis.pings == 2
