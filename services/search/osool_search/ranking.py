"""Hybrid ranking: reciprocal-rank fusion of the semantic, full-text and title rankings of the candidates."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from osool_search.repository import Candidate

# The constant of Cormack et al. (2009): large enough that a first place in one list does not drown the others.
RRF_K = 60
# Semantic similarity is the backbone; words typed by the buyer (a compound, "garden", "sea view") add to it.
WEIGHTS = {"semantic": 1.0, "text": 1.0, "title": 0.5}


@dataclass(frozen=True)
class Ranked:
    id: uuid.UUID
    score: float
    similarity: float


def _ranks(values: dict[uuid.UUID, float], *, descending: bool) -> dict[uuid.UUID, int]:
    ordered = sorted(values.items(), key=lambda item: ((-item[1] if descending else item[1]), str(item[0])))
    return {listing_id: position for position, (listing_id, _) in enumerate(ordered, start=1)}


def fuse(candidates: Sequence[Candidate]) -> list[Ranked]:
    """Best first; ties broken by similarity, then id, so the order is the same on every replica and every page."""
    semantic = _ranks({c.id: c.distance for c in candidates if c.distance is not None}, descending=False)
    text = _ranks({c.id: c.text_rank for c in candidates if c.text_rank}, descending=True)
    title = _ranks({c.id: c.title_similarity for c in candidates if c.title_similarity}, descending=True)
    ranked = []
    for c in candidates:
        score = 0.0
        for name, ranks in (("semantic", semantic), ("text", text), ("title", title)):
            if c.id in ranks:
                score += WEIGHTS[name] / (RRF_K + ranks[c.id])
        similarity = 1.0 - c.distance if c.distance is not None else 0.0
        ranked.append(Ranked(c.id, round(score, 6), round(similarity, 4)))
    ranked.sort(key=lambda r: (-r.score, -r.similarity, str(r.id)))
    return ranked
