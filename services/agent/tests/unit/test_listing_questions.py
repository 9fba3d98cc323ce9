"""Questions about a listing already shown ("does the third one have a garden?", "هي مفروشة؟", "el tanya fiha
asanseer?"): the rules brain looks that listing up and the reply answers from its listing alone, in both languages.
And "what would it rent for?" after a valuation: the yield of the home just valued."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import write_reply
from osool_agent.brains.rules import (
    Reading,
    asked_again,
    asked_more,
    fold,
    last_looked,
    last_valuation,
    listing_question,
    offered_next,
    only_a_pick,
    read_message,
)
from osool_agent.tools.finance import UnitTerms, plan_true_cost

SHOWN = [{"id": f"SHOWN-{i}"} for i in range(1, 6)]


def read(
    text: str, filters: dict[str, Any], focus: str | None = None, shown: list[dict[str, Any]] = SHOWN,
    valued: int | None = None, reserving: str | None = None,
) -> Reading:  # fmt: skip
    parsed = {"filters": filters, "text": text, "understood": []}
    return read_message(text, parsed, shown, "auto", focus=focus, valued=valued, reserving=reserving)


@pytest.mark.parametrize(
    ("text", "filters", "listing", "asked"),
    [
        ("does the third one have a garden?", {"features": ["garden"]}, "SHOWN-3", {"features": ["garden"]}),
        ("is the first one furnished?", {"finishing": ["furnished"]}, "SHOWN-1", {"finishing": ["furnished"]}),
        ("التانية فيها جراج؟", {"features": ["parking"]}, "SHOWN-2", {"features": ["parking"]}),
        ("el tanya fiha asanseer?", {"features": ["elevator"]}, "SHOWN-2", {"features": ["elevator"]}),
        ("el talta fiha garden?", {"features": ["garden"]}, "SHOWN-3", {"features": ["garden"]}),
        ("el rab3a mafrosha?", {"finishing": ["furnished"]}, "SHOWN-4", {"finishing": ["furnished"]}),
        ("is the second one on a high floor?", {"min_floor": 5}, "SHOWN-2", {"min_floor": [5]}),
        # "it" is the listing the conversation is on, else the first shown
        ("does it have a pool and a sea view?", {"features": ["pool", "sea_view"]}, "SHOWN-4",
         {"features": ["pool", "sea_view"]}),
        ("هي في الدور الأرضي؟", {"floors": [0]}, "SHOWN-4", {"floors": [0]}),
        ("fiha balcona?", {"features": ["balcony"]}, "SHOWN-4", {"features": ["balcony"]}),
        ("طب التانية عليها تقسيط؟", {"is_cash_only": False}, "SHOWN-2", {"is_cash_only": [False]}),
        ("does it come with installments?", {"is_cash_only": False}, "SHOWN-4", {"is_cash_only": [False]}),
        ("is the second one in a compound?", {"in_compound": True}, "SHOWN-2", {"in_compound": [True]}),
    ],
)  # fmt: skip
def test_a_question_about_a_shown_listing_looks_it_up_with_what_it_asks(
    text: str, filters: dict[str, Any], listing: str, asked: dict[str, list[Any]]
) -> None:
    reading = read(text, filters, focus="SHOWN-4" if "SHOWN-4" == listing else None)
    assert (reading.tool, reading.arguments, reading.asked) == ("get_property", {"property_id": listing}, asked)


@pytest.mark.parametrize(
    ("text", "filters"),
    [
        ("is there one with a garden?", {"features": ["garden"]}),
        ("في شقة فيها جنينة؟", {"features": ["garden"], "property_types": ["Apartment"]}),
        ("any furnished ones?", {"finishing": ["furnished"]}),
        ("does it have a garden in Maadi?", {"features": ["garden"], "locations": ["Maadi"]}),
        ("something like this one with a pool", {"features": ["pool"]}),
        ("villas with a pool", {"features": ["pool"], "property_types": ["Villa"]}),
        ("el dor el talet", {"floors": [3]}),  # the third floor, not the third listing
        ("fel tagamo3 el khames fiha garden", {"features": ["garden"], "locations": ["New Cairo"]}),
    ],
)
def test_a_search_for_a_feature_stays_a_search(text: str, filters: dict[str, Any]) -> None:
    assert read(text, filters).tool == "search_properties"


@pytest.mark.parametrize(
    "text",
    ["احسبلي قسطها لو دفعت 20% مقدم", "what would its monthly payment be with 20% down?", "ومقدمها 20% يبقى قسطه كام؟"],
)
def test_its_instalment_is_the_instalment_of_the_listing_the_conversation_is_on(text: str) -> None:
    reading = read(text, {"max_down_payment_pct": 20}, focus="SHOWN-4")
    assert (reading.tool, reading.arguments) == (
        "calculate_mortgage",
        {"property_id": "SHOWN-4", "down_payment_pct": 20.0},
    )


@pytest.mark.parametrize(
    "text",
    ["لو دفعت مقدم مليون القسط هيبقى كام على 10 سنين؟", "what would the monthly be over 10 years with 1 million down?",
     "law dafa3t mo2adam milyon el 2est kam 3ala 10 sneen?"],
)  # fmt: skip
def test_a_down_payment_in_pounds_on_its_instalment_is_no_price(text: str) -> None:
    """ "مقدم مليون" of the listing the conversation is on: its price with a million down, not a home of a million."""
    reading = read(text, {"max_down_payment": 1_000_000, "min_installment_years": 10}, focus="SHOWN-4")
    assert (reading.tool, reading.arguments) == (
        "calculate_mortgage",
        {"property_id": "SHOWN-4", "down_payment": 1_000_000, "years": 10},
    )


@pytest.mark.parametrize(
    ("text", "filters"),
    [("el tanya fiha garage?", {"features": ["parking"]}), ("is the first one available?", {}),
     ("التالتة مفروشة؟", {"finishing": ["furnished"]})],
)  # fmt: skip
def test_a_listing_named_by_its_place_when_none_was_shown_is_said_to_be_none(
    text: str, filters: dict[str, Any]
) -> None:
    """After a search that found nothing, "the second one" is no listing: said so, not searched for by its words."""
    reading = read(text, filters, shown=[])
    assert (reading.tool, reading.smalltalk) == (None, "nothing_shown")
    assert write_reply(reading, []).startswith(
        "لسه ماعرضتش عليك أي وحدات" if reading.language == "ar" else "I have not shown you any listings yet"
    )


@pytest.mark.parametrize(
    ("text", "shown", "said"),
    [("a2arn el awla wel tanya", 1, "I showed you only one listing, so there is no second one. Do you mean that one, "
                                    "or shall I search again with a wider budget or area?"),
     ("3ayez a3ayen el tanya", 1, "I showed you only one listing, so there is no second one."),
     ("is the fifth one available?", 3, "I showed you 3 listings, so there is no fifth one. Which of them do you "
                                        "mean, or shall I search again with a wider budget or area?"),
     ("قارن بين التانية والتالتة", 2, "عرضت عليك وحدتين بس، فمفيش التالتة.")],
)  # fmt: skip
def test_a_listing_named_past_those_shown_is_said_to_be_none(text: str, shown: int, said: str) -> None:
    """ "The second one" when one listing was shown: said so, rather than the one there is viewed or compared."""
    reading = read(text, {}, shown=SHOWN[:shown])
    assert (reading.tool, reading.smalltalk) == (None, "beyond_shown")
    assert write_reply(reading, []).startswith(said)
    # Within those shown, the listing it names
    assert read("el 2est kam lel awla?", {}, shown=SHOWN[:shown]).arguments == {"property_id": "SHOWN-1"}


@pytest.mark.parametrize(
    ("text", "filters"),
    [("el dor el tany", {"floors": [2]}), ("the first one in Maadi", {"locations": ["Maadi"]}),
     ("first row chalet", {"property_types": ["Chalet"]})],
)  # fmt: skip
def test_an_ordinal_of_a_search_of_its_own_is_still_a_search(text: str, filters: dict[str, Any]) -> None:
    assert read(text, filters, shown=[]).tool == "search_properties"


def test_with_no_listing_shown_a_question_about_it_is_a_search() -> None:
    assert read("does it have a garden?", {"features": ["garden"]}, shown=[]).tool == "search_properties"


def listing(**changes: Any) -> dict[str, Any]:
    fields = {"id": "SHOWN-1", "title": "Flat in Mivida", "type": "Apartment", "location": "New Cairo",
              "compound": "Mivida", "price": 5_000_000, "price_per_sqm": 40_000, "size_sqm": 125.0, "bedrooms": 2,
              "is_delivered": True, "features": ["garden", "parking"], "finishing": "fully_finished",
              "floor": 0}  # fmt: skip
    return fields | changes


def answer(asked: dict[str, list[Any]], language: str, **changes: Any) -> str:
    part = ToolReturnPart("get_property", {"ok": True, "listing": listing(**changes)}, tool_call_id="call_1")
    reading = Reading(language, "get_property", {"property_id": "SHOWN-1"}, asked=asked)
    return write_reply(reading, [part], seed="s").splitlines()[0]


@pytest.mark.parametrize(
    ("asked", "changes", "english", "arabic"),
    [
        ({"features": ["garden"]}, {}, "Yes: its listing mentions a garden.", "أيوه، الإعلان ذاكر جنينة."),
        ({"features": ["pool"]}, {}, "Its listing does not mention a pool.", "الإعلان مش ذاكر حمام سباحة."),
        ({"features": ["garden", "pool"]}, {}, "Its listing mentions a garden, but not a pool.",
         "الإعلان ذاكر جنينة، بس مش ذاكر حمام سباحة."),
        ({"finishing": ["fully_finished"]}, {}, "Yes, it is fully finished.", "أيوه، متشطبة."),
        ({"finishing": ["furnished"]}, {}, "No: it is fully finished, not furnished.", "لا، متشطبة مش مفروشة."),
        ({"finishing": ["furnished"]}, {"finishing": None}, "Its listing does not say how it is finished.",
         "الإعلان مش ذاكر التشطيب."),
        ({"floors": [0]}, {}, "Yes, it is on the ground floor.", "أيوه، هي في الدور الأرضي."),
        ({"floors": [0]}, {"floor": 3}, "No, it is on floor 3.", "لا، هي في الدور 3."),
        ({"min_floor": [5]}, {"floor": 7}, "Yes, it is on floor 7.", "أيوه، هي في الدور 7."),
        ({"max_floor": [2]}, {"floor": -1}, "Yes, it is in the basement.", "أيوه، هي في البدروم."),
        ({"min_floor": [5]}, {"floor": None}, "Its listing does not state a floor.", "الإعلان مش ذاكر الدور."),
        ({"is_cash_only": [False]}, {}, "Its listing states no payment plan.", "الإعلان مش ذاكر خطة سداد."),
        ({"in_compound": [True]}, {}, "Yes: it is in Mivida.", "أيوه، في كمبوند Mivida."),
        ({"in_compound": [True]}, {"compound_ar": "ميفيدا"}, "Yes: it is in Mivida.", "أيوه، في كمبوند ميفيدا."),
        ({"in_compound": [True]}, {"compound": None}, "No, it is not in a compound.", "لا، مش في كمبوند."),
        ({"in_compound": [False]}, {"compound": None}, "Yes, it is not in a compound.", "أيوه، مش في كمبوند."),
        ({"is_cash_only": [False]}, {"is_cash_only": True}, "No: it is for cash only.", "لا، دي كاش بس."),
        ({"is_cash_only": [False]}, {"down_payment_pct": 10, "installment_years": 7},
         "Yes: 10% down, 7 years of instalments.", "أيوه، مقدم 10% وتقسيط على 7 سنين."),
    ],
)  # fmt: skip
def test_the_reply_answers_from_the_listing_first(
    asked: dict[str, list[Any]], changes: dict[str, Any], english: str, arabic: str
) -> None:
    assert answer(asked, "en", **changes) == english
    assert answer(asked, "ar", **changes) == arabic


def test_a_lookup_without_a_question_answers_nothing_extra() -> None:
    assert answer({}, "en").startswith("Flat in Mivida")


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("وقد ايه لو أجرتها؟", {"property_price": 4_234_650}),
        ("and what would it rent for?", {"property_price": 4_234_650}),
        ("is it a good investment?", {"property_price": 4_234_650}),
        ("ولو أجرتها 20 الف في الشهر؟", {"property_price": 4_234_650, "monthly_rent": 20_000}),
    ],
)
def test_renting_out_the_home_just_valued_is_its_yield(text: str, arguments: dict[str, Any]) -> None:
    reading = read(text, {}, shown=[], valued=4_234_650)
    assert (reading.tool, reading.arguments, reading.note) == ("calculate_investment_roi", arguments, "own_home")


def test_renting_out_a_listing_named_is_the_listings_yield_even_after_a_valuation() -> None:
    reading = read("what would the second one rent for?", {}, valued=4_234_650)
    assert (reading.tool, reading.arguments) == ("calculate_investment_roi", {"property_id": "SHOWN-2"})
    assert reading.note is None


def test_only_the_last_tool_call_being_a_valuation_makes_a_home_just_valued() -> None:
    def tool(name: str, content: dict[str, Any]) -> dict[str, Any]:
        return {"role": "tool", "content": json.dumps(content), "tool_calls": [{"name": name, "arguments": {}}]}

    valuation = tool("run_valuation", {"ok": True, "estimate": 4_234_650, "low": 4_064_970, "high": 4_450_740})
    search = tool("search_properties", {"ok": True, "listings": [{"id": "a"}]})
    assert last_valuation([search, valuation, {"role": "assistant", "content": "..."}]) == 4_234_650
    assert last_valuation([valuation, search]) is None
    assert last_valuation([tool("run_valuation", {"ok": False, "error": "no comparables"})]) is None
    assert last_valuation([]) is None


@pytest.mark.parametrize(
    ("language", "details"),
    [
        ("en", "Details: developer Emaar Misr; 2 bathrooms; fully finished; on the ground floor; resale; "
               "with a garden, parking; near the AUC."),
        ("ar", "التفاصيل: المطور إعمار مصر، حمامين، متشطبة، في الدور الأرضي، ريسيل، فيها جنينة وجراج، قريبة من "
               "الجامعة الأمريكية."),
    ],
)  # fmt: skip
def test_a_listing_looked_at_says_what_its_line_leaves_out(language: str, details: str) -> None:
    looked = listing(developer="Emaar Misr", developer_ar="إعمار مصر", bathrooms=2, sale_type="resale",
                     features=["garden", "parking", "near_auc"])  # fmt: skip
    part = ToolReturnPart("get_property", {"ok": True, "listing": looked}, tool_call_id="call_1")
    lines = write_reply(Reading(language, "get_property", {"property_id": "SHOWN-1"}), [part], seed="s").splitlines()
    assert lines[0].startswith("Flat in Mivida") and lines[1] == details, lines
    # A listing that states none of it has no details line.
    bare = listing(features=[], finishing=None, floor=None)
    part = ToolReturnPart("get_property", {"ok": True, "listing": bare}, tool_call_id="call_1")
    assert len(write_reply(Reading(language, "get_property", {}), [part], seed="s").splitlines()) == 2


PLANNED = [
    {"id": "SHOWN-1", "price": 9_480_000, "size_sqm": 160.0, "price_per_sqm": 59_250, "installment_years": None},
    {"id": "SHOWN-2", "price": 9_300_000, "size_sqm": 210.0, "price_per_sqm": 44_286, "installment_years": 6,
     "down_payment_pct": 20},
    {"id": "SHOWN-3", "price": 7_040_000, "size_sqm": 140.0, "price_per_sqm": 50_286, "installment_years": 2},
]  # fmt: skip


@pytest.mark.parametrize("text", ["what's the monthly on the second?", "التانية قسطها كام؟"])
def test_the_monthly_of_a_listing_on_instalments_is_its_own_plan(text: str) -> None:
    reading = read(text, {}, shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property", {"property_id": "SHOWN-2"}, {"plan": [True]}
    )  # fmt: skip


@pytest.mark.parametrize("text", ["القسط كام؟", "what's the monthly payment?", "how much is the installment?"])
def test_the_monthly_of_the_listing_the_conversation_is_on_is_its_own_plan(text: str) -> None:
    reading = read(text, {}, focus="SHOWN-2", shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property", {"property_id": "SHOWN-2"}, {"plan": [True]}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "years"),
    [("ولو قسطت على 10 سنين القسط هيبقى كام؟", 10), ("what would the monthly payment be over 15 years?", 15),
     ("what's the monthly on the second over 20 years?", 20)],
)  # fmt: skip
def test_a_term_its_plan_does_not_have_is_a_bank_mortgage_over_that_term(text: str, years: int) -> None:
    reading = read(text, {"installment_years": years}, focus="SHOWN-2", shown=PLANNED)
    assert (reading.tool, reading.arguments) == ("calculate_mortgage", {"property_id": "SHOWN-2", "years": years})


@pytest.mark.parametrize("text", ["what's the monthly on the first?", "mortgage on the second", "loan for the third"])
def test_a_loan_or_a_listing_paid_cash_is_a_bank_mortgage(text: str) -> None:
    assert read(text, {}, shown=PLANNED).tool == "calculate_mortgage"


@pytest.mark.parametrize(
    ("text", "cash_only", "note"),
    [("el 2est kam fel awla?", True, "cash_only"), ("what's the monthly on the first?", False, "no_plan"),
     ("القسط كام للأولى؟", True, "cash_only"), ("mortgage on the second", False, None),
     ("mortgage on the first over 15 years", True, "cash_only")],
)  # fmt: skip
def test_the_monthly_of_a_listing_without_a_plan_says_why_it_is_a_bank_s(
    text: str, cash_only: bool, note: str | None
) -> None:
    # A cash-only listing's seller takes no instalments; one stating no plan has none to quote: the reply says which
    # before the loan. A listing with a plan asked for a bank mortgage gets the mortgage alone.
    shown = [{**PLANNED[0], "is_cash_only": cash_only}, *PLANNED[1:]]
    reading = read(text, {"installment_years": 15} if "15" in text else {}, shown=shown)
    assert (reading.tool, reading.arguments.get("property_id"), reading.note) == (
        "calculate_mortgage", "SHOWN-1" if note else "SHOWN-2", note
    )  # fmt: skip


@pytest.mark.parametrize(
    ("text", "order", "chosen"),
    [("compare the cheapest two", "price_asc", ["SHOWN-3", "SHOWN-2"]),
     ("قارن اغلى اتنين", "price_desc", ["SHOWN-1", "SHOWN-2"]),
     ("compare the biggest two", "size_desc", ["SHOWN-2", "SHOWN-1"]),
     ("قارن اصغر اتنين", "size_asc", ["SHOWN-3", "SHOWN-1"]),
     ("compare the two with the highest price per meter", "price_per_sqm_desc", ["SHOWN-1", "SHOWN-3"]),
     ("compare the two cheapest", "price_asc", ["SHOWN-3", "SHOWN-2"]),
     ("2arenly el etnen el ar5as", "price_asc", ["SHOWN-3", "SHOWN-2"]),
     ("قارن الاتنين الاكبر", "size_desc", ["SHOWN-2", "SHOWN-1"]),
     ("compare the two", None, ["SHOWN-1", "SHOWN-2"]),
     ("compare them", None, ["SHOWN-1", "SHOWN-2"])],
)  # fmt: skip
def test_the_cheapest_two_are_compared_by_price(text: str, order: str | None, chosen: list[str]) -> None:
    parsed = {"filters": {}, "text": text, "understood": [], "order": order or "relevance"}
    reading = read_message(text, parsed, PLANNED, "auto")
    assert (reading.tool, reading.arguments) == ("compare_units", {"property_ids": chosen})


def test_the_plan_is_said_with_the_down_payment_in_pounds() -> None:
    planned = {"down_payment_pct": 20.0, "down_payment": 1_000_000, "installment_years": 6,
               "monthly_installment": 55_600}  # fmt: skip
    assert answer({"plan": [True]}, "en", **planned) == (
        "Its payment plan: 20% down (EGP 1,000,000), 6 years of instalments (EGP 55,600 a month). A bank mortgage "
        "instead? Say so and I will work it out."
    )
    assert answer({"plan": [True]}, "ar", **planned).startswith(
        "خطة السداد: مقدم 20% (1,000,000 جنيه) وتقسيط على 6 سنين (حوالي 55,600 جنيه في الشهر)."
    )


@pytest.mark.parametrize(
    ("text", "focus", "chosen"),
    [("ok compare it with the third", "SHOWN-1", ["SHOWN-1", "SHOWN-3"]),
     ("قارنها بالتالتة", "SHOWN-2", ["SHOWN-2", "SHOWN-3"]),
     ("compare with the third", None, ["SHOWN-1", "SHOWN-3"]),
     ("compare the first with the third", None, ["SHOWN-1", "SHOWN-3"])],
)  # fmt: skip
def test_it_compared_with_one_named_is_the_listing_the_conversation_is_on_and_that_one(
    text: str, focus: str | None, chosen: list[str]
) -> None:
    reading = read(text, {}, focus=focus, shown=PLANNED)
    assert (reading.tool, reading.arguments) == ("compare_units", {"property_ids": chosen})


@pytest.mark.parametrize(
    ("text", "filters"),
    [("I have 5 million to invest, what gives the best rental yield?", {"max_price": 5_000_000}),
     ("معايا ٥ مليون عايز استثمرهم في عقار", {"max_price": 5_000_000}),
     ("invest 5 million in the North Coast", {"max_price": 5_000_000, "locations": ["North Coast"]})],
)  # fmt: skip
def test_a_budget_to_invest_is_a_search_within_it_and_the_reply_asks_for_a_rent(
    text: str, filters: dict[str, Any]
) -> None:
    reading = read(text, filters, shown=[])
    assert (reading.tool, reading.note, reading.arguments["max_price"]) == ("search_properties", "invest", 5_000_000)
    listing = {"id": "x", "title": "2BR Apartment in Madinaty", "type": "Apartment", "location": "Madinaty",
               "price": 4_900_000, "price_per_sqm": 40_833, "size_sqm": 120, "bedrooms": 2}  # fmt: skip
    reply = write_reply(reading, [ToolReturnPart("search_properties", {"ok": True, "listings": [listing]}, "c1")])
    assert reply.endswith(("I will work out its yield.", "وأنا أحسبلك العائد بتاعها."))


@pytest.mark.parametrize(
    ("text", "filters", "arguments"),
    [("what's the ROI on a 4M apartment?", {"max_price": 4_000_000}, {"property_price": 4_000_000}),
     ("I have 5 million, what yield if I rent it at 25k a month?", {"max_price": 5_000_000},
      {"property_price": 5_000_000, "monthly_rent": 25_000})],
)  # fmt: skip
def test_a_price_or_a_rent_is_still_a_yield(text: str, filters: dict[str, Any], arguments: dict[str, Any]) -> None:
    reading = read(text, filters, shown=[])
    assert (reading.tool, reading.arguments) == ("calculate_investment_roi", arguments)


LISTING = {"id": "SHOWN-2", "title": "3BR Apartment in Palm Hills New Cairo", "type": "Apartment",
           "location": "New Cairo", "location_ar": "التجمع الخامس", "price": 8_030_000, "price_per_sqm": 53_179,
           "size_sqm": 151, "bedrooms": 3, "developer": "Palm Hills Developments", "delivery_year": 2028,
           "image_url": "https://img.example/1.jpg", "source_url": "https://broker.example/l/1"}  # fmt: skip


@pytest.mark.parametrize(
    ("text", "kind", "said"),
    [("who is the developer of the second?", "developer", "Its developer is Palm Hills Developments."),
     ("is the price negotiable?", "negotiable", "EGP 8,030,000 is the seller's asking price; whether it comes down"),
     ("can I see pictures of it?", "photos", "Its photo is on its card below. The full listing: https://broker"),
     ("how far is it from the airport?", "distance", "I have no distances or travel times for listings, only where "
                                                      "they are: New Cairo."),
     ("التانية مين المطور بتاعها؟", "developer", "المطور: Palm Hills Developments."),
     ("فيه صور للشقة دي؟", "photos", "صورتها في الكارت تحت."),
     ("ممكن السعر ينزل؟", "negotiable", "8,030,000 جنيه ده السعر اللي البايع طالبه"),
     ("what's the maintenance fee on the second one?", "maintenance",
      "Its listing does not state a maintenance deposit or service charge"),
     ("وديعة الصيانة كام؟", "maintenance", "الإعلان مش ذاكر وديعة الصيانة"),
     ("is the second one delivered?", "delivery", "No: it is due for delivery in 2028."),
     ("التانية هتتسلم؟", "delivery", "لا، استلامها سنة 2028."),
     ("when is the second one delivered?", "delivery", "It is due for delivery in 2028."),
     ("التانية استلامها امتى؟", "delivery", "استلامها سنة 2028.")],
)  # fmt: skip
def test_a_question_its_listing_answers_or_says_it_cannot(text: str, kind: str, said: str) -> None:
    reading = read(text, {}, focus="SHOWN-2")
    assert (reading.tool, reading.arguments) == ("get_property", {"property_id": "SHOWN-2"})
    assert reading.asked.get(kind) in ([True], ["when"])
    reply = write_reply(reading, [ToolReturnPart("get_property", {"ok": True, "listing": LISTING}, "c1")])
    assert reply.startswith(said), reply


def test_an_arabic_reply_names_the_developer_in_arabic_as_its_details_do() -> None:
    reading = read("التانية مين المطور بتاعها؟", {}, focus="SHOWN-2")
    listing = {**LISTING, "developer_ar": "بالم هيلز"}
    reply = write_reply(reading, [ToolReturnPart("get_property", {"ok": True, "listing": listing}, "c1")])
    assert reply.startswith("المطور: بالم هيلز."), reply


def test_what_a_listing_does_not_say_is_said_as_not_said() -> None:
    bare = {**LISTING, "developer": None, "image_url": None, "source_url": None}
    reading = read("who built it and are there photos?", {}, focus="SHOWN-2")
    reply = write_reply(reading, [ToolReturnPart("get_property", {"ok": True, "listing": bare}, "c1")])
    assert reply.startswith("Its listing does not name a developer. Its listing has no photos yet.")


@pytest.mark.parametrize("text", ["villas with a discount in zayed", "apartments in new cairo with photos"])
def test_a_search_naming_a_type_or_place_stays_a_search(text: str) -> None:
    filters = {"property_types": ["Villa" if "villa" in text else "Apartment"]}
    assert read(text, filters, focus="SHOWN-2").tool == "search_properties"


def test_ready_to_move_is_a_question_of_a_listing_pointed_at_and_else_a_change_of_the_search() -> None:
    reading = read("is it ready to move in?", {"is_delivered": True}, focus="SHOWN-2")
    assert (reading.tool, reading.asked.get("delivery")) == ("get_property", [True])
    ready = {**LISTING, "is_delivered": True}
    reply = write_reply(reading, [ToolReturnPart("get_property", {"ok": True, "listing": ready}, "c1")])
    assert reply.startswith("Yes: it is ready to move in.")
    assert read("only ready to move", {"is_delivered": True}, focus="SHOWN-2").asked.get("delivery") is None


@pytest.mark.parametrize(
    "text", ["which gives the best yield?", "انهي واحدة عائدها احسن؟", "anhy wa7da 3a2edha a7san?",
             "which is the best investment?", "انهي احسن للاستثمار؟", "which one is the better investment?"],
)  # fmt: skip
def test_which_of_the_listings_yields_most_is_said_to_turn_on_their_rents(text: str) -> None:
    # No listing for sale states a rent, and at the usual rent (a share of the price) all yield the same: the first
    # one's yield would answer a question not asked.
    reading = read(text, {}, shown=PLANNED)
    assert (reading.tool, reading.smalltalk) == (None, "yield_which")
    reply = write_reply(reading, [], seed="s")
    assert ("الإيجار اللي متوقعه" if reading.language == "ar" else "rent you expect") in reply, reply
    # One of them named, or a rent stated, is that one's yield.
    assert read("what's the yield on the second?", {}, shown=PLANNED).arguments == {"property_id": "SHOWN-2"}
    named = read("which gives the best yield if the first rents for 15k a month?", {}, shown=PLANNED)
    assert (named.tool, named.arguments.get("monthly_rent")) == ("calculate_investment_roi", 15_000)


@pytest.mark.parametrize(
    ("text", "listing"),
    [("what's the down payment on the first?", "SHOWN-1"), ("el mo2adam kam fel tanya?", "SHOWN-2"),
     ("المقدم كام للتالتة؟", "SHOWN-3"), ("مقدمها كام؟", "SHOWN-2"), ("مقدم التالتة كام؟", "SHOWN-3"),
     ("mo2adamha kam?", "SHOWN-2")],
)  # fmt: skip
def test_the_down_payment_of_a_listing_is_its_plan(text: str, listing: str) -> None:
    # Its plan's down payment in pounds (or "cash only"), not every detail of the listing again.
    reading = read(text, {}, focus="SHOWN-2", shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property",
        {"property_id": listing},
        {"plan": [True]},
    )
    assert answer({"plan": [True]}, "en", is_cash_only=True).startswith("Its payment plan: cash only.")
    planned = answer({"plan": [True]}, "ar", down_payment_pct=10, down_payment=500_000, installment_years=6)
    assert planned.startswith("خطة السداد: مقدم 10% (500,000 جنيه) وتقسيط على 6 سنين."), planned
    # A down payment with a loan, or searched for, is not this question.
    assert read("mortgage on the first with 30% down", {}, shown=PLANNED).tool == "calculate_mortgage"


@pytest.mark.parametrize(
    ("text", "listing"),
    [("احسبلي التكلفة الحقيقية للأولى", "SHOWN-1"), ("what's the true cost of the second?", "SHOWN-2"),
     ("el taklfa el 7a2e2eya bta3et el talta kam?", "SHOWN-3")],
)  # fmt: skip
def test_the_true_cost_of_one_listing_is_its_plan_in_todays_money(text: str, listing: str) -> None:
    reading = read(text, {}, shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property", {"property_id": listing}, {"true_cost": [True]}
    )  # fmt: skip
    # Two named are a comparison.
    assert read("compare the true cost of the first two", {}, shown=PLANNED).tool == "compare_units"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_listings_true_cost_is_said_first_with_what_it_assumes(language: str) -> None:
    terms = {"id": "SHOWN-1", "title": "Flat in Mivida", "price": 5_000_000, "size_sqm": 125.0,
             "price_per_sqm": 40_000, "delivery_year": 2028, "down_payment_pct": 10.0,
             "installment_years": 7}  # fmt: skip
    cost = plan_true_cost(UnitTerms(**terms), today=date(2026, 12, 7)).model_dump(mode="json")
    part = ToolReturnPart("get_property", {"ok": True, "listing": listing(), "true_cost": cost}, tool_call_id="c")
    reading = Reading(language, "get_property", {"property_id": "SHOWN-1"}, asked={"true_cost": [True]})
    lines = write_reply(reading, [part], seed="s").splitlines()
    figures = [f"{cost[key]:,}" for key in ("nominal_total", "present_value", "cash_present_value")]
    assert all(figure in lines[0] for figure in figures), lines[0]
    said = cost["assumptions_ar"] if language == "ar" else cost["assumptions"]
    assert said and all(any(item in line for line in lines[1 : 1 + len(said)]) for item in said), lines
    # Not asked, not said: a question about the listing's garden does not cost its plan.
    other = Reading(language, "get_property", {"property_id": "SHOWN-1"}, asked={"features": ["garden"]})
    assert figures[1] not in write_reply(other, [part], seed="s")


@pytest.mark.parametrize(
    ("text", "asked", "en", "ar"),
    [("el awla fel dor kam?", "which_floor", "It is on floor 11.", "هي في الدور 11."),
     ("مساحة الأولى كام؟", "size", "It is 125 m², 2 bedrooms.", "مساحتها 125 متر، غرفتين."),
     ("how big is the first one?", "size", "It is 125 m², 2 bedrooms.", "مساحتها 125 متر، غرفتين."),
     ("كام حمام في الأولى؟", "bathrooms", "It has 2 bathrooms.", "فيها حمامين."),
     ("الأولى فيها كام اوضة؟", "bedrooms", "It has 2 bedrooms.", "فيها غرفتين."),
     ("how many bedrooms does the first have?", "bedrooms", "It has 2 bedrooms.", "فيها غرفتين."),
     ("how much is the first one?", "price", "It is EGP 5,000,000 (EGP 40,000/m²).",
      "سعرها 5,000,000 جنيه (40,000 جنيه للمتر)."),
     ("الأولى بكام؟", "price", "It is EGP 5,000,000 (EGP 40,000/m²).", "سعرها 5,000,000 جنيه (40,000 جنيه للمتر)."),
     ("el awla b kam?", "price", "It is EGP 5,000,000 (EGP 40,000/m²).", "سعرها 5,000,000 جنيه (40,000 جنيه للمتر)."),
     ("where exactly is the first?", "where",
      "It is in Mivida, New Cairo. Its listing gives the compound and the area, not a street address.",
      "مكانها: ميفيدا، القاهرة الجديدة. الإعلان بيذكر الكمبوند والمنطقة، مش العنوان بالتفصيل.")],
)  # fmt: skip
def test_what_floor_how_big_how_many_bathrooms_and_where_are_answered_first(
    text: str, asked: str, en: str, ar: str
) -> None:
    reading = read(text, {})
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property",
        {"property_id": "SHOWN-1"},
        {asked: [True]},
    )
    changes = {"floor": 11, "bathrooms": 2, "compound_ar": "ميفيدا", "location_ar": "القاهرة الجديدة"}
    assert answer({asked: [True]}, "en", **changes) == en
    assert answer({asked: [True]}, "ar", **changes) == ar
    # What its listing does not give is said so, not guessed.
    if asked in ("which_floor", "bathrooms", "bedrooms"):
        assert "does not" in answer({asked: [True]}, "en", floor=None, bathrooms=None, bedrooms=None)
    if asked == "where":  # no compound: the area alone, said as all the listing gives
        assert answer({asked: [True]}, "en", compound=None) == (
            "It is in New Cairo. Its listing gives the area, not a street address."
        )  # fmt: skip
        # ... or the district its title names before the area
        titled = {"compound": None, "compound_ar": None, "title": "Resale 2BR Apartment in District 10, New Cairo"}
        assert answer({asked: [True]}, "en", **titled) == (
            "It is in District 10, New Cairo. Its listing gives the district and the area, not a street address."
        )
        assert answer({asked: [True]}, "ar", **titled, location_ar="القاهرة الجديدة") == (
            "مكانها: District 10، القاهرة الجديدة. الإعلان بيذكر الحي والمنطقة، مش العنوان بالتفصيل."
        )


def turn(message: str, tool: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    """One turn as chat-history keeps it: the buyer's message, its tool call, Amr's reply."""
    call = [{"id": "c1", "name": tool, "arguments": arguments}]
    return [{"role": "user", "content": message}, {"role": "tool", "content": "{}", "tool_calls": call},
            {"role": "assistant", "content": "..."}]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["and the second?", "what about the second one?", "the second?", "w el tanya?", "wel tanya?", "tab w el tanya?",
     "والتانية؟", "طب والتانية كمان؟", "وبالنسبة للتانية؟", "and the second one please"],
)  # fmt: skip
def test_another_listing_named_alone_is_only_a_pick(text: str) -> None:
    assert only_a_pick(fold(text))


@pytest.mark.parametrize(
    "text",
    ["does the second have a garden?", "and the second floor?", "the second and the third", "book the second one",
     "and in the 5th settlement?", "w el tanya fiha garden?", "والتانية فيها جراج؟", "and villas?"],
)  # fmt: skip
def test_a_message_asking_something_of_its_own_is_no_bare_pick(text: str) -> None:
    assert not only_a_pick(fold(text))


def test_the_question_asked_again_is_the_last_one_more_than_a_pick_answered_by_one_tool() -> None:
    search = turn("apartments in New Cairo", "search_properties", {"location": "New Cairo"})
    garden = turn("does the first have a garden?", "get_property", {"property_id": "SHOWN-1"})
    again = turn("and the second?", "get_property", {"property_id": "SHOWN-2"})
    assert listing_question(search + garden) == ("get_property", "does the first have a garden?")
    assert listing_question(search + garden + again) == ("get_property", "does the first have a garden?")
    # A search since, or another tool asked of the listing in between: nothing to ask again.
    assert listing_question(search + garden + search) is None
    available = turn("is the first available?", "check_availability", {"property_id": "SHOWN-1"})
    assert listing_question(search + available) == ("check_availability", "is the first available?")
    assert listing_question(search + available + again) is None
    assert listing_question(search) is None


@pytest.mark.parametrize(
    ("question", "filters", "tool", "arguments", "asked"),
    [
        ("does the first have a garden?", {"features": ["garden"]}, "get_property", {"property_id": "SHOWN-3"},
         {"features": ["garden"]}),
        ("الاولى عليها تقسيط؟", {"is_cash_only": False}, "get_property", {"property_id": "SHOWN-3"},
         {"is_cash_only": [False]}),
        ("is the first one available?", {}, "check_availability", {"property_id": "SHOWN-3"}, {}),
        ("monthly payment of the first one with 20% down over 10 years?", {}, "calculate_mortgage",
         {"property_id": "SHOWN-3", "down_payment_pct": 20.0, "years": 10}, {}),
    ],
)  # fmt: skip
def test_and_the_third_asks_the_question_before_of_the_third(
    question: str, filters: dict[str, Any], tool: str, arguments: dict[str, Any], asked: dict[str, list[Any]]
) -> None:
    pick = read("and the third?", {})
    assert (pick.tool, pick.arguments, pick.asked) == ("get_property", {"property_id": "SHOWN-3"}, {})
    again = asked_again(pick, read(question, filters), tool, SHOWN)
    assert again is not None
    assert (again.tool, again.arguments, again.asked) == (tool, arguments, asked)


def test_a_bare_look_or_another_tool_is_not_asked_again() -> None:
    pick = read("and the third?", {})
    assert asked_again(pick, read("show me the first one", {}), "get_property", SHOWN) is None
    assert asked_again(pick, read("does the first have a garden?", {"features": ["garden"]}), "check_availability",
                       SHOWN) is None  # fmt: skip


def test_the_monthly_of_the_listing_asked_again_says_why_it_is_a_banks() -> None:
    shown = [{"id": "P1", "installment_years": 6}, {"id": "C2", "is_cash_only": True}]
    question = read_message("monthly payment of the first one over 10 years?", {"filters": {}}, shown, "en")
    pick = read_message("and the second?", {"filters": {}}, shown, "en")
    again = asked_again(pick, question, "calculate_mortgage", shown)
    assert again is not None and (again.arguments["property_id"], again.note) == ("C2", "cash_only")


@pytest.mark.parametrize(
    ("text", "focus", "tool", "asked", "smalltalk"),
    [
        # Of "it": the listing the conversation is on, else the first shown; "بكام؟" alone only of the one it is on.
        ("how much is it?", None, "get_property", {"price": [True]}, None),
        ("سعرها كام؟", "SHOWN-3", "get_property", {"price": [True]}, None),
        ("بكام؟", "SHOWN-3", "get_property", {"price": [True]}, None),
        ("how much?", "SHOWN-3", "get_property", {"price": [True]}, None),
        # Its price per m² is its price, which says it per m²; asked of none named it is the market's.
        ("كام المتر فيها؟", "SHOWN-3", "get_property", {"price": [True]}, None),
        ("سعر المتر فيها كام؟", None, "get_property", {"price": [True]}, None),
        ("how much per meter is it?", "SHOWN-3", "get_property", {"price": [True]}, None),
        ("el metr fiha b kam?", "SHOWN-3", "get_property", {"price": [True]}, None),
        ("سعر المتر كام؟", "SHOWN-3", "check_market_trends", {}, None),
        # After a list, none named: their prices are in their lines, and which one is asked.
        ("بكام؟", None, None, {}, "which_price"),
        ("b kam?", None, None, {}, "which_price"),
        # Not the price of a listing: its monthly, its down payment, the buyer's own home, a search.
        ("how much is the monthly on the second?", None, "calculate_mortgage", {}, None),
        ("مقدم التانية كام؟", None, "get_property", {"plan": [True]}, None),
        ("ابيعها بكام؟", None, None, {}, "valuation_details"),
    ],
)  # fmt: skip
def test_a_price_asked_of_a_listing_is_its_price_and_of_none_named_which_one(
    text: str, focus: str | None, tool: str | None, asked: dict[str, list[Any]], smalltalk: str | None
) -> None:
    reading = read(text, {}, focus=focus)
    assert (reading.tool, reading.asked, reading.smalltalk) == (tool, asked, smalltalk)
    if tool == "get_property" and "price" in asked:
        assert reading.arguments == {"property_id": focus or "SHOWN-1"}
    which = write_reply(reading, [], seed="s") if smalltalk == "which_price" else ""
    assert not which or which.startswith(("Each one's price is in its line above.", "سعر كل واحدة مكتوب"))


def test_a_price_right_after_a_valuation_is_the_estimate_not_a_listing() -> None:
    reading = read("how much?", {}, focus="SHOWN-3", valued=8_500_000)
    assert (reading.tool, reading.smalltalk) == (None, "valued_again")
    named = read("how much is the second one?", {}, valued=8_500_000)
    assert (named.tool, named.arguments, named.asked) == ("get_property", {"property_id": "SHOWN-2"}, {"price": [True]})


@pytest.mark.parametrize("text", ["سعر المتر في التانية كام؟", "how much per sqm is the second one?",
                                  "el metr fel tanya b kam?"])  # fmt: skip
def test_the_price_per_meter_of_a_listing_named_is_its_price(text: str) -> None:
    reading = read(text, {}, focus="SHOWN-3")
    assert (reading.tool, reading.arguments, reading.asked) == ("get_property", {"property_id": "SHOWN-2"},
                                                                {"price": [True]})  # fmt: skip


@pytest.mark.parametrize(
    ("text", "chosen"),
    [("whats the diffrence between the first and second", ["SHOWN-1", "SHOWN-2"]),
     ("the first and the third?", ["SHOWN-1", "SHOWN-3"]), ("el awla w el talta", ["SHOWN-1", "SHOWN-3"]),
     ("الاولى والتالتة؟", ["SHOWN-1", "SHOWN-3"]), ("show me the second and the fourth", ["SHOWN-2", "SHOWN-4"])],
)  # fmt: skip
def test_two_listings_named_and_nothing_else_asked_are_set_side_by_side(text: str, chosen: list[str]) -> None:
    reading = read(text, {})
    assert (reading.tool, reading.arguments) == ("compare_units", {"property_ids": chosen})
    assert reading.places == tuple(int(listing[-1]) for listing in chosen)  # the reply names them as the buyer did
    # ... and so with a word for comparing them
    for said in ("compare the first and the third", "ايه الفرق بين الأولى والتالتة؟", "compare the second and fourth"):
        compared = read(said, {})
        places = tuple(int(listing[-1]) for listing in compared.arguments["property_ids"])
        assert compared.tool == "compare_units" and compared.places == places and len(places) == 2, compared
    assert read("compare them", {}).places == ()  # none named by its place
    # One named is still its details; two named with a search of their own stay that search.
    assert (read("the first one?", {}).tool, read("الاولى؟", {}).tool) == ("get_property", "get_property")
    assert read("the first and the third in Maadi", {"locations": ["Maadi"]}).tool == "search_properties"


@pytest.mark.parametrize(
    ("text", "focus", "calculation", "tool", "arguments", "smalltalk"),
    [
        # Of the listing the conversation is on, or one named: its yield at the usual rent, which the reply states.
        ("هتتأجر بكام؟", "SHOWN-2", None, "calculate_investment_roi", {"property_id": "SHOWN-2"}, None),
        ("how much rent would the third bring?", None, None, "calculate_investment_roi", {"property_id": "SHOWN-3"},
         None),
        # Of the price the last yield was computed on.
        ("طب لو اجرتها هتجيب كام؟", None, ("calculate_investment_roi", {"property_price": 5_000_000}),
         "calculate_investment_roi", {"property_price": 5_000_000}, None),
        # After a list, none named: no listing for sale states a rent; which one.
        ("how much rent would it bring?", None, None, None, {}, "which_rent"),
        ("هتتأجر بكام؟", None, None, None, {}, "which_rent"),
    ],
)  # fmt: skip
def test_what_a_listing_would_rent_for_is_its_yield_or_which_one(
    text: str, focus: str | None, calculation: Any, tool: str | None, arguments: dict[str, Any], smalltalk: str | None
) -> None:
    reading = read_message(text, {"filters": {}}, SHOWN, "auto", focus=focus, calculation=calculation)
    assert (reading.tool, reading.arguments, reading.smalltalk) == (tool, arguments, smalltalk)
    if smalltalk:
        assert write_reply(reading, [], seed="s").startswith(
            ("Listings for sale do not state a rent.", "الإعلانات دي للبيع ومش مكتوب فيها إيجار.")
        )


@pytest.mark.parametrize("text", ["I want to rent", "i want to rent not buy", "عايز شقة ايجار"])
def test_someone_who_wants_to_rent_is_not_asked_which_listing_would_rent(text: str) -> None:
    assert read(text, {}).smalltalk != "which_rent"


@pytest.mark.parametrize(
    "text",
    ["عايز استثمر 5 مليون، اشتري ايه؟", "I want to invest 5 million, what should I buy?", "3ayez asthmer 5 milyon"],
)
def test_money_to_invest_is_a_search_within_it_not_one_yield(text: str) -> None:
    reading = read_message(text, {"filters": {"max_price": 5_000_000}}, [], "auto")
    assert (reading.tool, reading.arguments["max_price"], reading.note) == ("search_properties", 5_000_000, "invest")
    # The rent asked for: of one of them, or of the one found
    found = [{**LISTING, "id": f"L{n}"} for n in range(2)]
    several = write_reply(reading, [ToolReturnPart("search_properties", {"ok": True, "listings": found}, "c1")])
    one = write_reply(reading, [ToolReturnPart("search_properties", {"ok": True, "listings": found[:1]}, "c1")])
    if reading.language == "ar":
        assert "متوقعه لواحدة منهم" in several and "متوقعه ليها" in one, one
    else:
        assert "for one of them" in several and "rent you expect for it and" in one, one


@pytest.mark.parametrize(
    ("text", "filters", "homes"),
    [("I have 2 million cash", {"max_price": 2_000_000}, True),
     ("عايز حاجة في التجمع بـ 3 مليون", {"locations": ["New Cairo"], "max_price": 3_000_000}, True),
     ("3 bedroom in Zayed", {"locations": ["Sheikh Zayed"], "bedrooms": 3}, True),
     ("clinic in Nasr City", {"locations": ["Nasr City"], "property_types": ["Clinic"]}, False),
     ("something commercial in Nasr City", {"locations": ["Nasr City"]}, False),
     ("عايز محل في مدينة نصر", {"locations": ["Nasr City"]}, False),
     ("anything but a studio under 2M", {"max_price": 2_000_000, "exclude_property_types": ["Studio"]}, False),
     ("I want to invest 5 million, what should I buy?", {"max_price": 5_000_000}, False)],
)  # fmt: skip
def test_a_search_naming_no_type_is_for_a_home_unless_commercial_or_investing(
    text: str, filters: dict[str, Any], homes: bool
) -> None:
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, [], "auto")
    assert reading.tool == "search_properties" and reading.arguments.get("homes_only", False) is homes, reading


def test_nothing_found_counting_the_commercial_units_left_out_is_said_so() -> None:
    content = {"ok": True, "listings": [], "applied_filters": {"max_price": 400_000, "exclude_property_types": [
        "Clinic", "Office", "Retail"]}, "relaxations": [{"group": "exclusions", "count": 3, "at_most": 50,
        "without": ["exclude_property_types"]}]}  # fmt: skip
    reading = Reading("en", "search_properties", {"query": "I have 400k", "max_price": 400_000, "homes_only": True})
    said = write_reply(reading, [ToolReturnPart("search_properties", content, "c1")])
    assert "Counting offices, shops and clinics there are 3" in said, said
    arabic = write_reply(Reading("ar", reading.tool, reading.arguments), [ToolReturnPart("search_properties", content,
                                                                                        "c1")])  # fmt: skip
    assert "لو حسبنا المكاتب والمحلات والعيادات فيه 3" in arabic, arabic
    # Ruled out by the buyer along with something else: what they ruled out, as before
    content["applied_filters"]["exclude_floors"] = [0]
    assert "Including what you ruled out there are 3" in write_reply(reading, [ToolReturnPart(
        "search_properties", content, "c1")])  # fmt: skip


def bank_loan(amount: int, years: int, monthly: int) -> dict[str, Any]:
    """calculate_mortgage's result for a bank loan at the market rate."""
    paid = monthly * years * 12
    return {
        "ok": True,
        "loan_amount": amount,
        "years": years,
        "annual_rate_pct": 24.0,
        "monthly_payment": monthly,
        "total_interest": paid - amount,
        "total_paid": paid,
        "programme": {"id": "market", "name": "Bank"},
    }


