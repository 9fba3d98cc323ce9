"""Grounding without servers: which numbers a person states, which sentences a reply may keep, which tool arguments
stand, the sentence gate, and the local model's bare `functions.NAME:` reply."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart

from osool_agent.brains import repair_bare_call
from osool_agent.grounding import Facts, ground_arguments, ground_reply, split_sentences, stated_numbers
from osool_agent.service import SentenceGate, shown_listings, to_model_messages

LISTING = {"id": "0b6f6a4e-3f4e-4a8e-9a57-2f4b1c3d5e6f", "source_id": "NCA-000123", "title": "Sunny flat",
           "price": 7_980_000, "size_sqm": 165.0, "price_per_sqm": 48_364}  # fmt: skip


def facts() -> Facts:
    known = Facts()
    known.add_tool_result({"listings": [LISTING]})
    known.add_user_text("3 bedroom apartment in New Cairo under 8 million")
    return known


def test_a_range_with_one_unit_states_both_ends_in_that_unit() -> None:
    assert {25.0, 40.0, 25e6, 40e6} <= stated_numbers("villa between 25 and 40 million")
    # the first end's half without the unit, as the search reads it
    assert {2.5e6, 3.5e6} <= stated_numbers("شقة في التجمع من 2 ونص ل 3 ونص مليون")
    assert {2.5e6, 3.5e6} <= stated_numbers("men 2 w nos le 3 w nos milyon")


def test_arabic_digits_and_words_are_read() -> None:
    assert {8e6, 8.5e6} <= stated_numbers("شقة ب ٨ مليون ونص")
    assert 3.0 in stated_numbers("تلات غرف")
    assert 500_000.0 in stated_numbers("500k down")


@pytest.mark.parametrize(
    ("text", "value"),
    [("3ayez fiha 4 w nos milyon", 4.5e6), ("٤ ونص مليون", 4.5e6), ("2 and a half million", 2.5e6),
     ("3 malayeen", 3e6), ("500 2alf", 500_000.0), ("3 milyon w nos", 3.5e6)],
)  # fmt: skip
def test_a_sum_said_in_franco_or_with_its_half_before_the_unit_is_stated(text: str, value: float) -> None:
    """A seller's "3ayez fiha 4 w nos milyon" answered "Noted: EGP 4,500,000" was refused as a number nobody said."""
    assert value in stated_numbers(text)


def test_exact_and_rounded_tool_numbers_pass_in_english_and_arabic() -> None:
    text = ("Sunny flat NCA-000123 costs EGP 7,980,000 for 165 m². That is 7.98M, EGP 48,364 per m². "
            "عندي شقة ب ٧٫٩٨ مليون جنيه مساحتها ١٦٥ متر.")  # fmt: skip
    kept, violations = ground_reply(text, facts())
    assert violations == [] and kept == text


def test_an_invented_price_size_or_listing_is_removed_with_its_sentence() -> None:
    text = (f"Sunny flat costs EGP 7,980,000. Another is {uuid.uuid4()}. Listing XYZ-000999 is great. "
            "A 200 sqm unit is 6M. It is under your 8M budget.")  # fmt: skip
    kept, violations = ground_reply(text, facts())
    assert kept == "Sunny flat costs EGP 7,980,000. It is under your 8M budget."
    assert sorted(v.kind for v in violations) == ["listing", "listing", "price", "size"]


def test_unstated_numeric_arguments_are_dropped_and_stated_ones_kept() -> None:
    kept, dropped = ground_arguments(
        {"query": "x", "max_price": 8_000_000, "bedrooms": 3, "min_price": 4_000_000, "min_size_sqm": 170}, facts()
    )
    assert kept == {"query": "x", "max_price": 8_000_000, "bedrooms": 3}
    assert sorted(dropped) == ["min_price", "min_size_sqm"]
    # A price a tool returned may be used (a mortgage on the listing shown).
    assert ground_arguments({"property_price": 7_980_000}, facts()) == ({"property_price": 7_980_000}, [])


