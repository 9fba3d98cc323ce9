"""The brains behind one interface: an OpenAI-compatible tool-calling model (OpenAI or the local llama.cpp server)
or the rules brain, all pydantic-ai models run through the same agent loop; model calls go through the breaker."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any, Literal

from openai import AsyncOpenAI, DefaultAioHttpClient
from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.settings import ModelSettings
from pydantic_ai.tools import ToolDefinition

from osool_agent.settings import Settings
from osool_common.breaker import CircuitBreaker

BrainName = Literal["openai", "local", "rules"]


def is_model_failure(exc: BaseException) -> bool:
    """A refused request (4xx but 429) is our mistake, not the model being down: it does not open the breaker."""
    if isinstance(exc, ModelHTTPError):
        return exc.status_code >= 500 or exc.status_code == 429
    return True


class GuardedModel(WrapperModel):
    """Every request to the model passes the circuit breaker shared by all workers and replicas."""

    def __init__(self, wrapped: Model, breaker: CircuitBreaker) -> None:
        super().__init__(wrapped)
        self.breaker = breaker

    async def request(
        self, messages: list[ModelMessage], model_settings: ModelSettings | None, parameters: ModelRequestParameters
    ) -> ModelResponse:
        async with self.breaker.protect():
            return await self.wrapped.request(messages, model_settings, parameters)

    @asynccontextmanager
    async def request_stream(
        self,
        messages: list[ModelMessage],
        model_settings: ModelSettings | None,
        parameters: ModelRequestParameters,
        run_context: Any = None,
    ) -> AsyncIterator[StreamedResponse]:
        # A failure while the stream is read (a cut connection) reaches the breaker through the yield.
        async with (
            self.breaker.protect(),
            self.wrapped.request_stream(messages, model_settings, parameters, run_context) as stream,
        ):
            yield stream


_BARE_CALL = re.compile(r"^\s*(?:functions\.)?([a-z_]+)\s*:?\s*(\{.*\})?\s*$", re.S)


class LocalModel(GuardedModel):
    """The local model's failure mode: a reply of `functions.NAME:` text instead of a tool call becomes the call it
    meant (with its arguments when it wrote them; the tool fills in the rest from the rules reading)."""

    async def request(
        self, messages: list[ModelMessage], model_settings: ModelSettings | None, parameters: ModelRequestParameters
    ) -> ModelResponse:
        names = {tool.name for tool in parameters.function_tools}
        # With tools in the request this server only ever answers with a call (or empty text): once a tool has
        # answered, Amr's reply is asked for without tools.
        if _after_tool_result(messages):
            return await super().request(messages, model_settings, replace(parameters, function_tools=[]))
        response = repair_bare_call(await super().request(messages, model_settings, parameters), names)
        if not any(isinstance(part, ToolCallPart) for part in response.parts) and not _text(response).strip():
            return await super().request(messages, model_settings, replace(parameters, function_tools=[]))
        return response


def _after_tool_result(messages: list[ModelMessage]) -> bool:
    last = messages[-1] if messages else None
    return isinstance(last, ModelRequest) and any(isinstance(part, ToolReturnPart) for part in last.parts)


def _text(response: ModelResponse) -> str:
    return "".join(part.content for part in response.parts if isinstance(part, TextPart))


def repair_bare_call(response: ModelResponse, tool_names: set[str]) -> ModelResponse:
    if any(isinstance(part, ToolCallPart) for part in response.parts):
        return response
    text = "".join(part.content for part in response.parts if isinstance(part, TextPart))
    match = _BARE_CALL.match(text)
    if not match or match.group(1) not in tool_names or ("functions." not in text and not match.group(2)):
        return response
    try:
        arguments = json.loads(match.group(2)) if match.group(2) else {}
    except ValueError:
        arguments = {}
    call = ToolCallPart(match.group(1), arguments if isinstance(arguments, dict) else {})
    return ModelResponse(
        parts=[call], usage=response.usage, model_name=response.model_name, timestamp=response.timestamp
    )


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


@dataclass
class ModelBrain:
    """A brain backed by a model server."""

    name: BrainName
    provider: str
    model_name: str
    model: GuardedModel
    breaker: CircuitBreaker
    settings: ModelSettings
    # The local server streams, but its tool calls come back best whole: its turns use plain requests.
    stream: bool
    # The model server's client, closed when the service stops (its aiohttp session holds the connections).
    client: AsyncOpenAI


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
