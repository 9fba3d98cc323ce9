"""The Franco-Arabic words of a sum of money (Egyptian Arabic in Latin letters: "3 malayeen", "900 alf"), one vocabulary
for search's query parser and the agent's calculators and lead slots, so a spelling one of them reads the others read.

Arabic and English units stay with each reader: each folds Arabic its own way before matching."""

from __future__ import annotations

# "3 milyon", "3 malayeen": millions after a number.
MILLIONS = ("milyon", "mlyon", "malyon", "melyon", "milion", "mlion", "millyon", "milyoon", "malyoon", "malayeen",
            "malayen")  # fmt: skip
# A million, two, or half of one said as a word, with no number before it: "ta7t milyon", "milyoneen", "nos milyon".
A_MILLION = ("milyon", "mlyon", "malyon", "melyon", "milion", "mlion", "millyon", "milyoon", "malyoon")
TWO_MILLIONS = ("milyoneen", "malyoneen", "melyoneen", "milyonen", "malyonen")
# "900 alf", "500 2alf" (the 2 is the hamza of ألف, not a number).
THOUSANDS = ("alf", "alaf", "aalaf", "2alf", "2alaf")
HALVES = ("nos", "noss", "nus")
# What each unit word multiplies its number by.
SCALE: dict[str, float] = {**dict.fromkeys(MILLIONS, 1e6), **dict.fromkeys(THOUSANDS, 1e3)}
