"""The listing filter vocabulary: each filter's column and comparison, and whether a listing meets a set of filters.

Search turns these rules into SQL and checks its results with them; the agent's saved-search alerts match new listings
and price drops with them. One definition, so an alert and a search can never disagree about what matches."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

# The order of a search's results: relevance, or every listing that passes in price order, in size order (the
# biggest or the smallest first) or in order of its price per square metre ("أقل سعر للمتر"), ties by id. The search
# service answers in it and the agent asks for it.
SearchOrder = Literal[
    "relevance", "price_asc", "price_desc", "size_desc", "size_asc", "price_per_sqm_asc", "price_per_sqm_desc"
]
# The types that are no home: what search's homes_only leaves out (and says in applied_filters), and what Amr names
# as "offices, shops and clinics" when nothing else matches.
NON_RESIDENTIAL_TYPES = frozenset({"Office", "Retail", "Clinic"})
# What each order other than relevance sorts the listings by, and whether the greatest comes first: what a client
# checks a page against, or picks from listings already shown ("compare the cheapest two", "the biggest two").
ORDER_KEYS: dict[str, tuple[str, bool]] = {
    "price_asc": ("price", False), "price_desc": ("price", True), "size_desc": ("size_sqm", True),
    "size_asc": ("size_sqm", False), "price_per_sqm_asc": ("price_per_sqm", False),
    "price_per_sqm_desc": ("price_per_sqm", True),
}  # fmt: skip


@dataclass(frozen=True)
class FilterRule:
    """One filter: the listing column it constrains and how. A listing with no value in the column never passes
    (SQL's NULL comparison does the same), except that a delivered listing meets any latest delivery year, and that
    an exclusion ("not in", "none") passes it: a listing with no compound is not "from compound X". "all" and "none"
    compare a list column (a listing's features) with a list: it has every one, or none of them. "present" asks
    whether the column has a value at all (true) or none (false): a listing in a compound, or outside any."""

    column: str
    op: Literal[">=", "<=", "=", "in", "not in", "all", "none", "present"]
    delivered_passes: bool = False


FILTER_RULES: dict[str, FilterRule] = {
    "min_price": FilterRule("price", ">="),
    "max_price": FilterRule("price", "<="),
    # The price of a square metre, as a listing states it ("المتر ب 30 ألف", "40k per sqm"): how Egyptians compare.
    "min_price_per_sqm": FilterRule("price_per_sqm", ">="),
    "max_price_per_sqm": FilterRule("price_per_sqm", "<="),
    "bedrooms": FilterRule("bedrooms", "="),
    "min_bedrooms": FilterRule("bedrooms", ">="),
    # "up to 2 bedrooms", "2-3 bedrooms", "studio or 1 bedroom" (a studio has none).
    "max_bedrooms": FilterRule("bedrooms", "<="),
    # "2 bathrooms" is at least two: nobody turns a flat down for a third.
    "min_bathrooms": FilterRule("bathrooms", ">="),
    "property_types": FilterRule("type", "in"),
    "locations": FilterRule("location", "in"),
    "compounds": FilterRule("compound", "in"),
    # In a compound (any) or outside every compound: "apartment in a compound", "مش في كمبوند".
    "in_compound": FilterRule("compound", "present"),
    "developers": FilterRule("developer", "in"),
    "is_delivered": FilterRule("is_delivered", "="),
    "delivery_year": FilterRule("delivery_year", "="),
    "max_delivery_year": FilterRule("delivery_year", "<=", delivered_passes=True),
    "min_installment_years": FilterRule("installment_years", ">="),
    "max_down_payment_pct": FilterRule("down_payment_pct", "<="),
    "max_monthly_installment": FilterRule("monthly_installment", "<="),
    # What the buyer has for the down payment, in pounds ("500k down payment", "مقدم نص مليون"): DERIVED below.
    "max_down_payment": FilterRule("down_payment", "<="),
    "min_size_sqm": FilterRule("size_sqm", ">="),
    "max_size_sqm": FilterRule("size_sqm", "<="),
    "finishing": FilterRule("finishing", "in"),
    "sale_type": FilterRule("sale_type", "="),
    "is_cash_only": FilterRule("is_cash_only", "="),
    # A unit's floor: "ground floor", "الدور التالت" (floors); "a high floor" (min_floor); "up to the 3rd" (max_floor).
    "floors": FilterRule("floor", "in"),
    "min_floor": FilterRule("floor", ">="),
    "max_floor": FilterRule("floor", "<="),
    # What the buyer ruled out ("not a villa", "مش في الشيخ زايد", "nothing by Emaar").
    "exclude_property_types": FilterRule("type", "not in"),
    "exclude_locations": FilterRule("location", "not in"),
    "exclude_compounds": FilterRule("compound", "not in"),
    "exclude_developers": FilterRule("developer", "not in"),
    "exclude_finishing": FilterRule("finishing", "not in"),
    "exclude_floors": FilterRule("floor", "not in"),  # "anything but ground floor": a house has no floor to rule out
    # Features and amenities ("with a pool", "near the AUC"; "no garden").
    "features": FilterRule("features", "all"),
    "exclude_features": FilterRule("features", "none"),
}

# Values a listing does not store but a filter reads, each computed from stored columns the same way in SQL (the
# expression, `{t}` the table alias with its dot) and in Python, so that the two agree to the last bit: both compute in
# double precision, and neither rounds. A listing's down payment in pounds is its price times its down payment share (a
# cash-only listing's share is 100%: ingest sets it); computed rather than stored, a price drop moves it at once.
DERIVED: dict[str, tuple[str, Callable[[Mapping[str, Any]], float | None]]] = {
    "down_payment": (
        "({t}price * {t}down_payment_pct / 100)",
        lambda listing: (
            None
            if listing.get("price") is None or listing.get("down_payment_pct") is None
            else float(listing["price"]) * float(listing["down_payment_pct"]) / 100
        ),
    ),
}


def column_sql(column: str, alias: str = "") -> str:
    """A filter's column as SQL: the column of the table aliased `alias`, or the expression of a DERIVED value."""
    on = f"{alias}." if alias else ""
    return DERIVED[column][0].format(t=on) if column in DERIVED else f"{on}{column}"


_CHECKS = {
    ">=": lambda value, wanted: value >= wanted,
    "<=": lambda value, wanted: value <= wanted,
    "=": lambda value, wanted: value == wanted,
    "in": lambda value, wanted: value in wanted,
    "not in": lambda value, wanted: value not in wanted,
    "all": lambda value, wanted: set(wanted) <= set(value),
    "none": lambda value, wanted: not set(wanted) & set(value),
}


def violations(listing: Mapping[str, Any], applied: Mapping[str, Any]) -> list[str]:
    """The names of the filters (name -> wanted value, as search reports `applied_filters`) a listing (a dict with the
    stored field names) fails. A filter this vocabulary does not know fails: nothing matches what it cannot check."""
    failed = []
    for name, wanted in applied.items():
        rule = FILTER_RULES.get(name)
        if rule is None:
            failed.append(name)
            continue
        if rule.delivered_passes and listing.get("is_delivered"):
            continue
        value = DERIVED[rule.column][1](listing) if rule.column in DERIVED else listing.get(rule.column)
        if rule.op == "present":
            if (value is not None) != wanted:
                failed.append(name)
            continue
        # No value meets no requirement, and is not one of the values ruled out.
        if not (rule.op in ("not in", "none") if value is None else _CHECKS[rule.op](value, wanted)):
            failed.append(name)
    return failed


def satisfies(listing: Mapping[str, Any], applied: Mapping[str, Any]) -> bool:
    """Whether a listing meets every filter."""
    return not violations(listing, applied)
