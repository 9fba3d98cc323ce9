"""Negation and exclusion: what a buyer rules out ("not a villa", "مش في الشيخ زايد", "nothing by Emaar") becomes an
exclusion filter, never the positive one; the phrase is reported as understood; the filters model, its reference
check and the repository's choice of scan treat exclusions as the SQL does."""

from __future__ import annotations

from typing import Any

import pytest

from osool_search.filters import EXCLUSIONS, SearchFilters, violations
from osool_search.query_parser import parse_query
from osool_search.repository import narrows_profiles

A, V = "Apartment", "Villa"
NC, SZ, OCT = "New Cairo", "Sheikh Zayed", "6th of October"


def applied(query: str) -> dict[str, Any]:
    return parse_query(query).filters.applied()


# ---- the parser: English ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("not a villa", {"exclude_property_types": [V]}),
        ("no villas", {"exclude_property_types": [V]}),
        ("except villas", {"exclude_property_types": [V]}),
        ("anything but a villa", {"exclude_property_types": [V]}),
        ("other than villas", {"exclude_property_types": [V]}),
        ("excluding villas", {"exclude_property_types": [V]}),
        ("without villas", {"exclude_property_types": [V]}),
        ("I don't want a villa", {"exclude_property_types": [V]}),
        ("instead of a villa", {"exclude_property_types": [V]}),
        ("not in Sheikh Zayed", {"exclude_locations": [SZ]}),
        ("outside New Cairo", {"exclude_locations": [NC]}),
        ("anywhere but Zayed", {"exclude_locations": [SZ]}),
        ("not in the capital", {"exclude_locations": ["New Administrative Capital"]}),
        ("except Mivida", {"exclude_compounds": ["Mivida"]}),
        ("not in compound Allegria", {"exclude_compounds": ["Allegria"]}),
        ("no compounds from Emaar", {"exclude_developers": ["Emaar Misr"]}),
        ("nothing by Emaar", {"exclude_developers": ["Emaar Misr"]}),
        ("excluding Palm Hills", {"exclude_developers": ["Palm Hills Developments"]}),
        # A developer ruled out as a place ("in" before it), never read as wanted.
        ("not in Palm Hills", {"exclude_developers": ["Palm Hills Developments"]}),
        ("not in a Palm Hills", {"exclude_developers": ["Palm Hills Developments"]}),
        ("not furnished", {"exclude_finishing": ["furnished"]}),
        ("non-furnished", {"exclude_finishing": ["furnished"]}),
    ],
)
def test_an_english_negation_before_a_type_place_compound_or_developer_excludes_it(
    query: str, expected: dict[str, Any]
) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.text == ""


# ---- the parser: Egyptian Arabic ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("مش عايز فيلا", {"exclude_property_types": [V]}),
        ("مش فيلا", {"exclude_property_types": [V]}),
        ("غير الفيلات", {"exclude_property_types": [V]}),
        ("ماعدا الفيلات", {"exclude_property_types": [V]}),
        ("ما عدا الفلل", {"exclude_property_types": [V]}),
        ("إلا الفيلا", {"exclude_property_types": [V]}),
        ("بلاش فيلات", {"exclude_property_types": [V]}),
        ("من غير فيلات", {"exclude_property_types": [V]}),
        ("وبلاش فيلات", {"exclude_property_types": [V]}),
        ("مش في الشيخ زايد", {"exclude_locations": [SZ]}),
        ("مش بالتجمع", {"exclude_locations": [NC]}),
        ("بعيد عن التجمع", {"exclude_locations": [NC]}),
        ("برا القاهرة الجديدة", {"exclude_locations": [NC]}),
        ("مش عايز اسكن في التجمع", {"exclude_locations": [NC]}),
        ("مش في ميفيدا", {"exclude_compounds": ["Mivida"]}),
        ("مش من اعمار", {"exclude_developers": ["Emaar Misr"]}),
        ("مش عايز حاجة من إعمار", {"exclude_developers": ["Emaar Misr"]}),
        ("مش في كمبوند بالم هيلز", {"exclude_developers": ["Palm Hills Developments"]}),
        ("مش مفروشة", {"exclude_finishing": ["furnished"]}),
    ],
)
def test_an_arabic_negation_before_a_type_place_compound_or_developer_excludes_it(
    query: str, expected: dict[str, Any]
) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.text == ""