@pytest.mark.parametrize("text", ["ولو على 10 سنين؟", "and over 10 years?", "w law 3ala 10 snin?"])
def test_a_term_alone_after_one_listing_is_its_monthly_over_it_said_to_be_a_banks(text: str) -> None:
    reading = read(text, {"min_installment_years": 10}, focus="SHOWN-2", shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.note) == (
        "calculate_mortgage", {"property_id": "SHOWN-2", "years": 10}, "plan_shorter")  # fmt: skip
    loan = bank_loan(4_000_000, 10, 88_000)
    said = write_reply(reading, [ToolReturnPart("calculate_mortgage", loan, "c1")], seed="s")
    assert said.startswith("Its own instalment plan is shorter than that, so over that term a bank mortgage would "
                           "finance it.\n") or said.startswith("خطة التقسيط بتاعتها أقصر من كده")  # fmt: skip
    # A term its plan covers needs no bank; with no listing the conversation is on, or "any with...", it is a search.
    assert read(text, {"min_installment_years": 2}, focus="SHOWN-2", shown=PLANNED).note is None
    assert read(text, {"min_installment_years": 10}, shown=PLANNED).tool == "search_properties"
    assert read("any with 10 years of instalments?", {"min_installment_years": 10}, focus="SHOWN-2",
                shown=PLANNED).tool == "search_properties"  # fmt: skip


