"""Regions through the gateway: "Giza", "شرق القاهرة", "not in Giza" search, list, count and value over the places they
are made of, on the demo listings of the test stack (Sheikh Zayed and 6th of October are Giza's; the New Cairo side
East Cairo's)."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers
from osool_search.filters import SearchFilters
from osool_search.gazetteer import REGION_LOCATIONS, REGION_PLACES

pytestmark = pytest.mark.stack

# What a filter on each matches: the places, then the region's own name and West Cairo's (inside Giza), under which an
# export may file a listing.
GIZA = list(REGION_LOCATIONS["Giza"])
EAST = list(REGION_LOCATIONS["East Cairo"])


def _all_listings(api: httpx.Client, **params: Any) -> list[dict[str, Any]]:
    listings: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get("/api/properties", params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        listings += page.json()["results"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            return listings


@pytest.mark.parametrize("query", ["apartment in Giza", "شقة في الجيزة", "sha2a fel geeza"])
def test_a_search_in_a_region_finds_listings_in_its_places_and_nowhere_else(api: httpx.Client, query: str) -> None:
    body = api.post("/api/properties/search", json={"query": query, "limit": 30}).json()
    assert body["applied_filters"]["locations"] == GIZA
    found = {r["location"] for r in body["results"]}
    assert len(body["results"]) == 30 and found <= set(GIZA)
    assert body["understood"][-1] in ("Giza", "الجيزة", "fel geeza → Giza")


@pytest.mark.parametrize("query", ["apartment in Giza", "villa in East Cairo", "apartment in Zayed or October"])
def test_a_search_over_several_places_takes_them_in_turn(api: httpx.Client, query: str) -> None:
    """Each place's best listing, then each one's second: not a page of the one place whose listings are worded
    nearest the query (every apartment of "apartment in Giza" was Sheikh Zayed's, although October has 189)."""
    body = api.post("/api/properties/search", json={"query": query, "limit": 12}).json()
    places = [r["location"] for r in body["results"]]
    assert len(places) == 12
    assert len(set(places)) >= 2, places
    # Each listing's turn (how many of its place came before it) never goes back: every place's first, then every
    # place's second (a place whose listings ran out drops out), ...
    turns = [places[:n].count(place) for n, place in enumerate(places)]
    assert turns == sorted(turns) and turns[:2] == [0, 0], places


def test_a_region_ruled_out_leaves_none_of_its_places_and_a_place_ruled_out_leaves_the_rest(
    api: httpx.Client,
) -> None:
    body = api.post("/api/properties/search", json={"query": "villa anywhere but Giza", "limit": 50}).json()
    assert body["applied_filters"]["exclude_locations"] == GIZA
    assert body["results"] and not {r["location"] for r in body["results"]} & set(GIZA)
    body = api.post("/api/properties/search", json={"query": "villa in Giza not in Sheikh Zayed", "limit": 20}).json()
    assert {r["location"] for r in body["results"]} == {"6th of October"}
    # Cheapest first over a region: every listing of the page is in it, in price order.
    body = api.post("/api/properties/search", json={"query": "cheapest villa in east cairo", "limit": 20}).json()
    prices = [r["price"] for r in body["results"]]
    assert len(prices) == 20 and prices == sorted(prices) and {r["location"] for r in body["results"]} <= set(EAST)


def test_a_region_is_a_filter_of_the_listing_route_and_of_an_explicit_search(api: httpx.Client) -> None:
    in_giza = _all_listings(api, location="Giza", type="Villa")
    by_place = [
        *_all_listings(api, location="Sheikh Zayed", type="Villa"),
        *_all_listings(api, location="6th of October", type="Villa"),
    ]
    assert sorted(r["id"] for r in in_giza) == sorted(r["id"] for r in by_place) and len(in_giza) > 10
    explicit = api.post(
        "/api/properties/search", json={"query": "villa", "filters": {"locations": ["الجيزة"]}, "limit": 10}
    ).json()
    assert explicit["applied_filters"]["locations"] == GIZA
    assert {r["location"] for r in explicit["results"]} <= set(GIZA)


def test_a_place_sent_in_any_of_its_spellings_is_the_place(api: httpx.Client) -> None:
    # The Arabic name, written with ه for ة and a stray tatweel, or a neighbourhood of the area: the same listings.
    in_zayed = sorted(r["id"] for r in _all_listings(api, location="Sheikh Zayed", type="Villa"))
    assert in_zayed
    for spelling in ("الشيخ زايد", "الشيخ زايـد", "sheikh zayed city"):
        assert sorted(r["id"] for r in _all_listings(api, location=spelling, type="Villa")) == in_zayed, spelling
    giza = api.post(
        "/api/properties/search", json={"query": "villa", "filters": {"locations": ["الجيزه"]}, "limit": 10}
    ).json()
    assert giza["applied_filters"]["locations"] == GIZA and {r["location"] for r in giza["results"]} <= set(GIZA)
    stats = api.get("/api/market/stats", params={"location": "التجمع", "type": "Apartment"}).json()
    assert stats["location"] == "New Cairo" and stats["count"] > 0


def test_market_stats_over_a_region_count_every_listing_of_its_places(api: httpx.Client) -> None:
    stats = api.get("/api/market/stats", params={"location": "giza", "type": "Villa"}).json()
    assert stats["location"] == "Giza" and stats["location_ar"] == "الجيزة"
    assert stats["places"] == list(REGION_PLACES["Giza"])
    listings = _all_listings(api, location="Giza", type="Villa")
    assert stats["count"] == len(listings) > 10
    assert stats["min_price"] == min(r["price"] for r in listings)
    assert stats["max_price"] == max(r["price"] for r in listings)
    zayed = api.get("/api/market/stats", params={"location": "Sheikh Zayed", "type": "Villa"}).json()
    assert zayed["places"] is None and 0 < zayed["count"] < stats["count"]


def test_market_stats_set_the_places_asked_side_by_side(api: httpx.Client) -> None:
    """ "New Cairo or Zayed?": both places' listings together, and each one's figures, under a budget and a type."""
    params: dict[str, Any] = {"places": ["التجمع", "zayed"], "type": "Apartment", "max_price": 8_000_000}
    stats = api.get("/api/market/stats", params=params).json()
    assert (stats["location"], stats["places"], stats["budget"]) == (None, ["New Cairo", "Sheikh Zayed"], 8_000_000)
    each = {place: _all_listings(api, location=place, type="Apartment", max_price=8_000_000)
            for place in ("New Cairo", "Sheikh Zayed")}  # fmt: skip
    assert stats["count"] == sum(len(listings) for listings in each.values()) > 0
    assert [(p["location"], p["count"]) for p in stats["by_location"]] == sorted(
        ((place, len(listings)) for place, listings in each.items() if listings), key=lambda pair: -pair[1]
    )
    assert stats["max_price"] <= 8_000_000
    # One place is that place; a region, both a location and places, or too many places are refused, said of places.
    one = api.get("/api/market/stats", params={"places": ["Maadi", "المعادي"]}).json()
    assert (one["location"], one["places"]) == ("Maadi", None)
    region = api.get("/api/market/stats", params={"places": ["Giza", "Maadi"]})
    assert region.status_code == 422 and region.json()["error"]["message"].startswith("places: Giza is a region")
    both = api.get("/api/market/stats", params={"places": ["Maadi", "Dokki"], "location": "New Cairo"})
    assert both.status_code == 422 and both.json()["error"]["message"].startswith("places:")
    many = api.get("/api/market/stats", params={"places": [f"Place {n}" for n in range(13)]})
    assert many.status_code == 422


def test_a_valuation_needs_a_place_not_a_region(api: httpx.Client) -> None:
    response = api.get("/api/market/comparables", params={"location": "Giza", "type": "Apartment", "size_sqm": 150})
    assert response.status_code == 422
    assert "Giza is a region of 8 places" in response.json()["error"]["message"]
    assert "Sheikh Zayed" in response.json()["error"]["message"]


def test_the_parse_route_names_the_regions_it_read(api: httpx.Client) -> None:
    body = api.post("/api/properties/parse", json={"query": "villa in east cairo or giza"}).json()
    assert body["regions"] == ["East Cairo", "Giza"]
    assert body["filters"]["locations"] == SearchFilters(locations=["East Cairo", "Giza"]).locations
    assert set(body["filters"]["locations"]) == {*EAST, *GIZA}
    assert sorted(body["places"]) == ["East Cairo", "Giza"]  # the list as the buyer named it
    body = api.post("/api/properties/parse", json={"query": "apartment in Dokki, Giza"}).json()
    assert body["regions"] == [] and body["filters"]["locations"] == body["places"] == ["Dokki"]
    body = api.post("/api/properties/parse", json={"query": "apartment in Giza but not Dokki"}).json()
    assert "Dokki" not in body["places"] and {"West Cairo", "Mohandessin"} <= set(body["places"])  # Zayed, October
    assert len(body["places"]) == len(body["filters"]["locations"]) - 2
    body = api.post("/api/properties/parse", json={"query": "villa on the Cairo-Alex desert road"}).json()
    assert "locations" not in body["filters"] and body["text"] == "Cairo-Alex desert road"


def test_a_listing_an_export_files_under_a_region_alone_is_found_there(api: httpx.Client, stack: LocalStack) -> None:
    """A brokerage's row whose only place is the governorate ("الجيزة") is filed under the region, shown with its Arabic
    name, and found by a search, the listing route and the figures of the region, not by those of one of its places."""
    word = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
    row = {"id": f"region-only-{word}", "title": f"Villa {word} in Giza", "description": f"A villa, {word}.",
           "type": "Villa", "location": "الجيزة", "price": 987_654_321, "size": 900, "bedrooms": 7}  # fmt: skip
    before = api.get("/api/market/stats", params={"location": "Giza", "type": "Villa"}).json()["count"]
    report = api.post("/api/properties/ingest", json=[row], headers=admin_headers(stack, "search-admin")).json()
    assert report["inserted"] == 1, report
    stored = api.get(f"/api/properties/source/{row['id']}")
    assert stored.status_code == 200, stored.text
    assert (stored.json()["location"], stored.json()["location_ar"]) == ("Giza", "الجيزة")
    found = api.post("/api/properties/search", json={"query": f"villa in Giza {word}", "limit": 5}).json()
    assert found["results"][0]["source_id"] == row["id"]
    assert row["id"] in {
        r["source_id"] for r in _all_listings(api, location="Giza", type="Villa", min_price=900_000_000)
    }
    assert api.get("/api/market/stats", params={"location": "Giza", "type": "Villa"}).json()["count"] == before + 1
    zayed = api.post("/api/properties/search", json={"query": f"villa in Sheikh Zayed {word}", "limit": 50}).json()
    assert row["id"] not in {r["source_id"] for r in zayed["results"]}
