"""Circuit breakers whose state lives in Redis, so every worker and replica of a service opens and closes together.

Three consecutive failures of a dependency open its breaker: calls are refused at once (CircuitOpenError, a 503)
instead of each waiting for the dependency's timeout. After `reset_timeout` one call, and only one across every
process, is let through as a probe (half-open): its success closes the breaker, its failure opens it again.

Written here rather than taken from a library: pybreaker's call() is synchronous (a threading lock held around the
call, so it cannot wrap a coroutine; its call_async is for Tornado) and its Redis storage reads and writes the state
in separate commands, so two processes can both take the probe. purgatory's Redis store needs redis<6, which cannot
sit beside the suite's redis 8. aiobreaker is async, but its state is in-process memory, or a Redis storage on a
blocking client with the same separate reads and writes. Here every transition is one Lua script, atomic in Redis,
timed by the Redis server's clock so replicas with skewed clocks agree on every deadline.
"""

from __future__ import annotations

import asyncio
import math
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal, ParamSpec, TypeVar

from prometheus_client import Counter, Gauge
from redis.asyncio import Redis
from redis.exceptions import RedisError

from osool_common.errors import UnavailableError
from osool_common.logging import get_logger

log = get_logger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

State = Literal["closed", "half_open", "open"]
Outcome = Literal["success", "failure", "release"]
STATE_VALUES: dict[State, int] = {"closed": 0, "half_open": 1, "open": 2}

# The state is one value shared by every process, and each process writes what it last saw of it: the most recent
# write is the freshest observation. "max" would let a worker that saw the breaker open and then went idle show it
# open long after the others saw it close; "live" drops the files of workers gunicorn has reaped (child_exit).
BREAKER_STATE = Gauge(
    "osool_circuit_breaker_state",
    "Circuit breaker state as last observed: 0 closed, 1 half-open, 2 open",
    ["dependency"],
    multiprocess_mode="livemostrecent",
)
BREAKER_FAILURES = Counter(
    "osool_circuit_breaker_failures_total",
    "Calls through a circuit breaker that failed in a way that counts against the dependency",
    ["dependency"],
)
BREAKER_TRANSITIONS = Counter(
    "osool_circuit_breaker_transitions_total",
    "Circuit breaker state changes, counted once by the process that made each",
    ["dependency", "to_state"],
)
BREAKER_REDIS_ERRORS = Counter(
    "osool_circuit_breaker_redis_errors_total",
    "Redis errors that made a circuit breaker decide in process memory instead",
    ["dependency"],
)

# After a Redis error the in-process breaker answers, and Redis is asked again (a PING in the background, one per
# process) this often: an outage costs one connection attempt per second per process, not one per call, and no
# caller waits on it.
REDIS_RETRY_SECONDS = 1.0

# What a caller refused while another caller probes is told to wait, at most.
HALF_OPEN_RETRY_SECONDS = 1.0

# Every script reads the Redis server's clock (allowed in scripts since Redis 5 replicates their effects).
# The key is a hash: state (absent: closed), failures, open_until, probe, probe_until (milliseconds).
# No TTL on it: the server evicts keys with a TTL first (volatile-lru), and a breaker's state is not a cache.
_NOW = """
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)
"""

# May a call go? -> {allowed, state, retry_after_ms, transitioned}. An allowed call in state half_open is the probe.
_ACQUIRE = (
    _NOW
    + """
local key, token, lease_ms = KEYS[1], ARGV[1], tonumber(ARGV[2])
local state = redis.call('HGET', key, 'state') or 'closed'
if state == 'closed' then
  return {1, 'closed', 0, 0}
end
if state == 'open' then
  local wait = tonumber(redis.call('HGET', key, 'open_until')) - now
  if wait > 0 then
    return {0, 'open', wait, 0}
  end
  redis.call('HSET', key, 'state', 'half_open', 'probe', token, 'probe_until', now + lease_ms)
  return {1, 'half_open', 0, 1}
end
local wait = tonumber(redis.call('HGET', key, 'probe_until')) - now
if wait > 0 then
  return {0, 'half_open', wait, 0}
end
-- the last probe never reported (its process died, or it hangs): this caller probes instead
redis.call('HSET', key, 'probe', token, 'probe_until', now + lease_ms)
return {1, 'half_open', 0, 0}
"""
)

