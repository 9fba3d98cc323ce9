"""In a compound or outside every compound, as buyers ask it ("apartment in a compound", "شقة برة الكمبوند"): search
and the listing route return only those, and a search that finds none says what either would; through the gateway, on
listings of a place of the test's own."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place, own_listed, own_numbers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    """Two apartments in a compound of the brokerage's own, two outside any, and a villa outside any."""
    compound = f"Palmera {uuid.uuid4().hex[:8]}"

    def listing(n: int, kind: str, inside: bool) -> dict[str, Any]:
        row = {"title": f"{kind} {n} for sale", "type": kind, "price": 4_000_000 + n * 100_000, "size": 150,
               "bedrooms": 3}  # fmt: skip
        return {**row, "compound": compound} if inside else row

    rows = [listing(1, "Apartment", True), listing(2, "Apartment", True), listing(3, "Apartment", False)]
    return ingest_own_place(stack, "GC", [*rows, listing(4, "Apartment", False), listing(5, "Villa", False)])


def _numbers(results: list[dict[str, Any]], tag: str) -> set[int]:
    return own_numbers(results, "GC", tag)


@pytest.mark.parametrize(
    ("query", "inside", "found"),
    [
        ("apartment in a compound", True, {1, 2}),
        ("شقة في كمبوند", True, {1, 2}),
        ("apartment not in a compound", False, {3, 4}),
        ("شقة برة الكمبوند", False, {3, 4}),
        ("sha2a mesh fe compound", False, {3, 4}),
    ],
)
def test_a_search_in_a_compound_or_outside_one(
    api: httpx.Client, place: tuple[str, str], query: str, inside: bool, found: set[int]
) -> None:
    tag, location = place
    body = api.post("/api/properties/search", json={"query": query, "filters": {"locations": [location]}}).json()
    assert body["applied_filters"]["in_compound"] is inside, body["applied_filters"]
    assert _numbers(body["results"], tag) == found
    assert all((row["compound"] is not None) is inside for row in body["results"])


def test_the_listing_route_filters_by_compound_and_refuses_a_contradiction(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    def listed(**params: Any) -> set[int]:
        return own_listed(api, "GC", place, **params)

    assert listed(in_compound="true") == {1, 2}
    assert listed(in_compound="false") == {3, 4, 5}
    assert api.get("/api/properties", params={"in_compound": "maybe"}).status_code == 422
    refused = api.post(
        "/api/properties/search",
        json={"query": "apartment", "filters": {"in_compound": False, "compounds": ["Palmera"]}},
    )
    assert refused.status_code == 422, refused.text
    assert "in_compound is false" in refused.json()["error"]["details"][0]["message"], refused.text


def test_a_search_that_finds_none_says_what_in_or_out_of_a_compound_would_find(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    _, location = place
    request = {"query": "villa in a compound", "filters": {"locations": [location]}, "explain_empty": True}
    body = api.post("/api/properties/search", json=request).json()
    assert body["results"] == [], body
    relaxed = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    assert relaxed["compound"]["without"] == ["in_compound"] and relaxed["compound"]["count"] == 1, relaxed
