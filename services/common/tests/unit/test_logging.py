"""The kit's logging: one JSON object a line, secrets masked, and an event under the level costs no processing."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import TextIO

import pytest
import structlog

from osool_common import logging as kit_logging


@pytest.fixture
def stream() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    handlers, level, config = root.handlers[:], root.level, structlog.get_config()
    out = io.StringIO()
    kit_logging.configure_logging("kit-test", "INFO", stream=out)
    try:
        yield out
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        structlog.configure(**config)
        structlog.contextvars.clear_contextvars()


def test_an_event_is_one_json_line_with_the_service_and_level_and_its_secrets_masked(stream: io.StringIO) -> None:
    structlog.stdlib.get_logger("kit-test").info("user.signed_in", user="u1", api_key="sk-live-1")
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert event["event"] == "user.signed_in"
    assert (event["service"], event["level"], event["user"], event["api_key"]) == ("kit-test", "info", "u1", "***")
    assert event["timestamp"].endswith("Z")


def test_an_event_under_the_level_is_dropped_before_any_processor_runs(stream: io.StringIO) -> None:
    # The secret-masking processor looks each key up once (lru_cache): a key never seen before is a miss only if
    # the processors ran for the event. The keys every event has are looked up first.
    structlog.stdlib.get_logger("kit-test").info("warm")
    stream.truncate(0)
    stream.seek(0)
    before = kit_logging._names_a_secret.cache_info().misses
    structlog.stdlib.get_logger("kit-test").debug("http.request", a_key_seen_only_by_this_debug_test=1)
    assert kit_logging._names_a_secret.cache_info().misses == before
    assert stream.getvalue() == ""
    structlog.stdlib.get_logger("kit-test").info("http.request", a_key_seen_only_by_this_info_test=1)
    assert kit_logging._names_a_secret.cache_info().misses == before + 1
    assert json.loads(stream.getvalue())["a_key_seen_only_by_this_info_test"] == 1


def test_a_library_line_through_the_standard_library_is_rendered_the_same_way(stream: io.StringIO) -> None:
    logging.getLogger("some.library").warning("disk %s nearly full", "/data")
    logging.getLogger("some.library").debug("not shown")
    (line,) = stream.getvalue().splitlines()
    event = json.loads(line)
    assert (event["event"], event["level"], event["service"]) == ("disk /data nearly full", "warning", "kit-test")


def _events(text: str) -> list[str]:
    return [json.loads(line)["event"] for line in text.splitlines()]


def _configure_buffered(out: TextIO, flush_seconds: float) -> kit_logging.BufferedStreamHandler:
    kit_logging.configure_logging("kit-test", "INFO", stream=out, flush_seconds=flush_seconds)
    (handler,) = logging.getLogger().handlers
    assert isinstance(handler, kit_logging.BufferedStreamHandler)
    return handler


def test_a_servers_lines_are_written_in_batches_and_a_warning_at_once_after_those_before_it(
    stream: io.StringIO,
) -> None:
    out = io.StringIO()
    _configure_buffered(out, flush_seconds=0.3)
    log = structlog.stdlib.get_logger("kit-test")
    log.info("first")
    log.info("second", request_id_of_its_own="r1")
    assert out.getvalue() == ""  # waiting for the interval, not written one by one
    log.warning("trouble")
    assert _events(out.getvalue()) == ["first", "second", "trouble"]
    log.info("after")
    assert _events(out.getvalue()) == ["first", "second", "trouble"]
    deadline = time.monotonic() + 5
    while "after" not in out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _events(out.getvalue())[-1] == "after"  # the interval's flush, with nothing else logged


def test_a_line_keeps_the_time_and_request_id_of_its_event_not_of_its_write(stream: io.StringIO) -> None:
    out = io.StringIO()
    handler = _configure_buffered(out, flush_seconds=60)
    structlog.contextvars.bind_contextvars(request_id="req-1")
    logging.getLogger("some.library").info("library line")  # rendered by the standard library's chain
    structlog.contextvars.unbind_contextvars("request_id")
    logged_at = time.time()
    time.sleep(1.1)
    handler.flush()
    (line,) = out.getvalue().splitlines()
    event = json.loads(line)
    assert event["request_id"] == "req-1"
    written = datetime.fromisoformat(event["timestamp"].replace("Z", "+00:00")).timestamp()
    assert abs(written - logged_at) < 0.5


def test_lines_waiting_when_a_server_forks_its_workers_are_written_once(stream: io.StringIO, tmp_path: Path) -> None:
    with (tmp_path / "log").open("w") as out:
        _configure_buffered(out, flush_seconds=60)
        log = structlog.stdlib.get_logger("kit-test")
        log.info("before the fork")
        pid = os.fork()
        if pid == 0:  # the worker: its own line, written at its exit
            try:
                log.info("in the worker")
                logging.shutdown()
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        log.info("in the parent")
        logging.getLogger().handlers[0].flush()
    assert sorted(_events((tmp_path / "log").read_text())) == ["before the fork", "in the parent", "in the worker"]


def test_a_server_ending_normally_writes_the_lines_still_waiting() -> None:
    code = (
        "import structlog; from osool_common.logging import configure_logging;"
        "configure_logging('kit-test', 'INFO', flush_seconds=60);"
        "structlog.stdlib.get_logger('kit-test').info('last words')"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert _events(result.stdout) == ["last words"]


def test_lines_waiting_when_logging_is_configured_again_are_written(stream: io.StringIO) -> None:
    # A server configures logging as its command starts, and again as its app is built.
    out = io.StringIO()
    _configure_buffered(out, flush_seconds=60)
    structlog.stdlib.get_logger("kit-test").info("as the command started")
    _configure_buffered(out, flush_seconds=60)
    assert _events(out.getvalue()) == ["as the command started"]


def test_a_closed_handlers_flusher_thread_stops() -> None:
    # The handler is still referenced here, so only its closed flag can end the thread.
    before = set(threading.enumerate())
    handler = kit_logging.BufferedStreamHandler(io.StringIO(), flush_seconds=0.05)
    handler.handle(logging.LogRecord("kit-test", logging.INFO, __file__, 1, "a line", None, None))
    (flusher,) = [t for t in threading.enumerate() if t not in before and t.name == "log-flusher"]
    assert handler.stream.getvalue() == ""  # waiting for its interval
    handler.close()
    assert handler.stream.getvalue() == "a line\n"  # closing writes what waited
    flusher.join(timeout=5)
    assert not flusher.is_alive()
