"""The rules brain: no model at all. Intent and slots from the search service's query parser (English and Egyptian
Arabic) and a few keyword families, the right tool called, and the reply written from templates in the user's
language from the tool results alone."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic_ai.messages import ModelMessage, ModelRequest, ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from osool_agent.grounding import HALF, normalise_digits, to_number
from osool_agent.viewings.slots import CAIRO, PERIODS, wall_clock
from osool_common import money_words
from osool_common.listing_filters import ORDER_KEYS

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
# Asking for a person ("can I talk to a real person?", "عايز أكلم حد", "the manager"): a consultant to call, whose
# number is asked for; asking who Amr is ("are you a bot?", "انت بني آدم ولا روبوت؟"); asking about the brokerage
# itself (its office, hours, fees), which a consultant answers.
HUMAN = _family("real person", "a human", "human being", "talk to someone", "speak to someone", "talk to a person",
                "speak to a person", "talk to an agent", "speak to an agent", "talk to a consultant",
                "speak to a consultant", "speak with someone", "talk with someone", "the manager", "customer service",
                "call me back", "have someone call", "someone call me", "someone to call me", "كلم حد", "اكلم حد",
                "اكلم مستشار", "اكلم موظف", "حد يكلمني", "حد يتصل بيا", "يتصلوا بيا", "كلموني", "خدمه العملاء",
                "المدير", "akalem 7ad", "akalem had", "7ad ykalemni", "7ad yekalemni", "kalemoni")  # fmt: skip
WHO_ARE_YOU = _family("are you a bot", "are you a robot", "are you human", "are you real", "are you an ai",
                      "are you a person", "are you a machine", "who are you", "انت مين", "انت روبوت", "انت بوت",
                      "انت بني ادم", "انت حقيقي", "انت انسان", "enta meen", "inta meen", "enta robot",
                      "enta bot")  # fmt: skip
ABOUT_US = _family("your office", "office hours", "working hours", "opening hours", "your address", "your company",
                   "your fees", "your fee", "commission", "brokerage fee", "مكتبكم", "مقركم", "مواعيد العمل",
                   "مواعيدكم", "عنوانكم", "شركتكم", "عموله", "عمولتكم", "سمسره", "3omola", "maktabkom",
                   "maktabko")  # fmt: skip
# A buyer's general question about buying in Egypt, answered with what to weigh and what to check (the rules brain's
# guides; a model brain answers from its own knowledge): off-plan against ready, the risks of off-plan, whether a
# developer can be trusted, and registering a home in one's name.
_OFF_PLAN = r"(?:off[ -]?plan|under construction|تحت الانشاء|تحت الإنشاء|اوف بلان|اوفبلان|taht el insha2)"
_READY = r"(?:ready|ready to move|استلام فوري|جاهز|جاهزه|فوري|estelam fory|gahza)"
GUIDES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("guide_start", re.compile(
        r"\bfirst[- ]time (?:buyer|buying|home)|\bwhere (?:do i|should i|to) start\b|\bhow (?:do i|to|should i) "
        r"(?:start|begin)\b|\bhow (?:do i|to) buy (?:a |an |my )?(?:home|house|property|apartment|flat)\b"
        r"|(?<![\w])(?:اول|أول) (?:مره|مرة) (?:اشتري|أشتري)|(?<![\w])(?:ابدا|ابدأ) (?:منين|ازاي)"
        r"|(?<![\w])منين (?:ابدا|ابدأ)"
        r"|\bawel mara ashtery\b|\babda2 (?:mnen|menen)\b")),
    ("guide_off_plan", re.compile(
        rf"{_OFF_PLAN}.*(?<![\w]){_READY}(?![\w])|(?<![\w]){_READY}(?![\w]).*{_OFF_PLAN}")),
    ("guide_off_plan_risks", re.compile(
        rf"\b(?:risks?|risky|safe|dangers?|guarantees?)\b.*{_OFF_PLAN}|{_OFF_PLAN}.*\b(?:risks?|risky|safe)\b"
        rf"|(?<![\w])(?:مخاطر|خطر|امان|مضمون|ضمان)(?![\w]).*{_OFF_PLAN}|{_OFF_PLAN}.*(?<![\w])(?:مخاطر|خطر|امان|مضمون)")),
    ("guide_developer", re.compile(
        r"\b(?:developer|developers)\b.*\b(?:reliable|trust|trusted|trustworthy|reputation|track record|legit|scam|"
        r"good or bad|any good|serious)\b|\b(?:reliable|trustworthy|trusted|good) developers?\b"
        r"|(?<![\w])(?:ال)?مطور(?:ين)?(?![\w]).*(?<![\w])(?:موثوق|مضمون|سمعته|سمعتهم|كويس ولا|اثق|نصاب|ملتزم)")),
    ("guide_registration", re.compile(
        r"\bregist(?:er|ering|ration)\b(?!.*\bregistry\b).*\b(?:contract|home|property|apartment|unit|villa|deed|"
        r"in my name|ownership)\b|\btitle deeds?\b|\b(?:what|which) (?:documents|papers|paperwork)\b"
        r"|الشهر العقاري|صحه توقيع|صحة توقيع|(?<![\w])(?:اسجل|تسجيل|نسجل) (?:العقد|الشقه|الوحده|الفيلا|البيت)"
        r"|(?<![\w])(?:ايه|اية) (?:الاوراق|الورق)")),
)  # fmt: skip
# Off-plan and ready weighed against each other ("which is better", "ولا", "the difference"), and one refused ("not
# off plan", "مش تحت الانشاء"): only the first asks for the guide.
_WEIGHED = re.compile(
    r"\b(?:difference|better|vs|versus|or|should i|which|pros|cons|advice)\b"
    r"|(?<![\w])(?:ولا|احسن|الفرق|افضل|انصحني|wala|a7san|el far2|afdal)(?![\w])"
)
_NOT_THAT = re.compile(r"\b(?:not|no|don't want|dont want)\b|(?<![\w])(?:مش|مش عايز|مش عاوز|msh|mesh|mish)(?![\w])")
# Asking to be shown listings ("show me", "وريني"): a guide's words in such a message are what to search for.
_SHOW_LISTINGS = _family("show", "find", "looking for", "search", "وريني", "ورينى", "اعرض", "بدور", "ابحث", "wareeny",
                         "wareny", "dawarly")  # fmt: skip
THANKS = _family("thanks", "thank you", "thx", "appreciate", "شكرا", "متشكر", "تسلم", "ميرسي", "الف شكر")
# A loan named outright; MORTGAGE adds the words that may also sit in another question (a bank, interest). The
# calculators' words are read in Franco-Arabic too ("tamweel", "fayda", "el 2est kam", "mortabi", "3a2ed", "egar",
# "a2ayem"), as the search reads listings' words: an Egyptian buyer who types Franco asks these questions in it.
LOAN = _family("mortgage", "loan", "borrow", "financing", "تمويل", "قرض", "رهن", "اقترض", "اتمول", "tamweel",
               "tamwil", "tamweil", "2ard bank", "2ard mn el bank", "2ard men el bank")  # fmt: skip
MORTGAGE = _family("mortgage", "loan", "borrow", "financing", "finance", "bank", "interest", "amortization",
                   "تمويل", "قرض", "رهن", "البنك", "بنك", "فايده", "فائدة", "فوايد", "فوائد", "اقترض", "tamweel",
                   "tamwil", "tamweil", "fayda", "fayde", "fay2da", "fa2da", "fa2eda", "fawayed", "fawa2ed",
                   "2ard bank", "2ard mn el bank", "2ard men el bank")  # fmt: skip
# Asking what a month of a loan costs (not "with installments", which is a payment plan to search by).
MONTHLY = _family("monthly payment", "monthly installment", "monthly instalment", "the monthly", "pay monthly",
                  "pay per month",
                  "pay a month", "the installment", "the instalment", "installment be", "قسط", "القسط",
                  "هدفع كام في الشهر", "هدفع كام شهري", "el 2est", "el qest", "el ist", "2est kam", "qest kam",
                  "2esto kam", "2estaha kam", "hadfa3 kam", "hadfa kam", "ha2sat kam")  # fmt: skip
# Asking the true cost of a listing's plan ("احسبلي التكلفة الحقيقية للأولى", "what does the second really cost?").
TRUE_COST = _family("true cost", "real cost", "actual cost", "total cost", "really cost", "cost in today",
                    "present value", "التكلفه الحقيقيه", "التكلفه الفعليه", "التكلفه الكليه", "هتتكلف كام",
                    "el taklfa el 7a2e2eya", "el taklefa el 7a2e2eya", "taklefa 7a2e2eya")  # fmt: skip
# Asking a listing's down payment ("what's the down payment on the first?", "مقدمها كام؟"): its plan answers it.
DOWN_ASKED = _family("down payment", "downpayment", "how much down", "مقدم", "mo2adam", "mokadam", "moqadam",
                     "mo2dam")  # fmt: skip
INCOME = _family("salary", "income", "earn", "make", "مرتبي", "مرتب", "دخلي", "دخل", "راتبي", "راتب", "بقبض",
                 "mortabi", "mortaby", "moratabi", "mortab", "morattab", "da5li", "da5ly", "dakhli", "ratbi",
                 "ba2bad")  # fmt: skip
AFFORD = _family("afford", "borrow", "qualify", "eligible", "اقدر", "أقدر", "اشتري", "أشتري", "استحق", "a2dar",
                 "a2der", "as7a2")  # fmt: skip
# "within that", "في حدود ده": the budget just computed, as "what I can afford" is (AFFORD).
WITHIN_THAT = _family(
    "within that", "within this", "within it", "within budget", "within the budget", "within my budget",
    "in that budget", "in this budget", "in my budget", "that budget", "that price range", "in that range",
    "in this range", "in that price", "at that price", "for that price", "for that amount",
    "بالسعر ده", "في الرينج ده", "في حدود كده", "في حدود ده", "في حدود دي",
    "في الحدود دي", "في الحدود ده", "في حدود المبلغ", "في حدود الميزانية", "في الميزانية دي", "بالميزانية دي",
    "بالمبلغ ده", "fe 7dod da", "fi 7dod da", "fel 7dod di", "fe 7odod da", "fel budget da", "bel budget da",
)  # fmt: skip
# Asking which of several is best: "which gives the best yield?", "انهي واحدة عائدها احسن؟".
WHICH_BEST = _family("which", "best", "better", "highest", "most", "انهي", "أنهي", "احسن", "أحسن", "افضل", "أفضل",
                     "اعلى", "أعلى", "anhy", "anhi", "a7san", "afdal", "a3la")  # fmt: skip
ROI = _family("roi", "yield", "return", "rent it", "rent out", "rental", "invest", "cash flow", "payback",
              "عائد", "استثمار", "أستثمر", "استثمر", "يستاهل استثمار", "تنفع استثمار", "3a2ed", "3aed", "3ayed",
              "esteshmar", "estesmar", "estethmar", "asteshmer", "astasmer", "asthmer", "astathmer")  # fmt: skip
RENT = _family("rent", "lease", "let it", "tenant", "ايجار", "إيجار", "اجرت", "أجرت", "اجرها", "أجرها", "هأجر",
               "أأجر", "اأجر", "مؤجر", "مأجر", "اجره", "egar", "igar", "eigar", "2egar", "agart", "a2gart", "2agart",
               "agarha", "a2agarha", "2agarha", "ha2agar", "ha2agarha", "mo2agar", "m2agar")  # fmt: skip
VALUATION = _family("worth", "valuation", "value my", "value of my", "appraise", "appraisal", "estimate",
                    "how much is my", "how much can i sell", "sell", "price my", "get for it", "تقييم", "يسوى", "تسوى",
                    "يساوي", "تساوي", "قيمة", "تمنها", "تمنه", "ابيع", "أبيع", "هبيع", "اقيم", "أقيم", "قيم", "قيملي",
                    "يجيب كام", "تجيب كام", "تيجي كام", "يجي كام", "تتباع بكام", "يتباع بكام", "بعته",
                    "بعتها", "هتجيب كام", "هيجيب كام", "بكام تتباع", "بكام يتباع", "هتتباع بكام", "هيتباع بكام",
                    "تتباع كام", "ta2yeem", "te2yeem", "taqyeem", "ta2yim", "a2ayem", "a2ayim", "2ayemly", "2ayemli",
                    "teswa kam", "tesswa kam", "yeswa kam", "tegeeb kam", "tegib kam", "tegeb kam", "hatgeeb kam",
                    "tetba3 b kam", "tetba3 be kam", "abe3", "abee3", "habe3", "habee3", "ba3 b kam", "ba3 be kam",
                    "yetba3 b kam", "hatetba3 b kam", "betetba3 b kam", "باع بكام", "باعت بكام", "بتتباع بكام",
                    "بيتباع بكام")  # fmt: skip
# The owner of the property speaking (a valuation, not a search, even when the size is missing).
OWNER = _family("my ", "mine", "i own", "i have a", "عندي", "بتاعتي", "بتاعي", "شقتي", "فيلتي", "ابيع", "أبيع",
                "هبيع", "sell", "3andi", "3andy", "beta3ti", "beta3ty", "beta3i", "sha2ti", "sha2eti", "abe3",
                "abee3", "habe3", "habee3")  # fmt: skip
# How long a sale takes ("how long would it take to sell?", "هتتباع في قد ايه؟", "tetba3 f ad eh?"): listings give
# asking prices, not how long homes took to sell, so it is answered as such, not with the estimate again.
_HOW_LONG = r"(?:how long|how fast|how quickly|how soon|how much time|قد ايه|اد ايه|امتي|وقت قد|مده|ad eh|emta|ad a eh)"
_SALE = (
    r"(?:sell|sold|sale|تتباع|يتباع|تتبيع|ابيعها|ابيعه|هبيعها|هبيعه|البيع|بيعها|tetba3|yetba3|abe3ha|habe3ha|el bee3)"
)
TIME_TO_SELL = re.compile(rf"\b{_HOW_LONG}\b.{{0,40}}{_SALE}|{_SALE}\w*\b.{{0,40}}\b{_HOW_LONG}(?!\w)")
PRICE_QUESTION = _family("how much", "what price", "كام", "بكام", "b kam", "bkam", "be kam", "teswa kam", "tegeeb kam")
# A seller naming the price they want, whatever Amr asked last: "I want 6 million for it", "عايز فيها ٦ مليون".
ASKING = _family("want", "asking", "ask for", "if i ask", "sell it for", "sell for", "my price", "price is", "expect",
                 "لو عايز", "لو عاوز", "لو طلبت", "لو طالب", "law 3ayez", "lw 3ayez", "law 3awez", "law talabt",
                 "عايز فيها", "عايز فيه", "عاوز فيها", "عاوز فيه", "طالب فيها", "طالب فيه", "سعري", "سعرها",
                 "هبيعها ب", "ابيعها ب", "3ayez fiha", "3ayez feha", "3ayez fih", "3awez fiha", "thinking",
                 "hoping", "in mind", "had in mind", "looking to get", "get for it", "كنت بفكر", "في دماغي", "في بالي",
                 "متوقع", "بفكر في", "kont bafakar", "fe dma8y", "fi bali")  # fmt: skip
TRENDS = _family("market", "trend", "average price", "prices", "price per meter", "per meter", "per metre",
                 "per sqm", "a meter", "بكام المتر", "المتر بكام", "el metr b kam", "good time to buy",
                 "right time to buy", "buy now or wait", "وقت مناسب", "الوقت مناسب", "اشتري دلوقتي",
                 "استني ولا اشتري", "price per m", "per square meter", "median", "going up", "going down",
                 "appreciat", "السوق", "سعر المتر", "اسعار", "أسعار", "متوسط", "بتزيد", "بتقل", "بتغلى",
                 "غليت", "ارتفاع", "price range", "range of prices", "how expensive", "رينج الاسعار",
                 "رينج الأسعار", "as3ar", "se3r el metr", "se3r el meter", "el metr bkam", "el metr be kam",
                 "el so2", "el soo2")  # fmt: skip
# Asking how prices move over time ("have prices gone up?", "الأسعار بتزيد؟", "is it a good time to buy?"): the figures
# are of asking prices today, which the reply says, with the only movement the catalogue holds (its recent changes).
OVER_TIME = _family("changed", "change over", "over the last", "last year", "past year", "going up", "going down",
                    "gone up", "gone down", "rising", "falling", "increase", "decrease", "appreciat", "trend",
                    "good time to buy", "right time to buy", "buy now or wait", "بتزيد", "بتقل", "بتغلى", "بتنزل",
                    "غليت", "ارتفاع", "زادت", "نزلت", "اتغيرت", "هتزيد", "هتغلى", "الوقت مناسب", "وقت مناسب",
                    "استني ولا اشتري", "اشتري دلوقتي", "betzeed", "btzeed", "bet2el", "ghelyet", "8elyet", "zadet",
                    "nezlet", "hatzeed")  # fmt: skip
# Asking what a kind of home usually costs ("how much is a 3-bedroom in Maadi usually?", "بكام الشقة 3 غرف في المعادي
# عادة؟", "the typical price of a villa in Zayed"): the market's figures of those listings, not a page of them.
TYPICAL = re.compile(
    r"\b(?:how much|what|price|prices|cost|costs|go for|goes for|sell for|sells for)\b.*"
    r"\b(?:usually|typically|normally|on average|generally|in general)\b"
    r"|\b(?:usually|typically|normally) (?:cost|costs|go for|goes for|sell for|sells for|priced|sold)\b"
    r"|\b(?:typical|usual|normal|average|going) (?:price|prices|cost|rate|asking price)\b"
    r"|(?<![\w])(?:بكام|سعر|سعرها|سعره|اسعار|اسعارها|تمن|تمنها|تمنه)(?![\w]).*"
    r"(?<![\w])(?:عاده|عادتا|في العادي|في المتوسط|في الغالب|غالبا)(?![\w])"
    r"|(?<![\w])(?:عاده|غالبا|في الغالب)(?![\w]).*(?<![\w])(?:بكام|سعرها|سعره|تمنها|تمنه)(?![\w])"
    r"|(?<![\w])(?:السعر|سعر) (?:العادي|المعتاد|المتعارف عليه)"
    r"|\b(?:b ?kam|bekam|be kam)\b.*\b(?:3ada|3adatan|3adatn|ghaleban|8aleban)\b"
)
# Listings at a good price ("apartments in Maadi with good prices", "شقق بأسعار كويسة"): a search, cheapest first,
# not the market's figures the word "prices" would otherwise ask for.
GOOD_PRICES = re.compile(
    r"\b(?:good|great|reasonable|fair|low|lower|cheap|best|affordable|decent|nice|competitive) prices?\b"
    r"|(?<![\w])(?:ب|و)?(?:اسعار|سعر) (?:كويسه|كويس|حلوه|حلو|مناسبه|مناسب|معقوله|معقول|رخيصه|رخيص|لقطه)(?![\w])"
)
# A contract, or clauses of one, pasted to be reviewed (the rules brain's route to audit_contract): long, and written
# as contracts are ("البند الأول", "الطرف الثاني", "the buyer shall", "hereinafter"), not a search however many
# numbers it holds.
_CONTRACT_WORDS = re.compile(
    r"البند|(?<![\w])بند(?![\w])|(?:ال|لل)طرف الاول|(?:ال|لل)طرف الثاني|يلتزم|يقر|عقد بيع|المشتري|البائع|الفسخ|"
    r"يسدد|تسدد|"
    r"\bclause\b|\barticle \d|\b(?:first|second) party\b|\bhereinafter\b|\bshall\b|\bthe (?:buyer|purchaser|seller)\b|"
    r"\bagreement\b|\bcontract\b"
)
CONTRACT_LENGTH = 150  # characters: a clause or more, not a question about a contract
# "There": the place the conversation is on (the last search's).
THERE = _family("there", "هناك", "هنا", "فيها", "henak", "hnak", "hena")
# Asked with no area or type at all, only these make a question about the whole market.
WHOLE_MARKET = _family("market", "trend", "price per meter", "السوق", "سعر المتر", "متوسط سعر", "se3r el metr",
                       "el so2", "el soo2", "good time to buy",
                       "right time to buy", "buy now or wait", "وقت مناسب", "الوقت مناسب", "اشتري دلوقتي",
                       "استني ولا اشتري")  # fmt: skip
AVAILABILITY = _family("available", "availability", "reserved", "still for sale", "still there", "blockchain",
                       "on chain", "on-chain", "registry", "sold", "taken", "متاح", "محجوز", "لسه موجود", "اتباع",
                       "اتحجز", "البلوكتشين", "بلوك تشين", "mota7", "mot7a", "lessa mawgod", "lesa mawgod",
                       "lessa mawgoud", "et7agaz", "etba3", "ma7gouz", "ma7gooz", "ma7goz")  # fmt: skip
COMPARE = _family("compare", "comparison", "versus", "vs", "difference between", "which is better", "which one is",
                  "side by side", "against each other", "جنب بعض", "قصاد بعض", "قارن", "مقارنه", "مقارنة", "الفرق",
                  "أحسن واحده", "احسن واحده", "انهي احسن", "أنهي أحسن", "2aren", "2arin", "qaren", "qarin",
                  "mo2arna", "mo2arana", "moqarna", "el far2", "a7san wa7da", "anhy a7san", "anhi a7san", "karen el",
                  "karen ben", "karen bein", "karenly", "kareny", "karin el", "anhy fehom a7san", "anhi fehom a7san",
                  "anhy fihom a7san", "انهي فيهم احسن",
                  "which of them is better", "which of them is best", "which of them is the best",
                  "which of these is better", "which of these is the best")  # fmt: skip
# "which of them is the best investment?", "انهي فيهم احسن؟": every listing shown side by side, not the first two.
OF_THEM = _family("of them", "of these", "fehom", "fihom", "فيهم", "منهم")
# "Which of them has the lowest down payment?": the listings shown side by side, that one named first (Winners' keys).
BEST_OF = (
    ("lowest_down_payment", _family("lowest down payment", "smallest down payment", "least down payment",
                                    "lowest deposit", "less down payment", "اقل مقدم", "مقدمها اقل", "مقدم اقل",
                                    "a2al mo2adam", "mo2adam a2al", "a2al mokadam")),
    ("longest_plan", _family("longest plan", "longest payment plan", "longest instalment", "longest installment",
                             "most years", "longer plan", "اطول تقسيط", "تقسيطها اطول", "اطول فتره سداد",
                             "اكتر سنين", "atwal ta2seet", "atwal ta2sit")),
    ("lowest_monthly", _family("lowest monthly", "smallest monthly", "cheapest monthly", "lowest instalment",
                               "lowest installment", "اقل قسط", "قسطها اقل", "قسط اقل", "a2al 2est", "a2al qest")),
    ("best_value_per_sqm", _family("cheapest per meter", "cheapest per metre", "cheapest per m", "cheapest per sqm",
                                   "lowest price per meter", "lowest price per m", "best value", "better value",
                                   "value for money", "better deal", "best deal", "ارخص متر", "ارخص سعر متر",
                                   "سعر المتر فيها اقل", "ar5as metr")),
    ("lowest_true_cost", _family("lowest true cost", "cheapest overall", "lowest total cost", "اقل تكلفه")),
)  # fmt: skip
DETAILS = _family("tell me about", "details", "more about", "more info", "info on", "what about", "show me the",
                  "describe", "تفاصيل", "احكيلي", "قولي عن", "اكتر عن", "أكتر عن", "عايز اعرف عن")  # fmt: skip
# The listing just shown, named without an ordinal.
# Reserving a unit already shown ("reserve it", "احجزهالي"), not booking a viewing of it ("احجز معاينة"). Written as a
# pattern: "reserved" is a question about availability, not a request.
RESERVE = re.compile(
    r"\breserve\b(?!d)|\breservation\b|\b(?:put|pay|leave) (?:down )?(?:a |the )?deposit\b|\bhold (?:it|this|that)\b"
    r"|(?:^|(?<=[\sوف]))احجز|(?:^|(?<=\s))(?:اعمل|عايز|عاوز) حجز|عربون"
    # Franco-Arabic: "a7gezha", "3ayez a7gez", "a3mel 7agz", "3arboon"
    r"|\b(?:a7gez|a7gaz|ha7gez|n7gez|ne7gez|e7gez)|\b(?:a3mel|3ayez|3awez|3ayz) 7agz\b|\b3arbo+u?n"
)
# The buyer's own viewings: asked for ("what viewings do I have?", "معايناتي امتى؟"), cancelled ("cancel my viewing",
# "الغي المعاينة") or asked to be moved ("can I change my viewing time?"), never a new one booked.
MY_VIEWINGS = _family("my viewing", "my viewings", "my appointment", "viewings do i have", "viewings i have",
                      "viewings have i", "my booked viewing", "معايناتي", "المعاينه بتاعتي", "معاينتي", "ميعادي",
                      "مواعيدي", "my mo3ayna", "mo3aynaty", "me3adi")  # fmt: skip
_RESERVATION = _family("reservation", "الحجز", "حجزي", "el 7agz", "7agzi")
# The buyer's own saved searches that alert ("what alerts do I have?", "تنبيهاتي"), and stopping one ("stop my alert",
# "وقف التنبيه"): my_alerts, not a new search.
MY_ALERTS = _family("my alert", "my alerts", "alerts do i have", "alerts i have", "alerts have i", "my saved search",
                    "my notification", "تنبيهاتي", "التنبيهات بتاعتي", "التنبيه بتاعي", "البحث المحفوظ",
                    "tanbihaty", "el tanbihat")  # fmt: skip
_ALERT_WORD = _family("alert", "notification", "saved search", "تنبيه", "التنبيه", "التنبيهات", "اشعار", "اشعارات",
                      "tanbih")  # fmt: skip
STOP = _family("stop", "unsubscribe", "turn off", "switch off", "delete", "remove", "don't want", "dont want", "وقف",
               "اوقف", "بطل", "امسح", "شيل", "مش عايز", "wa2af", "wa22af", "batal")  # fmt: skip
CANCEL = _family("cancel", "call off", "الغي", "الغاء", "كنسل", "لغي", "الغيلي", "elghy", "alghy", "elghi", "alghi",
                 "cancell")  # fmt: skip
RESCHEDULE = _family("reschedule", "change my viewing", "move my viewing", "change the time", "change the viewing",
                     "change my appointment", "move my appointment", "postpone", "اغير الميعاد", "اغير معاد",
                     "تغيير الميعاد", "اغير ميعاد", "اأجل", "أأجل", "اجل المعاينه", "a8ayar el me3ad",
                     "aghayar el me3ad")  # fmt: skip
# Asking what reserving takes, not to reserve: the deposit's amount ("العربون كام؟", "el 3arboon kam?", "how much is
# the reservation deposit?"), or how long a reservation holds the unit. A bare English "deposit" is left alone: it is as
# often the down payment, or the maintenance deposit.
DEPOSIT_ASKED = re.compile(
    r"(?:عربون|\b3arbo+u?n)[^.!]*(?:كام|قد ايه|ايه|\bkam\b|\bad eh\b|\?|؟)"
    r"|(?:كام|قد ايه|\bkam\b)[^.!]*(?:عربون|\b3arbo+u?n)"
    r"|\b(?:reservation|booking|holding) deposit\b|\bdeposit (?:to|for) (?:reserve|hold|book)"
    r"|\bhow much (?:is it |does it cost |do i pay )?to (?:reserve|hold)\b"
    r"|\bhow long (?:is|does|will|do you) (?:the |a |it |you )?(?:hold|reservation|reserv|be held)"
    r"|مده الحجز|الحجز (?:بيفضل )?قد ايه|(?:بيثبت|هيثبت)\w* قد ايه"
)
# Right after a reservation was made or quoted, "what is the deposit?", "how much is the deposit?", "and the deposit?",
# "how long will it be held?" ask what reserving takes: there the bare word is the reservation's deposit.
# The maintenance deposit and the down payment are other deposits still.
_DEPOSIT_AGAIN = re.compile(r"\bdeposit\b|\bhow long\b[^.!?]*\bheld\b")
_OTHER_DEPOSIT = re.compile(r"\bmaintenance\b|\bdown\b|\bsecurity\b")
VIEWING = re.compile(
    _family("viewing", "visit", "see it in person", "tour", "appointment", "in person", "come see", "come and see",
            "go see", "معاينه", "اشوفها", "اشوفه", "نشوفها", "نشوفه", "اتفرج عليها", "اتفرج عليه", "زياره", "ميعاد",
            "اعاين", "نعاين", "هعاين", "اعاينها", "نعاينها", "a3ayn", "a3ayen", "n3ayn", "n3ayen", "mo3ayna",
            "mo3ayana", "mo3aina", "m3ayna", "ashofha", "ashoofha", "ashofo", "nshofha", "zeyara", "ziyara", "me3ad",
            "mi3ad").pattern
    # "can I see it on Saturday?", but not "see its price"
    + r"|\b(?:see|view|check out) (?:it|this one|that one|this|that|the (?:unit|apartment|flat|villa|place|property"
    r"|house|chalet|duplex|penthouse|townhouse|twinhouse|studio|office|shop|clinic|first|second|third|fourth|fifth"
    r"|last|1st|2nd|3rd|4th|5th)(?: one)?)\b(?!')(?!(?: one)? (?:price|cost|plan|details|size|photos|pictures))"
)  # fmt: skip
# "Tell me when one appears": a search saved for alerts (save_search), by SMS when the buyer says so.
ALERT = _family("tell me when", "let me know when", "let me know if", "notify me", "alert me", "keep me posted",
                "keep me updated", "email me when", "text me when", "save this search", "save the search",
                "save my search", "بلغني", "عرفني لما", "عرفني اول ما", "ابعتلي لما", "ابعتلي اول ما", "قولي لما",
                "قولي اول ما", "نبهني", "احفظ البحث", "احفظلي البحث", "2olli lama", "2oly lama", "2oli lama",
                "olli lama", "2olli awel ma", "ballaghni", "ballaghny", "balla8ni", "3arrafni lama", "3arafni lama",
                "eb3atli lama", "eb3atly lama", "ab3atli lama", "nabbehni", "nabahni", "e7faz el ba7s",
                "e7fazli el ba7s")  # fmt: skip
_ALERT_LEAD = re.compile(
    r"^(?:(?:when|if|once|لما|اول ما|أول ما|تنزل|ينزل|تظهر|يظهر|يبقى فيه|يكون فيه|يتعرض|تتعرض|lama|awel ma|yenzel|"
    r"tenzel|yeb2a feh|yekon feh)\s+)+",
    re.I,
)
_ALERT_TAIL = re.compile(
    r"(?:\s+(?:appears?|comes? (?:up|out)|is listed|gets listed|pops up|shows up|becomes available|is available|"
    r"تنزل|ينزل|تظهر|يظهر|تتعرض|يتعرض|تبقى متاحه|تبقى متاحة|yenzel|tenzel|tenzal))+\s*$",
    re.I,
)


def _alert_query(text: str) -> str:
    """The search in "tell me when a villa in Zayed under 30M appears": the request's words taken off, in the
    buyer's own spelling (the folded text when the alert words were written another way)."""
    raw = " ".join(re.compile(_CHANNEL_SAID.pattern, re.I).sub(" ", normalise_digits(text)).split())
    stripped = re.compile(ALERT.pattern, re.I).sub(" ", raw)
    if stripped == raw:
        stripped = ALERT.sub(" ", fold(text))
    stripped = _ALERT_TAIL.sub("", _ALERT_LEAD.sub("", " ".join(stripped.split()).strip(" ,.?!؟")))
    return stripped.strip(" ,.?!؟")


