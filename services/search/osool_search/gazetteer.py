"""The market's vocabulary: areas, compounds, developers, property types and finishings, with their English and
Egyptian Arabic names. The query parser reads it to understand a question, the ingest to read an export's names and
the demo generator to write listings."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from osool_common import listing_filters
from osool_search.normalise import clean_query, fold


@dataclass(frozen=True)
class Developer:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Compound:
    name: str
    developer: str
    # Price level against the area's base price per square metre (1.0 = the area's typical compound).
    price_level: float = 1.0
    aliases: tuple[str, ...] = ()
    # Types this compound sells; the generator picks among them.
    types: tuple[str, ...] = ("Apartment", "Duplex", "Penthouse", "Townhouse", "Twinhouse", "Villa", "Studio")


@dataclass(frozen=True)
class Area:
    name: str
    # Typical asking price per square metre of a finished apartment in 2026, EGP.
    base_price_per_sqm: int
    aliases: tuple[str, ...]
    compounds: tuple[Compound, ...] = field(default_factory=tuple)
    # A share of listings outside any compound (resale in the city), 0..1.
    standalone_share: float = 0.1
    # Coastal areas sell chalets and have no offices.
    coastal: bool = False


PROPERTY_TYPES: dict[str, tuple[str, ...]] = {
    "Apartment": ("apartment", "apartments", "apt", "apts", "flat", "flats", "شقة", "شقه", "شقق"),
    "Villa": (
        "villa",
        "villas",
        "standalone",
        "stand alone",
        "stand-alone",
        "فيلا",
        "فيلل",
        "فلل",
        "فيلات",
        "ستاند الون",
        # "فيلا مستقلة": standalone, as opposed to a townhouse or twin house.
        "مستقلة",
        "mostakela",
        "mosta2ela",
        "mosta2la",
        "mostakla",
    ),
    "Townhouse": ("townhouse", "townhouses", "town house", "town houses", "تاون هاوس", "تاون"),
    "Twinhouse": ("twinhouse", "twinhouses", "twin house", "twin houses", "توين هاوس", "توين"),
    "Duplex": ("duplex", "duplexes", "دوبلكس", "دوبليكس"),
    "Penthouse": ("penthouse", "penthouses", "بنتهاوس", "بنت هاوس"),
    "Studio": ("studio", "studios", "ستوديو", "استوديو", "ستوديوهات"),
    "Chalet": ("chalet", "chalets", "شاليه", "شاليهات"),
    "Office": ("office", "offices", "مكتب", "مكاتب", "اداري", "إداري"),
    "Retail": ("retail", "shop", "shops", "store", "stores", "commercial unit", "محل", "محلات", "تجاري"),
    "Clinic": ("clinic", "clinics", "medical unit", "عيادة", "عياده", "عيادات", "طبي"),
}

# Types with no bedrooms to speak of.
NON_RESIDENTIAL_TYPES = listing_filters.NON_RESIDENTIAL_TYPES  # the shared kit's: Amr names the same three
# Whole houses: the listing is the building, so it has no floor of one.
HOUSE_TYPES = frozenset({"Villa", "Townhouse", "Twinhouse"})

# Canonical finishing values, as stored, with the words people use for them.
FINISHINGS: dict[str, tuple[str, ...]] = {
    "core_and_shell": (
        "core and shell",
        "core & shell",
        "core shell",
        "not finished",
        "unfinished",
        "طوب احمر",
        "الطوب الاحمر",
        "ع الطوب",
        "على الطوب",
        "على الطوب الاحمر",
        "ع الطوب الاحمر",
        "3al toob",
        "3ala el toob",
        "core w shell",
        "toob a7mar",
        "toob ahmar",
        "toob el a7mar",
        "بدون تشطيب",
        "كور اند شيل",
        # Plastered walls and nothing more.
        "على المحارة",
        "ع المحارة",
        "red brick",
    ),
    "semi_finished": (
        "semi finished",
        "semi-finished",
        "semifinished",
        "half finished",
        "نص تشطيب",
        "نصف تشطيب",
        "semi finishing",
        "semi-finishing",
        "semi finish",
        "تشطيب نص",
        "هاف فينش",
    ),
    "fully_finished": (
        "fully finished",
        "fully-finished",
        "fullyfinished",
        "finished",
        "super lux",
        "ultra super lux",
        "متشطب",
        "متشطبة",
        "تشطيب كامل",
        "كامل التشطيب",
        "كاملة التشطيب",
        "تشطيب سوبر لوكس",
        "سوبر لوكس",
        "الترا سوبر لوكس",
        "super luxe",
        "full finishing",
        "هاي لوكس",
        "الترا لوكس",
        "تشطيب لوكس",
        "متشطب بالكامل",
        "متشطبة بالكامل",
        "فول فينش",
        # Of several at once: "الاولى والتالتة متشطبين؟", "شقق متشطبين"
        "متشطبين",
    ),
    "furnished": (
        "furnished",
        "fully furnished",
        "with furniture",
        "furniture included",
        "مفروش",
        "مفروشة",
        "مفروشة بالكامل",
        "مفروشين",
        "بالعفش",
        "العفش",
        "عفش",
        "بعفشها",
        "بعفشه",
        "بفرشها",
        "فرش كامل",
    ),
}

SALE_TYPES = ("developer", "resale")

# Canonical sale types with the words people use for them.
SALE_TYPE_PHRASES: dict[str, tuple[str, ...]] = {
    "resale": (
        "resale",
        "re-sale",
        "re sale",
        "secondary market",
        "from owner",
        "from the owner",
        "ريسيل",
        "إعادة بيع",
        "من المالك",
        "من صاحبها",
        "من صاحب الشقة",
        "men el malek",
        "mn el malek",
        "mn sa7bha",
        "men sa7bha",
        "mn sa7b el sha2a",
        "risel",
        "reseal",
    ),
    "developer": (
        "from developer",
        "from the developer",
        "direct from developer",
        "developer sale",
        "primary",
        "primary market",
        "من المطور",
        "من الشركة",
        "برايمري",
        "men el motawer",
        "mn el motawer",
        "men el sherka",
        "mn el sherka",
        "men el developer",
        "mn el developer",
        "men el devloper",
        "mn el devloper",
        "direct mn el developer",
        "direct men el sherka",
        "mn el sharka",
        "men el sharka",
        "primary mn el developer",
    ),
}

# Features and amenities a buyer asks for and a listing may have, with the words people use for them in English,
# Egyptian Arabic and Franco-Arabic. The same words are read from a buyer's query (query_parser) and from a listing's
# title and description at ingest (features.py). Furnished is a finishing (FINISHINGS), not a feature. "near_*" are
# landmarks: naming one ("near the AUC", "قريب من المول") asks for a listing near it.
FEATURES: dict[str, tuple[str, ...]] = {
    "pool": (
        "pool", "pools", "swimming pool", "swimming pools", "private pool", "حمام سباحة", "حمامات سباحة", "بيسين",
        "بسين", "مسبح", "pisin", "bisin", "piscine", "7amam seba7a", "7ammam seba7a", "hammam sebaha",
        "7amam sba7a", "7amam saba7a", "7amam sebaha", "hamam seba7a",
    ),
    "garden": (
        "garden", "private garden", "own garden", "yard", "backyard", "جنينة", "جنينة خاصة", "حديقة", "حديقة خاصة",
        "جاردن", "gnena", "geneina", "genena", "gneina", "ganeena", "7ade2a", "hadika",
    ),
    "roof": (
        "roof", "rooftop", "roof terrace", "private roof", "روف", "رووف", "سطح", "سطوح", "روف خاص",
    ),
    "parking": (
        "parking", "parking space", "parking spaces", "covered parking", "garage", "car park", "جراج", "جراچ", "جراش",
        "باركينج", "باركنج", "موقف سيارات", "جراچات", "garag", "garaj", "barking", "parkin",
    ),
    "sea_view": (
        "sea view", "seaview", "view of the sea", "overlooking the sea", "direct sea view", "فيو بحر", "فيو البحر",
        "فيو على البحر", "اطلالة على البحر", "اطلالة بحرية", "تطل على البحر", "view ba7r", "fyu ba7r", "view 3al ba7r",
    ),
    "lagoon_view": (
        "lagoon view", "lagoon", "lagoons", "crystal lagoon", "crystal lagoons", "view of the lagoon",
        "overlooking the lagoon", "لاجون", "فيو لاجون", "لاجون فيو", "فيو على اللاجون", "كريستال لاجون", "lagon",
    ),
    # Cairo's premium view (Maadi, Zamalek, Garden City, the towers of the Corniche). Not "on the Nile" or "النيل"
    # alone: "on the Nile Corniche", "Nile University", "شارع النيل" are places, not a view.
    "nile_view": (
        "nile view", "view of the nile", "overlooking the nile", "nile front", "nilefront", "direct nile view",
        "فيو النيل", "فيو نيل", "فيو على النيل", "اطلالة على النيل", "إطلالة على النيل", "تطل على النيل",
        "على النيل مباشرة", "view nile", "view el nil", "view el neel", "fyu el nil", "view 3al nil", "view nil",
        "view neel", "fyu nil",
    ),
    # A view nothing blocks (no building across the street): what a city buyer asks of a flat, "فيو مفتوح". A compound's
    # "Mountain View" or "Lake View" is a name, not a view.
    "open_view": (
        "open view", "open views", "unobstructed view", "panoramic view", "wide open view", "فيو مفتوح",
        "فيو مفتوحة", "ڤيو مفتوح", "اطلالة مفتوحة", "إطلالة مفتوحة", "view maftou7", "view maftoo7", "view maftu7",
        "view mafto7", "fyu maftou7", "view maftooh", "view maftouh",
    ),
    # A view over the compound's gardens and landscape, not a garden of one's own ("garden" above).
    "garden_view": (
        "garden view", "garden views", "view of the garden", "view of the gardens", "overlooking the garden",
        "landscape view", "فيو جاردن", "جاردن فيو", "فيو على الجنينة", "فيو جنينة", "فيو حديقة", "فيو على الحديقة",
        "اطلالة على الحديقة", "إطلالة على الحديقة", "اطلالة على الجنينة", "تطل على الحديقة", "view garden",
        "view gnena", "view 3al gnena", "view 3ala el gnena",
    ),
    # Facing north, where Cairo's summer breeze comes from: the first thing an Egyptian buyer asks of a flat ("شقة
    # بحري"). "بحرية" is not it: "اطلالة بحرية" is a sea view.
    "north_facing": (
        "north facing", "north-facing", "facing north", "faces north", "northern exposure", "بحري", "واجهة بحري",
        "وش بحري", "بحري صريح", "ba7ary", "ba7ari", "ba7ry", "bahary", "bahari", "bahry",
    ),
    "corner": (
        "corner", "corner unit", "corner plot", "كورنر", "ناصية", "على ناصية",
        "korner", "kornar", "nasya", "naseya",
    ),
    "balcony": (
        "balcony", "balconies", "terrace", "بلكونة", "بلكونات", "تراس", "ترس", "balkona", "balakona", "teras",
    ),
    "elevator": (
        "elevator", "lift", "اسانسير", "أسانسير", "مصعد", "asansir", "asanseer", "asanser", "asanseir", "asansour",
    ),
    "security": (
        "security", "24/7 security", "gated", "gated community", "حراسة", "سيكيوريتي", "امن وحراسة", "أمن وحراسة",
        "حراسة 24 ساعة", "amn w 7erasa", "amn we 7erasa", "7erasa", "7arasa", "7erasa 24 sa3a", "security 24 sa3a",
    ),
    "maids_room": (
        "maid's room", "maids room", "maid room", "nanny room", "غرفة دادة", "أوضة دادة", "غرفة خادمة", "اوضة شغالة",
    ),
    "basement": ("basement", "بدروم", "بيزمنت", "badrom"),
    "near_beach": (
        "beach", "the beach", "beachfront", "private beach", "first row", "الشاطئ", "شاطئ", "بيتش", "على البحر",
        "قريب من البحر", "beech", "shat", "3al ba7r", "صف اول", "صف أول", "الصف الأول", "الصف الاول", "صف أول بحر",
        "صف أول بحري",
        "3ala el ba7r", "3la el ba7r", "3ala el bahr",
        # "closest to the sea": "انهي اقرب للبحر؟", "a2rab lel ba7r"
        "اقرب للبحر", "أقرب للبحر", "قريبة من البحر", "قريبه من البحر", "a2rab lel ba7r", "2orayeb men el ba7r",
    ),
    "near_schools": ("school", "schools", "international schools", "مدرسة", "مدارس", "مدارس دولية", "madares"),
    "near_mall": ("mall", "malls", "shopping mall", "مول", "المول", "مولات"),
    "near_club": ("club house", "clubhouse", "club", "gym", "كلوب هاوس", "نادي", "جيم", "el nady", "nady"),
    "near_metro": ("metro", "metro station", "monorail", "monorail station", "مترو", "مونوريل", "metro station"),
    "near_airport": ("airport", "cairo airport", "مطار", "المطار", "matar"),
    "near_auc": ("auc", "the auc", "american university", "الجامعة الامريكية", "الجامعة الأمريكية"),
}  # fmt: skip

# A unit's floor as buyers name it, by number (0 the ground floor): "ground floor", "3rd floor", "third floor", "floor
# 3", "الدور التالت", "دور تالت", "الطابق الثالث", "الدور 3". Written from the first word of the floor ("دور") on,
# because the parser reads an Arabic word without its article ("الدور" is "دور"); Franco spellings ("el dor el talet")
# are read from the Arabic ones. A basement is the feature of that name (a villa's), not a floor.
_FLOOR_WORDS = ("floor", "level")
EN_ORDINALS = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth",
)  # fmt: skip
_AR_FLOOR_WORDS = ("دور", "طابق")
# Arabic ordinals without their article, the standard spelling first and then the Egyptian one ("تالت" for "ثالث");
# 11 to 19 add "عشر" ("الحادي عشر"), and Egyptians also say them in one word ("الحداشر"). Ingestion reads floor columns
# with them, the parser a buyer's floor, the demo data writes them.
AR_ORDINALS: dict[int, tuple[str, ...]] = {
    1: ("أول",), 2: ("ثاني", "تاني"), 3: ("ثالث", "تالت"), 4: ("رابع",), 5: ("خامس",), 6: ("سادس",), 7: ("سابع",),
    8: ("ثامن", "تامن"), 9: ("تاسع",), 10: ("عاشر",), 11: ("حادي عشر", "حداشر"), 12: ("ثاني عشر", "تاني عشر", "اتناشر"),
    13: ("ثالث عشر", "تالت عشر", "تلتاشر"), 14: ("رابع عشر", "اربعتاشر"), 15: ("خامس عشر", "خمستاشر"),
    16: ("سادس عشر", "ستاشر"), 17: ("سابع عشر", "سبعتاشر"), 18: ("ثامن عشر", "تامن عشر", "تمنتاشر"),
    19: ("تاسع عشر", "تسعتاشر"), 20: ("عشرين", "عشرون"),
}  # fmt: skip
# "High" and "low" floors, as a decision: the fifth floor up is high (most Cairo buildings have five to twelve), the
# second floor down is low. A pair (field, value): min_floor or max_floor.
FLOOR_HEIGHTS: dict[tuple[str, int], tuple[str, ...]] = {
    ("min_floor", 5): (
        "high floor", "higher floor", "high floors", "upper floor", "upper floors", "دور عالي", "ادوار عالية",
        "أدوار عليا", "ادوار عليا", "دور علوي", "طابق عالي", "طابق مرتفع", "dor 3aly", "dor 3ali", "dor 3aley",
        "dor 3aali", "dor 3aaly", "door 3aly", "adwar 3alya", "adwar 3olya", "dor 3olwy", "dor el 3aly",
        "dor el 3ali", "el dor el 3aly", "el dor el 3ali",
    ),
    ("max_floor", 2): (
        "low floor", "lower floor", "low floors", "دور واطي", "ادوار واطية", "دور قريب", "ادوار قريبة", "dor wa6y",
        "dor wa6i", "dor waty", "dor wati", "adwar wa6ya", "dor 2orayeb", "dor el wa6y", "el dor el wa6y",
    ),
}  # fmt: skip


def digit_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, 21st."""
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def _with_article(ordinals: tuple[str, ...]) -> tuple[str, ...]:
    """Each ordinal as written after "دور" (bare: "دور تالت") and after "الدور" (with the article: "الدور التالت")."""
    return (*ordinals, *("ال" + o for o in ordinals))


