"""A yes to what the last reply offered makes that call: listings within the budget the mortgage just computed,
listings where the market figures were, a viewing of the listing just checked; "what can I afford?" searches within
that budget; a change to the mortgage just computed that names a type ("on a 5M apartment") changes it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import Reading, last_focus, loan_budget, offered_next, read_message

LISTING = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def turn(tool: str, arguments: dict[str, Any], content: dict[str, Any], said: str) -> list[dict[str, Any]]:
    return [
        {"role": "user", "content": "…"},
        {"role": "tool", "content": json.dumps(content), "tool_calls": [{"id": "c1", "name": tool,
                                                                          "arguments": arguments}]},
        {"role": "assistant", "content": said},
    ]  # fmt: skip


INCOME = turn("calculate_mortgage", {"monthly_income": 60_000},
              {"ok": True, "loan_amount": 1_088_529, "monthly_payment": 24_000, "years": 10},
              "On a loan of EGP 1,088,529 ...\nShall I look for listings within that budget?")  # fmt: skip
PRICED = turn("calculate_mortgage", {"property_price": 5_000_000, "down_payment_pct": 20},
              {"ok": True, "property_price": 5_000_000, "loan_amount": 4_000_000, "down_payment": 1_000_000},
              "...\nتحب أدورلك على وحدات في الحدود دي؟")  # fmt: skip
TRENDS = turn("check_market_trends", {"location": "Sheikh Zayed", "property_type": "Villa"},
              {"ok": True, "count": 40}, "Villas in Sheikh Zayed: ...\nShall I show you listings there?")  # fmt: skip
IN_BUDGET = turn("check_market_trends", {"property_type": "Apartment", "max_price": 4_000_000},
                 {"ok": True, "count": 83, "budget": 4_000_000},
                 "Apartments across the market at or under EGP 4,000,000: ...\nShall I look for listings within that "
                 "budget?")  # fmt: skip
YIELD = turn("calculate_investment_roi", {"property_price": 3_000_000, "monthly_rent": 15_000},
             {"ok": True, "property_price": 3_000_000, "annual_rent": 180_000},
             "At EGP 3,000,000 ...\nShall I look for listings within that budget?")  # fmt: skip
SHOWN = [{"id": f"00000000-0000-4000-8000-00000000000{n}", "title": f"Flat {n}"} for n in range(1, 4)]
LISTED = turn("search_properties", {"query": "townhouse in Madinaty"}, {"ok": True, "listings": SHOWN},
              "1. ...\nWould you like the true cost of a payment plan, or a comparison of two of them?")  # fmt: skip
LISTED_AR = turn("search_properties", {"query": "تاون هاوس في مدينتي"}, {"ok": True, "listings": SHOWN},
                 "1. ...\nتحب أتأكد من حالة واحدة منهم على السجل، ولا أقارنلك بين اتنين؟")  # fmt: skip
NOTHING_FOUND = turn(
    "search_properties", {"query": "villa in Maadi under 5 million", "location": "Maadi", "property_type": "Villa",
                          "max_price": 5_000_000, "exclude_ids": ["x"]},
    {"ok": True, "listings": [],
     "relaxations": [{"group": "price", "without": ["max_price"], "count": 3},
                     {"group": "property_type", "without": ["property_types"], "count": 55}]},
    "Nothing we have matches all of that. Without the budget limit there are 3, the cheapest at EGP 20,000,000; of "
    "any type there are 55. Tell me a budget from there and I will search again.",
)  # fmt: skip
CHECKED = turn("check_availability", {"property_id": LISTING}, {"ok": True, "property_id": LISTING,
               "status": "available"}, "3BR Apartment is available. Shall we book a viewing?")  # fmt: skip


def read(text: str, past: list[dict[str, Any]], filters: dict[str, Any] | None = None) -> Any:
    said = past[-1]["content"]
    parsed = {"filters": filters or {}, "text": text, "understood": []}
    return read_message(text, parsed, [], "auto", offered=offered_next(past, said), within=loan_budget(past))


@pytest.mark.parametrize(
    ("past", "tool", "arguments"),
    [(INCOME, "search_properties", {"query": "homes up to EGP 1,088,529", "max_price": 1_088_529}),
     (PRICED, "search_properties", {"query": "homes up to EGP 5,000,000", "max_price": 5_000_000}),
     (TRENDS, "search_properties", {"query": "villa in Sheikh Zayed", "location": "Sheikh Zayed",
                                    "property_type": "Villa"}),
     (IN_BUDGET, "search_properties", {"query": "apartment up to EGP 4,000,000", "property_type": "Apartment",
                                       "max_price": 4_000_000}),
     (YIELD, "search_properties", {"query": "homes up to EGP 3,000,000", "max_price": 3_000_000}),
     (CHECKED, "schedule_viewing", {"property_id": LISTING}),
     # Either of two steps after listings: a yes compares the first two, which also costs each one's plan
     (LISTED, "compare_units", {"property_ids": [SHOWN[0]["id"], SHOWN[1]["id"]]}),
     (LISTED_AR, "compare_units", {"property_ids": [SHOWN[0]["id"], SHOWN[1]["id"]]}),
     # Nothing found, what giving up a filter would find said: the first of them, that group given up
     (NOTHING_FOUND, "search_properties", {"query": "villa in Maadi under 5 million", "location": "Maadi",
                                           "property_type": "Villa", "max_price": 5_000_000, "relax": ["price"]}),
     ([*CHECKED[:-1], {"role": "assistant", "content": "It is still listed for sale. Shall we book a viewing, or "
                                                       "reserve it (reserving registers it)?"}],
      "schedule_viewing", {"property_id": LISTING})],
)  # fmt: skip
@pytest.mark.parametrize(
    "yes", ["yes", "yes please", "sure", "ايوه", "تمام", "tamam", "ok go ahead", "no problem", "طبعا"]
)
def test_a_yes_makes_the_call_the_last_reply_offered(
    past: list[dict[str, Any]], tool: str, arguments: dict[str, Any], yes: str
) -> None:
    reading = read(yes, past)
    assert (reading.tool, reading.arguments) == (tool, arguments)


@pytest.mark.parametrize("text", ["عايز احجزها", "3ayez a7gezha", "yes, reserve it", "ok I want to reserve it"])
def test_a_yes_that_names_reserving_reserves_rather_than_booking_the_viewing_offered(text: str) -> None:
    past = [*CHECKED[:-1], {"role": "assistant", "content": "It is still listed for sale. Shall we book a viewing, or "
                                                            "reserve it (reserving registers it)?"}]  # fmt: skip
    parsed = {"filters": {}, "text": text, "understood": []}
    reading = read_message(text, parsed, [], "auto", offered=offered_next(past, past[-1]["content"]), focus=LISTING)
    assert (reading.tool, reading.arguments) == ("reserve_property", {"property_id": LISTING})


@pytest.mark.parametrize("text", ["no thanks", "ok thanks", "لا شكرا", "not now"])
def test_a_no_or_a_thanks_makes_nothing(text: str) -> None:
    assert read(text, TRENDS).tool is None


def test_an_offer_followed_by_another_question_is_no_offer() -> None:
    past = [*TRENDS[:-1], {"role": "assistant", "content": TRENDS[-1]["content"] + "\n\nWould you like me to share "
                                                                                  "your phone number?"}]  # fmt: skip
    assert offered_next(past, past[-1]["content"]) is None


def test_what_i_can_afford_is_within_the_budget_the_mortgage_computed() -> None:
    reading = read("show me apartments I can afford in october", INCOME,
                   {"property_types": ["Apartment"], "locations": ["6th of October"]})  # fmt: skip
    assert reading.tool == "search_properties" and reading.arguments["max_price"] == 1_088_529
    assert read("apartments I can afford under 3M", INCOME, {"max_price": 3_000_000}).arguments["max_price"] == 3e6


@pytest.mark.parametrize(
    "text",
    ["show me apartments in new cairo within that", "apartments in New Cairo within my budget",
     "وريني شقق في التجمع في حدود ده", "عايز شقة في التجمع في الحدود دي", "sha2a fel tagamo3 fe 7dod da",
     "show me apartments in that range in new cairo", "apartments in new cairo at that price",
     "شقق في التجمع بالسعر ده"],
)  # fmt: skip
def test_within_that_is_within_the_budget_the_mortgage_computed(text: str) -> None:
    reading = read(text, INCOME, {"property_types": ["Apartment"], "locations": ["New Cairo"]})
    assert (reading.tool, reading.arguments["max_price"], reading.arguments["location"]) == (
        "search_properties", 1_088_529, "New Cairo"
    )  # fmt: skip
    # Without a mortgage just computed, "within that" bounds nothing.
    parsed = {"filters": {"property_types": ["Apartment"], "locations": ["New Cairo"]}, "text": text, "understood": []}
    assert "max_price" not in read_message(text, parsed, [], "auto").arguments


def test_a_change_naming_a_type_changes_the_mortgage_just_computed() -> None:
    text = "and with 20% down on a 5M apartment?"
    parsed = {"filters": {"property_types": ["Apartment"], "max_price": 5_000_000, "max_down_payment_pct": 20}}
    reading = read_message(text, parsed, [], "auto", calculation=("calculate_mortgage", {"monthly_income": 60_000}))
    expected = {"monthly_income": 60_000, "property_price": 5_000_000, "down_payment_pct": 20.0}
    assert (reading.tool, reading.arguments) == ("calculate_mortgage", expected)
    villas = read_message("and villas?", {"filters": {"property_types": ["Villa"]}}, [], "auto",
                          calculation=("calculate_mortgage", {"monthly_income": 60_000}))  # fmt: skip
    assert villas.tool == "search_properties"


def test_a_yes_with_a_request_of_its_own_is_that_request() -> None:
    reading = read("ok villas then", TRENDS, {"property_types": ["Villa"]})
    assert reading.tool == "search_properties" and reading.arguments["property_type"] == "Villa"


@pytest.mark.parametrize("language", ["en", "ar"])
@pytest.mark.parametrize(
    ("past", "tool"),
    [(INCOME, "search_properties"), (PRICED, "search_properties"), (TRENDS, "search_properties"),
     (CHECKED, "schedule_viewing"),
     (turn("check_availability", {"property_id": LISTING}, {"ok": True, "property_id": LISTING, "title": "3BR",
                                                             "status": "not_registered", "listed": True}, ""),
      "schedule_viewing")],
)  # fmt: skip
def test_the_offer_the_reply_writer_asks_is_the_one_a_yes_takes(
    past: list[dict[str, Any]], tool: str, language: str
) -> None:
    """The reply as written (not a copy of its last sentence): a rewording of the question in replies.py that a yes no
    longer recognised would leave the buyer's "yes" unanswered."""
    call = past[1]["tool_calls"][0]
    content = {"count": 40, "median_price_per_sqm": 60_000, "median_price": 9_000_000, "min_price": 4_000_000,
               "max_price": 20_000_000, "location": "Sheikh Zayed", "by_delivery_year": [], "monthly_payment": 24_000,
               "years": 10, "annual_rate_pct": 20.0, "total_interest": 1_800_000, "total_paid": 2_880_000,
               "title": "3BR", **json.loads(past[1]["content"])}  # fmt: skip
    reading = Reading(language, call["name"], call["arguments"])
    said = write_reply(reading, [ToolReturnPart(call["name"], content, "c1")])
    written = [*past[:-1], {"role": "assistant", "content": said}]
    offered = offered_next(written, said)
    assert offered is not None and offered[0] == tool, said


