"""A seller's answer to the question the last reply asked (what prompts the sale, when, the condition, the price) is
thanked for, not read as a search; an asking price is set against the estimate just made; a message asking for
something else is that request."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import (
    VALUATION_ASKED,
    Reading,
    answers_nothing,
    read_message,
    seller_answer,
    valuation_continued,
    valuation_pending,
    valuation_refined,
)


def reading_of(text: str, filters: dict[str, Any] | None = None, valued: int | None = None) -> Reading:
    parsed = {"filters": filters or {}, "text": text, "understood": []}
    reading = read_message(text, parsed, [], "auto", valued=valued)
    reading.parsed = parsed
    return reading


@pytest.mark.parametrize(
    ("text", "filters", "question"),
    [("I'm relocating abroad", {}, "motivation"), ("within 3 months", {}, "timeline"),
     ("it's fully finished and in great condition", {"finishing": ["fully_finished"]}, "condition"),
     ("محتاجة شوية شغل", {}, "condition"), ("مسافر", {}, "motivation")],
)  # fmt: skip
def test_an_answer_is_thanked_for(text: str, filters: dict[str, Any], question: str) -> None:
    answer = seller_answer(text, reading_of(text, filters), question, 7_851_420)
    assert answer is not None and (answer.tool, answer.smalltalk) == (None, "seller_noted")
    assert write_reply(answer, []) == ("تمام، سجلت ده." if answer.language == "ar" else "Thank you, noted.")


@pytest.mark.parametrize("text", ["ba3 b kam?", "how much would it sell for?", "بكام؟", "هتتباع بكام؟", "how much?"])
def test_a_sellers_question_of_what_it_sells_for_is_no_answer(text: str) -> None:
    assert seller_answer(text, reading_of(text), "motivation", None) is None


@pytest.mark.parametrize("text", ["yes", "ok", "sure", "لا", "not sure", "مش عارف", "mesh 3aref", "maybe"])
def test_a_bare_yes_or_not_knowing_answers_nothing(text: str) -> None:
    assert answers_nothing(text)


@pytest.mark.parametrize("text", ["as soon as possible", "we are moving abroad", "fully finished", "6 million"])
def test_an_answer_is_not_taken_for_nothing(text: str) -> None:
    assert not answers_nothing(text)


def test_nothing_to_note_is_said_so() -> None:
    assert write_reply(Reading("en", None, smalltalk="seller_skipped"), []) == "No problem, we can leave that for now."
    assert write_reply(Reading("ar", None, smalltalk="seller_skipped"), []) == "ولا يهمك، نسيبها دلوقتي."


@pytest.mark.parametrize(
    ("text", "filters", "estimate", "reply"),
    [
        ("I was hoping for 12 million", {"max_price": 12_000_000}, 7_851_420,
         "Noted: EGP 12,000,000. That is 53% above the estimate of EGP 7,851,420 from comparable listings; priced "
         "nearer the estimate it would likely sell sooner."),
        ("around 8M", {"min_price": 7_200_000, "max_price": 8_800_000}, 7_851_420,
         "Noted: EGP 8,000,000. That is in line with the estimate of EGP 7,851,420 from comparable listings."),
        ("6 million", {"max_price": 6_000_000}, 7_851_420,
         "Noted: EGP 6,000,000. That is 24% below the estimate of EGP 7,851,420 from comparable listings, so you may "
         "be able to ask for more."),
        ("في بالي 5 مليون", {"max_price": 5_000_000}, 4_905_525,
         "تمام، سجلت السعر: 5,000,000 جنيه. ده في حدود التقدير (4,905,525 جنيه من وحدات مشابهة)."),
        ("I'm hoping for 6 million", {"max_price": 6_000_000}, None, "Noted: EGP 6,000,000."),
    ],
)  # fmt: skip
def test_an_asking_price_is_set_against_the_estimate(
    text: str, filters: dict[str, Any], estimate: int | None, reply: str
) -> None:
    answer = seller_answer(text, reading_of(text, filters), "price_expectation", estimate)
    assert answer is not None and answer.smalltalk == "seller_price"
    assert write_reply(answer, []) == reply


@pytest.mark.parametrize(
    ("text", "filters"),
    [("what would it rent for?", {}), ("show me villas in Sheikh Zayed", {"property_types": ["Villa"],
                                                                           "locations": ["Sheikh Zayed"]})],
)  # fmt: skip
def test_another_request_is_that_request(text: str, filters: dict[str, Any]) -> None:
    reading = reading_of(text, filters, valued=7_851_420)
    assert reading.tool in ("calculate_investment_roi", "search_properties")
    assert seller_answer(text, reading, "timeline", 7_851_420) is None


@pytest.mark.parametrize(
    ("text", "question"),
    [("I want 6 million for it", "timeline"), ("عايز فيها ٦ مليون", "motivation"), ("my price is 6M", "condition"),
     # "what if I ask...": an asking price tried out, set against the estimate too
     ("what if I ask 6 million?", "timeline"), ("w law 3ayez 6 milyon?", "condition"),
     ("طب لو طلبت ٦ مليون؟", "motivation"),
     # "I was thinking 6 million" after "When would you like it sold?": no time, a price in mind
     ("I was thinking 6 million", "timeline"), ("كنت بفكر في 6 مليون", "timeline"),
     ("6M is what I had in mind", "motivation")],
)  # fmt: skip
def test_an_asking_price_said_out_of_turn_is_still_the_asking_price(text: str, question: str) -> None:
    answer = seller_answer(text, reading_of(text, {"max_price": 6_000_000}), question, 5_915_325)
    assert answer is not None and answer.smalltalk == "seller_price"
    assert answer.arguments == {"asking": 6_000_000, "estimate": 5_915_325}


def test_a_sum_that_is_no_asking_price_is_only_noted() -> None:
    # Money spent on the home is not what the seller asks for it, unless asked for the price.
    text = "we spent 500k on the finishing last year"
    answer = seller_answer(text, reading_of(text, {"max_price": 500_000}), "condition", 5_915_325)
    assert answer is not None and answer.smalltalk == "seller_noted"


@pytest.mark.parametrize(
    ("text", "reply"),
    [("how much is it worth?", "My estimate is about EGP 5,915,325, from the comparable listings above. If its size "
                               "or area differ, tell me and I will value it again."),
     ("هتجيب كام؟", "تقديري ليها حوالي 5,915,325 جنيه، من الوحدات المشابهة اللي فوق. لو المساحة أو المنطقة مختلفة "
                   "قولي وأقيمها تاني.")],
)  # fmt: skip
def test_what_it_is_worth_right_after_the_valuation_is_its_estimate_again(text: str, reply: str) -> None:
    for short in ("how much?", "بكام؟", "how much is it?", "طب هي بكام؟"):  # bare, right after it
        assert reading_of(short, valued=5_915_325).smalltalk == "valued_again", short
    reading = reading_of(text, valued=5_915_325)
    assert (reading.tool, reading.smalltalk) == (None, "valued_again")
    assert seller_answer(text, reading, "motivation", 5_915_325) is None  # a question, not the answer asked for
    assert write_reply(reading, []) == reply
    assert reading_of(text).smalltalk == "valuation_details"  # with nothing valued, the details are asked for


@pytest.mark.parametrize(
    "text", ["how long would it take to sell?", "how quickly can I sell it?", "هتتباع في قد إيه؟", "tetba3 f ad eh?"]
)
def test_how_long_a_sale_takes_is_not_promised_and_the_price_against_the_estimate_is_what_decides_it(text: str) -> None:
    reading = reading_of(text, valued=5_915_325)
    assert (reading.tool, reading.smalltalk, reading.arguments) == (None, "time_to_sell", {"estimate": 5_915_325})
    # Asked when the last reply asked when the seller wants it sold: a question, not that answer.
    assert seller_answer(text, reading, "timeline", 5_915_325) is None
    said = write_reply(reading, [])
    assert said.startswith(("I cannot promise a time: my listings show asking prices", "مقدرش أوعدك بمدة")), said
    assert "5,915,325" in said
    # Nothing valued yet: the valuation is offered first, no figure made up.
    unvalued = reading_of(text)
    assert (unvalued.smalltalk, unvalued.arguments) == ("time_to_sell", {})
    first = write_reply(unvalued, [])
    assert not any(ch.isdigit() for ch in first) and ("value it first" in first or "أقيمهالك" in first), first
    # Not a sale: how long a delivery or a lease takes is no such question.
    for other in ("how long is the delivery?", "how long is the lease?", "I want to sell my flat in Maadi"):
        assert reading_of(other, valued=5_915_325).smalltalk != "time_to_sell", other


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_valuation_asks_no_question_of_its_own_before_the_sellers_questions(language: str) -> None:
    content = {"ok": True, "comparables_count": 10, "location": "Maadi", "estimate": 5_915_325, "low": 5_520_938,
               "high": 5_941_950, "median_price_per_sqm": 39_436, "confidence": "high"}  # fmt: skip
    reading = Reading(language, "run_valuation", {"location": "Maadi"})
    text = write_reply(reading, [ToolReturnPart("run_valuation", content, "c1")])
    assert "5,915,325" in text and "?" not in text and "؟" not in text


@pytest.mark.parametrize(
    ("text", "filters", "missing", "reply"),
    [("I want to sell my apartment in New Cairo", {"property_types": ["Apartment"], "locations": ["New Cairo"]},
      ["size_sqm"], "To value it I still need its size in m² (and bedrooms if you know)."),
     ("I want to sell my villa", {"property_types": ["Villa"]}, ["location", "size_sqm"],
      "To value it I still need its area and its size in m² (and bedrooms if you know)."),
     ("عايز أبيع شقتي في التجمع", {"property_types": ["Apartment"], "locations": ["New Cairo"]}, ["size_sqm"],
      "عشان أقيمها لسه محتاج المساحة بالمتر (وعدد الغرف لو تعرفه)."),
     ("I want to sell my property", {}, ["location", "property_type", "size_sqm"],
      "To value a property I need its area, its type and its size in m² (and bedrooms if you know).")],
)  # fmt: skip
def test_a_valuation_asks_only_for_the_details_not_given(
    text: str, filters: dict[str, Any], missing: list[str], reply: str
) -> None:
    reading = reading_of(text, filters)
    assert (reading.tool, reading.smalltalk, reading.arguments) == (None, "valuation_details", {"missing": missing})
    assert write_reply(reading, []) == reply
    assert reply.startswith(VALUATION_ASKED)  # how the next turns know the details were asked for


def _turns(*messages: str) -> list[dict[str, Any]]:
    """A conversation: user and assistant messages alternating, the first the user's."""
    return [{"role": "user" if n % 2 == 0 else "assistant", "content": m} for n, m in enumerate(messages)]


