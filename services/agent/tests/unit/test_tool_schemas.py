"""Each tool's schema transformed for OpenAI once (StableToolSchemas): the same definitions as the library makes on
every request, made again whenever a tool's definition changes."""

from __future__ import annotations

import copy
from dataclasses import replace

from pydantic_ai.models import ModelRequestParameters
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider
from pydantic_ai.tools import ToolDefinition

from osool_agent.brains.openai_compatible import LocalChatModel, StableToolSchemas
from osool_agent.tools.catalog import pydantic_tools

PROVIDER = OpenAIProvider(base_url="http://127.0.0.1:9/v1", api_key="sk-test")


def amrs_tools() -> list[ToolDefinition]:
    return [tool.tool_def for tool in pydantic_tools()]


def library(tools: list[ToolDefinition]) -> list[ToolDefinition]:
    """What pydantic-ai's own OpenAI model sends for these tools."""
    parameters = ModelRequestParameters(function_tools=copy.deepcopy(tools))
    return OpenAIChatModel("gpt-4o-mini", provider=PROVIDER).customize_request_parameters(parameters).function_tools


def customize(model: OpenAIChatModel, tools: list[ToolDefinition]) -> list[ToolDefinition]:
    return model.customize_request_parameters(ModelRequestParameters(function_tools=tools)).function_tools


def test_every_request_gets_the_librarys_definitions_transformed_once() -> None:
    model = StableToolSchemas("gpt-4o-mini", provider=PROVIDER)
    expected = library(amrs_tools())
    assert len(expected) == 15 and any(tool.strict for tool in expected)  # the transform did change something
    assert expected != amrs_tools()
    first = customize(model, amrs_tools())
    second = customize(model, amrs_tools())  # new but equal definitions, as each run of the agent makes them
    assert first == expected and second == expected
    assert all(a is b for a, b in zip(first, second, strict=True))  # kept, not walked again


def test_a_tool_whose_definition_changed_is_transformed_again() -> None:
    model = LocalChatModel("local", provider=PROVIDER)
    tools = amrs_tools()
    before = customize(model, tools)
    changed = copy.deepcopy(tools)
    changed[0].parameters_json_schema["properties"]["note"] = {"type": "string"}
    changed[1] = replace(changed[1], description="Another description")
    after = customize(model, changed)
    assert after == library(changed)
    assert "note" in after[0].parameters_json_schema["properties"] and after[1].description == "Another description"
    assert all(a is b for a, b in zip(before[2:], after[2:], strict=True))


def test_a_definition_changed_in_place_is_not_mistaken_for_the_one_kept() -> None:
    model = StableToolSchemas("gpt-4o-mini", provider=PROVIDER)
    tools = amrs_tools()
    customize(model, tools)
    tools[0].parameters_json_schema["properties"]["note"] = {"type": "string"}  # the same dict, mutated
    assert customize(model, tools) == library(tools)


def test_a_request_with_fewer_tools_gets_just_those() -> None:
    model = StableToolSchemas("gpt-4o-mini", provider=PROVIDER)
    tools = amrs_tools()
    customize(model, tools)
    assert customize(model, tools[3:5]) == library(tools[3:5])
    assert customize(model, []) == []
