"""A seller's answer to the question the last reply asked (what prompts the sale, when, the condition, the price) is
thanked for, not read as a search; an asking price is set against the estimate just made; a message asking for
something else is that request."""

from __future__ import annotations

from typing import Any

import pytest

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import Reading, read_message, seller_answer


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
