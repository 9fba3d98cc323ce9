"""How text is normalised before anything is matched against the market's vocabulary: the buyer's query (the
parser), a name a client sends in filters (gazetteer.name_key), a listing's description (features) and an import's
field names and values (ingest_records)."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
# The same Arabic word is written with and without hamza on its alef, with taa marbuta or haa, alef maqsura or yaa,
# and from Persian keyboards with their yeh and kaf.
_LETTERS = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ة": "ه",
    "ى": "ي",
    "ی": "ي",
    "ک": "ك",
}
# One character to one character, so positions in the folded text are positions in the buyer's text.
FOLD = str.maketrans(
    {
        **{d: str(i) for i, d in enumerate(_ARABIC_DIGITS)},
        **{d: str(i) for i, d in enumerate(_PERSIAN_DIGITS)},
        **_LETTERS,
        "٫": ".",  # Arabic decimal separator
        "٬": ",",  # Arabic thousands separator
        "٪": "%",
        "،": ",",
        "؛": ";",
        "؟": "?",
        "–": "-",
        "—": "-",
    }
)
# Invisible in the text: tatweel, harakat and the superscript alef ("شَقَّة" is "شقة"), zero-width and direction marks
# (Arabic spreadsheets leave them around numbers: "\u200f4,500,000").
_INVISIBLE = {
    **{chr(c): None for c in (0x0640, 0x0670, 0x061C, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF)},
    **{chr(c): None for c in range(0x064B, 0x0660)},
    **{chr(c): None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}
# Dropped before anything else; control characters become spaces.
_DROP = str.maketrans({**_INVISIBLE, **{chr(c): " " for c in (*range(0x00, 0x20), 0x7F)}})
_LETTERS_ONLY = str.maketrans({**_INVISIBLE, **_LETTERS})


def fold_letters(text: str) -> str:
    """Only the Arabic spelling variants and the invisible marks folded (digits, punctuation and case kept): for an
    import's field names and values, which are read as numbers and units after this."""
    return text.translate(_LETTERS_ONLY)


def clean_query(text: str) -> str:
    """The buyer's text as the parser keeps it: compatibility forms unified (m² → m2, Arabic presentation forms),
    diacritics and invisible marks dropped, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_DROP).split())


# An apostrophe inside a Latin word is Franco's other hamza ("sha'a", "mo'adam", "ta'seet" are "sha2a", "mo2adam",
# "ta2seet"), except in an English contraction or possessive ("don't", "maid's", "we're", "I'm", "you'll").
_FRANCO_APOSTROPHE = re.compile(r"(?<=[a-z])['’](?=[a-z])(?!(?:t|s|re|m|ll|ve|d)(?![a-z]))")


def fold(text: str) -> str:
    """Matching form of cleaned text, character for character: lower case, ASCII digits, one Arabic spelling (alef
    with hamza or madda → bare alef, taa marbuta → haa, alef maqsura → yaa), Franco's apostrophe as its 2."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a few letters lower to two characters ("İ"); keep those as they are
        lowered = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    if "'" in lowered or "’" in lowered:
        lowered = _FRANCO_APOSTROPHE.sub("2", lowered)
    return lowered.translate(FOLD)
