"""The monitoring bench's /proc reading and arithmetic without a stack: stat lines parsed, a tree's CPU summed with
what exited children used, windows compared in pairs, seldom jobs spread over their period, the itemised cost."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bench import proc
from bench.monitoring import figures
from bench.monitoring.figures import Window


def stat_line(pid: int, comm: str, ppid: int, utime: int, stime: int, cutime: int = 0, cstime: int = 0) -> str:
    # proc(5): pid (comm) state ppid pgrp session tty_nr tpgid flags minflt cminflt majflt cmajflt utime stime cutime
    # cstime priority nice ...
    return f"{pid} ({comm}) S {ppid} {pid} {pid} 0 -1 4194560 100 0 0 0 {utime} {stime} {cutime} {cstime} 20 0 1 0\n"


def test_a_command_name_with_spaces_and_parentheses_does_not_shift_the_fields() -> None:
    parsed = proc.parse_stat(stat_line(42, "postgres: osool (idle) x", 7, utime=30, stime=12, cutime=5, cstime=1))
    assert (parsed.pid, parsed.ppid, parsed.own_ticks, parsed.children_ticks, parsed.ticks) == (42, 7, 42, 6, 48)


def test_the_tree_counts_every_descendant_and_nothing_beside_it() -> None:
    processes = {
        p.pid: p
        for p in (
            proc.parse_stat(stat_line(1, "init", 0, 1000, 1000)),
            proc.parse_stat(stat_line(10, "supervisord", 1, 5, 5, cutime=40)),  # 40: a replica that was restarted
            proc.parse_stat(stat_line(11, "postgres", 10, 100, 20)),
            proc.parse_stat(stat_line(12, "postgres: backend", 11, 7, 3)),
            proc.parse_stat(stat_line(13, "python", 10, 50, 10)),
            proc.parse_stat(stat_line(20, "someone else", 1, 900, 90)),
        )
    }
    assert proc.descendants(processes, [10]) == {10, 11, 12, 13}
    assert proc.tree_ticks(processes, [10]) == 50 + 120 + 10 + 60
    assert proc.tree_ticks(processes, [99]) == 0


def test_a_process_that_exits_between_readings_still_counts_through_its_parent() -> None:
    before = {10: proc.ProcessCpu(10, 1, 10, 0), 11: proc.ProcessCpu(11, 10, 30, 0)}
    # 11 used 5 more ticks, exited and was waited for: its 35 are in its parent's children figure.
    after = {10: proc.ProcessCpu(10, 1, 12, 35)}
    assert proc.tree_ticks(after, [10]) - proc.tree_ticks(before, [10]) == 2 + 5


def test_this_process_tree_is_read_from_the_real_proc(tmp_path: Path) -> None:
    (tmp_path / "5").mkdir()
    (tmp_path / "5" / "stat").write_text(stat_line(5, "a", 1, 100, 100))
    (tmp_path / "self").mkdir()
    assert proc.tree_cpu_seconds([5], tmp_path) == 200 / proc.TICKS_PER_SECOND
    assert proc.tree_cpu_seconds([os.getpid()]) > 0


def test_windows_are_compared_in_pairs_either_way_round_and_the_median_taken() -> None:
    windows = [
        Window(True, 61.0, 60.0), Window(False, 60.0, 60.0),
        Window(False, 60.0, 60.0), Window(True, 66.0, 60.0),
        Window(True, 60.0, 60.0), Window(False, 60.0, 60.0),
    ]  # fmt: skip
    assert figures.paired_ratios(windows) == pytest.approx([61 / 60, 1.1, 1.0])
    assert figures.median_ratio(windows) == pytest.approx(61 / 60)
    # Seldom jobs amortised to 0.01 cores on the "with" side of every pair.
    assert figures.median_ratio(windows, 0.01) == pytest.approx((61 / 60 + 0.01) / 1.0)
    assert figures.added_share(1.018) == pytest.approx(0.018)
    with pytest.raises(ValueError):
        figures.paired_ratios(windows[:3])
    with pytest.raises(ValueError):
        figures.paired_ratios(windows[1:5])


def test_a_seldom_job_costs_its_window_less_the_idle_stack_and_is_spread_over_its_period() -> None:
    # 30 s in which the job ran 10 times used 4.5 CPU s; the stack idle uses 0.05 cores: 1.5 s of it is not the job's.
    per_run = figures.cpu_per_run(4.5, 30.0, 0.05, 10)
    assert per_run == pytest.approx(0.3)
    assert figures.amortised_cores(per_run, 3600.0) == pytest.approx(0.3 / 3600)
    assert figures.amortised_cores(-0.001, 3600.0) == 0.0
    with pytest.raises(ValueError):
        figures.cpu_per_run(4.5, 30.0, 0.1, 0)


def test_the_cost_is_located_by_program_from_medians_of_the_windows() -> None:
    windows = [
        (True, 60.0, {"prometheus": 1.2, "search": 12.0, "postgres": 6.0}),
        (False, 60.0, {"search": 11.4, "postgres": 6.0}),
        (True, 60.0, {"prometheus": 1.8, "search": 12.6, "postgres": 6.6}),
        (False, 60.0, {"search": 12.0, "postgres": 6.6}),
    ]
    found = figures.cores_by_group(windows)
    assert found["prometheus"] == {"with_cores": 0.025, "without_cores": 0.0, "added_cores": 0.025}
    assert found["search"]["added_cores"] == pytest.approx(0.01)
    assert found["postgres"]["added_cores"] == 0.0


def test_the_itemised_cost_adds_the_programs_and_the_spread_jobs_and_counts_noise_below_zero_as_nothing() -> None:
    found = figures.itemised_cores(
        {"prometheus": 0.003, "node-exporter": 0.0002}, {"scrapes": 0.0006, "health": 0.003, "red": -0.0001}
    )
    assert found["cores"] == pytest.approx(0.0068)
    assert found["items"]["red"] == 0.0 and found["items"]["health"] == 0.003


def probes_sent(runs: tuple[float, ...], fresh: float) -> list[bool]:
    """At each run's time, whether an upstream check probes: only when the last answer is older than `fresh`
    (osool_common.http_client.UpstreamCheck)."""
    last, probes = None, []
    for at in runs:
        probe = last is None or at - last > fresh
        probes.append(probe)
        last = at if probe else last
    return probes


def test_the_health_job_timed_every_2_s_probes_as_often_as_at_its_period() -> None:
    every = figures.probe_every(40.0, 15.0)
    assert every == 3  # probes at 0 s, then 45 s: the runs at 15 and 30 s find the answer fresh
    fresh = figures.freshness_for(every, 2.0)
    assert fresh == 5.0
    # Runs every 2 s, a little late or early: a probe, two runs spared, a probe.
    assert probes_sent((0.0, 2.1, 3.9, 6.05, 8.0, 9.95, 12.1), fresh) == [True, False, False, True, False, False, True]
    assert figures.probe_every(5.0, 15.0) == 1  # the old 5 s: every run probed


def test_a_prometheus_duration_is_read_in_seconds() -> None:
    from bench.monitoring.__main__ import parse_interval

    assert (parse_interval("30s"), parse_interval("1m"), parse_interval("2h")) == (30.0, 60.0, 7200.0)


def test_health_and_red_are_timed_every_second_the_settings_accept_and_probe_every_third_run() -> None:
    from annotated_types import Ge

    from bench.monitoring.__main__ import JOB_SETTINGS, job_interval
    from osool_monitoring.settings import Settings

    assert job_interval("health") == job_interval("red") == 1.0
    assert job_interval("cache-report") == 2.0  # a cache report can take more than a second
    for job in JOB_SETTINGS:
        # The replica restarts with the interval in its environment: one its settings refuse would stop the bench.
        minimum = next(m.ge for m in Settings.model_fields[JOB_SETTINGS[job]].metadata if isinstance(m, Ge))
        assert job_interval(job) >= minimum, job  # type: ignore[operator]
    fresh = figures.freshness_for(figures.probe_every(40.0, 15.0), job_interval("health"))
    # Runs every second, a little late or early: the same schedule.
    assert probes_sent((0.0, 1.05, 1.95, 3.1, 4.0, 4.9, 6.05), fresh) == [True, False, False, True, False, False, True]
