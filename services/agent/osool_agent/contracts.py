"""Contract review: the clauses an Egyptian buyer must see, found in English or Arabic contract text, and risky wording.

Deterministic (no model): the text is normalised (Arabic letter forms, diacritics, Arabic-Indic digits), split into
clauses (numbered articles, "البند الخامس", "مادة (5)" in either digits, paragraphs) and sentences; each required
clause kind is found by families of phrases in both languages, and each risk by a rule over one sentence or clause.
Severities of a missing clause: high where the buyer's money or title is directly exposed (payment schedule, delivery
date, late delivery penalty, unit area, registration, cancellation and refund), medium for the rest (maintenance
deposit, finishing specification, developer obligations, dispute resolution), whose absence leaves a default or an
annex to ask for rather than money at stake at once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, get_args

from pydantic import BaseModel, Field

ClauseKind = Literal[
    "payment_schedule", "delivery_date", "late_delivery_penalty", "maintenance_deposit", "finishing_specification",
    "unit_area", "ownership_registration", "cancellation_refund", "developer_obligations", "dispute_resolution",
]  # fmt: skip
Status = Literal["present", "missing", "risky"]
Severity = Literal["high", "medium", "low", "info"]
Language = Literal["en", "ar"]

CLAUSE_KINDS: tuple[ClauseKind, ...] = get_args(ClauseKind)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
MISSING_SEVERITY: dict[ClauseKind, Severity] = {
    "payment_schedule": "high", "delivery_date": "high", "late_delivery_penalty": "high", "unit_area": "high",
    "ownership_registration": "high", "cancellation_refund": "high", "maintenance_deposit": "medium",
    "finishing_specification": "medium", "developer_obligations": "medium", "dispute_resolution": "medium",
}  # fmt: skip
EXCERPT_CHARS = 300
# Instalments that add up to the price within this share are taken as matching it (rounding in the contract).
PAYMENT_TOLERANCE = 0.01
MAX_GRACE_MONTHS = 6
MIN_PENALTY_CAP_PCT = 5.0
MAX_MAINTENANCE_PCT = 10.0
MAX_AREA_TOLERANCE_PCT = 5.0


class Finding(BaseModel):
    clause: ClauseKind
    status: Status
    severity: Severity
    excerpt: str = Field(max_length=EXCERPT_CHARS, description="the words found (empty when the clause is missing)")
    why: str = Field(description="why it matters, in the contract's language")


class ContractReview(BaseModel):
    language: Language
    findings: list[Finding]
    summary: dict[Severity, int] = Field(description="findings by severity")
    score: int = Field(ge=0, le=100, description="share of the required clauses present and not risky, in percent")


# -- normalising -------------------------------------------------------------------------------------------------------

# Harakat, Quranic annotation marks, the superscript alef and tatweel.
_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTERS = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ؤ": "و", "ئ": "ي", "ی": "ي", "ک": "ك",
        "٫": ".", "٬": ",", "٪": "%", "\u00a0": " ", "\u200f": "", "\u200e": "", "\u200c": "", "\u200d": "",
        **{chr(0x0660 + d): str(d) for d in range(10)}, **{chr(0x06F0 + d): str(d) for d in range(10)},
    }
)  # fmt: skip


def normalise(text: str) -> str:
    """The text as the rules read it: presentation forms unfolded (NFKC), one form of alef, yeh, teh marbuta, waw and
    yeh with hamza, no diacritics or tatweel, ASCII digits and separators. Case is kept (the rules ignore it)."""
    return _Normalised(text).text


class _Normalised:
    """Normalised text with, for each of its characters, the index of the original character it came from."""

    def __init__(self, original: str) -> None:
        self.original = original
        out: list[str] = []
        origin: list[int] = []
        for index, char in enumerate(original):
            folded = unicodedata.normalize("NFKC", char)
            folded = _ARABIC_DIACRITICS.sub("", folded).translate(_LETTERS)
            out.append(folded)
            origin.extend([index] * len(folded))
        self.text = "".join(out)
        self.origin = origin

    def excerpt(self, start: int, end: int, focus: tuple[int, int] | None = None) -> str:
        """The original text of [start, end) of the normalised text, at most EXCERPT_CHARS, cut around `focus`."""
        if end <= start or not self.origin:
            return ""
        if end - start > EXCERPT_CHARS and focus is not None:
            middle = (focus[0] + focus[1]) // 2
            start = max(start, min(middle - EXCERPT_CHARS // 2, end - EXCERPT_CHARS))
            end = min(end, start + EXCERPT_CHARS)
        text = " ".join(self.original[self.origin[start] : self.origin[end - 1] + 1].split())
        return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def _rx(*patterns: str) -> re.Pattern[str]:
    """One case-insensitive pattern from alternatives written in plain Arabic or English (normalised like the text,
    so a pattern may say "غرامة تأخير" and still match every spelling of it)."""
    return re.compile("|".join(f"(?:{normalise(p)})" for p in patterns), re.IGNORECASE)


def detect_language(text: str) -> Language:
    arabic = sum(1 for char in text if "\u0600" <= char <= "\u06ff" or "\ufb50" <= char <= "\ufeff")
    latin = sum(1 for char in text if char.isascii() and char.isalpha())
    return "ar" if arabic > latin else "en"


# -- clauses and sentences ---------------------------------------------------------------------------------------------

_ORDINALS = (
    "الاول|الثاني|الثالث|الرابع|الخامس|السادس|السابع|الثامن|التاسع|العاشر|الحادي عشر|الثاني عشر|الثالث عشر|"
    "الرابع عشر|الخامس عشر|السادس عشر|السابع عشر|الثامن عشر|التاسع عشر|العشرون"
)
_HEADING = _rx(
    r"^\s*(?:article|clause|section|art\.)\s*[(\[]?\s*\d+",
    rf"^\s*(?:ال)?(?:بند|ماده)\s*(?:[(\[]?\s*\d+|{_ORDINALS})",
    r"^\s*[(\[]?\d{1,2}(?:\.\d{1,2})*\s*[.)\]:\-–]",
    r"^\s*(?:اولا|ثانيا|ثالثا|رابعا|خامسا|سادسا|سابعا|ثامنا|تاسعا|عاشرا)\s*[:\-–]",
)
# A title in capitals ("OBLIGATIONS OF THE DEVELOPER"); case matters here, or every wrapped line would be one.
_CAPITALS_HEADING = re.compile(r"^\s*[A-Z][A-Z ,'&\-]{6,}$")
# A sentence ends at a full stop (not a decimal point or "No. 5"), or at a line break after one or before a list item;
# other line breaks are a PDF wrapping a sentence, which goes on.
_SENTENCE_END = re.compile(
    r"(?<=[.!?؟؛;])\s+(?=[^\d\s])|(?<=[.!?؟؛;:])\s*\n\s*|\n(?=\s*(?:[-•*·]|\d{1,2}[.)\-]\s|\(?[a-zA-Z]\)\s))"
)


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str


def split_clauses(text: str) -> list[Span]:
    """Clauses of normalised text: a numbered article or a heading starts one, a blank line ends one; the lines of a
    paragraph (a PDF wraps them) stay together."""
    clauses: list[Span] = []
    start: int | None = None
    position = 0
    for line in text.splitlines(keepends=True):
        blank = not line.strip()
        if start is not None and (blank or _HEADING.search(line) or _CAPITALS_HEADING.search(line)):
            clauses.append(Span(start, position, text[start:position]))
            start = None
        if start is None and not blank:
            start = position
        position += len(line)
    if start is not None:
        clauses.append(Span(start, position, text[start:position]))
    return [clause for clause in clauses if clause.text.strip()]


def split_sentences(clause: Span) -> list[Span]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(clause.text):
        sentences.append(Span(clause.start + start, clause.start + match.start(), clause.text[start : match.start()]))
        start = match.end()
    sentences.append(Span(clause.start + start, clause.end, clause.text[start:]))
    return [sentence for sentence in sentences if sentence.text.strip()]


# -- numbers -----------------------------------------------------------------------------------------------------------

_NUMBER_WORDS = {
    normalise(word): value
    for words, value in (
        ("one|a|an|واحد|واحده", 1),
        ("two|اثنين|اثنان|شهرين|سنتين|عامين", 2),
        ("three|ثلاث|ثلاثه", 3),
        ("four|اربع|اربعه", 4),
        ("five|خمس|خمسه", 5),
        ("six|ست|سته|سته", 6),
        ("seven|سبع|سبعه", 7),
        ("eight|ثمان|ثماني|ثمانيه", 8),
        ("nine|تسع|تسعه", 9),
        ("ten|عشر|عشره", 10),
        ("eleven|احدي عشر|احد عشر", 11),
        ("twelve|اثني عشر|اثنا عشر", 12),
        ("eighteen|ثمانيه عشر", 18),
        ("twenty|عشرين|عشرون", 20),
        ("twenty-four|twenty four|اربعه وعشرين", 24),
        ("thirty|ثلاثين", 30),
        ("thirty-six|thirty six|سته وثلاثين", 36),
        ("forty|اربعين", 40),
        ("forty-eight|forty eight|ثمانيه واربعين", 48),
        ("sixty|ستين", 60),
    )
    for word in words.split("|")
}
_WORD_NUMBER = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_COUNT = rf"(?:(?<![\d.,])\d+|\b(?:{_WORD_NUMBER})\b)"
_AMOUNT = re.compile(
    r"(?P<prefix>(?:egp|l\.?e\.?|e£|£)\s*)?(?P<number>\d{1,3}(?:[,.]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?!\s*%)"
    r"(?P<scale>\s*(?:million|mn|مليون|ملايين|thousand|الف|k\b))?"
    + normalise(r"(?P<suffix>\s*(?:egp|l\.?e\b|egyptian pounds?|pounds?|جنيه|ج\.م))?"),
    re.IGNORECASE,
)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%|%\s*(\d+(?:\.\d+)?)")


def _count(word: str) -> int | None:
    word = word.strip().lower()
    return int(word) if word.isdigit() else _NUMBER_WORDS.get(word)


@dataclass(frozen=True)
class Amount:
    value: int
    start: int
    end: int


def amounts(text: str) -> list[Amount]:
    """Sums of money: a number with a currency or a scale (million, ألف), or one written with thousands separators."""
    found = []
    for match in _AMOUNT.finditer(text):
        raw, scale = match["number"], (match["scale"] or "").strip().lower()
        grouped = re.fullmatch(r"\d{1,3}(?:([,.])\d{3})+(?:\.\d+)?", raw)
        if grouped:
            separator = grouped.group(1)
            raw = raw.replace(separator, "") if raw.count(separator) > 1 or separator == "," else raw
            raw = raw.replace(",", "")
        try:
            value = float(raw)
        except ValueError:
            continue
        if scale in ("million", "mn", normalise("مليون"), normalise("ملايين")):
            value *= 1_000_000
        elif scale in ("thousand", "k", normalise("ألف")):
            value *= 1_000
        money = match["prefix"] or match["suffix"] or scale or (grouped and value >= 10_000)
        if money and value >= 1_000:
            found.append(Amount(round(value), match.start(), match.end()))
    return found


def percentages(text: str) -> list[tuple[float, int]]:
    return [(float(m.group(1) or m.group(2)), m.start()) for m in _PERCENT.finditer(text)]


_DURATION = _rx(
    rf"(?P<n>{_COUNT})\s*(?:\(\s*\d+\s*\)\s*)?(?P<unit>months?|years?|شهر|شهرا|اشهر|سنه|سنوات|عام|اعوام)",
    r"(?P<unit_only>سنه كامله|سنه|عام|شهرين|سنتين|عامين|a year|one year)",
)


def months_in(text: str) -> int | None:
    """The first duration in `text`, in months ("twelve (12) months", "سنة كاملة", "تسعة أشهر")."""
    match = _DURATION.search(text)
    if match is None:
        return None
    if match["unit_only"]:
        word = match["unit_only"].lower()
        two = word in (normalise("شهرين"),)
        if two:
            return 2
        return 24 if word in (normalise("سنتين"), normalise("عامين")) else 12
    count = _count(match["n"])
    if count is None:
        return None
    yearly = match["unit"].lower().startswith(("year", normalise("سن"), normalise("عام"), normalise("اعوام")))
    return count * 12 if yearly else count


# -- what each clause kind looks like ----------------------------------------------------------------------------------

_DELIVERY_WORD = (
    r"\bdeliver(?:y|ed|s|ing)?\b(?!\s+(?:of\s+)?(?:all\s+)?(?:the\s+)?(?:documents|cheques|checks|notices?))"
    r"|\bhand(?:ing|ed)?[\s-]?over\b|\bpossession\b|تسليم|استلام|تسلم|يسلم"
)
_DELIVERY_AS_REFERENCE = _rx(
    r"\b(?:from|of|after|before|since|prior to|following|until|up to)\s+(?:the\s+)?(?:date\s+of\s+)?"
    r"(?:deliver(?:y|ing)|hand[\s-]?over)",
    r"(?:من|قبل|بعد|حتي)\s+(?:تاريخ\s+)?(?:ال)?(?:تسليم|استلام)",
    r"(?:تسليم|يسلم)\s+(?:كافه\s+|جميع\s+)?(?:ال)?(?:مستندات|شيكات|اوراق)",
)
_DELIVERY = _rx(_DELIVERY_WORD)
_TIME = _rx(
    r"\b\d{1,2}[/.\-]\d{1,2}[/.\-](?:19|20)\d\d\b",
    r"\b(?:19|20)\d\d\b",
    rf"\bwithin\s+(?:a\s+period\s+of\s+)?{_COUNT}(?:\s*\(\s*\d+\s*\))?\s*(?:months?|years?)",
    rf"\b{_COUNT}(?:\s*\(\s*\d+\s*\))?\s*(?:months?|years?)\s+(?:after|from|of)\s+(?:the\s+)?(?:signing|signature|date|contract|execution|this)",
    r"\b(?:no|not)\s+later\s+than\b|\bon\s+or\s+before\b",
    r"\bupon\s+(?:signing|signature)\b",
    rf"خلال\s+(?:مده\s+)?(?:{_COUNT}\s*)?(?:\(\s*\d+\s*\)\s*)?(?:شهر|اشهر|شهرا|سنه|سنوات|سنتين|عام|اعوام|عامين|يوم|ايام|شهرين)",
    r"موعد\s+(?:غايته|اقصاه|لا\s+يتجاوز)",
    r"فور\s+(?:ال)?(?:توقيع|تعاقد)",
)
_PENALTY = _rx(
    r"\bpenalt(?:y|ies)\b", r"\bcompensat", r"\bindemni", r"\bliquidated damages\b",
    r"\b(?:for|per)\s+(?:each|every)\s+(?:full\s+)?month\s+of\s+delay\b",
    r"غرامه", r"تعويض", r"عن\s+كل\s+شهر\s+تاخير",
)  # fmt: skip
_DELAY = _rx(r"\bdelay", r"\blate\b", r"\bfails?\s+to\s+(?:deliver|hand)", r"\bbeyond\s+the\b", r"تاخير", r"تاخر")
_LATE_PAYMENT = _rx(
    r"\b(?:late|delay(?:ed)?\s+(?:in\s+)?)\s*pay",
    r"\bfails?\s+to\s+pay\b",
    r"(?:عن|في)\s+سداد",
    r"تاخر\S*\s+\S*\s*سداد",
)

PRESENCE: dict[ClauseKind, re.Pattern[str]] = {
    "payment_schedule": _rx(
        r"\bdown[\s-]?payment",
        r"\binstal?ments?\s+of\b",
        r"\b\d+\s+(?:equal\s+)?(?:monthly|quarterly|annual)\b",
        r"\b(?:monthly|quarterly|semi-annual|annual|yearly)\s+instal?ments?",
        r"\bequal\s+(?:\w+\s+)?instal?ments",
        r"\bpayment\s+(?:plan|schedule|terms)",
        r"\bpost-?dated\s+(?:cheques|checks)\b",
        r"\b(?:monthly|quarterly|semi-annual|annual)\s+(?:\w+\s+)?(?:cheques|checks|payments)\b",
        r"\bpayable\b[^.]{0,80}\d\s*%",
        r"\bpa(?:id|ys?)\b(?:(?!refund)[^.]){0,60}\b(?:in\s+cash|in\s+full|upon\s+signing|on\s+signing|upon\s+execution)",
        r"\d+\s*%\s+(?:on|upon)\s+(?:reservation|signing|contract)",
        r"مقدم(?:ا|\s|$)",
        r"دفعه\s+مقدمه",
        r"دفعه\s+حجز",
        r"جدول\s+(?:ال)?سداد",
        r"طريقه\s+(?:ال)?سداد",
        r"اقساط\s+(?:ربع|نصف|شهريه|سنويه|متساويه)",
        r"على\s+اقساط",
        rf"{_COUNT}\s+قسط",
        r"قيمه\s+كل\s+قسط",
        r"نقدا",
        r"دفع\S*\s+بالكامل",
        r"يسدد\s+منها",
    ),
    "delivery_date": _DELIVERY,  # and a time in the same sentence: see _delivery_dated
    "late_delivery_penalty": _PENALTY,  # and a delay of delivery: see _delivery_penalty
    "maintenance_deposit": _rx(
        r"\bmaintenance\s+(?:\w+\s+)?(?:deposit|fund|reserve)",
        r"\bdeposit\b[^.]{0,40}\bmaintenance\b",
        r"وديعه\s+(?:ال)?صيانه",
        r"(?:صندوق|حساب)\s+(?:ال)?صيانه",
        r"صيانه\s+(?:ال)?وديعه",
    ),
    "finishing_specification": _rx(
        r"\bfully[\s-]finished\b",
        r"\bsemi[\s-]finished\b",
        r"\bcore\s+(?:and|&)\s+shell\b",
        r"\bfinishing\b",
        r"\bspecifications?\b",
        r"\bfinishes\b",
        r"\b(?:delivered|sold|unit|apartment|villa)\s+(?:fully\s+)?finished\b",
        r"تشطيب",
        r"مواصفات",
        r"على\s+المحاره",
        r"خامات",
    ),
    "unit_area": _rx(
        r"\d\s*(?:square\s+met(?:er|re)s?|sq\.?\s?m\b|sqm\b|m2\b|m²)",
        r"\b(?:net|gross|built[\s-]up|internal|contractual|total)\s+area\b",
        r"\barea\s+of\s+(?:the\s+)?(?:unit|apartment|villa|chalet)\b",
        r"مساحه(?!ت)",
        r"(?:ال)?مسطح\s+(?:ال)?(?:بيعي|وحده|مباني)",
        r"\d\s*(?:متر|م2|م²|مترا)",
    ),
    "ownership_registration": _rx(
        r"\bregist(?:er|ration|ering)\b",
        r"\bregistered\b(?!\s+(?:letter|mail|post))",
        r"\breal\s+estate\s+publicity\b",
        r"\btitle\s+deed",
        r"\bland\s+registry\b",
        r"تسجيل",
        r"الشهر\s+العقاري",
        r"صحه\s+(?:و\s*)?نفاذ",
        r"عقد\s+(?:البيع\s+)?النهائي",
    ),
    "cancellation_refund": _rx(
        r"\bcancel(?:s|led|lation|ling)?\b",
        r"\bterminat(?:e|ed|es|ion)\b",
        r"\brescind",
        r"\brescission\b",
        r"\brefund",
        r"\bforfeit",
        r"\brecover\s+(?:all\s+|any\s+)?(?:of\s+)?(?:the\s+)?(?:amounts|sums|monies)",
        r"فسخ",
        r"مفسوخ",
        r"الغاء",
        r"العدول",
        r"استرداد",
        r"\bرد\s+(?:ما|المبالغ|كامل)",
        r"ترد\s+(?:اليه\s+)?(?:ال)?مبالغ",
        r"تؤول",
    ),
    "developer_obligations": _rx(
        r"\bobligations\s+of\s+the\s+(?:developer|seller|company|first\s+party|vendor)",
        r"\b(?:developer|seller|company|vendor)(?:'s)?\s+obligations\b",
        r"\b(?:developer|seller|company|first\s+party|vendor)\s+(?:shall|undertakes\s+to|is\s+obliged\s+to|commits\s+to|"
        r"guarantees?|warrants?)\b[^.]{0,60}\b(?:construct|build|connect|utilit|infrastructure|facilities|amenities|"
        r"services|licen[cs]e|permit|approved\s+(?:drawings|plans|designs)|guarantee|warrant|defects)",
        r"التزامات\s+(?:ال)?(?:طرف\s+الاول|شركه|بائع|مطور)",
        r"(?:يلتزم|تلتزم|يتعهد|تتعهد|تضمن|يضمن)\s+(?:ال)?(?:طرف\s+الاول|شركه|بائع|مطور)[^.]{0,60}"
        r"(?:ترخيص|المرافق|الرسومات|البنيه\s+التحتيه|العيوب|الخدمات|بانشاء|ببناء|بتنفيذ\s+المشروع|بتوصيل|سلامه\s+المبني)",
    ),
    "dispute_resolution": _rx(
        r"\bdisputes?\b",
        r"\barbitrat",
        r"\bcourts?\b",
        r"\bjurisdiction",
        r"\bcontrovers(?:y|ies)\b",
        r"\btribunal",
        r"نزاع",
        r"منازعات",
        r"تحكيم",
        r"محاكم",
        r"محكمه",
        r"اللجوء\s+(?:الي\s+)?القضاء",
    ),
}


def _delivery_dated(sentence: str) -> re.Match[str] | None:
    """A delivery word that is itself given a time ("hand over by 30 June 2028"), not one used as the starting point of
    another clock ("within 12 months of handover")."""
    for match in _DELIVERY.finditer(sentence):
        if any(ref.start() <= match.start() < ref.end() for ref in _DELIVERY_AS_REFERENCE.finditer(sentence)):
            continue
        # The time belongs to this delivery word when it is near it (not "post-dated cheques delivered ... upon
        # signing" at the other end of a payment sentence).
        if _TIME.search(sentence, max(0, match.start() - 60), match.end() + 120):
            return match
    return None


def _delivery_penalty(sentence: str, clause: str) -> re.Match[str] | None:
    penalty = _PENALTY.search(sentence)
    if penalty is None or not _DELAY.search(sentence):
        return None
    if _DELIVERY.search(sentence) or (_DELIVERY.search(clause) and not _LATE_PAYMENT.search(sentence)):
        return penalty
    return None


# -- risky wording -----------------------------------------------------------------------------------------------------

_UNILATERAL = (
    r"\b(?:sole|absolute|own|its|in\s+its)\s+discretion\b|\bwithout\s+(?:any\s+)?(?:prior\s+)?notice\b|\bwithout\s+(?:the\s+)?"
    r"(?:prior\s+)?(?:consent|approval|agreement)\b|\bwithout\s+(?:referring|recourse)\s+to\b|\bunilateral"
    r"|دون\s+(?:ال)?رجوع|بدون\s+(?:ال)?رجوع|دون\s+(?:ا|ال)?خطار|بدون\s+(?:ا|ال)?خطار|دون\s+(?:اخذ\s+)?موافقه"
    r"|بدون\s+موافقه|بارادتها\s+المنفرده|بمفرده|منفرده|مطلق\s+(?:ال)?حريه|حسب\s+تقديرها"
)
_CHANGE = (
    r"\b(?:change|modify|modification|amend|alter|vary|increase\s+or\s+decrease|decrease\s+or\s+increase|adjust"
    r"|replace|substitute)|تعديل|تغيير|بالزياده\s+او\s+(?:ال)?نقص|استبدال"
)
_AREA_WORD = r"\barea\b|مساحه(?!ت)|مسطح(?!ات)"
_SPEC_WORD = r"\bspecifications?\b|\bfinish(?:es|ing)\b|\bmaterials\b|\bdesigns?\b|\blayout\b|مواصفات|تشطيب|خامات|تصميم"


@dataclass(frozen=True)
class Risk:
    """One risky wording: the clause it belongs to, how bad, and why, in both languages."""

    name: str
    clause: ClauseKind
    severity: Severity
    why_en: str
    why_ar: str
    scope: Literal["sentence", "clause"] = "sentence"
    # Returns the span of the risky words, or None. Gets the sentence (or clause) and the whole normalised text.
    test: Callable[[str, str], tuple[int, int] | None] = lambda _s, _t: None


def _all(*patterns: str) -> Callable[[str, str], tuple[int, int] | None]:
    """Every pattern found in the same sentence; the span of the last one's first match."""
    compiled = [_rx(p) for p in patterns]

    def test(sentence: str, _: str) -> tuple[int, int] | None:
        span = None
        for pattern in compiled:
            match = pattern.search(sentence)
            if match is None:
                return None
            span = match.span()
        return span

    return test