def test_the_messages_since_the_details_were_asked_are_pending_until_a_valuation() -> None:
    asked = (
        "To value it I still need its size in m² (and bedrooms if you know).\n\nMay I ask what is prompting the sale?"
    )
    past = _turns("hello", "Welcome!", "I want to sell my apartment in New Cairo", asked, "relocating",
                  "Thank you, noted.\n\nWhen would you like it sold?")  # fmt: skip
    assert valuation_pending(past) == ["I want to sell my apartment in New Cairo", "relocating"]
    valued = {"role": "tool", "content": '{"ok": true, "estimate": 8000000}',
              "tool_calls": [{"name": "run_valuation", "arguments": {"location": "New Cairo"}}]}  # fmt: skip
    assert valuation_pending([*past, {"role": "user", "content": "150 m2"}, valued]) == []
    assert valuation_pending(_turns("hello", "Welcome!")) == []
    # Eight of the seller's messages since are still pending (the four seller's questions and the consent may come
    # before the size); nine are too long ago.
    later = [*past, *_turns("a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n")]
    assert valuation_pending(later) == ["I want to sell my apartment in New Cairo", "relocating", "a", "c", "e", "g",
                                        "i", "k", "m"]  # fmt: skip
    assert valuation_pending([*later, *_turns("o", "p")]) == []
    # Asked again since: from the first ask.
    again = _turns("I want to sell my property", "To value a property I need its area, its type and its size in m².",
                   "a villa in Sheikh Zayed", "To value it I still need its size in m².")  # fmt: skip
    assert valuation_pending(again) == ["I want to sell my property", "a villa in Sheikh Zayed"]


