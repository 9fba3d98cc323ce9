"""The query parser: English and Egyptian Arabic questions to exact filters, the words left for text search, the
ambiguous phrasings, the evaluation set's labels, and input that must never break it."""

from __future__ import annotations

import json
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from osool_search import query_parser as qp
from osool_search.filters import SearchFilters
from osool_search.gazetteer import (
    AREA_NAMES,
    AREA_PARTS,
    PLACES,
    REGION_LOCATIONS,
    REGION_PLACES,
    REGIONS,
    Place,
    Region,
)
from osool_search.query_parser import clean_query, parse_query

EVAL_SET = Path(__file__).resolve().parents[2] / "eval" / "queries.jsonl"

A = "Apartment"
NC = "New Cairo"
SZ = "Sheikh Zayed"
NAC = "New Administrative Capital"
OCT = "6th of October"


def applied(query: str) -> dict[str, Any]:
    return parse_query(query).filters.applied()


# ---- the two examples of the brief ----


def test_arabic_example_parses_to_apartment_three_rooms_new_cairo_under_eight_million() -> None:
    expected = {"property_types": [A], "bedrooms": 3, "locations": [NC], "max_price": 8_000_000}
    parsed = parse_query("شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون")
    assert parsed.filters.applied() == expected
    assert parsed.text == ""


def test_english_example_parses_the_same_as_the_arabic_one() -> None:
    parsed = parse_query("3 bedroom apartment in New Cairo under 8M")
    assert parsed.filters.applied() == applied("شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون")
    assert parsed.text == ""
    assert parsed.understood == ("3 bedroom", "apartment", "New Cairo", "under 8M")


# ---- budget ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("under 8M", {"max_price": 8_000_000}),
        ("below 8 million", {"max_price": 8_000_000}),
        ("less than 8,000,000 EGP", {"max_price": 8_000_000}),
        ("max 8m", {"max_price": 8_000_000}),
        ("up to 8.5M", {"max_price": 8_500_000}),
        ("8M max", {"max_price": 8_000_000}),
        ("budget 8 million", {"max_price": 8_000_000}),
        ("my budget is 8", {"max_price": 8_000_000}),
        ("max budget 12M", {"max_price": 12_000_000}),
        ("between 5 and 7 million", {"min_price": 5_000_000, "max_price": 7_000_000}),
        ("5-7M", {"min_price": 5_000_000, "max_price": 7_000_000}),
        # A range after "budget" is the range, not "budget 4" and a stray "5 million"; unitless, millions as "budget 8"
        ("budget 4-5 million", {"min_price": 4_000_000, "max_price": 5_000_000}),
        ("budget 4-5", {"min_price": 4_000_000, "max_price": 5_000_000}),
        ("my budget is 4 to 5M", {"min_price": 4_000_000, "max_price": 5_000_000}),
        ("ميزانية 4-5 مليون", {"min_price": 4_000_000, "max_price": 5_000_000}),
        ("ميزانيتي من 4 ل 5 مليون", {"min_price": 4_000_000, "max_price": 5_000_000}),
        # A budget raised to a sum: that sum, a bare one in millions ("if I increase my budget to 12")
        ("and if I increase my budget to 12?", {"max_price": 12_000_000}),
        ("my budget can go up to 12M", {"max_price": 12_000_000}),
        ("ممكن أزود الميزانية ل 12 مليون", {"max_price": 12_000_000}),
        ("from 5M to 7M", {"min_price": 5_000_000, "max_price": 7_000_000}),
        ("500k to 1.2m", {"min_price": 500_000, "max_price": 1_200_000}),
        ("8,000,000 EGP", {"max_price": 8_000_000}),
        ("8000000", {"max_price": 8_000_000}),
        ("EGP 8M", {"max_price": 8_000_000}),
        ("8 mn LE", {"max_price": 8_000_000}),
        ("8,5 million", {"max_price": 8_500_000}),
        ("eight million", {"max_price": 8_000_000}),
        ("around 6M", {"min_price": 5_400_000, "max_price": 6_600_000}),
        ("6M or so", {"min_price": 5_400_000, "max_price": 6_600_000}),
        ("over 10M", {"min_price": 10_000_000}),
        ("above 10 million", {"min_price": 10_000_000}),
        ("more than 500k", {"min_price": 500_000}),
        ("at least 10M", {"min_price": 10_000_000}),
        ("10M+", {"min_price": 10_000_000}),
        ("900 thousand", {"max_price": 900_000}),
        ("بأقل من ٨ مليون", {"max_price": 8_000_000}),
        ("أقل من 8 مليون جنيه", {"max_price": 8_000_000}),
        ("تحت ٥ مليون", {"max_price": 5_000_000}),
        ("لحد ٦ مليون", {"max_price": 6_000_000}),
        ("٥٠٠٠٠٠٠ ج.م", {"max_price": 5_000_000}),
        ("٨٬٠٠٠٬٠٠٠ جنيه", {"max_price": 8_000_000}),
        ("٨٫٥ مليون", {"max_price": 8_500_000}),
        ("۸ مليون", {"max_price": 8_000_000}),
        ("في حدود ٦ مليون", {"min_price": 5_400_000, "max_price": 6_600_000}),
        ("حوالي ٦ مليون", {"min_price": 5_400_000, "max_price": 6_600_000}),
        ("من ٥ ل ٧ مليون", {"min_price": 5_000_000, "max_price": 7_000_000}),
        ("من ٥ مليون إلى ٧ مليون", {"min_price": 5_000_000, "max_price": 7_000_000}),
        ("بين ٥ و ٧ مليون", {"min_price": 5_000_000, "max_price": 7_000_000}),
        ("أكتر من ١٠ مليون", {"min_price": 10_000_000}),
        ("أكثر من ١٠ مليون", {"min_price": 10_000_000}),
        ("فوق ١٠ مليون", {"min_price": 10_000_000}),
        ("مليون ونص", {"max_price": 1_500_000}),
        ("٤ مليون ونص", {"max_price": 4_500_000}),
        ("ب٤ مليون ونص", {"max_price": 4_500_000}),
        ("ب ٢ ونص مليون", {"max_price": 2_500_000}),
        ("under 2 and a half million", {"max_price": 2_500_000}),
        # A range's first sum takes its half without the unit, as "2.5" would borrow the second's
        ("من 2 ونص ل 3 ونص مليون", {"min_price": 2_500_000, "max_price": 3_500_000}),
        ("بين 2 ونص و 3 ونص مليون", {"min_price": 2_500_000, "max_price": 3_500_000}),
        ("from 2 and a half to 3 and a half million", {"min_price": 2_500_000, "max_price": 3_500_000}),
        ("men 2 w nos le 3 w nos milyon", {"min_price": 2_500_000, "max_price": 3_500_000}),
        ("budget 2 w nos", {"max_price": 2_500_000}),
        ("شقة 2 ونص", {"property_types": ["Apartment"]}),  # no unit and no cue: not a sum
        ("٢ مليون و٥٠٠ ألف", {"max_price": 2_500_000}),
        ("مليونين", {"max_price": 2_000_000}),
        ("تلاتة مليون", {"max_price": 3_000_000}),
        ("تحت ال٨ مليون", {"max_price": 8_000_000}),
        ("٩٠٠ ألف", {"max_price": 900_000}),
    ],
)
def test_budgets_in_every_wording(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("monthly under 50k", {"max_monthly_installment": 50_000}),
        ("monthly installment 40,000", {"max_monthly_installment": 40_000}),
        ("50k per month", {"max_monthly_installment": 50_000}),
        ("40k a month", {"max_monthly_installment": 40_000}),
        ("under 50k monthly", {"max_monthly_installment": 50_000}),
        ("قسط شهري أقل من ٥٠ ألف", {"max_monthly_installment": 50_000}),
        ("قسط ٣٠ الف في الشهر", {"max_monthly_installment": 30_000}),
        ("٣٠ ألف شهريا", {"max_monthly_installment": 30_000}),
        ("villa under 20M monthly under 150k", {"max_price": 20_000_000, "max_monthly_installment": 150_000,
                                                "property_types": ["Villa"]}),
    ],
)  # fmt: skip
def test_monthly_amounts_cap_the_installment_not_the_price(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("شقة سعر المتر 30 الف", {"property_types": [A], "max_price_per_sqm": 30_000}),
        ("سعر المتر ب ٣٥ ألف", {"max_price_per_sqm": 35_000}),
        ("شقة في التجمع المتر ب 35", {"property_types": [A], "locations": [NC], "max_price_per_sqm": 35_000}),
        ("30 ألف للمتر", {"max_price_per_sqm": 30_000}),
        ("اقل من 40 الف للمتر", {"max_price_per_sqm": 40_000}),
        ("سعر المتر من 25 الف", {"min_price_per_sqm": 25_000}),
        ("under 45,000 EGP/m²", {"max_price_per_sqm": 45_000}),
        ("price per sqm around 40k", {"min_price_per_sqm": 36_000, "max_price_per_sqm": 44_000}),
        ("40k per meter or less", {"max_price_per_sqm": 40_000}),
        ("el metr b 30 alf", {"max_price_per_sqm": 30_000}),
        # With a size and a price of their own: each is read as what it is.
        ("شقة 150 متر المتر ب 30 الف", {"property_types": [A], "min_size_sqm": 127.0, "max_size_sqm": 173.0,
                                       "max_price_per_sqm": 30_000}),
        ("apartment 150 sqm under 5m, 35k per sqm", {"property_types": [A], "min_size_sqm": 127.0,
                                                     "max_size_sqm": 173.0, "max_price": 5_000_000,
                                                     "max_price_per_sqm": 35_000}),
        # Not the price of a metre: a size and a price, or an amount no metre costs (left to money).
        ("شقة 150 متر ب 3 مليون", {"property_types": [A], "min_size_sqm": 127.0, "max_size_sqm": 173.0,
                                  "max_price": 3_000_000}),
        ("شقة المتر 3 مليون", {"property_types": [A], "max_price": 3_000_000}),
    ],
)  # fmt: skip
def test_the_price_of_a_metre_bounds_it_not_the_price_or_the_size(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    "query", ["2 bathrooms", "floor 3", "10 minutes from AUC", "road 9", "under 50", "5th settlement"]
)
def test_small_numbers_without_a_unit_are_not_money(query: str) -> None:
    assert "max_price" not in applied(query)
    assert "min_price" not in applied(query)


def test_a_range_written_backwards_is_put_in_order() -> None:
    assert applied("from 7M to 5M") == {"min_price": 5_000_000, "max_price": 7_000_000}


def test_contradicting_bounds_are_swapped_rather_than_refused() -> None:
    assert applied("over 10M under 5M") == {"min_price": 5_000_000, "max_price": 10_000_000}


