"""Amr through the gateway, on the test stack's agent with no model configured (the rules brain, as `make run` without
a key): real listings, exact numbers, both languages, JSON, server-sent events and WebSocket, history, bad input."""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from devstack.stack import LocalStack
from devstack.testing import admin_headers, read_sse
from osool_agent.brains.replies import SMALLTALK

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
        yield client


def chat(api: httpx.Client, message: str, secret: str | None = None, **body: Any) -> httpx.Response:
    headers = {"Accept": "application/json", **body.pop("headers", {})}
    if secret:
        headers["X-Session-Secret"] = secret
    return api.post("/api/chat", json={"message": message, **body}, headers=headers)


def messages(api: httpx.Client, session_id: str, secret: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/history/sessions/{session_id}/messages", params={"limit": 100},
                       headers={"X-Session-Secret": secret})  # fmt: skip
    assert response.status_code == 200, response.text
    result: list[dict[str, Any]] = response.json()["messages"]
    return result


def egp(value: int) -> str:
    return f"{value:,}"


@pytest.mark.parametrize(
    ("message", "arabic"),
    [("3 bedroom apartment in New Cairo under 8M", False), ("شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون", True)],
)
def test_a_buyer_gets_real_listings_with_their_exact_numbers(api: httpx.Client, message: str, arabic: bool) -> None:
    response = chat(api, message)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["brain"] == "rules" and body["session_secret"] and body["usage"]["fallback"] is None
    assert body["tool_calls"][0]["name"] == "search_properties"
    assert body["tool_calls"][0]["arguments"] | {"location": "New Cairo", "bedrooms": 3, "max_price": 8_000_000} == \
        body["tool_calls"][0]["arguments"]  # fmt: skip
    cards = body["listings"]
    assert 1 <= len(cards) <= 5
    for card in cards:
        stored = api.get(f"/api/properties/{card['id']}").json()  # the listing exists, with these very numbers
        assert (card["price"], card["size_sqm"], card["title"]) == (
            stored["price"],
            stored["size_sqm"],
            stored["title"],
        )
        assert card["location"] == "New Cairo" and card["bedrooms"] == 3 and card["price"] <= 8_000_000
        assert card["on_chain_status"] in {"available", "reserved", "sold", "not_registered"}
    # The reply names the first listings with their exact prices, in the buyer's language.
    for card in cards[:3]:
        assert card["title"] in body["reply"] and egp(card["price"]) in body["reply"]
    assert bool(re.search(r"[\u0600-\u06FF]", body["reply"].replace(cards[0]["title"], ""))) is arabic


def test_a_turn_is_stored_whole_in_chat_history(api: httpx.Client) -> None:
    body = chat(api, "villa in Sheikh Zayed between 25 and 40 million").json()
    stored = messages(api, body["session_id"], body["session_secret"])
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]
    assert stored[0]["content"] == "villa in Sheikh Zayed between 25 and 40 million"
    assert stored[1]["tool_calls"][0]["name"] == "search_properties"
    assert json.loads(stored[1]["content"])["listings"][0]["id"] == body["listings"][0]["id"]
    assert stored[2]["content"] == body["reply"]
    assert stored[2]["property_ids"] == [card["id"] for card in body["listings"]]


def test_the_conversation_continues_compare_the_first_two(api: httpx.Client) -> None:
    first = chat(api, "2 bedroom apartment in Maadi").json()
    secret, session = first["session_secret"], first["session_id"]
    ids = [card["id"] for card in first["listings"][:2]]
    second = chat(api, "compare the first two", secret=secret, session_id=session)
    assert second.status_code == 200, second.text
    call = second.json()["tool_calls"][0]
    assert call["name"] == "compare_units" and call["arguments"]["property_ids"] == ids
    comparison = call["result"]["comparison"]
    cheaper = min(first["listings"][:2], key=lambda card: card["price_per_sqm"])
    assert comparison["winners"]["best_value_per_sqm"] == cheaper["id"]
    reply = second.json()["reply"]
    assert all(card["title"] in reply for card in first["listings"][:2])
    assert "session_secret" not in second.json()
    # Two named, misspelt, nothing else asked of them: side by side too, not the first one alone.
    assert len(first["listings"]) >= 3, first
    third = chat(api, "whats the diffrence between the first and the third", secret=secret, session_id=session)
    [call] = third.json()["tool_calls"]
    assert call["name"] == "compare_units", call
    assert call["arguments"]["property_ids"] == [first["listings"][0]["id"], first["listings"][2]["id"]]
    # ... each said under the number the buyer named it by, and the cheaper a metre named "the first" or "the third"
    lines = third.json()["reply"].splitlines()
    assert lines[1].startswith(f"1. {first['listings'][0]['title']}"), lines
    assert any(line.startswith(f"3. {first['listings'][2]['title']}") for line in lines), lines
    best = call["result"]["comparison"]["winners"]["best_value_per_sqm"]
    place = "first" if best == first["listings"][0]["id"] else "third"
    assert f"Best value per m²: the {place} (" in third.json()["reply"], lines


def test_a_mortgage_is_computed_to_the_pound(api: httpx.Client) -> None:
    body = chat(api, "mortgage on 5 million over 10 years with 20% down at 12% interest").json()
    call = body["tool_calls"][0]
    assert call["name"] == "calculate_mortgage"
    assert call["arguments"] == {"property_price": 5_000_000, "years": 10, "annual_rate_pct": 12.0,
                                 "down_payment_pct": 20.0}  # fmt: skip
    # By hand: loan 4,000,000; r = 0.01; n = 120; 1.01^120 = 3.30038689; M = 4e6 * 0.01 * 3.30038689 / 2.30038689.
    monthly = 4_000_000 * 0.01 * 1.01**120 / (1.01**120 - 1)
    assert call["result"]["monthly_payment"] == round(monthly) == 57_388
    assert call["result"]["total_interest"] == round(monthly * 120 - 4_000_000)
    assert "57,388" in body["reply"] and "4,000,000" in body["reply"]


def test_a_mortgage_asked_in_franco_arabic_is_computed_to_the_pound(api: httpx.Client) -> None:
    body = chat(api, "law 3ayez a2sat sha2a b 5 milyon 3ala 10 snin b fayda 12%, el 2est kam?").json()
    call = body["tool_calls"][0]
    assert (call["name"], call["arguments"]) == (
        "calculate_mortgage",
        {"property_price": 5_000_000, "years": 10, "annual_rate_pct": 12.0},
    )
    # The same loan as above at the default 20% down: 4,000,000 at 1% a month for 120 months.
    assert call["result"]["monthly_payment"] == 57_388 and "57,388" in body["reply"]


def test_an_unknown_property_gets_an_honest_answer_and_no_card(api: httpx.Client) -> None:
    body = chat(api, "Tell me about property 999999").json()
    call = body["tool_calls"][0]
    assert call["name"] == "get_property" and call["result"]["ok"] is False and call["result"]["error"] == "not_found"
    assert body["listings"] == []
    assert "999999" in body["reply"] and "could not find" in body["reply"].lower()


def test_the_stream_sends_session_tools_text_cards_then_done(api: httpx.Client) -> None:
    with api.stream("POST", "/api/chat", json={"message": "chalet in North Coast"},
                    headers={"Accept": "text/event-stream"}) as response:  # fmt: skip
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = read_sse(response)
    names = [name for name, _ in events]
    assert names[0] == "session" and names[-1] == "done" and names[-2] == "listings"
    assert names.index("tool_call") < names.index("tool_result") < names.index("token")
    session = events[0][1]
    text = "".join(data["text"] for name, data in events if name == "token")
    stored = messages(api, session["session_id"], session["session_secret"])
    assert stored[-1]["content"] == text.strip()
    done = events[-1][1]
    assert done["brain"] == "rules" and done["latency_ms"] > 0 and done["time_to_first_token_ms"] is not None
    assert done["tokens"] == {"input": 0, "output": 0} and done["cost"] == 0 and done["latency"] > 0
    cards = events[-2][1]["listings"]
    assert cards and all(card["type"] == "Chalet" for card in cards)


def test_the_same_events_arrive_over_a_websocket(stack: LocalStack) -> None:
    url = stack.config.public_url.replace("http://", "ws://") + "/api/chat/ws"
    with connect(url, open_timeout=10) as socket:
        socket.send(json.dumps({"message": "studio in New Capital"}))
        events = []
        while not events or events[-1]["event"] not in ("done", "error"):
            events.append(json.loads(socket.recv(timeout=60)))
        assert events[0]["event"] == "session" and events[-1]["event"] == "done"
        secret = events[0]["data"]["session_secret"]
        session_id = events[0]["data"]["session_id"]
        # A second turn on the same socket continues the same session (the socket remembers the secret).
        socket.send(json.dumps({"message": "is the first one still available?", "session_id": session_id}))
        second = []
        while not second or second[-1]["event"] not in ("done", "error"):
            second.append(json.loads(socket.recv(timeout=60)))
    assert second[-1]["event"] == "done", second
    calls = [e["data"] for e in second if e["event"] == "tool_call"]
    assert calls[0]["name"] == "check_availability"
    assert secret


def test_a_retried_request_with_the_same_key_writes_the_turn_once(api: httpx.Client) -> None:
    first = chat(api, "apartment in Zamalek").json()
    secret, session = first["session_secret"], first["session_id"]
    key = f"retry-{uuid.uuid4().hex}"
    one = chat(api, "townhouse in Madinaty", secret=secret, session_id=session, headers={"Idempotency-Key": key})
    two = chat(api, "townhouse in Madinaty", secret=secret, session_id=session, headers={"Idempotency-Key": key})
    assert one.status_code == two.status_code == 200
    assert two.headers.get("Idempotent-Replayed") == "true"
    assert one.json()["reply"] == two.json()["reply"] and one.json()["listings"] == two.json()["listings"]
    assert len(messages(api, session, secret)) == 6  # two turns of user, tool, assistant
    other = chat(api, "something else", secret=secret, session_id=session, headers={"Idempotency-Key": key})
    assert other.status_code == 422


def test_bad_input_gets_a_clear_error_and_writes_nothing(api: httpx.Client) -> None:
    first = chat(api, "apartment in Maadi").json()
    secret, session = first["session_secret"], first["session_id"]
    before = len(messages(api, session, secret))
    cases = [
        ({"message": ""}, secret, 422),
        ({"message": "x" * 4001}, secret, 422),
        ({"message": "   "}, secret, 422),
        ({"message": "hi", "language": "fr"}, secret, 422),
        ({"message": "hi", "extra": 1}, secret, 422),
        ({"message": "hi"}, None, 401),  # a session id without its secret
        ({"message": "hi"}, "w" * 43, 404),  # a wrong secret: as for a session that does not exist
    ]
    for body, with_secret, status in cases:
        headers = {"X-Session-Secret": with_secret} if with_secret else {}
        response = api.post("/api/chat", json={**body, "session_id": session}, headers=headers)
        assert response.status_code == status, (body, response.text)
        assert response.json()["error"]["code"] and response.json()["error"]["request_id"]
    unknown = api.post("/api/chat", json={"message": "hi", "session_id": str(uuid.uuid4())},
                       headers={"X-Session-Secret": secret})  # fmt: skip
    assert unknown.status_code == 404
    assert len(messages(api, session, secret)) == before


