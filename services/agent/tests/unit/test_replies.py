"""The rules brain's replies, in English and Egyptian Arabic, written from real tool results: every figure they quote
is one the result holds, and every reply passes the grounding check."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pydantic_ai.messages import ToolReturnPart

from osool_agent.brains.replies import asking_noted, write_reply
from osool_agent.brains.rules import Reading, _stretch, read_message
from osool_agent.grounding import Facts, ground_reply
from osool_agent.tools.context import ListingFacts
from osool_agent.tools.finance import MortgageArgs, RoiArgs, UnitTerms, calculate_investment_roi, calculate_mortgage
from osool_agent.tools.finance import compare_units as compare_terms


def listing(n: int, **changes: Any) -> ListingFacts:
    fields: dict[str, Any] = {
        "id": f"00000000-0000-4000-8000-00000000000{n}", "source_id": f"NC-00000{n}", "title": f"Flat number {n}",
        "type": "Apartment", "location": "New Cairo", "compound": "Mivida", "price": 5_000_000 + n * 250_000,
        "price_per_sqm": 40_000 + n * 1_000, "size_sqm": 120.0 + n, "bedrooms": 3, "delivery_year": 2027,
        "down_payment_pct": 10.0, "installment_years": 7, "monthly_installment": 55_000 + n,
        "updated_at": datetime.now(UTC), "on_chain_status": "available",
    }  # fmt: skip
    return ListingFacts(**{**fields, **changes})


def reply(tool: str, content: dict[str, Any], language: str) -> str:
    part = ToolReturnPart(tool, content, tool_call_id="call_1")
    return write_reply(Reading(language, tool), [part], seed="s")


def grounded(text: str, content: dict[str, Any]) -> None:
    facts = Facts()
    facts.add_tool_result(content)
    kept, violations = ground_reply(text, facts)
    assert violations == [] and kept == text.strip(), violations


@pytest.mark.parametrize("language", ["en", "ar"])
def test_search_results_are_quoted_exactly_and_the_stale_ones_flagged(language: str) -> None:
    old = datetime.now(UTC) - timedelta(days=90)
    listings = [listing(1), listing(2, stale=True, updated_at=old), listing(3, on_chain_status="reserved")]
    content = {"ok": True, "listings": [item.model_dump(mode="json") for item in listings]}
    text = reply("search_properties", content, language)
    for item in listings:
        assert item.title in text and f"{item.price:,}" in text and f"{item.price_per_sqm:,}" in text
    assert old.date().isoformat() in text  # the stale listing says when it was last updated
    assert ("reserved" in text) if language == "en" else ("محجوز" in text)
    grounded(text, content)


def compared(listings: list[Any]) -> tuple[dict[str, Any], Any]:
    """compare_units' result for these listings, and the comparison in it."""
    units = [UnitTerms(**item.model_dump(include=set(UnitTerms.model_fields))) for item in listings]
    comparison = compare_terms(units, discount_rate_pct=20, maintenance_pct=None, today=date(2026, 11, 30))
    content = {"ok": True, "listings": [i.model_dump(mode="json") for i in listings],
               "comparison": comparison.model_dump(mode="json")}  # fmt: skip
    return content, comparison


@pytest.mark.parametrize(
    ("language", "head"),
    [
        ("en", "Of these, lowest down payment: number 2 (Flat number 2)."),
        ("ar", "من دول، أقل مقدم: رقم 2 (Flat number 2)."),
    ],
)
def test_which_has_the_lowest_down_payment_is_answered_first_then_side_by_side(language: str, head: str) -> None:
    listings = [listing(1, down_payment_pct=20.0), listing(2, down_payment_pct=5.0)]
    content, _ = compared(listings)
    part = ToolReturnPart("compare_units", content, tool_call_id="call_1")
    text = write_reply(Reading(language, "compare_units", note="lowest_down_payment"), [part], seed="s")
    assert text.splitlines()[0] == head
    grounded(text, content)
    # Not asked: the lowest down payment is no winner line of its own
    assert "down payment:" not in reply("compare_units", content, "en")


@pytest.mark.parametrize(
    ("language", "table", "winner"),
    [("en", "3. Flat number 2", "Of these, lowest down payment: the third (Flat number 2)."),
     ("ar", "3. Flat number 2", "من دول، أقل مقدم: التالتة (Flat number 2).")],
)  # fmt: skip
def test_units_named_by_their_place_in_the_list_are_said_by_it(language: str, table: str, winner: str) -> None:
    # "compare the first and the third": the buyer's own numbers, not the comparison's 1 and 2
    listings = [listing(1, down_payment_pct=20.0), listing(2, down_payment_pct=5.0)]
    content, _ = compared(listings)
    part = ToolReturnPart("compare_units", content, tool_call_id="call_1")
    ids = {"property_ids": [item.id for item in listings]}
    reading = Reading(language, "compare_units", ids, note="lowest_down_payment", places=(1, 3))
    text = write_reply(reading, [part], seed="s")
    assert text.splitlines()[0] == winner and any(line.startswith(table) for line in text.splitlines()), text
    grounded(text, content)
    # Without places (or with places that do not match the units), the comparison's own numbers, as before
    plain = write_reply(Reading(language, "compare_units", ids, note="lowest_down_payment"), [part], seed="s")
    assert "2 (Flat number 2)" in plain.splitlines()[0]


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_comparison_names_the_winners_and_each_plans_true_cost(language: str) -> None:
    listings = [listing(1), listing(2, installment_years=10, price_per_sqm=39_000)]
    content, comparison = compared(listings)
    text = reply("compare_units", content, language)
    assert all(item.title in text for item in listings)
    for unit in comparison.units:
        assert f"{unit.true_cost.present_value:,}" in text
    assert text.count("Flat number 2") >= 2  # in the table, and as a winner (lowest price per m², longest plan)
    # Winners and assumptions name each unit by its number in the comparison, never by its id.
    assert ("رقم 2 (Flat number 2)" if language == "ar" else "number 2 (Flat number 2)") in text
    assert not any(item.id in text for item in listings), text
    # Each unit's own defaults under that unit, the comparison's after the winners, all in the reply's language.
    lines = text.splitlines()
    for n, unit in enumerate(comparison.units, start=1):
        own = unit.true_cost.assumptions_ar if language == "ar" else unit.true_cost.assumptions
        assert own, unit  # delivery in 2027 is taken as mid-2027
        block = lines[lines.index(next(line for line in lines if f"Flat number {n}" in line)) :][:3]
        assert any(all(item in line for item in own) for line in block), (own, block)
    general = comparison.assumptions_ar if language == "ar" else comparison.assumptions
    assert general and all(item in text for item in general)
    assert "mid-2027" not in text if language == "ar" else "mid-2027" in text
    grounded(text, content)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_mortgage_reply_says_the_payment_and_every_assumption(language: str) -> None:
    result = calculate_mortgage(MortgageArgs(property_price=5_000_000, years=10, annual_rate_pct=12))
    content = {"ok": True, **result.model_dump(mode="json")}
    text = reply("calculate_mortgage", content, language)
    assert f"{result.monthly_payment:,}" in text and f"{result.total_interest:,}" in text
    assert ("لمدة 10 سنين بفايدة 12% (الفايدة اللي انت قلتها)" if language == "ar" else "over 10 years at 12%") in text
    said, other = (result.assumptions_ar, result.assumptions) if language == "ar" else (result.assumptions, [])
    assert len(said) == len(result.assumptions) >= 1 and all(assumption in text for assumption in said)
    assert not any(assumption in text for assumption in other)  # an Arabic reply states them in Arabic
    grounded(text, content)


