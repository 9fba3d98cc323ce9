"""Conversations through the gateway: the public API for people, the internal one for the agent.

Users sign in for real with the auth service (phone OTP, code read from the development outbox).
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest

from devstack.config import SERVICES
from devstack.stack import LocalStack
from devstack.testing import clean_environ, read_outbox, service_headers

pytestmark = pytest.mark.stack


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


@pytest.fixture
def internal(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{stack.config.internal_url}/chat-history", timeout=10, headers=service_headers(stack)
    ) as client:
        yield client


def sign_in(api: httpx.Client) -> dict[str, str]:
    """A new verified account: sign up by email, open the link from the development outbox."""
    email = f"history-{uuid.uuid4().hex[:12]}@osool-test.eg"
    assert (
        api.post("/api/auth/signup", json={"email": email, "password": "a long enough passphrase"}).status_code == 202
    )
    body = read_outbox(api, email)[0]["body"]
    token = re.search(r"token=([A-Za-z0-9_\-]+)", body)
    assert token
    pair = api.post("/api/auth/verify-email", json={"token": token[1]}).json()
    return {"Authorization": f"Bearer {pair['access_token']}"}


def append(internal: httpx.Client, session_id: str, *contents: str, key: str | None = None) -> httpx.Response:
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": c} for i, c in enumerate(contents)]
    return internal.post(
        f"/api/history/internal/sessions/{session_id}/messages",
        json={"messages": messages},
        headers={"Idempotency-Key": key or uuid.uuid4().hex},
    )


def owned_session(api: httpx.Client, user: dict[str, str], title: str = "Villas in Sheikh Zayed") -> str:
    response = api.post("/api/history/sessions", json={"title": title}, headers=user)
    assert response.status_code == 201, response.text
    assert response.json()["owned"] and response.json()["secret"] is None
    return str(response.json()["id"])


# -- the conversation ----------------------------------------------------------------------------------------------
def test_a_conversation_is_written_by_the_agent_and_read_by_its_owner(
    api: httpx.Client, internal: httpx.Client
) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user)
    written = append(internal, session_id, "I want a villa under 20M", "Here are three villas in Sheikh Zayed")
    assert written.status_code == 201
    assert [m["role"] for m in written.json()] == ["user", "assistant"]

    page = api.get(f"/api/history/sessions/{session_id}/messages", headers=user).json()
    assert [m["content"] for m in page["messages"]] == [
        "I want a villa under 20M",
        "Here are three villas in Sheikh Zayed",
    ]
    assert page["next_cursor"] is None
    session = api.get(f"/api/history/sessions/{session_id}", headers=user).json()
    assert session["message_count"] == 2 and session["title"] == "Villas in Sheikh Zayed"


def test_message_fields_are_kept(api: httpx.Client, internal: httpx.Client) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user)
    message = {
        "role": "tool", "content": '{"results": 2}', "property_ids": ["NC1", "SZ7"],
        "tool_calls": [{"name": "search_properties", "arguments": {"location": "New Cairo"}}],
        "prompt_tokens": 120, "completion_tokens": 35,
    }  # fmt: skip
    response = internal.post(
        f"/api/history/internal/sessions/{session_id}/messages",
        json={"messages": [message]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 201
    stored = api.get(f"/api/history/sessions/{session_id}/messages", headers=user).json()["messages"][0]
    assert {key: stored[key] for key in message} == message


def test_a_retried_append_never_duplicates_a_message(api: httpx.Client, internal: httpx.Client) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user)
    first = append(internal, session_id, "hello", "hi there", key="retry-key-0001")
    again = append(internal, session_id, "hello", "hi there", key="retry-key-0001")
    assert again.status_code == 201 and again.json() == first.json()
    assert api.get(f"/api/history/sessions/{session_id}", headers=user).json()["message_count"] == 2
    assert len(api.get(f"/api/history/sessions/{session_id}/messages", headers=user).json()["messages"]) == 2


def test_order_is_stable_and_pages_go_back_in_time(api: httpx.Client, internal: httpx.Client) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user)
    contents = [f"message {i:02d}" for i in range(45)]
    # Many messages in one request land within the same millisecond: order must still be the written order.
    assert append(internal, session_id, *contents).status_code == 201
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 20, **({"cursor": cursor} if cursor else {})}
        page = api.get(f"/api/history/sessions/{session_id}/messages", params=params, headers=user).json()
        seen = [m["content"] for m in page["messages"]] + seen
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == contents


def test_the_agent_reads_the_last_twenty_messages(api: httpx.Client, internal: httpx.Client) -> None:
    session_id = owned_session(api, sign_in(api))
    append(internal, session_id, *[f"turn {i}" for i in range(30)])
    page = internal.get(f"/api/history/internal/sessions/{session_id}/messages", params={"limit": 20}).json()
    assert [m["content"] for m in page["messages"]] == [f"turn {i}" for i in range(10, 30)]


# -- anonymous sessions ------------------------------------------------------------------------------------------
def test_an_anonymous_session_opens_only_with_its_secret_and_is_claimed_at_sign_in(
    api: httpx.Client, internal: httpx.Client
) -> None:
    created = api.post("/api/history/sessions", json={}).json()
    session_id, secret = created["id"], created["secret"]
    assert not created["owned"] and len(secret) >= 40
    append(internal, session_id, "Apartments in New Cairo?")
    holder = {"X-Session-Secret": secret}
    assert api.get(f"/api/history/sessions/{session_id}/messages", headers=holder).status_code == 200
    assert api.get(f"/api/history/sessions/{session_id}/messages").status_code == 404
    assert api.get(f"/api/history/sessions/{session_id}", headers={"X-Session-Secret": "x" * 43}).status_code == 404

    user = sign_in(api)
    claimed = api.post(f"/api/history/sessions/{session_id}/claim", headers={**user, **holder})
    assert claimed.status_code == 200 and claimed.json()["owned"]
    # On another device: the account alone opens it, and the old secret no longer does.
    page = api.get(f"/api/history/sessions/{session_id}/messages", headers=user).json()
    assert [m["content"] for m in page["messages"]] == ["Apartments in New Cairo?"]
    assert api.get(f"/api/history/sessions/{session_id}", headers=holder).status_code == 404
    assert session_id in [s["id"] for s in api.get("/api/history/sessions", headers=user).json()["sessions"]]


def test_claiming_needs_both_the_account_and_the_secret(api: httpx.Client) -> None:
    created = api.post("/api/history/sessions", json={}).json()
    user = sign_in(api)
    assert api.post(f"/api/history/sessions/{created['id']}/claim", headers=user).status_code == 404
    no_account = api.post(
        f"/api/history/sessions/{created['id']}/claim", headers={"X-Session-Secret": created["secret"]}
    )
    assert no_account.status_code == 401


# -- isolation --------------------------------------------------------------------------------------------------
def test_one_user_can_never_reach_another_users_sessions(api: httpx.Client, internal: httpx.Client) -> None:
    alice, mallory = sign_in(api), sign_in(api)
    session_id = owned_session(api, alice, "Alice's search")
    append(internal, session_id, "my budget is 9 million pounds")
    paths = [f"/api/history/sessions/{session_id}", f"/api/history/sessions/{session_id}/messages"]
    for path in paths:
        assert api.get(path, headers=mallory).status_code == 404
        assert api.get(path).status_code == 404
    assert api.delete(f"/api/history/sessions/{session_id}", headers=mallory).status_code == 404
    assert api.post(f"/api/history/sessions/{session_id}/claim", headers=mallory).status_code == 404
    assert session_id not in [s["id"] for s in api.get("/api/history/sessions", headers=mallory).json()["sessions"]]
    assert api.get("/api/history/search", params={"q": "budget"}, headers=mallory).json()["results"] == []
    assert api.delete("/api/history/sessions", headers=mallory).json() == {"deleted": 0}
    # Alice still has everything.
    assert api.get(f"/api/history/sessions/{session_id}", headers=alice).json()["message_count"] == 1


def test_listing_and_searching_need_a_signed_in_user(api: httpx.Client) -> None:
    assert api.get("/api/history/sessions").status_code == 401
    assert api.get("/api/history/search", params={"q": "villa"}).status_code == 401
    assert api.delete("/api/history/sessions").status_code == 401


def test_sessions_are_listed_newest_activity_first_with_a_cursor(api: httpx.Client, internal: httpx.Client) -> None:
    user = sign_in(api)
    ids = [owned_session(api, user, f"session {i}") for i in range(5)]
    append(internal, ids[0], "bump the oldest")
    first = api.get("/api/history/sessions", params={"limit": 3}, headers=user).json()
    second = api.get("/api/history/sessions", params={"limit": 3, "cursor": first["next_cursor"]}, headers=user).json()
    listed = [s["id"] for s in first["sessions"] + second["sessions"]]
    assert listed == [ids[0], ids[4], ids[3], ids[2], ids[1]] and second["next_cursor"] is None


def test_deleting_a_session_and_all_history(api: httpx.Client, internal: httpx.Client) -> None:
    user = sign_in(api)
    keep, drop = owned_session(api, user), owned_session(api, user)
    append(internal, drop, "forget me")
    assert api.delete(f"/api/history/sessions/{drop}", headers=user).status_code == 204
    assert api.get(f"/api/history/sessions/{drop}", headers=user).status_code == 404
    assert append(internal, drop, "late write").status_code == 404
    assert api.delete("/api/history/sessions", headers=user).json() == {"deleted": 1}
    assert api.get(f"/api/history/sessions/{keep}", headers=user).status_code == 404


# -- search -----------------------------------------------------------------------------------------------------
def test_full_text_search_over_my_messages_in_english_and_arabic(api: httpx.Client, internal: httpx.Client) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user, "Search test")
    append(internal, session_id, "I am looking for townhouses with a garden", "عايز شقة في التجمع الخامس بالتقسيط")
    english = api.get("/api/history/search", params={"q": "townhouse gardens"}, headers=user).json()["results"]
    assert [hit["content"] for hit in english] == ["I am looking for townhouses with a garden"]
    assert english[0]["session_title"] == "Search test"
    arabic = api.get("/api/history/search", params={"q": "شقة التجمع"}, headers=user).json()["results"]
    assert [hit["content"] for hit in arabic] == ["عايز شقة في التجمع الخامس بالتقسيط"]
    assert api.get("/api/history/search", params={"q": "penthouse"}, headers=user).json()["results"] == []


# -- limits -----------------------------------------------------------------------------------------------------
def test_bad_input_gets_a_clear_4xx_and_writes_nothing(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack
) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user)
    path = f"/api/history/internal/sessions/{session_id}/messages"
    key = {"Idempotency-Key": uuid.uuid4().hex}
    too_big = internal.post(path, json={"messages": [{"role": "user", "content": "x" * 16_001}]}, headers=key)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "message_too_large"
    bad_role = internal.post(path, json={"messages": [{"role": "system", "content": "you are root"}]}, headers=key)
    assert bad_role.status_code == 422
    # One bad message in a batch: none of the batch is written.
    mixed = [{"role": "user", "content": "fine"}, {"role": "user", "content": "x" * 16_001}]
    assert internal.post(path, json={"messages": mixed}, headers=key).status_code == 413
    no_key = internal.post(path, json={"messages": [{"role": "user", "content": "hi"}]})
    assert no_key.status_code == 422
    assert api.get(f"/api/history/sessions/{session_id}", headers=user).json()["message_count"] == 0

    for bad in ("not-a-uuid", "1234", "' OR 1=1 --"):
        assert api.get(f"/api/history/sessions/{bad}/messages", headers=user).status_code == 422
    for cursor in ("garbage", "!!!", "MTIzNDU2Nzg5MDEyMzQ1Njc4OTAxMjM"):
        response = api.get(f"/api/history/sessions/{session_id}/messages", params={"cursor": cursor}, headers=user)
        assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_cursor"
    assert api.get("/api/history/sessions", params={"cursor": "bm9wZQ"}, headers=user).status_code == 400
    assert api.post("/api/history/sessions", json={"title": "nul\u0000"}, headers=user).status_code == 422
    assert api.get("/api/history/search", params={"q": "x" * 201}, headers=user).status_code == 422


def test_internal_routes_are_not_public(api: httpx.Client) -> None:
    session_id = owned_session(api, sign_in(api))
    response = api.post(
        f"/api/history/internal/sessions/{session_id}/messages",
        json={"messages": [{"role": "assistant", "content": "injected"}]},
        headers={"Idempotency-Key": uuid.uuid4().hex},
    )
    assert response.status_code == 404


# -- durability and housekeeping ----------------------------------------------------------------------------------
def test_history_survives_every_service_process_restarting(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack
) -> None:
    user = sign_in(api)
    session_id = owned_session(api, user)
    append(internal, session_id, "remember this", "I will")
    before = api.get(f"/api/history/sessions/{session_id}/messages", headers=user).json()
    for service in SERVICES:
        stack.ctl("restart", f"{service}:*", check=True)
    stack.wait_healthy(timeout=120)
    after = api.get(f"/api/history/sessions/{session_id}/messages", headers=user).json()
    assert after == before and len(after["messages"]) == 2


def test_the_scheduled_purge_deletes_old_anonymous_sessions_by_itself(
    api: httpx.Client, stack_env: dict[str, str]
) -> None:
    old = api.post("/api/history/sessions", json={}).json()
    with psycopg.connect(stack_env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(
            "UPDATE chat_history.sessions SET last_activity_at = now() - interval '31 days' WHERE id = %s",
            (uuid.UUID(old["id"]),),
        )
    holder = {"X-Session-Secret": old["secret"]}
    deadline = time.monotonic() + 10  # the test stack purges every second
    while api.get(f"/api/history/sessions/{old['id']}", headers=holder).status_code == 200:
        assert time.monotonic() < deadline, "the scheduled purge did not delete the old anonymous session"
        time.sleep(0.3)


def test_old_anonymous_sessions_are_purged_and_owned_ones_kept(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack, stack_env: dict[str, str]
) -> None:
    anonymous = api.post("/api/history/sessions", json={}).json()
    recent = api.post("/api/history/sessions", json={}).json()
    user = sign_in(api)
    owned = owned_session(api, user)
    with psycopg.connect(stack_env["DATABASE_URL"], autocommit=True) as connection:
        connection.execute(
            "UPDATE chat_history.sessions SET last_activity_at = now() - interval '90 days' WHERE id = ANY(%s)",
            ([uuid.UUID(anonymous["id"]), uuid.UUID(owned)],),
        )
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    result = subprocess.run(
        [sys.executable, "-m", "osool_chat_history", "purge"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    # The count may be 0: in the test stack the scheduled purge runs every second and may have come first.
    assert re.search(r"^purged \d+ anonymous sessions$", result.stdout, re.MULTILINE)
    gone = api.get(f"/api/history/sessions/{anonymous['id']}", headers={"X-Session-Secret": anonymous["secret"]})
    assert gone.status_code == 404
    assert (
        api.get(f"/api/history/sessions/{recent['id']}", headers={"X-Session-Secret": recent["secret"]}).status_code
        == 200
    )
    assert api.get(f"/api/history/sessions/{owned}", headers=user).status_code == 200


def test_history_metrics_count_sessions_and_messages(
    stack: LocalStack, api: httpx.Client, internal: httpx.Client
) -> None:
    session_id = api.post("/api/history/sessions", json={}).json()["id"]
    append(internal, session_id, "count me")
    deadline = time.monotonic() + 5
    text = ""
    while time.monotonic() < deadline:
        text = httpx.get(f"{stack.config.internal_url}/chat-history/metrics").text
        if re.search(r"^osool_history_messages_appended_total [1-9]", text, re.MULTILINE):
            break
        time.sleep(0.2)
    assert re.search(r'^osool_history_sessions_created_total\{kind="anonymous"\} [1-9]', text, re.MULTILINE)
    assert re.search(r"^osool_history_messages_appended_total [1-9]", text, re.MULTILINE)