def test_a_signed_in_user_keeps_the_conversation_they_started_anonymously(api: httpx.Client, stack: LocalStack) -> None:
    anonymous = chat(api, "penthouse in New Cairo").json()
    headers = admin_headers(stack, "agent-claim")
    owned = chat(api, "is the first one available?", secret=anonymous["session_secret"],
                 session_id=anonymous["session_id"], headers=headers)  # fmt: skip
    assert owned.status_code == 200, owned.text
    sessions = api.get("/api/history/sessions", headers=headers).json()["sessions"]
    assert anonymous["session_id"] in [s["id"] for s in sessions]
    # Now the session is the user's: the old secret alone no longer opens it, the token does.
    again = chat(api, "thanks", secret=anonymous["session_secret"], session_id=anonymous["session_id"])
    assert again.status_code == 404
    assert chat(api, "thanks", session_id=anonymous["session_id"], headers=headers).status_code == 200
    fresh = chat(api, "duplex in Sheikh Zayed", headers=headers).json()
    assert "session_secret" not in fresh
    assert fresh["session_id"] in [
        s["id"] for s in api.get("/api/history/sessions", headers=headers).json()["sessions"]
    ]


def test_a_client_that_leaves_mid_stream_still_gets_the_turn_stored_whole(api: httpx.Client) -> None:
    with api.stream("POST", "/api/chat", json={"message": "twinhouse in 6th of October"},
                    headers={"Accept": "text/event-stream"}) as response:  # fmt: skip
        lines = response.iter_lines()
        first = next(lines)
        while not first.startswith("data:"):
            first = next(lines)
        session = json.loads(first.split(":", 1)[1])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        stored = messages(api, session["session_id"], session["session_secret"])
        if stored and stored[-1]["role"] == "assistant":
            break
        time.sleep(0.3)
    assert [m["role"] for m in stored] == ["user", "tool", "assistant"]


def test_the_cost_report_is_for_admins(api: httpx.Client, stack: LocalStack) -> None:
    assert api.get("/api/agent/costs").status_code == 401
    report = api.get("/api/agent/costs", params={"days": 7}, headers=admin_headers(stack, "costs"))
    assert report.status_code == 200, report.text
    assert len(report.json()["days"]) == 7 and report.json()["budget_usd"] == 100.0
    assert api.get("/api/agent/costs", params={"days": 8}, headers=admin_headers(stack, "costs2")).status_code == 422


def test_the_agent_reports_its_domain_metrics(stack: LocalStack) -> None:
    text = httpx.get(f"{stack.config.internal_url}/agent/metrics", timeout=10).text
    assert re.search(r'osool_agent_turns_total\{brain="rules",outcome="ok"\} [1-9]', text)
    calls = r'osool_agent_tool_calls_total\{(?=[^}]*tool="search_properties")(?=[^}]*outcome="ok")[^}]*\} [1-9]'
    assert re.search(calls, text)
    assert "osool_agent_time_to_first_token_seconds_bucket" in text


@pytest.mark.parametrize(
    ("message", "wanted", "excluded"),
    [
        # Franco-Arabic: type, rooms, place and price in Latin letters and digits.
        ("3ayez sha2a talat ghoraf fel tagamo3 a2al men 8 milyon",
         {"location": "New Cairo", "property_type": "Apartment", "bedrooms": 3, "max_price": 8_000_000}, None),
        # A misspelt type and place.
        ("appartment in new caito", {"location": "New Cairo", "property_type": "Apartment"}, None),
        # Mixed: an English type with an Arabic place.
        ("villa في الشيخ زايد", {"location": "Sheikh Zayed", "property_type": "Villa"}, None),
        # A negation: villas ruled out, never asked for.
        ("something in New Cairo, not a villa", {"location": "New Cairo"}, "Villa"),
        # A size by its comparison, its "m" metres and not millions.
        ("villa bigger than 300m fel sheikh zayed",
         {"location": "Sheikh Zayed", "property_type": "Villa", "min_size_sqm": 300}, None),
    ],
)  # fmt: skip
def test_amr_understands_buyers_as_egyptians_type(
    api: httpx.Client, message: str, wanted: dict[str, Any], excluded: str | None
) -> None:
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties", body
    assert {key: call["arguments"].get(key) for key in wanted} == wanted, call["arguments"]
    assert call["arguments"].get("property_type") != excluded
    assert body["listings"], body
    for card in body["listings"]:
        assert all(card[{"property_type": "type"}.get(k, k)] == v for k, v in wanted.items()
                   if k in ("location", "property_type", "bedrooms")), card  # fmt: skip
        assert card["type"] != excluded and card["price"] <= wanted.get("max_price", card["price"]), card
        assert card["size_sqm"] >= wanted.get("min_size_sqm", 0), card


@pytest.mark.parametrize(
    ("message", "types", "most_bedrooms"),
    [("villa or townhouse in New Cairo", {"Villa", "Townhouse"}, None),
     ("studio or 1 bedroom in New Cairo", {"Studio", "Apartment"}, 1),
     ("ستوديو او شقة غرفة واحدة في التجمع", {"Studio", "Apartment"}, 1)],
)  # fmt: skip
def test_amr_searches_every_type_named_and_a_studio_with_small_flats(
    api: httpx.Client, message: str, types: set[str], most_bedrooms: int | None
) -> None:
    """Two types are both searched, not the first one named; a studio has no bedroom, so "studio or 1 bedroom" is
    studios and one-bedroom flats, not nothing."""
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties" and "property_type" not in call["arguments"], call
    applied = call["result"]["applied_filters"]
    assert set(applied["property_types"]) == types and applied.get("max_bedrooms") == most_bedrooms, applied
    assert body["listings"] and {card["type"] for card in body["listings"]} <= types, body["listings"]
    assert all(card["bedrooms"] <= (most_bedrooms if most_bedrooms is not None else 20) for card in body["listings"])


@pytest.mark.parametrize(
    ("message", "said"),
    [("apartment in New Cairo under 100k dollars", "Our prices are in Egyptian pounds, so I searched without your "
                                                   "budget in USD"),
     ("شقة في التجمع ميزانيتي ٢٠٠ الف دولار", "أسعارنا بالجنيه المصري")],
)  # fmt: skip
def test_a_budget_in_dollars_is_not_taken_for_pounds_and_amr_says_so(
    api: httpx.Client, message: str, said: str
) -> None:
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties" and "max_price" not in call["arguments"], call
    assert call["result"]["currency"] == "USD" and body["listings"], call["result"]
    assert body["reply"].startswith(said), body["reply"]


# Giza's places, and the names an export may file a listing under: the region's own and West Cairo's, inside it.
GIZA = {"Sheikh Zayed", "6th of October", "Mohandessin", "Dokki", "Agouza", "El Haram", "Faisal", "Hadayek El Ahram",
        "Giza", "West Cairo"}  # fmt: skip


@pytest.mark.parametrize(
    ("message", "places"),
    [
        ("villa in Giza", GIZA),
        ("sha2a fel geeza", GIZA),
        ("فيلا في الجيزة", GIZA),
        # Several places are all searched, not the first one named.
        ("villa in New Cairo or Sheikh Zayed", {"New Cairo", "Sheikh Zayed"}),
    ],
)
def test_amr_searches_every_place_of_a_region_or_of_a_list(api: httpx.Client, message: str, places: set[str]) -> None:
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties" and "location" not in call["arguments"], call
    assert set(call["result"]["applied_filters"]["locations"]) == places, call["result"]["applied_filters"]
    assert body["listings"] and {card["location"] for card in body["listings"]} <= places, body["listings"]


@pytest.mark.parametrize(
    ("message", "said"),
    [("shale fe soma bay", "In any area there are"), ("شاليه في سوما باي", "في أي منطقة فيه")],
)
def test_amr_offers_nothing_elsewhere_for_a_place_without_listings(api: httpx.Client, message: str, said: str) -> None:
    # Soma Bay is a place the parser knows (gazetteer.PLACES) where the demo catalogue has no listing, and no test
    # ingests one (Hurghada was, by the search tests' brokerage export, when they ran first on the same stack): Amr
    # searches there, offers no chalet from another coast as if it were there, and says what giving up the place
    # would find.
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties", body
    assert (call["arguments"].get("location"), call["arguments"].get("property_type")) == ("Soma Bay", "Chalet"), call
    assert body["listings"] == [], body
    assert said in body["reply"], body["reply"]


@pytest.mark.parametrize(
    ("message", "said"),
    [("apartment in a compound in Maadi", "in or out of a compound"),
     ("شقة في كمبوند في المعادي", "جوه الكمبوند أو براه")],
)  # fmt: skip
def test_amr_keeps_to_compounds_when_asked_and_says_what_outside_them_would_find(
    api: httpx.Client, message: str, said: str
) -> None:
    # Maadi's demo listings are all outside compounds: none is offered as if it were in one.
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties" and call["result"]["applied_filters"]["in_compound"] is True, call
    assert body["listings"] == [] and said in body["reply"].lower(), body["reply"]
    inside = chat(api, "شقة في كمبوند في التجمع").json()
    assert inside["listings"] and all(card["compound"] for card in inside["listings"]), inside


def test_amr_names_places_in_arabic_when_the_buyer_writes_arabic(api: httpx.Client) -> None:
    body = chat(api, "شقة في ميفيدا").json()
    assert body["listings"], body
    for card in body["listings"]:
        assert (card["location_ar"], card["compound_ar"]) == ("القاهرة الجديدة", "ميفيدا"), card
    assert "(شقة في ميفيدا، القاهرة الجديدة)" in body["reply"] and "New Cairo)" not in body["reply"], body["reply"]
    english = chat(api, "apartment in Mivida").json()
    lines = [line for line in english["reply"].splitlines() if line[:2] in ("1.", "2.", "3.")]
    assert len(lines) == 3 and all("Mivida, New Cairo" in line.split(": EGP")[0] for line in lines), english["reply"]


@pytest.mark.parametrize(
    ("message", "said"),
    [("sha2a 3 ghoraf w talat 7amamat fel tagamo3", "3 bathrooms"), ("شقة ٣ غرف و٣ حمامات في التجمع", "3 حمامات")],
)  # fmt: skip
def test_amr_offers_only_homes_with_the_bathrooms_asked_for(api: httpx.Client, message: str, said: str) -> None:
    body = chat(api, message).json()
    assert said in body["reply"], body["reply"]
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties", body
    assert call["result"]["applied_filters"]["min_bathrooms"] == 3, call["result"]["applied_filters"]
    assert body["listings"], body
    for card in body["listings"]:
        assert (card["type"], card["location"], card["bedrooms"]) == ("Apartment", "New Cairo", 3), card
        assert card["bathrooms"] >= 3, card


