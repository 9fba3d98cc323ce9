"""Franco-Arabic, Egyptian Arabic typed in Latin letters and digits ("sha2a fel tagamo3 ta7t 5 milyon"): the everyday
words the parser's patterns take in this script, and the transliteration that reads a Latin word as one of the
gazetteer's Arabic names, so a place added to the gazetteer in Arabic is understood in Franco without a new alias.

How a Latin word is compared with an Arabic name: both become a consonant skeleton in one alphabet (2/q/8/g/gh/j and
ق/ء/غ/ج are one letter, because Cairenes say ق as a hamza and write ج as g; 7/h and ح/ه; 5/kh and خ; 9/s and ص/س;
sh/ch and ش; v/f, p/b; a final h is dropped on both sides, being a taa marbuta or a silent ه; a letter doubled is one),
with the vowels between the consonants kept aside. Short vowels are not written in Arabic and are free in Franco, so
only the long vowels of the Arabic name must be there in the Latin word's vowels at the same place (ا as "a", و as
o/u/w, ي as i/e/y; an initial ا as any vowel; ع as "3" or anything). A word without a Franco digit (2, 3, 5, 7, 8, 9)
must also have three consonants or more: "fill", "file" and "fellow" share the skeleton of فيلا, so the short Franco
spellings of everyday words are listed (`SHORT_SPELLINGS`) rather than guessed, and the English words that happen to
fit an Arabic name are never read as one (`ENGLISH_LOOKALIKES`, checked by a test against an English word list), nor
are everyday Franco words that do ("3omara", a building, is not Emaar: `EVERYDAY_LOOKALIKES`).
"""  # noqa: RUF002

from __future__ import annotations

from dataclasses import dataclass

# ---- the lexicon, taken by the parser's patterns ----