def _floor_phrases() -> dict[int, tuple[str, ...]]:
    phrases: dict[int, list[str]] = {
        0: [
            "ground floor", "ground-floor", "groundfloor", "ground level", "دور أرضي", "دور الأرضي", "أرضي",
            "طابق أرضي", "طابق الأرضي", "دور ارضي", "ارضي",
        ]
    }  # fmt: skip
    for n in range(1, 31):
        words = phrases.setdefault(n, [])
        words += [f"{digit_ordinal(n)} {w}" for w in _FLOOR_WORDS] + [
            f"floor {n}",
            f"floor no {n}",
            f"floor number {n}",
        ]
        words += [f"{w} {n}" for w in _AR_FLOOR_WORDS] + [f"{w} رقم {n}" for w in _AR_FLOOR_WORDS]
        if n <= len(EN_ORDINALS):
            words += [f"{EN_ORDINALS[n - 1]} {w}" for w in _FLOOR_WORDS]
        words += [f"{w} {o}" for w in _AR_FLOOR_WORDS for o in _with_article(AR_ORDINALS.get(n, ()))]
    return {n: tuple(words) for n, words in phrases.items()}


FLOORS: dict[int, tuple[str, ...]] = _floor_phrases()


def _floor_pairs() -> dict[tuple[int, int], tuple[str, ...]]:
    """Two floors named with one floor word, from the ground to the tenth: "ground or first floor", "1st or 2nd floor",
    "first or fifth floor", "الدور الأول أو التاني", "الدور التاني أو الخامس" (where "الخامس" alone is New Cairo)."""
    english = {0: ("ground",), **{n: (EN_ORDINALS[n - 1], digit_ordinal(n)) for n in range(1, 11)}}
    arabic = {0: ("الأرضي", "أرضي"), **{n: _with_article(AR_ORDINALS[n]) for n in range(1, 11)}}
    pairs: dict[tuple[int, int], tuple[str, ...]] = {}
    for low, high in itertools.combinations(range(11), 2):
        words = [
            f"{a} {j} {b} {w}" for a in english[low] for b in english[high] for j in ("or", "and") for w in _FLOOR_WORDS
        ]
        words += [
            f"{f} {a} {j} {b}"
            for f in _AR_FLOOR_WORDS
            for a in arabic[low]
            for b in arabic[high]
            for j in ("أو", "ولا")
        ]
        pairs[low, high] = tuple(words)
    return pairs


