"""Health: a registry of dependency checks, each with a timeout, behind /health/live, /health/ready and /health."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

CheckFunc = Callable[[], Awaitable[str | None]]


class CheckResult(BaseModel):
    status: Literal["healthy", "unhealthy"]
    message: str
    latency_ms: float


class HealthReport(BaseModel):
    service: str
    version: str
    status: Literal["healthy", "degraded", "unhealthy"]
    checks: dict[str, CheckResult]
    response_time_ms: float


class LiveReport(BaseModel):
    service: str
    status: Literal["alive"]


@dataclass
class HealthCheck:
    name: str
    func: CheckFunc
    # A failing critical check makes the service unhealthy; any other failure makes it degraded.
    critical: bool = True
    timeout_seconds: float = 1.0
    # False for a dependency the service works without (chain: the node, while writes wait in the outbox):
    # its failure shows in /health but does not take the replica out of rotation through /health/ready.
    affects_readiness: bool = True


@dataclass
class HealthRegistry:
    service: str
    version: str
    default_timeout_seconds: float = 1.0
    checks: list[HealthCheck] = field(default_factory=list)

    def add(
        self,
        name: str,
        func: CheckFunc,
        *,
        critical: bool = True,
        timeout_seconds: float | None = None,
        affects_readiness: bool = True,
    ) -> None:
        timeout = self.default_timeout_seconds if timeout_seconds is None else timeout_seconds
        self.checks.append(HealthCheck(name, func, critical, timeout, affects_readiness))

    def ready(self, report: HealthReport) -> bool:
        """Every check that gates readiness passed."""
        return all(report.checks[check.name].status == "healthy" for check in self.checks if check.affects_readiness)

    async def run(self) -> HealthReport:
        start = time.perf_counter()
        results = await asyncio.gather(*(self._run_one(check) for check in self.checks))
        by_name = dict(zip((check.name for check in self.checks), results, strict=True))
        failed = [check for check in self.checks if by_name[check.name].status != "healthy"]
        status: Literal["healthy", "degraded", "unhealthy"] = "healthy"
        if any(check.critical for check in failed):
            status = "unhealthy"
        elif failed:
            status = "degraded"
        return HealthReport(
            service=self.service,
            version=self.version,
            status=status,
            checks=by_name,
            response_time_ms=round((time.perf_counter() - start) * 1000, 2),
        )

    @staticmethod
    async def _run_one(check: HealthCheck) -> CheckResult:
        start = time.perf_counter()
        try:
            message = await asyncio.wait_for(check.func(), timeout=check.timeout_seconds)
            status: Literal["healthy", "unhealthy"] = "healthy"
        except TimeoutError:
            message, status = f"no answer within {check.timeout_seconds:g}s", "unhealthy"
        except Exception as exc:  # a check reports any failure; it never raises into the endpoint
            message, status = f"{type(exc).__name__}: {exc}"[:300], "unhealthy"
        return CheckResult(
            status=status, message=message or "ok", latency_ms=round((time.perf_counter() - start) * 1000, 2)
        )


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live", response_model=LiveReport)
    async def live(request: Request) -> dict[str, Any]:
        """The process answers; no dependency is checked."""
        return {"service": request.app.state.health.service, "status": "alive"}

    @router.get("/health/ready", response_model=HealthReport, responses={503: {"model": HealthReport}})
    async def ready(request: Request) -> JSONResponse:
        """Every dependency answers: 200 when all pass (but those marked not to gate readiness), 503 otherwise."""
        registry: HealthRegistry = request.app.state.health
        report = await registry.run()
        return JSONResponse(report.model_dump(), status_code=200 if registry.ready(report) else 503)

    @router.get("/health", response_model=HealthReport, responses={503: {"model": HealthReport}})
    async def summary(request: Request) -> JSONResponse:
        """The summary a person or a script reads: 200 when healthy, 503 when degraded or unhealthy."""
        report = await request.app.state.health.run()
        return JSONResponse(report.model_dump(), status_code=200 if report.status == "healthy" else 503)

    return router
