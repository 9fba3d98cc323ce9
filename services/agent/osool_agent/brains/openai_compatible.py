"""The OpenAI-compatible brains: OpenAI's API and the local llama.cpp server, over the openai SDK.

A module of its own because the SDK and pydantic-ai's OpenAI model cost about 0.6 s of CPU to import (hundreds of
pydantic models): an agent with neither OPENAI_API_KEY nor LOCAL_LLM_URL (the rules brain alone) never imports them,
and one with a model imports them once, in the master that builds the app, before the workers fork (`main`)."""

from __future__ import annotations

import copy
from dataclasses import replace
from functools import cached_property
from typing import Any

from openai import AsyncOpenAI, DefaultAioHttpClient
from pydantic_ai.messages import ModelResponse
from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from osool_agent.brains import GuardedModel, LocalModel, ModelBrain
from osool_agent.settings import Settings
from osool_common.breaker import CircuitBreaker


class StableToolSchemas(OpenAIChatModel):
    """An OpenAI chat model that transforms each tool's JSON schema for the API once, not on every request.

    pydantic-ai's `customize_request_parameters` (its documented hook for a vendor's schema rules) walks and
    deep-copies every tool's schema into OpenAI's strict form on each request; Amr sends the same 13 tools every time,
    and that walk was about 5% of the agent's CPU a turn over the scripted model (py-spy, bench/agent). Here each
    tool's transformed definition is kept with a copy of the definition it was made from, and used again only while the
    tool's definition is equal to that copy in every field; anything else (a changed schema, a new tool) is transformed
    by the library as before. Whatever else the hook does to the request, it still does."""

    @cached_property
    def _tool_schemas(self) -> dict[str, tuple[ToolDefinition, ToolDefinition]]:
        """By tool name: (a copy of the definition as it came, the definition the library made of it)."""
        return {}

    def customize_request_parameters(self, model_request_parameters: ModelRequestParameters) -> ModelRequestParameters:
        cache = self._tool_schemas
        tools = model_request_parameters.function_tools
        fresh = [tool for tool in tools if (kept := cache.get(tool.name)) is None or kept[0] != tool]
        customized = super().customize_request_parameters(replace(model_request_parameters, function_tools=fresh))
        for tool, done in zip(fresh, customized.function_tools, strict=True):
            cache[tool.name] = (copy.deepcopy(tool), done)
        return replace(customized, function_tools=[cache[tool.name][1] for tool in tools])


class LocalChatModel(StableToolSchemas):
    """What llama-cpp-python's server (chatml-function-calling) needs, measured on 0.3.36: an assistant message whose
    content is null (a tool-call turn) gets a 500, so it carries an empty string; and `tool` messages never reach the
    model's prompt, so a tool's result is sent as the user's turn, quoted as the tool's output."""

    def _map_model_response(self, message: ModelResponse) -> Any:
        mapped = super()._map_model_response(message)
        if isinstance(mapped, dict) and mapped.get("role") == "assistant" and mapped.get("content") is None:
            mapped["content"] = ""
        return mapped

    async def _map_messages(self, messages: Any, model_request_parameters: Any, **kwargs: Any) -> list[Any]:
        mapped: list[dict[str, Any]] = [
            dict(m) for m in await super()._map_messages(messages, model_request_parameters, **kwargs)
        ]
        names: dict[str, str] = {}
        for message in mapped:
            calls: list[dict[str, Any]] = list(message.get("tool_calls") or [])
            for call in calls:
                names[call["id"]] = call["function"]["name"]
        out: list[Any] = []
        for message in mapped:
            if message.get("role") == "tool":
                name = names.get(str(message.get("tool_call_id")), "the tool")
                out.append(
                    {"role": "user", "content": f"Result of {name} (use only these facts):\n{message['content']}"}
                )
            else:
                out.append(message)
        return out


def _client(base_url: str | None, api_key: str, timeout: float) -> AsyncOpenAI:
    # No retries inside the client: a failed call is one failure for the breaker, and the rules brain answers at once.
    # Over aiohttp (the SDK's own DefaultAioHttpClient, httpx's API on aiohttp's connections) rather than httpx's
    # default transport (httpcore on anyio): half the client's CPU a call (bench/gateway), and at 8 turns at once the
    # agent's workers are CPU-bound.
    return AsyncOpenAI(
        base_url=base_url, api_key=api_key, max_retries=0, timeout=timeout, http_client=DefaultAioHttpClient()
    )


def openai_brain(settings: Settings, breaker: CircuitBreaker) -> ModelBrain:
    assert settings.openai_api_key is not None
    client = _client(settings.openai_base_url, settings.openai_api_key.get_secret_value(),
                     settings.model_timeout_seconds)  # fmt: skip
    model = StableToolSchemas(settings.agent_model, provider=OpenAIProvider(openai_client=client))
    return ModelBrain("openai", "openai", settings.agent_model, GuardedModel(model, breaker), breaker,
                      ModelSettings(temperature=0.3, max_tokens=700), stream=True, client=client)  # fmt: skip


def local_brain(settings: Settings, breaker: CircuitBreaker) -> ModelBrain:
    assert settings.local_llm_url is not None
    client = _client(settings.local_llm_url, "local", settings.local_model_timeout_seconds)
    model = LocalChatModel(settings.local_llm_model, provider=OpenAIProvider(openai_client=client))
    # llama.cpp's function-calling chat format only calls tools when asked with tool_choice "auto".
    model_settings = ModelSettings(temperature=0.1, max_tokens=400, tool_choice="auto", parallel_tool_calls=False)
    return ModelBrain("local", "local", settings.local_llm_model, LocalModel(model, breaker), breaker,
                      model_settings, stream=False, client=client)  # fmt: skip
