"""The evaluation checks a labelled order: a result that comes after one it should precede does not satisfy the
query."""

from __future__ import annotations

from osool_search.evaluation import _out_of_order


def _page(*sizes: int) -> list[dict[str, object]]:
    return [{"source_id": f"L{n}", "size_sqm": size, "price": 1_000_000 * size} for n, size in enumerate(sizes)]


def test_a_result_out_of_the_labelled_order_is_reported() -> None:
    assert _out_of_order(_page(300, 250, 250, 90), "size_desc") == []
    assert _out_of_order(_page(90, 250, 250, 300), "size_asc") == []
    assert _out_of_order(_page(300, 310, 200), "size_desc") == ["L1: size_sqm 310 after 300 (size_desc)"]
    assert _out_of_order(_page(300, 310, 200), "price_asc") == ["L2: price 200000000 after 310000000 (price_asc)"]
    assert _out_of_order(_page(300, 310, 200), None) == []  # no order labelled: relevance, any order
