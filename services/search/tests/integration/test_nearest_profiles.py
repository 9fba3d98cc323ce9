"""A search whose filters rule out profiles ranks the nearest profiles that pass and reads their listings in turn:
the same nearest listings as ranking every listing that passes, read from a few profiles' listings only, and said
incomplete when the profiles it read held too few (the service then ranks every listing that passes)."""

from __future__ import annotations

import asyncio
import json
import random
from typing import Any

import asyncpg
import httpx
import numpy as np
import pytest
from pgvector.asyncpg import register_vector

from devstack.stack import LocalStack
from devstack.testing import admin_headers
from osool_search.filters import SearchFilters
from osool_search.repository import ListingRepository, _nearest, _nearest_by_profile, _Params

pytestmark = pytest.mark.stack

COMPOUNDS = 30
PER_COMPOUND = 4


@pytest.fixture
def place(stack: LocalStack, api: httpx.Client) -> tuple[str, str]:
    """30 compounds of four villas each (30 profiles) in a place of the test's own; every villa has a pool except
    those of compound 0."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    location = f"Nearville {tag}"
    export = [
        {"id": f"NP-{tag}-{c}-{n}", "title": f"Villa {c}-{n}", "type": "Villa", "location": location,
         "compound": f"Compound {c} {tag}", "price": 20_000_000 + n * 100_000, "size": 400, "bedrooms": 5,
         "amenities": "" if c == 0 else "pool"}
        for c in range(COMPOUNDS) for n in range(PER_COMPOUND)
    ]  # fmt: skip
    report = api.post("/api/properties/ingest", json=export, headers=admin_headers(stack, "nearest-admin")).json()
    assert report["inserted"] == COMPOUNDS * PER_COMPOUND, report
    return tag, location


async def _connect(stack_env: dict[str, str]) -> asyncpg.Connection:
    connection = await asyncpg.connect(stack_env["DATABASE_URL"], server_settings={"search_path": "search,public"})
    await register_vector(connection)
    return connection


async def _vector_of(connection: asyncpg.Connection, source_id: str) -> tuple[str, np.ndarray]:
    row = await connection.fetchrow(
        "SELECT f.model, f.embedding FROM profiles f JOIN properties p ON p.profile_key = f.key WHERE p.source_id = $1",
        source_id,
    )
    assert row is not None
    return row["model"], row["embedding"]


def _listing_rows_read(plan: Any) -> float:
    """Rows the plan's scans of the listings table returned, over all their loops."""
    nodes = [plan]
    read = 0.0
    while nodes:
        node = nodes.pop()
        if node.get("Relation Name") == "properties":
            read += node["Actual Rows"] * node["Actual Loops"]
        nodes.extend(node.get("Plans", []))
    return read


