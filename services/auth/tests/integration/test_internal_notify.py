"""Other services notify a user by id, and read who a user is, through auth's internal routes.

Against the real test stack: internal calls go through the gateway's internal listener with the service key, as the
agent's would; SMS and email land in the outbox (no provider configured outside production), read back as
operators read it.
"""

from __future__ import annotations

import base64
import random
import re
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import admin_headers, outbox_link_token, read_outbox, service_headers

pytestmark = pytest.mark.stack
PASSWORD = "a long enough passphrase"
NOTIFY, USERS = "/api/auth/internal/notify", "/api/auth/internal/users"
ICS = {"filename": "a.ics", "content_type": "text/calendar", "content_base64": "QQ=="}


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


@pytest.fixture
def internal(stack: LocalStack) -> Iterator[httpx.Client]:
    """A service calling auth as our services do: the internal listener, with the service key."""
    with httpx.Client(base_url=f"{stack.config.internal_url}/auth", headers=service_headers(stack), timeout=30) as c:
        yield c


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> dict[str, str]:
    return admin_headers(stack, "notify-admin")


def new_email() -> str:
    return f"notify-{uuid.uuid4().hex[:12]}@osool-test.eg"


def new_phone() -> str:
    return f"+2011{random.randint(10_000_000, 99_999_999)}"


_used_addresses: set[str] = set()


def new_address() -> str:
    """A loopback address of its own, so this file's OTP sends spend no other test's per-address limit (the other
    files use 127.0.0.x and 127.100-250.x.x)."""
    while True:
        address = f"127.{random.randint(30, 99)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        if address not in _used_addresses:
            _used_addresses.add(address)
            return address


def signed_up(api: httpx.Client, *, verify: bool = True, display_name: str | None = None) -> dict[str, Any]:
    """A new account by email: its token pair when verified, else just its email (`{"email": ...}`)."""
    email = new_email()
    body = {"email": email, "password": PASSWORD, **({"display_name": display_name} if display_name else {})}
    assert api.post("/api/auth/signup", json=body).status_code == 202
    if not verify:
        return {"email": email}
    pair = api.post("/api/auth/verify-email", json={"token": outbox_link_token(api, email, "verify-email")})
    assert pair.status_code == 200, pair.text
    return {"email": email, **pair.json()}


def add_verified_phone(stack: LocalStack, pair: dict[str, Any]) -> str:
    phone = new_phone()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    transport = httpx.HTTPTransport(local_address=new_address())
    with httpx.Client(transport=transport, base_url=stack.config.public_url, timeout=10) as client:
        sent = client.post("/api/auth/otp/send", json={"phone": phone, "purpose": "verify_phone"}, headers=headers)
        assert sent.status_code == 200, sent.text
        match = re.search(r"\b(\d{6})\b", read_outbox(stack, phone)[0]["body"])
        assert match
        verified = client.post(
            "/api/auth/phone/verify", json={"phone": phone, "code": match[1], "purpose": "verify_phone"},
            headers=headers,
        )  # fmt: skip
    assert verified.status_code == 200 and verified.json()["phone_verified"], verified.text
    return phone


def user_id_of(api: httpx.Client, admin: dict[str, str], email: str) -> str:
    """An account's id as an administrator lists it (an unverified account cannot sign in to learn its own)."""
    response = api.get("/api/auth/admin/users", params={"limit": 100}, headers=admin)
    assert response.status_code == 200, response.text
    return str(next(user["id"] for user in response.json()["users"] if user["email"] == email))


def notify_body(user_id: str, **fields: Any) -> dict[str, Any]:
    return {"user_id": user_id, "subject": "New lead", "text": "Someone asked about your listing.", **fields}


def messages_with(stack: LocalStack, recipient: str, marker: str) -> list[dict[str, Any]]:
    return [m for m in read_outbox(stack, recipient) if marker in (m["subject"] or "") + m["body"]]


# -- who may call ----------------------------------------------------------------------------------------------------
def test_notify_without_the_service_key_is_refused(stack: LocalStack) -> None:
    body = notify_body(str(uuid.uuid4()), channels=["email"])
    through_gateway = httpx.post(f"{stack.config.internal_url}/auth{NOTIFY}", json=body, timeout=10)
    assert through_gateway.status_code == 401
    # Straight to the service's own port, past the gateway, with a wrong key: the service refuses too.
    direct = httpx.post(
        f"http://127.0.0.1:{stack.config.replica_ports['auth'][0]}{NOTIFY}", json=body,
        headers={"X-Osool-Service-Key": "not-the-key"}, timeout=10,
    )  # fmt: skip
    assert direct.status_code == 401 and direct.json()["error"]["code"] == "unauthenticated"
    lookup = httpx.get(f"{stack.config.internal_url}/auth{USERS}/{uuid.uuid4()}", timeout=10)
    assert lookup.status_code == 401