# Asking for more of the last search, or for cheaper or bigger ones than it showed: the same search, the listings shown
# left out, or its budget brought under the cheapest shown, or its size over the largest. Only a message that states no
# search of its own ("more in Maadi" is a new search).
MORE = _family("show me more", "show more", "see more", "more options", "more results", "more of them", "any more",
               "anymore", "anything else", "what else", "other options", "other ones", "others", "next page",
               "more please", "كمان", "غيرهم", "غير دول", "غير كده", "اختيارات تانيه", "وحدات تانيه", "حاجات تانيه",
               "فيه تاني", "في تاني", "kaman", "ghirhom", "gherhom", "ghero", "7agat tanya", "tanyeen")  # fmt: skip
CHEAPER = _family("cheaper", "less expensive", "more affordable", "lower price", "lower budget", "ارخص من كده",
                  "ارخص من دول", "ارخص من دي", "حاجه ارخص", "حاجات ارخص", "في ارخص", "فيه ارخص", "اوفر",
                  "arkhas", "ar5as", "ar5as men keda", "سعر اقل", "se3r a2al")  # fmt: skip
# "Less than this" with nothing else said ("في أقل من كده؟", "fe a2al men keda?"): the price, as the listings just shown
# were priced. With a measure named ("قسط أقل من كده", "a smaller size") it is that measure's, not this.
LESS_THAN_THESE = re.compile(
    r"^(?:(?:في|فيه|حاجه|حاجات|عايز|fe|fi|feh|fih|7aga|7agat|any|anything|something|is there|are there)\s+)*"
    r"(?:اقل من (?:كده|كدا|دول|دي|ده)|a2al men (?:keda|kda|kede|dol|di|da)|less than (?:that|this|these|those))"
    r"[\s?؟!.]*$"
)
BIGGER = _family("bigger", "larger", "more space", "more spacious", "roomier", "اكبر من كده", "اكبر من دول",
                 "مساحه اكبر", "مساحات اكبر", "حاجه اكبر", "اوسع", "akbar men keda", "awsa3", "في اكبر", "فيه اكبر",
                 "اكبر شويه", "fe akbar", "fi akbar", "feh akbar", "fih akbar", "7aga akbar", "masa7a akbar",
                 "akbar shwaya", "akbar shewaya")  # fmt: skip
# Questions about one listing that its listing answers, or says it cannot: who built it, whether its price moves, its
# photos, how far it is from somewhere (there are no distances: its place, and any landmark its listing names).
LISTING_QUESTIONS = {
    # How old the building is: the delivery its listing states ("how old is the building?", "العمارة عمرها كام؟")
    "age": _family("how old is", "how old's", "year built", "when was it built", "when was the building built",
                   "built in what year", "what year was it built", "عمر العماره", "عمر المبني", "عمرها كام",
                   "عمره كام", "اتبنت امتي", "اتبني امتي", "اتبنت سنه", "سنه البنا", "سنه البناء", "عمر البيت",
                   "3omr el 3emara", "3omraha kam", "etbanet emta"),
    "developer": _family("developer", "who built", "who is building", "built by", "المطور", "مطورها", "مين بانيها",
                         "مين باني", "شركه ايه", "el developer", "el motawer", "motawer"),
    "negotiable": _family("negotiable", "negotiate", "negotiation", "discount", "best price", "last price",
                          "final price", "lower the price", "come down", "للتفاوض", "تفاوض", "خصم", "اخر سعر",
                          "آخر سعر", "اخر كلام", "ينزل", "تنزل", "fe5 5asm", "a5er se3r", "a5r se3r"),
    "photos": _family("photo", "picture", "pics", "images", "صور", "صوره", "sowar", "sora"),
    "distance": _family("how far", "distance", "minutes from", "mins from", "how long to", "المسافه", "بعيده عن",
                        "بعيد عن", "قد ايه من", "كام دقيقه", "ب3eda", "b3eed 3an", "b3eda 3an"),
    "maintenance": _family("maintenance", "service charge", "service fee", "الصيانه", "صيانه", "وديعه",
                           "siana", "seyana", "syana"),
    # "what floor is the first on?", "el awla fel dor kam?", "مساحتها كام؟", "كام حمام؟", "where exactly is it?"
    "which_floor": _family("what floor", "which floor", "floor is it", "floor number", "الدور الكام", "دور كام",
                           "الدور كام", "dor kam", "el dor el kam", "fi dor kam"),
    "size": re.compile(
        _family("how big", "what size", "what is the size", "what's the size", "how many meters", "how many square",
                "how many sqm", "كام متر", "kam metr", "kam meter").pattern
        # "مساحة التانية كام؟", "masa7et el awla kam?": the size, a word or two before "how much"
        + r"|(?<![\w])(?:ال)?مساح\w*(?: \S+){0,2} كام|\bmasa7\w*(?: \S+){0,2} kam\b"
    ),
    # "how much is the second?", "التانية بكام؟", "el talta b kam?", "سعرها كام؟": its price said first. Only of a
    # listing pointed at, and not of its monthly, down payment or loan, nor of the buyer's own home.
    "price": re.compile(
        _family("what's the price", "what is the price", "whats the price", "how much does it cost", "how much is it",
                "how much for it", "its price", "بكام", "بكم", "سعرها", "السعر كام", "السعر ايه", "تمنها", "b kam",
                "be kam", "bkam", "bekam", "se3rha", "se3raha", "el se3r kam", "tamanha").pattern
        + r"|\bhow much (?:is|are|does|for) (?:the )?(?:first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th|last)\b"
        + r"|^how much[\s?!.]*$"
    ),
    "bedrooms": _family("how many bedrooms", "how many rooms", "how many bed rooms", "كام اوضه", "كام أوضه",
                        "كام غرفه", "كام اوض", "عدد الغرف", "عدد الاوض", "اوضها كام", "غرفها كام", "kam oda",
                        "kam ouda", "kam 2oda", "kam ghorfa", "kam 8orfa"),
    "bathrooms": _family("how many bathrooms", "how many baths", "كام حمام", "عدد الحمامات", "حماماتها كام",
                         "kam 7amam", "kam hammam"),
    "where": _family("where is it", "where exactly", "what's the address", "its address",
                     "location of", "فين بالظبط", "فين بالضبط", "مكانها فين", "هي فين", "عنوانها", "العنوان",
                     "fein bel zabt", "fen bel zabt", "makanha fein", "makanha fen", "heya fein"),
    # Only of a listing pointed at ("is the first one delivered?", "هتتسلم امتى؟"): "only ready to move" is a search.
    "delivery": _family("delivered", "delivery", "handover", "hand over", "ready to move", "move in", "اتسلمت",
                        "استلام", "استلامها", "تسليم", "تسليمها", "هتتسلم", "هستلم", "هستلمها", "جاهزه", "este2lam",
                        "estelam", "tasleem", "gahza", "tetsallem", "betetsallem", "hatetsallem", "tetsalem",
                        "betetsalem", "hatetsalem", "etsallemet", "tasleemha", "estelamha", "is it ready", "ready yet",
                        "one ready", "ones ready", "ready now"),
}  # fmt: skip
_WHEN = _family("when", "what year", "امتى", "إمتى", "سنه كام", "emta", "imta", "amta")
# Another currency than the pound ("can I pay in dollars?", "بالدولار").
CURRENCY = _family("dollar", "usd", "euro", "currency", "foreign currency", "sterling", "riyal", "dirham", "دولار",
                   "يورو", "عمله", "ريال", "درهم", "dolar")  # fmt: skip
# The listing questions that need the message to point at a listing ("the second", "it") to be one.
_POINTED_QUESTIONS = frozenset({"delivery", "price"})
# A price asked of "it" ("how much is it?", "سعرها كام؟"): of the listing the conversation is on, else the first shown;
# "بكام؟" alone only while the conversation is on one.
_PRICE_OF_IT = _family("how much is it", "how much does it cost", "how much for it", "its price", "سعرها", "تمنها",
                       "se3rha", "se3raha", "tamanha")  # fmt: skip
# The price per m² asked of "it" ("كام المتر فيها؟", "how much per meter is it?") is its price, which says it per m²;
# asked of a listing named ("سعر المتر في التانية كام؟") too. Unnamed ("بكام المتر؟") it stays the market's.
_PER_SQM_OF_IT = _family("المتر فيها", "المتر بتاعها", "متر فيها بكام", "el metr fiha", "el metr feha",
                         "el meter fiha", "el metr beta3ha", "per meter is it", "per metre is it", "per sqm is it",
                         "per m2 is it", "per square meter is it", "a meter is it", "per meter for it",
                         "per sqm for it", "its price per", "its per meter", "its per sqm")  # fmt: skip
_PER_SQM = _family("per meter", "per metre", "per sqm", "per m2", "per m²", "per square", "a meter", "a metre",
                   "سعر المتر", "المتر بكام", "بكام المتر", "كام المتر", "el metr", "se3r el metr")  # fmt: skip
# Asking where to buy or invest: the places of the market (or of a region) side by side.
WHICH_AREA = _family("which area", "which place", "which city", "best area", "best place to buy",
                     "best place to invest", "where should i buy", "where should i invest", "where to invest",
                     "where to buy", "compare areas", "cheapest area", "احسن منطقه", "انهي منطقه", "انهى منطقه",
                     "ارخص منطقه", "اشتري فين", "استثمر فين", "فين احسن", "a7san mante2a", "anhy mante2a",
                     "anhi mante2a", "ashtery fein", "asthmer fein", "what areas", "which areas",
                     "areas can i afford", "where can i afford", "where can i buy", "انهي مناطق", "مناطق اقدر",
                     "فين اقدر اشتري", "اقدر اشتري فين")  # fmt: skip
# Which of the places named is better ("التجمع ولا زايد احسن؟", "zayed wala october a7san?"): set side by side.
BETTER = _family("better", "which is best", "which one is best", "احسن", "أحسن", "افضل", "أفضل", "a7san", "ahsan",
                 "afdal")  # fmt: skip
# Whether a listing's price is good ("is the first one a good price?", "is it overpriced?", "سعرها كويس؟", "لقطة؟").
FAIR_PRICE = _family("good price", "fair price", "good deal", "a good buy", "overpriced", "over priced",
                     "reasonable price", "price reasonable", "price fair", "worth the price", "worth its price",
                     "a bargain", "سعرها كويس", "سعرها حلو", "سعره كويس", "سعرها مناسب", "سعره مناسب", "لقطه",
                     "مبالغ فيه", "سعرها مبالغ", "تستاهل سعرها", "se3raha kwayes", "se3ro kwayes", "la2ta")  # fmt: skip
# Whether one place is worth buying in ("is the North Coast a good investment?", "التجمع استثمار كويس؟"): its figures,
# and what decides it, not a search for the words.
GOOD_INVESTMENT = _family("good investment", "good for investment", "good for investing", "worth investing",
                          "worth buying", "worth it", "a good place to invest", "a good area to invest",
                          "استثمار كويس", "استثمار حلو", "استثمار مضمون", "تستاهل", "يستاهل", "استثمار ناجح",
                          "est2mar kwayes", "estethmar kwayes", "tesstahel", "testahel")  # fmt: skip
# When the call asked for comes ("when will they call me?", "امتى هيكلموني؟", "nobody called me yet").
CALL_WHEN = _family("when will they call", "when will someone call", "when will you call", "when will i get a call",
                    "when will the consultant call", "when will they contact", "nobody called", "no one called",
                    "no one has called", "nobody has called", "still waiting for a call", "امتى هيكلموني",
                    "امتي هيكلموني", "امتى حد هيكلمني", "امتي حد هيكلمني", "هيكلموني امتى", "هيكلموني امتي",
                    "امتى هتكلموني", "محدش كلمني", "لسه محدش كلمني", "محدش اتصل", "emta hayeklemoni",
                    "emta hayekalemoni", "ma7adesh kalemni", "m7adsh kalemni")  # fmt: skip
MAX_PLACES_COMPARED = 12  # as many as the market figures set side by side (search's /api/market/stats?places=)
# What a listing would rent for, asked by its buyer ("how much rent would it bring?", "لو أجرتها هتجيب كام؟"), not by
# someone who wants to rent a home ("I want to rent").
RENT_IT = _family("rent would it", "would it rent", "it rent for", "rent it", "rent them", "would they rent",
                  "rent would they", "bring in rent", "rental income", "اجرتها", "أجرتها", "اجرها", "أجرها", "هتتأجر",
                  "تتأجر", "ايجارها", "إيجارها", "agartaha", "agartha", "a2agarha", "egarha", "egaraha", "هيتأجر",
                  "يتأجر", "ايجاره", "إيجاره", "اجرته", "أجرته", "hayet2agar", "hayetagar", "yet2agar")  # fmt: skip
# Money the buyer has to spend ("I have 5 million to invest", "معايا ٥ مليون"), not the price of a unit named.
HAVE_BUDGET = _family("i have", "i've got", "i got", "my budget", "budget of", "budget is", "to invest", "معايا",
                      "عندي", "ميزانيتي", "ميزانيه", "استثمرهم", "استثمرها فيه",
                      # "عايز استثمر 5 مليون، اشتري ايه؟": money to put somewhere, and which listings, not one's yield
                      "عايز استثمر", "عاوز استثمر", "حابب استثمر", "ناوي استثمر", "اشتري ايه", "what should i buy",
                      "what to buy", "3ayez asthmer", "3ayez asteshmer", "3ayez astathmer", "ashtery eh",
                      "ashtri eh")  # fmt: skip
BY_EMAIL = _family("email", "e-mail", "mail", "ايميل", "إيميل", "الايميل", "الإيميل", "بريد", "emeil", "imail")
BY_SMS = _family("sms", "text me", "by text", "رساله", "اس ام اس", "مسج", "resala", "risala", "masg")
# A channel said inside an alert's words ("tell me *by sms* when one appears"), left out to read them.
_CHANNEL_SAID = re.compile(r"\b(?:on|by|via|through|over) (?:whatsapp|whats app|sms|text|e-?mail|mail)\b\s*")
_NUMBER_WORD = re.compile(r"\bnumber\b|\bnum\b|رقم|\bra2am\b|\brakam\b|\bnemra\b")
# Asked for by WhatsApp, which alerts do not go by: by email (or SMS), and said so.
BY_WHATSAPP = _family("whatsapp", "whats app", "watsapp", "watsap", "whatsap", "واتساب", "واتس اب", "الواتس",
                      "واتس", "wats", "whats")  # fmt: skip
