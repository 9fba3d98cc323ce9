"""Viewings through the gateway: an agent publishes Cairo hours and exceptions, a listing's free slots come back as
the right UTC instants, a buyer books one (confirmations with a calendar invitation to both), fifty concurrent
bookings of one slot leave exactly one standing, cancel and reschedule by the signed link, one reminder a day before
across two replicas, the refusals, and Amr's schedule_viewing tool over the same slots: the rules brain offers them
and books the one the buyer picks."""

from __future__ import annotations

import base64
import re
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from icalendar import Calendar

from devstack.fakes import FakeOpenAI, Reply, ToolCall
from devstack.stack import LocalStack
from devstack.testing import admin_headers, outbox_link_token, read_outbox

pytestmark = pytest.mark.stack
CAIRO = ZoneInfo("Africa/Cairo")
PASSWORD = "a long enough passphrase"


@dataclass
class Person:
    id: str
    email: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
        yield client


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> dict[str, str]:
    return admin_headers(stack, "viewings-admin")


@pytest.fixture(scope="module")
def listing(api: httpx.Client) -> dict[str, Any]:
    found: dict[str, Any] = api.post("/api/properties/search", json={"query": "apartment", "limit": 1}).json()
    return found["results"][0]


def person(stack: LocalStack, api: httpx.Client, label: str) -> Person:
    email = f"{label}-{uuid.uuid4().hex[:8]}@osool-test.eg"
    assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    pair = api.post("/api/auth/verify-email", json={"token": outbox_link_token(stack, email, "verify-email")}).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    return Person(api.get("/api/auth/me", headers=headers).json()["id"], email, headers)


def sales_agent(stack: LocalStack, api: httpx.Client, admin: dict[str, str], hours: dict[str, Any]) -> Person:
    """The only agent on duty, with the agent role, these hours published."""
    for agent in api.get("/api/leads/agents", headers=admin).json():
        if agent["on_duty"]:
            api.put(f"/api/leads/agents/{agent['agent_id']}/duty", json={"on_duty": False}, headers=admin)
    staff = person(stack, api, "viewing-agent")
    assert api.put(f"/api/auth/admin/users/{staff.id}/role", json={"role": "agent"}, headers=admin).status_code == 200
    pair = api.post("/api/auth/login", json={"email": staff.email, "password": PASSWORD}).json()
    staff.headers = {"Authorization": f"Bearer {pair['access_token']}"}
    assert api.put("/api/leads/agents/me/duty", json={"on_duty": True}, headers=staff.headers).status_code == 200
    published = api.put("/api/viewings/availability", json=hours, headers=staff.headers)
    assert published.status_code == 200, published.text
    return staff


def cairo_today() -> date:
    return datetime.now(CAIRO).date()


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CAIRO).astimezone(UTC)


def slots(api: httpx.Client, listing_id: str, first: date, days: int, **params: Any) -> list[datetime]:
    response = api.get("/api/viewings/slots", params={"listing_id": listing_id, "from": first.isoformat(),
                                                      "days": days, **params})  # fmt: skip
    assert response.status_code == 200, response.text
    return [datetime.fromisoformat(slot["starts_at"]) for slot in response.json()]


def book(api: httpx.Client, buyer: Person, listing_id: str, starts_at: datetime, **extra: Any) -> httpx.Response:
    return api.post("/api/viewings", json={"listing_id": listing_id, "starts_at": starts_at.isoformat(), **extra},
                    headers=buyer.headers)  # fmt: skip


def invitations(stack: LocalStack, who: Person, subject_start: str) -> list[tuple[dict[str, Any], Any]]:
    """The emails to `who` whose subject starts so, each with its calendar's VEVENT (newest first)."""
    found = []
    for message in read_outbox(stack, who.email):
        if message["channel"] == "email" and (message["subject"] or "").startswith(subject_start):
            [attachment] = message["attachments"]
            assert attachment["content_type"] == "text/calendar"
            calendar = Calendar.from_ical(base64.b64decode(attachment["content_base64"]))
            [event] = calendar.walk("VEVENT")
            found.append(({**message, "method": str(calendar["METHOD"])}, event))
    return found


def link_token(stack: LocalStack, buyer: Person, viewing_id: str, action: str) -> str:
    for message in read_outbox(stack, buyer.email):
        match = re.search(rf"/viewings/{viewing_id}\?action={action}&token=([A-Za-z0-9_.\-]+)", message["body"])
        if match:
            return match[1]
    raise AssertionError(f"no {action} link for {viewing_id}")


WEEKLY_9_TO_12 = {"timezone": "Africa/Cairo", "slot_minutes": 60,
                  "weekly": [{"weekday": day, "start": "09:00", "end": "12:00"} for day in range(7)]}  # fmt: skip