# A call's outcome (success, failure, or release: a probe cancelled before it learnt anything) -> {state, transitioned}
_RECORD = (
    _NOW
    + """
local key, outcome, token = KEYS[1], ARGV[1], ARGV[2]
local fail_max, reset_ms = tonumber(ARGV[3]), tonumber(ARGV[4])
local state = redis.call('HGET', key, 'state') or 'closed'
if state == 'closed' then
  if outcome == 'success' then
    redis.call('DEL', key)  -- closed with no failures is no key at all
  elseif outcome == 'failure' then
    if redis.call('HINCRBY', key, 'failures', 1) >= fail_max then
      redis.call('HSET', key, 'state', 'open', 'open_until', now + reset_ms)
      return {'open', 1}
    end
  end
  return {'closed', 0}
end
if state ~= 'half_open' or token == '' or redis.call('HGET', key, 'probe') ~= token then
  -- a call let through before the breaker opened, or a probe whose lease ran out, reports late: the breaker has
  -- already acted on newer news, so this changes nothing
  if state == 'open' and tonumber(redis.call('HGET', key, 'open_until')) <= now then
    return {'half_open', 0}
  end
  return {state, 0}
end
if outcome == 'success' then
  redis.call('DEL', key)
  return {'closed', 1}
end
if outcome == 'failure' then
  redis.call('HSET', key, 'state', 'open', 'open_until', now + reset_ms, 'probe', '', 'probe_until', 0)
  return {'open', 1}
end
redis.call('HSET', key, 'probe', '', 'probe_until', 0)  -- the next caller probes at once
return {'half_open', 0}
"""
)

# What a caller would meet -> {state, retry_after_ms, failures}; reads only.
_OBSERVE = (
    _NOW
    + """
local fields = redis.call('HMGET', KEYS[1], 'state', 'failures', 'open_until')
local state, failures = fields[1] or 'closed', tonumber(fields[2] or '0')
if state == 'open' then
  local wait = tonumber(fields[3]) - now
  if wait <= 0 then
    return {'half_open', 0, failures}
  end
  return {'open', wait, failures}
end
return {state, 0, failures}
"""
)


class CircuitOpenError(UnavailableError):
    """A call refused by an open breaker (or while another process probes): the HTTP layer answers 503."""

    def __init__(self, dependency: str, retry_after_seconds: float) -> None:
        super().__init__(
            f"{dependency} is unavailable (circuit breaker open); retry in {math.ceil(retry_after_seconds)}s",
            details={"dependency": dependency, "retry_after_seconds": round(retry_after_seconds, 3)},
        )
        self.dependency = dependency
        self.retry_after_seconds = retry_after_seconds


@dataclass(frozen=True)
class Permit:
    """Leave for one call, handed back with its outcome. `probe_token` is set for the half-open probe only."""

    state: State
    probe_token: str = ""

    @property
    def probe(self) -> bool:
        return bool(self.probe_token)


@dataclass(frozen=True)
class _Decision:
    allowed: bool
    state: State
    retry_after_seconds: float
    transitioned: bool


@dataclass
class _LocalBreaker:
    """The same rules as the scripts above, in this process's memory: what a breaker falls back to while Redis is
    unreachable. Without awaits in it, each method is atomic under the event loop. Times are monotonic seconds."""

    state: State = "closed"
    failures: int = 0
    open_until: float = 0.0
    probe: str = ""
    probe_until: float = 0.0

    def acquire(self, token: str, lease: float, now: float) -> _Decision:
        if self.state == "closed":
            return _Decision(True, "closed", 0.0, False)
        if self.state == "open":
            if self.open_until > now:
                return _Decision(False, "open", self.open_until - now, False)
            self.state, self.probe, self.probe_until = "half_open", token, now + lease
            return _Decision(True, "half_open", 0.0, True)
        if self.probe_until > now:
            return _Decision(False, "half_open", self.probe_until - now, False)
        self.probe, self.probe_until = token, now + lease
        return _Decision(True, "half_open", 0.0, False)

    def record(self, outcome: Outcome, token: str, fail_max: int, reset: float, now: float) -> tuple[State, bool]:
        if self.state == "closed":
            if outcome == "success":
                self.failures = 0
            elif outcome == "failure":
                self.failures += 1
                if self.failures >= fail_max:
                    self.state, self.open_until = "open", now + reset
                    return "open", True
            return "closed", False
        if self.state != "half_open" or not token or token != self.probe:
            return self.observe(now)[0], False
        self.probe, self.probe_until = "", 0.0
        if outcome == "success":
            self.state, self.failures = "closed", 0
            return "closed", True
        if outcome == "failure":
            self.state, self.open_until = "open", now + reset
            return "open", True
        return "half_open", False

    def observe(self, now: float) -> tuple[State, float, int]:
        if self.state == "open":
            if self.open_until > now:
                return "open", self.open_until - now, self.failures
            return "half_open", 0.0, self.failures
        return self.state, 0.0, self.failures


