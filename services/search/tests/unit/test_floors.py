"""Floors: "anything but ground floor", "مش دور أرضي", "mesh dor ardy", "الدور التالت", "a high floor" are read into
floor filters in English, Egyptian Arabic and Franco-Arabic; a ruled-out floor is never wanted; the filters model
and its reference check read a unit's floor as the SQL does (an unknown floor meets no wanted floor and is not ruled
out)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from osool_search.filters import SearchFilters, violations
from osool_search.gazetteer import FLOORS
from osool_search.query_parser import parse_query

A, V = "Apartment", "Villa"
NC, MAADI = "New Cairo", "Maadi"


def applied(query: str) -> dict[str, Any]:
    return parse_query(query).filters.applied()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "apartment in maadi anything but ground floor",
            {"property_types": [A], "locations": [MAADI], "exclude_floors": [0]},
        ),
        ("not on the ground floor", {"exclude_floors": [0]}),
        ("apartment not on the ground or first floor", {"property_types": [A], "exclude_floors": [0, 1]}),
        ("شقة في المعادي مش دور أرضي", {"property_types": [A], "locations": [MAADI], "exclude_floors": [0]}),
        ("مش في الدور الأرضي", {"exclude_floors": [0]}),
        ("شقة مش في الدور الأرضي ولا الأول", {"property_types": [A], "exclude_floors": [0, 1]}),
        ("أي دور غير الأرضي", {"exclude_floors": [0]}),
        ("sha2a fel maadi mesh dor ardy", {"property_types": [A], "locations": [MAADI], "exclude_floors": [0]}),
        ("mesh el dor el ardy", {"exclude_floors": [0]}),
        ("mesh fel dor el ardy aw el awal", {"exclude_floors": [0, 1]}),
        ("sha2a mesh fel dor el 3aly", {"property_types": [A], "max_floor": 4}),
        ("not a high floor", {"max_floor": 4}),
        ("مش دور واطي", {"min_floor": 3}),
    ],
)
def test_a_ruled_out_floor_is_excluded_in_every_script(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment on the 3rd floor in New Cairo", {"property_types": [A], "locations": [NC], "floors": [3]}),
        ("third floor flat", {"property_types": [A], "floors": [3]}),
        ("floor 12", {"floors": [12]}),
        ("flat on the first or second floor", {"property_types": [A], "floors": [1, 2]}),
        ("1st or 2nd floor apartment under 5M", {"max_price": 5_000_000, "property_types": [A], "floors": [1, 2]}),
        ("شقة بالدور التالت", {"property_types": [A], "floors": [3]}),
        ("شقة الطابق الثالث", {"property_types": [A], "floors": [3]}),
        ("الدور ٧", {"floors": [7]}),
        ("الدور الأول أو التاني", {"floors": [1, 2]}),
        ("el dor el awal aw el tany", {"floors": [1, 2]}),
        ("sha2a dor awal walla tany", {"property_types": [A], "floors": [1, 2]}),
        # Floors further apart with one floor word: "الخامس" after "أو" is still a floor, not New Cairo.
        ("first or fifth floor", {"floors": [1, 5]}),
        ("ground or 3rd floor", {"floors": [0, 3]}),
        ("الدور التاني او الخامس", {"floors": [2, 5]}),
        ("el dor el awal aw el 5ames", {"floors": [1, 5]}),
        ("sha2a el dor el tany walla el 5ames", {"property_types": [A], "floors": [2, 5]}),
        ("sha2a dor 3aly", {"property_types": [A], "min_floor": 5}),  # high, not the first ("awal")
        ("sha2a fel dor el wa6y", {"property_types": [A], "max_floor": 2}),
        ("شقة أرضي بجنينة", {"property_types": [A], "floors": [0], "features": ["garden"]}),
        ("sha2a fel dor el talet", {"property_types": [A], "floors": [3]}),
        ("dor 5ames", {"floors": [5]}),
        ("high floor apartment", {"property_types": [A], "min_floor": 5}),
        ("شقة دور عالي", {"property_types": [A], "min_floor": 5}),
        ("low floor", {"max_floor": 2}),
    ],
)
def test_a_wanted_floor_is_read_in_every_script(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment above the 3rd floor", {"property_types": [A], "min_floor": 4}),
        ("higher than the 4th floor", {"min_floor": 5}),
        ("شقة فوق الدور التالت", {"property_types": [A], "min_floor": 4}),
        ("sha2a fo2 el dor el talet", {"property_types": [A], "min_floor": 4}),
        ("below the 5th floor", {"max_floor": 4}),
        ("up to the 3rd floor", {"max_floor": 3}),
        ("لحد الدور التالت", {"max_floor": 3}),
        ("الدور الخامس او اقل", {"max_floor": 5}),
        ("from the 3rd floor", {"min_floor": 3}),
        ("3rd floor or higher in zayed", {"locations": ["Sheikh Zayed"], "min_floor": 3}),
        ("الدور التالت وطالع", {"min_floor": 3}),
        ("ground floor or above", {"min_floor": 0}),
        ("apartment under 5M above the third floor", {"max_price": 5_000_000, "property_types": [A], "min_floor": 4}),
        # Negated, the other side of the bound.
        ("not above the 2nd floor", {"max_floor": 2}),
        ("not below the 5th floor", {"min_floor": 5}),
        ("mesh fo2 el dor el talet", {"max_floor": 3}),
    ],
)
def test_a_bound_before_or_after_a_floor_makes_it_a_range(query: str, expected: dict[str, Any]) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.text == ""  # the bound's words were read with the floor


def test_a_floor_is_understood_with_its_canonical_name() -> None:
    assert parse_query("sha2a mesh dor ardy").understood == ("sha2a → Apartment", "mesh dor ardy → not ground floor")
    assert parse_query("apartment anything but ground floor").understood == ("apartment", "anything but ground floor")
    assert parse_query("el dor el talet").understood == ("el dor el talet → floor 3",)


def test_a_ruled_out_floor_is_never_wanted() -> None:
    for query in ("anything but ground floor", "مش دور أرضي", "mesh dor ardy", "not on the first or second floor"):
        filters = parse_query(query).filters
        assert filters.floors is None and filters.min_floor is None
        assert filters.exclude_floors


def test_the_fifth_floor_is_not_the_fifth_settlement_and_the_fifth_settlement_stays() -> None:
    assert applied("شقة الدور الخامس") == {"property_types": [A], "floors": [5]}
    assert applied("شقة في الخامس") == {"property_types": [A], "locations": [NC]}
    assert applied("tagamo3 el 5ames") == {"locations": [NC]}
    assert applied("شقة الدور التاني أو الخامس") == {"property_types": [A], "floors": [2, 5]}
    assert applied("شقة الدور التاني في الخامس") == {"property_types": [A], "locations": [NC], "floors": [2]}


def test_ordinary_words_are_not_floors() -> None:
    # "first" alone, "level" of finishing, a ground plot and the basement feature are not floors.
    assert applied("first home in New Cairo") == {"locations": [NC]}
    assert applied("villa with a basement") == {"property_types": [V], "features": ["basement"]}
    assert "floors" not in applied("3 floors villa")


def test_every_floor_phrase_reads_back_as_its_floor() -> None:
    for floor, phrases in FLOORS.items():
        for phrase in phrases:
            assert applied(phrase) == {"floors": [floor]}, phrase


@pytest.mark.parametrize(
    ("filters", "listing", "failed"),
    [
        ({"exclude_floors": [0]}, {"floor": 0}, ["exclude_floors"]),
        ({"exclude_floors": [0]}, {"floor": 3}, []),
        ({"exclude_floors": [0]}, {"floor": None}, []),  # a house, or a floor not stated: not ruled out
        ({"floors": [3]}, {"floor": None}, ["floors"]),
        ({"floors": [0, 1]}, {"floor": 1}, []),
        ({"min_floor": 5}, {"floor": 4}, ["min_floor"]),
        ({"min_floor": 5}, {"floor": 5}, []),
        ({"max_floor": 2}, {"floor": -1}, []),
        ({"max_floor": 2}, {"floor": None}, ["max_floor"]),
    ],
)
def test_a_floor_filter_reads_a_listing_as_the_sql_does(
    filters: dict[str, Any], listing: dict[str, Any], failed: list[str]
) -> None:
    assert violations({**listing, "is_available": True}, SearchFilters(**filters)) == failed


@pytest.mark.parametrize(
    "filters",
    [{"floors": [0], "exclude_floors": [0]}, {"min_floor": 5, "max_floor": 2}, {"floors": [101]}, {"min_floor": -2}],
)
def test_contradictory_or_impossible_floors_are_refused(filters: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        SearchFilters(**filters)


def test_an_explicit_floor_wins_over_the_parsed_opposite() -> None:
    parsed = parse_query("anything but ground floor").filters
    assert SearchFilters(floors=[0]).merged_over(parsed).applied() == {"floors": [0]}
