"""Which filters a buyer can give up, in groups, when a search finds nothing: what each group's absence would bring."""

from __future__ import annotations

from typing import Literal

from osool_search.filters import SearchFilters

RelaxableGroup = Literal[
    "price",
    "bedrooms",
    "bathrooms",
    "property_type",
    "location",
    "compound",
    "developer",
    "size",
    "delivery",
    "payment",
    "finishing",
    "floor",
    "features",
    "exclusions",
]

# Each filter belongs to one group, and a group is given up whole: a budget's floor and ceiling together, the
# delivery's state and years together. In the order a buyer usually gives things up, which breaks ties.
GROUPS: dict[RelaxableGroup, tuple[str, ...]] = {
    "price": ("min_price", "max_price", "min_price_per_sqm", "max_price_per_sqm"),  # the budget, whole or per m²
    "bedrooms": ("bedrooms", "min_bedrooms", "max_bedrooms"),
    "bathrooms": ("min_bathrooms",),
    "size": ("min_size_sqm", "max_size_sqm"),
    "floor": ("floors", "min_floor", "max_floor"),
    "finishing": ("finishing",),
    "delivery": ("is_delivered", "delivery_year", "max_delivery_year"),
    "payment": (
        "min_installment_years",
        "max_down_payment_pct",
        "max_down_payment",
        "max_monthly_installment",
        "is_cash_only",
        "sale_type",
    ),
    "features": ("features",),
    "compound": ("compounds", "in_compound"),
    "developer": ("developers",),
    "property_type": ("property_types",),
    "location": ("locations",),
    "exclusions": (
        "exclude_property_types",
        "exclude_locations",
        "exclude_compounds",
        "exclude_developers",
        "exclude_finishing",
        "exclude_floors",
        "exclude_features",
    ),
}
_GROUPED = [name for names in GROUPS.values() for name in names]
assert sorted(_GROUPED) == sorted(SearchFilters.model_fields), "every filter belongs to exactly one relaxable group"


def relaxed_variants(filters: SearchFilters) -> list[tuple[RelaxableGroup, list[str], SearchFilters]]:
    """For each group the search applied, the filters without it: (group, the applied fields given up, filters)."""
    applied = filters.applied()
    variants: list[tuple[RelaxableGroup, list[str], SearchFilters]] = []
    for group, names in GROUPS.items():
        dropped = [name for name in names if name in applied]
        if dropped:
            rest = {name: value for name, value in applied.items() if name not in dropped}
            variants.append((group, dropped, SearchFilters.model_validate(rest)))
    return variants