@pytest.mark.parametrize(
    "text", ["can I pay it in installments over 7 years?", "ينفع اقسط على 7 سنين؟", "momken a2aset 3ala 7 snin?"]
)
def test_can_i_pay_over_a_term_is_asked_of_the_listing_one_is_on_not_a_search(text: str) -> None:
    # Its own plan where it runs that long; a bank's mortgage over the term, said to be one, where it is shorter or none
    covered = read(text, {"min_installment_years": 6}, focus="SHOWN-2", shown=PLANNED)
    assert (covered.tool, covered.arguments, covered.asked) == (
        "get_property", {"property_id": "SHOWN-2"}, {"plan": [True]})  # fmt: skip
    for focus, note in (("SHOWN-2", "plan_shorter"), ("SHOWN-3", "plan_shorter"), ("SHOWN-1", "no_plan")):
        reading = read(text, {"min_installment_years": 7}, focus=focus, shown=PLANNED)
        assert (reading.tool, reading.arguments, reading.note) == (
            "calculate_mortgage", {"property_id": focus, "years": 7}, note)  # fmt: skip
    # With no listing the conversation is on it is a search for plans that long
    assert read(text, {"min_installment_years": 7}, shown=PLANNED).tool == "search_properties"
    # Right after a loan worked out on it, the same loan over the term asked
    loan = ("calculate_mortgage", {"property_id": "SHOWN-1", "property_price": 9_480_000, "down_payment_pct": 30})
    parsed = {"filters": {"min_installment_years": 7}, "text": text, "understood": []}
    again = read_message(text, parsed, PLANNED, "auto", focus="SHOWN-1", calculation=loan)
    assert (again.tool, again.arguments) == ("calculate_mortgage", {**loan[1], "years": 7})


