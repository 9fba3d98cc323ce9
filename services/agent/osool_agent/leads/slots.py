"""What one message says about the lead, read by rules: intent, budget, areas, types and rooms (the search service's
query parser), timeline, financing, purpose, contact, consent and a seller's four answers. The model's qualify_lead
tool fills the same names (LeadSlots), and `make eval-leads` scores both against one labelled set."""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from osool_agent.brains.rules import ARABIC, EMAIL, agreement, fold, phone_number
from osool_agent.brains.rules import _family as family
from osool_agent.brains.rules import _property_type as owned_type
from osool_agent.grounding import normalise_digits, to_number
from osool_common import money_words

Intent = Literal["buy", "sell", "rent", "invest"]
Timeline = Literal["immediate", "within_3_months", "within_6_months", "within_year", "later", "exploring"]
Financing = Literal["cash", "mortgage", "installments"]
Purpose = Literal["live", "holiday", "invest", "business"]
Motivation = Literal["relocating", "upgrading", "downsizing", "financial", "inheritance", "investment_exit", "other"]
Condition = Literal["excellent", "good", "needs_work", "unfinished"]
PropertyTypeName = Literal[
    "Apartment", "Villa", "Townhouse", "Twinhouse", "Duplex", "Penthouse", "Studio", "Chalet", "Office", "Retail",
    "Clinic",
]  # fmt: skip
SELLER_QUESTIONS = ("motivation", "timeline", "condition", "price_expectation")
EGYPTIAN_MOBILE = re.compile(r"\+201[0125]\d{8}")


class LeadSlots(BaseModel):
    """What a buyer or seller stated, each field only when stated (the qualify_lead tool's arguments)."""

    model_config = ConfigDict(extra="forbid")

    intent: Intent | None = Field(default=None, description="buy (to live or use), invest (for return), rent, sell")
    budget_min: int | None = Field(default=None, gt=0, le=10_000_000_000, description="EGP")
    budget_max: int | None = Field(default=None, gt=0, le=10_000_000_000, description="EGP")
    areas: list[str] = Field(default_factory=list, max_length=10, description="canonical area names")
    types: list[PropertyTypeName] = Field(default_factory=list, max_length=11)
    bedrooms: int | None = Field(default=None, ge=0, le=20)
    timeline: Timeline | None = None
    financing: Financing | None = None
    purpose: Purpose | None = None
    motivation: Motivation | None = Field(default=None, description="a seller's reason to sell")
    condition: Condition | None = Field(default=None, description="a seller's property condition")
    price_expectation: int | None = Field(default=None, gt=0, le=10_000_000_000, description="a seller's price, EGP")
    # No `pattern` in the schema: llama.cpp cannot build its grammar from this one and the local server crashes
    # (measured: "failed to parse grammar", then SIGSEGV); the validator below checks the same form.
    contact_phone: str | None = Field(default=None, description="an Egyptian mobile as +201XXXXXXXXX")
    contact_email: str | None = Field(default=None, max_length=254)
    contact_name: str | None = Field(
        default=None, min_length=1, max_length=80, description="the name the buyer gave ('my name is Mohamed')"
    )

    @field_validator("contact_phone")
    @classmethod
    def _egyptian_mobile(cls, value: str | None) -> str | None:
        if value is not None and not EGYPTIAN_MOBILE.fullmatch(value):
            raise ValueError("an Egyptian mobile number as +201XXXXXXXXX (010, 011, 012 or 015)")
        return value

    def stated(self) -> dict[str, Any]:
        """The slots the message stated, in the labelled set's form."""
        return self.model_dump(exclude_none=True, exclude_defaults=True)


# -- keyword families (the folded form of rules.fold: one alef, ه for ة, ي for ى, ASCII digits, lower case) ----------
# Each in English, Egyptian Arabic and Franco-Arabic ("3ayez abee3 sha2ti", "msafer bara masr", "nos tashteeb"): the
# search's parser reads a Franco message's areas, types, rooms and budget, and these read the rest of it.
BUY = family("buy", "buying", "purchase", "looking for", "searching for", "i want", "i need", "interested in", "اشتري",
             "أشتري", "هشتري", "نشتري", "عايز", "عايزه", "عاوز", "محتاج", "بدور", "بندور", "ادور", "3ayez", "3ayza",
             "3awez", "3ayz", "ashtery", "ashtry", "ashtri", "hashtery", "neshtery", "badawar", "bdawar", "me7tag",
             "me7taga")  # fmt: skip
