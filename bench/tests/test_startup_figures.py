"""The start-up benchmark reads the figure the launcher prints."""

from __future__ import annotations

from bench.startup.__main__ import printed_seconds


def test_the_printed_start_up_time_is_read() -> None:
    output = "Osool is up in 14.3s (background; `make down` stops it).\n  gateway  http://127.0.0.1:8080/\n"
    assert printed_seconds(output) == 14.3


def test_a_start_that_printed_no_time_gives_none() -> None:
    assert printed_seconds("created PostgreSQL cluster in /tmp/x\n") is None