@pytest.mark.parametrize(("language", "note"), [("en", "cash_only"), ("ar", "cash_only"), ("en", "no_plan"),
                                               ("ar", "no_plan"), ("en", None)])  # fmt: skip
def test_a_mortgage_on_a_listing_without_a_plan_says_why_first(language: str, note: str | None) -> None:
    result = calculate_mortgage(MortgageArgs(property_price=5_000_000))
    content = {"ok": True, **result.model_dump(mode="json")}
    part = ToolReturnPart("calculate_mortgage", content, tool_call_id="call_1")
    text = write_reply(Reading(language, "calculate_mortgage", {"property_id": "x"}, note=note), [part], seed="s")
    first = text.splitlines()[0]
    said = {("en", "cash_only"): "cash only", ("ar", "cash_only"): "كاش بس", ("en", "no_plan"): "no instalment plan",
            ("ar", "no_plan"): "مش مذكور فيه تقسيط"}.get((language, note))  # fmt: skip
    if said is None:
        assert first.startswith("On a loan of"), first
    else:
        assert said in first and ("قرض من البنك" if language == "ar" else "bank mortgage") in first, first
        assert f"{result.monthly_payment:,}" in text.splitlines()[1]
    grounded(text, content)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_yield_reply_gives_the_grade_and_the_assumptions(language: str) -> None:
    result = calculate_investment_roi(RoiArgs(property_price=3_000_000))
    content = {"ok": True, **result.model_dump(mode="json")}
    text = reply("calculate_investment_roi", content, language)
    grade = {"Fair": "مقبول"}[result.grade] if language == "ar" else result.grade
    assert f"التقييم: {grade}." in text if language == "ar" else f"Grade: {grade}." in text
    assert f"{result.net_yield_pct:g}%" in text
    said, other = (result.assumptions_ar, result.assumptions) if language == "ar" else (result.assumptions, [])
    assert len(said) == len(result.assumptions) == 2 and all(assumption in text for assumption in said)
    assert not any(assumption in text for assumption in other)
    grounded(text, content)


def test_a_not_found_result_is_said_honestly_in_both_languages() -> None:
    content = {"ok": False, "error": "not_found", "message": "no listing with id 999999"}
    english = write_reply(Reading("en", "get_property", {"property_id": "999999"}),
                          [ToolReturnPart("get_property", content, tool_call_id="c")])  # fmt: skip
    arabic = write_reply(Reading("ar", "get_property", {"property_id": "999999"}),
                         [ToolReturnPart("get_property", content, tool_call_id="c")])  # fmt: skip
    assert "could not find" in english.lower() and "999999" in english
    assert "ملقتش" in arabic and "999999" in arabic


def test_the_stand_in_says_the_full_assistant_is_unavailable() -> None:
    text = write_reply(Reading("en", None, smalltalk="greeting"), [], notice=True)
    assert text.startswith("(Quick mode: the full assistant is briefly unavailable")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_when_nothing_matches_the_reply_offers_what_giving_up_one_filter_finds(language: str) -> None:
    relaxations = [
        {"group": "price", "without": ["max_price"], "count": 100, "at_most": 100, "cheapest_price": 14_400_000},
        {"group": "property_type", "without": ["property_types"], "count": 6, "at_most": 100, "cheapest_price": None},
        {"group": "location", "without": ["locations"], "count": 2, "at_most": 100, "cheapest_price": None},
    ]
    content = {"ok": True, "listings": [], "relaxations": relaxations}
    text = reply("search_properties", content, language)
    # The two that find the most, the budget's with its cheapest listing; the count at the cap said as "100+".
    assert "14,400,000" in text and "100+" in text and " 6" in text
    if language == "en":
        assert text.startswith("Nothing we have matches all of that. Without the budget limit there are 100+")
        assert "of any type there are 6" in text and "any area" not in text
        assert text.endswith("Tell me a budget from there and I will search again.")
    else:
        assert "من غير حد الميزانية فيه 100+" in text and "من أي نوع فيه 6" in text and "أي منطقة" not in text
        assert "قولي ميزانية من عند الرقم ده" in text
    grounded(text, content)
    # The budget's is said, with its cheapest, even when two others find more.
    budget_last = [relaxations[1], relaxations[2], {**relaxations[0], "count": 1}]
    text = reply("search_properties", {"ok": True, "listings": [], "relaxations": budget_last}, language)
    assert "14,400,000" in text and " 6" in text and ("any area" not in text and "أي منطقة" not in text)
    if language == "en":
        assert "Of any type there are 6; without the budget limit there is 1, at EGP 14,400,000." in text
    else:
        assert "من أي نوع فيه 6، ومن غير حد الميزانية فيه وحدة واحدة بـ14,400,000 جنيه." in text
    # Nothing that would find anything: the general question, as before.
    plain = reply("search_properties", {"ok": True, "listings": [], "relaxations": []}, language)
    assert ("widen the budget" in plain) if language == "en" else ("نوسع الميزانية" in plain)