# ---- bedrooms ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("3 bedroom", {"bedrooms": 3}),
        ("3 bedrooms", {"bedrooms": 3}),
        ("3BR", {"bedrooms": 3}),
        ("3 br", {"bedrooms": 3}),
        ("3 beds", {"bedrooms": 3}),
        ("3-bedroom", {"bedrooms": 3}),
        ("three bedrooms", {"bedrooms": 3}),
        ("six bedrooms", {"bedrooms": 6}),
        ("3 rooms", {"bedrooms": 3}),
        ("3+ bedrooms", {"min_bedrooms": 3}),
        ("at least 3 bedrooms", {"min_bedrooms": 3}),
        ("3 bedrooms or more", {"min_bedrooms": 3}),
        ("more than 3 bedrooms", {"min_bedrooms": 4}),
        ("2-3 bedrooms", {"min_bedrooms": 2, "max_bedrooms": 3}),
        ("2 bedrooms or 3 bedrooms", {"min_bedrooms": 2, "max_bedrooms": 3}),
        ("٢ غرف أو ٣ غرف", {"min_bedrooms": 2, "max_bedrooms": 3}),
        ("3-2 bedrooms", {"min_bedrooms": 2, "max_bedrooms": 3}),
        # The second count after the word: "3 bedrooms or 4"; not a sum, a size or bathrooms after "or"
        ("3 bedrooms or 4", {"min_bedrooms": 3, "max_bedrooms": 4}),
        ("4 bedrooms or three", {"min_bedrooms": 3, "max_bedrooms": 4}),
        (
            "شقة 3 غرف او 4 في التجمع",
            {"property_types": ["Apartment"], "min_bedrooms": 3, "max_bedrooms": 4, "locations": ["New Cairo"]},
        ),
        ("sha2a 3 ghoraf aw 4", {"property_types": ["Apartment"], "min_bedrooms": 3, "max_bedrooms": 4}),
        ("غرفتين ولا 3", {"min_bedrooms": 2, "max_bedrooms": 3}),
        ("3 bedrooms or 4 million", {"bedrooms": 3, "max_price": 4_000_000}),
        ("3 bedrooms or 4m", {"bedrooms": 3, "max_price": 4_000_000}),
        ("3 bedrooms or 4 bathrooms", {"bedrooms": 3, "min_bathrooms": 4}),
        ("3 bedrooms or 2.5", {"bedrooms": 3}),
        ("up to 2 bedrooms", {"max_bedrooms": 2}),
        ("at most 2 bedrooms", {"max_bedrooms": 2}),
        ("2 bedrooms or less", {"max_bedrooms": 2}),
        ("less than 3 bedrooms", {"max_bedrooms": 2}),
        ("مش أكتر من ٣ غرف", {"max_bedrooms": 3}),
        ("غرفتين او اقل", {"max_bedrooms": 2}),
        ("la7ad 2 ghoraf", {"max_bedrooms": 2}),
        ("up to 3 bathrooms", {"min_bathrooms": 3}),  # nobody caps their bathrooms
        ("٣ غرف", {"bedrooms": 3}),
        ("3 غرف", {"bedrooms": 3}),
        ("ثلاث غرف", {"bedrooms": 3}),
        ("تلات غرف", {"bedrooms": 3}),
        ("غرفتين", {"bedrooms": 2}),
        ("اوضتين نوم", {"bedrooms": 2}),
        ("٣ أوض نوم", {"bedrooms": 3}),
        ("2 نوم", {"bedrooms": 2}),  # the listings' shorthand
        ("٣ نوم و٢ حمام", {"bedrooms": 3, "min_bathrooms": 2}),
        ("3 اوض", {"bedrooms": 3}),
        ("أربع غرف نوم", {"bedrooms": 4}),
        ("غرفة نوم واحدة", {"bedrooms": 1}),
        # A one-bedroom flat as it is advertised: "a room and a living room", "a one-room flat"
        ("شقة غرفة وصالة", {"property_types": ["Apartment"], "bedrooms": 1}),
        ("شقة اوضة", {"property_types": ["Apartment"], "bedrooms": 1}),
        ("شقة غرفة نوم و٢ حمام", {"property_types": ["Apartment"], "bedrooms": 1, "min_bathrooms": 2}),
        ("sha2a oda w sala", {"property_types": ["Apartment"], "bedrooms": 1}),
        ("غرفة في شقة", {"property_types": ["Apartment"]}),  # a room in a flat is no flat of one room
        ("عايز ستوديو او شقة غرفة", {"property_types": ["Studio", "Apartment"], "max_bedrooms": 1}),
        ("٣غرف", {"bedrooms": 3}),
        ("٣ غرف او اكتر", {"min_bedrooms": 3}),
        ("على الأقل ٣ غرف", {"min_bedrooms": 3}),
        ("studio", {"property_types": ["Studio"]}),
        # A studio has no bedroom: the count bounds the flats named with it, or implied by it
        ("studio or 1 bedroom", {"property_types": ["Studio", "Apartment"], "max_bedrooms": 1}),
        ("1 bedroom apartment or studio", {"property_types": ["Apartment", "Studio"], "max_bedrooms": 1}),
        ("ستوديو او غرفة واحدة", {"property_types": ["Studio", "Apartment"], "max_bedrooms": 1}),
        ("studio or 2 bedroom duplex", {"property_types": ["Studio", "Duplex"], "max_bedrooms": 2}),
    ],
)
def test_bedrooms_in_every_wording(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("3 bedrooms at least", {"min_bedrooms": 3}),
        ("apartment, 3 rooms at least", {"property_types": ["Apartment"], "min_bedrooms": 3}),
        ("2 bathrooms at least", {"min_bathrooms": 2}),
        ("min price 5m", {"min_price": 5_000_000}),
        ("minimum price 3 million", {"min_price": 3_000_000}),
        ("أقل سعر 3 مليون", {"min_price": 3_000_000}),
        ("3 bedrooms min price 5m", {"bedrooms": 3, "min_price": 5_000_000}),
        (
            "apartment min price 3m max price 6m",
            {"property_types": ["Apartment"], "min_price": 3_000_000, "max_price": 6_000_000},
        ),
    ],
)
def test_a_bound_said_after_the_rooms_or_before_the_word_price(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment in a compound in october", {"property_types": ["Apartment"], "locations": ["6th of October"],
                                                "in_compound": True}),
        ("شقة في كمبوند", {"property_types": ["Apartment"], "in_compound": True}),
        ("شقة بكمبوند في زايد", {"property_types": ["Apartment"], "locations": ["Sheikh Zayed"], "in_compound": True}),
        ("sha2a fe compound fel tagamo3", {"property_types": ["Apartment"], "locations": ["New Cairo"],
                                           "in_compound": True}),
        ("apartment not in a compound", {"property_types": ["Apartment"], "in_compound": False}),
        ("شقة برة الكمبوند", {"property_types": ["Apartment"], "in_compound": False}),
        ("شقة مش في كمبوند في المعادي", {"property_types": ["Apartment"], "locations": ["Maadi"],
                                        "in_compound": False}),
        ("no compound villas", {"property_types": ["Villa"], "in_compound": False}),
        # Negated as Egyptians type it: never the positive filter ("mesh fel compound" read as in a compound).
        ("sha2a mesh fel compound", {"property_types": ["Apartment"], "in_compound": False}),
        ("مش عايز كمبوند", {"in_compound": False}), ("برا الكمبوند", {"in_compound": False}),
        ("بدون كمبوند", {"in_compound": False}), ("bara el compound", {"in_compound": False}),
        ("msh 3ayz compound fel tagamo3", {"locations": ["New Cairo"], "in_compound": False}),
        ("villa men gher compound fe zayed", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"],
                                              "in_compound": False}),
        ("sha2a fel compound", {"property_types": ["Apartment"], "in_compound": True}),
        # A type next to the word: a home in a compound ("شقة كمبوند" was a flat anywhere).
        ("شقة كمبوند في زايد", {"property_types": ["Apartment"], "locations": ["Sheikh Zayed"], "in_compound": True}),
        ("sha2a compound fel tagamo3", {"property_types": ["Apartment"], "locations": ["New Cairo"],
                                        "in_compound": True}),
        ("compound villas in zayed", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"], "in_compound": True}),
        # A name after the words: the negation rules it out, and says nothing of compounds in general.
        ("مش في كمبوند بالم هيلز", {"exclude_developers": ["Palm Hills Developments"]}),
        ("not in a compound from Emaar", {"exclude_developers": ["Emaar Misr"]}),
        ("not in compound Allegria", {"exclude_compounds": ["Allegria"]}),
        ("apartment in compound Mivida", {"property_types": ["Apartment"], "compounds": ["Mivida"],
                                          "in_compound": True}),
    ],
)  # fmt: skip
def test_in_a_compound_or_outside_one(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_in_a_compound_stays_in_the_text_and_outside_one_does_not() -> None:
    # An unknown compound's name after the words is matched by its words.
    assert parse_query("villa in Compound Lotus Towers").text == "Compound Lotus Towers"
    assert parse_query("apartment not in a compound").text == ""


def test_bathrooms_are_not_bedrooms() -> None:
    assert applied("3 bedrooms 2 bathrooms") == {"bedrooms": 3, "min_bathrooms": 2}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment 3 bed 2 bath", {"property_types": ["Apartment"], "bedrooms": 3, "min_bathrooms": 2}),
        ("villa with 4 baths", {"property_types": ["Villa"], "min_bathrooms": 4}),
        ("at least 2 bathrooms", {"min_bathrooms": 2}),
        ("more than 2 bathrooms", {"min_bathrooms": 3}),
        ("2-3 bathrooms", {"min_bathrooms": 2}),
        ("two bathrooms", {"min_bathrooms": 2}),
        ("2 wc", {"min_bathrooms": 2}),
        ("شقة ٣ غرف و ٢ حمام", {"property_types": ["Apartment"], "bedrooms": 3, "min_bathrooms": 2}),
        ("شقة 3 غرف وحمامين", {"property_types": ["Apartment"], "bedrooms": 3, "min_bathrooms": 2}),
        ("شقة فيها 2 دورة مياه", {"property_types": ["Apartment"], "min_bathrooms": 2}),
        ("تلات حمامات", {"min_bathrooms": 3}),
        ("sha2a 3 ghoraf w 2 7amam", {"property_types": ["Apartment"], "bedrooms": 3, "min_bathrooms": 2}),
        ("talat 7amamat", {"min_bathrooms": 3}),
        ("7amamen", {"min_bathrooms": 2}),
        # The listings' shorthand, written onto the number; apart, "ba" is no bathroom.
        ("apartment 3br 2ba", {"property_types": ["Apartment"], "bedrooms": 3, "min_bathrooms": 2}),
        ("villa 5br/4ba", {"property_types": ["Villa"], "bedrooms": 5, "min_bathrooms": 4}),
        ("apartment 2 ba", {"property_types": ["Apartment"]}),
    ],
)
def test_a_number_of_bathrooms_is_a_minimum(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment with bathroom", {"property_types": ["Apartment"]}),  # the room, not a count
        ("فيلا فيها 2 حمام سباحة", {"property_types": ["Villa"], "features": ["pool"]}),
        ("villa b 7amam saba7a", {"property_types": ["Villa"], "features": ["pool"]}),
        ("villa 2 bathrooms swimming pool", {"property_types": ["Villa"], "min_bathrooms": 2, "features": ["pool"]}),
    ],
)
def test_a_swimming_pool_is_no_bathroom(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_rooms_plus_a_reception_are_that_many_bedrooms_not_a_minimum() -> None:
    parsed = parse_query("apartment 2 rooms + reception in maadi")
    assert parsed.filters.applied() == {"property_types": [A], "bedrooms": 2, "locations": ["Maadi"]}
    assert parsed.text == ""


# ---- types, places, developers ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("villa or townhouse", {"property_types": ["Villa", "Townhouse"]}),
        ("villas", {"property_types": ["Villa"]}),
        ("stand-alone villa", {"property_types": ["Villa"]}),
        ("twin house", {"property_types": ["Twinhouse"]}),
        ("flats", {"property_types": [A]}),
        ("شقق", {"property_types": [A]}),
        ("الشقة", {"property_types": [A]}),
        ("فيلات", {"property_types": ["Villa"]}),
        ("تاون هاوس او توين هاوس", {"property_types": ["Townhouse", "Twinhouse"]}),
        ("محل تجاري", {"property_types": ["Retail"]}),
        ("عيادة", {"property_types": ["Clinic"]}),
        ("شاليه", {"property_types": ["Chalet"]}),
    ],
)
def test_property_types_and_their_plurals(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("new cairo", {"locations": [NC]}),
        ("5th settlement", {"locations": [NC]}),
        ("التجمع الخامس", {"locations": [NC]}),
        ("التجمع", {"locations": [NC]}),
        ("بالتجمع", {"locations": [NC]}),
        ("القاهرة الجديدة", {"locations": [NC]}),
        ("الشيخ زايد", {"locations": [SZ]}),
        ("وزايد", {"locations": [SZ]}),
        ("للساحل", {"locations": ["North Coast"]}),
        ("بالساحل الشمالي", {"locations": ["North Coast"]}),
        ("sahel", {"locations": ["North Coast"]}),
        ("new capital", {"locations": [NAC]}),
        ("the capital", {"locations": [NAC]}),
        ("nac", {"locations": [NAC]}),
        ("العاصمة الإدارية الجديدة", {"locations": [NAC]}),
        ("october", {"locations": [OCT]}),
        ("6 october", {"locations": [OCT]}),
        ("٦ أكتوبر", {"locations": [OCT]}),
        ("new cairo or sheikh zayed", {"locations": [NC, SZ]}),
        ("مدينة نصر", {"locations": ["Nasr City"]}),
        ("Mivida", {"compounds": ["Mivida"]}),
        ("ميفيدا", {"compounds": ["Mivida"]}),
        ("Palm Hills October", {"compounds": ["Palm Hills October"]}),
        ("بالم هيلز أكتوبر", {"compounds": ["Palm Hills October"]}),
        ("Palm Hills New Cairo", {"compounds": ["Palm Hills New Cairo"]}),
        ("palm hills", {"developers": ["Palm Hills Developments"]}),
        ("palm hills in october", {"developers": ["Palm Hills Developments"], "locations": [OCT]}),
        ("mountain view", {"developers": ["Mountain View"]}),
        ("Mountain View iCity", {"compounds": ["Mountain View iCity"]}),
        ("zed", {"compounds": ["ZED West"]}),
        ("Il Bosco", {"compounds": ["Il Bosco"]}),
        ("Il Bosco City", {"compounds": ["Il Bosco City"]}),
        ("sodic", {"developers": ["SODIC"]}),
        ("sodic east", {"compounds": ["SODIC East"]}),
        ("emaar", {"developers": ["Emaar Misr"]}),
        ("طلعت مصطفى", {"developers": ["Talaat Moustafa Group"]}),
    ],
)
def test_places_compounds_and_developers_longest_phrase_first(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize("place", PLACES, ids=lambda place: place.name)
def test_every_spelling_of_a_place_without_demo_listings_is_that_place(place: Place) -> None:
    for spelling in (place.name, *place.aliases):
        assert applied(f"apartment in {spelling}") == {"property_types": [A], "locations": [place.name]}, spelling


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("chalet in hurghada", {"property_types": ["Chalet"], "locations": ["Hurghada"]}),
        ("شاليه في الغردقة", {"property_types": ["Chalet"], "locations": ["Hurghada"]}),
        ("shale fel ghardaa", {"property_types": ["Chalet"], "locations": ["Hurghada"]}),  # Franco, from the Arabic
        ("chalet in hurgada", {"property_types": ["Chalet"], "locations": ["Hurghada"]}),
        ("sha2a fel re7ab", {"property_types": [A], "locations": ["Rehab City"]}),
        ("sha2a fel mo2attam", {"property_types": [A], "locations": ["Mokattam"]}),
        ("shale fe marsa 3alam", {"property_types": ["Chalet"], "locations": ["Marsa Alam"]}),
        ("apartment in mohandseen", {"property_types": [A], "locations": ["Mohandessin"]}),  # misspelt
        ("sha2a fe eskenderia", {"property_types": [A], "locations": ["Alexandria"]}),
        ("شقة بالزمالك", {"property_types": [A], "locations": ["Zamalek"]}),
        (
            "villa in el gouna or sahl hasheesh",
            {"property_types": ["Villa"], "locations": ["El Gouna", "Sahl Hasheesh"]},
        ),
        ("apartment not in zamalek", {"property_types": [A], "exclude_locations": ["Zamalek"]}),
        ("مش عايز الجونة", {"exclude_locations": ["El Gouna"]}),
        # "sahl" alone is still the North Coast (الساحل in Franco); written whole, the longer name wins.
        ("villa fel sahl", {"property_types": ["Villa"], "locations": ["North Coast"]}),
        ("villa fel sahl hashish", {"property_types": ["Villa"], "locations": ["Sahl Hasheesh"]}),
        ("shale fel sahel hasheesh", {"property_types": ["Chalet"], "locations": ["Sahl Hasheesh"]}),
        # Cairo and Giza's older districts: a place, never a feature ("garden") or the leftover text.
        ("apartment in garden city", {"property_types": [A], "locations": ["Garden City"]}),
        ("شقة في جاردن سيتي", {"property_types": [A], "locations": ["Garden City"]}),
        ("sha2a fel haram", {"property_types": [A], "locations": ["El Haram"]}),
        ("el as3ar di haram", {}),  # "a crime": no place
        ("شقة في فيصل تحت ٢ مليون", {"property_types": [A], "locations": ["Faisal"], "max_price": 2_000_000}),
        ("sha2a fe shobra", {"property_types": [A], "locations": ["Shubra"]}),
        ("شقة في وسط البلد", {"property_types": [A], "locations": ["Downtown Cairo"]}),
        # The New Capital's downtown and Hurghada's marina are not Cairo's downtown or the North Coast's Marina.
        ("office in downtown new capital", {"property_types": ["Office"], "locations": ["New Administrative Capital"]}),
        ("chalet near the marina in hurghada", {"property_types": ["Chalet"], "locations": ["Hurghada"]}),
        # English words near these names stay English.
        ("apartment to share in zayed", {"property_types": [A], "locations": [SZ]}),
        ("gonna buy a villa with charm", {"property_types": ["Villa"]}),
    ],
)
def test_places_without_demo_listings_in_every_script(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize("area", AREA_PARTS)
def test_a_neighbourhood_inside_an_area_reads_as_its_area(area: str) -> None:
    for spelling in AREA_PARTS[area]:
        assert applied(f"apartment in {spelling}") == {"property_types": [A], "locations": [area]}, spelling


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("villa fel katamya", {"property_types": ["Villa"], "locations": [NC]}),  # Franco and misspelt
        ("sha2a fel narges", {"property_types": [A], "locations": [NC]}),
        ("شقة ٣ غرف في التجمع الاول", {"property_types": [A], "locations": [NC], "bedrooms": 3}),
        ("chalet in marina el alamein", {"property_types": ["Chalet"], "locations": ["North Coast"]}),
        ("شاليه في العلمين الجديدة", {"property_types": ["Chalet"], "locations": ["North Coast"]}),
        ("شقة في حدائق أكتوبر", {"property_types": [A], "locations": ["6th of October"]}),
        ("apartment in zahraa el maadi", {"property_types": [A], "locations": ["Maadi"]}),
        ("فيلا في زايد الجديدة", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}),
        ("villa fe zayed el gedida", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}),
        ("shaleh fe ras el 7ekma", {"property_types": ["Chalet"], "locations": ["North Coast"]}),
    ],
)
def test_neighbourhoods_in_every_script(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_a_neighbourhood_read_as_its_area_says_so() -> None:
    assert parse_query("villa in katameya").understood == ("villa", "katameya → New Cairo")
    assert parse_query("شقة في النرجس").understood == ("شقة", "النرجس → New Cairo")
    assert parse_query("sha2a fel narges").understood == ("sha2a → Apartment", "narges → New Cairo")
    assert parse_query("sha2a fel haram").understood == ("sha2a → Apartment", "fel haram → El Haram")
    assert parse_query("villa in new cairo").understood == ("villa", "new cairo")  # the area itself, as written


GIZA = list(REGION_LOCATIONS["Giza"])
CAIRO = list(REGION_LOCATIONS["Cairo"])


def test_every_region_is_made_of_known_places_and_names_none_of_its_own() -> None:
    for region in REGIONS:
        assert region.places and set(region.places) <= set(AREA_NAMES), region.name
        assert len(set(region.places)) == len(region.places), region.name
        assert region.name not in AREA_NAMES, region.name
    cairo, giza = set(REGION_PLACES["Cairo"]), set(REGION_PLACES["Giza"])
    assert set(REGION_PLACES["East Cairo"]) - cairo == {"Obour City"}
    assert set(REGION_PLACES["Greater Cairo"]) == {*cairo, *giza, "Obour City"}
    # A region's filter also matches the listings filed under its own name, or under a region inside it.
    assert REGION_LOCATIONS["Giza"] == (*REGION_PLACES["Giza"], "Giza", "West Cairo")
    assert set(REGION_LOCATIONS["Greater Cairo"]) - set(REGION_PLACES["Greater Cairo"]) == {
        "Cairo",
        "Giza",
        "Greater Cairo",
        "East Cairo",
        "West Cairo",
    }


@pytest.mark.parametrize("region", REGIONS, ids=lambda region: region.name)
def test_every_spelling_of_a_region_searches_all_its_places(region: Region) -> None:
    for spelling in (region.name, *region.aliases):
        assert applied(f"apartment in {spelling}") == {
            "property_types": [A],
            "locations": list(REGION_LOCATIONS[region.name]),
        }, spelling


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("شقة في الجيزة", {"property_types": [A], "locations": GIZA}),
        ("sha2a fel geeza 3 ghoraf", {"property_types": [A], "locations": GIZA, "bedrooms": 3}),  # Franco
        ("sheqa fel giza", {"property_types": [A], "locations": GIZA}),
        ("apartment in gizah", {"property_types": [A], "locations": GIZA}),
        ("fella fel qahera", {"property_types": ["Villa"], "locations": CAIRO}),
        ("villa in east ciaro", {"property_types": ["Villa"], "locations": list(REGION_LOCATIONS["East Cairo"])}),
        ("apartment في الجيزة", {"property_types": [A], "locations": GIZA}),  # mixed
        ("shale fe sina", {"property_types": ["Chalet"], "locations": list(REGION_LOCATIONS["South Sinai"])}),
        # Two regions are both; a region named beside one of its own places only says where that place is.
        (
            "apartment in cairo or giza",
            {"property_types": [A], "locations": [*CAIRO[:-1], *GIZA[:-2], "Cairo", "Giza", "West Cairo"]},
        ),
        ("apartment in Dokki, Giza", {"property_types": [A], "locations": ["Dokki"]}),
        # A place or one of its own compounds, as alternatives, is the whole place; named together, the compound.
        ("chalet in Sokhna or Galala", {"property_types": ["Chalet"], "locations": ["Ain Sokhna"]}),
        ("شاليه في الجلالة او السخنة", {"property_types": ["Chalet"], "locations": ["Ain Sokhna"]}),
        ("shale fel sokhna walla galala", {"property_types": ["Chalet"], "locations": ["Ain Sokhna"]}),
        (
            "chalet in Galala, Ain Sokhna",
            {"property_types": ["Chalet"], "locations": ["Ain Sokhna"], "compounds": ["Il Monte Galala"]},
        ),
        (
            "villa in Mivida or Hyde Park in New Cairo",
            {"property_types": ["Villa"], "locations": [NC], "compounds": ["Mivida", "Hyde Park New Cairo"]},
        ),
        ("شقة في اكتوبر الجيزة", {"property_types": [A], "locations": [OCT]}),
        ("villa in new cairo or anywhere in giza", {"property_types": ["Villa"], "locations": [NC, *GIZA]}),
        # Ruled out: the whole region, or one of its places.
        ("villa anywhere but Giza", {"property_types": ["Villa"], "exclude_locations": GIZA}),
        # A place inside a region ruled out is ruled out with it (the rest of the query stands).
        ("apartment in Dokki not in Giza", {"property_types": [A], "exclude_locations": GIZA}),
        ("شقة في الدقي مش في الجيزة", {"property_types": [A], "exclude_locations": GIZA}),
        ("مش عايز الجيزة", {"exclude_locations": GIZA}),
        (
            "apartment in Giza not in Dokki",
            {"property_types": [A], "locations": [p for p in GIZA if p != "Dokki"], "exclude_locations": ["Dokki"]},
        ),
        (
            "شقة في القاهرة مش في التجمع",
            {"property_types": [A], "locations": [p for p in CAIRO if p != NC], "exclude_locations": [NC]},
        ),
        # Roads and landmarks named after a city are not in it, and not a place at all.
        ("villa on the Cairo-Alex desert road", {"property_types": ["Villa"]}),
        ("فيلا على طريق مصر اسكندرية الصحراوي", {"property_types": ["Villa"]}),
        ("apartment near cairo university", {"property_types": [A]}),
        ("شقة قريبة من جامعة القاهرة", {"property_types": [A]}),
        ("villa in alex", {"property_types": ["Villa"], "locations": ["Alexandria"]}),
        # "المطروح" is "on offer", not the governorate; "new cairo" and "downtown cairo" are places, not Cairo.
        ("السعر المطروح 3 مليون", {"max_price": 3_000_000}),
        ("villa in new cairo", {"property_types": ["Villa"], "locations": [NC]}),
        ("apartment in downtown cairo", {"property_types": [A], "locations": ["Downtown Cairo"]}),
    ],
)
def test_regions_in_every_script(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A Gulf buyer's "I want" is filler, as the Egyptian "عايز" is.
        ("ابغى شقة في القاهرة الجديدة", {"property_types": [A], "locations": [NC]}),
        ("ابغي فيلا في الشيخ زايد", {"property_types": ["Villa"], "locations": [SZ]}),
        ("sha2a fel zamalek view nil?", {"property_types": [A], "locations": ["Zamalek"], "features": ["nile_view"]}),
        ("chalet in ain el sokhna", {"property_types": ["Chalet"], "locations": ["Ain Sokhna"]}),
        ("apartment in el sheikh zayed city", {"property_types": [A], "locations": [SZ]}),
    ],
)
def test_buyers_words_from_a_second_battery(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected
    assert parse_query(query).text in ("", "view nil")


def test_two_readings_that_contradict_each_other_lose_one_of_them_not_the_whole_query() -> None:
    # Defensive: no wording is known to reach it now ("apartment in Dokki not in Giza" did, and lost its type too).
    scan = qp._Scan("x")
    scan.values.update({"property_types": ["Villa"], "compounds": ["Mivida"], "in_compound": False, "max_price": 9})
    assert qp._filters(scan).applied() == {"property_types": ["Villa"], "in_compound": False, "max_price": 9}


def test_a_region_is_understood_as_written_and_its_landmark_words_stay_in_the_text() -> None:
    assert parse_query("apartment in Giza").understood == ("apartment", "Giza")
    assert parse_query("sha2a fel geeza").understood == ("sha2a → Apartment", "fel geeza → Giza")
    assert parse_query("villa not in east cairo").understood == ("villa", "not in east cairo")
    assert parse_query("villa on the Cairo-Alex desert road").text == "Cairo-Alex desert road"
    assert parse_query("apartment near cairo university").text == "near cairo university"


def test_no_labelled_message_is_read_as_a_place_without_demo_listings() -> None:
    # Their Arabic names lie a letter from everyday words ("المقدم", the down payment, and "المقطم"; "ألاقي", I find,
    # and "الدقي"): none of the labelled queries, chat requests or lead messages names one of these places, so none may
    # be read as one. The agent's sets are read as data, by path, as the parser serves the agent's rules brain. The
    # queries that name a region (Giza, Cairo) ask for these places among its others.
    agent_eval = Path(__file__).resolve().parents[3] / "agent" / "eval"
    texts = [r["query"] for r in _eval_records() if r.get("category") != "regions"]
    for name, field in (("requests.jsonl", "message"), ("leads.jsonl", "text")):
        lines = (agent_eval / name).read_text(encoding="utf-8").splitlines()
        texts += [json.loads(line)[field] for line in lines if line.strip()]
    assert len(texts) > 500
    places = {place.name for place in PLACES}
    read = {}
    for text in texts:
        filters = parse_query(text).filters
        found = places & {*(filters.locations or ()), *(filters.exclude_locations or ())}
        if found:
            read[text] = found
    assert read == {}


@pytest.mark.parametrize(
    ("query", "kept"),
    [("مراتي عايزة شقة", ("شقة",)), ("ومرتب مراتي 20 الف", ("20 الف",)), ("الشروط ايه؟", ()), ("فيها شروخ؟", ()),
     ("الساحة قريبة؟", ())],
)  # fmt: skip
def test_an_everyday_word_a_letter_from_a_name_is_not_respelt_into_it(query: str, kept: tuple[str, ...]) -> None:
    # "مراتي" (my wife) is a letter from Marassi, "الشروط" (the terms) and "شروخ" (cracks) from El Shorouk, "الساحة"
    # (the square) from the North Coast: none is that name, and the names themselves still are.
    parsed = parse_query(query)
    assert parsed.understood == kept
    assert not (parsed.filters.compounds or parsed.filters.locations), parsed.filters
    assert parse_query("شاليه في مراسي").filters.compounds == ["Marassi"]
    assert parse_query("شقة في الشروق").filters.locations == ["Shorouk City"]
    assert parse_query("شقة في الشروك").understood == ("شقة", "الشروك → Shorouk City")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("شقة بالعفش في المعادي", {"property_types": [A], "locations": ["Maadi"], "finishing": ["furnished"]}),
        ("شقة بعفشها", {"property_types": [A], "finishing": ["furnished"]}),
        ("apartment with furniture", {"property_types": [A], "finishing": ["furnished"]}),
        ("sha2a bel 3afsh", {"property_types": [A], "finishing": ["furnished"]}),
        ("شقة من غير عفش", {"property_types": [A], "exclude_finishing": ["furnished"]}),
    ],
)
def test_furniture_as_egyptians_say_it_is_furnished(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_a_name_that_is_both_an_area_and_a_compound_is_the_area() -> None:
    assert applied("Madinaty") == {"locations": ["Madinaty"]}
    assert applied("مدينتي") == {"locations": ["Madinaty"]}


def test_a_name_that_is_both_a_compound_and_a_developer_is_the_compound() -> None:
    assert applied("hyde park") == {"compounds": ["Hyde Park New Cairo"]}


def test_a_developer_named_beside_its_own_compound_is_not_a_second_filter() -> None:
    assert applied("Mivida by Emaar") == {"compounds": ["Mivida"]}
    assert applied("Mivida or SODIC") == {"compounds": ["Mivida"], "developers": ["SODIC"]}


def test_a_compound_with_its_area_keeps_both() -> None:
    assert applied("apartment in Il Bosco, New Capital") == {
        "property_types": [A],
        "compounds": ["Il Bosco"],
        "locations": [NAC],
    }


def test_a_view_is_a_feature_not_the_compound_or_the_developer() -> None:
    parsed = parse_query("apartment with lake view in new cairo")
    assert parsed.filters.applied() == {"property_types": [A], "locations": [NC]}
    assert parsed.text == "lake view"
    parsed = parse_query("chalet with a mountain view in galala")
    assert parsed.filters.applied() == {"property_types": ["Chalet"], "compounds": ["Il Monte Galala"]}
    assert parsed.text == "mountain view"
    assert applied("apartment in lake view") == {"property_types": [A], "compounds": ["Lake View Residence"]}


def test_the_fifth_floor_is_not_the_fifth_settlement() -> None:
    parsed = parse_query("شقة الدور الخامس في مدينة نصر")
    assert parsed.filters.applied() == {"property_types": [A], "locations": ["Nasr City"], "floors": [5]}
    assert parsed.understood == ("شقة", "الدور الخامس", "مدينة نصر")
    assert applied("شقة في الخامس") == {"property_types": [A], "locations": [NC]}


def test_october_the_month_is_a_delivery_date_and_october_the_city_a_place() -> None:
    assert applied("delivery October 2026") == {"delivery_year": 2026}
    assert applied("استلام أكتوبر ٢٠٢٦") == {"delivery_year": 2026}
    assert applied("villa in 6 october 2026 delivery") == {
        "property_types": ["Villa"],
        "locations": [OCT],
        "delivery_year": 2026,
    }
    assert applied("apartment in October delivery 2027") == {
        "property_types": [A],
        "locations": [OCT],
        "delivery_year": 2027,
    }


def test_real_estate_is_not_the_estates_compound() -> None:
    assert applied("real estates in zayed") == {"locations": [SZ]}


# ---- delivery ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ready to move", {"is_delivered": True}),
        ("ready", {"is_delivered": True}),
        ("immediate delivery", {"is_delivered": True}),
        ("delivered", {"is_delivered": True}),
        ("استلام فوري", {"is_delivered": True}),
        ("جاهز للسكن", {"is_delivered": True}),
        ("جاهزة", {"is_delivered": True}),
        ("under construction", {"is_delivered": False}),
        ("off plan", {"is_delivered": False}),
        ("off-plan", {"is_delivered": False}),
        ("not ready", {"is_delivered": False}),
        ("تحت الإنشاء", {"is_delivered": False}),
        ("delivery 2026", {"delivery_year": 2026}),
        ("delivered in 2026", {"delivery_year": 2026}),
        ("2026 delivery", {"delivery_year": 2026}),
        ("استلام ٢٠٢٦", {"delivery_year": 2026}),
        ("التسليم سنة ٢٠٢٧", {"delivery_year": 2027}),
        ("in 2028", {"delivery_year": 2028}),
        ("2029", {"delivery_year": 2029}),
        ("delivery by 2027", {"max_delivery_year": 2027}),
        ("by end of 2027", {"max_delivery_year": 2027}),
        ("ready by 2027", {"max_delivery_year": 2027}),
        ("before 2028", {"max_delivery_year": 2027}),
        ("before June 2028", {"max_delivery_year": 2028}),
        ("استلام قبل ٢٠٢٨", {"max_delivery_year": 2027}),
        ("استلام لحد ٢٠٢٧", {"max_delivery_year": 2027}),
        ("استلام ٢٠٢٦ او قبل", {"max_delivery_year": 2026}),
        ("delivery 2026-2027", {"max_delivery_year": 2027}),
    ],
)
def test_delivery_state_year_and_deadline(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_delivery_after_a_year_is_recognised_but_left_to_the_text() -> None:
    parsed = parse_query("delivery after 2027")
    assert parsed.filters.applied() == {}
    assert parsed.text == "delivery after 2027"


# ---- payment ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("8 years installments", {"min_installment_years": 8}),
        ("8-year payment plan", {"min_installment_years": 8}),
        ("over 8 years", {"min_installment_years": 8}),
        ("installments up to 10 years", {"min_installment_years": 10}),
        ("installments over 7 years", {"min_installment_years": 7}),
        ("تقسيط على ٨ سنين", {"min_installment_years": 8}),
        ("تقسيط ٧ سنوات", {"min_installment_years": 7}),
        ("على ١٠ سنين", {"min_installment_years": 10}),
        ("تقسيط سنتين", {"min_installment_years": 2}),
        ("8 سنين", {"min_installment_years": 8}),
        ("installments", {"is_cash_only": False}),
        ("on installments", {"is_cash_only": False}),
        ("تقسيط", {"is_cash_only": False}),
        ("بالتقسيط", {"is_cash_only": False}),
        ("ينفع اقسط؟", {"is_cash_only": False}),
        (
            "شقة في زايد اقدر اقسطها",
            {"property_types": ["Apartment"], "locations": ["Sheikh Zayed"], "is_cash_only": False},
        ),
        ("installments with 10% down", {"max_down_payment_pct": 10.0}),
        ("10% down", {"max_down_payment_pct": 10.0}),
        ("10% down payment", {"max_down_payment_pct": 10.0}),
        ("down payment 10%", {"max_down_payment_pct": 10.0}),
        ("down payment under 15%", {"max_down_payment_pct": 15.0}),
        ("max 5% dp", {"max_down_payment_pct": 5.0}),
        ("no down payment", {"max_down_payment_pct": 0.0}),
        ("0% down", {"max_down_payment_pct": 0.0}),
        ("مقدم ١٠٪", {"max_down_payment_pct": 10.0}),
        ("مقدم 10%", {"max_down_payment_pct": 10.0}),
        ("بمقدم ١٠ في المية", {"max_down_payment_pct": 10.0}),
        ("١٠٪ مقدم", {"max_down_payment_pct": 10.0}),
        ("بدون مقدم", {"max_down_payment_pct": 0.0}),
        ("وبدون مقدم", {"max_down_payment_pct": 0.0}),
        ("10% down 8 years", {"max_down_payment_pct": 10.0, "min_installment_years": 8}),
    ],
)
def test_installment_terms_and_down_payments(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize("query", ["cash", "كاش", "cash only", "pay cash", "نقدي"])
def test_paying_cash_filters_nothing_because_any_listing_can_be_bought_for_cash(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == {}
    assert parsed.text == ""
    assert parsed.understood


@pytest.mark.parametrize("query", ["delivery in 3 years", "5 years old", "استلام بعد سنتين", "عمرها ٥ سنين"])
def test_years_after_delivery_words_or_of_age_are_not_a_payment_plan(query: str) -> None:
    assert "min_installment_years" not in applied(query)


@pytest.mark.parametrize(
    ("query", "years"),
    [
        ("delivery in 2 years", 2),
        ("ready in 3 years", 3),
        ("delivery within a year", 1),
        ("apartment delivery next year", 1),
        ("delivery this year", 0),
        ("استلام بعد سنتين", 2),
        ("تسليم خلال سنة", 1),
        ("استلام بعد ٣ سنين", 3),
        ("شقة استلام السنة الجاية", 1),
        ("estlam ba3d sanateen", 2),
        ("estlam el sana el gaya", 1),
    ],
)
def test_a_delivery_counted_from_now_is_a_latest_year(query: str, years: int) -> None:
    assert applied(query)["max_delivery_year"] == date.today().year + years
    assert "min_installment_years" not in applied(query)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("استلام سنة 2027", {"delivery_year": 2027}),  # "سنة" there is "the year"
        ("delivered 5 years ago", {"is_delivered": True}),
        ("delivery within 15 years", {}),
        (
            "installments over 5 years delivery in 2 years",
            {"min_installment_years": 5, "max_delivery_year": date.today().year + 2},
        ),
    ],
)
def test_a_delivery_counted_from_now_is_not_read_into_other_years(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_a_down_payment_in_pounds_is_the_most_paid_up_front_not_the_budget() -> None:
    assert applied("villa with down payment 500k") == {"property_types": ["Villa"], "max_down_payment": 500_000}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment with 500k down payment", {"property_types": ["Apartment"], "max_down_payment": 500_000}),
        ("شقة 500 ألف مقدم", {"property_types": ["Apartment"], "max_down_payment": 500_000}),
        ("500k dp", {"max_down_payment": 500_000}),
        (
            "apartment 6m with 1m down",
            {"property_types": ["Apartment"], "max_price": 6_000_000, "max_down_payment": 1_000_000},
        ),
        (
            "villa 20m, 2m downpayment",
            {"property_types": ["Villa"], "max_price": 20_000_000, "max_down_payment": 2_000_000},
        ),
        # The down words go on to an amount of their own: the first amount is the price.
        (
            "شقة ب 6 مليون مقدم مليون",
            {"property_types": ["Apartment"], "max_price": 6_000_000, "max_down_payment": 1_000_000},
        ),
        (
            "apartment 3m down payment 300k",
            {"property_types": ["Apartment"], "max_price": 3_000_000, "max_down_payment": 300_000},
        ),
        (
            "شقة 3 مليون ومقدم 300 ألف",
            {"property_types": ["Apartment"], "max_price": 3_000_000, "max_down_payment": 300_000},
        ),
        (
            "apartment 5m 10% down",
            {"property_types": ["Apartment"], "max_price": 5_000_000, "max_down_payment_pct": 10.0},
        ),
        # Colloquial amounts and Franco-Arabic; "about" allows 10% more, as for a monthly amount.
        ("معايا مقدم نص مليون", {"max_down_payment": 500_000}),
        ("مقدم مليون ونص", {"max_down_payment": 1_500_000}),
        ("بمقدم ٣٠٠ الف وقسط ١٠ آلاف", {"max_down_payment": 300_000, "max_monthly_installment": 10_000}),
        ("sha2a mo2adam 500 alf", {"property_types": ["Apartment"], "max_down_payment": 500_000}),
        ("down payment around 500k", {"max_down_payment": 550_000}),
        ("حوالي نص مليون مقدم", {"max_down_payment": 550_000}),
        # A down payment in pounds already says how the buyer pays (a cash-only listing's down payment is its whole
        # price), so "installments" adds no is_cash_only.
        ("apartment installments 500k down", {"property_types": ["Apartment"], "max_down_payment": 500_000}),
    ],
)
def test_a_down_payment_in_pounds_before_or_after_its_words_is_not_the_budget(
    query: str, expected: dict[str, Any]
) -> None:
    assert applied(query) == expected


