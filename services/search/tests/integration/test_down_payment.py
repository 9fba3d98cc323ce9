"""A down payment in pounds is the most the buyer pays up front, in any script: search and the listing route return
only listings whose price times their down payment share is within it (a cash-only listing's whole price), each
listing states its down payment in pounds, and a search that finds none says what giving it up would find; through
the gateway, on listings of a place of the test's own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place, own_listed, own_numbers

pytestmark = pytest.mark.stack

# n: (price, down payment share or None, cash only) -> down payment in pounds
PLANS: dict[int, tuple[int, float | None, bool]] = {
    1: (4_000_000, 10.0, False),  # 400,000
    2: (6_000_000, 10.0, False),  # 600,000
    3: (5_000_000, 5.0, False),  # 250,000
    4: (450_000, None, True),  # cash only: 450,000
    5: (2_000_000, None, False),  # not known
}
DOWN = {1: 400_000, 2: 600_000, 3: 250_000, 4: 450_000, 5: None}


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    def listing(n: int) -> dict[str, Any]:
        price, share, cash = PLANS[n]
        row: dict[str, Any] = {"title": f"Apartment {n} for sale", "type": "Apartment", "price": price, "size": 120,
                               "bedrooms": 2, "cash_only": cash}  # fmt: skip
        if share is not None:
            row |= {"down_payment_pct": share, "installment_years": 8}
        return row

    return ingest_own_place(stack, "DP", [listing(n) for n in PLANS])


@pytest.mark.parametrize(
    ("query", "said", "at_most", "found"),
    [
        ("apartment with 500k down payment", "500k down payment", 500_000, {1, 3, 4}),
        ("شقة مقدم نص مليون", "مقدم نص مليون", 500_000, {1, 3, 4}),
        ("sha2a mo2adam 300 alf", "mo2adam 300 alf", 300_000, {3}),
        ("apartment, down payment around 400k", "down payment around 400k", 440_000, {1, 3}),
    ],
)
def test_a_search_returns_only_listings_within_the_down_payment(
    api: httpx.Client, place: tuple[str, str], query: str, said: str, at_most: int, found: set[int]
) -> None:
    tag, location = place
    body = api.post("/api/properties/search", json={"query": query, "filters": {"locations": [location]}}).json()
    assert body["applied_filters"]["max_down_payment"] == at_most, body["applied_filters"]
    assert "max_price" not in body["applied_filters"], "a down payment is not the budget"
    assert said in body["understood"], body["understood"]
    assert own_numbers(body["results"], "DP", tag) == found
    assert all(row["down_payment"] is not None and row["down_payment"] <= at_most for row in body["results"])


def test_every_listing_states_its_down_payment_and_the_route_filters_by_it(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    tag, location = place
    listed = api.get("/api/properties", params={"location": location, "limit": 50}).json()["results"]
    assert {own_numbers([row], "DP", tag).pop(): row["down_payment"] for row in listed} == DOWN
    assert own_listed(api, "DP", place, max_down_payment=450_000) == {1, 3, 4}
    assert own_listed(api, "DP", place, max_down_payment=449_999) == {1, 3}
    assert own_listed(api, "DP", place, max_down_payment=0) == set()
    for bad in (-1, "half a million"):
        response = api.get("/api/properties", params={"max_down_payment": bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["details"][0]["location"] == ["query", "max_down_payment"], response.text
    response = api.get("/api/properties", params={"max_down_payment": 3_000_000_000})
    assert response.status_code == 422 and "max_down_payment" in response.json()["error"]["message"], response.text
    refused = api.post("/api/properties/search", json={"query": "apartment", "filters": {"max_down_payment": -5}})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error"


def test_a_search_that_finds_none_says_what_any_down_payment_would_find(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    _, location = place
    request = {"query": "apartment with 100k down payment", "filters": {"locations": [location]}, "explain_empty": True}
    body = api.post("/api/properties/search", json=request).json()
    assert body["results"] == [], body
    relaxed = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    assert relaxed["payment"]["without"] == ["max_down_payment"] and relaxed["payment"]["count"] == 5, relaxed
