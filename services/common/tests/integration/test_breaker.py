"""The shared circuit breaker on a real Valkey (a private server, started for this module), and its in-process
fallback when Redis is unreachable: the same rules, proved by the same tests run on both."""

from __future__ import annotations

import asyncio
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client import REGISTRY
from redis.asyncio import Redis
from redis.client import Redis as SyncRedis
from redis.exceptions import ConnectionError as RedisConnectionError
from structlog.testing import capture_logs

from devstack.binaries import valkey_server
from devstack.config import free_port
from osool_common.breaker import CircuitBreaker, CircuitOpenError
from osool_common.errors import UnavailableError
from osool_common.health import HealthRegistry

RESET = 0.3  # seconds: short, so a test waits out an open breaker quickly


class DependencyDown(Exception):
    pass


class BadRequest(Exception):
    """The dependency answered, refusing our request (a 4xx): not the dependency failing."""


@pytest.fixture(scope="module")
def valkey_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    data: Path = tmp_path_factory.mktemp("valkey")
    server = subprocess.Popen(
        [
            str(valkey_server()),
            *("--bind", "127.0.0.1", "--port", str(port), "--dir", str(data)),
            *("--save", "", "--appendonly", "no", "--logfile", str(data / "valkey.log")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with SyncRedis.from_url(url, socket_connect_timeout=0.2) as probe:
                    probe.ping()
                break
            except RedisConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "valkey-server did not start"
                time.sleep(0.05)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
async def clients(valkey_url: str) -> AsyncIterator[list[Redis]]:
    """Two clients of the same Valkey: two replicas' connections."""
    made = [Redis.from_url(valkey_url, decode_responses=True, socket_timeout=2.0) for _ in range(2)]
    yield made
    for client in made:
        await client.aclose()


@pytest.fixture
async def unreachable_redis() -> AsyncIterator[Redis]:
    """A client of a port nobody listens on: every command fails with a connection error."""
    client = Redis.from_url(f"redis://127.0.0.1:{free_port()}/0", socket_connect_timeout=0.2, socket_timeout=0.2)
    yield client
    await client.aclose()


MakeBreaker = Callable[..., CircuitBreaker]


@pytest.fixture(params=["valkey", "in-process fallback"])
def make_breaker(request: pytest.FixtureRequest) -> MakeBreaker:
    """Breakers on one new dependency, through Valkey or (Redis unreachable) in process memory."""
    client: Redis = (
        request.getfixturevalue("clients")[0]
        if request.param == "valkey"
        else request.getfixturevalue("unreachable_redis")
    )
    dependency = f"test-{uuid.uuid4().hex[:8]}"

    def make(**options: object) -> CircuitBreaker:
        options.setdefault("reset_timeout", RESET)
        return CircuitBreaker(dependency, client, **options)

    return make


class Dependency:
    """Counts its calls; fails while `down`, raises `error` when set, else answers after `delay` seconds."""

    def __init__(self) -> None:
        self.calls = 0
        self.down = False
        self.error: Exception | None = None
        self.delay = 0.0

    async def __call__(self) -> str:
        self.calls += 1
        await asyncio.sleep(self.delay)
        if self.error is not None:
            raise self.error
        if self.down:
            raise DependencyDown("no answer")
        return "answer"


async def _fail(breaker: CircuitBreaker, times: int) -> None:
    dependency = Dependency()
    dependency.down = True
    for _ in range(times):
        with pytest.raises(DependencyDown):
            await breaker.call(dependency)


async def _open(breaker: CircuitBreaker) -> None:
    await _fail(breaker, breaker.fail_max)
    assert await breaker.state() == "open"


def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# ---- the rules, on Valkey and in process memory alike ----


async def test_three_consecutive_failures_open_the_breaker_which_then_refuses_without_calling(
    make_breaker: MakeBreaker,
) -> None:
    breaker = make_breaker()
    await _fail(breaker, 2)
    assert await breaker.state() == "closed"
    await _fail(breaker, 1)
    assert await breaker.state() == "open"

    dependency = Dependency()
    with pytest.raises(CircuitOpenError) as refused:
        await breaker.call(dependency)
    assert dependency.calls == 0
    assert refused.value.dependency == breaker.dependency
    assert 0 < refused.value.retry_after_seconds <= RESET


async def test_a_success_between_failures_starts_the_count_again(make_breaker: MakeBreaker) -> None:
    breaker = make_breaker()
    await _fail(breaker, 2)
    assert await breaker.call(Dependency()) == "answer"
    await _fail(breaker, 2)
    assert await breaker.state() == "closed"


async def test_after_the_reset_timeout_fifty_concurrent_callers_let_exactly_one_probe_through(
    make_breaker: MakeBreaker,
) -> None:
    # The probe's lease and its call are long, so that on a loaded machine every caller asks while it is in flight:
    # with the lease at its default (the 0.3 s reset), a stall of the test process between two callers let the later
    # one take over an expired lease and call too, and the others' round trips to Valkey may outlast a short call.
    breaker = make_breaker(probe_timeout=30.0)
    await _open(breaker)
    await asyncio.sleep(RESET + 0.05)
    assert await breaker.state() == "half_open"  # reported so once the timeout has passed, before any call

    dependency = Dependency()
    dependency.delay = 1.0  # the probe is still in flight while the others ask
    outcomes = await asyncio.gather(*(breaker.call(dependency) for _ in range(50)), return_exceptions=True)
    assert dependency.calls == 1
    assert outcomes.count("answer") == 1
    assert sum(isinstance(outcome, CircuitOpenError) for outcome in outcomes) == 49
    assert await breaker.state() == "closed"


async def test_while_redis_is_out_asking_it_again_delays_no_caller(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Redis that hangs (it takes connections and never answers) is due to be asked again just as fifty callers come
    after the reset timeout: they all decide in memory at once (Redis is asked in the background), so exactly one
    probes. Had each first waited out its own attempt, they would have decided after the probe closed the breaker,
    and been let through."""
    import socket

    import osool_common.breaker as breaker_module

    monkeypatch.setattr(breaker_module, "REDIS_RETRY_SECONDS", 0.05)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(200)  # the kernel completes the connections; nothing ever reads or answers
        port = silent.getsockname()[1]
        client = Redis.from_url(f"redis://127.0.0.1:{port}/0", socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            breaker = CircuitBreaker(f"test-{uuid.uuid4().hex[:8]}", client, reset_timeout=RESET)
            await _open(breaker)
            await asyncio.sleep(RESET + 0.1)  # past the reset timeout and the retry interval both

            dependency = Dependency()
            dependency.delay = 0.1
            started = time.monotonic()
            outcomes = await asyncio.gather(*(breaker.call(dependency) for _ in range(50)), return_exceptions=True)
            assert time.monotonic() - started < 0.4  # the probe's 0.1 s; nobody waited for Redis's 0.5 s timeout
            assert dependency.calls == 1
            assert outcomes.count("answer") == 1
            assert sum(isinstance(outcome, CircuitOpenError) for outcome in outcomes) == 49
            await asyncio.sleep(0.6)  # the background PING times out meanwhile
        finally:
            await client.aclose()


async def test_a_successful_probe_closes_the_breaker(make_breaker: MakeBreaker) -> None:
    breaker = make_breaker()
    await _open(breaker)
    await asyncio.sleep(RESET + 0.05)
    assert await breaker.call(Dependency()) == "answer"
    assert await breaker.state() == "closed"
    await _fail(breaker, 2)  # and the count starts from nothing
    assert await breaker.state() == "closed"


async def test_a_failed_probe_opens_it_again_for_another_reset_timeout(make_breaker: MakeBreaker) -> None:
    breaker = make_breaker()
    await _open(breaker)
    await asyncio.sleep(RESET + 0.05)
    await _fail(breaker, 1)
    assert await breaker.state() == "open"

    dependency = Dependency()
    with pytest.raises(CircuitOpenError) as refused:
        await breaker.call(dependency)
    assert dependency.calls == 0
    assert refused.value.retry_after_seconds > RESET / 2  # a fresh timeout, not what was left of the first


async def test_a_probe_that_never_reports_loses_its_turn_when_its_lease_runs_out(make_breaker: MakeBreaker) -> None:
    breaker = make_breaker(probe_timeout=0.2)
    await _open(breaker)
    await asyncio.sleep(RESET + 0.05)
    lost = await breaker.acquire()  # a probe whose process dies, or whose call hangs
    assert lost.probe
    with pytest.raises(CircuitOpenError) as refused:
        await breaker.acquire()
    assert refused.value.retry_after_seconds <= 1.0  # the probe may answer any moment

    await asyncio.sleep(0.25)
    second = await breaker.acquire()
    assert second.probe and second.probe_token != lost.probe_token
    await breaker.record_success(lost)  # the first probe reports at last: its turn had passed, nothing changes
    assert await breaker.state() == "half_open"
    await breaker.record_success(second)
    assert await breaker.state() == "closed"


async def test_a_cancelled_probe_hands_its_turn_to_the_next_caller_at_once(make_breaker: MakeBreaker) -> None:
    breaker = make_breaker(probe_timeout=30.0)
    await _open(breaker)
    await asyncio.sleep(RESET + 0.05)
    dependency = Dependency()
    dependency.delay = 10
    probe = asyncio.create_task(breaker.call(dependency))
    await asyncio.sleep(0.05)
    probe.cancel()
    with pytest.raises(asyncio.CancelledError):
        await probe

    dependency.delay = 0
    assert await breaker.call(dependency) == "answer"  # not refused until the 30 s lease runs out
    assert await breaker.state() == "closed"


async def test_an_exception_the_predicate_excuses_does_not_count_against_the_dependency(
    make_breaker: MakeBreaker,
) -> None:
    breaker = make_breaker(is_failure=lambda exc: not isinstance(exc, BadRequest))
    dependency = Dependency()
    dependency.error = BadRequest("422 from the model")
    for _ in range(5):
        with pytest.raises(BadRequest):  # re-raised to the caller all the same
            await breaker.call(dependency)
    assert await breaker.state() == "closed"
    assert dependency.calls == 5

    # An excused exception is an answer: it resets the count of consecutive failures too.
    await _fail(breaker, 2)
    with pytest.raises(BadRequest):
        await breaker.call(dependency)
    await _fail(breaker, 2)
    assert await breaker.state() == "closed"


async def test_a_late_failure_of_a_call_let_through_before_opening_does_not_reopen_a_probing_breaker(
    make_breaker: MakeBreaker,
) -> None:
    breaker = make_breaker()
    slow = await breaker.acquire()  # let through while closed; its answer comes much later
    await _open(breaker)
    await asyncio.sleep(RESET + 0.05)
    probe = await breaker.acquire()
    await breaker.record_failure(slow)
    assert await breaker.state() == "half_open"
    await breaker.record_success(probe)
    assert await breaker.state() == "closed"


async def test_the_context_manager_guards_a_block_like_call(make_breaker: MakeBreaker) -> None:
    breaker = make_breaker()
    for _ in range(3):
        with pytest.raises(DependencyDown):
            async with breaker.protect():
                raise DependencyDown("no answer")
    entered = False
    with pytest.raises(CircuitOpenError):
        async with breaker.protect():
            entered = True
    assert not entered


# ---- shared through Valkey ----


async def test_two_replicas_with_their_own_clients_share_one_state(clients: list[Redis]) -> None:
    dependency = f"test-{uuid.uuid4().hex[:8]}"
    first, second = (CircuitBreaker(dependency, client, reset_timeout=RESET) for client in clients)
    await _fail(first, 2)
    await _fail(second, 1)  # the third consecutive failure, seen by the other replica
    assert await first.state() == "open" and await second.state() == "open"

    await asyncio.sleep(RESET + 0.05)
    probe = await second.acquire()
    assert probe.probe
    with pytest.raises(CircuitOpenError):
        await first.acquire()  # the other replica's probe is in flight
    await second.record_success(probe)
    assert await first.state() == "closed"


async def test_fifty_callers_across_two_replicas_let_exactly_one_probe_through(clients: list[Redis]) -> None:
    dependency_name = f"test-{uuid.uuid4().hex[:8]}"
    replicas = [CircuitBreaker(dependency_name, client, reset_timeout=RESET) for client in clients]
    await _open(replicas[0])
    await asyncio.sleep(RESET + 0.05)

    dependency = Dependency()
    dependency.delay = 0.1
    outcomes = await asyncio.gather(*(replicas[n % 2].call(dependency) for n in range(50)), return_exceptions=True)
    assert dependency.calls == 1
    assert sum(isinstance(outcome, CircuitOpenError) for outcome in outcomes) == 49


async def test_the_state_is_one_hash_under_the_breaker_prefix_that_eviction_cannot_take(
    clients: list[Redis],
) -> None:
    client = clients[0]
    breaker = CircuitBreaker(f"test-{uuid.uuid4().hex[:8]}", client, reset_timeout=RESET)
    assert breaker.key == f"breaker:{breaker.dependency}"
    await _open(breaker)
    stored = await client.hgetall(breaker.key)
    assert stored["state"] == "open" and stored["failures"] == "3"
    assert await client.pttl(breaker.key) == -1  # no TTL: volatile-lru evicts only keys that have one

    await asyncio.sleep(RESET + 0.05)
    await breaker.call(Dependency())
    assert await client.exists(breaker.key) == 0  # closed with no failures leaves nothing behind


async def test_metrics_follow_the_state_and_count_failures_and_transitions(clients: list[Redis]) -> None:
    breaker = CircuitBreaker(f"test-{uuid.uuid4().hex[:8]}", clients[0], reset_timeout=RESET)
    dependency = breaker.dependency
    await _open(breaker)
    assert _sample("osool_circuit_breaker_state", dependency=dependency) == 2
    assert _sample("osool_circuit_breaker_failures_total", dependency=dependency) == 3
    assert _sample("osool_circuit_breaker_transitions_total", dependency=dependency, to_state="open") == 1

    await asyncio.sleep(RESET + 0.05)
    await breaker.call(Dependency())
    assert _sample("osool_circuit_breaker_state", dependency=dependency) == 0
    assert _sample("osool_circuit_breaker_transitions_total", dependency=dependency, to_state="half_open") == 1
    assert _sample("osool_circuit_breaker_transitions_total", dependency=dependency, to_state="closed") == 1
    assert _sample("osool_circuit_breaker_redis_errors_total", dependency=dependency) == 0


async def test_an_open_breaker_makes_health_degraded_not_unhealthy(clients: list[Redis]) -> None:
    breaker = CircuitBreaker(f"test-{uuid.uuid4().hex[:8]}", clients[0], reset_timeout=RESET)
    health = HealthRegistry("example", "1.0")
    health.add(f"breaker:{breaker.dependency}", breaker.health_check, critical=False)
    assert (await health.run()).status == "healthy"

    await _open(breaker)
    report = await health.run()
    assert report.status == "degraded"
    check = report.checks[f"breaker:{breaker.dependency}"]
    assert check.status == "unhealthy" and "circuit breaker open" in check.message

    await asyncio.sleep(RESET + 0.05)
    assert (await health.run()).status == "healthy"  # half-open: the next call goes through as the probe


def test_a_refusal_is_a_503_that_names_the_dependency_and_when_to_retry() -> None:
    error = CircuitOpenError("openai-embeddings", 12.3)
    assert isinstance(error, UnavailableError) and error.status_code == 503
    assert error.details == {"dependency": "openai-embeddings", "retry_after_seconds": 12.3}
    assert "openai-embeddings" in error.message and "13s" in error.message


# ---- Redis unreachable ----


async def test_with_redis_unreachable_the_in_process_breaker_still_opens_and_the_errors_are_counted(
    unreachable_redis: Redis,
) -> None:
    breaker = CircuitBreaker(f"test-{uuid.uuid4().hex[:8]}", unreachable_redis, reset_timeout=RESET)
    with capture_logs() as logs:
        await _fail(breaker, 3)
        dependency = Dependency()
        with pytest.raises(CircuitOpenError):
            await breaker.call(dependency)
    assert dependency.calls == 0
    assert _sample("osool_circuit_breaker_redis_errors_total", dependency=breaker.dependency) >= 1
    warnings = [entry for entry in logs if entry["event"] == "breaker.redis_unavailable"]
    assert len(warnings) == 1  # once per outage, not once per call
