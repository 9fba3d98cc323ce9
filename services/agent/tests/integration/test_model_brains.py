"""Amr with a model: the real `openai` client (through pydantic-ai) against a local server that speaks OpenAI's chat
completions wire protocol, streaming tool calls in fragments; the breaker, the budget, grounding repairs, memory
across restarts and the local model's failure modes."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

import redis
from devstack.fakes import FakeOpenAI, Reply, ToolCall
from devstack.stack import LocalStack
from devstack.testing import admin_headers, read_sse

pytestmark = pytest.mark.stack

Agents = Callable[..., Any]


@pytest.fixture
def fake(fake_openai: FakeOpenAI, stack_env: dict[str, str]) -> Iterator[FakeOpenAI]:
    """The fake with a clean script, and the shared breaker and today's spend reset, for each test."""
    fake_openai.replies.clear()
    fake_openai.responder = None
    client = redis.Redis.from_url(stack_env["REDIS_URL"])
    for key in client.scan_iter("breaker:*"):
        client.delete(key)
    client.delete(f"agent:cost:{datetime.now(UTC).date().isoformat()}")
    client.close()
    yield fake_openai
    fake_openai.responder = None


def last_user_text(body: dict[str, Any]) -> str:
    return next(m["content"] for m in reversed(body["messages"]) if m["role"] == "user")


def tool_results(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(m["content"]) for m in body["messages"] if m["role"] == "tool"]


def consultant(
    search_arguments: dict[str, Any] | None = None, *, extra: str = "", query: str | None = None
) -> Callable[[dict[str, Any]], Any]:
    """A scripted model: a search for the buyer's words, or the `query` given (after a whitespace-only text part,
    which trips pydantic-ai's run_stream()), then a reply quoting the first listing as the tool returned it."""

    def respond(body: dict[str, Any]) -> Any:
        if body["messages"][-1]["role"] == "tool":
            listing = tool_results(body)[-1]["listings"][0]
            return Reply(text=f"The best match is {listing['title']} at EGP {listing['price']:,}. {extra}".strip())
        if "Rewrite" in last_user_text(body):
            return Reply(text=extra or "Nothing more.")
        arguments = {"query": query or last_user_text(body), **(search_arguments or {})}
        return Reply(text="\n\n", tool_calls=[ToolCall("search_properties", arguments)])

    return respond


