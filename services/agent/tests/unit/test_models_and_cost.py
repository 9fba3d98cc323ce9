"""The local model's request shape (no null content for llama.cpp's server) and the cost meter's prices."""

from __future__ import annotations

from decimal import Decimal

from pydantic_ai.messages import ModelResponse, ToolCallPart
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from osool_agent.brains.openai_compatible import LocalChatModel
from osool_agent.cost import CostMeter, Price


def test_a_tool_call_turn_is_sent_to_the_local_server_with_empty_content_not_null() -> None:
    response = ModelResponse(parts=[ToolCallPart("search_properties", {"query": "flat"}, tool_call_id="call_1")])
    provider = OpenAIProvider(base_url="http://127.0.0.1:9/v1", api_key="local")
    standard = OpenAIChatModel("m", provider=provider)._map_model_response(response)
    local = LocalChatModel("m", provider=provider)._map_model_response(response)
    assert standard is not None and standard["content"] is None  # what OpenAI accepts, and llama.cpp refuses
    assert (
        local is not None
        and local["content"] == ""
        and local["tool_calls"][0]["function"]["name"] == ("search_properties")
    )


def test_prices_come_from_the_price_file_else_genai_prices_and_local_models_are_free() -> None:
    meter = CostMeter(None, 100, {"house-model": Price(Decimal("2"), Decimal("8"))})  # type: ignore[arg-type]
    # By hand: 1,000 input tokens at $2 per million and 500 output at $8 per million = 0.002 + 0.004.
    assert meter.price("openai", "house-model", 1_000, 500) == Decimal("0.006")
    # gpt-4o-mini: $0.15 / $0.60 per million → 1,000 and 500 tokens = 0.00015 + 0.0003.
    assert meter.price("openai", "gpt-4o-mini", 1_000, 500) == Decimal("0.00045")
    assert meter.price("local", "qwen2.5-coder-1.5b-instruct-q4_k_m", 10_000, 10_000) == 0
    assert meter.price("openai", "a-model-nobody-prices", 1_000, 500) == 0


def test_the_local_server_sees_a_tool_result_as_the_users_turn_quoting_the_tool() -> None:
    import asyncio

    from pydantic_ai.messages import ModelRequest, ToolReturnPart, UserPromptPart
    from pydantic_ai.models import ModelRequestParameters

    history = [
        ModelRequest(parts=[UserPromptPart("flat in Maadi")]),
        ModelResponse(parts=[ToolCallPart("search_properties", {"query": "flat"}, tool_call_id="call_1")]),
        ModelRequest(parts=[ToolReturnPart("search_properties", {"listings": [{"id": "a"}]}, tool_call_id="call_1")]),
    ]
    provider = OpenAIProvider(base_url="http://127.0.0.1:9/v1", api_key="local")
    mapped = asyncio.run(LocalChatModel("m", provider=provider)._map_messages(history, ModelRequestParameters()))
    assert [m["role"] for m in mapped] == ["user", "assistant", "user"]
    assert mapped[2]["content"].startswith("Result of search_properties") and '"id":"a"' in mapped[2]["content"]
