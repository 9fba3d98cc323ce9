"""The price of a square metre, as Egyptians compare prices ("سعر المتر 30 ألف", "under 42k per sqm", "el metr b 45
alf"): search and the listing route return only listings whose stated price per m² is within it, never reading the
amount as the price or a size, and a search that finds none says what giving it up would find; through the gateway,
on listings of a place of the test's own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place, own_listed, own_numbers

pytestmark = pytest.mark.stack

# n: (price, size in m², the price per m² the export states or None) -> the price per m² the listing holds
ROWS: dict[int, tuple[int, int, int | None]] = {
    1: (3_000_000, 100, None),  # 30,000
    2: (4_500_000, 100, None),  # 45,000
    3: (2_500_000, 100, None),  # 25,000
    4: (6_000_000, 150, None),  # 40,000
    5: (5_000_000, 120, 50_000),  # as the export states it (the price over the size would be 41,667)
}
PER_SQM = {1: 30_000, 2: 45_000, 3: 25_000, 4: 40_000, 5: 50_000}


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    def listing(n: int) -> dict[str, Any]:
        price, size, stated = ROWS[n]
        row: dict[str, Any] = {"title": f"Apartment {n} for sale", "type": "Apartment", "price": price, "size": size,
                               "bedrooms": 2}  # fmt: skip
        return row | ({"price_per_sqm": stated} if stated else {})

    return ingest_own_place(stack, "PS", [listing(n) for n in ROWS])


@pytest.mark.parametrize(
    ("query", "said", "bounds", "found"),
    [
        ("شقة سعر المتر 30 الف", "سعر المتر 30 الف", {"max_price_per_sqm": 30_000}, {1, 3}),
        ("apartment under 42k per sqm", "under 42k per sqm", {"max_price_per_sqm": 42_000}, {1, 3, 4}),
        ("sha2a el metr b 45 alf", "el metr b 45 alf", {"max_price_per_sqm": 45_000}, {1, 2, 3, 4}),
        ("شقة المتر ب 35", "المتر ب 35", {"max_price_per_sqm": 35_000}, {1, 3}),
        ("apartment, price per sqm around 40k", "price per sqm around 40k",
         {"min_price_per_sqm": 36_000, "max_price_per_sqm": 44_000}, {4}),
    ],
)  # fmt: skip
def test_a_search_returns_only_listings_within_the_price_of_a_metre(
    api: httpx.Client, place: tuple[str, str], query: str, said: str, bounds: dict[str, int], found: set[int]
) -> None:
    tag, location = place
    body = api.post("/api/properties/search", json={"query": query, "filters": {"locations": [location]}}).json()
    applied = body["applied_filters"]
    assert {k: v for k, v in applied.items() if "per_sqm" in k} == bounds, applied
    assert not {"min_price", "max_price", "min_size_sqm", "max_size_sqm"} & set(applied), "not a price, not a size"
    assert said in body["understood"], body["understood"]
    assert own_numbers(body["results"], "PS", tag) == found
    low, high = bounds.get("min_price_per_sqm", 0), bounds["max_price_per_sqm"]
    assert all(low <= row["price_per_sqm"] <= high for row in body["results"])


def test_the_listing_route_filters_by_the_stated_price_of_a_metre(api: httpx.Client, place: tuple[str, str]) -> None:
    tag, location = place
    listed = api.get("/api/properties", params={"location": location, "limit": 50}).json()["results"]
    assert {own_numbers([row], "PS", tag).pop(): row["price_per_sqm"] for row in listed} == PER_SQM
    assert own_listed(api, "PS", place, max_price_per_sqm=40_000) == {1, 3, 4}
    assert own_listed(api, "PS", place, min_price_per_sqm=45_000) == {2, 5}
    assert own_listed(api, "PS", place, min_price_per_sqm=30_000, max_price_per_sqm=40_000) == {1, 4}
    for params in ({"max_price_per_sqm": -1}, {"min_price_per_sqm": "cheap"}):
        response = api.get("/api/properties", params=params)
        assert response.status_code == 422, params
        assert response.json()["error"]["details"][0]["location"] == ["query", *params], response.text
    crossed = api.get("/api/properties", params={"min_price_per_sqm": 50_000, "max_price_per_sqm": 40_000})
    assert crossed.status_code == 422 and "min_price_per_sqm" in crossed.json()["error"]["message"], crossed.text
    refused = api.post("/api/properties/search", json={"query": "apartment", "filters": {"max_price_per_sqm": -5}})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error"


def test_a_search_that_finds_none_says_what_any_price_of_a_metre_would_find(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    _, location = place
    request = {"query": "شقة سعر المتر 10 الف", "filters": {"locations": [location]}, "explain_empty": True}
    body = api.post("/api/properties/search", json=request).json()
    assert body["results"] == [], body
    relaxed = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    assert relaxed["price"]["without"] == ["max_price_per_sqm"] and relaxed["price"]["count"] == 5, relaxed