def test_sentences_split_and_join_back_to_the_text() -> None:
    text = "Hello there. How are you?\nFine! ok؟ تمام."
    assert "".join(split_sentences(text)) == text
    # A numbered list item stays one piece with its number.
    assert split_sentences("Found:\n1. Flat at EGP 7.98M. 2. Villa.") == [
        "Found:\n",
        "1. Flat at EGP 7.98M. ",
        "2. Villa.",
    ]


def test_the_gate_sends_grounded_sentences_and_holds_everything_after_an_ungrounded_one() -> None:
    sent: list[str] = []

    async def emit(text: str) -> None:
        sent.append(text)

    async def run() -> SentenceGate:
        gate = SentenceGate(facts(), emit)
        for piece in ["Sunny flat costs EGP 7,98", "0,000. It has 165 m². Also ", "one at EGP 3,100,000. And more."]:
            await gate.feed(piece)
        await gate.finish()
        return gate

    gate = asyncio.run(run())
    assert "".join(sent) == "Sunny flat costs EGP 7,980,000. It has 165 m². "
    assert [v.kind for v in gate.violations] == ["price"]
    assert gate.held == ["Also one at EGP 3,100,000. ", "And more."]


def test_a_bare_function_reply_becomes_a_tool_call() -> None:
    tools = {"search_properties", "get_property"}
    bare = repair_bare_call(ModelResponse(parts=[TextPart("functions.search_properties:")]), tools)
    assert isinstance(bare.parts[0], ToolCallPart) and bare.parts[0].tool_name == "search_properties"
    assert bare.parts[0].args_as_dict() == {}
    with_args = repair_bare_call(
        ModelResponse(parts=[TextPart('functions.get_property: {"property_id": "NCA-000123"}')]), tools
    )
    assert with_args.parts[0].args_as_dict() == {"property_id": "NCA-000123"}  # type: ignore[union-attr]
    prose = ModelResponse(parts=[TextPart("search_properties: is what I would use.")])
    assert repair_bare_call(prose, tools) is prose
    unknown = ModelResponse(parts=[TextPart("functions.delete_everything:")])
    assert repair_bare_call(unknown, tools) is unknown


def test_history_becomes_the_models_context_with_each_tool_call_and_result() -> None:
    past = [
        {"role": "user", "content": "flat in Maadi"},
        {"role": "tool", "content": '{"ok": true, "listings": [{"id": "a"}, {"id": "b"}]}',
         "tool_calls": [{"id": "call_1", "name": "search_properties", "arguments": {"query": "flat in Maadi"}}]},
        {"role": "assistant", "content": "Here they are."},
    ]  # fmt: skip
    messages = to_model_messages(past)
    kinds = [type(part).__name__ for message in messages for part in message.parts]
    assert kinds == ["UserPromptPart", "ToolCallPart", "ToolReturnPart", "TextPart"]
    assert [listing["id"] for listing in shown_listings(past)] == ["a", "b"]
    # A comparison of two shown after it: "the first" is the comparison's, "the third" still the search's third.
    searched = [{"role": "tool", "content": '{"listings": [{"id": "a"}, {"id": "b"}, {"id": "c"}, {"id": "d"}]}'}]
    compared = [{"role": "tool", "content": '{"listings": [{"id": "d"}, {"id": "b"}]}'},
                {"role": "tool", "content": '{"ok": true, "gross_yield_pct": 5.2}'}]  # fmt: skip
    assert [listing["id"] for listing in shown_listings(searched + compared)] == ["d", "b", "c", "d"]
    # One listing looked at since ("does the third have a garden?") is not a list: "the first" is still the first.
    looked = [{"role": "tool", "content": '{"ok": true, "listing": {"id": "c"}}'}]
    assert [listing["id"] for listing in shown_listings(searched + looked)] == ["a", "b", "c", "d"]