NUMBERS: dict[str, int] = {
    "wa7ed": 1, "wa7da": 1, "wahed": 1, "wahda": 1,
    "etnen": 2, "etneen": 2, "itnen": 2, "itneen": 2, "tnen": 2,
    "talat": 3, "talata": 3, "tlata": 3, "tlat": 3, "talatt": 3,
    "arba3": 4, "arba3a": 4, "arb3a": 4, "arbaa": 4,
    "khamsa": 5, "5amsa": 5, "5ams": 5, "khams": 5,
    "setta": 6, "sitta": 6,
    "sab3a": 7, "saba3": 7, "sabaa": 7,
    "tamanya": 8, "tamania": 8, "taman": 8,
    "tes3a": 9, "tis3a": 9, "tesa3": 9,
    "3ashra": 10, "3ashara": 10, "3ashar": 10,
}  # fmt: skip
AT_MOST = (
    "a2al men", "a2al mn", "a2al min", "2a2al men", "2a2al mn", "b a2al men", "ba2al men", "b2al men", "a2al",
    "b2a2al men", "b2a2al mn", "b 2a2al men", "b 2a2al mn", "be2a2al men", "bi2a2al men", "b2a2al min",
    "mesh aktar men", "msh aktar mn", "mesh aktar mn", "msh aktar men", "mish aktar min", "mesh aktar min",
    "ta7t", "ta7t el", "tah t", "le7ad", "l7ad", "la7ad", "le7d", "lehad", "lghayet", "le8ayet", "bel kteer",
)  # fmt: skip
AT_LEAST = (
    "aktar men", "aktar mn", "aktar min", "akbar men", "akbar mn", "fo2", "foo2", "fou2", "mesh a2al men",
    "msh a2al mn", "mesh a2al mn", "msh a2al men", "3ala el a2al", "3al a2al", "men", "mn",
)  # fmt: skip
# Ranges: "men 3 le 5 milyon", "bein 3 w 5 milyon", "men 100 l 150 metr".
RANGE_BETWEEN = ("bein", "ben", "beyn", "bain", "ma bein", "ma ben", "mabein")
RANGE_FROM = ("men", "mn", "min")
RANGE_TO = ("le", "l", "lel", "la", "ela", "ila", "le7ad", "l7ad", "la7ad", "lghayet", "le8ayet")
RANGE_AND = ("w", "we", "wa", "le", "l", "ela", "ila")
AROUND = (
    "7adod", "7dod", "7odod", "7odood", "7dood", "fe 7dod", "fi 7dod", "f 7dod", "fi 7odod", "fe 7odod", "fi 7odood",
    "fe 7odood", "fi 7adod", "fe 7adod", "f 7odod", "7awaly", "7awali", "7waly", "ta2riban", "ta2reban", "t2reban",
)  # fmt: skip
# Payment plans, down payments, monthly amounts and sizes: "ta2seet 3ala 8 sneen", "bedon mo2addam", "mo2addam 10%",
# "2est 30 alf fel shahr", "150 metr".
INSTALLMENTS = (
    "ta2seet", "ta2set", "taqseet", "taqset", "tassit", "bel ta2seet", "bel ta2set", "bl ta2seet", "bel taqseet",
    "2a2sat", "a2sat", "el 2a2sat", "3ala 2a2sat", "nezam sadad", "nezam ta2seet",
)  # fmt: skip
TERM_PREPOSITIONS = ("3ala", "3la", "3al", "3ala modar", "3la modar", "le modet", "lmodet", "le7ad", "l7ad", "la7ad")
YEARS = ("sneen", "snin", "seneen", "senin", "sanawat", "snawat", "sana")
TWO_YEARS = ("santen", "sanaten", "sanateen", "sanatein", "sentein")
WITHIN = ("ba3d", "b3d", "khelal", "5elal", "fe khelal", "f khelal")
NEXT_YEAR = ("el sana el gaya", "el sana el gayya", "el sana elly gaya", "el sana elli gaya", "el 3am el gay")
THIS_YEAR = ("el sana di", "el sana de", "el sana dy", "el sanadi")
_DOWN = ("mo2addam", "mo2adam", "mo2dam", "moqaddam", "moqadam", "mokadam", "mokaddam")
DOWN_PAYMENT = (*_DOWN, *(f"el {d}" for d in _DOWN), *(f"b {d}" for d in _DOWN), *(f"b{d}" for d in _DOWN))
NO_DOWN_PAYMENT = (
    *(f"{cue} {d}" for cue in ("bedon", "bdon", "bedoon", "bdoon", "men gher", "mn gher", "men 8er", "mn 8er",
                               "mafish", "mafeesh", "mfesh", "mfish", "mn ghir") for d in _DOWN),
    *(f"{d} {zero}" for d in _DOWN for zero in ("sefr", "0")),
)  # fmt: skip
PERCENT = ("fel meya", "fel mya", "fel miya", "f el meya", "fl meya", "fl mya", "bel meya", "fel maya")
MONTHLY_BEFORE = ("2est", "2st", "el 2est", "2est shahry", "2est shahri", "el 2est el shahry", "2esto")
MONTHLY_AFTER = ("fel shahr", "fl shahr", "f el shahr", "bel shahr", "kol shahr", "shahry", "shahri", "shahreyan")
SIZE_UNITS = ("metr", "metra", "mitr", "metr mraba3", "metr morabba3", "metr mrb3", "mtr mraba3")
SIZE_WORDS = (
    "masa7a", "mesa7a", "masaha", "mesaha", "masa7t", "masa7etha", "masa7to", "el masa7a", "b masa7a", "bmasa7a",
)  # fmt: skip
BIGGER = ("akbar men", "akbar mn", "akbar min", "2akbar men", "awsa3 men", "awsa3 mn", "2awsa3 men")
SMALLER = ("as8ar men", "as8ar mn", "asghar men", "asghar mn", "as3'ar men", "2as8ar men")
DELIVERY = (
    "estlam", "el estlam", "estelam", "el estelam", "2stlam", "tasleem", "el tasleem", "mo3ad el estlam",
    "me3ad el estlam", "ma3ad el estlam",
)  # fmt: skip
READY = (
    "estlam fawry", "estlam fawri", "estelam fawry", "estelam fawri", "tasleem fawry", "gahez", "gahza",
    "gahez lel sakan", "gahza lel sakan", "gahza lel estlam", "gahez lel estlam", "metsallem", "metsalma",
)  # fmt: skip
OFF_PLAN = ("ta7t el ensha2", "ta7t el insha2", "ta7t el tanfeez", "mesh gahza", "msh gahza", "mesh gahez", "msh gahez")
CASH = ("kash", "bel kash", "cash bas", "kash bas")
ROOM_WORDS = (
    "ghorfa", "ghorfet", "ghoraf", "ghorf", "8orfa", "8oraf", "ghorfa nom", "ghorfet nom", "ghoraf nom", "8oraf nom",
    "owad", "ewad", "oad", "2owad", "oda", "ouda", "2oda", "odda", "owad nom", "oad nom",
    "nom",  # "3 nom", as listings write "٣ نوم": three bedrooms
)  # fmt: skip
TWO_ROOMS = (
    "ghorfeteen", "ghorftein", "ghorfetin", "ghorfteen", "ghorfetein", "8orfeteen", "oodteen", "odteen", "oodtein",
    "odtein", "2odteen", "ouodteen", "odteen nom", "oodteen nom", "ghorfeteen nom",
)  # fmt: skip
BATH_WORDS = (
    "7amam", "7mam", "7ammam", "7amamat", "7amammat", "7mamat", "hammam", "hamam", "hammamat", "hamamat",
)  # fmt: skip
TWO_BATHS = ("7amamen", "7amameen", "7amamein", "7mamen", "7mameen", "hamamen", "hammamein")
ONE_ROOM = ("ghorfa wa7da", "ghorfa wahda", "oda wa7da", "ouda wa7da", "oda wahda", "ghorfet nom wa7da",
            "oda w sala", "oda we sala", "ouda w sala", "ooda w sala", "ghorfa w sala", "ghorfa we sala",
            "ghorfa w reception", "oda w reception")  # fmt: skip
