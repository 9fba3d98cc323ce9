"""Demo listings: a deterministic generator of realistic Egyptian listings, and a writer of alias-style export files.

Record i is drawn from its own RNG seeded with f"{seed}:{i}", so any count is cheap, a run of N is the prefix of a run
of N + k, and a record can be regenerated alone. The generator builds plain dicts (no pydantic) because the demo and
the benchmarks ask it for a million records; every record it yields passes `ListingIn.model_validate`.

Prices follow: size x area base price x compound price level x type factor x finishing factor x placement factor
(standalone city buildings, resale) x noise (+-12%), rounded to the nearest 10,000 EGP."""

from __future__ import annotations

import csv
import json
import random
from bisect import bisect_right
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path
from typing import Any, Literal

from osool_search.gazetteer import (
    AR_ORDINALS,
    AREAS,
    CITY_TYPES,
    DEVELOPERS,
    FINISHINGS,
    HOUSE_TYPES,
    NON_RESIDENTIAL_TYPES,
    Area,
    Compound,
    digit_ordinal,
)

# Share of the listings each area holds: New Cairo and the west lead the market, the coast is seasonal.
_AREA_WEIGHTS: dict[str, float] = {
    "New Cairo": 0.22,
    "Mostakbal City": 0.07,
    "Madinaty": 0.06,
    "Shorouk City": 0.05,
    "New Administrative Capital": 0.12,
    "Sheikh Zayed": 0.12,
    "6th of October": 0.10,
    "Maadi": 0.05,
    "Heliopolis": 0.04,
    "Nasr City": 0.04,
    "North Coast": 0.09,
    "Ain Sokhna": 0.04,
}
_AREA_CODES: dict[str, str] = {
    "New Cairo": "NC",
    "Mostakbal City": "MC",
    "Madinaty": "MD",
    "Shorouk City": "SH",
    "New Administrative Capital": "NAC",
    "Sheikh Zayed": "SZ",
    "6th of October": "OC",
    "Maadi": "MA",
    "Heliopolis": "HE",
    "Nasr City": "NS",
    "North Coast": "SA",  # Sahel: "NC" is New Cairo
    "Ain Sokhna": "AS",
}
# The governorate an export's "city" column would name; write_demo_file uses it to exercise location resolution.
GOVERNORATES: dict[str, str] = {
    "Sheikh Zayed": "Giza",
    "6th of October": "Giza",
    "North Coast": "Matrouh",
    "Ain Sokhna": "Suez",
}

# Districts of city buildings outside compounds, for titles ("3BR Apartment in El Narges, New Cairo").
_DISTRICTS: dict[str, tuple[str, ...]] = {
    "New Cairo": ("El Narges", "El Banafseg", "El Yasmeen", "South Academy", "North 90th", "El Lotus", "Gharb El Golf"),
    "Shorouk City": ("District 3", "District 5", "El Shorouk 2000"),
    "New Administrative Capital": ("R7", "R8", "Downtown"),
    "Sheikh Zayed": ("District 10", "District 16", "El Hay El Awal"),
    "6th of October": ("Hay El Motamayez", "West Somid", "El Hay El Sabea", "October Gardens"),
    "Maadi": ("Degla", "Sarayat El Maadi", "Zahraa El Maadi", "New Maadi", "Maadi Corniche"),
    "Heliopolis": ("Korba", "Almaza", "Ard El Golf", "Sheraton", "El Nozha"),
    "Nasr City": ("Makram Ebeid", "Abbas El Akkad", "7th District", "8th District", "Zahraa Nasr City"),
}
_LANDMARKS: dict[str, tuple[str, ...]] = {
    "New Cairo": ("the AUC", "the Ring Road", "90th Street", "Cairo Festival City Mall", "Suez Road", "Point 90 Mall"),
    "Mostakbal City": ("Suez Road", "the New Capital", "the Regional Ring Road", "Madinaty"),
    "Madinaty": ("Open Air Mall", "Central Park", "Suez Road", "the Cairo–Ismailia Road"),
    "Shorouk City": ("the British University in Egypt", "the Cairo–Ismailia Road", "Suez Road"),
    "New Administrative Capital": (
        "the Monorail station",
        "the Iconic Tower",
        "the Government District",
        "Bin Zayed Axis",
    ),
    "Sheikh Zayed": ("Arkan Plaza", "the 26th of July Corridor", "Nile University", "Hyper One", "the Dahshur Link"),
    "6th of October": ("Mall of Arabia", "Juhayna Square", "the 26th of July Corridor", "Mall of Egypt", "Wahat Road"),
    "Maadi": ("the Corniche", "Road 9", "the Metro station", "Cairo American College", "Maadi Grand Mall"),
    "Heliopolis": ("Cairo Airport", "Korba", "Merghany Street", "the Baron Palace"),
    "Nasr City": ("City Stars", "Abbas El Akkad Street", "the Autostrad", "Al Azhar University"),
    "North Coast": ("the beach", "El Alamein", "Ras El Hekma", "the marina"),
    "Ain Sokhna": ("the beach", "Galala Mountain", "the Cairo–Sokhna Road", "Galala University"),
}
_GENERIC_LANDMARKS = ("the main road", "schools and hospitals", "the nearest mall")

