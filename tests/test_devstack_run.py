"""`make run` (python -m devstack run) stops the whole stack on a signal sent to it alone, not only on Ctrl-C; with demo
listings, its first start makes the demo sales agent, so a buyer asking to visit a listing is offered times."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from devstack.config import REPO_ROOT, SERVICES, StackConfig, free_port, service_id
from devstack.demo_agent import ensure_demo_agent
from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from devstack.testing import clean_environ, kill_leftovers, processes_of, spawn_delay, stack_root


def _launcher_env(root: Path, demo_listings: int = 0) -> dict[str, str]:
    (root / "state").mkdir()
    env_file = root / "state" / ".env"
    env_file.write_text(f"DEMO_LISTINGS={demo_listings}\n")
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
    env = _launcher_env(launcher_root, demo_listings=40)
    launcher = _start(env)
    assert launcher.stdout is not None
    for line in launcher.stdout:
        if line.startswith("Osool is up"):
            break
    else:
        pytest.fail(f"the stack did not come up: {launcher.wait()} {launcher.stderr.read() if launcher.stderr else ''}")
    addresses = ""
    for line in launcher.stdout:  # the addresses, down to the logs' line
        addresses += line
        if line.startswith("  logs"):
            break
    _the_demo_agent_offers_viewings(env, addresses)
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


def _the_demo_agent_offers_viewings(env: dict[str, str], addresses: str) -> None:
    env_file = Path(env["OSOOL_ENV_FILE"])
    made = read_env_file(env_file)
    email, password = made["DEMO_AGENT_EMAIL"], made["DEMO_AGENT_PASSWORD"]
    assert f"demo sales agent           {email}" in addresses, addresses
    public = f"http://127.0.0.1:{env['GATEWAY_PUBLIC_PORT']}"
    with httpx.Client(base_url=public, timeout=60) as api:
        pair = api.post("/api/auth/login", json={"email": email, "password": password}).json()
        headers = {"Authorization": f"Bearer {pair['access_token']}"}
        assert api.get("/api/auth/me", headers=headers).json()["role"] == "agent"
        hours = api.get("/api/viewings/availability", headers=headers).json()["weekly"]
        assert sorted(row["weekday"] for row in hours) == [0, 1, 2, 3, 5, 6]  # Saturday to Thursday
        assert any(agent["on_duty"] for agent in api.get("/api/leads/agents", headers=headers).json())
        # A buyer asking to visit a listing is offered the agent's times.
        first = api.post("/api/chat", json={"message": "apartment"}).json()
        assert first["listings"], first
        secret = {"X-Session-Secret": first["session_secret"]}
        visit = api.post("/api/chat", json={"message": "I'd like to visit the first one",
                                             "session_id": first["session_id"]}, headers=secret).json()  # fmt: skip
        [call] = visit["tool_calls"]
        assert call["name"] == "schedule_viewing" and call["result"]["slots"], visit
    # Made once: a later start finds it and keeps its password.
    config = StackConfig.from_environ(env)
    assert ensure_demo_agent(LocalStack(config, env)) == email
    assert read_env_file(env_file)["DEMO_AGENT_PASSWORD"] == password
