"""The agent's labelled requests (eval/requests.jsonl): enough of them, in both languages, for every tool, each one a
call its tool would accept; and the runner's judgement of a tool call."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from pydantic import BaseModel

from osool_agent.evaluation import judge, load_eval_set, placeholders_in, resolve
from osool_agent.tools.chain import AvailabilityArgs
from osool_agent.tools.finance import MortgageArgs, RoiArgs
from osool_agent.tools.listings import CompareArgs, GetPropertyArgs, SearchArgs
from osool_agent.tools.market import TrendsArgs, ValuationArgs

ARGUMENTS: dict[str, type[BaseModel]] = {
    "search_properties": SearchArgs,
    "get_property": GetPropertyArgs,
    "compare_units": CompareArgs,
    "calculate_mortgage": MortgageArgs,
    "calculate_investment_roi": RoiArgs,
    "run_valuation": ValuationArgs,
    "check_market_trends": TrendsArgs,
    "check_availability": AvailabilityArgs,
}
# What the placeholders stand for when a request's arguments are checked against its tool's model.
SHOWN = [{"id": f"SHOWN-{i:03d}", "price": 5_000_000 + 1_000_000 * i} for i in range(5)]
EVAL_SET = load_eval_set()


def test_the_set_has_enough_requests_in_both_languages() -> None:
    languages = Counter(item["language"] for item in EVAL_SET)
    assert len(EVAL_SET) >= 100
    assert set(languages) == {"en", "ar"}
    assert min(languages.values()) >= 45


def test_every_tool_is_asked_for_at_least_eight_times_and_small_talk_calls_none() -> None:
    tools = Counter(item["tool"] for item in EVAL_SET)
    assert set(tools) - {None} == set(ARGUMENTS)
    assert all(tools[tool] >= 8 for tool in ARGUMENTS)
    assert tools[None] >= 2
    assert all(not item["arguments"] for item in EVAL_SET if item["tool"] is None)


def test_every_request_has_a_unique_id_and_the_fields_the_runner_reads() -> None:
    assert len({item["id"] for item in EVAL_SET}) == len(EVAL_SET)
    for item in EVAL_SET:
        assert set(item) == {"id", "language", "message", "context", "tool", "arguments"}, item["id"]
        assert item["message"].strip() and isinstance(item["context"], list), item["id"]


@pytest.mark.parametrize("item", [i for i in EVAL_SET if i["tool"]], ids=lambda item: item["id"])
def test_expected_arguments_are_a_call_the_tool_accepts(item: dict[str, Any]) -> None:
    model = ARGUMENTS[item["tool"]]
    unknown = set(item["arguments"]) - set(model.model_fields)
    assert not unknown, f"{item['id']}: {unknown} are not arguments of {item['tool']}"
    arguments = resolve(item["arguments"], SHOWN)
    if item["tool"] == "search_properties":
        arguments = {"query": item["message"], **arguments}  # the query is not compared
    model.model_validate(arguments)


def test_placeholders_refer_only_to_listings_an_earlier_turn_showed() -> None:
    for item in EVAL_SET:
        if placeholders_in(item["arguments"]):
            assert item["context"], f"{item['id']} refers to a listing but shows none first"


def test_a_call_matches_with_numbers_within_one_percent_and_lists_in_any_order() -> None:
    call = {"name": "compare_units", "arguments": {"property_ids": ["b", "A"]}}
    assert judge("compare_units", {"property_ids": ["a", "b"]}, call) is None
    call = {"name": "calculate_mortgage", "arguments": {"property_price": 5_040_000, "years": 10}}
    assert judge("calculate_mortgage", {"property_price": 5_000_000, "years": 10}, call) is None
    assert judge("calculate_mortgage", {"property_price": 5_100_000, "years": 10}, call) is not None
    # a term is not among the figures that must not be invented: a default the brain chose is no miss
    assert judge("calculate_mortgage", {"property_price": 5_000_000}, call) is None


def test_a_wrong_tool_a_wrong_value_or_an_invented_number_is_a_miss() -> None:
    search = {"name": "search_properties", "arguments": {"query": "villa", "location": "new cairo", "max_price": 9e6}}
    assert judge("search_properties", {"location": "New Cairo", "max_price": 9_000_000}, search) is None
    assert judge("search_properties", {"location": "New Cairo"}, search) == "max_price=9000000.0 not asked for"
    assert judge("search_properties", {"location": "Maadi"}, search) is not None
    assert judge("get_property", {"property_id": "x"}, search) == "tool search_properties instead of get_property"
    assert judge(None, {}, None) is None
