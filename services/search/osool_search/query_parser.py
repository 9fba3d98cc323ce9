"""The natural-language query parser: a buyer's English or Egyptian Arabic question to SearchFilters, plus the words
left over for full-text and semantic matching.

How it reads what the wording leaves open (each choice is pinned by a test):
- Money: "8M", "8.5 million", "500k", "8,000,000 EGP", "8 مليون ونص", "2 مليون و500 ألف". A bare amount is a maximum
  budget; "around 6M" / "في حدود 6 مليون" is a ±10% band. An English "m" after a number means millions
  ("150m" is 150 million): sizes need a size unit ("150 m2", "150 sqm", "150 meters", "150 متر", "150 م"), unless a
  size word or a comparison only a size takes comes first ("size 300m", "مساحة 200", "bigger than 300m", "أكبر من
  150"): then "m" is metres and the unit may be left out, and a money unit after the number keeps it money. A bare
  "m" is metres too where millions cannot be meant: from 250 ("villa 300m"), from 50 for a flat ("apartment 90m"),
  or when the budget is said in words ("villa 200m under 30 million"); "budget 300m" stays money. A number
  without a unit counts as money only from 10,000 up (1,000 up for a monthly amount), or right after "budget" /
  "ميزانية", where a number under 100 means millions.
- Monthly amounts ("monthly under 50k", "40k a month", "قسط شهري أقل من 50 ألف") set max_monthly_installment only.
- Sizes: a bare size ("150 sqm") or "around 150 sqm" is a ±15% band widened to whole metres (127-173).
- Bedrooms: "3+", "at least 3", "3 or more" → min_bedrooms 3; "more than 3" → min 4; "2-3 bedrooms", "2 bedrooms or
  3" → min 2, max 3; "up to 2", "2 or less" → max_bedrooms 2; "less than 3" → max 2. A studio has no bedroom: "studio
  or 1 bedroom" is studios and flats of at most one bedroom (Studio and Apartment, max_bedrooms 1).
- Cash: "cash" / "كاش" is how the buyer pays, and any listing can be bought for cash, so it filters nothing
  (is_cash_only describes listings that refuse installments). "installments" / "تقسيط" with no term sets
  is_cash_only=False, unless a term, a monthly amount or a down payment already rules cash-only listings out.
- Installment terms: "8 years installments", "over 8 years", "up to 10 years", "على 8 سنين", and a bare "8 years"
  (Egyptian shorthand for the plan) → min_installment_years 8; not after delivery words ("delivery in 3 years").
- Delivery: "by 2027" / "by end of 2027" / "before 2028" → max_delivery_year 2027; "after 2027" is recognised but is
  no filter (there is no minimum year); a lone year 2024-2040 is a delivery year. Counted from now, "delivery in 2
  years" / "استلام بعد سنتين" / "delivery next year" → max_delivery_year this year + 2 (+ 1). "October 2026" is a date,
  "6 October" and "in October" are the city.
- Places: the longest phrase wins across areas, compounds and developers ("Palm Hills October" is the compound, not
  the developer plus the city). A phrase naming both an area and a compound ("Madinaty") is the area; one naming a
  compound and a developer ("Hyde Park") is the compound; a developer named beside one of its own compounds is
  dropped as redundant (scraped listings do not always carry the developer). "lake view" / "mountain view" after
  "with" / "a" / "nice" are views, not the compound or the developer; "الخامس" after "الدور" is a floor. A region
  ("Giza", "شرق القاهرة", "fel geeza") is a location the filters replace by its places; named beside one of its own
  places it only says where that place is ("Dokki, Giza" is Dokki). A place and one of its own compounds offered as
  alternatives ("Sokhna or Galala", "الساحل ولا مراسي") are the whole place. A road or landmark named after a city ("the
  Cairo-Alex road", "جامعة القاهرة") is read over: its words stay in the text and are no place.
- Down payment: "10% down", "مقدم 10٪" → max_down_payment_pct 10; "no down payment" / "بدون مقدم" → 0; a down
  payment given as an amount, before or after its words ("down payment 500k", "500 ألف مقدم", "mo2adam nos milyon")
  → max_down_payment (pounds: a listing's price times its share), never the budget; "about 500k" is up to 550k.
- Negation: a type, place, compound, developer or finishing after a cue ("not a villa", "no villas", "except", "anything
  but", "other than", "excluding", "without", "not in Sheikh Zayed", "outside New Cairo", "nothing by Emaar", "no
  compounds from Emaar", "مش عايز فيلا", "غير الفيلات", "ماعدا", "إلا", "بلاش", "من غير", "مش في الشيخ زايد", "بعيد عن
  التجمع", "مش من اعمار") is ruled out (exclude_*) and never wanted, even when the query also names it ("apartment or
  villa ... not a villa"). Between the cue and the phrase: articles (a type), "in" / "في" (a place), "compounds from" /
  "من" / "in a" / "في كمبوند" (a developer). A joiner carries the cue on ("no villas or townhouses", "مش فيلا ولا
  تاون"); a comma ends it ("no villas, apartments"). A negated sale type or delivery state is the other one, "not cash"
  is installments. A finishing right after a negated type is what is ruled out, the type is wanted ("مش عايز شقة
  مفروشة", Arabic's adjective after its noun, reads as "not a furnished apartment"). A negated cue is no negation: "not
  far from New Cairo", "مش عايز غير شقة" (only an apartment). The whole negation is one entry of `understood` ("not a
  villa"). A negated feature ("no pool", "من غير جنينة") is ruled out the same way (exclude_features).
- Compounds: "in a compound" / "في كمبوند" / "fe compound" → in_compound (any compound; the words stay in the text);
  "not in a compound" / "برة الكمبوند" / "no compound villas" → outside every compound. A name after the words is the
  negation's: "مش في كمبوند بالم هيلز" rules the developer out and says nothing of compounds in general.
- Floors: "ground floor", "3rd floor", "floor 3", "الدور التالت", "الطابق الثالث", "الدور 3", "أرضي", "el dor el
  talet" → floors; two floors with one floor word ("ground or first floor", "first or fifth floor", "الدور التاني أو
  الخامس") are both.
  "anything but ground floor", "مش دور أرضي", "mesh dor ardy", "not on the ground or first floor" → exclude_floors (a
  listing whose floor is not known, a house, is not ruled out). "high floor" / "دور عالي" → min_floor 5 and "low floor"
  / "دور واطي" → max_floor 2 (a decision: most Cairo buildings have five to twelve floors); negated, the other side
  ("not a high floor" → max_floor 4). A bound before or after one floor makes it a range: "above the 3rd floor" / "فوق
  الدور التالت" / "fo2 el dor el talet" → min_floor 4, "below the 5th" → max_floor 4, "up to the 3rd" / "لحد الدور
  التالت" / "3rd floor or lower" / "الدور التالت او اقل" → max_floor 3, "from the 3rd" / "3rd floor or higher" /
  "الدور التالت وطالع" → min_floor 3; "not above the 2nd floor" → max_floor 2. "Basement" / "بدروم" is the feature
  (a villa's), and "top floor" / "الدور الأخير" is no filter (a listing does not say how high its building is): both
  stay in the text.

- Franco-Arabic and misspellings: a Latin word is read as an Arabic name of the gazetteer it spells ("tagamo3 el
  5ames", franco.py), a misspelt name's word as the one name word nearest to it ("appartment", spelling.py), a
  misspelt Latin word of a feature or finishing likewise unless it is an English word ("balcny", not "tools"); such a
  name is one entry of `understood` with an arrow to its canonical name ("appartment → Apartment"; "mesh fella → not
  Villa" when it is ruled out). A known word, an everyday English word or a word as near to two names is never
  respelt.

Everything runs on a normalised copy of the query of the same length (lower case, ASCII digits, one Arabic spelling
of alef, taa marbuta and alef maqsura), so a recognised span maps straight back to the buyer's own words. Regexes are
compiled once; none nests quantifiers, numbers only start where a digit run starts, and whitespace is collapsed first,
so every pass is linear in the length of the query.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from itertools import product
from typing import Any

from pydantic import ValidationError

from osool_common import money_words
from osool_search import franco
from osool_search.filters import EXCLUSIONS, SearchFilters
from osool_search.gazetteer import (
    AREA_PARTS,
    AREA_SPELLINGS,
    AREAS,
    DEVELOPERS,
    FEATURES,
    FINISHINGS,
    FLOOR_HEIGHTS,
    FLOOR_PAIRS,
    FLOORS,
    LANDMARKS,
    PLACES,
    PROPERTY_TYPES,
    REGION_LOCATIONS,
    REGION_PLACES,
    REGIONS,
    SALE_TYPE_PHRASES,
)
from osool_search.normalise import FOLD, clean_query, fold
from osool_search.spelling import SpellingIndex, english_words


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    filters: SearchFilters
    # The query without the phrases that became filters, for full-text and semantic matching.
    text: str
    # The buyer's own phrases that were recognised, in the order they were read (also those that filter nothing,
    # such as "cash"), for logs and for an "I understood" line in a client.
    understood: tuple[str, ...] = ()
    # The text without the words of the features asked for: what ranks the listings once every one of those features
    # is a filter (each listing then has them, and matching their words again would only cost a scan).
    text_without_features: str | None = None
    # The order the words ask for ("the cheapest": price_asc, "أغلى": price_desc, "the biggest": size_desc, "أصغر":
    # size_asc, "cheapest per sqm", "أرخص شقة للمتر": price_per_sqm_asc); None for relevance.
    order: str | None = None
    # The regions the words ask for ("Giza", "شرق القاهرة"), whose places filters.locations lists among its own.
    regions: tuple[str, ...] = ()
    # A sum said in another currency ("under 100k dollars"): its code (USD, EUR, ...); it filters nothing.
    currency: str | None = None

    def ranking_text(self, applied: SearchFilters) -> str:
        """The words the full-text branch matches, given the filters the search applies: a feature's words stay while
        some feature this query asked for is not among them (no listing passing the rest has it, or the request's
        own filters replaced the parsed ones), so listings that mention something like it still rank first."""
        asked = set(self.filters.features or ())
        if self.text_without_features is not None and asked <= set(applied.features or ()):
            return self.text_without_features
        return self.text


# ---- normalisation (normalise.py) ----


def _fold_pattern(pattern: str) -> str:
    # Patterns are written with everyday Arabic spelling and matched against folded text; lower-casing a pattern
    # would break escapes such as \S, so only the letter and digit fold applies.
    return pattern.translate(FOLD)


# A word starts after a non-word character or after a one-letter Arabic particle written onto it ("وبدون مقدم").
_WORD_START = r"(?:(?<!\w)|(?<=(?<!\w)[وبلفك]))"


def _words(*phrases: str, attached: bool = False) -> str:
    """An alternation of literal phrases that prefers the longest, each bounded as a whole word where it starts or
    ends with one; spaces inside a phrase match the single space the cleaned text has. An `attached` phrase may
    follow the previous word or number directly ("8m", "3br", "ونص")."""
    folded = {fold(p) for p in phrases}
    worded = sorted(p for p in folded if p[0].isalnum())
    symbols = sorted(p for p in folded if not p[0].isalnum())
    parts = []
    if worded:
        parts.append(("" if attached else _WORD_START) + _trie(worded))
    if symbols:
        parts.append(_trie(symbols))
    return "(?:" + "|".join(parts) + ")"


def _trie(phrases: list[str]) -> str:
    # The phrases as a character trie: the regex engine skips a branch on its first character alone, so a position
    # costs a few comparisons however many phrases there are. The shorter phrase is the last branch, so the longer
    # one is tried first.
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for char in phrase:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, Any], last: str) -> str:
        branches = [re.escape(char) + emit(child, char) for char, child in node.items() if char]
        if "" in node:
            branches.append(r"(?!\w)" if last.isalnum() else "")
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")"

    return emit(root, "")


# Where a phrase may start: at the start of a word, after a one-letter Arabic particle ("وبدون مقدم"), or at a digit
# ("ب٤ مليون"). Checked first, it lets the engine leave the middle of a word after one or two comparisons.
_PHRASE_START = rf"(?:{_WORD_START}|(?=[0-9]))"


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile(_fold_pattern(f"{_PHRASE_START}(?:{pattern})"))


# ---- numbers ----

_WORD_NUMBERS: dict[str, int] = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "واحد": 1,
    "واحدة": 1,
    "اتنين": 2,
    "اثنين": 2,
    "اثنان": 2,
    "تلات": 3,
    "تلاتة": 3,
    "ثلاث": 3,
    "ثلاثة": 3,
    "اربع": 4,
    "أربع": 4,
    "أربعة": 4,
    "خمس": 5,
    "خمسة": 5,
    "ست": 6,
    "ستة": 6,
    "سبع": 7,
    "سبعة": 7,
    "تمن": 8,
    "تمان": 8,
    "تمانية": 8,
    "تمنية": 8,
    "ثمان": 8,
    "ثماني": 8,
    "ثمانية": 8,
    "تسع": 9,
    "تسعة": 9,
    "عشر": 10,
    "عشرة": 10,
    **franco.NUMBERS,
}
_WORD_NUMBER_VALUES = {fold(k): v for k, v in _WORD_NUMBERS.items()}
# Digits start only where a digit run starts (the look-behind), which keeps a long run of digits linear. A comma
# followed by exactly three digits groups thousands; followed by one or two it is a decimal comma ("8,5 million").
# Not after a Latin letter, where the digit is a letter of Franco-Arabic ("tagamo3 milyon" is no 3 million), except
# a currency written onto the number ("egp5m").
_DIGITS = (
    r"(?<![0-9.])(?:(?<![a-z])|(?<=egp)|(?<=le))(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+|,[0-9]{1,2}(?![0-9]))?"
)
_NUMBER_WORDS = _words(*_WORD_NUMBERS)
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])")


def _number(tag: str) -> str:
    return rf"(?P<{tag}>{_DIGITS}|{_NUMBER_WORDS})"


def _to_number(raw: str) -> float | None:
    if raw in _WORD_NUMBER_VALUES:
        return float(_WORD_NUMBER_VALUES[raw])
    if "," in raw:
        raw = raw.replace(",", "") if _GROUPED.match(raw) else raw.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _is_word_number(raw: str) -> bool:
    return raw in _WORD_NUMBER_VALUES


# ---- comparators, shared by money, sizes and the rest ----

_MAX = _words(
    "under", "below", "less than", "lower than", "cheaper than", "smaller than", "max", "maximum", "max of",
    "maximum of", "up to", "upto", "within", "not more than", "no more than", "not over", "not exceeding", "at most",
    "<", "<=", "≤", "بأقل من", "أقل من", "اقل من", "تحت", "لحد", "لغاية", "حتى", "بحد أقصى", "حد أقصى", "كحد أقصى",
    "ماكس", "مش أكتر من", "مش أكثر من", "ما يزيدش عن", "مايزيدش عن", "لا يزيد عن", "أصغر من", *franco.AT_MOST,
    "max price", "maximum price", "max price of", "price max", "highest price", "أقصى سعر", "أعلى سعر",
)  # fmt: skip
_BUDGET = _words(
    "budget", "budget of", "budget is", "my budget is", "budget up to", "budget max", "max budget", "maximum budget",
    "total budget", "ميزانية", "ميزانيتي",
    "بميزانية", "الميزانية", "ميزانيه لحد", "ميزانيتي لحد",
    # "if I increase my budget to 12", "my budget can go up to 12M", "ممكن أزود الميزانية لـ 12"
    "budget to", "budget goes up to", "budget can go up to", "budget could go up to", "budget can go to",
    "الميزانية لـ", "الميزانية ل", "الميزانيه ل",
)  # fmt: skip
_MIN = _words(
    "over", "above", "more than", "greater than", "higher than", "bigger than", "larger than", "at least", "min",
    "minimum", "min of", "minimum of", "not less than", "no less than", "starting from", "starting at", "starts from",
    "from", ">", ">=", "≥", "أكتر من", "أكثر من", "فوق", "على الأقل", "من أول", "ابتداء من", "يبدأ من", "لا يقل عن",
    "مش أقل من", "ما يقلش عن", "أكبر من", "من", *franco.AT_LEAST,
    "min price", "minimum price", "min price of", "price min", "lowest price", "starting price", "أقل سعر",
)  # fmt: skip
_AROUND = _words(
    "around", "about", "approximately", "approx", "roughly", "circa", "~", "something like", "in the range of",
    "في حدود", "فى حدود", "حوالي", "بحوالي", "تقريبا", "حدود", *franco.AROUND,
)  # fmt: skip
_POST_MAX = _words(
    "max", "maximum", "or less", "or below", "or under", "tops", "at most", "at max", "بالكتير", "أو أقل", "او اقل",
    "كحد أقصى", "بحد أقصى", "ماكس", "aw a2al", "bel kteer", "bel kitir", "ka7ad a2sa",
)  # fmt: skip
_POST_MIN = _words(
    "or more", "or above", "and above", "and up", "and more", "plus", "+", "or bigger", "أو أكتر", "أو أكثر",
    "وأكتر", "فأكثر", "فأكتر", "وفوق", "على الأقل", "aw aktar", "aw akter", "w aktar", "we aktar", "w enta tale3",
    "we enta tale3", "wenta tale3", "w tale3", "w fo2", "3al a2al", "3ala el a2al", "3la el a2al",
)  # fmt: skip
_POST_AROUND = _words("or so", "ish", "-ish", "تقريبا", "بالتقريب", "ta2riban", "ta2reban", "t2reban")
_THE = r"(?: ?ال)?"  # "تحت الـ ٨ مليون": the tatweel is gone, the article stays


# ---- the pass machinery ----

_MASK = "\x00"  # never in cleaned text (control characters became spaces), and not a word or space character
_MAX_UNDERSTOOD = 40


class _Scan:
    """One query being read: the folded text with every claimed span masked, and what was found so far."""

    __slots__ = (
        "features", "flags", "named", "norm", "order", "source", "spans", "types", "understood", "values", "work",
    )  # fmt: skip

    def __init__(self, source: str) -> None:
        self.source = source
        self.norm = fold(source)
        self.work = self.norm
        # (start, end, remove): remove=False keeps the words in the text but stops later passes reading them.
        self.spans: list[tuple[int, int, bool]] = []
        # The spans of the features asked for (kept in the text; see ParsedQuery.text_without_features).
        self.features: list[tuple[int, int]] = []
        self.values: dict[str, Any] = {}
        self.understood: list[tuple[int, str]] = []
        self.flags: set[str] = set()
        # The order the words ask for, the first said ("the cheapest": price_asc, "the biggest": size_desc); not a
        # filter.
        self.order: str | None = None
        # The places and compounds asked for, where they stand: (start, end, field, name).
        self.named: list[tuple[int, int, str, str]] = []
        # The types asked for, where they stand: (start, end, type).
        self.types: list[tuple[int, int, str]] = []

    def run(self, pattern: re.Pattern[str], handler: Callable[[re.Match[str], _Scan], _Take]) -> None:
        claimed: list[tuple[int, int]] = []
        for match in pattern.finditer(self.work):
            take = handler(match, self)
            if take is None:
                continue
            start, end, _ = take
            claimed.append((start, end))
            self.spans.append(take)
            said = self.understood and self.understood[-1][0] == start  # the handler said it its own way
            if len(self.understood) < _MAX_UNDERSTOOD and not said:
                self.understood.append((start, self.source[start:end]))
        if claimed:
            pieces: list[str] = []
            last = 0
            for start, end in claimed:
                pieces += (self.work[last:start], _MASK * (end - start))
                last = end
            pieces.append(self.work[last:])
            self.work = "".join(pieces)

    def set(self, name: str, value: Any) -> None:
        # The first statement of a constraint wins; later ones are still read (and removed from the text).
        self.values.setdefault(name, value)

    def add(self, name: str, value: Any) -> None:
        values = self.values.setdefault(name, [])
        if value not in values and len(values) < 20:
            values.append(value)

    def before(self, position: int, chars: int = 30) -> str:
        return self.norm[max(0, position - chars) : position]

    def previous_words(self, position: int, count: int) -> list[str]:
        return _TOKEN.findall(self.norm[max(0, position - 40) : position])[-count:]


_Take = tuple[int, int, bool] | None


def _whole(match: re.Match[str], remove: bool = True) -> _Take:
    return match.start(), match.end(), remove


# ---- down payment ----

_PERCENT = rf" ?(?:%|{_words('percent', 'per cent', 'pct', 'في الميه', 'في المية', 'فى الميه', 'بالمية', 'في المائة', *franco.PERCENT, attached=True)})(?!\w)"  # noqa: E501
_DOWN_WORDS = _words(
    "down payment", "down payments", "downpayment", "down", "dp", "deposit", "مقدم", "المقدم", "بمقدم", "ومقدم",
    "كمقدم", "للمقدم",
    "دفعة مقدمة", "دفعة أولى", "الدفعة الأولى", "أوفر", *franco.DOWN_PAYMENT,
)  # fmt: skip
_NO_DOWN = _words(
    "no down payment", "zero down payment", "without down payment", "no down", "zero down", "0 down", "no dp",
    "بدون مقدم", "من غير مقدم", "مفيش مقدم", "بلا مقدم", "مقدم صفر", "بدون أوفر", "بدون دفعة مقدمة",
    *franco.NO_DOWN_PAYMENT,
)  # fmt: skip


def _amount(tag: str) -> str:
    """A sum of money: "8M", "8.5 million", "500k", "EGP 8,000,000", "٨ مليون ونص", "٢ ونص مليون", "2 and a half
    million", "٢ مليون و٥٠٠ ألف", "مليونين", and a range's first sum without its unit, "2 ونص" (to 3 million)."""
    mult = _words("million", "millions", "mill", "mil", "mn", "mio", "m", "k", "thousand", "thousands", "ألف", "الف",
                  "آلاف", "الاف", "مليون", "ملايين", "ميلون", *money_words.MILLIONS, *money_words.THOUSANDS,
                  attached=True)  # fmt: skip
    half = _words("نص", "نصف", "ربع", "a half", "half", "a quarter", "quarter", *money_words.HALVES, attached=True)
    word = _words(*_WORD_AMOUNTS)
    currency = _words("egp", "le", "l.e", "l.e.", "pounds", "pound", "egyptian pounds", "جنيه", "جنيها", "جنيهات",
                      "جنيه مصري", "ج.م", "ج م", "ج.م.", attached=True)  # fmt: skip
    thousands = _words("ألف", "الف", "k", "thousand", *money_words.THOUSANDS, attached=True)
    return (
        rf"(?:(?P<c0{tag}>{_words('egp', 'le', 'l.e')}) ?)?"
        rf"(?:{_number('n' + tag)}(?: ?(?:و|and|w|we) ?(?P<h{tag}>{half}))?(?: ?(?P<m{tag}>{mult})"
        rf"(?: ?(?:و|and|w|we) ?(?P<f{tag}>{half}))?"
        rf"(?: ?(?:و|and)? ?(?P<k{tag}>[0-9]{{1,3}}) ?{thousands})?)?"
        rf"|(?P<w{tag}>{word})(?: ?(?:و|and|w|we) ?(?P<g{tag}>{half}))?)"
        rf"(?: ?(?P<c{tag}>{currency}))?"
    )