@pytest.mark.parametrize(
    ("text", "listing"),
    [("what about the second one, can I pay it over 7 years?", "SHOWN-2"),
     ("التالتة ينفع اقسطها على 7 سنين؟", "SHOWN-3"), ("el tanya momken a2aset 3ala 7 snin?", "SHOWN-2")],
)  # fmt: skip
def test_can_i_pay_over_a_term_is_asked_of_the_listing_named(text: str, listing: str) -> None:
    reading = read(text, {"min_installment_years": 7}, focus="SHOWN-1", shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.note) == (
        "calculate_mortgage", {"property_id": listing, "years": 7}, "plan_shorter")  # fmt: skip


@pytest.mark.parametrize(
    ("text", "listing"),
    [("العربون كام؟", "SHOWN-4"), ("el 3arboon kam?", "SHOWN-4"), ("how much is the reservation deposit?", "SHOWN-4"),
     ("how long is the hold?", "SHOWN-4"), ("مدة الحجز قد ايه؟", "SHOWN-4"), ("التانية العربون بتاعها كام؟", "SHOWN-2"),
     ("how much to reserve the third?", "SHOWN-3")],
)  # fmt: skip
def test_what_reserving_takes_is_asked_of_a_quote_that_reserves_nothing(text: str, listing: str) -> None:
    reading = read(text, {}, focus="SHOWN-4")
    assert (reading.tool, reading.arguments) == ("reserve_property", {"property_id": listing, "quote": True})


