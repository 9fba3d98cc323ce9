"""`make rehearse-scale`, shorter (bench.rehearsal.QUICK: seconds of load around each fault instead of tens): the
compose topology natively from the repository's files (devstack.scale), Valkey's primary killed under load, the
PostgreSQL replica stopped under reads, the replication lag under writes, a backup restored into a fresh cluster; each
of its goals asserted. Run once for the module; about 3 minutes, most of it starting 12 service replicas."""

from __future__ import annotations

from typing import Any

import pytest

from bench.rehearsal import QUICK, rehearse, report

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope="module")
def figures() -> dict[str, Any]:
    return rehearse(QUICK, progress=False)


def goal(figures: dict[str, Any], start: str) -> dict[str, Any]:
    found: dict[str, Any] = next(g for g in figures["goals"] if g["goal"].startswith(start))
    assert found["met"], f"{found['goal']}: {found['detail']}\n\n{report.summary(figures)}"
    return found


def test_the_topology_runs_as_compose_runs_it(figures: dict[str, Any]) -> None:
    goal(figures, "the topology runs as compose's")
    assert figures["topology"]["services"] == dict.fromkeys(figures["topology"]["services"], 2)
    assert len(figures["topology"]["services"]) == 6
    assert figures["topology"]["gateway"]["plain_http"].startswith("301 to https://")


def test_valkeys_primary_killed_requests_fail_for_under_ten_seconds(figures: dict[str, Any]) -> None:
    goal(figures, "Valkey's primary killed")
    failover = figures["valkey_failover"]
    # The kill was felt (sign-ins and nonces need Valkey on every call), and only after it.
    assert failover["failed"]["failed_requests"] > 0 and failover["failed"]["failed_before_kill"] == 0
    assert failover["former_primary_rejoined_as_replica_after_s"] is not None


def test_valkeys_failover_loses_no_acknowledged_write(figures: dict[str, Any]) -> None:
    goal(figures, "Valkey's failover loses no acknowledged write")
    writes = figures["valkey_failover"]["writes"]
    assert writes["siwe_nonces"]["acknowledged"] > 0 and writes["logouts"]["acknowledged"] > 0


def test_the_postgres_replica_stopped_no_read_fails_and_the_primary_serves_them(figures: dict[str, Any]) -> None:
    goal(figures, "the PostgreSQL replica stopped: no request fails")
    goal(figures, "the PostgreSQL replica stopped: reads go to the primary")
    restart = figures["postgres_replica_stop"]["restart"]
    assert any("already a replica" in line for line in restart["script_said"]), restart


def test_replication_lag_under_writes_stays_within_the_read_pools_limit(figures: dict[str, Any]) -> None:
    goal(figures, "replication lag under writes")
    lag = figures["replication_lag"]
    assert lag["lag"]["samples"] >= 10 and lag["appends_per_second"] > 0 and lag["failed_requests"] == 0


def test_a_backup_restored_into_a_fresh_cluster_has_every_tables_rows(figures: dict[str, Any]) -> None:
    goal(figures, "a backup restored")
    assert figures["backup"]["rows"] > 0