# "one like this", "فيلا زي دي": the alert is for the search the buyer just made, not for these words.
LIKE_THESE = _family("like this", "like these", "like that", "like those", "similar", "زي دي", "زي ده", "زيها",
                     "زي كده", "زي دول", "شبهها", "شبه دي", "مشابهه", "مشابهة", "zay di", "zay dy", "zay de",
                     "zay keda", "zay kda", "zay dol", "zayaha", "zayeha", "shabah di", "shabahha")  # fmt: skip
THIS = _family("this one", "that one", "this unit", "this listing", "this apartment", "this villa", "this property",
               "this chalet", "this studio", "this duplex", "this penthouse", "this townhouse", "this twin house",
               "this flat", "this home", "this house", "this office", "this shop", "this clinic", "this place",
               "on it", "for it", "of it", "its monthly", "its instalment", "its installment", "its down payment",
               "its mortgage", "دي", "دى", "ده", "عليها", "بتاعتها", "بتاعها", "قسطها", "قسطه", "مقدمها", "مقدمه",
               "تمويلها", "تمويله")  # fmt: skip
SEARCH = _family("show", "find", "looking for", "search", "want", "need", "any", "apartment", "villa", "flat",
                 "house", "home", "unit", "عايز", "عاوز", "محتاج", "بدور", "ابحث", "دور", "شقه", "شقة", "فيلا", "بيت",
                 "وحده", "وحدة", "دوبلكس", "شاليه")  # fmt: skip
# A buyer's request to be shown listings, which a seller's details never are ("show me", "looking for", "عايز اشوف").
SHOW_ME = _family("show", "find", "looking for", "search", "any ", "وريني", "ورينى", "اعرض", "بدور", "ابحث",
                  "عايز اشوف", "عاوز اشوف", "عايز اشتري", "عاوز اشتري", "buy")  # fmt: skip
# Types the parser may miss in an owner's or a market question ("شقتي", "sha2ti", "للفلل"); used there only, and only
# when the parser found none (a search keeps to the parser's reading).
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "Apartment": (
        "apartment",
        "flat",
        "شقه",
        "شقتي",
        "شقتنا",
        "شقق",
        "sha2ti",
        "sha2ety",
        "sha2eti",
        "sha2etna",
        "sha2tna",
        "sha2a2",
    ),
    "Villa": ("villa", "فيلا", "فيلتي", "فلل", "فيلل", "felti", "fellti", "felal"),
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
# "for the first one": ل before the article writes "للاولي", "للتانيه" (the article's alef goes).
ORDINALS |= {f"لل{word[2:]}": n for word, n in ORDINALS.items() if word.startswith("ال")}
# In Franco-Arabic, with the article only: "tany" alone is "again" or "other", "awel ma" is "as soon as".
ORDINALS |= {
    "el awel": 1, "el awal": 1, "el awelany": 1, "el awalany": 1, "el awelanya": 1, "el awalanya": 1, "el ola": 1,
    "el oula": 1, "el ula": 1, "el awla": 1, "el 2awla": 1, "el oola": 1, "el 2ola": 1, "el 2oula": 1, "el 2awel": 1,
    "el 2awal": 1, "el tany": 2, "el tanya": 2, "el tania": 2, "el talet": 3, "el talta": 3,
    "el taleta": 3, "el rabe3": 4, "el rab3a": 4, "el khames": 5, "el 5ames": 5, "el khamsa": 5, "el 5amsa": 5,
}  # fmt: skip
# "and the second", "for the second", "with the second", "in the second" are one word in Franco as in Arabic ("wel
# tanya", "lel tanya", "bel tanya", "fel tanya": "والتانية", "للتانية", "بالتانية", "فالتانية").
ORDINALS |= {f"{particle}{word}": n for word, n in ORDINALS.items() if word.startswith("el ") for particle in "wlbf"}
_ORDINAL = re.compile(
    r"(?<!الدور )(?<!التجمع )(?<!الحي )(?<!dor )(?<!tagamo3 )(?<!tagamoa )(?<!7ay )(?<!hay )(?<![\w])(?:[وب]?)("
    + "|".join(map(re.escape, sorted(ORDINALS, key=len, reverse=True)))
    + r")(?![\w])(?![\s-]*(?:floor|settlement|time|of all|مره|ما\b|dor\b|marra\b))"
)
_PAIR = re.compile(
    r"\b([1-5])\s*(?:and|&|,|و|vs|مع|ولا|or)\s*([1-5])\b"
    r"(?!\s*(?:m\b|mn|mil|million|مليون|الف|k\b|bed|br\b|غرف|اوض|years|سنين|سنه|%|sq|m2|متر))"
)
# The units of a sum after its number: English and Arabic (folded) here, Franco-Arabic from the shared vocabulary.
_MULTIPLIERS = {"k": 1e3, "thousand": 1e3, "الف": 1e3, "الاف": 1e3, "m": 1e6, "mn": 1e6, "mil": 1e6, "million": 1e6,
                "millions": 1e6, "مليون": 1e6, "ملايين": 1e6, **money_words.SCALE}  # fmt: skip
_UNITS = "|".join(map(re.escape, sorted(_MULTIPLIERS, key=len, reverse=True)))
# A half after the unit ("3 milyon w nos", "٣ مليون ونص") or before it ("2 w nos milyon", "٢ ونص مليون"), as grounding
# reads it.
_AMOUNT = re.compile(
    rf"(?<![\w.,])(?P<number>\d+(?:[.,]\d+)*)\s*(?:(?P<half_before>{HALF})\s*(?=(?:{_UNITS})(?![a-z])))?"
    rf"(?P<unit>{_UNITS})?(?![a-z\u0621-\u064a²\d])(?P<half>\s*(?:{HALF})(?![a-z]))?"
)
_WORD_AMOUNTS = {
    "مليونين": 2e6, "نص مليون": 5e5, "ربع مليون": 2.5e5, "a million": 1e6, "one million": 1e6, "مليون": 1e6,
    **dict.fromkeys(money_words.TWO_MILLIONS, 2e6), **dict.fromkeys(money_words.A_MILLION, 1e6),
    **{f"{half} {million}": 5e5 for half in money_words.HALVES for million in money_words.A_MILLION},
}  # fmt: skip
_WORD_AMOUNT = re.compile(
    r"(?<![\w])[وبل]?(" + "|".join(map(re.escape, sorted(_WORD_AMOUNTS, key=len, reverse=True))) + r")(?![\w])"
)
_CURRENCY = r"(?:egp|le|l\.e\.?|pounds?|جنيه|ج\.?م)?"
_PER_MONTH = re.compile(
    rf"\s*{_CURRENCY}\s*(?:a month|per month|/ ?month|/ ?mo\b|monthly|a mo\b|every month|each month|في الشهر|"
    r"فى الشهر|بالشهر|شهري|كل شهر|fel shahr|fi el shahr|fe el shahr|fel sha7r|bel shahr|shahreyan|shahriyan|"
    r"shahry|shahri|kol shahr)"
)
_PER_YEAR = re.compile(
    rf"\s*{_CURRENCY}\s*(?:a year|per year|/ ?year|/ ?yr|yearly|annually|per annum|every year|each year|في السنه|"
    r"فى السنه|بالسنه|سنوي|كل سنه|في العام|fel sana|fi el sana|bel sana|sanaweyan|sanawiyan|kol sana)"
)
_AFTER_LOAN = re.compile(
    r"(?:loan|borrow|قرض|اقترض|سلفه)\s*(?:of|for|amount of|worth|بقيمه|قيمته|ب|بمبلغ)?\s*(?:egp|le|جنيه)?\s*$"
)
_INTEREST = r"(?:interest|rate|apr|فايده|فائده|فوايد|فوائد|fayda|fayde|fay2da|fa2da|fa2eda|fawayed|fawa2ed)"
_RATE = re.compile(
    rf"(\d+(?:\.\d+)?)\s*%\s*(?:a year |yearly |annual |سنوي |sanawy |sanawi )?{_INTEREST}"
    # "interest rate of 18%", "what if the interest rate was 18%?", "لو الفايدة نزلت 18%": a word or two between
    rf"|{_INTEREST}\s*(?:rate)?\s*(?:[^\d\s%]+\s+){{0,2}}(\d+(?:\.\d+)?)\s*%(?!\s*(?:down|deposit|مقدم|mo2adam))"
    r"|\bat\s*(\d+(?:\.\d+)?)\s*%(?!\s*(?:down|deposit))"
)
# Another income added to the one a mortgage was computed on ("and if my wife adds 25k?", "ومرتب مراتي 20 الف؟").
_ADDED_INCOME = _family("add", "adds", "plus", "on top", "wife", "husband", "spouse", "partner", "joint", "combined",
                        "together", "مراتي", "زوجتي", "جوزي", "زوجي", "كمان", "زياده", "فوقهم", "مع بعض", "merati",
                        "mrati", "marati", "gozy", "gozi", "kaman", "zeyada", "ziada")  # fmt: skip
_INCOME_AFTER = re.compile(
    r"\s*(?:egp |جنيه )?(?:a month |monthly |في الشهر |fel shahr )?"
    r"(?:salary|income|net|مرتب|دخل|راتب|mortab|da5l|dakhl)"
)
_YEARS = re.compile(r"(\d{1,2})\s*(?:years?|yrs?|سنين|سنه|سنوات|عام|اعوام|snin|sneen|senin|seneen|sana|sanawat)\b")
_DOWN_WORDS = r"(?:down ?payment|deposit|مقدم|دفعه اولي|mo2adam|mo2dam|mokadam|moqadam|m2adam)"
_DOWN = re.compile(
    rf"(\d{{1,2}}(?:\.\d+)?)\s*%\s*(?:down|{_DOWN_WORDS})"
    rf"|{_DOWN_WORDS}\s*(?:of|=|:|is)?\s*(\d{{1,2}}(?:\.\d+)?)\s*%"
)
# "does it have a garden?", "is it furnished?", "فيها جراج؟", "هي متشطبة؟", "fiha asanseer?": a question about the
# listing the conversation is on, not a search ("في شقة فيها جنينة؟", "is there one with a garden?" are searches).
IT_QUESTION = re.compile(
    r"^(?:(?:does|is|has) (?:it|this|that)|(?:هل )?(?:فيها|هي|هيا|دي)|(?:fiha|feha|fyha|heya|hya|hia|dy|di))(?![\w])"
    # ... or of its compound, asked ("is there a clubhouse in the compound?", "الكمبوند فيه جيم؟")
    r"|(?:\b(?:in|of|at|inside|does) the compound\b|(?:^|\s)(?:في|جوه) الكمبوند|^الكمبوند فيه)(?=.*[?؟])"
)
# What such a question may ask a listing has.
_ASKED = ("features", "finishing", "floors", "min_floor", "max_floor", "is_cash_only", "in_compound")
# Filters that make a message a search of its own rather than a question about a listing already shown.
_SEARCH_FILTERS = ("locations", "compounds", "in_compound", "developers", "bedrooms", "min_bedrooms", "max_bedrooms",
                   "min_bathrooms", "min_price", "max_price", "min_price_per_sqm", "max_price_per_sqm", "min_size_sqm",
                   "max_size_sqm")  # fmt: skip
# What makes a short yes a new request of its own ("ok, villas then"), not a yes to what the last reply offered.
_YES_BUT_NEW = (*_SEARCH_FILTERS, "property_types", "features", "finishing")
# The orders by the price of a square metre: listings asked for in that order, not the market's figures.
_PER_SQM_ORDERS = frozenset(order for order, (column, _) in ORDER_KEYS.items() if column == "price_per_sqm")
# A budget, whole or per m²: "سعر المتر 55 ألف" with an amount is what the buyer will pay, not a question about prices.
_BUDGET_FILTERS = ("min_price", "max_price", "min_price_per_sqm", "max_price_per_sqm")


@dataclass
class Reading:
    """What the rules brain understood of one message."""

    language: str
    tool: str | None
    arguments: dict[str, Any] = field(default_factory=dict)
    smalltalk: str | None = None  # greeting, thanks, discovery, contact_noted, ...
    parsed: dict[str, Any] | None = None  # the search service's reading (the lead workflow reads it too)
    note: str | None = None  # why the reply says what it says: "which_time" (the times offered again, none picked)
    # What a question about one listing asks it has, in the parser's filters, each a list: {"features": ["garden"]},
    # {"finishing": ["furnished"]}, {"floors": [0]}, {"min_floor": [5]}, {"is_cash_only": [False]} ("does the third
    # one have a garden?", "هي مفروشة؟", "is it on a high floor?", "التانية عليها تقسيط؟").
    asked: dict[str, list[Any]] = field(default_factory=dict)
    # Where in the list shown the listings a question asked of several stand ("does the first and the third have a
    # garden?": 1, 3), so the answer names each as the buyer did.
    places: tuple[int, ...] = ()
    asking: int | None = None  # the price a seller said they have in mind, which their home's valuation is set against
    before: int | None = None  # the estimate of the valuation this one makes again with a change ("لو متشطبة؟")
    stretched: int | None = None  # the budget nothing was within, the search made again a little above it
    brief: bool = False  # a question of the listing whose details the last reply gave: the answer alone, not them again


@dataclass(frozen=True)
class LastSearch:
    """The conversation's last search: its arguments, and what it showed (with the listings shown before it by the
    same search, for "show me more" again)."""

    arguments: dict[str, Any]
    shown: tuple[str, ...]
    prices: tuple[int, ...]
    sizes: tuple[float, ...]


@dataclass(frozen=True)
class Amount:
    """A sum of money the text states, where it stands in the folded text."""

    start: int
    end: int
    value: float


