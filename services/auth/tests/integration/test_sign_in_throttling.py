"""Failed sign-ins and OTP sends slow whoever makes them, never the account's owner.

Through the real gateway, each client bound to its own loopback address: the gateway sets X-Real-IP from the TCP
peer, and Linux routes all of 127/8 to the loopback interface, so every address is another client to the gateway
and to auth. Nothing is faked: argon2 checks, Redis counters, the outbox.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import outbox_link_token, read_outbox
from osool_auth.settings import Settings

pytestmark = pytest.mark.stack
PASSWORD = "a long enough passphrase"
WRONG = "not the passphrase"
LOGIN, OTP_SEND, OTP_VERIFY = "/api/auth/login", "/api/auth/otp/send", "/api/auth/otp/verify"


def default(name: str) -> int:
    value = Settings.model_fields[name].default
    assert isinstance(value, int)
    return value


_used_addresses: set[str] = set()


def new_address() -> str:
    """A loopback address no other test of this session uses (they use 127.0.0.x)."""
    while True:
        address = f"127.{random.randint(100, 250)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        if address not in _used_addresses:
            _used_addresses.add(address)
            return address


@contextmanager
def client_at(stack: LocalStack, address: str | None = None) -> Iterator[httpx.Client]:
    transport = httpx.HTTPTransport(local_address=address or new_address())
    with httpx.Client(transport=transport, base_url=stack.config.public_url, timeout=10) as client:
        yield client


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


def outbox(api: httpx.Client, recipient: str) -> list[dict[str, Any]]:
    return read_outbox(api, recipient)


def verified_account(api: httpx.Client) -> str:
    email = f"owner-{uuid.uuid4().hex[:12]}@osool-test.eg"
    assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    verified = api.post("/api/auth/verify-email", json={"token": outbox_link_token(api, email, "verify-email")})
    assert verified.status_code == 200, verified.text
    return email


def sms_code(api: httpx.Client, phone: str) -> str:
    match = re.search(r"\b(\d{6})\b", outbox(api, phone)[0]["body"])
    assert match
    return match[1]


def retry_after(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    error = response.json()["error"]
    assert error["code"] == "rate_limited" and error["request_id"]
    value = error["details"]["retry_after"]
    assert isinstance(value, int) and value >= 1
    # The standard header says the same, for clients and proxies that do not read the envelope.
    assert response.headers["Retry-After"] == str(value)
    return value


# -- password sign-in --------------------------------------------------------------------------------------------------
def test_guessing_from_one_address_slows_that_address_and_not_the_owner(stack: LocalStack, api: httpx.Client) -> None:
    email = verified_account(api)
    free = default("login_failures_before_delay")
    with client_at(stack) as attacker, client_at(stack) as owner:
        guesses = [attacker.post(LOGIN, json={"email": email, "password": WRONG}).status_code for _ in range(free)]
        assert guesses == [401] * free
        # From the guesser's address even the right password waits: the answer must not confirm a guess.
        first_wait = retry_after(attacker.post(LOGIN, json={"email": email, "password": PASSWORD}))
        # The owner, elsewhere, is not slowed at all.
        assert owner.post(LOGIN, json={"email": email, "password": PASSWORD}).status_code == 200

        # The guesser's delay keeps doubling with each failure past the free ones.
        waits = [first_wait]
        for _ in range(2):
            time.sleep(waits[-1] + 0.05)
            assert attacker.post(LOGIN, json={"email": email, "password": WRONG}).status_code == 401
            waits.append(retry_after(attacker.post(LOGIN, json={"email": email, "password": WRONG})))
        assert waits[0] < waits[1] < waits[2] and waits[2] >= 4, waits

        assert owner.post(LOGIN, json={"email": email, "password": PASSWORD}).status_code == 200


def test_guesses_from_many_addresses_admit_only_addresses_that_signed_in_before(
    stack: LocalStack, api: httpx.Client
) -> None:
    email = verified_account(api)
    home = new_address()
    with client_at(stack, home) as owner:
        assert owner.post(LOGIN, json={"email": email, "password": PASSWORD}).status_code == 200

    # Credential stuffing: every address stays under its own delay, together they pass the account's limit.
    free, limit = default("login_failures_before_delay"), default("login_account_failures_before_known_only")
    for _ in range(-(-limit // free)):
        with client_at(stack) as guesser:
            statuses = [guesser.post(LOGIN, json={"email": email, "password": WRONG}).status_code for _ in range(free)]
            assert statuses == [401] * free

    with client_at(stack) as stranger:
        # A new address is refused before the password is looked at, right or wrong alike.
        right = stranger.post(LOGIN, json={"email": email, "password": PASSWORD})
        assert retry_after(right) > 60 and "device you have used before" in right.json()["error"]["message"]
        wrong = stranger.post(LOGIN, json={"email": email, "password": WRONG})
        assert retry_after(wrong) > 60 and wrong.json()["error"]["message"] == right.json()["error"]["message"]

    # The owner, from an address that signed in before, still gets in with the right password.
    with client_at(stack, home) as owner:
        assert owner.post(LOGIN, json={"email": email, "password": PASSWORD}).status_code == 200

    # A password reset proves the inbox and opens the account to every address again.
    assert api.post("/api/auth/password/reset", json={"email": email}).status_code == 202
    new_password = "a brand new passphrase"
    confirm = api.post(
        "/api/auth/password/reset/confirm",
        json={"token": outbox_link_token(api, email, "reset-password"), "new_password": new_password},
    )
    assert confirm.status_code == 200, confirm.text
    with client_at(stack) as travelling_owner:
        assert travelling_owner.post(LOGIN, json={"email": email, "password": new_password}).status_code == 200


def test_an_unknown_email_under_a_spread_guess_answers_like_a_real_account(stack: LocalStack) -> None:
    nobody = f"nobody-{uuid.uuid4().hex[:12]}@osool-test.eg"
    free, limit = default("login_failures_before_delay"), default("login_account_failures_before_known_only")
    for _ in range(-(-limit // free)):
        with client_at(stack) as guesser:
            statuses = [guesser.post(LOGIN, json={"email": nobody, "password": WRONG}).status_code for _ in range(free)]
            assert statuses == [401] * free
    with client_at(stack) as stranger:
        refused = stranger.post(LOGIN, json={"email": nobody, "password": WRONG})
        assert retry_after(refused) > 60 and "device you have used before" in refused.json()["error"]["message"]


# -- phone OTP ---------------------------------------------------------------------------------------------------------
def test_otp_sends_by_others_do_not_use_up_the_phone_owners_codes(stack: LocalStack, api: httpx.Client) -> None:
    phone = f"+2010{random.randint(10_000_000, 99_999_999)}"
    per_pair, ceiling = default("otp_sends_per_phone_and_ip_per_hour"), default("otp_sends_per_phone_per_hour")
    sent = 0

    # Strangers ask for codes for this phone: each address gets its own few, then 429.
    with client_at(stack) as stranger:
        statuses = [stranger.post(OTP_SEND, json={"phone": phone}).status_code for _ in range(per_pair + 1)]
        assert statuses == [200] * per_pair + [429]
        sent += per_pair

    # The owner, from another address, still gets a code and signs in with it.
    owner_address = new_address()
    with client_at(stack, owner_address) as owner:
        assert owner.post(OTP_SEND, json={"phone": phone}).status_code == 200
        sent += 1
        signed_in = owner.post(OTP_VERIFY, json={"phone": phone, "code": sms_code(api, phone)})
        assert signed_in.status_code == 200 and signed_in.json()["user"]["phone"] == phone

    # Enough strangers reach the phone's ceiling: no new address gets a code for it this hour...
    while sent < ceiling:
        with client_at(stack) as stranger:
            for _ in range(min(per_pair, ceiling - sent)):
                assert stranger.post(OTP_SEND, json={"phone": phone}).status_code == 200
                sent += 1
    with client_at(stack) as stranger:
        retry_after(stranger.post(OTP_SEND, json={"phone": phone}))

    # ...but the owner's address, which signed in with this phone, is not starved by them.
    with client_at(stack, owner_address) as owner:
        assert owner.post(OTP_SEND, json={"phone": phone}).status_code == 200
        again = owner.post(OTP_VERIFY, json={"phone": phone, "code": sms_code(api, phone)})
        assert again.status_code == 200 and again.json()["user"]["id"] == signed_in.json()["user"]["id"]