def test_the_openai_client_drives_a_streamed_turn_with_fragmented_tool_calls(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    agent = model_agent_factory()
    fake.responder = consultant({"location": "New Cairo", "property_type": "Apartment", "bedrooms": 3})
    before = len(fake.chat_requests)
    with httpx.stream("POST", f"{agent.url}/api/chat", json={"message": "3 bedroom apartment in New Cairo"},
                      headers={"Accept": "text/event-stream"}, timeout=60) as response:  # fmt: skip
        events = read_sse(response)
    names = [name for name, _ in events]
    assert names[0] == "session" and names[-1] == "done", events
    call = next(data for name, data in events if name == "tool_call")
    assert call["name"] == "search_properties" and call["arguments"]["bedrooms"] == 3
    cards = next(data for name, data in events if name == "listings")["listings"]
    assert cards and all(c["bedrooms"] == 3 and c["location"] == "New Cairo" for c in cards)
    text = "".join(data["text"] for name, data in events if name == "token")
    # Despite the whitespace part before the tool call, the model was asked again and its answer arrived whole.
    assert text.strip() == f"The best match is {cards[0]['title']} at EGP {cards[0]['price']:,}."
    done = events[-1][1]
    assert done["brain"] == "openai" and done["model"] == "gpt-4o-mini"
    assert done["input_tokens"] > 0 and done["output_tokens"] > 0 and done["cost_usd"] > 0
    requests = fake.chat_requests[before:]
    assert len(requests) == 2 and requests[0]["body"]["stream"] is True
    assert requests[0]["authorization"] == "Bearer sk-test-osool"
    first = requests[0]["body"]
    assert first["messages"][0]["role"] == "system" and first["messages"][0]["content"].startswith("You are Amr")
    # The tools' schemas are transformed once and kept (StableToolSchemas): the second request sends them unchanged.
    assert requests[1]["body"]["tools"] == first["tools"]
    assert {tool["function"]["name"] for tool in first["tools"]} == {
        "search_properties", "get_property", "compare_units", "calculate_mortgage", "calculate_investment_roi",
        "run_valuation", "check_market_trends", "check_availability", "audit_contract", "qualify_lead",
        "reserve_property", "schedule_viewing", "save_search", "my_viewings", "my_alerts",
    }  # fmt: skip
    metrics = agent.metrics()
    tokens = r'osool_llm_tokens_total\{(?=[^}]*kind="input")(?=[^}]*model="gpt-4o-mini")[^}]*\} [1-9]'
    assert re.search(tokens, metrics)
    spend = r'osool_llm_cost_usd_total\{(?=[^}]*model="gpt-4o-mini")(?=[^}]*purpose="chat")[^}]*\} (\S+)'
    cost = re.search(spend, metrics)
    assert cost and float(cost.group(1)) > 0


def test_invented_listings_and_prices_never_leave_the_service(
    fake: FakeOpenAI, model_agent_factory: Agents, stack: LocalStack
) -> None:
    agent = model_agent_factory()
    # A real listing, but one this conversation never saw (another buyer's search): citing it is ungrounded too.
    other = httpx.post(f"{stack.config.public_url}/api/properties/search", json={"query": "villa in Sheikh Zayed"},
                       timeout=30).json()["results"][0]  # fmt: skip
    invented = (f"Also look at {uuid.uuid4()}, a steal. Listing {other['id']} is lovely. "
                "The first one is only EGP 1,234,567 this week.")  # fmt: skip
    fake.responder = consultant({"location": "New Cairo"}, extra=invented)
    before = len(fake.chat_requests)
    body = agent.chat("apartment in New Cairo", headers={"Accept": "application/json"}).json()
    card = body["listings"][0]
    assert body["reply"] == f"The best match is {card['title']} at EGP {card['price']:,}."
    assert other["id"] not in body["reply"] and "1,234,567" not in body["reply"]
    # The model was asked once to correct itself (its correction was still wrong, so the sentences were removed).
    corrections = [r for r in fake.chat_requests[before:] if "Rewrite" in last_user_text(r["body"])]
    assert len(corrections) == 1
    metrics = agent.metrics()
    assert re.search(r'osool_agent_grounding_repairs_total\{kind="listing"\} [2-9]', metrics)
    assert re.search(r'osool_agent_grounding_repairs_total\{kind="price"\} [1-9]', metrics)


def test_tool_arguments_the_user_never_stated_are_dropped(fake: FakeOpenAI, model_agent_factory: Agents) -> None:
    agent = model_agent_factory()
    fake.responder = consultant({"location": "New Cairo", "max_price": 5_000_000, "bedrooms": 2})
    body = agent.chat("apartment in New Cairo", headers={"Accept": "application/json"}).json()
    arguments = body["tool_calls"][0]["arguments"]
    assert arguments["location"] == "New Cairo"
    assert "max_price" not in arguments and "bedrooms" not in arguments
    assert any(card["price"] > 5_000_000 or card["bedrooms"] != 2 for card in body["listings"])
    stated = agent.chat(
        "apartment in New Cairo with 2 bedrooms under 5 million", headers={"Accept": "application/json"}
    )
    assert stated.json()["tool_calls"][0]["arguments"] | {"max_price": 5_000_000, "bedrooms": 2} == \
        stated.json()["tool_calls"][0]["arguments"]  # fmt: skip


def test_a_down_payment_and_a_price_order_the_model_passes_as_arguments_reach_search(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    """The model may carry a refinement as arguments rather than in the query's words: search applies them (the query
    below names neither), and a down payment nobody stated is dropped like any other invented number."""
    agent = model_agent_factory()
    wanted = {"location": "New Cairo", "property_type": "Apartment", "max_down_payment": 500_000, "order": "price_asc"}
    fake.responder = consultant(wanted, query="apartment in New Cairo")
    body = agent.chat("ones I can start with 500k down, cheapest first", headers={"Accept": "application/json"}).json()
    call = body["tool_calls"][0]
    assert call["arguments"] | wanted == call["arguments"], call["arguments"]
    assert call["result"]["applied_filters"]["max_down_payment"] == 500_000 and call["result"]["order"] == "price_asc"
    cards = body["listings"]
    assert len(cards) >= 2, body
    assert all(card["payment_plan"]["down_payment"] <= 500_000 for card in cards), cards
    assert [card["price"] for card in cards] == sorted(card["price"] for card in cards), cards
    fake.responder = consultant({"location": "New Cairo", "max_down_payment": 300_000}, query="apartment in New Cairo")
    unstated = agent.chat("apartment in New Cairo", headers={"Accept": "application/json"}).json()["tool_calls"][0]
    assert "max_down_payment" not in unstated["arguments"], unstated["arguments"]
    assert "max_down_payment" not in unstated["result"]["applied_filters"]


def test_the_breaker_opens_after_three_failures_for_every_replica_and_closes_after_a_probe(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    first, second = model_agent_factory(), model_agent_factory()
    fake.responder = consultant({"location": "Maadi"})
    fake.fail_next(3, status=500)
    before = len(fake.chat_requests)
    for agent in (first, second, first):
        body = agent.chat("apartment in Maadi", headers={"Accept": "application/json"}).json()
        assert body["brain"] == "rules" and body["usage"]["fallback"] == "model_error", body
        assert body["listings"] and "full assistant is briefly unavailable" in body["reply"]
    assert len(fake.chat_requests) - before == 3
    # Open: the next turns, on either replica, are answered without calling the model at all.
    for agent in (second, first):
        body = agent.chat("apartment in Maadi", headers={"Accept": "application/json"}).json()
        assert body["brain"] == "rules" and body["usage"]["fallback"] == "breaker_open"
    assert len(fake.chat_requests) - before == 3
    health = httpx.get(f"{second.url}/health", timeout=10)
    assert health.status_code == 503 and health.json()["status"] == "degraded"
    assert health.json()["checks"]["breaker:openai"]["status"] == "unhealthy"
    assert httpx.get(f"{second.url}/health/ready", timeout=10).status_code == 200
    assert 'osool_circuit_breaker_state{dependency="openai"} 2.0' in second.metrics()
    time.sleep(3.3)  # BREAKER_RESET_SECONDS=3: one probe may go
    body = second.chat("apartment in Maadi", headers={"Accept": "application/json"}).json()
    assert body["brain"] == "openai", body
    assert first.chat("apartment in Maadi", headers={"Accept": "application/json"}).json()["brain"] == "openai"
    assert httpx.get(f"{first.url}/health", timeout=10).json()["checks"]["breaker:openai"]["status"] == "healthy"


def test_crossing_the_daily_budget_raises_the_alert_and_falls_back(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    agent = model_agent_factory(LLM_DAILY_BUDGET_USD="0.00001", LLM_BUDGET_FALLBACK="rules")
    fake.responder = consultant({"location": "New Cairo"})
    first = agent.chat("apartment in New Cairo", headers={"Accept": "application/json"}).json()
    assert first["brain"] == "openai" and first["usage"]["cost_usd"] > 0.00001
    assert "osool_llm_budget_exceeded 1.0" in agent.metrics()
    before = len(fake.chat_requests)
    second = agent.chat("villa in Sheikh Zayed", headers={"Accept": "application/json"}).json()
    assert second["brain"] == "rules" and second["usage"]["fallback"] == "budget"
    assert len(fake.chat_requests) == before


def test_memory_survives_a_restart_of_every_process(
    fake: FakeOpenAI, model_agent_factory: Agents, stack: LocalStack
) -> None:
    agent = model_agent_factory()
    fake.responder = consultant({"location": "Maadi"})
    first = agent.chat("2 bedroom apartment in Maadi", headers={"Accept": "application/json"}).json()
    headers = {"Accept": "application/json", "X-Session-Secret": first["session_secret"]}
    agent.restart()
    for group in ("chat-history:*", "search:*", "agent:*"):
        assert "ERROR" not in stack.ctl("restart", group).stdout
    stack.wait_healthy(timeout=120)
    before = len(fake.chat_requests)
    second = agent.chat("what about the price per meter?", session_id=first["session_id"], headers=headers)
    assert second.status_code == 200, second.text
    sent = fake.chat_requests[before]["body"]["messages"]
    contents = [m.get("content") or "" for m in sent]
    assert "2 bedroom apartment in Maadi" in contents and first["reply"] in contents
    calls = [m for m in sent if m["role"] == "assistant" and m.get("tool_calls")]
    assert calls and calls[0]["tool_calls"][0]["function"]["name"] == "search_properties"
    assert any(m["role"] == "tool" for m in sent)


def test_the_local_models_bare_function_reply_becomes_the_call_it_meant(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    agent = model_agent_factory(AGENT_BRAIN="local", LOCAL_LLM_URL=fake.base_url, LOCAL_LLM_MODEL="qwen-test",
                                LOCAL_LLM_WARMUP="false")  # fmt: skip

    def respond(body: dict[str, Any]) -> Any:
        # As llama.cpp's server needs it: not streamed, tool_choice "auto" with tools, no `tool` role (the result
        # comes back as the user's turn), and the reply asked for without tools.
        assert body.get("stream") in (None, False) and all(m["role"] != "tool" for m in body["messages"])
        last = body["messages"][-1]["content"]
        if last.startswith("Result of search_properties"):
            assert "tools" not in body
            listing = json.loads(last.split("\n", 1)[1])["listings"][0]
            return f"{listing['title']} costs EGP {listing['price']:,}."
        assert body.get("tool_choice") == "auto" and body["tools"]
        return "functions.search_properties:"

    fake.responder = respond
    body = agent.chat("3 bedroom apartment in New Cairo under 8 million", headers={"Accept": "application/json"}).json()
    assert body["brain"] == "local"
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties"
    assert call["arguments"] | {"location": "New Cairo", "bedrooms": 3, "max_price": 8_000_000} == call["arguments"]
    assert (
        body["listings"]
        and body["reply"] == f"{body['listings'][0]['title']} costs EGP {body['listings'][0]['price']:,}."
    )


def test_a_local_model_that_answers_a_search_without_searching_is_not_believed(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    """What the real Qwen 1.5B did here: no tool call, four apartments of its own with sizes. None of it leaves; the
    rules brain runs the search and answers from real listings."""
    agent = model_agent_factory(AGENT_BRAIN="local", LOCAL_LLM_URL=fake.base_url, LOCAL_LLM_MODEL="qwen-test",
                                LOCAL_LLM_WARMUP="false")  # fmt: skip
    invented = "Here are some listings: 1. **Apartment 101** - 3 bedrooms, 750 sqft. 2. **Apartment 202** - 800 sqft."
    fake.responder = lambda body: invented
    for message, language in (("3 bedroom apartment in New Cairo under 8 million", "en"),
                              ("عايز شقة ٣ غرف في التجمع تحت ٨ مليون", "ar")):  # fmt: skip
        body = agent.chat(message, headers={"Accept": "application/json"}).json()
        assert body["brain"] == "rules" and body["usage"]["fallback"] == "model_skipped_tool", body
        assert "Apartment 101" not in body["reply"] and "750" not in body["reply"]
        assert body["tool_calls"][0]["name"] == "search_properties" and body["listings"], body
        assert body["listings"][0]["title"] in body["reply"] or f"{body['listings'][0]['price']:,}" in body["reply"]
        assert "Quick mode" not in body["reply"] and "وضع سريع" not in body["reply"], language
    assert re.search(r'osool_agent_brain_fallbacks_total\{reason="model_skipped_tool"\} 2\.0', agent.metrics())


def test_more_turns_than_the_session_limit_get_429_and_write_nothing(
    fake: FakeOpenAI, model_agent_factory: Agents, stack: LocalStack
) -> None:
    agent = model_agent_factory(AGENT_BRAIN="rules", TURNS_PER_MINUTE_PER_SESSION="2")
    first = agent.chat("apartment in Maadi", headers={"Accept": "application/json"}).json()
    headers = {"Accept": "application/json", "X-Session-Secret": first["session_secret"]}
    statuses = [agent.chat("and in Zamalek?", session_id=first["session_id"], headers=headers).status_code
                for _ in range(3)]  # fmt: skip
    assert statuses == [200, 200, 429]
    url = f"{stack.config.public_url}/api/history/sessions/{first['session_id']}/messages"
    stored = httpx.get(url, headers={"X-Session-Secret": first["session_secret"]}, timeout=10).json()["messages"]
    # Three turns stored whole; the refused one wrote nothing.
    assert [m["content"] for m in stored if m["role"] == "user"] == ["apartment in Maadi", *["and in Zamalek?"] * 2]
    assert stored[-1]["role"] == "assistant"


def test_the_models_qualify_lead_call_fills_the_lead(
    fake: FakeOpenAI, model_agent_factory: Agents, stack: LocalStack
) -> None:
    """What the model records with qualify_lead reaches the lead, over what the rules read (which knows no word here
    for a practice or for patients)."""
    agent = model_agent_factory()
    fake.script(
        Reply(tool_calls=[ToolCall("qualify_lead", {"intent": "buy", "purpose": "business", "types": ["Clinic"]})]),
        Reply(text="A clinic for your practice: tell me the area and the budget and I will search."),
    )
    body = agent.chat("I'm a dentist and need somewhere to see my patients").json()
    assert [call["name"] for call in body["tool_calls"]] == ["qualify_lead"]
    assert body["tool_calls"][0]["result"]["noted"] == ["intent", "purpose", "types"]
    admin = admin_headers(stack, "model-lead-admin")
    page = httpx.get(f"{stack.config.public_url}/api/leads", params={"limit": 100}, headers=admin, timeout=30).json()
    lead = next(item for item in page["items"] if body["session_id"] in item["session_ids"])
    assert (lead["intent"], lead["purpose"], lead["types"]) == ("buy", "business", ["Clinic"])


def test_a_mortgage_the_model_asks_on_a_listing_shown_is_on_its_price_and_an_unseen_one_on_none(
    fake: FakeOpenAI, model_agent_factory: Agents
) -> None:
    """calculate_mortgage with a listing's id and no price: the listing's price as search has it, and the call keeps
    the id (the conversation is on that listing); an id no listing has is not_found, not computed on a guess."""
    agent = model_agent_factory()
    fake.responder = consultant({"location": "New Cairo", "property_type": "Apartment"})
    first = agent.chat("apartment in New Cairo", headers={"Accept": "application/json"}).json()
    session = {"session_id": first["session_id"], "headers": {"X-Session-Secret": first["session_secret"],
                                                              "Accept": "application/json"}}  # fmt: skip
    card = first["listings"][1]
    fake.responder = None
    fake.script(
        Reply(tool_calls=[ToolCall("calculate_mortgage", {"property_id": card["id"], "years": 10,
                                                          "down_payment_pct": 20})]),
        Reply(text="Here is the monthly."),
    )  # fmt: skip
    body = agent.chat("monthly on the second one with 20% down over 10 years?", **session).json()
    [call] = body["tool_calls"]
    assert call["arguments"]["property_id"] == card["id"] and call["result"]["property_price"] == card["price"]
    assert call["result"]["loan_amount"] == round(card["price"] * 0.8)
    unseen = str(uuid.uuid4())
    fake.script(
        Reply(tool_calls=[ToolCall("calculate_mortgage", {"property_id": unseen, "years": 10})]),
        Reply(text="I could not compute that."),
    )
    refused = agent.chat("and the monthly on that other one over 10 years?", **session).json()
    [call] = refused["tool_calls"]
    assert (call["result"]["ok"], call["result"]["error"]) == (False, "not_found") and "monthly" not in call["result"]
