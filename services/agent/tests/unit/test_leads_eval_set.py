"""The labelled lead-qualification set (eval/leads.jsonl): enough lines in both languages and for every intent, each
labelled only with the slots and values the qualifier knows, areas named as the search gazetteer names them, and the
seller's slots kept to sellers."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

LEADS = Path(__file__).resolve().parents[2] / "eval" / "leads.jsonl"

LANGUAGES = {"en", "ar"}
INTENTS = {"buy", "sell", "rent", "invest"}
TYPES = {
    "Apartment",
    "Villa",
    "Townhouse",
    "Twinhouse",
    "Duplex",
    "Penthouse",
    "Studio",
    "Chalet",
    "Office",
    "Retail",
    "Clinic",
}
TIMELINES = {"immediate", "within_3_months", "within_6_months", "within_year", "later", "exploring"}
FINANCING = {"cash", "mortgage", "installments"}
PURPOSES = {"live", "holiday", "invest", "business"}
MOTIVATIONS = {"relocating", "upgrading", "downsizing", "financial", "inheritance", "investment_exit", "other"}
CONDITIONS = {"excellent", "good", "needs_work", "unfinished"}

# The areas a lead may name.
CANONICAL_AREAS = {
    "New Cairo",
    "Sheikh Zayed",
    "6th of October",
    "New Capital",
    "North Coast",
    "Ain Sokhna",
    "Maadi",
    "Zamalek",
    "Heliopolis",
    "Nasr City",
    "Mostakbal City",
    "Shorouk",
    "Madinaty",
    "Rehab",
    "El Gouna",
    "Hurghada",
    "Alexandria",
    "Mokattam",
    "Obour",
    "New Zayed",
}
# The canonical area names of the search service's gazetteer (services/search/osool_search/gazetteer.py), copied
# rather than imported: services do not import each other. A label must be both, so that search can act on it
# (the gazetteer spells some differently: "New Administrative Capital", "Shorouk City", "Rehab City", "Obour City";
# "New Zayed" is an alias).
GAZETTEER_AREAS = {
    "New Cairo",
    "Mostakbal City",
    "Madinaty",
    "Shorouk City",
    "New Administrative Capital",
    "Sheikh Zayed",
    "6th of October",
    "Maadi",
    "Heliopolis",
    "Nasr City",
    "North Coast",
    "Ain Sokhna",
    # gazetteer.PLACES: known by name, without demo listings
    "Zamalek",
    "Mohandessin",
    "Dokki",
    "Mokattam",
    "Rehab City",
    "Obour City",
    "Alexandria",
    "Hurghada",
    "El Gouna",
    "Sahl Hasheesh",
    "Soma Bay",
    "Makadi Bay",
    "Marsa Alam",
    "Sharm El Sheikh",
    "Ras Sudr",
}
AREAS = CANONICAL_AREAS & GAZETTEER_AREAS

BUDGET_SLOTS = {"budget_min", "budget_max"}
BUYER_SLOTS = {*BUDGET_SLOTS, "areas", "types", "bedrooms", "timeline", "financing", "purpose"}
SELLER_ONLY_SLOTS = {"motivation", "condition", "price_expectation"}
# What a seller's line may carry: the property, when, why, its state and the price hoped for; never a budget, a
# financing or a purpose, which are the buyer's.
SELLER_SLOTS = {"areas", "types", "bedrooms", "timeline", *SELLER_ONLY_SLOTS}
ENUMS = {
    "timeline": TIMELINES,
    "financing": FINANCING,
    "purpose": PURPOSES,
    "motivation": MOTIVATIONS,
    "condition": CONDITIONS,
}


def _load() -> list[dict[str, Any]]:
    lines = LEADS.read_text(encoding="utf-8").splitlines()
    assert all(line.strip() for line in lines), "blank line in leads.jsonl"
    assert not any("\\u" in line for line in lines), "write the set with ensure_ascii=False"
    return [json.loads(line) for line in lines]


LEAD_SET = _load()
SELLERS = [lead for lead in LEAD_SET if lead["intent"] == "sell"]
OTHERS = [lead for lead in LEAD_SET if lead["intent"] != "sell"]


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def test_the_set_has_enough_lines_in_both_languages_and_for_every_intent() -> None:
    assert len(LEAD_SET) >= 170
    languages = Counter(lead["lang"] for lead in LEAD_SET)
    assert set(languages) == LANGUAGES
    assert min(languages.values()) >= 75
    intents = Counter(lead["intent"] for lead in LEAD_SET)
    assert set(intents) == INTENTS
    assert min(intents.values()) >= 15, intents


def test_every_line_has_a_unique_id_that_names_its_language_and_intent() -> None:
    assert len({lead["id"] for lead in LEAD_SET}) == len(LEAD_SET)
    for lead in LEAD_SET:
        assert set(lead) - {"context"} == {"id", "lang", "text", "intent", "slots"}, lead["id"]
        assert lead["lang"] in LANGUAGES and lead["intent"] in INTENTS, lead["id"]
        assert lead["id"].startswith(f"{lead['lang']}-{lead['intent']}-"), lead["id"]
        assert isinstance(lead["text"], str) and 3 <= len(lead["text"].split()) <= 40, lead["id"]
        assert isinstance(lead["slots"], dict), lead["id"]


@pytest.mark.parametrize("lead", LEAD_SET, ids=lambda lead: lead["id"])
def test_slots_have_only_the_allowed_names_and_values(lead: dict[str, Any]) -> None:
    slots = lead["slots"]
    allowed = SELLER_SLOTS if lead["intent"] == "sell" else BUYER_SLOTS
    assert set(slots) <= allowed, f"{set(slots) - allowed} not allowed with intent {lead['intent']}"
    for name, allowed_values in ENUMS.items():
        if name in slots:
            assert slots[name] in allowed_values, f"{name}={slots[name]!r}"
    for name in ("budget_min", "budget_max", "price_expectation", "bedrooms"):
        if name in slots:
            assert _positive_int(slots[name]), f"{name}={slots[name]!r}"
    if BUDGET_SLOTS <= set(slots):
        assert slots["budget_min"] < slots["budget_max"]
    if "bedrooms" in slots:
        assert slots["bedrooms"] <= 10
    for name, known in (("areas", AREAS), ("types", TYPES)):
        if name in slots:
            values = slots[name]
            assert isinstance(values, list) and values and len(set(values)) == len(values), f"{name}={values!r}"
            assert set(values) <= known, f"{set(values) - known} unknown {name}"
    if lead["intent"] == "invest" and "purpose" in slots:
        assert slots["purpose"] == "invest"


def test_reply_only_lines_are_a_seller_answering_something() -> None:
    replies = [lead for lead in LEAD_SET if "context" in lead]
    assert replies
    for lead in replies:
        assert lead["context"] == "seller" and lead["intent"] == "sell", lead["id"]
        assert lead["slots"], lead["id"]


def test_every_seller_slot_appears_at_least_eight_times() -> None:
    counts = Counter(name for lead in SELLERS for name in lead["slots"])
    for name in (*sorted(SELLER_ONLY_SLOTS), "timeline"):
        assert counts[name] >= 8, f"{name}: {counts[name]}"
    for name in ("motivation", "condition"):
        values = Counter(lead["slots"][name] for lead in SELLERS if name in lead["slots"])
        assert len(values) >= 4, f"{name}: {values}"


def test_every_buyer_slot_appears_at_least_fifteen_times() -> None:
    counts = Counter(name for lead in OTHERS for name in lead["slots"])
    for name in sorted(BUYER_SLOTS):
        assert counts[name] >= 15, f"{name}: {counts[name]}"


def test_some_lines_state_nothing_but_their_intent() -> None:
    bare = Counter(lead["lang"] for lead in LEAD_SET if not lead["slots"])
    assert sum(bare.values()) >= 10 and set(bare) == LANGUAGES
