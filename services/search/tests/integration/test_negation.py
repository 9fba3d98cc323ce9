"""Exclusions through the gateway: what a buyer rules out never comes back, in English and Arabic, whichever scan
answers (profiles ranked exactly, or the HNSW index); a listing with no compound is not ruled out by one; the parse
route reports what was ruled out and the buyer's phrase for it."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers
from osool_search.filters import SearchFilters, violations

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> dict[str, str]:
    return admin_headers(stack, "negation-admin")


def search(api: httpx.Client, query: str, **body: Any) -> dict[str, Any]:
    response = api.post("/api/properties/search", json={"query": query, **body})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(
    ("query", "stated"),
    [
        (
            "apartment or villa in New Cairo not a villa",
            {"property_types": ["Apartment"], "locations": ["New Cairo"], "exclude_property_types": ["Villa"]},
        ),
        ("اي حاجة في التجمع غير الفيلات", {"locations": ["New Cairo"], "exclude_property_types": ["Villa"]}),
        (
            "apartment in New Cairo except Mivida",
            {"property_types": ["Apartment"], "locations": ["New Cairo"], "exclude_compounds": ["Mivida"]},
        ),
        (
            "شاليه في الساحل مش من إعمار",
            {"property_types": ["Chalet"], "locations": ["North Coast"], "exclude_developers": ["Emaar Misr"]},
        ),
        # Nothing wanted that a profile fixes: the HNSW index answers, and still skips what is ruled out.
        ("no villas or apartments", {"exclude_property_types": ["Villa", "Apartment"]}),
        ("مش في التجمع ولا الشيخ زايد", {"exclude_locations": ["New Cairo", "Sheikh Zayed"]}),
    ],
)
def test_a_search_never_returns_what_the_buyer_ruled_out(api: httpx.Client, query: str, stated: dict[str, Any]) -> None:
    body = search(api, query)
    assert body["applied_filters"] == stated
    assert len(body["results"]) == 10
    filters = SearchFilters.model_validate(stated)
    for result in body["results"]:
        assert violations(result, filters) == [], result["source_id"]


def test_the_villas_of_a_query_naming_both_are_gone_after_not_a_villa(api: httpx.Client) -> None:
    both = search(api, "apartment or villa in New Cairo", limit=50)["results"]
    assert "Villa" in {r["type"] for r in both}
    without = search(api, "apartment or villa in New Cairo not a villa", limit=50)["results"]
    assert len(without) == 50
    assert {r["type"] for r in without} == {"Apartment"}


def test_the_parse_route_reports_the_exclusions_and_the_buyers_phrases(api: httpx.Client) -> None:
    response = api.post("/api/properties/parse", json={"query": "apartment in New Cairo not a villa, nothing by Emaar"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filters"] == {
        "property_types": ["Apartment"],
        "locations": ["New Cairo"],
        "exclude_property_types": ["Villa"],
        "exclude_developers": ["Emaar Misr"],
    }
    assert body["understood"] == ["apartment", "New Cairo", "not a villa", "nothing by Emaar"]
    assert body["text"] == ""
    arabic = api.post("/api/properties/parse", json={"query": "مش عايز فيلا ولا تاون هاوس في زايد"}).json()
    assert arabic["filters"] == {"locations": ["Sheikh Zayed"], "exclude_property_types": ["Villa", "Townhouse"]}
    assert arabic["understood"] == ["مش عايز فيلا ولا تاون هاوس", "زايد"]


def test_a_listing_in_no_compound_is_not_ruled_out_by_excluding_a_compound(
    api: httpx.Client, admin: dict[str, str]
) -> None:
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
    records = [
        {"id": f"NEG-{tag}-1", "title": f"Quiet flat {tag}", "type": "Apartment", "location": "New Cairo",
         "compound": "Mivida", "price": 7_000_000, "size": 150, "bedrooms": 3},
        {"id": f"NEG-{tag}-2", "title": f"Quiet flat {tag} on a street", "type": "Apartment", "location": "New Cairo",
         "price": 7_000_000, "size": 150, "bedrooms": 3},
    ]  # fmt: skip
    report = api.post("/api/properties/ingest", json=records, headers=admin)
    assert report.status_code == 200 and report.json()["inserted"] == 2, report.text

    def found(query: str, **body: Any) -> set[str]:
        return {r["source_id"] for r in search(api, query, limit=50, **body)["results"] if tag in r["title"]}

    assert found(f"quiet flat {tag} in New Cairo") == {f"NEG-{tag}-1", f"NEG-{tag}-2"}
    # Parsed from the words, and sent as an explicit filter (names matched case-insensitively).
    assert found(f"quiet flat {tag} in New Cairo except Mivida") == {f"NEG-{tag}-2"}
    assert found(f"quiet flat {tag}", filters={"exclude_compounds": ["mivida"]}) == {f"NEG-{tag}-2"}
    # Mivida's developer comes from the gazetteer; the other listing has none and is not "by Emaar".
    assert found(f"quiet flat {tag} in New Cairo, nothing by Emaar") == {f"NEG-{tag}-2"}
    listed = api.get("/api/properties", params={"compound": "Mivida", "limit": 100}).json()["results"]
    assert all(r["developer"] == "Emaar Misr" for r in listed)


def test_an_explicit_filter_overrides_a_parsed_exclusion_and_a_contradiction_is_refused(api: httpx.Client) -> None:
    body = search(api, "not a villa in Sheikh Zayed", filters={"property_types": ["Villa"]})
    assert body["applied_filters"] == {"property_types": ["Villa"], "locations": ["Sheikh Zayed"]}
    assert body["results"] and {r["type"] for r in body["results"]} == {"Villa"}
    refused = api.post(
        "/api/properties/search",
        json={"query": "home", "filters": {"property_types": ["Villa"], "exclude_property_types": ["Villa"]}},
    )
    assert refused.status_code == 422, refused.text
    # The text says "not in a compound", the client names one: the client wins, rather than a 422.
    body = search(api, "apartment not in a compound in New Cairo", filters={"compounds": ["mivida"]})
    assert body["applied_filters"] == {
        "property_types": ["Apartment"], "locations": ["New Cairo"], "compounds": ["Mivida"],
    }  # fmt: skip
    assert body["results"] and {r["compound"] for r in body["results"]} == {"Mivida"}
    # The text says "under 2 million", the client asks from 3 million: the client's bound stands alone.
    body = search(api, "apartment under 2 million", filters={"min_price": 3_000_000})
    assert body["applied_filters"] == {"property_types": ["Apartment"], "min_price": 3_000_000}
    assert body["results"] and min(r["price"] for r in body["results"]) >= 3_000_000
    # Stated together by the client, the same contradictions are still refused.
    for filters in ({"compounds": ["Mivida"], "in_compound": False}, {"min_price": 3_000_000, "max_price": 2_000_000}):
        refused = api.post("/api/properties/search", json={"query": "home", "filters": filters})
        assert refused.status_code == 422, refused.text
        assert refused.json()["error"]["code"] == "validation_error", refused.text


def test_a_phrase_offered_with_its_opposite_returns_both_kinds(api: httpx.Client, admin: dict[str, str]) -> None:
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
    records = [
        {"id": f"EIT-{tag}-1", "title": f"Bright flat {tag}", "type": "Apartment", "location": "Maadi",
         "finishing": "furnished", "price": 6_000_000, "size": 140, "bedrooms": 3},
        {"id": f"EIT-{tag}-2", "title": f"Bright flat {tag} on the corner", "type": "Apartment", "location": "Maadi",
         "finishing": "fully_finished", "price": 6_000_000, "size": 140, "bedrooms": 3},
    ]  # fmt: skip
    report = api.post("/api/properties/ingest", json=records, headers=admin)
    assert report.status_code == 200 and report.json()["inserted"] == 2, report.text

    def found(query: str) -> tuple[set[str], dict[str, Any]]:
        body = search(api, query, limit=50)
        return {r["source_id"] for r in body["results"] if tag in r["title"]}, body["applied_filters"]

    both = {f"EIT-{tag}-1", f"EIT-{tag}-2"}
    assert found(f"bright flat {tag} in Maadi, unfurnished") == (
        {f"EIT-{tag}-2"}, {"property_types": ["Apartment"], "locations": ["Maadi"], "exclude_finishing": ["furnished"]}
    )  # fmt: skip
    assert found(f"bright flat {tag} in Maadi, furnished") == (
        {f"EIT-{tag}-1"}, {"property_types": ["Apartment"], "locations": ["Maadi"], "finishing": ["furnished"]}
    )  # fmt: skip
    for query in (
        f"bright flat {tag} in Maadi, furnished or unfurnished",
        f"bright flat {tag} في المعادي مفروشة ولا لأ",
    ):
        assert found(query) == (both, {"property_types": ["Apartment"], "locations": ["Maadi"]}), query


def test_homes_only_leaves_out_offices_shops_and_clinics_unless_a_type_is_named(api: httpx.Client) -> None:
    commercial = ["Clinic", "Office", "Retail"]
    everything = search(api, "something under 2 million", limit=50)
    assert {row["type"] for row in everything["results"]} & set(commercial), "the demo data has cheap commercial units"
    homes = search(api, "something under 2 million", limit=50, homes_only=True)
    assert homes["results"] and not {row["type"] for row in homes["results"]} & set(commercial)
    assert homes["applied_filters"]["exclude_property_types"] == commercial  # said, so a client can show it
    # A type named (in the words or the filters), or one ruled out, is the buyer's own: homes_only changes nothing
    clinics = search(api, "clinic under 2 million", limit=50, homes_only=True)
    assert clinics["results"] and {row["type"] for row in clinics["results"]} == {"Clinic"}
    named = search(api, "something under 2 million", limit=5, homes_only=True, filters={"property_types": ["Office"]})
    assert {row["type"] for row in named["results"]} == {"Office"}
    ruled = search(api, "anything but a studio under 2 million", limit=50, homes_only=True)
    assert ruled["applied_filters"]["exclude_property_types"] == ["Studio"]
    # Given up like any exclusion (a relaxation taken): the commercial units are back
    relaxed = search(api, "something under 2 million", limit=50, homes_only=True, relax=["exclusions"])
    assert {row["type"] for row in relaxed["results"]} & set(commercial)
    assert "exclude_property_types" not in relaxed["applied_filters"]
