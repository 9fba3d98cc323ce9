"""The agent's domain metrics: turns, time to first token, tools, tokens, cost, grounding repairs and the budget."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

TURN_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 40.0, 80.0, 160.0)

TURNS = Counter("osool_agent_turns_total", "Conversation turns, by brain and outcome", ["brain", "outcome"])
TIME_TO_FIRST_TOKEN = Histogram(
    "osool_agent_time_to_first_token_seconds", "From the request to the first text sent", ["brain"],
    buckets=TURN_BUCKETS,
)  # fmt: skip
TURN_DURATION = Histogram("osool_agent_turn_duration_seconds", "A whole turn", ["brain"], buckets=TURN_BUCKETS)
TOOL_CALLS = Counter("osool_agent_tool_calls_total", "Tool calls, by tool and outcome", ["tool", "outcome"])
TOOL_DURATION = Histogram("osool_agent_tool_duration_seconds", "Tool call duration", ["tool"], buckets=TURN_BUCKETS)
LLM_TOKENS = Counter("osool_llm_tokens_total", "Model tokens, by model and kind (input, output)", ["model", "kind"])
LLM_COST = Counter("osool_llm_cost_usd_total", "Model spend in US dollars, by model and purpose", ["model", "purpose"])
# The budget flag is the same in every worker (computed from Redis): the max over workers is the truth.
BUDGET_EXCEEDED = Gauge(
    "osool_llm_budget_exceeded", "1 when today's model spend crossed LLM_DAILY_BUDGET_USD", multiprocess_mode="max"
)
GROUNDING_REPAIRS = Counter(
    "osool_agent_grounding_repairs_total", "Ungrounded claims repaired, by kind (listing, price, size, argument)",
    ["kind"],
)  # fmt: skip
BRAIN_FALLBACKS = Counter(
    "osool_agent_brain_fallbacks_total", "Turns answered by the rules brain instead of a model, by reason", ["reason"]
)
# Leads: temperature changes, the time a turn spends on its lead, notifications, reassignments, first contact.
LEAD_TRANSITIONS = Counter(
    "osool_agent_lead_temperature_changes_total", "Leads reaching a temperature, by kind (buyer, seller)",
    ["kind", "temperature"],
)  # fmt: skip
LEAD_SCORING_DURATION = Histogram(
    "osool_agent_lead_scoring_seconds", "Reading, scoring and saving a turn's lead", buckets=TURN_BUCKETS
)
LEAD_UPDATE_FAILURES = Counter("osool_agent_lead_update_failures_total", "Turns whose lead could not be updated")
LEAD_NOTIFICATIONS = Counter(
    "osool_agent_lead_notifications_total", "HOT-lead notifications to agents, by outcome", ["outcome"]
)
LEAD_REASSIGNMENTS = Counter("osool_agent_lead_reassignments_total", "HOT leads reassigned for want of a first contact")
LEAD_FIRST_CONTACT = Histogram(
    "osool_agent_lead_first_contact_seconds", "From a lead turning HOT to its first contact",
    buckets=(60, 300, 600, 1800, 3600, 4 * 3600, 24 * 3600, 7 * 24 * 3600),
)  # fmt: skip
# Set from the database when /metrics or the leads list is read: the truth for every worker alike.
LEADS = Gauge("osool_agent_leads", "Leads by temperature", ["temperature"], multiprocess_mode="max")
# What HotLeadsNotContacted reads: how long the longest-waiting HOT lead has gone without its first contact (0: none).
OLDEST_UNCONTACTED_HOT_LEAD = Gauge(
    "osool_agent_oldest_uncontacted_hot_lead_seconds", "Age of the oldest HOT lead not contacted yet",
    multiprocess_mode="livemostrecent",
)  # fmt: skip
SELLER_QUALIFICATION_RATE = Gauge(
    "osool_agent_seller_qualification_rate", "Share of seller leads with all four answers", multiprocess_mode="max"
)
# From the latest `make eval-leads` report (leads/accuracy.py): every worker reads the same file, the latest read wins.
INTENT_ACCURACY = Gauge(
    "osool_agent_intent_accuracy", "Intent accuracy of the latest labelled lead evaluation, by reader (rules, model) "
    "and language (all, en, ar)", ["reader", "lang"], multiprocess_mode="livemostrecent",
)  # fmt: skip
INTENT_EVALUATION_TIME = Gauge(
    "osool_agent_intent_evaluation_timestamp_seconds", "When the evaluation behind osool_agent_intent_accuracy ran",
    multiprocess_mode="livemostrecent",
)  # fmt: skip
# Contract review: every finding of every review (the route's and the audit_contract tool's), by clause and severity.
CONTRACT_FINDINGS = Counter(
    "osool_agent_contract_findings_total", "Contract review findings, by clause and severity", ["clause", "severity"]
)
RESERVATIONS = Counter(
    "osool_agent_reservations_total",
    "Reservations by outcome (pending, confirmed, failed, conflict, cancelled, expired)",
    ["outcome"],
)
# Viewings: booked, cancelled, rescheduled, and reminders sent (once each, whichever replica sends it).
VIEWINGS = Counter("osool_agent_viewings_total", "Viewing events (booked, cancelled, rescheduled, reminded)", ["event"])
# Saved searches and alerts: searches saved (by channel), listings found for buyers (match, price_drop), digests.
SAVED_SEARCHES = Counter("osool_agent_saved_searches_total", "Saved searches created, by channel", ["channel"])
ALERTS_FOUND = Counter("osool_agent_alerts_found_total", "Alert items found (match, price_drop)", ["kind"])
ALERT_DIGESTS = Counter(
    "osool_agent_alert_digests_total", "Alert digests, by channel and outcome (sent, skipped)", ["channel", "outcome"]
)