@pytest.mark.parametrize("text", ["عايز ادفع عربون", "reserve the first one", "احجزهالي", "I want to pay the deposit"])
def test_a_wish_to_reserve_is_a_reservation_not_a_quote(text: str) -> None:
    reading = read(text, {}, focus="SHOWN-4")
    assert reading.tool == "reserve_property" and "quote" not in reading.arguments


def test_a_bare_or_maintenance_deposit_is_no_reservation_question() -> None:
    # "deposit" alone is as often the down payment, or the maintenance deposit: not taken for a reservation's
    assert read("what is the maintenance deposit?", {}, focus="SHOWN-4").tool == "get_property"
    assert read("what is the deposit?", {}, focus="SHOWN-4").tool != "reserve_property"


def test_the_quote_says_the_deposit_and_hold_and_a_yes_reserves() -> None:
    quote = {"ok": True, "status": "quote", "property_id": "SHOWN-4", "title": "Villa in Joulz", "deposit_egp": 210_600,
             "hold_hours": 72.0}  # fmt: skip
    reading = Reading("en", "reserve_property", {"property_id": "SHOWN-4", "quote": True})
    said = write_reply(reading, [ToolReturnPart("reserve_property", quote, "c1")], seed="s")
    assert said == ("Reserving Villa in Joulz takes a deposit of EGP 210,600 and holds it for you for 72 hours. Shall "
                    "I reserve it for you?")  # fmt: skip
    call = {"id": "c1", "name": "reserve_property", "arguments": {"property_id": "SHOWN-4", "quote": True}}
    past = [{"role": "user", "content": "العربون كام؟"},
            {"role": "tool", "content": json.dumps(quote), "tool_calls": [call]},
            {"role": "assistant", "content": said}]  # fmt: skip
    assert offered_next(past, said) == ("reserve_property", {"property_id": "SHOWN-4"})


