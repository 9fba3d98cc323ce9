"""Saved searches and alerts through the gateway: a signed-in buyer saves a search (API and chat), ingests trigger
the matching, new matches and price drops on listings they were shown reach them once in a digest at most once a
period (two replicas and the stack's agent racing), and the signed link in the digest unsubscribes."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
import pytest

from devstack.envfile import read_env_file
from devstack.fakes import FakeOpenAI, Reply, ToolCall
from devstack.stack import LocalStack
from devstack.testing import admin_headers, read_outbox, user_headers

pytestmark = pytest.mark.stack

SAVED = "4 bedroom villa in Sheikh Zayed under 50 million"


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
        yield client


@dataclass
class Buyer:
    id: str
    email: str
    headers: dict[str, str]


def a_buyer(stack: LocalStack, api: httpx.Client, label: str) -> Buyer:
    headers = user_headers(stack, label)
    me = api.get("/api/auth/me", headers=headers).json()
    return Buyer(me["id"], me["email"], headers)


def verified_phone(stack: LocalStack, buyer: Buyer) -> str:
    """A phone verified by its one-time code, from an address of its own (the auth tests use 127.0-250.x.x)."""
    phone = f"+2012{random.randint(10_000_000, 99_999_999)}"
    address = f"127.{random.randint(251, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    transport = httpx.HTTPTransport(local_address=address)
    with httpx.Client(transport=transport, base_url=stack.config.public_url, timeout=30) as client:
        sent = client.post(
            "/api/auth/otp/send", json={"phone": phone, "purpose": "verify_phone"}, headers=buyer.headers
        )
        assert sent.status_code == 200, sent.text
        code = re.search(r"\b(\d{6})\b", read_outbox(stack, phone)[0]["body"])
        assert code
        body = {"phone": phone, "code": code[1], "purpose": "verify_phone"}
        verified = client.post("/api/auth/phone/verify", json=body, headers=buyer.headers)
        assert verified.status_code == 200, verified.text
    return phone


def _tag() -> str:
    return "".join(random.choice("bcdfghjklmnpqrstvwxz") for _ in range(10))


def villa(tag: str, n: int, price: int, location: str = "Sheikh Zayed", kind: str = "Villa", rooms: int = 4) -> dict:
    return {"id": f"AL-{tag}-{n}", "title": f"Alert {kind.lower()} {tag} {n}", "type": kind, "location": location,
            "price": price, "size": 350, "bedrooms": rooms}  # fmt: skip


def digests(stack: LocalStack, buyer: Buyer) -> list[dict[str, Any]]:
    return [m for m in read_outbox(stack, buyer.email) if (m["subject"] or "").startswith("Osool: ")][::-1]


def wait_for(check: Any, seconds: float = 40) -> Any:
    deadline = time.monotonic() + seconds
    while not (found := check()) and time.monotonic() < deadline:
        time.sleep(0.3)
    return found


def test_a_buyer_saves_searches_and_only_they_can_change_them(
    stack: LocalStack, api: httpx.Client, agent_factory: Any
) -> None:
    assert api.post("/api/saved-searches", json={"query": SAVED}).status_code == 401
    buyer = a_buyer(stack, api, "saver")
    made = api.post("/api/saved-searches", json={"query": SAVED}, headers=buyer.headers)
    assert made.status_code == 201, made.text
    saved = made.json()
    assert saved["filters"] == {"property_types": ["Villa"], "bedrooms": 4, "locations": ["Sheikh Zayed"],
                                "max_price": 50_000_000}  # fmt: skip
    assert (saved["channel"], saved["language"], saved["active"]) == ("email", "en", True)
    again = api.post("/api/saved-searches", json={"query": SAVED.upper()}, headers=buyer.headers)
    assert again.status_code == 200 and again.json()["id"] == saved["id"]

    arabic = api.post("/api/saved-searches", json={"query": "شقة ٣ غرف في التجمع الخامس بأقل من ٨ مليون"},
                      headers=buyer.headers).json()  # fmt: skip
    assert arabic["language"] == "ar" and arabic["filters"]["locations"] == ["New Cairo"]
    assert arabic["filters"]["max_price"] == 8_000_000

    for body, field in (({"query": "something nice please"}, "query"), ({"query": SAVED, "channel": "sms"}, "SMS"),
                        ({"query": "x"}, "query"), ({"query": SAVED, "extra": 1}, "extra"),
                        ({"query": SAVED, "channel": "pigeon"}, "channel")):  # fmt: skip
        refused = api.post("/api/saved-searches", json=body, headers=buyer.headers)
        assert refused.status_code == 422, (body, refused.text)
        assert field in str(refused.json()["error"]), refused.text

    listed = api.get("/api/saved-searches", headers=buyer.headers).json()["items"]
    assert [s["id"] for s in listed] == [arabic["id"], saved["id"]]

    other = a_buyer(stack, api, "other-saver")
    assert api.get("/api/saved-searches", headers=other.headers).json()["items"] == []
    path = f"/api/saved-searches/{saved['id']}"
    assert api.patch(path, json={"active": False}, headers=other.headers).status_code == 404
    assert api.delete(path, headers=other.headers).status_code == 404
    no_phone = api.patch(path, json={"channel": "sms"}, headers=buyer.headers)
    assert no_phone.status_code == 422 and no_phone.json()["error"]["code"] == "phone_required", no_phone.text
    off = api.patch(path, json={"active": False}, headers=buyer.headers)
    assert off.status_code == 200 and off.json()["active"] is False
    assert api.delete(path, headers=buyer.headers).status_code == 204
    assert [s["id"] for s in api.get("/api/saved-searches", headers=buyer.headers).json()["items"]] == [arabic["id"]]
    assert api.delete(path, headers=buyer.headers).status_code == 404

    # A buyer keeps a bounded number (this agent allows two).
    agent = agent_factory(SAVED_SEARCHES_PER_USER="2")
    second = httpx.post(f"{agent.url}/api/saved-searches", json={"query": "villa in New Capital"},
                        headers=buyer.headers, timeout=30)  # fmt: skip
    assert second.status_code == 201, second.text
    third = httpx.post(f"{agent.url}/api/saved-searches", json={"query": "chalet in North Coast"},
                       headers=buyer.headers, timeout=30)  # fmt: skip
    assert third.status_code == 409 and third.json()["error"]["code"] == "conflict"


def test_matches_and_price_drops_reach_the_buyer_once_a_period_and_the_link_unsubscribes(
    stack: LocalStack, api: httpx.Client, agent_factory: Any
) -> None:
    window = 20.0  # seconds between two digests to one buyer (a day in production)
    replicas = [agent_factory(ALERT_CHECK_SECONDS="0.5", ALERT_DIGEST_HOURS=str(window / 3600)) for _ in range(2)]
    env = read_env_file(stack.config.env_file)

    def cursor() -> Any:
        with psycopg.connect(env["DATABASE_URL"]) as connection:
            return connection.execute("SELECT last_seq FROM agent.alert_cursor").fetchone()

    assert wait_for(cursor, 20), "the matching never started"
    admin = admin_headers(stack, "alerts-admin")
    buyer = a_buyer(stack, api, "alerted")
    tag = _tag()
    shown = villa(tag, 0, 15_000_000, location="New Capital", rooms=3)
    assert api.post("/api/properties/ingest", json=[shown], headers=admin).json()["inserted"] == 1
    # The buyer is shown that villa in a chat (the lead records it), then saves a search it does not match.
    chat = api.post("/api/chat", json={"message": f"villa {tag} in New Capital"},
                    headers={**buyer.headers, "Accept": "application/json"}).json()  # fmt: skip
    shown_id = next(card["id"] for card in chat["listings"] if tag in card["title"])
    saved = api.post("/api/saved-searches", json={"query": SAVED}, headers=buyer.headers).json()
    # Another buyer, by SMS and in Arabic, for the same villas.
    texter = a_buyer(stack, api, "sms-alerted")
    phone = verified_phone(stack, texter)
    arabic = "فيلا ٤ غرف في الشيخ زايد بأقل من ٥٠ مليون"
    by_sms = api.post("/api/saved-searches", json={"query": arabic, "channel": "sms"}, headers=texter.headers)
    assert by_sms.status_code == 201 and by_sms.json()["filters"] == saved["filters"], by_sms.text

    batch = [villa(tag, 1, 30_000_000), villa(tag, 2, 45_000_000), villa(tag, 3, 60_000_000),
             villa(tag, 4, 10_000_000, kind="Apartment"), {**shown, "price": 13_500_000}]  # fmt: skip
    report = api.post("/api/properties/ingest", json=batch, headers=admin).json()
    assert (report["inserted"], report["updated"]) == (4, 1), report

    [first] = wait_for(lambda: digests(stack, buyer), 90)
    body = first["body"]
    assert first["subject"] == "Osool: 3 new listing alerts", first
    assert f"Alert villa {tag} 1: 30,000,000 EGP ({SAVED})" in body and f"Alert villa {tag} 2: 45,000,000" in body
    assert f"Alert villa {tag} 3" not in body and f"Alert apartment {tag} 4" not in body  # over budget; not a villa
    assert "Price drops on listings you were shown:" in body
    assert f"Alert villa {tag} 0: 13,500,000 EGP (was 15,000,000)" in body
    assert f"/listings/{shown_id}" in body  # the web client's listing page
    [sms] = wait_for(lambda: [m for m in read_outbox(stack, phone) if "أسول" in m["body"]], 90)
    assert sms["channel"] == "sms" and "2 وحدة جديدة و0 تخفيض سعر" in sms["body"], sms
    assert f"Alert villa {tag} 1 30,000,000 EGP" in sms["body"] and "/alerts/unsubscribe?token=" in sms["body"]
    assert not [m for m in read_outbox(stack, texter.email) if (m["subject"] or "").startswith("Osool")]

    # Within the period a new match waits; after it, it comes alone. The replicas never send one twice.
    assert api.post("/api/properties/ingest", json=[villa(tag, 5, 20_000_000)], headers=admin).json()["inserted"] == 1
    time.sleep(3)  # matched by now (a replica checks every 0.5 s), and held for the next digest
    assert len(digests(stack, buyer)) == 1
    found = wait_for(lambda: len(m := digests(stack, buyer)) >= 2 and m, 90)
    assert found, "the second digest never came"
    second = found[1]
    assert f"Alert villa {tag} 5: 20,000,000" in second["body"] and f"Alert villa {tag} 1" not in second["body"]
    assert second["subject"] == "Osool: 1 new listing alert"
    time.sleep(2)
    assert len(digests(stack, buyer)) == 2
    alerts = api.get("/api/saved-searches/alerts", headers=buyer.headers).json()["items"]
    assert sorted((a["kind"], a["title"].split()[-1]) for a in alerts) == [
        ("match", "1"), ("match", "2"), ("match", "5"), ("price_drop", "0"),
    ]  # fmt: skip
    assert all(a["sent_at"] for a in alerts)
    with psycopg.connect(env["DATABASE_URL"]) as connection:  # stored as JSON objects, not strings holding them
        kinds = connection.execute(
            "SELECT DISTINCT jsonb_typeof(s.filters), jsonb_typeof(i.listing) FROM agent.saved_searches s "
            "JOIN agent.alert_items i ON i.saved_search_id = s.id WHERE s.id = %s", (saved["id"],),
        ).fetchall()  # fmt: skip
        assert kinds == [("object", "object")], kinds

    # The link in the digest switches the saved search off, without signing in; a forged one does nothing.
    match = re.search(rf"Stop alerts for \"{SAVED}\": \S+/alerts/unsubscribe\?token=([A-Za-z0-9_.\-]+)", body)
    assert match, body
    token = match[1]
    forged = api.post("/api/saved-searches/unsubscribe", json={"token": token[:-2] + "xx"})
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "invalid_link"
    done = api.post("/api/saved-searches/unsubscribe", json={"token": token})
    assert done.status_code == 200 and done.json()["saved_search_ids"] == [saved["id"]]
    assert api.post("/api/saved-searches/unsubscribe", json={"token": token}).json()["saved_search_ids"] == []
    assert api.get("/api/saved-searches", headers=buyer.headers).json()["items"][0]["active"] is False
    assert api.post("/api/properties/ingest", json=[villa(tag, 6, 25_000_000)], headers=admin).json()["inserted"] == 1
    time.sleep(3)
    assert len(api.get("/api/saved-searches/alerts", headers=buyer.headers).json()["items"]) == 4
    assert all(replica.process and replica.process.poll() is None for replica in replicas)


def test_amr_saves_the_search_when_the_buyer_asks_to_hear_of_new_ones(
    stack: LocalStack, api: httpx.Client, fake_openai: FakeOpenAI, model_agent_factory: Any
) -> None:
    agent = model_agent_factory()
    fake_openai.replies.clear()
    fake_openai.responder = None
    wanted = "twinhouse in New Cairo under 20 million"
    fake_openai.script(Reply(tool_calls=[ToolCall("save_search", {"query": wanted})]),
                       Reply(text="Done: I will tell you when one appears."))  # fmt: skip
    buyer = a_buyer(stack, api, "chat-saver")
    body = agent.chat("tell me when a twinhouse in New Cairo under 20 million appears", headers=buyer.headers).json()
    result = body["tool_calls"][0]["result"]
    assert result["ok"] is True and result["channel"] == "email" and result["digest_hours"] == 24
    [saved] = api.get("/api/saved-searches", headers=buyer.headers).json()["items"]
    assert saved["id"] == result["saved_search_id"] and saved["filters"]["property_types"] == ["Twinhouse"]
    # Anonymous: nothing is saved, the buyer is asked to sign in.
    fake_openai.script(Reply(tool_calls=[ToolCall("save_search", {"query": "villa in New Cairo"})]),
                       Reply(text="Please sign in first."))  # fmt: skip
    refused = agent.chat("tell me when a villa in New Cairo appears").json()
    assert refused["tool_calls"][0]["result"]["error"] == "sign_in_required"


def test_the_rules_brain_saves_the_last_search_when_asked_to_tell_of_new_ones(
    stack: LocalStack, api: httpx.Client
) -> None:
    buyer = a_buyer(stack, api, "rules-saver")
    headers = {**buyer.headers, "Accept": "application/json"}
    first = api.post("/api/chat", json={"message": "townhouse in Sheikh Zayed under 30 million"}, headers=headers)
    session = first.json()["session_id"]
    turn = api.post("/api/chat", json={"message": "tell me when a new one appears", "session_id": session},
                    headers=headers).json()  # fmt: skip
    assert [call["name"] for call in turn["tool_calls"]] == ["save_search"], turn
    assert 'saved your search "townhouse in Sheikh Zayed under 30 million"' in turn["reply"]
    [saved] = api.get("/api/saved-searches", headers=buyer.headers).json()["items"]
    assert saved["filters"] == {"property_types": ["Townhouse"], "locations": ["Sheikh Zayed"],
                                "max_price": 30_000_000}  # fmt: skip
    # "by whatsapp": alerts do not go by WhatsApp; said so, and the same search kept by email (no second one).
    whatsapp = api.post("/api/chat", json={"message": "by whatsapp", "session_id": session}, headers=headers).json()
    [call] = whatsapp["tool_calls"]
    assert (call["name"], call["arguments"]["channel"]) == ("save_search", "email"), whatsapp
    assert whatsapp["reply"].startswith("Alerts do not go by WhatsApp yet, so I will tell you by email"), whatsapp
    assert len(api.get("/api/saved-searches", headers=buyer.headers).json()["items"]) == 1
    # Anonymous, in Arabic: asked to sign in, nothing saved.
    anonymous = api.post("/api/chat", json={"message": "فيلا في الشيخ زايد"}, headers={"Accept": "application/json"})
    secret = {"Accept": "application/json", "X-Session-Secret": anonymous.json()["session_secret"]}
    body = {"message": "بلغني لما تنزل وحدة زي دي", "session_id": anonymous.json()["session_id"]}
    again = api.post("/api/chat", json=body, headers=secret).json()
    assert again["tool_calls"][0]["result"]["error"] == "sign_in_required" and "سجل دخول" in again["reply"], again


def test_the_buyer_lists_and_stops_their_alerts_in_the_chat(stack: LocalStack, api: httpx.Client) -> None:
    buyer = a_buyer(stack, api, "alert-stopper")
    headers = {**buyer.headers, "Accept": "application/json"}

    def say(message: str, session: str | None = None) -> dict[str, Any]:
        body = {"message": message, **({"session_id": session} if session else {})}
        reply: dict[str, Any] = api.post("/api/chat", json=body, headers=headers).json()
        return reply

    none = say("what alerts do I have?")
    assert [c["name"] for c in none["tool_calls"]] == ["my_alerts"] and none["reply"].startswith(
        "You have no alerts on."), none["reply"]  # fmt: skip
    for words in ("townhouse in Sheikh Zayed under 30 million", "villa in New Cairo under 40 million"):
        first = say(words)
        assert say("tell me when a new one appears", first["session_id"])["tool_calls"][0]["result"]["ok"]
    listed = say("what alerts do I have?")
    [call] = listed["tool_calls"]
    assert [a["query"] for a in call["result"]["alerts"]] == ["villa in New Cairo under 40 million",
                                                              "townhouse in Sheikh Zayed under 30 million"]  # fmt: skip
    assert listed["reply"] == ("Your alerts:\n1. villa in New Cairo under 40 million (by email)\n"
                               "2. townhouse in Sheikh Zayed under 30 million (by email)\n"
                               "To stop one, tell me its number."), listed["reply"]  # fmt: skip
    stopped = say("the second", listed["session_id"])
    [call] = stopped["tool_calls"]
    assert (call["name"], call["result"]["stopped"]["query"]) == (
        "my_alerts",
        "townhouse in Sheikh Zayed under 30 million",
    )
    assert stopped["reply"].startswith('Done: the alert for "townhouse in Sheikh Zayed under 30 million" is stopped')
    active = {s["query"]: s["active"] for s in api.get("/api/saved-searches", headers=buyer.headers).json()["items"]}
    assert active == {"villa in New Cairo under 40 million": True, "townhouse in Sheikh Zayed under 30 million": False}
    # The only one left: "الغي التنبيه" stops it, in Arabic
    last = say("الغي التنبيه")
    assert last["tool_calls"][0]["result"]["stopped"]["query"] == "villa in New Cairo under 40 million"
    assert last["reply"].startswith("تمام، وقفت التنبيه بتاع"), last["reply"]
    assert not any(s["active"] for s in api.get("/api/saved-searches", headers=buyer.headers).json()["items"])
    # Signed out: asked to sign in
    anonymous = api.post("/api/chat", json={"message": "stop my alerts"}, headers={"Accept": "application/json"})
    assert anonymous.json()["reply"].startswith("To see or stop your alerts, please sign in first")