# ---- size ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("over 150 sqm", {"min_size_sqm": 150.0}),
        ("150+ sqm", {"min_size_sqm": 150.0}),
        ("under 120 m2", {"max_size_sqm": 120.0}),
        ("150m2", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("150 m²", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("150 meters", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("150 square meters", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("around 200 sqm", {"min_size_sqm": 170.0, "max_size_sqm": 230.0}),
        ("between 120 and 160 sqm", {"min_size_sqm": 120.0, "max_size_sqm": 160.0}),
        ("120-160 sqm", {"min_size_sqm": 120.0, "max_size_sqm": 160.0}),
        ("١٥٠ متر", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("١٥٠م", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("مساحة ٢٠٠ متر", {"min_size_sqm": 170.0, "max_size_sqm": 230.0}),
        ("أكبر من ١٤٠ متر", {"min_size_sqm": 140.0}),
        ("من ١٢٠ ل ١٦٠ متر", {"min_size_sqm": 120.0, "max_size_sqm": 160.0}),
    ],
)
def test_sizes_with_a_unit(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


def test_an_english_m_after_a_number_is_millions_not_metres() -> None:
    assert applied("150m") == {"max_price": 150_000_000}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("villa 300m", {"property_types": ["Villa"], "min_size_sqm": 255.0, "max_size_sqm": 345.0}),
        ("villa 500 m", {"property_types": ["Villa"], "min_size_sqm": 425.0, "max_size_sqm": 575.0}),
        ("villa under 300m", {"property_types": ["Villa"], "max_size_sqm": 300.0}),
        ("villa 250m+", {"property_types": ["Villa"], "min_size_sqm": 250.0}),
        # The budget in words: the other "m" is the size.
        (
            "apartment 120m 5 million",
            {"property_types": ["Apartment"], "max_price": 5_000_000, "min_size_sqm": 102.0, "max_size_sqm": 138.0},
        ),
        # Another "m" too small to be a floor area is the budget: this one is the size.
        (
            "apartment 150 m 5m",
            {"property_types": ["Apartment"], "max_price": 5_000_000, "min_size_sqm": 127.0, "max_size_sqm": 173.0},
        ),
        (
            "apartment 3.5m 90m",
            {"property_types": ["Apartment"], "max_price": 3_500_000, "min_size_sqm": 76.0, "max_size_sqm": 104.0},
        ),
        # A flat, a chalet or a unit in a building never sells for 50 million or more: from 50 its "m" is metres.
        ("apartment 150m", {"property_types": ["Apartment"], "min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("sha2a 90m", {"property_types": ["Apartment"], "min_size_sqm": 76.0, "max_size_sqm": 104.0}),
        ("شقة 120m", {"property_types": ["Apartment"], "min_size_sqm": 102.0, "max_size_sqm": 138.0}),
        ("studio 50m", {"property_types": ["Studio"], "min_size_sqm": 42.0, "max_size_sqm": 58.0}),
        # Money still: after "budget", below 250 for a house and below 50 for a flat with no budget in words.
        ("budget 300m", {"max_price": 300_000_000}),
        ("villa 20m", {"property_types": ["Villa"], "max_price": 20_000_000}),
        ("villa 150m", {"property_types": ["Villa"], "max_price": 150_000_000}),
        ("apartment 8m", {"property_types": ["Apartment"], "max_price": 8_000_000}),
        ("appartment 150m", {"property_types": ["Apartment"], "min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("apartment 40m", {"property_types": ["Apartment"], "max_price": 40_000_000}),
    ],
)
def test_an_m_that_cannot_be_millions_is_metres(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("villa bigger than 300m", {"property_types": ["Villa"], "min_size_sqm": 300.0}),
        ("larger than 200 in zayed", {"locations": ["Sheikh Zayed"], "min_size_sqm": 200.0}),
        ("smaller than 120m", {"max_size_sqm": 120.0}),
        ("size 300m", {"min_size_sqm": 255.0, "max_size_sqm": 345.0}),
        ("area under 200m", {"max_size_sqm": 200.0}),
        ("size 200m or more", {"min_size_sqm": 200.0}),
        ("شقة أكبر من ١٥٠", {"property_types": ["Apartment"], "min_size_sqm": 150.0}),
        ("مساحة ٢٠٠", {"min_size_sqm": 170.0, "max_size_sqm": 230.0}),
        ("أصغر من ١٠٠م", {"max_size_sqm": 100.0}),
        ("masa7a 200m", {"min_size_sqm": 170.0, "max_size_sqm": 230.0}),
        ("sha2a akbar men 150", {"property_types": ["Apartment"], "min_size_sqm": 150.0}),
        # A range after the size's word, the unit left out (it read the first number only, or nothing).
        ("size 100 to 150", {"min_size_sqm": 100.0, "max_size_sqm": 150.0}),
        ("size between 100 and 150", {"min_size_sqm": 100.0, "max_size_sqm": 150.0}),
        ("مساحة من ١٠٠ ل ١٥٠", {"min_size_sqm": 100.0, "max_size_sqm": 150.0}),
        ("masa7a men 100 le 150", {"min_size_sqm": 100.0, "max_size_sqm": 150.0}),
        ("masa7a 3 le 5 milyon", {"min_price": 3_000_000, "max_price": 5_000_000}),  # money, not a size
        # The size and the budget in one query, each with its "m".
        (
            "apartment bigger than 150m under 5m",
            {"property_types": ["Apartment"], "min_size_sqm": 150.0, "max_price": 5_000_000},
        ),
    ],
)
def test_a_size_word_or_a_size_comparison_makes_the_number_metres(query: str, expected: dict[str, Any]) -> None:
    # "m" after such a number is metres and the unit may be left out; alone, "150m" stays 150 million (above).
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bigger than 5 million", {"min_price": 5_000_000}),
        ("أكبر من ٥ مليون", {"min_price": 5_000_000}),
        ("villa bigger than 5m", {"property_types": ["Villa"], "min_price": 5_000_000}),  # no 5 m² villa
        ("bigger than 10,000,000", {"min_price": 10_000_000}),  # no floor area is that large
    ],
)
def test_a_money_unit_or_an_impossible_area_leaves_a_compared_number_to_money(
    query: str, expected: dict[str, Any]
) -> None:
    assert applied(query) == expected


# ---- finishing and sale type ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("fully finished", {"finishing": ["fully_finished"]}),
        ("finished", {"finishing": ["fully_finished"]}),
        ("semi finished", {"finishing": ["semi_finished"]}),
        ("semi-finished", {"finishing": ["semi_finished"]}),
        ("core & shell", {"finishing": ["core_and_shell"]}),
        ("not finished", {"finishing": ["core_and_shell"]}),
        ("furnished", {"finishing": ["furnished"]}),
        ("super lux", {"finishing": ["fully_finished"]}),
        ("متشطبة", {"finishing": ["fully_finished"]}),
        ("كاملة التشطيب", {"finishing": ["fully_finished"]}),
        ("نص تشطيب", {"finishing": ["semi_finished"]}),
        ("مفروشة", {"finishing": ["furnished"]}),
        # Of several at once ("الاولى والتالتة متشطبين؟"): the plural is the same finishing
        ("شقق متشطبين", {"property_types": ["Apartment"], "finishing": ["fully_finished"]}),
        ("مفروشين", {"finishing": ["furnished"]}),
        # The market's words an export's finishing column already took: plastered walls only, red brick, "half finish".
        ("شقة على المحارة", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
        ("ع المحارة", {"finishing": ["core_and_shell"]}),
        ("villa red brick", {"property_types": ["Villa"], "finishing": ["core_and_shell"]}),
        ("هاف فينش", {"finishing": ["semi_finished"]}),
        ("تشطيب لوكس", {"finishing": ["fully_finished"]}),
        ("فول فينش", {"finishing": ["fully_finished"]}),
        ("فرش كامل", {"finishing": ["furnished"]}),
        ("شقة غير متشطبة", {"property_types": ["Apartment"], "exclude_finishing": ["fully_finished"]}),
        ("sha2a nos tashteeb", {"property_types": ["Apartment"], "finishing": ["semi_finished"]}),
        ("shaa fel maadi", {"property_types": ["Apartment"], "locations": ["Maadi"]}),
        ("semi finished or fully finished", {"finishing": ["semi_finished", "fully_finished"]}),
        ("semifinished apartment", {"property_types": ["Apartment"], "finishing": ["semi_finished"]}),
        ("fullyfinished villa", {"property_types": ["Villa"], "finishing": ["fully_finished"]}),
        ("شقة على الطوب الأحمر", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
        # A word that is its own negation rules furnished out: a fully finished flat is still wanted
        (
            "unfurnished apartment in maadi",
            {"property_types": ["Apartment"], "locations": ["Maadi"], "exclude_finishing": ["furnished"]},
        ),
        ("apartment without furniture", {"property_types": ["Apartment"], "exclude_finishing": ["furnished"]}),
        ("شقة بدون فرش", {"property_types": ["Apartment"], "exclude_finishing": ["furnished"]}),
        ("resale", {"sale_type": "resale"}),
        ("re-sale", {"sale_type": "resale"}),
        ("from developer", {"sale_type": "developer"}),
        ("primary", {"sale_type": "developer"}),
        ("ريسيل", {"sale_type": "resale"}),
        ("إعادة بيع", {"sale_type": "resale"}),
        ("من المطور", {"sale_type": "developer"}),
    ],
)
def test_finishing_and_sale_type(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


# ---- whole queries ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "villa or townhouse in Sheikh Zayed between 20 and 30 million ready to move",
            {"property_types": ["Villa", "Townhouse"], "locations": [SZ], "min_price": 20_000_000,
             "max_price": 30_000_000, "is_delivered": True},
        ),
        (
            "شاليه في الساحل استلام ٢٠٢٧ مقدم ١٠٪ تقسيط على ٨ سنين",
            {"property_types": ["Chalet"], "locations": ["North Coast"], "delivery_year": 2027,
             "max_down_payment_pct": 10.0, "min_installment_years": 8},
        ),
        (
            "عايز شقة ٢ غرفة نوم في اكتوبر بالتقسيط",
            {"property_types": [A], "bedrooms": 2, "locations": [OCT], "is_cash_only": False},
        ),
        (
            "resale 3BR apartment in Mivida, fully finished, 160 sqm, under 12M",
            {"sale_type": "resale", "bedrooms": 3, "property_types": [A], "compounds": ["Mivida"],
             "finishing": ["fully_finished"], "min_size_sqm": 136.0, "max_size_sqm": 184.0, "max_price": 12_000_000},
        ),
        (
            "فيلا بالشيخ زايد أكتر من ٢٠ مليون",
            {"property_types": ["Villa"], "locations": [SZ], "min_price": 20_000_000},
        ),
    ],
)  # fmt: skip
def test_whole_queries_mixing_every_kind_of_constraint(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


# ---- the words left for text search ----


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("villa with garden and pool near AUC", "garden and pool near AUC"),
        ("apartment with garden in New Cairo under 8M", "garden"),
        ("I want a sea view chalet in Sahel", "sea view"),
        ("looking for a 3 bedroom apartment for sale in new cairo", ""),
        ("شقة تمليك في مدينة نصر", ""),  # freehold, as every listing here is: no word to rank by
        ("sha2a tamleek fel maadi", ""),
        ("شقة بجنينة في التجمع", "بجنينة"),
        ("عايز شاليه فيو بحر في الساحل", "فيو بحر"),
        ("Apartment in New Cairo, close to the AUC, with a garden", "close to the AUC, with a garden"),
        ("penthouse with private roof in Zayed", "private roof"),
    ],
)
def test_the_remaining_text_keeps_the_meaningful_words(query: str, text: str) -> None:
    assert parse_query(query).text == text


def test_the_remaining_text_keeps_the_buyers_own_spelling() -> None:
    assert parse_query("شقة قريبة من الجامعة الأمريكية في التجمع").text == "قريبة من الجامعة الأمريكية"


def test_nothing_recognised_leaves_the_query_as_it_was_apart_from_spacing() -> None:
    parsed = parse_query("  quiet   place\twith a big kitchen  ")
    assert parsed.filters.applied() == {}
    assert parsed.text == "quiet place with a big kitchen"


def test_arabic_diacritics_tatweel_and_letter_variants_do_not_matter() -> None:
    assert applied("شـــقة في التَّجَمُّع الخامِس") == {"property_types": [A], "locations": [NC]}
    assert applied("شقه في التجمع الخامس") == {"property_types": [A], "locations": [NC]}
    assert applied("فيلا في الساحل الشمالى") == {"property_types": ["Villa"], "locations": ["North Coast"]}


# ---- the evaluation set ----


def _eval_records() -> list[dict[str, Any]]:
    return [json.loads(line) for line in EVAL_SET.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_evaluation_set_is_large_enough_and_balanced_between_languages() -> None:
    records = _eval_records()
    assert len(records) >= 70
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids)
    counts = {lang: sum(r["lang"] == lang for r in records) for lang in ("en", "ar")}
    assert counts["en"] + counts["ar"] == len(records)
    assert abs(counts["en"] - counts["ar"]) <= len(records) // 10


@pytest.mark.parametrize("record", _eval_records(), ids=lambda r: str(r["id"]))
def test_every_evaluation_label_is_a_valid_filter_and_what_the_parser_reads(record: dict[str, Any]) -> None:
    label = SearchFilters.model_validate(record["constraints"])
    # The label names only canonical gazetteer names, so validation changes nothing.
    assert label.applied() == record["constraints"]
    assert parse_query(record["query"]).filters.applied() == label.applied()


# ---- input hygiene ----

_VOCABULARY = (
    "under", "over", "between", "and", "from", "to", "-", "8M", "5", "7", "million", "k", "sqm", "m2", "bedrooms",
    "3BR", "+", "%", "down", "years", "delivery", "2026", "before", "October", "6", "villa", "new cairo", "ready",
    "cash", "installments", "monthly", "شقة", "٣", "غرف", "في", "التجمع", "بأقل", "من", "مليون", "ونص", "ألف",
    "مقدم", "٪", "تقسيط", "على", "سنين", "استلام", "٢٠٢٦", "متر", "كاش", "بين", "و", "ل", "أكتوبر", "،", "٫", "٬",
    "ـ", "\u064e", "\u200f", "\x00", "\n", "🏠", "İ", "ﷺ", "ﻻ", "1,000,000", "9" * 40, "1e309", "nan", "inf",
)  # fmt: skip


def _random_query(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return " ".join(rng.choice(_VOCABULARY) for _ in range(rng.randint(0, 14)))
    alphabet = "0123456789٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹ .,-+%٪٫٬،mkMبلوالةىأإآـ\u064b\u0651\x00\t\n😀İß"
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))


