"""The biggest (or smallest) first, when the buyer asks ("the biggest villa", "أكبر شقة", "akbar fella") or the client
does (`order`): every listing that passes the filters in size order, not the biggest of the most relevant, paged by
cursor; through the gateway, on listings of a place of the test's own."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import ingest_own_place

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


def test_an_order_it_does_not_know_is_refused(api: httpx.Client) -> None:
    response = api.post("/api/properties/search", json={"query": "villa", "order": "size"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error", response.text
