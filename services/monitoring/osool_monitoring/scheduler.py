"""The scheduled jobs: APScheduler fires each in every replica, and a lease row per job and period in PostgreSQL
lets exactly one of them run it; a runner that dies loses nothing but its period."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import asyncpg
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from osool_common.logging import get_logger

log = get_logger(__name__)
# A failed run of a job longer than two of these is tried again after this many seconds, within its period.
RETRY_SECONDS = 60.0


@dataclass(frozen=True)
class Job:
    name: str
    interval_seconds: float
    run: Callable[[], Awaitable[object]]
    # False: every replica runs it (a replica's own state, such as the gauges it publishes), no lease.
    leased: bool = True

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
        # A period whose run failed can be claimed again (the retry of a long job), never one that ran or runs.
        won = await self.pool.fetchval(
            """INSERT INTO job_runs (job, period, runner) VALUES ($1, $2, $3)
               ON CONFLICT (job, period) DO UPDATE SET runner = EXCLUDED.runner, started_at = now(),
                   finished_at = NULL, error = NULL
               WHERE job_runs.error IS NOT NULL
               RETURNING period""",
            job.key, period, self.runner,
        )  # fmt: skip
        return int(won) if won is not None else None

    async def finish(self, job: Job, period: int, error: str | None) -> None:
        await self.pool.execute(
            "UPDATE job_runs SET finished_at = now(), error = $3 WHERE job = $1 AND period = $2", job.key, period, error
        )


async def run_in_this_replica(job: Job) -> None:
    try:
        await job.run()
    except Exception as exc:  # the next period tries again
        log.warning("monitoring.job_failed", job=job.name, error=f"{type(exc).__name__}: {exc}"[:500])


async def run_once_per_period(leases: Leases, job: Job) -> bool:
    """Run the job if this replica wins its period; False when the run failed (recorded on the lease)."""
    period = await leases.claim(job, time.time())
    if period is None:
        return True
    error = None
    try:
        await job.run()
    except Exception as exc:  # a failed run is recorded; a retry or the next period tries again
        error = f"{type(exc).__name__}: {exc}"[:500]
        log.warning("monitoring.job_failed", job=job.name, error=error)
    await leases.finish(job, period, error)
    return error is None


def period_trigger(job: Job, now: float) -> IntervalTrigger:
    """Fires at the start of each of the job's periods (the hourly report at the top of the hour), whenever the replica
    started: every replica asks for a period's lease as it opens, and the status says when the next run begins. Fired
    from the replica's start instead, a period ran at the offset the replica happened to start at (a restart at 05:45
    put the hourly report at 06:45, 07:45...) while the status counted an hour from the last run."""
    opened = next_period_opens(job.interval_seconds, now) - job.interval_seconds
    return IntervalTrigger(seconds=job.interval_seconds, start_date=datetime.fromtimestamp(opened, UTC), timezone=UTC)


def next_period_opens(interval_seconds: float, now: float) -> float:
    """When the period after the one `now` is in opens (epoch seconds): when a job next fires (period_trigger), and
    what the status reports say of it."""
    return (now // interval_seconds + 1) * interval_seconds


def start(leases: Leases, jobs: list[Job]) -> AsyncIOScheduler:
    """Every job now (its current period, unless another replica ran it) and at the start of every later period, one
    at a time per replica (a slow run skips, it does not pile up)."""
    # APScheduler says at INFO that each job is running and ran (two lines a run, eight a minute from the health job
    # alone, each rendered as JSON); a run's failure is logged by run_once_per_period, a missed or skipped one by
    # APScheduler at WARNING.
    logging.getLogger("apscheduler").setLevel(logging.WARNING)
    scheduler = AsyncIOScheduler(timezone=UTC)

    async def leased(job: Job) -> None:
        # A long job that failed (a service not up yet at start) is tried again within its period, not a day later.
        if not await run_once_per_period(leases, job) and job.interval_seconds > RETRY_SECONDS * 2:
            scheduler.add_job(
                leased, "date", args=[job], id=f"{job.key}-retry", replace_existing=True,
                run_date=datetime.now(UTC) + timedelta(seconds=RETRY_SECONDS), misfire_grace_time=None,
            )  # fmt: skip

    for job in jobs:
        scheduler.add_job(
            leased if job.leased else run_in_this_replica, period_trigger(job, time.time()), args=[job], id=job.key,
            next_run_time=datetime.now(UTC), max_instances=1, coalesce=True, misfire_grace_time=None,
        )  # fmt: skip
    scheduler.start()
    return scheduler