def test_random_queries_never_raise_and_always_give_valid_filters() -> None:
    rng = random.Random(2026)
    for _ in range(3000):
        query = _random_query(rng)
        parsed = parse_query(query)
        assert SearchFilters.model_validate(parsed.filters.model_dump()) == parsed.filters
        assert len(parsed.text) <= len(clean_query(query))


@pytest.mark.parametrize(
    "query",
    [
        "",
        " ",
        "\x00",
        "٪",
        "+",
        "-",
        "between and",
        "from to",
        "٫٫٫",
        "m",
        "under",
        "ـــ",
        "9" * 400,
        "1" + ",000" * 50,
    ],
)
def test_degenerate_queries_parse_to_nothing_without_error(query: str) -> None:
    assert isinstance(parse_query(query).text, str)


def test_out_of_range_numbers_are_left_alone_rather_than_refused() -> None:
    assert applied("999 bedrooms") == {}
    assert applied("under 99999999999 EGP") == {}
    assert applied("delivery 2099") == {}
    assert applied("150% down") == {}


@pytest.mark.parametrize(
    "shape",
    ["digits", "units", "arabic", "mixed"],
)
def test_a_megabyte_query_is_read_in_linear_time(shape: str) -> None:
    rng = random.Random(shape)
    if shape == "digits":
        query = "1" * 1_000_000
    elif shape == "units":
        query = "under 8m 3br 150 sqm 10% down 8 years " * 26_000
    elif shape == "arabic":
        query = "شقة ٣ غرف في التجمع بأقل من ٨ مليون " * 28_000
    else:  # dense with numbers, so every pass has work at almost every position; a quarter of the size is enough
        query = "".join(rng.choice("0123456789 ,.-+%mkبلوال") for _ in range(250_000))
    started = time.perf_counter()
    parse_query(query)
    # Catastrophic backtracking would take hours; a linear pass takes a few seconds even on a busy machine.
    assert time.perf_counter() - started < 30