@pytest.mark.parametrize(
    ("text", "filters", "combined_filters", "taken"),
    [
        # With the ask, the size makes the valuation, whatever Amr asked in between.
        ("3 bedrooms, 150 square meters", {"bedrooms": 3, "min_size_sqm": 128, "max_size_sqm": 172},
         {"bedrooms": 3, "min_size_sqm": 128, "max_size_sqm": 172, "property_types": ["Apartment"],
          "locations": ["New Cairo"]}, "run_valuation"),
        # A place and a type only, after "I want to sell my property": still the seller's, the size asked for.
        ("a villa in Sheikh Zayed", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]},
         {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}, "valuation_details"),
        # A buyer's request, or an answer that names no detail, keeps its own reading.
        ("show me apartments in Maadi", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         {"property_types": ["Apartment"], "locations": ["New Cairo", "Maadi"]}, None),
        ("as soon as possible", {}, {"property_types": ["Apartment"], "locations": ["New Cairo"]}, None),
        # Asking what it sells for before the details are in: what is still missing, asked again
        ("ba3 b kam?", {}, {"property_types": ["Apartment"], "locations": ["New Cairo"]}, "valuation_details"),
        ("بكام؟", {}, {"property_types": ["Apartment"], "locations": ["New Cairo"]}, "valuation_details"),
        # Its finishing alone answers the seller's question of its condition (kept for the valuation once the size
        # comes: test_a_finishing_said_before_the_size_is_in_the_valuation)
        ("fully finished", {"finishing": ["fully_finished"]},
         {"property_types": ["Apartment"], "locations": ["New Cairo"], "finishing": ["fully_finished"]}, None),
    ],
)  # fmt: skip
def test_details_given_later_continue_the_valuation(
    text: str, filters: dict[str, Any], combined_filters: dict[str, Any], taken: str | None
) -> None:
    asker = "I want to sell my property" if "Sheikh Zayed" in text else "I want to sell my apartment in New Cairo"
    joined = f"{asker}. {text}"
    combined = reading_of(joined, combined_filters)
    continued = valuation_continued(text, {"filters": filters}, reading_of(text, filters), combined)
    assert continued == (taken is not None)
    if taken:
        assert (combined.tool or combined.smalltalk) == taken
    if taken == "run_valuation":
        assert combined.arguments == {"location": "New Cairo", "property_type": "Apartment", "size_sqm": 150.0,
                                      "bedrooms": 3}  # fmt: skip


