"""The tool catalog: every tool's name, argument model and function, one wrapper that grounds arguments, records the
result and reports it, and the pydantic-ai tools built from the catalog (the same for every brain)."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

from pydantic import BaseModel, ValidationError
from pydantic_ai import RunContext, Tool

from osool_agent import metrics
from osool_agent.grounding import Facts, ground_arguments
from osool_agent.tools.alerts import MyAlertsArgs, SaveSearchArgs, my_alerts, save_search
from osool_agent.tools.chain import AvailabilityArgs, check_availability
from osool_agent.tools.context import ListingFacts, ToolArgs, ToolContext, ToolOutcome
from osool_agent.tools.contracts import AuditContractArgs, audit_contract
from osool_agent.tools.finance import (
    MortgageArgs,
    RoiArgs,
)
from osool_agent.tools.finance import (
    calculate_investment_roi as investment_roi,
)
from osool_agent.tools.finance import (
    calculate_mortgage as mortgage,
)
from osool_agent.tools.leads import QualifyLeadArgs, qualify_lead
from osool_agent.tools.listings import (
    CompareArgs,
    GetPropertyArgs,
    SearchArgs,
    compare_units,
    fetch_listing,
    get_property,
    search_properties,
)
from osool_agent.tools.market import TrendsArgs, ValuationArgs, check_market_trends, run_valuation
from osool_agent.tools.reservations import ReserveArgs, reserve_property
from osool_agent.tools.viewings import MyViewingsArgs, ScheduleViewingArgs, my_viewings, schedule_viewing
from osool_common.logging import get_logger

log = get_logger(__name__)

ToolFunction = Callable[[ToolContext, Any], Awaitable[BaseModel]]


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args_model: type[ToolArgs]
    run: ToolFunction


async def _priced(ctx: ToolContext, args: MortgageArgs | RoiArgs) -> MortgageArgs | RoiArgs | ToolOutcome:
    """The arguments of a mortgage or a yield on a listing (`property_id`) with no price said: read again with the
    listing's price as search has it, or not_found when no listing has that id."""
    if args.property_price is not None or args.property_id is None:
        return args
    listing = await fetch_listing(ctx, args.property_id)
    if listing is None:
        return ToolOutcome(ok=False, error="not_found", message=f"no listing with id {args.property_id}")
    return type(args).model_validate({**args.model_dump(exclude_none=True), "property_price": listing.price})


async def _mortgage(ctx: ToolContext, args: MortgageArgs) -> BaseModel:
    priced = await _priced(ctx, args)
    return priced if isinstance(priced, ToolOutcome) else mortgage(cast(MortgageArgs, priced))


