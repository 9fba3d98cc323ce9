"""`make rehearse-scale`: docker-compose.scale.yml's topology rehearsed natively on loopback ports (devstack.scale:
PostgreSQL primary and streaming replica, Valkey primary and replica with three Sentinels, two replicas of every
service, the gateway with TLS, all from the repository's files), then, under load through the gateway:

1. Valkey's primary killed (SIGKILL): the Sentinels promote the replica; the seconds during which requests failed
   (goal under 10 s), and every acknowledged write that lives in Valkey still there (sign-outs, nonces);
2. the PostgreSQL replica stopped: no read fails, they go to the primary (the kit's read metrics show it); the
   replica started again by init-replication.sh;
3. the replication lag (pg_stat_replication) sampled under a write load;
4. a backup of the primary (database/backup.sh) restored into a fresh cluster, row counts compared per table.

`rehearse()` returns the figures and the goals; `python -m bench.rehearsal` prints them and writes
bench/results/rehearsal.json; tests/test_rehearsal.py runs a shorter one (QUICK) and asserts the goals.
"""

from __future__ import annotations

import time
from typing import Any

from bench.rehearsal import report, scenarios
from bench.rehearsal.scenarios import FULL, QUICK, Durations
from devstack.scale import scale_topology

__all__ = ["FULL", "QUICK", "Durations", "rehearse"]


def rehearse(durations: Durations = FULL, progress: bool = True) -> dict[str, Any]:
    def say(text: str) -> None:
        if progress:
            print(text, flush=True)

    started = time.monotonic()
    say("starting the topology (PostgreSQL primary and replica, Valkey and 3 Sentinels, 2 replicas of every service, "
        "the TLS gateway)")  # fmt: skip
    with scale_topology() as topology:
        say(f"  up in {time.monotonic() - started:.0f} s; preparing accounts and conversations")
        figures: dict[str, Any] = {"topology": scenarios.topology_figures(topology)}
        plan = scenarios.prepare(topology)
        say("1. killing Valkey's primary under load")
        figures["valkey_failover"] = report.failover_section(scenarios.valkey_failover(topology, plan, durations))
        say("2. stopping the PostgreSQL replica under reads")
        figures["postgres_replica_stop"] = report.replica_stop_section(
            scenarios.replica_stop(topology, plan, durations)
        )
        say(f"3. {durations.lag_load:g} s of writes, the replication lag sampled")
        figures["replication_lag"] = report.lag_section(scenarios.replication_lag(topology, plan, durations))
        say("4. backing up the primary and restoring it into a fresh cluster")
        figures["backup"] = scenarios.backup_and_restore(topology)
    figures["goals"] = report.evaluate(figures)
    figures["met"] = all(goal["met"] for goal in figures["goals"])
    figures["durations"] = vars(durations)
    figures["run_seconds"] = round(time.monotonic() - started)
    return figures
