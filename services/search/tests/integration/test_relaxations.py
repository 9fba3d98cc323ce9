"""A search that finds nothing says what would: each group of its filters whose absence alone brings listings back,
how many (up to a cap), and for the budget the cheapest listing without it; through the gateway, on listings of a
place of the test's own."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import asyncpg
import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers
from osool_search.filters import SearchFilters
from osool_search.repository import ListingRepository

pytestmark = pytest.mark.stack


@pytest.fixture
def place(stack: LocalStack, api: httpx.Client) -> str:
    """Three villas from EGP 20M and two apartments from EGP 3M, in a place no other listing is in."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    location = f"Relaxville {tag}"

    def listing(n: int, kind: str, price: int, bedrooms: int) -> dict[str, Any]:
        return {"id": f"RX-{tag}-{n}", "title": f"{kind} {n} for sale", "type": kind, "location": location,
                "price": price, "size": 150 if kind == "Apartment" else 400, "bedrooms": bedrooms}  # fmt: skip

    export = [
        listing(1, "Villa", 22_000_000, 5),
        listing(2, "Villa", 20_000_000, 5),
        listing(3, "Villa", 21_000_000, 4),
        listing(4, "Apartment", 3_000_000, 2),
        listing(5, "Apartment", 4_000_000, 3),
    ]
    report = api.post("/api/properties/ingest", json=export, headers=admin_headers(stack, "relax-admin")).json()
    assert report["inserted"] == 5, report
    return location


def _search(
    api: httpx.Client, filters: dict[str, Any], query: str = "a home for my family", explain: bool = True
) -> dict[str, Any]:
    request = {"query": query, "limit": 10, "filters": filters, "explain_empty": explain}
    response = api.post("/api/properties/search", json=request)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_empty_search_says_which_filter_to_give_up_and_what_the_budget_would_have_to_reach(
    api: httpx.Client, place: str
) -> None:
    body = _search(api, {"locations": [place], "property_types": ["Villa"], "max_price": 5_000_000, "bedrooms": 5})
    assert body["results"] == []
    by_group = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    # Without the budget: the two five-bedroom villas there, the cheapest of them at 20M (not the 21M four-bedroom).
    assert by_group["price"] == {
        "group": "price", "without": ["max_price"], "count": 2, "at_most": 100, "cheapest_price": 20_000_000
    }  # fmt: skip
    # Not a villa: nothing there has five bedrooms under 5M either. Any number of bedrooms: villas are over budget.
    assert "property_type" not in by_group and "bedrooms" not in by_group
    counts = [relaxation["count"] for relaxation in body["relaxations"]]
    assert counts == sorted(counts, reverse=True) and all(count > 0 for count in counts)
    # Only when asked: a client that does not show them pays nothing for them (and a cached answer without them is
    # not served to one that asks, nor the other way round).
    filters = {"locations": [place], "property_types": ["Villa"], "max_price": 5_000_000, "bedrooms": 5}
    assert _search(api, filters, explain=False)["relaxations"] == []
    assert _search(api, filters)["relaxations"] == body["relaxations"]


def test_giving_up_the_type_or_the_rooms_is_offered_when_it_finds_listings(api: httpx.Client, place: str) -> None:
    body = _search(api, {"locations": [place], "property_types": ["Villa"], "max_price": 5_000_000})
    by_group = {relaxation["group"]: relaxation for relaxation in body["relaxations"]}
    assert body["results"] == []
    assert by_group["property_type"] == {
        "group": "property_type", "without": ["property_types"], "count": 2, "at_most": 100, "cheapest_price": None
    }  # fmt: skip
    assert by_group["price"]["count"] == 3 and by_group["price"]["cheapest_price"] == 20_000_000

    rooms = _search(api, {"locations": [place], "max_price": 3_500_000, "bedrooms": 3})
    assert rooms["results"] == []
    assert {r["group"]: (r["without"], r["count"]) for r in rooms["relaxations"]}["bedrooms"] == (["bedrooms"], 1)
    # Exclusions are one group: without "not an apartment", the two apartments there under budget are back.
    excluded = _search(api, {"locations": [place], "max_price": 5_000_000, "exclude_property_types": ["Apartment"]})
    assert excluded["results"] == []
    relaxed = {r["group"]: r for r in excluded["relaxations"]}["exclusions"]
    assert relaxed["without"] == ["exclude_property_types"] and relaxed["count"] == 2