def _empty(budget: int, cheapest: int | None) -> dict[str, Any]:
    relaxations = (
        [{"group": "price", "without": ["max_price"], "count": 12, "cheapest_price": cheapest}] if cheapest else []
    )
    return {"ok": True, "listings": [], "applied_filters": {"max_price": budget}, "relaxations": relaxations}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_nothing_within_the_budget_but_a_little_above_it_searches_again_up_to_ten_percent_above(language: str) -> None:
    reading = Reading(language, "search_properties", {"query": "apartment in New Cairo under 4 million"})
    empty = ToolReturnPart("search_properties", _empty(4_000_000, 4_160_000), tool_call_id="c1")
    again = _stretch(reading, [empty])
    assert again == (4_000_000, {"query": "apartment in New Cairo under 4 million", "max_price": 4_400_000,
                                 "order": "price_asc"})  # fmt: skip
    assert reading.arguments == {"query": "apartment in New Cairo under 4 million"}  # the first call's left as it was
    listing = {"id": "a", "title": "1BR Apartment", "type": "Apartment", "location": "New Cairo", "price": 4_160_000,
               "size_sqm": 91.0, "price_per_sqm": 45_714}  # fmt: skip
    content = {"ok": True, "listings": [listing], "order": "price_asc", "applied_filters": {"max_price": 4_400_000}}
    found = ToolReturnPart("search_properties", content, tool_call_id="c2")
    reading.stretched = 4_000_000
    said = write_reply(reading, [empty, found], seed="s")
    arabic = "مفيش حاجة في حدود ميزانيتك (4,000,000 جنيه). دي أقرب الاختيارات، فوقها بشوية، الأرخص الأول:"
    english = (
        "Nothing is within your budget of EGP 4,000,000. These are the closest, a little above it, cheapest first:"
    )
    assert said.splitlines()[0] == (arabic if language == "ar" else english)
    assert "Nothing we have matches" not in said and "ملقتش" not in said  # the first, empty search is not said too
    # Far above it, none to say what it costs, or "show me more" / a relaxation taken: no second search.
    for reading_, content in (
        (Reading(language, "search_properties", {"query": "q"}), _empty(4_000_000, 4_500_000)),
        (Reading(language, "search_properties", {"query": "q"}), _empty(4_000_000, None)),
        (Reading(language, "search_properties", {"query": "q", "exclude_ids": ["x"]}), _empty(4_000_000, 4_100_000)),
        (Reading(language, "search_properties", {"query": "q", "relax": ["bedrooms"]}), _empty(4_000_000, 4_100_000)),
        (Reading(language, "search_properties", {"query": "q"}, note="cheaper"), _empty(4_000_000, 4_100_000)),
    ):
        assert _stretch(reading_, [ToolReturnPart("search_properties", content, tool_call_id="c1")]) is None


@pytest.mark.parametrize(
    ("rooms", "english", "arabic"),
    [
        (1, "1 bedroom,", "غرفة واحدة"),
        (2, "2 bedrooms", "غرفتين"),
        (3, "3 bedrooms", "3 غرف"),
        (11, "11 bedrooms", "11 غرفة"),
    ],
)
def test_a_listings_bedrooms_are_counted_as_people_say_them(rooms: int, english: str, arabic: str) -> None:
    content = {"listings": [listing(1, bedrooms=rooms).model_dump(mode="json")]}
    assert english in reply("search_properties", content, "en")
    assert arabic in reply("search_properties", content, "ar")
    grounded(reply("search_properties", content, "en"), content)


def test_a_studios_zero_bedrooms_are_not_said() -> None:
    content = {"listings": [listing(1, type="Studio", bedrooms=0).model_dump(mode="json")]}
    assert "0 bedrooms" not in reply("search_properties", content, "en")
    assert "0 غرف" not in reply("search_properties", content, "ar")


@pytest.mark.parametrize(
    ("baths", "english", "arabic"),
    [(1, "1 bathroom,", "حمام واحد"), (2, "2 bathrooms", "حمامين"), (3, "3 bathrooms", "3 حمامات")],
)
def test_a_listings_bathrooms_are_said_when_the_buyer_asked_for_a_number_of_them(
    baths: int, english: str, arabic: str
) -> None:
    asked = {"applied_filters": {"min_bathrooms": 1}, "listings": [listing(1, bathrooms=baths).model_dump(mode="json")]}
    assert english in reply("search_properties", asked, "en")
    assert arabic in reply("search_properties", asked, "ar")
    grounded(reply("search_properties", asked, "en"), asked)
    grounded(reply("search_properties", asked, "ar"), asked)
    # Not asked for: the line keeps to what buyers usually weigh.
    unasked = {**asked, "applied_filters": {}}
    assert "bathroom" not in reply("search_properties", unasked, "en")
    assert "حمام" not in reply("search_properties", unasked, "ar")


def test_the_features_asked_for_are_said_of_each_listing_that_has_them() -> None:
    shown = [listing(1, features=["pool", "garden", "near_auc"]).model_dump(mode="json"),
             listing(2, features=["garden"]).model_dump(mode="json")]  # fmt: skip
    asked = {"applied_filters": {"features": ["pool", "near_auc"]}, "listings": shown}
    english = reply("search_properties", asked, "en").splitlines()
    assert ", with a pool, near the AUC, " in english[1] and "pool" not in english[2]
    assert "garden" not in english[1]  # what was not asked for is not said
    arabic = reply("search_properties", asked, "ar").splitlines()
    assert "، فيها حمام سباحة، قريبة من الجامعة الأمريكية، " in arabic[1]
    grounded(reply("search_properties", asked, "en"), asked)
    assert "pool" not in reply("search_properties", {**asked, "applied_filters": {}}, "en")


@pytest.mark.parametrize(
    ("finishing", "english", "arabic"),
    [("fully_finished", "fully finished", "متشطبة"), ("semi_finished", "semi-finished", "نص تشطيب"),
     ("core_and_shell", "core and shell", "على الطوب")],
)  # fmt: skip
def test_a_listings_finishing_is_said_when_the_buyer_asked_for_one(finishing: str, english: str, arabic: str) -> None:
    shown = [listing(1, finishing=finishing).model_dump(mode="json")]
    asked = {"applied_filters": {"finishing": [finishing]}, "listings": shown}
    assert f"bedrooms, {english}, " in reply("search_properties", asked, "en")
    assert f"، {arabic}، " in reply("search_properties", asked, "ar")
    ruled_out = {"applied_filters": {"exclude_finishing": ["furnished"]}, "listings": shown}
    assert f", {english}, " in reply("search_properties", ruled_out, "en")
    assert english not in reply("search_properties", {**asked, "applied_filters": {}}, "en")
    # Its title saying it already ("Fully finished 3BR ..."), the line does not say it twice.
    titled = [listing(1, finishing=finishing, title=f"{english.capitalize()} 3BR Apartment").model_dump(mode="json")]
    assert reply("search_properties", {**asked, "listings": titled}, "en").casefold().count(english) == 1


@pytest.mark.parametrize(
    ("applied", "floor", "english", "arabic"),
    [({"floors": [0]}, 0, "on the ground floor", "في الدور الأرضي"), ({"min_floor": 5}, 9, "on floor 9", "في الدور 9"),
     ({"exclude_floors": [0]}, 3, "on floor 3", "في الدور 3")],
)  # fmt: skip
def test_a_listings_floor_is_said_when_the_buyer_asked_for_one(
    applied: dict[str, Any], floor: int, english: str, arabic: str
) -> None:
    shown = [listing(1, floor=floor).model_dump(mode="json")]
    asked = {"applied_filters": applied, "listings": shown}
    assert f"bedrooms, {english}, " in reply("search_properties", asked, "en")
    assert f"، {arabic}، " in reply("search_properties", asked, "ar")
    grounded(reply("search_properties", asked, "en"), asked)
    assert english not in reply("search_properties", {**asked, "applied_filters": {}}, "en")


