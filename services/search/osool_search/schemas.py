"""Request and response models of the search service (its OpenAPI contract, which the agent's tools follow)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from osool_common.listing_filters import DERIVED, SearchOrder
from osool_common.validation import PlainText
from osool_search.filters import SearchFilters
from osool_search.gazetteer import ARABIC_NAMES, KNOWN_NAMES
from osool_search.listing import Feature, Finishing, PropertyType, SaleType
from osool_search.relaxation import GROUPS, RelaxableGroup

# The order of a listing page without words to rank by: the newest first, or by price, size or price per square metre.
ListOrder = Literal[
    "newest", "price_asc", "price_desc", "size_desc", "size_asc", "price_per_sqm_asc", "price_per_sqm_desc"
]


class StrictModel(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SearchRequest(StrictModel):
    # The length limit is the service's setting (SEARCH_MAX_QUERY_CHARS); this bound only stops absurd bodies early.
    query: PlainText = Field(min_length=1, max_length=100_000)
    filters: SearchFilters | None = None
    limit: int = Field(default=10, ge=1, le=10_000)
    cursor: str | None = Field(default=None, max_length=500)
    # When the first page is empty, say which filters given up would find listings (`relaxations`): a few more
    # statements, tens of milliseconds on a large catalogue, so only for the clients that show them (the web client,
    # Amr). Off, the response's relaxations are always empty.
    explain_empty: bool = False
    # Groups of filters given up (a relaxation a response offered, taken: "yes, show me those"): whatever the words or
    # the explicit filters state of them is left out.
    relax: list[RelaxableGroup] = Field(default_factory=list, max_length=len(GROUPS))
    # The order of the results: by relevance, by price (cheapest or dearest first) or by size (biggest or smallest
    # first), ties by id. Absent: what the words ask for ("the cheapest", "أرخص", "أغلى", "the biggest"), else
    # relevance.
    order: SearchOrder | None = None
    # For a buyer after a home (Amr's searches): when neither the words nor the filters name a type or rule one out,
    # offices, shops and clinics are left out, as exclude_property_types in applied_filters (so the client can say
    # so), and given up with the other exclusions when nothing else matches.
    homes_only: bool = False


class ParseRequest(StrictModel):
    query: PlainText = Field(min_length=1, max_length=100_000)


class ParsedQueryOut(BaseModel):
    # The filters the words state (as SearchFilters, without the empty ones).
    filters: dict[str, Any]
    # The words left over once the filters were taken out.
    text: str
    # The buyer's own phrases that were recognised, in reading order.
    understood: list[str]
    # The order the words ask for ("the cheapest": price_asc, "the biggest": size_desc), else relevance.
    order: SearchOrder = "relevance"
    # The regions the words name ("Giza", "East Cairo"): filters.locations lists their places.
    regions: list[str] = Field(default_factory=list)
    # filters.locations as the words name them: each region whose places are all there stands for them ("Greater
    # Cairo", not its 32 names), for a summary of what the buyer asked for (a lead's areas).
    places: list[str] = Field(default_factory=list)
    # A sum the words say in another currency ("under 100k dollars"): its code; listings are priced in pounds, so it
    # filters nothing, and a client says so.
    currency: str | None = None


class Property(BaseModel):
    id: uuid.UUID
    source_id: str
    title: str
    description: str
    type: PropertyType
    location: str
    compound: str | None
    developer: str | None
    price: int
    price_per_sqm: int
    size_sqm: float
    bedrooms: int | None
    bathrooms: int | None
    finishing: Finishing | None
    delivery_year: int | None
    is_delivered: bool
    sale_type: SaleType
    down_payment_pct: float | None
    installment_years: int | None
    monthly_installment: int | None
    is_cash_only: bool
    image_url: str | None
    source_url: str | None
    is_available: bool
    features: list[Feature] = Field(description="what the listing has or is near, read from its source at ingest")
    floor: int | None = Field(description="the unit's floor: 0 the ground floor, -1 a basement; null if not known")
    embedding_model: str
    created_at: datetime
    updated_at: datetime

    # The gazetteer's Arabic names of the listing's place, compound and developer, for a page or a reply in Arabic;
    # null for a name it does not know (a brokerage's own place), which is then shown as written.
    @computed_field  # type: ignore[prop-decorator]
    @property
    def location_ar(self) -> str | None:
        return ARABIC_NAMES.get(self.location)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def compound_ar(self) -> str | None:
        return ARABIC_NAMES.get(self.compound) if self.compound else None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def developer_ar(self) -> str | None:
        return ARABIC_NAMES.get(self.developer) if self.developer else None

    # What the buyer pays up front, in pounds: what the max_down_payment filter reads (to the pound here).
    @computed_field  # type: ignore[prop-decorator]
    @property
    def down_payment(self) -> int | None:
        value = DERIVED["down_payment"][1]({"price": self.price, "down_payment_pct": self.down_payment_pct})
        return None if value is None else round(value)


class KnownName(BaseModel):
    # A region ("Giza") is a filter on all its places.
    kind: Literal["area", "region", "compound", "developer"]
    name: str = Field(description="the name filters and listings use")
    arabic: str = Field(description="how a page or a reply in Arabic names it")
    area: str | None = Field(description="a compound's area; null otherwise")


class KnownNames(BaseModel):
    """The areas, regions, compounds and developers the search knows by name (and by every spelling of them)."""

    names: list[KnownName]


KNOWN = KnownNames(
    names=[KnownName(kind=kind, name=name, arabic=arabic, area=area) for kind, name, arabic, area in KNOWN_NAMES]
)


class ListingChange(BaseModel):
    seq: int = Field(description="the change's place in the log: ask for the ones after the last seq you saw")
    kind: Literal["new", "price_drop"]
    price: int = Field(description="the price the change set")
    previous_price: int | None = Field(description="the price before a drop")
    at: datetime
    listing: Property = Field(description="the listing as it is now")


class ListingChanges(BaseModel):
    changes: list[ListingChange]
    last_seq: int = Field(description="the newest seq in the log: a new follower starts here")


class ScoredProperty(Property):
    # Reciprocal-rank fusion of the semantic, full-text and title rankings (higher is better); under a price order,
    # the similarity below (the page is in price order, not by score).
    score: float
    # Cosine similarity of the listing to the query (1 = same meaning).
    similarity: float


class Relaxation(BaseModel):
    """What a search that found nothing would find with one group of its filters given up."""

    # The group given up (price: its floor and ceiling; bedrooms; location; exclusions: every "not ..."; ...).
    group: RelaxableGroup
    # The filters of this search that the group takes out, as named in applied_filters.
    without: list[str]
    # How many listings pass the rest, counted up to `at_most`; 0 never appears (such a group is not listed).
    count: int
    at_most: int
    # For the price group: the lowest price among them (EGP), what the budget would have to reach; else null.
    cheapest_price: int | None = None


class SearchResponse(BaseModel):
    results: list[ScoredProperty]
    applied_filters: dict[str, Any]
    # What was left of the query once the filters were taken out of it; it drives the text ranking.
    query_text: str
    # The buyer's own phrases that were read (places, types, prices, features, exclusions such as "not a villa",
    # corrections such as "appartment → Apartment"), in the order of the query: a client shows them as chips.
    understood: list[str]
    # The order the results are in: the request's, else the one the words asked for, else relevance.
    order: SearchOrder = "relevance"
    # Features the query asked for that no listing passing the rest of the search has: not applied, and said.
    unmatched_features: list[Feature]
    # When the first page is empty and the request asked (explain_empty): each group of filters whose absence alone
    # would bring listings back, the most listings first (empty otherwise). A client offers them ("without the
    # budget: 14 listings, from EGP 9.2M").
    relaxations: list[Relaxation] = []
    next_cursor: str | None
    # A budget the query said in another currency (USD, EUR, ...): left out, as listings are priced in pounds.
    currency: str | None = None


class PropertyPage(BaseModel):
    results: list[Property]
    next_cursor: str | None


class YearStats(BaseModel):
    delivery_year: int | None
    count: int
    median_price_per_sqm: float | None
    mean_price_per_sqm: float | None


class PlaceStats(BaseModel):
    """One place's figures within a region or the whole market: ready homes against off-plan ones per m²."""

    location: str
    count: int
    median_price_per_sqm: float | None
    median_size_sqm: float | None = Field(default=None, description="the middle size of its listings, in m²")
    ready_median_price_per_sqm: float | None = Field(description="of the listings delivered (ready to move in)")
    off_plan_median_price_per_sqm: float | None = Field(description="of the listings not delivered yet")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def location_ar(self) -> str | None:
        return ARABIC_NAMES.get(self.location)


