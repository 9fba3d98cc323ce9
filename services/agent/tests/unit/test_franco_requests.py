"""Requests in Franco-Arabic: a loan, an income, a rate, a term, a down payment and a rent written as an Egyptian buyer
types them in Latin letters ("b fayda 20%", "3ala 10 snin", "mortabi 30 alf", "agartha 15 alf fel shahr"), and the
steps on listings shown ("2arenly el ola wel tanya", "el tanya mota7a?", "3ayez a7gezha") are read as their Arabic and
English forms are; words that only look like them stay what they are."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from osool_agent.brains.rules import Reading, amounts_in, read_message
from osool_agent.leads.slots import _amount
from osool_common import money_words

SHOWN = [{"id": f"listing-{n}", "price": 5_000_000 + n} for n in range(1, 4)]


def read(text: str, filters: dict[str, Any] | None = None, shown: list[dict[str, Any]] | None = None) -> Reading:
    return read_message(text, {"filters": filters or {}, "text": text, "understood": []}, shown or [], "auto")


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("law 3ayez a2sat sha2a b 4 milyon 3ala 10 snin b fayda 20%, el 2est kam?",
         {"property_price": 4_000_000, "years": 10, "annual_rate_pct": 20.0}),
        ("tamweel 3a2ary le sha2a 3 milyon mo2adam 10% 3ala 20 sana",
         {"property_price": 3_000_000, "years": 20, "down_payment_pct": 10.0}),
        ("mortabi 30 alf, a2dar a5od 2ard mn el bank b kam?", {"monthly_income": 30_000}),
        ("da5li 50 alf fel shahr, a2dar ashtery sha2a b 5 milyon b tamweel?",
         {"monthly_income": 50_000, "property_price": 5_000_000}),
        ("el 2est kam 3ala sha2a b 2.5 milyon 15 sana fayda 18%",
         {"property_price": 2_500_000, "years": 15, "annual_rate_pct": 18.0}),
    ],
)  # fmt: skip
def test_a_franco_loan_question_is_a_mortgage_with_its_figures(text: str, arguments: dict[str, Any]) -> None:
    reading = read(text)
    assert (reading.tool, reading.arguments) == ("calculate_mortgage", arguments)


@pytest.mark.parametrize(
    ("text", "arguments"),
    [
        ("law eshtarait sha2a b 3 milyon w agartha 15 alf fel shahr el 3a2ed kam?",
         {"property_price": 3_000_000, "monthly_rent": 15_000}),
        ("3a2ed el esteshmar le shaleh b 5 milyon egaro 400 alf fel sana",
         {"property_price": 5_000_000, "annual_rent": 400_000}),
    ],
)  # fmt: skip
def test_a_franco_yield_question_is_the_return_on_its_price_and_rent(text: str, arguments: dict[str, Any]) -> None:
    reading = read(text)
    assert (reading.tool, reading.arguments) == ("calculate_investment_roi", arguments)


def test_a_franco_owner_asking_the_worth_of_their_home_is_asked_for_its_details() -> None:
    reading = read("3ayez a2ayem sha2ti")
    assert (reading.tool, reading.smalltalk) == (None, "valuation_details")
    assert reading.arguments == {"missing": ["location", "size_sqm"]}  # "sha2ti" is an apartment


@pytest.mark.parametrize("text", ["2ard fel sahel", "3ayez sha2a egar fel tagamo3", "el sha2a el ola"])
def test_words_that_only_look_like_a_calculation_are_not_one(text: str) -> None:
    assert read(text).tool not in ("calculate_mortgage", "calculate_investment_roi")


@pytest.mark.parametrize(
    "text",
    [
        "2arenly el ola wel tanya",
        "qaren el awel w el tanya",
        "eh el far2 ben el ola wel tanya",
        "karen el awel w el tanya",
    ],
)
def test_a_franco_comparison_of_two_shown_compares_them(text: str) -> None:
    reading = read(text, shown=SHOWN)
    assert (reading.tool, reading.arguments) == ("compare_units", {"property_ids": ["listing-1", "listing-2"]})


@pytest.mark.parametrize(
    "text", ["anhy fehom a7san estesmar?", "انهي فيهم احسن استثمار؟", "which of them is the best investment?"]
)
def test_which_of_them_is_best_compares_every_listing_shown(text: str) -> None:
    """Not the yield of the first one: the listings side by side, which the comparison ranks; after a comparison of
    the first and the third, the search's listings follow them, each once."""
    reading = read(text, shown=SHOWN)
    assert (reading.tool, reading.arguments) == (
        "compare_units", {"property_ids": ["listing-1", "listing-2", "listing-3"]}
    )  # fmt: skip
    after = read(text, shown=[SHOWN[0], SHOWN[2], SHOWN[2], {"id": "listing-4"}, {"id": "listing-5"}])
    assert after.arguments == {"property_ids": ["listing-1", "listing-3", "listing-4", "listing-5"]}