@pytest.mark.parametrize(
    ("query", "order", "expected"),
    [
        ("cheapest apartment in New Cairo", "price_asc", {"property_types": ["Apartment"], "locations": ["New Cairo"]}),
        ("أرخص شقة في التجمع", "price_asc", {"property_types": ["Apartment"], "locations": ["New Cairo"]}),
        ("شقة رخيصة في أكتوبر", "price_asc", {"property_types": ["Apartment"], "locations": ["6th of October"]}),
        ("ar5as fella fe zayed", "price_asc", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}),
        ("أغلى فيلا في زايد", "price_desc", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}),
        ("the most expensive penthouse", "price_desc", {"property_types": ["Penthouse"]}),
        ("شقة بأقل سعر في زايد", "price_asc", {"property_types": ["Apartment"], "locations": ["Sheikh Zayed"]}),
        ("a2al se3r fel zayed", "price_asc", {"locations": ["Sheikh Zayed"]}),
        # The per-metre words apart from the cheapest or dearest turn that order; a bare "per sqm" orders nothing.
        ("cheapest 3 bedroom apartment per sqm", "price_per_sqm_asc", {"property_types": ["Apartment"], "bedrooms": 3}),
        (
            "أرخص شقة للمتر في التجمع",
            "price_per_sqm_asc",
            {"property_types": ["Apartment"], "locations": ["New Cairo"]},
        ),
        ("ar5as sha2a lel metr", "price_per_sqm_asc", {"property_types": ["Apartment"]}),
        ("most expensive villa per sqm", "price_per_sqm_desc", {"property_types": ["Villa"]}),
        # A bargain is a home cheap for its size: the best value per m² first
        ("شقة لقطة في التجمع", "price_per_sqm_asc", {"property_types": ["Apartment"], "locations": ["New Cairo"]}),
        ("sha2a lo2ta fel rehab", "price_per_sqm_asc", {"property_types": ["Apartment"], "locations": ["Rehab City"]}),
        (
            "best value villa in zayed",
            "price_per_sqm_asc",
            {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]},
        ),
        ("شقة تحت سعر السوق", "price_per_sqm_asc", {"property_types": ["Apartment"]}),
        ("not a bargain", None, {}),
        ("أعلى سعر فيلا", "price_desc", {"property_types": ["Villa"]}),
        # A bound is a filter, not an order; a negated order is none.
        ("apartment cheaper than 5m", None, {"property_types": ["Apartment"], "max_price": 5_000_000}),
        ("villa, not the cheapest", None, {"property_types": ["Villa"]}),
        ("مش عايز أرخص حاجة", None, {}),
    ],
)
def test_the_cheapest_or_dearest_first_is_an_order_not_a_filter(
    query: str, order: str | None, expected: dict[str, Any]
) -> None:
    parsed = parse_query(query)
    assert parsed.order == order
    assert parsed.filters.applied() == expected
    assert parsed.text == ""  # the words are read, not left to rank by