class RecentChanges(BaseModel):
    """How the listings moved lately, from the change log (listing_changes): the market figures are of asking prices
    today; this is the only movement over time the catalogue holds."""

    days: int = Field(description="the window: the last this many days (as long as the change log keeps)")
    new_listings: int = Field(description="listings added in the window that are still on the market")
    price_drops: int = Field(description="price cuts in the window, of listings still on the market")
    median_drop_pct: float | None = Field(description="the middle cut, in percent of the price before it")


class MarketStats(BaseModel):
    # A place, a region ("Giza": the figures cover its places, listed in `places`, and the listings filed under the
    # region's own name) or null for the whole market, or for the places asked to be set side by side (`places`).
    location: str | None
    places: list[str] | None = None
    type: str | None
    # The budget asked about: the figures are then of the listings at or under it only.
    budget: int | None = None
    # The bedrooms asked about: the figures are then of the listings with that many only.
    bedrooms: int | None = None
    count: int
    median_price_per_sqm: float | None
    mean_price_per_sqm: float | None
    median_price: float | None
    min_price: int | None
    max_price: int | None
    by_delivery_year: list[YearStats]
    # For the whole market or a region, each of its places with listings, the most listings first.
    by_location: list[PlaceStats] = Field(default_factory=list)
    recent: RecentChanges | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def location_ar(self) -> str | None:
        """The area's Arabic name (null for the whole market or a place the gazetteer does not know)."""
        return ARABIC_NAMES.get(self.location) if self.location else None


class Comparable(Property):
    size_gap_sqm: float


class Comparables(BaseModel):
    location: str
    type: str
    size_sqm: float
    finishing: Finishing | None = None  # the unit's, when given: those finished the same are the first comparables
    same_finishing: int = 0  # how many of the comparables are finished as the unit is
    # Median price per square metre of the comparables times the size: a first valuation, not an appraisal.
    estimated_price: int | None
    median_price_per_sqm: float | None
    comparables: list[Comparable]

    @computed_field  # type: ignore[prop-decorator]
    @property
    def location_ar(self) -> str | None:
        return ARABIC_NAMES.get(self.location)


class Rejection(BaseModel):
    position: int
    source_id: str | None
    reason: str


class IngestReport(BaseModel):
    run_id: uuid.UUID
    source: str
    read: int
    inserted: int
    updated: int
    unchanged: int
    rejected: int
    embedded: int
    embedding_cache_hits: int
    rejections: list[Rejection]
    seconds: float
