"""The full-text branch ranks its matches: when a word matches more listings than a search takes from that branch,
the ones the word describes best are kept, not whichever the index met first."""

from __future__ import annotations

import random

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers

pytestmark = pytest.mark.stack


def test_the_best_text_match_is_found_among_more_matches_than_the_branch_takes(
    stack: LocalStack, api: httpx.Client
) -> None:
    admin = admin_headers(stack, "text-rank-admin")
    tag = "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))
    # 300 listings that mention the word once and 10 that are about it (in the title and all through the
    # description), in one export in random order: more matches than a search of 20 takes from the text branch (40).
    weak = [{"id": f"TR-{tag}-w{n}", "title": f"Clinic suite {n}", "type": "Clinic", "location": "Maadi",
             "price": 2_000_000 + n * 1_000, "size": 60, "description": f"A clinic; reference {tag}."}
            for n in range(300)]  # fmt: skip
    strong = [{"id": f"TR-{tag}-s{n}", "title": f"{tag} medical centre {n}", "type": "Office", "location": "Heliopolis",
               "price": 9_000_000 + n * 1_000, "size": 200, "description": f"{tag} {tag}: the {tag} building."}
              for n in range(10)]  # fmt: skip
    export = weak + strong
    random.shuffle(export)
    assert api.post("/api/properties/ingest", json=export, headers=admin).json()["inserted"] == 310
    response = api.post("/api/properties/search", json={"query": tag, "limit": 20})
    assert response.status_code == 200, response.text
    ids = [r["source_id"] for r in response.json()["results"]]
    # Unranked, the branch would keep whichever 40 of the 310 the index met first: one or two of the 10.
    assert {s["id"] for s in strong} <= set(ids), ids
