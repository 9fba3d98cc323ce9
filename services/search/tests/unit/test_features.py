"""Features at ingest (features.py) and in a buyer's query (query_parser): the same words, in English, Egyptian
Arabic and Franco-Arabic; a mention that is ruled out is no feature, and a negated one is an exclusion."""

from __future__ import annotations

import re

import pytest

from osool_common.listing_filters import satisfies
from osool_search.features import extract_features, listing_features
from osool_search.filters import SearchFilters
from osool_search.gazetteer import FEATURES
from osool_search.query_parser import parse_query


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Private swimming pool.", ["pool"]),
        ("Private garden and a roof terrace.", ["garden", "roof"]),
        ("Two covered parking spaces.", ["parking"]),
        ("Direct sea view.", ["sea_view"]),
        ("Crystal lagoons and a private beach.", ["lagoon_view", "near_beach"]),
        ("Corner unit with two façades.", ["corner"]),
        ("Basement and a maid's room.", ["basement", "maids_room"]),
        ("High floor with elevator. Wide balcony.", ["balcony", "elevator"]),
        ("Secure gated community with 24/7 security.", ["security"]),
        ("Near the AUC. Close to international schools.", ["near_auc", "near_schools"]),
        ("Near Cairo Festival City Mall and the Metro station.", ["near_mall", "near_metro"]),
        ("فيلا بحمام سباحة وجنينة وروف", ["garden", "pool", "roof"]),
        ("شقة كورنر فيو بحر قريبة من المول", ["corner", "near_mall", "sea_view"]),
        ("شاليه لاجون فيو على البحر", ["lagoon_view", "near_beach"]),
        ("Apartment with a direct Nile view in Zamalek.", ["nile_view"]),
        ("شقة تطل على النيل مباشرة", ["nile_view"]),
        ("شقة بحري صريح، الدور التالت", ["north_facing"]),
        ("North-facing apartment with a balcony.", ["balcony", "north_facing"]),
        # A sea view is not facing north.
        ("شاليه اطلالة بحرية", ["sea_view"]),
        # The Nile named as a place is no view.
        ("Near Nile University. On the Nile Corniche. في شارع النيل", []),
        # Ruled out, or not the feature: none of these is a pool, a garden or a parking space.
        ("Room for a private pool.", []),
        ("Quiet street, no pool, without a garden.", []),
        ("شقة بدون جراج ومفيش جنينة", []),
        # A view over gardens is not a garden of one's own; Garden City and a compound's "Gardens" are names.
        ("Garden view. In Garden City. Katameya Gardens.", ["garden_view"]),
        ("Wide balcony with an open view. Open view over the landscape.", ["balcony", "open_view"]),
        ("شقة فيو مفتوح، اطلالة على الحديقة", ["garden_view", "open_view"]),
        # Compounds named for a view have none of their own.
        ("Villa in Mountain View iCity, Lake View Residence", []),
        ("Liverpool fans welcome; a poolside-free zone", []),
        ("", []),
    ],
)
def test_features_read_from_a_listing_text(text: str, expected: list[str]) -> None:
    assert extract_features(text) == expected


def test_a_sources_own_column_adds_to_the_text_and_canonical_names_pass_through() -> None:
    assert listing_features("Villa", "Private garden.", ["pool, parking", "sea_view", "حمام سباحة - جراج"]) == [
        "garden", "parking", "pool", "sea_view",
    ]  # fmt: skip
    assert listing_features("Villa", "", ["jacuzzi", "unknown_feature"]) == []


def test_every_feature_has_english_and_arabic_words_and_no_word_means_two_features() -> None:
    seen: dict[str, str] = {}
    for feature, phrases in FEATURES.items():
        assert any(p.isascii() for p in phrases), feature
        assert any(re.search("[\u0600-\u06ff]", p) for p in phrases), feature
        for phrase in phrases:
            assert seen.setdefault(phrase.casefold(), feature) == feature, phrase


