"""The jobs' trigger: each fires as its periods open, whenever the replica started."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from osool_monitoring.scheduler import Job, period_trigger


async def _nothing() -> None:
    return None


def test_a_replica_started_mid_period_fires_at_the_next_periods_start_and_every_one_after() -> None:
    started = datetime(2026, 12, 3, 5, 45, 7, tzinfo=UTC)
    trigger = period_trigger(Job("database-report", 3600.0, _nothing), started.timestamp())
    first = trigger.get_next_fire_time(None, started)
    assert first == datetime(2026, 12, 3, 6, 0, 0, tzinfo=UTC)  # not 06:45:07, an hour from the start
    assert trigger.get_next_fire_time(first, first + timedelta(microseconds=1)) == datetime(2026, 12, 3, 7, tzinfo=UTC)


def test_two_replicas_started_apart_fire_at_the_same_instants() -> None:
    job = Job("health", 15.0, _nothing)
    fires = []
    for started in (datetime(2026, 12, 3, 5, 0, 4, tzinfo=UTC), datetime(2026, 12, 3, 5, 0, 11, 500000, tzinfo=UTC)):
        trigger = period_trigger(job, started.timestamp())
        fires.append(trigger.get_next_fire_time(None, datetime(2026, 12, 3, 5, 0, 20, tzinfo=UTC)))
    assert fires == [datetime(2026, 12, 3, 5, 0, 30, tzinfo=UTC)] * 2


def test_the_next_period_opens_where_the_trigger_fires_next() -> None:
    from osool_monitoring.scheduler import next_period_opens

    job = Job("database-report", 3600.0, _nothing)
    for now in (datetime(2026, 12, 3, 5, 45, 7, tzinfo=UTC), datetime(2026, 12, 3, 6, 0, 0, tzinfo=UTC)):
        fires = period_trigger(job, now.timestamp()).get_next_fire_time(None, now + timedelta(microseconds=1))
        assert next_period_opens(job.interval_seconds, now.timestamp()) == fires.timestamp()
    # Exactly at a period's start, that period has opened: the next one is a whole period away.
    assert next_period_opens(900.0, 1_800.0) == 2_700.0
