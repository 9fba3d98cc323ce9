"""A number of bathrooms is a minimum the buyer asked for, in any script: search and the listing route return only
listings with at least that many, and a search that finds none says what giving it up would find; through the gateway,
on listings of a place of the test's own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place, own_listed, own_numbers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    """Three 3-bedroom apartments with 1, 2 and 3 bathrooms and a villa with 5, in a place no other listing is in."""

    def listing(n: int, kind: str, bedrooms: int, bathrooms: int) -> dict[str, Any]:
        return {"title": f"{kind} {n} for sale", "type": kind, "price": 5_000_000 * n, "size": 160,
                "bedrooms": bedrooms, "bathrooms": bathrooms}  # fmt: skip

    rows = [listing(1, "Apartment", 3, 1), listing(2, "Apartment", 3, 2), listing(3, "Apartment", 3, 3)]
    return ingest_own_place(stack, "BA", [*rows, listing(4, "Villa", 5, 5)])


def _numbers(results: list[dict[str, Any]], tag: str) -> set[int]:
    return own_numbers(results, "BA", tag)


@pytest.mark.parametrize(
    ("query", "said", "at_least", "found"),
    [
        ("3 bedroom apartment with 2 bathrooms", "2 bathrooms", 2, {2, 3}),
        ("شقة ٣ غرف وحمامين", "حمامين", 2, {2, 3}),
        ("sha2a 3 ghoraf w talat 7amamat", "talat 7amamat", 3, {3}),
        ("apartment, at least 1 bathroom", "at least 1 bathroom", 1, {1, 2, 3}),
    ],
)
def test_a_search_returns_only_listings_with_at_least_the_bathrooms_asked_for(
    api: httpx.Client, place: tuple[str, str], query: str, said: str, at_least: int, found: set[int]
) -> None:
    tag, location = place
    body = api.post("/api/properties/search", json={"query": query, "filters": {"locations": [location]}}).json()
    assert body["applied_filters"]["min_bathrooms"] == at_least, body["applied_filters"]
    assert said in body["understood"], body["understood"]
    assert _numbers(body["results"], tag) == found
    assert all(row["bathrooms"] >= at_least for row in body["results"])


def test_the_listing_route_filters_bathrooms_and_refuses_impossible_ones(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    def listed(**params: Any) -> set[int]:
        return own_listed(api, "BA", place, **params)

    assert listed(min_bathrooms=3) == {3, 4}
    assert listed(min_bathrooms=2, type="Apartment") == {2, 3}
    for bad in (21, -1, "two"):
        response = api.get("/api/properties", params={"min_bathrooms": bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["details"][0]["location"] == ["query", "min_bathrooms"], response.text
    refused = api.post("/api/properties/search", json={"query": "apartment", "filters": {"min_bathrooms": 30}})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error"


def test_a_search_that_finds_none_says_what_any_number_of_bathrooms_would_find(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    _, location = place
    request = {"query": "apartment with 4 bathrooms", "filters": {"locations": [location]}, "explain_empty": True}
    body = api.post("/api/properties/search", json=request).json()
    assert body["results"] == [], body
    relaxed = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    assert relaxed["bathrooms"]["without"] == ["min_bathrooms"] and relaxed["bathrooms"]["count"] == 3, relaxed
    # Any type: the villa has five.
    assert relaxed["property_type"]["count"] == 1, relaxed