# Owner words: the speaker has a property to sell or value. "for sale" alone is a buyer's word ("villa for sale").
SELL = family(
    "sell", "selling", "list my", "put my", "valuation", "value my", "appraise", "how much can i get",
    "how much is my", "buyer for my", "ابيع", "أبيع", "هبيع", "نبيع", "هنبيع", "ببيع", "بيع شقتي", "بيع الفيلا",
    "عرض شقتي", "تقييم", "يسوى", "تسوى", "تتباع", "يتباع", "اعرضها", "أعرضها", "اعرض شقتي", "abee3", "abe3",
    "habee3", "habe3", "nbee3", "hanbee3", "babee3", "bbee3", "te2yeem", "ta2yeem", "teswa", "tetba3", "a3redha",
    "a3red sha2ti",
)  # fmt: skip
INVEST = family(
    "invest", "roi", "yield", "rental income", "rent it out", "rent out", "return on", "returns", "resale",
    "resell", "flip", "capital gain", "appreciation", "استثمار", "استثمر", "أستثمر", "استثماري", "عائد", "اجرها",
    "أجرها", "اأجرها", "هأجرها", "ابيعها بعدين", "أبيعها بعدين", "مكسب", "ربح", "esteshmar", "estesmar",
    "asteshmer", "astasmer", "3a2ed", "agarha", "a2agarha", "ha2agarha", "maksab", "rab7",
)  # fmt: skip
RENT = family(
    "rent", "renting", "for rent", "lease", "tenant", "monthly rent", "ايجار", "إيجار", "للايجار", "استأجر", "استاجر",
    "أأجر", "اأجر", "مستأجر", "اجار", "egar", "igar", "lel egar", "asta2ger", "mosta2ger",
)  # fmt: skip
# Renting ruled out ("شقة تمليك مش ايجار", "to own, not to rent"): a buyer, whatever word for renting the message has.
NOT_RENTING = family(
    "not for rent", "not rent", "not to rent", "not renting", "no rent", "to own", "ownership", "freehold",
    "مش ايجار", "مش إيجار", "مش للايجار", "مش للإيجار", "مش عايز ايجار", "لا ايجار", "تمليك", "للتمليك", "mesh egar",
    "msh egar", "mesh lel egar", "tamleek", "tamlik", "tamleak",
)  # fmt: skip


def renting(text: str) -> bool:
    """Whether the folded text asks to rent a home: a word for renting, not ruled out ("مش ايجار", "tamleek")."""
    return bool(RENT.search(text)) and not NOT_RENTING.search(text)


