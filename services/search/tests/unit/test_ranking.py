"""Reciprocal-rank fusion: the scores, and an order that is the same on every replica whatever the candidates' order."""

from __future__ import annotations

import random
import uuid

import pytest

from osool_search.ranking import RRF_K, WEIGHTS, fuse
from osool_search.repository import Candidate


def _id(n: int) -> uuid.UUID:
    return uuid.UUID(int=n)


def test_each_ranking_adds_its_weight_over_rrf_k_plus_the_position() -> None:
    a = Candidate(_id(1), 0.10, 0.5, None)  # first by meaning, second by words
    b = Candidate(_id(2), 0.30, 0.9, 0.8)  # second by meaning, first by words and by title
    ranked = {r.id: r for r in fuse([a, b])}
    assert ranked[a.id].score == round(WEIGHTS["semantic"] / (RRF_K + 1) + WEIGHTS["text"] / (RRF_K + 2), 6)
    assert ranked[b.id].score == round(
        WEIGHTS["semantic"] / (RRF_K + 2) + WEIGHTS["text"] / (RRF_K + 1) + WEIGHTS["title"] / (RRF_K + 1), 6
    )
    assert ranked[a.id].similarity == 0.9
    assert ranked[b.id].similarity == 0.7
    assert [r.id for r in fuse([a, b])] == [b.id, a.id]


def test_a_candidate_without_a_signal_gets_nothing_for_it() -> None:
    words_only = Candidate(_id(1), None, 0.4, None)  # found by its words, not among the nearest
    zero_rank = Candidate(_id(2), 0.2, 0.0, 0.0)  # a zero text rank or title similarity is no signal
    ranked = {r.id: r for r in fuse([words_only, zero_rank])}
    assert ranked[words_only.id].similarity == 0.0
    assert ranked[words_only.id].score == round(WEIGHTS["text"] / (RRF_K + 1), 6)
    assert ranked[zero_rank.id].score == round(WEIGHTS["semantic"] / (RRF_K + 1), 6)


def test_listings_of_one_profile_share_a_distance_and_are_ordered_by_id() -> None:
    # Same vector, no words: equal in every ranking, so the id decides, as text (the order every replica agrees on).
    ids = [_id(n) for n in (0xF0, 0x0A, 0xC3, 0x11)]
    ranked = fuse([Candidate(i, 0.25, None, None) for i in ids])
    assert [r.id for r in ranked] == sorted(ids, key=str)
    # Within the semantic ranking too: the first by id takes position 1, so a higher score.
    assert ranked[0].score > ranked[1].score > ranked[2].score > ranked[3].score


@pytest.mark.parametrize("seed", range(5))
def test_the_order_does_not_depend_on_the_candidates_order(seed: int) -> None:
    chance = random.Random(seed)
    candidates = [
        Candidate(
            uuid.UUID(int=chance.getrandbits(128)),
            chance.choice([0.1, 0.2, None, chance.random()]),
            chance.choice([None, 0.0, 0.3, chance.random()]),
            chance.choice([None, 0.0, 0.5, chance.random()]),
        )
        for _ in range(60)
    ]
    first = fuse(candidates)
    chance.shuffle(candidates)
    assert fuse(candidates) == first
    assert [(r.score, r.similarity) for r in first] == sorted(((r.score, r.similarity) for r in first), reverse=True)