@pytest.mark.parametrize(
    ("years", "english", "arabic"),
    [(1, "1 year of instalments", "تقسيط على سنة"), (2, "2 years of instalments", "تقسيط على سنتين"),
     (7, "7 years of instalments", "تقسيط على 7 سنين"), (12, "12 years of instalments", "تقسيط على 12 سنة")],
)  # fmt: skip
def test_a_plans_years_are_counted_as_people_say_them(years: int, english: str, arabic: str) -> None:
    content = {"listings": [listing(1, installment_years=years).model_dump(mode="json")]}
    assert english in reply("search_properties", content, "en")
    assert arabic in reply("search_properties", content, "ar")
    grounded(reply("search_properties", content, "en"), content)
    grounded(reply("search_properties", content, "ar"), content)


@pytest.mark.parametrize(
    ("count", "english", "arabic"),
    [(1, "1 listing,", "وحدة واحدة معروضة"), (2, "2 listings,", "وحدتين معروضة"), (7, "7 listings,", "7 وحدات"),
     (25, "25 listings,", "25 وحدة"), (1_203, "1,203 listings,", "1,203 وحدات")],
)  # fmt: skip
def test_market_figures_count_their_listings_as_people_say_them(count: int, english: str, arabic: str) -> None:
    year = {"delivery_year": 2027, "count": count, "median_price_per_sqm": 41_000, "median_price": 6_000_000}
    content = {"ok": True, "location": "New Cairo", "location_ar": "التجمع الخامس", "property_type": "Apartment",
               "count": count, "median_price_per_sqm": 41_000, "median_price": 6_000_000, "min_price": 2_000_000,
               "max_price": 9_000_000, "by_delivery_year": [year]}  # fmt: skip
    en, ar = reply("check_market_trends", content, "en"), reply("check_market_trends", content, "ar")
    assert english in en and f"delivery 2027: {english[:-1]} at" in en and arabic in ar
    grounded(en, content)
    valuation = {"ok": True, "location": "New Cairo", "location_ar": "التجمع الخامس", "property_type": "Apartment",
                 "size_sqm": 150, "estimate": 6_150_000, "low": 5_500_000, "high": 6_800_000,
                 "median_price_per_sqm": 41_000, "comparables_count": count, "confidence": "low"}  # fmt: skip
    assert "درجة الثقة: ضعيفة." in reply("run_valuation", valuation, "ar")
    said = reply("run_valuation", valuation, "en")
    assert f"From {english[:-1].replace('listing', 'comparable listing')} in New Cairo" in said
    grounded(said, valuation)


@pytest.mark.parametrize(
    ("place", "kind", "english", "arabic"),
    [
        ("New Cairo", "Apartment", "Apartments in New Cairo: 18 listings", "الشقق في التجمع الخامس: 18 وحدة"),
        ("New Cairo", None, "New Cairo: 18 listings", "في التجمع الخامس: 18 وحدة"),
        (None, "Villa", "Villas across the market: 18 listings", "الفلل في السوق كله: 18 وحدة"),
        (None, None, "The whole market: 18 listings", "في السوق كله: 18 وحدة"),
    ],
)
def test_market_figures_open_with_what_they_are_of(
    place: str | None, kind: str | None, english: str, arabic: str
) -> None:
    content = {"ok": True, "location": place, "location_ar": "التجمع الخامس" if place else None,
               "property_type": kind, "count": 18, "median_price_per_sqm": 41_000, "median_price": 6_000_000,
               "min_price": 2_000_000, "max_price": 9_000_000, "by_delivery_year": []}  # fmt: skip
    assert reply("check_market_trends", content, "en").startswith(english)
    assert reply("check_market_trends", content, "ar").startswith(arabic)


def test_market_figures_by_delivery_year_show_the_latest_four() -> None:
    years = [
        {"delivery_year": y, "count": 3, "median_price_per_sqm": 40_000 + y}
        for y in (2031, 1995, 2026, 2029, 2027, 2012)
    ]
    content = {"ok": True, "location": "New Cairo", "property_type": "Apartment", "count": 18,
               "median_price_per_sqm": 41_000, "median_price": 6_000_000, "min_price": 2_000_000,
               "max_price": 9_000_000, "by_delivery_year": years}  # fmt: skip
    said = [
        line.split(":")[0] for line in reply("check_market_trends", content, "en").splitlines() if line.startswith("- ")
    ]
    assert said == ["- delivery 2026", "- delivery 2027", "- delivery 2029", "- delivery 2031"]


def test_more_listings_on_the_cards_and_those_reserved_are_counted_in_both_languages() -> None:
    four = [
        listing(n, on_chain_status="reserved" if n == 1 else "available").model_dump(mode="json") for n in range(1, 5)
    ]
    content = {"listings": four}
    en, ar = reply("search_properties", content, "en"), reply("search_properties", content, "ar")
    assert "1 more is on the cards below." in en and "one of these is already reserved" in en
    assert "ووحدة تانية في الكروت." in ar and "واحدة من دول محجوزة" in ar
    five = [listing(n, on_chain_status="reserved").model_dump(mode="json") for n in range(1, 6)]
    en, ar = reply("search_properties", {"listings": five}, "en"), reply("search_properties", {"listings": five}, "ar")
    assert "2 more are on the cards below." in en and "5 of these are already reserved" in en
    assert "ووحدتين تانيين في الكروت." in ar


def test_the_down_payment_in_pounds_is_said_when_the_buyer_gave_one() -> None:
    item = listing(1, down_payment=525_000).model_dump(mode="json")
    asked = {"applied_filters": {"max_down_payment": 600_000}, "listings": [item]}
    assert "10% down (EGP 525,000)" in reply("search_properties", asked, "en")
    assert "مقدم 10% (525,000 جنيه)" in reply("search_properties", asked, "ar")
    grounded(reply("search_properties", asked, "en"), asked)
    grounded(reply("search_properties", asked, "ar"), asked)
    unasked = {**asked, "applied_filters": {}}
    assert "525,000" not in reply("search_properties", unasked, "en")


ZAYED_FLAT = {"locations": ["Sheikh Zayed"], "property_types": ["Apartment"], "max_price": 20_000}


@pytest.mark.parametrize(
    ("text", "filters", "query"),
    [("I want to rent an apartment in Maadi for 20k a month",
      {"locations": ["Maadi"], "property_types": ["Apartment"], "max_monthly_installment": 20_000},
      "I want to rent an apartment in Maadi"),
     ("عايز اأجر شقة في المعادي ب 20 الف في الشهر",
      {"locations": ["Maadi"], "property_types": ["Apartment"], "max_monthly_installment": 20_000},
      "عايز اأجر شقة في المعادي"),
     ("I want to rent a villa in October, 60,000 to 80,000 EGP monthly",
      {"locations": ["6th of October"], "property_types": ["Villa"], "max_price": 60_000,
       "max_monthly_installment": 80_000},
      "I want to rent a villa in October,"),
     # A rent with no month said: under what any home sells for, it is no price either
     ("apartment for rent in zayed for 20k", ZAYED_FLAT,
      "apartment for rent in zayed"),
     ("عايز شقة ايجار في زايد ب ٢٠ الف", ZAYED_FLAT,
      "عايز شقة ايجار في زايد"),
     ("I want to rent a 2 bedroom flat in maadi, budget 15000",
      {"locations": ["Maadi"], "property_types": ["Apartment"], "bedrooms": 2, "max_price": 15_000},
      "I want to rent a 2 bedroom flat in maadi,"),
     # A buyer's instalment, and a landlord's rent, stay in the search
     ("apartment in Maadi with installments 20k a month",
      {"locations": ["Maadi"], "property_types": ["Apartment"], "max_monthly_installment": 20_000},
      "apartment in Maadi with installments 20k a month"),
     ("apartment in Maadi to rent out for 20k a month",
      {"locations": ["Maadi"], "property_types": ["Apartment"], "max_monthly_installment": 20_000},
      "apartment in Maadi to rent out for 20k a month")],
)  # fmt: skip
def test_a_tenants_monthly_rent_is_no_instalment_or_price_of_the_search(
    text: str, filters: dict[str, Any], query: str
) -> None:
    reading = read_message(text, {"filters": filters, "text": "", "understood": []}, [], "auto")
    assert reading.tool == "search_properties"
    assert reading.arguments["query"] == query
    assert "max_price" not in reading.arguments