def test_cairo_hours_become_utc_slots_less_exceptions_and_bookings_and_a_booking_sends_invitations(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any]
) -> None:
    first = cairo_today() + timedelta(days=1)
    day_off, extra_day = first + timedelta(days=1), first + timedelta(days=2)
    hours = {**WEEKLY_9_TO_12, "exceptions": [
        {"date": day_off.isoformat(), "available": False},
        {"date": extra_day.isoformat(), "start": "15:00", "end": "16:00", "available": True},
        {"date": first.isoformat(), "start": "11:00", "end": "12:00", "available": False},
    ]}  # fmt: skip
    agent = sales_agent(stack, api, admin, hours)
    stored = api.get("/api/viewings/availability", headers=agent.headers).json()
    assert stored["slot_minutes"] == 60 and len(stored["weekly"]) == 7 and len(stored["exceptions"]) == 3
    expected = [at(first, 9), at(first, 10), *(at(extra_day, h) for h in (9, 10, 11, 15)),
                *(at(first + timedelta(days=3), h) for h in (9, 10, 11))]  # fmt: skip
    assert slots(api, listing["id"], first, 4) == expected
    shown = api.get("/api/viewings/slots", params={"listing_id": listing["id"], "from": first.isoformat(), "days": 1})
    assert shown.json()[0]["agent_id"] == agent.id and shown.json()[0]["local_start"] == f"{first}T09:00"

    buyer = person(stack, api, "viewing-buyer")
    booked = book(api, buyer, listing["id"], at(first, 10))
    assert booked.status_code == 201, booked.text
    viewing = booked.json()
    assert (viewing["agent_id"], viewing["user_id"], viewing["status"], viewing["sequence"]) == (
        agent.id, buyer.id, "booked", 0)  # fmt: skip
    assert datetime.fromisoformat(viewing["ends_at"]) - datetime.fromisoformat(viewing["starts_at"]) == timedelta(
        hours=1)  # fmt: skip
    assert at(first, 10) not in slots(api, listing["id"], first, 4)
    for who in (buyer, agent):
        [(message, event)] = invitations(stack, who, "Viewing booked" if who is buyer else "New viewing")
        assert message["method"] == "REQUEST" and str(event["UID"]) == f"{viewing['id']}@osool"
        assert event.decoded("DTSTART") == at(first, 10) and int(event["SEQUENCE"]) == 0
        assert str(event["SUMMARY"]) == f"Viewing: {listing['title']}"
    [(confirmation, _)] = invitations(stack, buyer, "Viewing booked")
    assert f"/viewings/{viewing['id']}?action=cancel&token=" in confirmation["body"]
    assert [v["id"] for v in api.get("/api/viewings/mine", headers=buyer.headers).json()] == [viewing["id"]]
    mine = api.get("/api/viewings", params={"from": first.isoformat()}, headers=agent.headers).json()
    assert [v["id"] for v in mine] == [viewing["id"]]
    metrics = httpx.get(f"{stack.config.internal_url}/agent/metrics", timeout=10).text
    assert re.search(r'^osool_agent_viewings_total\{event="booked"\} [1-9]', metrics, re.MULTILINE)


def test_fifty_concurrent_bookings_of_one_slot_leave_exactly_one(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any]
) -> None:
    agent = sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    day = cairo_today() + timedelta(days=2)
    buyers = [person(stack, api, f"racer{n}") for n in range(5)]

    def attempt(n: int) -> int:
        with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
            return book(client, buyers[n % 5], listing["id"], at(day, 11), agent_id=agent.id).status_code

    with ThreadPoolExecutor(max_workers=50) as pool:
        statuses = list(pool.map(attempt, range(50)))
    assert sorted(statuses) == [201] + [409] * 49, statuses
    taken = book(api, buyers[0], listing["id"], at(day, 11))
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_taken"
    mine = api.get("/api/viewings", params={"from": day.isoformat(), "to": day.isoformat()}, headers=agent.headers)
    assert [datetime.fromisoformat(v["starts_at"]) for v in mine.json()] == [at(day, 11)]


