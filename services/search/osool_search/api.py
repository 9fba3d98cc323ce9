"""HTTP routes of the search service: parse the request, call the service layer, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from pydantic import StringConstraints, ValidationError

from osool_common.auth import Principal, require_role
from osool_common.errors import PayloadTooLargeError, UnsupportedMediaTypeError, ValidationFailedError
from osool_common.responses import model_response
from osool_common.validation import PlainText
from osool_search.filters import LISTING_PARAMETERS, MAX_PRICE_EGP, SearchFilters, region_named
from osool_search.listing import Feature, Finishing, PropertyType
from osool_search.schemas import (
    KNOWN,
    Comparables,
    IngestReport,
    KnownNames,
    ListingChanges,
    ListOrder,
    MarketStats,
    ParsedQueryOut,
    ParseRequest,
    Property,
    PropertyPage,
    SearchRequest,
    SearchResponse,
)
from osool_search.service import SearchService
from osool_search.sources import records_from_bytes

router = APIRouter(tags=["properties"])
internal_router = APIRouter(prefix="/api/properties/internal", tags=["properties (internal)"])

MAX_INGEST_BYTES = 20 * 1024 * 1024


async def search_service(request: Request) -> SearchService:
    service: SearchService = request.app.state.search
    return service


Search = Annotated[SearchService, Depends(search_service)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=500)]
Name = Annotated[str | None, Query(min_length=1, max_length=100)]
Rooms = Annotated[int | None, Query(ge=0, le=20)]  # bedrooms or bathrooms, as SearchFilters bounds them
# Places set side by side in the market figures ("New Cairo or Sheikh Zayed?"): a few, each a place's name.
MAX_PLACES_COMPARED = 12
Places = Annotated[list[Annotated[str, StringConstraints(min_length=1, max_length=100)]] | None,
                   Query(max_length=MAX_PLACES_COMPARED)]  # fmt: skip


@router.post("/api/properties/search", response_model=SearchResponse)
async def search(body: SearchRequest, service: Search) -> Response:
    """Natural-language search: the query's budget, rooms, type, place and plan become filters (explicit filters win),
    and what matches is ranked by meaning and by words."""
    return Response(content=await service.search_json(body), media_type="application/json")


@router.post("/api/properties/parse", response_model=ParsedQueryOut)
async def parse(body: ParseRequest, service: Search) -> ParsedQueryOut:
    """What the search understands of a request: its filters, the words left over and the phrases recognised."""
    return service.parse(body.query)


@router.get("/api/properties/names", response_model=KnownNames)
async def known_names() -> Response:
    """The areas, compounds and developers the search knows, each with its Arabic name: a client's suggestions and
    its labels in Arabic. They change only with a release, so a client (and a cache) may keep them an hour."""
    response = model_response(KNOWN)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@router.get("/api/properties/source/{source_id}", response_model=Property)
async def get_property_by_source(
    source_id: Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")], service: Search
) -> Response:
    """A listing by the id its source gave it (the id on the brokerage's export)."""
    return model_response(await service.get_by_source(source_id))


@router.get("/api/properties", response_model=PropertyPage)
async def list_properties(
    service: Search,
    location: Annotated[list[str] | None, Query(max_length=20)] = None,
    type: Annotated[list[PropertyType] | None, Query(max_length=11)] = None,
    compound: Annotated[list[str] | None, Query(max_length=20)] = None,
    in_compound: bool | None = None,
    developer: Annotated[list[str] | None, Query(max_length=20)] = None,
    min_price: Annotated[int | None, Query(ge=0)] = None,
    max_price: Annotated[int | None, Query(ge=0)] = None,
    min_price_per_sqm: Annotated[int | None, Query(ge=0)] = None,
    max_price_per_sqm: Annotated[int | None, Query(ge=0)] = None,
    bedrooms: Rooms = None,
    min_bedrooms: Rooms = None,
    max_bedrooms: Rooms = None,
    min_bathrooms: Rooms = None,
    is_delivered: bool | None = None,
    delivery_year: Annotated[int | None, Query(ge=1950, le=2045)] = None,
    max_delivery_year: Annotated[int | None, Query(ge=1950, le=2045)] = None,
    min_installment_years: Annotated[int | None, Query(ge=0, le=30)] = None,
    max_down_payment_pct: Annotated[float | None, Query(ge=0, le=100)] = None,
    max_down_payment: Annotated[int | None, Query(ge=0)] = None,
    min_size_sqm: Annotated[float | None, Query(ge=0)] = None,
    max_size_sqm: Annotated[float | None, Query(ge=0)] = None,
    sale_type: Annotated[str | None, Query(pattern="^(developer|resale)$")] = None,
    finishing: Annotated[list[Finishing] | None, Query(max_length=4)] = None,
    is_cash_only: bool | None = None,
    max_monthly_installment: Annotated[int | None, Query(ge=0)] = None,
    feature: Annotated[list[Feature] | None, Query(max_length=20)] = None,
    exclude_type: Annotated[list[PropertyType] | None, Query(max_length=11)] = None,
    exclude_location: Annotated[list[str] | None, Query(max_length=20)] = None,
    exclude_compound: Annotated[list[str] | None, Query(max_length=20)] = None,
    exclude_developer: Annotated[list[str] | None, Query(max_length=20)] = None,
    exclude_finishing: Annotated[list[Finishing] | None, Query(max_length=4)] = None,
    exclude_feature: Annotated[list[Feature] | None, Query(max_length=20)] = None,
    floor: Annotated[list[int] | None, Query(max_length=20)] = None,
    min_floor: int | None = None,
    max_floor: int | None = None,
    exclude_floor: Annotated[list[int] | None, Query(max_length=20)] = None,
    order: ListOrder = "newest",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Response:
    """Listings that match the filters, newest first, or `order=price_asc` / `price_desc` / `size_desc` (biggest
    first) / `size_asc` / `price_per_sqm_asc` (the cheapest square metre first) / `price_per_sqm_desc` (ties by id; a
    cursor belongs to the order it was given out for). `feature` asks for listings
    that have every feature named; `exclude_*` rules listings out (`exclude_type=Villa`; a listing with no compound is
    not from the compound excluded). `floor` is a unit's floor (0 the ground floor, -1 a basement): `exclude_floor=0`
    rules ground floors out and keeps listings whose floor is not known (houses); `floor`, `min_floor` and `max_floor`
    need it known.
    `max_down_payment` is in pounds: a listing's price times its down payment share (all of it for a cash-only
    listing). `min_price_per_sqm` / `max_price_per_sqm` bound the price of a square metre the listing states."""
    try:
        filters = SearchFilters(
            locations=location, property_types=type, compounds=compound, in_compound=in_compound, developers=developer,
            min_price=min_price, max_price=max_price, min_price_per_sqm=min_price_per_sqm,
            max_price_per_sqm=max_price_per_sqm, bedrooms=bedrooms, min_bedrooms=min_bedrooms,
            max_bedrooms=max_bedrooms, min_bathrooms=min_bathrooms, is_delivered=is_delivered,
            delivery_year=delivery_year,
            max_delivery_year=max_delivery_year,
            min_installment_years=min_installment_years, max_down_payment_pct=max_down_payment_pct,
            max_down_payment=max_down_payment,
            min_size_sqm=min_size_sqm, max_size_sqm=max_size_sqm, sale_type=sale_type, finishing=finishing,
            is_cash_only=is_cash_only, max_monthly_installment=max_monthly_installment, features=feature,
            exclude_property_types=exclude_type, exclude_locations=exclude_location, exclude_compounds=exclude_compound,
            exclude_developers=exclude_developer, exclude_finishing=exclude_finishing, exclude_features=exclude_feature,
            floors=floor, min_floor=min_floor, max_floor=max_floor, exclude_floors=exclude_floor,
        )  # fmt: skip
    except ValidationError as exc:
        raise ValidationFailedError(_first_error(exc)) from None
    return model_response(await service.list(filters, limit, cursor, order))


# A UUID in the path itself: /api/properties/search is then the search route's (GET there is a 405 naming POST, not
# an id that fails validation), and a path that is no listing's id is a 404.
@router.get("/api/properties/{property_id:uuid}", response_model=Property)
async def get_property(property_id: uuid.UUID, service: Search) -> Response:
    return model_response(await service.get(property_id))


@router.get("/api/market/stats", response_model=MarketStats)
async def market_stats(
    service: Search,
    location: Name = None,
    type: PropertyType | None = None,
    max_price: Annotated[int | None, Query(gt=0, le=MAX_PRICE_EGP)] = None,
    places: Places = None,
    bedrooms: Rooms = None,
) -> Response:
    """Count, median and mean price per m², price range, and the same by delivery year (and by place for a region or
    the whole market); with `max_price`, of the listings at or under that budget only ("which area for 4 million?");
    with `bedrooms`, of the listings with that many bedrooms only ("how much is a 3-bedroom in Maadi usually?");
    with `places` (repeated, instead of a location), those places together and each one's figures side by side
    ("New Cairo or Sheikh Zayed?")."""
    if places and location:
        raise ValidationFailedError("places: name a location or places to set side by side, not both")
    try:
        named = list(dict.fromkeys(area for place in places or () if (area := _canonical_area(place)) is not None))
    except ValidationFailedError as exc:  # said of the parameter the place came in
        raise ValidationFailedError(exc.message.replace("location:", "places:", 1)) from None
    if len(named) == 1:  # one place is that place's figures
        location, named = named[0], []
    return model_response(
        await service.market_stats(
            _canonical_area(location, region=True), type, max_price, places=named or None, bedrooms=bedrooms
        )
    )


@router.get("/api/market/comparables", response_model=Comparables)
async def comparables(
    service: Search,
    location: Annotated[str, Query(min_length=1, max_length=100)],
    type: PropertyType,
    size_sqm: Annotated[float, Query(gt=0, le=20_000)],
    bedrooms: Rooms = None,
    finishing: Finishing | None = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Response:
    """The listings nearest in size (and bedrooms) in the same place and of the same kind, those finished as the unit
    is first when its finishing is given, and a valuation from them."""
    area = _canonical_area(location)
    assert area is not None
    return model_response(await service.comparables(area, type, size_sqm, bedrooms, limit, finishing))


@router.post(
    "/api/properties/ingest",
    response_model=IngestReport,
    status_code=200,
    responses={
        413: {"description": "the export is larger than the upload limit"},
        415: {"description": "the body is neither JSON nor CSV"},
    },
)
async def ingest(
    request: Request,
    service: Search,
    _: Annotated[Principal, Depends(require_role("admin"))],
    source: Annotated[PlainText, Query(min_length=1, max_length=200)] = "upload",
) -> Response:
    """Admin: a JSON (list, or object with `properties`) or CSV export in the body; every record validated on its own,
    upserted by source_id; the report lists what was rejected and why."""
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    formats = {"application/json": "json", "text/csv": "csv", "application/csv": "csv"}
    if media_type not in formats:
        raise UnsupportedMediaTypeError("send the export as application/json or text/csv")
    body = bytearray()
    async for part in request.stream():
        body.extend(part)
        if len(body) > MAX_INGEST_BYTES:
            raise PayloadTooLargeError(
                f"an upload is at most {MAX_INGEST_BYTES // (1024 * 1024)} MB; use `make ingest`"
            )
    # A file that cannot be read at all raises IngestFileError (422 invalid_file) here, before anything is written.
    items = records_from_bytes(bytes(body), formats[media_type])
    return model_response(await service.ingest(items, source))


@internal_router.get("/changes", response_model=ListingChanges, responses={401: {"description": "no service key"}})
async def changes(
    service: Search,
    after: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="the last seq seen; absent: where the log stands")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 500,
) -> Response:
    """Other Osool services (the agent's saved-search alerts): new listings and price drops, in order, after a seq."""
    return model_response(await service.changes(after, limit))


def _canonical_area(location: str | None, *, region: bool = False) -> str | None:
    """A place's canonical name; a region's ("Giza"), where the figures may cover all its places (market statistics),
    else a 422 asking for one of them (a valuation compares listings of one place)."""
    if location is None:
        return None
    named = region_named(location)
    if named is not None:
        if region:
            return named.name
        raise ValidationFailedError(
            f"location: {named.name} is a region of {len(named.places)} places; name one: {', '.join(named.places)}"
        )
    try:
        locations = SearchFilters(locations=[location]).locations
    except ValidationError as exc:
        raise ValidationFailedError(_first_error(exc)) from None
    return locations[0] if locations else location


def _first_error(exc: ValidationError) -> str:
    """The first thing wrong with the filters, named as the query parameter it came from (`floor=200` is refused as
    "floor", not as the filters' "floors.0"), with the value refused."""
    error = exc.errors()[0]
    if not error["loc"]:  # the filters together (a contradiction)
        return f"filters: {error['msg']}"
    name = str(error["loc"][0])
    refused = error.get("input")
    shown = f" ({str(refused)[:60]!r} refused)" if isinstance(refused, str | int | float) else ""
    return f"{LISTING_PARAMETERS.get(name, name)}: {error['msg']}{shown}"
