"""The rules brain: no model at all. Intent and slots from the search service's query parser (English and Egyptian
Arabic) and a few keyword families, the right tool called, and the reply written from templates in the user's
language from the tool results alone."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from osool_agent.grounding import normalise_digits, to_number

ARABIC = re.compile(r"[\u0600-\u06FF]")
# One spelling of the Arabic letters people write several ways, without diacritics or tatweel, with ASCII digits and
# in lower case: every family and pattern below is written for this form of the text.
_FOLD = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ة": "ه", "ى": "ي", "ی": "ي", "٪": "%", "ـ": None}
    | {chr(mark): None for mark in range(0x064B, 0x0653)}
)
_UUID = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
_SOURCE_ID = re.compile(r"\b[A-Za-z]{2,6}-\d{3,}\b")
_PROPERTY_NUMBER = re.compile(
    r"(?:property|listing|unit|id|number|no\.?|#|عقار|وحده|وحدة|رقم|اعلان|إعلان)\s*(?:id|number|no\.?|#|رقم)?\s*[:#]?\s*"
    r"([A-Za-z]{0,6}-?\d{3,}|[0-9a-f-]{36})(?![\d.,]|\s*(?:m²|m2|sqm|sq|met|متر|م\b|k\b|الف|ألف|مليون|million|egp))",
    re.I,
)


def fold(text: str) -> str:
    return normalise_digits(text).translate(_FOLD).lower()


def _family(*words: str) -> re.Pattern[str]:
    # Arabic words may carry a one-letter particle in front (و ب ل ف ك ال); English ones start a word. Both may go on
    # ("rent" is also "renting", "اجرت" also "اجرتها").
    parts = []
    for word in dict.fromkeys(map(fold, words)):
        if ARABIC.search(word):
            parts.append(rf"(?:(?<![\w])|(?<=[وبلفك])|(?<=ال)){re.escape(word)}")
        else:
            parts.append(rf"\b{re.escape(word)}")
    return re.compile("|".join(parts))


GREETING = _family("hi", "hello", "hey", "good morning", "good evening", "salam", "السلام", "اهلا", "أهلا", "ازيك",
                   "إزيك", "صباح الخير", "مساء الخير", "هاي")  # fmt: skip
THANKS = _family("thanks", "thank you", "thx", "appreciate", "شكرا", "متشكر", "تسلم", "ميرسي", "الف شكر")
# A loan named outright; MORTGAGE adds the words that may also sit in another question (a bank, interest).
LOAN = _family("mortgage", "loan", "borrow", "financing", "تمويل", "قرض", "رهن", "اقترض", "اتمول")
MORTGAGE = _family("mortgage", "loan", "borrow", "financing", "finance", "bank", "interest", "amortization",
                   "تمويل", "قرض", "رهن", "البنك", "بنك", "فايده", "فائدة", "فوايد", "فوائد", "اقترض")  # fmt: skip
# Asking what a month of a loan costs (not "with installments", which is a payment plan to search by).
MONTHLY = _family("monthly payment", "monthly installment", "monthly instalment", "pay monthly", "pay per month",
                  "pay a month", "the installment", "the instalment", "installment be", "قسط", "القسط",
                  "هدفع كام في الشهر", "هدفع كام شهري")  # fmt: skip
INCOME = _family("salary", "income", "earn", "make", "مرتبي", "مرتب", "دخلي", "دخل", "راتبي", "راتب", "بقبض")
AFFORD = _family("afford", "borrow", "qualify", "eligible", "اقدر", "أقدر", "اشتري", "أشتري", "استحق")
ROI = _family("roi", "yield", "return", "rent it", "rent out", "rental", "invest", "cash flow", "payback",
              "عائد", "استثمار", "أستثمر", "استثمر", "يستاهل استثمار", "تنفع استثمار")  # fmt: skip
RENT = _family("rent", "lease", "let it", "tenant", "ايجار", "إيجار", "اجرت", "أجرت", "اجرها", "أجرها", "هأجر",
               "أأجر", "اأجر", "مؤجر", "مأجر", "اجره")  # fmt: skip
VALUATION = _family("worth", "valuation", "value my", "value of my", "appraise", "appraisal", "estimate",
                    "how much is my", "how much can i sell", "sell", "price my", "get for it", "تقييم", "يسوى", "تسوى",
                    "يساوي", "تساوي", "قيمة", "تمنها", "تمنه", "ابيع", "أبيع", "هبيع", "اقيم", "أقيم", "قيم", "قيملي",
                    "يجيب كام", "تجيب كام", "تيجي كام", "يجي كام", "تتباع بكام", "يتباع بكام", "بعته",
                    "بعتها")  # fmt: skip
# The owner of the property speaking (a valuation, not a search, even when the size is missing).
OWNER = _family("my ", "mine", "i own", "i have a", "عندي", "بتاعتي", "بتاعي", "شقتي", "فيلتي", "ابيع", "أبيع",
                "هبيع", "sell")  # fmt: skip
PRICE_QUESTION = _family("how much", "what price", "كام", "بكام")
TRENDS = _family("market", "trend", "average price", "prices", "price per meter", "price per m", "per square meter",
                 "median", "going up", "going down", "appreciat", "السوق", "سعر المتر", "اسعار", "أسعار", "متوسط",
                 "بتزيد", "بتقل", "بتغلى", "غليت", "ارتفاع")  # fmt: skip
# Asked with no area or type at all, only these make a question about the whole market.
WHOLE_MARKET = _family("market", "trend", "price per meter", "السوق", "سعر المتر", "متوسط سعر")
AVAILABILITY = _family("available", "availability", "reserved", "still for sale", "still there", "blockchain",
                       "on chain", "on-chain", "registry", "sold", "taken", "متاح", "محجوز", "لسه موجود", "اتباع",
                       "اتحجز", "البلوكتشين", "بلوك تشين")  # fmt: skip
COMPARE = _family("compare", "comparison", "versus", "vs", "difference between", "which is better", "which one is",
                  "side by side", "against each other", "جنب بعض", "قصاد بعض", "قارن", "مقارنه", "مقارنة", "الفرق",
                  "أحسن واحده", "احسن واحده", "انهي احسن", "أنهي أحسن")  # fmt: skip
DETAILS = _family("tell me about", "details", "more about", "more info", "info on", "what about", "show me the",
                  "describe", "تفاصيل", "احكيلي", "قولي عن", "اكتر عن", "أكتر عن", "عايز اعرف عن")  # fmt: skip
# The listing just shown, named without an ordinal.
# Reserving a unit already shown ("reserve it", "احجزهالي"), not booking a viewing of it ("احجز معاينة"). Written as a
# pattern: "reserved" is a question about availability, not a request.
RESERVE = re.compile(
    r"\breserve\b(?!d)|\breservation\b|\b(?:put|pay|leave) (?:down )?(?:a |the )?deposit\b|\bhold (?:it|this|that)\b"
    r"|(?:^|(?<=[\sوف]))احجز|(?:^|(?<=\s))(?:اعمل|عايز|عاوز) حجز|عربون"
)
VIEWING = _family("viewing", "visit", "see it in person", "tour", "appointment", "معاينه", "اشوفها", "زياره", "ميعاد")
THIS = _family("this one", "that one", "this unit", "this listing", "this apartment", "this villa", "this property",
               "on it", "for it", "of it", "دي", "دى", "ده", "عليها", "بتاعتها", "بتاعها")  # fmt: skip
SEARCH = _family("show", "find", "looking for", "search", "want", "need", "any", "apartment", "villa", "flat",
                 "house", "home", "unit", "عايز", "عاوز", "محتاج", "بدور", "ابحث", "دور", "شقه", "شقة", "فيلا", "بيت",
                 "وحده", "وحدة", "دوبلكس", "شاليه")  # fmt: skip
# Types the parser may miss in an owner's or a market question ("شقتي", "للفلل"); used there only, and only when the
# parser found none (a search keeps to the parser's reading).
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "Apartment": ("apartment", "flat", "شقه", "شقتي", "شقتنا", "شقق"),
    "Villa": ("villa", "فيلا", "فيلتي", "فلل", "فيلل"),
    "Townhouse": ("townhouse", "town house", "تاون هاوس", "تاون"),
    "Twinhouse": ("twinhouse", "twin house", "توين هاوس", "توين"),
    "Duplex": ("duplex", "دوبلكس"),
    "Penthouse": ("penthouse", "بنتهاوس", "بنت هاوس"),
    "Studio": ("studio", "ستوديو", "استوديو"),
    "Chalet": ("chalet", "شاليه", "شاليهات", "شاليهي"),
    "Office": ("office", "مكتب", "مكاتب"),
    "Retail": ("retail", "shop", "محل", "محلات"),
    "Clinic": ("clinic", "عياده", "عيادات"),
}
_TYPES = [(name, _family(*words)) for name, words in TYPE_WORDS.items()]
# Ordinals for "the second one", not for "the 5th settlement", "التجمع الخامس" or "the second floor".
ORDINALS: dict[str, int] = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "fifth": 5, "5th": 5,
    "الاولاني": 1, "الاولانيه": 1, "الاولي": 1, "الاول": 1, "اول": 1, "التانيه": 2, "الثانيه": 2, "التاني": 2,
    "الثاني": 2, "التالته": 3, "الثالثه": 3, "التالت": 3, "الثالث": 3, "الرابعه": 4, "الرابع": 4, "الخامسه": 5,
    "الخامس": 5,
}  # fmt: skip
_ORDINAL = re.compile(
    r"(?<!الدور )(?<!التجمع )(?<![\w])(?:[وب]?)("
    + "|".join(map(re.escape, sorted(ORDINALS, key=len, reverse=True)))
    + r")(?![\w])(?!\s*(?:floor|settlement|time|of all|مره|ما\b))"
)
_PAIR = re.compile(
    r"\b([1-5])\s*(?:and|&|,|و|vs|مع|ولا|or)\s*([1-5])\b"
    r"(?!\s*(?:m\b|mn|mil|million|مليون|الف|k\b|bed|br\b|غرف|اوض|years|سنين|سنه|%|sq|m2|متر))"
)
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "الف": 1e3, "الاف": 1e3, "m": 1e6, "mn": 1e6, "mil": 1e6, "million": 1e6,
                "مليون": 1e6, "ملايين": 1e6}  # fmt: skip
_AMOUNT = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)*)\s*(thousand|million|mil|mn|k|m|الاف|الف|مليون|ملايين)?(?![a-z\u0621-\u064a²\d])"
    r"(\s*(?:و\s?نص|and a half))?"
)
_WORD_AMOUNT = re.compile(r"(?<![\w])[وبل]?(مليونين|نص مليون|ربع مليون|a million|one million|مليون)(?![\w])")
_WORD_AMOUNTS = {"مليونين": 2e6, "نص مليون": 5e5, "ربع مليون": 2.5e5, "a million": 1e6, "one million": 1e6,
                 "مليون": 1e6}  # fmt: skip
_CURRENCY = r"(?:egp|le|l\.e\.?|pounds?|جنيه|ج\.?م)?"
_PER_MONTH = re.compile(
    rf"\s*{_CURRENCY}\s*(?:a month|per month|/ ?month|/ ?mo\b|monthly|a mo\b|every month|each month|في الشهر|"
    r"فى الشهر|بالشهر|شهري|كل شهر)"
)
_PER_YEAR = re.compile(
    rf"\s*{_CURRENCY}\s*(?:a year|per year|/ ?year|/ ?yr|yearly|annually|per annum|every year|each year|في السنه|"
    r"فى السنه|بالسنه|سنوي|كل سنه|في العام)"
)
_AFTER_LOAN = re.compile(
    r"(?:loan|borrow|قرض|اقترض|سلفه)\s*(?:of|for|amount of|worth|بقيمه|قيمته|ب|بمبلغ)?\s*(?:egp|le|جنيه)?\s*$"
)
_RATE = re.compile(
    r"(\d+(?:\.\d+)?)\s*%\s*(?:a year |yearly |annual |سنوي )?(?:interest|rate|apr|فايده|فائده|فوايد|فوائد)"
    r"|(?:interest|rate|apr|فايده|فائده|فوايد|فوائد)\s*(?:rate)?\s*(?:of|=|:|at|is|بتاعها|هي)?\s*(\d+(?:\.\d+)?)\s*%"
    r"|\bat\s*(\d+(?:\.\d+)?)\s*%(?!\s*(?:down|deposit))"
)
_INCOME_AFTER = re.compile(r"\s*(?:egp |جنيه )?(?:a month |monthly |في الشهر )?(?:salary|income|net|مرتب|دخل|راتب)")
_YEARS = re.compile(r"(\d{1,2})\s*(?:years?|yrs?|سنين|سنه|سنوات|عام|اعوام)")
_DOWN = re.compile(
    r"(\d{1,2}(?:\.\d+)?)\s*%\s*(?:down|deposit|مقدم|دفعه اولي)"
    r"|(?:down ?payment|deposit|مقدم|دفعه اولي)\s*(?:of|=|:|is)?\s*(\d{1,2}(?:\.\d+)?)\s*%"
)
# Filters that make a message a search of its own rather than a question about a listing already shown.
_SEARCH_FILTERS = ("locations", "compounds", "developers", "bedrooms", "min_bedrooms", "min_price", "max_price",
                   "min_size_sqm", "max_size_sqm")  # fmt: skip


@dataclass
class Reading:
    """What the rules brain understood of one message."""

    language: str
    tool: str | None
    arguments: dict[str, Any] = field(default_factory=dict)
    smalltalk: str | None = None  # greeting, thanks, discovery
    parsed: dict[str, Any] | None = None  # the search service's reading (the lead workflow reads it too)


@dataclass(frozen=True)
class Amount:
    """A sum of money the text states, where it stands in the folded text."""

    start: int
    end: int
    value: float


def language_of(text: str, requested: str) -> str:
    if requested in ("en", "ar"):
        return requested
    return "ar" if ARABIC.search(text) else "en"


def amounts_in(folded: str) -> list[Amount]:
    """Sums of money in order: a number with a unit ("4M", "25k", "3 مليون", "مليونين") or a bare number from 10,000."""
    found: list[Amount] = []
    for match in _AMOUNT.finditer(folded):
        value = to_number(match.group(1))
        if value is None:
            continue
        unit = match.group(2)
        if unit:
            value = (value + (0.5 if match.group(3) else 0.0)) * _MULTIPLIERS[unit]
        if value >= (1_000 if unit else 10_000):
            found.append(Amount(match.start(), match.end(), value))
    for match in _WORD_AMOUNT.finditer(folded):
        if not any(a.start <= match.start(1) < a.end for a in found):
            found.append(Amount(match.start(1), match.end(), _WORD_AMOUNTS[match.group(1)]))
    return sorted(found, key=lambda amount: amount.start)


def _ordinals(folded: str) -> list[int]:
    if re.search(r"\b(?:first|top)\s+(?:two|2)\b|(?:الاتنين الاولين|الاتنين الاولانيين|اول اتنين|اول 2)", folded):
        return [1, 2]
    if re.search(r"\b(?:first|top)\s+(?:three|3)\b|(?:اول تلاته|اول تلات|اول 3|التلاته الاولانيين)", folded):
        return [1, 2, 3]
    found = [(m.start(), ORDINALS[m.group(1)]) for m in _ORDINAL.finditer(folded)]
    numbers = [(m.start(), int(m.group(1))) for m in re.finditer(r"(?:#|\bno\.?|\bnumber|رقم)\s*([1-9])\b", folded)]
    pair = _PAIR.search(folded)
    if pair:
        numbers += [(pair.start(1), int(pair.group(1))), (pair.start(2), int(pair.group(2)))]
    if not found and not numbers and re.search(r"\b(?:both|the two|them all|all of them)\b|(?:الاتنين|كلهم)", folded):
        return [1, 2]
    return list(dict.fromkeys(n for _, n in sorted(found + numbers)))


def explicit_ids(text: str) -> list[str]:
    ids = [m.group(0) for m in _UUID.finditer(text)]
    ids += [m.group(0).upper() for m in _SOURCE_ID.finditer(text) if not _UUID.search(m.group(0))]
    if not ids:
        ids = [m.group(1) for m in _PROPERTY_NUMBER.finditer(normalise_digits(text))]
    return list(dict.fromkeys(ids))


def _property_type(folded: str) -> str | None:
    found = [(match.start(), name) for name, family in _TYPES if (match := family.search(folded))]
    return min(found)[1] if found else None


def read_message(text: str, parsed: dict[str, Any], shown: Sequence[dict[str, Any]], requested: str) -> Reading:
    """Which tool a message calls for, with the arguments it states. `parsed` is the search parser's reading
    ({"filters", "text", "understood"}); `shown` the listings of the conversation, last shown first."""
    language = language_of(text, requested)
    filters: dict[str, Any] = parsed.get("filters", {})
    folded = fold(text)
    ids = explicit_ids(text)
    picks = _ordinals(folded)
    referenced = [shown[n - 1]["id"] for n in picks if 0 < n <= len(shown)]
    deictic = not picks and bool(shown) and THIS.search(folded) is not None
    if deictic:
        referenced = [shown[0]["id"]]
    location = (filters.get("locations") or [None])[0]
    ptype = (filters.get("property_types") or [None])[0]
    owned_type = ptype or _property_type(folded)
    bedrooms = filters.get("bedrooms") or filters.get("min_bedrooms")
    size = _size(filters)
    amounts = amounts_in(folded)
    searching = any(filters.get(key) is not None for key in _SEARCH_FILTERS)
    budget = any(filters.get(key) is not None for key in ("min_price", "max_price"))
    searching_place = bool(location or filters.get("compounds") or filters.get("developers"))

    def listing_ref() -> str | None:
        return (ids or referenced or [None])[0] if (ids or referenced) else (shown[0]["id"] if shown else None)

    def mortgage() -> Reading | None:
        listing = listing_ref() if ids or referenced or not searching_place else None
        arguments = _mortgage_arguments(folded, amounts, filters, listing)
        if searching_place and not {"property_price", "loan_amount", "monthly_income", "property_id"} & set(arguments):
            return None  # "apartments in New Cairo with bank financing" is a search: nothing to compute
        return Reading(language, "calculate_mortgage", arguments)

    if COMPARE.search(folded) and (len(ids) >= 2 or len(referenced) >= 2 or (len(shown) >= 2 and not ids)):
        chosen = ids if len(ids) >= 2 else referenced if len(referenced) >= 2 else [s["id"] for s in shown[:2]]
        return Reading(language, "compare_units", {"property_ids": chosen[:4]})
    if RESERVE.search(folded) and not VIEWING.search(folded) and (ids or referenced or shown):
        return Reading(language, "reserve_property", {"property_id": listing_ref()})
    if VIEWING.search(folded) and (ids or referenced or shown):
        return Reading(language, "schedule_viewing", {"property_id": listing_ref()})
    if AVAILABILITY.search(folded) and (ids or referenced or (shown and not searching)):
        return Reading(language, "check_availability", {"property_id": listing_ref()})
    if (LOAN.search(folded) or (INCOME.search(folded) and AFFORD.search(folded))) and (reading := mortgage()):
        return reading
    rent = _rent(folded, amounts)
    if (ROI.search(folded) or (RENT.search(folded) and rent)) and (rent or ids or referenced or not searching_place):
        # "invest 5 million in the North Coast" with no rent and no listing is a search with a budget
        arguments = _roi_arguments(folded, amounts, filters, listing_ref())
        if arguments is not None:
            return Reading(language, "calculate_investment_roi", arguments)
    instalment = MONTHLY.search(folded) and (amounts or referenced or ids) and not location
    if (MORTGAGE.search(folded) or (instalment and not filters.get("max_monthly_installment"))) and (
        reading := mortgage()
    ):
        return reading
    valuing = VALUATION.search(folded) or (OWNER.search(folded) and PRICE_QUESTION.search(folded))
    if valuing and not budget and not referenced:
        if location and owned_type and size:
            arguments = {"location": location, "property_type": owned_type, "size_sqm": size}
            if bedrooms is not None:
                arguments["bedrooms"] = bedrooms
            return Reading(language, "run_valuation", arguments)
        if OWNER.search(folded) and (location or owned_type or size):
            return Reading(language, None, smalltalk="valuation_details")
    if TRENDS.search(folded) and not (bedrooms or budget or referenced or ids):
        if location or owned_type or WHOLE_MARKET.search(folded):
            pairs = (("location", location), ("property_type", owned_type))
            arguments = {key: value for key, value in pairs if value}
            return Reading(language, "check_market_trends", arguments)
    if ids or (referenced and (DETAILS.search(folded) or not (searching or deictic))):
        return Reading(language, "get_property", {"property_id": (ids or referenced)[0]})
    if filters or SEARCH.search(folded):
        if not filters and not (location or ptype) and len(folded.split()) <= 3 and GREETING.search(folded):
            return Reading(language, None, smalltalk="greeting")
        return Reading(language, "search_properties", _search_arguments(text, filters, location, ptype))
    if VALUATION.search(folded):
        return Reading(language, None, smalltalk="valuation_details")
    if THANKS.search(folded):
        return Reading(language, None, smalltalk="thanks")
    if GREETING.search(folded):
        return Reading(language, None, smalltalk="greeting")
    return Reading(language, None, smalltalk="discovery")


def _search_arguments(text: str, filters: dict[str, Any], location: str | None, ptype: str | None) -> dict[str, Any]:
    arguments: dict[str, Any] = {"query": text.strip()[:500]}
    for key, value in (("location", location), ("property_type", ptype), ("bedrooms", filters.get("bedrooms")),
                       ("min_price", filters.get("min_price")), ("max_price", filters.get("max_price")),
                       ("compound", (filters.get("compounds") or [None])[0])):  # fmt: skip
        if value is not None:
            arguments[key] = value
    low, high = filters.get("min_size_sqm"), filters.get("max_size_sqm")
    if low is None or high is None or _size(filters) is None or not _is_band(low, high):
        # A bound the buyer said ("at least 300 m²", "100 to 150 m²"); a bare size is only the parser's ±15% band.
        arguments |= {key: value for key, value in (("min_size_sqm", low), ("max_size_sqm", high)) if value is not None}
    return arguments


def _is_band(low: float, high: float) -> bool:
    middle = (low + high) / 2
    return abs(low - round(middle * 0.85)) <= 1 and abs(high - round(middle * 1.15)) <= 1


def price_floor(price: float | None) -> float:
    # A rent under 2% of the price is a monthly rent (nobody lets a flat for 2% a year).
    return (price or 0) * 0.02


def _size(filters: dict[str, Any]) -> float | None:
    low, high = filters.get("min_size_sqm"), filters.get("max_size_sqm")
    if low is not None and high is not None:
        # The parser widens a bare size by ±15% to whole metres: its midpoint is the size said.
        return float(round((low + high) / 2))
    return low or high


def _before(folded: str, amount: Amount, family: re.Pattern[str], window: int = 30) -> bool:
    return family.search(folded[max(0, amount.start - window) : amount.start]) is not None


def _income(folded: str, amounts: list[Amount]) -> Amount | None:
    # "my salary is 40k", "مرتبي 30 ألف", and "a 60k salary", "30 ألف مرتب"
    said = (a for a in amounts if _before(folded, a, INCOME) or _INCOME_AFTER.match(folded, a.end))
    return next((a for a in said if a.value < 10_000_000), None)


def _rent(folded: str, amounts: list[Amount]) -> Amount | None:
    """The rent a message states: an amount said per month or per year, or right after a word for renting."""
    income = _income(folded, amounts)
    candidates = [amount for amount in amounts if amount is not income]
    periodic = [a for a in candidates if _PER_MONTH.match(folded, a.end) or _PER_YEAR.match(folded, a.end)]
    return next(iter(periodic), None) or next((a for a in candidates if _before(folded, a, RENT)), None)


def _price(amounts: list[Amount], taken: list[Amount | None], filters: dict[str, Any]) -> int | None:
    """The property's price: the largest sum left once income, loan and rent are set aside (a price is 100,000 up)."""
    values = {a.value for a in taken if a is not None}
    left = [a.value for a in amounts if a not in taken and a.value >= 100_000]
    if left:
        return int(max(left))
    stated = filters.get("max_price")
    return int(stated) if stated and stated >= 100_000 and float(stated) not in values else None