VALUED = {"location": "New Cairo", "property_type": "Apartment", "size_sqm": 150.0}


@pytest.mark.parametrize(
    ("text", "filters"),
    [("3 ghoraf, metshatba", {"bedrooms": 3, "finishing": ["fully_finished"]}), ("3 bedrooms", {"bedrooms": 3}),
     ("شقة 3 غرف", {"bedrooms": 3, "property_types": ["Apartment"]})],
)  # fmt: skip
def test_rooms_said_after_a_valuation_value_the_home_again(text: str, filters: dict[str, Any]) -> None:
    refined = valuation_refined(text, reading_of(text, filters), VALUED)
    finished = {"finishing": "fully_finished"} if "finishing" in filters else {}
    assert refined is not None
    assert (refined.tool, refined.arguments) == ("run_valuation", VALUED | {"bedrooms": 3} | finished)


@pytest.mark.parametrize(
    ("text", "finishing"),
    [("fully finished", "fully_finished"), ("على المحارة", "core_and_shell"), ("hya metshatba", "fully_finished")],
)  # fmt: skip
def test_its_finishing_said_after_a_valuation_values_the_home_again(text: str, finishing: str) -> None:
    refined = valuation_refined(text, reading_of(text, {"finishing": [finishing]}), VALUED | {"bedrooms": 3})
    assert refined is not None
    assert (refined.tool, refined.arguments) == ("run_valuation", VALUED | {"bedrooms": 3, "finishing": finishing})
    # Said again, or "fully finished or semi-finished" (no one finishing), it changes nothing
    again = VALUED | {"finishing": finishing}
    assert valuation_refined(text, reading_of(text, {"finishing": [finishing]}), again) is None
    both = {"finishing": ["fully_finished", "semi_finished"]}
    assert valuation_refined("fully or semi finished", reading_of("fully or semi finished", both), VALUED) is None