# Type mixes (relative weights); a compound's own `types` narrows them.
_COASTAL_MIX = {"Chalet": 62, "Villa": 7, "Townhouse": 9, "Twinhouse": 7, "Penthouse": 7, "Studio": 8}
_COMPOUND_MIX = {
    "Apartment": 56,
    "Duplex": 7,
    "Penthouse": 4,
    "Studio": 5,
    "Townhouse": 10,
    "Twinhouse": 7,
    "Villa": 11,
}
_STANDALONE_MIX = {"Apartment": 72, "Duplex": 4, "Penthouse": 4, "Studio": 3, "Office": 8, "Retail": 5, "Clinic": 4}

# (bedrooms, min size, max size, weight) per type; bedrooms None for non-residential units.
_LAYOUTS: dict[str, tuple[tuple[int | None, int, int, int], ...]] = {
    "Studio": ((0, 45, 75, 1),),
    "Apartment": ((1, 90, 115, 10), (2, 110, 150, 35), (3, 140, 190, 40), (4, 180, 220, 15)),
    "Duplex": ((3, 180, 240, 45), (4, 220, 290, 40), (5, 270, 320, 15)),
    "Penthouse": ((3, 160, 230, 60), (4, 220, 300, 40)),
    "Townhouse": ((3, 200, 250, 55), (4, 240, 300, 45)),
    "Twinhouse": ((4, 240, 300, 60), (5, 290, 350, 40)),
    "Villa": ((4, 300, 400, 35), (5, 380, 520, 40), (6, 480, 650, 25)),
    "Chalet": ((1, 70, 95, 25), (2, 90, 130, 45), (3, 120, 180, 30)),
    "Office": ((None, 40, 250, 1),),
    "Retail": ((None, 30, 200, 1),),
    "Clinic": ((None, 35, 120, 1),),
}
# Price per square metre against a finished apartment in the same place. Villas and houses sell higher per square
# metre of built-up area because the price carries the land; shops on a street front are the dearest metres of all.
_TYPE_FACTOR = {
    "Apartment": 1.0,
    "Studio": 1.08,
    "Duplex": 0.95,
    "Penthouse": 1.05,
    "Townhouse": 1.08,
    "Twinhouse": 1.12,
    "Villa": 1.2,
    "Chalet": 1.0,
    "Office": 1.35,
    "Retail": 2.2,
    "Clinic": 1.5,
}
_FINISHING_FACTOR = {"core_and_shell": 0.78, "semi_finished": 0.9, "fully_finished": 1.0, "furnished": 1.1}
# A city building outside any compound sells well below the compounds of the same area (older, fewer amenities);
# in areas with no compounds the base price already describes those buildings.
_STANDALONE_FACTOR = 0.72
# Resale asks less than the developer's current price list, which carries the cost of a long installment plan.
_RESALE_FACTOR = 0.9

