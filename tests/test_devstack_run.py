"""`make run` (python -m devstack run) stops the whole stack on a signal sent to it alone, not only on Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.config import REPO_ROOT, SERVICES, free_port, service_id
from devstack.testing import clean_environ, kill_leftovers, processes_of, spawn_delay, stack_root


def _launcher_env(root: Path) -> dict[str, str]:
    (root / "state").mkdir()
    env_file = root / "state" / ".env"
    env_file.write_text("DEMO_LISTINGS=0\n")
    return {
        **clean_environ(),
        "OSOOL_STATE_DIR": str(root / "state"),
        "OSOOL_ENV_FILE": str(env_file),
        "GATEWAY_PUBLIC_PORT": str(free_port()),
        "GATEWAY_INTERNAL_PORT": str(free_port()),
        "POSTGRES_PORT": str(free_port()),
        "VALKEY_PORT": str(free_port()),
        "PROMETHEUS": "off",
        "LOCAL_LLM": "off",
        **{f"WORKERS_{service_id(service).upper()}": "1" for service in SERVICES},
    }


@pytest.fixture
def launcher_root() -> Iterator[Path]:
    with stack_root("osool-run-") as root:
        yield root
        kill_leftovers(root)  # a failed test leaves nothing behind either


def _start(env: dict[str, str]) -> subprocess.Popen[str]:
    # Its own session: the signal reaches the launcher only, as `kill PID` or a process manager would send it, never
    # its process group as a terminal's Ctrl-C does.
    return subprocess.Popen(
        [sys.executable, "-m", "devstack", "run"], env=env, cwd=REPO_ROOT, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip


def _wait_stopped(launcher: subprocess.Popen[str], state_dir: Path) -> tuple[str, str]:
    try:
        stdout, stderr = launcher.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        left = list(processes_of(state_dir).values())
        launcher.kill()
        kill_leftovers(state_dir)  # they hold the launcher's stdout: communicate() would wait for them
        launcher.communicate()
        pytest.fail(f"the launcher did not exit after the signal; still running: {left}")
    deadline = time.monotonic() + 10
    while processes_of(state_dir) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert processes_of(state_dir) == {}, "programs of the stack outlived the launcher"
    return stdout, stderr


def test_sigterm_to_the_launcher_of_a_healthy_stack_stops_every_program(launcher_root: Path) -> None:
    env = _launcher_env(launcher_root)
    launcher = _start(env)
    assert launcher.stdout is not None
    for line in launcher.stdout:
        if line.startswith("Osool is up"):
            break
    else:
        pytest.fail(f"the stack did not come up: {launcher.wait()} {launcher.stderr.read() if launcher.stderr else ''}")
    supervised = processes_of(launcher_root).values()
    assert any("supervisord" in line for line in supervised) and any("postgres" in line for line in supervised)
    internal = f"http://127.0.0.1:{env['GATEWAY_INTERNAL_PORT']}"
    assert all(httpx.get(f"{internal}/{service}/health/live").status_code == 200 for service in SERVICES)
    # The launcher woke supervisord: its programs were spawned at once, not a whole poll (1 s) after it started.
    assert spawn_delay(launcher_root / "state" / "logs" / "supervisord.log", "postgres") < 0.5

    launcher.send_signal(signal.SIGTERM)
    _, stderr = _wait_stopped(launcher, launcher_root)
    assert launcher.returncode == 0, stderr


def test_a_hangup_while_starting_stops_what_started_without_an_error(launcher_root: Path) -> None:
    launcher = _start(_launcher_env(launcher_root))
    pid_file = launcher_root / "state" / "supervisord.pid"
    deadline = time.monotonic() + 120
    while not pid_file.exists() and launcher.poll() is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert pid_file.exists(), "supervisord never started"
    # The terminal closed (SIGHUP) before every service was healthy: supervisord would read a SIGHUP as "reload".
    launcher.send_signal(signal.SIGHUP)
    _, stderr = _wait_stopped(launcher, launcher_root)
    assert launcher.returncode == 0 and "osool:" not in stderr, stderr