def test_a_search_with_results_or_with_nothing_anywhere_offers_nothing(api: httpx.Client, place: str) -> None:
    found = _search(api, {"locations": [place], "property_types": ["Villa"]})
    assert len(found["results"]) == 3 and found["relaxations"] == []
    # No chalet there, none under EGP 1,000 anywhere, nothing at all there under EGP 1,000.
    nothing = _search(api, {"locations": [place], "property_types": ["Chalet"], "max_price": 1_000})
    assert nothing["results"] == [] and nothing["relaxations"] == []


def test_the_cheapest_match_is_the_same_whether_a_walk_meets_it_or_stops_short(
    stack_env: dict[str, str], place: str
) -> None:
    """cheapest_matching walks the place's villas in price order, checking the rest on each row, up to `walk_rows`;
    a walk that stops short before a match gives way to the profiles' walks: both ways find the same listing."""

    async def cheapest(filters: SearchFilters, walk_rows: int) -> int | None:
        connection = await asyncpg.connect(stack_env["DATABASE_URL"], server_settings={"search_path": "search,public"})
        try:
            model = await connection.fetchval("SELECT embedding_model FROM properties LIMIT 1")
            repository = ListingRepository(connection)  # type: ignore[arg-type]  # fetchrow/fetchval, as on a pool
            return await repository.cheapest_matching(filters, model, walk_rows=walk_rows)
        finally:
            await connection.close()

    villas = SearchFilters(locations=[place], property_types=["Villa"])
    assert asyncio.run(cheapest(villas, walk_rows=1)) == 20_000_000  # the index answers every filter
    four_bedrooms = SearchFilters(locations=[place], property_types=["Villa"], bedrooms=4)
    assert asyncio.run(cheapest(four_bedrooms, walk_rows=100)) == 21_000_000  # the walk meets it, second
    assert asyncio.run(cheapest(four_bedrooms, walk_rows=1)) == 21_000_000  # stopped at the first: the profiles
    assert asyncio.run(cheapest(SearchFilters(locations=[place], min_price=30_000_000), walk_rows=1)) is None
    assert asyncio.run(cheapest(SearchFilters(locations=[place], bedrooms=6), walk_rows=1)) is None


def test_a_relaxation_taken_gives_up_that_group_whoever_stated_it(api: httpx.Client, place: str) -> None:
    # "Villa under 5 million" in the words and in the filters finds nothing; giving up the budget (the buyer's yes to
    # "without the budget limit there are 3") finds the villas, cheapest first; giving up the type, the apartments.
    query, filters = (
        "villa under 5 million",
        {"locations": [place], "property_types": ["Villa"], "max_price": 5_000_000},
    )
    assert _search(api, filters, query)["results"] == []

    def taken(*groups: str) -> list[str]:
        request = {"query": query, "limit": 10, "filters": filters, "relax": list(groups), "order": "price_asc"}
        response = api.post("/api/properties/search", json=request)
        assert response.status_code == 200, response.text
        body = response.json()
        given_up = {"price": "max_price", "property_type": "property_types"}
        assert {given_up[g] for g in groups}.isdisjoint(body["applied_filters"]), body["applied_filters"]
        assert body["applied_filters"]["locations"] == [place]  # the rest kept
        return [r["source_id"].rsplit("-", 1)[1] for r in body["results"]]

    assert taken("price") == ["2", "3", "1"]  # the villas, what the budget ruled out, cheapest first
    assert taken("property_type") == ["4", "5"]  # under the budget, of any type: the two apartments
    assert taken("price", "property_type") == ["4", "5", "2", "3", "1"]
    refused = api.post("/api/properties/search", json={"query": query, "relax": ["the budget"]})
    assert refused.status_code == 422 and refused.json()["error"]["code"], refused.text