FILLERS = (
    "3ayez", "3awez", "3ayz", "3awz", "3ayza", "3awza", "3ayzeen", "3awzeen", "ana 3ayez", "ana 3awez", "ana 3ayz",
    "ana 3awz", "me7tag", "mehtag", "m7tag", "ana me7tag", "law sama7t", "lw sm7t", "lel be3", "lel bee3", "lel bei3",
    "badawar 3ala", "bdawar 3la", "bdwr 3la", "momken", "mumkin", "el ba2y", "w el ba2y", "wel ba2y", "we el ba2y",
    "ashtery", "ashtry", "ashtri", "a4tery", "neshtery", "2ashtery", "tamleek", "tamlik", "lel tamleek",
)  # fmt: skip
# Little words that joined a phrase to the rest ("fi", "men", "b"): dropped from the edges of the leftover text.
CONNECTORS = (
    "fi", "f", "fe", "fy", "men", "mn", "b", "bi", "be", "w", "we", "wa", "aw", "walla", "wala", "ana", "ya", "3ala",
    "3la", "3al", "le", "li", "l", "el", "al", "il", "fel", "fl", "bel", "bl", "lel", "wel", "ely", "elly", "eli",
    "feha", "fiha", "yekon", "tekon", "bas", "kaman",
)  # fmt: skip
# An article written apart, or a preposition fused with one ("fel" is "fi el"): part of the place it stands before.
ARTICLES = frozenset({"el", "al", "il", "fel", "bel", "lel", "wel"})
NEGATION_CUES = (
    "mesh", "msh", "mish", "mosh", "mesh 3ayez", "msh 3ayez", "mesh 3awez", "msh 3awez", "msh 3ayz", "mesh 3ayz",
    "msh 3awz", "mesh 3awz", "ma3ada", "ma3da", "ma 3ada", "gher", "ghir", "8er", "men gher", "mn gher", "men 8er",
    "mn 8er", "balash", "ba3ed 3an", "b3ed 3n", "b3eed 3an", "ba3id 3an", "bedon", "bdon", "bedoon", "bidon",
    "min gher",
)  # fmt: skip
LOCATION_FILLERS = ("fi", "f", "fe", "fy", "b", "men", "mn", "mante2et", "mant2a")
# Short Franco spellings (two consonants or fewer, no digit), each with the Arabic word it spells.
SHORT_SPELLINGS: dict[str, str] = {
    "shaqa": "شقة", "shaqqa": "شقة", "shaka": "شقة", "sha2a": "شقة", "shoqaq": "شقق", "sho2a2": "شقق",
    "fella": "فيلا", "fila": "فيلا", "filla": "فيلا", "feila": "فيلا", "vella": "فيلا", "fellal": "فلل",
    "felal": "فلل", "shale": "شاليه", "shaleh": "شاليه", "shalih": "شاليه", "shalee": "شاليه", "shaly": "شاليه",
    "shalet": "شاليه", "shalehat": "شاليهات", "zayd": "زايد", "zaid": "زايد", "maadi": "المعادي", "sahl": "الساحل",
    "s7el": "الساحل", "sa7l": "الساحل", "3ashma": "العاصمة", "asema": "العاصمة", "asma": "العاصمة",
    "tagamoa": "التجمع", "tagamo": "التجمع",
    "tagamu": "التجمع", "tagmo3": "التجمع", "tagamo3": "التجمع",
    "dor": "دور", "dour": "دور", "door": "دور", "ardy": "ارضي", "ardi": "ارضي", "ardey": "ارضي", "ar4y": "ارضي",
    "tany": "تاني", "tani": "تاني", "awel": "اول", "awal": "اول", "2awel": "اول", "awl": "اول",
    "nos": "نص", "noss": "نص", "nus": "نص", "shaa": "شقة", "sheqa": "شقة", "she2a": "شقة",
    "aw": "أو", "walla": "ولا", "wala": "ولا",  # inside a name only: "el dor el awal aw el tany"
    "ras": "راس", "raas": "راس",  # "ras el 7ekma", "ras sedr"
    "geeza": "الجيزة", "geza": "الجيزة", "gizah": "الجيزة", "sina": "سيناء", "seena": "سيناء",
}  # fmt: skip
# English words that would be read as a name, by their Franco letters or as a misspelling ("story" is not "store"):
# never read as one. tests/unit/test_franco.py finds them in an English word list.
ENGLISH_LOOKALIKES = frozenset(
    {
        "officer", "clinical", "stored", "storey", "spur", "admit", "dammit",
        "affiliate", "allergic", "anarchy", "aston", "baroque", "borough", "chalmers", "della", "department",
        "departments", "detail", "easton", "estate", "estimate", "estimates", "estonia", "fatima", "flags", "flaps",
        "flaws", "floats", "hesitate", "lowest", "mahal", "mediation", "offences", "officers", "owes", "retailer",
        "retain", "sara", "sarah", "score", "scores", "sherlock", "ships", "shoes", "shore", "shores", "shots", "shows",
        "shrug", "sonic", "sore", "spores", "stare", "stares", "starters", "states", "statutes", "stoke", "stokes",
        "stole", "stone", "stones", "stops", "stories", "storm", "storms", "story", "stove", "studies", "study",
        "swore", "tore", "villages", "villains", "ville", "viola", "violate", "violet", "weston",
        # near the places without demo listings (gazetteer.PLACES): Sharm, El Gouna, Alexandria, Obour
        "alexandra", "alexandre", "charm", "chrome", "gonna", "harm", "sham", "share", "shark", "sharma", "sharp",
        "swarm", "wilbur",
        # near the places and neighbourhoods added on 5 December (Faisal, Manial, Garden City, Korba, Helwan, Haram,
        # El Lotus, Shubra, El Dabaa, El Narges, Marsa Matrouh); "visla" is a misspelt villa or vista, not Faisal
        "arden", "barges", "chopra", "corp", "curb", "dhabi", "emanuel", "emmanuel", "energies", "garde", "guardian",
        "halloween", "hara", "harden", "hiram", "korea", "lots", "mandal", "mania", "manila", "manual", "manuel",
        "motorway", "vessel", "visla", "visual", "visually", "warden",
    }
)  # fmt: skip
# Everyday Franco words that fit a name's letters, or lie a letter from one: never read as one. "3omara" is عمارة (a
# building: "sha2a fi 3omara gdida"), not إعمار (Emaar); "hadya" is هادية (quiet), not Badya; "daye2a" is ضيقة (narrow),
# not الدقي (Dokki).
EVERYDAY_LOOKALIKES = frozenset(
    {
        "3omara", "3emara", "3amara", "3omarat", "3emarat", "3amarat", "3omaret", "3emaret",
        "hadya", "hadia", "hadyaa", "hady", "hadi", "hadye",
        "daye2a", "daye2", "dayqa", "dayya2a", "day2a",
    }
)  # fmt: skip

