"""A server's log lines, written in batches, all reach its log: a real auth process of the test's own, stopped as
supervisord and Kubernetes stop it (SIGTERM to its process group)."""

from __future__ import annotations

import json
import time
import uuid

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ServiceProcess

pytestmark = pytest.mark.stack


def _events(process: ServiceProcess) -> list[dict[str, object]]:
    return [json.loads(line) for line in process.log.read_text().splitlines() if line.startswith("{")]


def test_a_stopped_server_has_written_every_line_it_logged(stack: LocalStack) -> None:
    process = ServiceProcess(stack, "osool_auth", LOG_FLUSH_SECONDS="10").start()
    try:
        request_id = str(uuid.uuid4())
        answer = httpx.get(f"{process.url}/api/no-such-route", headers={"X-Request-ID": request_id}, timeout=10)
        assert answer.status_code == 404
        time.sleep(0.5)
        # Waiting for the interval: the line is not written one request at a time.
        assert not [e for e in _events(process) if e.get("request_id") == request_id]
    finally:
        process.stop()
    events = _events(process)
    (line,) = [e for e in events if e.get("request_id") == request_id]
    assert (line["event"], line["status"]) == ("http.request", 404)
    assert "service.stopped" in [e["event"] for e in events]
