"""The catalogue's change log through the gateway's internal listener: an ingest's new listings and price drops are
recorded in order, a rise or an unchanged record is not, only our services may read it, and the ingest nudges the
followers on Redis."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

import redis
from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from devstack.testing import admin_headers, service_headers

pytestmark = pytest.mark.stack


@pytest.fixture
def internal(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=f"{stack.config.internal_url}/search", headers=service_headers(stack), timeout=30) as c:
        yield c


def _tag() -> str:
    return "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))


def _record(tag: str, n: int, price: int) -> dict[str, Any]:
    return {"id": f"CH-{tag}-{n}", "title": f"Change log villa {tag} {n}", "type": "Villa", "location": "Sheikh Zayed",
            "price": price, "size": 400, "bedrooms": 4}  # fmt: skip


def test_new_listings_and_price_drops_are_logged_in_order_for_our_services_only(
    stack: LocalStack, api: httpx.Client, internal: httpx.Client
) -> None:
    admin = admin_headers(stack, "changes-admin")
    start = internal.get("/api/properties/internal/changes")
    assert start.status_code == 200, start.text
    head = start.json()
    assert head["changes"] == [] and head["last_seq"] >= 0

    # Only Osool's services read it: not the public gateway, not the internal listener without the key.
    assert api.get("/api/properties/internal/changes", params={"after": 0}).status_code in (401, 404)
    bare = httpx.get(f"{stack.config.internal_url}/search/api/properties/internal/changes", params={"after": 0})
    assert bare.status_code == 401

    env = read_env_file(stack.config.env_file)
    nudges: list[str] = []
    client = redis.Redis.from_url(env["REDIS_URL"])
    pubsub = client.pubsub()
    pubsub.subscribe("osool:listings:changed")
    pubsub.get_message(timeout=2)  # the subscription's confirmation

    tag = _tag()
    first = api.post("/api/properties/ingest", json=[_record(tag, 1, 20_000_000), _record(tag, 2, 30_000_000)],
                     headers=admin).json()  # fmt: skip
    assert first["inserted"] == 2

    def listen() -> None:
        message = pubsub.get_message(ignore_subscribe_messages=True, timeout=10)
        if message is not None:
            nudges.append(message["data"].decode())

    listener = threading.Thread(target=listen)
    listener.start()
    listener.join()
    assert nudges == [first["run_id"]]

    # One drop, one rise, one unchanged: only the drop is a change.
    second = api.post("/api/properties/ingest", json=[_record(tag, 1, 18_500_000), _record(tag, 2, 31_000_000)],
                      headers=admin).json()  # fmt: skip
    assert second["updated"] == 2
    unchanged = api.post("/api/properties/ingest", json=[_record(tag, 1, 18_500_000)], headers=admin).json()
    assert unchanged["unchanged"] == 1

    page = internal.get("/api/properties/internal/changes", params={"after": head["last_seq"], "limit": 1000}).json()
    mine = [c for c in page["changes"] if tag in c["listing"]["title"]]
    assert [(c["kind"], c["listing"]["source_id"], c["price"], c["previous_price"]) for c in mine] == [
        ("new", f"CH-{tag}-1", 20_000_000, None),
        ("new", f"CH-{tag}-2", 30_000_000, None),
        ("price_drop", f"CH-{tag}-1", 18_500_000, 20_000_000),
    ]
    seqs = [c["seq"] for c in page["changes"]]
    assert seqs == sorted(seqs) and page["last_seq"] >= seqs[-1]
    # The listing is as it is now (the rise to 31 M shows, though the rise is not a change).
    assert mine[1]["listing"]["price"] == 31_000_000
    # Paging: after the first of them, the rest.
    after = internal.get("/api/properties/internal/changes", params={"after": mine[0]["seq"], "limit": 1}).json()
    assert [c["seq"] for c in after["changes"]] == [mine[1]["seq"]]
    assert internal.get("/api/properties/internal/changes", params={"after": -1}).status_code == 422
    assert internal.get("/api/properties/internal/changes", params={"limit": 5000}).status_code == 422
    pubsub.close()
    client.close()


def test_the_market_figures_say_how_the_listings_moved_lately(stack: LocalStack, api: httpx.Client) -> None:
    # A place of its own: three villas, then two price cuts (10% and 20%) and a rise, which is no cut.
    admin = admin_headers(stack, "changes-admin")
    tag = _tag()
    place = f"Movingville {tag}"

    def villa(n: int, price: int) -> dict[str, Any]:
        return {**_record(tag, n, price), "location": place}

    first = api.post("/api/properties/ingest", json=[villa(1, 20_000_000), villa(2, 30_000_000), villa(3, 10_000_000)],
                     headers=admin).json()  # fmt: skip
    assert first["inserted"] == 3, first
    before = api.get("/api/market/stats", params={"location": place}).json()["recent"]
    assert before == {"days": 30, "new_listings": 3, "price_drops": 0, "median_drop_pct": None}
    cuts = api.post("/api/properties/ingest", json=[villa(1, 18_000_000), villa(2, 24_000_000), villa(3, 11_000_000)],
                    headers=admin).json()  # fmt: skip
    assert cuts["updated"] == 3, cuts
    recent = api.get("/api/market/stats", params={"location": place}).json()["recent"]
    assert recent == {"days": 30, "new_listings": 3, "price_drops": 2, "median_drop_pct": 15.0}, recent
    # Of the listings the figures are of: under a budget of 20 million, the villa cut to 24 million is not among them.
    under = api.get("/api/market/stats", params={"location": place, "max_price": 20_000_000}).json()["recent"]
    assert (under["new_listings"], under["price_drops"], under["median_drop_pct"]) == (2, 1, 10.0), under
