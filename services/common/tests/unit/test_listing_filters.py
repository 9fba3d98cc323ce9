"""The shared listing filter vocabulary: each comparison, a missing value, the delivered exception, exclusions (which a
missing value passes), unknown filters."""

from __future__ import annotations

from typing import get_args

from osool_common.listing_filters import FILTER_RULES, ORDER_KEYS, SearchOrder, satisfies, violations

VILLA = {"type": "Villa", "location": "Sheikh Zayed", "price": 30_000_000, "bedrooms": 4, "bathrooms": 3,
         "is_delivered": True, "delivery_year": 2030, "compound": None}  # fmt: skip


def test_a_listing_meets_filters_by_each_rule() -> None:
    wanted = {"property_types": ["Villa"], "locations": ["Sheikh Zayed"], "max_price": 30_000_000, "min_bedrooms": 4}
    assert satisfies(VILLA, wanted)
    assert violations(VILLA, {**wanted, "max_price": 29_999_999, "bedrooms": 5}) == ["max_price", "bedrooms"]
    assert violations(VILLA, {"min_price": 30_000_001, "property_types": ["Apartment"]}) == [
        "min_price",
        "property_types",
    ]


def test_in_a_compound_is_any_compound_and_outside_is_none() -> None:
    in_one, outside = {**VILLA, "compound": "Allegria"}, VILLA  # VILLA has no compound
    assert satisfies(in_one, {"in_compound": True}) and violations(outside, {"in_compound": True}) == ["in_compound"]
    assert satisfies(outside, {"in_compound": False}) and violations(in_one, {"in_compound": False}) == ["in_compound"]


def test_a_number_of_bathrooms_is_a_minimum() -> None:
    assert satisfies(VILLA, {"min_bathrooms": 3}) and satisfies(VILLA, {"min_bathrooms": 2})
    assert violations(VILLA, {"min_bathrooms": 4}) == ["min_bathrooms"]
    assert violations({**VILLA, "bathrooms": None}, {"min_bathrooms": 1}) == ["min_bathrooms"]


def test_a_missing_value_fails_except_a_delivered_listing_meets_any_latest_delivery_year() -> None:
    assert violations(VILLA, {"compounds": ["Allegria"]}) == ["compounds"]
    assert satisfies(VILLA, {"max_delivery_year": 2025})
    assert not satisfies({**VILLA, "is_delivered": False}, {"max_delivery_year": 2025})


def test_a_filter_it_does_not_know_never_matches() -> None:
    assert "view" not in FILTER_RULES
    assert violations(VILLA, {"view": "sea"}) == ["view"]


def test_an_exclusion_fails_only_a_listing_with_a_ruled_out_value() -> None:
    assert violations(VILLA, {"exclude_property_types": ["Apartment", "Studio"]}) == []
    assert violations(VILLA, {"exclude_property_types": ["Villa"]}) == ["exclude_property_types"]
    assert violations(VILLA, {"exclude_locations": ["Sheikh Zayed"], "exclude_developers": ["SODIC"]}) == [
        "exclude_locations"
    ]


def test_a_listing_with_no_value_is_not_ruled_out_by_an_exclusion() -> None:
    # A listing in no compound is not "from compound X"; a missing key reads the same as a stored NULL.
    assert satisfies(VILLA, {"exclude_compounds": ["Allegria"], "exclude_developers": ["SODIC"]})
    assert satisfies(VILLA, {"exclude_finishing": ["furnished"]})
    assert violations({**VILLA, "compound": "Allegria"}, {"exclude_compounds": ["Allegria"]}) == ["exclude_compounds"]


def test_every_exclusion_rule_reads_the_column_of_the_filter_it_excludes_from() -> None:
    for name, rule in FILTER_RULES.items():
        if rule.op == "not in":
            assert FILTER_RULES[name.removeprefix("exclude_")].column == rule.column
            assert FILTER_RULES[name.removeprefix("exclude_")].op == "in"


def test_every_order_but_relevance_says_what_it_sorts_by() -> None:
    assert set(ORDER_KEYS) == set(get_args(SearchOrder)) - {"relevance"}
    assert {column for column, _ in ORDER_KEYS.values()} == {"price", "size_sqm", "price_per_sqm"}
    orders = ("price_asc", "price_desc", "size_asc", "size_desc", "price_per_sqm_asc", "price_per_sqm_desc")
    assert [ORDER_KEYS[order][1] for order in orders] == [False, True, False, True, False, True]