# ---- the transliteration ----

_LATIN_PAIRS = {"sh": "S", "ch": "S", "kh": "x", "gh": "q", "ph": "f", "ck": "k"}
_LATIN = {
    "b": "b", "p": "b", "f": "f", "v": "f", "g": "q", "j": "q", "q": "q", "2": "q", "8": "q", "k": "k", "c": "k",
    "x": "ks", "z": "z", "s": "s", "9": "s", "h": "h", "7": "h", "5": "x", "6": "t", "4": "S", "t": "t", "d": "d",
    "l": "l", "m": "m", "n": "n", "r": "r",
}  # fmt: skip
_LATIN_VOWELS = frozenset("aeiouyw3")
_ARABIC = {
    "ء": "q", "ئ": "q", "ؤ": "q", "ق": "q", "غ": "q", "ج": "q", "ك": "k", "ش": "S", "س": "s", "ص": "s", "ث": "t",
    "ذ": "z", "ظ": "z", "ز": "z", "ض": "d", "د": "d", "ط": "t", "ت": "t", "خ": "x", "ح": "h", "ه": "h", "ب": "b",
    "ف": "f", "م": "m", "ن": "n", "ل": "l", "ر": "r",
}  # fmt: skip
_ARABIC_VOWELS = frozenset("اويىعة")
# The Latin vowels that write each Arabic long vowel.
_WRITTEN_AS = {"ا": frozenset("a"), "و": frozenset("ouw"), "ي": frozenset("ieyw"), "ى": frozenset("aiey")}
_ANY_VOWEL = frozenset("aeiou")
FRANCO_DIGITS = frozenset("235789")


