"""The last search continued: "show me more" leaves out what it showed, "any cheaper ones?" brings its budget under
the cheapest shown, "bigger?" its size over the largest, "the cheapest?" orders it; a message with a search of its own
is that search. And the reply says so, or that the search has nothing more."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import LastSearch, Reading, last_calculation, last_search_call, read_message

ARGUMENTS = {"query": "apartment in new cairo under 5 million", "location": "New Cairo",
             "property_type": "Apartment", "max_price": 5_000_000}  # fmt: skip
PREVIOUS = LastSearch(ARGUMENTS, ("a", "b", "c"), (4_540_000, 4_620_000, 4_880_000), (94.0, 112.0, 102.0))
SHOWN = [{"id": ref} for ref in "abc"]


def read(text: str, parsed: dict[str, Any] | None = None) -> Reading:
    parsed = {"filters": {}, "text": text, "understood": [], **(parsed or {})}
    return read_message(text, parsed, SHOWN, "auto", previous=PREVIOUS)


@pytest.mark.parametrize("text", ["show me more", "any more?", "other options?", "وريني كمان", "فيه غيرهم؟", "kaman"])
def test_more_is_the_same_search_without_what_it_showed(text: str) -> None:
    reading = read(text)
    assert (reading.tool, reading.note) == ("search_properties", "more")
    assert reading.arguments == ARGUMENTS | {"exclude_ids": ["a", "b", "c"]}


@pytest.mark.parametrize(
    "text",
    ["any cheaper ones?", "فيه حاجة ارخص؟", "ارخص من كده", "something more affordable", "في أقل من كده؟",
     "fe a2al men keda?", "anything less than that?", "في سعر أقل؟"],
)  # fmt: skip
def test_cheaper_is_the_same_search_under_the_cheapest_shown(text: str) -> None:
    reading = read(text)
    assert (reading.tool, reading.note) == ("search_properties", "cheaper")
    assert reading.arguments == ARGUMENTS | {"max_price": 4_539_999}


@pytest.mark.parametrize("text", ["قسط أقل من كده", "مساحة أقل من كده", "a2al men 3 million"])
def test_less_than_this_with_a_measure_or_a_figure_is_not_the_price_of_what_was_shown(text: str) -> None:
    assert read(text).note != "cheaper"


@pytest.mark.parametrize("text", ["bigger?", "anything larger?", "عايز اوسع", "مساحة اكبر", "fe akbar?", "في أكبر؟"])
def test_bigger_is_the_same_search_over_the_largest_shown(text: str) -> None:
    reading = read(text)
    assert (reading.tool, reading.note) == ("search_properties", "bigger")
    assert reading.arguments == ARGUMENTS | {"min_size_sqm": 113.0}


@pytest.mark.parametrize(
    ("text", "order"),
    [("the cheapest?", "price_asc"), ("the biggest?", "size_desc"), ("الأصغر؟", "size_asc"), ("el akbar", "size_desc")],
)
def test_the_cheapest_or_the_biggest_orders_the_same_search(text: str, order: str) -> None:
    reading = read(text, {"order": order})
    assert (reading.tool, reading.arguments) == ("search_properties", ARGUMENTS | {"order": order})


@pytest.mark.parametrize(
    ("text", "filters"),
    [("what's the monthly if I pay 20% down over 8 years?", {"max_down_payment_pct": 20, "min_installment_years": 8}),
     ("القسط هيبقى كام لو دفعت 20% مقدم على 8 سنين؟", {"max_down_payment_pct": 20, "min_installment_years": 8})],
)  # fmt: skip
def test_the_monthly_on_terms_after_a_search_is_the_mortgage_on_its_budget(text: str, filters: dict[str, Any]) -> None:
    """Not a search for plans of those terms: the monthly on the budget searched under."""
    reading = read(text, {"filters": filters})
    assert (reading.tool, reading.arguments) == (
        "calculate_mortgage", {"property_price": 5_000_000, "down_payment_pct": 20.0, "years": 8}
    )  # fmt: skip
    # Plans of those terms asked for are still searched for
    assert read("only ones with 10% down", {"filters": {"max_down_payment_pct": 10}}).tool == "search_properties"
    # The one listing a search showed: the monthly on it, not on the budget
    one = read_message(text, {"filters": filters, "text": text, "understood": []}, SHOWN, "auto", previous=PREVIOUS,
                       listed=1)  # fmt: skip
    assert (one.tool, one.arguments) == ("calculate_mortgage", {"property_id": "a", "down_payment_pct": 20.0,
                                                                "years": 8})  # fmt: skip


def test_which_one_has_the_biggest_garden_is_those_with_one_said_of_no_size() -> None:
    text = "which one has the biggest garden?"
    reading = read(text, {"filters": {"features": ["garden"]}, "order": "size_desc"})
    assert (reading.tool, reading.note, reading.arguments["location"]) == ("search_properties", "feature_size",
                                                                           "New Cairo")  # fmt: skip
    listing = {
        "id": "a",
        "title": "Villa in New Cairo",
        "type": "Villa",
        "location": "New Cairo",
        "price": 4_540_000,
        "size_sqm": 300,
        "price_per_sqm": 15_133,
        "features": ["garden"],
    }
    content = {"ok": True, "listings": [listing], "applied_filters": {"features": ["garden"]}}
    part = ToolReturnPart("search_properties", content, tool_call_id="c")
    assert write_reply(reading, [part]).startswith(
        "Listings say whether there is a garden, not how big it is. These have a garden:"
    )
    arabic = Reading("ar", reading.tool, reading.arguments, note=reading.note)
    assert write_reply(arabic, [part]).startswith("الإعلانات بتقول فيه جنينة ولا لأ، بس مش بتقول المساحة.")
    # The biggest home asked for is still named by its size
    sized = [{"id": "a", "size_sqm": 94.0}, {"id": "b", "size_sqm": 112.0}]
    biggest = read_message("which one is the biggest?", {"filters": {}, "order": "size_desc"}, sized, "auto")
    assert (biggest.tool, biggest.arguments, biggest.note) == (
        "get_property",
        {"property_id": "b"},
        "of_these:size_desc",
    )


@pytest.mark.parametrize(
    ("text", "order"),
    [("cheapest one per sqm", "price_per_sqm_asc"), ("أرخص واحدة للمتر؟", "price_per_sqm_asc"),
     ("the priciest per meter?", "price_per_sqm_desc")],
)  # fmt: skip
def test_the_cheapest_per_metre_orders_the_same_search_rather_than_quoting_the_market(text: str, order: str) -> None:
    reading = read(text, {"order": order})
    assert (reading.tool, reading.arguments) == ("search_properties", ARGUMENTS | {"order": order})


def test_the_price_per_metre_there_is_still_the_market() -> None:
    assert read("price per meter there?").tool == "check_market_trends"


@pytest.mark.parametrize(
    ("order", "intro"),
    [("size_desc", "These match what you asked for, biggest first:"),
     ("size_asc", "These match what you asked for, smallest first:"),
     ("price_asc", "These match what you asked for, cheapest first:"),
     ("price_per_sqm_asc", "These match what you asked for, the cheapest price per square metre first:")],
)  # fmt: skip
def test_a_search_in_an_order_says_so(order: str, intro: str) -> None:
    listing = {"id": "a", "title": "Villa", "type": "Villa", "location": "New Cairo", "price": 30_000_000,
               "size_sqm": 600.0, "price_per_sqm": 50_000, "bedrooms": 5}  # fmt: skip
    content = {"ok": True, "listings": [listing], "order": order}
    reply = write_reply(Reading("en", "search_properties"), [ToolReturnPart("search_properties", content, "c")])
    assert reply.startswith(intro), reply


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("show me more villas", {"filters": {"property_types": ["Villa"]}}),
        (
            "any cheaper villas in Sheikh Zayed?",
            {"filters": {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}},
        ),
    ],
)
def test_a_message_with_a_search_of_its_own_is_that_search(text: str, parsed: dict[str, Any]) -> None:
    reading = read(text, parsed)
    assert reading.tool == "search_properties" and reading.note is None
    assert reading.arguments["query"] == text and "exclude_ids" not in reading.arguments


def test_more_about_a_listing_named_is_not_more_listings() -> None:
    assert read("tell me more about the second one").tool == "get_property"


def test_the_last_search_is_what_it_showed_with_what_it_left_out_before() -> None:
    def tool(name: str, arguments: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        return {"role": "tool", "content": json.dumps(content), "tool_calls": [{"name": name, "arguments": arguments}]}

    listed = [{"id": "a", "price": 4_540_000, "size_sqm": 94.0}, {"id": "b", "price": 4_620_000, "size_sqm": 112}]
    first = tool("search_properties", ARGUMENTS, {"ok": True, "listings": listed})
    more = tool("search_properties", ARGUMENTS | {"exclude_ids": ["a", "b"]},
                {"ok": True, "listings": [{"id": "c", "price": 4_900_000, "size_sqm": 115.0}]})  # fmt: skip
    looked = tool("get_property", {"property_id": "c"}, {"ok": True, "listing": {"id": "c"}})
    assert last_search_call([first]) == LastSearch(ARGUMENTS, ("a", "b"), (4_540_000, 4_620_000), (94.0, 112.0))
    found = last_search_call([first, more, looked])
    assert found is not None and (found.shown, found.prices) == (("a", "b", "c"), (4_900_000,))
    failed = tool("search_properties", ARGUMENTS, {"ok": False, "error": "unavailable"})
    assert last_search_call([first, failed]) is None and last_search_call([]) is None
    # "Any cheaper?" found nothing: "any bigger?", "show me more" are of the listings still on the screen.
    cheaper = tool("search_properties", ARGUMENTS | {"max_price": 4_539_999}, {"ok": True, "listings": []})
    assert last_search_call([first, cheaper]) == last_search_call([first])
    # A search of its own that found nothing is the last search: nothing on the screen is of it.
    other = {"query": "villa in maadi", "location": "Maadi", "property_type": "Villa"}
    empty = tool("search_properties", other, {"ok": True, "listings": []})
    assert last_search_call([first, empty]) == LastSearch(other, (), (), ())


@pytest.mark.parametrize(
    ("note", "english", "arabic"),
    [
        ("more", "More that match the same search:", "دي اختيارات تانية بنفس المواصفات:"),
        ("cheaper", "Cheaper ones that match the same search:", "دي وحدات أرخص بنفس المواصفات:"),
    ],
)
def test_the_reply_says_it_continues_the_search_or_that_it_has_nothing_more(
    note: str, english: str, arabic: str
) -> None:
    listing = {"id": "d", "title": "Flat", "type": "Apartment", "location": "New Cairo", "price": 4_100_000,
               "price_per_sqm": 41_000, "size_sqm": 100.0, "is_delivered": True}  # fmt: skip

    def reply(listings: list[dict[str, Any]], language: str) -> str:
        part = ToolReturnPart("search_properties", {"ok": True, "listings": listings}, tool_call_id="call_1")
        return write_reply(Reading(language, "search_properties", note=note), [part], seed="s")

    assert reply([listing], "en").startswith(english) and reply([listing], "ar").startswith(arabic)
    assert reply([], "en").startswith("That is everything" if note == "more" else "Nothing cheaper")
    assert reply([], "ar").startswith("دي كل الوحدات" if note == "more" else "مفيش حاجة أرخص")


def refine(text: str, filters: dict[str, Any], regions: list[str] | None = None) -> Reading:
    return read(text, {"filters": filters, "regions": regions or []})


@pytest.mark.parametrize(
    ("text", "filters", "regions", "changed"),
    [
        ("what about in Sheikh Zayed?", {"locations": ["Sheikh Zayed"]}, [], {"location": "Sheikh Zayed"}),
        ("more in Maadi", {"locations": ["Maadi"]}, [], {"location": "Maadi"}),
        ("و في المعادي؟", {"locations": ["Maadi"]}, [], {"location": "Maadi"}),
        ("and in Giza?", {"locations": ["Dokki", "Sheikh Zayed", "6th of October"]}, ["Giza"], {"location": "Giza"}),
        ("under 4 million", {"max_price": 4_000_000}, [], {"max_price": 4_000_000}),
        # Only what the buyer will pay, however many words: the homes they were looking at, within it.
        ("I don't want to pay more than 50k a month for it", {"max_monthly_installment": 50_000}, [], {}),
        ("مش عايز ادفع اكتر من ٥٠ الف في الشهر", {"max_monthly_installment": 50_000}, [], {}),
        ("the most I can put down is 1.5 million and no more than that", {"max_down_payment": 1_500_000}, [], {}),
        (
            "my budget is actually four and a half million at most",
            {"max_price": 4_500_000},
            [],
            {"max_price": 4_500_000},
        ),
        ("same but villas", {"property_types": ["Villa"]}, [], {"property_type": "Villa"}),
        ("بس 2 غرف", {"bedrooms": 2}, [], {"bedrooms": 2}),
        # "Some" and "any" are of the homes the buyer was looking at, however long the message.
        (
            "ok show me some in Sheikh Zayed under 6 million",
            {"locations": ["Sheikh Zayed"], "max_price": 6_000_000},
            [],
            {"location": "Sheikh Zayed", "max_price": 6_000_000},
        ),
        (
            "do you have any in Sheikh Zayed with a garden?",
            {"locations": ["Sheikh Zayed"], "features": ["garden"]},
            [],
            {"location": "Sheikh Zayed"},
        ),
        (
            "وريني حاجات في الشيخ زايد تحت 6 مليون لو سمحت",
            {"locations": ["Sheikh Zayed"], "max_price": 6_000_000},
            [],
            {"location": "Sheikh Zayed", "max_price": 6_000_000},
        ),
        # Filters only the words carry stay in the words: the search reads them from the query.
        ("only ready to move", {"is_delivered": True}, [], {}),
        ("with a garden", {"features": ["garden"]}, [], {}),
        # Which of those shown has something: those of the same search that have it ("which of them has ...?" is
        # asked of each shown instead: test_listing_questions).
        ("which one has the biggest garden?", {"features": ["garden"]}, [], {}),
        ("do any of them have a pool?", {"features": ["pool"]}, [], {}),
        # "which one is ...": the same, not the first two compared ("which one is" asks a comparison otherwise)
        ("which one is ready?", {"is_delivered": True}, [], {}),
        ("which is furnished?", {"finishing": ["furnished"]}, [], {}),
    ],
)
def test_a_change_is_the_last_search_with_that_change(
    text: str, filters: dict[str, Any], regions: list[str], changed: dict[str, Any]
) -> None:
    reading = refine(text, filters, regions)
    assert (reading.tool, reading.note) == ("search_properties", "refined")
    kept = {key: value for key, value in ARGUMENTS.items() if key != "query"}
    if "location" in changed or "max_price" in changed or "property_type" in changed:
        kept = {key: value for key, value in kept.items() if key not in changed}
    assert reading.arguments == {"query": f"{ARGUMENTS['query']}, {text}", **kept, **changed}


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("villas in Sheikh Zayed under 30 million", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"],
                                                     "max_price": 30_000_000}),
        ("شقة في التجمع", {"property_types": ["Apartment"], "locations": ["New Cairo"]}),
        # "some villas" names what it wants: a search of its own
        ("ok show me some villas in Sheikh Zayed under 30 million", {"property_types": ["Villa"],
                                                                     "locations": ["Sheikh Zayed"],
                                                                     "max_price": 30_000_000}),
        ("does it have a garden?", {"features": ["garden"]}),
    ],
)  # fmt: skip
def test_a_new_search_a_question_or_several_places_are_not_a_change(text: str, filters: dict[str, Any]) -> None:
    reading = refine(text, filters)
    assert reading.note != "refined"
    if reading.tool == "search_properties":
        assert reading.arguments["query"] == text


def test_several_places_are_read_from_the_messages_words_with_the_rest_of_the_last_search() -> None:
    reading = refine("في اكتوبر او الشيخ زايد", {"locations": ["6th of October", "Sheikh Zayed"]})
    assert (reading.tool, reading.note) == ("search_properties", "refined")
    kept = {key: value for key, value in ARGUMENTS.items() if key not in ("query", "location")}
    assert reading.arguments == {"query": "في اكتوبر او الشيخ زايد", **kept}


def test_the_words_of_many_changes_keep_the_latest_within_the_limit() -> None:
    long = LastSearch(ARGUMENTS | {"query": ", ".join(["with a garden near the club house"] * 15)}, (), (), ())
    parsed = {"filters": {"locations": ["Maadi"]}, "text": "", "understood": [], "regions": []}
    reading = read_message("و في المعادي؟", parsed, SHOWN, "auto", previous=long)
    query = reading.arguments["query"]
    assert len(query) <= 500 and query.endswith(", و في المعادي؟") and query.startswith("with a garden")


MORTGAGE = ("calculate_mortgage", {"monthly_income": 40_000})
ROI = ("calculate_investment_roi", {"property_price": 3_000_000, "monthly_rent": 15_000})


def recompute(text: str, calculation: tuple[str, dict[str, Any]], filters: dict[str, Any] | None = None) -> Reading:
    parsed = {"filters": filters or {}, "text": text, "understood": []}
    return read_message(text, parsed, SHOWN, "auto", previous=PREVIOUS, calculation=calculation)


@pytest.mark.parametrize(
    ("text", "calculation", "filters", "arguments"),
    [
        ("ولو على 20 سنة؟", MORTGAGE, {"installment_years": 20}, {"monthly_income": 40_000, "years": 20}),
        ("what if the rate is 18%?", MORTGAGE, {}, {"monthly_income": 40_000, "annual_rate_pct": 18.0}),
        ("and with 30% down?", MORTGAGE, {"max_down_payment_pct": 30}, {"monthly_income": 40_000,
                                                                         "down_payment_pct": 30.0}),
        # A sum down replaces the share said before, and the other way round
        ("and with 1 million down?", ("calculate_mortgage", {"property_price": 5_000_000, "down_payment_pct": 20.0}),
         {"max_down_payment": 1_000_000}, {"property_price": 5_000_000, "down_payment": 1_000_000}),
        ("ولو المقدم 30%؟", ("calculate_mortgage", {"property_price": 5_000_000, "down_payment": 1_000_000}),
         {"max_down_payment_pct": 30}, {"property_price": 5_000_000, "down_payment_pct": 30.0}),
        ("ولو أجرتها 20 الف؟", ROI, {"max_price": 20_000}, {"property_price": 3_000_000, "monthly_rent": 20_000}),
        ("and if I buy it for 2.5 million?", ROI, {"max_price": 2_500_000},
         {"property_price": 2_500_000, "monthly_rent": 15_000}),
        ("what if the rent is 250k a year?", ROI, {}, {"property_price": 3_000_000, "annual_rent": 250_000}),
        # Let for part of the year: the season's three months unless the months are said
        ("and if it's let in the summer only?", ROI, {},
         {"property_price": 3_000_000, "monthly_rent": 15_000, "months_let": 3}),
        ("ولو أجرتها 40 ألف في الشهر في الصيف بس؟", ROI, {"max_price": 40_000},
         {"property_price": 3_000_000, "monthly_rent": 40_000, "months_let": 3}),
        ("what if I rent it 50k a month for 4 months?", ROI, {"max_price": 50_000},
         {"property_price": 3_000_000, "monthly_rent": 50_000, "months_let": 4}),
        # A bare sum no home sells for, after a yield on a rent: the new rent, monthly as before
        ("طب ولو ب 20 الف؟", ROI, {"max_price": 20_000}, {"property_price": 3_000_000, "monthly_rent": 20_000}),
        ("and at 20k?", ROI, {"max_price": 20_000}, {"property_price": 3_000_000, "monthly_rent": 20_000}),
        ("and at 250k?", ("calculate_investment_roi", {"property_price": 3_000_000, "annual_rent": 180_000}),
         {"max_price": 250_000}, {"property_price": 3_000_000, "annual_rent": 250_000}),
        ("law agartha b 20 alf fel shahr?", ROI, {"max_monthly_installment": 20_000},
         {"property_price": 3_000_000, "monthly_rent": 20_000}),
        # Another income added to the one the loan was computed on, not a price of 25,000
        ("and if my wife adds 25k?", ("calculate_mortgage", {"monthly_income": 40_000}), {"max_price": 25_000},
         {"monthly_income": 65_000}),
        ("ومرتب مراتي 20 الف؟", ("calculate_mortgage", {"monthly_income": 40_000, "years": 20}),
         {"max_price": 20_000}, {"monthly_income": 60_000, "years": 20}),
        ("what if my salary was 60k?", ("calculate_mortgage", {"monthly_income": 40_000}), {"max_price": 60_000},
         {"monthly_income": 60_000}),
        # A rate said with a word or two between
        ("what if the interest rate was 18%?", MORTGAGE, {}, {**MORTGAGE[1], "annual_rate_pct": 18.0}),
        ("لو الفايدة نزلت 18%؟", MORTGAGE, {}, {**MORTGAGE[1], "annual_rate_pct": 18.0}),
        # A question in more words, on the price of the yield at the assumed rent
        ("ايه العائد لو أجرتها ب 15 الف في الشهر؟", ("calculate_investment_roi", {"property_price": 3_000_000}),
         {"max_monthly_installment": 15_000}, {"property_price": 3_000_000, "monthly_rent": 15_000}),
    ],
)  # fmt: skip
def test_a_change_to_the_last_calculation_computes_it_again(
    text: str, calculation: tuple[str, dict[str, Any]], filters: dict[str, Any], arguments: dict[str, Any]
) -> None:
    reading = recompute(text, calculation, filters)
    assert (reading.tool, reading.arguments) == (calculation[0], arguments)


@pytest.mark.parametrize("text", ["feha ta2seet?", "فيها جنينة؟"])
def test_a_question_of_it_after_a_search_that_showed_nothing_refines_that_search(text: str) -> None:
    # No listing shown to be "it": the search asked for, with the instalments or the garden added.
    previous = LastSearch({"query": "3ayez sha2a fel rehab 2 ghoraf", "location": "Rehab City",
                           "property_type": "Apartment", "bedrooms": 2}, (), (), ())  # fmt: skip
    filters = {"is_cash_only": False} if "ta2seet" in text else {"features": ["garden"]}
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, [], "auto", previous=previous)
    assert (reading.tool, reading.note) == ("search_properties", "refined")
    assert reading.arguments == {"query": f"3ayez sha2a fel rehab 2 ghoraf, {text}", "location": "Rehab City",
                                 "property_type": "Apartment", "bedrooms": 2}  # fmt: skip


def test_incomes_added_together_are_said_first_and_a_new_income_is_not() -> None:
    joint = recompute("and if my wife adds 25k?", MORTGAGE, {"max_price": 25_000})
    assert (joint.arguments, joint.note) == ({"monthly_income": 65_000}, "joint_income")
    loan = {"ok": True, "loan_amount": 1_179_240, "years": 10, "annual_rate_pct": 24.0, "monthly_payment": 26_000,
            "total_interest": 1_940_760, "total_paid": 3_120_000,
            "programme": {"id": "market", "name": "Bank"}}  # fmt: skip
    said = write_reply(joint, [ToolReturnPart("calculate_mortgage", loan, "c1")], seed="s")
    assert said.splitlines()[0] == "Your incomes together: EGP 65,000 a month.", said
    replaced = recompute("what if my salary was 60k?", MORTGAGE, {"max_price": 60_000})
    assert (replaced.arguments, replaced.note) == ({"monthly_income": 60_000}, None)
    said = write_reply(replaced, [ToolReturnPart("calculate_mortgage", loan, "c1")], seed="s")
    assert said.startswith("On a loan of EGP 1,179,240"), said


def test_the_yield_asked_after_a_mortgage_is_on_its_price() -> None:
    text = "what's the yield if I rent it out for 20k a month?"
    reading = recompute(
        text, ("calculate_mortgage", {"property_price": 5_000_000}), {"max_monthly_installment": 20_000}
    )
    assert (reading.tool, reading.arguments) == (
        "calculate_investment_roi", {"property_price": 5_000_000, "monthly_rent": 20_000})  # fmt: skip


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("3 bedroom apartments in Maadi under 5 million", {"locations": ["Maadi"], "property_types": ["Apartment"]}),
        ("and in Sheikh Zayed?", {"locations": ["Sheikh Zayed"]}),  # a change to the search, not the loan
        ("thanks", {}),
    ],
)
def test_what_changes_no_figure_of_the_calculation_is_not_a_recomputation(text: str, filters: dict[str, Any]) -> None:
    assert recompute(text, MORTGAGE, filters).tool != "calculate_mortgage"


def test_the_last_calculation_is_the_last_tool_call_only() -> None:
    def tool(name: str, arguments: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        return {"role": "tool", "content": json.dumps(content), "tool_calls": [{"name": name, "arguments": arguments}]}

    mortgage = tool("calculate_mortgage", {"monthly_income": 40_000}, {"ok": True, "monthly_payment": 16_000})
    search = tool("search_properties", ARGUMENTS, {"ok": True, "listings": []})
    assert last_calculation([search, mortgage]) == MORTGAGE
    assert last_calculation([mortgage, search]) is None
    assert last_calculation([tool("calculate_mortgage", {}, {"ok": False, "error": "invalid"})]) is None


TRENDS = ("check_market_trends", {"location": "New Cairo"})


@pytest.mark.parametrize(
    ("text", "filters", "arguments"),
    [
        ("and in zayed?", {"locations": ["Sheikh Zayed"]}, {"location": "Sheikh Zayed"}),
        ("and villas?", {"property_types": ["Villa"]}, {"location": "New Cairo", "property_type": "Villa"}),
        ("و الشقق في المعادي؟", {"locations": ["Maadi"], "property_types": ["Apartment"]},
         {"location": "Maadi", "property_type": "Apartment"}),
    ],
)  # fmt: skip
def test_a_change_to_the_market_figures_gives_those_figures(
    text: str, filters: dict[str, Any], arguments: dict[str, Any]
) -> None:
    reading = recompute(text, TRENDS, filters)
    assert (reading.tool, reading.arguments) == ("check_market_trends", arguments)


def test_a_budget_after_the_market_figures_is_a_search() -> None:
    reading = recompute("villas in zayed under 30 million", TRENDS, {"locations": ["Sheikh Zayed"],
                        "property_types": ["Villa"], "max_price": 30_000_000})  # fmt: skip
    assert reading.tool == "search_properties"


@pytest.mark.parametrize("text", ["is it a good time to buy?", "هل ده وقت مناسب اشتري؟"])
def test_whether_to_buy_now_is_answered_with_the_whole_markets_figures(text: str) -> None:
    reading = read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.arguments) == ("check_market_trends", {})


SHOWN_FOUR = [{"id": ref} for ref in "abcde"]


@pytest.mark.parametrize(
    ("text", "asked"),
    [("which has the lowest down payment?", "lowest_down_payment"), ("انهي واحدة مقدمها اقل؟", "lowest_down_payment"),
     ("ok and the longest plan?", "longest_plan"), ("which one has the lowest monthly instalment?", "lowest_monthly"),
     ("a2al 2est fehom?", "lowest_monthly"), ("which is cheapest per meter?", "best_value_per_sqm")],
)  # fmt: skip
def test_which_of_those_shown_has_the_best_plan_compares_them_naming_that_one(text: str, asked: str) -> None:
    reading = read_message(text, {"filters": {}, "text": text, "understood": []}, SHOWN_FOUR, "auto", previous=PREVIOUS)
    assert (reading.tool, reading.arguments, reading.note) == ("compare_units", {"property_ids": list("abcd")}, asked)


def test_a_search_for_the_lowest_down_payment_is_a_search() -> None:
    text = "villas in Zayed with the lowest down payment"
    parsed = {"filters": {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}, "text": text, "understood": []}
    assert read_message(text, parsed, SHOWN_FOUR, "auto", previous=PREVIOUS).tool == "search_properties"


@pytest.mark.parametrize(("text", "filters"), [("what about 2 bedrooms?", {"bedrooms": 2}),
                                               ("طب و اوضتين؟", {"bedrooms": 2})])  # fmt: skip
def test_bedrooms_asked_after_studios_ask_for_apartments(text: str, filters: dict[str, Any]) -> None:
    studios = LastSearch({"query": "studio in new capital under 2 million", "location": "New Administrative Capital",
                          "property_type": "Studio", "max_price": 2_000_000}, (), (), ())  # fmt: skip
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, [], "auto", previous=studios)
    assert reading.tool == "search_properties", reading
    assert {k: reading.arguments[k] for k in ("property_type", "bedrooms", "location", "max_price")} == {
        "property_type": "Apartment",
        "bedrooms": 2,
        "location": "New Administrative Capital",
        "max_price": 2_000_000,
    }
    # A studio asked again, or rooms with a type named, are what they say
    typed = read_message(
        "what about 2 bedroom duplexes?",
        {"filters": {**filters, "property_types": ["Duplex"]}, "text": "", "understood": []},
        [],
        "auto",
        previous=studios,
    )
    assert typed.arguments.get("property_type") == "Duplex"


@pytest.mark.parametrize("text", ["طب عايز اشتري", "ok, I want to buy then", "tab 3ayez ashtery"])
def test_buying_said_after_asking_to_rent_is_the_same_search_to_buy(text: str) -> None:
    rent = LastSearch({"query": "عايز شقة للإيجار في المعادي", "location": "Maadi", "property_type": "Apartment",
                       "exclude_ids": ["x"]}, ("a",), (5_000_000,), (100.0,))  # fmt: skip
    reading = read_message(text, {"filters": {}, "text": text, "understood": []}, [{"id": "a"}], "auto", previous=rent)
    assert (reading.tool, reading.note) == ("search_properties", "to_buy")
    assert reading.arguments == {
        "query": "عايز شقة للإيجار في المعادي",
        "location": "Maadi",
        "property_type": "Apartment",
    }
    # After a search that was no rental, "I want to buy" is no continuation of it
    bought = LastSearch({"query": "apartment in Maadi", "location": "Maadi"}, ("a",), (5_000_000,), (100.0,))
    assert read_message(text, {"filters": {}, "text": text}, [{"id": "a"}], "auto", previous=bought).note != "to_buy"


@pytest.mark.parametrize(
    ("text", "filters"),
    [("none of these, anything with a pool?", {"features": ["pool"]}),
     ("مش عاجبني ولا واحدة، فيه حاجة فيها جنينة؟", {"features": ["garden"]}),
     ("and if I increase my budget to 12?", {"max_price": 12_000_000})],
)  # fmt: skip
def test_a_change_said_at_length_after_a_search_is_that_search_changed(text: str, filters: dict[str, Any]) -> None:
    duplexes = LastSearch({"query": "4 bedroom duplex in Zayed under 10 million", "location": "Sheikh Zayed",
                           "property_type": "Duplex", "bedrooms": 4, "max_price": 10_000_000}, (), (), ())  # fmt: skip
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, [], "auto", previous=duplexes)
    assert (reading.tool, reading.note) == ("search_properties", "refined"), reading
    kept = {key: reading.arguments.get(key) for key in ("location", "property_type", "bedrooms")}
    assert kept == {"location": "Sheikh Zayed", "property_type": "Duplex", "bedrooms": 4}
    assert reading.arguments["max_price"] == filters.get("max_price", 10_000_000)


@pytest.mark.parametrize("text", ["which one is closest to the beach?", "انهي اقرب للبحر؟"])
def test_the_one_closest_to_a_landmark_is_those_near_it_said_to_state_no_distance(text: str) -> None:
    searched = {"query": "chalets in Sahel", "location": "North Coast", "property_type": "Chalet"}
    chalets = LastSearch(searched, ("a",), (7_000_000,), (90.0,))
    parsed = {"filters": {"features": ["near_beach"]}, "text": text, "understood": []}
    reading = read_message(text, parsed, [{"id": "a"}], "auto", previous=chalets)
    assert (reading.tool, reading.note, reading.arguments["location"]) == (
        "search_properties", "feature_distance", "North Coast")  # fmt: skip
    listing = {"id": "b", "title": "Chalet in Marassi", "price": 7_500_000, "size_sqm": 90.0, "price_per_sqm": 83_333,
               "bedrooms": 2, "type": "Chalet", "location": "North Coast", "features": ["near_beach"]}  # fmt: skip
    content = {"ok": True, "listings": [listing], "applied_filters": {"features": ["near_beach"]}}
    said = write_reply(reading, [ToolReturnPart("search_properties", content, "c1")])
    assert said.startswith("الإعلانات بتقول قربها من البحر من غير مسافات." if reading.language == "ar" else
                           "Listings say whether a home is near the beach, not how far it is."), said  # fmt: skip
