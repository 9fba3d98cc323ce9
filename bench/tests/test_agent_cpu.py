"""The agent bench's CPU accounting without a stack: a run's processes split into parts by supervisor program (every
replica of a service together, supervisord by its own work only), and the least own time Little's law allows."""

from __future__ import annotations

import pytest

from bench import proc
from bench.agent.__main__ import NEEDED_PARTS, cpu_by_part, own_time_floor


def process(pid: int, ppid: int, own: int, children: int = 0) -> proc.ProcessCpu:
    return proc.ProcessCpu(pid=pid, ppid=ppid, own_ticks=own, children_ticks=children)


def test_every_process_counts_once_in_the_part_of_its_program() -> None:
    processes = {
        p.pid: p
        for p in (
            process(10, 1, own=7, children=500),  # supervisord: its children figure is the programs' own, not its work
            process(11, 10, own=3),  # agent replica 1's master
            process(12, 11, own=40),  # and its workers
            process(13, 11, own=50),
            process(21, 10, own=2),  # agent replica 2's master
            process(22, 21, own=30, children=4),  # a worker, with what an exited child used
            process(31, 10, own=20),  # postgres
            process(32, 31, own=9),  # a backend
            process(99, 1, own=1000),  # not the stack's
        )
    }
    programs = {"agent:agent-1": 11, "agent:agent-2": 21, "postgres": 31}
    parts = cpu_by_part(processes, programs, supervisord=10)
    ticks = proc.TICKS_PER_SECOND
    assert parts == {
        "agent": pytest.approx((3 + 40 + 50 + 2 + 30 + 4) / ticks),
        "postgres": pytest.approx((20 + 9) / ticks),
        "supervisord": pytest.approx(7 / ticks),
    }


def test_the_floor_leaves_the_agent_out_and_subtracts_the_search() -> None:
    by_part = {"agent": 60.0, "chat-history": 5.0, "search": 4.0, "postgres": 5.0, "gateway": 1.0}
    # 8 turns at once on 2 cores, 15 ms of others' CPU a turn: at least 8 x 15 / 2 = 60 ms a turn, less 5 ms of search.
    assert own_time_floor(by_part, 5.0, "agent_free", cores=2) == 55.0
    # Only the parts a turn needs whichever way the agent is written: chat-history left out too.
    assert set(NEEDED_PARTS) >= {"search", "postgres", "gateway"} and "chat-history" not in NEEDED_PARTS
    assert own_time_floor(by_part, 5.0, "needed_parts_only", cores=2) == 35.0
    # Four times the cores, a quarter of the queue; and as run, the agent counted.
    assert own_time_floor(by_part, 5.0, "agent_free", cores=8) == 10.0
    assert own_time_floor(by_part, 5.0, "as_run", cores=2) == 8 * 75 / 2 - 5


def test_the_cores_the_goal_would_take() -> None:
    from bench.agent.__main__ import GOAL_OWN_P50_MS, cores_for_goal

    by_part = {"agent": 50.0, "chat-history": 5.0, "search": 4.0, "postgres": 6.0}
    # 8 turns at once, each 65 ms of CPU: a mean of 25 ms (the goal) over a 7 ms search takes 8 x 65 / 32 = 16.25 cores.
    assert GOAL_OWN_P50_MS == 25.0  # the figures below are worked out for it
    assert cores_for_goal(by_part, 7.0) == {"as_run": 16.2, "agent_free": 3.8, "needed_parts_only": 2.5}