@pytest.mark.parametrize(
    ("text", "filters", "valued"),
    [("3 bedrooms", {"bedrooms": 3}, VALUED | {"bedrooms": 3}),  # already valued with them
     ("show me 3 bedroom apartments", {"bedrooms": 3, "property_types": ["Apartment"]}, VALUED),
     ("3 bedroom apartment in Maadi", {"bedrooms": 3, "property_types": ["Apartment"], "locations": ["Maadi"]},
      VALUED),
     ("3 bedroom villa", {"bedrooms": 3, "property_types": ["Villa"]}, VALUED)],
)  # fmt: skip
def test_a_message_that_is_not_the_valued_homes_rooms_keeps_its_reading(
    text: str, filters: dict[str, Any], valued: dict[str, Any]
) -> None:
    assert valuation_refined(text, reading_of(text, filters), valued) is None


def test_a_finishing_said_before_the_size_is_in_the_valuation() -> None:
    # "I want to sell my apartment in New Cairo", "fully finished", then "150 m²": read together, the valuation
    joined = "I want to sell my apartment in New Cairo. fully finished. 150 m²"
    filters = {"property_types": ["Apartment"], "locations": ["New Cairo"], "finishing": ["fully_finished"],
               "min_size_sqm": 128, "max_size_sqm": 172}  # fmt: skip
    combined = reading_of(joined, filters)
    assert (combined.tool, combined.arguments) == (
        "run_valuation", {"location": "New Cairo", "property_type": "Apartment", "size_sqm": 150.0,
                          "finishing": "fully_finished"})  # fmt: skip


@pytest.mark.parametrize(("text", "supposed"), [("طب لو متشطبة؟", True), ("what if it were fully finished?", True),
                                                ("law metshatba?", True), ("it is fully finished", False),
                                                ("متشطبة", False)])  # fmt: skip
def test_a_finishing_supposed_is_valued_and_not_called_the_sellers(text: str, supposed: bool) -> None:
    refined = valuation_refined(text, reading_of(text, {"finishing": ["fully_finished"]}), VALUED)
    assert refined is not None and refined.arguments["finishing"] == "fully_finished"
    assert refined.note == ("what_if" if supposed else None)
    valuation = {"ok": True, "location": "New Cairo", "location_ar": "التجمع الخامس", "property_type": "Apartment",
                 "size_sqm": 150, "estimate": 9_000_000, "low": 8_000_000, "high": 10_000_000,
                 "median_price_per_sqm": 60_000, "comparables_count": 10, "confidence": "high",
                 "finishing": "fully_finished", "same_finishing": 10}  # fmt: skip
    said = write_reply(refined, [ToolReturnPart("run_valuation", valuation, "c1")], seed="s")
    ar = refined.language == "ar"
    alike = ("(كلهم متشطبة)" if supposed else "(كلهم متشطبة زي وحدتك)") if ar else (
        "(all of them fully finished)" if supposed else "(all of them fully finished, as yours is)")  # fmt: skip
    assert alike in said, said
