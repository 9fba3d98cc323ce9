"""The fake OpenAI chat completions server, driven by the real `openai` client and by pydantic-ai's OpenAI model."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from devstack.fakes import DEFAULT_CHAT_TEXT, FakeOpenAI, Reply, ToolCall

MESSAGES: list[Any] = [{"role": "user", "content": "villas in new cairo under 10 million"}]
SEARCH_ARGUMENTS = {"city": "القاهرة الجديدة", "max_price": 10_000_000, "type": "villa"}


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI()
    with fake.server:
        yield fake


def client(fake: FakeOpenAI, **options: Any) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=fake.base_url, api_key="sk-test", max_retries=0, **options)


async def stream(fake: FakeOpenAI, **options: Any) -> list[Any]:
    async with client(fake) as openai_client:
        chunks = await openai_client.chat.completions.create(
            model="gpt-4o-mini", messages=MESSAGES, stream=True, stream_options={"include_usage": True}, **options
        )
        return [chunk async for chunk in chunks]


async def test_a_streamed_tool_call_comes_in_fragments_that_reassemble_to_the_scripted_arguments(
    fake: FakeOpenAI,
) -> None:
    fake.script(Reply(tool_calls=[ToolCall("search_properties", SEARCH_ARGUMENTS), ToolCall("get_rates", "{}")]))
    chunks = await stream(fake)

    calls: dict[int, dict[str, str]] = {}
    fragments = 0
    for chunk in chunks:
        for delta_call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            call = calls.setdefault(delta_call.index, {"id": "", "name": "", "arguments": ""})
            call["id"] += delta_call.id or ""
            call["name"] += (delta_call.function and delta_call.function.name) or ""
            call["arguments"] += (delta_call.function and delta_call.function.arguments) or ""
            fragments += delta_call.index == 0 and bool(delta_call.function and delta_call.function.arguments)
    assert fragments > 5
    assert [call["name"] for call in calls.values()] == ["search_properties", "get_rates"]
    assert all(call["id"].startswith("call_") for call in calls.values())
    assert json.loads(calls[0]["arguments"]) == SEARCH_ARGUMENTS
    assert calls[1]["arguments"] == "{}"
    assert chunks[0].choices[0].delta.role == "assistant"
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "tool_calls"


async def test_streamed_text_comes_in_several_deltas_and_usage_comes_last(fake: FakeOpenAI) -> None:
    text = "Here are three villas in New Cairo, all under 10 million."
    fake.script(Reply(text=text, prompt_tokens=42, completion_tokens=7))
    chunks = await stream(fake)

    contents = [chunk.choices[0].delta.content for chunk in chunks if chunk.choices and chunk.choices[0].delta.content]
    assert len(contents) > 3 and "".join(contents) == text
    assert [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices][-1] == "stop"
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert (chunks[-1].usage.prompt_tokens, chunks[-1].usage.completion_tokens, chunks[-1].usage.total_tokens) == (
        42, 7, 49,
    )  # fmt: skip


async def test_the_model_s_known_failure_text_and_a_whitespace_delta_before_a_tool_call_are_scriptable(
    fake: FakeOpenAI,
) -> None:
    fake.script("functions.search_properties:", Reply(text="\n\n", tool_calls=[ToolCall("search_properties")]))
    first, second = await stream(fake), await stream(fake)

    assert "".join(c.choices[0].delta.content or "" for c in first if c.choices) == "functions.search_properties:"
    deltas = [chunk.choices[0].delta for chunk in second if chunk.choices]
    assert deltas[1].content == "\n\n" and deltas[2].tool_calls and deltas[2].tool_calls[0].id


async def test_a_non_streamed_reply_carries_text_tool_calls_usage_and_the_request_is_recorded(
    fake: FakeOpenAI,
) -> None:
    fake.script(Reply.call("search_properties", SEARCH_ARGUMENTS, text="Searching."))
    async with client(fake) as openai_client:
        completion = await openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        default = await openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)

    message = completion.choices[0].message
    assert completion.object == "chat.completion" and completion.choices[0].finish_reason == "tool_calls"
    assert message.content == "Searching." and message.tool_calls
    call = message.tool_calls[0]
    assert call.type == "function" and call.function.name == "search_properties"
    assert json.loads(call.function.arguments) == SEARCH_ARGUMENTS
    assert completion.usage and completion.usage.prompt_tokens > 0 and completion.usage.completion_tokens > 0
    assert default.choices[0].message.content == DEFAULT_CHAT_TEXT
    assert fake.chat_requests[0]["authorization"] == "Bearer sk-test"
    assert fake.chat_requests[0]["body"]["messages"] == MESSAGES


async def test_a_responder_answers_from_the_conversation(fake: FakeOpenAI) -> None:
    def responder(body: dict[str, Any]) -> Reply | str:
        if body["messages"][-1]["role"] == "user":
            return Reply.call("search_properties", SEARCH_ARGUMENTS)
        return "Found them."

    fake.responder = responder
    async with client(fake) as openai_client:
        first = await openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
        call = first.choices[0].message.tool_calls
        assert call
        tool_turn = [
            *MESSAGES,
            first.choices[0].message.model_dump(exclude_none=True),
            {"role": "tool", "tool_call_id": call[0].id, "content": "[]"},
        ]
        second = await openai_client.chat.completions.create(model="gpt-4o-mini", messages=tool_turn)
    assert second.choices[0].message.content == "Found them."


async def test_fail_next_answers_with_openai_errors_then_recovers(fake: FakeOpenAI) -> None:
    fake.fail_next(1)
    with pytest.raises(openai.InternalServerError) as raised:
        await stream(fake)
    assert raised.value.status_code == 500 and raised.value.type == "server_error"

    fake.fail_next(1, status=429)
    with pytest.raises(openai.RateLimitError):
        await stream(fake)
    assert len(await stream(fake)) > 1
    assert len(fake.chat_requests) == 3


async def test_a_delayed_reply_times_the_client_out(fake: FakeOpenAI) -> None:
    fake.delay_seconds = 30
    started = time.monotonic()
    async with client(fake, timeout=0.3) as openai_client:
        with pytest.raises(openai.APITimeoutError):
            await openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
    assert time.monotonic() - started < 5


async def test_the_model_list_names_the_models(fake: FakeOpenAI) -> None:
    async with client(fake) as openai_client:
        models = [model.id async for model in openai_client.models.list()]
    assert models == fake.models


async def test_replies_queued_from_another_thread_are_all_served_in_order(fake: FakeOpenAI) -> None:
    await asyncio.gather(*(asyncio.to_thread(fake.script, f"reply {n}") for n in range(5)))
    async with client(fake) as openai_client:
        answers = []
        for _ in range(5):
            completion = await openai_client.chat.completions.create(model="gpt-4o-mini", messages=MESSAGES)
            answers.append(str(completion.choices[0].message.content))
    assert sorted(answers) == [f"reply {n}" for n in range(5)]


async def test_a_pydantic_ai_agent_calls_its_tool_with_streamed_arguments_and_streams_its_answer(
    fake: FakeOpenAI,
) -> None:
    pytest.importorskip("pydantic_ai")
    from pydantic_ai import (
        Agent,
        AgentRunResultEvent,
        FunctionToolCallEvent,
        FunctionToolResultEvent,
        PartDeltaEvent,
        PartStartEvent,
        TextPartDelta,
        ToolCallPartDelta,
    )
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    model = OpenAIChatModel("gpt-4o-mini", provider=OpenAIProvider(base_url=fake.base_url, api_key="sk-test"))
    agent = Agent(model, instructions="You find property in Egypt.")
    searched: list[dict[str, Any]] = []

    @agent.tool_plain
    def search_properties(city: str, max_price: int, type: str) -> list[dict[str, Any]]:
        searched.append({"city": city, "max_price": max_price, "type": type})
        return [{"id": 7, "title": "Villa in New Cairo"}]

    # A whitespace-only text part before the tool call, as some models send: the run must go on past it.
    fake.script(Reply(text="\n\n", tool_calls=[ToolCall("search_properties", SEARCH_ARGUMENTS)]))
    fake.script(Reply(text="One villa matches: Villa in New Cairo.", prompt_tokens=100, completion_tokens=9))
    events: list[Any] = []
    async with agent.run_stream_events("villas in new cairo under 10 million") as stream:
        events = [event async for event in stream]
        usage = stream.usage

    assert searched == [SEARCH_ARGUMENTS]
    argument_deltas = [e for e in events if isinstance(e, PartDeltaEvent) and isinstance(e.delta, ToolCallPartDelta)]
    assert len(argument_deltas) > 5
    call = next(e for e in events if isinstance(e, FunctionToolCallEvent))
    assert call.part.tool_name == "search_properties" and call.part.args_as_dict() == SEARCH_ARGUMENTS
    result = next(e for e in events if isinstance(e, FunctionToolResultEvent))
    assert result.part.tool_call_id == call.part.tool_call_id
    started_text = [e.part.content for e in events if isinstance(e, PartStartEvent) and e.part.part_kind == "text"]
    text_deltas = [e.delta.content_delta for e in events if isinstance(e, PartDeltaEvent)
                   and isinstance(e.delta, TextPartDelta)]  # fmt: skip
    assert started_text[-1] + "".join(text_deltas) == "One villa matches: Villa in New Cairo."
    assert isinstance(events[-1], AgentRunResultEvent)
    assert events[-1].result.output == "One villa matches: Villa in New Cairo."
    assert usage.requests == 2 and usage.tool_calls == 1 and usage.output_tokens > 9 and usage.input_tokens > 100
    second_request = fake.chat_requests[1]["body"]
    assert second_request["messages"][-1]["role"] == "tool"
    assert second_request["stream_options"] == {"include_usage": True}