FLOOR_PAIRS: dict[tuple[int, int], tuple[str, ...]] = _floor_pairs()


DEVELOPERS: tuple[Developer, ...] = (
    Developer("Emaar Misr", ("emaar", "إعمار", "اعمار")),
    Developer("SODIC", ("sodic", "سوديك")),
    Developer("Palm Hills Developments", ("palm hills", "بالم هيلز")),
    Developer("Mountain View", ("mountain view", "ماونتن فيو")),
    Developer("Talaat Moustafa Group", ("tmg", "talaat moustafa", "طلعت مصطفى")),
    Developer("Ora Developers", ("ora", "أورا", "اورا")),
    Developer("Hyde Park Developments", ("hyde park", "هايد بارك")),
    Developer("Tatweer Misr", ("tatweer misr", "تطوير مصر")),
    Developer("Misr Italia Properties", ("misr italia", "مصر ايطاليا", "مصر إيطاليا")),
    Developer("La Vista Developments", ("la vista", "لافيستا", "لا فيستا")),
    Developer("Hassan Allam Properties", ("hassan allam", "حسن علام")),
    Developer("Madinet Masr", ("madinet masr", "مدينة مصر")),
    Developer("Orascom Development", ("orascom", "أوراسكوم", "اوراسكوم")),
    Developer("Al Ahly Sabbour", ("al ahly sabbour", "sabbour", "الأهلي صبور", "صبور")),
    Developer("Better Home", ("better home", "بيتر هوم")),
    Developer("Roya Developments", ("roya", "رؤية")),
    Developer("Al-Futtaim", ("al futtaim", "al-futtaim", "الفطيم")),
    Developer("Inertia", ("inertia", "انيرشيا", "إنرشيا")),
    Developer("Madaar", ("madaar", "مدار")),
)