def _every_exception(_: BaseException) -> bool:
    return True


def _text(value: Any) -> str:
    # The services' client decodes replies (decode_responses=True); a client that does not gives bytes.
    return value.decode() if isinstance(value, bytes) else str(value)


def _state(value: Any) -> State:
    text = _text(value)
    if text not in STATE_VALUES:
        raise RedisError(f"unknown circuit breaker state {text!r}")
    return text


class CircuitBreaker:
    """A circuit breaker for one dependency, shared through Redis by every process that names the same dependency.

    `is_failure(exc)` says whether an exception raised by a call counts against the dependency; one that does not
    (a 4xx: the dependency answered, our request was wrong) counts as an answer, that is a success. A probe that
    does not report within `probe_timeout` (default: `reset_timeout`) loses its turn to the next caller.

    `state()` and the gauge report what a caller would meet: "open" while calls are refused, "half_open" once
    `reset_timeout` has passed (the next call is the probe, even if none has come yet) or while the probe runs,
    "closed" otherwise. When Redis is unreachable the breaker keeps the same rules in this process's memory
    (per process, not shared) until Redis answers again, so an outage of Redis never fails a call by itself.
    """

    def __init__(
        self,
        dependency: str,
        redis: Redis,
        *,
        fail_max: int = 3,
        reset_timeout: float = 30.0,
        probe_timeout: float | None = None,
        is_failure: Callable[[BaseException], bool] = _every_exception,
        key_prefix: str = "breaker:",
    ) -> None:
        if fail_max < 1 or reset_timeout <= 0 or (probe_timeout is not None and probe_timeout <= 0):
            raise ValueError("fail_max must be at least 1, reset_timeout and probe_timeout positive")
        self.dependency = dependency
        self.redis = redis
        self.fail_max = fail_max
        self.reset_timeout = reset_timeout
        self.probe_timeout = reset_timeout if probe_timeout is None else probe_timeout
        self.is_failure = is_failure
        self.key = f"{key_prefix}{dependency}"
        self._acquire = redis.register_script(_ACQUIRE)
        self._record = redis.register_script(_RECORD)
        self._observe = redis.register_script(_OBSERVE)
        self._local = _LocalBreaker()
        self._redis_retry_at = 0.0  # monotonic; until then the local breaker answers without asking Redis
        self._on_local = False
        self._redis_check: asyncio.Task[None] | None = None

    # ---- the call path ----

    async def call(self, func: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Await `func(*args, **kwargs)` through the breaker: CircuitOpenError when refused, its exception (counted
        when `is_failure` says so) when it fails."""
        async with self.protect():
            return await func(*args, **kwargs)

    @asynccontextmanager
    async def protect(self) -> AsyncIterator[Permit]:
        """`async with breaker.protect(): ...`: the block is one call through the breaker, as in call()."""
        permit = await self.acquire()
        try:
            yield permit
        except Exception as exc:
            if self.is_failure(exc):
                await self.record_failure(permit)
            else:
                await self.record_success(permit)
            raise
        except BaseException:
            # Cancelled: nothing was learnt about the dependency. A probe gives its turn to the next caller at once
            # rather than holding it until its lease runs out.
            if permit.probe:
                await self._report("release", permit)
            raise
        await self.record_success(permit)

    async def acquire(self) -> Permit:
        """Leave for one call, or CircuitOpenError. At most one caller at a time, across every process, gets
        leave while the breaker is half-open: the probe."""
        token = uuid.uuid4().hex
        decision = await self._shared(
            self._acquire,
            [token, _ms(self.probe_timeout)],
            lambda now: self._local.acquire(token, self.probe_timeout, now),
            _parse_decision,
        )
        self._observed(decision.state, decision.transitioned)
        if not decision.allowed:
            retry_after = decision.retry_after_seconds
            if decision.state == "half_open":
                # The probe's lease is only its deadline; its answer, which may close the breaker, usually comes
                # much sooner.
                retry_after = min(retry_after, HALF_OPEN_RETRY_SECONDS)
            raise CircuitOpenError(self.dependency, retry_after)
        return Permit(decision.state, token if decision.state == "half_open" else "")

    async def record_success(self, permit: Permit | None = None) -> None:
        """The dependency answered: the failure count goes back to 0, and a probe's success closes the breaker."""
        await self._report("success", permit)

    async def record_failure(self, permit: Permit | None = None) -> None:
        """The dependency failed: `fail_max` in a row open the breaker, and a probe's failure opens it again for
        another `reset_timeout`. Failures of calls let through before it opened change nothing."""
        BREAKER_FAILURES.labels(self.dependency).inc()
        await self._report("failure", permit)

    # ---- observing ----

    async def state(self) -> State:
        return (await self._snapshot())[0]

    async def health_check(self) -> str:
        """For the health registry: a message while calls go, CircuitOpenError while they are refused. Add it as
        not critical, so an open breaker makes /health "degraded"."""
        state, retry_after, failures = await self._snapshot()
        if state == "open":
            raise CircuitOpenError(self.dependency, retry_after)
        if state == "half_open":
            return "half-open: one probe call at a time"
        return f"closed ({failures} recent failures)" if failures else "closed"

    async def reset(self) -> None:
        """Close the breaker everywhere (an operator's or a test's action; the call path never needs it)."""
        self._local = _LocalBreaker()
        try:
            await self.redis.delete(self.key)
        except (RedisError, OSError) as exc:
            self._redis_failed(exc)
        self._observed("closed", False)

    # ---- Redis, or this process when Redis is out ----

    async def _report(self, outcome: Outcome, permit: Permit | None) -> None:
        token = permit.probe_token if permit else ""
        state, transitioned = await self._shared(
            self._record,
            [outcome, token, self.fail_max, _ms(self.reset_timeout)],
            lambda now: self._local.record(outcome, token, self.fail_max, self.reset_timeout, now),
            lambda reply: (_state(reply[0]), bool(int(reply[1]))),
        )
        self._observed(state, transitioned)

    async def _snapshot(self) -> tuple[State, float, int]:
        snapshot = await self._shared(self._observe, [], self._local.observe, _parse_snapshot)
        self._observed(snapshot[0], False)
        return snapshot

    async def _shared(
        self,
        script: Callable[..., Awaitable[Any]],
        args: list[str | int],
        local: Callable[[float], T],
        parse: Callable[[Any], T],
    ) -> T:
        if not self._on_local:
            try:
                return parse(await script(keys=[self.key], args=args))
            except (RedisError, OSError) as exc:
                self._redis_failed(exc)
        elif time.monotonic() >= self._redis_retry_at and self._redis_check is None:
            # Redis is asked again apart from the callers: had this caller waited for the answer (a connection attempt
            # and the client's retries), its decision would come late, after others had decided in memory: while the
            # probe ran, or after it had closed the breaker, and fifty callers at once would each have tried Redis.
            self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
            self._redis_check = asyncio.create_task(self._check_redis(), name=f"breaker-redis-{self.dependency}")
        return local(time.monotonic())

    async def _check_redis(self) -> None:
        try:
            await self.redis.ping()
        except (RedisError, OSError) as exc:
            self._redis_failed(exc)
        else:
            self._on_local = False
            self._local = _LocalBreaker()  # Redis holds the truth again; the next outage starts afresh
            log.info("breaker.redis_recovered", dependency=self.dependency)
        finally:
            self._redis_check = None

    def _redis_failed(self, exc: BaseException) -> None:
        BREAKER_REDIS_ERRORS.labels(self.dependency).inc()
        self._redis_retry_at = time.monotonic() + REDIS_RETRY_SECONDS
        if not self._on_local:  # once per outage, not once per call
            self._on_local = True
            log.warning("breaker.redis_unavailable", dependency=self.dependency, error=f"{type(exc).__name__}: {exc}")

    def _observed(self, state: State, transitioned: bool) -> None:
        BREAKER_STATE.labels(self.dependency).set(STATE_VALUES[state])
        if transitioned:
            BREAKER_TRANSITIONS.labels(self.dependency, state).inc()
            level = "warning" if state == "open" else "info"
            getattr(log, level)(f"breaker.{state}", dependency=self.dependency)


def _ms(seconds: float) -> int:
    return max(1, round(seconds * 1000))


def _parse_snapshot(reply: Any) -> tuple[State, float, int]:
    state, retry_ms, failures = reply
    return _state(state), int(retry_ms) / 1000, int(failures)


def _parse_decision(reply: Any) -> _Decision:
    allowed, state, retry_ms, transitioned = reply
    return _Decision(bool(int(allowed)), _state(state), int(retry_ms) / 1000, bool(int(transitioned)))