# Floors (a decision): (share on the ground floor, lowest and highest floor above it) by type. Compound buildings are
# low and their ground units have gardens; city buildings rise to twelve floors; shops are on the street; a penthouse
# tops a tower. Apartments, studios, offices and clinics leave the floor unstated now and then, and a few city shops
# and clinics are in the basement. Houses have no floor.
_FLOORS: dict[str, tuple[float, int, int]] = {
    "Apartment": (0.25, 1, 5),
    "Duplex": (0.5, 3, 6),
    "Penthouse": (0.0, 4, 14),
    "Studio": (1 / 9, 1, 8),
    "Chalet": (0.5, 1, 2),
    "Office": (0.0, 1, 12),
    "Clinic": (0.0, 1, 12),
    "Retail": (0.85, 1, 1),
}
_CITY_APARTMENT_FLOORS = (0.12, 1, 12)
_FLOOR_UNSTATED = frozenset({"Apartment", "Studio", "Office", "Clinic"})
_BASEMENT_TYPES = frozenset({"Retail", "Clinic"})
_FIN = ("core_and_shell", "semi_finished", "fully_finished", "furnished")
assert set(_FIN) == set(FINISHINGS)

_DEVELOPER_DOWN = {0: 5, 5: 20, 10: 35, 15: 20, 20: 20}
_DEVELOPER_YEARS = {5: 10, 6: 15, 7: 20, 8: 25, 9: 10, 10: 12, 12: 8}
_RESALE_DOWN = {30: 30, 35: 15, 40: 30, 50: 25}
_RESALE_YEARS = {1: 25, 2: 35, 3: 25, 4: 15}
_OFF_PLAN_YEARS = {2026: 15, 2027: 25, 2028: 25, 2029: 18, 2030: 10, 2031: 7}
_READY_YEARS = {2024: 45, 2025: 55}


class _Weighted:
    """A weighted choice driven by one uniform draw: one `random()` and a bisect, cheaper than `Random.choices`."""

    __slots__ = ("_cum", "_total", "_values")

    def __init__(self, weights: Mapping[Any, float]) -> None:
        self._values = tuple(weights)
        self._cum = tuple(accumulate(weights.values()))
        self._total = self._cum[-1]

    def pick(self, u: float) -> Any:
        return self._values[min(bisect_right(self._cum, u * self._total), len(self._values) - 1)]


@dataclass(frozen=True)
class _Place:
    area: Area
    compound: Compound | None
    code: str
    types: _Weighted
    price_level: float
    landmarks: tuple[str, ...]
    districts: tuple[str, ...]
    slug: str


def _code(area: Area) -> str:
    return _AREA_CODES.get(area.name) or "".join(w[0] for w in area.name.split()).upper()[:3]


def _slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def _places() -> tuple[_Weighted, tuple[_Place, ...]]:
    places: list[_Place] = []
    weights: list[float] = []
    city_types = set(CITY_TYPES)
    for area in AREAS:
        share = _AREA_WEIGHTS.get(area.name, 0.03)
        code = _code(area)
        landmarks = _LANDMARKS.get(area.name, _GENERIC_LANDMARKS)
        mix = _COASTAL_MIX if area.coastal else _COMPOUND_MIX
        for compound in area.compounds:
            narrowed = {t: w for t, w in mix.items() if t in compound.types} or dict.fromkeys(compound.types, 1)
            places.append(
                _Place(area, compound, code, _Weighted(narrowed), compound.price_level, landmarks, (), _slug(area.name))
            )
            weights.append(share * (1 - area.standalone_share) / len(area.compounds))
        if area.standalone_share > 0:
            narrowed = {t: w for t, w in _STANDALONE_MIX.items() if t in city_types}
            level = _STANDALONE_FACTOR if area.compounds else 1.0
            districts = _DISTRICTS.get(area.name, ())
            places.append(_Place(area, None, code, _Weighted(narrowed), level, landmarks, districts, _slug(area.name)))
            weights.append(share * area.standalone_share)
    return _Weighted(dict(enumerate(weights))), tuple(places)


