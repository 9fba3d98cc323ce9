"""Market tools: a valuation from comparable listings, and real price aggregates for an area and type."""

from __future__ import annotations

import statistics
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints, model_validator

from osool_agent.tools.context import Finishing, ListingFacts, PropertyType, ToolArgs, ToolContext, ToolOutcome
from osool_common.errors import DomainError

MAX_PLACES = 12  # a region's places, or the whole market's with the most listings: enough to compare, few to read


class ValuationArgs(ToolArgs):
    location: str = Field(
        min_length=1, max_length=100, description="the property's place, e.g. Sheikh Zayed (not a region such as Giza)"
    )
    property_type: PropertyType
    size_sqm: float = Field(gt=0, le=20_000, description="built-up area in m², as the owner or buyer said it")
    bedrooms: int | None = Field(default=None, ge=0, le=20)
    finishing: Finishing | None = Field(
        default=None, description="how it is finished, as the owner said it: comparables finished the same count first"
    )


class ValuationOutcome(ToolOutcome):
    location: str | None = None
    location_ar: str | None = None  # the area's Arabic name, from search's gazetteer
    property_type: str | None = None
    size_sqm: float | None = None
    estimate: int | None = None
    low: int | None = None
    high: int | None = None
    median_price_per_sqm: int | None = None
    comparables_count: int = 0
    finishing: str | None = None  # the unit's, as given
    same_finishing: int = 0  # how many of the comparables are finished as it is
    confidence: Literal["high", "medium", "low", "none"] = "none"
    comparables: list[ListingFacts] = Field(default_factory=list)
    method: str = ""


class TrendsArgs(ToolArgs):
    location: str | None = Field(
        default=None,
        max_length=100,
        description="a place (New Cairo) or a region (Giza, East Cairo); none for the whole market",
    )
    property_type: PropertyType | None = None
    max_price: int | None = Field(
        default=None,
        gt=0,
        le=2_000_000_000,  # search's bound on a price (its MAX_PRICE_EGP): above it the route refuses the budget
        description="a budget in EGP: the figures of the listings at or under it only, e.g. which area for 4 million",
    )
    places: list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None = Field(
        default=None,
        min_length=2,
        max_length=MAX_PLACES,
        description="instead of a location: places to set side by side (New Cairo or Sheikh Zayed, which is better?)",
    )
    bedrooms: int | None = Field(
        default=None, ge=0, le=20, description="the figures of the listings with this many bedrooms only (3-bedroom)"
    )

    @model_validator(mode="after")
    def _one_area(self) -> TrendsArgs:
        if self.location and self.places:
            raise ValueError("name a location or places to set side by side, not both")
        return self


class YearFigures(BaseModel):
    delivery_year: int | None
    count: int
    median_price_per_sqm: int | None


class PlaceFigures(BaseModel):
    """One place of a region or of the whole market: its listings, and its median per m², ready against off-plan."""

    location: str
    location_ar: str | None = None
    count: int
    median_price_per_sqm: int | None
    median_size_sqm: int | None = None
    ready_median_price_per_sqm: int | None = None
    off_plan_median_price_per_sqm: int | None = None


class RecentFigures(BaseModel):
    """How these listings moved lately, from search's change log: the only movement over time the catalogue holds."""

    days: int
    new_listings: int
    price_drops: int
    median_drop_pct: float | None = None


class TrendsOutcome(ToolOutcome):
    location: str | None = None
    location_ar: str | None = None
    places: list[str] | None = Field(default=None, description="the places asked to be set side by side")
    property_type: str | None = None
    budget: int | None = Field(default=None, description="the budget asked about: the listings at or under it only")
    bedrooms: int | None = Field(default=None, description="the bedrooms asked about: those listings only")
    count: int = 0
    median_price_per_sqm: int | None = None
    median_price: int | None = None
    min_price: int | None = None
    max_price: int | None = None
    by_delivery_year: list[YearFigures] = Field(default_factory=list)
    by_location: list[PlaceFigures] = Field(
        default_factory=list, description="for a region or the whole market: its places, the most listings first"
    )
    recent: RecentFigures | None = Field(
        default=None, description="the last days' new listings and price cuts: the figures are asking prices today"
    )


