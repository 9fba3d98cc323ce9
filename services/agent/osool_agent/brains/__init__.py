"""The brains behind one interface: an OpenAI-compatible tool-calling model (OpenAI or the local llama.cpp server,
built by `brains.openai_compatible`) or the rules brain, all pydantic-ai models run through the same agent loop; model
calls go through the breaker."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from pydantic_ai.exceptions import ModelHTTPError
from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models import Model, ModelRequestParameters, StreamedResponse
from pydantic_ai.models.wrapper import WrapperModel
from pydantic_ai.settings import ModelSettings

from osool_common.breaker import CircuitBreaker

if TYPE_CHECKING:
    from openai import AsyncOpenAI

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
