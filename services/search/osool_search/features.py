"""A listing's features and amenities (a pool, a garden, a sea view, near the AUC), read at ingest from its title and
description in English, Egyptian Arabic or Franco-Arabic, with the same words a buyer's query is read with.

A mention that is ruled out is not a feature: "no pool", "without a garden", "بدون جراج", and "room for a pool" (a
plot where one could be built) are left out. One alternation per language of every feature phrase is scanned once
over the folded text, so extraction stays linear in the length of the description (about 25 µs for a demo listing)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable

from osool_search.gazetteer import FEATURES
from osool_search.normalise import clean_query, fold

# Every phrase of every feature, longest first so "roof terrace" is read before "terrace"; words only (a phrase inside
# a longer word, "pool" in "Liverpool", is not one). Arabic phrases may carry an attached particle or article.
_BY_PHRASE: dict[str, str] = {}
for _feature, _phrases in FEATURES.items():
    for _phrase in _phrases:
        _BY_PHRASE.setdefault(fold(_phrase), _feature)
_ALTERNATION = "|".join(re.escape(p) for p in sorted(_BY_PHRASE, key=len, reverse=True))
_PATTERN = re.compile(rf"(?<![\w'])(?:[وبلفك]?(?:ال)?)?({_ALTERNATION})(?![\w])")
# What rules a mention out when it comes right before it.
_RULED_OUT = re.compile(
    fold(
        r"(?:\b(?:no|not|without|non|room for|space for|possibility of|possibility to add|can add|option for)"
        r"|بدون|مفيش|مافيش|من غير|بلا|إمكانية|امكانية|مكان ل|مساحة ل)"
        r"(?: (?:a|an|the|any|private|own|شقة|خاص|خاصة))? ?(?:ال)?$"
    )
)
# Names that hold a feature word but are not the feature.
_NOT_A_FEATURE = re.compile(r"garden city|gardens|golf club|club road|" + fold(r"جاردن سيتي"))


# What listings are read with, in one fingerprint: every phrase and its feature, and the rules around them. A database
# whose listings were read with another has them read again when the service starts (main.py). Raise READER_VERSION
# when the reading changes in code alone (clean_query, fold, the loop below).
READER_VERSION = 1
VOCABULARY = hashlib.sha256(
    json.dumps(
        [READER_VERSION, sorted(_BY_PHRASE.items()), _PATTERN.pattern, _RULED_OUT.pattern, _NOT_A_FEATURE.pattern],
        ensure_ascii=False,
    ).encode()
).hexdigest()[:16]


def extract_features(*texts: str | None, stated: Iterable[str] = ()) -> list[str]:
    """The features a listing's texts mention, with those a source stated in a column of its own, sorted (a listing's
    features are a set; sorted, the same listing always stores and hashes the same)."""
    found = {feature for feature in stated if feature in FEATURES}
    for text in texts:
        if not text:
            continue
        folded = fold(clean_query(text))
        masked = _NOT_A_FEATURE.sub(lambda m: " " * len(m.group()), folded)
        for match in _PATTERN.finditer(masked):
            before = masked[max(0, match.start() - 30) : match.start()]
            if _RULED_OUT.search(before):
                continue
            found.add(_BY_PHRASE[match.group(1)])
    return sorted(found)


def listing_features(title: str, description: str, stated: Iterable[str]) -> list[str]:
    """A listing's features: those its source states in a column of its own (canonical names, or words such as
    "pool, garden" and "حمام سباحة - جراج") and those its title and description mention."""
    stated = list(stated)
    words = [re.sub(r"[,;/|+\-–]+", " . ", s) for s in stated if s not in FEATURES]
    return extract_features(title, description, *words, stated=[s for s in stated if s in FEATURES])