def _none_of(
    test: Callable[[str, str], tuple[int, int] | None], *patterns: str
) -> Callable[..., tuple[int, int] | None]:
    unless = _rx(*patterns)

    def guarded(sentence: str, text: str) -> tuple[int, int] | None:
        return None if unless.search(sentence) else test(sentence, text)

    return guarded


def _area_tolerance(sentence: str, _: str) -> tuple[int, int] | None:
    if not re.search(_AREA_WORD, sentence, re.I) or not _rx(
        r"\b(?:vary|varies|differ|difference|tolerance)|فرق|نسبه\s+تسامح"
    ).search(sentence):
        return None
    for value, position in percentages(sentence):
        if value > MAX_AREA_TOLERANCE_PCT:
            return position, position + 3
    return None


_GRACE = _rx(
    r"\bgrace\s+period",
    r"\bextension\s+(?:period|of)",
    r"\badditional\s+period",
    r"مهله",
    r"فتره\s+سماح",
    r"مده\s+سماح",
    r"(?:مده|فتره)\s+اضافيه",
)


def _long_grace(sentence: str, _: str) -> tuple[int, int] | None:
    for match in _GRACE.finditer(sentence):
        months = months_in(sentence[match.end() : match.end() + 50])
        if months is not None and months > MAX_GRACE_MONTHS:
            return match.span()
    return None