@pytest.mark.parametrize(
    ("message", "said", "descending"),
    [("cheapest apartment in Maadi", "cheapest first", False), ("أرخص شقة في المعادي", "من الأرخص للأغلى", False),
     ("أغلى شقة في المعادي", "من الأغلى للأرخص", True)],
)  # fmt: skip
def test_amr_offers_the_cheapest_or_dearest_first_when_asked(
    api: httpx.Client, message: str, said: str, descending: bool
) -> None:
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties" and call["result"]["order"] == (
        "price_desc" if descending else "price_asc"
    )
    assert said in body["reply"].split("\n")[0], body["reply"]
    prices = [card["price"] for card in body["listings"]]
    assert len(prices) >= 3 and prices == sorted(prices, reverse=descending), prices
    # Every apartment in Maadi, not the cheapest of the most relevant: none cheaper (dearer) than the first exists.
    others: list[int] = []
    params: dict[str, Any] = {"location": "Maadi", "type": "Apartment", "limit": 100}
    while True:
        listed = api.get("/api/properties", params=params).json()
        others += [row["price"] for row in listed["results"]]
        if not listed["next_cursor"]:
            break
        params["cursor"] = listed["next_cursor"]
    assert (max(others) if descending else min(others)) == prices[0], (prices[0], others)


@pytest.mark.parametrize(
    ("message", "said", "descending"),
    [("biggest villa in New Cairo", "biggest first", True), ("أكبر شقة في المعادي", "من الأكبر مساحة للأصغر", True),
     ("smallest apartment in Maadi", "smallest first", False)],
)  # fmt: skip
def test_amr_offers_the_biggest_or_smallest_first_when_asked(
    api: httpx.Client, message: str, said: str, descending: bool
) -> None:
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties"
    assert call["result"]["order"] == ("size_desc" if descending else "size_asc")
    assert said in body["reply"].split("\n")[0], body["reply"]
    sizes = [card["size_sqm"] for card in body["listings"]]
    assert len(sizes) >= 3 and sizes == sorted(sizes, reverse=descending), sizes
    # Every listing of that type and place, not the biggest of the most relevant.
    place, kind = ("New Cairo", "Villa") if "villa" in message else ("Maadi", "Apartment")
    others: list[float] = []
    params: dict[str, Any] = {"location": place, "type": kind, "limit": 100}
    while True:
        listed = api.get("/api/properties", params=params).json()
        others += [row["size_sqm"] for row in listed["results"]]
        if not listed["next_cursor"]:
            break
        params["cursor"] = listed["next_cursor"]
    assert (max(others) if descending else min(others)) == sizes[0], (sizes[0], others)


@pytest.mark.parametrize(
    ("message", "said"),
    [("apartment for rent in Maadi", "We list homes for sale only, not for rent."),
     ("عايز شقة ايجار في المعادي", "إحنا بنعرض وحدات للبيع بس، مش للإيجار."),
     # The rent they have in mind is no instalment a listing's plan must stay under, nor a price
     ("I want to rent an apartment in Maadi for 20k a month", "We list homes for sale only, not for rent."),
     ("عايز اأجر شقة في المعادي ب 20 الف في الشهر", "إحنا بنعرض وحدات للبيع بس، مش للإيجار.")],
)  # fmt: skip
def test_someone_who_wants_to_rent_hears_that_osool_lists_homes_for_sale(
    api: httpx.Client, message: str, said: str
) -> None:
    body = chat(api, message).json()
    assert body["tool_calls"][0]["name"] == "search_properties", body
    assert body["reply"].startswith(said), body["reply"]
    assert body["listings"] and all(card["location"] == "Maadi" for card in body["listings"]), body["listings"]
    # "then I'll buy" (in their language): the same homes, now to buy, without being told twice
    buy = "طب عايز اشتري" if said.startswith("إحنا") else "ok, I want to buy then"
    then = chat(api, buy, body["session_secret"], session_id=body["session_id"]).json()
    [call] = then["tool_calls"]
    assert call["arguments"]["location"] == "Maadi" and not then["reply"].startswith(said), then["reply"]
    assert then["listings"] and all(card["location"] == "Maadi" for card in then["listings"]), then["listings"]


def test_renting_ruled_out_is_a_buyer_not_told_the_listings_are_for_sale_only(api: httpx.Client) -> None:
    body = chat(api, "شقة تمليك مش ايجار في المعادي").json()
    assert body["tool_calls"][0]["name"] == "search_properties", body
    assert not body["reply"].startswith("إحنا بنعرض وحدات للبيع بس") and "للإيجار" not in body["reply"], body
    assert body["listings"] and all(card["location"] == "Maadi" for card in body["listings"]), body["listings"]


@pytest.mark.parametrize(
    ("message", "arabic"),
    [("apartment in New Cairo with 500k down payment", False), ("sha2a fel tagamo3 mo2adam nos milyon", False),
     ("شقة في التجمع معايا مقدم نص مليون", True)],
)  # fmt: skip
def test_amr_offers_only_homes_within_the_down_payment_and_says_it_in_pounds(
    api: httpx.Client, message: str, arabic: bool
) -> None:
    body = chat(api, message).json()
    call = body["tool_calls"][0]
    assert call["name"] == "search_properties", body
    assert call["result"]["applied_filters"]["max_down_payment"] == 500_000, call["result"]["applied_filters"]
    assert "max_price" not in call["result"]["applied_filters"], "a down payment is not the budget"
    assert body["listings"], body
    for card in body["listings"]:
        assert (card["type"], card["location"]) == ("Apartment", "New Cairo"), card
        plan = card["payment_plan"]
        assert plan["down_payment"] is not None and plan["down_payment"] <= 500_000, card
        assert abs(plan["down_payment"] - card["price"] * (plan["down_payment_pct"] or 0) / 100) <= 1, card
    # The reply says each plan's down payment in pounds (a 0% one and a cash-only price need no second figure).
    plans = [card["payment_plan"] for card in body["listings"][:3]]
    amounts = [plan["down_payment"] for plan in plans if not plan["is_cash_only"] and plan["down_payment"]]
    assert amounts, plans
    for amount in amounts:
        said = f"({egp(amount)} جنيه)" if arabic else f"(EGP {egp(amount)})"
        assert said in body["reply"], body["reply"]


@pytest.mark.parametrize(
    ("message", "said"),
    [("apartment in Maadi with 7 bathrooms", "with any number of bathrooms"),
     ("شقة في المعادي فيها ٧ حمامات", "بأي عدد حمامات")],
)  # fmt: skip
def test_when_no_home_has_the_bathrooms_amr_says_what_any_number_would_find(
    api: httpx.Client, message: str, said: str
) -> None:
    body = chat(api, message).json()
    assert body["tool_calls"][0]["name"] == "search_properties" and body["listings"] == [], body
    assert said in body["reply"].lower(), body["reply"]


@pytest.mark.parametrize("message", ["sha2a fel maadi mesh dor ardy", "شقة في المعادي مش دور أرضي"])
def test_amr_never_offers_a_floor_the_buyer_ruled_out(api: httpx.Client, message: str) -> None:
    body = chat(api, message).json()
    assert body["tool_calls"][0]["name"] == "search_properties", body
    assert body["listings"], body
    for card in body["listings"]:
        assert card["type"] == "Apartment" and card["location"] == "Maadi", card
        assert card["floor"] != 0, card
    # The demo catalogue has ground-floor flats in Maadi: without the negation some would be offered.
    floors = [card["floor"] for card in chat(api, "sha2a fel maadi dor ardy").json()["listings"]]
    assert floors and set(floors) == {0}, floors


@pytest.mark.parametrize(
    ("message", "said"),
    [("villa in New Cairo under 1 million", "Without the budget limit there are"),
     ("عايز فيلا في التجمع بأقل من مليون", "من غير حد الميزانية فيه"),
     # Two other groups find more (any type, any area): the budget's is still said, second.
     ("villa in the north coast under 20 million", "; without the budget limit there are")],
)  # fmt: skip
def test_when_nothing_matches_amr_says_what_the_budget_would_have_to_reach(
    api: httpx.Client, message: str, said: str
) -> None:
    search = api.post("/api/properties/search", json={"query": message, "explain_empty": True}).json()
    assert search["results"] == [], search
    budget = {relaxation["group"]: relaxation for relaxation in search["relaxations"]}["price"]
    body = chat(api, message).json()
    assert body["tool_calls"][0]["name"] == "search_properties" and body["listings"] == [], body
    # The cheapest villa in New Cairo, as search found it: a real figure, not a general "widen the budget".
    assert said in body["reply"] and f"{budget['cheapest_price']:,}" in body["reply"], body["reply"]