@pytest.mark.parametrize("text", ["el tanya mota7a?", "el tanya lessa mawgoda?", "hya el tanya et7agazet?"])
def test_a_franco_availability_question_checks_the_listing_named(text: str) -> None:
    reading = read(text, shown=SHOWN)
    assert (reading.tool, reading.arguments) == ("check_availability", {"property_id": "listing-2"})


@pytest.mark.parametrize(("text", "tool"), [("3ayez a7gez el tanya", "reserve_property"),
                                            ("a3mel 7agz lel tanya", "reserve_property"),
                                            ("3ayez a7gez mo3ayna lel tanya", "schedule_viewing")])  # fmt: skip
def test_franco_reserving_is_a_reservation_unless_it_books_a_viewing(text: str, tool: str) -> None:
    reading = read(text, shown=SHOWN)
    assert reading.tool == tool and reading.arguments["property_id"] == "listing-2"


def test_franco_questions_about_a_listing_shown_are_answered_from_it() -> None:
    planned = [{**listing, "installment_years": 8} for listing in SHOWN]
    when = read_message("el ola betetsallem emta?", {"filters": {}, "text": "", "understood": []}, planned, "auto")
    assert (when.tool, when.arguments, when.asked) == (
        "get_property",
        {"property_id": "listing-1"},
        {"delivery": ["when"]},
    )
    monthly = read_message("el 2est kam fel tanya?", {"filters": {}, "text": "", "understood": []}, planned, "auto")
    assert (monthly.tool, monthly.arguments, monthly.asked) == (
        "get_property",
        {"property_id": "listing-2"},
        {"plan": [True]},
    )


@pytest.mark.parametrize("text", ["compare the three", "compare all three", "compare them all", "قارن التلاتة",
                                  "2arenly el talata", "qaren kollohom"])  # fmt: skip
def test_the_three_or_all_of_them_compares_every_card_shown(text: str) -> None:
    reading = read(text, shown=SHOWN)
    assert (reading.tool, reading.arguments) == (
        "compare_units",
        {"property_ids": ["listing-1", "listing-2", "listing-3"]},
    )


@pytest.mark.parametrize(
    ("text", "day"),
    [("mo3ayna yom el talata", "2026-12-08"), ("mo3ayna yom el arba3a", "2026-12-09"),
     ("mo3ayna yom el 5amees", "2026-12-10")],
)  # fmt: skip
def test_a_franco_weekday_said_with_its_day_word_is_that_day_not_a_count(text: str, day: str) -> None:
    parsed = {"filters": {}, "text": text, "understood": []}
    reading = read_message(text, parsed, SHOWN, "auto", focus="listing-2", today=date(2026, 12, 6))
    assert (reading.tool, reading.arguments) == ("schedule_viewing", {"property_id": "listing-2", "day": day})


@pytest.mark.parametrize(
    ("unit", "scale"), [(w, 1e6) for w in money_words.MILLIONS] + [(w, 1e3) for w in money_words.THOUSANDS]
)
def test_every_franco_unit_of_money_is_read_by_the_calculators_and_the_lead_slots(unit: str, scale: float) -> None:
    """One vocabulary with search's parser (osool_common.money_words): "3 malayen", "500 2alf" (the 2 a hamza, not a
    second number), "3 milyon w nos"."""
    number = 3 if scale == 1e6 else 500
    assert [amount.value for amount in amounts_in(f"mortgage on {number} {unit}")] == [number * scale]
    assert _amount(f"3ayez fiha {number} {unit}") == number * scale
    if scale == 1e6:
        assert [amount.value for amount in amounts_in(f"{number} {unit} w nos")] == [(number + 0.5) * scale]


@pytest.mark.parametrize(("words", "value"), [("milyoneen", 2e6), ("nos milyon", 5e5), ("malyoon", 1e6)])
def test_a_franco_million_said_without_a_number(words: str, value: float) -> None:
    assert [amount.value for amount in amounts_in(f"tamweel le sha2a b {words}")] == [value]


def test_a_size_is_not_a_sum_of_money() -> None:
    assert _amount("el masa7a 120 m2") is None and _amount("120 m²") is None


@pytest.mark.parametrize(
    "said", ["2 w nos milyon", "2 we nos malayeen", "٢ ونص مليون", "2 and a half million", "2 milyon w nos", "2.5m"]
)
def test_a_half_before_or_after_the_unit_is_half_of_it(said: str) -> None:
    assert [amount.value for amount in amounts_in(f"tamweel le sha2a b {said}")] == [2_500_000]