_PLACE_PICK, _PLACES = _places()
_LAYOUT_PICK = {t: _Weighted({layout: layout[3] for layout in layouts}) for t, layouts in _LAYOUTS.items()}
_DEVELOPER_DOWN_PICK = _Weighted(_DEVELOPER_DOWN)
_DEVELOPER_YEARS_PICK = _Weighted(_DEVELOPER_YEARS)
_RESALE_DOWN_PICK = _Weighted(_RESALE_DOWN)
_RESALE_YEARS_PICK = _Weighted(_RESALE_YEARS)
_OFF_PLAN_PICK = _Weighted(_OFF_PLAN_YEARS)
_READY_PICK = _Weighted(_READY_YEARS)
# Finishing by context: (off-plan developer | delivered | coastal | standalone) x (house | unit | commercial).
_FINISHING_PICK = {
    ("off_plan", "house"): _Weighted({"core_and_shell": 40, "semi_finished": 45, "fully_finished": 15}),
    ("off_plan", "unit"): _Weighted({"core_and_shell": 5, "semi_finished": 50, "fully_finished": 45}),
    ("delivered", "house"): _Weighted(
        {"core_and_shell": 10, "semi_finished": 30, "fully_finished": 55, "furnished": 5}
    ),
    ("delivered", "unit"): _Weighted({"semi_finished": 15, "fully_finished": 70, "furnished": 15}),
    ("coastal", "house"): _Weighted({"semi_finished": 40, "fully_finished": 45, "furnished": 15}),
    ("coastal", "unit"): _Weighted({"semi_finished": 15, "fully_finished": 65, "furnished": 20}),
    ("any", "commercial"): _Weighted({"core_and_shell": 25, "semi_finished": 25, "fully_finished": 50}),
}

_FINISHING_SENTENCE = {
    "core_and_shell": ("Core & shell — finish it your way.", "Delivered core and shell."),
    "semi_finished": ("Semi-finished.", "Semi-finished, ready for your own touches."),
    "fully_finished": ("Fully finished with AC units.", "Fully finished, high-end fixtures.", "Fully finished."),
    "furnished": ("Furnished, ready to move in.", "Fully furnished with modern furniture and appliances."),
}
_FINISHING_TITLE = {
    "core_and_shell": "Core & shell",
    "semi_finished": "Semi-finished",
    "fully_finished": "Fully finished",
    "furnished": "Furnished",
}
_CITY_FEATURES = (
    "Open view over the landscape.",
    "Garden view.",
    "Overlooking the club house.",
    "Steps from the club house and gym.",
    "Close to international schools.",
    "Secure gated community with 24/7 security.",
    "Covered parking space included.",
    "Walking distance to the commercial strip.",
    "Quiet street, south-facing.",
    "Near a mosque and a pharmacy.",
)
_UNIT_FEATURES = (
    "Corner unit with two façades.",
    "Master bedroom with en-suite bathroom.",
    "Wide balcony with an open view.",
    "Wide reception and an open kitchen.",
    "High floor with elevator.",
    "Bright unit with large windows.",
)
_HOUSE_FEATURES = (
    "Private garden and a roof terrace.",
    "Basement and a maid's room.",
    "Private swimming pool.",
    "Double-height reception.",
    "Two covered parking spaces.",
    "Corner plot with a wide garden.",
)
_COASTAL_FEATURES = (
    "Direct sea view.",
    "Lagoon view.",
    "First row to the beach.",
    "A few minutes' walk to the beach.",
    "Crystal lagoons and a private beach.",
    "Marina, restaurants and a beach club nearby.",
)
_COMMERCIAL_FEATURES = {
    "Office": ("Licensed for administrative use.", "Central AC and raised floors.", "Suitable for a company HQ."),
    "Retail": ("Street-front shop with high footfall.", "Suitable for a café or a pharmacy.", "Wide glass frontage."),
    "Clinic": ("Licensed for medical use.", "In a medical building with a pharmacy.", "Suitable for a dental clinic."),
}
_OPENINGS = (
    "Spacious {size} m² {kind} in {place}.",
    "Bright {kind} of {size} m² in {place}.",
    "Well-planned {size} m² {kind} in {place}.",
    "{Kind} for sale in {place}, {size} m².",
)


def _kind(ptype: str, bedrooms: int | None) -> str:
    if bedrooms and ptype not in NON_RESIDENTIAL_TYPES:
        return f"{bedrooms}-bedroom {ptype.lower()}"
    return ptype.lower()


def generate_listings(count: int, seed: int = 2026) -> Iterator[dict[str, Any]]:
    """Yield `count` listing records in ListingIn's field names; record i depends only on (seed, i)."""
    rng = random.Random()  # noqa: S311 - demo data, not secrets
    for i in range(count):
        rng.seed(f"{seed}:{i}")  # reseeding one generator is the same stream as a new one, and cheaper
        yield _listing(rng, i)


def listing_at(i: int, seed: int = 2026) -> dict[str, Any]:
    """Record i of `generate_listings(count, seed)` for any count > i, alone."""
    return _listing(random.Random(f"{seed}:{i}"), i)  # noqa: S311 - demo data, not secrets


