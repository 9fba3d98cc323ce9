"""How hot a lead is: the buyer score (budget, timeline, financing, specificity, engagement) and a seller's commitment
and financial-readiness scores from the four answers, each with the reasons that make it up."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Buyer score, 100 points: a stated budget 25, the timeline up to 25, financing up to 15, specificity 20 (area 7,
# type 7, rooms 6), engagement up to 15 (turns, listings asked about, contact left).
TIMELINE_POINTS = {"immediate": 25, "within_3_months": 20, "within_6_months": 15, "within_year": 10, "later": 5,
                   "exploring": 0}  # fmt: skip
FINANCING_POINTS = {"cash": 15, "mortgage": 10, "installments": 10}
# A seller's answers, each rated 0..1 for how committed to selling it shows.
MOTIVATION_RATING = {"relocating": 1.0, "financial": 1.0, "inheritance": 0.8, "upgrading": 0.7, "downsizing": 0.7,
                     "investment_exit": 0.5, "other": 0.4}  # fmt: skip
TIMELINE_RATING = {"immediate": 1.0, "within_3_months": 0.85, "within_6_months": 0.6, "within_year": 0.4,
                   "later": 0.2, "exploring": 0.0}  # fmt: skip
CONDITION_RATING = {"excellent": 1.0, "good": 0.8, "unfinished": 0.5, "needs_work": 0.4}
DEFAULT_SELLER_WEIGHTS = {"motivation": 0.35, "timeline": 0.30, "condition": 0.20, "price": 0.15}


@dataclass(frozen=True)
class Thresholds:
    hot: int = 50
    warm: int = 25

    def temperature(self, score: int) -> str:
        return "HOT" if score >= self.hot else "WARM" if score >= self.warm else "COLD"


@dataclass
class Score:
    score: int
    temperature: str
    reasons: list[dict[str, Any]] = field(default_factory=list)
    readiness: int | None = None
    commitment: int | None = None


def _reason(factor: str, points: float, why: str) -> dict[str, Any]:
    return {"factor": factor, "points": round(points, 1), "why": why}


def _egp(value: int | None) -> str:
    return f"{value or 0:,} EGP"


def buyer_score(lead: dict[str, Any], thresholds: Thresholds) -> Score:
    reasons: list[dict[str, Any]] = []
    low, high = lead.get("budget_min"), lead.get("budget_max")
    if low or high:
        stated = (
            f"{_egp(low)} to {_egp(high)}" if low and high else f"up to {_egp(high)}" if high else f"from {_egp(low)}"
        )
        reasons.append(_reason("budget", 25, f"budget stated: {stated}"))
    else:
        reasons.append(_reason("budget", 0, "no budget stated"))
    timeline = lead.get("timeline")
    reasons.append(
        _reason(
            "timeline",
            TIMELINE_POINTS.get(timeline or "", 0),
            f"timeline: {timeline.replace('_', ' ')}" if timeline else "no timeline stated",
        )
    )
    financing = lead.get("financing")
    reasons.append(
        _reason(
            "financing",
            FINANCING_POINTS.get(financing or "", 0),
            f"financing: {financing}" if financing else "financing not stated",
        )
    )
    specific = [("area", 7, bool(lead.get("areas"))), ("type", 7, bool(lead.get("types"))),
                ("bedrooms", 6, lead.get("bedrooms") is not None)]  # fmt: skip
    points = sum(value for _, value, present in specific if present)
    named = [name for name, _, present in specific if present]
    reasons.append(
        _reason("specificity", points, f"specific about: {', '.join(named)}" if named else "nothing specific")
    )
    turns = min(int(lead.get("turns") or 0), 5)
    asked = min(len(lead.get("listings_asked") or []), 3) * 2
    contact = 4 if lead.get("contact_phone") or lead.get("contact_email") else 0
    reasons.append(_reason("engagement", turns + asked + contact,
                           f"{lead.get('turns') or 0} messages, {len(lead.get('listings_asked') or [])} listings asked "
                           f"about{', contact left' if contact else ''}"))  # fmt: skip
    score = round(min(100, sum(reason["points"] for reason in reasons)))
    return Score(score, thresholds.temperature(score), reasons)


def seller_score(
    lead: dict[str, Any], thresholds: Thresholds, weights: dict[str, float], market_price: int | None
) -> Score:
    """Commitment: the four answers weighted (motivation, timeline, condition, price realism). Financial readiness:
    how near the asked price is to the market's for that area and type (an unrealistic price stalls a sale), and
    whether the property is in a state to sell (and be financed) as it is."""
    reasons: list[dict[str, Any]] = []
    total_weight = sum(weights.values()) or 1.0

    def part(factor: str, rating: float | None, why: str) -> float:
        points = 100 * weights.get(factor, 0) / total_weight * (rating or 0.0)
        reasons.append(_reason(factor, points, why))
        return points

    motivation, timeline, condition = lead.get("motivation"), lead.get("timeline"), lead.get("condition")
    price = lead.get("price_expectation")
    commitment = part(
        "motivation",
        MOTIVATION_RATING.get(motivation or ""),
        f"motivation: {motivation.replace('_', ' ')}" if motivation else "motivation not known yet",
    )
    commitment += part(
        "timeline",
        TIMELINE_RATING.get(timeline or ""),
        f"timeline: {timeline.replace('_', ' ')}" if timeline else "timeline not known yet",
    )
    commitment += part(
        "condition",
        CONDITION_RATING.get(condition or ""),
        f"condition: {condition.replace('_', ' ')}" if condition else "condition not known yet",
    )
    realism: float | None = None
    if price and market_price:
        ratio = price / market_price
        realism = 1.0 if ratio <= 1.10 else 0.6 if ratio <= 1.25 else 0.2
        why = f"asks {_egp(price)}, {ratio:.0%} of the market's median {_egp(market_price)}"
    elif price:
        realism = 0.6
        why = f"asks {_egp(price)}; no comparable listings to judge it against"
    else:
        why = "price expectation not known yet"
    commitment += part("price", realism, why)
    readiness_parts = [(0.7, realism), (0.3, CONDITION_RATING.get(condition or ""))]
    known = [(weight, rating) for weight, rating in readiness_parts if rating is not None]
    readiness = round(100 * sum(w * r for w, r in known) / sum(w for w, _ in known)) if known else None
    score = round(commitment)
    return Score(score, thresholds.temperature(score), reasons, readiness=readiness, commitment=score)