_CAP = _rx(
    r"\b(?:up\s+to|maximum\s+of|max(?:imum)?\.?|(?:not\s+(?:to\s+)?)?exceed(?:ing)?|capped\s+at|ceiling\s+of)",
    r"بحد\s+اقصي",
    r"لا\s+(?:ي|ت)تجاوز",
)


def _small_penalty_cap(sentence: str, text: str) -> tuple[int, int] | None:
    if _delivery_penalty(sentence, text) is None:
        return None
    for cap in _CAP.finditer(sentence):
        found = percentages(sentence[cap.end() : cap.end() + 40])
        if found and found[0][0] < MIN_PENALTY_CAP_PCT:
            return cap.start(), cap.end() + found[0][1] + 2
    return None


_CANCEL_WORD = _rx(
    r"\bcancel",
    r"\bterminat",
    r"\brescin",
    r"\brefund",
    r"\bwithdraw",
    r"فسخ",
    r"الغاء",
    r"العدول",
    r"استرداد",
    r"\bرد\b|ترد\b",
)
_DEDUCT = _rx(r"\bdeduct", r"\bless\b", r"\bretain", r"\bwithhold", r"\bminus\b", r"خصم", r"يخصم", r"استقطاع")


def _deduction_over(low: float, high: float) -> Callable[[str, str], tuple[int, int] | None]:
    def test(sentence: str, _: str) -> tuple[int, int] | None:
        if not _CANCEL_WORD.search(sentence):
            return None
        for deduct in _DEDUCT.finditer(sentence):
            found = percentages(sentence[deduct.end() : deduct.end() + 50])
            if found and low < found[0][0] <= high:
                return deduct.start(), deduct.end() + found[0][1] + 3
        return None

    return test


