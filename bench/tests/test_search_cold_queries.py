"""The cold search benchmark's queries: distinct, in both languages, and each one understood as asking for the listing
it was written from (so the benchmark times searches that find something)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from bench.search.__main__ import _bodies_script
from bench.search.queries import cold_queries
from osool_search.filters import violations
from osool_search.query_parser import is_arabic, parse_query

WRITTEN_FROM = {"max_price", "bedrooms", "property_types", "locations", "min_size_sqm", "max_size_sqm"}


def test_each_query_asks_for_its_listing_and_nothing_else() -> None:
    queries = cold_queries(100_000, 1500)
    for query, listing in queries:
        filters = parse_query(query).filters
        applied = filters.applied()
        assert set(applied) <= WRITTEN_FROM, (query, applied)
        assert {"max_price", "property_types", "locations", "min_size_sqm"} <= set(applied), (query, applied)
        assert violations(listing, filters) == [], (query, listing)
        assert applied["max_price"] <= 1.5 * listing["price"] + 1_000_000  # a budget near the price, not any
    assert len({query for query, _ in queries}) == len(queries)


def test_the_queries_cover_the_tier_in_both_languages() -> None:
    queries = cold_queries(100_000, 1500)
    arabic = sum(is_arabic(query) for query, _ in queries)
    assert 250 <= arabic <= 350  # one template in five
    types = Counter(listing["type"] for _, listing in queries)
    assert len(types) >= 8 and types.most_common(1)[0][0] == "Apartment"
    # Drawn across the whole tier, not its first records.
    assert max(int(listing["source_id"].rsplit("-", 1)[1]) for _, listing in queries) > 90_000


def test_the_same_seed_gives_the_same_queries() -> None:
    assert cold_queries(3500, 50) == cold_queries(3500, 50)
    assert cold_queries(3500, 50) != cold_queries(3500, 50, seed=18)


@pytest.mark.parametrize(
    "orders", [("price_asc", "price_desc"), ("size_desc", "size_asc"), ("price_per_sqm_asc", "price_per_sqm_desc")]
)
def test_an_order_run_asks_for_both_orders_in_turn(orders: tuple[str, str]) -> None:
    script = _bodies_script(["villa in New Cairo", "شقة في المعادي", "chalet in Sahel"], orders_of=orders)
    bodies = [json.loads(json.loads(line.rstrip(","))) for line in script.splitlines() if line.startswith('"')]
    assert [body.get("order") for body in bodies] == [orders[0], orders[1], orders[0]]
    assert [body["query"] for body in bodies] == ["villa in New Cairo", "شقة في المعادي", "chalet in Sahel"]
    plain = _bodies_script(["villa in New Cairo"])
    assert "order" not in json.loads(json.loads(plain.splitlines()[1].rstrip(",")))