# ---- wanted and ruled out together ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("apartment not a villa", {"property_types": [A], "exclude_property_types": [V]}),
        (
            "apartment or villa in New Cairo not a villa",
            {"property_types": [A], "locations": [NC], "exclude_property_types": [V]},
        ),
        (
            "apartment in New Cairo except Mivida",
            {"property_types": [A], "locations": [NC], "exclude_compounds": ["Mivida"]},
        ),
        (
            "3 bedroom apartment not in New Cairo under 6M",
            {"bedrooms": 3, "property_types": [A], "exclude_locations": [NC], "max_price": 6_000_000},
        ),
        ("شقة غير الفيلات", {"property_types": [A], "exclude_property_types": [V]}),
        (
            "شقة في التجمع مش في ميفيدا",
            {"property_types": [A], "locations": [NC], "exclude_compounds": ["Mivida"]},
        ),
        (
            "شاليه في الساحل مش من إعمار",
            {"property_types": ["Chalet"], "locations": ["North Coast"], "exclude_developers": ["Emaar Misr"]},
        ),
        (
            "شقة متشطبة مش مفروشة",
            {"property_types": [A], "finishing": ["fully_finished"], "exclude_finishing": ["furnished"]},
        ),
        # Mixed languages in one query.
        ("apartment in التجمع مش ميفيدا", {"property_types": [A], "locations": [NC], "exclude_compounds": ["Mivida"]}),
        ("شقة in Zayed not in Allegria", {"property_types": [A], "locations": [SZ], "exclude_compounds": ["Allegria"]}),
        (
            "apartment in New Cairo not inside a Palm Hills project",
            {"property_types": [A], "locations": [NC], "exclude_developers": ["Palm Hills Developments"]},
        ),
        (
            "شقة في التجمع مش في كمبوند بالم هيلز",
            {"property_types": [A], "locations": [NC], "exclude_developers": ["Palm Hills Developments"]},
        ),
        (
            "villa في الشيخ زايد, nothing by SODIC",
            {"property_types": [V], "locations": [SZ], "exclude_developers": ["SODIC"]},
        ),
    ],
)
def test_what_is_wanted_and_what_is_ruled_out_are_read_together(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The adjective after its noun (Arabic order) is what is ruled out, as "not a furnished apartment" reads.
        ("مش عايز شقة مفروشة", {"property_types": [A], "exclude_finishing": ["furnished"]}),
        ("مش عايز شقة نص تشطيب", {"property_types": [A], "exclude_finishing": ["semi_finished"]}),
        ("mesh 3ayez sha2a mafrosha", {"property_types": [A], "exclude_finishing": ["furnished"]}),
        (
            "مش عايز شقة مفروشة ولا نص تشطيب",
            {"property_types": [A], "exclude_finishing": ["furnished", "semi_finished"]},
        ),
        ("not a semi finished apartment", {"property_types": [A], "exclude_finishing": ["semi_finished"]}),
        # After a list of types the adjective is ruled out with them: never wanted.
        ("مش فيلا ولا تاون مفروشة", {"exclude_property_types": [V, "Townhouse"], "exclude_finishing": ["furnished"]}),
        # A comma parts them: the type is ruled out, the finishing asked for.
        ("مش عايز فيلا، مفروشة", {"exclude_property_types": [V], "finishing": ["furnished"]}),
    ],
)
def test_a_negated_type_with_its_finishing_after_it_rules_out_the_finishing(
    query: str, expected: dict[str, Any]
) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "apartment or villa in New Cairo not a villa",
        "villa in Zayed, no actually not a villa",
        "studio or apartment, not a studio",
        "Mivida or Eastown but not Mivida",
        "زايد واكتوبر مش زايد",
        "فيلا او شقة مش فيلا",
        "nothing by Emaar, Emaar villa",
    ],
)
def test_a_negated_word_never_becomes_a_positive_filter(query: str) -> None:
    filters = applied(query)
    excluded = [(wanted, v) for wanted, unwanted in EXCLUSIONS.items() for v in filters.get(unwanted, [])]
    assert excluded, filters
    for wanted, value in excluded:
        assert value not in filters.get(wanted, []), (wanted, value)


# ---- lists, cancelled negations, and negations about something else ----


def test_a_joiner_carries_the_negation_to_the_next_item_of_the_same_kind() -> None:
    assert applied("no villas or townhouses") == {"exclude_property_types": [V, "Townhouse"]}
    assert applied("no villas/townhouses") == {"exclude_property_types": [V, "Townhouse"]}
    assert applied("not in Zayed or October") == {"exclude_locations": [SZ, OCT]}
    assert applied("مش عايز فيلا ولا تاون هاوس") == {"exclude_property_types": [V, "Townhouse"]}
    assert applied("دوبلكس مش في الشيخ زايد ولا أكتوبر") == {
        "property_types": ["Duplex"],
        "exclude_locations": [SZ, OCT],
    }