_MULTIPLIER = {
    "k": 1e3,
    "thousand": 1e3,
    "thousands": 1e3,
    "الف": 1e3,
    "الاف": 1e3,
    **dict.fromkeys(money_words.THOUSANDS, 1e3),
}
_HALVES = {
    "نص": 0.5, "نصف": 0.5, "a half": 0.5, "half": 0.5, "ربع": 0.25, "a quarter": 0.25, "quarter": 0.25,
    **dict.fromkeys(money_words.HALVES, 0.5),
}  # fmt: skip
_WORD_AMOUNTS = {
    "مليونين": 2e6,
    "مليون": 1e6,
    "million": 1e6,
    "a million": 1e6,
    "نص مليون": 5e5,
    "half a million": 5e5,
    "half million": 5e5,
    **dict.fromkeys(money_words.TWO_MILLIONS, 2e6),
    **dict.fromkeys(money_words.A_MILLION, 1e6),
    **{f"{half} {million}": 5e5 for half in money_words.HALVES for million in money_words.A_MILLION},
}


@dataclass(frozen=True, slots=True)
class _Money:
    value: float
    multiplier: float | None  # the unit the buyer wrote, for "5-7M" where the first number borrows the second's
    marked: bool  # a unit or currency says this is money


def _money(match: re.Match[str], tag: str) -> _Money | None:
    word = match.group("w" + tag)
    if word is not None:
        value = _WORD_AMOUNTS[word] + (_HALVES[match.group("g" + tag)] * 1e6 if match.group("g" + tag) else 0)
        return _Money(value, 1e6, True)
    raw = match.group("n" + tag)
    number = _to_number(raw)
    if number is None:
        return None
    unit = match.group("m" + tag)
    multiplier = None if unit is None else _MULTIPLIER.get(unit, 1e6)
    value = number * (multiplier or 1)
    if half := match.group("f" + tag) or match.group("h" + tag):
        # "3 milyon w nos", or before the unit: "2 w nos milyon", "٢ ونص مليون"; with no unit, a half of the unit
        # the sum borrows ("من 2 ونص ل 3 ونص مليون", "budget 2 w nos"), as "2.5" would.
        value += _HALVES[half] * (multiplier or 1)
    if multiplier == 1e6 and match.group("k" + tag):
        value += int(match.group("k" + tag)) * 1e3
    marked = multiplier is not None or bool(match.group("c0" + tag) or match.group("c" + tag))
    if _is_word_number(raw) and not marked:
        return None
    return _Money(value, multiplier, marked)


_FEWEST_POUNDS = 1_000


def _price_value(money: _Money | None, threshold: float) -> int | None:
    """The amount in EGP when it reads as money: a unit, a currency, or big enough to be a price on its own. A few
    pounds with no unit are no sum a buyer names, currency or not: "le 3eyalna" is "for our kids" in Franco ("le" also
    writes L.E.), not LE 3."""
    if money is None or not (money.marked or money.value >= threshold):
        return None
    if money.multiplier is None and money.value < _FEWEST_POUNDS:
        return None
    value = round(money.value)
    return value if 0 < value <= 2_000_000_000 else None


def _band(value: float, pct: int) -> tuple[int, int]:
    # Integer arithmetic so the band of 6,000,000 is exactly 5,400,000-6,600,000.
    scaled = round(value * 100)
    return scaled * (100 - pct) // 10_000, -(-scaled * (100 + pct) // 10_000)


_DOWN_PAYMENT = _compile(
    rf"(?P<zero>{_NO_DOWN})"
    rf"|(?:(?P<cmax>{_MAX}) ?)?{_number('pa')}{_PERCENT} ?{_DOWN_WORDS}"
    rf"|{_DOWN_WORDS}(?: ?(?:of|is|:|=))?(?: ?(?:{_MAX}|{_AROUND}))? ?{_number('pb')}{_PERCENT}"
    rf"|(?P<amount>{_DOWN_WORDS}(?: ?(?:of|is|:|=))?(?: ?(?:{_MAX}|(?P<dabout>{_AROUND})))?{_THE} ?{_amount('d')})"
    # The amount before its words ("500k down payment", "500 ألف مقدم"), unless the words go on to an amount of their
    # own: in "6 مليون مقدم مليون" the first amount is the price; "3 million for the down payment", "مليون كمقدم" too.
    # Atomic: "down payment 300k" does not fall back to "down".
    rf"|(?P<before>(?:(?P<eabout>{_AROUND}){_THE} ?)?{_amount('e')} ?(?:(?:for|as) (?:the |a |my )?)?(?>{_DOWN_WORDS}))"
    rf"(?!(?: ?(?:of|is|:|=))?(?: ?(?:{_MAX}|{_AROUND}))?{_THE} ?(?:[0-9]|{_words(*_WORD_AMOUNTS)}))"
)


def _read_down_payment(match: re.Match[str], scan: _Scan) -> _Take:
    if match.group("zero"):
        scan.set("max_down_payment_pct", 0.0)
        return _whole(match)
    if match.group("amount") or match.group("before"):
        # The most the buyer pays up front, never the budget ("about 500k" up to 550k, as a monthly amount).
        tag = "d" if match.group("amount") else "e"
        value = _price_value(_money(match, tag), 1_000)
        if value is None:
            return None
        scan.set("max_down_payment", _band(value, 10)[1] if match.group(tag + "about") else value)
        return _whole(match)
    raw = match.group("pa") or match.group("pb")
    pct = _to_number(raw)
    if pct is None or not 0 <= pct <= 100:
        return None
    scan.set("max_down_payment_pct", pct)
    return _whole(match)


# ---- monthly installment ----

_MONTHLY_BEFORE = _words(
    "monthly", "monthly installment", "monthly installments", "monthly payment", "monthly payments", "installments of",
    "installment of", "per month", "قسط", "قسط شهري", "القسط", "القسط الشهري", "أقساط شهرية", "قسط الشهر", "شهري",
    "شهريا", "الشهري", *franco.MONTHLY_BEFORE,
)  # fmt: skip
_MONTHLY_AFTER = _words(
    "monthly", "per month", "a month", "/month", "/ month", "/mo", "a mo", "pm", "شهري", "شهريا", "في الشهر",
    "فى الشهر", "بالشهر", "كل شهر", "monthly installment", "monthly installments", *franco.MONTHLY_AFTER,
)  # fmt: skip
_MONTHLY = _compile(
    rf"{_MONTHLY_BEFORE}(?: ?(?:(?P<pmax>{_MAX})|(?P<pabout>{_AROUND})))?{_THE} ?{_amount('p')}(?: ?{_MONTHLY_AFTER})?"
    rf"|(?:(?:(?P<xmax>{_MAX})|(?P<xabout>{_AROUND})){_THE} ?)?{_amount('x')} ?{_MONTHLY_AFTER}"
    # "under 20M monthly under 150k": a "monthly" that introduces the next amount is not the end of this one.
    rf"(?! ?(?:{_MAX} ?|{_AROUND} ?)?(?:ال ?)?[0-9])"
)


def _read_monthly(match: re.Match[str], scan: _Scan) -> _Take:
    tag = "p" if match.group("np") is not None or match.group("wp") is not None else "x"
    value = _price_value(_money(match, tag), 1_000)
    if value is None:
        return None
    if match.group(tag + "about"):
        value = _band(value, 10)[1]
    scan.set("max_monthly_installment", value)
    return _whole(match)


# ---- the price of a square metre ----

# How Egyptians compare prices: "سعر المتر 30 ألف", "المتر ب 35", "40k per sqm", "under 45,000 EGP/m2", "el metr b 30
# alf". Read before sizes and money, whose words these share: the amount is a bound on the listing's price_per_sqm,
# not a price or a size. A single amount is the most ("المتر ب 30 ألف", as a price is), "around" a band of 10%. A
# number under 1,000 with no unit is thousands ("المتر ب 35"), as the price of a metre is said; outside 1,000 to
# 1,000,000 pounds it is no price of a metre, and the pass leaves the words to the others.
_PER_SQM_BEFORE = _words(
    "price per meter", "price per metre", "price per sqm", "price per m2", "price per square meter",
    "price per square metre", "price/m2", "price/sqm", "price / m2", "meter price", "metre price", "sqm price",
    "m2 price", "price of the meter", "price of a meter", "سعر المتر", "المتر", "المتر ب", "سعر المتر ب",
    "متوسط سعر المتر", "se3r el metr", "si3r el metr", "el metr", "el metr b", "el metr be", "سعر للمتر",
    "السعر للمتر", "se3r lel metr", "el se3r lel metr", "si3r lel metr",
)  # fmt: skip
# The cheapest or dearest before it ("أقل سعر للمتر 30 ألف", "cheapest price per meter 40k"): the order by the price
# of a metre too, as those words alone ask for it (_CHEAPEST_PER_SQM_PHRASES).
_PER_SQM_LOWEST = _words("أقل", "اقل", "بأقل", "أرخص", "ارخص", "lowest", "the lowest", "cheapest", "the cheapest",
                         "a2al", "b a2al", "ba2al", "ar5as", "arkhas")  # fmt: skip
_PER_SQM_HIGHEST = _words("أعلى", "اعلى", "أغلى", "اغلى", "highest", "the highest", "a3la", "a8la", "aghla")
_PER_SQM_AFTER = _words(
    "per meter", "per metre", "per sqm", "per m2", "per square meter", "per square metre", "a meter", "a metre",
    "/m2", "/ m2", "/sqm", "/ sqm", "/meter", "/metre", "للمتر", "المتر", "ل المتر", "lel metr", "el metr",
    "fel metr", "per mtr", "/mtr",
)  # fmt: skip
_PER_SQM = _compile(
    rf"(?:(?:(?P<lowest>{_PER_SQM_LOWEST})|(?P<highest>{_PER_SQM_HIGHEST})) ?)?"
    rf"{_PER_SQM_BEFORE}(?: ?(?:of|is|:|=))?(?: ?(?:(?P<pmax>{_MAX})|(?P<pmin>{_MIN})|(?P<pabout>{_AROUND})))?"
    rf"{_THE} ?{_amount('p')}(?: ?{_PER_SQM_AFTER})?"
    rf"(?: ?(?:(?P<smax>{_POST_MAX})|(?P<smin>{_POST_MIN})|(?P<sabout>{_POST_AROUND})))?(?!\w)"
    rf"|(?:(?:(?P<xmax>{_MAX})|(?P<xmin>{_MIN})|(?P<xabout>{_AROUND})){_THE} ?)?{_amount('x')} ?{_PER_SQM_AFTER}"
    rf"(?: ?(?:(?P<tmax>{_POST_MAX})|(?P<tmin>{_POST_MIN})|(?P<tabout>{_POST_AROUND})))?(?!\w)"
)
_PER_SQM_RANGE = (1_000, 1_000_000)


def _read_price_per_sqm(match: re.Match[str], scan: _Scan) -> _Take:
    tag = "p" if _amount_matched(match, "p") else "x"
    money = _money(match, tag)
    if money is None:
        return None
    value = round(money.value if money.marked or money.value >= 1_000 else money.value * 1_000)
    if not _PER_SQM_RANGE[0] <= value <= _PER_SQM_RANGE[1]:
        return None
    said = {kind for kind in ("max", "min", "about") for g in "pstx" if match.groupdict().get(g + kind)}
    if "min" in said:
        scan.set("min_price_per_sqm", value)
    elif "about" in said:
        low, high = _band(value, 10)
        scan.set("min_price_per_sqm", low)
        scan.set("max_price_per_sqm", high)
    else:
        scan.set("max_price_per_sqm", value)
    if match.group("lowest") or match.group("highest"):
        scan.order = scan.order or ("price_per_sqm_asc" if match.group("lowest") else "price_per_sqm_desc")
    return _whole(match)


# ---- installment term ----