_COAST = ("Chalet", "Villa", "Townhouse", "Twinhouse", "Penthouse", "Studio")
_CITY = ("Apartment", "Apartment", "Apartment", "Duplex", "Penthouse", "Studio", "Office", "Retail", "Clinic")

AREAS: tuple[Area, ...] = (
    Area(
        "New Cairo",
        68_000,
        (
            "new cairo",
            "fifth settlement",
            "5th settlement",
            "the fifth settlement",
            "tagamoa",
            "el tagamoa",
            "tagamo3",
            "القاهرة الجديدة",
            "التجمع الخامس",
            "التجمع",
            "الخامس",
        ),
        (
            Compound("Mivida", "Emaar Misr", 1.25, ("ميفيدا",)),
            Compound("Hyde Park New Cairo", "Hyde Park Developments", 1.1, ("hyde park", "هايد بارك")),
            Compound("Mountain View iCity", "Mountain View", 1.05, ("icity", "i city", "اي سيتي", "آي سيتي")),
            Compound("Villette", "SODIC", 1.2, ("sodic villette", "فيليت")),
            Compound("Eastown", "SODIC", 1.15, ("east town", "ايستاون")),
            Compound("Palm Hills New Cairo", "Palm Hills Developments", 1.1, ("بالم هيلز القاهرة الجديدة",)),
            Compound("Lake View Residence", "Hassan Allam Properties", 1.0, ("lake view", "ليك فيو")),
            Compound("Cairo Festival City", "Al-Futtaim", 1.2, ("cfc", "festival city", "كايرو فستيفال سيتي")),
            Compound("Taj City", "Madinet Masr", 0.9, ("تاج سيتي",)),
            Compound("Sarai", "Madinet Masr", 0.75, ("سراي",)),
            Compound("Telal East", "Roya Developments", 0.9, ("تلال ايست", "تلال")),
        ),
        standalone_share=0.15,
    ),
    Area(
        "Mostakbal City",
        50_000,
        (
            "mostakbal city",
            "mostakbal",
            "mostaqbal city",
            "future city",
            "مستقبل سيتي",
            "المستقبل سيتي",
            "مدينة المستقبل",
        ),
        (
            Compound("Bloomfields", "Tatweer Misr", 1.05, ("bloom fields", "بلوم فيلدز")),
            Compound("Il Bosco City", "Misr Italia Properties", 1.0, ("ايل بوسكو سيتي",)),
            Compound("HAP Town", "Hassan Allam Properties", 1.1, ("haptown", "هاب تاون")),
            Compound("Mountain View Mostakbal City", "Mountain View", 1.0, ("ماونتن فيو مستقبل",)),
        ),
        standalone_share=0.03,
    ),
    Area(
        "Madinaty",
        46_000,
        ("madinaty", "madinati", "مدينتي"),
        (
            Compound("Madinaty", "Talaat Moustafa Group", 1.0, ("مدينتي",)),
            Compound("Privado", "Talaat Moustafa Group", 1.2, ("برايفادو",)),
        ),
        standalone_share=0.0,
    ),
    Area(
        "Shorouk City",
        40_000,
        ("shorouk city", "el shorouk", "shorouk", "sherouk", "الشروق", "مدينة الشروق"),
        (
            Compound("SODIC East", "SODIC", 1.15, ("sodic east", "سوديك ايست")),
            Compound("Al Burouj", "Al Ahly Sabbour", 1.0, ("burouj", "البروج")),
        ),
        standalone_share=0.2,
    ),
    Area(
        "New Administrative Capital",
        52_000,
        (
            "new administrative capital",
            "administrative capital",
            "new capital",
            "nac",
            "the capital",
            "el capital",
            "العاصمة الإدارية الجديدة",
            "العاصمة الادارية الجديدة",
            "العاصمة الإدارية",
            "العاصمة الادارية",
            "العاصمة",
        ),
        (
            Compound("Il Bosco", "Misr Italia Properties", 1.05, ("il bosco new capital", "ايل بوسكو")),
            Compound("La Vista City", "La Vista Developments", 1.1, ("لافيستا سيتي",)),
            Compound("Midtown Sky", "Better Home", 0.95, ("midtown", "ميدتاون")),
            Compound("Celia", "Talaat Moustafa Group", 1.05, ("سيليا",)),
        ),
        standalone_share=0.05,
    ),
    Area(
        "Sheikh Zayed",
        66_000,
        ("sheikh zayed", "el sheikh zayed", "zayed", "new zayed", "الشيخ زايد", "زايد"),
        (
            Compound("Allegria", "SODIC", 1.3, ("اليجريا", "أليجريا")),
            Compound("ZED West", "Ora Developers", 1.25, ("zed", "زد", "زد ويست")),
            Compound("Belle Vie", "Emaar Misr", 1.1, ("بيل في",)),
            Compound("The Estates", "SODIC", 1.2, ("estates", "ذا استيتس")),
            Compound("Joulz", "Inertia", 0.9, ("جولز",)),
        ),
        standalone_share=0.1,
    ),
    Area(
        "6th of October",
        42_000,
        (
            "6th of october",
            "6th october",
            "6 october",
            "sixth of october",
            "october",
            "october city",
            "السادس من أكتوبر",
            "٦ أكتوبر",
            "6 أكتوبر",
            "أكتوبر",
            "اكتوبر",
        ),
        (
            Compound("Palm Hills October", "Palm Hills Developments", 1.1, ("palm hills october", "بالم هيلز أكتوبر")),
            Compound("Badya", "Palm Hills Developments", 1.0, ("بادية",)),
            Compound("O West", "Orascom Development", 1.15, ("owest", "او ويست")),
            Compound("Mountain View Chillout Park", "Mountain View", 0.95, ("chillout park", "تشيل اوت بارك")),
        ),
        standalone_share=0.15,
    ),
    Area(
        "Maadi",
        45_000,
        ("maadi", "el maadi", "degla", "المعادي", "دجلة"),
        (),
        standalone_share=1.0,
    ),
    Area(
        "Heliopolis",
        42_000,
        ("heliopolis", "masr el gedida", "مصر الجديدة", "هليوبوليس"),
        (),
        standalone_share=1.0,
    ),
    Area(
        "Nasr City",
        34_000,
        ("nasr city", "madinet nasr", "مدينة نصر"),
        (),
        standalone_share=1.0,
    ),
    Area(
        "North Coast",
        90_000,
        ("north coast", "sahel", "el sahel", "ras el hekma", "ras el hikma", "الساحل الشمالي", "الساحل", "راس الحكمة"),
        (
            Compound("Marassi", "Emaar Misr", 1.3, ("مراسي",), _COAST),
            Compound("Hacienda Bay", "Palm Hills Developments", 1.15, ("hacienda", "هاسيندا باي", "هاسيندا"), _COAST),
            Compound("Fouka Bay", "Tatweer Misr", 1.0, ("فوكا باي",), _COAST),
            Compound("Silver Sands", "Ora Developers", 1.2, ("سيلفر ساندز",), _COAST),
            Compound("Mountain View Ras El Hikma", "Mountain View", 1.05, ("ماونتن فيو راس الحكمة",), _COAST),
        ),
        standalone_share=0.0,
        coastal=True,
    ),
    Area(
        "Ain Sokhna",
        55_000,
        ("ain sokhna", "el sokhna", "sokhna", "العين السخنة", "السخنة"),
        (
            Compound(
                "Il Monte Galala", "Tatweer Misr", 1.1, ("monte galala", "galala", "الجلالة", "مونت جلالة"), _COAST
            ),
            Compound("La Vista Gardens", "La Vista Developments", 1.0, ("لافيستا جاردنز",), _COAST),
            Compound("Telal Sokhna", "Roya Developments", 0.95, ("تلال السخنة",), _COAST),
            Compound("Azha", "Madaar", 1.05, ("ازها", "أزها"), _COAST),
        ),
        standalone_share=0.0,
        coastal=True,
    ),
)