def test_internal_routes_are_not_found_on_the_public_listener(api: httpx.Client, stack: LocalStack) -> None:
    user = signed_up(api)
    key = service_headers(stack)  # even with the key: the public listener has no internal routes at all
    response = api.post(NOTIFY, json=notify_body(user["user"]["id"], channels=["email"]), headers=key)
    assert response.status_code == 404
    assert api.get(f"{USERS}/{user['user']['id']}", headers=key).status_code == 404
    assert messages_with(stack, user["email"], "New lead") == []


def test_notify_for_an_unknown_user_is_not_found(internal: httpx.Client) -> None:
    response = internal.post(NOTIFY, json=notify_body(str(uuid.uuid4()), channels=["email", "sms"]))
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    lookup = internal.get(f"{USERS}/{uuid.uuid4()}")
    assert lookup.status_code == 404 and lookup.json()["error"]["code"] == "not_found"


# -- what is sent ----------------------------------------------------------------------------------------------------
def test_email_and_sms_reach_a_verified_user(api: httpx.Client, internal: httpx.Client, stack: LocalStack) -> None:
    user = signed_up(api)
    phone = add_verified_phone(stack, user)
    subject = f"New lead {uuid.uuid4().hex[:8]}"
    response = internal.post(NOTIFY, json=notify_body(user["user"]["id"], subject=subject, channels=["email", "sms"]))
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["user_id"] == user["user"]["id"] and result["skipped"] == [] and not result["duplicate"]
    by_channel = {item["channel"]: item for item in result["sent"]}
    assert set(by_channel) == {"email", "sms"}
    assert by_channel["email"]["recipient_masked"] == f"{user['email'][0]}***@osool-test.eg"
    assert by_channel["sms"]["recipient_masked"].endswith(phone[-3:]) and phone not in str(result)
    assert all(item["reference"] for item in result["sent"])
    (email,) = messages_with(stack, user["email"], subject)
    assert email["channel"] == "email" and email["subject"] == subject
    assert email["body"] == "Someone asked about your listing."
    (sms,) = messages_with(stack, phone, subject)
    assert sms["channel"] == "sms" and sms["body"] == f"{subject}: Someone asked about your listing."


def test_a_long_text_is_cut_to_one_sensible_sms(api: httpx.Client, internal: httpx.Client, stack: LocalStack) -> None:
    user = signed_up(api)
    phone = add_verified_phone(stack, user)
    subject = f"Digest {uuid.uuid4().hex[:8]}"
    body = notify_body(user["user"]["id"], subject=subject, text="many words " * 300, channels=["sms"])
    assert internal.post(NOTIFY, json=body).status_code == 200
    (sms,) = messages_with(stack, phone, subject)
    assert len(sms["body"]) <= 480 and sms["body"].startswith(f"{subject}: many words") and sms["body"].endswith("...")


def test_a_user_without_a_verified_phone_is_skipped_for_sms(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack
) -> None:
    user = signed_up(api)
    subject = f"New lead {uuid.uuid4().hex[:8]}"
    response = internal.post(NOTIFY, json=notify_body(user["user"]["id"], subject=subject, channels=["sms", "email"]))
    assert response.status_code == 200, response.text
    assert response.json()["skipped"] == [{"channel": "sms", "reason": "no_verified_phone"}]
    assert [item["channel"] for item in response.json()["sent"]] == ["email"]
    assert len(messages_with(stack, user["email"], subject)) == 1


def test_an_unverified_email_is_not_written_to(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack, admin: dict[str, str]
) -> None:
    user = signed_up(api, verify=False)
    user_id = user_id_of(api, admin, user["email"])
    response = internal.post(NOTIFY, json=notify_body(user_id, channels=["email"]))
    assert response.status_code == 200, response.text
    assert response.json()["sent"] == []
    assert response.json()["skipped"] == [{"channel": "email", "reason": "no_verified_email"}]
    assert messages_with(stack, user["email"], "New lead") == []