async def _roi(ctx: ToolContext, args: RoiArgs) -> BaseModel:
    priced = await _priced(ctx, args)
    return priced if isinstance(priced, ToolOutcome) else investment_roi(cast(RoiArgs, priced))


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec("search_properties", "Find listings that exist and match the buyer's request (area, type, rooms, budget, "
             "size). Pass the buyer's words as query; add a filter only when the buyer stated it.",
             SearchArgs, search_properties),
    ToolSpec("get_property", "Every detail of one listing by its id or source id.", GetPropertyArgs, get_property),
    ToolSpec("compare_units", "Compare 2 to 4 listings already shown: price, price per m², size, delivery, payment "
             "plan, best value per m², longest plan, lowest monthly, and the true cost of each plan in today's money.",
             CompareArgs, compare_units),
    ToolSpec("calculate_mortgage", "Monthly payment, total interest and total paid of a mortgage (market rate or the "
             "Central Bank's subsidised programmes); with an income, the largest loan it allows.",
             MortgageArgs, _mortgage),
    ToolSpec("calculate_investment_roi", "Gross and net rental yield, break-even years and a grade for buying to let.",
             RoiArgs, _roi),
    ToolSpec("run_valuation", "What a property is worth, from comparable listings in the same area and of the same "
             "type: an estimate, a range and how confident.", ValuationArgs, run_valuation),
    ToolSpec("check_market_trends", "Real market figures for an area and type: listings, median price per m², "
             "median price, by delivery year; for a region or the whole market by place; with places (\"New Cairo "
             "or Zayed, which is better?\"), those places side by side; with max_price, of the listings within that "
             "budget (what it buys where); with bedrooms, of the listings with that many (how much a 3-bedroom "
             "usually costs).", TrendsArgs, check_market_trends),
    ToolSpec("check_availability", "A listing's status on the blockchain property registry: available, reserved, "
             "sold or not registered.", AvailabilityArgs, check_availability),
    ToolSpec("audit_contract", "Review a property contract (or clauses of it) the buyer pasted, English or Arabic: "
             "the clauses an Egyptian buyer must see (payment schedule and its total, delivery date, late-delivery "
             "penalty, maintenance deposit, finishing, area, registration, cancellation and refund, developer "
             "obligations, disputes), each present, missing or risky, with why it matters.", AuditContractArgs,
             audit_contract),
    ToolSpec("qualify_lead", "Record what the buyer or seller stated about themselves: intent (buy, invest, rent, "
             "sell), budget, areas, types, bedrooms, timeline, financing, purpose; a seller's motivation, condition "
             "and price; a phone or email they gave. Only what they said; call it whenever they state any of it.",
             QualifyLeadArgs, qualify_lead),
    ToolSpec("reserve_property", "Reserve a listing already shown for the signed-in buyer who asked to reserve it: "
             "a deposit holds it, recorded on the blockchain registry (pending, then confirmed or failed).",
             ReserveArgs, reserve_property),
    ToolSpec("schedule_viewing", "Viewings of a listing already shown: without starts_at, its next free slots (offer "
             "only these), those nearest the day and time (or in the part of the day) the buyer asked for first "
             "when you pass them (asked_free says whether that time is free); with the starts_at of the slot the "
             "buyer picked, book it for the signed-in buyer.",
             ScheduleViewingArgs, schedule_viewing),
    ToolSpec("my_viewings", "The signed-in buyer's upcoming viewings (action list), or cancelling one (action "
             "cancel, with the viewing_id of the one they named; without it, their only upcoming one).",
             MyViewingsArgs, my_viewings),
    ToolSpec("save_search", "When the buyer asks to be told when a listing like this appears: save their search "
             "(signed-in buyers) so new matches and price drops reach them by email or SMS, at most once a day.",
             SaveSearchArgs, save_search),
    ToolSpec("my_alerts", "The signed-in buyer's saved searches that alert (action list), or stopping one (action "
             "stop, with the saved_search_id of the one they named; without it, their only one).",
             MyAlertsArgs, my_alerts),
)  # fmt: skip
TOOLS_BY_NAME = {spec.name: spec for spec in TOOLS}


@dataclass
class ToolRecord:
    """One tool call of a turn: what was asked, what was dropped as unstated, what came back."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    result: BaseModel
    dropped: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(getattr(self.result, "ok", True))

    def listings(self) -> list[ListingFacts]:
        # A valuation's comparables are listings shown too: the evidence behind its figure.
        listings = list(getattr(self.result, "listings", None) or getattr(self.result, "comparables", None) or [])
        single = getattr(self.result, "listing", None)
        return [*listings, single] if single is not None else listings


Emit = Callable[[str, dict[str, Any]], Awaitable[None]]
# Fills in arguments a model left out (the local model's bare "functions.NAME:" reply) from the rules reading.
ArgumentFiller = Callable[[str, dict[str, Any]], dict[str, Any]]


@dataclass
class TurnDeps:
    """What a brain's tools share during one turn."""

    tools: ToolContext
    facts: Facts
    emit: Emit
    fill_arguments: ArgumentFiller | None = None
    records: list[ToolRecord] = field(default_factory=list)


def _invalid(name: str, exc: ValidationError) -> BaseModel:
    problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'arguments'}: {e['msg']}" for e in exc.errors()[:5])
    return ToolOutcome(ok=False, error="invalid", message=f"{name}: {problems}")


async def run_tool(deps: TurnDeps, name: str, raw_arguments: dict[str, Any], call_id: str) -> ToolRecord:
    """Ground the arguments, run the tool, record and report it. Never raises for the model's mistakes."""
    spec = TOOLS_BY_NAME[name]
    arguments, dropped = ground_arguments(dict(raw_arguments), deps.facts)
    for _ in dropped:
        metrics.GROUNDING_REPAIRS.labels("argument").inc()
    if dropped:
        log.info("agent.arguments_dropped", tool=name, dropped=dropped)
    await deps.emit("tool_call", {"id": call_id, "name": name, "arguments": arguments})
    started = time.perf_counter()
    try:
        try:
            args = spec.args_model.model_validate(arguments)
        except ValidationError:
            if deps.fill_arguments is None:
                raise
            args = spec.args_model.model_validate(deps.fill_arguments(name, arguments))
            arguments = args.model_dump(exclude_none=True)
        result = await spec.run(deps.tools, args)
        outcome = "ok" if getattr(result, "ok", True) else str(getattr(result, "error", "error"))
    except ValidationError as exc:
        result, outcome = _invalid(name, exc), "invalid"
    except ValueError as exc:  # a finance rule refused the numbers
        result, outcome = ToolOutcome(ok=False, error="invalid", message=str(exc)), "invalid"
    metrics.TOOL_CALLS.labels(name, outcome).inc()
    metrics.TOOL_DURATION.labels(name).observe(time.perf_counter() - started)
    record = ToolRecord(call_id, name, arguments, result, dropped)
    deps.records.append(record)
    deps.facts.add_tool_result(result)
    await deps.emit("tool_result", {"id": call_id, "name": name, "ok": record.ok, "summary": summarise(record)})
    return record