def test_when_nothing_is_within_the_budget_but_a_little_above_amr_shows_those_cheapest_first(
    api: httpx.Client,
) -> None:
    cheapest = api.post("/api/properties/search", json={
        "query": "apartment", "filters": {"locations": ["New Cairo"], "property_types": ["Apartment"]},
        "order": "price_asc", "limit": 1,
    }).json()["results"][0]["price"]  # fmt: skip
    budget = (cheapest * 97 // 100) // 10_000 * 10_000  # 3% or so under the cheapest: nothing within it
    body = chat(api, f"apartment in New Cairo under {budget:,} EGP").json()
    first, stretched = body["tool_calls"]
    assert first["result"]["listings"] == [] and first["arguments"]["max_price"] == budget, first
    assert stretched["arguments"]["max_price"] == int(budget * 1.1) and stretched["arguments"]["order"] == "price_asc"
    prices = [card["price"] for card in body["listings"]]
    assert prices and prices[0] == cheapest and prices == sorted(prices), prices
    assert all(budget < price <= budget * 1.1 for price in prices), prices
    assert body["reply"].startswith(f"Nothing is within your budget of EGP {budget:,}. These are the closest, a little "
                                    "above it, cheapest first:\n1. "), body["reply"]  # fmt: skip
    # Far above the budget: nothing shown, what the cheapest costs said instead.
    far = chat(api, "villa in New Cairo under 1 million").json()
    assert [call["name"] for call in far["tool_calls"]] == ["search_properties"] and far["listings"] == []


def test_amr_offers_listings_with_the_feature_asked_for_and_says_when_none_has_it(api: httpx.Client) -> None:
    body = chat(api, "عايز فيلا في الشيخ زايد فيها حمام سباحة").json()
    assert body["listings"], body
    assert all(card["type"] == "Villa" and "pool" in card["features"] for card in body["listings"]), body["listings"]
    # A feature the demo catalogue has nowhere in Sheikh Zayed: said, and the closest villas offered anyway.
    body = chat(api, "villa in Sheikh Zayed with a lagoon view").json()
    assert "None of the listings that match the rest mentions a lagoon view" in body["reply"], body["reply"]
    assert body["listings"] and all(card["type"] == "Villa" for card in body["listings"]), body


def test_the_cheaper_one_after_a_comparison_is_the_cheaper_of_the_two_compared(api: httpx.Client) -> None:
    first, ask = conversation(api, "3 bedroom apartment in new cairo under 9m")
    cards = first["listings"]

    def call(message: str) -> dict[str, Any]:
        return dict(ask(message)[0])

    compared = call("compare the second and the third")
    assert compared["arguments"]["property_ids"] == [cards[1]["id"], cards[2]["id"]]
    pair = cards[1:3]
    cheaper, bigger = min(pair, key=lambda c: c["price"]), max(pair, key=lambda c: c["size_sqm"])
    rent = call("how much rent could I get for the cheaper one?")
    assert rent["name"] == "calculate_investment_roi" and rent["result"]["property_price"] == cheaper["price"], rent
    viewing = call("احجز معاينة للأكبر")
    assert (viewing["name"], viewing["arguments"]["property_id"]) == ("schedule_viewing", bigger["id"]), viewing
    # After a list again (the first search's five), "the cheapest one" is the cheapest of all five.
    call("3 bedroom apartment in new cairo under 9m")
    cheapest = min(cards, key=lambda c: c["price"])
    asked = call("is the cheapest one ready to move?")
    assert (asked["name"], asked["arguments"]["property_id"]) == ("get_property", cheapest["id"]), asked


def test_it_and_an_ordinal_name_the_listings_the_conversation_was_about(api: httpx.Client) -> None:
    first = chat(api, "3 bedroom apartment in new cairo under 9m").json()
    cards = [card["id"] for card in first["listings"]]
    assert len(cards) >= 3, first
    session, secret = first["session_id"], first["session_secret"]

    def call(message: str) -> dict[str, Any]:
        body = chat(api, message, secret, session_id=session).json()
        assert body["tool_calls"], body
        return dict(body["tool_calls"][0])

    compared = call("compare 1 and 2")
    assert compared["name"] == "compare_units" and compared["arguments"]["property_ids"] == cards[:2]
    # "The third" after comparing two is the search's third; "it" after a viewing of the second is the second.
    mortgage = call("mortgage on the third")
    assert mortgage["name"] == "calculate_mortgage", mortgage
    assert mortgage["arguments"]["property_price"] == first["listings"][2]["price"], mortgage
    assert call("book a viewing for the second one")["arguments"]["property_id"] == cards[1]
    reserve = call("reserve it")
    assert (reserve["name"], reserve["arguments"]["property_id"]) == ("reserve_property", cards[1])


def listed(api: httpx.Client, message: str) -> tuple[dict[str, Any], Callable[[str], dict[str, Any]]]:
    """A conversation begun with a search that shows at least three listings: its first answer, and the answer to
    each next message sent in it."""
    first = chat(api, message).json()
    assert len(first["listings"]) >= 3, first
    session, secret = first["session_id"], first["session_secret"]

    def say(text: str) -> dict[str, Any]:
        body: dict[str, Any] = chat(api, text, secret, session_id=session).json()
        return body

    return first, say


def conversation(api: httpx.Client, message: str) -> tuple[dict[str, Any], Callable[[str], tuple[Any, str]]]:
    """The same, where each next message is answered by one tool call: that call and the reply."""
    first, say = listed(api, message)

    def ask(text: str) -> tuple[dict[str, Any], str]:
        body = say(text)
        assert len(body["tool_calls"]) == 1, body
        return body["tool_calls"][0], body["reply"]

    return first, ask


def test_amr_answers_what_a_shown_listing_has_from_its_listing(api: httpx.Client) -> None:
    first, looked_up = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"]

    def ask(message: str) -> tuple[dict[str, Any], str]:
        call, reply = looked_up(message)
        assert call["name"] == "get_property", call
        return call["arguments"], reply

    arguments, reply = ask("does the third one have a garden?")
    assert arguments["property_id"] == cards[2]["id"]
    said = "Yes: its listing mentions a garden." if "garden" in cards[2]["features"] else "does not mention a garden"
    assert said in reply.splitlines()[0], reply
    # "The first" after looking at the third is still the search's first; its finishing from its listing.
    arguments, reply = ask("is the first one furnished?")
    assert arguments["property_id"] == cards[0]["id"]
    finishing = api.get(f"/api/properties/{cards[0]['id']}").json()["finishing"]
    assert reply.splitlines()[0] == (
        "Yes, it is furnished." if finishing == "furnished" else
        f"No: it is {finishing.replace('_', ' ').replace('semi ', 'semi-')}, not furnished." if finishing else
        "Its listing does not say how it is finished."
    ), reply  # fmt: skip
    # Franco-Arabic ordinal, and then "it" in Arabic: the listing the conversation is on, answered in Arabic.
    arguments, reply = ask("el tanya fiha asanseer?")
    assert arguments["property_id"] == cards[1]["id"]
    assert ("mentions an elevator" if "elevator" in cards[1]["features"] else "not mention an elevator") in reply
    arguments, reply = ask("هي في الدور الأرضي؟")
    assert arguments["property_id"] == cards[1]["id"]
    floor = cards[1]["floor"]
    expected = ("الإعلان مش ذاكر الدور." if floor is None else "أيوه، هي في الدور الأرضي." if floor == 0 else
                "لا، هي في البدروم." if floor < 0 else f"لا، هي في الدور {floor}.")  # fmt: skip
    assert reply.splitlines()[0] == expected, reply


def test_a_question_asked_of_several_listings_answers_each_and_a_yes_sets_them_side_by_side(
    api: httpx.Client,
) -> None:
    first, ask = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"]

    def garden(card: dict[str, Any]) -> str:
        return "Yes: its listing mentions a garden." if "garden" in card["features"] else "does not mention a garden."

    # "all of them", in Arabic: one read of the first four cards, each named by its title, its finishing from its
    # listing.
    call, reply = ask("كلهم متشطبين؟")
    assert (call["name"], call["arguments"]) == ("compare_units", {"property_ids": [c["id"] for c in cards[:4]]})
    lines = reply.splitlines()
    for card, line in zip(cards[:4], lines, strict=False):
        finishing = api.get(f"/api/properties/{card['id']}").json()["finishing"]
        said = ("أيوه، متشطبة." if finishing == "fully_finished" else "الإعلان مش ذاكر التشطيب." if not finishing
                else "لا، ")  # fmt: skip
        assert line.startswith(f"{card['title']} ({egp(card['price'])} جنيه): {said}"), reply
    assert lines[-1] == "تحب أقارنهم ببعض، بالتكلفة الحقيقية لكل خطة؟", reply
    # Two named by their places: each answered under the place the buyer named it by.
    call, reply = ask("does the first and third have a garden?")
    assert (call["name"], call["arguments"]) == ("compare_units", {"property_ids": [cards[0]["id"], cards[2]["id"]]})
    lines = reply.splitlines()
    assert lines[0].startswith(f"The first ({cards[0]['title']}): ") and lines[0].endswith(garden(cards[0])), reply
    assert lines[1].startswith(f"The third ({cards[2]['title']}): ") and lines[1].endswith(garden(cards[2])), reply
    assert lines[2:] == ["Shall I set them side by side, with what each plan really costs?"], reply
    # The yes compares the same two in full.
    call, reply = ask("yes please")
    assert (call["name"], call["arguments"]["property_ids"]) == ("compare_units", [cards[0]["id"], cards[2]["id"]])
    assert reply.startswith("Side by side:"), reply
    # "which of them has a garden?" after those two compared: each of the two answered, named by its title.
    call, reply = ask("which of them has a garden?")
    assert (call["name"], call["arguments"]["property_ids"]) == ("compare_units", [cards[0]["id"], cards[2]["id"]])
    lines = reply.splitlines()
    for card, line in zip((cards[0], cards[2]), lines[:2], strict=True):
        assert line.startswith(f"{card['title']} (EGP {egp(card['price'])}): ") and line.endswith(garden(card)), reply


def test_one_more_feature_right_after_a_question_of_a_listing_is_asked_of_it_not_searched(api: httpx.Client) -> None:
    first, ask = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"]
    call, _ = ask("does the second one have a garden?")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[1]["id"])
    call, reply = ask("and a balcony?")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[1]["id"]), call
    said = "Yes: its listing mentions a balcony." if "balcony" in cards[1]["features"] else "not mention a balcony."
    assert reply.splitlines()[0].endswith(said), reply
    # After a search, not a question of one listing, "and with a balcony?" still narrows the search.
    _, ask_again = conversation(api, "apartment in new cairo under 9m")
    call, _ = ask_again("and with a balcony?")
    assert call["name"] == "search_properties", call


def test_where_a_listing_is_names_its_compound_or_the_district_its_title_gives(api: httpx.Client) -> None:
    first, ask = conversation(api, "resale apartment in sheikh zayed")
    for place, card in enumerate(first["listings"][:3], start=1):
        call, reply = ask(f"where exactly is the {('first', 'second', 'third')[place - 1]} one?")
        assert (call["name"], call["arguments"]["property_id"]) == ("get_property", card["id"])
        titled = re.search(rf"\bin ([^,]{{2,40}}), {re.escape(card['location'])}\b", card["title"])
        within = card["compound"] or (titled.group(1) if titled else None)
        where = f"{within}, {card['location']}" if within else card["location"]
        assert reply.splitlines()[0].startswith(f"It is in {where}. Its listing gives "), reply


def test_and_the_fourth_after_a_question_of_several_asks_it_of_the_fourth(api: httpx.Client) -> None:
    first, ask = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"]
    assert len(cards) >= 4, first
    call, _ = ask("do the first and second have a garden?")
    assert call["name"] == "compare_units", call
    call, reply = ask("and the fourth?")
    assert (call["name"], call["arguments"]) == ("get_property", {"property_id": cards[3]["id"]})
    said = "Yes: its listing mentions a garden." if "garden" in cards[3]["features"] else "not mention a garden."
    assert reply.splitlines()[0].endswith(said), reply


def test_these_two_after_looking_at_two_listings_in_turn_are_those_two(api: httpx.Client) -> None:
    first, ask = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"]
    ask("التانية مساحتها كام؟")
    ask("والتالتة؟")
    call, reply = ask("طب الاتنين دول فيهم بلكونة؟")
    assert (call["name"], call["arguments"]) == ("compare_units", {"property_ids": [cards[1]["id"], cards[2]["id"]]})
    assert reply.splitlines()[0].startswith(f"{cards[1]['title']} ({egp(cards[1]['price'])} جنيه): "), reply


