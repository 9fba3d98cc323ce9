"""A number of bedrooms may be a range or a ceiling ("2-3 bedrooms", "up to 2", "less than 3", "studio or 1 bedroom"):
search and the listing route return exactly the listings within it, a studio (no bedroom) meets any ceiling, and a
search that finds none says what any number of bedrooms would find; through the gateway, on listings of a place of the
test's own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place, own_listed, own_numbers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    """A studio (1), apartments of 1, 2 and 3 bedrooms (2-4) and a 2-bedroom duplex (5), in a place of their own."""

    def listing(n: int, kind: str, bedrooms: int) -> dict[str, Any]:
        return {"title": f"{kind} {n} for sale", "type": kind, "price": 2_000_000 * n, "size": 60 + 30 * bedrooms,
                "bedrooms": bedrooms, "bathrooms": 1}  # fmt: skip

    rows = [listing(1, "Studio", 0), listing(2, "Apartment", 1), listing(3, "Apartment", 2), listing(4, "Apartment", 3)]
    return ingest_own_place(stack, "BB", [*rows, listing(5, "Duplex", 2)])


@pytest.mark.parametrize(
    ("query", "bounds", "found"),
    [
        ("studio or 1 bedroom", {"max_bedrooms": 1}, {1, 2}),
        ("ستوديو او غرفة واحدة", {"max_bedrooms": 1}, {1, 2}),
        ("2-3 bedroom apartment", {"min_bedrooms": 2, "max_bedrooms": 3}, {3, 4}),
        ("up to 2 bedrooms", {"max_bedrooms": 2}, {1, 2, 3, 5}),
        ("sha2a a2al men 3 ghoraf", {"max_bedrooms": 2}, {2, 3}),
    ],
)
def test_a_search_returns_only_listings_within_the_bedrooms_asked_for(
    api: httpx.Client, place: tuple[str, str], query: str, bounds: dict[str, int], found: set[int]
) -> None:
    tag, location = place
    body = api.post("/api/properties/search", json={"query": query, "filters": {"locations": [location]}}).json()
    applied = body["applied_filters"]
    assert {key: applied.get(key) for key in ("bedrooms", "min_bedrooms", "max_bedrooms") if applied.get(key)
            is not None} == bounds, applied  # fmt: skip
    assert own_numbers(body["results"], "BB", tag) == found


def test_the_listing_route_bounds_bedrooms_and_refuses_a_range_upside_down(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    assert own_listed(api, "BB", place, max_bedrooms=1) == {1, 2}
    assert own_listed(api, "BB", place, min_bedrooms=2, max_bedrooms=2) == {3, 5}
    for bad in (21, -1, "two"):
        response = api.get("/api/properties", params={"max_bedrooms": bad})
        assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error", bad
    upside_down = api.get("/api/properties", params={"min_bedrooms": 3, "max_bedrooms": 2})
    assert upside_down.status_code == 422, upside_down.text
    refused = api.post("/api/properties/search", json={"query": "flat", "filters": {"min_bedrooms": 3,
                                                                                     "max_bedrooms": 1}})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error", refused.text


def test_a_ceiling_that_finds_none_says_what_any_number_of_bedrooms_would_find(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    _, location = place
    request = {"query": "duplex with at most 1 bedroom", "filters": {"locations": [location]}, "explain_empty": True}
    body = api.post("/api/properties/search", json=request).json()
    assert body["results"] == [], body
    relaxed = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    assert relaxed["bedrooms"]["without"] == ["max_bedrooms"] and relaxed["bedrooms"]["count"] == 1, relaxed