_LONG_STOP = _rx(
    r"\b(?:no|not)\s+later\s+than\b",
    r"\bat\s+the\s+latest\b",
    r"\bin\s+(?:any|all)\s+(?:event|case)s?\b",
    r"\blong[\s-]stop\b",
    r"\bon\s+or\s+before\b",
    r"في\s+(?:جميع|كل)\s+(?:ال)?احوال",
    r"موعد\s+(?:غايته|اقصاه|لا\s+يتجاوز)",
)
_APPROXIMATE = _rx(
    r"\bapproximate(?:ly)?\b",
    r"\bestimated?\b",
    r"\bexpected\b",
    r"\bindicative\b",
    r"\btentative",
    r"\bnot\s+binding\b",
    r"تقريبي",
    r"تقريبا",
    r"متوقع",
    r"مبدئي",
    r"استرشادي",
    r"غير\s+ملزم",
)


@lru_cache(maxsize=8)
def _has_long_stop(text: str) -> bool:
    """Some sentence fixes a latest delivery date ("in any case no later than ..."). Once per text: every sentence of
    a long contract asks."""
    return any(
        _LONG_STOP.search(sentence.text) and (_DELIVERY.search(sentence.text) or _TIME.search(sentence.text))
        for clause in split_clauses(text)
        for sentence in split_sentences(clause)
    )


def _approximate_delivery(sentence: str, text: str) -> tuple[int, int] | None:
    approximate = _APPROXIMATE.search(sentence)
    if approximate is None or not _DELIVERY.search(sentence) or _has_long_stop(text):
        return None
    return approximate.span()


_MAINTENANCE = PRESENCE["maintenance_deposit"]
_DETERMINED_LATER = _rx(
    r"\b(?:determined|specified|set|fixed|decided|estimated)\s+by\s+the\s+(?:developer|company|seller|management)",
    r"\bin\s+the\s+amount\s+(?:determined|specified|set)",
    r"\bat\s+(?:the\s+)?(?:developer|company)'?s?\s+discretion",
    r"(?:التي|الذي)\s+(?:تحددها|يحددها)",
    r"تحددها\s+(?:ال)?شركه",
    r"يحددها\s+(?:ال)?(?:طرف\s+الاول|بائع)",
    r"حسب\s+ما\s+تحدده",
)


