"""The cost meter: every model call's tokens priced by model, daily totals by model and purpose in Redis (7 days
kept), Prometheus counters, and the daily budget."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from genai_prices import Usage, calc_price
from redis.asyncio import Redis
from redis.exceptions import RedisError

from osool_agent import metrics
from osool_common.logging import get_logger

log = get_logger(__name__)

KEEP_DAYS = 7
# A local model costs nothing per token; models genai-prices does not know are priced 0 and logged once.
FREE_PROVIDERS = ("local", "rules")


@dataclass(frozen=True)
class Price:
    input_per_million: Decimal
    output_per_million: Decimal


def load_price_file(path: str | None) -> dict[str, Price]:
    if not path:
        return {}
    table = json.loads(Path(path).read_text())
    return {model: Price(Decimal(str(entry["input"])), Decimal(str(entry["output"]))) for model, entry in table.items()}


class CostMeter:
    """Prices come from the price file when it names the model, else from genai-prices (kept current upstream)."""

    def __init__(self, redis: Redis, daily_budget_usd: float, price_table: dict[str, Price] | None = None) -> None:
        self.redis = redis
        self.daily_budget_usd = daily_budget_usd
        self.prices = price_table or {}
        self._unknown_logged: set[str] = set()
        self._known: dict[str, Price] = {}

    def price(self, provider: str, model: str, input_tokens: int, output_tokens: int) -> Decimal:
        if provider in FREE_PROVIDERS:
            return Decimal(0)
        table = self.prices.get(model)
        if table is not None:
            return (input_tokens * table.input_per_million + output_tokens * table.output_per_million) / 1_000_000
        table = self._known.get(model)
        if table is None:
            # genai-prices looks the model up in its whole catalogue (about 1.5 ms): once per model, then the rates.
            try:
                per_million = (
                    Usage(input_tokens=1_000_000, output_tokens=0),
                    Usage(input_tokens=0, output_tokens=1_000_000),
                )
                table = Price(*(Decimal(calc_price(usage, model_ref=model).total_price) for usage in per_million))
            except LookupError:
                if model not in self._unknown_logged:
                    self._unknown_logged.add(model)
                    log.warning("cost.unknown_model", model=model, hint="set LLM_PRICE_FILE to price it")
                table = Price(Decimal(0), Decimal(0))
            self._known[model] = table
        return (input_tokens * table.input_per_million + output_tokens * table.output_per_million) / 1_000_000

    @staticmethod
    def _key(day: date) -> str:
        return f"agent:cost:{day.isoformat()}"

    async def record(self, provider: str, model: str, purpose: str, input_tokens: int, output_tokens: int) -> Decimal:
        """Count one call: Prometheus counters, and today's totals in Redis. Returns its cost in dollars."""
        cost = self.price(provider, model, input_tokens, output_tokens)
        metrics.LLM_TOKENS.labels(model, "input").inc(input_tokens)
        metrics.LLM_TOKENS.labels(model, "output").inc(output_tokens)
        metrics.LLM_COST.labels(model, purpose).inc(float(cost))
        key = self._key(datetime.now(UTC).date())
        field = f"{model}|{purpose}"
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hincrbyfloat(key, f"{field}|usd", float(cost))
                pipe.hincrby(key, f"{field}|input", input_tokens)
                pipe.hincrby(key, f"{field}|output", output_tokens)
                pipe.hincrby(key, f"{field}|calls", 1)
                pipe.hincrbyfloat(key, "total|usd", float(cost))
                pipe.expire(key, timedelta(days=KEEP_DAYS + 1))
                results = await pipe.execute()
        except RedisError:
            log.warning("cost.redis_unavailable", model=model, usd=float(cost))
            return cost
        total = float(results[4])
        if total > self.daily_budget_usd and total - float(cost) <= self.daily_budget_usd:
            log.error("cost.budget_exceeded", spent_usd=round(total, 4), budget_usd=self.daily_budget_usd)
        metrics.BUDGET_EXCEEDED.set(1 if total > self.daily_budget_usd else 0)
        return cost

    async def spent_today(self) -> float:
        try:
            value = await self.redis.hget(self._key(datetime.now(UTC).date()), "total|usd")
        except RedisError:
            return 0.0
        return float(value or 0)

    async def over_budget(self) -> bool:
        over = await self.spent_today() > self.daily_budget_usd
        metrics.BUDGET_EXCEEDED.set(1 if over else 0)
        return over

    async def report(self, days: int) -> dict[str, Any]:
        """Spend by day, model and purpose for the last `days` days (today included)."""
        today = datetime.now(UTC).date()
        out_days: list[dict[str, Any]] = []
        for offset in range(days):
            day = today - timedelta(days=offset)
            raw: dict[str, str] = await self.redis.hgetall(self._key(day))  # type: ignore[assignment]
            rows: dict[tuple[str, str], dict[str, Any]] = {}
            for name, value in raw.items():
                parts = name.rsplit("|", 2)
                if len(parts) != 3:
                    continue
                model, purpose, measure = parts
                empty = {"model": model, "purpose": purpose, "usd": 0.0, "input_tokens": 0, "output_tokens": 0,
                         "calls": 0}  # fmt: skip
                row: dict[str, Any] = rows.setdefault((model, purpose), empty)
                if measure == "usd":
                    row["usd"] = round(float(value), 6)
                elif measure in ("input", "output"):
                    row[f"{measure}_tokens"] = int(value)
                elif measure == "calls":
                    row["calls"] = int(value)
            total = round(float(raw.get("total|usd", 0) or 0), 6)
            out_days.append({"date": day.isoformat(), "total_usd": total, "by_model": sorted(rows.values(),
                            key=lambda r: (r["model"], r["purpose"]))})  # fmt: skip
        spent = float(out_days[0]["total_usd"]) if out_days else 0.0
        return {
            "budget_usd": self.daily_budget_usd,
            "spent_today_usd": spent,
            "budget_used_pct": round(100 * spent / self.daily_budget_usd, 2) if self.daily_budget_usd else None,
            "over_budget": spent > self.daily_budget_usd,
            "days": out_days,
        }