@pytest.mark.parametrize(
    ("asked", "query", "kind"),
    [("how much of an apartment can I afford on 60k a month?", "apartments up to EGP 1,088,529", "Apartment"),
     ("مرتبي ٦٠ الف، اقدر اشتري شقة بكام؟", "apartments up to EGP 1,088,529", "Apartment"),
     ("what duplex can I afford with 60k income?", "duplexes up to EGP 1,088,529", "Duplex")],
)  # fmt: skip
def test_a_yes_to_listings_within_the_budget_keeps_the_type_the_mortgage_was_asked_for(
    asked: str, query: str, kind: str
) -> None:
    past = [{**INCOME[0], "content": asked}, *INCOME[1:]]
    reading = read("yes", past)
    assert (reading.tool, reading.arguments) == (
        "search_properties", {"query": query, "max_price": 1_088_529, "property_type": kind})  # fmt: skip


def test_a_yes_after_a_yield_searches_the_type_asked_a_message_before() -> None:
    def yielded(asked: str, rent: int) -> list[dict[str, Any]]:
        said = turn(
            "calculate_investment_roi",
            {"property_price": 3_000_000, "monthly_rent": rent},
            {"ok": True, "property_price": 3_000_000},
            "...\nShall I look for listings within that budget?",
        )
        return [{**said[0], "content": asked}, *said[1:]]  # fmt: skip

    past = [*yielded("what's the yield on a 3 million apartment rented at 15k a month?", 15_000),
            *yielded("and at 20k?", 20_000)]  # fmt: skip
    assert offered_next(past, past[-1]["content"]) == (
        "search_properties",
        {"query": "apartments up to EGP 3,000,000", "max_price": 3_000_000, "property_type": "Apartment"},
    )  # fmt: skip


