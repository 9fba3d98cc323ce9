"""One conversation turn: history in, a brain and its tools, grounding, history out. No HTTP and no SQL here."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import re
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic_ai import Agent
from pydantic_ai.direct import model_request
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    PartDeltaEvent,
    PartStartEvent,
    TextPart,
    TextPartDelta,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.usage import UsageLimits
from redis.exceptions import RedisError

from osool_agent import metrics
from osool_agent.brains import ModelBrain
from osool_agent.brains.replies import SMALLTALK, asking_noted, write_reply
from osool_agent.brains.rules import (
    ARABIC,
    OFFER_QUESTIONS,
    LastSearch,
    Reading,
    ViewingOffer,
    alert_stopped,
    amounts_in,
    answers_nothing,
    asked_again,
    asked_more,
    asked_when,
    cairo_today,
    fold,
    last_alert,
    last_alerts_listed,
    last_calculation,
    last_detailed,
    last_focus,
    last_looked,
    last_reserving,
    last_search,
    last_search_call,
    last_valuation,
    last_valuation_arguments,
    last_viewings_listed,
    listing_question,
    loan_budget,
    offered_next,
    only_a_pick,
    places_searched,
    read_message,
    rules_model,
    said_yes,
    seller_answer,
    valuation_continued,
    valuation_pending,
    valuation_refined,
    viewing_cancelled,
    viewing_offer,
    without_contact,
)
from osool_agent.clients import HistoryClient, SearchClient, UpstreamError
from osool_agent.cost import CostMeter
from osool_agent.grounding import Facts, Violation, sentence_violations, split_sentences
from osool_agent.leads.pipeline import ASKING_TOOLS, QUESTIONS, LeadService, TurnFacts
from osool_agent.leads.slots import SELLER_QUESTIONS, consent_answer, read_slots
from osool_agent.repository import TurnRepository
from osool_agent.schemas import Card, ChatRequest
from osool_agent.settings import Settings
from osool_agent.tools.catalog import TurnDeps, dumps, pydantic_tools, tool_content
from osool_agent.tools.context import ListingFacts, ToolContext
from osool_agent.tools.listings import fetch_listing
from osool_common.auth import Principal
from osool_common.breaker import CircuitOpenError
from osool_common.errors import (
    ConflictError,
    DomainError,
    RateLimitedError,
    UnauthenticatedError,
    ValidationFailedError,
)
from osool_common.logging import get_logger
from osool_common.ratelimit import RateLimiter

log = get_logger(__name__)

PROMPT_FILE = Path(__file__).parent / "prompts" / "amr.md"
Emit = Callable[[str, dict[str, Any]], Awaitable[None]]


def load_prompt() -> str:
    # The version comment stays out of what the model reads; the prompt is identical in every request (cache reuse).
    text = PROMPT_FILE.read_text()
    return "\n".join(line for line in text.splitlines() if not line.startswith("<!--")).strip()


def prompt_version() -> str:
    first = PROMPT_FILE.read_text().splitlines()[0]
    return first.removeprefix("<!-- prompt-version:").removesuffix("-->").strip()


@dataclass
class Caller:
    principal: Principal | None
    authorization: str | None
    secret: str | None


@dataclass
class Session:
    id: uuid.UUID
    secret: str | None  # only when the session was made by this request (anonymous)
    new: bool = False
    user_id: uuid.UUID | None = None  # the signed-in caller


@dataclass
class TurnOutcome:
    """Everything a turn produced; the JSON answer and the `done` event are made from it."""

    session: Session
    reply: str = ""
    cards: list[Card] = field(default_factory=list)
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    brain: str = "rules"
    model: str = "rules"
    fallback: str | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0
    latency_ms: float = 0.0
    first_token_ms: float | None = None
    replayed: bool = False

    def json_body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "session_id": str(self.session.id),
            "reply": self.reply,
            "listings": [card.model_dump(mode="json") for card in self.cards],
            "tool_calls": self.tool_calls,
            "brain": self.brain,
            "usage": self.usage(),
        }
        if self.session.secret:
            body["session_secret"] = self.session.secret
        return body

    def usage(self) -> dict[str, Any]:
        return {
            "model": self.model, "input_tokens": self.input_tokens, "output_tokens": self.output_tokens,
            "cost_usd": round(self.cost_usd, 6), "latency_ms": round(self.latency_ms, 1),
            "time_to_first_token_ms": None if self.first_token_ms is None else round(self.first_token_ms, 1),
            "fallback": self.fallback,
        }  # fmt: skip

    def done_event(self) -> dict[str, Any]:
        # The names (tokens, cost, latency) beside the same figures as `usage` has them.
        return {
            "brain": self.brain, **self.usage(), "replayed": self.replayed,
            "tokens": {"input": self.input_tokens, "output": self.output_tokens},
            "cost": round(self.cost_usd, 6), "latency": round(self.latency_ms, 1),
        }  # fmt: skip


@dataclass
class TurnHandle:
    """A turn under way: its events as they come (None ends them), and what it produced once it is over."""

    queue: asyncio.Queue[tuple[str, dict[str, Any]] | None]
    outcome: TurnOutcome
    replayed: bool = False
    error: dict[str, Any] | None = None

    async def events(self) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        if self.replayed:
            for item in replay_events(self.outcome):
                yield item
            return
        while True:
            next_item = await self.queue.get()
            if next_item is None:
                return
            yield next_item

    async def result(self) -> TurnOutcome:
        """Wait for the end of the turn; its error as the domain error it was."""
        async for _ in self.events():
            pass
        if self.error is not None:
            exc = DomainError(self.error["error"]["message"])
            exc.status_code, exc.code = self.error["status"], self.error["error"]["code"]
            raise exc
        return self.outcome


def replay_events(outcome: TurnOutcome) -> list[tuple[str, dict[str, Any]]]:
    """A finished turn told again, in the order it first streamed."""
    events: list[tuple[str, dict[str, Any]]] = [("session", {"session_id": str(outcome.session.id)})]
    for call in outcome.tool_calls:
        events.append(("tool_call", {"name": call["name"], "arguments": call["arguments"]}))
        events.append(("tool_result", {"name": call["name"], "ok": call["result"].get("ok", True), "summary": ""}))
    events.append(("token", {"text": outcome.reply}))
    events.append(("listings", {"listings": [card.model_dump(mode="json") for card in outcome.cards]}))
    events.append(("done", outcome.done_event()))
    return events


class SkippedToolError(Exception):
    """The local model answered a request that needs a tool (a search, a mortgage...) without calling one: what it
    wrote is made up (measured: four invented apartments with sizes for "3 bedroom apartment in New Cairo under
    8M"), so none of it leaves, and the rules brain, which calls the tool, answers the turn."""


class SentenceGate:
    """Text leaves the service a sentence at a time, and only once the sentence is grounded. After the first
    ungrounded sentence everything is held back for the one correction the model gets."""

    def __init__(self, facts: Facts, emit: Callable[[str], Awaitable[None]]) -> None:
        self.facts = facts
        self.emit = emit
        self.buffer = ""
        self.sent: list[str] = []
        self.held: list[str] = []
        self.violations: list[Violation] = []

    async def feed(self, text: str) -> None:
        self.buffer += text
        parts = split_sentences(self.buffer)
        # The last piece may be a sentence still being written: keep it until more text or the end.
        for sentence in parts[:-1]:
            await self._pass(sentence)
        self.buffer = parts[-1] if parts else ""

    async def _pass(self, sentence: str) -> None:
        if not sentence.strip():
            if self.sent and not self.held:
                await self._send(sentence)
            return
        problems = sentence_violations(sentence, self.facts)
        if problems or self.held:
            self.violations.extend(problems)
            self.held.append(sentence)
            return
        await self._send(sentence)

    async def _send(self, sentence: str) -> None:
        self.sent.append(sentence)
        await self.emit(sentence)

    async def finish(self) -> None:
        if self.buffer:
            await self._pass(self.buffer)
            self.buffer = ""

    def text(self) -> str:
        return "".join(self.sent).strip()


class ChatService:
    def __init__(
        self,
        settings: Settings,
        search: SearchClient,
        history: HistoryClient,
        tools: Callable[[], ToolContext],
        repository: TurnRepository,
        limiter: RateLimiter,
        cost: CostMeter,
        brains: dict[str, ModelBrain],
        leads: LeadService | None = None,
    ) -> None:
        self.settings = settings
        self.leads = leads
        self.search = search
        self.history = history
        self.tool_context = tools
        self.repository = repository
        self.limiter = limiter
        self.cost = cost
        self.brains = brains
        self.prompt = load_prompt()
        self.agent: Agent[TurnDeps, str] = Agent(
            instructions=self.prompt, deps_type=TurnDeps, tools=pydantic_tools(), retries=1
        )
        self.running: set[asyncio.Task[Any]] = set()

    @property
    def default_brain(self) -> str:
        return self.settings.chosen_brain(local_installed=bool(self.settings.local_llm_url))

    # -- before a turn: who, which session, how often ---------------------------------------------------------
    async def open_session(self, request: ChatRequest, caller: Caller) -> Session:
        user_id = uuid.UUID(caller.principal.user_id) if caller.principal is not None else None
        if caller.principal is not None:
            await self._limit(f"user:{caller.principal.user_id}", self.settings.turns_per_minute_per_user)
        if request.session_id is None:
            created = await self.history.create_session(caller.authorization, _title(request.message))
            return Session(uuid.UUID(created["id"]), created.get("secret"), new=True, user_id=user_id)
        if caller.principal is None and not caller.secret:
            # The same answer for every id, so it says nothing about which sessions exist.
            raise UnauthenticatedError("an anonymous session opens with its secret (X-Session-Secret); or sign in")
        session = await self.history.session(request.session_id, caller.authorization, caller.secret)
        if caller.principal is not None and caller.secret and not session.get("owned"):
            await self.history.claim(request.session_id, caller.authorization or "", caller.secret)
        await self._limit(f"session:{request.session_id}", self.settings.turns_per_minute_per_session)
        return Session(request.session_id, None, user_id=user_id)

    async def _limit(self, key: str, per_minute: int) -> None:
        try:
            decision = await self.limiter.hit(key, limit=per_minute, window_seconds=60)
        except RedisError:  # Redis down: the gateway's per-address limit still holds
            log.warning("agent.rate_limit_unavailable", key=key)
            return
        if not decision.allowed:
            raise RateLimitedError(
                f"too many messages; try again in {decision.retry_after_seconds:.0f} s",
                details={"retry_after_seconds": round(decision.retry_after_seconds, 1)},
                retry_after=decision.retry_after_seconds,
            )

    # -- a turn ----------------------------------------------------------------------------------------------------
    async def start_turn(self, request: ChatRequest, caller: Caller, idempotency_key: str | None) -> TurnHandle:
        """Open the session and start the turn in its own task (a client that goes away does not cut it short: the
        turn is stored whole). The handle carries the events as they come, or the stored outcome of a key answered
        before."""
        message = request.message.strip()
        if not message:
            raise ValidationFailedError("the message is empty")
        session = await self.open_session(request, caller)
        key = idempotency_key or f"turn-{uuid.uuid4().hex}"
        if idempotency_key:
            fingerprint = hashlib.sha256(f"{message}\x00{request.language}".encode()).hexdigest()
            previous = await self.repository.begin(
                session.id, key, fingerprint, stale_after_seconds=self.settings.turn_stale_after_seconds
            )
            if previous == "running":
                raise ConflictError("this turn is still being answered; retry in a moment")
            if previous == "mismatch":
                raise ValidationFailedError("this Idempotency-Key was used for another message")
            if isinstance(previous, dict):
                return TurnHandle(asyncio.Queue(), outcome_from_json(previous, session), replayed=True)
        handle = TurnHandle(asyncio.Queue(), TurnOutcome(session=session))
        task = asyncio.create_task(
            self._turn(message, request.language, session, key, bool(idempotency_key), handle), name="agent-turn"
        )
        self.running.add(task)
        task.add_done_callback(self.running.discard)
        return handle

    async def _turn(
        self, message: str, language: str, session: Session, key: str, keyed: bool, handle: TurnHandle
    ) -> None:
        started = time.perf_counter()
        outcome = handle.outcome
        queue = handle.queue

        async def emit(event: str, data: dict[str, Any]) -> None:
            await queue.put((event, data))

        await emit("session", {"session_id": str(session.id), **({"session_secret": session.secret}
                                                                   if session.secret else {})})  # fmt: skip
        try:
            await self._answer(message, language, session, key, outcome, emit, started)
            outcome.latency_ms = (time.perf_counter() - started) * 1000
            if keyed:
                await self.repository.finish(session.id, key, outcome_to_json(outcome))
            metrics.TURNS.labels(outcome.brain, "ok" if not outcome.fallback else "fallback").inc()
            metrics.TURN_DURATION.labels(outcome.brain).observe(outcome.latency_ms / 1000)
            await emit("listings", {"listings": [card.model_dump(mode="json") for card in outcome.cards]})
            await emit("done", outcome.done_event())
        except Exception as exc:
            log.error("agent.turn_failed", error=type(exc).__name__, exc_info=exc)
            metrics.TURNS.labels(outcome.brain, "error").inc()
            if keyed:
                with contextlib.suppress(Exception):
                    await self.repository.interrupt(session.id, key, f"{type(exc).__name__}: {exc}"[:500])
            status = exc.status_code if isinstance(exc, DomainError) else 500
            code = exc.code if isinstance(exc, DomainError) else "internal_error"
            text = exc.message if isinstance(exc, DomainError) else "the turn failed; nothing was stored"
            handle.error = {"status": status, "error": {"code": code, "message": text}}
            await emit("error", handle.error)
        finally:
            await queue.put(None)

    async def _answer(
        self, message: str, language: str, session: Session, key: str, outcome: TurnOutcome, emit: Emit,
        started: float,
    ) -> None:  # fmt: skip
        # A session this request opened has no past: one call to chat-history saved.
        past = [] if session.new else await self.history.recent_messages(session.id, self.settings.history_messages)
        facts = Facts()
        context = Context.of(past)
        if language == "auto" and not _WORDED.search(message):
            language = context.language or language  # "٠١٠٢٣٤٥٦٧٨٩" after Arabic: answered in Arabic
        if not context.shown and len(past) >= self.settings.history_messages < self.settings.context_messages:
            # No list within the window the model is given: "the third one" is still of the last list shown.
            context = Context.of(await self.history.recent_messages(session.id, self.settings.context_messages))
        for item in past:
            if item["role"] == "user":
                facts.add_user_text(item["content"])
            elif item["role"] == "tool":
                with contextlib.suppress(ValueError):
                    facts.add_tool_result(json.loads(item["content"]))
        facts.add_user_text(message)

        async def on_text(text: str) -> None:
            if outcome.first_token_ms is None:
                outcome.first_token_ms = (time.perf_counter() - started) * 1000
                metrics.TIME_TO_FIRST_TOKEN.labels(outcome.brain).observe(outcome.first_token_ms / 1000)
            await emit("token", {"text": text})

        gate = SentenceGate(facts, on_text)
        deps = TurnDeps(tools=self.tool_context(), facts=facts, emit=emit)
        deps.tools.user_id, deps.tools.emit = session.user_id, emit
        brain_name, reason = await self._choose_brain()
        reading: Reading | None = None
        model_messages: list[ModelMessage] = []
        if brain_name != "rules":
            brain = self.brains[brain_name]
            outcome.brain, outcome.model = brain.name, brain.model_name
            expected_tool = None
            if brain.name == "local":
                reading = await self._read(message, language, context)
                deps.fill_arguments = _filler(reading)
                expected_tool = reading.tool
            try:
                model_messages = await self._run_model(brain, message, past, deps, gate, outcome, expected_tool)
            except Exception as exc:  # the model failed: the rules brain answers this turn, and says so
                reason = (
                    "breaker_open" if isinstance(exc, CircuitOpenError)
                    else "model_skipped_tool" if isinstance(exc, SkippedToolError)
                    else "model_error"
                )  # fmt: skip
                log.warning("agent.model_failed", brain=brain.name, error=type(exc).__name__, detail=str(exc)[:200])
                if gate.sent:  # part of an answer already left: keep it, say the rest is missing
                    raise
                deps.records.clear()
                brain_name = "rules"
        if brain_name == "rules":
            outcome.brain = outcome.model = "rules"
            outcome.fallback = reason
            if reason:
                metrics.BRAIN_FALLBACKS.labels(reason).inc()
            reading = reading or await self._read(message, language, context)
            if reading.tool == "run_valuation" and context.asking:
                reading.asking = context.asking  # "9 million" said before the size: the estimate is set against it
            # No "briefly unavailable" notice when the model was there but skipped the tool: it is not unavailable.
            notice = reason is not None and reason != "model_skipped_tool"
            await self._run_rules(reading, message, deps, gate, notice=notice, seed=key)
        await gate.finish()
        if gate.violations and brain_name != "rules" and not outcome.fallback:
            await self._correct(self.brains[brain_name], model_messages, gate, outcome)
        for violation in gate.violations:
            metrics.GROUNDING_REPAIRS.labels(violation.kind).inc()
        if gate.violations:
            log.info("agent.grounding_repaired", violations=[v.detail for v in gate.violations][:10])
        outcome.reply = gate.text() or _nothing_to_say(reading, language, message)
        if not gate.sent:
            await emit("token", {"text": outcome.reply})
        outcome.cards = self._cards(deps)
        outcome.tool_calls = [
            {"name": r.name, "arguments": r.arguments, "result": tool_content(r)} for r in deps.records
        ]
        if self.leads is not None:
            await self._follow_lead(session, message, reading, deps, outcome, emit)
        await self._store(session, key, message, deps, outcome)

    async def _follow_lead(
        self, session: Session, message: str, reading: Reading | None, deps: TurnDeps, outcome: TurnOutcome,
        emit: Emit,
    ) -> None:  # fmt: skip
        """The lead learns from the turn; a seller's next question or a HOT buyer's consent ends the reply."""
        assert self.leads is not None
        # A contract pasted for review states the parties' terms, not the person's own ("The Seller shall deliver"
        # is no seller): the lead learns nothing from its words
        contract = any(record.name == "audit_contract" for record in deps.records)
        facts = TurnFacts(
            session_id=session.id, user_id=session.user_id, message=CONTRACT_PASTED if contract else message,
            parsed=reading.parsed if reading is not None and not contract else None,
            shown=[listing.id for record in deps.records for listing in record.listings()],
            asked=[listing.id for record in deps.records if record.name in ASKING_TOOLS
                   for listing in record.listings()],
            model_slots=next((r.arguments for r in deps.records if r.name == "qualify_lead" and r.ok), None),
            # The reply offered one viewing time to book with a yes: a consent question now would share that yes.
            awaits_yes=any(r.name == "schedule_viewing" and len(getattr(r.result, "slots", None) or []) == 1
                           for r in deps.records) or (reading is not None and reading.smalltalk in HUMAN_OFFERING),
            wants_call=reading is not None and reading.smalltalk in ("human", "human_number"),
        )  # fmt: skip
        question = await self.leads.observe_turn(facts)
        if question:
            addition = ("\n\n" if outcome.reply else "") + question
            outcome.reply += addition
            await emit("token", {"text": addition})

    async def _choose_brain(self) -> tuple[str, str | None]:
        name = self.default_brain
        if name == "rules" or name not in self.brains:
            return "rules", None if name == "rules" else "not_configured"
        if self.settings.llm_budget_fallback != "none" and await self.cost.over_budget():
            fallback = self.settings.llm_budget_fallback
            if fallback != name:
                return (fallback, "budget") if fallback in self.brains else ("rules", "budget")
        return name, None

    async def _read(self, message: str, language: str, context: Context) -> Reading:
        text, contact = without_contact(message)
        try:
            parsed = await self.search.parse(text[:500])
        except (UpstreamError, DomainError):
            parsed = {"filters": {}, "text": text, "understood": []}
        reading = read_message(
            text, parsed, context.shown, language, context.offer, last_query=context.last_query,
            focus=context.focus, valued=context.valued, previous=context.previous, calculation=context.calculation,
            contact=contact, offered=context.offered, within=context.budget, alert=context.alert,
            reserving=context.reserving, listed=context.listed,
        )  # fmt: skip
        if context.viewings_listed and (cancel := viewing_cancelled(text, reading.language, context.viewings_listed)):
            reading = cancel  # "the second" after the buyer's viewings were listed: that one cancelled
        if context.alerts_listed and (stop := alert_stopped(text, reading.language, context.alerts_listed)):
            reading = stop  # "the second" after the buyer's alerts were listed: that one stopped
        reading.parsed = parsed  # before the answers below: a seller's answer is no search naming a place or a type
        if (
            reading.tool == "compare_units" and reading.asked and not reading.places
            and len(reading.arguments.get("property_ids") or ()) == 2 and len(context.looked) >= 2
        ):  # fmt: skip
            # "طب الاتنين دول فيهم بلكونة؟" after the second's size and the third's: those two, not the first two shown
            reading.arguments["property_ids"] = list(context.looked[-2:])
        if (
            reading.tool == "get_property"
            and reading.asked
            and context.detailed == reading.arguments.get("property_id")
        ):
            reading.brief = True  # "what floor?" of the listing just detailed: the answer, not its details again
        picked = reading.tool == "get_property" and not reading.asked and only_a_pick(fold(text))
        if picked and context.which_for == "price":
            reading.asked = {"price": [True]}  # "بكام؟" was asked which one: "the second" is its price
        elif picked and context.which_for == "plan":
            reading.asked = {"plan": [True]}  # "المقدم كام؟" was asked which one: the second's plan
        elif picked and context.which_for == "delivery":
            reading.asked = {"delivery": ["when"]}  # "when is delivery?" was asked which one: the second's
        elif picked and context.which_for in ("view", "reserve"):
            # "book a viewing" or "reserve it" was asked which one: "the second" is that one's viewing or reservation
            tool = "schedule_viewing" if context.which_for == "view" else "reserve_property"
            # with the day and time the viewing was asked for ("can we see it on Saturday at 5?", then "the second")
            when = asked_when(fold(context.last_asked), cairo_today(), 0) if tool == "schedule_viewing" else {}
            reading = Reading(reading.language, tool, {**reading.arguments, **when}, parsed=parsed)
        elif picked and context.which_for == "rent":
            # "how much rent would it bring?" was asked which one: "the second" is its yield at the usual rent
            reading = Reading(reading.language, "calculate_investment_roi", dict(reading.arguments), parsed=parsed)
        elif picked and context.question:
            reading = await self._asked_again(reading, context) or reading
        elif (
            context.question and context.question[0] == "get_property" and context.focus
            and reading.tool == "search_properties"
            and (more := asked_more(text, parsed, reading.language, context.focus)) is not None
        ):  # fmt: skip
            reading = more  # "and the schools around?" right after a question of one listing: asked of it too
        elif (
            reading.note in ("which_area", "which_area_rent") and context.previous is not None
            and not {"location", "places"} & set(reading.arguments)
        ):  # fmt: skip
            # "which area is better?" after a search over a few places: those places, read from its words again
            with contextlib.suppress(UpstreamError, DomainError):
                searched = await self.search.parse(str(context.previous.arguments.get("query") or "")[:500])
                reading = places_searched(reading, searched) or reading
        if context.valuing and (continued := await self._valuation_continued(text, parsed, reading, context)):
            return continued
        if context.consent_asked and reading.tool is None and (consent := consent_answer(message)) is not None:
            # The answer the lead records; a yes with no number to call yet asks for it.
            given = "number_please" if context.number_asked and not contact else "consent_given"
            reading.smalltalk = given if consent else "consent_refused"
        elif context.number_asked and contact and reading.tool is None:
            reading.smalltalk = "consent_given"  # asked whether a consultant may call, the buyer left a number
        elif context.valuation and (refined := valuation_refined(text, reading, context.valuation)):
            reading = refined  # "3 ghoraf, metshatba" after the valuation: valued again with the rooms
            reading.before = context.valued  # the reply says how far the estimate moved
        elif context.seller_question and (
            answer := seller_answer(text, reading, context.seller_question, context.valued)
        ):
            reading = answer  # "I'm relocating", "fully finished", "12 million": the answer the lead records
            if reading.smalltalk == "seller_noted" and answers_nothing(text):
                # "yes", "ok", "not sure" to "When would you like it sold?": nothing to note; said so, and moved on.
                stated = read_slots(message, parsed, context=context.seller_question).stated()
                if context.seller_question not in stated:
                    reading.smalltalk = "seller_skipped"
        elif context.human_offered and reading.tool is None and said_yes(message):
            reading.smalltalk = "human"  # "yes" to "Shall one of them call you?": the number to call
        elif (
            context.which_asked and reading.tool is None and reading.smalltalk not in ("which_view", "which_reserve")
            and said_yes(message)
        ):  # fmt: skip
            reading.smalltalk = "which_one"  # "yes" to "Which one interests you?": which, and what to do with it
        elif context.seller_asked and (answer := seller_answer(text, reading, "", context.valued)):
            # "مسافر برا" a few turns after "what is prompting the sale?" went unanswered: an answer all the same,
            # thanked for (the lead records it), rather than taken for a buyer who has said nothing yet.
            stated = read_slots(message, parsed, context="seller").stated()
            if answer.smalltalk == "seller_price" or {"motivation", "timeline", "condition"} & set(stated):
                reading = answer
        return reading

    async def _asked_again(self, reading: Reading, context: Context) -> Reading | None:
        """ "and the second?" after "does the first have instalments?": that question read again (one more parse,
        only then), asked of the listing named now (rules.asked_again)."""
        assert context.question is not None
        tool, question = context.question
        text = without_contact(question)[0]
        try:
            parsed = await self.search.parse(text[:500])
        except (UpstreamError, DomainError):
            return None
        again = read_message(text, parsed, context.shown, reading.language, focus=context.focus)
        asked = asked_again(reading, again, tool, context.shown)
        if asked is not None:
            asked.parsed = reading.parsed
        return asked

    async def _valuation_continued(
        self, text: str, parsed: dict[str, Any], reading: Reading, context: Context
    ) -> Reading | None:
        """The reading of a seller's details given after a valuation asked for them, read with the messages since
        (rules.valuation_continued); None when the message is not such an answer. One more parse, only then."""
        if reading.tool not in (None, "search_properties"):
            return None
        # The message that asked for a valuation, the messages since that state no sum (the price the seller has in
        # mind is no detail of the home, and would read as a budget), the latest first while they fit, and this one,
        # each cut short: within the parser's 500 characters.
        room = 500 - len(context.valuing[0][:120]) - len(text[:120]) - 2
        kept: list[str] = []
        for said in reversed(context.valuing[1:]):
            if any(amount.value >= 100_000 for amount in amounts_in(fold(said))):
                continue
            room -= len(said[:95]) + 2
            if room < 0:
                break
            kept.insert(0, said[:95])
        joined = ". ".join([context.valuing[0][:120], *kept, text[:120]])
        try:
            combined_parsed = await self.search.parse(joined)
        except (UpstreamError, DomainError):
            return None
        combined = read_message(joined, combined_parsed, context.shown, reading.language)
        if not valuation_continued(text, parsed, reading, combined):
            return None
        combined.parsed = parsed
        return combined

    async def _resolve(self, deps: TurnDeps, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        """A mortgage or a yield on a listing already shown: the listing's price, as the search service has it (its id
        stays in the call: the conversation is on that listing)."""
        ref = arguments.get("property_id") if tool in ("calculate_mortgage", "calculate_investment_roi") else None
        if ref and not arguments.get("property_price"):
            listing = await fetch_listing(deps.tools, str(ref))
            if listing is not None:
                arguments["property_price"] = listing.price
                deps.facts.add_tool_result({"price": listing.price})
        return arguments

    async def _run_rules(
        self, reading: Reading, message: str, deps: TurnDeps, gate: SentenceGate, *, notice: bool, seed: str
    ) -> None:
        def writer(reading: Reading, returns: list[ToolReturnPart]) -> str:
            return write_reply(reading, returns, seed=seed, notice=notice)

        async def resolve(tool: str, arguments: dict[str, Any], derived: tuple[str, ...] = ()) -> dict[str, Any]:
            # What the rules brain computed from figures said (two incomes added up, a budget stretched): grounded by
            # those figures, though nobody typed the result.
            deps.facts.add_tool_result({name: arguments[name] for name in derived if name in arguments})
            return await self._resolve(deps, tool, arguments)

        # The bounds search's parser read from the buyer's words ("around 3 million" is 2.7 to 3.3 million) are
        # theirs: grounded, so the search's arguments keep them (and "what areas can I afford?" after, its budget).
        filters = (reading.parsed or {}).get("filters") or {}
        deps.facts.add_tool_result(
            {
                key: value
                for key, value in filters.items()
                if isinstance(value, int | float) and not isinstance(value, bool)
            }
        )
        result = await self.agent.run(message, model=rules_model(reading, writer, resolve), deps=deps)
        await gate.feed(result.output)

    async def _run_model(
        self, brain: ModelBrain, message: str, past: list[dict[str, Any]], deps: TurnDeps, gate: SentenceGate,
        outcome: TurnOutcome, expected_tool: str | None = None,
    ) -> list[ModelMessage]:  # fmt: skip
        """`expected_tool`: the tool the rules brain would call (the local brain's turns); a first answer without any
        tool call then raises SkippedToolError before a word of it is fed to the gate."""
        history = to_model_messages(past)
        run_messages: list[ModelMessage] = []
        async with self.agent.iter(
            message, model=brain.model, deps=deps, message_history=history, model_settings=brain.settings,
            # A model that keeps calling tools gets an answer written from what it has: MAX_TOOL_ROUNDS, then rules.
            usage_limits=UsageLimits(request_limit=self.settings.max_tool_rounds + 1),
        ) as run:  # fmt: skip
            async for node in run:
                if Agent.is_model_request_node(node) and brain.stream:
                    async with node.stream(run.ctx) as stream:
                        async for event in stream:
                            if isinstance(event, PartStartEvent) and isinstance(event.part, TextPart):
                                await gate.feed(event.part.content)
                            elif isinstance(event, PartDeltaEvent) and isinstance(event.delta, TextPartDelta):
                                await gate.feed(event.delta.content_delta)
                elif Agent.is_call_tools_node(node):
                    if not brain.stream:
                        parts = node.model_response.parts
                        if expected_tool and not deps.records and not any(isinstance(p, ToolCallPart) for p in parts):
                            raise SkippedToolError(f"answered without calling {expected_tool}")
                        text = "".join(p.content for p in parts if isinstance(p, TextPart))
                        await gate.feed(text)
                    # A text part before a tool call is the model thinking aloud ("Let me search..."): keep it.
            usage = run.usage
            run_messages = run.all_messages()
        outcome.input_tokens += usage.input_tokens
        outcome.output_tokens += usage.output_tokens
        cost = await self.cost.record(brain.provider, brain.model_name, "chat", usage.input_tokens, usage.output_tokens)
        outcome.cost_usd += float(cost)
        return run_messages

    async def _correct(
        self, brain: ModelBrain, messages: list[ModelMessage], gate: SentenceGate, outcome: TurnOutcome
    ) -> None:
        """One chance for the model to put its reply right; what is still ungrounded after it is removed."""
        problems = "; ".join(sorted({v.detail for v in gate.violations}))[:1500]
        request = ModelRequest(parts=[UserPromptPart(
            "Your reply named things that no tool result in this conversation contains: " + problems + ". Rewrite "
            "the rest of your reply using only listings and numbers from the tool results. Reply with the text only."
        )])  # fmt: skip
        held, gate.held = gate.held, []
        try:
            response = await model_request(brain.model, [*messages, request], model_settings=brain.settings)
        except Exception as exc:
            log.warning("agent.correction_failed", error=type(exc).__name__)
            return
        usage = response.usage
        outcome.input_tokens += usage.input_tokens
        outcome.output_tokens += usage.output_tokens
        outcome.cost_usd += float(
            await self.cost.record(
                brain.provider, brain.model_name, "grounding", usage.input_tokens, usage.output_tokens
            )
        )
        text = "".join(part.content for part in response.parts if isinstance(part, TextPart))
        already = {sentence.strip() for sentence in gate.sent}
        for sentence in split_sentences(text):
            if sentence.strip() and sentence.strip() not in already and not sentence_violations(sentence, gate.facts):
                await gate._send(sentence if sentence[:1].isspace() or not gate.sent else " " + sentence)
        log.info("agent.corrected", held=len(held))

    def _cards(self, deps: TurnDeps) -> list[Card]:
        seen: dict[str, ListingFacts] = {}
        for record in deps.records:
            for listing in record.listings():
                seen.setdefault(listing.id, listing)
        return [Card.from_listing(listing) for listing in list(seen.values())[: self.settings.cards_per_reply]]

    async def _store(self, session: Session, key: str, message: str, deps: TurnDeps, outcome: TurnOutcome) -> None:
        """The whole turn in one append (one Idempotency-Key): a retry never writes it twice."""
        messages: list[dict[str, Any]] = [{"role": "user", "content": message}]
        for record in deps.records:
            messages.append({
                "role": "tool",
                "content": dumps(tool_content(record)),
                "tool_calls": [{"id": record.call_id, "name": record.name, "arguments": record.arguments}],
                "property_ids": [listing.id for listing in record.listings()][:50],
            })  # fmt: skip
        messages.append({
            "role": "assistant",
            "content": outcome.reply,
            "property_ids": [card.id for card in outcome.cards],
            "prompt_tokens": outcome.input_tokens or None,
            "completion_tokens": outcome.output_tokens or None,
            "tool_calls": [{"brain": outcome.brain, "model": outcome.model, "fallback": outcome.fallback}],
        })  # fmt: skip
        await self.history.append(session.id, messages, key)

    async def aclose(self) -> None:
        """Let running turns finish (they are stored whole) for a few seconds, then cancel the rest."""
        if self.running:
            _, pending = await asyncio.wait(self.running, timeout=10)
            for task in pending:
                task.cancel()


def _filler(reading: Reading) -> Callable[[str, dict[str, Any]], dict[str, Any]]:
    def fill(tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
        if reading.tool != tool:
            return arguments
        return {**reading.arguments, **arguments}

    return fill


def _nothing_to_say(reading: Reading | None, language: str, message: str) -> str:
    arabic = (reading.language == "ar") if reading else language == "ar"
    if arabic:
        return "معلش، مقدرتش أجاوب على ده بدقة دلوقتي. تحب تقولي المنطقة والميزانية وأنا أدورلك؟"
    return "Sorry, I could not answer that accurately. Tell me the area and budget and I will search for you."


def _title(message: str) -> str:
    return " ".join(message.split())[:80]


# "What number should they call you on?": the reply to a yes when no number was left yet.
# A message with a word in it (any script's letters), not only digits, signs or emoji.
_WORDED = re.compile(r"[^\W\d_]")
NUMBER_PLEASE = tuple(text for kind in ("number_please", "human") for language in ("en", "ar")
                      for text in SMALLTALK[kind][language])  # fmt: skip
# The replies that ask a question of their own (a consultant's call offered, the number asked for): no lead question.
HUMAN_OFFERING = frozenset({"who_am_i", "about_us", "human"})
# The replies that offered a consultant's call ("Shall one of them call you?"): a yes asks for the number.
HUMAN_OFFERED = tuple(text for kind in ("who_am_i", "about_us") for language in ("en", "ar")
                      for text in SMALLTALK[kind][language])  # fmt: skip
# The replies that asked which listing a price, a rent, a delivery or a plan was of ("بكام؟", "how much rent would it
# bring?", "when is delivery?", "المقدم كام؟" after a list):
# the pick that answers them ("the second") is asked that of it.
WHICH_FOR = {
    kind: (*SMALLTALK[f"which_{kind}"]["en"], *SMALLTALK[f"which_{kind}"]["ar"])
    for kind in ("price", "rent", "delivery", "plan", "view", "reserve")
}
# What the lead records of a turn that pasted a contract for review (its words are the parties', not the buyer's).
CONTRACT_PASTED = "(a contract pasted for review)"
# How far back a seller's question still makes a message stating a reason, a time, a condition or a price its answer.
SELLER_REPLIES_KEPT = 6


@dataclass(frozen=True)
class Context:
    """What the conversation so far gives the next message to refer to, read once from chat-history's messages: the
    listings shown ("the second one"), the viewing times offered, the last search and its query, the listing the last
    turns were about ("it"), the estimate of a home just valued, and the mortgage, yield or figures just computed."""

    shown: list[dict[str, Any]]
    offer: ViewingOffer | None
    last_query: str | None
    focus: str | None
    valued: int | None
    previous: LastSearch | None
    calculation: tuple[str, dict[str, Any]] | None
    consent_asked: bool = False  # the last reply asked leave to share the buyer's contact with a consultant
    number_asked: bool = False  # ... with no contact to share yet: whether a consultant may call, on which number
    seller_question: str | None = None  # the seller's question the last reply ended with ("motivation", ...)
    seller_asked: bool = False  # one of the seller's questions was asked in the conversation's last replies
    which_asked: bool = False  # the last reply asked which of the listings shown interests the buyer
    offered: tuple[str, dict[str, Any]] | None = None  # the tool call the last reply offered, which a yes makes
    budget: int | None = None  # the price the last mortgage computed puts within reach ("what can I afford?")
    alert: str | None = None  # the search the last turn asked to be told of ("by SMS please" asks it again)
    # The seller's messages since a reply asked for a valuation's details (none made since), the asking one first.
    valuing: tuple[str, ...] = ()
    valuation: dict[str, Any] | None = None  # the home valued, when the last tool call was its valuation
    which_for: str | None = None  # the last reply asked which listing a "price" or a "rent" was asked of
    # The tool and the message of the question the last turns asked of one listing, which "and the second?" asks again.
    question: tuple[str, str] | None = None
    reserving: str | None = None  # the listing the last tool call reserved or quoted, whose deposit "deposit?" asks
    asking: int | None = None  # the asking price a seller's last noted one, which a valuation made later is set against
    looked: tuple[
        str, ...
    ] = ()  # the listings looked at one at a time since the last list: "these two" are the last two
    listed: int | None = None  # how many the last list had: "the cheaper one" after two compared is of those two
    human_offered: bool = False  # the last reply offered a consultant's call: a yes asks for the number
    viewings_listed: tuple[str, ...] = ()  # the buyer's viewings just listed: "the second" cancels that one
    alerts_listed: tuple[str, ...] = ()  # the buyer's alerts just listed: "the second" stops that one
    detailed: str | None = None  # the listing whose details the last reply gave
    last_asked: str = ""  # the buyer's last message
    # The language of the buyer's last message with words in it: a phone number or "👍" alone is answered in it
    language: str | None = None

    @classmethod
    def of(cls, past: list[dict[str, Any]]) -> Context:
        said = next((item.get("content") for item in reversed(past) if item.get("role") == "assistant"), None)
        said = said.rstrip() if isinstance(said, str) else ""
        return cls(
            shown=shown_listings(past), offer=viewing_offer(past), last_query=last_search(past),
            focus=last_focus(past), valued=last_valuation(past), previous=last_search_call(past),
            calculation=last_calculation(past),
            consent_asked=said.endswith((*QUESTIONS["consent"], *QUESTIONS["callback"])),
            number_asked=said.endswith((*QUESTIONS["callback"], *NUMBER_PLEASE)),
            human_offered=said.endswith(HUMAN_OFFERED), viewings_listed=last_viewings_listed(past),
            alerts_listed=last_alerts_listed(past), detailed=last_detailed(past),
            seller_question=next((name for name in SELLER_QUESTIONS if said.endswith(QUESTIONS[name])), None),
            which_asked=said.endswith(OFFER_QUESTIONS["which_one"]),
            seller_asked=any(
                question in (item.get("content") or "")
                for item in [item for item in past if item.get("role") == "assistant"][-SELLER_REPLIES_KEPT:]
                for name in SELLER_QUESTIONS for question in QUESTIONS[name]
            ),
            offered=offered_next(past, said), budget=loan_budget(past), valuing=tuple(valuation_pending(past)),
            alert=last_alert(past),
            valuation=last_valuation_arguments(past), question=listing_question(past),
            which_for=next((kind for kind, texts in WHICH_FOR.items() if said.endswith(texts)), None),
            reserving=last_reserving(past), looked=last_looked(past), listed=last_listed(past),
            last_asked=next((str(item.get("content") or "") for item in reversed(past) if item.get("role") == "user"),
                            ""),
            language=next(("ar" if ARABIC.search(said) else "en" for item in reversed(past)
                           if item.get("role") == "user" and _WORDED.search(said := str(item.get("content") or ""))),
                          None),
            asking=next((price for item in reversed(past) if item.get("role") == "assistant"
                         and (price := asking_noted(str(item.get("content") or ""))) is not None), None),
        )  # fmt: skip


def _lists(past: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """The lists of listings the conversation's tool results showed (a search's cards, two compared), last first."""
    for item in reversed(past):
        if item["role"] != "tool":
            continue
        try:
            content = json.loads(item["content"])
        except ValueError:
            continue
        listed = [listing for listing in content.get("listings") or [] if isinstance(listing, dict) and "id" in listing]
        if listed:
            yield listed


def last_listed(past: list[dict[str, Any]]) -> int | None:
    """How many listings the conversation's last list had (a search's cards, two compared), if any."""
    return next((len(listed) for listed in _lists(past)), None)


def shown_listings(past: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The listings the conversation showed, for "the first one", "compare the two": the last list shown, then past
    its end the same places of the lists before it, so "the third" after a comparison of two is the third of the
    search before it (not, silently, the first of the two). One listing looked at since (its details, a viewing) is
    not a list: "the first one" after "does the third have a garden?" is still the first of the search."""
    lists = list(_lists(past))
    longest = max((len(listed) for listed in lists), default=0)
    return [next(listed[place] for listed in lists if len(listed) > place) for place in range(longest)]


def to_model_messages(past: list[dict[str, Any]]) -> list[ModelMessage]:
    """chat-history's messages as the model's context: user text, each tool call with its result, Amr's replies."""
    messages: list[ModelMessage] = []
    for item in past:
        if item["role"] == "user":
            messages.append(ModelRequest(parts=[UserPromptPart(item["content"])]))
        elif item["role"] == "assistant":
            messages.append(ModelResponse(parts=[TextPart(item["content"])]))
        elif item["role"] == "tool" and item.get("tool_calls"):
            call = item["tool_calls"][0]
            call_id = str(call.get("id") or f"call_{uuid.uuid4().hex[:8]}")
            try:
                content = json.loads(item["content"])
            except ValueError:
                content = item["content"]
            messages.append(ModelResponse(parts=[ToolCallPart(call["name"], call.get("arguments") or {},
                                                              tool_call_id=call_id)]))  # fmt: skip
            messages.append(ModelRequest(parts=[ToolReturnPart(call["name"], content, tool_call_id=call_id)]))
    return messages


def outcome_to_json(outcome: TurnOutcome) -> dict[str, Any]:
    body = outcome.json_body()
    body.pop("session_secret", None)  # a secret is never stored by the agent
    return body


def outcome_from_json(body: dict[str, Any], session: Session) -> TurnOutcome:
    usage = body.get("usage", {})
    return TurnOutcome(
        session=session, reply=body["reply"], cards=[Card.model_validate(card) for card in body["listings"]],
        tool_calls=body["tool_calls"], brain=body["brain"], model=usage.get("model", body["brain"]),
        fallback=usage.get("fallback"), input_tokens=usage.get("input_tokens", 0),
        output_tokens=usage.get("output_tokens", 0), cost_usd=usage.get("cost_usd", 0.0),
        latency_ms=usage.get("latency_ms", 0.0), first_token_ms=usage.get("time_to_first_token_ms"), replayed=True,
    )  # fmt: skip
