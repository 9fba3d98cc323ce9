"""The scheduled jobs: APScheduler fires each in every replica, and a lease row per job and period in PostgreSQL
lets exactly one of them run it; a runner that dies loses nothing but its period."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from osool_common.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[None]]

    @property
    def key(self) -> str:
        # The interval is part of the key: periods of different lengths never share a number.
        return f"{self.name}@{self.interval_seconds:g}s"


class Leases:
    def __init__(self, pool: asyncpg.Pool) -> None:
        self.pool = pool
        self.runner = f"{socket.gethostname()}:{os.getpid()}"

    async def claim(self, job: Job, now: float) -> int | None:
        """The period this replica won for the job, or None when another replica has it."""
        period = int(now // job.interval_seconds)
        won = await self.pool.fetchval(
            "INSERT INTO job_runs (job, period, runner) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING period",
            job.key, period, self.runner,
        )  # fmt: skip
        return int(won) if won is not None else None

    async def finish(self, job: Job, period: int, error: str | None) -> None:
        await self.pool.execute(
            "UPDATE job_runs SET finished_at = now(), error = $3 WHERE job = $1 AND period = $2", job.key, period, error
        )


async def run_once_per_period(leases: Leases, job: Job) -> None:
    period = await leases.claim(job, time.time())
    if period is None:
        return
    error = None
    try:
        await job.run()
    except Exception as exc:  # a failed run is recorded; the next period tries again
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("monitoring.job_failed", job=job.name, error=error)
    await leases.finish(job, period, error)


def start(leases: Leases, jobs: list[Job]) -> AsyncIOScheduler:
    """Every job at its interval from now, one at a time per replica (a slow run skips, it does not pile up)."""
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in jobs:
        scheduler.add_job(
            run_once_per_period, "interval", args=[leases, job], seconds=job.interval_seconds, id=job.key,
            next_run_time=datetime.now(UTC), max_instances=1, coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
    scheduler.start()
    return scheduler
