"""Listing tools: search the real listings, open one, compare two to four (with the true cost of each plan)."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, model_validator

from osool_agent.clients import UpstreamError
from osool_agent.tools.context import ListingFacts, PropertyType, ToolArgs, ToolContext, ToolOutcome
from osool_agent.tools.finance import Comparison, PlanCost, UnitTerms, plan_true_cost
from osool_agent.tools.finance import compare_units as compare_terms
from osool_common.errors import DomainError, NotFoundError
from osool_common.listing_filters import SearchOrder

_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,100}$")


class SearchArgs(ToolArgs):
    query: str = Field(min_length=1, max_length=500, description="what the buyer asked for, in their own words")
    location: str | None = Field(
        default=None, max_length=100, description="one place (New Cairo, Sheikh Zayed) or region (Giza, East Cairo)"
    )
    property_type: PropertyType | None = None
    bedrooms: int | None = Field(default=None, ge=0, le=20, description="only when the buyer said it")
    min_price: int | None = Field(default=None, ge=0, description="EGP, only when the buyer said it")
    max_price: int | None = Field(default=None, ge=0, description="EGP, only when the buyer said it")
    min_size_sqm: float | None = Field(default=None, ge=0, le=20_000)
    max_size_sqm: float | None = Field(default=None, ge=0, le=20_000)
    compound: str | None = Field(default=None, max_length=150)
    max_down_payment: int | None = Field(
        default=None, ge=0, description="EGP, the most the buyer can pay up front; only when the buyer said it"
    )
    order: SearchOrder | None = Field(
        default=None,
        description="price_asc when the buyer asks for the cheapest first, price_desc for the dearest, size_desc for "
        "the biggest, size_asc for the smallest, price_per_sqm_asc for the cheapest price per square metre, "
        "price_per_sqm_desc for the highest",
    )
    limit: int = Field(default=5, ge=1, le=10)
    relax: list[Annotated[str, Field(max_length=20)]] = Field(
        default_factory=list, max_length=14,
        description="groups of filters the buyer agreed to give up, as the last search's relaxations name them "
        "(price, bedrooms, property_type, location, ...): left out whether the words or the filters state them",
    )  # fmt: skip
    exclude_ids: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list, max_length=50,
        description="ids of listings this search already showed, when the buyer asks for more: left out",
    )  # fmt: skip
    homes_only: bool = Field(
        default=False,
        description="true when the buyer is after a home and named no type: offices, shops and clinics are left out "
        "(never when they asked for a commercial unit or to invest in one)",
    )


class SearchOutcome(ToolOutcome):
    listings: list[ListingFacts] = Field(default_factory=list)
    applied_filters: dict[str, Any] = Field(default_factory=dict)
    # Features the buyer asked for that no listing has (search did not apply them): say so, never claim them.
    unmatched_features: list[str] = Field(default_factory=list)
    # When nothing matched: each group of filters whose absence alone would find listings (group, without, count,
    # at_most, cheapest_price for the budget), the most listings first. Offer one; never present it as a match.
    relaxations: list[dict[str, Any]] = Field(default_factory=list)
    # The listings' order: relevance, or price_asc / price_desc / size_desc / size_asc / price_per_sqm_asc /
    # price_per_sqm_desc when the buyer asked for the cheapest, the dearest, the biggest, the smallest or the cheapest
    # or dearest square metre.
    order: SearchOrder = "relevance"
    # A budget the buyer said in another currency (USD, EUR, ...): not applied, as listings are priced in pounds; say
    # so and ask for it in pounds.
    currency: str | None = None


class GetPropertyArgs(ToolArgs):
    property_id: str = Field(min_length=1, max_length=100, description="the listing's id or source id, as shown")
    with_market: bool = Field(
        default=False,
        description="true when the buyer asks whether its price is good or fair: the asking prices per m² of the "
        "listings of its place and type (and bedrooms) are set beside its own",
    )


class MarketComparison(BaseModel):
    """A listing's price per m² beside the median asking price per m² of the listings of its place and type (and its
    bedroom count, when enough have it): asking prices both, not sale prices."""

    location: str
    property_type: str
    bedrooms: int | None = Field(description="the count the median is of, or None when of every count")
    count: int = Field(description="the listings the median is of")
    median_price_per_sqm: int
    difference_pct: int = Field(description="how far the listing's price per m² is from the median, in whole percent")
    position: Literal["above", "below", "in_line"] = Field(description="in_line within 5% of the median")


class PropertyOutcome(ToolOutcome):
    listing: ListingFacts | None = None
    market: MarketComparison | None = None
    true_cost: PlanCost | None = Field(
        default=None, description="its plan's payments by month and their worth in today's money against paying cash"
    )


class CompareArgs(ToolArgs):
    property_ids: list[str] = Field(min_length=2, max_length=4, description="2 to 4 listing ids already shown")
    discount_rate_pct: float | None = Field(
        default=None, ge=0, le=100, description="yearly rate to discount plan payments to today; default: deposits"
    )

    @model_validator(mode="after")
    def _distinct(self) -> CompareArgs:
        if len(set(self.property_ids)) != len(self.property_ids):
            raise ValueError("compare different listings")
        return self


class CompareOutcome(ToolOutcome):
    listings: list[ListingFacts] = Field(default_factory=list)
    comparison: Comparison | None = None


def _filters(args: SearchArgs) -> dict[str, Any]:
    filters: dict[str, Any] = {}
    if args.location:
        filters["locations"] = [args.location]
    if args.property_type:
        filters["property_types"] = [args.property_type]
    if args.compound:
        filters["compounds"] = [args.compound]
    for name in ("bedrooms", "min_price", "max_price", "min_size_sqm", "max_size_sqm", "max_down_payment"):
        value = getattr(args, name)
        if value is not None:
            filters[name] = value
    return filters


async def with_chain_status(ctx: ToolContext, listings: list[ListingFacts]) -> list[ListingFacts]:
    """Each listing's status on the property registry, in one call; unknown when the registry does not answer."""
    if not listings:
        return listings
    try:
        statuses = await ctx.chain.statuses([listing.id for listing in listings])
    except (UpstreamError, DomainError):
        statuses = {}
    return [listing.model_copy(update={"on_chain_status": statuses.get(listing.id, "unknown")}) for listing in listings]