def test_cancel_by_link_frees_the_slot_and_only_that_viewings_untampered_link_works(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any]
) -> None:
    agent = sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    day = cairo_today() + timedelta(days=3)
    buyer, stranger = person(stack, api, "canceller"), person(stack, api, "stranger")
    first = book(api, buyer, listing["id"], at(day, 9)).json()
    second = book(api, buyer, listing["id"], at(day, 10)).json()
    token = link_token(stack, buyer, first["id"], "cancel")
    other = link_token(stack, buyer, second["id"], "cancel")
    url = f"/api/viewings/{first['id']}/cancel"
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    for bad in (tampered, other, link_token(stack, buyer, first["id"], "reschedule")):
        refused = api.post(url, params={"token": bad})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "invalid_link", refused.text
    assert api.post(url).status_code == 401
    assert api.post(url, headers=stranger.headers).status_code == 404
    assert api.get(f"/api/viewings/{first['id']}", params={"token": token}).json()["status"] == "booked"

    cancelled = api.post(url, params={"token": token})
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled" and cancelled.json()["sequence"] == 1
    assert api.post(url, params={"token": token}).json()["status"] == "cancelled"  # twice: nothing more
    assert at(day, 9) in slots(api, listing["id"], day, 1)
    for who, subject in ((buyer, "Viewing cancelled"), (agent, "Viewing cancelled")):
        [(message, event)] = invitations(stack, who, subject)
        assert message["method"] == "CANCEL" and str(event["UID"]) == f"{first['id']}@osool"
        assert int(event["SEQUENCE"]) == 1 and str(event["STATUS"]) == "CANCELLED"
    # The signed-in owner needs no link.
    assert api.post(f"/api/viewings/{second['id']}/cancel", headers=buyer.headers).json()["status"] == "cancelled"
    metrics = httpx.get(f"{stack.config.internal_url}/agent/metrics", timeout=10).text
    assert re.search(r'^osool_agent_viewings_total\{event="cancelled"\} [1-9]', metrics, re.MULTILINE)


def test_reschedule_by_link_moves_the_viewing_and_sends_the_updated_invitation(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any]
) -> None:
    agent = sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    day = cairo_today() + timedelta(days=4)
    buyer, other_buyer = person(stack, api, "rescheduler"), person(stack, api, "neighbour")
    viewing = book(api, buyer, listing["id"], at(day, 9)).json()
    assert book(api, other_buyer, listing["id"], at(day, 11)).status_code == 201
    token = link_token(stack, buyer, viewing["id"], "reschedule")
    url = f"/api/viewings/{viewing['id']}/reschedule"
    taken = api.post(url, params={"token": token}, json={"starts_at": at(day, 11).isoformat()})
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "slot_taken"
    off_hours = api.post(url, params={"token": token}, json={"starts_at": at(day, 14).isoformat()})
    assert off_hours.status_code == 422 and off_hours.json()["error"]["code"] == "not_a_free_slot"
    cancel_token = link_token(stack, buyer, viewing["id"], "cancel")
    wrong = api.post(url, params={"token": cancel_token}, json={"starts_at": at(day, 10).isoformat()})
    assert wrong.status_code == 403

    moved = api.post(url, params={"token": token}, json={"starts_at": at(day, 10).isoformat()})
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["starts_at"]) == at(day, 10) and moved.json()["sequence"] == 1
    assert moved.json()["id"] == viewing["id"] and moved.json()["rescheduled_at"]
    free = slots(api, listing["id"], day, 1)
    assert at(day, 9) in free and at(day, 10) not in free and at(day, 11) not in free
    for who in (buyer, agent):
        [(message, event)] = invitations(stack, who, "Viewing moved")
        assert message["method"] == "REQUEST" and str(event["UID"]) == f"{viewing['id']}@osool"
        assert int(event["SEQUENCE"]) == 1 and event.decoded("DTSTART") == at(day, 10)


def test_one_reminder_a_day_before_across_two_replicas(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any], agent_factory: Any
) -> None:
    hours = {"slot_minutes": 30, "weekly": [{"weekday": d, "start": "00:00", "end": "23:30"} for d in range(7)]}
    agent = sales_agent(stack, api, admin, hours)
    replicas = [agent_factory(VIEWING_REMINDER_CHECK_SECONDS="0.5") for _ in range(2)]
    soon = [s for s in slots(api, listing["id"], cairo_today(), 2) if s < datetime.now(UTC) + timedelta(hours=23)]
    buyer = person(stack, api, "reminded")
    viewing = book(api, buyer, listing["id"], soon[0]).json()
    deadline = time.monotonic() + 30
    while not api.get(f"/api/viewings/{viewing['id']}", headers=buyer.headers).json()["reminded_at"]:
        assert time.monotonic() < deadline, "no reminder was sent"
        time.sleep(0.5)
    time.sleep(3)  # a few more rounds of both replicas
    for who in (buyer, agent):
        reminders = [
            m
            for m in read_outbox(stack, who.email)
            if m["channel"] == "email"
            and (m["subject"] or "").startswith("Reminder: viewing")
            and viewing["id"] in m["body"]
        ]
        assert len(reminders) == 1, reminders
    reminded = sum(float(n) for replica in replicas for n in re.findall(
        r'^osool_agent_viewings_total\{event="reminded"\} (\S+)', replica.metrics(), re.MULTILINE))  # fmt: skip
    assert reminded >= 1