def _maintenance_unstated(clause: str, _: str) -> tuple[int, int] | None:
    match = _MAINTENANCE.search(clause)
    if match is None:
        return None
    if _DETERMINED_LATER.search(clause) or (not percentages(clause) and not amounts(clause)):
        return match.span()
    return None


def _maintenance_over(sentence: str, _: str) -> tuple[int, int] | None:
    match = _MAINTENANCE.search(sentence)
    found = percentages(sentence)
    if match is None or not found:
        return None
    value, position = min(found, key=lambda pair: abs(pair[1] - match.start()))
    return (position, position + len(str(value)) + 1) if value > MAX_MAINTENANCE_PCT else None


_BUYER_EXPENSE = _rx(
    r"\bat\s+(?:his|her|its|their|the\s+(?:purchaser|buyer)'?s?)\s+(?:own\s+)?(?:expense|cost)",
    r"\b(?:borne|paid)\s+by\s+the\s+(?:purchaser|buyer)",
    r"\b(?:purchaser|buyer)\s+shall\s+bear\b",
    r"على\s+نفقه\s+(?:ال)?(?:طرف\s+الثاني|مشتري)",
    r"يتحمل\s+(?:ال)?(?:طرف\s+الثاني|مشتري)",
)
_REGISTRATION = PRESENCE["ownership_registration"]
_DEADLINE = _rx(
    rf"\bwithin\s+{_COUNT}",
    r"\b(?:no|not)\s+later\s+than\b",
    r"\bby\s+\d{1,2}[/.\-]",
    r"خلال\s+",
    r"موعد\s+(?:غايته|اقصاه)",
    r"في\s+مده\s+(?:لا\s+تتجاوز|اقصاها)",
)
_NO_COMMITMENT = _rx(
    r"\bnot\s+(?:be\s+)?(?:liable|responsible|obliged|bound)\b[^.]{0,50}\bregist",
    r"\bno\s+(?:obligation|commitment|guarantee)\b[^.]{0,40}\bregist",
    r"\bdoes\s+not\s+guarantee\b[^.]{0,40}\bregist",
    r"لا\s+(?:ت|ي)لتزم\s+(?:ال)?(?:شركه|طرف\s+الاول|بائع)\s+(?:بموعد|بالتسجيل|باتمام)",
    r"لا\s+تضمن[^.]{0,30}تسجيل",
    r"غير\s+(?:ملزمه|ملزم|مسؤوله|مسئوله)[^.]{0,30}تسجيل",
)


@lru_cache(maxsize=8)
def _registration_has_deadline(text: str) -> bool:
    return any(
        _REGISTRATION.search(clause.text) and _DEADLINE.search(clause.text) and not _NO_COMMITMENT.search(clause.text)
        for clause in split_clauses(text)
    )


def _registration_buyer_pays_no_deadline(sentence: str, text: str) -> tuple[int, int] | None:
    match = _BUYER_EXPENSE.search(sentence)
    if match is None or not _REGISTRATION.search(sentence) or _registration_has_deadline(text):
        return None
    return match.span()


_FOREIGN_SEAT = (
    r"\blondon\b|\bparis\b|\bdubai\b|\bgeneva\b|\bsingapore\b|\bstockholm\b|\bzurich\b|\bhong\s+kong\b|\bnew\s+york\b"
    r"|\briyadh\b|\babu\s+dhabi\b|\bdifc\b|\blcia\b|\bicc\b|\bsiac\b|\boutside\s+(?:the\s+arab\s+republic\s+of\s+)?egypt"
    r"|دبي|لندن|باريس|جنيف|سنغافوره|الرياض|ابوظبي|ابو\s+ظبي|الامارات|خارج\s+(?:جمهوريه\s+مصر|مصر)"
)

