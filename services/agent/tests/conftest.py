"""Agent test fixtures: extra agent processes configured with a model brain (the OpenAI fake or a fake local model
server), beside the test stack's own agent, which runs the rules brain as `make run` without a key does.

The extra agents use the stack's PostgreSQL, Valkey and internal gateway (so their tools call the real search,
chat-history and chain services), and are called on their own ports: the gateway only knows the stack's agent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.config import free_port
from devstack.fakes import FakeOpenAI
from devstack.stack import LocalStack
from devstack.testing import clean_environ


class AgentProcess:
    """`python -m osool_agent serve` with its own settings; restartable, always stopped."""

    def __init__(self, stack: LocalStack, **env: str) -> None:
        self.stack = stack
        self.env = env
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metrics_dir = Path(tempfile.mkdtemp(prefix="osool-agent-test-metrics-"))
        self.process: subprocess.Popen[bytes] | None = None
        self.log = Path(tempfile.mkdtemp(prefix="osool-agent-test-log-")) / "agent.log"

    def start(self) -> AgentProcess:
        env = {
            **clean_environ(),
            "OSOOL_ENV_FILE": str(self.stack.config.env_file),
            "PROMETHEUS_MULTIPROC_DIR": str(self.metrics_dir),
            "PYTHONUNBUFFERED": "1",
            **self.env,
        }
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "osool_agent", "serve", "--port", str(self.port), "--workers", "1"],
                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()[-3000:]
            try:
                if httpx.get(f"{self.url}/health/live", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"agent on {self.port} did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def chat(self, message: str, **body: Any) -> httpx.Response:
        headers = body.pop("headers", {})
        return httpx.post(f"{self.url}/api/chat", json={"message": message, **body}, headers=headers, timeout=60)

    def metrics(self) -> str:
        return httpx.get(f"{self.url}/metrics", timeout=10).text


@pytest.fixture(scope="session")
def fake_openai() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    with fake.server:
        yield fake


@pytest.fixture
def model_agent_factory(stack: LocalStack, fake_openai: FakeOpenAI) -> Iterator[Any]:
    """Start agents with the OpenAI brain against the fake (a short breaker period so its tests run quickly)."""
    started: list[AgentProcess] = []

    def make(**env: str) -> AgentProcess:
        settings = {
            "AGENT_BRAIN": "openai",
            "OPENAI_API_KEY": "sk-test-osool",
            "OPENAI_BASE_URL": fake_openai.base_url,
            "AGENT_MODEL": "gpt-4o-mini",
            "BREAKER_RESET_SECONDS": "3",
            **env,
        }
        agent = AgentProcess(stack, **settings).start()
        started.append(agent)
        return agent

    yield make
    for agent in started:
        agent.stop()


@pytest.fixture
def agent_factory(stack: LocalStack) -> Iterator[Any]:
    """Start agents with the rules brain and settings of the test's own (scheduled jobs with short periods)."""
    started: list[AgentProcess] = []

    def make(**env: str) -> AgentProcess:
        agent = AgentProcess(stack, AGENT_BRAIN="rules", **env).start()
        started.append(agent)
        return agent

    yield make
    for agent in started:
        agent.stop()
