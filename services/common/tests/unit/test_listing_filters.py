"""The shared listing filter vocabulary: each comparison, a missing value, the delivered exception, unknown filters."""

from __future__ import annotations

from osool_common.listing_filters import FILTER_RULES, satisfies, violations

VILLA = {"type": "Villa", "location": "Sheikh Zayed", "price": 30_000_000, "bedrooms": 4, "is_delivered": True,
         "delivery_year": 2030, "compound": None}  # fmt: skip


def test_a_listing_meets_filters_by_each_rule() -> None:
    wanted = {"property_types": ["Villa"], "locations": ["Sheikh Zayed"], "max_price": 30_000_000, "min_bedrooms": 4}
    assert satisfies(VILLA, wanted)
    assert violations(VILLA, {**wanted, "max_price": 29_999_999, "bedrooms": 5}) == ["max_price", "bedrooms"]
    assert violations(VILLA, {"min_price": 30_000_001, "property_types": ["Apartment"]}) == [
        "min_price",
        "property_types",
    ]


def test_a_missing_value_fails_except_a_delivered_listing_meets_any_latest_delivery_year() -> None:
    assert violations(VILLA, {"compounds": ["Allegria"]}) == ["compounds"]
    assert satisfies(VILLA, {"max_delivery_year": 2025})
    assert not satisfies({**VILLA, "is_delivered": False}, {"max_delivery_year": 2025})


def test_a_filter_it_does_not_know_never_matches() -> None:
    assert "view" not in FILTER_RULES
    assert violations(VILLA, {"view": "sea"}) == ["view"]