@pytest.mark.parametrize(
    ("text", "filters"),
    [("apartment in zayed for 20k", ZAYED_FLAT),
     ("I want to rent a villa in zayed, I can pay 5 million to buy",
      {"locations": ["Sheikh Zayed"], "property_types": ["Villa"], "max_price": 5_000_000})],
)  # fmt: skip
def test_a_buyers_sum_or_a_price_any_home_sells_for_stays_in_the_search(text: str, filters: dict[str, Any]) -> None:
    reading = read_message(text, {"filters": filters, "text": "", "understood": []}, [], "auto")
    assert (reading.tool, reading.arguments["query"]) == ("search_properties", text)
    assert reading.arguments["max_price"] == filters["max_price"]


@pytest.mark.parametrize(
    ("query", "language", "said"),
    [("apartment for rent in Maadi", "en", "We list homes for sale only, not for rent."),
     ("عايز شقة ايجار في المعادي", "ar", "إحنا بنعرض وحدات للبيع بس، مش للإيجار."),
     ("apartment in Maadi to buy and rent it out", "en", None), ("apartment in Maadi", "en", None),
     ("شقة في المعادي", "ar", None), ("شقة تمليك مش ايجار في المعادي", "ar", None),
     ("apartment in Maadi to own, not to rent", "en", None)],
)  # fmt: skip
def test_someone_who_asked_to_rent_hears_first_that_the_listings_are_for_sale(
    query: str, language: str, said: str | None
) -> None:
    content = {"listings": [listing(1).model_dump(mode="json")]}
    part = ToolReturnPart("search_properties", content, tool_call_id="call_1")
    text = write_reply(Reading(language, "search_properties", {"query": query}), [part], seed="s")
    assert listing(1).title in text  # what is for sale follows either way
    if said is None:  # a buyer, or a landlord renting one out
        assert "rent" not in text and "إيجار" not in text, text
    else:
        assert text.startswith(said), text
        # The same search again once they said they would buy: not told twice
        again = write_reply(Reading(language, "search_properties", {"query": query}, note="to_buy"), [part], seed="s")
        assert not again.startswith(said) and listing(1).title in again, again


def test_an_arabic_reply_names_the_place_and_compound_in_arabic_where_search_knows_them() -> None:
    known = listing(1, location_ar="القاهرة الجديدة", compound_ar="ميفيدا")
    unknown = listing(2, location="Abu Rawash", compound=None)  # a brokerage's own place: as written
    content = {"listings": [known.model_dump(mode="json"), unknown.model_dump(mode="json")]}
    arabic, english = reply("search_properties", content, "ar"), reply("search_properties", content, "en")
    assert "(شقة في ميفيدا، القاهرة الجديدة)" in arabic and "New Cairo" not in arabic
    assert "(شقة في Abu Rawash)" in arabic
    # A compound named as its place (Madinaty in Madinaty) is said once
    same = listing(4, location="Madinaty", location_ar="مدينتي", compound="Madinaty", compound_ar="مدينتي")
    assert "(شقة في مدينتي)" in reply("search_properties", {"listings": [same.model_dump(mode="json")]}, "ar")
    assert "(Apartment in Mivida, New Cairo)" in english and "القاهرة" not in english
    grounded(arabic, content)
    # In English, a title that already says what and where is not followed by it again; in Arabic it always is.
    titled = listing(3, title="3BR Apartment for sale in Mivida, New Cairo").model_dump(mode="json")
    english = reply("search_properties", {"listings": [titled]}, "en")
    assert "1. 3BR Apartment for sale in Mivida, New Cairo: EGP" in english and "(Apartment in" not in english
    assert "(شقة في Mivida، New Cairo)" in reply("search_properties", {"listings": [titled]}, "ar")


@pytest.mark.parametrize(
    ("without", "english", "arabic"),
    [
        (["in_compound"], "in or out of a compound there are 4", "جوه الكمبوند أو براه فيه 4"),
        (["compounds", "in_compound"], "in any compound there are 4", "في أي كمبوند فيه 4"),
    ],
)
def test_giving_up_being_in_a_compound_is_said_as_in_or_out_of_one(
    without: list[str], english: str, arabic: str
) -> None:
    relaxations = [{"group": "compound", "without": without, "count": 4, "at_most": 100, "cheapest_price": None}]
    content = {"ok": True, "listings": [], "relaxations": relaxations}
    assert english in reply("search_properties", content, "en").lower()
    assert arabic in reply("search_properties", content, "ar")


@pytest.mark.parametrize(
    ("content", "english", "arabic"),
    [
        ({"status": "not_registered", "listed": True}, "Flat is still listed for sale, and not on the blockchain",
         "Flat لسه معروضة للبيع"),
        ({"status": "not_registered", "listed": False}, "Flat is no longer listed for sale.",
         "Flat مبقتش معروضة للبيع."),
        ({"status": "reserved", "listed": True}, "Flat is already reserved on the registry.",
         "Flat: محجوزة بالفعل على السجل."),
        ({"status": "available", "listed": True}, "Flat is available on the registry. Shall we book a viewing?",
         "Flat: متاحة على السجل. تحب نحجز معاد معاينة؟"),
    ],
)  # fmt: skip
def test_availability_is_said_from_the_registry_and_the_listing(
    content: dict[str, Any], english: str, arabic: str
) -> None:
    content = {"ok": True, "property_id": "p", "title": "Flat", **content}
    assert reply("check_availability", content, "en").startswith(english)
    assert reply("check_availability", content, "ar").startswith(arabic)