@pytest.mark.parametrize("text", ["show me those", "ok show me them", "وريني دول", "wareeny dol"])
def test_show_me_those_after_nothing_found_takes_the_first_relaxation_said(text: str) -> None:
    reading = read(text, NOTHING_FOUND)
    assert (reading.tool, reading.arguments["relax"], reading.note) == ("search_properties", ["price"], "relaxed")
    # The reply says what was given up, in the buyer's language.
    content = {"ok": True, "listings": [{"id": "a", "title": "Villa 1", "price": 20_000_000, "price_per_sqm": 50_000,
                                         "size_sqm": 400.0, "type": "Villa", "location": "Maadi"}],
               "applied_filters": {"locations": ["Maadi"], "property_types": ["Villa"]}}  # fmt: skip
    text_en = write_reply(Reading("en", "search_properties", reading.arguments, note="relaxed"),
                          [ToolReturnPart("search_properties", content, tool_call_id="c")], seed="s")  # fmt: skip
    assert text_en.startswith("Here is what there is without the budget limit:"), text_en
    text_ar = write_reply(Reading("ar", "search_properties", reading.arguments, note="relaxed"),
                          [ToolReturnPart("search_properties", content, tool_call_id="c")], seed="s")  # fmt: skip
    assert text_ar.startswith("دي اللي لقيتها من غير حد الميزانية:"), text_ar
    # "show me those" after anything else offered nothing of the kind
    assert read(text, LISTED).tool != "search_properties" or "relax" not in read(text, LISTED).arguments