def _listing(rng: random.Random, i: int) -> dict[str, Any]:
    r = rng.random
    place: _Place = _PLACES[_PLACE_PICK.pick(r())]
    area, compound = place.area, place.compound
    ptype: str = place.types.pick(r())
    bedrooms, low, high, _ = _LAYOUT_PICK[ptype].pick(r())
    u = r()
    if bedrooms is None:
        u = u**1.6  # commercial units are mostly small
    size = low + round(u * (high - low))
    residential = ptype not in NON_RESIDENTIAL_TYPES
    if not residential:
        bathrooms = int(r() * 2) + (ptype != "Retail")
    elif bedrooms <= 1:
        bathrooms = 1
    elif bedrooms == 2:
        bathrooms = 1 + (r() < 0.6)
    else:
        bathrooms = bedrooms - 1 + int(r() * 3) if ptype in HOUSE_TYPES else bedrooms - 1 + int(r() * 2)

    # Sale, delivery, finishing.
    if compound is not None:
        resale = r() < 0.3
    else:
        resale = r() < 0.9
    if resale:
        delivered = r() < (0.95 if compound is None else 0.75)
    else:
        delivered = r() < (0.5 if compound is None else 0.2)
    if delivered:
        if not resale:
            year = _READY_PICK.pick(r())
        elif compound is None:
            year = 1995 + int(r() * 31)  # city buildings: built any time in the last thirty years
        else:
            year = 2016 + int(r() * 10)
    else:
        year = _OFF_PLAN_PICK.pick(r())
        if compound is None:
            year = min(year, 2028)
    delivered = year <= 2025
    group = "commercial" if not residential else "house" if ptype in HOUSE_TYPES else "unit"
    if group == "commercial":
        finishing = _FINISHING_PICK["any", "commercial"].pick(r())
    elif area.coastal:
        finishing = _FINISHING_PICK["coastal", group].pick(r())
    elif delivered or compound is None:
        finishing = _FINISHING_PICK["delivered", group].pick(r())
    else:
        finishing = _FINISHING_PICK["off_plan", group].pick(r())

    factor = place.price_level * _TYPE_FACTOR[ptype] * _FINISHING_FACTOR[finishing]
    if resale:
        factor *= _RESALE_FACTOR
    noise = 0.88 + 0.24 * r()
    price = max(10_000, round(size * area.base_price_per_sqm * factor * noise / 10_000) * 10_000)

    # Payment plan.
    if resale:
        cash_only = r() < (0.8 if compound is None else 0.6)
        down = _RESALE_DOWN_PICK.pick(r())
        years = _RESALE_YEARS_PICK.pick(r())
    else:
        cash_only = r() < 0.04
        down = _DEVELOPER_DOWN_PICK.pick(r())
        years = _DEVELOPER_YEARS_PICK.pick(r())
    if cash_only:
        down_pct, plan_years, monthly = 100.0, 0, None
    else:
        down_pct, plan_years = float(down), years
        monthly = round(price * (100 - down) / 100 / (years * 12) / 100) * 100

    # Words.
    district = place.districts[int(r() * len(place.districts))] if place.districts and r() < 0.7 else None
    where = compound.name if compound else district
    place_text = f"{where}, {area.name}" if where and where != area.name else area.name  # not "Madinaty, Madinaty"
    label = f"{bedrooms}BR {ptype}" if residential and bedrooms else ptype
    t = r()
    if t < 0.45:
        title = f"{label} for sale in {place_text}"
    elif t < 0.6:
        title = f"{_FINISHING_TITLE[finishing]} {label} in {place_text}"
    elif t < 0.72 and resale:
        title = f"Resale {label} in {place_text}"
    elif t < 0.84 and delivered:
        title = f"Ready to move {label} in {place_text}"
    elif t < 0.84 and not cash_only:
        title = f"{label} in {place_text} – {down}% down, {years} years"
    elif area.coastal:
        title = f"{label} with {'sea' if r() < 0.5 else 'lagoon'} view in {place_text}"
    else:
        title = f"{label} in {place_text}"

    kind = _kind(ptype, bedrooms)
    opening = _OPENINGS[int(r() * len(_OPENINGS))]
    parts = [opening.format(size=size, kind=kind, Kind=kind[0].upper() + kind[1:], place=place_text)]
    if not residential:
        pool: Sequence[str] = _COMMERCIAL_FEATURES[ptype]
    elif area.coastal:
        pool = _COASTAL_FEATURES
    elif ptype in HOUSE_TYPES:
        pool = _HOUSE_FEATURES
    elif compound is not None and r() < 0.5:
        pool = _CITY_FEATURES
    else:
        pool = _UNIT_FEATURES
    first = int(r() * len(pool))
    parts.append(pool[first])
    if r() < 0.6:
        parts.append(pool[(first + 1 + int(r() * (len(pool) - 1))) % len(pool)])
    if r() < 0.7:
        parts.append(f"Near {place.landmarks[int(r() * len(place.landmarks))]}.")
    sentences = _FINISHING_SENTENCE[finishing]
    parts.append(sentences[int(r() * len(sentences))])
    if delivered:
        parts.append("Ready to move." if r() < 0.5 else "Immediate delivery.")
    else:
        parts.append(f"Delivery in {year}.")
    if cash_only:
        parts.append("Cash only.")
    elif monthly is not None:
        parts.append(f"{down}% down payment, the rest over {years} years (about EGP {monthly:,} a month).")
    if r() < 0.3:
        parts.append(_arabic_phrase(r(), delivered, finishing, cash_only, down, years, area.coastal))

    code = place.code
    source_id = f"{code}-{i:06d}"
    # Drawn in the order they always were, so that the floor, drawn last, leaves every other field as it was.
    image_url = f"https://images.osool.example/listings/{code.lower()}/{i:06d}-1.jpg" if r() < 0.95 else None
    source_url = f"https://listings.osool.example/{place.slug}/{source_id.lower()}"
    is_available = r() < 0.97
    floor = _floor(r, ptype, in_city=compound is None)
    return {
        "source_id": source_id,
        "title": title,
        "description": " ".join(parts),
        "type": ptype,
        "location": area.name,
        "compound": compound.name if compound else None,
        "developer": compound.developer if compound else None,
        "price": price,
        "price_per_sqm": round(price / size),
        "size_sqm": float(size),
        "bedrooms": bedrooms,
        "bathrooms": bathrooms,
        "floor": floor,
        "finishing": finishing,
        "delivery_year": year,
        "is_delivered": delivered,
        "sale_type": "resale" if resale else "developer",
        "down_payment_pct": down_pct,
        "installment_years": plan_years,
        "monthly_installment": monthly,
        "is_cash_only": cash_only,
        "image_url": image_url,
        "source_url": source_url,
        "is_available": is_available,
    }