async def search_properties(ctx: ToolContext, args: SearchArgs) -> SearchOutcome:
    """Listings that exist and match what the buyer asked for, best first."""
    wanted = min(args.limit, ctx.cards_per_reply)
    shown = set(args.exclude_ids)
    try:  # a few more than shown: units reserved or sold on the registry are left out, and those shown before
        body = await ctx.search.search(
            args.query, _filters(args) or None, min(wanted + 5 + len(shown), 100), order=args.order,
            relax=args.relax or None, homes_only=args.homes_only,
        )  # fmt: skip
    except DomainError as exc:
        return SearchOutcome(ok=False, error="invalid" if exc.status_code < 500 else "unavailable", message=exc.message)
    rows = [row for row in body["results"] if str(row["id"]) not in shown]
    listings = [ListingFacts.from_search(row, ctx.now, ctx.stale_after_days) for row in rows]
    offered = [
        item for item in await with_chain_status(ctx, listings) if item.on_chain_status not in ("reserved", "sold")
    ]
    return SearchOutcome(
        listings=offered[:wanted],
        applied_filters=body["applied_filters"],
        unmatched_features=body.get("unmatched_features", []),
        relaxations=body.get("relaxations", []),
        currency=body.get("currency"),
        order=body.get("order", "relevance"),
    )


async def fetch_listing(ctx: ToolContext, property_id: str) -> ListingFacts | None:
    ref = property_id.strip()
    if not _ID.match(ref):
        return None
    try:
        row = await (ctx.search.listing(uuid.UUID(ref)) if _is_uuid(ref) else ctx.search.listing_by_source(ref))
    except NotFoundError:
        return None
    return ListingFacts.from_search(row, ctx.now, ctx.stale_after_days)


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _terms(listing: ListingFacts) -> UnitTerms:
    """A listing's price, size, delivery and plan, as the finance tools cost them."""
    return UnitTerms(**listing.model_dump(include=set(UnitTerms.model_fields)))


async def get_property(ctx: ToolContext, args: GetPropertyArgs) -> PropertyOutcome:
    """One listing by its id or source id; an unknown id is not_found, never a guess."""
    try:
        listing = await fetch_listing(ctx, args.property_id)
    except DomainError as exc:
        return PropertyOutcome(ok=False, error="unavailable", message=exc.message)
    if listing is None:
        return PropertyOutcome(ok=False, error="not_found", message=f"no listing with id {args.property_id}")
    (listing,) = await with_chain_status(ctx, [listing])
    market = await _market_beside(ctx, listing) if args.with_market else None
    return PropertyOutcome(listing=listing, true_cost=plan_true_cost(_terms(listing), today=ctx.today), market=market)


# A bedroom count's median stands for the listing's peers only when this many listings have that count.
_FEWEST_PEERS = 5
# Within this many percent of the median, a price per m² is in line with it (asking prices scatter more than that).
_IN_LINE_PCT = 5


async def _market_beside(ctx: ToolContext, listing: ListingFacts) -> MarketComparison | None:
    """The median asking price per m² of the listing's place and type, of its bedroom count when at least
    _FEWEST_PEERS have it; None when the market figures do not answer or there are too few listings to say."""
    try:
        stats = await ctx.search.market_stats(listing.location, listing.type, bedrooms=listing.bedrooms)
        bedrooms = listing.bedrooms
        if listing.bedrooms is not None and (stats.get("count") or 0) < _FEWEST_PEERS:
            stats, bedrooms = await ctx.search.market_stats(listing.location, listing.type), None
    except (UpstreamError, DomainError):
        return None  # the listing is answered all the same, without the comparison
    median = stats.get("median_price_per_sqm")
    if not median or (stats.get("count") or 0) < _FEWEST_PEERS:
        return None
    difference = (listing.price_per_sqm / median - 1) * 100
    position = "in_line" if abs(difference) < _IN_LINE_PCT else "above" if difference > 0 else "below"
    return MarketComparison(
        location=listing.location, property_type=listing.type, bedrooms=bedrooms, count=int(stats["count"]),
        median_price_per_sqm=round(median), difference_pct=round(abs(difference)), position=position,
    )  # fmt: skip


async def compare_units(ctx: ToolContext, args: CompareArgs) -> CompareOutcome:
    """Two to four listings side by side: price, price per m², size, delivery, plan, and the true cost of each plan."""
    try:
        found = await asyncio.gather(*(fetch_listing(ctx, ref) for ref in args.property_ids))
    except DomainError as exc:
        return CompareOutcome(ok=False, error="unavailable", message=exc.message)
    missing = [ref for ref, listing in zip(args.property_ids, found, strict=True) if listing is None]
    if missing:
        return CompareOutcome(ok=False, error="not_found", message=f"no listing with id {', '.join(missing)}")
    listings = [listing for listing in found if listing is not None]
    units = [_terms(listing) for listing in listings]
    comparison = compare_terms(units, discount_rate_pct=args.discount_rate_pct, maintenance_pct=None, today=ctx.today)
    return CompareOutcome(listings=await with_chain_status(ctx, listings), comparison=comparison)
