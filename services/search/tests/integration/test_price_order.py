"""The cheapest (or dearest) first, when the buyer asks ("the cheapest apartment", "أرخص شقة", "أغلى فيلا") or the
client does (`order`): every listing that passes the filters in price order, not the cheapest of the most relevant,
paged by cursor; through the gateway, on listings of places of the test's own, and the same order however the
repository reads it (walks per type, per place and type or per compound, merged; the planner's or the profiles' walks
when a walk stops short)."""

from __future__ import annotations

import asyncio
import random
import uuid
from typing import Any

import asyncpg
import httpx
import pytest
from pgvector.asyncpg import register_vector

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place
from osool_search.filters import SearchFilters, satisfies
from osool_search.gazetteer import PROPERTY_TYPES
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


def _listed_pages(api: httpx.Client, location: str, **params: Any) -> list[list[dict[str, Any]]]:
    pages: list[list[dict[str, Any]]] = []
    cursor = None
    while True:
        query = {"location": location, **params, **({"cursor": cursor} if cursor else {})}
        response = api.get("/api/properties", params=query)
        assert response.status_code == 200, response.text
        pages.append(response.json()["results"])
        cursor = response.json()["next_cursor"]
        if cursor is None or len(pages) > 10:
            return pages


def test_the_listing_pages_without_words_come_in_price_order_too(
    api: httpx.Client, stack: LocalStack, place: tuple[str, str]
) -> None:
    """The client's sort without words to rank by: the listing route in price order, paged by a keyset cursor that
    holds the price and the id, so listings at one price are neither skipped nor repeated across pages."""
    tag, location = place
    pages = _listed_pages(api, location, type="Apartment", order="price_asc", limit=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [int(r["source_id"].removeprefix(f"PO-{tag}-")) for page in pages for r in page] == CHEAPEST_FIRST
    dearest = _listed_pages(api, location, order="price_desc", limit=4)  # the villa too, the cheapest of all
    assert [int(r["source_id"].removeprefix(f"PO-{tag}-")) for page in dearest for r in page] == [
        *CHEAPEST_FIRST[::-1],
        6,
    ]
    # Five listings at one price, one a page: each once, by id.
    _, tie_place = ingest_own_place(
        stack,
        "PT",
        [
            {"title": f"Apartment {n}", "type": "Apartment", "price": 6_000_000, "size": 120, "bedrooms": 2}
            for n in range(5)
        ],
    )
    for order in ("price_asc", "price_desc"):
        ties = [r["id"] for page in _listed_pages(api, tie_place, order=order, limit=1) for r in page]
        assert len(ties) == 5 and ties == sorted(ties), (order, ties)
    # A cursor belongs to its order; an order the route does not know is refused.
    first = api.get("/api/properties", params={"location": location, "order": "price_asc", "limit": 2}).json()
    crossed = api.get(
        "/api/properties", params={"location": location, "order": "price_desc", "cursor": first["next_cursor"]}
    )
    assert crossed.status_code == 400 and crossed.json()["error"]["code"] == "invalid_cursor", crossed.text
    newest = api.get("/api/properties", params={"location": location, "cursor": first["next_cursor"]})
    assert newest.status_code == 400, newest.text
    refused = api.get("/api/properties", params={"location": location, "order": "cheapest"})
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "validation_error", refused.text


@pytest.mark.parametrize("one_type", [False, True], ids=["a place alone", "one type"])
def test_a_price_order_with_a_vector_gives_each_row_its_distance(
    stack_env: dict[str, str], place: tuple[str, str], one_type: bool
) -> None:
    """With the query's vector, each row with its profile's distance; a place alone (a walk per type, merged) or one
    type (one walk), whatever the rows a walk may read."""
    tag, location = place

    async def ordered(walk_rows: int, descending: bool) -> list[str]:
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
            filters = SearchFilters(locations=[location], property_types=["Apartment"] if one_type else None)
            found = await repository.by_price(
                filters, row["model"], row["embedding"], 4, descending=descending, walk_rows=walk_rows
            )
            ids = [priced.id for priced in found]
            assert all(priced.distance is not None for priced in found)
            rows = await connection.fetch("SELECT id, source_id FROM properties WHERE id = ANY($1::uuid[])", ids)
            names = {r["id"]: r["source_id"] for r in rows}
            return [names[id_] for id_ in ids]
        finally:
            await connection.close()

    cheapest_first = CHEAPEST_FIRST if one_type else [6, *CHEAPEST_FIRST]  # the villa is the cheapest of all
    for descending in (False, True):
        expected = [f"PO-{tag}-{n}" for n in (cheapest_first[::-1] if descending else cheapest_first)[:4]]
        assert asyncio.run(ordered(100, descending)) == expected
        assert asyncio.run(ordered(2, descending)) == expected


# Two places of the test's own, 40 listings each of five types, prices drawn from few values (ties across types and
# places), a pool on one in three, two compounds.
WALK_TYPES = ("Apartment", "Villa", "Townhouse", "Duplex", "Chalet")


@pytest.fixture(scope="module")
def two_places(stack: LocalStack) -> tuple[list[str], list[str]]:
    draw = random.Random(20261205)
    compounds = [f"Walk Gardens {draw.randrange(10**8)}", f"Walk Heights {draw.randrange(10**8)}"]
    locations = []
    for _ in range(2):
        rows = [
            {"title": f"Listing {n}", "type": draw.choice(WALK_TYPES), "price": draw.randrange(1, 9) * 1_000_000,
             "size": draw.choice((90, 150, 240)), "bedrooms": draw.randrange(2, 5),
             "amenities": "pool" if n % 3 == 0 else "",
             **({"compound": compounds[n % 2]} if n % 4 < 2 else {})}
            for n in range(40)
        ]  # fmt: skip
        locations.append(ingest_own_place(stack, "PW", rows)[1])
    return locations, compounds


@pytest.mark.parametrize(
    "case",
    [
        "one place",
        "one place, no villas or townhouses",
        "two places, two types",
        "two places",
        "four places (walks by type only)",
        "one place with a pool",
        "two places, three bedrooms, at least 150 m², no chalets",
        "two compounds",
        "one compound, apartments",
        "one place, a price bound",
        "every type ruled out",
    ],
)
def test_the_merged_walks_give_every_match_in_price_order_page_by_page(
    stack_env: dict[str, str], two_places: tuple[list[str], list[str]], case: str
) -> None:
    """Whatever the walks merged (per type, per place and type, per compound), and whether they meet their matches
    (1,000 rows each) or stop short after 2 rows, so that the planner's walks (a feature) or the profiles' walks (the
    rest) give the page: page after page by keyset, the matches in price order with ties by id, each once; against
    the same listings read whole and filtered in Python (satisfies)."""
    (here, there), (gardens, heights) = two_places
    filters = {
        "one place": SearchFilters(locations=[here]),
        "one place, no villas or townhouses": SearchFilters(
            locations=[here], exclude_property_types=["Villa", "Townhouse"]
        ),
        "two places, two types": SearchFilters(locations=[here, there], property_types=["Apartment", "Chalet"]),
        "two places": SearchFilters(locations=[here, there]),
        "four places (walks by type only)": SearchFilters(
            locations=[here, there, "Nowhere One", "Nowhere Two"], exclude_property_types=["Duplex"]
        ),
        "one place with a pool": SearchFilters(locations=[here], features=["pool"]),
        "two places, three bedrooms, at least 150 m², no chalets": SearchFilters(
            locations=[here, there], bedrooms=3, min_size_sqm=150, exclude_property_types=["Chalet"]
        ),
        "two compounds": SearchFilters(compounds=[gardens, heights]),
        "one compound, apartments": SearchFilters(compounds=[gardens], property_types=["Apartment"]),
        "one place, a price bound": SearchFilters(locations=[there], min_price=3_000_000, max_price=6_000_000),
        "every type ruled out": SearchFilters(locations=[here], exclude_property_types=list(PROPERTY_TYPES)),
    }[case]

    async def read() -> None:
        connection = await asyncpg.connect(stack_env["DATABASE_URL"], server_settings={"search_path": "search,public"})
        await register_vector(connection)
        try:
            model = await connection.fetchval("SELECT embedding_model FROM properties WHERE location = $1", here)
            rows = await connection.fetch(
                "SELECT * FROM properties WHERE location = ANY($1::text[]) AND is_available", [here, there]
            )
            passing = [dict(row) for row in rows if satisfies(dict(row), filters)]
            assert case == "every type ruled out" or len(passing) >= 3, (case, len(passing))
            repository = ListingRepository(connection)  # type: ignore[arg-type]  # fetch, as on a pool
            for descending in (False, True):
                expected = [
                    row["id"]
                    for row in sorted(passing, key=lambda r: ((-r["price"] if descending else r["price"]), r["id"]))
                ]
                for walk_rows in (2, 1_000):
                    seen: list[uuid.UUID] = []
                    after = None
                    while True:
                        page = await repository.by_price(
                            filters, model, None, 4, descending=descending, after=after, walk_rows=walk_rows
                        )
                        seen += [priced.id for priced in page]
                        if len(page) < 4:
                            break
                        after = (page[-1].price, page[-1].id)
                    assert seen == expected, (case, descending, walk_rows)
        finally:
            await connection.close()

    asyncio.run(read())