def test_a_mortgage_on_a_listing_offers_its_viewing_and_a_yes_books_that_listing() -> None:
    result = {"ok": True, "property_price": 5_190_000, "loan_amount": 4_152_000, "down_payment": 1_038_000,
              "monthly_payment": 91_544, "total_interest": 6_833_244, "total_paid": 10_985_244, "years": 10,
              "annual_rate_pct": 24.0, "programme": {"id": "market", "name": "Bank market rate"},
              "assumptions": []}  # fmt: skip
    arguments = {"property_id": LISTING, "property_price": 5_190_000, "years": 10, "down_payment_pct": 20.0}
    part = ToolReturnPart("calculate_mortgage", result, tool_call_id="c1")
    said = write_reply(Reading("en", "calculate_mortgage", arguments), [part])
    assert said.endswith("Shall we book a viewing?"), said
    assert write_reply(Reading("ar", "calculate_mortgage", arguments), [part]).endswith("تحب نحجز معاد معاينة؟")
    past = turn("calculate_mortgage", arguments, result, said)
    assert offered_next(past, said) == ("schedule_viewing", {"property_id": LISTING})
    # On a price said, the listings at it
    priced = {k: v for k, v in arguments.items() if k != "property_id"}
    assert write_reply(Reading("en", "calculate_mortgage", priced), [part]).endswith(
        "Shall I look for listings within that budget?")  # fmt: skip