_INSTALLMENT_WORDS = _words(
    "installments", "installment", "instalments", "instalment", "monthly installments", "payment plan", "payment",
    "payments", "plan", "pay", "paying", "تقسيط", "بالتقسيط", "التقسيط", "قسط", "أقساط", "الأقساط", "سداد", "السداد",
    "على أقساط", "خطة سداد", *franco.INSTALLMENTS,
)  # fmt: skip
_TERM_PREPOSITION = _words(
    "over", "up to", "upto", "for", "on", "across", "spread over", "of", "in", "within", "على", "على مدار", "على مدى",
    "لمدة", "لحد", "حتى", "إلى", "مدة", "في", "لغاية", "ل", *franco.TERM_PREPOSITIONS,
)  # fmt: skip
_TERM_ALONE = _words(
    "over", "up to", "upto", "spread over", "across", "على", "على مدار", "على مدى", "لمدة", "3ala", "3la", "3ala modar",
    "3la modar", "le modet", "lmodet",
)  # fmt: skip
_YEARS_UNIT = _words("years", "year", "yrs", "yr", "سنين", "سنوات", "سنة", "أعوام", "عام", *franco.YEARS, attached=True)
_TWO_YEARS = _words("سنتين", "عامين", *franco.TWO_YEARS)
# A number of years after these words is a delivery date or an age, not a payment plan.
_NOT_A_TERM_NEAR = frozenset(
    fold(w)
    for w in (
        "delivery", "delivered", "deliver", "handover", "ready", "receive", "استلام", "الاستلام", "تسليم", "التسليم",
        "جاهز", "جاهزة", "after", "within", "بعد", "خلال", *franco.DELIVERY, *franco.WITHIN,
    )
)  # fmt: skip
_NOT_A_TERM_AFTER = frozenset(fold(w) for w in ("in", "since", "في", "فى", "من", "عمر", "عمرها", "عمره", "age"))


def _term(tag: str) -> str:
    return rf"(?:{_number('y' + tag)} ?-? ?{_YEARS_UNIT}|(?P<two{tag}>{_TWO_YEARS}))"


_TERM = _compile(
    rf"{_INSTALLMENT_WORDS}(?: ?{_TERM_PREPOSITION}){{0,2}} ?{_term('a')}"
    rf"|{_term('b')} ?(?:(?:of|in|for) )?{_INSTALLMENT_WORDS}"
    rf"|{_TERM_ALONE} ?{_term('c')}"
    rf"|{_term('d')}(?P<tail> ?(?:old|ago|قديم))?"
)


def _read_term(match: re.Match[str], scan: _Scan) -> _Take:
    for tag in "abcd":
        if match.group("y" + tag) is not None or match.group("two" + tag) is not None:
            break
    if tag in "cd":
        # "delivery in 3 years", "5 years old", "عمرها ٥ سنين" are not payment plans.
        before = scan.previous_words(match.start(), 3)
        if match.group("tail") or _NOT_A_TERM_NEAR.intersection(before):
            return None
        if tag == "d" and before and before[-1] in _NOT_A_TERM_AFTER:
            return None
    raw = match.group("y" + tag)
    years = 2.0 if raw is None else _to_number(raw)
    if years is None or years != int(years) or not 1 <= years <= 30:
        return None
    scan.set("min_installment_years", int(years))
    return _whole(match)


# ---- delivery year ----

_DELIVERY = _words(
    "delivery", "delivered", "deliver", "delivering", "handover", "hand over", "handed over", "receiving", "receive",
    "ready", "completion", "delivery date", "استلام", "الاستلام", "تسليم", "التسليم", "يستلم", "تستلم", "هتستلم",
    "جاهز", "جاهزة", "جاهزه", "ميعاد الاستلام", "موعد الاستلام", "معاد الاستلام", *franco.DELIVERY,
)  # fmt: skip
_MONTH = _words(
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "q1", "q2", "q3",
    "q4", "يناير", "فبراير", "مارس", "أبريل", "ابريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
    "ديسمبر",
)  # fmt: skip
_MONTH_PART = rf"(?:{_words('early', 'mid', 'late', 'end of', 'the end of', 'beginning of', 'start of', 'أول', 'آخر', 'نهاية', 'منتصف', 'بداية')} ?)?(?:{_MONTH} ?)?"  # noqa: E501
_BY = _words(
    "by", "before", "until", "till", "no later than", "not later than", "by the end of", "by end of", "at the latest",
    "قبل", "قبل نهاية", "قبل آخر", "لحد", "لغاية", "في خلال", "خلال", "بحد أقصى", "حتى", "بحلول", "بالكتير",
)  # fmt: skip
_STRICTLY_BEFORE = frozenset({"before", fold("قبل")})
_AFTER = _words("after", "بعد", "not before", "مش قبل")
_AT = _words("in", "on", "at", "year", "date", "سنة", "عام", "في", "فى")


def _year(tag: str, low: str = r"(?:19[5-9][0-9]|20[0-4][0-9])") -> str:
    return rf"(?<![0-9.,])(?P<yr{tag}>{low})(?![0-9]|\.[0-9]|,[0-9])"


_DELIVERY_YEAR = _compile(
    rf"(?:{_DELIVERY} ?)?(?P<by>{_BY}){_THE} ?{_MONTH_PART}{_year('a')}"
    rf"|(?:{_DELIVERY} ?)?{_AFTER}{_THE} ?{_MONTH_PART}{_year('f')}"
    rf"|{_DELIVERY} ?(?:{_AT} ?)?{_year('r')} ?(?:-|to|or|أو|ل|إلى) ?{_year('s')}"
    rf"|{_DELIVERY} ?(?:{_AT} ?)?{_MONTH_PART}{_year('b')}"
    rf"(?: ?(?P<earlier>{_words('or earlier', 'or before', 'or sooner', 'أو قبل', 'او قبلها', 'أو أقل')}))?"
    rf"|{_MONTH_PART}{_year('c')} ?{_DELIVERY}"
    rf"|(?P<month>{_MONTH}) ?{_year('d')}"
)
# Delivery counted from now ("delivery in 2 years", "استلام بعد سنتين", "estlam el sana el gaya"): a latest year,
# this year plus the years said (a delivered unit meets it, as it meets "by 2028").
_WITHIN = _words(
    "in", "within", "in the next", "within the next", "over the next", "after", "بعد", "خلال", "في خلال", "فى خلال",
    "في", "كمان", *franco.WITHIN,
)  # fmt: skip
_RELATIVE_DELIVERY = _compile(
    rf"{_DELIVERY} ?(?:{_WITHIN} ?)?(?:{_number('n')} ?-? ?{_YEARS_UNIT}|(?P<two>{_TWO_YEARS})"
    rf"|(?P<one>{_words('a year', 'one year', 'سنة', 'سنه', 'عام', 'sana')}))"
    rf"(?! ?(?:[0-9]|{_words('ago', 'old', 'back', 'قديم', 'فاتت', 'فاتوا', 'فات')}))"
    rf"|{_DELIVERY}{_THE} ?(?P<next>{_words('next year', 'السنة الجاية', 'السنة الجاي', 'السنة اللي جاية', 'العام القادم', 'العام الجاي', 'العام المقبل', *franco.NEXT_YEAR)})"  # noqa: E501
    rf"|{_DELIVERY}{_THE} ?(?P<this>{_words('this year', 'السنة دي', 'هذا العام', 'العام ده', 'العام الحالي', *franco.THIS_YEAR)})"  # noqa: E501
)
_MAX_YEARS_AHEAD = 10


def _read_relative_delivery(match: re.Match[str], scan: _Scan) -> _Take:
    if match.group("this"):
        years = 0.0
    elif match.group("next") or match.group("one"):
        years = 1.0
    elif match.group("two"):
        years = 2.0
    else:
        number = _to_number(match.group("n"))
        if number is None or number != int(number) or not 1 <= number <= _MAX_YEARS_AHEAD:
            return None
        years = number
    scan.set("max_delivery_year", date.today().year + int(years))
    return _whole(match)


_OCTOBER = ("october", "oct", fold("أكتوبر"))
_CITY_BEFORE_OCTOBER = re.compile(_fold_pattern(r"(?:6|6th|6th of|sixth of|of|السادس من|مدينة) $"))


def _read_delivery_phrase(match: re.Match[str], scan: _Scan) -> _Take:
    if match.group("yra"):
        year = int(match.group("yra"))
        between = scan.norm[match.end("by") : match.start("yra")].strip()
        if match.group("by") in _STRICTLY_BEFORE and between in {"", "ال"}:
            year -= 1  # "before 2028" is 2027 at the latest; "before June 2028" and "by 2028" include 2028
        scan.set("max_delivery_year", year)
        return _whole(match)
    if match.group("yrf"):
        return _whole(match, remove=False)  # no minimum-year filter: leave the words for the text search
    if match.group("yrs"):
        scan.set("max_delivery_year", max(int(match.group("yrr")), int(match.group("yrs"))))
        return _whole(match)
    if match.group("yrb"):
        year = int(match.group("yrb"))
        scan.set("max_delivery_year" if match.group("earlier") else "delivery_year", year)
        return _whole(match)
    if match.group("yrc"):
        scan.set("delivery_year", int(match.group("yrc")))
        return _whole(match)
    year = int(match.group("yrd"))
    if not 2000 <= year <= 2045:
        return None
    scan.set("delivery_year", year)
    return _whole(match)


def _read_delivery_year(match: re.Match[str], scan: _Scan) -> _Take:
    take = _read_delivery_phrase(match, scan)
    if take is not None and match.group(0).startswith(_OCTOBER):
        if _CITY_BEFORE_OCTOBER.search(scan.before(match.start(), 12)):
            # "6 October 2026": the city, then a year; leave the city's words to the place pass.
            year_start = next(match.start(g) for g in ("yra", "yrf", "yrr", "yrb", "yrc", "yrd") if match.group(g))
            return year_start, take[1], take[2]
    return take


_BARE_YEAR = _compile(rf"(?:{_words('in', 'year', 'في', 'فى', 'سنة', 'عام')} )?{_year('x', r'20[2-3][0-9]|2040')}")


def _read_bare_year(match: re.Match[str], scan: _Scan) -> _Take:
    year = int(match.group("yrx"))
    if not 2024 <= year <= 2040:
        return None
    scan.set("delivery_year", year)
    return _whole(match)


# ---- bedrooms ----

_BED_WORD = _fold_pattern(
    r"(?:bed ?rooms?|bedroomed|beds?|brs?|bdrs?|bdrms?|bd|rooms?"
    r"|(?:غرف|غرفة|غرفه|أوض|اوض|أوضة|اوضة|اوضه|حجرات|حجرة)(?: ?نوم)?|نوم"  # "3 نوم", the listings' shorthand
    rf"|{'|'.join(re.escape(w) for w in sorted(franco.ROOM_WORDS, key=len, reverse=True))})(?!\w)"
)
_BED_MIN = _words(
    "at least", "min", "minimum", "no less than", "not less than", "على الأقل", "مش أقل من", "أقل حاجة",
    "3al a2al", "3ala el a2al", "3la el a2al", "msh a2al men", "msh a2al mn", "mesh a2al men", "mesh a2al mn",
    "mish a2al min", "a2al 7aga",
)  # fmt: skip
_BED_MORE = _words(
    "more than", "over", "above", "أكتر من", "أكثر من", "فوق", "aktar men", "aktar mn", "akter men", "fo2"
)
_BED_POST_MIN = _words(
    # Not "+" or "plus": "2 rooms + reception" is two bedrooms and a living room.
    "or more", "and above", "and more", "or bigger", "أو أكتر", "أو أكثر", "فأكثر", "فأكتر", "وأكتر", "على الأقل",
    "وانت طالع", "at least", "at minimum", "aw aktar", "aw akter", "w aktar", "we aktar", "w enta tale3",
    "we enta tale3", "wenta tale3", "w tale3", "3al a2al", "3ala el a2al", "3la el a2al",
)  # fmt: skip
_BED_LESS = _words("less than", "fewer than", "أقل من", "اقل من", "a2al men", "a2al mn", "a2al min")
_BED_MOST = _words(
    "up to", "at most", "max", "maximum", "no more than", "not more than", "لحد", "لغاية", "بحد أقصى", "بالكتير",
    "مش أكتر من", "مش أكثر من", "mesh aktar men", "msh aktar mn", "mesh aktar mn", "msh aktar men", "le7ad", "la7ad",
)  # fmt: skip
_BED_POST_MAX = _words("or less", "or fewer", "at most", "max", "أو أقل", "او اقل", "بالكتير", "bel kteer", "aw a2al")
_TWO_ROOMS = _fold_pattern(r"(?:غرفتين|غرفتان|اوضتين|أوضتين|حجرتين)(?: ?نوم)?(?!\w)") + "|" + _words(*franco.TWO_ROOMS)
_ONE_ROOM = (
    _fold_pattern(r"(?:غرفة|غرفه|أوضة|اوضة|اوضه|حجرة)(?: ?نوم)? ?(?:واحدة|واحده|واحد)(?!\w)")
    # "غرفة وصالة" (a room and a living room), "شقة أوضة": a one-bedroom flat, as it is advertised
    + "|"
    + _fold_pattern(r"(?:غرفة|غرفه|أوضة|اوضة|اوضه|حجرة)(?: ?نوم)? ?و ?(?:صالة|صاله|ريسبشن)(?!\w)")
    + "|"
    + _fold_pattern(r"(?<=شقه )(?:غرفة|غرفه|أوضة|اوضة|اوضه)(?: ?نوم)?(?! ?[0-9])(?!\w)")
    + "|"
    + _words(*franco.ONE_ROOM)
    + "|"
    + r"(?<=sha2a )(?:ghorfa|ghorfah|oda|ouda|odda)(?: ?nom)?(?! ?[0-9])(?!\w)"  # "sha2a ghorfa", as "شقة أوضة"
)


# Two counts of rooms: "2-3", "3 or 4", "٣ أو ٤", "من ٣ ل ٤", and in Franco "3 aw 4", "men 3 le 4", "bein 3 w 4",
# "talat walla arba3".
_RANGE_START = _words("between", "from", "بين", "ما بين", "من", "bein", "ben", "beyn", "ma bein", "men", "mn", "min")
_RANGE_JOIN = _words("-", "to", "or", "and", "أو", "او", "ل", "إلى", "الى", "و", "aw", "walla", "wala", "le", "l",
                     "ela", "ila", "w", "we", "wa")  # fmt: skip


def _counted(word: str, two: str, one: str | None = None, *, at_most: bool = False) -> re.Pattern[str]:
    """A count of rooms of a kind (bedrooms, bathrooms): "2-3 rooms", "at least 3 rooms", "3+ rooms", "3 rooms or
    more", the dual ("غرفتين", "حمامين"), and one said in words ("غرفة واحدة"); `at_most` bounds too ("up to 2
    rooms", "less than 3 rooms", "2 rooms or less"), for bedrooms: nobody caps the bathrooms they get."""
    most = rf"|(?P<less>{_BED_LESS})|(?P<most>{_BED_MOST})" if at_most else ""
    post_most = rf"|(?P<postmax>{_BED_POST_MAX})" if at_most else ""
    post_most2 = rf"|(?P<postmax2>{_BED_POST_MAX})" if at_most else ""
    return _compile(
        rf"(?:{_RANGE_START} ?)?{_number('ba')}(?: ?-? ?{word})? ?{_RANGE_JOIN} ?{_number('bb')} ?-? ?{word}"
        rf"|(?:(?:(?P<least>{_BED_MIN})|(?P<more>{_BED_MORE}){most}) ?)?{_number('bx')} ?(?P<plus>\+)? ?-? ?{word}"
        rf"(?: ?(?:(?P<post>{_BED_POST_MIN}){post_most}))?"
        rf"|(?P<two>{two})(?: ?(?:(?P<post2>{_BED_POST_MIN}){post_most2}))?" + (rf"|(?P<one>{one})" if one else "")
    )


_BEDROOMS = _counted(_BED_WORD, _TWO_ROOMS, _ONE_ROOM, at_most=True)


def _read_bedrooms(match: re.Match[str], scan: _Scan) -> _Take:
    if match.group("one"):
        scan.set("bedrooms", 1)
        return _whole(match)
    if match.group("two"):
        if not (match.group("post2") or match.group("postmax2")) and (other := _count_after(match, scan)):
            return _bedroom_range(match, scan, 2, other)
        scan.set(
            "min_bedrooms" if match.group("post2") else "max_bedrooms" if match.group("postmax2") else "bedrooms", 2
        )
        return _whole(match)
    low = match.group("ba")
    count = _to_number(low or match.group("bx"))
    if count is None or count != int(count) or not 0 <= count <= 20:
        return None
    n = int(count)
    if low is not None:
        high = _to_number(match.group("bb"))
        if high is None or high != int(high) or not 0 <= high <= 20:
            return None
        scan.set("min_bedrooms", min(n, int(high)))  # "2-3 bedrooms", "2 or 3 rooms"
        scan.set("max_bedrooms", max(n, int(high)))
    elif match.group("less"):
        if n == 0:
            return None
        scan.set("max_bedrooms", n - 1)
    elif match.group("most") or match.group("postmax"):
        scan.set("max_bedrooms", n)
    elif match.group("more"):
        scan.set("min_bedrooms", n + 1)
    elif match.group("least") or match.group("plus") or match.group("post"):
        scan.set("min_bedrooms", n)
    elif other := _count_after(match, scan):
        return _bedroom_range(match, scan, n, other)
    else:
        scan.set("bedrooms", n)
    return _whole(match)


