"""Grounding: what the user stated and the tools returned, and the checks that keep Amr's words and tool arguments
inside it (a listing, a price or a size not from a tool result is a violation)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydantic import BaseModel

from osool_common import money_words

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
# Written by hand (not the search parser): the agent only needs to know which numbers a text states, in any unit.
# Franco-Arabic units ("3 malayeen", "900 alf") from the shared vocabulary, as the rules brain reads them.
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "الف": 1e3, "ألف": 1e3, "آلاف": 1e3, "الاف": 1e3, "ألاف": 1e3,
    "m": 1e6, "mn": 1e6, "mil": 1e6, "million": 1e6, "millions": 1e6, "مليون": 1e6, "ملايين": 1e6,
    "b": 1e9, "bn": 1e9, "billion": 1e9, "مليار": 1e9, **money_words.SCALE,
}  # fmt: skip
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "واحد": 1, "واحده": 1, "اتنين": 2, "اثنين": 2, "اثنان": 2, "تلات": 3, "تلاته": 3, "ثلاث": 3, "ثلاثه": 3,
    "اربع": 4, "أربع": 4, "اربعه": 4, "خمس": 5, "خمسه": 5, "ست": 6, "سته": 6, "سبع": 7, "تمن": 8, "تسع": 9, "عشر": 10,
    "غرفتين": 2, "اوضتين": 2, "أوضتين": 2, "bedroom": 1,
}  # fmt: skip
_UNIT = "|".join(sorted((re.escape(word) for word in _MULTIPLIERS), key=len, reverse=True))
# A half after the unit ("3 مليون ونص", "3 milyon w nos") or before it ("٣ ونص مليون", "3 w nos milyon"); the rules
# brain reads sums with it too.
HALF = "|".join(("و\\s*نص", "and a half", *(rf"(?:w|we|wi|wa) ?{half}" for half in money_words.HALVES)))
_NUMBER = re.compile(
    rf"(?<![\w.])(\d+(?:[.,]\d+)*)\s*(?:({HALF})\s*(?=(?:{_UNIT})(?![a-z])))?(?:({_UNIT})(?![a-z]))?"
    rf"(\s*(?:{HALF})(?![a-z]))?",
    re.I,
)
_WORD = re.compile(r"[\w']+")
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
# Source ids as brokerages' exports write them (e.g. NCA-000123): letters, a dash, digits.
_SOURCE_ID = re.compile(r"\b[A-Z]{2,6}-\d{3,}\b")
_CURRENCY = r"(?:egp|le|l\.e\.|e£|pounds?|جنيه|ج\.م|جم)"
_MONEY = re.compile(
    rf"(?:{_CURRENCY}\s*(\d[\d.,]*)\s*({_UNIT})?(?![a-z²])|(\d[\d.,]*)\s*({_UNIT})(?![a-z²])(?:\s*{_CURRENCY})?"
    rf"|(\d[\d.,]*)\s*{_CURRENCY})",
    re.I,
)
_SIZE = re.compile(r"(\d[\d.,]*)\s*(?:m²|m2|sqm|sq\.? ?m|square met(?:er|re)s?|متر|م²|م2)", re.I)
_LIST_MARKER = re.compile(r"\s*\d{1,2}\.\s*")
_BOUNDARY = re.compile(r"[.!?؟]+(?:\s+|$)|\n+")

RepairKind = Literal["listing", "price", "size", "argument"]


def normalise_digits(text: str) -> str:
    return text.translate(_DIGITS)


def to_number(raw: str) -> float | None:
    """'8,000,000' → 8e6; '7.5' and '7,5' → 7.5 (a comma before exactly three digits groups thousands)."""
    text = raw.strip(".,")
    if not text:
        return None
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?", text):
        text = text.replace(",", "")
    elif text.count(",") == 1 and "." not in text:
        text = text.replace(",", ".")
    try:
        return float(text)
    except ValueError:
        return None


def stated_numbers(text: str) -> set[float]:
    """Every value a person's text states, read generously: '25 to 40 million' states 25, 25M, 40 and 40M."""
    folded = normalise_digits(text).lower()
    values: set[float] = set()
    wide = [mult for word, mult in _MULTIPLIERS.items() if len(word) > 2 and word in folded]
    for match in _NUMBER.finditer(folded):
        value = to_number(match.group(1))
        if value is None:
            continue
        values.add(value)
        multiplier = _MULTIPLIERS.get((match.group(3) or "").lower())
        half = 0.5 if match.group(2) or match.group(4) else 0.0
        if multiplier:
            values.add((value + half) * multiplier)
        for mult in wide:  # a unit said once for a range: "between 25 and 40 million", "من 2 ونص ل 3 ونص مليون"
            values.update((value * mult, (value + half) * mult))
    for word in _WORD.findall(folded):
        if word in _NUMBER_WORDS:
            values.add(float(_NUMBER_WORDS[word]))
    return values


def _close(value: float, known: Iterable[float], tolerance: float = 0.01) -> bool:
    return any(abs(value - k) <= max(abs(k) * tolerance, 0.5) for k in known)


