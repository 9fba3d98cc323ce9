"""A search over several places takes them in turn: each place's best listing, then each one's second, the fused
order standing within a place."""

from __future__ import annotations

import uuid

from osool_search.ranking import Ranked, spread_over_places


def _ranked(n: int) -> Ranked:
    return Ranked(uuid.UUID(int=n), round(1 - n / 100, 6), 0.5)


def test_each_place_in_turn_in_the_order_of_its_best_listing() -> None:
    ranked = [_ranked(n) for n in range(7)]
    named = ["Zayed", "Zayed", "Zayed", "October", "Zayed", "Maadi", "October"]
    places = {r.id: place for r, place in zip(ranked, named, strict=True)}
    spread = spread_over_places(ranked, places)
    assert [places[r.id] for r in spread] == ["Zayed", "October", "Maadi", "Zayed", "October", "Zayed", "Zayed"]
    # Within a place the fused order stands, and nothing is lost or repeated.
    assert [r.id.int for r in spread if places[r.id] == "Zayed"] == [0, 1, 2, 4]
    assert sorted(r.id.int for r in spread) == list(range(7))


def test_one_place_keeps_the_fused_order() -> None:
    ranked = [_ranked(n) for n in range(5)]
    assert spread_over_places(ranked, {r.id: "New Cairo" for r in ranked}) == ranked
