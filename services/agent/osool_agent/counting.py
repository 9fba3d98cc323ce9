"""Counts said with their nouns, in English and as Arabic agrees them: the replies' and the finance tools' wording."""

from __future__ import annotations


def counted(n: int, singular: str, plural: str) -> str:
    """An English count and its noun: "1 listing", "3 listings"."""
    return f"{n:,} {singular if n == 1 else plural}"


def counted_ar(n: int, one: str, two: str, few: str, many: str) -> str:
    """An Arabic count and its noun, as Arabic agrees them: the noun alone for one and two ("وحدة واحدة", "وحدتين"),
    the plural after 3 to 10 ("5 وحدات") and the singular after 11 and more ("25 وحدة"); the web client's count()."""
    if n in (1, 2):
        return one if n == 1 else two
    return f"{n:,} {few if 3 <= n % 100 <= 10 else many}"