def _count_after(match: re.Match[str], scan: _Scan) -> tuple[int, int] | None:
    """A second count after the rooms' word, "3 bedrooms or 4", "3 غرف أو 4", "ghorfeten aw 3": (the count, where its
    words end); not "or 4 million" nor "or 4 m²" (read by later passes), nor "or 4 bathrooms" (read before)."""
    after = _OR_COUNT.match(scan.work, match.end())
    if after is None:
        return None
    count = _to_number(after.group("cnt"))
    if count is None or count != int(count) or not 0 <= count <= 20:
        return None
    return int(count), after.end()


def _bedroom_range(match: re.Match[str], scan: _Scan, n: int, other: tuple[int, int]) -> _Take:
    scan.set("min_bedrooms", min(n, other[0]))
    scan.set("max_bedrooms", max(n, other[0]))
    return match.start(), other[1], True


# ---- in a compound, or outside ----

# "in a compound", "في كمبوند", "fe compound" → in_compound; "not in a compound", "برة الكمبوند" → outside any. Read
# after the names, so a compound or developer after the words is the negation's ("مش في كمبوند بالم هيلز", "not in a
# compound from Emaar" rule them out).
_COMPOUND_WORD = _words("compound", "compounds", "كمبوند", "كومباوند", "كمباوند", "الكمبوند",
                        "الكومباوند", "kompawnd", "kombawnd")  # fmt: skip
_IN_A = _words(
    "in a", "in", "inside a", "inside", "within a", "في", "فى", "جوه", "جوا", "داخل", "ب", "fe", "fi", "f", "fel",
    "gowa", "goa",
)  # fmt: skip
_OUT_OF = _words(
    "not in a", "not in", "outside a", "outside", "outside of", "out of a", "out of", "not a", "no", "مش في", "مش فى",
    "مش", "برة", "بره", "برا", "خارج", "من غير", "بدون", "مش عايز", "مش عاوز", "مش عايزة", "مش عاوزة", "مش عايز في",
    "mesh fe", "msh fe", "msh f", "mesh f", "mesh fel", "msh fel", "mesh fi", "msh fi", "mish fe", "mish fel", "bara",
    "barra", "bara el", "barra el", "men gher", "mn gher", "men 8er", "mn 8er", "bedon", "bdon", "mesh 3ayez",
    "msh 3ayez", "mesh 3ayz", "msh 3ayz", "mesh 3awez", "msh 3awez", "mesh 3ayza", "msh 3ayza",
)  # fmt: skip
# A type written just before or after the word is a home in a compound: "شقة كمبوند", "sha2a compound", "compound
# villas".
_COMPOUND_TYPES = ("شقة", "شقق", "فيلا", "فلل", "شاليه", "دوبلكس", "تاون هاوس", "sha2a", "villa", "villas", "fella",
                   "apartment", "apartments", "chalet", "chalets", "duplex", "townhouse", "townhouses")  # fmt: skip
_TYPE_BEFORE = "|".join(f"(?<={fold(word)} )" for word in _COMPOUND_TYPES)
_TYPE_AFTER = "|".join(re.escape(fold(word)) for word in _COMPOUND_TYPES)
_COMPOUND_PRESENCE = _compile(
    rf"(?:(?:(?P<out>{_OUT_OF})|{_IN_A}) ?{_COMPOUND_WORD}|{_words('بكمبوند', 'بكومباوند', 'بكمباوند')}"
    rf"|(?:{_TYPE_BEFORE}){_COMPOUND_WORD}|{_COMPOUND_WORD}(?= (?:{_TYPE_AFTER})(?!\w)))"
    rf"(?! ?(?:{_words('from', 'by', 'of', 'built by', 'من', 'بتاع', 'لشركة', 'men', 'mn', 'bta3')}))"
)


def _read_compound_presence(match: re.Match[str], scan: _Scan) -> _Take:
    if any(start == match.start() for start, _ in scan.understood):
        return None  # the start of a negation already read ("مش في كمبوند بالم هيلز" rules the developer out)
    outside = bool(match.group("out"))
    scan.set("in_compound", not outside)
    # "in a compound" stays in the text too (a name after it, "in Compound Zed Towers", is matched by its words);
    # "not in a compound" would draw listings in compounds to the text branch, so it goes.
    return _whole(match, remove=outside)


# ---- bathrooms ----

# A count of bathrooms is a minimum ("2 bathrooms", "٢ حمام", "talat 7amamat", "حمامين"): more is never a reason to
# turn a home down. "bath" alone is the room, so only a number or the dual names a count. "ba" is the listings'
# shorthand, written onto its number ("3br 2ba").
_BATH_WORD = _fold_pattern(
    r"(?:bath ?rooms?|baths?|(?<=[0-9])ba|wcs?|toilets?|حمام|حمامات|حمامه|دورة مياه|دوره مياه|دورات مياه|دورات المياه"
    rf"|{'|'.join(re.escape(w) for w in sorted(franco.BATH_WORDS, key=len, reverse=True))})(?!\w)"
    r"(?! ?(?:سباحة|سباحه|seba7a|sba7a|saba7a|sebaha))"  # a swimming pool ("حمام سباحة") is a feature
)
_TWO_BATHS = _fold_pattern(r"(?:حمامين|حمامان|دورتين مياه)(?!\w)") + "|" + _words(*franco.TWO_BATHS)
_BATHROOMS = _counted(_BATH_WORD, _TWO_BATHS)


def _read_bathrooms(match: re.Match[str], scan: _Scan) -> _Take:
    if match.group("two"):
        scan.set("min_bathrooms", 2)
        return _whole(match)
    count = _to_number(match.group("ba") or match.group("bx"))
    if count is None or count != int(count) or not 1 <= count <= 20:
        return None
    scan.set("min_bathrooms", int(count) + (1 if match.group("more") else 0))
    return _whole(match)


# ---- size ----

_SIZE_UNIT = _fold_pattern(
    r"(?:sqm|sq\.? ?m(?:eters?|etres?)?|square ?met(?:er|re)s?|m2|meters?|metres?|"
    + "|".join(sorted(franco.SIZE_UNITS, key=len, reverse=True))
    + r"|mtrs?|mt|متر مربع|متر|مترات|أمتار|امتار|م2|م)(?!\w)"
)
# The built-up area is the size a listing states: "bua 300", "built up 300", "مباني 300", "مسطح المباني 300".
_BUILT_UP = (
    "bua", "built up", "built-up", "builtup", "built up area", "built-up area", "built area", "مباني", "المباني",
    "مسطح مباني", "مسطح المباني", "مساحة المباني", "مسطح", "mabany", "mabani", "el mabany",
)  # fmt: skip
_SIZE_NOUN = _words(
    "size", "area", "مساحة", "بمساحة", "المساحة", "مساحتها", "مساحته", *_BUILT_UP, *franco.SIZE_WORDS
)  # fmt: skip
_SIZE_WORD = rf"(?:{_SIZE_NOUN}(?: of| is|:)? ?)?"
_RANGE_BETWEEN = _words("between", "ما بين", "بين", *franco.RANGE_BETWEEN)
_RANGE_FROM = _words("from", "من", *franco.RANGE_FROM)
_RANGE_TO = _words("-", "to", "till", "until", "إلى", "الى", "لحد", "لغاية", "حتى", "ل", *franco.RANGE_TO)
_RANGE_AND = _words("and", "و", "-", "to", "إلى", "الى", "ل", *franco.RANGE_AND)
_SIZE = _compile(
    rf"{_SIZE_WORD}(?:{_RANGE_BETWEEN} ?{_number('sa')} ?(?:{_SIZE_UNIT} ?)?{_RANGE_AND} ?{_number('sb')} ?{_SIZE_UNIT}"
    rf"|(?:{_RANGE_FROM} ?)?{_number('sc')} ?(?:{_SIZE_UNIT} ?)?{_RANGE_TO} ?{_number('sd')} ?{_SIZE_UNIT}"
    rf"|(?:(?P<pmax>{_MAX})|(?P<pmin>{_MIN})|(?P<pabout>{_AROUND})){_THE} ?{_number('sp')} ?{_SIZE_UNIT}"
    rf"|{_number('sx')} ?(?P<plus>\+)? ?{_SIZE_UNIT}"
    rf"(?: ?(?:(?P<smax>{_POST_MAX})|(?P<smin>{_POST_MIN})|(?P<sabout>{_POST_AROUND})))?)"
)
_MIN_SQM, _MAX_SQM = 15, 20_000


def _read_size(match: re.Match[str], scan: _Scan) -> _Take:
    for low_tag, high_tag in (("sa", "sb"), ("sc", "sd")):
        if match.group(low_tag) is not None:
            low, high = _to_number(match.group(low_tag)), _to_number(match.group(high_tag))
            if low is None or high is None or not _MIN_SQM <= min(low, high) <= max(low, high) <= _MAX_SQM:
                return None
            scan.set("min_size_sqm", min(low, high))
            scan.set("max_size_sqm", max(low, high))
            return _whole(match)
    tag = "sp" if match.group("sp") is not None else "sx"
    size = _to_number(match.group(tag))
    if size is None or not _MIN_SQM <= size <= _MAX_SQM:
        return None
    if match.group("pmax") or match.group("smax"):
        scan.set("max_size_sqm", size)
    elif match.group("pmin") or match.group("smin") or match.group("plus"):
        scan.set("min_size_sqm", size)
    else:
        _set_about(scan, size)
    return _whole(match)


def _set_about(scan: _Scan, size: float) -> None:
    low, high = math.floor(size * 0.85), math.ceil(size * 1.15)  # a stated size is an approximate one
    scan.set("min_size_sqm", float(low))
    scan.set("max_size_sqm", float(high))


# A size said by its word or by a comparison only a size takes ("size 300m", "masa7a 200", "bigger than 300m", "أكبر
# من 150"): here "m" is metres and the unit may be left out. A money unit after the number leaves it to money ("bigger
# than 5 million"), as does a number too small or too large to be a floor area.
_BIGGER = _words("bigger than", "larger than", "wider than", "أكبر من", "أوسع من", *franco.BIGGER)
_SMALLER = _words("smaller than", "أصغر من", *franco.SMALLER)
_MONEY_UNIT = _words(
    "million", "millions", "mill", "mil", "mn", "mio", "k", "thousand", "thousands", "ألف", "الف", "آلاف", "الاف",
    "مليون", "ملايين", "ميلون", "egp", "le", "l.e", "pounds", "pound", "جنيه", "جنيها", "جنيهات", *money_words.MILLIONS,
    *money_words.THOUSANDS, attached=True,
)  # fmt: skip
_NOT_MONEY = rf"(?! ?{_MONEY_UNIT})"
# The second count of "3 bedrooms or 4" (see _count_after): a count alone, not a sum, a size or a number going on.
_OR_COUNT = re.compile(  # from the end of the rooms' word: not _compile, whose match starts a word
    _fold_pattern(
        rf" ?{_words('or', 'أو', 'او', 'ولا', 'aw', 'walla', 'wala')} ?{_number('cnt')}(?![0-9.,%/])"
        rf"(?! ?(?:{_MONEY_UNIT}|{_SIZE_UNIT}|m(?!\w)|[0-9]))"
    )
)
_SIZE_CUED = _compile(
    rf"(?:(?P<bigger>{_BIGGER})|(?P<smaller>{_SMALLER})|{_SIZE_NOUN}(?: of| is|:)?"
    rf"(?: ?(?:(?P<pmax>{_MAX})|(?P<pmin>{_MIN})|(?P<pabout>{_AROUND})))?){_THE} ?{_number('n')}"
    rf"(?: ?(?P<plus>\+))?(?: ?(?:{_SIZE_UNIT}|m(?!\w)))?{_NOT_MONEY}"
    rf"(?: ?(?:(?P<smax>{_POST_MAX})|(?P<smin>{_POST_MIN})|(?P<sabout>{_POST_AROUND})))?(?!\w)"
)

# A range after the size's word, the unit left out: "size 100 to 150", "size between 100 and 150", "مساحة من ١٠٠ ل
# ١٥٠", "masa7a men 100 le 150" (with a unit, _SIZE reads it).
_SIZE_CUED_RANGE = _compile(
    rf"{_SIZE_NOUN}(?: of| is|:)? ?(?:{_RANGE_BETWEEN} ?{_number('sa')} ?{_RANGE_AND} ?{_number('sb')}"
    rf"|(?:{_RANGE_FROM} ?)?{_number('sc')} ?{_RANGE_TO} ?{_number('sd')})"
    rf"(?: ?(?:{_SIZE_UNIT}|m(?!\w)))?{_NOT_MONEY}(?!\w)"
)

# A plot's size ("land 600", "ارض 500 متر", "500 متر ارض", "on a 600 sqm plot", "2ard 400"): a villa's land is not its
# built-up area, which is the size listings state; read over, so that neither becomes the size nor stays in the text.
_LAND_WORD = _words(
    "land", "land area", "plot", "plot area", "plot of", "ارض", "أرض", "الارض", "الأرض", "مساحة الارض", "مساحة الأرض",
    "على ارض", "على أرض", "ع ارض", "قطعة ارض", "قطعة أرض", "ard", "2ard", "el ard", "ardh",
)  # fmt: skip
_LAND = _compile(
    rf"{_LAND_WORD}(?: of| is|:)? ?{_number('n')}(?: ?(?:{_SIZE_UNIT}|m(?!\w)))?{_NOT_MONEY}"
    rf"|{_number('m')} ?(?:{_SIZE_UNIT}|m(?!\w))? ?{_LAND_WORD}(?!\w)"
)


def _read_land(match: re.Match[str], scan: _Scan) -> _Take:
    size = _to_number(match.group("n") or match.group("m"))
    if size is None or not _MIN_SQM <= size <= 100_000:
        return None
    if len(scan.understood) < _MAX_UNDERSTOOD:  # said as read: the land, which no size filter takes
        scan.understood.append((match.start(), scan.source[match.start() : match.end()] + " → land, not built-up"))
    return _whole(match)


# A bare "300m" is millions, unless it cannot be: from 250 up (no home sells for 250 million or more, and 250 m² is an
# everyday villa), from 50 up when the query asks for a flat, a chalet or a unit in a building (a flat of 50 million is
# the rarest top of the market, one of 50 to 250 m² an everyday flat: "apartment 90m" is 90 m²), or when the query
# names its budget in words ("villa 400m under 30 million").
_M_METRES_FROM = 250
_M_METRES_FROM_FLAT = 50
_FLAT_TYPES = ("Apartment", "Studio", "Duplex", "Penthouse", "Chalet", "Office", "Clinic", "Retail")
_FLAT_WORDS = frozenset(fold(word) for ptype in _FLAT_TYPES for word in PROPERTY_TYPES[ptype])
_WORD = re.compile(r"\w+")


def _names_a_flat(text: str) -> bool:
    """Whether a word of the text is a flat's type as written, in Franco or misspelt ("sha2a", "appartment")."""
    return any(_FLAT_WORDS.intersection(_respellings(word)[0]) for word in _WORD.findall(text) if not word.isdigit())


_BARE_M = _compile(
    rf"(?:(?:(?P<pmax>{_MAX})|(?P<pmin>{_MIN})|(?P<pabout>{_AROUND})){_THE} ?)?{_number('n')} ?m(?!\w)"
    rf"(?: ?(?:(?P<smax>{_POST_MAX})|(?P<smin>{_POST_MIN})|(?P<sabout>{_POST_AROUND})))?(?!\w)"
)
_AFTER_BUDGET = re.compile(_fold_pattern(rf"{_BUDGET}(?: ?(?:of|is|:|=))?(?: ?(?:{_MAX}|{_AROUND}))? ?$"))


# Another bare "m" in the query too small to be a floor area ("apartment 150 m 5m"): that one is the budget.
_OTHER_BARE_M = re.compile(r"(?<![\w.,])([0-9]+(?:\.[0-9]+)?) ?m(?!\w)")


def _read_bare_m(match: re.Match[str], scan: _Scan) -> _Take:
    size = _to_number(match.group("n"))
    if size is None or not _MIN_SQM <= size <= _MAX_SQM or _AFTER_BUDGET.search(scan.before(match.start())):
        return None
    budget_elsewhere = any(float(m.group(1)) < _MIN_SQM for m in _OTHER_BARE_M.finditer(scan.work))
    if (
        size < _M_METRES_FROM
        and not _HAS_MONEY_WORD(scan.work)
        and not budget_elsewhere
        and (size < _M_METRES_FROM_FLAT or not _names_a_flat(scan.work))
    ):
        return None
    return _read_cued_size(match, scan)


def _read_cued_size(match: re.Match[str], scan: _Scan) -> _Take:
    size = _to_number(match.group("n"))
    if size is None or not _MIN_SQM <= size <= _MAX_SQM:
        return None
    groups = match.groupdict()
    if groups.get("smaller") or match.group("pmax") or match.group("smax"):
        scan.set("max_size_sqm", size)
    elif groups.get("bigger") or match.group("pmin") or match.group("smin") or groups.get("plus"):
        scan.set("min_size_sqm", size)
    else:
        _set_about(scan, size)
    return _whole(match)


# ---- price ----