CITY_TYPES = _CITY


@dataclass(frozen=True)
class Place:
    """A place buyers name where the demo has no listings: known by all its spellings to the parser and to the ingest,
    so a brokerage's own listings there are found by their place (and a search there says it found none, rather than
    offering listings elsewhere); the demo generator draws from AREAS alone."""

    name: str
    aliases: tuple[str, ...]


# Districts of Cairo and Giza, the Red Sea and Sinai resorts and Egypt's second city. Franco spellings come from the
# Arabic ones (franco.py), misspellings from the English ones (spelling.py); the English words that came near them
# are in franco.ENGLISH_LOOKALIKES ("share", "charm", "gonna"). The demo generator does not read these, so adding them
# changed no demo listing. Places inside an area of AREAS (El Alamein on the North Coast, Katameya in New Cairo) are
# not listed: they are AREA_PARTS, read as their area.
PLACES: tuple[Place, ...] = (
    Place("Zamalek", ("zamalek", "el zamalek", "الزمالك", "زمالك")),
    Place("Mohandessin", ("mohandessin", "mohandeseen", "mohandesin", "el mohandessin", "el mohandeseen", "المهندسين")),
    Place("Dokki", ("dokki", "doqqi", "el dokki", "الدقي")),
    Place("Mokattam", ("mokattam", "moqattam", "el mokattam", "المقطم")),
    Place(
        "Rehab City",
        ("rehab city", "el rehab city", "al rehab city", "rehab", "el rehab", "al rehab", "الرحاب", "مدينة الرحاب"),
    ),
    Place("Obour City", ("obour city", "el obour city", "obour", "el obour", "العبور", "مدينة العبور")),
    Place(
        "Alexandria",
        ("alexandria", "alex", "eskandareya", "eskendereya", "الإسكندرية", "الاسكندرية", "إسكندرية", "اسكندرية"),
    ),
    Place("Hurghada", ("hurghada", "hurgada", "ghardaqa", "el ghardaqa", "الغردقة", "غردقة")),
    Place("El Gouna", ("el gouna", "gouna", "al gouna", "الجونة")),
    Place("Sahl Hasheesh", ("sahl hasheesh", "sahl hashish", "sahel hasheesh", "sahel hashish", "سهل حشيش")),
    Place("Soma Bay", ("soma bay", "سوما باي")),
    Place("Makadi Bay", ("makadi bay", "makadi", "مكادي", "مكادي باي")),
    Place("Marsa Alam", ("marsa alam", "مرسى علم", "مرسي علم", "مرسا علم")),
    Place("Sharm El Sheikh", ("sharm el sheikh", "sharm el-sheikh", "sharm", "شرم الشيخ", "شرم")),
    Place("Ras Sudr", ("ras sudr", "ras sedr", "راس سدر", "رأس سدر")),
    Place("Dahab", ("dahab", "دهب")),
    # Not "Matrouh" alone: the governorate, which an export's city column names for the North Coast too.
    Place("Marsa Matrouh", ("marsa matrouh", "marsa matruh", "مرسى مطروح", "مرسي مطروح")),
    Place("Ras El Bar", ("ras el bar", "ras elbar", "راس البر", "رأس البر")),
    Place("New Damietta", ("new damietta", "damietta el gedida", "دمياط الجديدة")),
    # Cairo and Giza's older districts, where most resale flats are.
    Place("Garden City", ("garden city", "جاردن سيتي", "جاردن ستي", "جاردن سيتى")),
    # Not "downtown" alone: the New Capital has one too.
    Place("Downtown Cairo", ("downtown cairo", "wust el balad", "west el balad", "وسط البلد", "وسط القاهرة")),
    Place("Manial", ("manial", "el manial", "manyal", "el manyal", "المنيل")),
    Place("Agouza", ("agouza", "el agouza", "العجوزة")),
    # "El Haram", never "haram" alone: Franco for "forbidden", and Egyptian for "a crime" ("el as3ar di haram").
    Place("El Haram", ("al haram", "haram street", "haram district", "الهرم", "شارع الهرم")),
    Place("Faisal", ("faisal", "faisal street", "feisal", "فيصل", "شارع فيصل")),
    Place(
        "Hadayek El Ahram",
        ("hadayek el ahram", "hadaek el ahram", "pyramids gardens", "حدائق الأهرام", "حدائق الاهرام"),
    ),
    Place("Helwan", ("helwan", "حلوان")),
    Place("Shubra", ("shubra", "shoubra", "shobra", "شبرا")),
    Place("Ain Shams", ("ain shams", "ein shams", "عين شمس")),
    Place("Badr City", ("badr city", "el badr city", "مدينة بدر")),
    Place("10th of Ramadan", ("10th of ramadan", "tenth of ramadan", "العاشر من رمضان", "مدينة العاشر من رمضان")),
)