TIMELINE: tuple[tuple[Timeline, re.Pattern[str]], ...] = (
    ("exploring", family(
        "just looking", "just browsing", "browsing", "exploring", "no rush", "no hurry", "not in a hurry",
        "checking prices", "not sure when", "someday", "بتفرج", "بتفرج بس", "بشوف الاسعار", "مش مستعجل",
        "مش مستعجله", "مش مستعجلين", "مفيش استعجال", "لسه بدور", "بدور بس", "مش دلوقتي", "على مهلي", "batfarag",
        "batfarrag", "mesh mesta3gel", "msh mesta3gel", "mesh mestaegel", "lessa badawar", "badawar bas",
        "mesh dlwa2ty", "msh dlwa2ty", "mesh delwa2ty")),
    ("immediate", family(
        "immediately", "asap", "as soon as possible", "right away", "right now", "this month", "this week",
        "next week", "next month", "urgent", "urgently", "ready to move", "move in now", "rtm", "within a month",
        "in a month", "فوري", "فورا", "حالا", "دلوقتي", "على طول", "الشهر ده", "الشهر الجاي", "الاسبوع الجاي",
        "مستعجل", "مستعجله", "مستعجلين", "استلام فوري", "خلال شهر", "في اسرع وقت", "بسرعه", "7alan", "fawran",
        "dlwa2ty", "delwa2ty", "3ala tool", "el shahr da", "el shahr el gay", "mesta3gel", "mesta3gela",
        "estelam fawry", "besor3a", "bsor3a")),
    ("within_3_months", family(
        "two months", "2 months", "three months", "3 months", "couple of months", "couple months", "within 3 months",
        "this quarter", "before summer", "شهرين", "تلات شهور", "3 شهور", "تلت شهور", "خلال 3 شهور", "shahreen",
        "shahrein", "talat shohor", "3 shohor")),
    ("within_6_months", family(
        "six months", "6 months", "half a year", "few months", "in the summer", "this summer", "end of summer",
        "4 months", "5 months", "ست شهور", "6 شهور", "نص سنه", "كام شهر", "الصيف", "الصيف الجاي", "4 شهور", "5 شهور",
        "set shohor", "6 shohor", "nos sana", "kam shahr", "el seif", "el sef")),
    ("within_year", family(
        "this year", "within a year", "within the year", "12 months", "end of the year", "next year", "in a year",
        "by the end of the year", "السنه دي", "خلال سنه", "السنه الجايه", "اخر السنه", "آخر السنة", "سنه من دلوقتي",
        "el sana di", "el sana de", "sana di", "sana de", "5elal sana", "sana el gaya", "sana el gayya",
        "a5er el sana", "a5er sana")),
    ("later", family(
        "two years", "2 years", "three years", "3 years", "couple of years", "few years", "later on", "long term",
        "not before", "سنتين", "تلات سنين", "3 سنين", "كام سنه", "بعد سنه", "مش قبل", "sanateen", "sanatein",
        "talat snin", "3 snin", "kam sana", "ba3d sana")),
)  # fmt: skip
FINANCING: tuple[tuple[Financing, re.Pattern[str]], ...] = (
    ("mortgage", family(
        "mortgage", "bank loan", "bank financing", "home loan", "loan", "finance through", "financing from",
        "تمويل عقاري", "التمويل العقاري", "قرض", "تمويل بنكي", "تمويل من البنك", "مبادره البنك المركزي", "tamweel",
        "tamwil", "2ard bank", "2ard mn el bank")),
    ("installments", family(
        "installment", "instalment", "payment plan", "down payment", "pay over", "monthly payments", "quarterly",
        "تقسيط", "قسط", "اقساط", "قسيط", "مقدم", "بالتقسيط", "على سنين", "اقساط ربع سنويه", "ta2seet", "ta2sit",
        "a2sat", "2est", "mo2adam", "mokadam", "3ala snin")),
    ("cash", family(
        "cash", "in full", "full payment", "pay upfront", "paid upfront", "كاش", "نقدي", "نقدا", "كاش بالكامل",
        "دفعه واحده", "kash", "na2dy", "na2di", "dof3a wa7da", "dofa wa7da")),
)  # fmt: skip
PURPOSE: tuple[tuple[Purpose, re.Pattern[str]], ...] = (
    ("business", family(
        "my clinic", "my office", "my company", "my business", "my shop", "my practice", "for work", "for the company",
        "dental practice", "my firm", "accounting firm", "law firm", "pharmacy", "my startup", "startup", "صيدليه",
        "صيدلية", "عياده", "مكتب محاسبه", "شركه ناشئه",
        "عيادتي", "مكتبي", "شركتي", "لشركتي", "للشركه", "محلي", "لشغلي", "للشغل", "3eyadti", "3eyadty", "maktabi",
        "maktaby", "sherketi", "sherkety", "lel sho3'l", "lel shoghl")),
    ("holiday", family(
        "summer", "vacation", "holiday", "weekend", "getaway", "second home", "مصيف", "للمصيف", "الصيف", "اجازه",
        "الاجازات", "الويك اند", "نصيف", "masyaf", "lel masyaf", "agaza", "agazat", "el weekend", "nsayaf")),
    ("invest", INVEST),
    ("live", family(
        "live in", "to live", "living", "for my family", "family home", "my family", "move in", "my kids",
        "my children", "newly married", "getting married", "اسكن", "أسكن", "نسكن", "للسكن", "سكن", "اعيش", "نعيش",
        "لعيلتي", "لاسرتي", "للعيله", "عيالي", "ولادي", "هتجوز", "متجوز", "جواز", "عريس", "askon", "noskon",
        "lel sakan", "a3eesh", "ne3eesh", "3eelti", "3elti", "welady", "wlady", "3eyali", "hatgawez", "metgawez",
        "gawaz", "3aris", "3arees")),
)  # fmt: skip
MOTIVATION: tuple[tuple[Motivation, re.Pattern[str]], ...] = (
    ("inheritance", family("inherit", "inheritance", "heirs", "late father", "late mother", "ورث", "ورثه",
                           "الورثه", "ميراث", "المرحوم", "المرحومه", "wers", "wirs", "meras", "mirath",
                           "el mar7oom", "el mar7ooma")),
    ("relocating", family(
        "moving abroad", "relocat", "moving to", "travel", "emigrat", "immigrat", "leaving egypt",
        "leaving the country",
        "job in", "transferred", "مسافر", "مسافره", "مسافرين", "هسافر", "هنسافر", "السفر", "هاجر", "هجره", "منقول",
        "نقلي", "شغل بره", "بره مصر", "هنعزل", "عزلنا", "نعزل", "msafer", "mesafer", "msafra", "hasafer",
        "hansafer", "el safar", "bara masr", "barra masr", "sho3'l bara", "ha3zel", "han3zel")),
    ("financial", family(
        "need the money", "need money", "need cash", "need liquidity", "debt", "debts", "pay off", "financial",
        "tight", "محتاج فلوس", "محتاجين فلوس", "محتاج السيوله", "سيوله", "ديون", "دين", "ظروف", "ازمه", "عليا فلوس",
        "me7tag felos", "me7tag flos", "m7tag flos", "me7tagin felos", "deyoon", "dyoun", "zorof", "azma",
        "3alaya felos")),
    ("upgrading", family("bigger", "larger", "upgrade", "upgrading", "more space", "more room", "اكبر", "أكبر", "اوسع",
                         "أوسع", "مساحه اكبر", "akbar", "awsa3", "masa7a akbar")),
    ("downsizing", family("smaller", "downsiz", "too big", "kids moved", "kids left", "اصغر", "أصغر", "كبيره علينا",
                          "كبيره عليا", "العيال اتجوزوا", "asghar", "as8ar", "kebira 3alena", "kbira 3alena",
                          "el 3eyal etgawezo")),
    ("investment_exit", family(
        "was an investment", "bought it as an investment", "take profit", "taking profit", "cash out", "exit",
        "investment unit", "كانت استثمار", "اشتريتها استثمار", "استثمار", "اخد المكسب", "مكسب", "kanet esteshmar",
        "esteshmar", "a5od el maksab", "maksab")),
)  # fmt: skip
# The negative and partial conditions go first: "not finished" also contains "finished".
CONDITION: tuple[tuple[Condition, re.Pattern[str]], ...] = (
    ("unfinished", family(
        "core and shell", "core & shell", "semi finished", "semi-finished", "unfinished", "not finished",
        "without finishing", "red brick", "نص تشطيب", "نصف تشطيب", "طوب احمر", "على الطوب", "بدون تشطيب",
        "مش متشطبه", "مش متشطب", "من غير تشطيب", "محاره", "nos tashteeb", "nos tashtib", "noss tashteeb",
        "toob a7mar", "tob a7mar", "mn gheir tashteeb", "men gher tashteeb", "mesh metshatba", "msh metshatba")),
    ("needs_work", family(
        "needs renovation", "needs work", "needs some work", "needs maintenance", "needs repairs", "renovate", "old",
        "dated", "needs painting", "محتاجه صيانه", "محتاج صيانه", "محتاجه تجديد", "محتاجه شغل", "قديمه", "قديم",
        "عايزه تشطيب", "محتاجه دهان", "عايزه صيانه", "me7taga seyana", "me7taga syana", "me7taga tagdeed",
        "me7taga shoghl", "2adeema", "2adima", "adima", "3ayza tashteeb", "3ayza seyana")),
    ("excellent", family(
        "brand new", "never lived", "never used", "fully finished", "super lux", "ultra lux", "ultra super lux",
        "excellent", "perfect condition", "mint", "like new", "lux", "لوكس", "سوبر لوكس", "الترا", "متشطبه بالكامل",
        "تشطيب كامل", "جديده", "جديد", "محدش سكن", "محدش سكنها", "زيرو", "كامله التشطيب", "metshatba bel kamel",
        "tashteeb kamel", "gedida", "gdida", "ma7adesh sakan", "zero")),
    ("good", family(
        "good condition", "well kept", "well maintained", "good shape", "finished", "lived in", "clean", "decent",
        "نضيفه", "نضيف", "كويسه", "حالتها كويسه", "متشطبه", "متشطب", "حالتها حلوه", "كويس", "nedifa", "ndifa",
        "kwayesa", "7aletha kwayesa", "metshatba", "metshatab", "7aletha 7elwa", "kwayes")),
)  # fmt: skip
AROUND = family("around", "about", "approximately", "roughly", "حوالي", "حوالى", "تقريبا", "في حدود", "فى حدود")
_YEAR = re.compile(r"\b(20[2-4]\d)\b")
_MONTHS = re.compile(r"\b(\d{1,2})\s*(?:months?|شهور|شهر|shohor|shhor|shahr)\b")
_YEARS = re.compile(r"\b(\d{1,2})\s*(?:years?|سنين|سنوات|snin|sneen|senin)\b")
# A sum's units: English and Arabic here, Franco-Arabic ("3 malayeen", "900 alf") from the shared vocabulary.
_SCALE = {"million": 1e6, "millions": 1e6, "mil": 1e6, "mn": 1e6, "m": 1e6, "مليون": 1e6, "ملايين": 1e6,
          "billion": 1e9, "مليار": 1e9, "k": 1e3, "thousand": 1e3, "الف": 1e3, "ألف": 1e3, "الاف": 1e3, "آلاف": 1e3,
          **money_words.SCALE}  # fmt: skip