@pytest.mark.parametrize(
    "text", ["what is the deposit?", "how much is the deposit?", "deposit?", "and the deposit?",
             "how long will it be held?"],
)  # fmt: skip
def test_right_after_a_reservation_a_bare_deposit_is_its_deposit(text: str) -> None:
    # The last tool call reserved (or quoted) SHOWN-3: the deposit asked is that reservation's, nothing reserved again
    reading = read(text, {}, focus="SHOWN-4", reserving="SHOWN-3")
    assert (reading.tool, reading.arguments) == ("reserve_property", {"property_id": "SHOWN-3", "quote": True})
    # ... of another listing named, that one's; a maintenance deposit or a wish to pay it are still what they were
    assert read("what is the deposit of the second?", {}, reserving="SHOWN-3").arguments["property_id"] == "SHOWN-2"
    assert read("what is the maintenance deposit?", {}, focus="SHOWN-3", reserving="SHOWN-3").tool == "get_property"
    paid = read("ok I want to pay the deposit", {}, focus="SHOWN-3", reserving="SHOWN-3")
    assert paid.tool == "reserve_property" and "quote" not in paid.arguments


@pytest.mark.parametrize(
    ("text", "filters", "ids", "places", "asked"),
    [("does the first and third have a garden?", {"features": ["garden"]}, ["SHOWN-1", "SHOWN-3"], (1, 3),
      {"features": ["garden"]}),
     ("الاولى والتانية متشطبين؟", {"finishing": ["fully_finished"]}, ["SHOWN-1", "SHOWN-2"], (1, 2),
      {"finishing": ["fully_finished"]}),
     ("who is the developer of the second and the fourth?", {}, ["SHOWN-2", "SHOWN-4"], (2, 4), {"developer": [True]}),
     ("do both have a pool?", {"features": ["pool"]}, ["SHOWN-1", "SHOWN-2"], (), {"features": ["pool"]}),
     ("الاتنين الاولانيين فيهم جنينة؟", {"features": ["garden"]}, ["SHOWN-1", "SHOWN-2"], (1, 2),
      {"features": ["garden"]}),
     ("do all of them have a garden?", {"features": ["garden"]}, [f"SHOWN-{n}" for n in range(1, 5)], (),
      {"features": ["garden"]})],
)  # fmt: skip
def test_a_question_asked_of_several_listings_reads_them_all_once(
    text: str, filters: dict[str, Any], ids: list[str], places: tuple[int, ...], asked: dict[str, list[Any]]
) -> None:
    reading = read(text, filters)
    assert (reading.tool, reading.arguments, reading.places, reading.asked) == (
        "compare_units",
        {"property_ids": ids},
        places,
        asked,
    )
    # One named is still that one's details; two named with nothing asked are a plain comparison.
    assert read("does the third have a garden?", {"features": ["garden"]}).tool == "get_property"
    plain = read("the first and the third?", {})
    assert (plain.tool, plain.asked) == ("compare_units", {})


def test_each_listing_asked_of_is_answered_under_its_place_and_a_yes_compares_them() -> None:
    listings = [{"id": "A", "title": "Villa in Joulz", "features": ["garden"], "finishing": "furnished",
                 "price": 21_060_000},
                {"id": "B", "title": "Villa in Allegria", "features": [], "finishing": "semi_finished"}]  # fmt: skip
    content = {"ok": True, "listings": listings, "comparison": {"units": []}}
    asked = {"features": ["garden"], "finishing": ["furnished"]}
    reading = Reading("en", "compare_units", {"property_ids": ["B", "A"]}, asked=asked, places=(3, 1))
    said = write_reply(reading, [ToolReturnPart("compare_units", content, "c1")], seed="s")
    assert said.splitlines() == [
        "The third (Villa in Allegria): Its listing does not mention a garden. No: it is semi-finished, not furnished.",
        "The first (Villa in Joulz): Yes: its listing mentions a garden. Yes, it is furnished.",
        "Shall I set them side by side, with what each plan really costs?",
    ]
    arabic = write_reply(Reading("ar", "compare_units", {"property_ids": ["A", "B"]}, asked=asked),
                         [ToolReturnPart("compare_units", content, "c1")], seed="s")  # fmt: skip
    # Named together ("are both furnished?"): by title and price, which tell apart two of one title
    assert arabic.splitlines()[0] == "Villa in Joulz (21,060,000 جنيه): أيوه، الإعلان ذاكر جنينة. أيوه، مفروشة."
    call = {"id": "c1", "name": "compare_units", "arguments": {"property_ids": ["B", "A"]}}
    past = [{"role": "user", "content": "is the third and first furnished with a garden?"},
            {"role": "tool", "content": json.dumps(content), "tool_calls": [call]},
            {"role": "assistant", "content": said}]  # fmt: skip
    assert offered_next(past, said) == ("compare_units", {"property_ids": ["B", "A"]})


@pytest.mark.parametrize(
    ("text", "language"),
    [("طب القسط الشهري كام لو دفعت مقدم 10%؟", "ar"), ("what's the monthly with 10% down?", "en"),
     ("el 2est kam law dafa3t 10% mo2adam?", "en")],
)  # fmt: skip
def test_a_monthly_with_another_down_payment_than_its_plans_is_a_banks_said_so(text: str, language: str) -> None:
    # SHOWN-2's plan is 20% down over 6 years: 10% down is not its plan, so a bank's loan on its price, said so first
    reading = read(text, {"max_down_payment_pct": 10}, focus="SHOWN-2", shown=PLANNED)
    assert (reading.tool, reading.arguments, reading.note) == (
        "calculate_mortgage", {"property_id": "SHOWN-2", "down_payment_pct": 10.0}, "plan_down")  # fmt: skip
    loan = bank_loan(8_370_000, 20, 168_000)
    said = write_reply(reading, [ToolReturnPart("calculate_mortgage", loan, "c1")], seed="s")
    first = said.splitlines()[0]
    arabic = "خطة التقسيط بتاعتها بمقدم تاني، فبالمقدم اللي قلته التمويل هيكون بقرض من البنك."
    assert first == (arabic if language == "ar" else "Its own instalment plan asks for another down payment, so with "
                     "the one you said a bank mortgage would finance it.")  # fmt: skip
    # The down payment its plan asks for is its plan, not a bank's loan.
    same = read(text.replace("10", "20"), {"max_down_payment_pct": 20}, focus="SHOWN-2", shown=PLANNED)
    assert (same.tool, same.asked) == ("get_property", {"plan": [True]})


@pytest.mark.parametrize(
    ("text", "order", "listing", "asked"),
    [("which one is the biggest?", "size_desc", "SHOWN-2", {"size": [True]}),
     ("which is the smallest one?", "size_asc", "SHOWN-3", {"size": [True]}),
     ("انهي فيهم ارخص؟", "price_asc", "SHOWN-3", {"price": [True]}),
     ("anhy wa7da el aghla?", "price_desc", "SHOWN-1", {"price": [True]})],
)  # fmt: skip
def test_which_one_is_the_biggest_is_that_one_of_those_shown(
    text: str, order: str, listing: str, asked: dict[str, list[Any]]
) -> None:
    reading = read_message(text, {"filters": {}, "order": order}, PLANNED, "auto")
    assert (reading.tool, reading.arguments, reading.asked, reading.places) == (
        "get_property", {"property_id": listing}, asked, (int(listing[-1]),))  # fmt: skip
    # Two asked for are not one ("which two are the biggest?")
    assert read_message("which two are the biggest?", {"filters": {}, "order": "size_desc"}, PLANNED,
                        "auto").tool != "get_property"  # fmt: skip


@pytest.mark.parametrize(
    ("text", "filters"),
    [("which of these is in a compound?", {"in_compound": True}),
     ("انهي فيهم متشطبة؟", {"finishing": ["fully_finished"]}),
     ("which of them have a garden?", {"features": ["garden"]}),
     ("انهي واحدة فيهم فيها جراج؟", {"features": ["parking"]})],
)  # fmt: skip
def test_which_of_these_has_a_feature_is_asked_of_each_of_the_last_listed(text: str, filters: dict[str, Any]) -> None:
    parsed = {"filters": filters, "text": text, "understood": []}
    asked = {key: value if isinstance(value, list) else [value] for key, value in filters.items()}
    after_two = read_message(text, parsed, PLANNED, "auto", listed=2)
    assert (after_two.tool, after_two.arguments, after_two.asked) == (
        "compare_units", {"property_ids": ["SHOWN-1", "SHOWN-2"]}, asked)  # fmt: skip
    after_five = read_message(text, parsed, SHOWN, "auto")  # the first four of five: as many as one read takes
    assert after_five.arguments == {"property_ids": ["SHOWN-1", "SHOWN-2", "SHOWN-3", "SHOWN-4"]}
    # "Which one is furnished?" with no "of these" is still the search's furnished ones; a place named, a search.
    assert read_message("which one is furnished?", {"filters": {"finishing": ["furnished"]}}, SHOWN, "auto",
                        previous=None).tool == "search_properties"  # fmt: skip
    in_maadi = {"filters": {**filters, "locations": ["Maadi"]}, "text": text, "understood": []}
    assert read_message(f"{text} in Maadi", in_maadi, SHOWN, "auto").tool == "search_properties"


