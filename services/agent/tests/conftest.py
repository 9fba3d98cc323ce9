"""Agent test fixtures: extra agent processes configured with a model brain (the OpenAI fake or a fake local model
server), beside the test stack's own agent, which runs the rules brain as `make run` without a key does.

The extra agents use the stack's PostgreSQL, Valkey and internal gateway (so their tools call the real search,
chat-history and chain services), and are called on their own ports: the gateway only knows the stack's agent."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.fakes import FakeOpenAI
from devstack.stack import LocalStack
from devstack.testing import ServiceProcess


class AgentProcess(ServiceProcess):
    """`python -m osool_agent serve` with its own settings; restartable, always stopped."""

    def __init__(self, stack: LocalStack, **env: str) -> None:
        super().__init__(stack, "osool_agent", **env)

    def start(self) -> AgentProcess:
        super().start()
        return self

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