# Neighbourhoods, streets and resorts inside an area of AREAS, which buyers name instead of it: a listing there is
# filed under its area (a filter on the smaller place would miss the listings filed under the area), so each reads
# as its area, in a query and in an export's location column. Not the areas' own aliases, which the demo generator
# draws from: adding one here changes no demo listing.
AREA_PARTS: dict[str, tuple[str, ...]] = {
    "New Cairo": (
        "katameya", "kattameya", "katamya", "el katameya", "القطامية", "first settlement", "1st settlement",
        "التجمع الأول", "التجمع الاول", "third settlement", "التجمع الثالث", "el narges", "narges", "النرجس",
        "el yasmeen", "yasmeen", "الياسمين", "el banafseg", "banafseg", "البنفسج", "90th street", "north 90th",
        "south 90th", "شارع التسعين", "التسعين الشمالي", "التسعين الجنوبي", "el lotus", "اللوتس", "beit el watan",
        "بيت الوطن",
    ),
    "North Coast": (
        "el alamein", "alamein", "new alamein", "el alamein el gedida", "العلمين", "العلمين الجديدة",
        "sidi abdel rahman", "sidi abdelrahman", "سيدي عبد الرحمن", "sidi heneish", "سيدي حنيش", "el dabaa", "dabaa",
        "الضبعة", "marina el alamein", "marina alamein", "مارينا العلمين",  # not "marina" alone: Hurghada has one
    ),
    "6th of October": ("hadayek october", "hadaek october", "حدائق أكتوبر", "حدائق اكتوبر"),
    # The areas' longer names, which the demo's own aliases leave out (the generator draws from those).
    "Sheikh Zayed": ("sheikh zayed city", "el sheikh zayed city", "zayed city", "مدينة الشيخ زايد", "new sheikh zayed",
                     "زايد الجديدة", "الشيخ زايد الجديدة", "zayed el gedida", "sheikh zayed el gedida",
                     "el sheikh zayed el gedida"),
    "Ain Sokhna": ("ain el sokhna", "ein el sokhna", "ein sokhna", "el ain el sokhna"),
    "Heliopolis": ("korba", "el korba", "الكوربة", "sheraton", "شيراتون", "el nozha", "nozha", "النزهة"),
    "Nasr City": ("abbas el akkad", "عباس العقاد", "makram ebeid", "مكرم عبيد", "el hay el asher", "الحي العاشر"),
    "Maadi": ("zahraa el maadi", "زهراء المعادي", "sarayat el maadi", "سرايات المعادي", "cornish el maadi",
              "كورنيش المعادي"),
}  # fmt: skip