RISKS: tuple[Risk, ...] = (
    Risk("area_changed_unilaterally", "unit_area", "high",
         "The developer may change the unit's area on its own: the buyer could pay for more metres or receive fewer.",
         "يحق للمطور تعديل مساحة الوحدة منفرداً: قد يدفع المشتري ثمن أمتار إضافية أو يستلم مساحة أقل.",
         test=_all(_AREA_WORD, _CHANGE, _UNILATERAL)),
    Risk("area_tolerance_over_5pct", "unit_area", "medium",
         "The area may differ from the contract by more than 5% without the buyer being able to refuse the unit.",
         "يسمح العقد بفرق في المساحة يزيد على 5% دون أن يحق للمشتري رفض الوحدة.", test=_area_tolerance),
    Risk("gross_area", "unit_area", "medium",
         "The area includes a share of common areas (gross, not net): the usable space is smaller than the figure paid "
         "for.",
         "المساحة شاملة نصيب الوحدة في الأجزاء المشتركة (إجمالية لا صافية): المساحة الفعلية أقل من المساحة المدفوع "
         "ثمنها.",
         test=_none_of(_all(_AREA_WORD + r"|\d\s*(?:square|sqm|m2|متر|م2)",
                            r"\bgross\b|\binclu(?:sive|ding|des?)\b[^.]{0,40}\b(?:common|shared|share|services|"
                            r"proportionate)|شامله|تشمل|يشمل|شامل|شاملا|بما\s+في\s+ذلك|المساحه\s+الاجماليه"),
                       r"\bexclud|\bnet\b|صافي|صافيه|لا\s+تشمل|غير\s+شامله")),
    Risk("specifications_changed_unilaterally", "finishing_specification", "high",
         "The developer may change the specifications or finishes without the buyer's agreement: what is delivered "
         "may not be what was sold.",
         "يحق للمطور تعديل المواصفات أو التشطيبات دون موافقة المشتري: قد تختلف الوحدة المسلمة عما تم بيعه.",
         test=_all(_SPEC_WORD, _CHANGE, _UNILATERAL + r"|\bat\s+any\s+time\b")),
    Risk("delivery_date_approximate", "delivery_date", "medium",
         "The delivery date is only approximate and no latest date is fixed: the buyer cannot hold the developer to "
         "a deadline or claim the delay penalty.",
         "موعد التسليم تقريبي ولا يوجد موعد نهائي ملزم: لا يستطيع المشتري إلزام المطور بموعد أو المطالبة بغرامة "
         "التأخير.",
         test=_approximate_delivery),
    Risk("long_grace_period", "late_delivery_penalty", "medium",
         "A grace period longer than 6 months before any delay penalty: the buyer waits that long with no "
         "compensation.",
         "مهلة تزيد على ستة أشهر قبل احتساب غرامة التأخير: ينتظر المشتري طوال هذه المدة دون أي تعويض.",
         test=_long_grace),
    Risk("small_penalty_cap", "late_delivery_penalty", "medium",
         "The late-delivery penalty is capped below 5%: a long delay costs the developer almost nothing.",
         "الحد الأقصى لغرامة التأخير أقل من 5%: التأخير الطويل لا يكلف المطور شيئاً يذكر.",
         test=_small_penalty_cap),
    Risk("no_delay_compensation", "late_delivery_penalty", "high",
         "The buyer gives up any compensation for late delivery: the developer can deliver late without paying.",
         "يتنازل المشتري عن أي تعويض عن التأخير في التسليم: يستطيع المطور التأخير دون أن يدفع شيئاً.",
         test=_all(r"\bnot\s+(?:be\s+)?entitled\b|\bno\s+right\b|\bshall\s+not\s+claim\b|\bwaives?\b"
                   r"|\bnot\s+(?:be\s+)?(?:liable|responsible)\b|لا\s+يحق|لا\s+يجوز|ليس\s+(?:له|للمشتري)|يتنازل|لا\s+يسال",
                   r"\bcompensat|\bpenalt|\bdamages\b|تعويض|غرامه",
                   r"\bdelay|تاخير|تاخر")),
    Risk("all_payments_forfeited", "cancellation_refund", "high",
         "On cancellation the buyer loses everything paid: the developer keeps the money and can resell the unit.",
         "عند الفسخ يفقد المشتري كل ما دفعه: يحتفظ المطور بالمبالغ ويستطيع إعادة بيع الوحدة.",
         test=_all(r"\b(?:all|any)\s+(?:of\s+)?(?:the\s+)?(?:amounts|sums|payments|monies)\b[^.]{0,60}\b(?:forfeit|"
                   r"retain|become\s+the\s+property|belong)|\bforfeit\w*\s+(?:all|any)\b"
                   r"|\bretain\s+(?:all|any|the\s+entire|the\s+whole)\s+(?:of\s+)?(?:the\s+)?(?:amounts|sums|payments|monies)"
                   r"|\bnot\s+(?:be\s+)?entitled\s+to\s+(?:recover|a\s+refund|claim|reimburse)[^.]{0,40}"
                   r"\b(?:any|all)\b|\bno\s+refund"
                   r"|تؤول\s+(?:جميع|كافه|كامل|كل)?\s*(?:ال)?مبالغ|(?:لا|دون\s+ان|بدون\s+ان)\s+يحق\s+\S*\s*"
                   r"(?:\S+\s+)?(?:استرداد|المطالبه\s+برد|رد)\s+(?:اي|ايه|ما)")),
    Risk("deduction_over_25pct", "cancellation_refund", "high",
         "More than a quarter of what the buyer paid is kept on cancellation.",
         "يخصم أكثر من ربع المبالغ المسددة عند الفسخ أو الإلغاء.", test=_deduction_over(25, 100)),
    Risk("deduction_over_10pct", "cancellation_refund", "medium",
         "More than 10% is kept on cancellation: well above what Egyptian courts usually accept as compensation.",
         "يخصم أكثر من 10% عند الفسخ أو الإلغاء، وهي نسبة مرتفعة عن المعتاد.", test=_deduction_over(10, 25)),
    Risk("refund_after_resale", "cancellation_refund", "medium",
         "The refund waits until the developer resells the unit: the buyer may wait indefinitely.",
         "لا يرد المبلغ إلا بعد إعادة بيع الوحدة: قد ينتظر المشتري إلى أجل غير مسمى.",
         test=_all(r"\brefund|\breimburs|\brepa|\brecover|\bرد\b|ترد\b|استرداد",
                   r"\b(?:after|until|upon)\b[^.]{0,30}\bres(?:old|ale|ell)\b|\bre-?sale\b"
                   r"|بعد\s+(?:اعاده\s+)?بيع\s+(?:ال)?وحده")),
    Risk("maintenance_deposit_unstated", "maintenance_deposit", "medium",
         "The maintenance deposit has no stated percentage or amount: the developer can set it at handover.",
         "وديعة الصيانة بلا نسبة أو مبلغ محدد: يستطيع المطور تحديدها عند الاستلام.",
         scope="clause", test=_maintenance_unstated),
    Risk("maintenance_deposit_over_10pct", "maintenance_deposit", "medium",
         "The maintenance deposit is above 10% of the price, more than the usual 5-10%.",
         "وديعة الصيانة تزيد على 10% من الثمن، أعلى من المعتاد (5-10%).", test=_maintenance_over),
    Risk("price_may_change", "payment_schedule", "high",
         "The price may change after signing: the buyer may have to pay more than the agreed price.",
         "يجوز تعديل الثمن بعد التوقيع: قد يضطر المشتري لدفع أكثر من الثمن المتفق عليه.",
         test=_none_of(_all(r"\bprices?\b[^.]{0,60}\b(?:subject\s+to\s+(?:change|revision|increase|adjustment|review)|"
                            r"may\s+be\s+(?:increased|revised|adjusted|changed|reviewed))"
                            r"|\b(?:increase|revise|adjust|change|raise|review)\s+(?:the\s+)?(?:unit\s+)?prices?\b"
                            r"|\bpay\s+(?:the\s+)?(?:resulting\s+)?(?:price\s+)?difference"
                            r"|(?:تعديل|زياده|اعاده\s+النظر\s+في|تغيير|رفع)\s+(?:ال)?(?:اسعار|سعر|ثمن)"
                            r"|(?:الاسعار|الثمن|السعر)[^.]{0,40}قابل\S*\s+لل(?:تغيير|تعديل|زياده)|فروق\s+(?:ال)?اسعار"
                            r"|(?:تعديل|زياده|تغيير)\s+(?:قيمه\s+)?(?:ال)?(?:اقساط|دفعات)"
                            r"|\b(?:adjust|increase|revise|change)\s+(?:the\s+)?(?:amount|value)s?\s+of\s+(?:the\s+)?"
                            r"(?:remaining\s+)?instal"),
                       r"\bnot\s+subject\s+to\b|\bfixed\b|\bshall\s+not\s+(?:be\s+)?(?:change|increase)|غير\s+قابل|ثابت|"
                       r"لا\s+يجوز\s+(?:تعديل|زياده)")),
    Risk("registration_not_committed", "ownership_registration", "high",
         "The developer does not commit to registering the unit: the buyer's ownership may never be registered.",
         "لا يلتزم المطور بتسجيل الوحدة أو بموعد له: قد لا تسجل ملكية المشتري أبداً.",
         test=lambda sentence, _: (m.span() if (m := _NO_COMMITMENT.search(sentence)) else None)),
    Risk("registration_at_buyer_expense_no_deadline", "ownership_registration", "medium",
         "Registration is at the buyer's expense with no deadline: the title may stay unregistered for years.",
         "التسجيل على نفقة المشتري دون موعد محدد: قد تظل الملكية غير مسجلة لسنوات.",
         test=_registration_buyer_pays_no_deadline),
    Risk("court_or_objection_waived", "dispute_resolution", "high",
         "The buyer gives up the right to object or go to court: the contract's other protections cannot be enforced.",
         "يتنازل المشتري عن حقه في الاعتراض أو اللجوء إلى القضاء: لا يمكنه إلزام المطور بباقي بنود العقد.",
         test=_all(r"\bwaives?\b[^.]{0,60}\b(?:right|recourse)\b[^.]{0,40}\b(?:court|object|challenge|litigat|sue|"
                   r"legal\s+action|judicial)|\b(?:no\s+right|not\s+(?:be\s+)?entitled|may\s+not)\b[^.]{0,20}\b(?:to\s+)?"
                   r"(?:object|challenge|contest|resort\s+to\s+(?:the\s+)?courts?)\b"
                   r"|(?:يتنازل|تنازله|بتنازله|اسقط|يسقط|متنازلا)[^.]{0,40}حق\S*[^.]{0,30}(?:اللجوء|القضاء|التقاضي|الاعتراض|الطعن|رفع)"
                   r"|(?:لا\s+يحق|ليس\s+له\s+(?:ال)?حق|لا\s+يجوز)[^.]{0,30}(?:الاعتراض|الطعن|اللجوء\s+(?:الي\s+)?القضاء|"
                   r"رفع\s+(?:اي\s+)?دعوي)")),
    Risk("arbitration_abroad", "dispute_resolution", "high",
         "Disputes go to arbitration outside Egypt: costly and out of reach for most buyers.",
         "يحال النزاع إلى تحكيم خارج مصر: مكلف وبعيد عن متناول أغلب المشترين.",
         test=_all(r"\barbitra|تحكيم", _FOREIGN_SEAT)),
)  # fmt: skip