def test_which_area_for_rental_income_gives_the_figures_and_says_no_listing_states_a_rent(api: httpx.Client) -> None:
    asked = chat(api, "which area has the best rental yield?").json()
    [call] = asked["tool_calls"]
    assert call["name"] == "check_market_trends" and len(call["result"]["by_location"]) > 3, call
    first = call["result"]["by_location"][0]
    assert f"- {first['location']}: {egp(first['count'])} listings" in asked["reply"]
    assert "Our listings are for sale and state no rents, so I cannot rank areas by rental yield" in asked["reply"]
    # Within a budget: what it buys where, and still said
    budget = chat(api, "which area has the best rental yield under 5 million?").json()
    [call] = budget["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {"max_price": 5_000_000}), call
    assert "Your budget buys the most space in" in budget["reply"]
    assert "Our listings are for sale and state no rents, so I cannot rank areas by rental yield" in budget["reply"]
    # Listings asked for right after: within that budget
    shown = chat(api, "show me apartments there", budget["session_secret"], session_id=budget["session_id"]).json()
    [search] = shown["tool_calls"]
    assert (search["arguments"]["property_type"], search["arguments"]["max_price"]) == ("Apartment", 5_000_000)
    assert shown["listings"] and all(card["price"] <= 5_000_000 for card in shown["listings"]), shown["reply"]


def test_a_summer_let_asked_after_a_listings_yield_stays_on_that_listing(api: httpx.Client) -> None:
    first = chat(api, "apartments in New Cairo under 8 million").json()
    session, secret = first["session_id"], first["session_secret"]
    listing = first["listings"][0]
    chat(api, "what rent could I get for the first?", secret, session_id=session)
    summer = chat(api, "and if I rent it only in summer?", secret, session_id=session).json()
    [call] = summer["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("calculate_investment_roi", listing["id"])
    assert "tell me the monthly summer rent you expect" in summer["reply"], summer["reply"]
    assert "within that budget" not in summer["reply"], summer["reply"]  # a listing's yield offers no budget search
    # The summer rent the reply asked for: the yield of those months, on that listing
    said = chat(api, "about 40k a month for 3 months", secret, session_id=session).json()
    [call] = said["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("calculate_investment_roi", listing["id"])
    assert (call["result"]["annual_rent"], call["arguments"]["months_let"]) == (120_000, 3), call


def test_a_budget_raised_or_an_amenity_asked_after_nothing_found_keeps_the_rest(api: httpx.Client) -> None:
    first = chat(api, "4 bedroom duplex in Zayed under 10 million").json()
    session, secret = first["session_id"], first["session_secret"]
    raised = chat(api, "and if I increase my budget to 12?", secret, session_id=session).json()
    [call] = raised["tool_calls"]
    wanted = {"location": "Sheikh Zayed", "property_type": "Duplex", "bedrooms": 4, "max_price": 12_000_000}
    assert {key: call["arguments"].get(key) for key in wanted} == wanted, call
    assert all(card["price"] <= 12_000_000 and card["type"] == "Duplex" for card in raised["listings"]), raised
    pool = chat(api, "none of these, anything with a pool?", secret, session_id=session).json()
    [call] = pool["tool_calls"]
    assert (call["arguments"]["location"], call["arguments"]["property_type"]) == ("Sheikh Zayed", "Duplex"), call
    assert "pool" in call["result"]["applied_filters"].get("features", []) or call["result"]["unmatched_features"]


def test_whether_a_listings_price_is_good_is_its_price_per_metre_beside_its_markets(api: httpx.Client) -> None:
    first = chat(api, "2 bedroom apartment in Heliopolis").json()
    listing = first["listings"][0]
    asked = chat(api, "is the first one a good price?", first["session_secret"], session_id=first["session_id"]).json()
    [call] = asked["tool_calls"]
    assert call["arguments"] == {"property_id": listing["id"], "with_market": True}, call
    market = call["result"]["market"]
    stats = api.get("/api/market/stats", params={"location": "Heliopolis", "type": "Apartment", "bedrooms": 2}).json()
    assert (market["count"], market["median_price_per_sqm"]) == (stats["count"], round(stats["median_price_per_sqm"]))
    difference = (listing["price_per_sqm"] / stats["median_price_per_sqm"] - 1) * 100
    assert market["difference_pct"] == round(abs(difference))
    assert market["position"] == ("in_line" if abs(difference) < 5 else "above" if difference > 0 else "below")
    said = {"in_line": "in line with", "above": f"{market['difference_pct']}% above",
            "below": f"{market['difference_pct']}% below"}[market["position"]]  # fmt: skip
    head = f"At EGP {listing['price_per_sqm']:,}/m², it is {said} the median asking price of {stats['count']} listings"
    assert asked["reply"].startswith(f"{head} of 2-bedroom apartments in Heliopolis"), asked["reply"]
    # The price per metre there, asked after the list: of the same 2-bedroom apartments
    again = chat(api, "2 bedroom apartment in Heliopolis").json()
    there = chat(api, "what's the price per meter there?", again["session_secret"], session_id=again["session_id"])
    [call] = there.json()["tool_calls"]
    assert (call["name"], call["arguments"]) == (
        "check_market_trends", {"location": "Heliopolis", "property_type": "Apartment", "bedrooms": 2})  # fmt: skip
    assert there.json()["reply"].startswith("2-bedroom apartments in Heliopolis:"), there.json()["reply"]


def test_the_one_closest_to_the_beach_is_those_near_it_said_to_state_no_distance(api: httpx.Client) -> None:
    first = chat(api, "chalets in the North Coast").json()
    closest = chat(api, "which one is closest to the beach?", first["session_secret"],
                   session_id=first["session_id"]).json()  # fmt: skip
    [call] = closest["tool_calls"]
    assert call["arguments"]["location"] == "North Coast" and call["result"]["applied_filters"]["features"] == [
        "near_beach"], call  # fmt: skip
    assert closest["reply"].startswith("Listings say whether a home is near the beach, not how far it is."), closest
    assert closest["listings"] and all("near_beach" in api.get(f"/api/properties/{card['id']}").json()["features"]
                                       for card in closest["listings"])  # fmt: skip


def test_how_big_the_garden_is_is_said_to_be_unstated_and_the_homes_size_given(api: httpx.Client) -> None:
    first = chat(api, "villa with a garden in New Cairo").json()
    villa = first["listings"][0]
    asked = chat(api, "how big is the garden of the first?", first["session_secret"], session_id=first["session_id"])
    body = asked.json()
    assert [(c["name"], c["arguments"]) for c in body["tool_calls"]] == [
        ("get_property", {"property_id": villa["id"]})]  # fmt: skip
    assert body["reply"].startswith("Listings say whether there is a garden, not how big it is."), body["reply"]
    assert f"The home itself is {villa['size_sqm']:,.0f} m²" in body["reply"], body["reply"]


def test_a_budget_alone_shows_homes_and_a_commercial_unit_asked_for_shows_those(api: httpx.Client) -> None:
    commercial = {"Office", "Retail", "Clinic"}
    everything = api.post("/api/properties/search", json={"query": "under 2 million", "limit": 50}).json()
    assert {row["type"] for row in everything["results"]} & commercial  # the catalogue has cheap commercial units
    homes = chat(api, "I have 2 million cash").json()
    [call] = homes["tool_calls"]
    assert call["arguments"]["homes_only"] is True and homes["listings"], homes["reply"]
    assert not {card["type"] for card in homes["listings"]} & commercial, homes["listings"]
    clinics = chat(api, "a clinic under 2 million").json()
    assert clinics["listings"] and {card["type"] for card in clinics["listings"]} == {"Clinic"}, clinics["reply"]


def test_whether_a_place_is_a_good_investment_is_answered_with_its_figures_not_a_search(api: httpx.Client) -> None:
    asked = chat(api, "is the North Coast a good investment?").json()
    [call] = asked["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {"location": "North Coast"}), call
    stats = api.get("/api/market/stats", params={"location": "North Coast"}).json()
    assert asked["reply"].startswith(f"North Coast: {stats['count']} listings, median EGP "
                                     f"{stats['median_price_per_sqm']:,.0f}/m²"), asked["reply"]  # fmt: skip
    assert "Whether North Coast is a good investment turns on the rent a home there brings" in asked["reply"]
    assert not asked["listings"]


def test_listings_asked_for_after_a_places_figures_are_in_it(api: httpx.Client) -> None:
    figures = chat(api, "how much is a meter in Maadi?").json()
    assert [(c["name"], c["arguments"]) for c in figures["tool_calls"]] == [
        ("check_market_trends", {"location": "Maadi"})
    ]
    shown = chat(api, "show me apartments there", figures["session_secret"], session_id=figures["session_id"]).json()
    [search] = shown["tool_calls"]
    assert (search["arguments"]["location"], search["arguments"]["property_type"]) == ("Maadi", "Apartment")
    assert shown["listings"] and {(c["location"], c["type"]) for c in shown["listings"]} == {("Maadi", "Apartment")}


def test_bedrooms_asked_after_studios_are_apartments_with_them(api: httpx.Client) -> None:
    first = chat(api, "studio in new capital").json()
    assert {card["type"] for card in first["listings"]} == {"Studio"}, first["reply"]
    more = chat(api, "what about 2 bedrooms?", first["session_secret"], session_id=first["session_id"]).json()
    [call] = more["tool_calls"]
    assert (call["arguments"]["property_type"], call["arguments"]["bedrooms"]) == ("Apartment", 2), call
    cards = more["listings"]
    assert cards and {(c["type"], c["bedrooms"], c["location"]) for c in cards} == {
        ("Apartment", 2, "New Administrative Capital")}, more["reply"]  # fmt: skip


def test_which_one_is_the_biggest_names_that_one_of_the_cards_and_it_is_then_it(api: httpx.Client) -> None:
    first, ask = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"][:5]
    biggest = max(cards, key=lambda card: card["size_sqm"])
    place = ["first", "second", "third", "fourth", "fifth"][cards.index(biggest)]
    call, reply = ask("which one is the biggest?")
    assert (call["name"], call["arguments"]) == ("get_property", {"property_id": biggest["id"]})
    assert reply.splitlines()[0] == f"Of these, the biggest is the {place}: {biggest['title']}.", reply
    # ... and "it" is now that one; the cheapest asked in Arabic is named with its price.
    call, _ = ask("is it furnished?")
    assert call["arguments"]["property_id"] == biggest["id"], call
    cheapest = min(cards, key=lambda card: card["price"])
    call, reply = ask("انهي فيهم ارخص؟")
    assert (call["name"], call["arguments"]) == ("get_property", {"property_id": cheapest["id"]})
    assert reply.splitlines()[0].startswith("الأرخص من دول هي ") and cheapest["title"] in reply.splitlines()[0]
    assert reply.splitlines()[1].startswith(f"سعرها {egp(cheapest['price'])} جنيه"), reply


def test_and_the_second_asks_the_question_before_of_the_second_and_a_price_is_said_first(api: httpx.Client) -> None:
    first, ask = conversation(api, "apartment in new cairo under 9m")
    cards = first["listings"]

    def garden(card: dict[str, Any]) -> str:
        return "Yes: its listing mentions a garden." if "garden" in card["features"] else "does not mention a garden"

    call, reply = ask("does the first one have a garden?")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[0]["id"])
    assert garden(cards[0]) in reply.splitlines()[0], reply
    # "and the second?", then "w el talta?": the garden asked of each in turn, not their bare details.
    call, reply = ask("and the second?")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[1]["id"])
    assert garden(cards[1]) in reply.splitlines()[0], reply
    call, reply = ask("w el talta?")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[2]["id"])
    assert garden(cards[2]) in reply.splitlines()[0], reply
    # Its price, asked in Arabic and then of another: said first, with the price of a square metre.
    call, reply = ask("التانية بكام؟")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[1]["id"])
    assert (
        reply.splitlines()[0] == f"سعرها {egp(cards[1]['price'])} جنيه ({egp(cards[1]['price_per_sqm'])} جنيه للمتر)."
    )
    call, reply = ask("and the first?")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[0]["id"])
    assert reply.splitlines()[0] == f"It is EGP {egp(cards[0]['price'])} (EGP {egp(cards[0]['price_per_sqm'])}/m²)."
    # Its price per m² ("كام المتر فيها؟"): of the one the conversation is on, not the market's.
    call, reply = ask("كام المتر فيها؟")
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[0]["id"])
    assert f"({egp(cards[0]['price_per_sqm'])} جنيه للمتر)." in reply.splitlines()[0], reply
    # A mortgage asked of one is computed for the other with the same terms, at that one's price.
    call, _ = ask("monthly payment of the first one with 20% down over 10 years?")
    assert (call["name"], call["arguments"]["property_price"]) == ("calculate_mortgage", cards[0]["price"]), call
    call, reply = ask("والتانية؟")
    assert call["name"] == "calculate_mortgage", call
    assert (call["arguments"]["property_price"], call["arguments"]["years"]) == (cards[1]["price"], 10), call
    assert call["arguments"]["down_payment_pct"] == 20
    assert egp(round(cards[1]["price"] * 0.2)) in reply, reply
    # Whether one is available, then "what about the first one?": the first checked too. The search is now further
    # back than the 20 messages the model is given (HISTORY_MESSAGES): "the third" is still its third.
    assert len(messages(api, first["session_id"], first["session_secret"])) > 20 + 2
    call, _ = ask("is the third one available?")
    assert (call["name"], call["arguments"]["property_id"]) == ("check_availability", cards[2]["id"])
    call, _ = ask("what about the first one?")
    assert (call["name"], call["arguments"]["property_id"]) == ("check_availability", cards[0]["id"])


