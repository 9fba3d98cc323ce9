"""Search filters: what a buyer asked for, as structured constraints, and whether a listing satisfies them.

The same model is what the query parser produces, what a client sends explicitly, what the response reports as
`applied_filters`, and what the evaluation set labels each query with. Each list filter has an exclusion beside it
(`exclude_property_types`, ...): what the buyer ruled out; a listing with no value there is not ruled out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from osool_common.listing_filters import FILTER_RULES
from osool_common.listing_filters import violations as listing_violations
from osool_common.validation import PlainText
from osool_search.gazetteer import (
    ARABIC_NAMES,
    AREA_SPELLINGS,
    AREAS,
    DEVELOPERS,
    REGION_LOCATIONS,
    REGIONS,
    Region,
    name_key,
)
from osool_search.listing import (
    MAX_FLOOR,
    MAX_PRICE_EGP,
    MAX_SIZE_SQM,
    MIN_FLOOR,
    Feature,
    Finishing,
    PropertyType,
    SaleType,
)

FloorNumber = Annotated[int, Field(ge=MIN_FLOOR, le=MAX_FLOOR)]

# The query parameter of the listing route (GET /api/properties) that fills each filter whose name differs: a
# parameter names one value and may repeat (`type=Villa&type=Duplex`); every other filter is its own parameter.
LISTING_PARAMETERS: dict[str, str] = {
    "locations": "location", "property_types": "type", "compounds": "compound", "developers": "developer",
    "features": "feature", "floors": "floor", "exclude_property_types": "exclude_type",
    "exclude_locations": "exclude_location", "exclude_compounds": "exclude_compound",
    "exclude_developers": "exclude_developer", "exclude_features": "exclude_feature", "exclude_floors": "exclude_floor",
}  # fmt: skip

# Each list filter and the filter of what the buyer ruled out of it.
EXCLUSIONS: dict[str, str] = {
    "property_types": "exclude_property_types",
    "locations": "exclude_locations",
    "compounds": "exclude_compounds",
    "developers": "exclude_developers",
    "finishing": "exclude_finishing",
    "features": "exclude_features",
    "floors": "exclude_floors",
}


# Names are matched against every spelling the gazetteer knows and the Arabic name a page shows (which a client may
# send back), case and Arabic letter variants aside (gazetteer.name_key), and stored in their canonical form, so a
# filter on "new cairo" or "التجمع الخامس" finds "New Cairo" listings; an unknown name is kept as given (a newer
# area). Built once: every search validates filters at least once. No spelling names two things of one kind
# (test_filters).
def _spelt(named: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    return {name_key(s): name for name, spellings in named for s in (name, *spellings, ARABIC_NAMES.get(name, name))}


_CANONICAL_NAMES: dict[str, dict[str, str]] = {
    "locations": _spelt(AREA_SPELLINGS.items()),
    "compounds": _spelt((c.name, c.aliases) for area in AREAS for c in area.compounds),
    "developers": _spelt((d.name, d.aliases) for d in DEVELOPERS),
}


# A region by its name or any of its spellings ("Giza", "east cairo", "الجيزه"): a filter on it is a filter on its
# places, in the order the gazetteer lists them, and on the listings filed under the region's own name
# (gazetteer.REGION_LOCATIONS). A name that is also a place's is the place (none is today).
_REGIONS: dict[str, Region] = {key: r for r in REGIONS for key in _spelt([(r.name, r.aliases)])}
# A location list may name every known place (a region expands to up to 32 names).
MAX_PLACES = 60


_REGION_ORDER = {region.name: i for i, region in enumerate(REGIONS)}


def _places(values: list[str]) -> tuple[list[str], set[str]]:
    """Canonical place names, with each region replaced by its places and the region names it matches (those last,
    in the gazetteer's order, so that the list read again is the same list); and the names only a region brought."""
    canonical = _CANONICAL_NAMES["locations"]
    named: list[str] = []
    regional: list[str] = []
    for value in values:
        key = name_key(value)
        if key in canonical or key not in _REGIONS:
            named.append(canonical.get(key, value.strip()))
        else:
            regional.extend(REGION_LOCATIONS[_REGIONS[key].name])
    regions = sorted({name for name in regional if name in _REGION_ORDER}, key=_REGION_ORDER.__getitem__)
    places = [name for name in regional if name not in _REGION_ORDER]
    return list(dict.fromkeys([*named, *places, *regions])), set(regional) - set(named)


def folded_into_regions(names: list[str]) -> list[str]:
    """The reverse of a region's expansion, for a query string (the listing route takes at most 20 places): every
    region whose names are all present stands in for them, the largest first."""
    left = list(names)
    for region in sorted(REGIONS, key=lambda r: len(REGION_LOCATIONS[r.name]), reverse=True):
        covered = REGION_LOCATIONS[region.name]
        if set(covered) <= set(left):
            left = [region.name, *(name for name in left if name not in covered)]
    return left


def region_named(name: str) -> Region | None:
    """The region a name or spelling names ("giza", "شرق القاهرة"); None for a place or an unknown name."""
    key = name_key(name)
    return None if key in _CANONICAL_NAMES["locations"] else _REGIONS.get(key)


# The bounds that must not cross (low ≤ high).
_RANGES = (
    ("min_price", "max_price"),
    ("min_price_per_sqm", "max_price_per_sqm"),
    ("min_size_sqm", "max_size_sqm"),
    ("min_floor", "max_floor"),
    ("min_bedrooms", "max_bedrooms"),
)


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_price: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    max_price: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    # The price of a square metre (a listing's price_per_sqm): "سعر المتر 30 ألف", "under 40k per sqm".
    min_price_per_sqm: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    max_price_per_sqm: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    bedrooms: int | None = Field(default=None, ge=0, le=20)
    min_bedrooms: int | None = Field(default=None, ge=0, le=20)
    max_bedrooms: int | None = Field(default=None, ge=0, le=20)
    min_bathrooms: int | None = Field(default=None, ge=0, le=20)
    property_types: list[PropertyType] | None = Field(default=None, min_length=1, max_length=11)
    # Places; a region ("Giza", "East Cairo") stands for its places and is replaced by them.
    locations: list[PlainText] | None = Field(default=None, min_length=1, max_length=MAX_PLACES)
    compounds: list[PlainText] | None = Field(default=None, min_length=1, max_length=20)
    # In some compound (true) or in none (false).
    in_compound: bool | None = None
    developers: list[PlainText] | None = Field(default=None, min_length=1, max_length=20)
    is_delivered: bool | None = None
    delivery_year: int | None = Field(default=None, ge=1950, le=2045)
    max_delivery_year: int | None = Field(default=None, ge=1950, le=2045)
    min_installment_years: int | None = Field(default=None, ge=0, le=30)
    max_down_payment_pct: float | None = Field(default=None, ge=0, le=100)
    # The most the buyer pays up front, in pounds: a listing's price times its down payment share.
    max_down_payment: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    max_monthly_installment: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    min_size_sqm: float | None = Field(default=None, ge=0, le=MAX_SIZE_SQM)
    max_size_sqm: float | None = Field(default=None, ge=0, le=MAX_SIZE_SQM)
    finishing: list[Finishing] | None = Field(default=None, min_length=1, max_length=4)
    sale_type: SaleType | None = None
    is_cash_only: bool | None = None
    # A unit's floor (0 the ground floor, -1 a basement): one of these, at least, at most. A listing whose floor is not
    # known meets none of them; an excluded floor rules out only the listings known to be on it.
    floors: list[FloorNumber] | None = Field(default=None, min_length=1, max_length=20)
    min_floor: int | None = Field(default=None, ge=MIN_FLOOR, le=MAX_FLOOR)
    max_floor: int | None = Field(default=None, ge=MIN_FLOOR, le=MAX_FLOOR)
    exclude_property_types: list[PropertyType] | None = Field(default=None, min_length=1, max_length=11)
    exclude_locations: list[PlainText] | None = Field(default=None, min_length=1, max_length=MAX_PLACES)
    exclude_compounds: list[PlainText] | None = Field(default=None, min_length=1, max_length=20)
    exclude_developers: list[PlainText] | None = Field(default=None, min_length=1, max_length=20)
    exclude_finishing: list[Finishing] | None = Field(default=None, min_length=1, max_length=4)
    exclude_floors: list[FloorNumber] | None = Field(default=None, min_length=1, max_length=20)
    # Features and amenities a listing must have ("with a pool") or must not ("no garden"). A feature the query asks
    # for that no listing has is not applied, and the search response says so (unmatched_features).
    features: list[Feature] | None = Field(default=None, min_length=1, max_length=20)
    exclude_features: list[Feature] | None = Field(default=None, min_length=1, max_length=20)

    @model_validator(mode="after")
    def _known_names_and_ranges(self) -> SearchFilters:
        if self.exclude_locations:
            self.exclude_locations = _places(self.exclude_locations)[0]
        if self.locations:
            # "Giza, not Dokki": a place a region brought and the buyer ruled out is left out, not a contradiction.
            places, regional = _places(self.locations)
            excluded = set(self.exclude_locations or ())
            kept = [p for p in places if p not in regional or p not in excluded]
            if not kept:  # "Giza" and "not Giza": as much a contradiction as a place wanted and ruled out
                raise ValueError(f"{', '.join(self.locations)} ruled out whole by exclude_locations")
            self.locations = kept
        for field, canonical in _CANONICAL_NAMES.items():
            if field == "locations":
                continue
            for name in (field, EXCLUSIONS[field]):
                values = getattr(self, name)
                if values:
                    setattr(self, name, [canonical.get(name_key(v), v.strip()) for v in values])
        for wanted, unwanted in EXCLUSIONS.items():
            both = set(getattr(self, wanted) or ()) & set(getattr(self, unwanted) or ())
            if both:
                raise ValueError(f"{', '.join(map(str, sorted(both)))} both in {wanted} and in {unwanted}")
        if self.in_compound is False and self.compounds:
            raise ValueError("compounds named, and in_compound is false")
        for low, high in _RANGES:
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} is greater than {high}")
        return self

    def merged_over(self, parsed: SearchFilters) -> SearchFilters:
        """Explicit filters (self) override what was parsed from the text, field by field; a value stated explicitly
        also leaves the parsed opposite list (an explicit Villa is no longer a parsed exclusion, and the other way
        round), and so does an explicit compound or bound the reading contradicts."""
        explicit = self.model_dump(exclude_none=True)
        reading = parsed.model_dump(exclude_none=True)
        for wanted, unwanted in EXCLUSIONS.items():
            for stated, opposite in ((wanted, unwanted), (unwanted, wanted)):
                if stated in explicit and opposite in reading:
                    kept = [v for v in reading[opposite] if v not in explicit[stated]]
                    if kept:
                        reading[opposite] = kept
                    else:
                        del reading[opposite]
        # An explicit compound wins over a parsed "not in a compound", an explicit in_compound over parsed compounds
        # (whichever way round), and an explicit bound over a parsed opposite bound it contradicts: what the client
        # states is never a 422 because of what the text seemed to say.
        if "compounds" in explicit and reading.get("in_compound") is False:
            del reading["in_compound"]
        if explicit.get("in_compound") is False:
            reading.pop("compounds", None)
        for low, high in _RANGES:
            if low in explicit and high not in explicit and explicit[low] > reading.get(high, explicit[low]):
                del reading[high]
            if high in explicit and low not in explicit and reading.get(low, explicit[high]) > explicit[high]:
                del reading[low]
        return SearchFilters.model_validate({**reading, **explicit})

    def applied(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


# The one definition of every filter lives in the shared kit (osool_common.listing_filters): the repository turns it
# into SQL, violations() into a Python check, and the agent's alerts match with it, so none of them can drift apart.
assert set(FILTER_RULES) == set(SearchFilters.model_fields), "every filter needs its rule"


def satisfies(listing: Mapping[str, Any], filters: SearchFilters) -> bool:
    """Whether a listing (a dict with the stored field names) meets every constraint."""
    return not violations(listing, filters)


def violations(listing: Mapping[str, Any], filters: SearchFilters) -> list[str]:
    """The names of the filters a listing fails."""
    return listing_violations(listing, filters.applied())
