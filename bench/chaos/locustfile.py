"""The chaos run's load: one locust user class per stream of bench/chaos/workload.py, every answer written as a line
of JSON (CHAOS_RECORDS) with the writes the stack acknowledged, for the report and the check of every write.

Run by `python -m bench.chaos` as `locust --headless -f bench/chaos/locustfile.py` in its own process: locust
monkey-patches the process with gevent when imported, which the fault injector (threads, subprocesses, psycopg)
must not share. The plan (CHAOS_PLAN, written by the run's setup) names the users, sessions, listings and keys.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from locust import HttpUser, constant_throughput, task
from locust.exception import StopUser

from bench.chaos.workload import (
    KEYED_WRITE_ATTEMPTS,
    KEYED_WRITE_BACKOFF_SECONDS,
    REQUEST_TIMEOUT_SECONDS,
    RETRYABLE_STATUSES,
    STREAMS,
    Stream,
)

PLAN: dict[str, Any] = json.loads(Path(os.environ["CHAOS_PLAN"]).read_text())
# The run creates this file when the load must end: users finish the request in hand and stop.
STOP_FILE = Path(os.environ["CHAOS_STOP"])
_records = open(os.environ["CHAOS_RECORDS"], "a", buffering=1)  # open for the process's life

SEARCHES = (
    "apartment in New Cairo",
    "villa in Sheikh Zayed with a garden",
    "3 bedroom apartment under 8 million",
    "شقة ٣ غرف في التجمع الخامس",
    "townhouse in Madinaty with installments",
    "chalet in North Coast",
)
CHAT_MESSAGES = (
    "3 bedroom apartment in New Cairo under 8M",
    "show me townhouses in Madinaty",
    "عايز شقة 3 غرف في التجمع تحت 8 مليون",
    "Looking for a villa in Sheikh Zayed between 25 and 40 million",
)


def record(**fields: Any) -> None:
    _records.write(json.dumps(fields) + "\n")


def failure_of(status: int, error: BaseException | None) -> str:
    """The kind of a failure, as the report groups them: http_502, timeout, connection, ..."""
    if error is None:
        return f"http_{status}"
    name = type(error).__name__
    if "Timeout" in name:
        return "timeout"
    if name in {"ConnectionError", "ChunkedEncodingError", "ProtocolError"}:
        return "connection"
    return name


def error_detail(response: Any, error: BaseException | None) -> str:
    """What a failure said: the error envelope's code and message (the gateway's own errors have one too), or the
    transport error."""
    if error is not None:
        return str(error)[:160]
    try:
        body = response.json()["error"]
        return f"{body['code']}: {body['message']}"[:160]
    except (ValueError, KeyError, TypeError):
        return str(response.text)[:160]


@dataclass
class Answer:
    ok: bool
    status: int  # 0: no answer (refused, reset, timed out)
    body: Any = None


class StreamUser(HttpUser):
    abstract = True
    host = PLAN["public_url"]
    stream: ClassVar[Stream]

    def send(self, method: str, url: str, *, expect: int, name: str, retry: bool = False, **kwargs: Any) -> Answer:
        """One request of the stream (sent again with the same key while `retry` allows), recorded as one line."""
        if STOP_FILE.exists():
            raise StopUser()
        started, clock = time.time(), time.perf_counter()
        attempts = 0
        while True:
            attempts += 1
            response = self.client.request(method, url, name=name, timeout=REQUEST_TIMEOUT_SECONDS, **kwargs)
            error: BaseException | None = getattr(response, "error", None) if response.status_code == 0 else None
            retryable = error is not None or response.status_code in RETRYABLE_STATUSES
            if not (retry and retryable and attempts < KEYED_WRITE_ATTEMPTS):
                break
            time.sleep(KEYED_WRITE_BACKOFF_SECONDS[attempts - 1])
        ok = response.status_code == expect
        detail = None if ok else error_detail(response, error)
        record(
            type="request",
            t=started,
            stream=self.stream.name,
            name=name,
            kind="idempotent" if self.stream.idempotent else "non_idempotent",
            ok=ok,
            status=response.status_code,
            failure=None if ok else failure_of(response.status_code, error),
            detail=detail,
            ms=round((time.perf_counter() - clock) * 1000, 2),
            attempts=attempts,
        )
        try:
            body = response.json() if ok else None
        except ValueError:
            body = None
        return Answer(ok, response.status_code, body)


def paced(name: str) -> tuple[Stream, int, Any]:
    stream = STREAMS[name]
    return stream, stream.users, constant_throughput(stream.per_user_rate)


class Search(StreamUser):
    stream, fixed_count, wait_time = paced("search")

    @task
    def search(self) -> None:
        self.send(
            "POST",
            "/api/properties/search",
            json={"query": random.choice(SEARCHES), "limit": 10},
            expect=200,
            name="POST /api/properties/search",
        )


class Property(StreamUser):
    stream, fixed_count, wait_time = paced("property")

    @task
    def get(self) -> None:
        property_id = random.choice(PLAN["property_ids"])
        self.send("GET", f"/api/properties/{property_id}", expect=200, name="GET /api/properties/{id}")


class Market(StreamUser):
    stream, fixed_count, wait_time = paced("market")

    @task
    def stats(self) -> None:
        location, kind = random.choice((("New Cairo", "Apartment"), ("Sheikh Zayed", "Villa"), ("Madinaty", "")))
        params = {"location": location, **({"type": kind} if kind else {})}
        self.send("GET", "/api/market/stats", params=params, expect=200, name="GET /api/market/stats")


class SignIn(StreamUser):
    stream, fixed_count, wait_time = paced("sign_in")

    @task
    def login(self) -> None:
        user = random.choice(PLAN["sign_in_users"])
        self.send("POST", "/api/auth/login", json=user, expect=200, name="POST /api/auth/login")


class HistorySession(StreamUser):
    stream, fixed_count, wait_time = paced("history_session")

    @task
    def create(self) -> None:
        self.send(
            "POST", "/api/history/sessions", json={"title": "chaos"}, expect=201, name="POST /api/history/sessions"
        )


class HistoryRead(StreamUser):
    stream, fixed_count, wait_time = paced("history_read")

    @task
    def read(self) -> None:
        session = random.choice(PLAN["history_sessions"])
        self.send(
            "GET",
            f"/api/history/sessions/{session['id']}/messages",
            params={"limit": 20},
            headers={"X-Session-Secret": session["secret"]},
            expect=200,
            name="GET /api/history/sessions/{id}/messages",
        )


class HistoryAppend(StreamUser):
    stream, fixed_count, wait_time = paced("history_append")

    @task
    def append(self) -> None:
        session = random.choice(PLAN["history_sessions"])
        key = f"chaos-{uuid.uuid4().hex}"
        marker = f"chaos-append {key}"
        url = f"{PLAN['internal_url']}/chat-history/api/history/internal/sessions/{session['id']}/messages"
        headers = {PLAN["service_key_header"]: PLAN["service_key"], "Idempotency-Key": key}
        answer = self.send(
            "POST",
            url,
            json={"messages": [{"role": "user", "content": marker}]},
            headers=headers,
            expect=201,
            retry=True,
            name="POST internal history append",
        )
        ids = [message["id"] for message in answer.body] if answer.ok and isinstance(answer.body, list) else []
        record(
            type="write",
            write="history_append",
            session_id=session["id"],
            key=key,
            marker=marker,
            message_ids=ids,
            acknowledged=answer.ok,
        )


class ChainRead(StreamUser):
    stream, fixed_count, wait_time = paced("chain_read")

    @task
    def read(self) -> None:
        ref = random.choice(PLAN["chain_refs"])
        self.send("GET", f"/api/chain/listings/{ref}", expect=200, name="GET /api/chain/listings/{id}")


class Reservation(StreamUser):
    """Registers a new listing and reserves it at once: the reservation is decided against the listing's intended
    state, so it is accepted while the registration still waits in the outbox."""

    stream, fixed_count, wait_time = paced("reservation")

    def on_start(self) -> None:
        self.token = PLAN["staff_token"]

    def sign_in_again(self) -> None:
        """Access tokens live 15 minutes: a 401 gets a new one (not counted as load)."""
        response = self.client.post(
            "/api/auth/login", json=PLAN["staff"], name="staff sign-in", timeout=REQUEST_TIMEOUT_SECONDS
        )
        if response.status_code == 200:
            self.token = response.json()["access_token"]

    def write(self, path: str, body: dict[str, Any], name: str) -> dict[str, Any] | None:
        """The transaction the chain service accepted (202), or None."""
        key = f"chaos-{uuid.uuid4().hex}"
        answer = self.send("POST", path, json=body, headers=self.headers(key), expect=202, retry=True, name=name)
        if answer.status == 401:
            self.sign_in_again()
            answer = self.send("POST", path, json=body, headers=self.headers(key), expect=202, retry=True, name=name)
        return answer.body if answer.ok and isinstance(answer.body, dict) else None

    def headers(self, key: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key}

    @task
    def reserve(self) -> None:
        ref = f"chaos-{uuid.uuid4().hex[:20]}"
        document = "0x" + hashlib.sha256(ref.encode()).hexdigest()
        listed = self.write(
            "/api/chain/listings",
            {"listing_id": ref, "document_hash": document, "price_egp": random.randint(2, 40) * 500_000},
            "POST /api/chain/listings",
        )
        record(
            type="write",
            write="listing",
            ref=ref,
            tx_id=listed["tx_id"] if listed else None,
            acknowledged=listed is not None,
        )
        if listed is None:
            return
        buyer = "0x" + secrets.token_hex(20)
        reserved = self.write(
            f"/api/chain/listings/{ref}/reserve", {"buyer": buyer}, "POST /api/chain/listings/{id}/reserve"
        )
        record(
            type="write",
            write="reservation",
            ref=ref,
            buyer=buyer,
            tx_id=reserved["tx_id"] if reserved else None,
            acknowledged=reserved is not None,
        )


class Chat(StreamUser):
    stream, fixed_count, wait_time = paced("chat")

    @task
    def turn(self) -> None:
        session = random.choice(PLAN["chat_sessions"])
        key = f"chaos-{uuid.uuid4().hex}"
        headers = {"X-Session-Secret": session["secret"], "Idempotency-Key": key, "Accept": "application/json"}
        message = random.choice(CHAT_MESSAGES)
        answer = self.send(
            "POST",
            "/api/chat",
            json={"message": message, "session_id": session["id"]},
            headers=headers,
            expect=200,
            retry=True,
            name="POST /api/chat",
        )
        record(
            type="write",
            write="chat_turn",
            session_id=session["id"],
            key=key,
            message=message,
            acknowledged=answer.ok and isinstance(answer.body, dict) and bool(answer.body.get("reply")),
        )
