"""The biggest (or smallest) first, when the buyer asks ("the biggest villa", "أكبر شقة", "akbar fella") or the client
does (`order`): every listing that passes the filters in size order, not the biggest of the most relevant, paged by
cursor; through the gateway, on listings of a place of the test's own."""

from __future__ import annotations

import asyncio
import itertools
import random
from typing import Any

import asyncpg
import httpx
import pytest
from pgvector.asyncpg import register_vector

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place
from osool_common.listing_filters import FILTER_RULES
from osool_common.pagination import encode_cursor
from osool_search.filters import SearchFilters, satisfies
from osool_search.gazetteer import PROPERTY_TYPES
from osool_search.repository import PROFILE_COLUMNS, ListingRepository

pytestmark = pytest.mark.stack

# n -> size: six apartments and a villa, bigger than all of them; apartment 7 is over the budget.
SIZES = {1: 150, 2: 95, 3: 210, 4: 120, 5: 180, 6: 400, 7: 260}
BIGGEST_FIRST = [3, 5, 1, 4, 2]  # the apartments under the budget


@pytest.fixture(scope="module")
def place(stack: LocalStack) -> tuple[str, str]:
    rows = [
        {"title": f"{'Villa' if n == 6 else 'Apartment'} {n} for sale", "type": "Villa" if n == 6 else "Apartment",
         "price": 30_000_000 if n == 7 else 5_000_000 + n, "size": size, "bedrooms": 3}
        for n, size in SIZES.items()
    ]  # fmt: skip
    return ingest_own_place(stack, "SO", rows)


def _search(api: httpx.Client, place: tuple[str, str], query: str, **body: Any) -> dict[str, Any]:
    _, location = place
    request = {"query": query, "filters": {"locations": [location], "max_price": 10_000_000}, **body}
    response = api.post("/api/properties/search", json=request)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _numbers(body: dict[str, Any], place: tuple[str, str]) -> list[int]:
    tag, _ = place
    return [int(row["source_id"].removeprefix(f"SO-{tag}-")) for row in body["results"]]


@pytest.mark.parametrize(
    ("query", "said", "order", "expected"),
    [
        ("the biggest apartment", "the biggest", "size_desc", BIGGEST_FIRST),
        ("أكبر شقة", "أكبر", "size_desc", BIGGEST_FIRST),
        ("akbar sha2a", "akbar", "size_desc", BIGGEST_FIRST),
        ("smallest apartment", "smallest", "size_asc", BIGGEST_FIRST[::-1]),
    ],
)
def test_the_words_ask_for_every_match_in_size_order(
    api: httpx.Client, place: tuple[str, str], query: str, said: str, order: str, expected: list[int]
) -> None:
    body = _search(api, place, query)
    assert body["order"] == order and said in body["understood"]
    assert body["applied_filters"]["property_types"] == ["Apartment"]
    assert _numbers(body, place) == expected  # the villa and the apartment over budget left out


def test_pages_continue_the_order_and_the_client_may_ask_for_it(api: httpx.Client, place: tuple[str, str]) -> None:
    first = _search(api, place, "apartment", order="size_desc", limit=2)
    assert first["order"] == "size_desc" and _numbers(first, place) == BIGGEST_FIRST[:2]
    second = _search(api, place, "apartment", order="size_desc", limit=2, cursor=first["next_cursor"])
    third = _search(api, place, "apartment", order="size_desc", limit=2, cursor=second["next_cursor"])
    assert _numbers(second, place) + _numbers(third, place) == BIGGEST_FIRST[2:]
    assert third["next_cursor"] is None
    # The client's order wins over the words'; every listing carries its similarity to the query.
    body = _search(api, place, "the biggest apartment", order="size_asc")
    assert _numbers(body, place) == BIGGEST_FIRST[::-1]
    assert all(0 < row["similarity"] <= 1 for row in body["results"])