_MONEY = _compile(
    rf"{_RANGE_BETWEEN} ?{_amount('a')} ?{_RANGE_AND} ?{_amount('b')}"
    rf"|(?:(?P<rbudget>{_BUDGET}) ?)?(?:{_RANGE_FROM} ?)?{_amount('c')} ?{_RANGE_TO} ?{_amount('d')}"
    rf"|(?:(?P<budget>{_BUDGET})(?: ?(?:{_MAX}|(?P<bmin>{_MIN})|(?P<babout>{_AROUND})))?"
    rf"|(?P<pmax>{_MAX})|(?P<pmin>{_MIN})|(?P<pabout>{_AROUND})){_THE} ?{_amount('p')}"
    rf"|{_amount('x')}(?: ?(?:(?P<smax>{_POST_MAX})|(?P<smin>{_POST_MIN})|(?P<sabout>{_POST_AROUND})))?"
)
_PRICE_THRESHOLD = 10_000

# ---- a sum in another currency ----

# Listings are priced in Egyptian pounds: a sum said in another currency ("under 100k dollars", "$200,000", "١٠٠ الف
# دولار", "500 alf riyal") is no budget in pounds. It is claimed before any other reading, so it never becomes one, and
# the currency is reported for the reply to say so; converting it would need a rate this service does not keep.
FOREIGN_CURRENCIES: dict[str, tuple[str, ...]] = {
    "USD": ("dollars", "dollar", "usd", "us dollars", "bucks", "دولار", "دولارات", "الدولار", "dolar", "dolarat"),
    "EUR": ("euros", "euro", "eur", "يورو", "اليورو"),
    "GBP": ("pounds sterling", "sterling", "gbp", "استرليني", "جنيه استرليني"),
    "SAR": ("riyals", "riyal", "sar", "ريال", "ريالات", "ريال سعودي", "riyal", "rial"),
    "AED": ("dirhams", "dirham", "aed", "درهم", "دراهم"),
    "KWD": ("kuwaiti dinars", "kuwaiti dinar", "kwd", "دينار كويتي", "دينار"),
}  # fmt: skip
_SIGNS = {"$": "USD", "us$": "USD", "€": "EUR", "£": "GBP"}
_CURRENCY_OF = {fold(word): code for code, words in FOREIGN_CURRENCIES.items() for word in words} | _SIGNS
_FOREIGN_WORD = _words(*(word for words in FOREIGN_CURRENCIES.values() for word in words), attached=True)
_FOREIGN = re.compile(
    _fold_pattern(
        rf"(?:{_PHRASE_START}(?:{_BUDGET}|{_MAX}|{_MIN}|{_AROUND}) ?)?"  # "under", "budget", "أقل من": its cue too
        rf"(?:(?P<sign>\$|us\$|€|£) ?{_amount('y')}|{_PHRASE_START}(?:{_amount('z')} ?(?P<word>{_FOREIGN_WORD})))"
    )
)


def _read_foreign(match: re.Match[str], scan: _Scan) -> _Take:
    said = match.group("sign") or match.group("word")
    code = _CURRENCY_OF.get(fold(said).strip())
    if code is None:
        return None
    scan.flags.add(f"currency:{code}")
    return match.start(), match.start() + len(match.group(0).rstrip()), True


def _amount_matched(match: re.Match[str], tag: str) -> bool:
    return match.group("n" + tag) is not None or match.group("w" + tag) is not None


def _read_money(match: re.Match[str], scan: _Scan) -> _Take:
    for low_tag, high_tag in (("a", "b"), ("c", "d")):
        if _amount_matched(match, low_tag):
            return _read_price_range(match, scan, low_tag, high_tag)
    tag = "p" if _amount_matched(match, "p") else "x"
    money = _money(match, tag)
    if money is not None and not money.marked and match.group("budget") and money.value < 100:
        money = _Money(money.value * 1e6, 1e6, True)  # "budget 8": in a property search that is 8 million
    value = _price_value(money, _PRICE_THRESHOLD)
    if value is None:
        return None
    if match.group("pmin") or match.group("smin") or match.group("bmin"):
        scan.set("min_price", value)
    elif match.group("pabout") or match.group("sabout") or match.group("babout"):
        low, high = _band(value, 10)
        scan.set("min_price", low)
        scan.set("max_price", high)
    else:
        scan.set("max_price", value)  # "under 8M", "8M max", "budget 8M", and a bare "8M"
    return _whole(match)


def _read_price_range(match: re.Match[str], scan: _Scan, low_tag: str, high_tag: str) -> _Take:
    low, high = _money(match, low_tag), _money(match, high_tag)
    if low is None or high is None:
        return None
    # "5-7M", "بين ٥ و ٧ مليون": the first number borrows the second's unit, and the other way round.
    if low.multiplier is None and high.multiplier is not None:
        low = _Money(low.value * high.multiplier, high.multiplier, True)
    elif high.multiplier is None and low.multiplier is not None:
        high = _Money(high.value * low.multiplier, low.multiplier, True)
    elif low.multiplier is None and match.groupdict().get("rbudget") and max(low.value, high.value) < 100:
        # "budget 4-5": in a property search those are millions, as "budget 8" is ("budget 4-5 million" reads as a
        # range too, not as "budget 4" and a stray "5 million")
        low, high = _Money(low.value * 1e6, 1e6, True), _Money(high.value * 1e6, 1e6, True)
    a, b = _price_value(low, _PRICE_THRESHOLD), _price_value(high, _PRICE_THRESHOLD)
    if a is None or b is None:
        return None
    scan.set("min_price", min(a, b))
    scan.set("max_price", max(a, b))
    return _whole(match)


# ---- phrases: places, types, finishing, sale type, delivery state, payment words ----


@dataclass(frozen=True, slots=True)
class _Meaning:
    field: str
    value: Any


_FILLER = _Meaning("filler", None)
# A road or landmark named after a place ("Cairo-Alex road", "جامعة القاهرة"): read over, so that its words stay in the
# text and are never a place.
_LANDMARK = _Meaning("landmark", None)
# The order in which one phrase with several meanings is read (see the module docstring).
_PRECEDENCE = ("locations", "compounds", "developers")

# A word that is its own negation: "unfurnished" is "not furnished" (a listing that is furnished is ruled out, one
# fully finished is not). "without furniture" and "بدون فرش" read so too: "furniture" and "فرش" alone are no finishing.
_UNFURNISHED = ("unfurnished", "un-furnished", "non furnished", "non-furnished", "without furniture", "no furniture",
                "بدون فرش", "من غير فرش", "فاضية", "فاضي", "fadya", "fadia", "fadyah")  # fmt: skip
_EXCLUDED = frozenset(EXCLUSIONS.values())
_READY_PHRASES = (
    "ready to move", "ready to move in", "ready to live", "ready for living", "ready", "immediate delivery",
    "immediate", "delivered", "move in now", "move-in ready", "ready for delivery", "already delivered",
    "استلام فوري", "تسليم فوري", "جاهز للسكن", "جاهزة للسكن", "جاهز", "جاهزة", "جاهزة للاستلام", "جاهز للاستلام",
    "متسلم", "متسلمة", "فوري", *franco.READY,
)  # fmt: skip
_OFF_PLAN_PHRASES = (
    "under construction", "off plan", "offplan", "not delivered", "not ready", "not yet delivered", "تحت الإنشاء",
    "قيد الإنشاء", "تحت التنفيذ", "مش جاهز", "مش جاهزة", "غير جاهز", "أوف بلان", *franco.OFF_PLAN,
)  # fmt: skip
_CASH_PHRASES = (
    "cash", "full cash", "cash payment", "cash only", "pay cash", "paying cash", "in cash", "all cash", "كاش",
    "نقدي", "نقدا", "كاش فقط", "دفع كاش", "بالكاش", *franco.CASH,
)  # fmt: skip
_INSTALLMENT_PHRASES = (
    "installments", "installment", "instalments", "instalment", "on installments", "with installments",
    "payment plan", "payment plans", "تقسيط", "بالتقسيط", "التقسيط", "أقساط", "قسط", "بالقسط", "نظام سداد",
    # a developer's plan carries no interest: "interest-free" asks for one
    "interest free", "interest-free", "without interest", "no interest", "0% interest", "من غير فوايد",
    "من غير فوائد", "بدون فوايد", "بدون فوائد", "بدون فوائد بنكية", "men gher fawayed", "bedon fawayed",
    "خطة سداد", "على أقساط", *franco.INSTALLMENTS,
    # the verb: "ينفع اقسط؟", "اقدر اقسطها؟", "بتتقسط؟"
    "اقسط", "أقسط", "نقسط", "اقسطها", "أقسطها", "اقسطه", "تتقسط", "بتتقسط", "يتقسط",
)  # fmt: skip
# The order a buyer asks for by price: "the cheapest villa", "أرخص شقة", "ar5as sha2a", "أقل سعر" (cheapest first),
# "أغلى فيلا" (dearest first). Not "أقل حاجة": "at the least" as often as "the cheapest" ("أقل حاجة ٣ أوض"). Not a
# filter: the words go, and the search lists the matching listings by price.
_CHEAPEST_PHRASES = (
    "cheapest", "the cheapest", "cheapest first", "cheap", "lowest price", "lowest prices", "least expensive",
    "inexpensive", "affordable", "low cost", "أرخص", "الأرخص", "أرخص حاجة", "رخيص", "رخيصة", "رخيصه", "الرخيص",
    "ar5as", "2ar5as", "el ar5as", "arkhas", "re5ees", "re5isa", "rekhisa", "rkhees", "أقل سعر", "بأقل سعر",
    "أقل الأسعار", "a2al se3r", "b a2al se3r", "ba2al se3r",
    # "not expensive" is cheap ("مش غالية"), not a negated order (which leaves none: "not the cheapest")
    "not expensive", "not too expensive", "not so expensive", "not that expensive", "مش غالية", "مش غالي", "مش غاليه",
    "مش غاليين", "مش غالى", "mesh ghalya", "msh ghalya", "mesh 8alya", "msh 8alya", "mesh ghaly", "msh ghaly",
    "mesh 8aly", "msh 8aly",
)  # fmt: skip
_DEAREST_PHRASES = (
    "most expensive", "the most expensive", "priciest", "highest price", "highest prices", "أغلى", "الأغلى",
    "a8la", "el a8la", "aghla", "a4la", "أعلى سعر", "a3la se3r",
)  # fmt: skip
# The cheapest (or the dearest) square metre first: "أقل سعر للمتر في التجمع", "cheapest per sqm", "ar5as metr". Read
# before "أقل سعر" alone (the longer phrase wins), which is the cheapest listing.
_PER_SQM_WORDS = (
    "per meter", "per metre", "per sqm", "per m2", "per square meter", "per square metre", "a meter", "a metre",
    "للمتر", "المتر", "متر", "ل المتر", "lel metr", "el metr", "metr", "l metr", "lel meter", "el meter", "lel mitr",
)  # fmt: skip
# "cheapest 3 bedroom apartment per sqm", "أرخص شقة للمتر", "ar5as sha2a lel metr": a price order with the per-metre
# words apart from it (read after the phrases) is the order by price per m². Not a bare "متر" or "meter", which a size
# or a distance says.
_PER_SQM_APART = _compile(
    _words("per meter", "per metre", "per sqm", "per m2", "per square meter", "per square metre", "للمتر", "ل المتر",
           "lel metr", "lel meter", "lel mitr", "l metr")
)  # fmt: skip
_PER_SQM_ORDER_OF = {"price_asc": "price_per_sqm_asc", "price_desc": "price_per_sqm_desc"}


def _read_per_sqm_apart(match: re.Match[str], scan: _Scan) -> _Take:
    if scan.order not in _PER_SQM_ORDER_OF:  # one such phrase turns the order
        return None
    scan.order = _PER_SQM_ORDER_OF[scan.order]
    return _whole(match)


_CHEAPEST_PER_SQM_PHRASES = (
    *(f"{cheapest} {per}" for cheapest in ("cheapest", "the cheapest", "cheapest price", "lowest price", "lowest",
      "least expensive", "أرخص", "الأرخص", "أرخص سعر", "أقل سعر", "بأقل سعر", "ar5as", "arkhas", "ar5as se3r",
      "a2al se3r", "b a2al se3r", "ba2al se3r") for per in _PER_SQM_WORDS),
    "lowest meter price", "lowest metre price", "lowest sqm price", "cheapest meter", "cheapest metre",
    "cheapest sqm", "lowest price/m2", "lowest price/sqm",
)  # fmt: skip
# "شقة لقطة", "a bargain", "below market price": a home cheap for what it is, and what it is comes in square metres,
# so the best value per m² first (a decision: "لقطة" in a broker's description is praise, not a fact to rank by).
_BARGAIN_PHRASES = (
    "لقطة", "لقطه", "لقطة بجد", "lo2ta", "lu2ta", "la2ta", "lo2taa", "bargain", "a bargain", "good deal", "a good deal",
    "great deal", "best deal", "best value", "best value for money", "value for money", "below market",
    "below market price", "under market price", "تحت سعر السوق", "اقل من سعر السوق", "أقل من سعر السوق",
)  # fmt: skip
_DEAREST_PER_SQM_PHRASES = (
    *(f"{dearest} {per}" for dearest in ("most expensive", "the most expensive", "highest price", "highest",
      "priciest", "أغلى", "الأغلى", "أغلى سعر", "أعلى سعر", "a8la", "aghla", "a8la se3r", "a3la se3r")
      for per in _PER_SQM_WORDS),
    "highest meter price", "highest metre price", "highest sqm price", "priciest meter", "priciest sqm",
)  # fmt: skip
# The biggest or the smallest first ("the biggest villa", "أكبر شقة في المعادي", "akbar fella"). "Bigger than 200m"
# and "أكبر من ١٥٠" are sizes, read before any phrase.
_BIGGEST_PHRASES = (
    "biggest", "the biggest", "largest", "the largest", "biggest first", "largest first", "most spacious",
    "biggest size", "largest size", "largest area", "biggest area", "أكبر", "الأكبر", "أكبر مساحة", "أوسع",
    "الأوسع", "أوسع مساحة", "akbar", "el akbar", "2akbar", "akbar masa7a", "awsa3",
)  # fmt: skip
_SMALLEST_PHRASES = (
    "smallest", "the smallest", "smallest first", "smallest size", "أصغر", "الأصغر", "أصغر مساحة", "as8ar",
    "asghar", "el as8ar",
)  # fmt: skip
_FILLER_PHRASES = (
    "for sale", "to buy", "for buying", "i want", "i need", "i am looking for", "i'm looking for", "im looking for",
    "looking for", "searching for", "search for", "show me", "find me", "get me", "please", "pls", "want", "need",
    "available", "property", "properties", "unit", "units", "للبيع", "للشراء", "تمليك", "للتمليك", "عايز", "عاوز",
    "عايزة", "عاوزة", "محتاج", "محتاجة", "ابحث عن", "بدور على", "بدور", "بحث عن", "لو سمحت", "ممكن", "اريد", "أريد",
    "نفسي في",
    "متاح", "متاحة", "وحدة", "وحدات", "عقار", "عقارات", "صالة", "reception", "ابغى", "ابغي", "أبغى", "ابغا", "بغيت",
    "اشتري", "أشتري", "نشتري", "هشتري", "حابب اشتري", "بشتري", "i want to buy", "buy", "buying",
    *_BUILT_UP,  # after a size read ("300 متر مباني", "300 sqm bua")
    *franco.FILLERS,
)  # fmt: skip
# Phrases that are a view or a floor rather than a place when the word before them is one of these.
_GUARDS: dict[str, frozenset[str]] = {
    "lake view": frozenset(
        {"with", "a", "has", "have", "nice", "great", "open", "beautiful", "amazing", "and", "direct"}
    ),
    "mountain view": frozenset({"with", "a", "has", "have", "nice", "great", "open", "beautiful", "amazing", "and"}),
    "estates": frozenset({"real"}),
    fold("الخامس"): frozenset({fold(w) for w in ("الدور", "دور", "الطابق", "طابق", "floor")}),
}
_TOKEN = re.compile(r"\w+")
# Between two words of one phrase: spaces, hyphens, "&" ("core & shell"), apostrophes ("i'm").
_PHRASE_GAP = re.compile(r"[ \-&'’]{1,3}")


def _phrase_key(phrase: str) -> tuple[str, ...]:
    return tuple(_TOKEN.findall(fold(phrase)))


