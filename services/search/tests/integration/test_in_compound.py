"""In a compound or outside every compound, as buyers ask it ("apartment in a compound", "شقة برة الكمبوند"): search
and the listing route return only those, and a search that finds none says what either would; through the gateway, on
listings of a place of the test's own."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    """Two apartments in a compound of the brokerage's own, two outside any, and a villa outside any."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    location = f"Gateville {tag}"

    def listing(n: int, kind: str, compound: str | None) -> dict[str, Any]:
        row = {"id": f"GC-{tag}-{n}", "title": f"{kind} {n} for sale", "type": kind, "location": location,
               "price": 4_000_000 + n * 100_000, "size": 150, "bedrooms": 3}  # fmt: skip
        return {**row, "compound": compound} if compound else row

    export = [listing(1, "Apartment", f"Palmera {tag}"), listing(2, "Apartment", f"Palmera {tag}")]
    export += [listing(3, "Apartment", None), listing(4, "Apartment", None), listing(5, "Villa", None)]
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
        response = client.post("/api/properties/ingest", json=export, headers=admin_headers(stack, "compound-admin"))
    assert response.json()["inserted"] == 5, response.text
    return tag, location


def _numbers(results: list[dict[str, Any]], tag: str) -> set[int]:
    return {int(row["source_id"].removeprefix(f"GC-{tag}-")) for row in results}


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
    tag, location = place

    def listed(**params: Any) -> set[int]:
        response = api.get("/api/properties", params={"location": location, "limit": 50, **params})
        assert response.status_code == 200, response.text
        return _numbers(response.json()["results"], tag)

    assert listed(in_compound="true") == {1, 2}
    assert listed(in_compound="false") == {3, 4, 5}
    assert api.get("/api/properties", params={"in_compound": "maybe"}).status_code == 422
    refused = api.post(
        "/api/properties/search",
        json={"query": "apartment", "filters": {"in_compound": False, "compounds": [f"Palmera {tag}"]}},
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