def test_refusals(stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any]) -> None:
    agent = sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    buyer = person(stack, api, "refused")
    day = cairo_today() + timedelta(days=5)
    assert api.put("/api/viewings/availability", json=WEEKLY_9_TO_12).status_code == 401
    assert api.put("/api/viewings/availability", json=WEEKLY_9_TO_12, headers=buyer.headers).status_code == 403
    assert api.get("/api/viewings", headers=buyer.headers).status_code == 403
    assert api.get("/api/viewings/mine").status_code == 401
    assert api.put("/api/viewings/availability", json=WEEKLY_9_TO_12, headers=admin).status_code == 422
    not_agent = api.put("/api/viewings/availability", params={"agent_id": buyer.id}, json=WEEKLY_9_TO_12,
                        headers=admin)  # fmt: skip
    assert not_agent.status_code == 404
    by_admin = api.put("/api/viewings/availability", params={"agent_id": agent.id},
                       json={**WEEKLY_9_TO_12, "slot_minutes": 90}, headers=admin)  # fmt: skip
    assert by_admin.status_code == 200 and by_admin.json()["slot_minutes"] == 90
    for bad in ({**WEEKLY_9_TO_12, "slot_minutes": 20}, {**WEEKLY_9_TO_12, "timezone": "Europe/London"},
                {"weekly": [{"weekday": 7, "start": "09:00", "end": "12:00"}]},
                {"weekly": [{"weekday": 1, "start": "12:00", "end": "09:00"}]},
                {"weekly": [{"weekday": 1, "start": "9am", "end": "12:00"}]},
                {"weekly": [], "exceptions": [{"date": day.isoformat(), "available": True}]},
                {"weekly": [], "colour": "blue"}):  # fmt: skip
        assert api.put("/api/viewings/availability", json=bad, headers=agent.headers).status_code == 422, bad
    assert api.get("/api/viewings/slots", params={"listing_id": str(uuid.uuid4())}).status_code == 404
    assert api.get("/api/viewings/slots", params={"listing_id": listing["id"], "days": 15}).status_code == 422
    assert api.get("/api/viewings/slots", params={"listing_id": "nope"}).status_code == 422
    assert api.post("/api/viewings", json={"listing_id": listing["id"], "starts_at": at(day, 9).isoformat()}
                    ).status_code == 401  # fmt: skip
    off = book(api, buyer, listing["id"], at(day, 13))
    assert off.status_code == 422 and off.json()["error"]["code"] == "not_a_free_slot"
    assert book(api, buyer, listing["id"], at(day, 9, 30)).status_code == 422  # not on a slot boundary
    assert book(api, buyer, listing["id"], datetime.now(UTC) + timedelta(minutes=30)).status_code == 422
    assert book(api, buyer, str(uuid.uuid4()), at(day, 9)).status_code == 404
    naive = api.post("/api/viewings", json={"listing_id": listing["id"], "starts_at": "2030-01-01T09:00:00"},
                     headers=buyer.headers)  # fmt: skip
    assert naive.status_code == 422
    extra = api.post("/api/viewings", json={"listing_id": listing["id"], "starts_at": at(day, 9).isoformat(),
                                            "note": "x"}, headers=buyer.headers)  # fmt: skip
    assert extra.status_code == 422
    assert api.get(f"/api/viewings/{uuid.uuid4()}", headers=buyer.headers).status_code == 404


def test_amr_offers_real_free_slots_and_books_the_one_picked(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str], listing: dict[str, Any], fake_openai: FakeOpenAI,
    model_agent_factory: Any,
) -> None:  # fmt: skip
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    amr = model_agent_factory()
    fake_openai.replies.clear()
    fake_openai.responder = None
    fake_openai.script(Reply(tool_calls=[ToolCall("schedule_viewing", {"property_id": listing["id"]})]),
                       Reply(text="Here are the times."))  # fmt: skip
    buyer = person(stack, api, "amr-viewer")
    offered = httpx.post(f"{amr.url}/api/chat", json={"message": f"can I see {listing['id']}?"},
                         headers=buyer.headers, timeout=90).json()  # fmt: skip
    result = offered["tool_calls"][0]["result"]
    free = slots(api, listing["id"], cairo_today(), 7)
    assert result["ok"] and 1 <= len(result["slots"]) <= 6
    assert [datetime.fromisoformat(s["starts_at"]) for s in result["slots"]] == free[: len(result["slots"])]
    picked = result["slots"][1]["starts_at"]
    fake_openai.script(Reply(tool_calls=[ToolCall("schedule_viewing", {"property_id": listing["id"],
                                                                       "starts_at": picked})]),
                       Reply(text="Booked."))  # fmt: skip
    booked = httpx.post(f"{amr.url}/api/chat", json={"message": "the second one please",
                                                     "session_id": offered["session_id"]},
                        headers=buyer.headers, timeout=90).json()  # fmt: skip
    assert booked["tool_calls"][0]["result"]["viewing_id"], booked["tool_calls"]
    mine = api.get("/api/viewings/mine", headers=buyer.headers).json()
    assert [datetime.fromisoformat(v["starts_at"]) for v in mine] == [datetime.fromisoformat(picked)]
    # Anonymous: slots yes, a booking no.
    fake_openai.script(Reply(tool_calls=[ToolCall("schedule_viewing", {"property_id": listing["id"],
                                                                       "starts_at": free[2].isoformat()})]),
                       Reply(text="Please sign in."))  # fmt: skip
    anonymous = amr.chat(f"book {listing['id']}").json()
    assert anonymous["tool_calls"][0]["result"]["error"] == "sign_in_required"