def _build_phrases() -> dict[tuple[str, ...], _Meaning]:
    meanings: dict[tuple[str, ...], dict[str, _Meaning]] = {}

    def put(phrases: Iterable[str], meaning: _Meaning) -> None:
        for phrase in phrases:
            key = _phrase_key(phrase)
            if key:
                meanings.setdefault(key, {}).setdefault(meaning.field, meaning)

    for name, spellings in AREA_SPELLINGS.items():
        put(spellings, _Meaning("locations", name))
    for region in REGIONS:  # a location the filters replace by its places (filters.SearchFilters)
        put((region.name, *region.aliases), _Meaning("locations", region.name))
    put(LANDMARKS, _LANDMARK)
    for area in AREAS:
        for compound in area.compounds:
            put((compound.name, *compound.aliases), _Meaning("compounds", compound.name))
    for developer in DEVELOPERS:
        put((developer.name, *developer.aliases), _Meaning("developers", developer.name))
    for ptype, aliases in PROPERTY_TYPES.items():
        put((ptype, *aliases), _Meaning("property_types", ptype))
    for finishing, phrases in FINISHINGS.items():
        put((finishing.replace("_", " "), *phrases), _Meaning("finishing", finishing))
    put(_UNFURNISHED, _Meaning("exclude_finishing", "furnished"))
    for sale_type, phrases in SALE_TYPE_PHRASES.items():
        put(phrases, _Meaning("sale_type", sale_type))
    for feature, phrases in FEATURES.items():
        put(phrases, _Meaning("features", feature))
    for floor, phrases in FLOORS.items():
        put(phrases, _Meaning("floors", floor))
    for pair, phrases in FLOOR_PAIRS.items():
        put(phrases, _Meaning("floors", pair))
    for (bound, floor), phrases in FLOOR_HEIGHTS.items():
        put(phrases, _Meaning(bound, floor))
    put(_READY_PHRASES, _Meaning("is_delivered", True))
    put(_OFF_PLAN_PHRASES, _Meaning("is_delivered", False))
    put(_CASH_PHRASES, _Meaning("payment", "cash"))
    put(_INSTALLMENT_PHRASES, _Meaning("payment", "installments"))
    put(_CHEAPEST_PHRASES, _Meaning("order", "price_asc"))
    put(_DEAREST_PHRASES, _Meaning("order", "price_desc"))
    put(_BIGGEST_PHRASES, _Meaning("order", "size_desc"))
    put(_SMALLEST_PHRASES, _Meaning("order", "size_asc"))
    put(_CHEAPEST_PER_SQM_PHRASES, _Meaning("order", "price_per_sqm_asc"))
    put(_BARGAIN_PHRASES, _Meaning("order", "price_per_sqm_asc"))
    put(_DEAREST_PER_SQM_PHRASES, _Meaning("order", "price_per_sqm_desc"))
    put(_FILLER_PHRASES, _FILLER)

    table: dict[tuple[str, ...], _Meaning] = {}
    for key, by_field in meanings.items():
        ranked = [by_field[f] for f in _PRECEDENCE if f in by_field] or list(by_field.values())
        if len(by_field) > 1 and not set(by_field) <= set(_PRECEDENCE):
            raise ValueError(f"the phrase {' '.join(key)!r} means {sorted(by_field)}")  # a gazetteer mistake
        table[key] = ranked[0]
    return table


_PHRASES = _build_phrases()
_AREA_PART_KEYS = frozenset(_phrase_key(part) for parts in AREA_PARTS.values() for part in parts)
_LONGEST: dict[str, int] = {}
for _key in _PHRASES:
    _LONGEST[_key[0]] = max(_LONGEST.get(_key[0], 0), len(_key))
_GUARD_KEYS = {_phrase_key(k): v for k, v in _GUARDS.items()}
# Arabic attaches "and", "in", "to", "so", "like" and "the" to the next word: "بالتجمع", "والشيخ زايد", "للساحل".
_CLITICS = tuple(sorted({"و", "ف", "ب", "ك", "ل", "وب", "ول", "فب", "فل", "وك"}, key=len, reverse=True))
_COMPOUND_DEVELOPER = {c.name: c.developer for area in AREAS for c in area.compounds}


def is_arabic(word: str) -> bool:
    """Whether the text starts in Arabic script."""
    return "\u0600" <= word[0] <= "\u06ff"


# ---- names in Franco-Arabic and misspelt: "sha2a fel tagamo3", "appartment in new caito" ----

# What a name read by its Franco spelling or corrected from a misspelling may be (see franco.py and spelling.py).
_RESPELLABLE = frozenset(
    {
        "locations",
        "compounds",
        "developers",
        "property_types",
        "finishing",
        "features",
        "floors",
        "min_floor",
        "max_floor",
    }
)
_NAME_FIELDS = frozenset({"locations", "compounds", "developers", "property_types"})
_PHRASE_WORDS = frozenset(w for key in _PHRASES for w in key)
# Features are read in Franco by their listed Latin spellings only: transliterated, their short Arabic words ("ترس",
# "بسين", "كورنر") would read everyday English words ("trees", "basin", "coroner") as amenities.
_FRANCO_INDEX = franco.FrancoIndex(
    {w for key, m in _PHRASES.items() if m.field in _RESPELLABLE - {"features"} for w in key if is_arabic(w)}
)
_SHORT_SPELLINGS = {latin: fold(arabic) for latin, arabic in franco.SHORT_SPELLINGS.items()}
# The Arabic names of the places without demo listings and of the regions are read as written (and in Franco), never
# corrected into: they lie a letter from everyday words of a buyer's message, "المقدم" (the down payment) from
# "المقطم", "ألاقي" (I find) from "الدقي", which the labelled leads caught. A word they share with another name
# ("مدينة") still is.
_PLACE_NAMES = frozenset((*(place.name for place in PLACES), *REGION_PLACES))
_UNCORRECTED = frozenset(
    w for key, m in _PHRASES.items() if m.field == "locations" and m.value in _PLACE_NAMES for w in key if is_arabic(w)
) - {w for key, m in _PHRASES.items() if m.field in _NAME_FIELDS and m.value not in _PLACE_NAMES for w in key}
# Only the words of names are corrected (types, places, compounds, developers); a finishing is not a name.
_SPELLING = SpellingIndex(
    (w for key, m in _PHRASES.items() if m.field in _NAME_FIELDS for w in key if w not in _UNCORRECTED),
    {key[0]: f"{m.field}:{m.value}" for key, m in _PHRASES.items() if m.field in _NAME_FIELDS and len(key) == 1},
)
# The Latin words of features and finishings are corrected too ("balcny", "semi finshed", "swiming pool", "gnena"), but
# only a word that is no English word: "tools" is not "pools", "each" not "beach", "speaking" not "parking". Their
# Arabic words are not: short and common ("روف", "جراج", "فرش"), each lies a letter from everyday words.
_AMENITY_FIELDS = ("features", "finishing")
_AMENITY_SPELLING = SpellingIndex(
    {w for key, m in _PHRASES.items() if m.field in _AMENITY_FIELDS for w in key if w.isascii()},
    {key[0]: f"{m.field}:{m.value}" for key, m in _PHRASES.items() if m.field in _AMENITY_FIELDS and len(key) == 1},
)
_ENGLISH_WORDS = english_words()
_ARTICLES = frozenset(franco.ARTICLES)
_RESPELL_LONGEST = max(len(key) for key in _PHRASES)


def _known_words() -> frozenset[str]:
    # Words the parser reads as something else: never respelt into a name ("from" is not "fron", "estate" not
    # "estates").
    words: set[str] = set(_WORD_NUMBER_VALUES)
    for phrases in (_NEGATION_CUES, _FILLER_PHRASES, _NEGATION_GAP_WORDS, _READY_PHRASES, _CASH_PHRASES):
        words.update(w for p in phrases for w in _phrase_key(p))
    for phrases in _NEGATION_FILLERS.values():
        words.update(w for p in phrases for w in _phrase_key(p))
    lexicon = (*franco.AT_MOST, *franco.AT_LEAST, *franco.AROUND, *money_words.MILLIONS, *money_words.THOUSANDS,
               *franco.INSTALLMENTS, *franco.YEARS, *franco.TWO_YEARS, *franco.DOWN_PAYMENT, *franco.PERCENT,
               *franco.MONTHLY_BEFORE, *franco.MONTHLY_AFTER, *franco.SIZE_UNITS)  # fmt: skip
    words.update(w for p in lexicon for w in _phrase_key(p))
    words.update(fold(w) for w in franco.CONNECTORS)
    words.update(fold(w) for w in (*franco.ENGLISH_LOOKALIKES, *franco.EVERYDAY_LOOKALIKES, *_EVERYDAY_ARABIC))
    return frozenset(words - _PHRASE_WORDS)


# Everyday Arabic words a letter from a name, never respelt into it: "مراتي" (my wife) is not Marassi, "الشروط" (the
# terms) not El Shorouk, "الساحة" (the square) not the North Coast, "شروخ" (cracks) not El Shorouk.
_EVERYDAY_ARABIC = ("مراتي", "مراته", "مراتك", "الشروط", "شروط", "بالشروط", "الساحة", "ساحة", "الشروخ", "شروخ",
                    "مدينتك", "مدينته")  # fmt: skip


@lru_cache(maxsize=8192)
def _respellings(word: str, within: bool = False) -> tuple[tuple[str, ...], bool]:
    """The vocabulary words `word` may be (itself first when it is one) and whether any of them is a respelling.
    `within` a name after its first word, a short Franco word may be read too ("el 3asema el *edareya*")."""
    if not word:
        return (), False
    if word in _WORD_NUMBER_VALUES:  # "setta october" is "6 october"
        digits = str(_WORD_NUMBER_VALUES[word])
        return ((digits,), True) if digits in _PHRASE_WORDS else ((), False)
    if word in _PHRASE_WORDS:
        # A Latin alias may also spell an Arabic word of a longer name: "tagamo3" and "el 5ames". A listed short
        # spelling that is no name by itself is a respelling, though a longer name starts with it: "sahl" is الساحل,
        # and the first word of "Sahl Hasheesh" (which wins where it is written whole).
        spelled = _FRANCO_INDEX.spelled(word, _SHORT_SPELLINGS, within) if word.isascii() else ()
        return (word, *spelled), bool(spelled) and word in _SHORT_SPELLINGS and (word,) not in _PHRASES
    if word in _KNOWN_WORDS and not (within and word in _SHORT_SPELLINGS):
        # A known little word may still be a name's inner word: "aw" is the "أو" of "el dor el awal aw el tany".
        return (), False
    found: list[str] = []
    if is_arabic(word):
        for form in _word_forms(word):
            if form in _PHRASE_WORDS:
                found.append(form)
            elif form not in _KNOWN_WORDS and (corrected := _SPELLING.correct(form)) is not None:
                # Arabic words lie closer together ("غالية", dear, is a letter from "شاليه"): a typo keeps the first
                # letter and the word its length.
                if corrected[0] == form[0] and len(corrected) == len(form):
                    found.append(corrected)
    elif word.isascii():
        found.extend(_FRANCO_INDEX.spelled(word, _SHORT_SPELLINGS, within))
        if word.isalpha() and (corrected := _SPELLING.correct(word)) is not None:
            found.append(corrected)
        elif word.isalpha() and word not in _ENGLISH_WORDS and (corrected := _AMENITY_SPELLING.correct(word)):
            found.append(corrected)
    unique = tuple(dict.fromkeys(found))[:4]
    return unique, bool(unique)


def _respelt_phrase(text: str, words: list[tuple[int, int, str]], i: int) -> tuple[int, _Meaning] | None:
    """The longest name starting at word i when its words are read as Franco or corrected (an article before it
    and between its words belongs to it: "el tagamo3", "tagamo3 el 5ames"): the index of the word after it and
    what it means."""
    first = i + 1 if words[i][2] in _ARTICLES and i + 1 < len(words) else i
    if first != i and not _PHRASE_GAP.fullmatch(text, words[i][1], words[first][0]):
        return None
    options: list[tuple[int, tuple[str, ...]]] = []
    respelt = False
    k = first
    while k < len(words) and len(options) < _RESPELL_LONGEST:
        if options and not _PHRASE_GAP.fullmatch(text, words[k - 1][1], words[k][0]):
            break
        if options and words[k][2] in _ARTICLES:
            k += 1
            continue
        forms, changed = _respellings(words[k][2], bool(options))
        if not forms:
            break
        options.append((k, forms))
        respelt = respelt or changed
        k += 1
    # "fel", "bel", "lel", "wel": a preposition fused with the article, which a name may keep ("fel haram" is "el
    # haram", where "haram" alone is not the place).
    fused = first != i and words[i][2] != "el"
    if not respelt and not fused:
        return None
    for n in range(len(options), 0, -1):
        for key in product(*(forms for _, forms in options[:n])):
            as_written = all(words[k][2] == form for (k, _), form in zip(options[:n], key, strict=True))
            meaning = _PHRASES.get(key)
            if meaning is not None and as_written:
                # Read as written, the exact reading has the longest name here: "sahl hasheesh" is not "sahl"
                # (الساحل) and a word, and "fel maadi" stays "maadi".
                return None
            if fused and as_written:
                key = ("el", *key)
                meaning = _PHRASES.get(key)
            elif not respelt:
                continue
            if meaning is None or meaning.field not in _RESPELLABLE:
                continue
            guard = _GUARD_KEYS.get(key)
            if guard and i > 0 and words[i - 1][2] in guard:
                continue
            return options[n - 1][0] + 1, meaning
    return None


def _canonical(meaning: _Meaning) -> str:
    if meaning.field == "floors":
        floors = meaning.value if isinstance(meaning.value, tuple) else (meaning.value,)
        return " or ".join("ground floor" if floor == 0 else f"floor {floor}" for floor in floors)
    if meaning.field in ("min_floor", "max_floor"):
        return f"floor {meaning.value} or {'higher' if meaning.field == 'min_floor' else 'lower'}"
    return str(meaning.value).replace("_", " ")


def _word_forms(word: str) -> list[str]:
    """The word, and for an Arabic word the forms without an attached particle or article."""
    forms = [word]
    if not is_arabic(word):
        return forms
    stems = [word] + [word[len(c) :] for c in _CLITICS if word.startswith(c) and len(word) - len(c) >= 2]
    for stem in stems:
        if stem.startswith("لل") and len(stem) > 3:
            forms.append("ال" + stem[2:])  # ل + ال = لل
        if stem != word:
            forms.append(stem)
        if stem.startswith("ال") and len(stem) > 3:
            forms.append(stem[2:])
    return forms


# ---- negation: "not a villa", "مش في الشيخ زايد", "nothing by Emaar" ----

# The words that rule out the phrase after them, as word sequences of the folded text ("don't" is "don", "t").
_NEGATION_CUES = (
    "not", "no", "non", "never", "none", "nothing", "without", "except", "except for", "excepting", "excluding",
    "exclude", "anything but", "anywhere but", "everything but", "but not", "other than", "rather than", "instead of",
    "outside", "outside of", "away from", "far from", "far away from", "avoid", "avoiding", "don't want", "dont want",
    "do not want", "don't need", "do not need", "don't like", "dont like", "do not like", "not interested in",
    "shouldn't be", "should not be",
    "مش", "مش عايز", "مش عاوز", "مش عايزة", "مش عاوزة", "مش عايزين", "مش عاوزين", "مش محتاج", "مش محتاجة", "مش حابب",
    "مش حابة", "مش بحب", "مابحبش", "ما بحبش", "ماعايزش", "ما عايزش", "مايكونش", "ما يكونش", "ميكونش", "غير", "ماعدا",
    "ما عدا", "عدا", "إلا", "بلاش", "من غير", "بدون", "بعيد عن", "بعيدا عن", "بعيد من", "بره", "برة", "برا", "خارج",
    "بدل", "بدل من", "بدال", *franco.NEGATION_CUES,
)  # fmt: skip
# Words that may stand between a cue and what it rules out, by what it rules out: "not *in* Sheikh Zayed", "no
# *compounds from* Emaar". A type takes only articles: "no compound villas" is villas outside compounds.
_NEGATION_GAP_WORDS = (
    "a", "an", "the", "any", "to", "buy", "live", "اي", "أي", "حاجة", "اشتري", "اسكن", "يكون", "تكون",
)  # fmt: skip
# A compound, and a developer as a buyer names it by its compounds: "not in Mivida", "not in a Palm Hills compound",
# "مش في كمبوند بالم هيلز", "mesh fe compound palm hills".
_IN_A_PROJECT = (
    "in", "at", "inside", "within", "from", "compound", "compounds", "project", "projects", "في", "فى", "ف", "من",
    "كمبوند", "كومباوند", "كمباوند", "مشروع", "بتاع", *franco.LOCATION_FILLERS, *franco.ARTICLES,
)  # fmt: skip
_ON_A_FLOOR = (
    "on",
    "in",
    "at",
    "في",
    "فى",
    "ف",
    "ب",
    "على",
    "ع",
    *franco.LOCATION_FILLERS,
    *franco.ARTICLES,
    "3ala",
    "3al",
)
_NEGATION_FILLERS: dict[str, tuple[str, ...]] = {
    "property_types": (),
    "finishing": ("على", "ع", "3ala", "3al", "on"),  # "مش على الطوب الاحمر", "not on red brick"
    "sale_type": (),
    "is_delivered": (),
    "payment": ("on", "by", "with", "ب"),
    "order": ("the", "one", "حاجة"),  # "not the cheapest", "مش أرخص حاجة"
    # "not on the ground floor", "مش في الدور الأرضي", "mesh fel dor el ardy", "not a high floor"
    "floors": _ON_A_FLOOR,
    "min_floor": _ON_A_FLOOR,
    "max_floor": _ON_A_FLOOR,
    # "no private pool", "without a garden", "مش عايز جنينة", "من غير جراج", "not near the beach"
    "features": ("private", "own", "near", "close to", "next to", "by", "خاص", "خاصة", "قريب من", "جنب", "ب"),
    "locations": (
        "in", "at", "inside", "within", "from", "area", "city", "في", "فى", "ف", "ب", "من", "منطقة", "جوه",
        *franco.LOCATION_FILLERS, *franco.ARTICLES,
    ),
    "compounds": _IN_A_PROJECT,
    # "nothing by Emaar", "no compounds from Emaar", "مش من اعمار", and whatever may stand before a compound
    "developers": (
        *_IN_A_PROJECT, "by", "of", "developed", "built", "developer", "units", "properties", "homes", "بتاعة", "تبع",
        "شركة", "مشاريع", "مشروعات", "كمبوندات", "كمباوندات", "وحدات",
    ),
}  # fmt: skip
# Between a cue and a negation before it, which cancels it: "not *too* far from", "مش عايز *حاجة* غير".
_BEFORE_CUE_WORDS = frozenset(
    fold(w) for w in ("anything", "something", "any", "too", "so", "very", "حاجة", "اي", "أي", "اوي", "قوي")
)
# What carries a negation on to the next phrase of the same kind: "no villas or townhouses", "مش فيلا ولا تاون".
_NEGATION_JOINERS = frozenset(fold(w) for w in ("or", "nor", "and", "ولا", "أو", "او", "و"))
_NEGATABLE = (*EXCLUSIONS, "sale_type", "is_delivered", "payment", "min_floor", "max_floor", "order")
_NEGATION_GAP = re.compile(r"[ \-'’/]{1,3}")
_ADJECTIVE_GAP = re.compile(r" {1,2}")  # a noun and the adjective after it: nothing but a space between them
_KNOWN_WORDS = _known_words()