_AMOUNT = re.compile(
    r"(\d+(?:[.,]\d+)*)\s*(" + "|".join(map(re.escape, sorted(_SCALE, key=len, reverse=True))) + r")?(?![a-z\d²])", re.I
)


def _first(families: tuple[tuple[Any, re.Pattern[str]], ...], text: str) -> Any:
    for value, pattern in families:
        if pattern.search(text):
            return value
    return None


def _timeline(text: str, today: date) -> Timeline | None:
    named: Timeline | None = _first(TIMELINE, text)
    if named is not None:
        return named
    if match := _MONTHS.search(text):
        months = int(match.group(1))
        return (
            "immediate"
            if months <= 1
            else "within_3_months"
            if months <= 3
            else ("within_6_months" if months <= 6 else "within_year" if months <= 12 else "later")
        )
    # "over 8 years" with a payment plan is how long the instalments run, not when they buy.
    if (match := _YEARS.search(text)) and _first(FINANCING, text) != "installments":
        return "within_year" if int(match.group(1)) <= 1 else "later"
    if match := _YEAR.search(text):  # a delivery year: this year's is within the year, any later one is later
        ahead = int(match.group(1)) - today.year
        if 0 <= ahead <= 6:
            return "within_year" if ahead == 0 else "later"
    return None


