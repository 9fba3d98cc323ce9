"""The health registry: statuses from critical and optional checks, timeouts, failures that never raise."""

from __future__ import annotations

import asyncio

from osool_common.health import HealthRegistry


async def _ok() -> str:
    return "fine"


async def _fails() -> str:
    raise ConnectionError("refused")


async def _hangs() -> str:
    await asyncio.sleep(10)
    return "too late"


async def test_all_checks_passing_is_healthy() -> None:
    registry = HealthRegistry("example", "1.0")
    registry.add("database", _ok)
    registry.add("redis", _ok, critical=False)
    report = await registry.run()
    assert report.status == "healthy"
    assert report.checks["database"].status == "healthy" and report.checks["database"].message == "fine"
    assert report.service == "example" and report.version == "1.0"


async def test_a_failing_critical_check_makes_the_service_unhealthy() -> None:
    registry = HealthRegistry("example", "1.0")
    registry.add("database", _fails)
    registry.add("redis", _ok, critical=False)
    report = await registry.run()
    assert report.status == "unhealthy"
    assert report.checks["database"].status == "unhealthy"
    assert "ConnectionError: refused" in report.checks["database"].message


async def test_a_failing_optional_check_only_degrades() -> None:
    registry = HealthRegistry("example", "1.0")
    registry.add("database", _ok)
    registry.add("service:search", _fails, critical=False)
    assert (await registry.run()).status == "degraded"


async def test_a_hanging_check_times_out_and_the_rest_still_answer() -> None:
    registry = HealthRegistry("example", "1.0")
    registry.add("redis", _hangs, timeout_seconds=0.2)
    registry.add("database", _ok)
    loop = asyncio.get_running_loop()
    started = loop.time()
    report = await registry.run()
    assert loop.time() - started < 1.0
    assert report.status == "unhealthy"
    assert report.checks["redis"].message == "no answer within 0.2s"
    assert report.checks["database"].status == "healthy"


async def test_checks_run_concurrently() -> None:
    async def slow() -> str:
        await asyncio.sleep(0.3)
        return "ok"

    registry = HealthRegistry("example", "1.0")
    for index in range(4):
        registry.add(f"check-{index}", slow)
    report = await registry.run()
    assert report.response_time_ms < 900
