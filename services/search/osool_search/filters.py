"""Search filters: what a buyer asked for, as structured constraints, and whether a listing satisfies them.

The same model is what the query parser produces, what a client sends explicitly, what the response reports as
`applied_filters`, and what the evaluation set labels each query with."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from osool_search.gazetteer import AREA_NAMES, COMPOUND_NAMES, DEVELOPER_NAMES
from osool_search.listing import MAX_PRICE_EGP, MAX_SIZE_SQM, Finishing, PropertyType, SaleType


class SearchFilters(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_price: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    max_price: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    bedrooms: int | None = Field(default=None, ge=0, le=20)
    min_bedrooms: int | None = Field(default=None, ge=0, le=20)
    property_types: list[PropertyType] | None = Field(default=None, min_length=1, max_length=11)
    locations: list[str] | None = Field(default=None, min_length=1, max_length=20)
    compounds: list[str] | None = Field(default=None, min_length=1, max_length=20)
    developers: list[str] | None = Field(default=None, min_length=1, max_length=20)
    is_delivered: bool | None = None
    delivery_year: int | None = Field(default=None, ge=1950, le=2045)
    max_delivery_year: int | None = Field(default=None, ge=1950, le=2045)
    min_installment_years: int | None = Field(default=None, ge=0, le=30)
    max_down_payment_pct: float | None = Field(default=None, ge=0, le=100)
    max_monthly_installment: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    min_size_sqm: float | None = Field(default=None, ge=0, le=MAX_SIZE_SQM)
    max_size_sqm: float | None = Field(default=None, ge=0, le=MAX_SIZE_SQM)
    finishing: list[Finishing] | None = Field(default=None, min_length=1, max_length=4)
    sale_type: SaleType | None = None
    is_cash_only: bool | None = None

    @model_validator(mode="after")
    def _known_names_and_ranges(self) -> SearchFilters:
        for field, known in (("locations", AREA_NAMES), ("compounds", COMPOUND_NAMES), ("developers", DEVELOPER_NAMES)):
            values = getattr(self, field)
            if values:
                # Names are matched case-insensitively against the gazetteer and stored in their canonical form, so a
                # filter on "new cairo" finds "New Cairo" listings; an unknown name is kept as given (a newer area).
                canonical = {name.casefold(): name for name in known}
                setattr(self, field, [canonical.get(v.strip().casefold(), v.strip()) for v in values])
        for low, high in (("min_price", "max_price"), ("min_size_sqm", "max_size_sqm")):
            lo, hi = getattr(self, low), getattr(self, high)
            if lo is not None and hi is not None and lo > hi:
                raise ValueError(f"{low} is greater than {high}")
        return self

    def merged_over(self, parsed: SearchFilters) -> SearchFilters:
        """Explicit filters (self) override what was parsed from the text, field by field."""
        explicit = self.model_dump(exclude_none=True)
        return SearchFilters.model_validate({**parsed.model_dump(exclude_none=True), **explicit})

    def applied(self) -> dict[str, Any]:
        return self.model_dump(exclude_none=True)


def satisfies(listing: Mapping[str, Any], filters: SearchFilters) -> bool:
    """Whether a listing (a dict with the stored field names) meets every constraint. The reference definition of
    each filter: the SQL in the repository must agree with it, and the evaluation uses it to score results."""
    return not violations(listing, filters)


def violations(listing: Mapping[str, Any], filters: SearchFilters) -> list[str]:
    f = filters
    out: list[str] = []
    price = listing["price"]
    if f.min_price is not None and price < f.min_price:
        out.append("min_price")
    if f.max_price is not None and price > f.max_price:
        out.append("max_price")
    bedrooms = listing.get("bedrooms")
    if f.bedrooms is not None and bedrooms != f.bedrooms:
        out.append("bedrooms")
    if f.min_bedrooms is not None and (bedrooms is None or bedrooms < f.min_bedrooms):
        out.append("min_bedrooms")
    if f.property_types and listing["type"] not in f.property_types:
        out.append("property_types")
    if f.locations and listing["location"] not in f.locations:
        out.append("locations")
    if f.compounds and listing.get("compound") not in f.compounds:
        out.append("compounds")
    if f.developers and listing.get("developer") not in f.developers:
        out.append("developers")
    if f.is_delivered is not None and bool(listing["is_delivered"]) != f.is_delivered:
        out.append("is_delivered")
    year = listing.get("delivery_year")
    if f.delivery_year is not None and year != f.delivery_year:
        out.append("delivery_year")
    if f.max_delivery_year is not None and not (
        listing["is_delivered"] or (year is not None and year <= f.max_delivery_year)
    ):
        out.append("max_delivery_year")
    years = listing.get("installment_years")
    if f.min_installment_years is not None and (years is None or years < f.min_installment_years):
        out.append("min_installment_years")
    down = listing.get("down_payment_pct")
    if f.max_down_payment_pct is not None and (down is None or down > f.max_down_payment_pct):
        out.append("max_down_payment_pct")
    monthly = listing.get("monthly_installment")
    if f.max_monthly_installment is not None and (monthly is None or monthly > f.max_monthly_installment):
        out.append("max_monthly_installment")
    size = listing["size_sqm"]
    if f.min_size_sqm is not None and size < f.min_size_sqm:
        out.append("min_size_sqm")
    if f.max_size_sqm is not None and size > f.max_size_sqm:
        out.append("max_size_sqm")
    if f.finishing and listing.get("finishing") not in f.finishing:
        out.append("finishing")
    if f.sale_type is not None and listing["sale_type"] != f.sale_type:
        out.append("sale_type")
    if f.is_cash_only is not None and bool(listing["is_cash_only"]) != f.is_cash_only:
        out.append("is_cash_only")
    return out