@pytest.mark.parametrize(
    ("tool", "arguments", "language", "said"),
    [("run_valuation", {"location": "Rehab City", "property_type": "Apartment", "size_sqm": 120}, "en",
      "I have no comparable apartments in Rehab City to value it against, so I cannot estimate it from real prices."),
     ("run_valuation", {"location": "Rehab City", "property_type": "Apartment", "size_sqm": 120}, "ar",
      "معنديش إعلانات مشابهة في الرحاب أقارن بيها"),
     ("check_market_trends", {"location": "Rehab City"}, "en",
      "I have no listings in Rehab City right now to give its figures.")],
)  # fmt: skip
def test_a_place_without_listings_is_said_for_what_was_asked(
    tool: str, arguments: dict[str, Any], language: str, said: str
) -> None:
    content = {"ok": False, "error": "not_found", "location": "Rehab City", "location_ar": "الرحاب", **arguments}
    reply = write_reply(Reading(language, tool, arguments), [ToolReturnPart(tool, content, "c1")])
    assert reply.startswith(said), reply


def test_can_i_pay_in_dollars_is_answered_in_pounds() -> None:
    for text, language, said in (("can I pay in dollars?", "en", "Our listings are priced in Egyptian pounds."),
                                 ("ينفع ادفع بالدولار؟", "ar", "أسعار الوحدات عندنا بالجنيه المصري.")):  # fmt: skip
        reading = read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto")
        assert (reading.smalltalk, reading.language) == ("currency", language), text
        assert write_reply(reading, []).startswith(said)


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Reserving it takes a deposit of EGP 109,900 and holds it for you for 72 hours. Please sign in first"),
     ("ar", "حجزها بعربون 109,900 جنيه بيثبتهالك 72 ساعة. عشان تحجزها سجل دخول الأول")],
)  # fmt: skip
def test_a_reservation_before_signing_in_says_its_deposit_and_hold(language: str, said: str) -> None:
    content = {"ok": False, "error": "sign_in_required", "property_id": "p1", "title": "3BR Penthouse",
               "price": 10_990_000, "deposit_egp": 109_900, "hold_hours": 72.0}  # fmt: skip
    text = reply("reserve_property", content, language)
    assert text.startswith(said), text
    grounded(text, content)
    # Without the listing's terms (it could not be fetched): only the sign-in.
    bare = reply("reserve_property", {"ok": False, "error": "sign_in_required"}, language)
    assert "109,900" not in bare and ("sign in" in bare or "تسجل دخول" in bare)


@pytest.mark.parametrize(
    ("language", "closing"),
    [("en", "Shall I check it on the registry, work out its mortgage, or book a viewing?"),
     ("ar", "تحب أتأكد إنها متاحة على السجل، ولا أحسبلك التمويل، ولا نحجز معاد معاينة؟")],
)  # fmt: skip
def test_one_listing_found_is_offered_no_comparison_among_them(language: str, closing: str) -> None:
    for seed in ("a", "b", "c", "d"):  # whichever closing the seed would pick for several
        content = {"listings": [listing(1).model_dump(mode="json")]}
        text = write_reply(Reading(language, "search_properties", {"query": "x"}),
                           [ToolReturnPart("search_properties", content, "c1")], seed=seed)  # fmt: skip
        assert text.endswith(closing) and "compar" not in text and "أقارن" not in text


@pytest.mark.parametrize("language", ["en", "ar"])
def test_listings_nothing_narrowed_ask_what_would_narrow_them(language: str) -> None:
    # "a place for my family": no place, type, budget or rooms said; the listings are only the nearest to the words.
    listings = [listing(n).model_dump(mode="json") for n in (1, 2, 3)]
    asked = "وعدد الغرف اللي محتاجها" if language == "ar" else "how many bedrooms you need"
    for applied, order, narrows in (({}, "relevance", True), ({"locations": ["New Cairo"]}, "relevance", False),
                                    ({}, "price_asc", False)):  # fmt: skip
        content = {"listings": listings, "applied_filters": applied, "order": order}
        text = write_reply(Reading(language, "search_properties", {"query": "x"}),
                           [ToolReturnPart("search_properties", content, "c1")], seed="s")  # fmt: skip
        assert (asked in text.splitlines()[-1]) is narrows, text


ROI_RESULT = {"ok": True, "property_price": 3_000_000, "annual_rent": 180_000, "gross_yield_pct": 6.0,
              "net_yield_pct": 4.0, "annual_costs": 60_000, "break_even_years": 25.0, "grade": "fair"}  # fmt: skip


@pytest.mark.parametrize(
    ("arguments", "note", "closing"),
    [({"property_price": 3_000_000}, None, "Shall I look for listings within that budget?"),
     ({"property_id": "SHOWN-1"}, None, "Shall I compare it with another unit?"),
     ({"property_price": 3_000_000}, "own_home", "Grade: fair.")],
)  # fmt: skip
def test_a_yield_ends_with_the_step_that_follows_it(arguments: dict[str, Any], note: str | None, closing: str) -> None:
    """A price the buyer named: the listings at it; a listing's: another to compare; the seller's own home: nothing
    (the seller's questions follow)."""
    reading = Reading("en", "calculate_investment_roi", arguments, note=note)
    text = write_reply(reading, [ToolReturnPart("calculate_investment_roi", ROI_RESULT, "c1")])
    assert text.splitlines()[-1].endswith(closing), text


@pytest.mark.parametrize(
    ("same", "english", "arabic"),
    [(7, "(7 of them fully finished, as yours is)", "(منهم 7 متشطبة زي وحدتك)"),
     (10, "(all of them fully finished, as yours is)", "(كلهم متشطبة زي وحدتك)"),
     (0, "(none of them fully finished as yours is, so take it as rough)",
      "(مفيش منهم متشطبة زي وحدتك، فخد التقدير ده تقريبي)")],
)  # fmt: skip
def test_a_valuation_of_a_finished_home_says_how_many_comparables_are_finished_alike(
    same: int, english: str, arabic: str
) -> None:
    valuation = {"ok": True, "location": "New Cairo", "location_ar": "التجمع الخامس", "property_type": "Apartment",
                 "size_sqm": 150, "estimate": 6_150_000, "low": 5_500_000, "high": 6_800_000,
                 "median_price_per_sqm": 41_000, "comparables_count": 10, "confidence": "high",
                 "finishing": "fully_finished", "same_finishing": same}  # fmt: skip
    said = reply("run_valuation", valuation, "en")
    assert f"From 10 comparable listings in New Cairo {english}: about EGP 6,150,000" in said, said
    grounded(said, valuation)
    assert f"على أساس 10 وحدات مشابهة في التجمع الخامس {arabic}: القيمة التقديرية" in reply(
        "run_valuation", valuation, "ar"
    )
    # No finishing given: nothing said of it
    plain = reply("run_valuation", {**valuation, "finishing": None, "same_finishing": 0}, "en")
    assert "From 10 comparable listings in New Cairo: about" in plain


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_asking_price_noted_is_read_back_and_set_against_a_valuation_made_after_it(language: str) -> None:
    noted = write_reply(Reading(language, None, smalltalk="seller_price", arguments={"asking": 9_000_000}), [])
    assert asking_noted(noted) == 9_000_000 and asking_noted("Noted.") is None
    valuation = {"ok": True, "location": "Sheikh Zayed", "location_ar": "الشيخ زايد", "property_type": "Apartment",
                 "size_sqm": 180, "estimate": 12_600_000, "low": 10_700_000, "high": 13_900_000,
                 "median_price_per_sqm": 70_000, "comparables_count": 10, "confidence": "medium"}  # fmt: skip
    reading = Reading(language, "run_valuation", asking=9_000_000)
    lines = write_reply(reading, [ToolReturnPart("run_valuation", valuation, "c1")], seed="s").splitlines()
    assert lines[1] == (
        "السعر اللي في بالك 9,000,000 جنيه. ده أقل من التقدير (12,600,000 جنيه من وحدات مشابهة) بـ29%، فممكن تطلب أكتر."
        if language == "ar"
        else "You have EGP 9,000,000 in mind. That is 29% below "
        "the estimate of EGP 12,600,000 from comparable listings, so you may be able to ask for more."
    )


