"""Features and amenities through the gateway: read from a listing's description (English and Arabic) and from a
column of its own at ingest, asked for in any script, ruled out by a negation, filterable on the listing route, said
when no listing has them, and read for listings stored before there were features."""

from __future__ import annotations

import random
import time
from typing import Any

import httpx
import psycopg
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers, ingest_own_place, own_numbers
from osool_search.features import VOCABULARY

pytestmark = pytest.mark.stack


@pytest.fixture
def place(stack: LocalStack, api: httpx.Client) -> tuple[str, str]:
    """Six villas in a place of their own (an area the gazetteer does not know is kept as given): three with a pool
    (said in English, in Arabic, and in the export's own amenities column), one whose description rules a pool out,
    one with room for a pool, and one that says nothing of a pool but has a garden."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    location = f"Featureville {tag}"

    def villa(n: int, **fields: Any) -> dict[str, Any]:
        return {"id": f"FT-{tag}-{n}", "title": f"Villa {n} for sale", "type": "Villa", "location": location,
                "price": 20_000_000 + n * 100_000, "size": 400, "bedrooms": 5, **fields}  # fmt: skip

    export = [
        villa(1, description="Private swimming pool and a roof terrace."),
        villa(2, description="فيلا مستقلة بحمام سباحة خاص وجراج."),
        villa(3, description="", amenities="pool, garden"),
        villa(4, description="Quiet street, no pool."),
        villa(5, description="Room for a private pool."),
        villa(6, description="Corner plot with a wide garden. Near the AUC."),
    ]
    report = api.post("/api/properties/ingest", json=export, headers=admin_headers(stack, "features-admin")).json()
    assert report["inserted"] == 6, report
    return tag, location


def _search(api: httpx.Client, query: str, location: str) -> dict[str, Any]:
    request = {"query": query, "limit": 10, "filters": {"locations": [location]}}
    response = api.post("/api/properties/search", json=request)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _ids(body: dict[str, Any], tag: str) -> set[int]:
    return {int(r["source_id"].removeprefix(f"FT-{tag}-")) for r in body["results"]}


def test_features_are_read_at_ingest_from_the_description_and_the_amenities_column(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    tag, _ = place
    features = {n: api.get(f"/api/properties/source/FT-{tag}-{n}").json()["features"] for n in range(1, 7)}
    assert features == {
        1: ["pool", "roof"],
        2: ["parking", "pool"],
        3: ["garden", "pool"],
        4: [],  # "no pool"
        5: [],  # "room for a private pool" is a plot, not a pool
        6: ["corner", "garden", "near_auc"],
    }


@pytest.mark.parametrize(
    "query",
    ["villa with a swimming pool", "فيلا فيها حمام سباحة", "فيلا ببيسين", "fella b pisin", "villa with a pool pls"],
)
def test_a_pool_asked_for_in_any_script_returns_only_villas_with_one(
    api: httpx.Client, place: tuple[str, str], query: str
) -> None:
    tag, location = place
    body = _search(api, query, location)
    assert _ids(body, tag) == {1, 2, 3}
    assert body["applied_filters"]["features"] == ["pool"]
    assert body["unmatched_features"] == []
    assert len(body["understood"]) >= 2  # the type and the pool, as chips
    # Every villa ranked has a pool: the word is a filter, not text to match again.
    assert not any(word in body["query_text"] for word in ("pool", "سباحة", "بيسين", "pisin")), body["query_text"]


def test_two_features_rank_listings_with_both_and_a_landmark_is_a_feature(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    tag, location = place
    assert _ids(_search(api, "villa with a pool and a garden", location), tag) == {3}
    assert _ids(_search(api, "corner villa near the AUC", location), tag) == {6}
    assert _ids(_search(api, "فيلا بجنينة", location), tag) == {3, 6}


def test_a_feature_no_listing_has_is_said_and_not_applied(api: httpx.Client, place: tuple[str, str]) -> None:
    tag, location = place
    body = _search(api, "villa with a basement and a pool", location)
    assert body["unmatched_features"] == ["basement"]
    assert body["applied_filters"]["features"] == ["pool"]
    assert _ids(body, tag) == {1, 2, 3}
    assert body["query_text"] == "basement and a pool"  # a feature not applied: its words still rank
    for query, feature, words in (("villa with a lagoon view", "lagoon_view", "lagoon view"),
                                  ("فيلا فيو النيل", "nile_view", "فيو النيل")):  # fmt: skip
        alone = _search(api, query, location)
        assert alone["unmatched_features"] == [feature]
        assert alone["query_text"] == words
        assert "features" not in alone["applied_filters"]
        assert _ids(alone, tag) == {1, 2, 3, 4, 5, 6}  # the villas there are, not none


def test_a_negated_feature_rules_listings_out(api: httpx.Client, place: tuple[str, str]) -> None:
    tag, location = place
    for query in ("villa, no pool", "فيلا من غير حمام سباحة", "villa without a pool"):
        body = _search(api, query, location)
        assert body["applied_filters"].get("exclude_features") == ["pool"], query
        assert "features" not in body["applied_filters"], query
        assert _ids(body, tag) == {4, 5, 6}, query


def test_the_listing_route_filters_and_excludes_features_and_names(api: httpx.Client, place: tuple[str, str]) -> None:
    tag, location = place

    def listed(**params: Any) -> set[int]:
        response = api.get("/api/properties", params={"location": location, "limit": 50, **params})
        assert response.status_code == 200, response.text
        return {int(r["source_id"].removeprefix(f"FT-{tag}-")) for r in response.json()["results"]}

    assert listed(feature="pool") == {1, 2, 3}
    assert listed(feature=["pool", "garden"]) == {3}
    assert listed(exclude_feature="pool") == {4, 5, 6}
    assert listed(exclude_type="Villa") == set()
    assert listed(exclude_location="New Cairo", exclude_compound="Mivida") == {1, 2, 3, 4, 5, 6}
    both_ways = api.get("/api/properties", params={"location": location, "exclude_location": location})
    assert both_ways.status_code == 422
    assert "both in locations and in exclude_locations" in both_ways.json()["error"]["message"]
    for bad in ({"feature": "jacuzzi"}, {"exclude_feature": "moat"}, {"exclude_type": "Castle"}):
        response = api.get("/api/properties", params={"location": location, **bad})
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"
    explicit = api.post("/api/properties/search", json={"query": "villa", "filters": {"features": ["jacuzzi"]}})
    assert explicit.status_code == 422
    both = {"features": ["pool"], "exclude_features": ["pool"]}
    contradiction = api.post("/api/properties/search", json={"query": "villa", "filters": both})
    assert contradiction.status_code == 422


def test_listings_read_with_other_words_are_read_again_when_the_service_starts(
    stack: LocalStack, stack_env: dict[str, str], api: httpx.Client, place: tuple[str, str]
) -> None:
    tag, location = place
    read = {n: api.get(f"/api/properties/source/FT-{tag}-{n}").json()["features"] for n in (1, 2, 3, 6)}
    assert read[3] == ["garden", "pool"] and "corner" in read[6], read  # listing 3's from its amenities column
    with psycopg.connect(stack_env["DATABASE_URL"], autocommit=True) as connection:
        # As a database of before: listing 2 never read (migration 0005), listings 1 and 3 read with words that found
        # nothing, listing 6 stored before its source's statement was kept (migration 0014), with a basement stated.
        connection.execute("UPDATE search.properties SET features = NULL WHERE source_id = %s", (f"FT-{tag}-2",))
        connection.execute(
            "UPDATE search.properties SET features = '{}' WHERE source_id = ANY(%s)", ([f"FT-{tag}-1", f"FT-{tag}-3"],)
        )
        connection.execute(
            "UPDATE search.properties SET features = '{basement}', stated_features = NULL WHERE source_id = %s",
            (f"FT-{tag}-6",),
        )
        connection.execute("UPDATE search.settings SET value = 'older words' WHERE key = 'features_read_with'")
    # Until read, a listing has no features: it is not offered for a pool, and is not ruled out by "no pool".
    assert api.get(f"/api/properties/source/FT-{tag}-2").json()["features"] == []
    stack.ctl("restart", "search:*", check=True)
    stack.wait_healthy(timeout=120)
    for _ in range(60):
        with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
            row = connection.execute("SELECT value FROM search.settings WHERE key = 'features_read_with'").fetchone()
        if row and row[0] == VOCABULARY:
            break
        time.sleep(1)
    assert row and row[0] == VOCABULARY, row
    now = {n: api.get(f"/api/properties/source/FT-{tag}-{n}").json()["features"] for n in (1, 2, 3, 6)}
    # What the source stated is read again with the text; listing 6 keeps what it had and gets what its text says.
    assert now == {**read, 6: sorted({*read[6], "basement"})}, now
    assert _ids(_search(api, "villa with a pool", location), tag) == {1, 2, 3}


def _apartments(*descriptions: str) -> list[dict[str, Any]]:
    return [{"title": "Apartment for sale", "type": "Apartment", "price": 9_000_000 - n * 500_000, "size": 180 - n * 10,
             "bedrooms": 3, "description": text} for n, text in enumerate(descriptions)]  # fmt: skip


# Two apartments that have the feature (said in English and in Arabic), and one whose words only look like it.
LOOKALIKES = {
    # The Nile named as a place is no view.
    "nile_view": _apartments("Direct Nile view from every room.", "شقة تطل على النيل مباشرة",
                             "Near Nile University, on the Nile Corniche road."),
    # "اطلالة بحرية" is a sea view, not facing north.
    "north_facing": _apartments("North-facing, catches the breeze all summer.", "شقة بحري صريح في الدور التالت",
                                "اطلالة بحرية على الكورنيش"),
}  # fmt: skip


@pytest.mark.parametrize(
    ("feature", "query"),
    [("nile_view", "apartment with a Nile view"), ("nile_view", "شقة فيو النيل"), ("nile_view", "sha2a view el nil"),
     ("north_facing", "north facing apartment"), ("north_facing", "شقة بحري"), ("north_facing", "sha2a bahary")],
)  # fmt: skip
def test_a_feature_is_read_in_every_script_and_its_lookalike_is_not_it(
    stack: LocalStack, api: httpx.Client, feature: str, query: str
) -> None:
    tag, location = ingest_own_place(stack, "LA", LOOKALIKES[feature])
    body = _search(api, query, location)
    assert body["applied_filters"]["features"] == [feature], body["applied_filters"]
    assert own_numbers(body["results"], "LA", tag) == {1, 2}
    assert all(feature in row["features"] for row in body["results"])