def test_the_nearest_profiles_listings_are_the_nearest_listings_and_few_are_read(
    stack_env: dict[str, str], place: tuple[str, str]
) -> None:
    tag, location = place
    pools = SearchFilters(locations=[location], property_types=["Villa"], features=["pool"])
    k = 8

    async def run() -> None:
        connection = await _connect(stack_env)
        try:
            repository = ListingRepository(connection)  # type: ignore[arg-type]  # fetch, as on a pool
            # Compound 0's own vector: its profile is the nearest, and none of its villas has a pool.
            model, vector = await _vector_of(connection, f"NP-{tag}-0-0")
            by_profile, nearest, complete = await repository.candidates(pools, model, vector, "", k, profiles=200)
            exact, exact_nearest, _ = await repository.candidates(pools, model, vector, "", k, exact=True)
            assert nearest == exact_nearest == k and complete
            distances = sorted(round(c.distance or 0.0, 6) for c in by_profile)
            assert distances == sorted(round(c.distance or 0.0, 6) for c in exact)
            assert all(c.distance and c.distance > 1e-6 for c in by_profile)  # no villa of compound 0 (no pool)
            ids = [c.id for c in by_profile]
            rows = await connection.fetch("SELECT source_id FROM properties WHERE id = ANY($1::uuid[])", ids)
            assert all(not r["source_id"].startswith(f"NP-{tag}-0-") for r in rows)

            # Only the nearest profile read: compound 0, no pool, nothing found, and said to be incomplete.
            _, nearest, complete = await repository.candidates(pools, model, vector, "", k, profiles=1)
            assert nearest == 0 and not complete

            # Read few listings: the nearest profiles' until k pass, where the exact ranking reads every villa with
            # a pool in the place (116).
            async def listing_rows(sql: str, params: _Params) -> float:
                plan = await connection.fetchval(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", *params.values)
                return _listing_rows_read(json.loads(plan)[0]["Plan"])

            params = _Params(vector, model)
            few = await listing_rows(_nearest_by_profile(pools, params, k, 200), params)
            params = _Params(vector, model)
            every = await listing_rows(_nearest(pools, params, k, exact=True), params)
            assert few <= 4 * PER_COMPOUND < (COMPOUNDS - 1) * PER_COMPOUND <= every, (few, every)
        finally:
            await connection.close()

    asyncio.run(run())


def test_a_search_finds_the_nearest_listings_that_pass_when_the_nearest_profiles_have_none(
    api: httpx.Client, place: tuple[str, str]
) -> None:
    """Through the gateway: a search for a villa with a pool, worded like compound 0 (the nearest profile, no pool),
    fills its first page with villas with a pool from the compounds next to it."""
    tag, location = place
    request = {"query": f"villa with a pool in Compound 0 {tag}", "limit": 10, "filters": {"locations": [location]}}
    response = api.post("/api/properties/search", json=request)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["applied_filters"]["features"] == ["pool"]
    ids = [r["source_id"] for r in body["results"]]
    assert len(ids) == 10 and not any(i.startswith(f"NP-{tag}-0-") for i in ids), ids
    assert all("pool" in r["features"] for r in body["results"])


@pytest.fixture
def two_places(stack: LocalStack, api: httpx.Client) -> tuple[str, str, str]:
    """Two places of the test's own, four compounds of four villas each in both."""
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(8))
    near, far = f"Sunridge {tag}", f"Ironmoor {tag}"
    export = [
        {"id": f"SP-{tag}-{p}-{c}-{n}", "title": f"Villa {p}{c}-{n}", "type": "Villa", "location": place,
         "compound": f"{'Sunrise Gardens' if p == 0 else 'Quarry Heights'} {c} {tag}",
         "price": 20_000_000 + n * 100_000, "size": 400, "bedrooms": 5}
        for p, place in enumerate((near, far)) for c in range(4) for n in range(PER_COMPOUND)
    ]  # fmt: skip
    report = api.post("/api/properties/ingest", json=export, headers=admin_headers(stack, "spread-admin")).json()
    assert report["inserted"] == len(export), report
    return tag, near, far


def test_spread_takes_the_nearest_listings_of_each_place_in_turn(
    stack_env: dict[str, str], two_places: tuple[str, str, str]
) -> None:
    tag, near, far = two_places
    both = SearchFilters(locations=[near, far], property_types=["Villa"])
    k = 8

    async def run() -> None:
        connection = await _connect(stack_env)
        try:
            repository = ListingRepository(connection)  # type: ignore[arg-type]  # fetch, as on a pool
            model, vector = await _vector_of(connection, f"SP-{tag}-0-0-0")

            async def places(**options: Any) -> list[str]:
                found, nearest, _ = await repository.candidates(both, model, vector, "", k, **options)
                assert nearest == k
                assert all(c.location in (near, far) for c in found)
                return sorted(c.location for c in found)

            # Unspread, the near place's listings are the k nearest; spread, each place gives half of them, both by
            # the nearest profiles and by the exact ranking.
            assert await places(profiles=200) == [near] * k
            assert await places(exact=True) == [near] * k
            assert await places(profiles=200, spread=True) == sorted([near, far] * (k // 2))
            assert await places(exact=True, spread=True) == sorted([near, far] * (k // 2))
        finally:
            await connection.close()

    asyncio.run(run())
