"""An Egyptian brokerage's export (Arabic headers, Arabic-Indic digits, "RTM", "نص تشطيب") ingested end to end: through
the gateway's admin route and through `make ingest`, and read back by its source ids."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers, clean_environ

pytestmark = pytest.mark.stack

EXPORT = Path(__file__).parents[1] / "data" / "egyptian_export.csv"


def _export_tagged() -> tuple[str, bytes]:
    """The export with ids of its own ("EG-101" -> "EGbcdfg-101"), so that a run never meets another's listings."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    return tag, EXPORT.read_bytes().replace(b",EG-", f",EG{tag}-".encode())


def _listing(api: httpx.Client, source_id: str) -> dict[str, Any]:
    response = api.get(f"/api/properties/source/{source_id}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_an_egyptian_csv_export_is_ingested_through_the_gateway(stack: LocalStack, api: httpx.Client) -> None:
    tag, data = _export_tagged()
    response = api.post(
        "/api/properties/ingest",
        content=data,
        headers={**admin_headers(stack, "egypt-admin"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["read"], report["inserted"], report["rejected"]) == (9, 8, 1)
    assert [(r["source_id"], r["reason"]) for r in report["rejections"]] == [
        (f"EG{tag}-109", "price: not a number ('اتصل بنا')")
    ]

    flat = _listing(api, f"EG{tag}-101")
    assert (flat["type"], flat["location"], flat["compound"], flat["developer"]) == (
        "Apartment",
        "New Cairo",
        "Mivida",
        "Emaar Misr",
    )
    assert (flat["price"], flat["size_sqm"], flat["bedrooms"], flat["finishing"]) == (
        8_500_000,
        165,
        3,
        "semi_finished",
    )
    assert (flat["is_delivered"], flat["delivery_year"], flat["sale_type"]) == (True, None, "resale")
    assert (flat["down_payment_pct"], flat["installment_years"]) == (10, 8)

    villa = _listing(api, f"EG{tag}-102")
    assert (villa["type"], villa["location"], villa["price"], villa["finishing"]) == (
        "Villa",
        "Sheikh Zayed",
        42_000_000,
        "fully_finished",
    )
    assert (villa["is_delivered"], villa["is_cash_only"]) == (True, True)

    town = _listing(api, f"EG{tag}-103")
    assert (town["finishing"], town["delivery_year"], town["monthly_installment"]) == ("core_and_shell", 2027, 35_000)

    # The id was written "EG-١٠٥": stored, and found, in ASCII digits.
    chalet = _listing(api, f"EG{tag}-105")
    assert (chalet["type"], chalet["location"], chalet["price"], chalet["finishing"]) == (
        "Chalet",
        "North Coast",
        6_500_000,
        "furnished",
    )


def test_make_ingest_reads_an_egyptian_csv_export(stack: LocalStack, api: httpx.Client, tmp_path: Path) -> None:
    tag, data = _export_tagged()
    export = tmp_path / "تصدير_الوحدات.csv"
    export.write_bytes(data)
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    run = subprocess.run([sys.executable, "-m", "osool_search", "ingest", str(export), "--json"],
                         env=env, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    assert (report["read"], report["inserted"], report["rejected"]) == (9, 8, 1)
    studio = _listing(api, f"EG{tag}-107")
    assert (studio["type"], studio["location"], studio["bedrooms"], studio["is_delivered"]) == (
        "Studio",
        "Maadi",
        0,
        True,
    )


def test_a_brokerages_listings_where_the_demo_has_none_are_found_by_their_place(
    stack: LocalStack, api: httpx.Client
) -> None:
    """Places the demo catalogue does not cover (gazetteer.PLACES) are read by the ingest and by the parser in every
    script, so a search there finds the brokerage's listings there and nothing elsewhere."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    export = (
        "source_id,title,type,location,price,size,bedrooms,description\n"
        f'PL{tag}-1,Chalet with a sea view,Chalet,"Hurghada, Red Sea",3500000,90,2,Sea view chalet near the marina\n'
        f"PL{tag}-2,Lagoon villa,Villa,الجونة,25000000,350,4,Lagoon villa with a private pool\n"
        f"PL{tag}-3,Family apartment,Apartment,el rehab city,4200000,140,3,Near the market and the club\n"
        f"PL{tag}-4,Flat with high ceilings,Apartment,جاردن سيتي,9000000,200,3,A classic building by the Nile\n"
        f'PL{tag}-5,Flat on the main street,Apartment,"الهرم، الجيزة",1800000,110,2,Close to the metro\n'
        f'PL{tag}-6,Golf villa,Villa,"Katameya, Cairo",30000000,600,5,Overlooking the golf course\n'
    )
    response = api.post(
        "/api/properties/ingest",
        content=export.encode(),
        headers={**admin_headers(stack, "places-admin"), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert (response.json()["inserted"], response.json()["rejected"]) == (6, 0)
    places = [_listing(api, f"PL{tag}-{n}")["location"] for n in (1, 2, 3, 4, 5, 6)]
    # Katameya is a neighbourhood of New Cairo (gazetteer.AREA_PARTS): filed under its area.
    assert places == ["Hurghada", "El Gouna", "Rehab City", "Garden City", "El Haram", "New Cairo"]

    def search(query: str, explain: bool = False) -> dict[str, Any]:
        found = api.post("/api/properties/search", json={"query": query, "limit": 10, "explain_empty": explain})
        assert found.status_code == 200, found.text
        body: dict[str, Any] = found.json()
        return body

    for query, place, number in [
        ("chalet in hurghada", "Hurghada", 1),
        ("شاليه في الغردقة", "Hurghada", 1),
        ("shale fel ghardaa", "Hurghada", 1),
        ("villa fel gouna", "El Gouna", 2),
        ("فيلا في الجونة", "El Gouna", 2),
        ("sha2a fel re7ab", "Rehab City", 3),
        ("apartment in al rehab", "Rehab City", 3),
        # A place, not a garden: "garden" alone once asked for a garden anywhere.
        ("apartment in garden city", "Garden City", 4),
        ("شقة في جاردن سيتي", "Garden City", 4),
        ("sha2a fel haram", "El Haram", 5),
        ("شقة في الهرم", "El Haram", 5),
    ]:
        body = search(query)
        assert body["applied_filters"]["locations"] == [place], (query, body["understood"])
        # Until the place was known, its name was only words to rank by: listings elsewhere filled the page.
        assert body["results"] and {r["location"] for r in body["results"]} == {place}, (query, body["results"])
        assert f"PL{tag}-{number}" in {r["source_id"] for r in body["results"]}, query
        assert not body["applied_filters"].get("features"), query
    body = search("villa fel katamya")
    assert body["applied_filters"]["locations"] == ["New Cairo"], body["understood"]
    assert body["results"] and {r["location"] for r in body["results"]} == {"New Cairo"}

    # A known place with no listings: nothing elsewhere is offered as if it were there, and the response says what
    # giving up the place would find.
    body = search("apartment in zamalek", explain=True)
    assert body["applied_filters"]["locations"] == ["Zamalek"] and body["results"] == []
    assert "location" in {relaxation["group"] for relaxation in body["relaxations"]}, body["relaxations"]