@dataclass
class Facts:
    """What this conversation may state: listing references and numbers from tool results, numbers from the user."""

    listing_ids: set[str] = field(default_factory=set)
    source_ids: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    numbers: set[float] = field(default_factory=set)
    user_numbers: set[float] = field(default_factory=set)

    def add_user_text(self, text: str) -> None:
        self.user_numbers |= stated_numbers(text)

    def add_tool_result(self, result: Any) -> None:
        for key, value in _walk(result.model_dump(mode="json") if isinstance(result, BaseModel) else result):
            if isinstance(value, bool):
                continue
            if isinstance(value, int | float):
                self.numbers.add(float(value))
            elif isinstance(value, str):
                if key in ("id", "property_id"):
                    self.listing_ids.add(value.lower())
                elif key == "source_id":
                    self.source_ids.add(value)
                elif key == "title":
                    self.titles.add(value)
                elif key == "query":  # a search in the buyer's own words (a saved one may be of another day)
                    self.user_numbers |= stated_numbers(value)
                elif key == "why":  # a contract review's reasons state its figures in words (instalments' total)
                    self.numbers |= stated_numbers(value)

    def allows(self, value: float) -> bool:
        return _close(value, self.numbers) or _close(value, self.user_numbers)


def _walk(value: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for name, item in value.items():
            yield from _walk(item, str(name))
    elif isinstance(value, list):
        for item in value:
            yield from _walk(item, key)
    else:
        yield key, value


@dataclass(frozen=True)
class Violation:
    kind: RepairKind
    detail: str
    sentence: str


def _amount(number: str, unit: str | None) -> float | None:
    value = to_number(number)
    if value is None:
        return None
    return value * _MULTIPLIERS.get((unit or "").lower(), 1.0)


def sentence_violations(sentence: str, facts: Facts) -> list[Violation]:
    """Why this sentence may not leave the service: a listing or a number that no tool result or user stated."""
    text = normalise_digits(sentence)
    found: list[Violation] = []
    for listing_id in _UUID.findall(text):
        if listing_id.lower() not in facts.listing_ids:
            found.append(Violation("listing", f"listing {listing_id} was not returned by a tool", sentence))
    for source_id in _SOURCE_ID.findall(text):
        if source_id not in facts.source_ids:
            found.append(Violation("listing", f"listing {source_id} was not returned by a tool", sentence))
    # Ids are not amounts: their digits are blanked out before numbers are read.
    text = _SOURCE_ID.sub(lambda m: " " * len(m.group(0)), _UUID.sub(lambda m: " " * len(m.group(0)), text))
    sizes = [(match.span(), to_number(match.group(1))) for match in _SIZE.finditer(text)]
    for _, size in sizes:
        if size is not None and not facts.allows(size):
            found.append(Violation("size", f"{size:g} m² is not in the tool results", sentence))
    for match in _MONEY.finditer(text):
        if any(start <= match.start() < end for (start, end), _ in sizes):
            continue  # "150 m²" read as "150 m(illion)" is a size, already checked
        number, unit = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        if number is None:
            number, unit = match.group(5), None
        amount = _amount(number, unit)
        if amount is not None and amount >= 1000 and not facts.allows(amount):
            found.append(Violation("price", f"{number}{unit or ''} is not in the tool results", sentence))
    return found


def split_sentences(text: str) -> list[str]:
    """Sentences with their trailing punctuation and whitespace, so joining them gives the text back. A full stop
    ends a sentence only before whitespace or the end ("7.98M" is one number)."""
    parts, start = [], 0
    for match in _BOUNDARY.finditer(text):
        if _LIST_MARKER.fullmatch(text[start : match.end()]):
            continue  # "1. " numbers a list item: it belongs with the item's text
        parts.append(text[start : match.end()])
        start = match.end()
    if start < len(text):
        parts.append(text[start:])
    return [part for part in parts if part]


def ground_reply(text: str, facts: Facts) -> tuple[str, list[Violation]]:
    """The reply without its ungrounded sentences, and what was wrong with them."""
    kept: list[str] = []
    violations: list[Violation] = []
    for sentence in split_sentences(text):
        problems = sentence_violations(sentence, facts)
        if problems:
            violations.extend(problems)
        else:
            kept.append(sentence)
    return "".join(kept).strip(), violations


# Tool argument fields that carry a number the user must have stated (the local model invents them).
GROUNDED_ARGUMENTS: dict[str, RepairKind] = {
    "bedrooms": "argument", "min_price": "argument", "max_price": "argument", "min_size_sqm": "argument",
    "max_size_sqm": "argument", "size_sqm": "argument", "property_price": "argument", "loan_amount": "argument",
    "monthly_income": "argument", "annual_rent": "argument", "monthly_rent": "argument",
    "max_down_payment": "argument",
}  # fmt: skip


def ground_arguments(arguments: dict[str, Any], facts: Facts) -> tuple[dict[str, Any], list[str]]:
    """The arguments without the numbers nobody stated: a value must come from the user or from a tool result."""
    kept, dropped = {}, []
    for name, value in arguments.items():
        if (
            name in GROUNDED_ARGUMENTS
            and isinstance(value, int | float)
            and not isinstance(value, bool)
            and not facts.allows(float(value))
        ):
            dropped.append(name)
            continue
        kept[name] = value
    return kept, dropped
