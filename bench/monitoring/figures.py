"""The monitoring bench's arithmetic: CPU of a window in cores, the with/without ratio of alternating windows, and the
cost of a job that runs too seldom to fall in a window, per run and spread over its period."""

from __future__ import annotations

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Window:
    monitoring: bool
    cpu_seconds: float
    seconds: float

    @property
    def cores(self) -> float:
        """CPU seconds a second: 1.0 is one core busy the whole window."""
        return self.cpu_seconds / self.seconds


def paired_ratios(windows: Sequence[Window], added_cores: float = 0.0) -> list[float]:
    """Windows taken in pairs, one with monitoring and one without, in either order (A B, B A, ...): the one with
    over the one without, with `added_cores` (the jobs too seldom for a window, amortised) on the "with" side."""
    ratios = []
    for first, second in zip(windows[0::2], windows[1::2], strict=True):
        if first.monitoring == second.monitoring:
            raise ValueError("each pair of windows must have one with monitoring and one without")
        on, off = (first, second) if first.monitoring else (second, first)
        ratios.append((on.cores + added_cores) / off.cores)
    return ratios


def median_ratio(windows: Sequence[Window], added_cores: float = 0.0) -> float:
    return statistics.median(paired_ratios(windows, added_cores))


def cpu_per_run(job_cpu_seconds: float, job_seconds: float, idle_cores: float, runs: int) -> float:
    """CPU seconds one run of a job costs: a window in which it ran `runs` times, less what the same stack uses idle
    over as long (from windows without the job around it)."""
    if runs < 1:
        raise ValueError("the job did not run in its window")
    return (job_cpu_seconds - idle_cores * job_seconds) / runs


def probe_every(fresh_seconds: float, period_seconds: float) -> int:
    """Every how many runs of a job every `period_seconds` the upstream checks send their probes, when an answer
    spares them a probe for `fresh_seconds` (the probe's own answer included): 40 s and 15 s, every third run."""
    return math.floor(fresh_seconds / period_seconds) + 1


def freshness_for(every: int, interval_seconds: float) -> float:
    """The freshness that makes a job run every `interval_seconds` probe every `every` runs, as the default freshness
    does at the job's own period: half an interval from both edges, so a run a little early or late changes nothing."""
    return interval_seconds * (every - 1) + interval_seconds / 2


def amortised_cores(cpu_seconds_per_run: float, period_seconds: float) -> float:
    """A job's cost spread over its period, in cores (CPU seconds a second). A run measured below nothing (a job
    cheaper than the idle stack's noise) counts as nothing."""
    return max(cpu_seconds_per_run, 0.0) / period_seconds


def added_share(ratio: float) -> float:
    """1.018 -> 0.018: the share of CPU monitoring adds."""
    return ratio - 1.0


def cores_by_group(windows: Sequence[tuple[bool, float, Mapping[str, float]]]) -> dict[str, dict[str, float]]:
    """Each group's median cores in the windows with monitoring and without, and the difference: where the cost
    lands (Prometheus itself, the replicas answering its scrapes, PostgreSQL answering the exporter and the jobs).
    A window is (with monitoring, its seconds, CPU seconds by group); a group absent from a window used nothing."""
    groups = sorted({group for _, _, used in windows for group in used})
    found = {}
    for group in groups:
        on = statistics.median(used.get(group, 0.0) / seconds for monitoring, seconds, used in windows if monitoring)
        off = statistics.median(
            used.get(group, 0.0) / seconds for monitoring, seconds, used in windows if not monitoring
        )
        found[group] = {"with_cores": round(on, 4), "without_cores": round(off, 4), "added_cores": round(on - off, 4)}
    return found


def itemised_cores(programs: Mapping[str, float], amortised: Mapping[str, float]) -> dict[str, Any]:
    """Monitoring's cost item by item, in cores: its own programs (Prometheus, the exporters, ...) as measured in the
    windows with it, plus what each scrape round and each job costs the programs that answer it, spread over its
    period. A negative item (cheaper than the idle stack's noise) counts as nothing."""
    items = {**{name: max(cores, 0.0) for name, cores in programs.items()},
             **{name: max(cores, 0.0) for name, cores in amortised.items()}}  # fmt: skip
    return {"cores": round(sum(items.values()), 6), "items": {name: round(v, 6) for name, v in items.items()}}