def test_the_listing_route_without_words_pages_in_size_order(
    api: httpx.Client, stack: LocalStack, place: tuple[str, str]
) -> None:
    """The client's sort without words: GET /api/properties biggest or smallest first, paged by a keyset cursor that
    holds the size and the id, so listings of one size are neither skipped nor repeated across pages."""
    tag, location = place

    def pages(where: str, **params: Any) -> list[list[dict[str, Any]]]:
        found: list[list[dict[str, Any]]] = []
        cursor = None
        while len(found) <= 10:
            query = {"location": where, **params, **({"cursor": cursor} if cursor else {})}
            response = api.get("/api/properties", params=query)
            assert response.status_code == 200, response.text
            found.append(response.json()["results"])
            if (cursor := response.json()["next_cursor"]) is None:
                break
        return found

    def numbers(found: list[list[dict[str, Any]]]) -> list[int]:
        return [int(row["source_id"].removeprefix(f"SO-{tag}-")) for page in found for row in page]

    biggest = pages(location, type="Apartment", max_price=10_000_000, order="size_desc", limit=2)
    assert [len(page) for page in biggest] == [2, 2, 1] and numbers(biggest) == BIGGEST_FIRST
    smallest = pages(location, order="size_asc", limit=3)  # every listing: the villa and the dear apartment too
    assert numbers(smallest) == sorted(SIZES, key=SIZES.__getitem__)
    # Five listings of one size, one a page: each once, by id.
    _, tie_place = ingest_own_place(
        stack,
        "ST",
        [
            {"title": f"Apartment {n}", "type": "Apartment", "price": 4_000_000 + n, "size": 133.3, "bedrooms": 2}
            for n in range(5)
        ],
    )
    for order in ("size_desc", "size_asc"):
        ties = [row["id"] for page in pages(tie_place, order=order, limit=1) for row in page]
        assert len(ties) == 5 and ties == sorted(ties), (order, ties)
    # A cursor belongs to its order.
    first = api.get("/api/properties", params={"location": location, "order": "size_desc", "limit": 2}).json()
    crossed = api.get(
        "/api/properties", params={"location": location, "order": "price_desc", "cursor": first["next_cursor"]}
    )
    assert crossed.status_code == 400 and crossed.json()["error"]["code"] == "invalid_cursor", crossed.text
    # A forged cursor whose size or price no listing has is refused, not a server error.
    listing_id = first["results"][0]["id"]
    for order, key in (("size_desc", "1e308"), ("size_asc", "-5"), ("size_desc", "nan"), ("price_asc", "99" * 12)):
        forged = encode_cursor(order, key, listing_id)
        response = api.get("/api/properties", params={"location": location, "order": order, "cursor": forged})
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor", response.text