def _cue_keys() -> frozenset[tuple[str, ...]]:
    keys = set()
    for cue in _NEGATION_CUES:
        key = _phrase_key(cue)
        keys.add(key)
        if is_arabic(key[0]):  # "ومش", "وبلاش": "and" written onto the cue
            keys.update((clitic + key[0], *key[1:]) for clitic in ("و", "ف"))
    return frozenset(keys)


_CUE_KEYS = _cue_keys()
# A cheap test for the cues' first words anywhere in the text; most queries have none, and skip the word list.
_MAY_NEGATE = re.compile("|".join(sorted({re.escape(key[0]) for key in _CUE_KEYS}, key=len, reverse=True))).search
_CUE_LONGEST = max(len(key) for key in _CUE_KEYS)
_FILLERS_BY_FIELD = {
    field: frozenset(fold(w) for w in (*_NEGATION_GAP_WORDS, *words)) for field, words in _NEGATION_FILLERS.items()
}


class _Tokens:
    """The words of the folded query with their positions, for reading back from a phrase to what negates it."""

    __slots__ = ("ends", "starts", "texts")

    def __init__(self, norm: str) -> None:
        found = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(norm)]
        self.starts = [start for start, _, _ in found]
        self.ends = [end for _, end, _ in found]
        self.texts = [text for _, _, text in found]

    def index_at(self, position: int) -> int:
        """The index of the first word starting at or after `position`."""
        return bisect_left(self.starts, position)


def _joined(scan: _Scan, tokens: _Tokens, first: int, last: int, right: int) -> bool:
    """Whether words first..last-1 and the text at `right` follow one another with only spaces (or a hyphen, an
    apostrophe, a slash) between them, none of them claimed by an earlier pass (a price, a size)."""
    for k in range(first, last):
        follows = tokens.starts[k + 1] if k + 1 < last else right
        if not _NEGATION_GAP.fullmatch(scan.norm, tokens.ends[k], follows):
            return False
    return first == last or _MASK not in scan.work[tokens.starts[first] : right]


def _cue_ending(scan: _Scan, tokens: _Tokens, end: int, right: int) -> int | None:
    """The index of the first word of the longest cue whose last word is word end-1, or None."""
    for n in range(min(_CUE_LONGEST, end), 0, -1):
        if tuple(tokens.texts[end - n : end]) in _CUE_KEYS and _joined(scan, tokens, end - n, end, right):
            return end - n
    return None


def _negation_before(scan: _Scan, tokens: _Tokens, start: int, field: str) -> tuple[int, bool] | None:
    """The cue before the phrase starting at `start`: where it begins, and whether it negates the phrase (None: no
    cue). A cue negated in turn says the opposite: "not far from New Cairo", "مش عايز غير شقة" (only an apartment)."""
    fillers = _FILLERS_BY_FIELD[field]
    end, right = tokens.index_at(start), start
    for _ in range(5):  # a cue, then up to four filler words: "not in a compound from Emaar"
        cue = _cue_ending(scan, tokens, end, right)
        if cue is not None:
            before = cue
            for _ in range(3):
                outer = _cue_ending(scan, tokens, before, tokens.starts[before])
                if outer is not None:
                    return tokens.starts[outer], False
                if before == 0 or tokens.texts[before - 1] not in _BEFORE_CUE_WORDS:
                    break
                if not _joined(scan, tokens, before - 1, before, tokens.starts[before]):
                    break
                before -= 1
            return tokens.starts[cue], True
        if end == 0 or tokens.texts[end - 1] not in fillers or not _joined(scan, tokens, end - 1, end, right):
            return None
        end, right = end - 1, tokens.starts[end - 1]
    return None


def _continues_negation(scan: _Scan, tokens: _Tokens, after: int, start: int, field: str, attached_and: bool) -> bool:
    """Whether the phrase at `start` belongs to the list a negation ending at `after` began: a joiner and nothing but
    joiners and the kind's filler words between ("not in Zayed or October", "مش عايز فيلا ولا تاون هاوس"). A comma
    ends the list: "no villas, apartments" wants apartments."""
    first, last = tokens.index_at(after), tokens.index_at(start)
    if last - first > 4:
        return False
    between = tokens.texts[first:last]
    fillers = _FILLERS_BY_FIELD[field]
    if not all(w in _NEGATION_JOINERS or w in fillers for w in between):
        return False
    if not (attached_and or _NEGATION_JOINERS.intersection(between) or "/" in scan.norm[after:start]):
        return False
    gap_end = tokens.starts[first] if between else start
    return bool(_NEGATION_GAP.fullmatch(scan.norm, after, gap_end)) and _joined(scan, tokens, first, last, start)


# ---- a floor with a bound: "above the 3rd floor", "فوق الدور التالت", "up to the 5th", "3rd floor or higher" ----

_FLOOR_ABOVE = _words(
    "above", "over", "higher than", "more than", "beyond", "فوق", "أعلى من", "اعلى من", "fo2", "foo2", "fou2",
    "a3la men", "a3la mn",
)  # fmt: skip
_FLOOR_BELOW = _words("below", "under", "lower than", "less than", "تحت", "أقل من", "اقل من", "أوطى من", "ta7t")
_FLOOR_UP_TO = _words(
    "up to", "upto", "until", "till", "at most", "max", "maximum", "لحد", "لغاية", "حتى", "بالكتير", "le7ad", "l7ad",
)  # fmt: skip
_FLOOR_FROM = _words("at least", "from", "starting from", "على الأقل", "من أول", "من اول", "min", "minimum")
_FLOOR_BEFORE = _compile(
    rf"(?:(?P<above>{_FLOOR_ABOVE})|(?P<below>{_FLOOR_BELOW})|(?P<up_to>{_FLOOR_UP_TO})|(?P<from>{_FLOOR_FROM}))"
    rf"(?: (?:the|a|{_fold_pattern('في|ف|على')}))? $"
)
_FLOOR_AFTER = re.compile(
    _fold_pattern(
        r"(?: ?(?:(?P<up>or above|or higher|and above|and up|or more|\+|وطالع|و طالع|أو أعلى|او اعلى|وفوق|و فوق"
        r"|w tale3)|(?P<down>or below|or lower|and below|and down|أو أقل|او اقل|ونازل|و نازل|وأقل|واقل)))(?!\w)"
    )
)


def _floor_bound(scan: _Scan, start: int, end: int, floor: int) -> tuple[int, int, _Meaning] | None:
    """A floor with a bound before or after it, as the floors it allows: "above the 3rd floor" is the 4th up, "below
    the 5th" the 4th down, "up to the 3rd" and "3rd floor or lower" the 3rd down, "from the 3rd" and "3rd floor or
    higher" the 3rd up. The span grows over the bound's words."""
    before = _FLOOR_BEFORE.search(scan.work, max(0, start - 30), start)
    if before is not None and before.end() == start:
        kind = before.lastgroup
        bound = {"above": ("min_floor", floor + 1), "below": ("max_floor", floor - 1), "up_to": ("max_floor", floor),
                 "from": ("min_floor", floor)}[kind or ""]  # fmt: skip
        return before.start(), end, _Meaning(*bound)
    after = _FLOOR_AFTER.match(scan.work, end)
    if after is not None:
        return start, after.end(), _Meaning("min_floor" if after.group("up") else "max_floor", floor)
    return None


def _read_phrases(scan: _Scan) -> None:
    text = scan.work
    words = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    tokens = _Tokens(scan.norm) if _MAY_NEGATE(scan.norm) else None
    claimed: list[tuple[int, int]] = []
    # The last negation read: what it ruled out (its kind), where it ends, its entry in `understood`, and the value.
    negation: tuple[str, int, int, str] | None = None
    lists: dict[int, int] = {}  # entries of `understood` that a list of negated phrases extends, to where it ends
    # Every phrase read, where it stands (a negated one from its cue) and whether it was negated, for _either_way.
    readings: list[tuple[int, int, _Meaning, bool]] = []
    either: list[tuple[int, int, _Meaning]] = []  # phrases offered either way: (start, end, meaning)
    i = 0
    while i < len(words):
        best: tuple[int, _Meaning, str] | None = None
        for form in _word_forms(words[i][2]):
            longest = _LONGEST.get(form)
            if longest is None:
                continue
            for n in range(min(longest, len(words) - i), 0, -1):
                if best is not None and n <= best[0]:
                    break
                if n > 1 and not all(
                    _PHRASE_GAP.fullmatch(text, words[j][1], words[j + 1][0]) for j in range(i, i + n - 1)
                ):
                    continue
                key = (form, *(w for _, _, w in words[i + 1 : i + n]))
                meaning = _PHRASES.get(key)
                if meaning is None:
                    continue
                guard = _GUARD_KEYS.get(key)
                if guard and i > 0 and words[i - 1][2] in guard:
                    continue
                best = (n, meaning, form)
                break
        respelt = None
        if _respellings(words[i][2])[0] or words[i][2] in _ARTICLES:
            respelt = _respelt_phrase(text, words, i)
            if respelt is not None and best is not None and respelt[0] <= i + best[0]:
                respelt = None
        if respelt is not None:
            after, meaning = respelt
            n, form = after - i, words[i][2]
            shown = f" → {_canonical(meaning)}"
        elif best is None:
            i += 1
            continue
        else:
            n, meaning, form = best
            # A neighbourhood is read as its area: said, as the search covers all of it ("katameya → New Cairo").
            part = meaning.field == "locations" and (form, *(w for _, _, w in words[i + 1 : i + n])) in _AREA_PART_KEYS
            shown = f" → {meaning.value}" if part else ""
        start, end = words[i][0], words[i + n - 1][1]
        i += n
        if meaning is _LANDMARK:
            continue
        if meaning.field == "floors" and isinstance(meaning.value, int):
            bounded = _floor_bound(scan, start, end, meaning.value)
            if bounded is not None:
                start, end, meaning = bounded
                while i < len(words) and words[i][0] < end:  # the bound's words after the floor are read
                    i += 1
        if tokens is not None and meaning.field in _NEGATABLE:
            cue = _negation_before(scan, tokens, start, meaning.field)
            if cue is not None and cue[1] and readings:
                # "بجنينة او من غير في زايد": the "without" offers the garden either way; Zayed is wanted.
                without = _without_after_or(scan, readings[-1], cue[0], meaning)
                if without is not None:
                    either.append((readings[-1][0], without, readings[-1][2]))
                    cue = None
            if cue is not None and cue[1]:
                _apply_negated_phrase(scan, meaning)
                readings.append((cue[0], end, meaning, True))
                claimed.append((cue[0], end))
                negation = (meaning.field, end, len(scan.understood), meaning.value)
                if len(scan.understood) < _MAX_UNDERSTOOD:
                    # A correction of what is ruled out says so: "mesh dor ardy → not ground floor".
                    said = shown.replace(" → ", " → not ", 1)
                    scan.understood.append((cue[0], scan.source[cue[0] : end] + said))
                continue
            if cue is not None:  # "nothing but villas": the phrase as the buyer put it
                start = cue[0]
            attached_and = form != words[i - n][2] and words[i - n][2].startswith("و") and not form.startswith("و")
            if (
                negation is not None
                and negation[0] == "property_types"
                and meaning.field == "finishing"
                and _ADJECTIVE_GAP.fullmatch(scan.norm, negation[1], start)
            ):
                # Arabic puts the adjective after its noun: "مش عايز شقة مفروشة" is "not a furnished apartment", an
                # apartment that is not furnished, as English reads it. The finishing is never wanted; after a list
                # ("مش فيلا ولا تاون مفروشة") the types stay ruled out too.
                if negation[2] not in lists:
                    _unexclude_type(scan, negation[3])
                _apply_negated_phrase(scan, meaning)
                readings.append((start, end, meaning, True))
                claimed.append((negation[1], end))
                lists[negation[2]] = end
                negation = (meaning.field, end, negation[2], meaning.value)
                continue
            if (
                negation is not None
                and negation[0] == meaning.field
                and _continues_negation(scan, tokens, negation[1], start, meaning.field, attached_and)
            ):
                # One chip for the whole list: "not in Zayed or October".
                _apply_negated_phrase(scan, meaning)
                readings.append((start, end, meaning, True))
                claimed.append((negation[1], end))
                lists[negation[2]] = end
                negation = (meaning.field, end, negation[2], meaning.value)
                continue
        _apply_phrase(scan, meaning)
        if meaning.field != "filler":
            readings.append((start, end, meaning, meaning.field in _EXCLUDED))
        if meaning.field in ("locations", "compounds"):
            scan.named.append((start, end, meaning.field, meaning.value))
        if meaning.field == "property_types":
            scan.types.append((start, end, meaning.value))
        if meaning.field == "property_types" and meaning.value == "Villa":
            standalone = _phrase_key(scan.source[start:end]) in _STANDALONE_KEYS
            scan.flags.add("villa_by_standalone" if standalone else "villa_named")
        if meaning.field == "features":
            # A feature asked for stays in the text as well: if no listing has it (it is then not applied), its words
            # still rank the listings that mention something like it.
            scan.spans.append((start, end, False))
            scan.features.append((start, end))
        else:
            claimed.append((start, end))
        if meaning is not _FILLER:
            negation = None
            if len(scan.understood) < _MAX_UNDERSTOOD:
                scan.understood.append((start, scan.source[start:end] + shown))
    for index, end in lists.items():
        if index < len(scan.understood):
            start = scan.understood[index][0]
            scan.understood[index] = (start, scan.source[start:end])
    scan.spans.extend((start, end, True) for start, end in claimed)
    if either or len(readings) > 1 or (readings and _MAY_BE_EITHER(scan.norm)):
        _either_way(scan, readings, either)


# ---- either way: "furnished or unfurnished", "ready or off plan", "with or without a garden", "مفروشة ولا لأ" ----

_OR_WORDS = r"(?:or|او|ولا|walla|wala|willa|aw|/)"
# Between a phrase and its opposite offered as alternatives: "furnished or unfurnished", "مفروشة او مش مفروشة".
_EITHER_GAP = re.compile(rf"[\s,]*{_OR_WORDS}[\s,]*")
# Before a phrase's negation that offers both: "with or without a garden", "ب او من غير جنينة".
_WITH_OR = re.compile(rf"(?<!\w)(?:with|ب|مع|b|bi|ma3)\s+{_OR_WORDS}\s+$")
# After a phrase, offering it or not, with nothing after but the end or a stop: "furnished or not", "مفروشة ولا لأ",
# "bi garden walla la2", "بجنينة او من غير".
_OR_NOT = re.compile(
    _fold_pattern(
        rf"[\s,]*{_OR_WORDS}\s*(?:(?:not|no|without|لا|مش|من غير|بدون|la|mesh|msh|men gher|mn gher|min gher|bedon"
        r"|bdon)(?=\s*(?:$|[^\w\s]))|(?:لأ|لاء|la2|laa|nope)(?!\w))"
    )
)
_WITHOUT = re.compile(
    _fold_pattern(r"(?:without|من غير|بدون|men gher|mn gher|min gher|men 8er|mn 8er|bedon|bdon|bedoon|bidon)(?!\w)")
)
_WANTED_OF = {excluded: wanted for wanted, excluded in EXCLUSIONS.items()}  # "exclude_finishing": "finishing"
_MAY_BE_EITHER = re.compile(rf"(?<!\w){_OR_WORDS}(?!\w)").search


def _opposite(one: _Meaning, one_negated: bool, other: _Meaning, other_negated: bool) -> bool:
    """Whether two phrases ask for opposite things: a value and its negation ("furnished", "unfurnished"), or the two
    sides of a yes-or-no ("ready", "off plan"; "resale", "from the developer"; "cash", "installments")."""
    if one.field in ("is_delivered", "sale_type", "payment"):
        return one.field == other.field and (one.value != other.value) != (one_negated != other_negated)
    field, other_field = _WANTED_OF.get(one.field, one.field), _WANTED_OF.get(other.field, other.field)
    return field in EXCLUSIONS and field == other_field and one.value == other.value and one_negated != other_negated


def _undo(scan: _Scan, meaning: _Meaning) -> None:
    """Take back what a phrase asked for, negated or not: the buyer takes it either way."""
    field = _WANTED_OF.get(meaning.field, meaning.field)
    if field in EXCLUSIONS:
        for name in (field, EXCLUSIONS[field]):
            values = scan.values.get(name)
            for value in meaning.value if isinstance(meaning.value, tuple) else (meaning.value,):
                if values and value in values:
                    values.remove(value)
            if name in scan.values and not scan.values[name]:
                del scan.values[name]
    elif field == "payment":
        scan.flags.difference_update(("cash", "installments"))
    elif field in ("is_delivered", "sale_type"):
        scan.values.pop(field, None)


def _without_after_or(scan: _Scan, last: tuple[int, int, _Meaning, bool], cue: int, meaning: _Meaning) -> int | None:
    """Where "or without" ends when it follows the phrase read last and stands before a phrase of another kind
    ("بجنينة او من غير في زايد", "with a garden or without in Zayed"): it offers that phrase either way and does not
    negate the next one. None otherwise."""
    _, end, last_meaning, negated = last
    if negated or last_meaning.field == meaning.field or not _EITHER_GAP.fullmatch(scan.norm, end, cue):
        return None
    without = _WITHOUT.match(scan.norm, cue)
    return without.end() if without is not None else None