@dataclass(frozen=True)
class Region:
    """A name buyers give a group of places ("Giza", "East Cairo", "البحر الأحمر"): a search there is a search in every
    one of its places. Never a listing's place: the ingest reads a governorate in an export's city column apart
    (ingest_records)."""

    name: str
    aliases: tuple[str, ...]
    places: tuple[str, ...]


_CAIRO_EAST = (
    "New Cairo", "Mostakbal City", "Madinaty", "Shorouk City", "New Administrative Capital", "Rehab City", "Badr City",
)  # fmt: skip
_CAIRO = (
    *_CAIRO_EAST, "Maadi", "Heliopolis", "Nasr City", "Zamalek", "Mokattam", "Garden City", "Downtown Cairo", "Manial",
    "Helwan", "Shubra", "Ain Shams",
)  # fmt: skip
_GIZA = (
    "Sheikh Zayed", "6th of October", "Mohandessin", "Dokki", "Agouza", "El Haram", "Faisal", "Hadayek El Ahram",
)  # fmt: skip

# Governorates and the regions brokers sell by, as decisions: Cairo is its governorate with the new cities of its east
# (the New Capital among them, as buyers count it; Obour is Qalyubia's); East Cairo is those new cities and Obour
# (not Heliopolis or Nasr City, older districts brokers sell apart); West Cairo is Sheikh Zayed and 6th of October;
# Greater Cairo is Cairo, Giza and Obour. The Red Sea is its governorate's resorts (not Ain Sokhna, which is Suez's);
# Sinai is South Sinai's (the only Sinai places known); Matrouh is its governorate: the North Coast and Marsa Matrouh.
# Not "Alexandria": a place of its own. The Arabic names are spelt out; Franco and misspellings come from them and
# from the English ones, as for every name (query_parser).
REGIONS: tuple[Region, ...] = (
    Region("Cairo", ("cairo", "cairo governorate", "القاهرة", "محافظة القاهرة"), _CAIRO),
    Region("Giza", ("giza", "el giza", "al giza", "giza governorate", "الجيزة", "جيزة", "محافظة الجيزة"), _GIZA),
    Region(
        "Greater Cairo",
        ("greater cairo", "grand cairo", "cairo and giza", "القاهرة الكبرى", "القاهرة والجيزة", "القاهرة الكبري"),
        (*_CAIRO, *_GIZA, "Obour City"),
    ),
    Region("East Cairo", ("east cairo", "eastern cairo", "شرق القاهرة"), (*_CAIRO_EAST, "Obour City")),
    Region("West Cairo", ("west cairo", "western cairo", "غرب القاهرة"), ("Sheikh Zayed", "6th of October")),
    Region(
        "Red Sea",
        ("red sea", "the red sea", "red sea governorate", "البحر الأحمر", "البحر الاحمر"),
        ("Hurghada", "El Gouna", "Sahl Hasheesh", "Soma Bay", "Makadi Bay", "Marsa Alam"),
    ),
    Region(
        "South Sinai",
        ("south sinai", "sinai", "جنوب سيناء", "سيناء"),
        ("Sharm El Sheikh", "Dahab", "Ras Sudr"),
    ),
    # Not "مطروح" alone: "المطروح" is "on offer" ("السعر المطروح", the asking price).
    Region("Matrouh", ("matrouh", "matruh", "matrouh governorate", "محافظة مطروح"), ("North Coast", "Marsa Matrouh")),
    Region("Damietta", ("damietta", "دمياط"), ("New Damietta", "Ras El Bar")),
)
REGION_PLACES: dict[str, tuple[str, ...]] = {region.name: region.places for region in REGIONS}
# What a filter on a region matches: its places, then the listings filed under the region itself or under a region
# inside it (an export whose only place is "الجيزة" or "Giza Governorate" is filed as "Giza": ingest_records).
REGION_LOCATIONS: dict[str, tuple[str, ...]] = {
    region.name: (*region.places, *(other.name for other in REGIONS if set(other.places) <= set(region.places)))
    for region in REGIONS
}

