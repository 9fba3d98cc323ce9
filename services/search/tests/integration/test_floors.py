"""Floors through the gateway: read from an export's floor column at ingest (English, Arabic, ordinals), asked for or
ruled out in any script ("anything but ground floor", "مش دور أرضي", "mesh dor ardy", "الدور التالت", "a high floor"),
filterable on the listing route, and carried by every result; a ruled-out floor never comes back, and a listing whose
floor is not known is not ruled out by one."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers
from osool_search.filters import SearchFilters, violations

pytestmark = pytest.mark.stack


@pytest.fixture
def building(stack: LocalStack, api: httpx.Client) -> tuple[str, str]:
    """Six apartments in a place of their own, their floors written as exports write them (ground, an ordinal, an
    Arabic ordinal, a number, a basement, none stated), and a villa (a house has no floor)."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    location = f"Floorville {tag}"

    def unit(n: int, **fields: Any) -> dict[str, Any]:
        return {"id": f"FL-{tag}-{n}", "title": f"Apartment {n} for sale", "type": "Apartment", "location": location,
                "price": 5_000_000 + n * 100_000, "size": 150, "bedrooms": 3, "description": "", **fields}  # fmt: skip

    export = [
        unit(1, floor="Ground"),
        unit(2, floor="1st"),
        unit(3, floor="الدور التالت"),
        unit(4, floor=7),
        unit(5, floor="بدروم"),
        unit(6),
        unit(7, type="Villa", bedrooms=5, size=400, floor="G"),
    ]
    report = api.post("/api/properties/ingest", json=export, headers=admin_headers(stack, "floors-admin")).json()
    assert report["inserted"] == 7, report
    return tag, location


def _search(api: httpx.Client, query: str, location: str) -> dict[str, Any]:
    request = {"query": query, "limit": 10, "filters": {"locations": [location]}}
    response = api.post("/api/properties/search", json=request)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(results: list[dict[str, Any]], tag: str) -> set[int]:
    return {int(r["source_id"].removeprefix(f"FL-{tag}-")) for r in results}


def test_floors_are_read_at_ingest_and_carried_by_every_result(api: httpx.Client, building: tuple[str, str]) -> None:
    tag, location = building
    results = _search(api, "apartment or villa", location)["results"]
    floors = {int(r["source_id"].removeprefix(f"FL-{tag}-")): r["floor"] for r in results}
    assert floors == {1: 0, 2: 1, 3: 3, 4: 7, 5: -1, 6: None, 7: None}


@pytest.mark.parametrize("query", ["anything but ground floor", "مش عايز دور أرضي", "mesh dor ardy"])
def test_a_ruled_out_floor_never_comes_back_and_an_unknown_floor_stays(
    api: httpx.Client, building: tuple[str, str], query: str
) -> None:
    tag, location = building
    body = _search(api, query, location)
    assert body["applied_filters"]["exclude_floors"] == [0]
    assert _ids(body["results"], tag) == {2, 3, 4, 5, 6, 7}


@pytest.mark.parametrize(
    ("query", "wanted"),
    [
        ("الدور التالت", {3}),
        ("sha2a fel dor el talet", {3}),
        ("ground or first floor", {1, 2}),
        ("high floor", {4}),
        ("above the 2nd floor", {3, 4}),
        ("لحد الدور الأول", {1, 2, 5}),
    ],
)
def test_a_wanted_floor_returns_only_units_on_it(
    api: httpx.Client, building: tuple[str, str], query: str, wanted: set[int]
) -> None:
    tag, location = building
    assert _ids(_search(api, query, location)["results"], tag) == wanted


def test_the_listing_route_filters_floors_and_refuses_impossible_ones(
    api: httpx.Client, building: tuple[str, str]
) -> None:
    tag, location = building

    def listed(**params: Any) -> set[int]:
        response = api.get("/api/properties", params={"location": location, "limit": 50, **params})
        assert response.status_code == 200, response.text
        return _ids(response.json()["results"], tag)

    assert listed(floor=0) == {1}
    assert listed(floor=[1, 3]) == {2, 3}
    assert listed(exclude_floor=[0, -1]) == {2, 3, 4, 6, 7}
    assert listed(min_floor=2) == {3, 4}
    assert listed(max_floor=0) == {1, 5}
    for bad in ({"floor": 101}, {"min_floor": -2}, {"min_floor": 5, "max_floor": 2}, {"floor": 0, "exclude_floor": 0}):
        response = api.get("/api/properties", params={"location": location, **bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"
    # The error names the parameter sent and the value refused, not the filter it fills.
    for param in ("floor", "exclude_floor"):
        error = api.get("/api/properties", params={param: 200}).json()["error"]
        assert error["message"].startswith(f"{param}: ") and "200" in error["message"], error
    refused = api.post("/api/properties/search", json={"query": "apartment", "filters": {"floors": ["ground"]}})
    assert refused.status_code == 422


def test_the_parse_route_reports_the_floor_in_the_buyers_words(api: httpx.Client) -> None:
    response = api.post("/api/properties/parse", json={"query": "sha2a fel tagamo3 mesh dor ardy"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filters"]["exclude_floors"] == [0]
    assert "mesh dor ardy → not ground floor" in body["understood"]


def test_the_demo_listings_have_floors_and_a_ruled_out_floor_is_gone(api: httpx.Client) -> None:
    def results(query: str) -> list[dict[str, Any]]:
        response = api.post("/api/properties/search", json={"query": query, "limit": 50})
        assert response.status_code == 200, response.text
        found: list[dict[str, Any]] = response.json()["results"]
        return found

    every = results("apartment in Maadi")
    assert 0 in {r["floor"] for r in every} and len({r["floor"] for r in every}) > 3
    ruled_out = results("apartment in Maadi anything but ground floor")
    assert len(ruled_out) == 50
    filters = SearchFilters(property_types=["Apartment"], locations=["Maadi"], exclude_floors=[0])
    assert all(violations(r, filters) == [] for r in ruled_out)
    third = results("شقة في المعادي الدور التالت")
    assert third and {r["floor"] for r in third} == {3}