def test_a_comma_or_a_thing_of_another_kind_ends_the_negation() -> None:
    assert applied("no villas, apartments") == {"property_types": [A], "exclude_property_types": [V]}
    assert applied("not a villa in New Cairo") == {"locations": [NC], "exclude_property_types": [V]}
    assert applied("مش عايز فيلا، شقة في التجمع") == {
        "property_types": [A],
        "locations": [NC],
        "exclude_property_types": [V],
    }


def test_or_in_egyptian_arabic_is_not_a_negation() -> None:
    # "ولا" between two wishes is "or"; it carries a negation only when one came before it.
    assert applied("شقة ولا فيلا في التجمع") == {"property_types": [A, V], "locations": [NC]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("not too far from New Cairo", {"locations": [NC]}),
        ("مش بعيد عن التجمع", {"locations": [NC]}),
        ("مش عايز غير شقة", {"property_types": [A]}),
        ("مش عايز أي حاجة غير شقة في التجمع", {"property_types": [A], "locations": [NC]}),
        ("I don't want anything but villas", {"property_types": [V]}),
    ],
)
def test_a_negated_negation_is_what_the_buyer_wants(query: str, expected: dict[str, Any]) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.text == ""


@pytest.mark.parametrize(
    ("query", "expected", "text"),
    [
        # "not too expensive" is cheap: an order (query_parser._CHEAPEST_PHRASES), and no exclusion
        ("not too expensive apartment", {"property_types": [A]}, ""),
        ("not too noisy apartment", {"property_types": [A]}, "not too noisy"),
        ("villa without a trampoline", {"property_types": [V]}, "without a trampoline"),
        ("chalet with no jacuzzi", {"property_types": ["Chalet"]}, "no jacuzzi"),
        ("not sure, maybe a villa", {"property_types": [V]}, "not sure, maybe"),
        ("no, a villa in Zayed", {"property_types": [V], "locations": [SZ]}, "no"),
        ("no compound villas", {"property_types": [V], "in_compound": False}, ""),  # villas outside compounds
        (
            "apartment in New Cairo not more than 5M",
            {"property_types": [A], "locations": [NC], "max_price": 5_000_000},
            "",
        ),
        ("apartment with no down payment", {"property_types": [A], "max_down_payment_pct": 0.0}, ""),
        ("شقة بدون مقدم مش غالية", {"property_types": [A], "max_down_payment_pct": 0.0}, ""),
        ("شقة بدون مقدم مش دوشة", {"property_types": [A], "max_down_payment_pct": 0.0}, "مش دوشة"),
        ("مش مهم المنطقة، شقة", {"property_types": [A]}, "مش مهم المنطقة"),
    ],
)
def test_a_negation_about_something_else_excludes_nothing(query: str, expected: dict[str, Any], text: str) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.text == text


def test_a_negated_sale_type_delivery_state_or_payment_is_the_other_one() -> None:
    assert applied("villa not resale") == {"property_types": [V], "sale_type": "developer"}
    assert applied("not from the developer") == {"sale_type": "resale"}
    assert applied("not under construction") == {"is_delivered": True}
    assert applied("شقة غير جاهزة") == {"property_types": [A], "is_delivered": False}
    assert applied("مش كاش") == {"is_cash_only": False}
    assert applied("no installments") == {}  # cash: any listing can be bought for cash


# ---- what the response reports ----


def test_each_exclusion_is_understood_as_the_buyers_own_phrase() -> None:
    assert parse_query("apartment not a villa").understood == ("apartment", "not a villa")
    assert parse_query("Apartment in New Cairo, NOT in Mivida").understood == (
        "Apartment",
        "New Cairo",
        "NOT in Mivida",
    )
    assert parse_query("شقة مش في الشيخ زايد").understood == ("شقة", "مش في الشيخ زايد")
    assert parse_query("no compounds from Emaar").understood == ("no compounds from Emaar",)
    # A list is one phrase: the chip a client shows reads as the buyer wrote it.
    assert parse_query("مش عايز فيلا ولا تاون هاوس").understood == ("مش عايز فيلا ولا تاون هاوس",)
    assert parse_query("not in Zayed or October, apartment").understood == ("not in Zayed or October", "apartment")
    # A corrected word that is ruled out says it is: the arrow never reads as the thing asked for.
    assert parse_query("mesh fella").understood == ("mesh fella → not Villa",)
    assert parse_query("sha2a mesh mafrosha").understood == ("sha2a → Apartment", "mesh mafrosha → not furnished")