def _either_way(
    scan: _Scan, readings: list[tuple[int, int, _Meaning, bool]], either: list[tuple[int, int, _Meaning]]
) -> None:
    """A phrase offered with its opposite asks for nothing: "furnished or unfurnished" filters no finishing, "ready or
    off plan" no delivery state, "with or without a garden" no garden, "furnished or not" nothing. What the buyer
    said is shown as one understood phrase, "→ either way"."""
    for (start, end, meaning, negated), (next_start, next_end, other, other_negated) in itertools.pairwise(readings):
        if _opposite(meaning, negated, other, other_negated) and _EITHER_GAP.fullmatch(scan.norm, end, next_start):
            either.append((start, next_end, meaning))
    for start, end, meaning, negated in readings:
        if negated:
            with_or = _WITH_OR.search(scan.norm, max(0, start - 12), start)
            if with_or is not None:
                either.append((with_or.start(), end, meaning))
        elif not negated:
            or_not = _OR_NOT.match(scan.norm, end)
            if or_not is not None:
                either.append((start, or_not.end(), meaning))
    for start, end, meaning in either:
        _undo(scan, meaning)
        scan.spans.append((start, end, True))
        scan.understood = [(s, said) for s, said in scan.understood if not start <= s < end]
        scan.understood.append((start, scan.source[start:end] + " → either way"))


def _apply_phrase(scan: _Scan, meaning: _Meaning) -> None:
    if meaning.field in EXCLUSIONS or meaning.field in _EXCLUDED:
        for value in meaning.value if isinstance(meaning.value, tuple) else (meaning.value,):  # "1st or 2nd floor"
            scan.add(meaning.field, value)
    elif meaning.field == "payment":
        scan.flags.add(meaning.value)
    elif meaning.field == "order":
        scan.order = scan.order or meaning.value
    elif meaning.field != "filler":
        scan.set(meaning.field, meaning.value)


def _unexclude_type(scan: _Scan, value: str) -> None:
    """The type a negation ruled out turns out to be wanted (the negation was of its adjective): it moves over."""
    excluded = scan.values.get("exclude_property_types", [])
    if value in excluded:
        excluded.remove(value)
        if not excluded:
            del scan.values["exclude_property_types"]
    scan.add("property_types", value)


def _apply_negated_phrase(scan: _Scan, meaning: _Meaning) -> None:
    """A negated phrase never becomes the positive filter: a type, place, compound, developer or finishing is ruled
    out; a sale type or a delivery state is the other one ("not resale" is from the developer); "not cash" is
    installments and "no installments" is cash."""
    if meaning.field in EXCLUSIONS:
        for value in meaning.value if isinstance(meaning.value, tuple) else (meaning.value,):
            scan.add(EXCLUSIONS[meaning.field], value)
    elif meaning.field == "sale_type":
        scan.set("sale_type", "developer" if meaning.value == "resale" else "resale")
    elif meaning.field == "is_delivered":
        scan.set("is_delivered", not meaning.value)
    elif meaning.field == "payment":
        scan.flags.add("installments" if meaning.value == "cash" else "cash")
    elif meaning.field == "order":
        pass  # "not the cheapest": no order at all (relevance), and the words go
    elif meaning.field == "min_floor":  # "not a high floor": below it
        scan.set("max_floor", meaning.value - 1)
    elif meaning.field == "max_floor":  # "not a low floor": above it
        scan.set("min_floor", meaning.value + 1)


# ---- the remaining text ----

# Little words that only joined a removed phrase to the rest ("apartment in New Cairo with garden" → "garden").
_CONNECTORS = frozenset(
    fold(w)
    for w in (
        "in", "at", "on", "with", "and", "or", "of", "the", "a", "an", "for", "to", "by", "from", "is", "are", "my",
        "me", "i", "any", "some", "that", "which", "also", "plus", "than", "within", "inside", "located", "only",
        "في", "فى", "ب", "و", "او", "أو", "مع", "من", "ل", "على", "عن", "إلى", "الى", "اللي", "يكون", "تكون", "فيها",
        "فيه", "بتاع", "بتاعة", "ده", "دي", "ف", "بس", "كمان", "ال", "بـ", "بسعر", "سعر", "price", "budget", "ميزانية",
        *franco.CONNECTORS,
    )
)  # fmt: skip
_TEXT_TOKEN = re.compile(r"\w+|[^\w\s]+")
# Words that only lead to a feature ("near the AUC", "overlooking the club house", "قريبة من المول"): once the feature
# is a filter they rank nothing, and a word this common costs the full-text branch a scan of every listing it filters.
_FEATURE_CUES = frozenset(
    fold(w)
    for w in ("near", "nearby", "close", "next", "beside", "overlooking", "facing", "قريب", "قريبة", "جنب", "بجوار")
)


def _remaining_text(scan: _Scan, *, without_features: bool = False) -> str:
    removed = sorted([(s, e) for s, e, remove in scan.spans if remove] + (scan.features if without_features else []))
    segments, last = [], 0
    for start, end in removed:
        if start > last:
            segments.append((last, start))
        last = max(last, end)
    segments.append((last, len(scan.source)))
    kept: list[str] = []
    for seg_start, seg_end in segments:
        tokens = [(m.start(), m.end()) for m in _TEXT_TOKEN.finditer(scan.norm, seg_start, seg_end)]
        while tokens and _is_joiner(scan.norm[tokens[0][0] : tokens[0][1]], cues=without_features):
            tokens.pop(0)
        while tokens and _is_joiner(scan.norm[tokens[-1][0] : tokens[-1][1]], cues=without_features):
            tokens.pop()
        if tokens:
            kept.append(scan.source[tokens[0][0] : tokens[-1][1]])
    return " ".join(kept)


def _is_joiner(token: str, *, cues: bool = False) -> bool:
    return token in _CONNECTORS or (cues and token in _FEATURE_CUES) or not any(c.isalnum() for c in token)


# ---- assembly ----


def _has(*needles: str) -> Callable[[str], object]:
    # An alternation of literals is scanned in C, faster than testing the needles one by one in Python.
    return re.compile("|".join(re.escape(fold(n)) for n in needles)).search


def _both(first: Callable[[str], object], second: Callable[[str], object]) -> Callable[[str], bool]:
    return lambda text: bool(first(text)) and bool(second(text))


def _either(first: Callable[[str], object], second: Callable[[str], object]) -> Callable[[str], bool]:
    return lambda text: bool(first(text)) or bool(second(text))


_ATTACHED_BA = re.compile(r"[0-9]ba(?!\w)").search
_HAS_DIGIT = re.compile(r"[0-9]").search
_HAS_YEAR = re.compile(r"[12][0-9][0-9][0-9]").search
_HAS_MONEY_WORD = _has("مليون", "million", *money_words.MILLIONS)

# The passes in the order they claim words, each with a cheap test that skips it when its words cannot be there (a
# pass costs a regex scan; most queries state three or four things). The order settles overlaps: a down payment or a
# term before money ("10% down", "over 8 years"), a monthly amount before a price, a year before a bare number,
# bedrooms and sizes before money ("150 sqm").
_PASSES: tuple[tuple[Callable[[str], object], re.Pattern[str], Callable[[re.Match[str], _Scan], _Take]], ...] = (
    (_both(_either(_HAS_DIGIT, _HAS_MONEY_WORD), _has("$", "€", "£", *_CURRENCY_OF)), _FOREIGN, _read_foreign),
    (_has("down", "dp", "deposit", "%", "percent", "pct", "مقدم", "أوفر", "دفعة", "المية", "الميه", "المائة", "mo2",
          "moq", "mok", "meya", "mya", "miya", "maya"), _DOWN_PAYMENT, _read_down_payment),
    (_has("year", "yr", "سنين", "سنوات", "سنة", "سنتين", "عام", "أعوام", "sneen", "snin", "senin", "seneen", "sana",
          "snawat", "santen", "sentein"), _TERM, _read_term),
    (_has("month", "/mo", "pm", "قسط", "شهر", "أقساط", "installment", "2est", "2st", "shahr"), _MONTHLY,
     _read_monthly),
    (_both(_HAS_DIGIT, _has("متر", "meter", "metre", "sqm", "m2", "metr", "mtr")), _PER_SQM, _read_price_per_sqm),
    (_has("year", "yr", "سنين", "سنوات", "سنة", "سنه", "سنتين", "عام", "sneen", "snin", "senin", "seneen", "sana",
          "snawat", "santen", "sentein", "3am"), _RELATIVE_DELIVERY, _read_relative_delivery),
    (_HAS_YEAR, _DELIVERY_YEAR, _read_delivery_year),
    (_either(_has("bath", "wc", "toilet", "حمام", "مياه", "7mam", "7amam", "hamam", "hammam"), _ATTACHED_BA),
     _BATHROOMS, _read_bathrooms),
    (_has("bed", "br", "bd", "room", "غرف", "أوض", "اوض", "حجر", "نوم", "ghor", "8or", "owad", "ewad", "oad", "oda",
          "ouda", "odt", "oodt", "odda", "nom"), _BEDROOMS, _read_bedrooms),
    (_both(_HAS_DIGIT, _has("land", "plot", "ارض", "أرض", "ard")), _LAND, _read_land),
    (_both(_HAS_DIGIT, _has("sq", "m2", "met", "mt", "م")), _SIZE, _read_size),
    (_both(_HAS_DIGIT, _has("size", "area", "bua", "built", "maban", "م", "masa", "mesa")), _SIZE_CUED_RANGE,
     _read_size),
    (_both(_HAS_DIGIT, _has("size", "area", "bua", "built", "maban", "bigger", "larger", "wider", "smaller", "م",
                            "masa", "mesa",
                            "akbar", "awsa3", "as8ar", "asghar", "as3'ar")), _SIZE_CUED, _read_cued_size),
    (_both(_HAS_DIGIT, _has("m")), _BARE_M, _read_bare_m),
    (lambda text: _HAS_DIGIT(text) or _HAS_MONEY_WORD(text), _MONEY, _read_money),
    (_HAS_YEAR, _BARE_YEAR, _read_bare_year),
)  # fmt: skip
_HAS_COMPOUND_WORD = _has("compound", "كمبوند", "كومباوند", "كمباوند", "kompawnd", "kombawnd")


def parse_query(text: str) -> ParsedQuery:
    """Read a buyer's query. Never raises: what it does not understand stays in `text`."""
    scan = _Scan(clean_query(text))
    for hint, pattern, handler in _PASSES:
        if hint(scan.work):
            scan.run(pattern, handler)
    _read_phrases(scan)
    if scan.order in _PER_SQM_ORDER_OF:
        scan.run(_PER_SQM_APART, _read_per_sqm_apart)
    # After the names: "مش في كمبوند بالم هيلز" rules the developer out; only a bare "in a compound" is left here.
    if _HAS_COMPOUND_WORD(scan.work):
        scan.run(_COMPOUND_PRESENCE, _read_compound_presence)
    filters = _filters(scan)
    scan.understood.sort(key=lambda item: item[0])
    return ParsedQuery(
        filters=filters,
        order=scan.order,
        regions=tuple(r for r in scan.values.get("locations", ()) if r in REGION_PLACES) if filters.locations else (),
        text=_remaining_text(scan),
        understood=tuple(p for _, p in scan.understood),
        text_without_features=_remaining_text(scan, without_features=True) if scan.features else None,
        currency=next((flag.split(":")[1] for flag in sorted(scan.flags) if flag.startswith("currency:")), None),
    )


# "Standalone" names a villa only when no other type is asked for: "شقة مستقلة" is an apartment of its own.
_STANDALONE_KEYS = frozenset(
    _phrase_key(word)
    for word in ("standalone", "stand alone", "stand-alone", "ستاند الون", "مستقلة", "mostakela", "mosta2ela",
                 "mosta2la", "mostakla")
)  # fmt: skip


_COMPOUND_AREA = {c.name: area.name for area in AREAS for c in area.compounds}
# Between a place and a compound offered as alternatives: "Sokhna or Galala", "الساحل او مراسي", "zayed walla allegria".
_OR_BETWEEN = re.compile(r"[\s,]*(?:or|او|ولا|walla|wala|aw)\s+(?:(?:in|at|fe|fi|fel|في|ف)\s+)?")


def _place_or_its_compound(scan: _Scan, values: dict[str, Any]) -> None:
    """A place and one of its own compounds named as alternatives ("chalet in Sokhna or Galala") ask for the whole
    place: the compound is dropped. Named together ("Mivida, New Cairo", "Galala in Sokhna") the compound stays."""
    named = sorted(scan.named)
    covered: set[str] = set()
    for (_, end, field, name), (start, _, other_field, other) in itertools.pairwise(named):
        if {field, other_field} != {"locations", "compounds"} or not _OR_BETWEEN.fullmatch(scan.norm[end:start]):
            continue
        place, compound = (name, other) if field == "locations" else (other, name)
        if _COMPOUND_AREA.get(compound) == place:
            covered.add(compound)
    if covered:
        values["compounds"] = [c for c in values["compounds"] if c not in covered]
        if not values["compounds"]:
            del values["compounds"]


def _house_villas(scan: _Scan) -> bool:
    """Every villa named is one word of a house's name: "فيلا تاون هاوس", "twin house villa" (a townhouse or twin house
    is a kind of villa, so the buyer asked for that kind, not for standalone villas too; "villa or townhouse" asks for
    both)."""
    villas = [(start, end) for start, end, kind in scan.types if kind == "Villa"]
    houses = [(start, end) for start, end, kind in scan.types if kind in _ATTACHED_VILLAS]

    def adjacent(one: tuple[int, int], other: tuple[int, int]) -> bool:
        first, second = sorted((one, other))
        return _ADJACENT.fullmatch(scan.norm, first[1], second[0]) is not None

    return bool(villas and houses) and all(any(adjacent(villa, house) for house in houses) for villa in villas)


_ATTACHED_VILLAS = frozenset({"Townhouse", "Twinhouse"})
_ADJACENT = re.compile(r"[\s-]*")


def _filters(scan: _Scan) -> SearchFilters:
    values = scan.values
    types = values.get("property_types", [])
    if "villa_by_standalone" in scan.flags and "villa_named" not in scan.flags and len(types) > 1:
        types.remove("Villa")
    if "Villa" in types and _house_villas(scan):
        types.remove("Villa")
    for low, high in (("min_price", "max_price"), ("min_size_sqm", "max_size_sqm"), ("min_bedrooms", "max_bedrooms")):
        if low in values and high in values and values[low] > values[high]:
            values[low], values[high] = values[high], values[low]
    if "Studio" in types and values.get("bedrooms"):
        # "studio or 1 bedroom": a studio has no bedroom, so the count bounds the other units, and a count with only a
        # studio named is of flats ("ستوديو او غرفة واحدة").
        values["max_bedrooms"] = values.pop("bedrooms")
        values.pop("min_bedrooms", None)
        if types == ["Studio"]:
            types.append("Apartment")
    if "bedrooms" in values:
        values.pop("min_bedrooms", None)
        values.pop("max_bedrooms", None)
    for wanted, unwanted in EXCLUSIONS.items():
        # "apartment or villa ... not a villa": the exclusion is the buyer's last word on it.
        if wanted in values and unwanted in values:
            values[wanted] = [v for v in values[wanted] if v not in values[unwanted]]
            if not values[wanted]:
                del values[wanted]
    if "locations" in values and "exclude_locations" in values:
        # "Dokki, not Giza": a place inside a region ruled out is ruled out with it.
        ruled_out = {n for v in values["exclude_locations"] for n in REGION_LOCATIONS.get(v, (v,))}
        values["locations"] = [v for v in values["locations"] if v in REGION_PLACES or v not in ruled_out]
        if not values["locations"]:
            del values["locations"]
    places = values.get("locations", [])
    if any(p in REGION_PLACES for p in places):
        # "Dokki, Giza": a region named beside one of its own places only says where that place is.
        within = {p for region in places if region in REGION_PLACES for p in REGION_PLACES[region] if p in places}
        values["locations"] = [p for p in places if not (p in REGION_PLACES and set(REGION_PLACES[p]) & within)]
    if values.get("compounds") and values.get("locations"):
        _place_or_its_compound(scan, values)
    compounds = values.get("compounds", [])
    if compounds and "developers" in values:
        owners = {_COMPOUND_DEVELOPER[c] for c in compounds}
        values["developers"] = [d for d in values["developers"] if d not in owners]
        if not values["developers"]:
            del values["developers"]
    plan_stated = (
        "min_installment_years" in values
        or "max_monthly_installment" in values
        or values.get("max_down_payment_pct", 100) < 100
        or "max_down_payment" in values
    )
    if "installments" in scan.flags and not plan_stated:
        values["is_cash_only"] = False
    try:
        return SearchFilters.model_validate(values)
    except ValidationError as exc:
        # Every value was range-checked when read, so this is a combination the model refuses; keep what it accepts.
        bad = {str(error["loc"][0]) for error in exc.errors() if error["loc"]}
        kept = {k: v for k, v in values.items() if k not in bad}
        try:
            return SearchFilters.model_validate(kept)
        except ValidationError:
            # Two fields contradict each other (the model names neither): one of them goes, the rest stay.
            for key in kept:
                try:
                    return SearchFilters.model_validate({k: v for k, v in kept.items() if k != key})
                except ValidationError:
                    continue
            return SearchFilters()
