"""Each market and registry tool through a chat turn, its figures checked against numbers computed here by hand from
what the owning service returns directly."""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
        yield client


def turn(api: httpx.Client, message: str) -> dict[str, Any]:
    response = api.post("/api/chat", json={"message": message}, headers={"Accept": "application/json"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_valuation_is_the_comparables_median_price_per_metre_times_the_size(api: httpx.Client) -> None:
    body = turn(api, "what is a 200 sqm villa in Sheikh Zayed worth?")
    call = body["tool_calls"][0]
    assert call["name"] == "run_valuation"
    assert call["arguments"] == {"location": "Sheikh Zayed", "property_type": "Villa", "size_sqm": 200.0}
    params = {"location": "Sheikh Zayed", "type": "Villa", "size_sqm": 200, "limit": 10}
    comparables = api.get("/api/market/comparables", params=params).json()["comparables"]
    per_metre = sorted(c["price_per_sqm"] for c in comparables)
    quartiles = statistics.quantiles(per_metre, n=4, method="inclusive")
    result = call["result"]
    assert result["estimate"] == round(statistics.median(per_metre) * 200)
    assert (result["low"], result["high"]) == (round(quartiles[0] * 200), round(quartiles[2] * 200))
    assert result["comparables_count"] == len(comparables) == 10
    assert f"{result['estimate']:,}" in body["reply"]
    assert [card["id"] for card in body["listings"]] == [c["id"] for c in comparables[:5]]


def test_market_trends_are_the_real_aggregates(api: httpx.Client) -> None:
    body = turn(api, "market prices for apartments in New Cairo")
    call = body["tool_calls"][0]
    assert call["name"] == "check_market_trends"
    stats = api.get("/api/market/stats", params={"location": "New Cairo", "type": "Apartment"}).json()
    result = call["result"]
    assert result["count"] == stats["count"] > 0
    assert result["median_price_per_sqm"] == round(stats["median_price_per_sqm"])
    assert (result["min_price"], result["max_price"]) == (stats["min_price"], stats["max_price"])
    assert f"{result['median_price_per_sqm']:,}" in body["reply"] and f"{stats['count']}" in body["reply"]
    # Asked how prices move: today's asking prices, said as such, and the change log's last days.
    moving = turn(api, "have apartment prices in New Cairo gone up?")
    recent = moving["tool_calls"][0]["result"]["recent"]
    assert {key: recent.get(key) for key in stats["recent"]} == stats["recent"] and recent["new_listings"] > 0
    assert f"In the last {recent['days']} days: {recent['new_listings']:,} new listing" in moving["reply"]


@pytest.mark.parametrize(
    ("message", "tool", "said"),
    [("أسعار الشقق في التجمع", "check_market_trends", "في القاهرة الجديدة"),
     ("فيلا ٢٠٠ متر في الشيخ زايد تمنها كام؟", "run_valuation", "مشابهة في الشيخ زايد")],
)  # fmt: skip
def test_market_replies_in_arabic_name_the_area_in_arabic(
    api: httpx.Client, message: str, tool: str, said: str
) -> None:
    body = turn(api, message)
    assert body["tool_calls"][0]["name"] == tool, body
    assert said in body["reply"], body["reply"]
    assert "New Cairo" not in body["reply"] and "Sheikh Zayed" not in body["reply"], body["reply"]


@pytest.mark.parametrize(
    ("message", "said"),
    [("villa prices in Giza", "Villas in Giza: "), ("أسعار الفلل في الجيزة", "في الجيزة")],
)
def test_market_trends_over_a_region_cover_all_its_places(api: httpx.Client, message: str, said: str) -> None:
    body = turn(api, message)
    call = body["tool_calls"][0]
    assert call["name"] == "check_market_trends" and call["arguments"]["location"] == "Giza", call
    stats = api.get("/api/market/stats", params={"location": "Giza", "type": "Villa"}).json()
    zayed = api.get("/api/market/stats", params={"location": "Sheikh Zayed", "type": "Villa"}).json()
    assert call["result"]["count"] == stats["count"] > zayed["count"] > 0
    assert said in body["reply"] and f"{stats['count']}" in body["reply"], body["reply"]


@pytest.mark.parametrize(
    ("message", "tool"),
    [("عايز شقة في التجمع سعر المتر 55 الف", "search_properties"),
     ("متوسط سعر المتر في التجمع", "check_market_trends"),
     ("apartments in New Cairo under 55k per sqm", "search_properties"),
     ("price per meter in New Cairo", "check_market_trends")],
)  # fmt: skip
def test_a_price_of_a_metre_with_an_amount_is_a_search_and_without_one_a_question_about_prices(
    api: httpx.Client, message: str, tool: str
) -> None:
    body = turn(api, message)
    call = body["tool_calls"][0]
    assert call["name"] == tool, body
    if tool == "search_properties":
        assert call["result"]["applied_filters"]["max_price_per_sqm"] == 55_000, call["result"]["applied_filters"]
        assert body["listings"] and all(listing["price_per_sqm"] <= 55_000 for listing in body["listings"])


def test_a_valuation_asked_for_a_region_asks_for_the_place(api: httpx.Client) -> None:
    body = turn(api, "I own a 200 sqm villa in Giza, what is it worth?")
    assert not body["tool_calls"] or body["tool_calls"][0]["name"] != "run_valuation", body


def test_an_investment_yield_is_graded_by_its_net_yield(api: httpx.Client) -> None:
    body = turn(api, "if I rent it at 15000 a month, what is the ROI on a 3M apartment?")
    call = body["tool_calls"][0]
    assert call["name"] == "calculate_investment_roi"
    assert call["arguments"] == {"property_price": 3_000_000, "monthly_rent": 15_000}
    # By hand: rent 180,000 a year = 6% gross; costs 2% of 3M = 60,000; net 120,000 = 4% → Fair; 25 years to repay.
    result = call["result"]
    assert (result["gross_yield_pct"], result["net_yield_pct"], result["grade"]) == (6.0, 4.0, "Fair")
    assert result["break_even_years"] == 25.0
    assert "costs 2%" in " ".join(result["assumptions"]).lower() or any("2%" in a for a in result["assumptions"])
    assert "4%" in body["reply"] and "Fair" in body["reply"]


def test_availability_follows_the_registry(api: httpx.Client, stack: LocalStack) -> None:
    listing = api.post("/api/properties/search", json={"query": "townhouse in Madinaty"}).json()["results"][0]
    before = turn(api, f"is listing {listing['source_id']} still available?")
    assert before["tool_calls"][0]["name"] == "check_availability"
    assert before["tool_calls"][0]["result"]["status"] == "not_registered"
    assert before["tool_calls"][0]["result"]["listed"] is True
    # Not on the registry is said as still listed, with nothing reserved there, not as unavailable.
    assert f"{listing['title']} is still listed for sale" in before["reply"], before["reply"]
    admin = admin_headers(stack, "agent-chain")
    registered = api.post("/api/chain/listings", headers={**admin, "Idempotency-Key": uuid.uuid4().hex},
                          json={"listing_id": listing["id"], "document_hash": "0x" + "ab" * 32,
                                "price_egp": listing["price"]})  # fmt: skip
    assert registered.status_code == 202, registered.text
    reserved = api.post(f"/api/chain/listings/{listing['id']}/reserve",
                        headers={**admin, "Idempotency-Key": uuid.uuid4().hex},
                        json={"buyer": "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"})  # fmt: skip
    assert reserved.status_code == 202, reserved.text
    deadline = time.monotonic() + 30
    while api.get(f"/api/chain/listings/{listing['id']}").json().get("status") != "reserved":
        assert time.monotonic() < deadline, "the reservation was not indexed"
        time.sleep(0.3)
    after = turn(api, f"is listing {listing['source_id']} still available?")
    assert after["tool_calls"][0]["result"]["status"] == "reserved"
    assert "reserved" in after["reply"]