def test_a_rent_or_a_price_asked_of_none_named_asks_which_and_the_pick_answers_it(api: httpx.Client) -> None:
    first, say = listed(api, "apartment in new cairo under 9m")
    cards = first["listings"]
    which = say("how much rent would it bring?")
    assert which["tool_calls"] == [] and which["reply"].startswith("Listings for sale do not state a rent."), which
    rent = say("the second")
    [call] = rent["tool_calls"]
    assert (call["name"], call["arguments"]["property_price"]) == ("calculate_investment_roi", cards[1]["price"])
    rent_a_year = call["result"]["annual_rent"]  # the yield tool's usual rent, which its assumptions state
    assert rent_a_year > 0 and any(
        "rent" in item and egp(rent_a_year) in item for item in call["result"]["assumptions"]
    )
    assert f"At EGP {egp(cards[1]['price'])} with EGP {egp(rent_a_year)} of rent a year" in rent["reply"], rent["reply"]
    # The yield was of the second: "بكام؟" right after is its price; after a list again, which one
    its = say("بكام؟")
    assert [(c["name"], c["arguments"]["property_id"]) for c in its["tool_calls"]] == [("get_property", cards[1]["id"])]
    assert its["reply"].startswith(f"سعرها {egp(cards[1]['price'])} جنيه"), its["reply"]
    assert say("apartment in new cairo under 9m")["listings"] == cards
    price = say("بكام؟")
    assert price["tool_calls"] == [] and price["reply"].startswith("سعر كل واحدة مكتوب في السطر بتاعها فوق.")
    third = say("التالتة")
    [call] = third["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[2]["id"])
    assert third["reply"].startswith(f"سعرها {egp(cards[2]['price'])} جنيه")


def test_when_delivery_asked_of_none_named_asks_which_and_the_pick_answers_it(api: httpx.Client) -> None:
    first, say = listed(api, "3 bedroom apartment in new cairo")
    cards = first["listings"]
    which = say("when is delivery?")
    assert which["tool_calls"] == [] and which["reply"].startswith("Each one's delivery"), which["reply"]
    second = say("the second")
    [call] = second["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[1]["id"])
    due = cards[1]
    said = (
        "It is ready to move in now." if due["is_delivered"] else f"It is due for delivery in {due['delivery_year']}."
    )
    assert second["reply"].splitlines()[0] == said, second["reply"]
    # Then, of the one the conversation is on: when again in Arabic, and how long its instalments run.
    again = say("هتتسلم امتى؟")
    assert [c["arguments"]["property_id"] for c in again["tool_calls"]] == [cards[1]["id"]], again
    plan = say("التقسيط على كام سنة؟")
    [call] = plan["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[1]["id"])
    years = (due.get("payment_plan") or {}).get("installment_years")
    assert (f"{years}" in plan["reply"].splitlines()[0]) if years else ("كاش" in plan["reply"].splitlines()[0]), plan


def test_a_plan_asked_of_none_named_asks_which_and_a_question_of_it_after_nothing_shown_refines(
    api: httpx.Client,
) -> None:
    first, say = listed(api, "2 bedroom apartment in Madinaty")
    cards = first["listings"]
    which = say("المقدم كام؟")
    assert which["tool_calls"] == [] and which["reply"].startswith("المقدم والأقساط (أو كاش بس) لكل واحدة"), which
    third = say("the third")
    [call] = third["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("get_property", cards[2]["id"])
    assert third["reply"].startswith("Its payment plan: "), third["reply"]
    # A search that showed nothing, then "feha ta2seet?": no "it" to ask, that search with instalments.
    empty = chat(api, "villa in Madinaty under 2 million").json()
    assert empty["listings"] == [], empty
    refined = chat(api, "feha ta2seet?", empty["session_secret"], session_id=empty["session_id"]).json()
    [call] = refined["tool_calls"]
    assert call["name"] == "search_properties" and call["arguments"]["query"].startswith("villa in Madinaty"), call
    assert call["result"]["applied_filters"].get("is_cash_only") is False, call["result"]["applied_filters"]


def test_renting_out_the_home_just_valued_gives_its_yield(api: httpx.Client) -> None:
    first = chat(api, "عندي شقة في مدينة نصر 140 متر عايز ابيعها بكام").json()
    [valuation] = first["tool_calls"]
    assert valuation["name"] == "run_valuation", first
    estimate = valuation["result"]["estimate"]
    body = chat(api, "وقد ايه لو أجرتها؟", first["session_secret"], session_id=first["session_id"]).json()
    [roi] = body["tool_calls"]
    assert (roi["name"], roi["arguments"]) == ("calculate_investment_roi", {"property_price": estimate}), body
    assert f"{egp(estimate)} جنيه" in body["reply"] and "افتراضي" in body["reply"], body["reply"]


def test_show_me_more_and_cheaper_continue_the_last_search(api: httpx.Client) -> None:
    first = chat(api, "apartment in new cairo under 9m").json()
    session, secret = first["session_id"], first["session_secret"]
    shown = {card["id"] for card in first["listings"]}
    assert len(shown) == 5, first
    more = chat(api, "show me more", secret, session_id=session).json()
    [call] = more["tool_calls"]
    assert call["arguments"]["exclude_ids"] == [card["id"] for card in first["listings"]], call
    assert more["reply"].startswith("More that match the same search:"), more["reply"]
    cards = more["listings"]
    assert cards and not shown & {card["id"] for card in cards}
    assert all(card["type"] == "Apartment" and card["price"] <= 9_000_000 for card in cards), cards
    cheapest_shown = min(card["price"] for card in cards)
    cheaper = chat(api, "فيه حاجة ارخص؟", secret, session_id=session).json()
    assert cheaper["tool_calls"][0]["arguments"]["max_price"] == cheapest_shown - 1, cheaper["tool_calls"]
    assert cheaper["listings"] and all(card["price"] < cheapest_shown for card in cheaper["listings"]), cheaper
    assert cheaper["reply"].startswith("دي وحدات أرخص بنفس المواصفات:"), cheaper["reply"]


def test_a_change_keeps_everything_else_the_last_search_asked(api: httpx.Client) -> None:
    first = chat(api, "3 bedroom apartment in new cairo under 8m").json()
    session, secret = first["session_id"], first["session_secret"]
    moved = chat(api, "و في المعادي؟", secret, session_id=session).json()
    assert moved["listings"], moved
    assert all((card["type"], card["location"], card["bedrooms"]) == ("Apartment", "Maadi", 3)
               and card["price"] <= 8_000_000 for card in moved["listings"]), moved["listings"]  # fmt: skip
    ready = chat(api, "only ready to move", secret, session_id=session).json()
    assert ready["listings"], ready
    for card in ready["listings"]:
        assert (card["location"], card["bedrooms"]) == ("Maadi", 3) and card["price"] <= 8_000_000, card
        assert api.get(f"/api/properties/{card['id']}").json()["is_delivered"], card


def test_a_change_to_the_last_calculation_computes_it_again(api: httpx.Client) -> None:
    first = chat(api, "مرتبي 40 الف اقدر اشتري شقة بكام؟").json()
    session, secret = first["session_id"], first["session_secret"]
    [loan] = first["tool_calls"]
    assert (loan["name"], loan["arguments"]) == ("calculate_mortgage", {"monthly_income": 40_000}), first
    # "how much can I buy?" is a price: the largest loan with the usual 20% down on top
    borrowed, down = loan["result"]["loan_amount"], loan["result"]["down_payment"]
    assert down == pytest.approx((borrowed + down) * 0.2, abs=2)
    assert f"ومع مقدم {egp(down)} جنيه، ده يشتريلك وحدة لحد {egp(borrowed + down)} جنيه." in first["reply"], first
    # ... and, as an if, what the subsidised programme 40,000 a month qualifies for would buy (its price limit)
    reach = loan["result"]["affordability"]["subsidised"]
    assert reach["programme"]["id"] == "cbe_2019_middle_income" and reach["max_price"] > borrowed + down, reach
    assert f"دخلك يشتري وحدة لحد {egp(reach['max_price'])} جنيه" in first["reply"], first["reply"]
    longer = chat(api, "ولو على 20 سنة؟", secret, session_id=session).json()
    [again] = longer["tool_calls"]
    assert (again["name"], again["arguments"]) == ("calculate_mortgage", {"monthly_income": 40_000, "years": 20})
    # The same payment over twice the years borrows more.
    assert again["result"]["loan_amount"] > loan["result"]["loan_amount"], (again, loan)
    assert f"{egp(again['result']['loan_amount'])} جنيه لمدة 20 سنة" in longer["reply"], longer["reply"]
    # "ومرتب مراتي 25 الف؟": the two incomes together (not a price, nor "مراتي" read as Marassi), then a lower rate.
    joint = chat(api, "ومرتب مراتي 25 الف؟", secret, session_id=session).json()
    [both] = joint["tool_calls"]
    assert (both["name"], both["arguments"]) == ("calculate_mortgage", {"monthly_income": 65_000, "years": 20}), joint
    assert both["result"]["loan_amount"] > again["result"]["loan_amount"]
    assert joint["reply"].splitlines()[0] == "دخلكم مع بعض: 65,000 جنيه في الشهر.", joint["reply"]
    cheaper = chat(api, "what if the interest rate was 18%?", secret, session_id=session).json()
    [rate] = cheaper["tool_calls"]
    assert rate["arguments"] == {"monthly_income": 65_000, "years": 20, "annual_rate_pct": 18.0}, rate
    assert rate["result"]["loan_amount"] > both["result"]["loan_amount"] and "18%" in cheaper["reply"], cheaper
    # "in that budget": the price that loan puts within reach.
    shown = chat(api, "show me apartments in that budget in Nasr City", secret, session_id=session).json()
    [search] = shown["tool_calls"]
    reach = int(rate["result"]["loan_amount"] + (rate["result"].get("down_payment") or 0))
    assert search["arguments"]["max_price"] == reach and search["arguments"]["location"] == "Nasr City", search


def test_a_yes_to_the_listings_closing_question_compares_two_or_asks_which(api: httpx.Client) -> None:
    # The closing question after listings is one of three, by the turn's key: each asked until both kinds are seen.
    seen: dict[str, str] = {}
    for n in range(30):
        listed = chat(api, "villas in Sheikh Zayed", headers={"Idempotency-Key": f"closing-{uuid.uuid4().hex}-{n}"})
        body = listed.json()
        kind = ("which" if body["reply"].endswith("I can check its availability or work out the mortgage.") else
                "compare" if body["reply"].endswith(("compare two side by side?", "a comparison of two of them?"))
                else None)  # fmt: skip
        if kind is None or kind in seen:
            continue
        yes = chat(api, "yes", body["session_secret"], session_id=body["session_id"]).json()
        if kind == "compare":  # the first two side by side, each plan costed
            [call] = yes["tool_calls"]
            ids = [card["id"] for card in body["listings"][:2]]
            assert (call["name"], call["arguments"]["property_ids"]) == ("compare_units", ids), yes["reply"]
        else:  # which one, and what to do with it
            assert yes["tool_calls"] == [] and yes["reply"].startswith("Which one? Tell me its number"), yes["reply"]
        seen[kind] = yes["reply"]
        if len(seen) == 2:
            break
    assert set(seen) == {"which", "compare"}, seen


def test_a_yes_makes_what_the_last_reply_offered_and_afford_keeps_to_the_mortgage(api: httpx.Client) -> None:
    figures = chat(api, "villa prices in sheikh zayed").json()
    session, secret = figures["session_id"], figures["session_secret"]
    assert figures["tool_calls"][0]["name"] == "check_market_trends"
    assert figures["reply"].endswith("Shall I show you listings there?")
    shown = chat(api, "yes please", secret, session_id=session).json()
    [search] = shown["tool_calls"]
    assert (search["name"], search["arguments"]["location"], search["arguments"]["property_type"]) == (
        "search_properties", "Sheikh Zayed", "Villa")  # fmt: skip
    assert shown["listings"] and {c["location"] for c in shown["listings"]} == {"Sheikh Zayed"}
    assert {c["type"] for c in shown["listings"]} == {"Villa"}

    # After a mortgage on a price: "what can I afford" in a place is within that price, and "and with 30% down on
    # a 6M apartment?" is the mortgage again, on that price.
    loan = chat(api, "mortgage on a 5M apartment with 20% down").json()
    session, secret = loan["session_id"], loan["session_secret"]
    assert loan["tool_calls"][0]["name"] == "calculate_mortgage"
    afford = chat(api, "show me apartments I can afford in new cairo", secret, session_id=session).json()
    [search] = afford["tool_calls"]
    assert search["name"] == "search_properties" and search["arguments"]["max_price"] == 5_000_000
    assert afford["listings"] and all(c["price"] <= 5_000_000 for c in afford["listings"])
    chat(api, "mortgage on a 5M apartment with 20% down", secret, session_id=session)
    again = chat(api, "and with 30% down on a 6M apartment?", secret, session_id=session).json()
    [call] = again["tool_calls"]
    assert call["name"] == "calculate_mortgage" and call["arguments"]["property_price"] == 6_000_000
    assert call["arguments"]["down_payment_pct"] == 30


def test_a_mortgage_on_a_listing_keeps_the_conversation_on_it_and_offers_its_viewing(api: httpx.Client) -> None:
    first = chat(api, "apartments in New Cairo under 8 million").json()
    session, secret = first["session_id"], first["session_secret"]
    second = first["listings"][1]
    loan = chat(api, "what's the monthly on the second one with 20% down over 10 years?", secret,
                session_id=session).json()  # fmt: skip
    [call] = loan["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"]) == ("calculate_mortgage", second["id"])
    assert call["result"]["property_price"] == second["price"] and loan["reply"].endswith("Shall we book a viewing?")
    again = chat(api, "and with 30% down?", secret, session_id=session).json()
    [call] = again["tool_calls"]
    assert call["arguments"]["property_id"] == second["id"] and call["result"]["down_payment"] == round(
        second["price"] * 0.3)  # fmt: skip
    # The viewing offered, and "is it available?", are of the second listing, not of the first shown
    yes = chat(api, "yes", secret, session_id=session).json()
    assert [(c["name"], c["arguments"]["property_id"]) for c in yes["tool_calls"]] == [
        ("schedule_viewing", second["id"])]  # fmt: skip
    available = chat(api, "is it still available?", secret, session_id=session).json()
    assert [c["arguments"]["property_id"] for c in available["tool_calls"]] == [second["id"]]
    # A mortgage on a price said offers listings at it, as before
    said = chat(api, "mortgage on a 5M apartment with 20% down").json()
    assert said["reply"].endswith("Shall I look for listings within that budget?"), said["reply"]


def test_can_i_pay_over_a_term_is_answered_of_the_listing_named_not_searched(api: httpx.Client) -> None:
    first = chat(api, "apartments in New Cairo under 8 million").json()
    session, secret = first["session_id"], first["session_secret"]
    second = first["listings"][1]
    asked = chat(api, "what about the second one, can I pay it in installments over 25 years?", secret,
                 session_id=session).json()  # fmt: skip
    [call] = asked["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"], call["result"]["years"]) == (
        "calculate_mortgage", second["id"], 25)  # fmt: skip
    # No listing runs a 25-year plan: the reply says why a bank loan answers it before the loan's sums
    reasons = ("It is sold for cash only", "Its own instalment plan is shorter", "Its listing")
    assert asked["reply"].startswith(reasons), asked["reply"]
    assert f"{call['result']['monthly_payment']:,}" in asked["reply"]
    # "can I pay it ...?" of the listing the conversation is now on is the same question, of it
    again = chat(api, "can I pay it over 20 years?", secret, session_id=session).json()
    assert [(c["name"], c["arguments"]["property_id"], c["result"]["years"]) for c in again["tool_calls"]] == [
        ("calculate_mortgage", second["id"], 20)]  # fmt: skip


def test_a_viewing_or_a_reservation_of_none_named_after_a_list_asks_which_and_the_pick_makes_it(
    api: httpx.Client,
) -> None:
    first, say = listed(api, "apartments in New Cairo under 8 million")
    cards = first["listings"]
    which = say("can we see it on Saturday at 5?")
    assert which["tool_calls"] == [] and which["reply"].startswith("Which one would you like to view?"), which
    picked = say("the second")
    [call] = picked["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"], call["arguments"]["time"]) == (
        "schedule_viewing", cards[1]["id"], "17:00")  # fmt: skip
    assert date.fromisoformat(call["arguments"]["day"]).weekday() == 5  # the Saturday asked for
    again = say("apartments in New Cairo under 8 million")
    assert again["listings"] == cards
    which = say("احجزها")
    assert which["tool_calls"] == [] and which["reply"].startswith("أنهي واحدة تحب تحجزها؟"), which
    picked = say("التالتة")
    assert [(c["name"], c["arguments"]["property_id"]) for c in picked["tool_calls"]] == [
        ("reserve_property", cards[2]["id"])]  # fmt: skip


def test_a_garden_the_cheaper_one_and_the_one_listing_shown_are_answered_of_what_the_listings_say(
    api: httpx.Client,
) -> None:
    first = chat(api, "I'm looking for a villa in Sheikh Zayed for my family, budget 25 million").json()
    session, secret = first["session_id"], first["session_secret"]
    # A listing states a garden, never its size: those with one, not the biggest home named as the biggest garden
    garden = chat(api, "which one has the biggest garden?", secret, session_id=session).json()
    assert garden["reply"].startswith("Listings say whether there is a garden, not how big it is."), garden["reply"]
    assert garden["listings"] and all("garden" in card["features"] for card in garden["listings"])
    two = chat(api, "compare the first two", secret, session_id=session).json()
    [compared] = two["tool_calls"]
    cards = {card["id"]: card for card in two["listings"]}
    cheaper = min(compared["arguments"]["property_ids"], key=lambda ref: cards[ref]["price"])
    ready = chat(api, "the cheaper one, is it ready?", secret, session_id=session).json()
    assert [(c["name"], c["arguments"]["property_id"]) for c in ready["tool_calls"]] == [("get_property", cheaper)]
    said = ("Yes: it is ready to move in." if cards[cheaper]["is_delivered"]
            else f"No: it is due for delivery in {cards[cheaper]['delivery_year']}.")  # fmt: skip
    assert ready["reply"].startswith(said), ready["reply"]
    # A search that shows one listing: "the monthly" is on it, not on the budget searched under
    [low, high] = api.get("/api/properties", params={"location": "Sheikh Zayed", "type": "Villa", "order": "price_asc",
                                                      "limit": 2}).json()["results"]  # fmt: skip
    assert low["price"] < high["price"]
    ceiling = (low["price"] + high["price"]) // 2
    one = chat(api, f"villas in Sheikh Zayed under {ceiling:,} EGP", secret, session_id=session).json()
    assert [card["id"] for card in one["listings"]] == [low["id"]], one["reply"]
    loan = chat(api, "what would the monthly be over 7 years with 25% down?", secret, session_id=session).json()
    [call] = loan["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"], call["result"]["property_price"]) == (
        "calculate_mortgage", low["id"], low["price"])  # fmt: skip
    # ... and "this villa" (a type said of it) in Arabic, rented in the summer: its yield, and what a summer let needs
    chat(api, f"villas in Sheikh Zayed under {ceiling:,} EGP", secret, session_id=session)
    summer = chat(api, "الفيلا دي هتتأجر بكام في الصيف؟", secret, session_id=session).json()
    [call] = summer["tool_calls"]
    assert (call["name"], call["arguments"]["property_id"], call["result"]["property_price"]) == (
        "calculate_investment_roi", low["id"], low["price"])  # fmt: skip
    assert "لو هتأجرها في الصيف بس، قولي الإيجار الشهري" in summer["reply"], summer["reply"]