def _amount(text: str) -> int | None:
    """The largest sum of money the text names (a seller's price: "6 million", "6.5M", "٦ مليون", "900 الف")."""
    best: float | None = None
    for match in _AMOUNT.finditer(text):
        number = to_number(match.group(1))
        unit = (match.group(2) or "").lower()
        if number is None:
            continue
        value = number * _SCALE.get(unit, 1)
        if unit == "" and value < 100_000:  # a bare small number is rooms, a size or a year, not a price
            continue
        if _YEAR.fullmatch(match.group(1)):
            continue
        best = value if best is None else max(best, value)
    return int(best) if best and best >= 50_000 else None


def read_slots(
    message: str, parsed: dict[str, Any], *, context: str | None = None, today: date | None = None
) -> LeadSlots:
    """The slots one message states. `parsed` is the search service's reading of it (filters and the phrases it
    understood); `context` is "seller" when the lead is a seller, or the question Amr asked last turn."""
    text = fold(message)
    filters: dict[str, Any] = parsed.get("filters") or {}
    slots: dict[str, Any] = {}
    seller = context is not None and (context == "seller" or context in SELLER_QUESTIONS)
    if SELL.search(text) or seller:
        slots["intent"] = "sell"
    elif INVEST.search(text):
        slots["intent"] = "invest"
    elif renting(text):
        slots["intent"] = "rent"
    elif BUY.search(text) or NOT_RENTING.search(text) or filters or _first(FINANCING, text) or _first(PURPOSE, text):
        slots["intent"] = "buy"
    # As the buyer named them: a region ("Greater Cairo") and not the places the search lists for it. A lead keeps at
    # most ten areas: of a longer list ("Cairo but not New Cairo", 17 places and the region), the last ten.
    if places := parsed.get("places") or filters.get("locations"):
        slots["areas"] = list(places)[-10:]
    if filters.get("property_types"):
        slots["types"] = list(filters["property_types"])
    elif slots.get("intent") == "sell" and (owned := owned_type(text)):
        slots["types"] = [owned]  # the seller's own, which the parser does not read: "شقتي", "sha2ti", "فيلتي"
    # A count, else the least ("3+"), else the most asked for ("up to 2", "studio or 1 bedroom")
    rooms = filters.get("bedrooms", filters.get("min_bedrooms", filters.get("max_bedrooms")))
    if rooms is not None:
        slots["bedrooms"] = int(rooms)
    low, high = filters.get("min_price"), filters.get("max_price")
    around = any(AROUND.search(fold(phrase)) for phrase in parsed.get("understood") or [])
    if around and low and high:  # "around 4 million": the parser's ±10 % band; the buyer said one figure
        low, high = None, int(round((low + high) / 2, -3))
    if slots.get("intent") == "sell":
        price = high or low or _amount(normalise_digits(message))
        if price:
            slots["price_expectation"] = int(price)
        slots["motivation"] = _first(MOTIVATION, text)
        slots["condition"] = _first(CONDITION, text)
    else:
        if low:
            slots["budget_min"] = int(low)
        if high:
            slots["budget_max"] = int(high)
        slots["financing"] = _first(FINANCING, text)
        slots["purpose"] = _first(PURPOSE, text)
    slots["timeline"] = _timeline(text, today or date.today())
    slots["contact_phone"] = phone_number(message)
    slots["contact_name"] = name_given(message)
    if email := EMAIL.search(message):
        slots["contact_email"] = email.group(0).lower()
    return LeadSlots.model_validate({key: value for key, value in slots.items() if value is not None})


