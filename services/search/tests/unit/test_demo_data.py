"""The demo generator: deterministic, valid, realistic enough that typical buyer questions have answers, and its
alias-style export files come back through ingestion as the same listings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from osool_search.demo_data import generate_listings, listing_at, write_demo_file
from osool_search.filters import SearchFilters, satisfies
from osool_search.gazetteer import AREAS, NON_RESIDENTIAL_TYPES, area_of_compound
from osool_search.ingest_records import Rejection, read_records, validate_record
from osool_search.listing import ListingIn

SIZES = {
    "Studio": (45, 75),
    "Apartment": (90, 220),
    "Duplex": (180, 320),
    "Penthouse": (160, 300),
    "Townhouse": (200, 300),
    "Twinhouse": (240, 350),
    "Villa": (300, 650),
    "Chalet": (70, 180),
    "Office": (40, 250),
    "Retail": (30, 200),
    "Clinic": (35, 120),
}
COASTAL = {area.name for area in AREAS if area.coastal}
DEVELOPER_OF = {c.name: c.developer for area in AREAS for c in area.compounds}


@pytest.fixture(scope="module")
def listings() -> list[dict[str, Any]]:
    return list(generate_listings(3500))


def test_the_same_seed_gives_the_same_records_and_another_seed_others() -> None:
    assert list(generate_listings(300, seed=5)) == list(generate_listings(300, seed=5))
    other = list(generate_listings(300, seed=6))
    same = sum(a == b for a, b in zip(generate_listings(300, seed=5), other, strict=True))
    assert same == 0


def test_a_smaller_run_is_the_prefix_of_a_larger_one() -> None:
    large = list(generate_listings(1000))
    assert list(generate_listings(250)) == large[:250]
    assert list(generate_listings(0)) == []


def test_one_record_regenerated_alone_is_the_record_of_the_run() -> None:
    run = list(generate_listings(400, seed=9))
    assert [listing_at(i, seed=9) for i in (0, 7, 399)] == [run[0], run[7], run[399]]
    assert listing_at(7) != run[7]  # the seed is part of it


def test_every_record_validates_and_validation_changes_nothing(listings: list[dict[str, Any]]) -> None:
    for record in listings:
        listing = ListingIn.model_validate(record)
        dumped = listing.model_dump(mode="json")
        # Demo records state no features column: ingestion reads them from the description.
        assert dumped.pop("features") == []
        assert dumped == record, record["source_id"]


def test_source_ids_are_unique_and_carry_the_area_code(listings: list[dict[str, Any]]) -> None:
    ids = [r["source_id"] for r in listings]
    assert len(set(ids)) == len(ids)
    assert ids[123].endswith("-000123")
    assert all(r["source_id"].startswith("NC-") for r in listings if r["location"] == "New Cairo")


def test_places_are_gazetteer_areas_and_compounds_with_their_developers(listings: list[dict[str, Any]]) -> None:
    areas = {area.name for area in AREAS}
    assert {r["location"] for r in listings} == areas  # every area appears in a few thousand records
    for r in listings:
        if r["compound"] is not None:
            assert area_of_compound(r["compound"]) == r["location"]
            assert r["developer"] == DEVELOPER_OF[r["compound"]]
        else:
            assert r["developer"] is None


def test_sizes_bedrooms_and_bathrooms_fit_the_type(listings: list[dict[str, Any]]) -> None:
    for r in listings:
        low, high = SIZES[r["type"]]
        assert low <= r["size_sqm"] <= high, r
        if r["type"] in NON_RESIDENTIAL_TYPES:
            assert r["bedrooms"] is None
        elif r["type"] == "Studio":
            assert r["bedrooms"] == 0
        else:
            assert 1 <= r["bedrooms"] <= 6
            assert r["bedrooms"] - 1 <= r["bathrooms"] <= r["bedrooms"] + 1
    three_bedroom = [r["size_sqm"] for r in listings if r["type"] == "Apartment" and r["bedrooms"] == 3]
    one_bedroom = [r["size_sqm"] for r in listings if r["type"] == "Apartment" and r["bedrooms"] == 1]
    assert min(three_bedroom) > max(one_bedroom)


def test_type_mix_by_place(listings: list[dict[str, Any]]) -> None:
    coastal = Counter(r["type"] for r in listings if r["location"] in COASTAL)
    assert coastal["Chalet"] > 0.5 * sum(coastal.values())
    assert not set(coastal) & NON_RESIDENTIAL_TYPES
    city_compounds = Counter(r["type"] for r in listings if r["compound"] and r["location"] not in COASTAL)
    assert city_compounds["Apartment"] > 0.45 * sum(city_compounds.values())
    assert city_compounds["Villa"] > 0 and city_compounds["Townhouse"] > 0 and city_compounds["Twinhouse"] > 0
    assert not set(city_compounds) & NON_RESIDENTIAL_TYPES
    standalone = Counter(r["type"] for r in listings if r["compound"] is None)
    assert standalone["Apartment"] > 0.6 * sum(standalone.values())
    assert standalone["Office"] and standalone["Retail"] and standalone["Clinic"]
    assert not {"Villa", "Townhouse", "Twinhouse", "Chalet"} & set(standalone)


def test_floors_fit_the_type_and_the_place(listings: list[dict[str, Any]]) -> None:
    def floors(kind: str, in_compound: bool | None = None) -> list[int | None]:
        return [
            r["floor"]
            for r in listings
            if r["type"] == kind and (in_compound is None or (r["compound"] is not None) == in_compound)
        ]

    for house in ("Villa", "Townhouse", "Twinhouse"):
        assert set(floors(house)) == {None}
    compound_flats, city_flats = floors("Apartment", True), floors("Apartment", False)
    assert {f for f in compound_flats if f is not None} == set(range(6))
    assert {f for f in city_flats if f is not None} == set(range(13))
    # Ground floors: a quarter of the compound flats (they have gardens), an eighth of the city ones.
    assert 0.18 < compound_flats.count(0) / len(compound_flats) < 0.32
    assert 0.06 < city_flats.count(0) / len(city_flats) < 0.18
    assert 0 < compound_flats.count(None) < 0.06 * len(compound_flats)
    assert {f for f in floors("Penthouse")} <= set(range(4, 15))
    assert {f for f in floors("Duplex")} <= {0, 3, 4, 5, 6}
    assert {f for f in floors("Chalet")} == {0, 1, 2}
    retail = floors("Retail")
    assert retail.count(0) > 0.7 * len(retail)
    basements = [r for r in listings if r["floor"] == -1]
    assert basements and all(r["type"] in ("Retail", "Clinic") and r["compound"] is None for r in basements)
    offices = floors("Office")
    assert {f for f in offices if f is not None} == set(range(1, 13))
    assert 0 < offices.count(None) < 0.08 * len(offices)


def test_prices_are_rounded_and_consistent(listings: list[dict[str, Any]]) -> None:
    for r in listings:
        assert r["price"] % 10_000 == 0
        assert r["price_per_sqm"] == round(r["price"] / r["size_sqm"])

    # A compound's price level shows: Mivida (1.25) asks more per metre than Sarai (0.75) in the same area.
    def median_ppsqm(compound: str) -> float:
        values = sorted(r["price_per_sqm"] for r in listings if r["compound"] == compound and r["type"] == "Apartment")
        return values[len(values) // 2]

    assert median_ppsqm("Mivida") > 1.3 * median_ppsqm("Sarai")


def test_delivery_sale_and_payment_are_consistent(listings: list[dict[str, Any]]) -> None:
    for r in listings:
        assert r["is_delivered"] == (r["delivery_year"] <= 2025)
        if r["is_delivered"] is False:
            assert 2026 <= r["delivery_year"] <= 2031
        if r["is_cash_only"]:
            assert (r["down_payment_pct"], r["installment_years"], r["monthly_installment"]) == (100.0, 0, None)
            continue
        down, years = r["down_payment_pct"], r["installment_years"]
        if r["sale_type"] == "developer":
            assert 0 <= down <= 20 and 5 <= years <= 12
        else:
            assert 30 <= down <= 50 and 1 <= years <= 4
        expected = r["price"] * (1 - down / 100) / (years * 12)
        assert abs(r["monthly_installment"] - expected) <= 50.01  # rounded to the nearest 100 EGP
    compounds = [r for r in listings if r["compound"]]
    resale_share = sum(r["sale_type"] == "resale" for r in compounds) / len(compounds)
    assert 0.25 < resale_share < 0.35
    standalone = [r for r in listings if r["compound"] is None]
    assert sum(r["sale_type"] == "resale" for r in standalone) > 0.8 * len(standalone)
    resale = [r for r in listings if r["sale_type"] == "resale"]
    assert sum(r["is_delivered"] for r in resale) > 0.7 * len(resale)


def test_availability_images_and_words(listings: list[dict[str, Any]]) -> None:
    available = sum(r["is_available"] for r in listings) / len(listings)
    assert 0.95 < available < 0.99
    assert all(r["source_url"].startswith("https://listings.osool.example/") for r in listings)
    assert sum(r["image_url"] is None for r in listings) < 0.1 * len(listings)
    assert len({r["description"] for r in listings}) > 0.95 * len(listings)
    arabic = sum(any("\u0600" <= ch <= "\u06ff" for ch in r["description"]) for r in listings)
    assert 0.15 * len(listings) < arabic < 0.45 * len(listings)
    mivida = next(
        r for r in listings if r["compound"] == "Mivida" and r["title"].endswith("for sale in Mivida, New Cairo")
    )
    assert mivida["title"].split(" for sale")[0] in {f"{mivida['bedrooms']}BR {mivida['type']}", mivida["type"]}


# Typical buyer questions and the fewest matches a 3,500-listing demo must offer each (measured: 37, 38, 110, 27,
# 54, 13, 37, 28, 44 with seed 2026; seeds 1 and 7 give similar counts).
SATISFIABLE = [
    (
        "3 bedroom apartment in New Cairo under 8M",
        {"bedrooms": 3, "property_types": ["Apartment"], "locations": ["New Cairo"], "max_price": 8_000_000},
        20,
    ),
    (
        "villa in Sheikh Zayed under 40M",
        {"property_types": ["Villa"], "locations": ["Sheikh Zayed"], "max_price": 40_000_000},
        15,
    ),
    (
        "chalet in the North Coast under 12M",
        {"property_types": ["Chalet"], "locations": ["North Coast"], "max_price": 12_000_000},
        50,
    ),
    (
        "2 bedrooms in the New Capital over 8 years or more",
        {"bedrooms": 2, "locations": ["New Administrative Capital"], "min_installment_years": 8},
        15,
    ),
    (
        "ready apartment in Maadi under 6M",
        {"property_types": ["Apartment"], "locations": ["Maadi"], "is_delivered": True, "max_price": 6_000_000},
        20,
    ),
    ("office in New Cairo", {"property_types": ["Office"], "locations": ["New Cairo"]}, 5),
    (
        "Madinaty with a monthly installment under 60k",
        {"locations": ["Madinaty"], "max_monthly_installment": 60_000},
        15,
    ),
    (
        "townhouse in October under 15M",
        {"property_types": ["Townhouse"], "locations": ["6th of October"], "max_price": 15_000_000},
        15,
    ),
    (
        "cash in Sheikh Zayed under 10M",
        {"locations": ["Sheikh Zayed"], "is_cash_only": True, "max_price": 10_000_000},
        20,
    ),
]


@pytest.mark.parametrize(("question", "filters", "at_least"), SATISFIABLE, ids=[q for q, _, _ in SATISFIABLE])
def test_typical_questions_have_answers(
    listings: list[dict[str, Any]], question: str, filters: dict[str, Any], at_least: int
) -> None:
    wanted = SearchFilters.model_validate(filters)
    matches = sum(satisfies(r, wanted) for r in listings)
    assert matches >= at_least, f"{question}: {matches} matches"


def test_a_budget_question_is_not_answered_by_everything(listings: list[dict[str, Any]]) -> None:
    # The satisfiable counts above mean something only if the filters also exclude: most New Cairo 3BR apartments
    # cost more than 8M.
    apartments = [
        r for r in listings if r["location"] == "New Cairo" and r["type"] == "Apartment" and r["bedrooms"] == 3
    ]
    cheap = [r for r in apartments if r["price"] <= 8_000_000]
    assert 0.1 * len(apartments) < len(cheap) < 0.5 * len(apartments)


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_demo_export_in_alias_style_ingests_back_to_the_same_listings(tmp_path: Path, fmt: str) -> None:
    count = 1500
    path = tmp_path / f"demo.{fmt}"
    assert write_demo_file(path, count, seed=11, fmt=fmt) == count
    text = path.read_text(encoding="utf-8-sig")
    assert "priceEGP" in text or "Price (EGP)" in text  # the export really uses alias names
    assert '"source_id"' not in text and "size_sqm" not in text

    results = [validate_record(raw.data, raw.position) for raw in read_records(path.read_bytes(), path.name)]
    rejected = [r for r in results if isinstance(r, Rejection)]
    assert rejected == []
    expected = [ListingIn.model_validate(r) for r in generate_listings(count, seed=11)]
    assert [r.model_dump() for r in results if isinstance(r, ListingIn)] == [e.model_dump() for e in expected]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_demo_floors_in_every_spelling_come_back_from_the_export(tmp_path: Path, fmt: str) -> None:
    count = 2000
    expected = [r["floor"] for r in generate_listings(count)]
    assert {-1, 0, None} < set(expected)
    path = tmp_path / f"demo.{fmt}"
    write_demo_file(path, count, fmt=fmt)
    text = path.read_text(encoding="utf-8-sig")
    # The exports spell floors as brokerages do, not only as numbers.
    for spelling in ("أرضي", "الدور ال", "دور ت", "th floor", "Floor ", "Ground"):
        assert spelling in text, spelling
    results = [validate_record(raw.data, raw.position) for raw in read_records(path.read_bytes(), path.name)]
    assert [r.floor if isinstance(r, ListingIn) else r for r in results] == expected


def test_an_unknown_demo_file_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="xml"):
        write_demo_file(tmp_path / "demo.xml", 3, fmt="xml")


def test_a_compound_named_like_its_city_is_named_once_in_a_title(listings: list[dict[str, Any]]) -> None:
    madinaty = [r for r in listings if r.get("compound") == "Madinaty"]
    assert madinaty, "no listing in the Madinaty compound to check"
    assert all("Madinaty, Madinaty" not in r["title"] + r["description"] for r in madinaty)
    assert all("Madinaty" in r["title"] for r in madinaty)
    # A compound with a name of its own is still named with its city
    assert any(", New Cairo" in r["title"] and r.get("compound") for r in listings)