def test_a_dedupe_key_sends_once(api: httpx.Client, internal: httpx.Client, stack: LocalStack) -> None:
    user = signed_up(api)
    subject = f"Lead assigned {uuid.uuid4().hex[:8]}"
    body = notify_body(user["user"]["id"], subject=subject, channels=["email", "sms"], dedupe_key="lead:42:assigned")
    first = internal.post(NOTIFY, json=body)
    second = internal.post(NOTIFY, json=body)
    assert first.status_code == 200 and second.status_code == 200, second.text
    assert not first.json()["duplicate"] and second.json()["duplicate"]
    assert {**second.json(), "duplicate": False} == first.json()
    assert len(messages_with(stack, user["email"], subject)) == 1
    # Another key, or the same key for another user, is another notification.
    assert not internal.post(NOTIFY, json={**body, "dedupe_key": "lead:43:assigned"}).json()["duplicate"]
    assert len(messages_with(stack, user["email"], subject)) == 2
    other = signed_up(api)
    assert not internal.post(NOTIFY, json={**body, "user_id": other["user"]["id"]}).json()["duplicate"]


def test_a_calendar_attachment_goes_with_the_email_and_is_kept_in_the_outbox(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack
) -> None:
    user = signed_up(api)
    invite = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    subject = f"Viewing {uuid.uuid4().hex[:8]}"
    attachment = {"filename": "viewing.ics", "content_type": "text/calendar",
                  "content_base64": base64.b64encode(invite).decode()}  # fmt: skip
    body = notify_body(user["user"]["id"], subject=subject, channels=["email"], attachments=[attachment])
    assert internal.post(NOTIFY, json=body).status_code == 200
    [message] = messages_with(stack, user["email"], subject)
    assert message["attachments"] == [attachment]
    plain = notify_body(user["user"]["id"], subject=f"{subject} plain", channels=["email"])
    assert internal.post(NOTIFY, json=plain).status_code == 200
    assert messages_with(stack, user["email"], f"{subject} plain")[0]["attachments"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"channels": []}, "channels"),
        ({"channels": ["fax"]}, "channels"),
        ({"channels": ["sms", "sms"]}, "channels"),
        ({"priority": "high"}, "priority"),
        ({"subject": ""}, "subject"),
        ({"subject": "two\nlines"}, "subject"),
        ({"text": "x" * 4001}, "text"),
        ({"dedupe_key": ""}, "dedupe_key"),
        ({"user_id": "not-a-uuid"}, "user_id"),
        ({"attachments": [{**ICS, "content_type": "text/html"}]}, "attachments"),
        ({"attachments": [{**ICS, "content_base64": "%%"}]}, "attachments"),
        ({"attachments": [{**ICS, "content_base64": base64.b64encode(bytes(100 * 1024 + 1)).decode()}]}, "attachments"),
        ({"attachments": [ICS] * 3}, "attachments"),
    ],
)
def test_notify_refuses_a_bad_body(internal: httpx.Client, change: dict[str, Any], field: str) -> None:
    response = internal.post(NOTIFY, json={**notify_body(str(uuid.uuid4()), channels=["email"]), **change})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in str([d["location"] for d in error["details"]])


def test_notifications_are_counted_by_channel_and_outcome(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack
) -> None:
    user = signed_up(api)
    assert internal.post(NOTIFY, json=notify_body(user["user"]["id"], channels=["email", "sms"])).status_code == 200
    text = httpx.get(f"{stack.config.internal_url}/auth/metrics", timeout=10).text
    for channel, outcome in (("email", "sent"), ("sms", "skipped")):
        labels = f'channel="{channel}",outcome="{outcome}"'
        assert re.search(rf"^osool_auth_notifications_total\{{{labels}\}} [1-9]", text, re.MULTILINE), labels


# -- who a user is ---------------------------------------------------------------------------------------------------
def test_a_user_is_shown_with_verified_contacts_only(
    api: httpx.Client, internal: httpx.Client, stack: LocalStack, admin: dict[str, str]
) -> None:
    user = signed_up(api, display_name="Mona Agent")
    no_phone = internal.get(f"{USERS}/{user['user']['id']}")
    assert no_phone.status_code == 200, no_phone.text
    assert no_phone.json() == {
        "id": user["user"]["id"], "role": "user", "display_name": "Mona Agent", "email": user["email"], "phone": None,
        "wallet_address": None,
    }  # fmt: skip
    phone = add_verified_phone(stack, user)
    assert internal.get(f"{USERS}/{user['user']['id']}").json()["phone"] == phone
    unverified = signed_up(api, verify=False)
    shown = internal.get(f"{USERS}/{user_id_of(api, admin, unverified['email'])}").json()
    assert shown["email"] is None and shown["phone"] is None
