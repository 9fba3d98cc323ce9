"""wake_supervisord: a real supervisord spawns its programs when asked for its state, not a second later."""

from __future__ import annotations

import os
import subprocess
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import pytest
from supervisor.xmlrpc import SupervisorTransport

from devstack import binaries
from devstack.stack import wake_supervisord
from devstack.testing import spawn_delay

# supervisor 4's main loop polls its sockets for up to this long before the pass that spawns the programs.
POLL_SECONDS = 1.0


def _config(state: Path) -> Path:
    conf = state / "supervisord.conf"
    conf.write_text(
        f"[supervisord]\nlogfile={state / 'supervisord.log'}\npidfile={state / 'supervisord.pid'}\n"
        f"childlogdir={state}\nloglevel=info\n"
        f"[unix_http_server]\nfile={state / 'supervisor.sock'}\nchmod=0700\n"
        "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n"
        # stopwaitsecs: a stop that comes right after the spawn can reach the child between its fork and its exec,
        # where supervisord's own handler takes the SIGTERM and `sleep` never sees it; supervisord then waits this
        # long before its SIGKILL (10 s by default, as long as the teardown waited: a CI run failed so).
        "[program:sleeper]\ncommand=sleep 60\nstartsecs=0\nstopwaitsecs=1\nautostart=true\nautorestart=false\n"
    )
    return conf


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    proxy = xmlrpc.client.ServerProxy(
        "http://localhost", transport=SupervisorTransport("", "", f"unix://{tmp_path / 'supervisor.sock'}")
    )
    try:
        proxy.supervisor.shutdown()
    except OSError:
        return  # not running
    pid_file = tmp_path / "supervisord.pid"
    deadline = time.monotonic() + 10
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_daemon_spawns_its_programs_as_soon_as_it_is_asked(state: Path) -> None:
    subprocess.run([str(binaries.supervisord()), "-c", str(_config(state))], check=True)
    assert wake_supervisord(state / "supervisor.sock", alive=lambda: True)
    # Left alone, the spawn comes a whole poll after the start; woken, within the same pass.
    assert spawn_delay(state / "supervisord.log", "sleeper") < POLL_SECONDS / 2


def test_a_foreground_supervisord_is_woken_once_its_socket_exists(state: Path) -> None:
    process = subprocess.Popen([str(binaries.supervisord()), "-n", "-c", str(_config(state))])
    try:
        assert wake_supervisord(state / "supervisor.sock", alive=lambda: process.poll() is None)
        assert spawn_delay(state / "supervisord.log", "sleeper") < POLL_SECONDS / 2
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_a_supervisord_that_is_gone_is_not_waited_for(tmp_path: Path) -> None:
    process = subprocess.Popen(["true"])
    process.wait()
    started = time.monotonic()
    assert not wake_supervisord(tmp_path / "supervisor.sock", alive=lambda: process.poll() is None)
    assert time.monotonic() - started < 1.0
    assert not os.path.exists(tmp_path / "supervisor.sock")