def _roi_arguments(
    folded: str, amounts: list[Amount], filters: dict[str, Any], listing: str | None
) -> dict[str, Any] | None:
    rent = _rent(folded, amounts)
    price = _price(amounts, [rent, _income(folded, amounts)], filters)
    arguments: dict[str, Any] = {}
    if price:
        arguments["property_price"] = price
    elif listing:
        arguments["property_id"] = listing
    else:
        return None
    if rent is not None:
        if _PER_MONTH.match(folded, rent.end):
            monthly = True
        elif _PER_YEAR.match(folded, rent.end):
            monthly = False
        else:
            monthly = rent.value < (price_floor(price) if price else 500_000)
        arguments["monthly_rent" if monthly else "annual_rent"] = int(rent.value)
    return arguments


def _mortgage_arguments(
    folded: str, amounts: list[Amount], filters: dict[str, Any], listing: str | None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    income = _income(folded, amounts)
    loan = next((a for a in amounts if _AFTER_LOAN.search(folded[: a.start]) and a is not income), None)
    price = _price(amounts, [income, loan, _rent(folded, amounts) if RENT.search(folded) else None], filters)
    if price:
        arguments["property_price"] = price
    if loan:
        arguments["loan_amount"] = int(loan.value)
    if income:
        arguments["monthly_income"] = int(income.value)
    if not arguments and listing:
        arguments["property_id"] = listing
    years = _YEARS.search(folded)
    if years and 0 < int(years.group(1)) <= 30:
        arguments["years"] = int(years.group(1))
    down = _DOWN.search(folded)
    if down:
        arguments["down_payment_pct"] = float(down.group(1) or down.group(2))
    elif filters.get("max_down_payment_pct") is not None:
        arguments["down_payment_pct"] = float(filters["max_down_payment_pct"])
    rate = _RATE.search(folded)
    if rate:
        arguments["annual_rate_pct"] = float(rate.group(1) or rate.group(2) or rate.group(3))
    return arguments


# ---- the model: a pydantic-ai FunctionModel, so the rules brain runs through the same loop as the others ----


def _last_request(messages: list[ModelMessage]) -> ModelRequest | None:
    for message in reversed(messages):
        if isinstance(message, ModelRequest):
            return message
    return None


Writer = Any  # osool_agent.brains.replies.write_reply, typed loosely to keep the import one-way


def rules_model(reading: Reading, write_reply: Writer, resolve: Any) -> FunctionModel:
    """A model that calls the tool the reading names, then writes the reply from the tool's result.
    `resolve(arguments)` turns a property_id the tool needs into the listing's price (mortgage and ROI on a listing)."""

    async def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        request = _last_request(messages)
        returns = [part for part in (request.parts if request else []) if isinstance(part, ToolReturnPart)]
        if returns:
            return ModelResponse(parts=[TextPart(write_reply(reading, returns))])
        if reading.tool is None:
            return ModelResponse(parts=[TextPart(write_reply(reading, []))])
        arguments = await resolve(reading.tool, dict(reading.arguments))
        return ModelResponse(
            parts=[ToolCallPart(reading.tool, arguments, tool_call_id=f"rules_{uuid.uuid4().hex[:12]}")]
        )

    return FunctionModel(respond, model_name="rules")