def _floor(r: Callable[[], float], ptype: str, in_city: bool) -> int | None:
    if ptype in HOUSE_TYPES:
        return None
    if ptype in _FLOOR_UNSTATED and r() < 0.03:
        return None
    if ptype in _BASEMENT_TYPES and in_city and r() < 0.05:
        return -1
    ground, low, high = _CITY_APARTMENT_FLOORS if ptype == "Apartment" and in_city else _FLOORS[ptype]
    u = r()
    if u < ground:
        return 0
    return min(high, low + int((u - ground) / (1 - ground) * (high - low + 1)))


def _arabic_phrase(u: float, delivered: bool, finishing: str, cash: bool, down: int, years: int, coast: bool) -> str:
    """An Egyptian Arabic phrase that agrees with the listing's facts (buyers search in both languages)."""
    options = ["فيو مفتوح", "قريب من كل الخدمات", "سعر لقطة"]
    if delivered:
        options.append("استلام فوري")
    if finishing == "fully_finished":
        options.append("تشطيب سوبر لوكس")
    if finishing == "furnished":
        options.append("مفروشة بالكامل")
    if cash:
        options.append("كاش فقط")
    else:
        options.append(f"مقدم {down}% وقسط على {years} سنين")
    if coast:
        options.append("على البحر مباشرة")
    return options[int(u * len(options))]


# ---- Alias-style exports: the field names and value formats real portals and developers send. ----

