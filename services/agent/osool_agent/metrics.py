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