# A phone number or an email in a message is how to reach the buyer (the lead workflow reads them from here too),
# never an amount or a search word: "I'm Ahmed, 010 1234 5678" names no budget of a billion. An Egyptian mobile number
# starts with its 0 or the country code (+20, 0020, "+20 (0)"), its digits grouped by spaces, dashes or brackets
# ("(010) 1234-5678"); ten bare digits ("villa under 1012345678") are an amount.
PHONE = re.compile(r"(?<![\w+])(?:(?:\+|00)\s?20[\s-]?(?:\(0\)|0)?[\s-]?|\(?0)1[0125]\)?(?:[\s-]?\d){8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def phone_number(text: str) -> str | None:
    """The first mobile number the text gives, written +20 and its ten digits."""
    match = PHONE.search(normalise_digits(text))
    return "+20" + re.sub(r"\D", "", match.group(0))[-10:] if match else None


def without_contact(text: str) -> tuple[str, bool]:
    """The message with its phone numbers and emails taken out, and whether it had any."""
    digits = normalise_digits(text)  # the same length: spans hold
    spans = sorted(match.span() for pattern in (PHONE, EMAIL) for match in pattern.finditer(digits))
    for start, end in reversed(spans):
        text = text[:start] + " " + text[end:]
    return (" ".join(text.split()), True) if spans else (text, False)


def language_of(text: str, requested: str) -> str:
    if requested in ("en", "ar"):
        return requested
    return "ar" if ARABIC.search(text) else "en"


def amounts_in(folded: str) -> list[Amount]:
    """Sums of money in order: a number with a unit ("4M", "25k", "3 مليون", "2 w nos milyon", "مليونين") or a bare
    number from 10,000."""
    found: list[Amount] = []
    for match in _AMOUNT.finditer(folded):
        value = to_number(match.group("number"))
        if value is None:
            continue
        unit = match.group("unit")
        if unit:
            half = match.group("half") or match.group("half_before")
            value = (value + (0.5 if half else 0.0)) * _MULTIPLIERS[unit]
        if value >= (1_000 if unit else 10_000):
            found.append(Amount(match.start(), match.end(), value))
    for match in _WORD_AMOUNT.finditer(folded):
        if not any(a.start <= match.start(1) < a.end for a in found):
            found.append(Amount(match.start(1), match.end(), _WORD_AMOUNTS[match.group(1)]))
    return sorted(found, key=lambda amount: amount.start)


# "Which one is the biggest?", "انهي فيهم ارخص؟": one of the listings shown asked for by a superlative ...
# ("what is the cheapest?" asks which one; "what is the monthly for the cheaper one?" asks a sum of one named)
_WHICH_ONE = re.compile(
    r"\bwhich\b|\bwhat(?:'s| is|s) the (?:cheap|pric|dear|bigg|larg|small|most|least|less|more|one\b)|"
    r"انهي|أنهي|\banh[yi]\b|مين فيهم|\bmeen fehom\b"
)
# ... not two of them ("which two are the biggest?", "the cheapest two")
_TWO_OF = re.compile(r"\b(?:two|2|both)\b|اتنين|الاتنين|\betnen\b")
_ALL_OF_THEM = re.compile(r"\b(?:them all|all of them|kollohom|kolohom)\b|كلهم")
# A listing named by how it ranks among the last ones listed ("the cheaper one" of two compared, "الأكبر", "el ar5as"),
# in the order that ranks them: a pointer like "the second" when the message asks something of it ("how much rent for
# the cheaper one?", "book the bigger one"), not alone ("the cheapest?" is the search in price order).
_RANKED = tuple(
    (order, re.compile(rf"(?:\bthe (?:{english})\b(?! ones)|(?<![\w])(?:[وبفك]?ال|لل|اللي )(?:{arabic})(?![\w])|"
                       rf"(?<![\w])(?:{arabic}) واحده|\b(?:el|elly|elli) (?:{franco})\b)"))
    for order, english, arabic, franco in (
        ("price_asc", "cheaper|cheapest|less expensive|least expensive", "ارخص", "ar5as|arkhas"),
        ("price_desc", "more expensive|most expensive|pricier|priciest|dearer", "اغلي|اغلى", "aghla|a8la|a3'la"),
        ("size_desc", "bigger|biggest|larger|largest", "اكبر|اوسع", "akbar|awsa3"),
        ("size_asc", "smaller|smallest", "اصغر", "asghar|as3'ar"),
    )
)  # fmt: skip
# How long a listing's instalments run ("how many years?", "التقسيط على كام سنة؟", "3ala kam sana?").
_PLAN_TERM = re.compile(r"\bhow many years\b|\bhow long (?:is|are) the (?:plan|instal?ments|payment plan)\b|"
                        r"(?<![\w])كام سن(?:ه|ين)(?![\w])|\bkam (?:sana|sneen|sinin)\b")  # fmt: skip
# A question of what the buyer may do ("can I pay in instalments?", "ينفع اقسط؟"), asked of the listing one is on.
_CAN_I = re.compile(r"^(?:can i|could i|can we|is it possible to|ينفع|اقدر|أقدر|نقدر|momken a|yenfa3|a2dar)")
# ... the same words anywhere in the question ("the second, can I pay it over 2 years?", "التانية ينفع اقسطها؟")
_CAN_I_ANYWHERE = re.compile(r"\b(?:can i|could i|can we|is it possible to|momken|yenfa3|a2dar)\b|"
                             r"(?<![\w])(?:ينفع|اقدر|أقدر|نقدر)(?![\w])")  # fmt: skip
# A supposition about the seller's home ("لو متشطبة؟", "what if it were fully finished?", "law metshatba?").
_SUPPOSING = re.compile(r"(?:^|\s)لو\s|\bwhat if\b|\bif it (?:was|were|is)\b|^(?:w |wa |tab |tb )?law\b")
# Rent and its yield asked of areas ("best area for rental income?"), not investing at large ("where to invest?").
_RENTAL = re.compile(f"{RENT.pattern}|{_family('yield', 'عائد').pattern}")
# Two named together: "both", "the two", "الاتنين" (the first two shown, unless the words after pick them).
_BOTH = r"\b(?:both|the two|el etnen|el etneen)\b|الاتنين"
# Several named together, none by its place: "all of them", "both", "الاتنين".
_BOTH_OR_ALL = re.compile(f"{_ALL_OF_THEM.pattern}|{_BOTH}")


_FIRST_TWO = re.compile(r"\b(?:first|top)\s+(?:two|2)\b|(?:الاتنين الاولين|الاتنين الاولانيين|اول اتنين|اول 2)")


def _ordinals(folded: str) -> list[int]:
    if _FIRST_TWO.search(folded):
        return [1, 2]
    if re.search(r"\b(?:first|top)\s+(?:three|3)\b|(?:اول تلاته|اول تلات|اول 3|التلاته الاولانيين)", folded):
        return [1, 2, 3]
    # "the three", "all three", "التلاتة", "el talata" (not "يوم التلات", "yom el talata": Tuesday)
    if re.search(r"\b(?:the|all|all the)\s+(?:three|3)\b|(?<!يوم )(?<!يوم )\bالتلاته\b|(?<!yom )\bel talata\b", folded):
        return [1, 2, 3]
    found = [(m.start(), ORDINALS[m.group(1)]) for m in _ORDINAL.finditer(folded)]
    numbers = [(m.start(), int(m.group(1))) for m in re.finditer(r"(?:#|\bno\.?|\bnumber|رقم)\s*([1-9])\b", folded)]
    pair = _PAIR.search(folded)
    if pair:
        numbers += [(pair.start(1), int(pair.group(1))), (pair.start(2), int(pair.group(2)))]
    if not found and not numbers and _ALL_OF_THEM.search(folded):
        return [1, 2, 3, 4]  # every card shown, as many as a comparison takes
    # "the two cheapest", "the two with the biggest garden": two picked by the words after, not the first two shown.
    picked = (
        r"(?!\s+(?:el )?(?:cheapest|biggest|largest|smallest|dearest|priciest|most|least|with|ar5as|akbar|as8ar|a8la"
        r"|(?:ال)?(?:ارخص|اكبر|اصغر|اغلى)|اللي))"
    )
    if not found and not numbers and re.search(f"(?:{_BOTH}){picked}", folded):
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


def read_message(
    text: str, parsed: dict[str, Any], shown: Sequence[dict[str, Any]], requested: str,
    offer: ViewingOffer | None = None, today: date | None = None, last_query: str | None = None,
    focus: str | None = None, valued: int | None = None, previous: LastSearch | None = None,
    calculation: tuple[str, dict[str, Any]] | None = None, contact: bool = False,
    offered: tuple[str, dict[str, Any]] | None = None, within: int | None = None, alert: str | None = None,
    reserving: str | None = None, listed: int | None = None,
) -> Reading:  # fmt: skip
    """Which tool a message calls for, with the arguments it states. `parsed` is the search parser's reading
    ({"filters", "text", "understood"}); `shown` the listings of the conversation, last shown first; `offer` the
    viewing times the previous turn offered (a message may pick one of them); `last_query` the conversation's last
    search (what "tell me when one appears" saves); `focus` the listing the last turns were about (last_focus), which
    "it" names before the first listing shown; `valued` the estimate of the valuation the previous turn made
    (last_valuation), the price "what would it rent for?" asks about; `previous` the last search (last_search_call),
    which "show me more", "any cheaper ones?" and "the cheapest?" continue; `calculation` the mortgage, yield or
    market figures the previous turn computed (last_calculation), which "and over 20 years?" or "and in Zayed?"
    computes again with that change; `contact` whether the buyer's phone or email was taken out of the text
    (without_contact): a message that asks nothing else is thanked for it; `offered` the tool call the last reply
    offered to make (offered_next), which a yes makes; `within` the price the last mortgage computed puts within reach
    (loan_budget), which "show me what I can afford" searches under; `alert` the search the previous turn asked to be
    told of (last_alert), which "by SMS please" asks again on that channel; `reserving` the listing the last tool call
    reserved or quoted (last_reserving), whose deposit a bare "what is the deposit?" then asks; `listed` how many
    listings the last list had (the first of `shown`), among which "the cheaper one" is."""
    language = language_of(text, requested)
    filters: dict[str, Any] = parsed.get("filters", {})
    folded = fold(text)
    ids = explicit_ids(text)
    if len(text) >= CONTRACT_LENGTH and len(set(_CONTRACT_WORDS.findall(folded))) >= 3:
        return Reading(language, "audit_contract", {"text": text[:20_000]})  # a contract pasted: reviewed
    own_viewing = MY_VIEWINGS.search(folded) or VIEWING.search(folded)
    if CANCEL.search(folded) and own_viewing:
        return Reading(language, "my_viewings", {"action": "cancel"})  # "cancel my viewing": the buyer's, not a new one
    if CANCEL.search(folded) and (RESERVE.search(folded) or _RESERVATION.search(folded)):
        return Reading(language, None, smalltalk="cancel_reservation")  # never a reservation made of "cancel my ..."
    if RESCHEDULE.search(folded) and own_viewing:
        return Reading(language, "my_viewings", {"action": "list"}, note="reschedule")
    if MY_VIEWINGS.search(folded) and not ids:
        return Reading(language, "my_viewings", {"action": "list"})
    stopping = bool(CANCEL.search(folded) or STOP.search(folded))
    if stopping and (MY_ALERTS.search(folded) or _ALERT_WORD.search(folded)):
        return Reading(language, "my_alerts", {"action": "stop"})  # "stop my alert", "الغي التنبيه"
    if stopping and alert is not None and len(folded.split()) <= 4:
        return Reading(language, "my_alerts", {"action": "stop"})  # "cancel it" right after the search was saved
    if MY_ALERTS.search(folded) and not ids:
        return Reading(language, "my_alerts", {"action": "list"})
    if offer is not None and (reading := _viewing_pick(text, language, filters, ids, offer, today)) is not None:
        return reading
    # A yes that names another step than the one offered is that step: "عايز احجزها" / "3ayez a7gezha" to "Shall we
    # book a viewing, or reserve it?" reserves, it does not book the viewing.
    other_step = (
        (RESERVE.search(folded) and not VIEWING.search(folded) and offered[0] != "reserve_property")
        or (VIEWING.search(folded) and offered[0] != "schedule_viewing")
        if offered is not None
        else False
    )
    if (
        offered is not None
        and not ids
        and not other_step
        and (_is_yes(folded) or ("relax" in offered[1] and SHOW_THOSE.search(folded)))
        and not any(filters.get(k) for k in _YES_BUT_NEW)
    ):
        note = "relaxed" if "relax" in offered[1] else None  # the reply says what was given up
        return Reading(language, offered[0], dict(offered[1]), note=note)
    named_place = _names_a_search(filters)
    if WHO_ARE_YOU.search(folded) and not named_place:
        return Reading(language, None, smalltalk="who_am_i")
    named_only = not (filters or ids or contact or amounts_in(folded) or _ordinals(folded)) and len(folded.split()) <= 6
    if named_only and (name := _name_given(text)):
        return Reading(
            language, None, {"name": name}, smalltalk="named"
        )  # "اسمي محمد": greeted by it; the lead keeps it
    if CALL_WHEN.search(folded) and not named_place:
        return Reading(language, None, smalltalk="call_when")  # "when will they call me?": what happens, honestly
    if HUMAN.search(folded) and not named_place:
        # a consultant to call: the number asked for, unless the message gave one ("call me on 0101...")
        return Reading(language, None, smalltalk="human_number" if contact else "human")
    about_us = not any(filters.get(key) for key in ("locations", "compounds", "developers")) and set(
        filters.get("property_types") or []
    ) <= {"Office"}  # "your office" reads as an office to buy, with no place
    if ABOUT_US.search(folded) and about_us and not ids:
        return Reading(language, None, smalltalk="about_us")
    guide = next((name for name, pattern in GUIDES if pattern.search(folded)), None)
    placed = any(filters.get(key) for key in ("locations", "compounds", "developers"))
    with_budget = any(filters.get(key) is not None for key in _BUDGET_FILTERS)
    if guide == "guide_off_plan" and (with_budget or not _WEIGHED.search(folded) or _NOT_THAT.search(folded)):
        guide = None  # "a ready apartment, not off plan", "ready or off-plan under 5M": listings
    if guide and not (ids or _ordinals(folded) or placed or _SHOW_LISTINGS.search(folded)):
        # "what's the difference between off-plan and ready?": what to weigh, not a search for the words
        return Reading(language, None, smalltalk=guide)
    picks = _ordinals(folded)
    # "which of these is in a compound?", "انهي فيهم متشطبة؟": asked of each of the last listed, each answered
    which_of_them = bool(
        not picks and _WHICH_ONE.search(folded) and OF_THEM.search(folded) and len(shown[: listed or _CARDS]) >= 2
        and any(filters.get(key) not in (None, []) for key in _ASKED)
        and not named_place
    )  # fmt: skip
    if which_of_them:
        picks = list(range(1, min(len(shown[: listed or _CARDS]), 4) + 1))
    referenced = [shown[n - 1]["id"] for n in picks if 0 < n <= len(shown)]
    by_rank = None if picks or ids else _ranked_ref(text, folded, filters, shown[: listed or _CARDS])
    if by_rank is not None:
        referenced = [by_rank]  # "how much rent for the cheaper one?" after two compared: that one of the two
    deictic = not picks and bool(shown or focus) and THIS.search(folded) is not None
    if deictic:
        referenced = [focus or shown[0]["id"]]
    locations: list[str] = filters.get("locations") or []
    regions: list[str] = parsed.get("regions") or []
    # One place: what a valuation compares within, and a search's or the market figures' location. A region ("Giza",
    # its places in `locations`) is the figures' location; several places are left to the search, which reads them
    # from the words (an explicit location would replace them).
    location = locations[0] if len(locations) == 1 else None
    area = location or (regions[0] if len(regions) == 1 else None)
    ptype = (filters.get("property_types") or [None])[0]
    owned_type = ptype or _property_type(folded)
    bedrooms = filters.get("bedrooms") or filters.get("min_bedrooms")
    size = _size(filters)
    amounts = amounts_in(folded)
    searching = any(filters.get(key) is not None for key in _SEARCH_FILTERS)
    budget = any(filters.get(key) is not None for key in _BUDGET_FILTERS)
    # A budget that is only a ceiling ("for 4 million", "under 4M"): what the market figures can be taken under.
    ceiling = (
        filters.get("max_price")
        if [k for k in _BUDGET_FILTERS if filters.get(k) is not None] == ["max_price"]
        else None
    )
    searching_place = bool(locations or filters.get("compounds") or filters.get("developers"))
    floored = any(filters.get(key) is not None for key in ("floors", "min_floor", "max_floor"))
    if picks and not (shown or focus or ids or searching or ptype or floored):
        # "does the second one have a garage?" when no listing was shown (the search found none): none to look at,
        # rather than a search for the question's words ("el dor el tany" is a floor, a search of its own)
        return Reading(language, None, smalltalk="nothing_shown")
    beyond = [n for n in picks if n > len(shown)] if not _ALL_OF_THEM.search(folded) else []
    if beyond and shown and not (ids or searching or ptype or floored):
        # "the second" when one listing was shown: said so, rather than taking the one there is (or another) for it
        return Reading(language, None, smalltalk="beyond_shown", arguments={"shown": len(shown), "asked": max(beyond)})

    def listing_ref() -> str | None:
        return (
            (ids or referenced or [None])[0] if (ids or referenced) else (focus or (shown[0]["id"] if shown else None))
        )

    def asked_of(asked_about: dict[str, list[Any]]) -> Reading:
        """A question asked of the listing named, or of each of several ("does the first and the second have a
        garden?", "is the first or the third furnished?"): one tool call reads them all, and each is answered."""
        each = {shown[n - 1]["id"]: n for n in picks if 0 < n <= len(shown)}  # the listing named: where it stands
        collective = which_of_them or (
            _BOTH_OR_ALL.search(folded) and not (_ORDINAL.search(folded) or _FIRST_TWO.search(folded))
        )
        if len(each) >= 2 and not ids and collective:
            # "do all of them have a garden?", "are both furnished?": the cards shown (each listing once), named by
            # title alone (after a comparison, where one stands in `shown` is not where the buyer saw it)
            together = _first_four(shown) if _ALL_OF_THEM.search(folded) else list(each)
            return Reading(language, "compare_units", {"property_ids": together}, asked=asked_about)
        if len(each) >= 2 and not ids:
            named_places = list(each.items())[:4]
            return Reading(language, "compare_units", {"property_ids": [listing for listing, _ in named_places]},
                           asked=asked_about, places=tuple(place for _, place in named_places))  # fmt: skip
        return Reading(language, "get_property", {"property_id": listing_ref()}, asked=asked_about)

    def mortgage() -> Reading | None:
        listing = listing_ref() if ids or referenced or not searching_place else None
        arguments = _mortgage_arguments(folded, amounts, filters, listing)
        if searching_place and not {"property_price", "loan_amount", "monthly_income", "property_id"} & set(arguments):
            return None  # "apartments in New Cairo with bank financing" is a search: nothing to compute
        note = _unplanned(
            shown, arguments.get("property_id"), arguments.get("years"), arguments.get("down_payment_pct")
        )
        return Reading(language, "calculate_mortgage", arguments, note=note)

    by_channel = BY_SMS.search(folded) or BY_EMAIL.search(folded)
    # ("what's your whatsapp number?" asks for a number, not to be alerted)
    whatsapp = "no_whatsapp" if BY_WHATSAPP.search(folded) and not (by_channel or _NUMBER_WORD.search(folded)) else None
    if alert and (by_channel or whatsapp) and len(folded.split()) <= 5 and not filters:
        # "by sms please" after "tell me when one appears": the same search, told of by that channel
        return Reading(
            language,
            "save_search",
            {"query": alert, "channel": "sms" if BY_SMS.search(folded) else "email"},
            note=whatsapp,
        )
    if ALERT.search(folded) or ALERT.search(" ".join(_CHANNEL_SAID.sub(" ", folded).split())):  # "tell me by sms when"
        own = any(filters.get(key) is not None for key in _SEARCH_FILTERS) or filters.get("property_types")
        like_before = last_query and (LIKE_THESE.search(folded) or not own)
        query = last_query if like_before else _alert_query(text) if own else None
        if not query:
            return Reading(language, None, smalltalk="alert_what")
        channel = "sms" if BY_SMS.search(folded) else "email"
        alerting = {"query": " ".join(query.split())[:300], "channel": channel}
        return Reading(language, "save_search", alerting, note=whatsapp)
    # A change to the mortgage, yield or market figures just computed comes before any listing the words might name.
    under_budget = calculation is not None and "max_price" in calculation[1] and ceiling
    if (
        calculation is not None
        and calculation[0] == "check_market_trends"
        and not (ids or picks or (budget and not under_budget) or SHOW_ME.search(folded))
    ):
        # "and for 6 million?" after the places a budget buys in: the same figures under the new one
        asked_again = (
            ("location", area),
            ("property_type", owned_type),
            ("max_price", ceiling if under_budget else None),
            ("bedrooms", filters.get("bedrooms")),  # "and 2 bedrooms?" after a 3-bedroom's figures
        )
        changed = {key: value for key, value in asked_again if value}
        exact = not bedrooms or filters.get("bedrooms") is not None
        if changed and exact and (REFINE.search(folded) or len(folded.split()) <= 6):
            note = "which_area" if WHICH_AREA.search(folded) else "over_time" if OVER_TIME.search(folded) else None
            return Reading(language, "check_market_trends", {**calculation[1], **changed}, note=note)
    elif calculation is not None and not (ids or picks or searching_place or (ptype and not REFINE.search(folded))):
        # "and with 20% down on a 5M apartment?" changes the mortgage; "and villas?" changes nothing in it
        recomputed = _recomputed(folded, amounts, filters, language, calculation)
        if recomputed is not None:
            return recomputed
    best = next((key for key, pattern in BEST_OF if pattern.search(folded)), None)
    if (COMPARE.search(folded) or best) and not (shown or ids or searching or filters):
        # "compare them", "which has the lowest monthly?" before any listing was shown: nothing to set side by side
        return Reading(language, None, smalltalk="nothing_to_compare")
    if best and len(shown) >= 2 and not (ids or searching or filters.get("property_types")):  # "انهي واحدة" is no 1st
        # "which has the lowest down payment?": the first listings shown side by side, the one asked about named
        return Reading(language, "compare_units", {"property_ids": _first_four(shown)}, note=best)
    order = parsed.get("order")
    if (
        order in ORDER_KEYS and _WHICH_ONE.search(folded) and not _TWO_OF.search(folded) and len(shown) >= 2
        and not (ids or referenced or searching or filters.get("property_types"))
        # "which one has the biggest garden?" is no home's size: listings state a garden, not its size
        and not (filters.get("features") and ORDER_KEYS[order][0] == "size_sqm")
    ):  # fmt: skip
        # "which one is the biggest?", "انهي فيهم ارخص؟": the one of the cards shown, answered by name (with its size
        # or its price), not the two biggest compared nor a new search
        key, descending = ORDER_KEYS[order]
        measured = [s for s in shown[: listed or _CARDS] if isinstance(s.get(key), int | float)]
        if len(measured) >= 2:
            top = sorted(measured, key=lambda s: s[key], reverse=descending)[0]
            what = {"size": [True]} if key == "size_sqm" else {"price": [True]}
            place = next(n for n, s in enumerate(shown, start=1) if s is top)  # the reply names it by its place
            return Reading(language, "get_property", {"property_id": top["id"]}, asked=what,
                           note=f"of_these:{order}", places=(place,))  # fmt: skip
    # "which one is ready?", "which is furnished?": those of the search that are (below), not the first two compared
    which_are = any(value not in (None, []) for value in filters.values()) and not (ids or referenced)
    if (
        COMPARE.search(folded) and ROI.search(folded) and len(shown) > 1
        and not (ids or OF_THEM.search(folded) or _rent(folded, amounts))
    ):  # fmt: skip
        # "انهي احسن للاستثمار؟", "which is the better investment?": their yields turn on rents no listing states
        # ("which of them is the best investment?" sets every listing shown side by side, below)
        return Reading(language, None, smalltalk="yield_which")
    if (
        COMPARE.search(folded)
        and not which_are
        and (len(ids) >= 2 or len(referenced) >= 2 or (len(shown) >= 2 and not ids))
    ):
        chosen = ids if len(ids) >= 2 else referenced if len(referenced) >= 2 else [s["id"] for s in shown[:2]]
        if not (ids or referenced) and OF_THEM.search(folded):
            chosen = _first_four(shown)
        if len(referenced) == 1 and not ids:
            # "compare it with the third": the listing the conversation is on (else the first shown) and that one
            other = focus if focus and focus != referenced[0] else next(
                (s["id"] for s in shown if s["id"] != referenced[0]), None
            )  # fmt: skip
            chosen = [other, referenced[0]] if other else chosen
        if len(ids) < 2 and not referenced and order in ORDER_KEYS:
            # "compare the cheapest two", "the biggest two": of the listings just shown, by price or by size
            key, descending = ORDER_KEYS[order]
            measured = [s for s in shown[:_CARDS] if isinstance(s.get(key), int | float)]
            ranked = sorted(measured, key=lambda s: s[key], reverse=descending)
            chosen = [s["id"] for s in ranked[:2]] if len(ranked) >= 2 else chosen
        # Named by their places ("compare the first and the third", "ايه الفرق بين الأولى والتانية؟"): said so
        named_at = tuple(n for n in picks if 0 < n <= len(shown))[:4] if chosen == referenced and not ids else ()
        return Reading(language, "compare_units", {"property_ids": chosen[:4]}, places=named_at)
    named = bool(ids or referenced or shown or focus)  # a listing the message may be about
    deposit = DEPOSIT_ASKED.search(folded) or (
        reserving
        and _DEPOSIT_AGAIN.search(folded)
        and not _OTHER_DEPOSIT.search(folded)
        and not RESERVE.search(folded)  # "I'll pay the deposit" reserves
    )
    if deposit and not VIEWING.search(folded) and (named or reserving) and not searching:
        # "العربون كام؟", "what is the deposit?", "how long is the hold?": what reserving takes, nothing reserved
        listing = listing_ref() if ids or referenced or not reserving else reserving
        return Reading(language, "reserve_property", {"property_id": listing, "quote": True})
    # "reserve it", "book a viewing" after a list of several, none named nor looked at since: which one, not the
    # first of them (a reservation is recorded on the registry; the wrong one costs the buyer a deposit)
    unnamed = not (ids or referenced or focus) and len(shown[: listed or _CARDS]) > 1
    if RESERVE.search(folded) and not VIEWING.search(folded) and named:
        if unnamed:
            return Reading(language, None, smalltalk="which_reserve")
        return Reading(language, "reserve_property", {"property_id": listing_ref()})
    if VIEWING.search(folded) and named and unnamed:
        return Reading(language, None, smalltalk="which_view")
    if VIEWING.search(folded) and named:
        when = asked_when(folded, today or cairo_today(), 0)
        return Reading(language, "schedule_viewing", {"property_id": listing_ref(), **when})
    if AVAILABILITY.search(folded) and (ids or referenced or ((shown or focus) and not searching)):
        return Reading(language, "check_availability", {"property_id": listing_ref()})
    # "who is the developer of the second?", "is the price negotiable?", "any pictures?", "how far is it from the
    # airport?": answered from the listing (or said that it does not say) rather than read as a search.
    pointed = bool(ids or referenced or deictic or IT_QUESTION.search(folded))
    # A price asked of a monthly, a down payment, a loan, a rent or the buyer's own home (or, right after a valuation,
    # of none named) is not the price of a listing shown.
    priced_otherwise = bool(
        MONTHLY.search(folded) or DOWN_ASKED.search(folded) or LOAN.search(folded) or TRUE_COST.search(folded)
        or OWNER.search(folded) or RENT.search(folded) or RENT_IT.search(folded) or (valued and not (ids or referenced))
    )  # fmt: skip
    per_sqm_of_it = bool(_PER_SQM_OF_IT.search(folded) or (_PER_SQM.search(folded) and (ids or referenced)))
    # "هتتسلم امتى؟", "when is delivery?" while the conversation is on one listing: of it ("ready to move" alone is
    # still a search)
    delivery_of_it = bool(focus) and (_WHEN.search(folded) or _PLAN_TERM.search(folded) or "?" in text or "؟" in text)
    questions = [kind for kind, family in LISTING_QUESTIONS.items()
                 if (family.search(folded) or (kind == "price" and per_sqm_of_it))
                 and (pointed or kind not in _POINTED_QUESTIONS
                      or (kind == "price" and bool(focus or _PRICE_OF_IT.search(folded) or per_sqm_of_it))
                      or (kind == "delivery" and delivery_of_it))
                 and not (kind == "price" and priced_otherwise)]  # fmt: skip
    if (
        not questions and shown and not (priced_otherwise or ptype or searching_place or budget)
        and LISTING_QUESTIONS["price"].search(folded) and len(folded.split()) <= 3 and not TRENDS.search(folded)
    ):  # fmt: skip
        # "بكام؟" after a list, none of it named: their prices are in their lines; which one to go through
        return Reading(language, None, smalltalk="which_price")
    if (
        not questions and shown and not focus and (_WHEN.search(folded) or _PLAN_TERM.search(folded))
        and LISTING_QUESTIONS["delivery"].search(folded) and not (searching or ptype)
    ):  # fmt: skip
        # "when is delivery?" after a list, none of it named: each one's is in its line; which one to go through
        return Reading(language, None, smalltalk="which_delivery")
    asked_it = bool(ids or referenced or IT_QUESTION.search(folded) or (focus and ("?" in text or "؟" in text)))
    if FAIR_PRICE.search(folded) and asked_it and named and not (ptype or searching_place or budget or amounts):
        # "is the first one a good price?", "سعرها كويس؟": its price per m² beside its market's, not its card alone
        beside: dict[str, Any] = {"property_id": listing_ref(), "with_market": True}
        return Reading(language, "get_property", beside, asked={"fair_price": [True]})
    if questions and named and not (ptype or searching_place or budget):
        asked_about: dict[str, list[Any]] = {kind: [True] for kind in questions}
        if "delivery" in questions and (_WHEN.search(folded) or _PLAN_TERM.search(folded)):
            asked_about["delivery"] = ["when"]  # "when is it delivered?" is answered with the year, not a yes or no
        if "distance" in questions and filters.get("features"):
            asked_about["features"] = list(filters["features"])
        if "size" in questions and filters.get("features"):
            # "how big is the roof?", "الجنينة مساحتها كام؟": the roof's size, which no listing states (said), not the
            # home's; whether it has one, and the home's own size after
            asked_about["features"], asked_about["feature_size"] = list(filters["features"]), [True]
        return asked_of(asked_about)
    if (LOAN.search(folded) or (INCOME.search(folded) and AFFORD.search(folded))) and (reading := mortgage()):
        return reading
    rent = _rent(folded, amounts)
    if (
        ROI.search(folded)
        and WHICH_BEST.search(folded)
        and len(shown) > 1
        and not (rent or ids or referenced or searching_place or budget)
    ):
        return Reading(language, None, smalltalk="yield_which")  # their yields turn on rents no listing states
    # "what would it rent for?", "لو أجرتها؟" with no rent said: the yield of the home just valued, or of the listing
    # the conversation is on (at the usual rent, which the reply states as assumed).
    # ... or of the price the last yield or mortgage was computed on ("لو اجرتها هتجيب كام؟" after the yield of 5M).
    priced = (
        calculation is not None and calculation[0] != "check_market_trends" and calculation[1].get("property_price")
    )
    # ... or of the one listing the last search showed ("how much would it rent for in the summer?")
    only_one = len(shown[: listed or _CARDS]) == 1
    renting_it = (
        bool(RENT.search(folded) or RENT_IT.search(folded))
        and not searching
        and bool(valued or ids or referenced or focus or priced or (only_one and RENT_IT.search(folded)))
    )
    if RENT_IT.search(folded) and not (renting_it or rent or searching or budget) and len(shown) > 1:
        # "how much rent would it bring?" after a list, none named: listings for sale state no rent; which one
        return Reading(language, None, smalltalk="which_rent")
    # "I have 5 million to invest": a budget, no rent and no listing, is a search within it (the yield needs a rent).
    investing = (
        ROI.search(folded)
        and budget
        and (HAVE_BUDGET.search(folded) or searching_place)
        and not (rent or ids or referenced or deictic or renting_it)
    )
    if (
        (ROI.search(folded) or (RENT.search(folded) and rent) or renting_it)
        and not investing
        and (rent or ids or referenced or not searching_place)
    ):
        # "invest 5 million in the North Coast" with no rent and no listing is a search with a budget
        own = valued if valued and not (ids or referenced) else None  # the home just valued, not a listing shown
        note = "own_home" if own else None
        if own is None and calculation is not None and not (ids or referenced):
            # "ايه العائد لو أجرتها ب 15 الف في الشهر؟" after a yield or a mortgage: on the price just computed
            computed = calculation[1].get("property_price")
            own = int(computed) if calculation[0] != "check_market_trends" and computed else None
        arguments = _roi_arguments(folded, amounts, filters, None if own else listing_ref(), own)
        computed_on = calculation[1].get("property_id") if calculation is not None and note is None else None
        if arguments is not None and own and computed_on and "property_id" not in arguments:
            arguments["property_id"] = computed_on  # the listing the last sum was of stays the one spoken of
        if arguments is not None:
            if note is None and "months_let" not in arguments and _SEASON.search(folded):
                note = "season"  # "how much would it rent for in the summer?": no summer rent to compute on, said
            return Reading(language, "calculate_investment_roi", arguments, note=note)
    # "what's the monthly on the second?" of a listing sold on instalments: its own plan, not a bank loan on its price.
    # "القسط كام؟" of the listing the conversation is on too; "over 10 years" asks for a term its plan may not have.
    about_plan = referenced or ([focus] if focus and not (ids or searching) else [])
    planned = [s for s in shown if s["id"] in about_plan and s.get("installment_years")]
    if TRUE_COST.search(folded) and len(referenced) <= 1 and not amounts:
        # "احسبلي التكلفة الحقيقية للأولى": that one's plan costed in today's money (two named are a comparison)
        if costed := [s for s in shown if s["id"] in about_plan]:
            return Reading(language, "get_property", {"property_id": costed[0]["id"]}, asked={"true_cost": [True]})
    asked_down = DOWN_ASKED.search(folded) and not (MONTHLY.search(folded) or LOAN.search(folded) or amounts)
    if asked_down and not _YEARS.search(folded) and (down_of := [s for s in shown if s["id"] in about_plan]):
        # "what's the down payment on the first?": its plan, with the down payment in pounds (or "cash only")
        return Reading(language, "get_property", {"property_id": down_of[0]["id"]}, asked={"plan": [True]})
    if (
        _PLAN_TERM.search(folded) and not (amounts or LISTING_QUESTIONS["delivery"].search(folded))
        and (term_of := [s for s in shown if s["id"] in about_plan])
    ):  # fmt: skip
        # "the first one, how many years?", "التقسيط على كام سنة؟": its plan's term (or that it is cash only)
        return Reading(language, "get_property", {"property_id": term_of[0]["id"]}, asked={"plan": [True]})
    if (
        shown and not (focus or ids or referenced or amounts or searching_place or ptype or budget or bedrooms)
        and (asked_down or MONTHLY.search(folded) or _PLAN_TERM.search(folded))
        and not (LOAN.search(folded) or MORTGAGE.search(folded) or TRUE_COST.search(folded) or _YEARS.search(folded))
    ):  # fmt: skip
        # "المقدم كام؟", "el 2est kam?" after a list, none named: each one's plan is in its line; which one
        return Reading(language, None, smalltalk="which_plan")
    # ... unless the buyer names a down payment its plan does not ask for ("القسط كام لو دفعت مقدم 20%؟" of a plan of
    # 50% down): then a bank's loan on its price with that down payment, which the reply says (mortgage(), _unplanned)
    down_said = _DOWN.search(folded)
    other_down = down_said and planned and float(down_said.group(1) or down_said.group(2)) != planned[0].get(
        "down_payment_pct"
    )  # fmt: skip
    if (
        MONTHLY.search(folded)
        and planned
        and not (LOAN.search(folded) or MORTGAGE.search(folded) or amounts or _YEARS.search(folded) or other_down)
    ):
        return Reading(language, "get_property", {"property_id": planned[0]["id"]}, asked={"plan": [True]})
    # "what would the instalment be over 10 years?" of the listing the conversation is on (not a new search)
    instalment = MONTHLY.search(folded) and (amounts or referenced or ids or (focus and not searching))
    instalment = instalment and not locations
    if (MORTGAGE.search(folded) or (instalment and not filters.get("max_monthly_installment"))) and (
        reading := mortgage()
    ):
        return reading
    # "ولو على 10 سنين؟", "and over 10 years?" right after one listing's plan or details: its monthly over that term
    # (a bank mortgage where its plan is shorter, which the reply says), not a search for plans of that length.
    years_only = {key for key, value in filters.items() if value not in (None, [])} == {"min_installment_years"}
    # "can I pay it in instalments over 7 years?" of the listing one is on, or of the one named ("the second, can I pay
    # it over 2 years?"): the same, its own plan where it runs as long
    asked_term = _CAN_I_ANYWHERE.search(folded) is not None and ("?" in text or "؟" in text)
    termed = referenced[0] if len(referenced) == 1 and not ids and asked_term else None if ids or picks else focus
    if (
        years_only and termed and (calculation is None or asked_term) and not re.search(_ANY_WITH, folded)
        and ((REFINE.search(folded) and len(folded.split()) <= 6) or asked_term)
        and 0 < filters["min_installment_years"] <= 30
    ):  # fmt: skip
        arguments = {"property_id": termed, "years": int(filters["min_installment_years"])}
        if (
            calculation is not None
            and calculation[0] == "calculate_mortgage"
            and (calculation[1].get("property_id") == termed)
        ):
            arguments = {**calculation[1], **arguments}  # the loan just worked out on it, over the term asked
        note = _unplanned(shown, termed, arguments["years"], arguments.get("down_payment_pct"))
        if note is None and any(s.get("id") == termed and s.get("installment_years") for s in shown):
            return Reading(language, "get_property", {"property_id": termed}, asked={"plan": [True]})
        return Reading(language, "calculate_mortgage", arguments, note=note)
    terms = filters.get("max_down_payment_pct") is not None or filters.get("min_installment_years") is not None
    if MONTHLY.search(folded) and terms and previous is not None and not (searching or ptype or referenced or ids):
        # "what's the monthly if I pay 20% down over 8 years?" after a search: the monthly on the budget searched
        # under (else on the first listing shown; on the one listing a search showed, that one), not a search for
        # plans of those terms
        budgeted = previous.arguments.get("max_price") if listed != 1 else None
        arguments = _mortgage_arguments(folded, amounts, filters, None if budgeted else listing_ref())
        if budgeted and "property_price" not in arguments:
            arguments["property_price"] = int(budgeted)
        years = filters.get("min_installment_years")
        if years and "years" not in arguments and 0 < years <= 30:
            arguments["years"] = int(years)
        note = _unplanned(
            shown, arguments.get("property_id"), arguments.get("years"), arguments.get("down_payment_pct")
        )
        return Reading(language, "calculate_mortgage", arguments, note=note)
    valuing = bool(
        VALUATION.search(folded)
        or (OWNER.search(folded) and PRICE_QUESTION.search(folded))
        # "how much?", "بكام؟" right after a valuation, naming nothing else: of the home just valued
        or (valued and PRICE_QUESTION.search(folded) and len(folded.split()) <= 4 and not filters)
    )
    if TIME_TO_SELL.search(folded) and not (referenced or ids or budget):
        # "how long would it take to sell?": said what decides it, with the estimate when one was just made
        return Reading(language, None, smalltalk="time_to_sell", arguments={"estimate": valued} if valued else {})
    if valuing and valued and not (budget or referenced or ids or location or owned_type or size):
        # "how much is it worth?" right after the valuation: its estimate again, not a request for the details
        return Reading(language, None, smalltalk="valued_again", arguments={"estimate": valued})
    if valuing and not budget and not referenced:
        if location and owned_type and size:
            arguments = {"location": location, "property_type": owned_type, "size_sqm": size}
            if bedrooms is not None:
                arguments["bedrooms"] = bedrooms
            if finished := _finishing_of(filters):
                arguments["finishing"] = finished
            return Reading(language, "run_valuation", arguments)
        # "I want to sell my property": nothing known yet, but a seller's, not a search for "property"
        if OWNER.search(folded) and (locations or owned_type or size or not filters):
            return _valuation_details(language, location, owned_type, size)
    named_places = [str(place) for place in parsed.get("places") or []] if not regions else []
    # "which area is best for rental income?": the same figures, and that listings for sale state no rents to rank by
    which_area = "which_area_rent" if _RENTAL.search(folded) else "which_area"
    if (
        2 <= len(named_places) <= MAX_PLACES_COMPARED
        and (BETTER.search(folded) or WHICH_AREA.search(folded) or COMPARE.search(folded))
        and not (bedrooms or size or picks or ids or filters.get("compounds") or filters.get("developers"))
    ):
        # "التجمع ولا زايد احسن؟", "new cairo or zayed, which is better for an apartment under 8M?": those places side
        # by side (of that type, within that budget), not a search that reads "better" as words to look for
        # Of the type and within the budget of the search just made, when the message names neither ("sha2a fel
        # tagamo3 ta7t 6 milyon", then "el tagamo3 wala zayed a7san?").
        last = previous.arguments if previous is not None else {}
        kept = last.get("max_price") if not last.get("min_price") else None
        compared: dict[str, Any] = {"places": named_places, "property_type": owned_type or last.get("property_type"),
                                    "max_price": ceiling or kept}  # fmt: skip
        return Reading(language, "check_market_trends", {k: v for k, v in compared.items() if v}, note=which_area)
    others = {key for key, value in filters.items() if value not in (None, [])} - {"locations", "property_types"}
    if area and GOOD_INVESTMENT.search(folded) and not (others or picks or ids or referenced or amounts):
        # "is the North Coast a good investment?", "is a villa in Zayed worth it?": its figures (of that type), and
        # that the rent against the price decides it
        worth = {"location": area, **({"property_type": owned_type} if owned_type else {})}
        return Reading(language, "check_market_trends", worth, note="invest_place")
    places_only_of_a_region = bool(regions) and not (filters.get("compounds") or filters.get("developers"))
    if WHICH_AREA.search(folded) and not (
        bedrooms
        or (budget and not ceiling)
        or referenced
        or ids
        or location
        or (searching_place and not places_only_of_a_region)
    ):
        # "ايه احسن منطقة اشتري فيها شقة بـ 4 مليون؟": the places side by side, of the listings within the budget;
        # "what areas can I afford?" after a search under a budget (or a mortgage's price within reach): within that
        afforded = None
        if not ceiling and AFFORD.search(folded):
            afforded = (previous.arguments.get("max_price") if previous is not None else None) or within
        wanted = (
            ("location", regions[0] if len(regions) == 1 else None),
            (
                "property_type",
                owned_type or (previous.arguments.get("property_type") if afforded and previous else None),
            ),
            ("max_price", ceiling or afforded),
        )
        return Reading(language, "check_market_trends", {k: v for k, v in wanted if v}, note=which_area)
    rooms = filters.get("bedrooms")
    if (TRENDS.search(folded) or TYPICAL.search(folded)) and not (
        (bedrooms and rooms is None)
        or budget
        or referenced
        or ids
        or parsed.get("order") in _PER_SQM_ORDERS
        or (GOOD_PRICES.search(folded) and not TYPICAL.search(folded))
    ):
        # "بكام المتر هناك؟", "price per meter there?", "how much a meter?": the place and type of the last search
        # ("the cheapest per sqm" asks for listings in that order, not the market's figures); "how much is a
        # 3-bedroom usually?": those listings' figures ("3 bedrooms or more" is no count the figures are taken of)
        last = previous.arguments if previous is not None and not (area or owned_type) else {}
        there = {key: last[key] for key in ("location", "property_type") if last.get(key)}
        # the bedrooms asked now, else the last search's ("price per meter there?" after 2-bedroom flats: of those)
        there |= (
            {"bedrooms": rooms} if rooms is not None else {"bedrooms": last["bedrooms"]} if last.get("bedrooms") else {}
        )
        if "location" not in there and not (area or owned_type) and THERE.search(folded):
            # A search named no place but everything it showed is in one ("4 rooms with a garden": all in Madinaty)
            places = {str(listing.get("location")) for listing in shown[:_CARDS] if listing.get("location")}
            there |= {"location": places.pop()} if len(places) == 1 else {}
        over_time = "over_time" if OVER_TIME.search(folded) else None
        whole = WHOLE_MARKET.search(folded) is not None
        # "how much is a 3-bedroom usually?" after a search in Maadi: Maadi's
        near = THERE.search(folded) or (not whole and (len(folded.split()) <= 4 or (rooms is not None and not area)))
        if there.keys() - {"bedrooms"} and near:
            return Reading(language, "check_market_trends", there, note=over_time)
        if area or owned_type or whole or (rooms is not None and TYPICAL.search(folded)):
            pairs = (("location", area), ("property_type", owned_type), ("bedrooms", rooms))
            arguments = {key: value for key, value in pairs if value}
            return Reading(language, "check_market_trends", arguments, note=over_time)
    if (
        previous is not None
        and not (ids or picks or by_rank)
        and (reading := _continued(folded, parsed, language, previous))
    ):
        return reading
    # "can I pay in instalments?", "ينفع اقسط؟" while the conversation is on one listing: asked of it, not a search
    can_i = bool(focus) and _CAN_I.search(folded) is not None and ("?" in text or "؟" in text)
    # "feha ta2seet?" ("has it instalments?") when the search showed nothing: no "it" to ask, the search refined
    of_it = IT_QUESTION.search(folded) is not None and bool(shown or focus)
    if (
        previous is not None and not (filters or regions or ids or picks) and _TO_BUY.search(folded)
        and len(folded.split()) <= 6 and _tenant(fold(str(previous.arguments.get("query", ""))))
    ):  # fmt: skip
        # "طب عايز اشتري", "ok, to buy then" after asking to rent (told listings are for sale): the same search, now
        # a purchase, and no second word on renting
        again = {key: value for key, value in previous.arguments.items() if key != "exclude_ids"}
        return Reading(language, "search_properties", again, note="to_buy")
    if previous is not None and not (ids or picks or by_rank) and not (of_it or can_i):
        refined = _refined(text, folded, filters, regions, language, previous)
        if refined is not None:
            if (
                filters.get("features")
                and parsed.get("order") in ("size_desc", "size_asc")
                and _WHICH_ONE.search(folded)
            ):
                refined.note = "feature_size"  # "which one has the biggest garden?": those with one, no size stated
            elif any(str(f).startswith("near_") for f in filters.get("features") or []) and _CLOSEST.search(folded):
                refined.note = "feature_distance"  # "which one is closest to the beach?": those near it, no distance
            return refined
    asked = {key: list(value) if isinstance(value, list) else [value]
             for key in _ASKED if (value := filters.get(key)) is not None and value != []}  # fmt: skip
    about = listing_ref() if ids or referenced or IT_QUESTION.search(folded) or can_i else None
    searching_more = any(filters.get(key) is not None for key in _SEARCH_FILTERS if key not in _ASKED)
    if about and asked and not (searching_more or filters.get("property_types") or LIKE_THESE.search(folded)):
        return asked_of(asked)
    if len(referenced) >= 2 and not (ids or searching or ptype):
        # "the first and the third?", "whats the diffrence between the first and second": two listings named and
        # nothing else asked of them are set side by side, not the first looked at alone.
        named_at = tuple(n for n in picks if 0 < n <= len(shown))[:4]  # the reply names each as the buyer did
        return Reading(language, "compare_units", {"property_ids": referenced[:4]}, places=named_at)
    if ids or (referenced and (DETAILS.search(folded) or not (searching or deictic))):
        return Reading(language, "get_property", {"property_id": (ids or referenced)[0]})
    if filters or SEARCH.search(folded):
        if not filters and not (locations or ptype) and len(folded.split()) <= 3 and GREETING.search(folded):
            return Reading(language, None, smalltalk="greeting")
        note = "invest" if investing else None
        arguments = _search_arguments(text, filters, location)
        rent_sum = any(filters.get(bound, _RENT_CEILING) < _RENT_CEILING for bound in ("min_price", "max_price"))
        if (filters.get("max_monthly_installment") or rent_sum) and _tenant(folded):
            # "a flat in Maadi for 20k a month" to rent, or "for 20k" with no month said: that is rent, not what an
            # instalment plan may cost nor a price (the reply says the listings are for sale); the listings of the
            # rest are searched
            query = _MONTHLY_SUM.sub(" ", arguments["query"])
            query = _RENT_SUM.sub(lambda m: " " if _rent_sized(m) else m.group(), query)
            arguments["query"] = " ".join(query.split()) or arguments["query"]
            for bound in ("min_price", "max_price"):
                if arguments.get(bound, _RENT_CEILING) < _RENT_CEILING:
                    del arguments[bound]
        if within and (AFFORD.search(folded) or WITHIN_THAT.search(folded)) and not budget:
            arguments["max_price"] = within  # "show me apartments I can afford": within the mortgage just computed
        if calculation is not None and calculation[0] == "check_market_trends":
            arguments |= _of_the_figures(calculation[1], filters, arguments, bool(location or regions))
        if _after_a_home(folded, filters) and not (investing or ROI.search(folded) or "property_type" in arguments):
            arguments["homes_only"] = True  # "I have 2 million cash": homes, not the offices and clinics under it
        return Reading(language, "search_properties", arguments, note=note)
    if VALUATION.search(folded):
        return _valuation_details(language, location, owned_type, size)
    if contact:
        return Reading(language, None, smalltalk="contact_noted")
    if CURRENCY.search(folded):
        return Reading(language, None, smalltalk="currency")  # "can I pay in dollars?"
    if THANKS.search(folded):
        return Reading(language, None, smalltalk="thanks")
    if GREETING.search(folded):
        return Reading(language, None, smalltalk="greeting")
    return Reading(language, None, smalltalk="discovery")


def _valuation_details(language: str, location: str | None, owned_type: str | None, size: float | None) -> Reading:
    """The details a valuation still needs, asked for: the place, the type, the size, whichever the message left out."""
    missing = [name for name, known in (("location", location), ("property_type", owned_type), ("size_sqm", size))
               if not known]  # fmt: skip
    return Reading(language, None, {"missing": missing}, smalltalk="valuation_details")


# What a message may name in answer to the valuation's details: the seller's place, type, size and rooms.
# Its finishing is not among them: said alone it answers the seller's question about the home's condition, and it is
# kept in the messages the valuation is read from once the rest comes.
_VALUATION_PARTS = ("locations", "property_types", "bedrooms", "min_bedrooms", "min_size_sqm", "max_size_sqm")


def _finishing_of(filters: dict[str, Any]) -> str | None:
    """The one finishing a seller's words give their home ("متشطبة", "core and shell"), else None (none, or several)."""
    finishing = filters.get("finishing") or []
    return str(finishing[0]) if len(finishing) == 1 else None


# How every request for a valuation's details begins, in either language (replies.SMALLTALK and _valuation_details
# write them so): how a later message is known to answer it.
VALUATION_ASKED = ("To value ", "عشان أقيم")
# The most messages a seller's valuation details are gathered from after they were asked for: the four seller's
# questions (what prompts the sale, when, its condition, the price in mind) and the consent to be called may come
# before the size does.
_VALUATION_TURNS = 8


def valuation_pending(past: Sequence[dict[str, Any]]) -> list[str]:
    """The seller's messages since a reply asked for a valuation's details, starting with the one it answered ("I want
    to sell my apartment in New Cairo"), when no valuation was made since; asked again since ("a villa in Sheikh
    Zayed" after "I want to sell my property"), from the first ask. At most _VALUATION_TURNS messages since the ask
    count: asked longer ago, none."""
    said: list[str] = []  # the user's messages, last first
    asked_after = None  # how many of them came after the earliest ask seen
    for item in reversed(past):
        content = item.get("content")
        if item.get("role") == "tool" and (call := _tool_call(item)) and call[0] == "run_valuation":
            break
        if item.get("role") == "user" and isinstance(content, str):
            if len(said) == _VALUATION_TURNS + 1:
                break
            said.append(content)
        elif (
            item.get("role") == "assistant" and isinstance(content, str) and any(m in content for m in VALUATION_ASKED)
        ):
            asked_after = len(said)
    if asked_after is None or asked_after == len(said):  # no ask, or no message before it within reach
        return []
    return list(reversed(said[: asked_after + 1]))


def valuation_continued(text: str, parsed: dict[str, Any], reading: Reading, combined: Reading) -> bool:
    """Whether a message answers the details a valuation asked for a few turns ago: `combined` is the reading of the
    messages since the ask with this one. Taken when together they make the valuation ("I want to sell my apartment
    in New Cairo", then "150 m²" whatever Amr asked in between), or when this one names some details still missing
    and asks for nothing else ("in New Cairo" is then the seller's place, not a search). A message with a tool of its
    own other than a search, or asking to be shown listings, keeps its own reading."""
    if reading.tool not in (None, "search_properties") or (reading.tool and SHOW_ME.search(fold(text))):
        return False
    if combined.tool == "run_valuation":
        return True
    filters = {key: value for key, value in (parsed.get("filters") or {}).items() if value not in (None, [], "")}
    if combined.smalltalk == "valuation_details" and (
        reading.smalltalk == "valuation_details" or (not filters and PRICE_QUESTION.search(fold(text)))
    ):
        return True  # "ba3 b kam?", "how much?" before the details are all in: what is still missing, asked again
    return (
        combined.smalltalk == "valuation_details" and bool(filters) and all(key in _VALUATION_PARTS for key in filters)
    )


def seller_answer(text: str, reading: Reading, question: str, valued: int | None) -> Reading | None:
    """The reading of a seller's answer to the question the last reply asked (motivation, timeline, condition or
    price_expectation): thanks for it, and an asking price set against the estimate just made (`valued`). None when
    the message asks for something else (a tool other than a search, or a search naming a place or a type)."""
    filters = (reading.parsed or {}).get("filters") or {}
    named = _names_a_search(filters)
    folded = fold(text)
    if (
        reading.tool not in (None, "search_properties")
        or named
        or reading.smalltalk in ("contact_noted", "valued_again", "valuation_details", "time_to_sell")
        or (PRICE_QUESTION.search(folded) and not amounts_in(folded) and "?" in text.replace("؟", "?"))
    ):
        return None  # "how much would it sell for?", "بكام؟": a question of the seller's own, not an answer
    answer = Reading(reading.language, None, smalltalk="seller_noted", parsed=reading.parsed)
    if question == "price_expectation" or ASKING.search(folded):  # "I want 6 million for it", whatever was asked
        amounts = [a.value for a in amounts_in(folded) if a.value >= 100_000] or [
            float(v) for v in (filters.get("max_price"),) if v
        ]
        if amounts:
            answer.smalltalk = "seller_price"
            answer.arguments = {"asking": int(max(amounts)), **({"estimate": valued} if valued else {})}
    return answer


def _continued(folded: str, parsed: dict[str, Any], language: str, previous: LastSearch) -> Reading | None:
    """The last search again, continued: more of it, cheaper or bigger than what it showed, or in the order asked
    ("the cheapest?"); None when the message asks for none of these or states a search of its own."""
    if parsed.get("filters") or parsed.get("regions"):
        return None
    arguments = {key: value for key, value in previous.arguments.items() if key != "exclude_ids"}
    order = parsed.get("order")
    if (CHEAPER.search(folded) or LESS_THAN_THESE.search(folded)) and previous.prices:
        arguments["max_price"] = min(previous.prices) - 1
        if (arguments.get("min_price") or 0) > arguments["max_price"]:
            arguments.pop("min_price")
        return Reading(language, "search_properties", arguments, note="cheaper")
    if BIGGER.search(folded) and previous.sizes:
        arguments["min_size_sqm"] = float(max(previous.sizes) + 1)
        if (arguments.get("max_size_sqm") or 0) and arguments["max_size_sqm"] < arguments["min_size_sqm"]:
            arguments.pop("max_size_sqm")
        return Reading(language, "search_properties", arguments, note="bigger")
    if MORE.search(folded):
        arguments["exclude_ids"] = list(previous.shown[-_MOST_EXCLUDED:])
        return Reading(language, "search_properties", arguments, note="more")
    if order in ORDER_KEYS and len(folded.split()) <= 6:  # "the cheapest?", "the biggest?"
        return Reading(language, "search_properties", arguments | {"order": order})
    return None


# Nearest to a landmark ("which one is closest to the beach?", "انهي اقرب للبحر؟", "anhy a2rab lel ba7r?"): listings
# state being near it, never how far.
_CLOSEST = re.compile(r"\b(?:closest|nearest|closer|nearer|a2rab|aqrab)\b|(?<![\w])(?:اقرب|أقرب)(?![\w])")
# "any with a pool?", "anything with a garden?": those of the last search that have it (never of one listing)
_ANY_WITH = r"\b(?:anything|any|ones?) with\b"
# "what about in Sheikh Zayed?", "و في المعادي؟", "only ready to move", "same but villas": the last search with what
# the message changes, everything else it asked kept.
REFINE = re.compile(
    r"^(?:and |but |so |ok |okay )?(?:what about|how about|what if|and|only|just|same|but|instead|then)\b"
    r"|\binstead\b|\bonly\b|\b(?:same|the same) (?:but|in|with)\b"
    r"|^(?:طب |طيب )?(?:بس|ولو|لو|نفس)(?![\w])|^(?:طب|طيب|و|وفي|وفى)(?![\w])|(?<![\w])بس[\s?؟]*$"
    r"|^(?:w|tab|tayeb|taib) |^(?:fel|fi|f) |(?<![\w])bas[\s?]*$|^(?:w |tab |tayeb )?(?:law|lw|walaw|wlaw) "
    # "none of these, anything with a pool?", "مش عاجبني ولا واحدة، فيه حاجة فيها جنينة؟": the same search with it
    rf"|^(?:no,? |nah,? )?none of (?:these|them|those)\b|{_ANY_WITH}"
    r"|(?<![\w])(?:ولا واحده|مش عاجبني|مش عاجباني)(?![\w])|(?<![\w])(?:فيه|في) (?:حاجه|اي حاجه) فيها(?![\w])"
    # Asking which of the listings shown has something: those of the same search that have it.
    r"|\bwhich (?:one|ones|of them|of these)\b|\b(?:any|do any|does any) of (?:them|these)\b"
    r"|(?<![\w])(?:انهي|اني|مين|اي) (?:واحده|وحده|واحد|فيهم|منهم)|(?<![\w])فيهم(?![\w])"
    r"|\b(?:anhy|anhi|meen|min) (?:wa7da|fehom|fihom)\b|\bfehom\b|\bfihom\b"
)
# "Show me some in New Cairo under 6 million", "do you have any in Zayed?", "وريني حاجات في زايد": "some" and "any"
# are of the homes the buyer was looking at, so the last search changed, whatever the message's length.
_SOME_OF_THOSE = re.compile(
    r"^(?:ok |okay |so |then |now |alright |fine |good )?(?:can you |could you )?(?:show me|find me|get me|give me"
    r"|do you have|have you got|are there|is there|got|any) (?:some|any|ones|a few|others|one|similar ones)\b"
    r"|^(?:طب |طيب |ماشي |تمام )?(?:وريني|ورينى|هاتلي|شوفلي|طلعلي|عندك) (?:شويه|حاجات|كام واحده|حاجه|واحده)(?![\w])"
)
# How the buyer will pay: a message stating only this changes the last search, whatever its length.
_PAYING = frozenset({"min_price", "max_price", "max_monthly_installment", "max_down_payment", "max_down_payment_pct",
                     "min_installment_years"})  # fmt: skip
# What a refinement's own words replace of the last search's arguments, by the filters it states.
_REPLACED = (
    (("locations", "compounds", "developers", "in_compound"), ("location", "compound")),
    (("property_types",), ("property_type",)),
    (("bedrooms", "min_bedrooms", "max_bedrooms"), ("bedrooms",)),
    (("min_price", "max_price"), ("min_price", "max_price")),
    (("min_size_sqm", "max_size_sqm"), ("min_size_sqm", "max_size_sqm")),
    (("max_down_payment",), ("max_down_payment",)),
)


def _refined(
    text: str, folded: str, filters: dict[str, Any], regions: list[str], language: str, previous: LastSearch
) -> Reading | None:
    """The last search with what the message changes ("what about in Sheikh Zayed?"): its arguments with the groups
    the message states replaced, and its words followed by the message's (so the filters only the words carry, a pool
    or "ready to move", stay and add up). None unless the message states some filter and reads as a change: a cue
    ("what about", "و في", "only", "بس"), up to six words naming no property type, or only what the buyer will pay,
    however said ("I don't want to pay more than 50k a month", "مش عايز ادفع اكتر من 50 الف في الشهر": the homes
    the buyer was looking at, within it, not any office that fits the figure)."""
    if not filters and not regions:
        return None
    paying = not regions and set(filters) <= _PAYING
    anaphoric = REFINE.search(folded) or (_SOME_OF_THOSE.search(folded) and not filters.get("property_types"))
    if not anaphoric and not paying and (len(folded.split()) > 6 or filters.get("property_types")):
        return None
    places = filters.get("locations") or []
    # "Maadi or Zayed": the places are read from the message's words alone (the last search's words would add its own
    # place to them, and an explicit location would replace them); what its arguments state stays.
    several = (len(places) > 1 and len(regions) != 1) or len(filters.get("property_types") or []) > 1
    arguments = {key: value for key, value in previous.arguments.items() if key not in ("exclude_ids", "query")}
    for stated, replaced in _REPLACED:
        if any(filters.get(key) not in (None, []) for key in stated) or (stated[0] == "locations" and regions):
            for key in replaced:
                arguments.pop(key, None)
    rooms = filters.get("bedrooms") or filters.get("min_bedrooms") or 0
    if arguments.get("property_type") == "Studio" and rooms >= 1 and not filters.get("property_types"):
        # A studio has no bedroom: "what about 2 bedrooms?" after studios asks for apartments (an explicit type
        # replaces the "studio" the search would read in the words before)
        arguments["property_type"] = "Apartment"
    location = regions[0] if len(regions) == 1 else places[0] if len(places) == 1 else None
    own = _search_arguments(text, filters, location)
    said = [*([] if several else str(previous.arguments.get("query", "")).split(", ")), own.pop("query")]
    while len(said) > 1 and len(", ".join(said)) > 500:  # the earliest changes go first; the latest always stays
        said.pop(0)
    query = ", ".join(part for part in said if part)[:500]
    return Reading(language, "search_properties", {"query": query, **arguments, **own}, note="refined")


# Buying rather than renting, said on its own ("I want to buy then", "طب عايز اشتري", "tab 3ayez ashtery").
_TO_BUY = _family("buy", "buying", "purchase", "for sale", "to own", "اشتري", "أشتري", "نشتري", "شرا", "للبيع", "تمليك",
                  "ashtery", "a4tery", "ashtri", "neshtery", "tamleek")  # fmt: skip


# Words that only soften a figure ("about 40k", "حوالي 20 الف"): no part of what a message changes.
_HEDGES = re.compile(r"\b(?:about|around|roughly|approximately|maybe|say|like|almost|nearly|taqriban|7awaly|hawaly)\b|"
                     r"(?<![\w])(?:حوالي|حوالى|تقريبا|تقريباً|يعني)(?![\w])")  # fmt: skip


def _recomputed(
    folded: str, amounts: list[Amount], filters: dict[str, Any], language: str, calculation: tuple[str, dict[str, Any]]
) -> Reading | None:
    """The previous turn's mortgage or yield again with what the message changes ("and over 20 years?", "ولو بمقدم
    30%؟", "what if the rent is 20k a month?"); None unless the message reads as a change and states one."""
    tool, before = calculation
    # A rent said for a yield ("حوالي 40 الف في الشهر لمدة 3 شهور") takes more words than a change of term or price
    most = 10 if tool == "calculate_investment_roi" and _rent(folded, amounts) is not None else 6
    if not REFINE.search(folded) and len(_HEDGES.sub(" ", folded).split()) > most:  # "about 40k a month"
        return None
    if tool == "calculate_mortgage":
        change = _mortgage_arguments(folded, amounts, filters, None)
        added = [a for a in amounts if a.value < 1_000_000]
        if before.get("monthly_income") and _ADDED_INCOME.search(folded) and len(added) == len(amounts) == 1:
            # "and if my wife adds 25k?": the two incomes together, not a price of 25,000
            change = {k: v for k, v in change.items() if k not in ("property_price", "monthly_income")}
            change["monthly_income"] = int(before["monthly_income"]) + int(added[0].value)
        if "property_price" in change or "loan_amount" in change:
            before = {k: v for k, v in before.items() if k not in ("property_price", "loan_amount", "property_id")}
        # One way of saying the down payment at a time: a sum replaces the percent said before, and the other way round
        if "down_payment" in change or "down_payment_pct" in change or "loan_amount" in change:
            before = {k: v for k, v in before.items() if k not in ("down_payment", "down_payment_pct")}
    elif tool == "calculate_investment_roi" and amounts:
        # A new rent (monthly or yearly, judged against the price) or a new price; the rest as before.
        change = _roi_arguments(folded, amounts, filters, None, before.get("property_price")) or {}
        said_rent = next((key for key in ("monthly_rent", "annual_rent") if before.get(key)), None)
        sums = [a for a in amounts if a.value < price_floor(before.get("property_price")) * 10]
        if said_rent and not {"monthly_rent", "annual_rent"} & set(change) and len(sums) == len(amounts) == 1:
            # "and at 20k?", "طب ولو ب 20 الف؟" after a yield on a rent: a sum no home sells for is the new rent
            change = {said_rent: int(sums[0].value)}
        if "monthly_rent" in change or "annual_rent" in change:
            before = {k: v for k, v in before.items() if k not in ("monthly_rent", "annual_rent", "months_let")}
    elif tool == "calculate_investment_roi" and before.get("monthly_rent") and (months := _months_let(folded)):
        change = {"months_let": months}  # "and if it is let in the summer only?": the same rent, for those months
    else:
        return None
    if not change or all(before.get(key) == value for key, value in change.items()):
        return None
    joint = tool == "calculate_mortgage" and change.get("monthly_income", 0) > (before.get("monthly_income") or 0) > 0
    joint = joint and _ADDED_INCOME.search(folded) is not None
    return Reading(language, tool, {**before, **change}, note="joint_income" if joint else None)


def last_alert(past: Sequence[dict[str, Any]]) -> str | None:
    """The search the conversation's last tool call asked to be told of (save_search, saved or not: the buyer may
    have been asked to sign in), else None."""
    call = _last_call(past)
    return str(call[1].get("query") or "") or None if call is not None and call[0] == "save_search" else None


def last_reserving(past: Sequence[dict[str, Any]]) -> str | None:
    """The listing the conversation's last tool call reserved, or said what reserving takes, else None: "what is the
    deposit?" right after is the reservation's deposit, not a down payment."""
    call = _last_call(past)
    if call is None or call[0] != "reserve_property" or not call[1].get("property_id"):
        return None
    return str(call[1]["property_id"])


def last_calculation(past: Sequence[dict[str, Any]]) -> tuple[str, dict[str, Any]] | None:
    """The mortgage, yield or market figures the conversation's last tool call computed, with its arguments, else
    None ("and in Zayed?" after the figures of New Cairo asks for Zayed's)."""
    computed = ("calculate_mortgage", "calculate_investment_roi", "check_market_trends")
    call = _last_call(past)
    if call is None or call[0] not in computed or call[2].get("ok", True) is False:
        return None
    return call[0], dict(call[1])


# The listings a reply shows as cards: "the cheapest two" are picked among them.
_CARDS = 5
# How many listings "show me more" leaves out at most (nine pages of five).
_MOST_EXCLUDED = 45


# No home sells for less: a price under it in a tenant's message is the rent they have in mind.
_RENT_CEILING = 500_000


def _names_a_search(filters: dict[str, Any]) -> bool:
    """Whether the parser read a place, a compound, a developer or a type: a search of the message's own."""
    return any(filters.get(key) for key in ("locations", "compounds", "developers", "property_types"))


# What a message may ask of one listing: a question of it, its yield, monthly or loan, a viewing, a reservation.
_ASKS_OF_A_LISTING = (*LISTING_QUESTIONS.values(), ROI, RENT, RENT_IT, MONTHLY, LOAN, DOWN_ASKED, TRUE_COST, VIEWING,
                      RESERVE, AVAILABILITY, DEPOSIT_ASKED, _CAN_I)  # fmt: skip


def _ranked_ref(text: str, folded: str, filters: dict[str, Any], pool: Sequence[dict[str, Any]]) -> str | None:
    """The listing "the cheaper one" or "الأكبر" names among `pool` (the last listed) when the message asks something
    of it (a feature asked with a question mark: "does the bigger one have a garden?"); None when it names none, asks
    nothing of one, names a search of its own, or two rank the same."""
    order = next((order for order, pattern in _RANKED if pattern.search(folded)), None)
    if order is None or _names_a_search(filters):
        return None
    featured = any(filters.get(key) not in (None, []) for key in _ASKED) and ("?" in text or "؟" in text)
    if not (featured or any(family.search(folded) for family in _ASKS_OF_A_LISTING)) or _WHICH_ONE.search(folded):
        return None
    key, descending = ORDER_KEYS[order]
    measured = [s for s in pool if isinstance(s.get(key), int | float)]
    if len(measured) < 2:
        return None
    ranked = sorted(measured, key=lambda s: s[key], reverse=descending)
    return None if ranked[0][key] == ranked[1][key] else str(ranked[0]["id"])


def _first_four(shown: Sequence[dict[str, Any]]) -> list[str]:
    """The listings shown, as many as a comparison takes: after a comparison of two, the search's others follow them
    (shown_listings), each once."""
    return list(dict.fromkeys(str(s["id"]) for s in shown))[:4]


def _name_given(text: str) -> str | None:
    """The name the buyer gives ("my name is Sara", "اسمي محمد"), as the lead reads it."""
    from osool_agent.leads import slots  # the lead's reading of it; slots reads this module's, so not above

    return slots.name_given(text)


def _tenant(folded: str) -> bool:
    """Someone asking to rent a home (as replies._sale_only answers them), not a landlord or an investor."""
    from osool_agent.leads import slots  # the lead's words for the intents; slots reads this module's, so not above

    return slots.renting(folded) and not (slots.INVEST.search(folded) or slots.SELL.search(folded))


# A sum a month, or two: "20k a month", "20 الف في الشهر", "15 alf fel shahr", "60,000 to 80,000 EGP monthly" (the
# month's words are _PER_MONTH's, which reads a rent so).
_AMOUNT_WORDS = r"\d[\d.,]*\s*(?:k|alf|الف|ألف|آلاف|thousand)?\s*"
_MONTHLY_SUM = re.compile(
    rf"(?<!\w)(?:(?:شهريا|شهري|monthly)\s*)?(?:ب\s*|for\s+|b\s+|from\s+|من\s*)?(?:{_AMOUNT_WORDS}(?:to|-|ل|لـ|le|و)\s*)?"
    rf"{_AMOUNT_WORDS}(?:{_PER_MONTH.pattern})",
    re.I,
)


# A sum with no month said ("for 20k", "ب 20 الف", "budget 15000"), which in a tenant's message is the rent when it
# is under _RENT_CEILING (_rent_sized): a number under a thousand with no unit ("2 bedrooms") is none.
_RENT_SUM = re.compile(
    r"(?<!\w)(?:(?:for|at|around|about|budget|under|max|up to|ب|بـ|بحوالي|حوالي|لحد|ميزانية|b)\s*)?"
    r"(?P<number>\d[\d.,]*)\s*(?P<unit>k|alf|الف|ألف|آلاف|thousand)?(?:\s*(?:egp|le|جنيه|pounds?))?(?!\w)",
    re.I,
)


def _rent_sized(match: re.Match[str]) -> bool:
    value = to_number(normalise_digits(match.group("number")))
    if value is None:
        return False
    value *= 1_000 if match.group("unit") else 1
    return (match.group("unit") is not None or value >= 1_000) and value < _RENT_CEILING


# A commercial unit asked for by its kind ("an office", "محل", "3eyada", "commercial"), which a search for a home
# would leave out.
_COMMERCIAL = _family("office", "clinic", "shop", "store", "retail", "commercial", "administrative", "medical",
                      "pharmacy", "مكتب", "مكاتب", "عياده", "عيادة", "محل", "محلات", "تجاري", "اداري", "إداري", "طبي",
                      "صيدليه", "maktab", "3eyada", "ma7al", "ma7alat", "togary", "edary")  # fmt: skip


def _after_a_home(folded: str, filters: dict[str, Any]) -> bool:
    """A search that names no type and no commercial unit: one for a home (offices, shops and clinics left out)."""
    return not (filters.get("property_types") or filters.get("exclude_property_types") or _COMMERCIAL.search(folded))


def _of_the_figures(
    figures: dict[str, Any], filters: dict[str, Any], arguments: dict[str, Any], placed: bool
) -> dict[str, Any]:
    """What a search right after the market figures keeps of them ("show me apartments there" after Maadi's figures
    under 5M: apartments in Maadi under 5M): their place, type, bedrooms and budget, each where the message says none
    of its own."""
    kept: dict[str, Any] = {}
    if figures.get("location") and not (placed or filters.get("compounds")):
        kept["location"] = figures["location"]
    if figures.get("property_type") and not filters.get("property_types"):
        kept["property_type"] = figures["property_type"]
    if figures.get("bedrooms") and not any(filters.get(k) is not None for k in ("bedrooms", "min_bedrooms")):
        kept["bedrooms"] = figures["bedrooms"]
    if figures.get("max_price") and not any(k in arguments for k in ("min_price", "max_price")):
        kept["max_price"] = figures["max_price"]
    return kept


def _search_arguments(text: str, filters: dict[str, Any], location: str | None) -> dict[str, Any]:
    """The search_properties call for what the message states. A type goes as an argument only when it is the one named:
    an explicit type replaces what the search reads in the words, so "villa or townhouse" leaves both to the words (as
    "studio or 1 bedroom" leaves its bound on the bedrooms, which no argument carries)."""
    arguments: dict[str, Any] = {"query": text.strip()[:500]}
    types = filters.get("property_types") or []
    ptype = types[0] if len(types) == 1 else None
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
    folded: str, amounts: list[Amount], filters: dict[str, Any], listing: str | None, valued: int | None = None
) -> dict[str, Any] | None:
    rent = _rent(folded, amounts)
    price = _price(amounts, [rent, _income(folded, amounts)], filters) or valued
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
        if monthly and (months := _months_let(folded)) is not None:
            arguments["months_let"] = months
    return arguments


