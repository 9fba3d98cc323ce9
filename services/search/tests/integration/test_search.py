"""Search through the gateway, on the 3,500 demo listings the test stack loads on its first start like `make run`."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import re
import statistics
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg
import pytest

import redis
from devstack.envfile import read_env_file
from devstack.fakes import FakeOpenAI
from devstack.stack import LocalStack
from devstack.testing import admin_headers, clean_environ, replica_metrics
from osool_search.evaluation import evaluate
from osool_search.filters import SearchFilters, violations

pytestmark = pytest.mark.stack

EXAMPLES = {
    "3 bedroom apartment in New Cairo under 8M": {
        "property_types": ["Apartment"], "bedrooms": 3, "locations": ["New Cairo"], "max_price": 8_000_000,
    },
    "شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون": {
        "property_types": ["Apartment"], "bedrooms": 3, "locations": ["New Cairo"], "max_price": 8_000_000,
    },
    "villa in Sheikh Zayed between 25 and 40 million": {
        "property_types": ["Villa"], "locations": ["Sheikh Zayed"], "min_price": 25_000_000, "max_price": 40_000_000,
    },
    "ready to move 2 bedroom apartment in Maadi, 8,000,000 EGP": {
        "property_types": ["Apartment"], "bedrooms": 2, "locations": ["Maadi"], "is_delivered": True,
        "max_price": 8_000_000,
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> dict[str, str]:
    return admin_headers(stack, "search-admin")


def _unique_word() -> str:
    """A word no other listing has, in letters only, so that no parser rule reads it as a number or a size."""
    return "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))


def search(api: httpx.Client, query: str, **body: Any) -> httpx.Response:
    return api.post("/api/properties/search", json={"query": query, **body})


# -- search -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("query", list(EXAMPLES))
def test_an_example_query_returns_a_full_page_of_listings_that_satisfy_it(api: httpx.Client, query: str) -> None:
    response = search(api, query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied_filters"] == EXAMPLES[query]
    stated = SearchFilters.model_validate(EXAMPLES[query])
    assert len(body["results"]) == 10
    for result in body["results"]:
        assert violations(result, stated) == [], result["source_id"]
        assert result["score"] > 0 and 0 < result["similarity"] <= 1
        assert result["embedding_model"] == "all-MiniLM-L6-v2"
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)


def test_the_labelled_evaluation_set_meets_both_goals(stack: LocalStack) -> None:
    report = evaluate(stack.config.public_url)
    summary = report.as_dict()
    assert summary["queries"] >= 60
    assert report.satisfying_share == 1.0, summary["failures"]
    assert report.full_page_share == 1.0, summary["failures"]


def test_explicit_filters_override_what_the_query_says(api: httpx.Client) -> None:
    body = search(api, "3 bedroom apartment in New Cairo under 8M", filters={"bedrooms": 2, "max_price": 9_000_000})
    assert body.status_code == 200
    applied = body.json()["applied_filters"]
    assert applied["bedrooms"] == 2 and applied["max_price"] == 9_000_000 and applied["locations"] == ["New Cairo"]
    assert {r["bedrooms"] for r in body.json()["results"]} == {2}


def test_a_budget_in_another_currency_filters_nothing_and_is_reported(api: httpx.Client) -> None:
    """Listings are priced in pounds: "under 100k dollars" is no budget of EGP 100,000 (which would find nothing or
    the wrong homes); the search runs without it and says which currency it left out."""
    body = api.post("/api/properties/search", json={"query": "apartment in New Cairo under 100k dollars"}).json()
    assert body["currency"] == "USD" and "max_price" not in body["applied_filters"], body["applied_filters"]
    assert body["results"] and all(row["price"] > 100_000 for row in body["results"])
    assert "under 100k dollars" in body["understood"]
    parsed = api.post("/api/properties/parse", json={"query": "شقة ب ١٠٠ الف دولار"}).json()
    assert (parsed["currency"], parsed["filters"]) == ("USD", {"property_types": ["Apartment"]})
    pounds = api.post("/api/properties/search", json={"query": "apartment in New Cairo under 8 million"}).json()
    assert pounds["currency"] is None and pounds["applied_filters"]["max_price"] == 8_000_000


def test_a_filter_so_narrow_that_the_index_scan_runs_dry_still_fills_the_page(api: httpx.Client) -> None:
    # One compound, one type: a few dozen listings among 3,500, the case iterative scans (and the exact fallback)
    # exist for.
    listing = api.get("/api/properties", params={"compound": "Mivida", "type": "Apartment", "limit": 100}).json()
    matching = len(listing["results"])
    assert matching >= 10
    body = search(
        api, "sea view chalet with a pool", filters={"compounds": ["Mivida"], "property_types": ["Apartment"]}
    )
    results = body.json()["results"]
    assert len(results) == 10
    assert {(r["compound"], r["type"]) for r in results} == {("Mivida", "Apartment")}


def _stored_query_vector(stack_env: dict[str, str], query: str) -> str:
    """The vector the service computed for a query, from where it keeps it (Redis), as pgvector text."""
    client = redis.Redis.from_url(stack_env["REDIS_URL"])
    raw = client.get(f"search:qvec:b64:all-MiniLM-L6-v2:{hashlib.sha256(query.casefold().encode()).hexdigest()}")
    client.close()
    assert raw is not None
    vector = np.frombuffer(base64.b64decode(raw), dtype=np.float32)
    return "[" + ",".join(repr(float(x)) for x in vector) + "]"


def _exact_similarities(stack_env: dict[str, str], vector: str, where: str) -> list[float]:
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        # `where` is one of the test's own literals above.
        sql = (
            f"SELECT embedding <=> %s::vector FROM search.properties WHERE is_available AND {where} ORDER BY 1 LIMIT 10"  # noqa: S608
        )
        rows = connection.execute(sql, (vector,)).fetchall()
    return [round(1 - distance, 4) for (distance,) in rows]


@pytest.mark.parametrize(
    ("query", "where", "least_recall"),
    [
        # Filters a profile fixes (kind, rooms, place): the profiles they leave are ranked exactly.
        (
            "3 bedroom apartment in New Cairo under 8M",
            "type = 'Apartment' AND bedrooms = 3 AND location = 'New Cairo' AND price <= 8000000",
            1.0,
        ),
        # Only a listing-level filter: the HNSW index over profiles, scanned iteratively (approximate by nature).
        ("between 5 and 7 million", "price BETWEEN 5000000 AND 7000000", 0.9),
        ("under 2M", "price <= 2000000", 0.9),
    ],
)
def test_the_semantic_ranking_finds_the_nearest_listings_that_match(
    api: httpx.Client, stack_env: dict[str, str], query: str, where: str, least_recall: float
) -> None:
    body = search(api, query).json()
    assert body["query_text"] == ""  # no words left for the word ranking: the order is the semantic one alone
    found = [r["similarity"] for r in body["results"]]
    exact = _exact_similarities(stack_env, _stored_query_vector(stack_env, query), where)
    assert len(found) == len(exact) == 10
    assert found == sorted(found, reverse=True)
    # Listings of one profile share a vector, so the exact top 10 is one pick among equals: compare similarities.
    tenth = exact[-1]
    assert sum(1 for similarity in found if similarity >= tenth - 1e-4) / 10 >= least_recall
    assert found[0] == pytest.approx(exact[0], abs=1e-4)


def test_every_listing_has_the_profile_that_says_what_it_is(
    api: httpx.Client, admin: dict[str, str], stack_env: dict[str, str]
) -> None:
    tag = _unique_word()
    record = {"id": f"P-{tag}", "title": f"Profile test {tag}", "type": "Apartment", "location": "Maadi",
              "price": 6_000_000, "size": 140, "bedrooms": 2}  # fmt: skip
    assert api.post("/api/properties/ingest", json=[record], headers=admin).json()["inserted"] == 1
    moved = api.post("/api/properties/ingest", json=[{**record, "bedrooms": 3}], headers=admin).json()
    assert moved["updated"] == 1
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        bedrooms = connection.execute(
            "SELECT f.bedrooms FROM search.properties p JOIN search.profiles f ON f.key = p.profile_key "
            "WHERE p.source_id = %s",
            (f"P-{tag}",),
        ).fetchone()
        assert bedrooms == (3,)
        # No listing without its profile, and none whose profile disagrees with it on what a profile fixes.
        disagreeing = connection.execute(
            """
            SELECT count(*) FROM search.properties p LEFT JOIN search.profiles f ON f.key = p.profile_key
            WHERE f.key IS NULL OR f.model <> p.embedding_model OR f.embedding <> p.embedding
               OR (f.bedrooms, f.type, f.location, f.compound, f.developer, f.finishing, f.is_delivered, f.sale_type)
                  IS DISTINCT FROM
                  (p.bedrooms, p.type, p.location, p.compound, p.developer, p.finishing, p.is_delivered, p.sale_type)
            """
        ).fetchone()
        assert disagreeing == (0,)
        counts = connection.execute(
            "SELECT (SELECT count(*) FROM search.properties), (SELECT count(*) FROM search.profiles)"
        ).fetchone()
        assert counts is not None
        listings, profiles = counts
    assert profiles < listings  # listings of one kind share one profile, one vector
    found = search(api, f"apartment in Maadi {tag}", filters={"bedrooms": 3}).json()["results"]
    assert [r["source_id"] for r in found if tag in r["title"]] == [f"P-{tag}"]


def test_pages_follow_the_cursor_without_repeating_a_listing(api: httpx.Client) -> None:
    first = search(api, "apartment in New Cairo", limit=20).json()
    assert first["next_cursor"]
    second = search(api, "apartment in New Cairo", limit=20, cursor=first["next_cursor"]).json()
    ids = [r["id"] for r in first["results"]] + [r["id"] for r in second["results"]]
    assert len(ids) == 40 and len(set(ids)) == 40
    other = search(api, "villa in Sheikh Zayed", cursor=first["next_cursor"])
    assert other.status_code == 400 and other.json()["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"query": ""}, 422),
        ({"query": "   \n\t "}, 422),
        ({"query": "villa", "limit": 10_000}, 422),
        ({"query": "villa", "limit": 0}, 422),
        ({"query": "villa", "filters": {"max_price": -1}}, 422),
        ({"query": "villa", "filters": {"min_price": 9_000_000, "max_price": 1_000_000}}, 422),
        ({"query": "villa", "filters": {"colour": "blue"}}, 422),
        ({"query": "v" * 5_000}, 422),
        ({"query": "villa", "cursor": "not-a-cursor"}, 400),
        ({"limit": 10}, 422),
        ({"query": "villa\u0000 in zayed"}, 422),
        ({"query": "villa", "filters": {"locations": ["New\u0000Cairo"]}}, 422),
    ],
)
def test_bad_search_input_gets_a_clear_4xx_in_the_envelope(
    api: httpx.Client, body: dict[str, Any], status: int
) -> None:
    response = api.post("/api/properties/search", json=body)
    assert response.status_code == status, response.text
    assert response.json()["error"]["message"]


def test_a_megabyte_query_is_refused_before_it_reaches_the_service(api: httpx.Client) -> None:
    response = api.post("/api/properties/search", content=json.dumps({"query": "a" * 1_100_000}),
                        headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_sql_in_a_query_is_just_text(api: httpx.Client) -> None:
    before = api.get("/api/market/stats").json()["count"]
    response = search(api, "villa'; DROP TABLE search.properties; -- OR 1=1")
    assert response.status_code == 200
    assert api.get("/api/market/stats").json()["count"] == before > 0


# -- reads --------------------------------------------------------------------------------------------------------
def test_a_listing_is_read_by_id_and_an_unknown_id_is_a_404(api: httpx.Client) -> None:
    found = search(api, "penthouse").json()["results"][0]
    read = api.get(f"/api/properties/{found['id']}")
    assert read.status_code == 200
    assert {k: v for k, v in read.json().items()} == {
        k: v for k, v in found.items() if k not in ("score", "similarity")
    }
    missing = api.get(f"/api/properties/{uuid.uuid4()}")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert api.get("/api/properties/not-a-uuid").status_code == 404
    wrong_method = api.get("/api/properties/search")
    assert wrong_method.status_code == 405 and wrong_method.headers["allow"] == "POST"


def test_listing_by_filters_pages_newest_first(api: httpx.Client) -> None:
    page = api.get("/api/properties", params={"location": "north coast", "type": "Chalet", "limit": 5}).json()
    assert len(page["results"]) == 5 and page["next_cursor"]
    assert {(r["location"], r["type"]) for r in page["results"]} == {("North Coast", "Chalet")}
    following = api.get("/api/properties", params={"location": "North Coast", "type": "Chalet", "limit": 5,
                                                  "cursor": page["next_cursor"]}).json()  # fmt: skip
    assert {r["id"] for r in page["results"]}.isdisjoint(r["id"] for r in following["results"])
    assert api.get("/api/properties", params={"type": "Castle"}).status_code == 422
    assert api.get("/api/properties", params={"min_price": 9, "max_price": 1}).status_code == 422


def every_listing(api: httpx.Client, wanted: dict[str, Any]) -> list[dict[str, Any]]:
    """Every listing the listing route gives for `wanted`, page after page."""
    listings: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get("/api/properties", params={**wanted, "limit": 100, **({"cursor": cursor} if cursor else {})})
        body = page.json()
        listings += body["results"]
        cursor = body["next_cursor"]
        if not cursor:
            return listings


def test_market_stats_are_computed_from_the_listings(api: httpx.Client) -> None:
    stats = api.get("/api/market/stats", params={"location": "Sheikh Zayed", "type": "Villa"}).json()
    listings = every_listing(api, {"location": "Sheikh Zayed", "type": "Villa"})
    assert stats["count"] == len(listings) > 10
    per_sqm = sorted(r["price_per_sqm"] for r in listings)
    middle = len(per_sqm) // 2
    median = per_sqm[middle] if len(per_sqm) % 2 else (per_sqm[middle - 1] + per_sqm[middle]) / 2
    assert stats["median_price_per_sqm"] == pytest.approx(median, abs=0.1)
    assert stats["min_price"] == min(r["price"] for r in listings)
    assert sum(year["count"] for year in stats["by_delivery_year"]) == stats["count"]
    assert stats["by_location"] == []  # one place: no breakdown by place
    # A region: each of its places with listings, the most first, ready against off-plan per m².
    west = api.get("/api/market/stats", params={"location": "West Cairo", "type": "Villa"}).json()
    places = west["by_location"]
    assert {p["location"] for p in places} <= set(west["places"]) and sum(p["count"] for p in places) == west["count"]
    assert [p["count"] for p in places] == sorted((p["count"] for p in places), reverse=True)
    [zayed] = [p for p in places if p["location"] == "Sheikh Zayed"]
    assert (zayed["count"], zayed["median_price_per_sqm"]) == (stats["count"], stats["median_price_per_sqm"])
    assert zayed["location_ar"] == "الشيخ زايد"
    for delivered, key in ((True, "ready_median_price_per_sqm"), (False, "off_plan_median_price_per_sqm")):
        chosen = sorted(r["price_per_sqm"] for r in listings if r["is_delivered"] is delivered)
        if chosen:
            half = len(chosen) // 2
            expected = chosen[half] if len(chosen) % 2 else (chosen[half - 1] + chosen[half]) / 2
            assert zayed[key] == pytest.approx(expected, abs=0.1), key
        else:
            assert zayed[key] is None
    whole = api.get("/api/market/stats").json()
    assert sum(p["count"] for p in whole["by_location"]) == whole["count"] and len(whole["by_location"]) > 10
    assert api.get("/api/market/stats", params={"type": "Castle"}).status_code == 422
    assert api.get("/api/market/stats", params={"location": "New\x00Cairo"}).status_code == 422
    assert api.get("/api/properties", params={"location": "New\x00Cairo"}).status_code == 422


def test_market_stats_are_cached_until_the_next_ingest(
    api: httpx.Client, admin: dict[str, str], stack_env: dict[str, str]
) -> None:
    """Served from the result cache (the medians sort every listing of the area), and an ingest into the area shows
    at once: the generation it bumps makes the cached figures unreachable."""
    wanted = {"location": "Maadi", "type": "Duplex"}
    before = api.get("/api/market/stats", params=wanted).json()
    assert api.get("/api/market/stats", params=wanted).json() == before
    assert redis.Redis.from_url(stack_env["REDIS_URL"]).keys("search:stats:*"), "the figures were not cached"
    listing = {"id": f"stats-cache-{uuid.uuid4().hex[:8]}", "title": "Duplex in Maadi, stats cache test",
               "description": "A duplex in Maadi for the market stats cache test.", "type": "Duplex",
               "location": "Maadi", "price": 123_456_789, "size": 300, "bedrooms": 4}  # fmt: skip
    report = api.post("/api/properties/ingest", json=[listing], headers=admin).json()
    assert report["inserted"] == 1, report
    after = api.get("/api/market/stats", params=wanted).json()
    assert after["count"] == before["count"] + 1 and after["max_price"] == 123_456_789


def test_comparables_are_the_nearest_in_size_and_value_the_unit(api: httpx.Client) -> None:
    wanted = {"location": "New Cairo", "type": "Apartment", "size_sqm": 150, "limit": 8}
    body = api.get("/api/market/comparables", params=wanted).json()
    comparables = body["comparables"]
    assert len(comparables) == 8
    assert {(c["location"], c["type"]) for c in comparables} == {("New Cairo", "Apartment")}
    gaps = [abs(c["size_sqm"] - 150) for c in comparables]
    assert gaps == sorted(gaps) and gaps[-1] < 15
    per_sqm = sorted(c["price_per_sqm"] for c in comparables)
    assert body["median_price_per_sqm"] == (per_sqm[3] + per_sqm[4]) / 2
    assert body["estimated_price"] == round(body["median_price_per_sqm"] * 150, -4)
    assert api.get("/api/market/comparables", params={"location": "New Cairo", "type": "Apartment"}).status_code == 422
    bad_size = {"location": "New Cairo", "type": "Apartment", "size_sqm": -3}
    assert api.get("/api/market/comparables", params=bad_size).status_code == 422
    bad_finishing = api.get("/api/market/comparables", params={**wanted, "finishing": "luxurious"})
    assert bad_finishing.status_code == 422 and bad_finishing.json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("finishing", ["core_and_shell", "fully_finished"])
def test_comparables_of_a_unit_finished_so_are_those_finished_the_same_first(api: httpx.Client, finishing: str) -> None:
    wanted = {"location": "New Cairo", "type": "Apartment", "size_sqm": 150, "limit": 10}
    plain = api.get("/api/market/comparables", params=wanted).json()
    body = api.get("/api/market/comparables", params={**wanted, "finishing": finishing}).json()
    same = [c["finishing"] == finishing for c in body["comparables"]]
    assert body["finishing"] == finishing and body["same_finishing"] == sum(same) > 0, body
    assert same == sorted(same, reverse=True), same  # finished the same first, the others only after them
    assert body["same_finishing"] >= sum(c["finishing"] == finishing for c in plain["comparables"])
    # Among those finished the same, still the nearest in size
    gaps = [c["size_gap_sqm"] for c in body["comparables"][: body["same_finishing"]]]
    assert gaps == sorted(gaps)
    assert plain["finishing"] is None and plain["same_finishing"] == 0


# -- ingestion ----------------------------------------------------------------------------------------------------
def _export(tag: str) -> dict[str, Any]:
    return {"properties": [
        {"id": f"T-{tag}-1", "title": f"Garden villa {tag} in Allegria", "propertyType": "Stand Alone Villa",
         "area": "Sheikh Zayed", "compound": "Allegria", "price": "EGP 41,000,000", "bua": "420 m²", "beds": 5,
         "baths": 5, "deliveryDate": "2027", "paymentPlan": {"downPayment": "10%", "installmentYears": 8}},
        {"id": f"T-{tag}-2", "title": f"Sea view chalet {tag}", "type": "Chalet", "location": "Sahel",
         "compound": "Marassi", "price": 12_500_000, "size": 120, "bedrooms": 2, "isDelivered": True},
        {"id": f"T-{tag}-3", "title": "No price here", "type": "Apartment", "location": "New Cairo", "size": 100,
         "bedrooms": 2, "price": -5},
        {"id": f"T-{tag}-4", "title": "A castle", "type": "Castle", "location": "New Cairo", "size": 900,
         "price": 90_000_000},
    ]}  # fmt: skip


def test_an_admin_ingests_an_export_record_by_record_and_a_rerun_changes_nothing(
    api: httpx.Client, admin: dict[str, str]
) -> None:
    tag = _unique_word()
    # A search answered (and cached) before the ingest must not hide the new listing after it.
    assert not [r for r in search(api, f"villa {tag}").json()["results"] if tag in r["title"]]
    report = api.post("/api/properties/ingest", json=_export(tag), headers=admin)
    assert report.status_code == 200, report.text
    first = report.json()
    assert (first["read"], first["inserted"], first["updated"], first["unchanged"], first["rejected"]) == (
        4,
        2,
        0,
        0,
        2,
    )
    reasons = {r["source_id"]: r["reason"] for r in first["rejections"]}
    assert "price" in reasons[f"T-{tag}-3"] and "type" in reasons[f"T-{tag}-4"]
    again = api.post("/api/properties/ingest", json=_export(tag), headers=admin).json()
    assert (again["inserted"], again["updated"], again["unchanged"], again["embedded"]) == (0, 0, 2, 0)

    found = [r for r in search(api, f"villa {tag}").json()["results"] if tag in r["title"]]
    assert len(found) == 1
    villa = found[0]
    assert (villa["location"], villa["type"], villa["price"], villa["size_sqm"]) == (
        "Sheikh Zayed",
        "Villa",
        41_000_000,
        420,
    )
    assert (villa["down_payment_pct"], villa["installment_years"], villa["developer"]) == (10, 8, "SODIC")

    changed = _export(tag)
    changed["properties"][1]["price"] = 13_000_000
    third = api.post("/api/properties/ingest", json=changed, headers=admin).json()
    assert (third["inserted"], third["updated"], third["unchanged"]) == (0, 1, 1)
    # The same text was embedded before: the cache answers, the model is not asked again.
    assert third["embedded"] == 0 and third["embedding_cache_hits"] == 1


def test_ingestion_is_for_admins_and_takes_only_json_or_csv(api: httpx.Client, admin: dict[str, str]) -> None:
    assert api.post("/api/properties/ingest", json=_export("x")).status_code == 401
    wrong_type = api.post("/api/properties/ingest", content=b"<xml/>", headers={**admin, "Content-Type": "text/xml"})
    assert wrong_type.status_code == 415
    broken = api.post(
        "/api/properties/ingest", content=b"{not json", headers={**admin, "Content-Type": "application/json"}
    )
    assert broken.status_code == 422 and broken.json()["error"]["code"] == "invalid_file"


def test_make_ingest_reads_a_csv_export_and_reports(stack: LocalStack, tmp_path: Path) -> None:
    export = tmp_path / "listings.csv"
    tag = uuid.uuid4().hex[:6]
    export.write_text(
        "ID;Title;Type;Location;Compound;Price (EGP);BUA (m²);Beds\n"
        f"C-{tag}-1;Duplex with roof {tag};Duplex;Fifth Settlement;Mivida;14.500.000;240;4\n"
        f"C-{tag}-2;Bad size {tag};Apartment;Maadi;;5000000;zero;2\n",
        encoding="utf-8-sig",
    )
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    run = subprocess.run([sys.executable, "-m", "osool_search", "ingest", str(export), "--json"],
                         env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["read"], report["inserted"], report["rejected"]) == (2, 1, 1)
    assert re.search(r"size", report["rejections"][0]["reason"])


def test_search_metrics_count_searches_and_stages(stack: LocalStack, api: httpx.Client) -> None:
    search(api, f"townhouse in Madinaty {uuid.uuid4().hex[:4]}")
    text = "\n".join(replica_metrics(stack, "search"))  # the replica that searched, and the one that ingested
    for name in ("osool_search_searches_total", 'osool_search_stage_seconds_count{stage="embed"}',
                 "osool_search_results_bucket", "osool_search_ingested_records_total"):  # fmt: skip
        assert name in text, name


def _reindex(stack: LocalStack, **env: str) -> dict[str, int]:
    environ = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file), **env}
    run = subprocess.run([sys.executable, "-m", "osool_search", "reindex"],
                         env=environ, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    with psycopg.connect(read_env_file(stack.config.env_file)["DATABASE_URL"]) as connection:
        rows = connection.execute(
            "SELECT 'listings:' || embedding_model, count(*) FROM search.properties GROUP BY 1 UNION ALL "
            "SELECT 'profiles:' || model, count(*) FROM search.profiles GROUP BY 1"
        ).fetchall()
    return {name: count for name, count in rows}


def test_a_change_of_model_is_followed_by_reindex_and_two_models_are_never_compared(
    stack: LocalStack, api: httpx.Client
) -> None:
    # Last in this module: it moves every listing to another model and back.
    before = _reindex(stack)  # nothing to do: every listing is the running model's
    assert set(before) == {"listings:all-MiniLM-L6-v2", "profiles:all-MiniLM-L6-v2"}
    listings = before["listings:all-MiniLM-L6-v2"]
    fake = FakeOpenAI()
    with fake.server as server:
        moved = _reindex(
            stack, EMBEDDING_PROVIDER="openai", OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=f"{server.url}/v1"
        )
    assert moved == {
        "listings:text-embedding-3-small": listings,
        "profiles:text-embedding-3-small": moved["profiles:text-embedding-3-small"],
    }  # every listing re-embedded, and the old model's profiles deleted with nothing left pointing to them
    assert fake.requests and all(r["body"]["model"] == "text-embedding-3-small" for r in fake.requests)
    # The listings health check counts them from the model's index, exactly, and still answers healthy.
    assert _listings_check(stack).endswith(f"; {{'text-embedding-3-small': {listings}}} need `reindex`")
    # The running service still uses MiniLM: listings of another model are left out, never compared.
    assert search(api, "3 bedroom apartment in New Cairo under 8M").json()["results"] == []
    back = _reindex(stack)  # MiniLM again: every text is in the embedding cache
    assert set(back) == set(before) and back["listings:all-MiniLM-L6-v2"] == listings
    # Profiles no listing had any more (left by listings that changed kind) went with the other model's.
    assert 0 < back["profiles:all-MiniLM-L6-v2"] <= before["profiles:all-MiniLM-L6-v2"]
    assert len(search(api, "3 bedroom apartment in New Cairo under 8M").json()["results"]) == 10
    # Without a count(*): the statistics' live rows, an estimate once autovacuum has analysed the updated table.
    message = _listings_check(stack)
    assert re.fullmatch(r"about \d+ listings", message), message
    assert abs(int(message.split()[1]) - listings) <= listings * 0.25, (message, listings)


def _listings_check(stack: LocalStack) -> str:
    response = httpx.get(f"{stack.config.internal_url}/search/health", timeout=10)
    assert response.status_code == 200, response.text
    check = response.json()["checks"]["listings"]
    assert check["status"] == "healthy", check
    return str(check["message"])


# -- what the agent reads with ------------------------------------------------------------------------------------
def test_the_parse_route_says_what_a_request_states(api: httpx.Client) -> None:
    response = api.post("/api/properties/parse", json={"query": "شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filters"] == EXAMPLES["شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون"]
    assert any("٨ مليون" in phrase for phrase in body["understood"])
    assert api.post("/api/properties/parse", json={"query": ""}).status_code == 422
    assert api.post("/api/properties/parse", json={"query": "x" * 600}).status_code == 422


def test_a_listing_is_found_by_its_source_id(api: httpx.Client) -> None:
    listing = search(api, "villa in Sheikh Zayed").json()["results"][0]
    found = api.get(f"/api/properties/source/{listing['source_id']}")
    assert found.status_code == 200 and found.json()["id"] == listing["id"]
    assert api.get("/api/properties/source/NOPE-999999").status_code == 404
    assert api.get("/api/properties/source/bad%20id").status_code == 422


def test_the_known_names_come_with_their_arabic_names_and_may_be_cached(api: httpx.Client) -> None:
    response = api.get("/api/properties/names")
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "public, max-age=3600"
    names = {(row["kind"], row["name"]): row for row in response.json()["names"]}
    assert names[("area", "New Cairo")]["arabic"] == "القاهرة الجديدة"
    assert names[("area", "Hurghada")]["arabic"] == "الغردقة"  # a place without demo listings is known too
    assert (names[("compound", "Mivida")]["arabic"], names[("compound", "Mivida")]["area"]) == ("ميفيدا", "New Cairo")
    assert names[("developer", "Emaar Misr")]["arabic"] == "إعمار مصر"
    assert names[("region", "Giza")]["arabic"] == "الجيزة"  # a filter on all its places
    # A listing in a known area carries that area's Arabic name; one in a place of a brokerage's own (other tests
    # ingest some) carries none.
    page = api.get("/api/properties", params={"limit": 100}).json()["results"]
    page += api.get("/api/properties", params={"location": "Maadi", "limit": 5}).json()["results"]
    for listing in page:
        known = names.get(("area", listing["location"])) or names.get(("region", listing["location"]))
        assert listing["location_ar"] == (known["arabic"] if known else None), listing["location"]
    assert any(listing["location_ar"] == "المعادي" for listing in page)


def test_market_stats_under_a_budget_count_only_the_listings_at_or_under_it(api: httpx.Client) -> None:
    """ "Which area for 4 million?": each place's listings at or under the budget, with the middle size they have."""
    budget = 4_000_000
    whole = api.get("/api/market/stats", params={"location": "East Cairo", "type": "Apartment"}).json()
    under = api.get(
        "/api/market/stats", params={"location": "East Cairo", "type": "Apartment", "max_price": budget}
    ).json()
    assert under["budget"] == budget and whole["budget"] is None
    assert 0 < under["count"] < whole["count"] and under["max_price"] <= budget
    assert sum(p["count"] for p in under["by_location"]) == under["count"]
    [place, *_] = under["by_location"]
    listings = every_listing(api, {"location": place["location"], "type": "Apartment", "max_price": budget})
    assert place["count"] == len(listings) and all(r["price"] <= budget for r in listings)
    sizes = sorted(r["size_sqm"] for r in listings)
    half = len(sizes) // 2
    assert place["median_size_sqm"] == pytest.approx(
        sizes[half] if len(sizes) % 2 else (sizes[half - 1] + sizes[half]) / 2, abs=0.1
    )
    for bad in (0, -5, "four million", 10**13):
        assert api.get("/api/market/stats", params={"max_price": bad}).status_code == 422, bad


def test_market_stats_of_a_bedroom_count_are_those_listings_only(api: httpx.Client) -> None:
    """ "How much is a 3-bedroom apartment in Maadi usually?": the figures of the 3-bedroom listings, not of all."""
    wanted = {"location": "New Cairo", "type": "Apartment"}
    whole = api.get("/api/market/stats", params=wanted).json()
    three = api.get("/api/market/stats", params={**wanted, "bedrooms": 3}).json()
    assert three["bedrooms"] == 3 and whole["bedrooms"] is None
    listings = every_listing(api, {**wanted, "bedrooms": 3})
    assert 0 < three["count"] == len(listings) < whole["count"]
    prices = sorted(r["price"] for r in listings)
    assert (three["min_price"], three["max_price"]) == (prices[0], prices[-1])
    assert three["median_price"] == pytest.approx(statistics.median(prices), abs=1)
    for bad in (-1, 21, "three"):
        assert api.get("/api/market/stats", params={**wanted, "bedrooms": bad}).status_code == 422, bad
