"""How text is normalised before anything is matched against the market's vocabulary: the buyer's query (the
parser), a name a client sends in filters (gazetteer.name_key) and a listing's description (features)."""

from __future__ import annotations

import re
import unicodedata

_ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_PERSIAN_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
# One character to one character, so positions in the folded text are positions in the buyer's text.
FOLD = str.maketrans(
    {
        **{d: str(i) for i, d in enumerate(_ARABIC_DIGITS)},
        **{d: str(i) for i, d in enumerate(_PERSIAN_DIGITS)},
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ی": "ي",  # Persian yeh, from Persian keyboards
        "ک": "ك",
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
# Dropped before anything else: tatweel, harakat, zero-width and direction marks. Control characters become spaces.
_DROP = str.maketrans(
    {
        **{chr(c): None for c in (0x0640, 0x0670, 0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0xFEFF)},
        **{chr(c): None for c in range(0x064B, 0x0660)},
        **{chr(c): None for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
        **{chr(c): " " for c in (*range(0x00, 0x20), 0x7F)},
    }
)


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