@pytest.mark.parametrize(
    ("query", "order", "expected"),
    [
        ("biggest villa in New Cairo", "size_desc", {"property_types": ["Villa"], "locations": ["New Cairo"]}),
        ("the largest apartment", "size_desc", {"property_types": ["Apartment"]}),
        ("أكبر شقة في المعادي", "size_desc", {"property_types": ["Apartment"], "locations": ["Maadi"]}),
        ("شقة أوسع مساحة في زايد", "size_desc", {"property_types": ["Apartment"], "locations": ["Sheikh Zayed"]}),
        ("akbar fella fel tagamo3", "size_desc", {"property_types": ["Villa"], "locations": ["New Cairo"]}),
        ("smallest apartment in Zayed", "size_asc", {"property_types": ["Apartment"], "locations": ["Sheikh Zayed"]}),
        ("أصغر شقة", "size_asc", {"property_types": ["Apartment"]}),
        # The first order said wins; a bound on the size is a filter; a negated order is none.
        ("cheapest biggest villa", "price_asc", {"property_types": ["Villa"]}),
        ("apartment bigger than 200m", None, {"property_types": ["Apartment"], "min_size_sqm": 200}),
        ("شقة أكبر من ١٥٠ متر", None, {"property_types": ["Apartment"], "min_size_sqm": 150}),
        ("akbar men 200 metr", None, {"min_size_sqm": 200}),
        ("villa, not the biggest", None, {"property_types": ["Villa"]}),
        # The price of a square metre, as Egyptians compare: its own order, not the cheapest listing.
        ("أقل سعر للمتر في التجمع", "price_per_sqm_asc", {"locations": ["New Cairo"]}),
        ("a2al se3r lel metr fel tagamo3", "price_per_sqm_asc", {"locations": ["New Cairo"]}),
        (
            "lowest price per sqm apartment in maadi",
            "price_per_sqm_asc",
            {"property_types": ["Apartment"], "locations": ["Maadi"]},
        ),
        ("cheapest per square meter", "price_per_sqm_asc", {}),
        ("أرخص متر في زايد", "price_per_sqm_asc", {"locations": ["Sheikh Zayed"]}),
        ("ar5as metr fel sheikh zayed", "price_per_sqm_asc", {"locations": ["Sheikh Zayed"]}),
        ("شقة أغلى سعر متر", "price_per_sqm_desc", {"property_types": ["Apartment"]}),
        ("highest price per meter villa", "price_per_sqm_desc", {"property_types": ["Villa"]}),
        ("a2al se3r fel zayed", "price_asc", {"locations": ["Sheikh Zayed"]}),
        # A price per metre as a figure stays a filter; after the cheapest, both ("أقل سعر للمتر 30 ألف" was a budget
        # of 30,000 pounds on the price).
        ("el metr b 30 alf", None, {"max_price_per_sqm": 30_000}),
        ("أقل سعر للمتر 30 الف", "price_per_sqm_asc", {"max_price_per_sqm": 30_000}),
        ("cheapest price per meter 40k", "price_per_sqm_asc", {"max_price_per_sqm": 40_000}),
        ("سعر للمتر 30 الف", None, {"max_price_per_sqm": 30_000}),
        ("el se3r lel metr 25 alf fel tagamo3", None, {"locations": ["New Cairo"], "max_price_per_sqm": 25_000}),
    ],
)
def test_the_biggest_or_smallest_first_is_an_order_not_a_filter(
    query: str, order: str | None, expected: dict[str, Any]
) -> None:
    parsed = parse_query(query)
    assert parsed.order == order
    assert parsed.filters.applied() == expected
    assert parsed.text == ""