# A rent for part of the year: "for 3 months", "٤ شهور في السنة", "summer only", "في الصيف بس" (a North Coast chalet
# is let for the season: three months, July to September, unless the months are said).
_MONTHS_LET = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:months?|شهور|اشهر|شهر|shohor|shhor|sho7or|shoor)\b")
_SEASON = _family("summer", "season", "الصيف", "صيف", "الموسم", "موسم", "el seif", "el sef", "el sayf", "seif",
                  "sayf", "el mosem", "mosem", "mawsem")  # fmt: skip
_SEASON_MONTHS = 3


def _months_let(folded: str) -> int | None:
    said = _MONTHS_LET.search(folded)
    if said is not None and 1 <= int(said.group(1)) <= 11:
        return int(said.group(1))
    return _SEASON_MONTHS if _SEASON.search(folded) else None


def _unplanned(
    shown: Sequence[dict[str, Any]], property_id: Any, years: Any = None, down: float | None = None
) -> str | None:
    """Why a bank mortgage is the only monthly a listing has: "cash_only" (its seller takes no instalments), "no_plan"
    (its listing states none), "plan_shorter" (its plan is shorter than the `years` asked for) or "plan_down" (its plan
    asks another down payment than the `down` percentage said), so the reply says so before the loan; None for a
    listing whose plan covers what was asked, or none asked about."""
    listing = next((s for s in shown if property_id and s.get("id") == property_id), None)
    if listing is None:
        return None
    if listing.get("installment_years"):
        if years and float(years) > float(listing["installment_years"]):
            return "plan_shorter"
        planned_down = listing.get("down_payment_pct")
        return "plan_down" if down is not None and planned_down is not None and down != float(planned_down) else None
    return "cash_only" if listing.get("is_cash_only") else "no_plan"


