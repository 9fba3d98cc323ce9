"""Settings of the agent service: the common variables plus the brain, the model endpoints, limits and the budget."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar, Literal

from pydantic import Field, SecretStr

from osool_common.settings import CommonSettings

# Where `make eval-leads` writes its report in a checkout (a container image has no bench/: no accuracy gauge there).
DEFAULT_INTENT_EVALUATION = Path(__file__).resolve().parents[3] / "bench" / "results" / "eval-leads.json"


class Settings(CommonSettings):
    service_name: ClassVar[str] = "agent"
    upstream_services: str = "search,chat-history,chain,auth"

    # Which brain answers: auto picks OpenAI when a key is set, else the local model when installed, else rules.
    agent_brain: Literal["auto", "openai", "local", "rules"] = "auto"
    openai_api_key: SecretStr | None = None
    openai_base_url: str | None = None
    agent_model: str = "gpt-4o-mini"
    # The local model server (llama.cpp's OpenAI-compatible server); the launcher sets both when `make llm` ran.
    local_llm_url: str | None = None
    local_llm_model: str = "qwen2.5-coder-1.5b-instruct-q4_k_m"
    # A model call that takes longer counts as a failure of the model (the breaker's business).
    model_timeout_seconds: float = Field(default=60.0, gt=0, le=600)
    local_model_timeout_seconds: float = Field(default=180.0, gt=0, le=1800)
    # The latest labelled lead evaluation's report, published as osool_agent_intent_accuracy.
    intent_evaluation_file: Path = DEFAULT_INTENT_EVALUATION
    # Send one request at start so the local model's prompt prefix is cached before the first buyer (~40 s cold).
    local_llm_warmup: bool = True
    # Tool-calling rounds in one turn before Amr answers with what it has.
    max_tool_rounds: int = Field(default=4, ge=1, le=10)

    # Circuit breaker around model calls, shared by every worker and replica through Redis.
    breaker_fail_max: int = Field(default=3, ge=1, le=100)
    breaker_reset_seconds: float = Field(default=30.0, gt=0, le=3600)

    # Cost meter and the daily budget (US dollars); past it, optionally fall back to another brain until midnight UTC.
    llm_daily_budget_usd: float = Field(default=100.0, ge=0)
    llm_budget_fallback: Literal["none", "local", "rules"] = "rules"
    # Optional price table (JSON {model: {"input": usd_per_million, "output": usd_per_million}}) over genai-prices.
    llm_price_file: str | None = None

    # Conversations
    history_messages: int = Field(default=20, ge=2, le=100)
    # How far back "the third one", "show me more" and the like reach when the last HISTORY_MESSAGES show no list:
    # a list shown longer ago is still the one they name (read only then, one more call to chat-history).
    context_messages: int = Field(default=60, ge=2, le=100)
    turns_per_minute_per_session: int = Field(default=20, ge=1, le=1000)
    turns_per_minute_per_user: int = Field(default=40, ge=1, le=10000)
    # A listing whose data is older than this is said to be so instead of being quoted as current.
    listing_stale_after_days: int = Field(default=30, ge=1, le=3650)
    # Listings shown as cards in one reply.
    cards_per_reply: int = Field(default=5, ge=1, le=10)
    # A turn still marked running after this long was cut off (the process died): a retry may run it again.
    turn_stale_after_seconds: int = Field(default=600, ge=10)

    # Leads: the temperatures' thresholds (the seed's: HOT at 50 or more, WARM 25-49), a seller's weights
    # ("motivation=0.35,timeline=0.30,condition=0.20,price=0.15" when empty), and how long a HOT lead may wait for
    # its first contact before it goes to the next agent on duty.
    lead_hot_score: int = Field(default=50, ge=1, le=100)
    lead_warm_score: int = Field(default=25, ge=0, le=99)
    lead_seller_weights: str = Field(
        default="",
        pattern=r"^$|^(motivation|timeline|condition|price)=\d*\.?\d+"
        r"(,(motivation|timeline|condition|price)=\d*\.?\d+)*$",
    )
    lead_reassign_after_seconds: int = Field(default=600, ge=1, le=7 * 86400)
    lead_reassign_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    # Reservations: the deposit (a share of the price, at least a floor), how long the hold lasts before the job
    # releases it on chain, how often that job runs, and how long a chat turn waits for the registry's confirmation.
    reservation_deposit_pct: float = Field(default=1.0, gt=0, le=100)
    reservation_min_deposit_egp: int = Field(default=50_000, ge=1)
    reservation_hold_hours: float = Field(default=72.0, gt=0, le=24 * 90)
    reservation_sweep_seconds: float = Field(default=15.0, gt=0, le=3600)
    reservation_confirm_wait_seconds: float = Field(default=8.0, ge=0, le=60)
    # Where the web client lives: links in notifications to agents.
    public_url: str = "http://127.0.0.1:8080"

    # Contract review (POST /api/contracts/audit): reviews a minute per address (anonymous callers, X-Real-IP) and per
    # signed-in user.
    contract_audits_per_minute_per_ip: int = Field(default=10, ge=1, le=10_000)
    contract_audits_per_minute_per_user: int = Field(default=20, ge=1, le=10_000)

    # Viewings: how often the scheduled job sends the reminders due (24 h before) and resends failed notices, and how
    # far ahead the first bookable slot must be.
    viewing_reminder_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    viewing_min_notice_minutes: int = Field(default=120, ge=0, le=7 * 24 * 60)

    # Saved searches and alerts: how often the matching reads the search service's change log when no ingest wakes
    # it, the least time between two digests to one buyer on one channel (a day: "at most daily"), and how many
    # active saved searches a buyer may keep.
    alert_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    alert_digest_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    saved_searches_per_user: int = Field(default=20, ge=1, le=200)

    def seller_weights(self) -> dict[str, float]:
        return {name: float(value) for name, value in
                (pair.split("=") for pair in self.lead_seller_weights.split(",") if pair)}  # fmt: skip

    def chosen_brain(self, local_installed: bool) -> Literal["openai", "local", "rules"]:
        if self.agent_brain != "auto":
            return self.agent_brain
        if self.openai_api_key is not None:
            return "openai"
        if local_installed or self.local_llm_url:
            return "local"
        return "rules"