def confidence_for(count: int, spread: float) -> Literal["high", "medium", "low", "none"]:
    """How far to trust a valuation: many comparables that agree (a narrow price-per-m² spread) is high.

    spread is the interquartile range of price per m² over its median."""
    if count == 0:
        return "none"
    if count >= 8 and spread <= 0.25:
        return "high"
    if count >= 4 and spread <= 0.5:
        return "medium"
    return "low"


def _quartiles(values: list[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


async def run_valuation(ctx: ToolContext, args: ValuationArgs) -> ValuationOutcome:
    """Estimate from the listings nearest in size (and bedrooms) in the same area and of the same type, those finished
    as it is first: the median price per m² times the size, and a range from the comparables' interquartile spread."""
    try:
        body = await ctx.search.comparables(
            args.location, args.property_type, args.size_sqm, args.bedrooms, 10, args.finishing
        )
    except DomainError as exc:
        code = "invalid" if exc.status_code < 500 else "unavailable"
        return ValuationOutcome(ok=False, error=code, message=exc.message)
    comparables = [ListingFacts.from_search(row, ctx.now, ctx.stale_after_days) for row in body["comparables"]]
    base = {"location": body["location"], "location_ar": body.get("location_ar"), "property_type": args.property_type,
            "size_sqm": args.size_sqm}  # fmt: skip
    if not comparables:
        return ValuationOutcome(
            ok=False, error="not_found", message="no comparable listings in this area and type", **base
        )
    per_sqm = sorted(float(listing.price_per_sqm) for listing in comparables)
    median = statistics.median(per_sqm)
    q1, q3 = _quartiles(per_sqm)
    return ValuationOutcome(
        **base,
        estimate=round(median * args.size_sqm),
        low=round(q1 * args.size_sqm),
        high=round(q3 * args.size_sqm),
        median_price_per_sqm=round(median),
        comparables_count=len(comparables),
        finishing=args.finishing,
        same_finishing=int(body.get("same_finishing") or 0),  # counted by the search service, which ordered them
        confidence=confidence_for(len(comparables), (q3 - q1) / median if median else 1.0),
        comparables=comparables,
        method="median price per m² of the comparables × size; range from their interquartile spread",
    )


async def check_market_trends(ctx: ToolContext, args: TrendsArgs) -> TrendsOutcome:
    """Real aggregates of the listings: count, median price per m² and price, by delivery year, and for a region or
    the whole market by place."""
    try:
        stats = await ctx.search.market_stats(
            args.location, args.property_type, args.max_price, args.places, args.bedrooms
        )
    except DomainError as exc:
        code = "invalid" if exc.status_code < 500 else "unavailable"
        return TrendsOutcome(ok=False, error=code, message=exc.message)

    def whole(value: float | None) -> int | None:
        return None if value is None else round(value)

    if not stats["count"]:
        return TrendsOutcome(
            ok=False, error="not_found",
            message="no listings for this area and type" + (" within this budget" if args.max_price else ""),
            location=stats["location"], location_ar=stats.get("location_ar"), property_type=stats["type"],
            budget=args.max_price, bedrooms=args.bedrooms,
        )  # fmt: skip
    return TrendsOutcome(
        location=stats["location"],
        location_ar=stats.get("location_ar"),
        places=stats.get("places") if args.places else None,
        property_type=stats["type"],
        budget=args.max_price,
        bedrooms=args.bedrooms,
        count=stats["count"],
        median_price_per_sqm=whole(stats["median_price_per_sqm"]),
        median_price=whole(stats["median_price"]),
        min_price=stats["min_price"],
        max_price=stats["max_price"],
        by_delivery_year=[
            YearFigures(
                delivery_year=year["delivery_year"],
                count=year["count"],
                median_price_per_sqm=whole(year["median_price_per_sqm"]),
            )
            for year in stats["by_delivery_year"]
        ],
        by_location=[
            PlaceFigures(
                location=place["location"],
                location_ar=place.get("location_ar"),
                count=place["count"],
                median_price_per_sqm=whole(place["median_price_per_sqm"]),
                median_size_sqm=whole(place.get("median_size_sqm")),
                ready_median_price_per_sqm=whole(place.get("ready_median_price_per_sqm")),
                off_plan_median_price_per_sqm=whole(place.get("off_plan_median_price_per_sqm")),
            )
            for place in stats.get("by_location") or []
        ][:MAX_PLACES],
        recent=RecentFigures.model_validate(stats["recent"]) if stats.get("recent") else None,
    )