def test_an_order_it_does_not_know_is_refused(api: httpx.Client) -> None:
    response = api.post("/api/properties/search", json={"query": "villa", "order": "size"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error", response.text


WALK_TYPES = ("Apartment", "Villa", "Chalet", "Duplex")


@pytest.fixture(scope="module")
def two_places(stack: LocalStack) -> tuple[list[str], list[str]]:
    draw = random.Random(20261206)
    compounds = [f"Size Gardens {draw.randrange(10**8)}", f"Size Heights {draw.randrange(10**8)}"]
    locations = []
    for _ in range(2):
        rows = [
            {"title": f"Listing {n}", "type": draw.choice(WALK_TYPES), "price": draw.randrange(1, 9) * 1_000_000,
             "size": draw.choice((90, 150, 240, 410)), "bedrooms": draw.randrange(2, 5),
             "amenities": "pool" if n % 3 == 0 else "", **({"compound": compounds[n % 2]} if n % 4 < 2 else {})}
            for n in range(40)
        ]  # fmt: skip
        locations.append(ingest_own_place(stack, "SW", rows)[1])
    return locations, compounds


@pytest.mark.parametrize(
    "case",
    ["one place", "two places, two types", "two places", "four places (walks by type only)", "one place with a pool",
     "two places, three bedrooms, no chalets", "two compounds", "one place, a price bound", "every type ruled out"],
)  # fmt: skip
def test_the_merged_walks_give_every_match_in_size_order(
    stack_env: dict[str, str], two_places: tuple[list[str], list[str]], case: str
) -> None:
    """Whatever the walks merged (per place and type, per type) or a few compounds sorted whole: the matches in size
    order, or in order of the price of a square metre, with ties by id, each once, against the same listings read
    whole and filtered in Python (satisfies)."""
    (here, there), (gardens, heights) = two_places
    filters = {
        "one place": SearchFilters(locations=[here]),
        "two places, two types": SearchFilters(locations=[here, there], property_types=["Apartment", "Chalet"]),
        "two places": SearchFilters(locations=[here, there]),
        "four places (walks by type only)": SearchFilters(
            locations=[here, there, "Nowhere One", "Nowhere Two"], exclude_property_types=["Duplex"]
        ),
        "one place with a pool": SearchFilters(locations=[here], features=["pool"]),
        "two places, three bedrooms, no chalets": SearchFilters(
            locations=[here, there], bedrooms=3, exclude_property_types=["Chalet"]
        ),
        "two compounds": SearchFilters(compounds=[gardens, heights]),
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
            vector = rows[0]["embedding"].to_numpy()
            for column, descending in itertools.product(("size_sqm", "price_per_sqm"), (True, False)):
                expected = [
                    row["id"]
                    for row in sorted(passing, key=lambda r: ((-r[column] if descending else r[column]), r["id"]))
                ]
                # Walks that meet their matches (1,000 rows each), or stop short after 2 rows (every match sorted).
                for walk_rows in (2, 1_000):
                    found = await repository.by_size(
                        filters,
                        model,
                        vector,
                        len(passing) + 1,
                        descending=descending,
                        walk_rows=walk_rows,
                        column=column,
                    )
                    assert [s.id for s in found] == expected, (case, column, descending, walk_rows)
                    assert all(s.distance is not None and 0 <= s.distance <= 2 for s in found)
                    first = await repository.by_size(
                        filters, model, vector, 3, descending=descending, walk_rows=walk_rows, column=column
                    )
                    assert [s.id for s in first] == expected[:3], (case, column, descending, walk_rows)
                    # Without a query, and a keyset page past the second: the same order, no distance.
                    unranked = await repository.by_size(
                        filters, model, None, 3, descending=descending, walk_rows=walk_rows, column=column
                    )
                    assert [s.id for s in unranked] == expected[:3] and all(s.distance is None for s in unranked)
                    if len(found) > 2:
                        past = (found[1].key, found[1].id)
                        rest = await repository.by_size(
                            filters,
                            model,
                            None,
                            len(passing),
                            descending=descending,
                            after=past,
                            walk_rows=walk_rows,
                            column=column,
                        )
                        assert [s.id for s in rest] == expected[2:], (case, column, descending, walk_rows)
        finally:
            await connection.close()

    asyncio.run(read())


# n -> (price, size): five apartments whose price per square metre orders them otherwise than their price or size, a
# villa with the cheapest metre of all, and an apartment with a cheap metre over the budget.
PER_SQM_ROWS = {1: (3_000_000, 100), 2: (4_000_000, 200), 3: (2_500_000, 50), 4: (6_000_000, 150), 5: (9_000_000, 360),
                6: (8_000_000, 800), 7: (30_000_000, 2_000)}  # fmt: skip
CHEAPEST_METRE_FIRST = [2, 5, 1, 4, 3]  # 20,000, 25,000, 30,000, 40,000, 50,000 a metre


@pytest.fixture(scope="module")
def metre_place(stack: LocalStack) -> tuple[str, str]:
    rows = [
        {"title": f"{'Villa' if n == 6 else 'Apartment'} {n} for sale", "type": "Villa" if n == 6 else "Apartment",
         "price": price, "size": size, "bedrooms": 3}
        for n, (price, size) in PER_SQM_ROWS.items()
    ]  # fmt: skip
    return ingest_own_place(stack, "SM", rows)


@pytest.mark.parametrize(
    ("query", "said", "order", "expected"),
    [
        ("apartment with the lowest price per sqm", "lowest price per sqm", "price_per_sqm_asc", CHEAPEST_METRE_FIRST),
        ("شقة أقل سعر للمتر", "أقل سعر للمتر", "price_per_sqm_asc", CHEAPEST_METRE_FIRST),
        ("sha2a ar5as metr", "ar5as metr", "price_per_sqm_asc", CHEAPEST_METRE_FIRST),
        ("شقة أغلى سعر متر", "أغلى سعر متر", "price_per_sqm_desc", CHEAPEST_METRE_FIRST[::-1]),
        # "أقل سعر" alone is the cheapest listing, not the cheapest metre.
        ("شقة أقل سعر", "أقل سعر", "price_asc", [3, 1, 2, 4, 5]),
    ],
)
def test_the_words_ask_for_every_match_by_the_price_of_a_metre(
    api: httpx.Client, metre_place: tuple[str, str], query: str, said: str, order: str, expected: list[int]
) -> None:
    body = _search(api, metre_place, query)
    assert body["order"] == order and said in body["understood"], body["understood"]
    assert body["applied_filters"]["property_types"] == ["Apartment"]
    numbers = [int(row["source_id"].removeprefix(f"SM-{metre_place[0]}-")) for row in body["results"]]
    assert numbers == expected  # the villa and the apartment over budget left out


def test_the_client_may_order_by_the_price_of_a_metre_with_words_or_without(
    api: httpx.Client, metre_place: tuple[str, str]
) -> None:
    tag, location = metre_place

    def numbers(rows: list[dict[str, Any]]) -> list[int]:
        return [int(row["source_id"].removeprefix(f"SM-{tag}-")) for row in rows]

    first = _search(api, metre_place, "apartment", order="price_per_sqm_asc", limit=2)
    second = _search(api, metre_place, "apartment", order="price_per_sqm_asc", limit=3, cursor=first["next_cursor"])
    assert numbers(first["results"]) + numbers(second["results"]) == CHEAPEST_METRE_FIRST
    assert second["next_cursor"] is None
    # The listing route pages every listing of the place by a keyset cursor holding the price of a metre.
    listed: list[int] = []
    cursor = None
    for _ in range(10):
        page = {
            "location": location,
            "order": "price_per_sqm_desc",
            "limit": 3,
            **({"cursor": cursor} if cursor else {}),
        }
        response = api.get("/api/properties", params=page)
        assert response.status_code == 200, response.text
        listed += numbers(response.json()["results"])
        if (cursor := response.json()["next_cursor"]) is None:
            break
    rate = {n: price / size for n, (price, size) in PER_SQM_ROWS.items()}
    assert listed == sorted(PER_SQM_ROWS, key=lambda n: -rate[n])
    # A cursor of the price-per-metre order belongs to it; a forged one with no such price is refused.
    first_page = api.get("/api/properties", params={"location": location, "order": "price_per_sqm_asc", "limit": 2})
    crossed = api.get(
        "/api/properties",
        params={"location": location, "order": "size_asc", "cursor": first_page.json()["next_cursor"]},
    )
    assert crossed.status_code == 400 and crossed.json()["error"]["code"] == "invalid_cursor", crossed.text
    forged = encode_cursor("price_per_sqm_asc", "99" * 12, first_page.json()["results"][0]["id"])
    response = api.get("/api/properties", params={"location": location, "order": "price_per_sqm_asc", "cursor": forged})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor", response.text


def test_the_profiles_covering_index_holds_every_listing_filters_column(stack_env: dict[str, str]) -> None:
    # The sorts that read the profiles' listings (by_price's and by_size's when a walk stops short) read them from this
    # index alone only when it holds every column a listing filter checks: one missing (the bathrooms, before
    # migration 0015) sends each matching listing to the table (125 ms for 25,000 matches at 1,000,000 listings).
    async def definitions() -> list[str]:
        connection = await asyncpg.connect(stack_env["DATABASE_URL"])
        try:
            rows = await connection.fetch(
                "SELECT indexdef FROM pg_indexes WHERE schemaname = 'search' AND tablename = 'properties' "
                "AND indexdef LIKE '%(profile_key, price)%INCLUDE%'"
            )
            return [row["indexdef"] for row in rows]
        finally:
            await connection.close()

    (index,) = asyncio.run(definitions())
    covered = set(index.split("INCLUDE (")[1].split(")")[0].replace(" ", "").split(",")) | {"profile_key", "price"}
    listing_columns = {rule.column for rule in FILTER_RULES.values() if rule.column not in PROFILE_COLUMNS}
    derived = {"down_payment": {"price", "down_payment_pct"}}  # listing_filters.DERIVED: price × its percentage
    needed = set().union(*(derived.get(column, {column}) for column in listing_columns))
    assert needed - covered == set(), index
