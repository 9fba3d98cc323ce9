"""A listing as the service stores it: the canonical, validated record that ingestion produces from any export."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from osool_common.validation import PlainText
from osool_search.gazetteer import FEATURES, HOUSE_TYPES, NON_RESIDENTIAL_TYPES, PROPERTY_TYPES

PropertyType = Literal[
    "Apartment",
    "Villa",
    "Townhouse",
    "Twinhouse",
    "Duplex",
    "Penthouse",
    "Studio",
    "Chalet",
    "Office",
    "Retail",
    "Clinic",
]
Finishing = Literal["core_and_shell", "semi_finished", "fully_finished", "furnished"]
SaleType = Literal["developer", "resale"]
Feature = Literal[
    "pool", "garden", "roof", "parking", "sea_view", "lagoon_view", "nile_view", "open_view", "garden_view",
    "north_facing", "corner", "balcony",
    "elevator", "security", "maids_room", "basement", "near_beach", "near_schools", "near_mall", "near_club",
    "near_metro", "near_airport", "near_auc",
]  # fmt: skip

assert set(PropertyType.__args__) == set(PROPERTY_TYPES)  # type: ignore[attr-defined]
assert set(Feature.__args__) == set(FEATURES)  # type: ignore[attr-defined]

# Bounds that no real Egyptian listing crosses; a value outside them is a data error, not a luxury home.
MAX_PRICE_EGP = 2_000_000_000
MAX_SIZE_SQM = 20_000
MIN_FLOOR = -1  # a basement or lower ground floor
MAX_FLOOR = 100  # the tallest Egyptian tower has 77 floors


class ListingIn(BaseModel):
    """One listing after alias mapping: every field validated, derived fields filled in."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    source_id: PlainText = Field(min_length=1, max_length=100)
    title: PlainText = Field(min_length=3, max_length=300)
    description: PlainText = Field(default="", max_length=10_000)
    type: PropertyType
    location: PlainText = Field(min_length=2, max_length=100)
    compound: PlainText | None = Field(default=None, max_length=150)
    developer: PlainText | None = Field(default=None, max_length=150)
    price: int = Field(gt=0, le=MAX_PRICE_EGP)
    price_per_sqm: int | None = Field(default=None, gt=0, le=MAX_PRICE_EGP)
    size_sqm: float = Field(gt=0, le=MAX_SIZE_SQM)
    bedrooms: int | None = Field(default=None, ge=0, le=20)
    bathrooms: int | None = Field(default=None, ge=0, le=20)
    # The unit's floor in its building: 0 is the ground floor, -1 a basement or lower ground floor ("بدروم"), None
    # where the source does not say or a floor means nothing (a villa, a townhouse: the whole house).
    floor: int | None = Field(default=None, ge=MIN_FLOOR, le=MAX_FLOOR)
    finishing: Finishing | None = None
    delivery_year: int | None = Field(default=None, ge=1950, le=2045)
    is_delivered: bool = False
    sale_type: SaleType = "developer"
    down_payment_pct: float | None = Field(default=None, ge=0, le=100)
    installment_years: int | None = Field(default=None, ge=0, le=30)
    monthly_installment: int | None = Field(default=None, ge=0, le=MAX_PRICE_EGP)
    is_cash_only: bool = False
    image_url: HttpUrl | None = None
    source_url: HttpUrl | None = None
    is_available: bool = True
    # What the source states in a column of its own ("pool, garden", "حمام سباحة - جراج"); ingestion adds what the
    # title and the description mention and stores the canonical names (features.py).
    features: list[PlainText] = Field(default_factory=list, max_length=40)

    @model_validator(mode="after")
    def _consistent(self) -> ListingIn:
        if self.price_per_sqm is None:
            self.price_per_sqm = max(1, round(self.price / self.size_sqm))
        if self.type in NON_RESIDENTIAL_TYPES:
            self.bedrooms = None if self.bedrooms in (None, 0) else self.bedrooms
        elif self.bedrooms is None:
            raise ValueError("bedrooms is required for a residential listing")
        if self.type in HOUSE_TYPES:
            # Exports fill a floor column for every row ("Ground" for a villa); a whole house has no floor to filter on.
            self.floor = None
        if self.is_cash_only:
            if self.installment_years:
                raise ValueError("a cash-only listing has no installment plan")
            self.down_payment_pct = 100.0 if self.down_payment_pct is None else self.down_payment_pct
            self.installment_years = 0
            self.monthly_installment = None
        return self

    def embedding_text(self) -> str:
        """What the embedding model reads: what the listing *is* (kind, rooms, place, compound, developer, finishing,
        readiness, sale), in words. The description's own words are matched by the full-text ranking instead, which
        the hybrid search fuses with this one. Keeping numbers and free text out makes the text repeat across
        listings of one kind, so the embedding cache spares the model most of a large import (a million demo
        listings have about five thousand distinct texts)."""
        rooms = f"{self.bedrooms} bedroom " if self.bedrooms else ""
        parts = [f"{rooms}{self.type.lower()} in {self.location}"]
        if self.compound:
            parts.append(f"in {self.compound} by {self.developer}" if self.developer else f"in {self.compound}")
        elif self.developer:
            parts.append(f"by {self.developer}")
        if self.finishing:
            parts.append(self.finishing.replace("_", " ").replace("and", "&"))
        parts.append("ready to move" if self.is_delivered else "under construction")
        parts.append("resale" if self.sale_type == "resale" else "from the developer")
        return ", ".join(parts)
