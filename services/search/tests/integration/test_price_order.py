"""The cheapest (or dearest) first, when the buyer asks ("the cheapest apartment", "أرخص شقة", "أغلى فيلا") or the
client does (`order`): every listing that passes the filters in price order, not the cheapest of the most relevant,
paged by cursor; through the gateway, on listings of a place of the test's own, and the same order whether read
through the filters' own index or by walking the price index."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from pgvector.asyncpg import register_vector

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place
from osool_search.filters import SearchFilters
from osool_search.repository import ListingRepository

pytestmark = pytest.mark.stack

# n -> price: five apartments and a villa, cheaper than all of them.
PRICES = {1: 5_000_000, 2: 3_000_000, 3: 9_000_000, 4: 4_000_000, 5: 7_000_000, 6: 2_000_000}
CHEAPEST_FIRST = [2, 4, 1, 5, 3]


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    rows = [
        {"title": f"{'Villa' if n == 6 else 'Apartment'} {n} for sale", "type": "Villa" if n == 6 else "Apartment",
         "price": price, "size": 150, "bedrooms": 3}
        for n, price in PRICES.items()
    ]  # fmt: skip
    return ingest_own_place(stack, "PO", rows)


def _search(api: httpx.Client, place: tuple[str, str], query: str, **body: Any) -> dict[str, Any]:
    _, location = place
    response = api.post("/api/properties/search", json={"query": query, "filters": {"locations": [location]}, **body})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _numbers(body: dict[str, Any], place: tuple[str, str]) -> list[int]:
    tag, _ = place
    return [int(row["source_id"].removeprefix(f"PO-{tag}-")) for row in body["results"]]


@pytest.mark.parametrize(
    ("query", "said", "order", "expected"),
    [
        ("the cheapest apartment", "the cheapest", "price_asc", CHEAPEST_FIRST),
        ("أرخص شقة", "أرخص", "price_asc", CHEAPEST_FIRST),
        ("ar5as sha2a", "ar5as", "price_asc", CHEAPEST_FIRST),
        ("أغلى شقة", "أغلى", "price_desc", CHEAPEST_FIRST[::-1]),
        ("the most expensive apartment", "the most expensive", "price_desc", CHEAPEST_FIRST[::-1]),
    ],
)
def test_the_words_ask_for_every_match_in_price_order(
    api: httpx.Client, place: tuple[str, str], query: str, said: str, order: str, expected: list[int]
) -> None:
    body = _search(api, place, query)
    assert body["order"] == order
    assert said in body["understood"], body["understood"]
    assert body["applied_filters"]["property_types"] == ["Apartment"]  # the villa, cheaper still, is not one
    assert _numbers(body, place) == expected
    # Scored by the cosine similarity to the query (-1 to 1: a short query may point away from every listing).
    assert all(-1 <= row["similarity"] <= 1 and row["score"] == row["similarity"] for row in body["results"])


def test_a_price_order_pages_on_by_cursor(api: httpx.Client, place: tuple[str, str]) -> None:
    seen: list[int] = []
    body = _search(api, place, "cheapest apartment", limit=2)
    while True:
        seen += _numbers(body, place)
        if body["next_cursor"] is None:
            break
        body = _search(api, place, "cheapest apartment", limit=2, cursor=body["next_cursor"])
    assert seen == CHEAPEST_FIRST


def test_the_request_order_wins_and_a_wrong_one_is_refused(api: httpx.Client, place: tuple[str, str]) -> None:
    relevance = _search(api, place, "the cheapest apartment", order="relevance")
    assert relevance["order"] == "relevance" and sorted(_numbers(relevance, place)) == sorted(CHEAPEST_FIRST)
    dearest = _search(api, place, "apartment", order="price_desc")
    assert dearest["order"] == "price_desc" and _numbers(dearest, place) == CHEAPEST_FIRST[::-1]
    assert _search(api, place, "apartment")["order"] == "relevance"
    refused = api.post("/api/properties/search", json={"query": "apartment", "order": "cheapest"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error", refused.text
    parsed = api.post("/api/properties/parse", json={"query": "أرخص شقة في التجمع"}).json()
    assert parsed["order"] == "price_asc" and parsed["text"] == ""


def test_the_order_is_the_same_through_the_filters_index_or_the_price_index(
    stack_env: dict[str, str], place: tuple[str, str]
) -> None:
    tag, location = place

    async def ordered(scan: int, descending: bool) -> list[str]:
        connection = await asyncpg.connect(stack_env["DATABASE_URL"], server_settings={"search_path": "search,public"})
        await register_vector(connection)
        try:
            row = await connection.fetchrow(
                "SELECT f.model, f.embedding FROM profiles f JOIN properties p ON p.profile_key = f.key "
                "WHERE p.source_id = $1",
                f"PO-{tag}-1",
            )
            assert row is not None
            repository = ListingRepository(connection)  # type: ignore[arg-type]  # fetch, as on a pool
            filters = SearchFilters(locations=[location], property_types=["Apartment"])
            found = await repository.by_price(
                filters, row["model"], row["embedding"], 4, descending=descending, scan=scan
            )
            ids = [priced.id for priced in found]
            assert all(priced.distance is not None for priced in found)
            rows = await connection.fetch("SELECT id, source_id FROM properties WHERE id = ANY($1::uuid[])", ids)
            names = {r["id"]: r["source_id"] for r in rows}
            return [names[id_] for id_ in ids]
        finally:
            await connection.close()

    for descending in (False, True):
        expected = [f"PO-{tag}-{n}" for n in (CHEAPEST_FIRST[::-1] if descending else CHEAPEST_FIRST)[:4]]
        assert asyncio.run(ordered(100, descending)) == expected  # five matches, under the scan
        assert asyncio.run(ordered(2, descending)) == expected  # past the scan: the price index