@pytest.mark.parametrize("query", ["villa per sqm", "newest villa per sqm", "biggest villa per sqm"])
def test_per_metre_words_without_a_price_order_order_nothing_by_them(query: str) -> None:
    assert parse_query(query).order in (None, "size_desc")
    assert "per sqm" in parse_query(query).text


@pytest.mark.parametrize(
    ("query", "types"),
    [("فيلا مستقلة", ["Villa"]), ("mostakela fel tagamo3", ["Villa"]), ("standalone in zayed", ["Villa"]),
     ("standalone villa", ["Villa"]),
     # Beside another type, "standalone" describes that one: "شقة مستقلة" is an apartment of its own.
     ("شقة مستقلة", ["Apartment"]), ("sha2a mostakela", ["Apartment"]), ("standalone apartment", ["Apartment"]),
     ("شقة او فيلا مستقلة", ["Apartment", "Villa"])],
)  # fmt: skip
def test_standalone_is_a_villa_unless_another_type_is_asked_for(query: str, types: list[str]) -> None:
    assert parse_query(query).filters.property_types == types


@pytest.mark.parametrize(
    ("query", "types"),
    [("فيلا تاون هاوس في زايد", ["Townhouse"]), ("twin house villa", ["Twinhouse"]),
     ("fella town house", ["Townhouse"]), ("villa-townhouse in mivida", ["Townhouse"]),
     # Offered as alternatives, both are asked for.
     ("villa or twin house", ["Villa", "Twinhouse"]), ("فيلا او تاون هاوس", ["Villa", "Townhouse"]),
     ("villa and townhouse", ["Villa", "Townhouse"]), ("villa, townhouse", ["Villa", "Townhouse"])],
)  # fmt: skip
def test_a_villa_named_with_a_house_is_that_kind_of_villa(query: str, types: list[str]) -> None:
    assert parse_query(query).filters.property_types == types