# -- the payment schedule against the price ----------------------------------------------------------------------------

_PRICE = _rx(
    r"\btotal\s+(?:unit\s+|contract\s+|purchase\s+|sale\s+)?price\b",
    r"\b(?:unit|purchase|sale|contract)\s+price\b",
    r"\bprice\s+of\s+the\s+(?:unit|villa|apartment|chalet|property)\b",
    r"\bconsideration\b",
    r"\bthe\s+price\s+is\b",
    r"(?:ال)?ثمن\s+(?:ال)?اجمالي",
    r"ثمن\s+اجمالي",
    r"اجمالي\s+(?:ال)?ثمن",
    r"ثمن\s+(?:ال)?(?:وحده|بيع|شقه|فيلا)",
    r"اجمالي\s+قيمه\s+(?:ال)?وحده",
    r"(?:ال)?ثمن\s+(?:ال)?(?:بالغ|وقدره|قدره|مقداره)",
    r"\b(?:for\s+a\s+)?price\s+of\s+(?:egp|l\.?e\.?|\d)",
)
_DOWN = _rx(
    r"\bdown[\s-]?payment",
    r"\b(?:up)?on\s+(?:signing|execution|signature)",
    r"\bdeposit\s+of\b(?![^.]{0,20}maintenance)",
    r"مقدم",
    r"دفعه\s+(?:حجز|تعاقد)",
    r"عند\s+(?:ال)?(?:توقيع|تعاقد)",
)
_SERIES_EN = _rx(
    rf"(?P<count>{_COUNT})\s*(?:\(\s*\d+\s*\)\s*)?(?:(?:equal|consecutive|successive)\s+)*(?:(?:monthly|quarterly|"
    r"semi-annual|annual|yearly)\s+)?(?:post-?dated\s+)?(?:instal?ments?|cheques|checks|payments)\s+of\s+"
)
_SERIES_AR = _rx(rf"(?P<count>{_COUNT})\s+(?:\(\s*\d+\s*\)\s*)?قسط")
_EACH_AR = _rx(
    r"(?:قيمه|مبلغ)\s+كل\s+(?:قسط|منها|واحد)", r"بواقع", r"قيمته", r"قدره", r"كل\s+منها", r"بقيمه", r"قيمه\s+(?:ال)?قسط"
)
_ON_DELIVERY = _rx(r"\b(?:on|upon|at)\s+(?:delivery|handover|hand\s+over)\b", r"عند\s+(?:ال)?(?:استلام|تسليم)")
_NOT_SCHEDULE = _rx(
    r"\bmaintenance\b",
    r"\bpenalt",
    r"\bdelay",
    r"\binterest\b",
    r"\bdeduct",
    r"صيانه",
    r"غرامه",
    r"تاخير",
    r"خصم",
    r"فائده",
)
_SEGMENT = re.compile(r",(?!\d)|،|;|؛|:|\band\b|\sو(?=ال)")


@dataclass(frozen=True)
class PaymentCheck:
    """What the schedule adds up to against the price: in pounds, or in percent of the price (then `price` is 100)."""

    price: float
    total: float
    unit: Literal["EGP", "%"]
    parts: tuple[str, ...]  # each payment as written in the sum ("480,000", "24 × 180,000", "10%")

    @property
    def matches(self) -> bool:
        return abs(self.total - self.price) <= PAYMENT_TOLERANCE * self.price


_REMAINDER = _rx(r"\b(?:remaining|remainder|balance|rest)\b", r"الباقي", r"المتبقي", r"الرصيد")


def check_payments(text: str, schedule_clauses: list[Span]) -> PaymentCheck | None:
    """The schedule against the price, when both can be read: a down payment + N x X + on-delivery payments against
    the stated price, or a schedule in percentages against 100%."""
    price = None
    for match in _PRICE.finditer(text):
        following = amounts(text[match.end() : match.end() + 90])
        if following:
            price = following[0].value
            break
    down, series, lumps = 0, [], []
    shares: list[float] = []
    bare_remainder = False
    for clause in schedule_clauses:
        for segment in _SEGMENT.split(clause.text):
            stated = _PRICE.search(segment)
            if stated is not None:  # the price itself is not a payment; what follows it in the segment may be
                price_amounts = amounts(segment[stated.end() :])
                if price_amounts:
                    segment = segment[stated.end() + price_amounts[0].end :]
            if _NOT_SCHEDULE.search(segment):
                continue
            found_shares = [value for value, _ in percentages(segment)]
            shares.extend(found_shares)
            bare_remainder = bare_remainder or (bool(_REMAINDER.search(segment)) and not found_shares)
            run = _series(segment)
            if run is not None:
                count, amount, start = run
                series.append((count, amount))
                segment = segment[:start]  # "600,000 مقدم و20 قسطا ...": what comes before the run is a payment too
            found = amounts(segment)
            if not found:
                continue
            if _DOWN.search(segment) and not down:
                down = found[0].value
            elif _ON_DELIVERY.search(segment):
                lumps.append(found[0].value)
    if series and price is not None:
        parts = [f"{down:,}"] if down else []
        parts += [f"{count} × {amount:,}" for count, amount in series] + [f"{lump:,}" for lump in lumps]
        total = down + sum(count * amount for count, amount in series) + sum(lumps)
        return PaymentCheck(price, total, "EGP", tuple(parts))
    share_total = sum(shares)
    if len(shares) >= 2 and (share_total > 100 + PAYMENT_TOLERANCE * 100 or not bare_remainder):
        return PaymentCheck(100, share_total, "%", tuple(f"{share:g}%" for share in shares))
    return None


def _series(segment: str) -> tuple[int, int, int] | None:
    """(count, amount, where the run starts) of "N instalments of X" in a segment."""
    for pattern, each in ((_SERIES_EN, None), (_SERIES_AR, _EACH_AR)):
        match = pattern.search(segment)
        if match is None:
            continue
        count = _count(match["count"])
        rest = segment[match.end() :]
        if each is not None:
            marker = each.search(rest)
            if marker is None:
                continue
            rest = rest[marker.end() :]
        found = amounts(rest[:60])
        if count and found:
            return count, found[0].value, match.start()
    return None


def _payment_why(check: PaymentCheck, language: Language) -> str:
    parts = " + ".join(check.parts)
    if check.unit == "%":
        if language == "ar":
            return f"نسب الدفعات مجموعها {check.total:g}% ({parts}) وليس 100% من ثمن الوحدة."
        return f"The payment percentages add up to {check.total:g}% ({parts}), not 100% of the price."
    difference = abs(check.total - check.price)
    if language == "ar":
        return (
            f"مجموع الدفعات {check.total:,.0f} جنيه ({parts}) لا يساوي ثمن الوحدة {check.price:,.0f} جنيه: "
            f"فرق {difference:,.0f} جنيه."
        )
    return (
        f"The payments add up to EGP {check.total:,.0f} ({parts}) but the price is EGP {check.price:,.0f}: "
        f"a difference of EGP {difference:,.0f}."
    )


# -- explanations ------------------------------------------------------------------------------------------------------

