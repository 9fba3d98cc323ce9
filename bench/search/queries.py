"""The cold benchmark's queries: each written from a listing the tier holds, as a buyer would ask for it, so a cold
search finds what it is after (the type, the place, the rooms, a budget a little above the price, about the size)
rather than coming back empty, which is cheaper than a search that has a page to rank and fetch."""

from __future__ import annotations

import math
import random
from typing import Any

from osool_search.demo_data import listing_at
from osool_search.gazetteer import AREAS, PROPERTY_TYPES
from osool_search.query_parser import is_arabic

# The first Arabic name of each area and type in the gazetteer, as the Arabic template writes them.
_AREA_AR = {area.name: next(a for a in area.aliases if is_arabic(a)) for area in AREAS}
_TYPE_AR = {name: next(a for a in aliases if is_arabic(a)) for name, aliases in PROPERTY_TYPES.items()}

# With rooms (b), a budget in millions (m) and a size in square metres (s); one in five is Arabic.
_WITH_ROOMS = (
    "{b} bedroom {type} in {area} under {m}M around {s} sqm",
    "{type} in {area} under {m}M, {b} bedrooms, around {s} sqm",
    "{type_ar} {b} غرف في {area_ar} بأقل من {m} مليون مساحة {s} متر",
    "{type} in {area} with {b} rooms under {m} million {s} m2",
    "{b} BR {type} in {area} below {m}M, {s} meters",
)
# Studios (no bedroom) and offices, shops and clinics (rooms not stated).
_WITHOUT_ROOMS = (
    "{type} in {area} under {m}M around {s} sqm",
    "{type} in {area} below {m} million, {s} meters",
    "{type_ar} في {area_ar} بأقل من {m} مليون مساحة {s} متر",
    "{type} in {area} under {m} million {s} m2",
    "{type} in {area} for less than {m}M, about {s} sqm",
)


def cold_query(listing: dict[str, Any], n: int, rng: random.Random) -> str:
    """A query the listing answers: template n (of five), a budget 0-50% above its price in whole millions."""
    budget = max(1, math.ceil(listing["price"] * (1 + 0.5 * rng.random()) / 1_000_000))
    rooms = listing["bedrooms"]
    templates = _WITH_ROOMS if rooms else _WITHOUT_ROOMS
    return templates[n % len(templates)].format(
        b=rooms,
        type=listing["type"].lower(),
        type_ar=_TYPE_AR[listing["type"]],
        area=listing["location"],
        area_ar=_AREA_AR[listing["location"]],
        m=budget,
        s=round(listing["size_sqm"]),
    )


def cold_queries(listings: int, count: int, seed: int = 17) -> list[tuple[str, dict[str, Any]]]:
    """`count` distinct queries, each with the listing it was written from, drawn from the first `listings` records
    of the demo generator (the tier's own)."""
    rng = random.Random(seed)  # a benchmark's sample, not a secret
    seen: set[str] = set()
    out: list[tuple[str, dict[str, Any]]] = []
    while len(out) < count:
        listing = listing_at(rng.randrange(listings))
        query = cold_query(listing, len(out), rng)
        if query not in seen:
            seen.add(query)
            out.append((query, listing))
    return out