@dataclass(frozen=True, slots=True)
class Skeleton:
    consonants: str
    vowels: tuple[str, ...]  # the vowels before, between and after the consonants (one more than consonants)


def skeleton(word: str) -> Skeleton | None:
    """A folded Latin or Arabic word as its consonants in one alphabet and the vowels around them; None for a word
    with a character of neither script."""
    arabic = "\u0600" <= word[:1] <= "\u06ff"
    consonants: list[str] = []
    vowels = [""]
    i = 0
    while i < len(word):
        char = word[i]
        if arabic:
            if char in _ARABIC_VOWELS:
                vowels[-1] += char
                i += 1
                continue
            mapped = _ARABIC.get(char)
            i += 1
        elif word[i : i + 2] in _LATIN_PAIRS:
            mapped = _LATIN_PAIRS[word[i : i + 2]]
            i += 2
        elif char in _LATIN_VOWELS:
            vowels[-1] += char
            i += 1
            continue
        else:
            mapped = _LATIN.get(char)
            i += 1
        if mapped is None:
            return None
        for letter in mapped:
            if consonants and consonants[-1] == letter and not vowels[-1]:
                continue  # a doubled letter (shadda is not written)
            consonants.append(letter)
            vowels.append("")
    if len(consonants) > 1 and consonants[-1] == "h":  # taa marbuta, a silent final ه, "shaleh"
        consonants.pop()
        last = vowels.pop()
        vowels[-1] += last
    return Skeleton("".join(consonants), tuple(vowels))


# A final ي may have been an alef maqsura, said "a", before the parser's fold made it one ("الكبرى" is "el kobra").
_FINAL_YAA = _WRITTEN_AS["ي"] | _WRITTEN_AS["ى"]


def _fits(latin: Skeleton, arabic: Skeleton) -> bool:
    last = len(arabic.vowels) - 1
    for place, (written, long_vowels) in enumerate(zip(latin.vowels, arabic.vowels, strict=True)):
        wanted = [v for v in long_vowels if v in _WRITTEN_AS]
        if not wanted:
            continue
        if place == 0 and wanted[0] == "ا":  # an initial alef carried a hamza of any vowel (folded away)
            if not _ANY_VOWEL.intersection(written):
                return False
        elif not any(
            (_FINAL_YAA if place == last and v == "ي" else _WRITTEN_AS[v]).intersection(written) for v in wanted
        ):
            return False
    return True


def _arabic_forms(word: str) -> list[str]:
    # "اليجريا" is a name starting with "ال", "التجمع" an article and a name: both readings are kept.
    return [word, word[2:]] if word.startswith("ال") and len(word) > 3 else [word]


class FrancoIndex:
    """The Arabic words of a vocabulary by skeleton, for reading a Latin word as one of them."""

    def __init__(self, arabic_words: set[str]) -> None:
        self._by_consonants: dict[str, list[tuple[str, Skeleton]]] = {}
        for word in sorted(arabic_words):
            for form in _arabic_forms(word):
                shape = skeleton(form)
                if shape is not None and shape.consonants:
                    self._by_consonants.setdefault(shape.consonants, []).append((word, shape))
        self._words = arabic_words

    def spelled(self, latin: str, short_spellings: dict[str, str], within: bool = False) -> tuple[str, ...]:
        """The vocabulary's Arabic words that the Latin word spells (empty when none). `within` a longer name, a
        word of two consonants without a Franco digit is read too: the rest of the name must follow."""
        listed = short_spellings.get(latin)
        if listed is not None:  # and with its article, which a name may write on it ("التجمع الاول": "el awal")
            return tuple(w for w in (listed, f"ال{listed}") if w in self._words)
        if latin in ENGLISH_LOOKALIKES or latin in EVERYDAY_LOOKALIKES or latin.isdigit():
            return ()
        has_franco_digit = bool(FRANCO_DIGITS.intersection(latin))
        if not has_franco_digit and not latin.isalpha():
            return ()
        shape = skeleton(latin)
        shortest = 2 if within else 3
        if shape is None or not shape.consonants or (len(shape.consonants) < shortest and not has_franco_digit):
            return ()
        found: list[str] = []
        for word, arabic in self._by_consonants.get(shape.consonants, ()):
            if word not in found and _fits(shape, arabic):
                found.append(word)
        return tuple(found[:4])