def _mortgage_arguments(
    folded: str, amounts: list[Amount], filters: dict[str, Any], listing: str | None
) -> dict[str, Any]:
    arguments: dict[str, Any] = {}
    income = _income(folded, amounts)
    loan = next((a for a in amounts if _AFTER_LOAN.search(folded[: a.start]) and a is not income), None)
    # "مقدم مليون", "1 million down": a down payment in pounds (the search reads it so), never the price
    stated_down = filters.get("max_down_payment")
    down_sum = next((a for a in amounts if stated_down and a.value == stated_down and a not in (income, loan)), None)
    price = _price(amounts, [income, loan, down_sum, _rent(folded, amounts) if RENT.search(folded) else None], filters)
    if price:
        arguments["property_price"] = price
    if loan:
        arguments["loan_amount"] = int(loan.value)
    elif down_sum is not None and not _DOWN.search(folded):
        arguments["down_payment"] = int(down_sum.value)
    if income:
        arguments["monthly_income"] = int(income.value)
    if not (arguments.keys() - {"down_payment"}) and listing:
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


# ---- a viewing time picked from the ones the previous turn offered ----


@dataclass(frozen=True)
class OfferedTime:
    """A slot schedule_viewing offered: its instant exactly as the tool gave it, and its Cairo wall-clock time."""

    starts_at: str
    local: datetime  # naive, Africa/Cairo


@dataclass(frozen=True)
class ViewingOffer:
    """The free viewing times of one listing the previous turn offered, in the order the reply listed them."""

    property_id: str
    times: tuple[OfferedTime, ...]
    picked: str | None = None  # the time picked when the buyer was asked to sign in first
    asked: tuple[tuple[str, str], ...] = ()  # the day, time or part of day the offer was for, kept when offered again