def test_the_negation_leaves_the_text_and_the_rest_stays() -> None:
    assert parse_query("quiet apartment not a villa near a school").text == "quiet near a school"
    assert parse_query("شقة هادية مش في التجمع قريبة من مدرسة").text == "هادية قريبة من مدرسة"


# ---- the filters model ----


def test_excluded_names_are_canonical_like_wanted_ones() -> None:
    filters = SearchFilters(
        exclude_locations=["new cairo"], exclude_compounds=[" mivida"], exclude_developers=["sodic"]
    )
    assert filters.applied() == {
        "exclude_locations": [NC],
        "exclude_compounds": ["Mivida"],
        "exclude_developers": ["SODIC"],
    }


def test_a_value_both_wanted_and_ruled_out_is_refused() -> None:
    with pytest.raises(ValueError, match="Villa"):
        SearchFilters(property_types=[V], exclude_property_types=[V])
    with pytest.raises(ValueError, match="New Cairo"):
        SearchFilters(locations=["New Cairo"], exclude_locations=["new cairo"])


def test_an_explicit_filter_wins_over_the_parsed_opposite() -> None:
    parsed = parse_query("apartment in Zayed not a villa").filters
    merged = SearchFilters(property_types=[V]).merged_over(parsed)
    assert merged.applied() == {"property_types": [V], "locations": [SZ]}
    parsed = parse_query("villa or townhouse in Zayed").filters
    merged = SearchFilters(exclude_property_types=[V]).merged_over(parsed)
    assert merged.applied() == {"property_types": ["Townhouse"], "locations": [SZ], "exclude_property_types": [V]}


def test_an_explicit_compound_or_bound_wins_over_a_contradicting_reading() -> None:
    parsed = parse_query("apartment not in a compound in New Cairo").filters
    assert parsed.in_compound is False
    merged = SearchFilters(compounds=["mivida"]).merged_over(parsed)
    assert merged.applied() == {"property_types": [A], "locations": [NC], "compounds": ["Mivida"]}
    parsed = parse_query("apartment in Mivida").filters
    merged = SearchFilters(in_compound=False).merged_over(parsed)
    assert merged.applied() == {"property_types": [A], "in_compound": False}
    parsed = parse_query("apartment under 2 million over 100 sqm").filters
    merged = SearchFilters(min_price=3_000_000, max_size_sqm=150).merged_over(parsed)
    assert merged.applied() == {
        "property_types": [A], "min_price": 3_000_000, "min_size_sqm": 100, "max_size_sqm": 150,
    }  # fmt: skip
    merged = SearchFilters(max_size_sqm=80).merged_over(parsed)
    assert merged.applied() == {"property_types": [A], "max_price": 2_000_000, "max_size_sqm": 80}


LISTING: dict[str, Any] = {
    "type": A, "location": NC, "compound": None, "developer": None, "finishing": None, "price": 5_000_000,
}  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "failed"),
    [
        ({"exclude_property_types": [V]}, []),
        ({"exclude_property_types": [A, V]}, ["exclude_property_types"]),
        ({"exclude_locations": [SZ]}, []),
        ({"exclude_locations": [NC]}, ["exclude_locations"]),
        # No compound, developer or finishing: none of those ruled out.
        (
            {"exclude_compounds": ["Mivida"], "exclude_developers": ["Emaar Misr"], "exclude_finishing": ["furnished"]},
            [],
        ),
    ],
)
def test_a_listing_with_no_value_is_not_ruled_out(filters: dict[str, Any], failed: list[str]) -> None:
    assert violations(LISTING, SearchFilters.model_validate(filters)) == failed
    in_mivida = {**LISTING, "compound": "Mivida", "developer": "Emaar Misr"}
    assert violations(in_mivida, SearchFilters(exclude_compounds=["Mivida"])) == ["exclude_compounds"]
    assert violations(in_mivida, SearchFilters(exclude_developers=["Emaar Misr"])) == ["exclude_developers"]


# ---- the repository's choice of scan ----


def test_an_exclusion_alone_leaves_the_index_scan_and_a_wanted_kind_still_narrows() -> None:
    # "not a villa" leaves most profiles: the HNSW scan passes the few it rejects more cheaply than an exact ranking.
    assert not narrows_profiles(SearchFilters(exclude_property_types=[V], exclude_locations=[NC]))
    assert narrows_profiles(SearchFilters(property_types=[A], exclude_property_types=[V]))
    assert not narrows_profiles(SearchFilters(max_price=5_000_000, exclude_compounds=["Mivida"]))