@pytest.mark.parametrize(
    ("query", "expected"),
    [("شقة على الطوب الاحمر", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
     ("شقة ع الطوب", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
     ("sha2a 3al toob el a7mar", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
     ("شقة على الطوب", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
     ("sha2a 3al toob", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
     ("sha2a core w shell", {"property_types": ["Apartment"], "finishing": ["core_and_shell"]}),
     # Ruled out across "على": a finished flat, not one on red brick or plaster.
     ("شقة متشطبة مش على الطوب الاحمر",
      {"property_types": ["Apartment"], "finishing": ["fully_finished"], "exclude_finishing": ["core_and_shell"]}),
     ("مش على المحارة", {"exclude_finishing": ["core_and_shell"]}),
     ("not on red brick", {"exclude_finishing": ["core_and_shell"]})],
)  # fmt: skip
def test_red_brick_with_its_article_and_in_franco_is_core_and_shell(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected", "currency", "chip"),
    [("apartment under 100k dollars", {"property_types": ["Apartment"]}, "USD", "under 100k dollars"),
     ("villa in zayed under $200,000", {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}, "USD",
      "under $200,000"),
     ("شقة في التجمع ميزانيتي ٢٠٠ الف دولار", {"property_types": ["Apartment"], "locations": ["New Cairo"]}, "USD",
      "ميزانيتي ٢٠٠ الف دولار"),
     ("sha2a b 500 alf riyal", {"property_types": ["Apartment"]}, "SAR", "500 alf riyal"),
     ("€150,000 apartment", {"property_types": ["Apartment"]}, "EUR", "€150,000"),
     # Pounds are the listings' own currency: a budget as ever
     ("apartment under 2 million pounds", {"property_types": ["Apartment"], "max_price": 2_000_000}, None,
      "under 2 million pounds"),
     ("villa 5M EGP", {"property_types": ["Villa"], "max_price": 5_000_000}, None, "5M EGP")],
)  # fmt: skip
def test_a_sum_in_another_currency_is_no_budget_in_pounds(
    query: str, expected: dict[str, Any], currency: str | None, chip: str
) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.currency == currency and chip in parsed.understood and parsed.text == ""


@pytest.mark.parametrize(
    ("query", "expected", "said"),
    [
        ("furnished or unfurnished apartment in maadi", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         "furnished or unfurnished → either way"),
        ("شقة مفروشة او مش مفروشة", {"property_types": ["Apartment"]}, "مفروشة او مش مفروشة → either way"),
        ("شقة مفروشة او فاضية في المعادي", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         "مفروشة او فاضية → either way"),
        ("with or without furniture apartment", {"property_types": ["Apartment"]},
         "with or without furniture → either way"),
        ("apartment in maadi, furnished or not", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         "furnished or not → either way"),
        ("شقة مفروشة ولا لأ في المعادي", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         "مفروشة ولا لأ → either way"),
        ("sha2a mafrousha walla la2 fel maadi", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         "mafrousha walla la2 → either way"),
        ("ready or off plan villa in zayed", {"property_types": ["Villa"], "locations": [SZ]},
         "ready or off plan → either way"),
        ("resale or from developer villa", {"property_types": ["Villa"]}, "resale or from developer → either way"),
        ("villa with or without a pool in zayed", {"property_types": ["Villa"], "locations": [SZ]},
         "with or without a pool → either way"),
        # "or without" before a place offers the garden either way; the place is still wanted
        ("شقة بجنينة او من غير في زايد", {"property_types": ["Apartment"], "locations": [SZ]},
         "بجنينة او من غير → either way"),
    ],
)  # fmt: skip
def test_a_phrase_offered_with_its_opposite_filters_neither(query: str, expected: dict[str, Any], said: str) -> None:
    assert_read(query, expected, said)


def assert_read(query: str, expected: dict[str, Any], said: str) -> None:
    """The query's filters, one phrase understood as said, and no word left over."""
    parsed = parse_query(query)
    assert (parsed.filters.applied(), parsed.text) == (expected, "")
    assert said in parsed.understood, parsed.understood


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Alternatives of one kind, and a negation after a comma, are not "either way"
        ("semi finished or fully finished", {"finishing": ["semi_finished", "fully_finished"]}),
        ("apartment or villa, not a villa", {"property_types": ["Apartment"], "exclude_property_types": ["Villa"]}),
        ("apartment in zayed, not furnished",
         {"property_types": ["Apartment"], "locations": [SZ], "exclude_finishing": ["furnished"]}),
        ("شقة في زايد من غير جنينة",
         {"property_types": ["Apartment"], "locations": [SZ], "exclude_features": ["garden"]}),
        ("شقة فاضية في المعادي",
         {"property_types": ["Apartment"], "locations": ["Maadi"], "exclude_finishing": ["furnished"]}),
        ("cash or installments apartment", {"property_types": ["Apartment"]}),
        ("apartment on installments", {"property_types": ["Apartment"], "is_cash_only": False}),
    ],
)  # fmt: skip
def test_a_choice_between_two_of_a_kind_still_filters(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected", "land"),
    [
        ("فيلا ارض 500 متر مباني 300", {"property_types": ["Villa"], "min_size_sqm": 255.0, "max_size_sqm": 345.0},
         "ارض 500 متر → land, not built-up"),
        ("فيلا 500 متر ارض و 300 متر مباني", {"property_types": ["Villa"], "min_size_sqm": 255.0,
                                              "max_size_sqm": 345.0}, "500 متر ارض → land, not built-up"),
        ("villa land 600 built up 350", {"property_types": ["Villa"], "min_size_sqm": 297.0, "max_size_sqm": 403.0},
         "land 600 → land, not built-up"),
        ("villa on a 600 sqm plot, bua 350", {"property_types": ["Villa"], "min_size_sqm": 297.0,
                                              "max_size_sqm": 403.0}, "600 sqm plot → land, not built-up"),
        ("villa 2ard 400 mabany 250", {"property_types": ["Villa"], "min_size_sqm": 212.0, "max_size_sqm": 288.0},
         "2ard 400 → land, not built-up"),
        # The land alone: no size, as no listing states its plot
        ("فيلا على ارض 1000 متر", {"property_types": ["Villa"]}, "على ارض 1000 متر → land, not built-up"),
    ],
)  # fmt: skip
def test_a_plots_size_is_no_built_up_size(query: str, expected: dict[str, Any], land: str) -> None:
    assert_read(query, expected, land)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("townhouse built-up area 250 sqm", {"property_types": ["Townhouse"], "min_size_sqm": 212.0,
                                             "max_size_sqm": 288.0}),
        ("شقة 150 متر مباني", {"property_types": ["Apartment"], "min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("villa built in 2020", {"property_types": ["Villa"]}),
    ],
)  # fmt: skip
def test_the_built_up_area_is_the_size(query: str, expected: dict[str, Any]) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.text in ("", "built in 2020")


@pytest.mark.parametrize(
    ("query", "expected", "order"),
    [
        ("عايز شقة ف اكتوبر مش غالية", {"property_types": ["Apartment"], "locations": ["6th of October"]}, "price_asc"),
        ("apartment not too expensive in maadi", {"property_types": ["Apartment"], "locations": ["Maadi"]},
         "price_asc"),
        ("mesh 8alya sha2a fe zayed", {"property_types": ["Apartment"], "locations": [SZ]}, "price_asc"),
        # "not the cheapest" still asks for no order
        ("not the cheapest apartment", {"property_types": ["Apartment"]}, None),
        # an interest-free plan is a developer's instalments
        ("شقة من غير فوايد في زايد", {"property_types": ["Apartment"], "locations": [SZ], "is_cash_only": False}, None),
        ("apartment with interest-free installments", {"property_types": ["Apartment"], "is_cash_only": False}, None),
    ],
)  # fmt: skip
def test_not_expensive_is_cheap_and_interest_free_is_instalments(
    query: str, expected: dict[str, Any], order: str | None
) -> None:
    parsed = parse_query(query)
    assert (parsed.filters.applied(), parsed.order, parsed.text) == (expected, order, "")