def test_a_valuation_made_again_with_a_change_says_how_far_the_estimate_moved() -> None:
    valuation = {"ok": True, "location": "New Cairo", "location_ar": "التجمع الخامس", "property_type": "Apartment",
                 "size_sqm": 200, "estimate": 13_717_500, "low": 9_006_200, "high": 14_094_000,
                 "median_price_per_sqm": 68_588, "comparables_count": 10, "confidence": "medium",
                 "finishing": "fully_finished", "same_finishing": 10}  # fmt: skip
    part = ToolReturnPart("run_valuation", valuation, "c1")
    said = write_reply(Reading("en", "run_valuation", before=13_089_900), [part], seed="s")
    assert said.splitlines()[1] == "That is 5% above the estimate before (EGP 13,089,900)."
    facts = Facts()
    facts.add_tool_result(valuation)
    facts.add_tool_result({"estimate": 13_089_900})  # the valuation before, in the conversation's tool results
    kept, violations = ground_reply(said, facts)
    assert violations == [] and kept == said.strip(), violations
    arabic = write_reply(Reading("ar", "run_valuation", before=14_000_000), [part], seed="s")
    assert arabic.splitlines()[1] == "يعني أقل بـ2% من التقدير اللي قبله (14,000,000 جنيه)."
    # Unchanged, or nothing before: nothing said of it
    same = write_reply(Reading("en", "run_valuation", before=13_717_500), [part], seed="s")
    assert "estimate before" not in same and "estimate before" not in write_reply(
        Reading("en", "run_valuation"), [part], seed="s"
    )


def test_a_valuation_made_again_with_a_price_in_mind_says_both_and_keeps_a_supposition() -> None:
    valuation = {"ok": True, "location": "New Cairo", "location_ar": "التجمع الخامس", "property_type": "Apartment",
                 "size_sqm": 200, "estimate": 13_717_500, "low": 9_006_200, "high": 14_094_000,
                 "median_price_per_sqm": 68_588, "comparables_count": 10, "confidence": "medium",
                 "finishing": "fully_finished", "same_finishing": 10}  # fmt: skip
    reading = Reading("en", "run_valuation", note="what_if", asking=12_000_000, before=13_089_900)
    lines = write_reply(reading, [ToolReturnPart("run_valuation", valuation, "c1")], seed="s").splitlines()
    assert "(all of them fully finished)" in lines[0] and "as yours is" not in lines[0]
    assert lines[1:3] == ["That is 5% above the estimate before (EGP 13,089,900).",
                          "You have EGP 12,000,000 in mind. That is 13% below the estimate of EGP 13,717,500 from "
                          "comparable listings, so you may be able to ask for more."]  # fmt: skip
    assert lines[3].startswith("This is an estimate from real listings")


@pytest.mark.parametrize(
    ("text", "smalltalk", "start"),
    [("can I talk to a real person?", "human", "Of course. What phone number should one of our consultants call"),
     ("عايز اكلم حد", "human", "أكيد. حد من مستشارينا يكلمك على رقم كام؟"),
     ("I want to speak to the manager", "human", "Of course."),
     ("are you a bot?", "who_am_i", "I'm Amr, Osool's AI property consultant"),
     ("انت بني آدم ولا روبوت؟", "who_am_i", "أنا عمرو، مستشار عقاري بالذكاء الاصطناعي"),
     ("what are your office hours?", "about_us", "I am here in this chat at any hour."),
     ("do you charge a commission?", "about_us", "I am here in this chat at any hour."),
     ("when will they call me?", "call_when", "One of our consultants calls you on the number you left me"),
     ("امتى هيكلموني؟", "call_when", "حد من مستشارينا هيكلمك على الرقم اللي سبته"),
     ("nobody called me yet", "call_when", "One of our consultants calls you")],
)  # fmt: skip
def test_a_person_asked_for_who_amr_is_and_the_brokerage_itself_are_answered_not_searched(
    text: str, smalltalk: str, start: str
) -> None:
    office = {"property_types": ["Office"]} if "office" in text else {}
    reading = read_message(text, {"filters": office, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.smalltalk) == (None, smalltalk)
    assert write_reply(reading, [], seed="s").startswith(start)
    # A person asked for with the number to call in the same message: that call promised, no number asked for
    if smalltalk == "human":
        given = read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto", contact=True)
        assert given.smalltalk == "human_number"
        said = write_reply(given, [], seed="s")
        assert "call you on the number you gave" in said or "هيكلمك على الرقم اللي اديتهولي" in said, said
    # An office to buy, somewhere, is still a search.
    place = {"property_types": ["Office"], "locations": ["New Cairo"]}
    assert read_message("office in New Cairo", {"filters": place}, [], "auto").tool == "search_properties"


@pytest.mark.parametrize(
    ("text", "guide", "start"),
    [("what's the difference between buying off-plan and ready?", "guide_off_plan", "Off-plan (delivered later)"),
     ("should I buy ready or off plan?", "guide_off_plan", "Off-plan (delivered later)"),
     ("استلام فوري ولا تحت الانشاء احسن؟", "guide_off_plan", "الأوف بلان (استلام بعدين)"),
     ("what are the risks of off-plan in egypt?", "guide_off_plan_risks", "Buying off-plan, the risks are"),
     ("is buying off plan safe?", "guide_off_plan_risks", "Buying off-plan, the risks are"),
     ("ايه مخاطر الاوف بلان؟", "guide_off_plan_risks", "في الأوف بلان المخاطر"),
     ("how do I know the developer is reliable?", "guide_developer", "Judge a developer by what it has delivered"),
     ("ازاي اعرف ان المطور موثوق؟", "guide_developer", "المطور بيتقاس باللي سلمه"),
     ("how do I register the apartment in my name?", "guide_registration", "A home is registered in your name"),
     ("I'm a first-time buyer, where do I start?", "guide_start", "Welcome! A first home comes down to four"),
     ("اول مرة اشتري شقة، ابدأ منين؟", "guide_start", "أهلًا بيك! أول بيت بيتحدد بأربع حاجات"),
     ("ازاي اسجل الشقة في الشهر العقاري؟", "guide_registration", "تسجيل الوحدة باسمك بيبقى في الشهر العقاري")],
)  # fmt: skip
def test_a_buyers_general_question_is_answered_with_what_to_weigh_not_searched(
    text: str, guide: str, start: str
) -> None:
    apartment = {"property_types": ["Apartment"]} if "apartment" in text or "الشقة" in text else {}
    reading = read_message(text, {"filters": apartment, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.smalltalk) == (None, guide)
    assert write_reply(reading, [], seed="s").startswith(start)


@pytest.mark.parametrize(
    ("text", "filters"),
    [("show me ready to move apartments in Maadi", {"property_types": ["Apartment"], "locations": ["Maadi"]}),
     ("I want a ready apartment, not off plan", {"property_types": ["Apartment"], "is_delivered": True}),
     ("3ayez sha2a estelam fory mesh taht el insha2", {"property_types": ["Apartment"], "is_delivered": True}),
     ("ready to move or off-plan apartment under 5M?", {"property_types": ["Apartment"], "max_price": 5_000_000}),
     ("off plan villas in Sheikh Zayed, are they safe?", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]})],
)  # fmt: skip
def test_listings_asked_for_in_a_guides_words_are_searched(text: str, filters: dict[str, Any]) -> None:
    assert read_message(text, {"filters": filters, "text": text, "understood": []}, [], "auto").tool == (
        "search_properties"
    )