@pytest.mark.parametrize(
    ("text", "filters", "tool", "asked"),
    [("how much rent could I get for the cheaper one?", {}, "calculate_investment_roi", {}),
     ("الأرخص هتتأجر بكام؟", {}, "calculate_investment_roi", {}),
     ("reserve the cheaper one", {}, "reserve_property", {}),
     ("el ar5as feha garden?", {"features": ["garden"]}, "get_property", {"features": ["garden"]}),
     ("is the cheaper one ready to move?", {"is_delivered": True}, "get_property", {"delivery": [True]}),
     ("the cheaper one, is it ready?", {"is_delivered": True}, "get_property", {"delivery": [True]}),
     ("is the cheaper one ready?", {"is_delivered": True}, "get_property", {"delivery": [True]})],
)  # fmt: skip
def test_the_cheaper_one_asked_of_is_the_cheaper_of_the_last_listed(
    text: str, filters: dict[str, Any], tool: str, asked: dict[str, list[Any]]
) -> None:
    # Two compared (the last list) before the search's third: "the cheaper one" is the cheaper of those two ...
    parsed = {"filters": filters, "text": text, "understood": []}
    reading = read_message(text, parsed, PLANNED, "auto", listed=2)
    assert (reading.tool, reading.arguments.get("property_id"), reading.asked) == (tool, "SHOWN-2", asked)
    # ... and after a list of three, the cheapest of the three.
    assert read_message(text, parsed, PLANNED, "auto", listed=3).arguments.get("property_id") == "SHOWN-3"


@pytest.mark.parametrize(
    ("text", "order", "listing"),
    [("what's the cheapest of them", "price_asc", "SHOWN-3"), ("what is the biggest one?", "size_desc", "SHOWN-2"),
     ("whats the most expensive one", "price_desc", "SHOWN-1")],
)  # fmt: skip
def test_what_is_the_cheapest_names_the_one_of_those_listed_as_which_is_does(
    text: str, order: str, listing: str
) -> None:
    parsed = {"filters": {}, "text": text, "understood": [], "order": order}
    reading = read_message(text, parsed, PLANNED, "auto", listed=3)
    assert (reading.tool, reading.arguments, reading.note) == (
        "get_property", {"property_id": listing}, f"of_these:{order}")  # fmt: skip


def test_what_is_the_monthly_for_the_cheaper_one_is_a_sum_of_that_one_not_which_plan() -> None:
    for text in ("what is the monthly for the cheaper one?", "what's the monthly for the cheaper one?"):
        reading = read_message(text, {"filters": {}, "text": text, "understood": []}, PLANNED, "auto", listed=2)
        assert (reading.tool, reading.arguments.get("property_id")) == ("get_property", "SHOWN-2"), reading
        assert reading.asked == {"plan": [True]}


@pytest.mark.parametrize(
    ("text", "listed", "listing"),
    [("book a viewing for the bigger one", 2, "SHOWN-2"), ("احجز معاينة للأصغر", 3, "SHOWN-3"),
     ("what's the monthly on the smaller one?", 3, "SHOWN-3"), ("el akbar feha garden?", 3, "SHOWN-2"),
     ("والأغلى بكام؟", 3, "SHOWN-1")],
)  # fmt: skip
def test_the_bigger_or_the_pricier_one_is_named_by_how_it_ranks(text: str, listed: int, listing: str) -> None:
    filters = {"features": ["garden"]} if "garden" in text else {}
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, PLANNED, "auto", listed=listed)
    assert reading.arguments.get("property_id") == listing, (reading.tool, reading.arguments)


@pytest.mark.parametrize("text", ["the cheapest?", "show me the cheapest with a garden", "which one is cheaper?"])
def test_a_rank_alone_or_in_a_search_names_no_listing(text: str) -> None:
    filters = {"features": ["garden"]} if "garden" in text else {}
    reading = read_message(text, {"filters": filters, "text": text, "understood": []}, PLANNED, "auto", listed=2)
    assert reading.tool != "get_property" or reading.note == "of_these:price_asc", (reading.tool, reading.arguments)
    assert reading.tool not in ("calculate_investment_roi", "reserve_property", "schedule_viewing")


@pytest.mark.parametrize(
    ("text", "focus", "tool", "arguments", "asked", "smalltalk"),
    [
        # Of the listing the conversation is on: the year it is due, not a yes or no.
        ("هتتسلم امتى؟", "SHOWN-3", "get_property", {"property_id": "SHOWN-3"}, {"delivery": ["when"]}, None),
        ("when is delivery?", "SHOWN-3", "get_property", {"property_id": "SHOWN-3"}, {"delivery": ["when"]}, None),
        ("how many years until delivery?", "SHOWN-3", "get_property", {"property_id": "SHOWN-3"},
         {"delivery": ["when"]}, None),
        # After a list, none named: each one's is in its line; which one.
        ("when is delivery?", None, None, {}, {}, "which_delivery"),
        ("الاستلام امتى؟", None, None, {}, {}, "which_delivery"),
        # "ready to move" said, not asked: still a search.
        ("ready to move only", "SHOWN-3", "search_properties", None, {}, None),
        # How long its instalments run: its plan.
        ("the first one, how many years?", None, "get_property", {"property_id": "SHOWN-1"}, {"plan": [True]}, None),
        ("التقسيط على كام سنة؟", "SHOWN-2", "get_property", {"property_id": "SHOWN-2"}, {"plan": [True]}, None),
        ("3ala kam sana?", "SHOWN-2", "get_property", {"property_id": "SHOWN-2"}, {"plan": [True]}, None),
        # Its down payment or monthly after a list, none named: each one's plan is in its line; which one.
        ("tab el mo2adam kam?", None, None, {}, {}, "which_plan"),
        ("what's the monthly?", None, None, {}, {}, "which_plan"),
        ("كام سنة؟", None, None, {}, {}, "which_plan"),
        ("المقدم كام؟", "SHOWN-2", "get_property", {"property_id": "SHOWN-2"}, {"plan": [True]}, None),
    ],
)  # fmt: skip
def test_when_it_is_delivered_and_its_plan_are_asked_of_the_listing_the_conversation_is_on_or_which_one(
    text: str, focus: str | None, tool: str | None, arguments: dict[str, Any] | None, asked: dict[str, list[Any]],
    smalltalk: str | None,
) -> None:  # fmt: skip
    filters = {"is_delivered": True} if "ready to move" in text else {}
    reading = read(text, filters, focus=focus)
    assert (reading.tool, reading.asked, reading.smalltalk) == (tool, asked, smalltalk)
    if arguments is not None:
        assert reading.arguments == arguments
    if smalltalk:
        said = write_reply(reading, [], seed="s")
        assert said.startswith(("Each one's delivery (ready to move in, or the year it is due) is in its line above.",
                                "ميعاد استلام كل واحدة", "Each one's down payment and instalments (or cash only) are "
                                "in its line above.", "المقدم والأقساط (أو كاش بس) لكل واحدة")), said  # fmt: skip


def test_the_one_of_those_shown_is_named_by_its_place_first() -> None:
    listing = {
        "id": "SHOWN-2",
        "title": "Villa in Joulz",
        "type": "Villa",
        "location": "Sheikh Zayed",
        "price": 9_300_000,
        "size_sqm": 210.0,
        "price_per_sqm": 44_286,
        "bedrooms": 4,
    }
    reading = read_message("which one is the biggest?", {"filters": {}, "order": "size_desc"}, PLANNED, "auto")
    said = write_reply(reading, [ToolReturnPart("get_property", {"ok": True, "listing": listing}, "c1")], seed="s")
    assert said.splitlines()[:2] == [
        "Of these, the biggest is the second: Villa in Joulz.",
        "It is 210 m², 4 bedrooms.",
    ]
    arabic = read_message("انهي فيهم اكبر؟", {"filters": {}, "order": "size_desc"}, PLANNED, "auto")
    said = write_reply(arabic, [ToolReturnPart("get_property", {"ok": True, "listing": listing}, "c1")], seed="s")
    assert said.splitlines()[0] == "الأكبر من دول هي التانية: Villa in Joulz."


@pytest.mark.parametrize("text", ["is there a clubhouse in the compound?", "does the compound have a club house?",
                                  "الكمبوند فيه نادي؟"])  # fmt: skip
def test_a_question_of_its_compound_is_asked_of_the_listing_the_conversation_is_on(text: str) -> None:
    reading = read(text, {"features": ["near_club"]}, focus="SHOWN-3")
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property", {"property_id": "SHOWN-3"}, {"features": ["near_club"]})  # fmt: skip
    # Listings in a compound asked for are a search, not a question
    asked_for = read("apartments in the compound with a pool", {"features": ["pool"], "property_types": ["Apartment"]},
                     focus="SHOWN-3")  # fmt: skip
    assert asked_for.tool == "search_properties"


@pytest.mark.parametrize("text", ["compare them", "which has the lowest down payment?", "قارنلي بينهم"])
def test_a_comparison_asked_before_any_listing_was_shown_says_there_is_none_yet(text: str) -> None:
    reading = read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.smalltalk) == (None, "nothing_to_compare")
    said = write_reply(reading, [])
    assert said.startswith("لسه ماعرضتش عليك وحدات" if reading.language == "ar" else "I have not shown you any")
    # With listings shown, the comparison itself
    assert read(text, {}).tool == "compare_units"


@pytest.mark.parametrize(("text", "filters"), [("can I pay in installments?", {"is_cash_only": False}),
                                               ("ينفع اقسط؟", {"is_cash_only": False})])  # fmt: skip
def test_can_i_pay_in_instalments_is_asked_of_the_listing_the_conversation_is_on(
    text: str, filters: dict[str, Any]
) -> None:
    reading = read(text, filters, focus="SHOWN-3")
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property", {"property_id": "SHOWN-3"}, {"is_cash_only": [False]})  # fmt: skip
    # With no listing the conversation is on (a list shown), it asks for listings on instalments
    assert read(text, filters).tool != "get_property"


def test_a_question_of_several_is_asked_again_of_the_one_named_next() -> None:
    call = {"id": "c1", "name": "compare_units", "arguments": {"property_ids": ["SHOWN-1", "SHOWN-2"]}}
    past = [{"role": "user", "content": "do the first and second have a garden?"},
            {"role": "tool", "content": json.dumps({"ok": True, "listings": []}), "tool_calls": [call]},
            {"role": "assistant", "content": "..."}]  # fmt: skip
    assert listing_question(past) == ("compare_units", "do the first and second have a garden?")
    question = read("do the first and second have a garden?", {"features": ["garden"]})
    pick = read("and the fourth?", {})
    again = asked_again(pick, question, "compare_units", SHOWN)
    assert again is not None
    assert (again.tool, again.arguments, again.asked) == (
        "get_property", {"property_id": "SHOWN-4"}, {"features": ["garden"]})  # fmt: skip
    # A plain comparison asked nothing to ask again
    assert asked_again(pick, read("compare the first and second", {}), "compare_units", SHOWN) is None


def test_the_listings_looked_at_one_at_a_time_since_the_last_list_are_these_two() -> None:
    def tool(name: str, arguments: dict[str, Any], content: dict[str, Any]) -> dict[str, Any]:
        call = {"id": "c", "name": name, "arguments": arguments}
        return {"role": "tool", "content": json.dumps(content), "tool_calls": [call]}

    search = tool("search_properties", {"query": "x"}, {"ok": True, "listings": [{"id": "A"}, {"id": "B"}]})
    second = tool("get_property", {"property_id": "B"}, {"ok": True, "listing": {"id": "B"}})
    third = tool("get_property", {"property_id": "C"}, {"ok": True, "listing": {"id": "C"}})
    assert last_looked([search, second, third, second]) == ("C", "B")
    assert last_looked([second, search]) == ()  # a list shown since: nothing looked at one at a time


