"""The reference meaning of each filter, which the SQL shares (one rule table)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from osool_search.filters import SearchFilters, folded_into_regions, violations
from osool_search.gazetteer import (
    ARABIC_NAMES,
    AREA_SPELLINGS,
    AREAS,
    DEVELOPERS,
    REGION_LOCATIONS,
    REGIONS,
    name_key,
)

LISTING: dict[str, Any] = {
    "price": 7_500_000, "bedrooms": 3, "type": "Apartment", "location": "New Cairo", "compound": "Mivida",
    "developer": "Emaar Misr", "is_delivered": False, "delivery_year": 2027, "installment_years": 8,
    "down_payment_pct": 10.0, "monthly_installment": 70_000, "size_sqm": 160.0, "finishing": "semi_finished",
    "sale_type": "developer", "is_cash_only": False, "price_per_sqm": 46_875,
}  # fmt: skip


@pytest.mark.parametrize(
    ("filters", "failed"),
    [
        ({"max_price": 8_000_000, "bedrooms": 3, "locations": ["new cairo"]}, []),
        ({"max_price": 7_000_000, "min_price": 1}, ["max_price"]),
        ({"max_price_per_sqm": 46_875, "min_price_per_sqm": 40_000}, []),
        ({"max_price_per_sqm": 45_000}, ["max_price_per_sqm"]),
        ({"min_price_per_sqm": 47_000}, ["min_price_per_sqm"]),
        ({"bedrooms": 2, "min_bedrooms": 4}, ["bedrooms", "min_bedrooms"]),
        ({"min_bedrooms": 2, "max_bedrooms": 3}, []),
        ({"max_bedrooms": 2}, ["max_bedrooms"]),
        ({"property_types": ["Villa", "Townhouse"], "compounds": ["Mivida"]}, ["property_types"]),
        ({"max_delivery_year": 2026}, ["max_delivery_year"]),
        ({"delivery_year": 2027, "is_delivered": True}, ["is_delivered"]),
        ({"min_installment_years": 10, "max_down_payment_pct": 10}, ["min_installment_years"]),
        ({"max_monthly_installment": 50_000, "finishing": ["semi_finished"]}, ["max_monthly_installment"]),
        ({"min_size_sqm": 100, "max_size_sqm": 150, "sale_type": "resale"}, ["max_size_sqm", "sale_type"]),
        # Its down payment in pounds is 10% of 7,500,000.
        ({"max_down_payment": 750_000}, []),
        ({"max_down_payment": 749_999}, ["max_down_payment"]),
    ],
)
def test_a_listing_fails_exactly_the_filters_it_does_not_meet(filters: dict[str, Any], failed: list[str]) -> None:
    assert sorted(violations(LISTING, SearchFilters.model_validate(filters))) == sorted(failed)


def test_a_delivered_listing_meets_any_latest_delivery_year_but_a_missing_value_meets_nothing() -> None:
    delivered = {**LISTING, "is_delivered": True, "delivery_year": None}
    assert violations(delivered, SearchFilters(max_delivery_year=2020)) == []
    no_plan = {**LISTING, "installment_years": None, "bedrooms": None}
    assert violations(no_plan, SearchFilters(min_installment_years=0, min_bedrooms=0)) == [
        "min_bedrooms", "min_installment_years",
    ]  # fmt: skip


def test_a_down_payment_in_pounds_follows_the_price_and_needs_the_share() -> None:
    # Computed, not stored: the price a price drop brings moves it at once (the agent's alerts read the new price).
    assert violations({**LISTING, "price": 5_000_000}, SearchFilters(max_down_payment=500_000)) == []
    assert violations({**LISTING, "down_payment_pct": None}, SearchFilters(max_down_payment=10**9)) == [
        "max_down_payment"
    ]
    # A cash-only listing's share is 100% (ingest sets it): its whole price is paid up front.
    cash = {**LISTING, "is_cash_only": True, "down_payment_pct": 100.0, "price": 900_000}
    assert violations(cash, SearchFilters(max_down_payment=1_000_000)) == []
    assert violations(cash, SearchFilters(max_down_payment=899_999)) == ["max_down_payment"]


def test_every_filter_has_its_query_parameter_on_the_listing_route() -> None:
    # LISTING_PARAMETERS names the route's parameters in errors and in the evaluation's filter-only counts: a filter
    # added without its parameter, or a parameter renamed, would be named wrongly there (floors was missing once).
    import inspect

    from osool_search.api import list_properties
    from osool_search.filters import LISTING_PARAMETERS

    parameters = set(inspect.signature(list_properties).parameters) - {
        "service",
        "limit",
        "cursor",
        "order",
    }  # not filters
    assert {LISTING_PARAMETERS.get(name, name) for name in SearchFilters.model_fields} == parameters
    assert set(LISTING_PARAMETERS) <= set(SearchFilters.model_fields)


def test_the_database_holds_a_listing_to_the_types_the_service_knows() -> None:
    """A price order merges one walk per type (repository._price_walks); migration 0011's check is what makes those
    walks every listing, so its list and gazetteer.PROPERTY_TYPES must be the same."""
    from pathlib import Path

    from osool_search.gazetteer import PROPERTY_TYPES

    migration = (Path(__file__).parents[2] / "migrations" / "0011_property_type_check.sql").read_text()
    checked = re.search(r"type IN \(([^)]*)\)", migration)
    assert checked is not None
    assert re.findall(r"'([^']+)'", checked.group(1)) == list(PROPERTY_TYPES)


def test_a_region_stands_for_its_places_in_explicit_filters() -> None:
    giza = list(REGION_LOCATIONS["Giza"])
    assert SearchFilters(locations=["Giza"]).locations == giza
    assert SearchFilters(locations=["الجيزة"]).locations == giza
    assert SearchFilters(locations=["east cairo", "new cairo"]).locations == list(REGION_LOCATIONS["East Cairo"])
    assert SearchFilters(exclude_locations=["Red Sea"]).exclude_locations == list(REGION_LOCATIONS["Red Sea"])
    # A place the region brought and the client ruled out is left out; a place named and ruled out is a contradiction.
    both = SearchFilters(locations=["Giza"], exclude_locations=["Dokki"])
    assert both.locations == [p for p in giza if p != "Dokki"] and both.exclude_locations == ["Dokki"]
    with pytest.raises(ValidationError, match="Giza ruled out whole by exclude_locations"):
        SearchFilters(locations=["Giza"], exclude_locations=["Giza"])
    with pytest.raises(ValidationError, match="Dokki both in locations and in exclude_locations"):
        SearchFilters(locations=["Giza", "Dokki"], exclude_locations=["Dokki"])
    # Expanded, the filters still validate as they are (a response's applied filters are sent back as they are).
    greater = SearchFilters(locations=["Greater Cairo"])
    assert len(greater.locations or ()) == 27 + 5  # its places, itself and the four regions inside it
    assert SearchFilters.model_validate(greater.model_dump()) == greater
    assert SearchFilters(locations=["Atlantis"]).locations == ["Atlantis"]  # unknown: kept as given


def test_an_explicit_name_is_found_by_any_of_its_spellings() -> None:
    # Arabic spellings, Egyptian letter variants (ة/ه, أ/ا, ى/ي), tatweel, diacritics, case and spacing.
    assert SearchFilters(locations=["التجمع الخامس"]).locations == ["New Cairo"]
    assert SearchFilters(locations=["  el   SHEIKH zayed city "]).locations == ["Sheikh Zayed"]
    assert SearchFilters(locations=["الجيزه"]).locations == list(REGION_LOCATIONS["Giza"])
    assert SearchFilters(exclude_locations=["القـاهرة الجديدة"]).exclude_locations == ["New Cairo"]
    assert SearchFilters(locations=["مَدِينَتي"]).locations == ["Madinaty"]
    assert SearchFilters(compounds=["ماونتن فيو اي سيتي"]).compounds == ["Mountain View iCity"]
    assert SearchFilters(developers=["اعمار"]).developers == ["Emaar Misr"]
    assert SearchFilters(locations=["مطروح"]).locations == list(REGION_LOCATIONS["Matrouh"])  # its shown name
    # A neighbourhood reads as the area its listings are filed under, as in a query.
    assert SearchFilters(locations=["Katameya"]).locations == ["New Cairo"]
    with pytest.raises(ValidationError, match="New Cairo both in locations and in exclude_locations"):
        SearchFilters(locations=["new cairo"], exclude_locations=["التجمع"])


def test_no_spelling_names_two_things_of_one_kind() -> None:
    places = [(s, name) for name, spellings in AREA_SPELLINGS.items() for s in spellings]
    kinds = {
        "places": places,
        "compounds": [(s, c.name) for area in AREAS for c in area.compounds for s in (c.name, *c.aliases)],
        "developers": [(s, d.name) for d in DEVELOPERS for s in (d.name, *d.aliases)],
        "places and regions": [*places, *((s, r.name) for r in REGIONS for s in (r.name, *r.aliases))],
    }
    kinds = {kind: [*spellings, *((ARABIC_NAMES[n], n) for _, n in spellings)] for kind, spellings in kinds.items()}
    for kind, spellings in kinds.items():
        named: dict[str, set[str]] = {}
        for spelling, name in spellings:
            named.setdefault(name_key(spelling), set()).add(name)
        assert {key: names for key, names in named.items() if len(names) > 1} == {}, kind


def test_a_list_of_places_folds_back_into_the_regions_it_covers() -> None:
    greater = SearchFilters(locations=["Greater Cairo"]).locations or []
    assert folded_into_regions(greater) == ["Greater Cairo"]
    giza_but_dokki = SearchFilters(locations=["Giza"], exclude_locations=["Dokki"]).locations or []
    folded = folded_into_regions(giza_but_dokki)  # not all of Giza: its places stay, West Cairo's fold
    assert "Dokki" not in folded and "West Cairo" in folded and len(folded) < len(giza_but_dokki)
    # Read with the exclusion it came with (the listing route gets both), it is the same filter.
    again = SearchFilters(locations=folded, exclude_locations=["Dokki"]).locations or ()
    assert set(again) == set(giza_but_dokki)
    assert folded_into_regions(["Maadi", *REGION_LOCATIONS["Giza"]]) == ["Giza", "Maadi"]
    assert SearchFilters(locations=folded_into_regions(greater)).locations == greater


def test_a_bedroom_range_upside_down_is_refused_and_a_studio_meets_an_upper_bound() -> None:
    with pytest.raises(ValidationError, match="min_bedrooms is greater than max_bedrooms"):
        SearchFilters(min_bedrooms=3, max_bedrooms=2)
    studio = {**LISTING, "type": "Studio", "bedrooms": 0}
    assert violations(studio, SearchFilters(property_types=["Studio", "Apartment"], max_bedrooms=1)) == []