CONTRACT_EN = ("Clause 4: The Buyer shall pay the remaining price of EGP 4,500,000 in 16 quarterly instalments of EGP "
               "250,000. Clause 5: The Seller shall deliver the unit within 30 months from signing, hereinafter the "
               "Delivery Date.")  # fmt: skip
CONTRACT_AR = ("البند الأول: باع الطرف الأول للطرف الثاني الشقة رقم 8 بمساحة 120 متر. البند الثاني: الثمن "
               "4,800,000 جنيه يسدد منها 480,000 جنيه مقدماً. البند الثالث: في حالة الفسخ تؤول المبالغ للطرف "
               "الأول.")  # fmt: skip


@pytest.mark.parametrize("text", [CONTRACT_EN, CONTRACT_AR])
def test_a_contract_pasted_is_reviewed_not_searched(text: str) -> None:
    reading = read_message(text, {"filters": {"max_price": 4_500_000}, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.arguments) == ("audit_contract", {"text": text})
    # A long search that says "shall" once is still a search
    wordy = ("I'm looking for a 3 bedroom apartment in New Cairo with a garden and a big kitchen, my budget is 8 "
             "million and I'd like a payment plan over 7 years, shall we start?")  # fmt: skip
    assert read_message(wordy, {"filters": {"bedrooms": 3}}, [], "auto").tool == "search_properties"


def test_a_contracts_review_says_the_most_serious_first_what_is_there_and_that_it_is_no_legal_advice() -> None:
    findings = [
        {"clause": "unit_area", "status": "present", "severity": "info", "excerpt": "120 m", "why": "Area stated."},
        {"clause": "dispute_resolution", "status": "missing", "severity": "medium", "excerpt": "", "why": "No court."},
        {
            "clause": "payment_schedule",
            "status": "risky",
            "severity": "high",
            "excerpt": "x",
            "why": "Short by 500,000.",
        },
    ]
    content = {"ok": True, "language": "en", "findings": findings, "summary": {"high": 1}, "score": 10}
    part = ToolReturnPart("audit_contract", content, tool_call_id="c")
    assert write_reply(Reading("en", "audit_contract", {"text": "..."}), [part]).splitlines() == [
        "I reviewed the contract: 10% of the clauses a buyer must see are there and sound.",
        "- payment schedule (needs care): Short by 500,000.",
        "- dispute resolution (missing): No court.",
        "There: unit area.",
        "This is a checklist, not legal advice: have a lawyer read the contract before you sign.",
    ]
    arabic = write_reply(Reading("ar", "audit_contract", {"text": "..."}), [part]).splitlines()
    assert arabic[0] == "راجعت العقد: 10% من البنود اللي لازم تكون فيه موجودة ومفيهاش مشكلة."
    assert arabic[1].startswith("- جدول السداد (محتاج مراجعة):") and arabic[3] == "موجود: مساحة الوحدة."


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "If the {name} still takes new applicants (check with your bank; its figures date from {as_of}), at 8% "
            "over 20 years your income could buy a home of up to EGP 2,250,000 (the programme's price limit): a loan "
            "of EGP 1,800,000 at EGP {monthly} a month with EGP 450,000 down"),
     ("ar", "لو {name} لسه بتقبل طلبات جديدة (اتأكد من البنك؛ أرقامها من {as_of})، بفايدة 8% على 20 سنة دخلك يشتري "
            "وحدة لحد 2,250,000 جنيه (ده أقصى سعر وحدة في البرنامج): قرض 1,800,000 جنيه بقسط {monthly} جنيه")],
)  # fmt: skip
def test_an_income_alone_says_what_a_subsidised_programme_would_buy_as_an_if(language: str, said: str) -> None:
    content = calculate_mortgage(MortgageArgs(monthly_income=40_000)).model_dump(mode="json")
    reach = content["affordability"]["subsidised"]
    text = write_reply(Reading(language, "calculate_mortgage", {"monthly_income": 40_000}),
                       [ToolReturnPart("calculate_mortgage", content, "c1")], seed="s")  # fmt: skip
    assert said.format(name=reach["programme"]["name"], as_of=reach["programme"]["as_of"],
                       monthly=f"{reach['monthly_payment']:,}") in text, text  # fmt: skip
    grounded(text, content)
    # No programme the income qualifies for: no such line
    above = calculate_mortgage(MortgageArgs(monthly_income=60_000)).model_dump(mode="json")
    plain = write_reply(Reading(language, "calculate_mortgage", {"monthly_income": 60_000}),
                        [ToolReturnPart("calculate_mortgage", above, "c1")], seed="s")  # fmt: skip
    assert "still takes new applicants" not in plain and "لسه بتقبل طلبات" not in plain


@pytest.mark.parametrize(
    ("text", "start"),
    [("my name is Sara", "Nice to meet you, Sara. "), ("اسمي محمد", "تشرفنا يا محمد. "),
     ("ana esmy omar", "Nice to meet you, Omar. ")],
)  # fmt: skip
def test_a_name_given_alone_is_greeted_by_it(text: str, start: str) -> None:
    reading = read_message(text, {"filters": {}, "text": text, "understood": []}, [], "auto")
    assert (reading.tool, reading.smalltalk, reading.arguments) == (None, "named", {"name": start.split()[-1][:-1]})
    assert write_reply(reading, [], seed="s").startswith(start)
    # With a search in the same message, the search (the lead keeps the name all the same)
    searched = {"filters": {"locations": ["Maadi"]}, "text": text, "understood": []}
    assert read_message(f"{text}, apartment in Maadi", searched, [], "auto").tool == "search_properties"