@pytest.mark.parametrize(
    ("text", "filters"),
    [("and the schools around?", {"features": ["near_schools"]}), ("و فيها جنينة؟", {"features": ["garden"]}),
     ("w el garage?", {"features": ["parking"]}), ("and is it furnished?", {"finishing": ["furnished"]})],
)  # fmt: skip
def test_one_more_thing_asked_right_after_a_question_of_a_listing_is_asked_of_it(
    text: str, filters: dict[str, Any]
) -> None:
    asked = asked_more(text, {"filters": filters}, "auto", "SHOWN-2")
    assert asked is not None and (asked.tool, asked.arguments) == ("get_property", {"property_id": "SHOWN-2"})
    assert asked.asked == {key: list(value) for key, value in filters.items()}
    # A search of its own, or no "and": not this.
    assert asked_more("and villas in Maadi with a garden?", {"filters": {**filters, "locations": ["Maadi"]}}, "auto",
                      "SHOWN-2") is None  # fmt: skip
    assert asked_more("with a garden", {"filters": {"features": ["garden"]}}, "auto", "SHOWN-2") is None


@pytest.mark.parametrize(
    ("text", "rent"), [("and if I rent it only in summer?", None), ("what if I rent it for 30k a month?", 30_000),
                       ("ولو اجرتها ب 20 الف في الشهر؟", 20_000)],
)  # fmt: skip
def test_a_yield_asked_again_after_one_on_a_listing_stays_on_that_listing(text: str, rent: int | None) -> None:
    computed = ("calculate_investment_roi", {"property_id": "SHOWN-2", "property_price": 9_300_000})
    parsed = {"filters": {}, "text": text, "understood": []}
    reading = read_message(text, parsed, PLANNED, "auto", focus="SHOWN-2", calculation=computed)
    assert reading.tool == "calculate_investment_roi" and reading.arguments["property_id"] == "SHOWN-2", reading
    assert reading.arguments.get("monthly_rent") == rent


@pytest.mark.parametrize("text", ["about 40k a month for 3 months", "حوالي 40 الف في الشهر لمدة 3 شهور"])
def test_the_summer_rent_asked_for_is_the_yield_over_those_months_though_said_at_length(text: str) -> None:
    computed = ("calculate_investment_roi", {"property_id": "SHOWN-2", "property_price": 9_300_000})
    parsed = {"filters": {"max_monthly_installment": 44_000}, "text": text, "understood": []}  # as the parser reads it
    reading = read_message(text, parsed, PLANNED, "auto", focus="SHOWN-2", calculation=computed)
    assert (reading.tool, reading.arguments) == (
        "calculate_investment_roi", {**computed[1], "monthly_rent": 40_000, "months_let": 3})  # fmt: skip
    # A search of its own stays a search
    moved = {"filters": {"locations": ["Maadi"], "bedrooms": 3}, "text": text, "understood": []}
    assert read_message("3 bedroom apartments in Maadi for 40k a month", moved, PLANNED, "auto", focus="SHOWN-2",
                        calculation=computed).tool == "search_properties"  # fmt: skip


@pytest.mark.parametrize(
    "text",
    [
        "how much would it rent for in the summer?",
        "هيتأجر بكام في الصيف؟",
        "how much would this chalet rent for?",
        "الشاليه ده هيتأجر بكام في الصيف؟",
    ],
)
def test_a_rent_asked_after_a_search_that_showed_one_listing_is_its_yield(text: str) -> None:
    """One listing shown: "it" (or "this chalet", whatever type the buyer calls it) is that one; a summer let with no
    rent said is the whole year's yield, and the reply asks the summer rent."""
    chalet = {"property_types": ["Chalet"]} if "chalet" in text or "شاليه" in text else {}
    one = [{"id": "S1", "price": 4_950_000, "type": "Studio"}]
    reading = read_message(text, {"filters": chalet, "text": text, "understood": []}, one, "auto", listed=1)
    assert (reading.tool, reading.arguments) == ("calculate_investment_roi", {"property_id": "S1"})
    assert reading.note == ("season" if "summer" in text or "الصيف" in text else None)
    content = {"ok": True, "property_price": 4_950_000, "annual_rent": 297_000, "gross_yield_pct": 6.0,
               "net_yield_pct": 4.0, "annual_costs": 99_000, "break_even_years": 25.0, "grade": "Fair",
               "assumptions": []}  # fmt: skip
    said = write_reply(reading, [ToolReturnPart("calculate_investment_roi", content, tool_call_id="c")])
    assert ("monthly summer rent" in said or "الإيجار الشهري اللي متوقعه في الصيف" in said) == (
        reading.note == "season"
    )
    # Several shown, none named ("this" is still the first shown): which one
    several = [*one, {"id": "S2", "price": 6_000_000}]
    if not chalet:
        assert read_message(text, {"filters": chalet}, several, "auto", listed=2).tool != "calculate_investment_roi"


@pytest.mark.parametrize(
    ("listing", "english", "arabic"),
    [({"is_delivered": False, "delivery_year": 2028}, "It is not built yet: it is due for delivery in 2028.",
      "لسه مبنيتش: استلامها سنة 2028."),
     ({"is_delivered": True, "delivery_year": 2022}, "It was delivered in 2022.", "اتسلمت سنة 2022."),
     ({"is_delivered": True, "delivery_year": None},
      "Its listing does not say when it was built; it is ready to move in.",
      "الإعلان مش ذاكر سنة البنا، بس هي جاهزة للاستلام.")],
)  # fmt: skip
def test_how_old_the_building_is_is_what_its_delivery_says(listing: dict[str, Any], english: str, arabic: str) -> None:
    for text, said in (("how old is the building?", english), ("العمارة عمرها كام؟", arabic)):
        reading = read_message(text, {"filters": {}}, [{"id": "SHOWN-2"}], "auto", focus="SHOWN-2")
        assert (reading.tool, reading.asked) == ("get_property", {"age": [True]})
        part = ToolReturnPart("get_property", {"ok": True, "listing": {**LISTING, **listing}}, "c1")
        assert write_reply(reading, [part]).startswith(said)


def test_a_question_of_the_listing_just_detailed_is_answered_alone() -> None:
    reading = read_message("what floor?", {"filters": {}}, [{"id": "SHOWN-2"}], "auto", focus="SHOWN-2")
    part = ToolReturnPart("get_property", {"ok": True, "listing": {**LISTING, "floor": 3}}, "c1")
    full = write_reply(reading, [part])
    assert "3BR Apartment in Palm Hills New Cairo" in full  # the first time: its details too
    reading.brief = True
    assert write_reply(reading, [part]) == "It is on floor 3.\nAnything else you would like to know about it?"


@pytest.mark.parametrize(
    ("text", "feature", "language"),
    [("how big is the roof?", "roof", "en"), ("الجنينة مساحتها كام؟", "garden", "ar"),
     ("how big is the garden of the second?", "garden", "en")],
)  # fmt: skip
def test_the_size_of_a_roof_or_garden_is_said_to_be_unstated_not_the_homes(
    text: str, feature: str, language: str
) -> None:
    reading = read(text, {"features": [feature]}, focus="SHOWN-2")
    assert (reading.tool, reading.arguments) == ("get_property", {"property_id": "SHOWN-2"})
    assert reading.asked == {"size": [True], "features": [feature], "feature_size": [True]}
    listing = {**LISTING, "id": "SHOWN-2", "size_sqm": 286.0, "bedrooms": 4, "features": [feature]}
    said = write_reply(reading, [ToolReturnPart("get_property", {"ok": True, "listing": listing}, "c1")])
    if language == "ar":
        assert (
            said.startswith("الإعلانات بتقول فيه جنينة ولا لأ، بس مش بتقول المساحة.") and "الوحدة نفسها 286 متر" in said
        )
    else:
        assert said.startswith(f"Listings say whether there is a {feature}, not how big it is.") and (
            "The home itself is 286 m², 4 bedrooms." in said), said  # fmt: skip
    # The home's own size asked: as before
    assert read("how big is it?", {}, focus="SHOWN-2").asked == {"size": [True]}


@pytest.mark.parametrize(
    ("text", "listing"),
    [("is the first one a good price?", "SHOWN-1"), ("is it overpriced?", "SHOWN-2"),
     ("التالتة سعرها كويس؟", "SHOWN-3"), ("el tanya la2ta?", "SHOWN-2")],
)  # fmt: skip
def test_whether_a_listings_price_is_good_sets_it_beside_its_market(text: str, listing: str) -> None:
    reading = read(text, {}, focus="SHOWN-2")
    assert (reading.tool, reading.arguments, reading.asked) == (
        "get_property", {"property_id": listing, "with_market": True}, {"fair_price": [True]})  # fmt: skip
    # "apartments in Maadi with good prices" stays a search
    assert read("apartments in Maadi with good prices", {"locations": ["Maadi"], "property_types": ["Apartment"]},
                focus="SHOWN-2").tool == "search_properties"  # fmt: skip


@pytest.mark.parametrize(
    ("position", "pct", "en", "ar"),
    [("above", 17, "it is 17% above the median asking price of 38 listings of 2-bedroom apartments in Heliopolis "
      "(EGP 39,350/m²). There may be room to negotiate", "أعلى بـ 17% من متوسط سعر المعروض لـ 38 وحدة"),
     ("below", 12, "it is 12% below the median", "أقل بـ 12% من"), ("in_line", 2, "it is in line with the median",
                                                                        "في حدود متوسط")],
)  # fmt: skip
def test_a_price_beside_its_market_says_how_far_and_what_that_tells(position: str, pct: int, en: str, ar: str) -> None:
    listing = {**LISTING, "price_per_sqm": 46_136, "location_ar": "مصر الجديدة"}
    market = {"location": "Heliopolis", "property_type": "Apartment", "bedrooms": 2, "count": 38,
              "median_price_per_sqm": 39_350, "difference_pct": pct, "position": position}  # fmt: skip
    content = {"ok": True, "listing": listing, "market": market}
    for language, said in (("en", en), ("ar", ar)):
        reading = Reading(language, "get_property", {"property_id": listing["id"], "with_market": True},
                          asked={"fair_price": [True]})  # fmt: skip
        text = write_reply(reading, [ToolReturnPart("get_property", content, "c1")])
        assert said in text and ("These are asking prices" in text or "دي أسعار معروضة" in text), text
    # Too few like it: said, no comparison made up
    alone = write_reply(
        Reading("en", "get_property", asked={"fair_price": [True]}),
        [ToolReturnPart("get_property", {"ok": True, "listing": listing, "market": None}, "c1")],
    )
    assert "too few listings like it" in alone