def test_a_comparison_that_names_the_one_asked_for_is_about_it_after() -> None:
    """ "which has the lowest monthly?": the comparison names number 2 first; a yes checks that one, and "book a viewing
    for it" is of it, not of the first shown. Compared with nothing asked, a yes asks which one."""
    units = [{"id": "A"}, {"id": "B"}, {"id": "C"}]
    listings = [{"id": ref, "title": f"Apartment {ref}", "type": "Apartment", "location": "New Cairo",
                 "price": 5_000_000, "size_sqm": 100, "price_per_sqm": 50_000} for ref in "ABC"]  # fmt: skip
    content = {"ok": True, "listings": listings,
               "comparison": {"units": units, "winners": {"lowest_monthly": "B"}}}  # fmt: skip
    arguments = {"property_ids": ["A", "B", "C"]}
    said = ("Of these, lowest monthly: number 2 (2BR Apartment in Midtown Sky).\nSide by side:\n...\n"
            "Shall I check it is still available?")  # fmt: skip
    past = turn("compare_units", arguments, content, said)
    assert offered_next(past, said) == ("check_availability", {"property_id": "B"})
    assert last_focus(past) == "B"
    arabic = "من دول، أقل قسط شهري: رقم 3 (شقة).\n...\nتحب أتأكد إنها لسه متاحة؟"
    assert last_focus(turn("compare_units", arguments, content, arabic)) == "C"
    plain = "Side by side:\n...\nWhich one interests you? I can check its availability or work out the mortgage."
    assert last_focus(turn("compare_units", arguments, content, plain)) is None
    # The reply names it and offers its availability only when the question named a winner
    reply = write_reply(Reading("en", "compare_units", arguments, note="lowest_monthly"),
                        [ToolReturnPart("compare_units", content, tool_call_id="c1")])  # fmt: skip
    assert reply.startswith("Of these, lowest monthly: number 2") and reply.endswith(
        "Shall I check it is still available?"
    )
    plain_reply = write_reply(Reading("en", "compare_units", arguments),
                              [ToolReturnPart("compare_units", content, tool_call_id="c1")])  # fmt: skip
    assert plain_reply.endswith("Which one interests you? I can check its availability or work out the mortgage.")


def test_an_income_alone_is_answered_with_the_price_it_buys_and_listings_within_that_price() -> None:
    content = {"ok": True, "property_price": None, "loan_amount": 1_200_000, "down_payment": 300_000,
               "monthly_payment": 10_000, "total_interest": 0, "total_paid": 1_200_000, "years": 10,
               "annual_rate_pct": 0.0, "programme": {"id": "custom", "name": "Custom rate"}, "assumptions": [],
               "affordability": {"monthly_income": 25_000, "max_payment_for_income": 10_000,
                                 "max_loan_for_income": 1_200_000, "max_price_for_income": 1_500_000}}  # fmt: skip
    part = ToolReturnPart("calculate_mortgage", content, tool_call_id="c1")
    said = write_reply(Reading("en", "calculate_mortgage", {"monthly_income": 25_000}), [part])
    assert "With a down payment of EGP 300,000, that buys a home of up to EGP 1,500,000." in said, said
    assert "ومع مقدم 300,000 جنيه، ده يشتريلك وحدة لحد 1,500,000 جنيه." in write_reply(
        Reading("ar", "calculate_mortgage", {"monthly_income": 25_000}), [part])  # fmt: skip
    past = turn("calculate_mortgage", {"monthly_income": 25_000}, content, said)
    assert loan_budget(past) == 1_500_000
    assert offered_next(past, said) == ("search_properties", {"query": "homes up to EGP 1,500,000",
                                                              "max_price": 1_500_000})  # fmt: skip


@pytest.mark.parametrize(
    "text", ["which is better value?", "which one is the better deal?", "which is value for money?"]
)
def test_better_value_asked_of_two_names_the_cheaper_per_metre(text: str) -> None:
    reading = read_message(text, {"filters": {}}, [{"id": "A"}, {"id": "B"}], "auto", listed=2)
    assert (reading.tool, reading.note) == ("compare_units", "best_value_per_sqm")
