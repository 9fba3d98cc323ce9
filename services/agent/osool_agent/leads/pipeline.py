"""The lead workflow: each turn updates the conversation's lead (slots, listings, score and its history), asks a
seller's next question or a HOT buyer's consent, assigns HOT leads round robin and notifies the agent once, reassigns
leads nobody contacted in time, and serves the pages agents work from."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import asyncpg
from asyncpg import Record

from osool_agent import metrics
from osool_agent.brains.rules import without_contact
from osool_agent.clients import AuthClient, HistoryClient, SearchClient, UpstreamError
from osool_agent.leads.scoring import DEFAULT_SELLER_WEIGHTS, Thresholds, buyer_score, seller_score
from osool_agent.leads.slots import SELLER_QUESTIONS, LeadSlots, consent_answer, is_arabic, read_slots
from osool_agent.repository import LeadRepository
from osool_agent.settings import Settings
from osool_common.errors import DomainError, NotFoundError
from osool_common.logging import get_logger

log = get_logger(__name__)

QUESTIONS = {
    "motivation": ("May I ask what is prompting the sale?", "ممكن أعرف إيه اللي مخليك تبيع؟"),
    "timeline": ("When would you like it sold?", "عايز تبيع إمتى تقريبًا؟"),
    "condition": ("What condition is the property in: fully finished, lived in, needing work, or not finished yet?",
                  "حالة العقار إيه؟ متشطب بالكامل، متسكن، محتاج شغل، ولا لسه مش متشطب؟"),
    "price_expectation": ("What price do you have in mind for it?", "في سعر معين في بالك؟"),
    "consent": ("Would you like me to share your phone number with one of our consultants so they can call you?",
                "تحب أدي رقمك لحد من مستشارينا عشان يكلمك؟"),
    # The consent question when the lead left no number or email: answered with a number, that is the consent.
    "callback": ("Would you like one of our consultants to call you? If so, leave me your phone number.",
                 "تحب حد من مستشارينا يكلمك؟ لو حابب سيبلي رقم موبايلك."),
}  # fmt: skip
# Tools whose listing the buyer asked about by name (not just saw in a list of results).
ASKING_TOOLS = {"get_property", "compare_units", "check_availability", "calculate_mortgage", "calculate_investment_roi"}
LIST_FIELDS = ("areas", "types")


@dataclass
class TurnFacts:
    """What the chat turn hands the lead workflow."""

    session_id: uuid.UUID
    user_id: uuid.UUID | None
    message: str
    parsed: dict[str, Any] | None
    shown: list[str]
    asked: list[str]
    model_slots: dict[str, Any] | None = None
    awaits_yes: bool = False  # the reply asks a yes-or-no of its own: no question of the lead's this turn
    wants_call: bool = False  # the buyer asked for a person ("can I talk to someone?"): leave to call them


def _merge(lead: dict[str, Any], slots: LeadSlots, *, answering: str | None) -> list[str]:
    """Write what the message stated over the lead; lists grow. Returns the slot names that changed."""
    changed = []
    stated = slots.stated()
    # A reply to a seller's question stays a seller's; a buyer who now says "sell" becomes a seller.
    if stated.get("intent") and not (answering and lead.get("kind") == "seller"):
        if stated["intent"] != lead.get("intent"):
            lead["intent"] = stated["intent"]
            changed.append("intent")
    lead["kind"] = "seller" if lead.get("intent") == "sell" else "buyer"
    for name, value in stated.items():
        if name == "intent":
            continue
        if name in LIST_FIELDS:
            merged = list(dict.fromkeys([*(lead.get(name) or []), *value]))
            if merged != list(lead.get(name) or []):
                lead[name] = merged
                changed.append(name)
        elif lead.get(name) != value:
            lead[name] = value
            changed.append(name)
    return changed


def lead_summary(lead: dict[str, Any]) -> str:
    """One line an agent reads in a notification or a list."""
    parts = [f"{lead.get('kind', 'buyer')}"]
    if lead.get("intent"):
        parts.append(f"wants to {lead['intent']}")
    low, high = lead.get("budget_min"), lead.get("budget_max")
    if low or high:
        parts.append(f"budget {low:,}–{high:,} EGP" if low and high else f"budget up to {high:,} EGP" if high
                     else f"budget from {low:,} EGP")  # fmt: skip
    if lead.get("types"):
        parts.append("/".join(lead["types"]))
    if lead.get("areas"):
        parts.append("in " + ", ".join(lead["areas"]))
    if lead.get("bedrooms") is not None:
        parts.append(f"{lead['bedrooms']} bedrooms")
    for name in ("timeline", "financing", "purpose", "motivation", "condition"):
        if lead.get(name):
            parts.append(f"{name.replace('_', ' ')}: {str(lead[name]).replace('_', ' ')}")
    if lead.get("price_expectation"):
        parts.append(f"asks {lead['price_expectation']:,} EGP")
    return "; ".join(parts)


class LeadService:
    def __init__(
        self, settings: Settings, repository: LeadRepository, search: SearchClient, auth: AuthClient,
        history: HistoryClient,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.repository = repository
        self.search = search
        self.auth = auth
        self.history = history
        self.thresholds = Thresholds(settings.lead_hot_score, settings.lead_warm_score)
        self.weights = settings.seller_weights() or DEFAULT_SELLER_WEIGHTS

    # -- each turn --------------------------------------------------------------------------------------------------
    async def observe_turn(self, turn: TurnFacts) -> str | None:
        """Update the conversation's lead from this turn; the question Amr should add to its reply, if any. A failure
        here is logged and counted, never the turn's failure."""
        started = time.perf_counter()
        try:
            return await self._observe(turn)
        except (asyncpg.PostgresError, OSError, DomainError) as exc:
            log.warning("agent.lead_update_failed", error=type(exc).__name__, detail=str(exc)[:200])
            metrics.LEAD_UPDATE_FAILURES.inc()
            return None
        finally:
            metrics.LEAD_SCORING_DURATION.observe(time.perf_counter() - started)

    async def _observe(self, turn: TurnFacts) -> str | None:
        parsed = turn.parsed
        if parsed is None:
            try:
                parsed = await self.search.parse(without_contact(turn.message)[0][:500])
            except (UpstreamError, DomainError):
                parsed = {"filters": {}, "understood": []}
        notify: dict[str, Any] | None = None
        question: str | None = None
        async with self.repository.pool.acquire() as connection, connection.transaction():
            record = await self._lead_for(connection, turn.session_id, turn.user_id)
            lead = dict(record)
            before = (lead["score"], lead["temperature"])
            answering = lead.get("pending_question")
            context = answering if answering in SELLER_QUESTIONS else ("seller" if lead["kind"] == "seller" else None)
            slots = read_slots(turn.message, parsed, context=context, today=datetime.now(UTC).date())
            if turn.model_slots:  # the model's qualify_lead call: what it read wins over the rules' reading
                with contextlib.suppress(ValueError):
                    merged = {**slots.stated(), **LeadSlots.model_validate(turn.model_slots).stated()}
                    slots = LeadSlots.model_validate(merged)
            if turn.wants_call and not lead.get("contact_consent"):
                lead["contact_consent"], lead["consent_at"] = True, datetime.now(UTC)
                await self.repository.event(
                    connection, lead["id"], "consent", "buyer", {"consent": True, "asked": True}
                )
            if answering == "consent":
                consent = consent_answer(turn.message)
                if consent is None and (slots.contact_phone or slots.contact_email):
                    consent = True  # asked whether a consultant may call, the buyer answered with a number
                if consent is not None:
                    lead["contact_consent"], lead["consent_at"] = consent, datetime.now(UTC)
                    await self.repository.event(connection, lead["id"], "consent", "buyer", {"consent": consent})
            changed = _merge(lead, slots, answering=answering if answering in SELLER_QUESTIONS else None)
            if turn.user_id is not None and not (lead.get("contact_phone") or lead.get("contact_email")):
                profile = await self._profile(turn.user_id)
                if profile:
                    lead["contact_phone"] = profile.get("phone")
                    lead["contact_email"] = profile.get("email")
            lead["listings_shown"] = list(dict.fromkeys([*lead["listings_shown"], *turn.shown]))[-200:]
            lead["listings_asked"] = list(dict.fromkeys([*lead["listings_asked"], *turn.asked]))[-100:]
            lead["turns"] = lead["turns"] + 1
            lead["last_message"] = turn.message[:500]
            await self._score(lead, changed)
            if (lead["score"], lead["temperature"]) != before:
                await self.repository.event(connection, lead["id"], "score", "amr", {
                    "score": lead["score"], "temperature": lead["temperature"], "reasons": lead["reasons"],
                    "changed": changed, "from": {"score": before[0], "temperature": before[1]},
                })  # fmt: skip
                if lead["temperature"] != before[1]:
                    metrics.LEAD_TRANSITIONS.labels(lead["kind"], lead["temperature"]).inc()
            reason = None
            reachable = bool(lead.get("contact_phone") or lead.get("contact_email"))
            if lead["temperature"] == "HOT" and lead.get("hot_at") is None:
                lead["hot_at"], reason = datetime.now(UTC), "hot"
            elif (
                lead["temperature"] != "HOT"
                and lead.get("contact_consent")
                and reachable
                and not lead.get("notified_at")
            ):
                reason = "callback"  # not HOT, but asked to be called and left a number: an agent calls, as for HOT
            if reason:
                if lead.get("assigned_agent_id") is None:
                    agent = await self.repository.next_agent(connection, exclude=[])
                    if agent is not None:
                        lead["assigned_agent_id"], lead["assigned_at"] = agent, datetime.now(UTC)
                        await self.repository.event(connection, lead["id"], "assigned", "amr",
                                                    {"agent_id": str(agent), "by": "round_robin"})  # fmt: skip
                if lead.get("assigned_agent_id") is not None:
                    notify = dict(lead)
            volunteered = bool({"contact_phone", "contact_email"} & set(changed))
            question = None if turn.awaits_yes else self._next_question(lead, volunteered=volunteered)
            lead["pending_question"] = question
            if question and question not in lead["questions_asked"]:
                lead["questions_asked"] = [*lead["questions_asked"], question]
            await self.repository.save(connection, lead["id"], lead)
        if notify is not None and reason:
            await self.notify_agent(notify, reason=reason)
        if question is None:
            return None
        if question == "consent" and not (lead.get("contact_phone") or lead.get("contact_email")):
            question = "callback"  # no number to share yet: whether a consultant may call, and on which number
        english, arabic = QUESTIONS[question]
        return arabic if is_arabic(turn.message) else english

    async def _lead_for(
        self, connection: asyncpg.Connection, session_id: uuid.UUID, user_id: uuid.UUID | None
    ) -> Record:
        """The conversation's lead, made on its first turn; a signed-in user has one lead across conversations, and
        an anonymous conversation's lead merges into it when they sign in."""
        await self.repository.lock(connection, str(session_id), *([str(user_id)] if user_id else []))
        session_lead = await self.repository.by_session(connection, session_id)
        if user_id is None:
            return session_lead or await self.repository.create(connection, session_id, None)
        user_lead = await self.repository.by_user(connection, user_id)
        if user_lead is None and session_lead is None:
            return await self.repository.create(connection, session_id, user_id)
        if user_lead is None:
            assert session_lead is not None
            await self.repository.set_owner(connection, session_lead["id"], user_id)
            await self.repository.event(connection, session_lead["id"], "merged", "amr",
                                        {"signed_in": str(user_id), "session_id": str(session_id)})  # fmt: skip
            fresh = await self.repository.by_session(connection, session_id)
            assert fresh is not None
            return fresh
        if session_lead is None:
            await self.repository.add_session(connection, user_lead["id"], session_id)
            return user_lead
        if session_lead["id"] == user_lead["id"]:
            return user_lead
        # Both exist: what the anonymous conversation learnt fills the user's lead, and its history moves over.
        merged = dict(user_lead)
        for name, value in dict(session_lead).items():
            if name in LIST_FIELDS or name in ("listings_shown", "listings_asked", "questions_asked"):
                merged[name] = list(dict.fromkeys([*(user_lead[name] or []), *(value or [])]))
            elif name == "turns":
                merged[name] = user_lead[name] + value
            elif merged.get(name) is None and value is not None:
                merged[name] = value
        await self.repository.save(connection, user_lead["id"], merged)
        await self.repository.absorb(connection, user_lead["id"], session_lead["id"])
        await self.repository.event(connection, user_lead["id"], "merged", "amr",
                                    {"from_lead": str(session_lead["id"]), "session_id": str(session_id)})  # fmt: skip
        fresh = await self.repository.by_user(connection, user_id)
        assert fresh is not None
        return fresh

    async def _profile(self, user_id: uuid.UUID) -> dict[str, Any] | None:
        try:
            return await self.auth.user(user_id)
        except (UpstreamError, DomainError) as exc:
            log.info("agent.lead_profile_unavailable", error=type(exc).__name__)
            return None

    async def _score(self, lead: dict[str, Any], changed: list[str]) -> None:
        if lead["kind"] == "seller":
            market = None
            if lead.get("price_expectation") and lead.get("areas"):
                market = await self._market_price(lead["areas"][0], (lead.get("types") or [None])[0])
            result = seller_score(lead, self.thresholds, self.weights, market)
            lead["readiness_score"], lead["commitment_score"] = result.readiness, result.commitment
        else:
            result = buyer_score(lead, self.thresholds)
        lead["score"], lead["temperature"], lead["reasons"] = result.score, result.temperature, result.reasons

    async def _market_price(self, area: str, property_type: str | None) -> int | None:
        try:
            stats = await self.search.market_stats(area, property_type)
        except (UpstreamError, DomainError):
            return None
        median = stats.get("median_price")
        return int(median) if median else None

    def _next_question(self, lead: dict[str, Any], *, volunteered: bool = False) -> str | None:
        """One question a turn: a seller's next unanswered one (each asked once), then the consent of a HOT lead or of
        one who has just given a phone or an email unasked (a number typed into a chat is not yet leave to call)."""
        if lead["kind"] == "seller":
            for name in SELLER_QUESTIONS:
                if lead.get(name) is None and name not in lead["questions_asked"]:
                    return name
        if (lead["temperature"] == "HOT" or volunteered) and lead.get("contact_consent") is None:
            if "consent" not in lead["questions_asked"]:
                return "consent"
        return None

    # -- the agent on duty ----------------------------------------------------------------------------------------
    async def notify_agent(self, lead: dict[str, Any], *, reason: str) -> bool:
        """Tell the assigned agent about a HOT lead or one who asked to be called ("callback"), once per lead and agent
        (the auth service de-duplicates)."""
        agent = lead["assigned_agent_id"]
        link = f"{self.settings.public_url.rstrip('/')}/agents/leads/{lead['id']}"
        hot = lead.get("hot_at") is not None  # else one who asked to be called
        verb = {"reassigned": "was reassigned to you" if hot else "asks to be called and was reassigned to you",
                "callback": "asks to be called"}.get(reason, "is HOT")  # fmt: skip
        # The name the buyer gave, with their leave to share their contact details
        who = f" ({lead['contact_name']})" if lead.get("contact_name") and lead.get("contact_consent") else ""
        text = (f"A lead{who} {verb} (score {lead['score']}): {lead_summary(lead)}. "
                f"Call within {self.settings.lead_reassign_after_seconds // 60 or 1} minutes: {link}")  # fmt: skip
        subject = "HOT lead" if hot else "Call requested"
        try:
            sent = await self.auth.notify(
                agent, f"{subject}: {lead['kind']}, score {lead['score']}", text, ["email", "sms"],
                dedupe_key=f"lead-hot:{lead['id']}:{agent}",
            )  # fmt: skip
        except (UpstreamError, DomainError) as exc:
            log.warning("agent.lead_notify_failed", lead=str(lead["id"]), error=type(exc).__name__)
            metrics.LEAD_NOTIFICATIONS.labels("failed").inc()
            return False
        await self.repository.pool.execute("UPDATE leads SET notified_at = now() WHERE id = $1", lead["id"])
        if not sent.get("duplicate"):
            await self.repository.event(self.repository.pool, lead["id"], "notified", "amr", {
                "agent_id": str(agent), "reason": reason,
                "channels": [item["channel"] for item in sent.get("sent", [])],
            })  # fmt: skip
        metrics.LEAD_NOTIFICATIONS.labels("duplicate" if sent.get("duplicate") else "sent").inc()
        return True

    async def reassign_uncontacted(self) -> int:
        """Hand HOT leads, and those who asked to be called, that nobody contacted in time to the next agent on duty,
        and tell that agent. Safe on every replica at once: the rows are locked while they are moved."""
        moved: list[dict[str, Any]] = []
        async with self.repository.pool.acquire() as connection, connection.transaction():
            rows = await self.repository.uncontacted_waiting(connection, self.settings.lead_reassign_after_seconds, 20)
            for row in rows:
                previous = row["assigned_agent_id"]
                # Never back to an agent who already had it: the lead goes round the roster once.
                past = await self.repository.past_agents(connection, row["id"])
                agent = await self.repository.next_agent(connection, exclude=[*past, *([previous] if previous else [])])
                if agent is None:
                    await self.repository.postpone(connection, row["id"])
                    continue
                lead = dict(row)
                lead["assigned_agent_id"], lead["assigned_at"] = agent, datetime.now(UTC)
                await self.repository.save(connection, row["id"], lead)
                await self.repository.event(connection, row["id"], "reassigned", "amr", {
                    "from": str(previous) if previous else None, "to": str(agent),
                    "after_seconds": self.settings.lead_reassign_after_seconds,
                })  # fmt: skip
                moved.append(lead)
        for lead in moved:
            metrics.LEAD_REASSIGNMENTS.inc()
            await self.notify_agent(lead, reason="reassigned")
        return len(moved)

    async def publish_stats(self) -> dict[str, Any]:
        """Leads by temperature and the sellers' qualification rate, from the database, as gauges."""
        stats = await self.repository.stats()
        for temperature in ("HOT", "WARM", "COLD"):
            metrics.LEADS.labels(temperature).set(stats.get(temperature.lower(), 0))
        if stats.get("sellers"):
            metrics.SELLER_QUALIFICATION_RATE.set(stats["sellers_qualified"] / stats["sellers"])
        metrics.OLDEST_UNCONTACTED_HOT_LEAD.set(stats.get("oldest_uncontacted_hot_seconds") or 0)
        return stats

    async def run_reassignment(self) -> None:
        while True:
            await asyncio.sleep(self.settings.lead_reassign_check_seconds)
            try:
                await self.publish_stats()
                await self.reassign_uncontacted()
            except (asyncpg.PostgresError, OSError) as exc:
                log.warning("agent.lead_reassign_failed", error=type(exc).__name__)

    # -- the pages agents work from -------------------------------------------------------------------------------
    async def detail(self, lead_id: uuid.UUID, messages_per_session: int = 100) -> dict[str, Any]:
        row = await self.repository.get(lead_id)
        if row is None:
            raise NotFoundError("no such lead")
        events = await self.repository.events(lead_id)
        conversation = []
        for session_id in row["session_ids"]:
            try:
                messages = await self.history.recent_messages(session_id, messages_per_session)
            except (UpstreamError, DomainError):
                messages = []
            for message in messages:
                if message.get("role") in ("user", "assistant"):
                    conversation.append({
                        "session_id": str(session_id), "role": message["role"], "content": message["content"],
                        "created_at": message.get("created_at"),
                    })  # fmt: skip
        return {"lead": dict(row), "events": [dict(event) for event in events], "conversation": conversation}

    async def record_first_contact(self, lead: Record, previous_status: str | None) -> None:
        if previous_status == "new" and lead["status"] != "new" and lead["hot_at"] and lead["first_contact_at"]:
            metrics.LEAD_FIRST_CONTACT.observe((lead["first_contact_at"] - lead["hot_at"]).total_seconds())