_TYPE_VARIANTS: dict[str, tuple[str, ...]] = {
    "Apartment": ("Apartment", "Flat", "apartment"),
    "Villa": ("Villa", "Stand Alone Villa", "Villa - Standalone"),
    "Townhouse": ("Town House", "Townhouse"),
    "Twinhouse": ("Twin House", "Twinhouse"),
    "Duplex": ("Duplex",),
    "Penthouse": ("Penthouse", "Roof Penthouse"),
    "Studio": ("Studio",),
    "Chalet": ("Chalet", "شاليه"),
    "Office": ("Administrative", "Office"),
    "Retail": ("Shop", "Retail", "Commercial"),
    "Clinic": ("Medical", "Clinic"),
}
_FINISHING_VARIANTS: dict[str, tuple[str, ...]] = {
    "core_and_shell": ("Core & Shell", "core and shell", "بدون تشطيب"),
    "semi_finished": ("Semi-Finished", "Semi Finished", "نص تشطيب"),
    "fully_finished": ("Fully Finished", "Super Lux", "متشطب"),
    "furnished": ("Furnished", "Fully Furnished"),
}
_DEVELOPER_ALIASES = {d.name: (d.name, *d.aliases) for d in DEVELOPERS}
_AREA_VARIANTS = {a.name: (a.name, *a.aliases) for a in AREAS}
_ARABIC_DIGITS = str.maketrans("0123456789,", "٠١٢٣٤٥٦٧٨٩٬")


def _pick(options: Sequence[str], i: int) -> str:
    return options[i % len(options)]


def _floor_text(floor: int, i: int) -> int | str:
    """A floor as exports write it: a number, "3rd", "Floor 3", "الدور التالت", "G", "أرضي", "بدروم"."""
    options: tuple[int | str, ...]
    if floor == 0:
        options = ("Ground", "G", 0, "أرضي", "GF", "الدور الأرضي", "ground floor")
    elif floor == -1:
        options = ("Basement", "بدروم", -1, "B", "Lower Ground")
    else:
        # The standard Arabic ordinal after "الدور", the Egyptian one (the second spelling) after "دور".
        ordinals = AR_ORDINALS.get(floor, (str(floor),))
        msa = "ال" + ordinals[0] if floor in AR_ORDINALS else ordinals[0]
        egyptian = ordinals[min(1, len(ordinals) - 1)]
        options = (floor, digit_ordinal(floor), f"الدور {msa}", str(floor), f"Floor {floor}", f"دور {egyptian}",
                   f"{digit_ordinal(floor)} floor", f"الدور {str(floor).translate(_ARABIC_DIGITS)}")  # fmt: skip
    return options[i % len(options)]