def test_the_rules_brain_offers_the_free_times_of_a_listing_shown(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    first = api.post("/api/chat", json={"message": "apartment in New Cairo"},
                     headers={"Accept": "application/json"}).json()  # fmt: skip
    shown = first["listings"][0]
    secret = {"Accept": "application/json", "X-Session-Secret": first["session_secret"]}
    turn = api.post("/api/chat", json={"message": "can I visit the first one?", "session_id": first["session_id"]},
                    headers=secret).json()  # fmt: skip
    call = turn["tool_calls"][0]
    assert (call["name"], call["arguments"]) == ("schedule_viewing", {"property_id": shown["id"]})
    free = slots(api, shown["id"], cairo_today(), 7)
    offered = [datetime.fromisoformat(slot["starts_at"]) for slot in call["result"]["slots"]]
    assert offered and offered == free[: len(offered)]
    # The reply names the listing the times are for, as the list showed it, then the times.
    named, times = turn["reply"].split("\n", 1)
    assert named.startswith(f"Viewing {shown['title']}") and named.endswith(f", EGP {shown['price']:,}."), named
    assert times.startswith("The next free viewing times (Cairo time):")
    assert f"1. {said(call['result']['slots'][0]['local_start'])}" in turn["reply"]
    arabic = api.post("/api/chat", json={"message": "عايز اعمل معاينة للشقة دي", "session_id": first["session_id"]},
                      headers=secret).json()  # fmt: skip
    assert arabic["tool_calls"][0]["name"] == "schedule_viewing" and "مواعيد معاينة" in arabic["reply"]


def said(local_start: str) -> str:
    """A slot's local_start as the rules brain's English reply says it ("Tuesday 2 June at 11:00")."""
    local = datetime.fromisoformat(local_start)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


class Chat:
    """One conversation with Amr through the gateway (the stack's agent runs the rules brain)."""

    def __init__(self, api: httpx.Client, buyer: Person | None) -> None:
        self.api, self.headers = api, {"Accept": "application/json", **(buyer.headers if buyer else {})}
        self.session_id: str | None = None

    def say(self, message: str) -> dict[str, Any]:
        body = {"message": message, **({"session_id": self.session_id} if self.session_id else {})}
        response = self.api.post("/api/chat", json=body, headers=self.headers)
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        if self.session_id is None:
            self.session_id = answer["session_id"]
            if answer.get("session_secret"):
                self.headers["X-Session-Secret"] = answer["session_secret"]
        return answer

    def offer(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """A search, then a viewing of the first listing asked for: the listing and the times offered."""
        listing = self.say("apartment in New Cairo")["listings"][0]
        [call] = self.say("can I visit the first one?")["tool_calls"]
        assert (call["name"], call["arguments"]) == ("schedule_viewing", {"property_id": listing["id"]})
        return listing, call["result"]["slots"]


def viewings_of(api: httpx.Client, buyer: Person) -> list[tuple[str, str, datetime]]:
    mine = api.get("/api/viewings/mine", headers=buyer.headers)
    assert mine.status_code == 200, mine.text
    return sorted((v["listing_id"], v["user_id"], datetime.fromisoformat(v["starts_at"])) for v in mine.json()
                  if v["status"] == "booked")  # fmt: skip


def test_the_rules_brain_books_the_time_the_buyer_picks_in_english_and_arabic(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    buyer = person(stack, api, "rules-picker")
    chat = Chat(api, buyer)
    listing, offered = chat.offer()
    assert len(offered) >= 3
    booked = chat.say("the second one")
    [call] = booked["tool_calls"]
    assert (call["name"], call["arguments"]) == (
        "schedule_viewing", {"property_id": listing["id"], "starts_at": offered[1]["starts_at"]})  # fmt: skip
    assert call["result"]["viewing_id"] and call["result"]["status"] == "booked"
    picked = datetime.fromisoformat(offered[1]["starts_at"])
    assert viewings_of(api, buyer) == [(listing["id"], buyer.id, picked)]
    assert picked not in slots(api, listing["id"], cairo_today(), 7)
    assert booked["reply"].startswith(f"Booked: your viewing of {listing['title']}")
    assert f", EGP {listing['price']:,} is on {said(offered[1]['local_start'])} (Cairo time)." in booked["reply"]
    assert "calendar invitation" in booked["reply"]

    # In Arabic, another buyer: "التاني" is the second of the times offered to them (the first buyer's is gone).
    other = person(stack, api, "rules-picker-ar")
    arabic = Chat(api, other)
    shown = arabic.say("apartment in New Cairo")["listings"][0]
    [call] = arabic.say("عايز اعمل معاينة للشقة دي")["tool_calls"]
    offered_ar = call["result"]["slots"]
    assert offered_ar[1]["starts_at"] != offered[1]["starts_at"]
    booked_ar = arabic.say("التاني")
    [call] = booked_ar["tool_calls"]
    assert call["arguments"] == {"property_id": shown["id"], "starts_at": offered_ar[1]["starts_at"]}
    assert viewings_of(api, other) == [(shown["id"], other.id, datetime.fromisoformat(offered_ar[1]["starts_at"]))]
    local = datetime.fromisoformat(offered_ar[1]["local_start"])
    assert (
        booked_ar["reply"].startswith(f"تمام، حجزتلك المعاينة لـ {shown['title']} (شقة في ")
        and "يوم" in booked_ar["reply"]
        and f"الساعة {local:%H:%M}" in booked_ar["reply"]
    )

    # And by day and hour, in Arabic: the weekday and hour of the third time now offered.
    [call] = arabic.say("عايز ميعاد معاينة تاني للشقة دي")["tool_calls"]
    third = call["result"]["slots"][2]
    when = datetime.fromisoformat(third["local_start"])
    weekday = ("الاتنين", "التلات", "الأربع", "الخميس", "الجمعة", "السبت", "الحد")[when.weekday()]
    [call] = arabic.say(f"يوم {weekday} الساعة {when.hour}")["tool_calls"]
    assert call["arguments"] == {"property_id": shown["id"], "starts_at": third["starts_at"]}, call
    assert call["result"]["viewing_id"]
    assert len(viewings_of(api, other)) == 2


def test_an_anonymous_pick_is_asked_to_sign_in_and_a_time_taken_meanwhile_offers_the_others(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    anonymous = Chat(api, None)
    listing, offered = anonymous.offer()
    asked = anonymous.say("the second one")
    [call] = asked["tool_calls"]
    assert call["arguments"]["starts_at"] == offered[1]["starts_at"] and call["result"]["error"] == "sign_in_required"
    assert asked["reply"].startswith(f"To book your viewing on {said(offered[1]['local_start'])}, please sign in first")
    assert datetime.fromisoformat(offered[1]["starts_at"]) in slots(api, listing["id"], cairo_today(), 7)

    buyer, rival = person(stack, api, "slow-picker"), person(stack, api, "quick-picker")
    chat = Chat(api, buyer)
    listing, offered = chat.offer()
    assert book(api, rival, listing["id"], datetime.fromisoformat(offered[1]["starts_at"])).status_code == 201
    taken = chat.say("the second one")
    failed, again = taken["tool_calls"]
    assert (failed["arguments"]["starts_at"], failed["result"]["error"]) == (offered[1]["starts_at"], "slot_taken")
    assert (again["name"], again["arguments"]) == ("schedule_viewing", {"property_id": listing["id"]})
    now_free = again["result"]["slots"]
    assert offered[1]["starts_at"] not in [s["starts_at"] for s in now_free]
    assert taken["reply"].startswith(f"Sorry, {said(offered[1]['local_start'])} has just been taken. Please pick "
                                     f"another one.\n\nViewing {listing['title']}")  # fmt: skip
    assert "\nThe next free viewing times (Cairo time):\n1. " in taken["reply"]
    booked = chat.say("the second one")  # of the times offered again
    [call] = booked["tool_calls"]
    assert call["arguments"]["starts_at"] == now_free[1]["starts_at"] and call["result"]["viewing_id"]
    assert viewings_of(api, buyer) == [(listing["id"], buyer.id, datetime.fromisoformat(now_free[1]["starts_at"]))]


def test_the_rules_brain_offers_the_day_and_time_the_buyer_asks_for_and_books_it_on_a_yes(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    buyer = person(stack, api, "asks-a-time")
    chat = Chat(api, buyer)
    listing = chat.say("apartment in New Cairo")["listings"][0]
    day = cairo_today() + timedelta(days=3)
    weekday = f"{day:%A}"
    asked = chat.say(f"can I visit the first one on {weekday} at 10am?")
    [call] = asked["tool_calls"]
    assert call["arguments"] == {"property_id": listing["id"], "day": day.isoformat(), "time": "10:00"}
    assert call["result"]["asked_free"] is True
    assert [datetime.fromisoformat(s["starts_at"]) for s in call["result"]["slots"]] == [at(day, 10)]
    assert asked["reply"].split("\n") == [f"Viewing {listing['title']}, EGP {listing['price']:,}.",
                                          f"{said(call['result']['slots'][0]['local_start'])} is free (Cairo time). "
                                          "Shall I book it?"]  # fmt: skip
    booked = chat.say("yes please")
    [call] = booked["tool_calls"]
    assert datetime.fromisoformat(call["arguments"]["starts_at"]) == at(day, 10)
    assert call["result"]["viewing_id"]
    assert viewings_of(api, buyer) == [(listing["id"], buyer.id, at(day, 10))]

    # Outside the agent's hours: said so, and that day's free times nearest 17:00 (10:00 is now taken) come first.
    late = chat.say(f"and can I see it on {weekday} at 5pm?")
    [call] = late["tool_calls"]
    assert call["arguments"] == {"property_id": listing["id"], "day": day.isoformat(), "time": "17:00"}
    offered = [datetime.fromisoformat(s["starts_at"]) for s in call["result"]["slots"]]
    assert call["result"]["asked_free"] is False and offered[:2] == [at(day, 11), at(day, 9)]
    times = late["reply"].split("\n", 1)[1]
    assert times.startswith(f"{weekday} {day.day} {day:%B} at 17:00 is not free. The nearest free viewing "
                            f"times (Cairo time):\n1. {weekday} {day.day} {day:%B} at 11:00\n")  # fmt: skip


def test_a_question_of_another_listing_after_a_time_offered_is_answered_not_taken_for_a_time(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    chat = Chat(api, person(stack, api, "asks-of-another"))
    listings = chat.say("apartment in New Cairo")["listings"]
    day = cairo_today() + timedelta(days=4)
    chat.say(f"can I see the third one on {day:%A} at 10am?")
    asked = chat.say("is the second one furnished?")
    assert [(c["name"], c["arguments"]) for c in asked["tool_calls"]] == [
        ("get_property", {"property_id": listings[1]["id"]})]  # fmt: skip
    finishing = api.get(f"/api/properties/{listings[1]['id']}").json()["finishing"]
    assert asked["reply"].startswith("Yes" if finishing == "furnished" else ("No", "Its listing")), asked["reply"]


def test_another_day_alone_keeps_the_time_asked_for_and_books_it_on_a_yes(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    buyer = person(stack, api, "moves-the-day")
    chat = Chat(api, buyer)
    listing = chat.say("apartment in New Cairo")["listings"][0]
    first, then = cairo_today() + timedelta(days=5), cairo_today() + timedelta(days=6)
    chat.say(f"can I see the first one on {first:%A} at 11am?")
    moved = chat.say(f"actually make it {then:%A}")
    [call] = moved["tool_calls"]
    assert call["arguments"] == {"property_id": listing["id"], "day": then.isoformat(), "time": "11:00"}
    assert call["result"]["asked_free"] is True
    assert moved["reply"].endswith(f"{said(call['result']['slots'][0]['local_start'])} is free (Cairo time). "
                                   "Shall I book it?")  # fmt: skip
    booked = chat.say("yes")
    [call] = booked["tool_calls"]
    assert datetime.fromisoformat(call["arguments"]["starts_at"]) == at(then, 11) and call["result"]["viewing_id"]
    assert viewings_of(api, buyer) == [(listing["id"], buyer.id, at(then, 11))]


def test_a_part_of_the_day_asked_for_offers_its_free_times_or_says_it_has_none(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    day = cairo_today() + timedelta(days=4)
    weekday = f"{day:%A}"
    morning = Chat(api, person(stack, api, "asks-a-morning"))
    listing = morning.say("apartment in New Cairo")["listings"][0]
    asked = morning.say(f"can I visit the first one on {weekday} morning?")
    [call] = asked["tool_calls"]
    assert call["arguments"] == {"property_id": listing["id"], "day": day.isoformat(), "period": "morning"}
    offered = [datetime.fromisoformat(s["starts_at"]) for s in call["result"]["slots"]]
    assert call["result"]["asked_free"] is True and offered == [at(day, 9), at(day, 10), at(day, 11)]  # only those
    assert (
        asked["reply"]
        .split("\n", 1)[1]
        .startswith(f"The free morning viewing times from {weekday} {day.day} {day:%B} (Cairo time):")
    )
    # The agent's hours end at noon: no afternoon, said so, and the nearest free times that day follow.
    evening = Chat(api, person(stack, api, "asks-an-afternoon"))
    evening.say("apartment in New Cairo")
    late = evening.say(f"can I see the first one {weekday} afternoon?")
    [call] = late["tool_calls"]
    assert call["arguments"]["period"] == "afternoon" and call["result"]["asked_free"] is False
    assert [datetime.fromisoformat(s["starts_at"]) for s in call["result"]["slots"]][:3] == [at(day, 9), at(day, 10),
                                                                                             at(day, 11)]  # fmt: skip
    times = late["reply"].split("\n", 1)[1]
    assert times.startswith(f"There is no free viewing time on {weekday} {day.day} {day:%B} in the "
                            "afternoon. The nearest free viewing times (Cairo time):")  # fmt: skip


def test_a_yes_to_the_one_time_offered_books_it_and_is_not_taken_as_leave_to_share_the_number(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    buyer = person(stack, api, "number-and-time")
    chat = Chat(api, buyer)
    listing = chat.say("apartment in New Cairo")["listings"][0]
    day = cairo_today() + timedelta(days=2)
    asked = chat.say(f"my number is 010 2233 4455, can I see the first one on {day:%A} at 9am?")
    # The reply asks one yes-or-no, its own: the question to share the number waits.
    assert asked["reply"].endswith("Shall I book it?"), asked["reply"]
    booked = chat.say("yes please")
    assert booked["tool_calls"][0]["result"]["viewing_id"]
    assert viewings_of(api, buyer) == [(listing["id"], buyer.id, at(day, 9))]
    lead, cursor = None, None
    while lead is None:
        page = api.get("/api/leads", params={"limit": 100, **({"cursor": cursor} if cursor else {})}, headers=admin)
        lead = next((item for item in page.json()["items"] if chat.session_id in item["session_ids"]), None)
        cursor = page.json()["next_cursor"]
        assert lead or cursor, "no lead for the conversation"
    assert lead["has_contact"] is True and lead["contact_consent"] is None


def test_the_buyer_lists_and_cancels_their_own_viewings_through_amr(
    stack: LocalStack, api: httpx.Client, admin: dict[str, str]
) -> None:
    sales_agent(stack, api, admin, WEEKLY_9_TO_12)
    buyer = person(stack, api, "cancels")
    chat = Chat(api, buyer)
    listings = chat.say("apartment in New Cairo")["listings"]
    soon, later = cairo_today() + timedelta(days=2), cairo_today() + timedelta(days=3)
    chat.say(f"can I visit the first one on {soon:%A} at 10am?")
    assert chat.say("yes please")["tool_calls"][0]["result"]["viewing_id"]
    chat.say(f"can I visit the second one on {later:%A} at 11am?")
    assert chat.say("yes")["tool_calls"][0]["result"]["viewing_id"]
    assert viewings_of(api, buyer) == sorted([(listings[0]["id"], buyer.id, at(soon, 10)),
                                              (listings[1]["id"], buyer.id, at(later, 11))])  # fmt: skip
    # Listed soonest first, each by its listing and Cairo time; "cancel my viewing" with two asks which.
    listed = chat.say("what viewings do I have?")
    [call] = listed["tool_calls"]
    assert (call["name"], call["arguments"]) == ("my_viewings", {"action": "list"})
    lines = listed["reply"].splitlines()
    assert lines[0] == "Your upcoming viewings (Cairo time):" and lines[-1] == "To cancel one, tell me its number."
    assert lines[1].startswith("1. ") and lines[1].endswith(f": {said(f'{soon}T10:00')}"), lines
    assert lines[2].startswith("2. ") and lines[2].endswith(f": {said(f'{later}T11:00')}"), lines
    which = chat.say("I want to cancel my viewing")
    assert which["tool_calls"][0]["result"]["error"] == "which_viewing", which
    assert which["reply"].endswith("Which one shall I cancel? Tell me its number."), which["reply"]
    assert len(viewings_of(api, buyer)) == 2  # nothing cancelled on a guess
    cancelled = chat.say("the second")
    [call] = cancelled["tool_calls"]
    assert call["name"] == "my_viewings" and call["arguments"]["action"] == "cancel", call
    assert cancelled["reply"].startswith("Done: your viewing of ") and said(f"{later}T11:00") in cancelled["reply"]
    assert viewings_of(api, buyer) == [(listings[0]["id"], buyer.id, at(soon, 10))]
    # The one left, in Arabic: cancelled without asking which; then none left.
    only = chat.say("الغي المعاينة")
    assert only["reply"].startswith("تمام، لغيت المعاينة"), only["reply"]
    assert viewings_of(api, buyer) == []
    assert chat.say("what viewings do I have?")["reply"].startswith("You have no upcoming viewings.")
    # Anonymous: asked to sign in, and never offered a new viewing instead.
    anonymous = Chat(api, None)
    anonymous.say("apartment in New Cairo")
    refused = anonymous.say("cancel my viewing")
    assert refused["tool_calls"][0]["result"]["error"] == "sign_in_required"
    assert refused["reply"].startswith("To see or cancel your viewings, please sign in first"), refused["reply"]
