"""The kit's logging: one JSON object a line, secrets masked, and an event under the level costs no processing."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

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