@pytest.mark.parametrize(
    ("query", "wanted", "ruled_out"),
    [
        ("villa with a swimming pool", ["pool"], None),
        ("فيلا فيها حمام سباحة", ["pool"], None),
        ("fella b pisin w gnena", ["pool", "garden"], None),
        ("شاليه فيو بحر", ["sea_view"], None),
        ("شاليه في مراسي صف اول", ["near_beach"], None),
        ("villa 3ala el ba7r", ["near_beach"], None),
        ("انهي اقرب للبحر؟", ["near_beach"], None),
        ("chalet a2rab lel ba7r", ["near_beach"], None),
        ("chalet with lagoon view in Sahel", ["lagoon_view"], None),
        ("شقة فيو النيل في المعادي", ["nile_view"], None),
        ("sha2a view el nil fel maadi", ["nile_view"], None),
        ("شقة بحري في التجمع", ["north_facing"], None),
        ("3ayez sha2a bahary fel tagamo3 b 5 milyon", ["north_facing"], None),
        ("north facing flat in Maadi", ["north_facing"], None),
        ("شقة مش بحري", None, ["north_facing"]),
        ("فيلا في العلمين صف اول بحري", ["near_beach"], None),  # the first row to the sea, on the coast
        ("apartment in Zamalek, not a Nile view", None, ["nile_view"]),
        ("apartment near the AUC with parking", ["near_auc", "parking"], None),
        ("penthouse with a private roof", ["roof"], None),
        ("villa, no pool", None, ["pool"]),
        ("شقة من غير جراج", None, ["parking"]),
        ("chalet not near the beach", None, ["near_beach"]),
        ("apartment with garden view", ["garden_view"], None),  # a view over a garden, not a garden
        ("شقة فيو جاردن في مدينتي", ["garden_view"], None),
        ("open view apartment in Madinaty", ["open_view"], None),
        ("sha2a view maftou7 fel tagamo3", ["open_view"], None),
        ("شقة فيو مفتوح", ["open_view"], None),
        ("villa in Mountain View", None, None),
        ("trees and waters by the coroner", None, None),  # English words that transliterate to Arabic feature words
    ],
)
def test_features_in_a_query(query: str, wanted: list[str] | None, ruled_out: list[str] | None) -> None:
    filters = parse_query(query).filters
    assert filters.features == wanted
    assert filters.exclude_features == ruled_out


def test_a_feature_asked_for_stays_in_the_text_and_a_negated_one_leaves_it() -> None:
    assert parse_query("villa with a pool in Sheikh Zayed").text == "pool"
    assert "pool" not in parse_query("villa in Sheikh Zayed, no pool").text
    assert "pool" in parse_query("villa with a pool").understood


def test_the_ranking_text_leaves_out_the_features_once_every_one_is_a_filter() -> None:
    parsed = parse_query("quiet villa with a pool and a garden in Sheikh Zayed")
    assert parsed.text == "quiet pool and a garden"
    both = SearchFilters(property_types=["Villa"], features=["pool", "garden"])
    assert parsed.ranking_text(both) == "quiet"
    # One of them not applied (no listing has it, or the request's own filters replaced the parsed ones): the words
    # of every feature stay, so listings that mention something like it rank first.
    assert parsed.ranking_text(both.model_copy(update={"features": ["pool"]})) == parsed.text
    assert parsed.ranking_text(SearchFilters(property_types=["Villa"])) == parsed.text
    # A query without features ranks by its own text whatever the filters.
    plain = parse_query("quiet villa in Sheikh Zayed")
    assert plain.ranking_text(both) == plain.text == "quiet"
    # Arabic and Franco-Arabic alike.
    assert parse_query("فيلا بحمام سباحة").ranking_text(SearchFilters(features=["pool"])) == ""
    assert parse_query("shale view ba7r fel sa7el").ranking_text(SearchFilters(features=["sea_view"])) == ""
    # The words that only lead to a feature go with it ("near", "overlooking", "قريبة من"); "quiet" stays.
    assert parse_query("apartment near the AUC").ranking_text(SearchFilters(features=["near_auc"])) == ""
    assert parse_query("شقة قريبة من المول في التجمع").ranking_text(SearchFilters(features=["near_mall"])) == ""
    club = parse_query("apartment overlooking the club house")
    assert club.ranking_text(SearchFilters(features=["near_club"])) == ""
    assert club.text == "overlooking the club house"  # kept while the feature is not a filter
    assert parse_query("quiet villa near a pool").ranking_text(SearchFilters(features=["pool"])) == "quiet"


def test_the_shared_filter_rules_check_features_as_sets() -> None:
    listing = {"features": ["garden", "pool"], "type": "Villa"}
    assert satisfies(listing, {"features": ["pool"]})
    assert satisfies(listing, {"features": ["pool", "garden"]})
    assert not satisfies(listing, {"features": ["pool", "roof"]})
    assert not satisfies(listing, {"exclude_features": ["pool"]})
    assert satisfies(listing, {"exclude_features": ["roof", "corner"]})
    assert satisfies({"features": None}, {"exclude_features": ["pool"]})
    assert not satisfies({"features": None}, {"features": ["pool"]})