def test_it_after_a_comparison_that_named_the_one_asked_for_is_that_one(api: httpx.Client) -> None:
    first = chat(api, "show me apartments in the new capital with installments over 10 years").json()
    session, secret = first["session_id"], first["session_secret"]
    compared = chat(api, "which has the lowest monthly?", secret, session_id=session).json()
    [call] = compared["tool_calls"]
    winner = call["result"]["comparison"]["winners"]["lowest_monthly"]
    place = [unit["id"] for unit in call["result"]["comparison"]["units"]].index(winner) + 1
    assert compared["reply"].startswith(f"Of these, lowest monthly: number {place} ("), compared["reply"]
    assert compared["reply"].endswith("Shall I check it is still available?")
    viewing = chat(api, "book a viewing for it", secret, session_id=session).json()
    assert [(c["name"], c["arguments"]["property_id"]) for c in viewing["tool_calls"]] == [
        ("schedule_viewing", winner)]  # fmt: skip
    chat(api, "which has the lowest monthly?", secret, session_id=session)
    yes = chat(api, "yes", secret, session_id=session).json()
    assert [(c["name"], c["arguments"]["property_id"]) for c in yes["tool_calls"]] == [("check_availability", winner)]


def test_a_buyers_general_questions_are_answered_whole_and_searched_when_listings_are_asked_for(
    api: httpx.Client,
) -> None:
    for message, guide, language in (
        ("what's the difference between buying off-plan and ready to move?", "guide_off_plan", "en"),
        ("ايه مخاطر الاوف بلان؟", "guide_off_plan_risks", "ar"),
        ("how do I know the developer is reliable?", "guide_developer", "en"),
        ("ازاي اسجل الشقة في الشهر العقاري؟", "guide_registration", "ar"),
        ("I'm a first-time buyer, where do I start?", "guide_start", "en"),
    ):
        body = chat(api, message).json()
        assert body["tool_calls"] == [] and body["listings"] == [], body
        # whole: no sentence of it cut by the grounding gate
        assert body["reply"].startswith(SMALLTALK[guide][language][0]), body["reply"]
    # Money said, then "what areas can I afford?": the places side by side within that budget
    money = chat(api, "I have around 3 million").json()
    areas = chat(api, "what areas can I afford?", money["session_secret"], session_id=money["session_id"]).json()
    [call] = areas["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {"max_price": 3_300_000}), call
    assert call["result"]["by_location"] and call["result"]["max_price"] <= 3_300_000
    shown = chat(api, "I want a ready apartment in Maadi, not off plan").json()
    assert [c["name"] for c in shown["tool_calls"]] == ["search_properties"] and shown["listings"]
    assert all(card["is_delivered"] for card in shown["listings"])


def test_questions_of_the_listing_just_detailed_are_answered_without_its_details_again(api: httpx.Client) -> None:
    first = chat(api, "I'm looking for a villa with a pool in Sheikh Zayed").json()
    session, secret = first["session_id"], first["session_secret"]
    card = first["listings"][0]
    baths = chat(api, "how many bathrooms does the first have?", secret, session_id=session).json()
    assert card["title"] in baths["reply"] and "Details:" in baths["reply"], baths["reply"]  # the first time, all
    for question in ("what floor?", "how old is the building?"):
        again = chat(api, question, secret, session_id=session).json()
        assert [(c["name"], c["arguments"]["property_id"]) for c in again["tool_calls"]] == [
            ("get_property", card["id"])
        ]
        assert "Details:" not in again["reply"] and card["title"] not in again["reply"], again["reply"]
        assert again["reply"].endswith("Anything else you would like to know about it?"), again["reply"]
    listing = api.get(f"/api/properties/{card['id']}").json()
    said = (f"It was delivered in {listing['delivery_year']}." if listing["is_delivered"] and listing["delivery_year"]
            else "Its listing does not say when it was built; it is ready to move in." if listing["is_delivered"]
            else f"It is not built yet: it is due for delivery in {listing['delivery_year']}.")  # fmt: skip
    assert again["reply"].startswith(said), again["reply"]


def test_what_a_bedroom_count_usually_costs_is_its_figures_then_its_listings(api: httpx.Client) -> None:
    first = chat(api, "how much is a 3 bedroom apartment in New Cairo usually?").json()
    session, secret = first["session_id"], first["session_secret"]
    [call] = first["tool_calls"]
    wanted = {"location": "New Cairo", "property_type": "Apartment", "bedrooms": 3}
    assert (call["name"], call["arguments"]) == ("check_market_trends", wanted)
    stats = api.get("/api/market/stats", params={"location": "New Cairo", "type": "Apartment", "bedrooms": 3}).json()
    assert 0 < stats["count"] < api.get("/api/market/stats", params={"location": "New Cairo", "type": "Apartment"}
                                         ).json()["count"]  # fmt: skip
    assert first["reply"].startswith(
        f"3-bedroom apartments in New Cairo: {stats['count']} listings, median EGP {stats['median_price_per_sqm']:,.0f}"
    ), first["reply"]
    two = chat(api, "and 2 bedrooms?", secret, session_id=session).json()
    assert [(c["name"], c["arguments"]["bedrooms"]) for c in two["tool_calls"]] == [("check_market_trends", 2)]
    assert two["reply"].startswith("2-bedroom apartments in New Cairo:"), two["reply"]
    shown = chat(api, "yes please", secret, session_id=session).json()
    [search] = shown["tool_calls"]
    assert search["name"] == "search_properties" and search["arguments"]["bedrooms"] == 2
    assert shown["listings"] and {(c["bedrooms"], c["location"]) for c in shown["listings"]} == {(2, "New Cairo")}
    # "show me some in Sheikh Zayed": some of those, the 2-bedroom apartments, there
    some = chat(api, "ok show me some in Sheikh Zayed under 20 million", secret, session_id=session).json()
    [search] = some["tool_calls"]
    assert search["arguments"]["bedrooms"] == 2 and search["arguments"]["location"] == "Sheikh Zayed"
    assert some["listings"] and {(c["type"], c["bedrooms"]) for c in some["listings"]} == {("Apartment", 2)}


def test_which_area_sets_the_markets_places_side_by_side(api: httpx.Client) -> None:
    answer = chat(api, "which area is best to invest in?").json()
    [call] = answer["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {})
    places = call["result"]["by_location"]
    assert len(places) > 3 and sum(p["count"] for p in places) <= call["result"]["count"]
    first = places[0]
    assert f"- {first['location']}: {egp(first['count'])} listings, EGP {egp(first['median_price_per_sqm'])}/m²" in (
        answer["reply"])  # fmt: skip
    assert "Today's prices promise nothing about tomorrow's." in answer["reply"]
    # The whole market has no "there": which of its places, and the budget, are asked for
    assert answer["reply"].endswith(
        "Tell me which of these places interests you and your budget, and I will show you listings there."
    )
    arabic = chat(api, "انهي منطقة احسن للفلل؟").json()
    [call] = arabic["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {"property_type": "Villa"})
    assert f"- {call['result']['by_location'][0]['location_ar']}:" in arabic["reply"]
    assert arabic["reply"].endswith("قولي أنهي منطقة من دول تهمك وميزانيتك، وأنا أوريك الوحدات اللي فيها.")


def test_two_places_asked_which_is_better_are_set_side_by_side_and_a_yes_shows_listings_in_both(
    api: httpx.Client,
) -> None:
    answer = chat(api, "التجمع ولا زايد احسن؟").json()
    [call] = answer["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {"places": ["New Cairo", "Sheikh Zayed"]})
    stats = api.get("/api/market/stats", params={"places": ["New Cairo", "Sheikh Zayed"]}).json()
    figures = {p["location"]: p for p in stats["by_location"]}
    assert set(figures) == {"New Cairo", "Sheikh Zayed"} and stats["count"] == call["result"]["count"]
    for place in figures.values():
        line = f"- {place['location_ar']}: {egp(place['count'])} وحدة، {egp(round(place['median_price_per_sqm']))}"
        assert f"{line} جنيه للمتر" in answer["reply"], answer["reply"]
    cheap, dear = sorted(figures.values(), key=lambda p: p["median_price_per_sqm"])
    gap = round((round(dear["median_price_per_sqm"]) / round(cheap["median_price_per_sqm"]) - 1) * 100)
    said = (f"سعر المتر في {cheap['location_ar']} أقل من {dear['location_ar']} بحوالي {gap}%" if gap >= 3 else
            "سعر المتر تقريبًا واحد")  # fmt: skip
    assert said in answer["reply"], answer["reply"]
    assert answer["reply"].endswith("تحب أوريك وحدات في المناطق دي؟")
    # A yes: listings of both places, in turn.
    shown = chat(api, "ايوه", answer["session_secret"], session_id=answer["session_id"]).json()
    [search] = shown["tool_calls"]
    assert search["name"] == "search_properties", search
    assert {card["location"] for card in shown["listings"]} == {"New Cairo", "Sheikh Zayed"}
    # "Which area is better?" right after a search over two places: those two, of its type and within its budget.
    searched = chat(api, "apartment in new cairo or zayed under 8 million").json()
    after = chat(api, "which area is better?", searched["session_secret"], session_id=searched["session_id"]).json()
    [call] = after["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {
        "places": ["New Cairo", "Sheikh Zayed"], "property_type": "Apartment", "max_price": 8_000_000})  # fmt: skip
    assert "Your budget buys the most space in:" in after["reply"] and "A square metre costs" in after["reply"]


def test_which_area_for_a_budget_is_what_it_buys_in_each_place_and_a_yes_shows_those_listings(
    api: httpx.Client,
) -> None:
    first = chat(api, "ايه احسن منطقة اشتري فيها شقة بـ 4 مليون؟")
    assert first.status_code == 200, first.text
    answer = first.json()
    [call] = answer["tool_calls"]
    assert (call["name"], call["arguments"]) == ("check_market_trends", {"property_type": "Apartment",
                                                                        "max_price": 4_000_000})  # fmt: skip
    result = call["result"]
    assert result["budget"] == 4_000_000 and 0 < result["count"] and result["max_price"] <= 4_000_000
    place = result["by_location"][0]
    assert place["median_size_sqm"] > 0
    assert f"- {place['location_ar']}: " in answer["reply"] and f"في المتوسط {egp(place['median_size_sqm'])} متر" in (
        answer["reply"])  # fmt: skip
    assert "ميزانيتك بتجيب أكبر مساحة في:" in answer["reply"]
    session, secret = answer["session_id"], answer["session_secret"]
    # A higher budget: the same places' figures under it
    more = chat(api, "وب 6 مليون؟", secret, session_id=session).json()
    [call] = more["tool_calls"]
    assert call["arguments"] == {"property_type": "Apartment", "max_price": 6_000_000}
    assert call["result"]["count"] > result["count"]
    # A yes: the listings within that budget
    shown = chat(api, "ايوه", secret, session_id=session).json()
    [search] = shown["tool_calls"]
    assert search["name"] == "search_properties" and search["arguments"]["max_price"] == 6_000_000
    assert shown["listings"] and all(c["price"] <= 6_000_000 and c["type"] == "Apartment" for c in shown["listings"])