def _money(value: float | None) -> str:
    return "?" if value is None else f"{value:,.0f}"


def summarise(record: ToolRecord) -> str:
    """One short line on what a tool found, for the client's activity indicator and the logs."""
    result = record.result
    if not record.ok:
        return str(getattr(result, "message", None) or getattr(result, "error", "failed"))
    data: dict[str, Any] = result.model_dump()
    if record.name == "search_properties":
        return f"{len(data['listings'])} listings found"
    if record.name in ("get_property",):
        return str(data["listing"]["title"])
    if record.name == "compare_units":
        return f"{len(data['listings'])} listings compared"
    if record.name == "calculate_mortgage":
        return f"monthly {_money(data.get('monthly_payment'))} EGP over {data.get('years')} years"
    if record.name == "calculate_investment_roi":
        return f"net yield {data.get('net_yield_pct')}% ({data.get('grade')})"
    if record.name == "run_valuation":
        return f"estimate {_money(data.get('estimate'))} EGP from {data.get('comparables_count')} comparables"
    if record.name == "check_market_trends":
        return f"{data.get('count')} listings, median {_money(data.get('median_price_per_sqm'))} EGP/m²"
    if record.name == "check_availability":
        return f"{data.get('title')}: {data.get('status')}"
    if record.name == "reserve_property":
        return f"reservation {data.get('status')}: {data.get('title')}"
    if record.name == "schedule_viewing":
        booked = data.get("viewing_id")
        return f"viewing booked for {data['starts_at']}" if booked else f"{len(data['slots'])} free slots"
    if record.name == "save_search":
        return f"search saved: {data.get('query')} ({data.get('channel')})"
    if record.name == "my_alerts":
        stopped = data.get("stopped")
        return f"alert stopped: {stopped['query']}" if stopped else f"{len(data['alerts'])} alerts"
    if record.name == "qualify_lead":
        return f"noted: {', '.join(data['noted']) or 'nothing new'}"
    if record.name == "audit_contract":
        return f"{len(data['findings'])} findings: {data['summary'].get('high', 0)} high"
    return "done"


def tool_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The arguments' JSON schema as models are given it: without regular-expression `pattern`s and long string-length
    bounds, which llama.cpp turns into grammars it cannot build (the local server then crashes: measured with the
    phone pattern, PlainText's control-character class and a 20,000-character maxLength). The arguments are still
    validated against the model itself when the tool runs."""

    def dropped(key: str, value: Any) -> bool:
        return key == "pattern" or (key in ("minLength", "maxLength") and isinstance(value, int) and value > 300)

    def strip(node: Any) -> Any:
        if isinstance(node, dict):
            return {key: strip(value) for key, value in node.items() if not dropped(key, value)}
        if isinstance(node, list):
            return [strip(value) for value in node]
        return node

    schema: dict[str, Any] = strip(model.model_json_schema())
    return schema


def _pydantic_tool(spec: ToolSpec) -> Tool[TurnDeps]:
    async def call(ctx: RunContext[TurnDeps], **arguments: Any) -> dict[str, Any]:
        record = await run_tool(ctx.deps, spec.name, arguments, ctx.tool_call_id or f"call_{spec.name}")
        return tool_content(record)

    schema = tool_schema(spec.args_model)
    return Tool.from_schema(call, name=spec.name, description=spec.description, json_schema=schema, takes_ctx=True)


def tool_content(record: ToolRecord) -> dict[str, Any]:
    """What the model reads of a result (and what history keeps): the result without empty fields."""
    content: dict[str, Any] = record.result.model_dump(mode="json", exclude_none=True)
    return content


def pydantic_tools() -> list[Tool[TurnDeps]]:
    return [_pydantic_tool(spec) for spec in TOOLS]


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