# "my name is Ahmed Hassan", "اسمي محمد", "ana esmy Omar": the name follows; English names run to the first word that
# is no name ("my name is Ahmed and I want..."), Arabic and Franco ones are the next word.
_NAME_EN = re.compile(
    r"\b(?:my name is|my name's|my name|name is)\s+([A-Za-z][A-Za-z'\-]*(?:\s+[A-Za-z][A-Za-z'\-]*){0,2})",
    re.IGNORECASE,
)
_NAME_AR = re.compile(r"(?<![\w])(?:اسمي|إسمي)\s+([\u0621-\u064A]{2,})")
_NAME_FRANCO = re.compile(r"\b(?:esmy|esmi|ismi|esmee)\s+([a-z]{2,})\b", re.IGNORECASE)
_NOT_A_NAME = frozenset({"and", "i", "im", "i'm", "is", "not", "looking", "from", "want", "need", "here", "the", "a",
                         "please", "thanks", "thank", "but", "so", "my", "with", "we", "me", "you"})  # fmt: skip


def name_given(message: str) -> str | None:
    """The name the message says is the buyer's, as they wrote it (capitalised in Latin script), else None."""
    if found := _NAME_AR.search(message):
        return found.group(1)
    if found := _NAME_FRANCO.search(message):
        return found.group(1).capitalize()
    if found := _NAME_EN.search(message):
        words = []
        for word in found.group(1).split():
            if word.casefold() in _NOT_A_NAME:
                break
            words.append(word[:1].upper() + word[1:])
        return " ".join(words)[:80] or None
    return None


def consent_answer(message: str) -> bool | None:
    """A reply to "may I share your number with a consultant?": True, False or None (not an answer)."""
    return agreement(fold(message))


def is_arabic(message: str) -> bool:
    return bool(ARABIC.search(message))