def _last_call(
    past: Sequence[dict[str, Any]], name: str | None = None
) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """The conversation's last tool call (of `name` when given) with its arguments and result (`past`: chat-history's
    messages), if any."""
    for item in reversed(past):
        if item.get("role") == "tool" and (call := _tool_call(item)) and name in (None, call[0]):
            return call
    return None


# The questions a reply ends with that a yes answers by one tool call, by what they offer, in English and Arabic.
# replies.py asks them from here (offer_question) and offered_next reads a yes against them, so the two cannot drift.
OFFER_QUESTIONS: dict[str, tuple[str, str]] = {
    "budget": ("Shall I look for listings within that budget?", "تحب أدورلك على وحدات في الحدود دي؟"),
    "there": ("Shall I show you listings there?", "تحب أوريك وحدات في المنطقة دي؟"),
    "in_those": ("Shall I show you listings in them?", "تحب أوريك وحدات في المناطق دي؟"),  # places set side by side
    "viewing": ("Shall we book a viewing?", "تحب نحجز معاد معاينة؟"),
    "reserve": ("Shall I reserve it for you?", "تحب أحجزهالك؟"),  # after what reserving takes was said
    # After a comparison that named the one asked for ("which has the lowest monthly?"): that one's availability
    "winner_available": ("Shall I check it is still available?", "تحب أتأكد إنها لسه متاحة؟"),
    "free_times": ("Shall I show you the free times?", "أوريك المواعيد الفاضية؟"),
    # "A viewing, or reserve it?": a bare yes takes the first, the step that commits to nothing
    "viewing_or_reserve": ("Shall we book a viewing, or reserve it (reserving registers it)?",
                           "تحب نحجز معاد معاينة، ولا تحجزها (والحجز بيسجلها)؟"),
    # After listings: a bare yes compares the first two, which also costs each one's plan in today's money
    "registry_or_compare": ("Shall I check one of them on the registry, or compare two side by side?",
                            "تحب أتأكد من حالة واحدة منهم على السجل، ولا أقارنلك بين اتنين؟"),
    "true_cost_or_compare": ("Would you like the true cost of a payment plan, or a comparison of two of them?",
                             "تحب أحسبلك التكلفة الحقيقية لخطة السداد، ولا أقارن بين اتنين منهم؟"),
    # Nothing matched, and what giving up a group of filters would find was said (replies._relaxed_line): a yes, or
    # "show me those", takes the first of them
    "relaxed": ("and I will search again.", "وأنا أدورلك تاني."),
    # After a question answered of each of several listings: a yes sets them side by side in full
    "side_by_side": ("Shall I set them side by side, with what each plan really costs?",
                     "تحب أقارنهم ببعض، بالتكلفة الحقيقية لكل خطة؟"),
    # Asks which: a bare yes makes nothing, and is asked which one (service.Context.which_asked)
    "which_one": ("Which one interests you? I can check its availability or work out the mortgage.",
                  "أنهي واحدة عجبتك؟ أقدر أتأكد إنها متاحة أو أحسبلك التمويل."),
}  # fmt: skip
_OFFER_KIND = {"in_those": "there", "free_times": "viewing", "viewing_or_reserve": "viewing",
               "registry_or_compare": "compare", "true_cost_or_compare": "compare", "which_one": "which"}  # fmt: skip
# "show me those", "وريني دول": the listings a relaxation just said there are (a yes takes them too).
SHOW_THOSE = _family("show me those", "show me them", "show them", "show me these", "let me see them",
                     "let me see those", "وريني دول", "وريهم", "وريني هم", "وريني اياهم", "wareeny dol", "wareni dol",
                     "wreny dol")  # fmt: skip
OFFERS = {question: _OFFER_KIND.get(key, key) for key, both in OFFER_QUESTIONS.items() for question in both}


def offer_question(key: str, ar: bool) -> str:
    """The question offering `key` (a name in OFFER_QUESTIONS), in the reply's language."""
    return OFFER_QUESTIONS[key][1 if ar else 0]


def loan_budget(past: Sequence[dict[str, Any]]) -> int | None:
    """The price the conversation's last mortgage puts within reach: the price it was computed on, else the loan with
    its down payment (the largest loan the buyer's income supports, when only the income was given)."""
    call = _last_call(past)
    if call is None or call[0] != "calculate_mortgage" or call[2].get("ok", True) is False:
        return None
    result = call[2]
    price = result.get("property_price") or call[1].get("property_price")
    if not price and result.get("loan_amount"):
        price = float(result["loan_amount"]) + float(result.get("down_payment") or 0)
    return int(price) if price else None


def offered_next(past: Sequence[dict[str, Any]], said: str) -> tuple[str, dict[str, Any]] | None:
    """The tool call the last reply (`said`) offered to make, which a yes asks for: listings within the budget the
    mortgage just computed, listings where the market figures were, a viewing of the listing just checked, the first
    two listings just shown side by side."""
    kind = next((kind for question, kind in OFFERS.items() if said.rstrip().endswith(question)), None)
    call = _last_call(past)
    if kind is None or call is None:
        return None
    budget = loan_budget(past) if kind == "budget" else None
    if kind == "budget" and not budget and call[0] == "calculate_investment_roi" and call[1].get("property_price"):
        budget = int(call[1]["property_price"])  # the yield of a price the buyer named: homes at that price
    if kind == "budget" and budget:
        # Of the type the buyer asked the mortgage or the yield for ("how much of an apartment can I afford on 40k a
        # month?", "the yield on a 3 million apartment", then "and at 20k?"): the last of the three messages naming one
        asked = [str(item.get("content") or "") for item in reversed(past) if item.get("role") == "user"][:3]
        ptype = next((found for said in asked if (found := _property_type(fold(said)))), None)
        what = {"property_type": ptype} if ptype else {}
        kind_of = (ptype or "home").lower()
        plural = kind_of + ("es" if kind_of.endswith("x") else "s")  # "duplexes"
        return "search_properties", {"query": f"{plural} up to EGP {budget:,}", "max_price": budget, **what}
    if kind in ("there", "budget") and call[0] == "check_market_trends":
        # The listings of the figures: in their place, and within the budget they were taken under
        area, ptype, ceiling = (call[1].get(key) for key in ("location", "property_type", "max_price"))
        area = area or " or ".join(call[1].get("places") or ())  # places set side by side: their listings in turn
        rooms = call[1].get("bedrooms")
        words = (f"{rooms}-bedroom" if rooms else "", (ptype or "homes").lower(), f"in {area}" if area else "",
                 f"up to EGP {ceiling:,}" if ceiling else "")  # fmt: skip
        return "search_properties", {
            "query": " ".join(part for part in words if part),
            **{k: v for k, v in call[1].items() if k in ("location", "property_type", "max_price", "bedrooms")},
        }
    if kind == "reserve" and call[0] == "reserve_property" and call[1].get("property_id"):
        return "reserve_property", {"property_id": call[1]["property_id"]}
    if kind == "viewing" and (focus := last_focus(past)):
        return "schedule_viewing", {"property_id": focus}
    if kind == "winner_available" and call[0] == "compare_units" and (winner := compared_winner(call[2], said)):
        return "check_availability", {"property_id": winner}
    if kind == "relaxed" and call[0] == "search_properties":
        first = next(
            (r for r in call[2].get("relaxations") or [] if (r.get("count") or 0) > 0 and r.get("group")), None
        )
        arguments = {key: value for key, value in call[1].items() if key not in ("exclude_ids", "relax")}
        return ("search_properties", {**arguments, "relax": [first["group"]]}) if first else None
    if kind == "side_by_side" and call[0] == "compare_units" and len(call[1].get("property_ids") or ()) >= 2:
        return "compare_units", {"property_ids": list(call[1]["property_ids"])}
    if kind == "compare" and call[0] == "search_properties":
        listed = [str(listing["id"]) for listing in call[2].get("listings") or [] if listing.get("id")]
        return ("compare_units", {"property_ids": listed[:2]}) if len(listed) >= 2 else None
    return None


def said_yes(text: str) -> bool:
    """A short yes to the last reply's question (_is_yes of the text)."""
    return _is_yes(fold(text))


def _is_yes(folded: str) -> bool:
    """A short yes ("yes please", "sure", "ايوه", "tamam"): agreeing to what the last reply offered."""
    return len(folded.split()) <= 5 and agreement(folded) is True and not THANKS.search(folded)  # "ok thanks" closes


def last_search(past: Sequence[dict[str, Any]]) -> str | None:
    """The query of the conversation's last search_properties call, if any."""
    call = _last_call(past, "search_properties")
    query = call[1].get("query") if call else None
    return str(query) if query else None


def last_search_call(past: Sequence[dict[str, Any]]) -> LastSearch | None:
    """The conversation's last search_properties call that went through, and what it showed. When it found nothing
    and continued an earlier one (the same query: "any cheaper?" answered "nothing cheaper"), the earlier one that
    showed listings: "any bigger?" or "show me more" then is of the listings still on the screen."""
    calls = [
        call
        for item in reversed(past)
        if item.get("role") == "tool" and (call := _tool_call(item)) and call[0] == "search_properties"
    ]
    if not calls or not calls[0][1].get("query") or calls[0][2].get("ok") is False:
        return None
    call = calls[0]
    if not call[2].get("listings"):
        query = call[1]["query"]
        for earlier in calls[1:]:
            if earlier[1].get("query") != query or earlier[2].get("ok") is False:
                break
            if earlier[2].get("listings"):
                call = earlier
                break
    arguments, content = call[1], call[2]
    listings = [listing for listing in content.get("listings") or [] if isinstance(listing, dict)]
    before = [str(ref) for ref in arguments.get("exclude_ids") or []]
    return LastSearch(
        arguments=dict(arguments),
        shown=tuple(dict.fromkeys([*before, *(str(listing["id"]) for listing in listings if "id" in listing)])),
        prices=tuple(int(listing["price"]) for listing in listings if isinstance(listing.get("price"), int)),
        sizes=tuple(
            float(listing["size_sqm"]) for listing in listings if isinstance(listing.get("size_sqm"), int | float)
        ),
    )


def last_valuation(past: Sequence[dict[str, Any]]) -> int | None:
    """The estimate of the home valued when the conversation's last tool call was a valuation ("عندي شقة ... بكام",
    then "وقد ايه لو أجرتها؟"), else None."""
    call = _last_call(past)
    estimate = call[2].get("estimate") if call and call[0] == "run_valuation" else None
    return int(estimate) if isinstance(estimate, int | float) and estimate > 0 else None


