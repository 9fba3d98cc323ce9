"""The arithmetic of the sign-in throttles (throttle.py), without Redis."""

from __future__ import annotations

from osool_auth.throttle import HOUR, delay_after_failures, wait_until_below

NOW = 1_000_000.0


def test_no_delay_before_the_free_failures_are_spent() -> None:
    assert delay_after_failures([NOW - 1] * 4, NOW, free=5, cap=900) == 0.0


def test_the_delay_doubles_with_each_failure_past_the_free_ones_up_to_the_cap() -> None:
    waits = [delay_after_failures([NOW] * n, NOW, free=5, cap=900) for n in (5, 6, 7, 10, 14, 15, 40)]
    assert waits == [1, 2, 4, 32, 512, 900, 900]


def test_the_delay_runs_from_the_last_failure_and_old_failures_drop_out() -> None:
    assert delay_after_failures([NOW - 10] * 4 + [NOW - 30], NOW, free=5, cap=900) == 0.0  # 1 s after, long past
    assert delay_after_failures([NOW - HOUR - 1] * 100 + [NOW], NOW, free=5, cap=900) == 0.0  # an hour ago is gone


def test_a_huge_failure_list_does_not_overflow() -> None:
    assert delay_after_failures([NOW] * 5000, NOW, free=5, cap=900) == 900


def test_wait_until_below_is_when_enough_failures_leave_the_window() -> None:
    times = [NOW - 3000, NOW - 2000, NOW - 1000]
    assert wait_until_below(times, NOW, limit=4) == 0.0
    assert wait_until_below(times, NOW, limit=3) == 600.0  # the oldest leaves the hour 600 s from now
    assert wait_until_below(times, NOW, limit=2) == 1600.0  # two must leave: the second oldest at +1600 s