# Phrases that name a region or a place without being in it: roads between cities ("the Cairo-Alex desert road",
# "طريق مصر اسكندرية") and landmarks named after a city ("Cairo University" is in Giza). The parser leaves them in the
# text, never reads them as places.
LANDMARKS: tuple[str, ...] = (
    "cairo alex", "cairo alexandria", "cairo-alex", "alex desert road", "alexandria desert road", "cairo suez",
    "cairo ismailia", "مصر اسكندرية", "مصر الاسكندرية", "مصر إسكندرية", "مصر الإسكندرية", "القاهرة السويس",
    "القاهرة الاسماعيلية", "القاهرة الإسماعيلية", "cairo university", "جامعة القاهرة",
)  # fmt: skip

# Every place's canonical name and its spellings: the demo's areas, then the other places.
AREA_SPELLINGS: dict[str, tuple[str, ...]] = {
    **{area.name: (area.name, *area.aliases, *AREA_PARTS.get(area.name, ())) for area in AREAS},
    **{place.name: (place.name, *place.aliases) for place in PLACES},
}
AREA_NAMES: tuple[str, ...] = tuple(AREA_SPELLINGS)
COMPOUND_NAMES: tuple[str, ...] = tuple(compound.name for area in AREAS for compound in area.compounds)
DEVELOPER_NAMES: tuple[str, ...] = tuple(developer.name for developer in DEVELOPERS)


# How a page or a reply in Arabic names each area, place, compound and developer: its first Arabic spelling, unless
# the fuller name below (an Arabic short name is how buyers type a brand, "اي سيتي", not how to show it).
_ARABIC_DISPLAY = {
    "Mountain View iCity": "ماونتن فيو آي سيتي",
    "ZED West": "زد ويست",
    "Il Monte Galala": "إل مونت جلالة",
    "Telal East": "تلال إيست",
    "Emaar Misr": "إعمار مصر",
    "Allegria": "أليجريا",
    "O West": "أو ويست",
    "Mountain View Chillout Park": "ماونتن فيو تشيل أوت بارك",
    "Talaat Moustafa Group": "مجموعة طلعت مصطفى",
    "Matrouh": "مطروح",
}


def _arabic_of(name: str, aliases: tuple[str, ...]) -> str | None:
    return _ARABIC_DISPLAY.get(name) or next((a for a in aliases if "\u0600" <= a[0] <= "\u06ff"), None)


ARABIC_NAMES: dict[str, str] = {
    name: arabic
    for name, arabic in (
        *((area.name, _arabic_of(area.name, area.aliases)) for area in AREAS),
        *((place.name, _arabic_of(place.name, place.aliases)) for place in PLACES),
        *((c.name, _arabic_of(c.name, c.aliases)) for area in AREAS for c in area.compounds),
        *((d.name, _arabic_of(d.name, d.aliases)) for d in DEVELOPERS),
        *((region.name, _arabic_of(region.name, region.aliases)) for region in REGIONS),
    )
    if arabic is not None
}


# Every name the search knows, for a client's suggestions and Arabic labels: (kind, name, Arabic name, its area).
KNOWN_NAMES: tuple[tuple[str, str, str, str | None], ...] = (
    *(("area", area.name, ARABIC_NAMES[area.name], None) for area in AREAS),
    *(("area", place.name, ARABIC_NAMES[place.name], None) for place in PLACES),
    *(("region", region.name, ARABIC_NAMES[region.name], None) for region in REGIONS),
    *(("compound", c.name, ARABIC_NAMES[c.name], area.name) for area in AREAS for c in area.compounds),
    *(("developer", d.name, ARABIC_NAMES[d.name], None) for d in DEVELOPERS),
)


def name_key(name: str) -> str:
    """How a name a client sends is looked up among the spellings above: normalised as the parser reads a query
    (normalise.py: case, tatweel, diacritics, one spelling of hamza'd alef, taa marbuta and alef maqsura), so
    "الجيزه", "El  Giza" and "التجمع الخامس" each find their name; two spellings with the same key are the same name."""
    return fold(clean_query(name))


def area_of_compound(compound: str) -> str | None:
    for area in AREAS:
        if any(c.name == compound for c in area.compounds):
            return area.name
    return None