WHY_PRESENT: dict[ClauseKind, tuple[str, str]] = {
    "payment_schedule": ("The payment schedule is stated: check every date and amount against the price.",
                         "جدول السداد مذكور: راجع كل موعد ومبلغ مقابل ثمن الوحدة."),
    "delivery_date": ("A delivery date is stated, so the developer can be held to it.",
                      "موعد التسليم محدد، ويمكن إلزام المطور به."),
    "late_delivery_penalty": ("A penalty for late delivery is stated: check its rate and its cap.",
                              "غرامة التأخير في التسليم منصوص عليها: راجع نسبتها وحدها الأقصى."),
    "maintenance_deposit": ("The maintenance deposit is stated with its amount.",
                            "وديعة الصيانة منصوص عليها بقيمتها."),
    "finishing_specification": ("The finishing level or specification is stated: keep the annex that lists it.",
                                "مستوى التشطيب أو المواصفات مذكور: احتفظ بالملحق الذي يفصلها."),
    "unit_area": ("The unit's area is stated: check whether it is net or includes common areas.",
                  "مساحة الوحدة مذكورة: تأكد هل هي صافية أم شاملة الأجزاء المشتركة."),
    "ownership_registration": ("Registration of ownership is covered: check who pays and by when.",
                               "تسجيل الملكية منصوص عليه: راجع من يتحمل التكلفة وما هو الموعد."),
    "cancellation_refund": ("Cancellation and refund terms are stated: check what is deducted and when it is repaid.",
                            "شروط الفسخ ورد المبالغ منصوص عليها: راجع نسبة الخصم وموعد الرد."),
    "developer_obligations": ("The developer's obligations are stated (building, utilities, services, guarantees).",
                              "التزامات المطور منصوص عليها (البناء والمرافق والخدمات والضمان)."),
    "dispute_resolution": ("A forum for disputes is named (a court or arbitration).",
                           "جهة الفصل في النزاعات محددة (محكمة أو تحكيم)."),
}  # fmt: skip
WHY_MISSING: dict[ClauseKind, tuple[str, str]] = {
    "payment_schedule": ("No payment schedule: without the date and amount of every instalment the developer can "
                         "demand payments at will.",
                         "لا يوجد جدول سداد: بدون موعد وقيمة كل قسط يستطيع المطور المطالبة بالمبالغ كما يشاء."),
    "delivery_date": ("No delivery date: the buyer cannot hold the developer to a handover or claim for a delay.",
                      "لا يوجد موعد للتسليم: لا يستطيع المشتري إلزام المطور بالتسليم أو المطالبة بتعويض عن التأخير."),
    "late_delivery_penalty": ("No penalty for late delivery: if the handover slips the buyer has no agreed "
                              "compensation.",
                              "لا توجد غرامة تأخير في التسليم: إذا تأخر التسليم فلا تعويض متفق عليه للمشتري."),
    "maintenance_deposit": ("The maintenance deposit is not stated: it is usually 5-10% of the price and is often "
                            "demanded at handover.",
                            "وديعة الصيانة غير مذكورة: عادة ما تكون 5-10% من الثمن وتطلب غالباً عند الاستلام."),
    "finishing_specification": ("No finishing specification: the buyer cannot check what is delivered (core and "
                                "shell, semi-finished or fully finished).",
                                "لا توجد مواصفات للتشطيب: لا يستطيع المشتري مراجعة ما يسلم (على المحارة أو نصف "
                                "تشطيب أو كامل التشطيب)."),
    "unit_area": ("The unit's area and how it is measured are not stated: net and gross areas can differ by 20-30%.",
                  "مساحة الوحدة وطريقة قياسها غير مذكورة: قد يختلف الصافي عن الإجمالي بنسبة 20-30%."),
    "ownership_registration": ("Nothing on registering ownership: without a commitment to register at the Real "
                               "Estate Publicity Department the buyer's title stays at risk.",
                               "لا يوجد نص على تسجيل الملكية: بدون التزام بالتسجيل في الشهر العقاري تظل ملكية "
                               "المشتري معرضة للخطر."),
    "cancellation_refund": ("No cancellation and refund terms: what the buyer gets back if either side ends the "
                            "contract is left open.",
                            "لا توجد شروط للفسخ ورد المبالغ: ما يسترده المشتري عند إنهاء العقد غير محدد."),
    "developer_obligations": ("The developer's obligations (building to the licence, utilities, services, defects) "
                              "are not stated.",
                              "التزامات المطور (البناء وفق الترخيص والمرافق والخدمات وضمان العيوب) غير منصوص عليها."),
    "dispute_resolution": ("No dispute resolution clause: which court or arbitration decides is left open.",
                           "لا يوجد بند لفض النزاعات: الجهة المختصة بالفصل في النزاع غير محددة."),
}  # fmt: skip


# -- the review --------------------------------------------------------------------------------------------------------


def _presence(kind: ClauseKind, sentence: Span, clause: Span) -> re.Match[str] | None:
    if kind == "delivery_date":
        return _delivery_dated(sentence.text)
    if kind == "late_delivery_penalty":
        return _delivery_penalty(sentence.text, clause.text)
    return PRESENCE[kind].search(sentence.text)


def _sentences(clauses: list[Span]) -> Iterator[tuple[Span, Span]]:
    for clause in clauses:
        for sentence in split_sentences(clause):
            yield clause, sentence


def review_contract(text: str) -> ContractReview:
    """Every required clause present, missing or risky, with the words found and why it matters."""
    language = detect_language(text)
    normalised = _Normalised(text)
    clauses = split_clauses(normalised.text)
    pairs = list(_sentences(clauses))
    english = language == "en"

    risky: dict[ClauseKind, list[Finding]] = {kind: [] for kind in CLAUSE_KINDS}
    for risk in RISKS:
        units = [(clause, clause) for clause in clauses] if risk.scope == "clause" else pairs
        for _, unit in units:
            span = risk.test(unit.text, normalised.text)
            if span is not None:
                focus = (unit.start + span[0], unit.start + span[1])
                excerpt = normalised.excerpt(unit.start, unit.end, focus)
                why = risk.why_en if english else risk.why_ar
                risky[risk.clause].append(
                    Finding(clause=risk.clause, status="risky", severity=risk.severity, excerpt=excerpt, why=why)
                )
                break

    present: dict[ClauseKind, Finding] = {}
    schedule_clauses: list[Span] = []
    for kind in CLAUSE_KINDS:
        for clause, sentence in pairs:
            match = _presence(kind, sentence, clause)
            if match is None:
                continue
            if kind == "payment_schedule" and clause not in schedule_clauses:
                schedule_clauses.append(clause)
            if kind not in present:
                focus = (sentence.start + match.start(), sentence.start + match.end())
                excerpt = normalised.excerpt(clause.start, clause.end, focus)
                present[kind] = Finding(clause=kind, status="present", severity="info", excerpt=excerpt,
                                        why=WHY_PRESENT[kind][0 if english else 1])  # fmt: skip

    check = check_payments(normalised.text, schedule_clauses)
    if check is not None and not check.matches:
        source = present.get("payment_schedule")
        risky["payment_schedule"].insert(0, Finding(
            clause="payment_schedule", status="risky", severity="high",
            excerpt=source.excerpt if source else "", why=_payment_why(check, language),
        ))  # fmt: skip

    findings: list[Finding] = []
    for kind in CLAUSE_KINDS:
        if risky[kind]:
            findings.extend(risky[kind])
        elif kind in present:
            findings.append(present[kind])
        else:
            why = WHY_MISSING[kind][0 if english else 1]
            findings.append(
                Finding(clause=kind, status="missing", severity=MISSING_SEVERITY[kind], excerpt="", why=why)
            )
    summary: dict[Severity, int] = {severity: 0 for severity in SEVERITIES}
    for finding in findings:
        summary[finding.severity] += 1
    sound = sum(1 for kind in CLAUSE_KINDS if kind in present and not risky[kind])
    return ContractReview(
        language=language, findings=findings, summary=summary, score=round(100 * sound / len(CLAUSE_KINDS))
    )
