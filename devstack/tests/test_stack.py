"""The launcher on a running stack: a replica's port stays its own, and the stack is not up while another answers."""

from __future__ import annotations

import errno
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from devstack.stack import LocalStack, StackError
from devstack.testing import clean_environ

pytestmark = pytest.mark.stack

VICTIM = "monitoring:monitoring-1"  # the only monitoring replica of the test stack, as in the failure seen


def live_service(port: int) -> str | None:
    """The service named by /health/live on a port, None when nothing answers 200."""
    try:
        response = httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=2)
    except httpx.HTTPError:
        return None
    return str(response.json().get("service")) if response.status_code == 200 else None


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"not within {timeout:g}s: {what}"
        time.sleep(0.3)


@contextmanager
def replica_stopped(stack: LocalStack, program: str) -> Iterator[int]:
    """The replica stopped by supervisor; started again after, and answering as itself, for the tests that follow."""
    service, replica = program.split(":")
    port = stack.config.replica_ports[service][int(replica.rsplit("-", 1)[1]) - 1]
    stack.ctl("stop", program, check=True)
    try:
        yield port
    finally:
        stack.ctl("start", program)
        wait_for(lambda: live_service(port) == service, f"{program} answers on {port} again")


def test_a_stopped_replica_keeps_its_port_from_every_other_program(stack: LocalStack) -> None:
    with replica_stopped(stack, VICTIM) as port:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as other:
            # As gunicorn, uvicorn and nginx bind: another stack's server can not take the port meanwhile.
            other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            with pytest.raises(OSError) as refused:
                other.bind(("127.0.0.1", port))
            assert refused.value.errno == errno.EADDRINUSE


def test_the_stack_is_not_up_while_another_service_answers_on_a_replica_port(stack: LocalStack, tmp_path: Path) -> None:
    with replica_stopped(stack, VICTIM) as port:
        # A real search server on monitoring's port. It binds with SO_REUSEPORT as this user: the one kind of
        # program the port's reservation cannot keep out, so the launcher must also see who answers.
        env = {
            **clean_environ(),
            "OSOOL_ENV_FILE": str(stack.config.env_file),
            "PROMETHEUS_MULTIPROC_DIR": str(tmp_path),
        }
        impostor = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:osool_common.gunicorn_conf", "--bind", f"127.0.0.1:{port}",
             "--reuse-port", "--workers", "1", "osool_search.main:create_app()"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(lambda: live_service(port) == "search", f"the impostor answers on {port}")
            with pytest.raises(StackError, match=rf"port {port} of {VICTIM} answers as 'search'"):
                stack.wait_healthy(timeout=30)
        finally:
            os.killpg(impostor.pid, signal.SIGKILL)
            impostor.wait(timeout=10)


def test_a_stack_that_does_not_come_up_says_which_program_and_shows_its_log(stack: LocalStack) -> None:
    """A test stack's directory goes when the session ends, so "see the logs" points nowhere: the error carries the
    end of the log of each program that did not answer, and of supervisord's."""
    with replica_stopped(stack, VICTIM):
        with pytest.raises(StackError) as failed:
            stack.wait_healthy(timeout=2)
    message = str(failed.value)
    assert f"{VICTIM} (port" in message and "--- monitoring-1.log ---" in message
    assert "--- supervisord.log ---" in message and "monitoring-1" in message.split("--- supervisord.log ---")[1]