def last_valuation_arguments(past: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The home valued (place, type, size, rooms) when the conversation's last tool call was a valuation, else None."""
    call = _last_call(past)
    return dict(call[1]) if call and call[0] == "run_valuation" else None


def valuation_refined(text: str, reading: Reading, valuation: dict[str, Any]) -> Reading | None:
    """The home just valued, valued again with the rooms or the finishing the seller's next message gives ("3 ghoraf,
    metshatba, el dor el talet" after a valuation of 150 m² in New Cairo): comparables with that many bedrooms, and
    finished the same, make a closer estimate. None when the message gives neither, the valuation had them already,
    or the message is something else: a tool of its own, listings asked to be shown, another place or type."""
    filters = (reading.parsed or {}).get("filters") or {}
    rooms, finished = filters.get("bedrooms"), _finishing_of(filters)
    changed = {key: value for key, value in (("bedrooms", rooms), ("finishing", finished))
               if value is not None and valuation.get(key) != value}  # fmt: skip
    if not changed or reading.tool not in (None, "search_properties"):
        return None
    if SHOW_ME.search(fold(text)) or any(filters.get(key) for key in ("locations", "compounds", "developers")):
        return None
    if filters.get("property_types") not in (None, [], [valuation.get("property_type")]):
        return None
    # "طب لو متشطبة؟", "what if it were finished?": a supposition, which the reply does not call the seller's home
    supposed = "what_if" if _SUPPOSING.search(fold(text)) else None
    return Reading(reading.language, "run_valuation", {**valuation, **changed}, parsed=reading.parsed, note=supposed)


def last_detailed(past: Sequence[dict[str, Any]]) -> str | None:
    """The listing whose every detail the conversation's last tool call gave (get_property), else None."""
    call = _last_call(past)
    if call is None or call[0] != "get_property" or not isinstance(listing := call[2].get("listing"), dict):
        return None
    return str(listing.get("id") or "") or None


def last_looked(past: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The listings the conversation's last turns looked at one at a time since a list was shown ("the second's
    size?", "and the third?"), oldest first, each once: "these two" then means them, not the first two shown."""
    looked: list[str] = []
    for item in reversed(past):
        if item.get("role") != "tool" or not (call := _tool_call(item)):
            continue
        _, arguments, content = call
        if content.get("listings"):
            break
        listing = content.get("listing")
        named = (listing.get("id") if isinstance(listing, dict) else None) or arguments.get("property_id")
        if named and str(named) not in looked:
            looked.append(str(named))
    return tuple(reversed(looked))


# How a comparison's reply names the one asked for ("Of these, lowest monthly: number 4 (...)", "من دول، أقل قسط شهري:
# رقم 4 (...)"): replies._compare writes it, and "it" after is that one.
_NAMED_WINNER = re.compile(r"^(?:Of these, [^:\n]+: number|من دول، [^:\n]+: رقم) (\d)\b")


def compared_winner(content: dict[str, Any], said: str) -> str | None:
    """The listing a comparison's reply (`said`) named as the one asked for, if it named one."""
    match = _NAMED_WINNER.match(said.lstrip())
    units = (content.get("comparison") or {}).get("units") or []
    if match is None or not 0 < int(match.group(1)) <= len(units):
        return None
    return str(units[int(match.group(1)) - 1].get("id") or "") or None


def last_focus(past: Sequence[dict[str, Any]]) -> str | None:
    """The listing the conversation's last turns were about ("book a viewing of the second one", then "reserve it"):
    the listing of the last tool call that named one, unless a list of listings was shown after it (a comparison that
    named the one asked for, "which has the lowest monthly?", is about that one)."""
    for n in range(len(past) - 1, -1, -1):
        item = past[n]
        if item.get("role") != "tool" or not (call := _tool_call(item)):
            continue
        name, arguments, content = call
        if name == "compare_units":
            replies = (str(after.get("content") or "") for after in past[n + 1 :] if after.get("role") == "assistant")
            said = next(replies, "")
            if winner := compared_winner(content, said):
                return winner
        if arguments.get("property_id"):
            listing = content.get("listing")
            named = listing.get("id") if isinstance(listing, dict) else None
            return str(named or content.get("property_id") or arguments["property_id"])
        if content.get("listings"):
            return None
    return None


# What is left of "and the second?", "what about the third one?", "w el tanya?", "طب والتالتة كمان؟" without the
# ordinal: words that ask nothing of their own.
_PICK_ONLY = frozenset(
    "and what about how the one ones same for question too also then of please pls plz w wa we tab tayeb taieb taib "
    "tyb tb w kaman bardo طب طيب و ايه وايه عن بالنسبه وبالنسبه ل كمان برضه بردو بقي".split()
)
# The tools whose question of one listing "and the second?" asks again of another (compare_units: a question asked
# of several, "does the first and second have a garden?", then "and the third?").
ASKED_AGAIN = ("get_property", "check_availability", "calculate_mortgage", "calculate_investment_roi", "compare_units")


def places_searched(reading: Reading, searched: dict[str, Any]) -> Reading | None:
    """ "Which area is better?" (`reading`: the whole market's places side by side) right after a search over a few
    places ("budget around 8 million, new cairo or zayed"; `searched`: that search's words read again): those places
    side by side, of its type and under its budget when it named one. None when it named fewer than two places, or a
    region (whose places the figures already set side by side)."""
    places = [str(place) for place in searched.get("places") or []]
    if searched.get("regions") or not 2 <= len(places) <= MAX_PLACES_COMPARED:
        return None
    filters: dict[str, Any] = searched.get("filters") or {}
    types = filters.get("property_types") or []
    ceiling = filters.get("max_price") if [k for k in _BUDGET_FILTERS if filters.get(k) is not None] == [
        "max_price"] else None  # fmt: skip
    arguments = {
        "places": places,
        "property_type": reading.arguments.get("property_type") or (types[0] if len(types) == 1 else None),
        "max_price": reading.arguments.get("max_price") or ceiling,
    }
    return Reading(reading.language, "check_market_trends", {k: v for k, v in arguments.items() if v},
                   note=reading.note or "which_area")  # fmt: skip


_STOP_OR_CANCEL = re.compile(f"{CANCEL.pattern}|{STOP.pattern}")


def _picked_of_listed(text: str, listed: Sequence[str], verb: re.Pattern[str]) -> str | None:
    """The one of the buyer's own items just listed (`listed`: their ids, in the order shown) that "the second" or
    "<verb> the first one" names, else None."""
    folded = fold(text)
    picks = [n for n in _ordinals(folded) if 0 < n <= len(listed)]
    if len(picks) != 1 or not (verb.search(folded) or only_a_pick(folded)):
        return None
    return listed[picks[0] - 1]


def viewing_cancelled(text: str, language: str, listed: Sequence[str]) -> Reading | None:
    """After the buyer's viewings were listed, "the second" or "cancel the first one" cancels that one."""
    picked = _picked_of_listed(text, listed, CANCEL)
    return None if picked is None else Reading(language, "my_viewings", {"action": "cancel", "viewing_id": picked})


def alert_stopped(text: str, language: str, listed: Sequence[str]) -> Reading | None:
    """After the buyer's alerts were listed, "the second" or "stop the first one" stops that one."""
    picked = _picked_of_listed(text, listed, _STOP_OR_CANCEL)
    return None if picked is None else Reading(language, "my_alerts", {"action": "stop", "saved_search_id": picked})


def _ids_last_listed(past: Sequence[dict[str, Any]], tool: str, items: str, key: str, done: str) -> tuple[str, ...]:
    """The ids (`key`) of the buyer's own `items` the conversation's last tool call (`tool`) listed, in order; () when
    it did something else or just `done` one of them."""
    call = _last_call(past)
    if call is None or call[0] != tool or call[2].get(done):
        return ()
    return tuple(str(item[key]) for item in call[2].get(items) or [] if isinstance(item, dict) and key in item)


def last_alerts_listed(past: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The buyer's alerts the conversation's last tool call listed (my_alerts), their ids in order, else ()."""
    return _ids_last_listed(past, "my_alerts", "alerts", "saved_search_id", "stopped")


def last_viewings_listed(past: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    """The buyer's viewings the conversation's last tool call listed (my_viewings), their ids in order, else ()."""
    return _ids_last_listed(past, "my_viewings", "viewings", "viewing_id", "cancelled")


def only_a_pick(folded: str) -> bool:
    """Whether a message only names another of the listings shown ("and the second?", "w el tanya?", "والتالتة؟"):
    the question asked of the one before is then asked of it."""
    if len(_ordinals(folded)) != 1:
        return False
    rest = re.sub(r"[^\w\s]", " ", _ORDINAL.sub(" ", folded)).split()
    return len(rest) <= 5 and all(word in _PICK_ONLY for word in rest)


def listing_question(past: Sequence[dict[str, Any]]) -> tuple[str, str] | None:
    """The question the conversation's last turns asked of one listing ("does the first have instalments?", "is it
    available?", "the monthly payment of the first over 10 years?") and the tool that answered it, which "and the
    second?" asks again of another: the last message that was more than a pick, when each turn since was answered by
    that one tool. None when the last turn did something else."""
    turns: list[tuple[str, list[dict[str, Any]]]] = []
    for item in past:
        if item.get("role") == "user":
            turns.append((str(item.get("content") or ""), []))
        elif turns:
            turns[-1][1].append(item)
    tool: str | None = None
    for text, items in reversed(turns[-4:]):
        names = {call[0] for item in items if item.get("role") == "tool" and (call := _tool_call(item))}
        if len(names) != 1 or (tool is not None and names != {tool}) or not names <= set(ASKED_AGAIN):
            return None
        tool = names.pop()
        if not only_a_pick(fold(text)):
            return tool, text
    return None


# "and the schools around?", "و فيها جنينة؟", "w el garage?", "what about parking?": one more thing asked of the same
# listing, right after a question of it.
_AND_ALSO = re.compile(r"^(?:and|what about|how about|also|w|wa|و)\b|^و")


def asked_more(text: str, parsed: dict[str, Any], language: str, focus: str) -> Reading | None:
    """Right after a question of one listing (`focus`), "and the schools around?": the feature, finishing or floor it
    names asked of that listing too, rather than a search for it. None when the message names a search of its own or
    asks nothing of the kind."""
    filters = parsed.get("filters") or {}
    folded = fold(text)
    asked = {key: list(value) if isinstance(value, list) else [value]
             for key in _ASKED if (value := filters.get(key)) is not None and value != []}  # fmt: skip
    others = [key for key, value in filters.items() if key not in _ASKED and value not in (None, [])]
    if not asked or others or not _AND_ALSO.search(folded) or len(folded.split()) > 6:
        return None
    return Reading(language, "get_property", {"property_id": focus}, asked=asked)


def asked_again(reading: Reading, question: Reading, tool: str, shown: Sequence[dict[str, Any]]) -> Reading | None:
    """ "and the second?" (`reading`: the details of the listing it names) after a question of another listing
    (`question`: that question read again, answered by `tool`): the same question of the listing named now. None
    when the question asked nothing of a listing to ask again (a bare "show me the first one")."""
    named = reading.arguments.get("property_id")
    if tool == "compare_units" and question.tool == tool and question.asked and named:
        # "and the third?" after "does the first and second have a garden?": the garden asked of the third
        return Reading(reading.language, "get_property", {"property_id": named}, asked=dict(question.asked))
    if question.tool != tool or not named or "property_id" not in question.arguments:
        return None
    if tool == "get_property" and not question.asked:
        return None
    years = question.arguments.get("years")
    note = _unplanned(shown, named, years) if tool == "calculate_mortgage" else question.note
    return Reading(reading.language, tool, {**question.arguments, "property_id": named}, note=note,
                   asked=dict(question.asked))  # fmt: skip


def viewing_offer(past: Sequence[dict[str, Any]]) -> ViewingOffer | None:
    """The viewing times the previous turn offered (`past`: chat-history's messages, oldest first), or None when that
    turn did something else. A turn that only asked the buyer to sign in to book one leaves the offer standing."""
    turns: list[list[dict[str, Any]]] = []
    for item in past:
        if item.get("role") == "user":
            turns.append([])
        elif turns:  # what comes before the first user message is a turn cut off by the history window
            turns[-1].append(item)
    picked: str | None = None
    for turn in reversed(turns):
        calls = [call for item in turn if item.get("role") == "tool" and (call := _tool_call(item))]
        viewing = [call for call in calls if call[0] == "schedule_viewing"]
        if not viewing:
            return None
        _, arguments, content = viewing[-1]
        times = tuple(time for slot in content.get("slots") or [] if (time := _offered_time(slot)))
        if content.get("ok", True) and times:
            asked = tuple((key, str(arguments[key])) for key in ("day", "time", "period") if arguments.get(key))
            return ViewingOffer(str(content.get("property_id") or arguments.get("property_id")), times, picked, asked)
        if content.get("error") != "sign_in_required" or not arguments.get("starts_at"):
            return None
        picked = picked or str(arguments["starts_at"])
    return None


def _tool_call(item: dict[str, Any]) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    calls = item.get("tool_calls") or []
    try:
        content = json.loads(item["content"]) if isinstance(item.get("content"), str) else item.get("content")
    except ValueError:
        return None
    if not calls or not isinstance(calls[0], dict) or not isinstance(content, dict):
        return None
    return str(calls[0].get("name")), dict(calls[0].get("arguments") or {}), content


def _offered_time(slot: Any) -> OfferedTime | None:
    try:
        starts_at = str(slot["starts_at"])
        local = slot.get("local_start") or wall_clock(datetime.fromisoformat(starts_at))
        return OfferedTime(starts_at, datetime.fromisoformat(str(local)).replace(tzinfo=None))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


# What else a message may be about once times were offered: then it is not a pick ("compare the first two", "what
# is the price of the second one", "show me villas in Zayed"). Arabic "احجز" books the viewing here, not the unit.
_ELSEWHERE = (COMPARE, AVAILABILITY, LOAN, MONTHLY, ROI, VALUATION, TRENDS, PRICE_QUESTION,
              _family("show", "find", "looking for", "search", "tell me about", "details", "more about", "more info",
                      "describe", "price", "cost", "بدور", "ابحث", "دورلي", "وريني", "تفاصيل", "احكيلي", "قولي عن",
                      "سعر", "تمن"),
              re.compile(r"\breserv|\bdeposit\b|عربون"))  # fmt: skip
WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "thursday": 3, "thu": 3,
    "thur": 3, "thurs": 3, "friday": 4, "fri": 4, "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
    "الاتنين": 0, "الاثنين": 0, "التلات": 1, "التلاتاء": 1, "الثلاثاء": 1, "الثلاثا": 1, "الاربع": 2, "الاربعاء": 2,
    "الخميس": 3, "الجمعه": 4, "السبت": 5, "الحد": 6, "الاحد": 6,
    # Franco, with the article where the bare word is also a number ("talat" is three, "arba3" four)
    "el etnen": 0, "el itnein": 0, "etnen": 0, "el talat": 1, "el tlat": 1, "el arba3": 2, "el arb3": 2,
    "el khamis": 3, "khamis": 3, "el 5amis": 3, "el gom3a": 4, "gom3a": 4, "el sabt": 5, "sabt": 5, "el had": 6,
    "el 7ad": 6, "el 5amees": 3, "el khamees": 3, "el a7ad": 6,
    # "the three", "the four" too, so only after "yom" (day): "yom el talata", "yom el arba3a"
    "yom el talata": 1, "yom el tala2": 1, "yom el arba3a": 2, "yom el arb3a": 2,
}  # fmt: skip
MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "ابريل": 4, "مايو": 5, "يونيو": 6, "يوليو": 7, "اغسطس": 8, "سبتمبر": 9,
    "اكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}  # fmt: skip
_RELATIVE_DAYS = {"today": 0, "tonight": 0, "tomorrow": 1, "النهارده": 0, "انهارده": 0, "بكره": 1, "بكرا": 1,
                  "بعد بكره": 2, "بعد بكرا": 2, "el naharda": 0, "ennaharda": 0, "naharda": 0, "bokra": 1,
                  "bokara": 1, "bukra": 1, "ba3d bokra": 2}  # fmt: skip


def _words_pattern(words: Sequence[str]) -> str:
    return "|".join(map(re.escape, sorted(words, key=len, reverse=True)))


_WEEKDAY = re.compile(rf"(?<![\w])(?:[وب])?({_words_pattern(list(WEEKDAYS))})(?![\w])")
_RELATIVE = re.compile(rf"(?<![\w])(?:[وب])?({_words_pattern(list(_RELATIVE_DAYS))})(?![\w])")
_MONTH = _words_pattern(list(MONTHS))
_DATE = re.compile(
    rf"(?<![\d-])(\d{{4}})-(\d{{2}})-(\d{{2}})|(?<![\w])(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})(?![\w])"
    rf"|(?<![\w])({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?![\w])"
)
# Morning and evening as said after the hour; the words also count anywhere in the message ("Tuesday morning at 10").
_AM_MARKS = ("am", "a.m.", "a.m")
_PM_MARKS = ("pm", "p.m.", "p.m")
_AM_WORDS = ("in the morning", "morning", "الصبح", "صباحا", "el sob7", "sob7", "saba7an")
# The parts of the day after noon, by name: each reads an hour said with it as pm, and alone asks for its hours.
_AFTERNOON_WORDS = ("in the afternoon", "afternoon", "بعد الضهر", "بعد الظهر", "العصر", "ba3d el dohr", "ba3d el zohr",
                    "el 3asr")  # fmt: skip
_EVENING_WORDS = ("in the evening", "evening", "tonight", "المغرب", "بالليل", "بليل", "مساء", "مساءا", "بالمسا",
                  "el maghrib", "bel leil", "bel lel", "bellel", "masa2an")  # fmt: skip
_PM_WORDS = (*_AFTERNOON_WORDS, *_EVENING_WORDS, "noon", "الضهر", "الظهر", "el dohr")
_AM, _PM = (*_AM_MARKS, *_AM_WORDS), (*_PM_MARKS, *_PM_WORDS)
_CLOCK = re.compile(
    r"(?P<lead>\bat\s+|\baround\s+|(?<![\w])(?:ال)?ساعه\s*|\b(?:el ?)?sa3a\s*|(?<![\w])(?:علي|ع)\s+)?"
    r"(?<![\d:/-])(?<!\d[.,])"
    r"(?P<hour>\d{1,2})(?::(?P<minute>[0-5]\d))?(?![\d:/]|[.,]\d)\s*(?P<half>و\s*نص|و\s*ربع|and a half)?\s*"
    rf"(?P<meridiem>{_words_pattern([*_AM, *_PM])}|o'?clock)?(?![\w])"
)
_CLOCK_WORD = re.compile(r"\bnoon\b|\bmidday\b|(?<![\w])(?<!بعد )(?<!بعد ال)(?:ال)?[ضظ]هر(?![\w])")  # not "بعد الضهر"
_DAYTIME = re.compile(rf"(?<![\w])(?:{_words_pattern([*_AM_WORDS, *_PM_WORDS])})(?![\w])")
# A part of the day said without a clock ("Thursday afternoon", "بكرة بالليل"), by the hours it spans (PERIODS).
_PERIOD_WORDS = (("morning", _AM_WORDS), ("afternoon", _AFTERNOON_WORDS), ("evening", _EVENING_WORDS))
_PERIOD = [(name, re.compile(rf"(?<![\w])(?:{_words_pattern(list(words))})(?![\w])")) for name, words in _PERIOD_WORDS]
# "the sixth", "the last one": places past the ordinals a list of listings needs.
_MORE_PLACES = re.compile(
    r"\b(sixth|6th|last)\b|(?<![\w])[وب]?(السادس|السادسه|الاخير|الاخيره|اخر واحد|اخر ميعاد)(?![\w])"
)
# "the first time" is not an ordinal of listings ("for the first time"), but it is one of times.
_TIME_ORDINAL = re.compile(r"\b(first|second|third|fourth|fifth|1st|2nd|3rd|4th|5th)\s+(?:time|slot|option)\b")
_BARE_NUMBER = re.compile(
    r"(?:(?:option|slot|choice|time|number|no\.?|the|ميعاد|رقم)\s*)?#?(\d{1,2})\s*(?:please|pls|plz|لو سمحت|من فضلك)?"
    r"\s*[.!؟?]*"
)
# Agreeing and refusing, one vocabulary for every short answer Amr reads (a yes to what the last reply offered, to an
# offered time, to "may I share your number?"), so a word a buyer agrees with is a yes wherever it is said. Whole words
# only: "now" is no "no", "اهلا" no "اه".
_AGREE = re.compile(
    r"\b(?:yes|yeah|yep|yup|sure|ok|okay|fine|great|perfect|sounds good|that works|works for me|go ahead|confirm"
    r"|please do|let'?s do it|book|of course|share it|send it|tamam|tmam|mashy|mashi|aywa|aiwa|aywah|akid|akeed|yalla"
    r"|ya ?reet|e7gez\w*|a7gez\w*)\b"
    r"|(?<![\w])[وف]?(?:ايوه|ايوا|اه|تمام|ماشي|اوك|اوكي|موافق|اكيد|اتفقنا|يلا|حلو|مناسب|يناسبني|طبعا|ياريت|يا ريت|ابعته"
    r"|ابعتهوله|اديله|احجز\w*|اكد\w*|ثبت\w*)(?![\w])"
)
_BOOKING_VERB = re.compile(r"\b(?:book|confirm|e7gez\w*|a7gez\w*)\b|(?<![\w])[وف]?(?:احجز\w*|اكد\w*|ثبت\w*)(?![\w])")
_REFUSAL = re.compile(
    r"\b(?:no|not|nope|don'?t|never|none|neither|another|other|different|later|instead|la2|msh|mesh|ba3deen|balash)\b"
    r"|(?<![\w])[وف]?(?:لا|مش|مفيش|بلاش|غير|تاني|تانيه|بعدين|متديش|ماتديش)(?![\w])"
)
# "No problem" agrees, though it says "no".
_NO_PROBLEM = re.compile(
    r"\b(?:no problem|no worries|not a problem|(?:msh|mesh|mafeesh|mafish) (?:moshkela|mushkila|moshkla))\b"
    r"|(?<![\w])(?:مش|مفيش|ولا) مشكله(?![\w])"
)


UNSURE = _family("not sure", "dont know", "don't know", "no idea", "maybe", "depends", "مش عارف", "معرفش",
                 "مش متاكد", "لسه مش عارف", "مش فارقه", "يمكن", "على حسب", "mesh 3aref", "msh 3aref", "ma3rafsh",
                 "mesh mot2aked", "msh mot2aked", "mesh far2a", "3ala 7asab")  # fmt: skip


def answers_nothing(text: str) -> bool:
    """A reply that gives no answer to an open question: a bare yes or no ("yes", "ok", "لا"), or not knowing ("not
    sure", "مش عارف", "mesh 3aref")."""
    folded = fold(text)
    return len(folded.split()) <= 6 and (agreement(folded) is not None or bool(UNSURE.search(folded)))


def agreement(folded: str) -> bool | None:
    """Whether a (folded) answer agrees: True for a yes ("sure", "ايوه", "tamam", "no problem"), False for a no ("no
    thanks", "لا مش دلوقتي", "later"), None when it says neither. A yes with a no in it ("yes but not now") is a no."""
    folded = _NO_PROBLEM.sub(" ok ", folded)
    if _REFUSAL.search(folded):
        return False
    return True if _AGREE.search(folded) else None


def pick_offered(text: str, offer: ViewingOffer, today: date | None = None) -> OfferedTime | Literal["unclear"] | None:
    """The offered time a message picks: by its day and time ("Tuesday at 11", "11am", "يوم الثلاثاء الساعة 11"), by
    its place in the list ("the second one", "التاني", "رقم 2", "2"), or by a yes when one time was offered or one
    picked before signing in ("yes book it", "تمام احجزها"). "unclear" when the message picks but not one offered
    time (several match, or none); None when it picks nothing."""
    folded = fold(text)
    times = list(offer.times)
    clock, period = _clock(folded, len(times)), _period(folded, len(times))
    day = _days(folded, today or cairo_today())
    if clock is not None or day is not None or period is not None:
        matching = [time for time in times if _at(time.local, day, clock, period)]
        return matching[0] if len(matching) == 1 else "unclear"
    places = _places(folded, len(times))
    if places:
        return times[places[0] - 1] if len(places) == 1 and 0 < places[0] <= len(times) else "unclear"
    if agreement(folded) is True and (
        _BOOKING_VERB.search(folded) or not THANKS.search(folded)
    ):  # "ok thanks" is thanks
        chosen = [time for time in times if time.starts_at == offer.picked] or (times if len(times) == 1 else [])
        return chosen[0] if chosen else "unclear"
    return None


def _at(local: datetime, day: NamedDay | None, clock: tuple[set[int], int] | None, period: str | None = None) -> bool:
    if day is not None and not day.holds(local.date()):
        return False
    if period is not None and not PERIODS[period][0] <= local.hour < PERIODS[period][1]:
        return False
    return clock is None or (local.hour in clock[0] and local.minute == clock[1])


def _period(folded: str, count: int) -> str | None:
    """The part of the day a message names without a clock ("afternoon", "بالليل"); None when it names an hour."""
    if _clock(folded, count) is not None:
        return None
    return next((name for name, pattern in _PERIOD if pattern.search(folded)), None)


def _places(folded: str, count: int) -> list[int]:
    """Places in the list of offered times a message names: "the second one", "رقم 2", a bare "2", "the last one"."""
    places = _ordinals(folded) + [ORDINALS[m.group(1)] for m in _TIME_ORDINAL.finditer(folded)]
    more = _MORE_PLACES.search(folded)
    if more:
        places.append(count if (more.group(1) == "last" or (more.group(2) or "").startswith(("الاخير", "اخر")))
                      else 6)  # fmt: skip
    bare = _BARE_NUMBER.fullmatch(folded.strip())
    if not places and bare and int(bare.group(1)) <= count:
        places.append(int(bare.group(1)))
    return list(dict.fromkeys(places))


def _clock(folded: str, count: int) -> tuple[set[int], int] | None:
    """The hour (the hours it may be, when neither morning nor evening is said) and minute a message names."""
    text = _DATE.sub(lambda m: " " * len(m.group(0)), folded)
    # A bare number is a place in the list ("2") unless the list is shorter ("11").
    bare = _BARE_NUMBER.fullmatch(folded.strip())
    for match in _CLOCK.finditer(text):
        hour, minute = int(match["hour"]), int(match["minute"] or 0)
        if not (match["lead"] or match["minute"] or match["half"] or match["meridiem"] or (bare and count < hour)):
            continue
        if hour > 23 or (hour > 12 and match["meridiem"] in _AM):
            continue
        if match["half"]:
            minute = 15 if "ربع" in match["half"] else 30
        said = match["meridiem"] or next(iter(_DAYTIME.findall(text)), None)
        if said in _AM:
            return {hour % 12}, minute
        if said in _PM:
            return {hour % 12 + 12 if hour <= 12 else hour}, minute
        return ({hour} if hour >= 12 or hour == 0 else {hour, hour + 12}), minute
    if _CLOCK_WORD.search(folded):
        return {12}, 0
    return None


@dataclass(frozen=True)
class NamedDay:
    """The day a message names: a date, a weekday or a day of a month (each may be unsaid)."""

    exact: date | None = None
    weekday: int | None = None
    month_day: tuple[int, int] | None = None

    def next_from(self, today: date) -> date | None:
        """The first day from today the message may mean (None for a date that does not exist, "30 February")."""
        if self.exact is not None:
            return self.exact if self.holds(self.exact) else None
        if self.month_day is not None:
            for year in (today.year, today.year + 1):
                try:
                    day = date(year, *self.month_day)
                except ValueError:
                    return None
                if day >= today:
                    return day if self.holds(day) else None
            return None
        assert self.weekday is not None
        return today + timedelta(days=(self.weekday - today.weekday()) % 7)

    def holds(self, day: date) -> bool:
        return (
            (self.exact is None or day == self.exact)
            and (self.weekday is None or day.weekday() == self.weekday)
            and (self.month_day is None or (day.month, day.day) == self.month_day)
        )


def _days(folded: str, today: date) -> NamedDay | None:
    """The day a message names (a weekday, today or tomorrow, "2 June", "2026-06-02"), or None."""
    exact, weekday, month_day = None, None, None
    if match := _RELATIVE.search(folded):
        exact = today + timedelta(days=_RELATIVE_DAYS[match.group(1)])
    elif match := _WEEKDAY.search(folded):
        weekday = WEEKDAYS[match.group(1)]
    if match := _DATE.search(folded):
        if match.group(1):
            exact = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        else:
            month_day = (MONTHS[match.group(5) or match.group(6)], int(match.group(4) or match.group(7)))
    if exact is None and weekday is None and month_day is None:
        return None
    return NamedDay(exact, weekday, month_day)


def cairo_today() -> date:
    return datetime.now(ZoneInfo(CAIRO)).date()


def asked_when(folded: str, today: date, count: int) -> dict[str, str]:
    """The day and time of day a message asks a viewing for, as schedule_viewing takes them ({"day": "2026-12-12",
    "time": "17:00"}, or a part of the day with no clock, {"period": "afternoon"}; each left out when unsaid): a
    weekday is the next one from today, a day of a month this year's or, when past, next year's; an hour said without
    morning or evening is the one in viewing hours ("at 5" is 17:00, "at 10" 10:00). `count` is the number of times
    offered (a bare number up to it is a place in that list)."""
    asked: dict[str, str] = {}
    if (named := _days(folded, today)) is not None and (day := named.next_from(today)) is not None:
        asked["day"] = day.isoformat()
    if (clock := _clock(folded, count)) is not None:
        hours, minute = clock
        hour = min((h for h in hours if 8 <= h <= 21), default=min(hours))
        asked["time"] = f"{hour:02d}:{minute:02d}"
    elif (period := _period(folded, count)) is not None:
        asked["period"] = period
    return asked


def _names_time(folded: str, count: int) -> bool:
    return any(found is not None for found in (_clock(folded, count), _days(folded, date.min), _period(folded, count)))


def _viewing_pick(
    text: str, language: str, filters: dict[str, Any], ids: list[str], offer: ViewingOffer, today: date | None
) -> Reading | None:
    """Times were offered: the booking of the one the message picks, the times again when it is unclear which, or
    None when the message is about something else (a new search, another question)."""
    folded = fold(text)
    if ids or any(filters.get(key) is not None for key in _SEARCH_FILTERS):
        return None
    if any(family.search(folded) for family in _ELSEWHERE):
        return None
    # "the second apartment" is a listing; "احجزلي الشقة الساعة 11" still a time. "is the second one furnished?" asks
    # of a listing too, not for the second time.
    asks_of_one = any(filters.get(key) not in (None, []) for key in _ASKED) or any(
        family.search(folded) for family in LISTING_QUESTIONS.values()
    )
    if (filters.get("property_types") or _property_type(folded) or asks_of_one) and not _names_time(
        folded, len(offer.times)
    ):
        return None
    offered = {"property_id": offer.property_id}
    # A day or a time none of the times offered is on ("Saturday at 5pm" when Sunday and Monday were offered): the
    # free times nearest it.
    today = today or cairo_today()
    clock, day, period = _clock(folded, len(offer.times)), _days(folded, today), _period(folded, len(offer.times))
    named = clock is not None or day is not None or period is not None
    if named and not any(_at(time.local, day, clock, period) for time in offer.times):
        # "at 3" after the times of Thursday were offered: Thursday at 3, the day asked for before kept; "make it
        # Sunday" after Saturday at 5 was: Sunday at 5, the time of day kept.
        before = {key: value for key, value in offer.asked
                  if (key == "day" and day is None) or (key != "day" and clock is None and period is None)}  # fmt: skip
        return Reading(
            language, "schedule_viewing", {**offered, **before, **asked_when(folded, today, len(offer.times))}
        )
    picked = pick_offered(text, offer, today)
    again = {**offered, **dict(offer.asked)}  # the same times in the same order
    if picked is None:
        # Asked for a viewing again: the times of the listing just offered, not of the first listing shown.
        return Reading(language, "schedule_viewing", again) if VIEWING.search(folded) else None
    if picked == "unclear":
        return Reading(language, "schedule_viewing", again, note="which_time")
    return Reading(language, "schedule_viewing", {**offered, "starts_at": picked.starts_at})


# ---- the model: a pydantic-ai FunctionModel, so the rules brain runs through the same loop as the others ----


Writer = Any  # osool_agent.brains.replies.write_reply, typed loosely to keep the import one-way


def rules_model(reading: Reading, write_reply: Writer, resolve: Any) -> FunctionModel:
    """A model that calls the tool the reading names, then writes the reply from the tool's result.
    `resolve(tool, arguments, derived)` turns a property_id the tool needs into the listing's price (mortgage and ROI
    on a listing), and lets the arguments named in `derived` stand: figures this brain computed from the ones said
    (two incomes added up, a budget a little stretched), which no one typed."""

    async def respond(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        returns = [part for message in messages if isinstance(message, ModelRequest) for part in message.parts
                   if isinstance(part, ToolReturnPart)]  # fmt: skip
        if returns:
            again = _offer_again(reading, returns)
            if again is not None:
                return _call("schedule_viewing", again)
            stretched = _stretch(reading, returns)
            if stretched is not None:
                reading.stretched, again = stretched  # the reply names the budget nothing was within
                return _call("search_properties", await resolve("search_properties", again, ("max_price",)))
            return ModelResponse(parts=[TextPart(write_reply(reading, returns))])
        if reading.tool is None:
            return ModelResponse(parts=[TextPart(write_reply(reading, []))])
        derived = ("monthly_income",) if reading.note == "joint_income" else ()
        return _call(reading.tool, await resolve(reading.tool, dict(reading.arguments), derived))

    return FunctionModel(respond, model_name="rules")


def _call(tool: str, arguments: dict[str, Any]) -> ModelResponse:
    return ModelResponse(parts=[ToolCallPart(tool, arguments, tool_call_id=f"rules_{uuid.uuid4().hex[:12]}")])


# How far above a budget nothing was within the search looks again: what a broker would still show ("nothing under 4
# million, but these are 4.1 and 4.3"), not what a buyer could not stretch to.
STRETCH = 1.10


def _stretch(reading: Reading, returns: list[ToolReturnPart]) -> tuple[int, dict[str, Any]] | None:
    """Nothing was within the budget but the cheapest without it is a little above (STRETCH): the budget, and the
    search again up to there, cheapest first, which the reply says is above the budget. Not for "show me more", a
    relaxation taken or a continuation ("any cheaper?"): those say they found nothing."""
    if reading.tool != "search_properties" or len(returns) != 1 or reading.note is not None:
        return None
    if reading.arguments.get("relax") or reading.arguments.get("exclude_ids"):
        return None
    content = returns[0].content if isinstance(returns[0].content, dict) else {}
    budget = (content.get("applied_filters") or {}).get("max_price")
    if content.get("listings") or not content.get("ok", True) or not budget or content.get("currency"):
        return None
    price = next((r for r in content.get("relaxations") or [] if r.get("group") == "price"), None)
    cheapest = (price or {}).get("cheapest_price")
    if not cheapest or cheapest > budget * STRETCH:
        return None
    return int(budget), {**reading.arguments, "max_price": int(budget * STRETCH), "order": "price_asc"}


def _offer_again(reading: Reading, returns: list[ToolReturnPart]) -> dict[str, Any] | None:
    """The time picked was taken meanwhile: the listing's free times now, for the buyer to pick another."""
    if reading.tool != "schedule_viewing" or "starts_at" not in reading.arguments or len(returns) != 1:
        return None
    content = returns[0].content if isinstance(returns[0].content, dict) else {}
    if content.get("error") not in ("slot_taken", "not_a_free_slot"):
        return None
    return {"property_id": reading.arguments["property_id"]}