def _alias_json(rec: Mapping[str, Any], i: int) -> dict[str, Any]:
    """A record as a portal's JSON export would carry it: camelCase, nested payment plan, formatted numbers."""
    out: dict[str, Any] = {"id": rec["source_id"], "name": rec["title"], "details": rec["description"]}
    out["propertyType"] = _pick(_TYPE_VARIANTS[rec["type"]], i)
    location = _pick(_AREA_VARIANTS.get(rec["location"], (rec["location"],)), i // 3)
    if i % 3 == 0:
        out["city"] = GOVERNORATES.get(rec["location"], "Cairo")
        out["district"] = location
    else:
        out["location"] = location
    if rec["compound"]:
        out["project"] = rec["compound"]
        out["developerName"] = _pick(_DEVELOPER_ALIASES.get(rec["developer"], (rec["developer"],)), i)
    price = rec["price"]
    out["priceEGP"] = (f"EGP {price:,}", price, f"{price / 1_000_000:g}M")[i % 3]
    out["pricePerMeter"] = rec["price_per_sqm"]
    size = rec["size_sqm"]
    if i % 2:
        out["area"] = f"{size:g} m²"  # numeric: the size, as Egyptian exports use the word
    else:
        out["bua"] = size
    if rec["bedrooms"] is not None:
        out["beds"] = rec["bedrooms"] if i % 4 else str(rec["bedrooms"])
    out["baths"] = rec["bathrooms"]
    if rec["floor"] is not None:
        out["floor"] = _floor_text(rec["floor"], i)
    if rec["finishing"]:
        out["finish"] = _pick(_FINISHING_VARIANTS[rec["finishing"]], i)
    year = rec["delivery_year"]
    out["deliveryDate"] = (year, f"Q{i % 4 + 1} {year}", f"{year}-06-30", str(year))[i % 4]
    if i % 2:
        out["isDelivered"] = rec["is_delivered"]
    else:
        out["readyToMove"] = "Yes" if rec["is_delivered"] else "No"
    sale_words = ("Primary", "Developer") if rec["sale_type"] == "developer" else ("Resale", "Secondary")
    out["saleType"] = sale_words[i % 2]
    if rec["is_cash_only"]:
        out["payment"] = "Cash"
    else:
        down = rec["down_payment_pct"]
        out["paymentPlan"] = {
            "downPayment": f"{down:g}%" if i % 3 else down / 100,  # a fraction, as some spreadsheets store it
            "installmentYears": rec["installment_years"],
            "monthlyInstallment": rec["monthly_installment"],
        }
    out["images"] = [rec["image_url"], rec["image_url"].replace("-1.jpg", "-2.jpg")] if rec["image_url"] else []
    out["link"] = rec["source_url"]
    out["status"] = "Available" if rec["is_available"] else "Sold"
    return out


_CSV_HEADER = (
    "Reference",
    "Title",
    "Description",
    "Unit Type",
    "Area",
    "Compound Name",
    "Developer",
    "Price (EGP)",
    "Price per m²",
    "BUA (m²)",
    "Bedrooms",
    "Bathrooms",
    "Floor",
    "Finishing",
    "Delivery",
    "Ready to Move",
    "Sale Type",
    "Payment",
    "Down Payment",
    "Installment Years",
    "Monthly Installment",
    "Image URL",
    "Listing URL",
    "Status",
)


def _alias_csv(rec: Mapping[str, Any], i: int) -> list[str]:
    """A record as a spreadsheet export: spaced headers, 'Area' as the location text, Arabic digits now and then."""
    price = rec["price"]
    price_text = (f"{price:,}", f"{price:,}".translate(_ARABIC_DIGITS), str(price))[i % 3]
    cash = rec["is_cash_only"]
    year = rec["delivery_year"]
    bedrooms = rec["bedrooms"]
    return [
        rec["source_id"],
        rec["title"],
        rec["description"],
        _pick(_TYPE_VARIANTS[rec["type"]], i),
        _pick(_AREA_VARIANTS.get(rec["location"], (rec["location"],)), i),
        rec["compound"] or "",
        rec["developer"] or "",
        price_text,
        str(rec["price_per_sqm"]),
        f"{rec['size_sqm']:g}",
        "" if bedrooms is None else str(bedrooms),
        str(rec["bathrooms"]),
        "" if rec["floor"] is None else str(_floor_text(rec["floor"], i // 2)),
        _pick(_FINISHING_VARIANTS[rec["finishing"]], i) if rec["finishing"] else "",
        (str(year), f"Q{i % 4 + 1} {year}")[i % 2],
        (("Yes", "نعم") if rec["is_delivered"] else ("No", "لا"))[i % 2],
        "Primary" if rec["sale_type"] == "developer" else "Resale",
        "Cash" if cash else "Installments",
        "" if cash else f"{rec['down_payment_pct']:g}%",
        "" if cash else str(rec["installment_years"]),
        "" if cash else f"{rec['monthly_installment']:,}",
        rec["image_url"] or "",
        rec["source_url"],
        "Available" if rec["is_available"] else "Sold",
    ]


def write_demo_file(path: str | Path, count: int, seed: int = 2026, fmt: Literal["json", "csv"] = "json") -> int:
    """Write `count` demo listings as an alias-style export (JSON with a `properties` list, or a UTF-8 CSV with a BOM
    as Excel writes it) so ingestion can be exercised on realistic field names. Returns the number written."""
    target = Path(path)
    written = 0
    if fmt == "json":
        with target.open("w", encoding="utf-8") as out:
            out.write('{"source": "Osool demo export", "properties": [\n')
            for i, rec in enumerate(generate_listings(count, seed)):
                out.write(",\n" if i else "")
                out.write(json.dumps(_alias_json(rec, i), ensure_ascii=False))
                written += 1
            out.write("\n]}\n")
    elif fmt == "csv":
        with target.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.writer(out)
            writer.writerow(_CSV_HEADER)
            for i, rec in enumerate(generate_listings(count, seed)):
                writer.writerow(_alias_csv(rec, i))
                written += 1
    else:
        raise ValueError(f"unknown demo file format {fmt!r}: expected 'json' or 'csv'")
    return written
