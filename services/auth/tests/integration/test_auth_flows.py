"""Every way in, through the gateway's public listener, against the real auth service of the test stack.

SMS and email go to the outbox (no provider configured outside production), read back through the
development endpoint, as a developer would on a laptop. Google is a local fake of its key and authorization endpoints.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from eth_account import Account
from eth_account.messages import encode_defunct

from devstack.stack import LocalStack
from devstack.testing import TEST_OTP_SENDS_PER_IP, ServiceProcess, clean_environ, read_outbox
from osool_auth.siwe import build_siwe_message

pytestmark = pytest.mark.stack
PASSWORD = "a long enough passphrase"


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@osool-test.eg"


def new_phone() -> str:
    return f"+2010{random.randint(10_000_000, 99_999_999)}"


def outbox(api: httpx.Client, recipient: str) -> list[dict[str, Any]]:
    return read_outbox(api, recipient)


def link_token(message: dict[str, Any]) -> str:
    match = re.search(r"token=([A-Za-z0-9_\-]+)", message["body"])
    assert match, message
    return match[1]


def sms_code(api: httpx.Client, phone: str) -> str:
    match = re.search(r"\b(\d{6})\b", outbox(api, phone)[0]["body"])
    assert match
    return match[1]


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def verified_account(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    email = new_email()
    assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    response = api.post("/api/auth/verify-email", json={"token": link_token(outbox(api, email)[0])})
    assert response.status_code == 200, response.text
    return email, response.json()


# -- email and password ----------------------------------------------------------------------------------------------
def test_sign_up_verify_email_then_sign_in(api: httpx.Client) -> None:
    email = new_email()
    response = api.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "display_name": "Mona"})
    assert response.status_code == 202
    (message,) = outbox(api, email)
    assert message["channel"] == "email" and "verify-email?token=" in message["body"]

    pair = api.post("/api/auth/verify-email", json={"token": link_token(message)}).json()
    assert pair["token_type"] == "Bearer" and pair["expires_in"] == 900
    assert pair["user"]["email"] == email and pair["user"]["email_verified"] and pair["user"]["role"] == "user"

    me = api.get("/api/auth/me", headers=bearer(pair)).json()
    assert me["display_name"] == "Mona" and me["id"] == pair["user"]["id"]
    login = api.post("/api/auth/login", json={"email": email.upper(), "password": PASSWORD})
    assert login.status_code == 200 and login.json()["user"]["id"] == me["id"]


def test_a_verification_link_works_once(api: httpx.Client) -> None:
    email = new_email()
    api.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    token = link_token(outbox(api, email)[0])
    assert api.post("/api/auth/verify-email", json={"token": token}).status_code == 200
    again = api.post("/api/auth/verify-email", json={"token": token})
    assert again.status_code == 400 and again.json()["error"]["code"] == "invalid_code"


def test_signing_up_twice_answers_the_same_and_warns_the_owner(api: httpx.Client) -> None:
    email, _ = verified_account(api)
    response = api.post("/api/auth/signup", json={"email": email, "password": "another passphrase!"})
    assert response.status_code == 202
    assert response.json()["message"] == "check your inbox: we sent a link to verify your email"
    assert "already exists" in outbox(api, email)[0]["body"]


def test_sign_in_before_verifying_the_email_is_refused_with_a_new_link(api: httpx.Client) -> None:
    email = new_email()
    api.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    response = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 403 and response.json()["error"]["code"] == "email_not_verified"
    assert len(outbox(api, email)) == 2


def test_weak_password_is_refused_at_sign_up(api: httpx.Client) -> None:
    response = api.post("/api/auth/signup", json={"email": new_email(), "password": "short"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "weak_password"


def test_unknown_account_and_wrong_password_get_the_same_answer(api: httpx.Client) -> None:
    email, _ = verified_account(api)
    wrong = api.post("/api/auth/login", json={"email": email, "password": "not the password"})
    unknown = api.post("/api/auth/login", json={"email": new_email(), "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_repeated_failures_lock_the_account_with_a_growing_delay(api: httpx.Client) -> None:
    email, _ = verified_account(api)
    statuses = [api.post("/api/auth/login", json={"email": email, "password": "wrong password!"}).status_code
                for _ in range(6)]  # fmt: skip
    assert statuses == [401] * 5 + [429]
    locked = api.post("/api/auth/login", json={"email": email, "password": PASSWORD})
    assert locked.status_code == 429  # even the right password waits
    assert locked.json()["error"]["details"]["retry_after"] >= 1
    # An unknown address locks the same way: nothing tells the two apart.
    stranger = new_email()
    unknown = [api.post("/api/auth/login", json={"email": stranger, "password": "wrong password!"}).status_code
               for _ in range(6)]  # fmt: skip
    assert unknown == statuses


def test_password_reset_changes_the_password_and_ends_other_sessions(api: httpx.Client) -> None:
    email, session = verified_account(api)
    unknown = api.post("/api/auth/password/reset", json={"email": new_email()})
    known = api.post("/api/auth/password/reset", json={"email": email})
    assert unknown.status_code == known.status_code == 202 and unknown.json() == known.json()

    reset = next(message for message in outbox(api, email) if "reset-password?token=" in message["body"])
    new_password = "a brand new passphrase"
    confirm = api.post(
        "/api/auth/password/reset/confirm", json={"token": link_token(reset), "new_password": new_password}
    )
    assert confirm.status_code == 200
    assert api.post("/api/auth/login", json={"email": email, "password": PASSWORD}).status_code == 401
    assert api.post("/api/auth/login", json={"email": email, "password": new_password}).status_code == 200
    refused = api.post("/api/auth/token/refresh", json={"refresh_token": session["refresh_token"]})
    assert refused.status_code == 401
    again = api.post("/api/auth/password/reset/confirm", json={"token": link_token(reset), "new_password": "x" * 12})
    assert again.status_code == 400


# -- tokens ------------------------------------------------------------------------------------------------------------
def test_refresh_rotates_and_reuse_revokes_the_whole_family(api: httpx.Client) -> None:
    _, first = verified_account(api)
    second = api.post("/api/auth/token/refresh", json={"refresh_token": first["refresh_token"]}).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert api.get("/api/auth/me", headers=bearer(second)).status_code == 200
    # The old token comes back (stolen): refused, and the thief's and the owner's newer tokens die with it.
    reuse = api.post("/api/auth/token/refresh", json={"refresh_token": first["refresh_token"]})
    assert reuse.status_code == 401
    assert api.post("/api/auth/token/refresh", json={"refresh_token": second["refresh_token"]}).status_code == 401


def test_logout_revokes_the_refresh_token(api: httpx.Client) -> None:
    _, pair = verified_account(api)
    assert api.post("/api/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    assert api.post("/api/auth/token/refresh", json={"refresh_token": pair["refresh_token"]}).status_code == 401


def test_jwks_is_public_and_verifies_the_access_token(api: httpx.Client) -> None:
    import jwt

    _, pair = verified_account(api)
    document = api.get("/.well-known/jwks.json").json()
    kid = jwt.get_unverified_header(pair["access_token"])["kid"]
    key = next(jwt.PyJWK(entry) for entry in document["keys"] if entry["kid"] == kid)
    claims = jwt.decode(pair["access_token"], key.key, algorithms=["RS256"], audience="osool", issuer="osool-auth")
    assert claims["sub"] == pair["user"]["id"] and claims["role"] == "user"


def test_profile_can_be_read_and_changed(api: httpx.Client) -> None:
    _, pair = verified_account(api)
    response = api.patch("/api/auth/me", json={"display_name": "Karim"}, headers=bearer(pair))
    assert response.status_code == 200 and response.json()["display_name"] == "Karim"
    assert api.patch("/api/auth/me", json={"role": "admin"}, headers=bearer(pair)).status_code == 422


# -- phone OTP ---------------------------------------------------------------------------------------------------------
def test_phone_otp_signs_in_and_creates_the_account(api: httpx.Client) -> None:
    phone = new_phone()
    local_form = "0" + phone.removeprefix("+20")
    sent = api.post("/api/auth/otp/send", json={"phone": local_form})
    assert sent.status_code == 200 and sent.json() == {"status": "sent", "expires_in": 300}
    (sms,) = outbox(api, phone)
    assert sms["channel"] == "sms" and "expires in 5 minutes" in sms["body"]
    pair = api.post("/api/auth/otp/verify", json={"phone": phone, "code": sms_code(api, phone)}).json()
    assert pair["user"]["phone"] == phone and pair["user"]["phone_verified"]
    # The same code does not work twice.
    again = api.post("/api/auth/otp/verify", json={"phone": phone, "code": sms_code(api, phone)})
    assert again.status_code == 400


def test_sixth_otp_attempt_is_refused_even_with_the_right_code(api: httpx.Client) -> None:
    phone = new_phone()
    api.post("/api/auth/otp/send", json={"phone": phone})
    code = sms_code(api, phone)
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    answers = [api.post("/api/auth/otp/verify", json={"phone": phone, "code": wrong}) for _ in range(5)]
    assert [answer.status_code for answer in answers] == [400] * 5
    assert answers[0].json()["error"]["details"] == {"attempts_left": 4}
    sixth = api.post("/api/auth/otp/verify", json={"phone": phone, "code": code})
    assert sixth.status_code == 429


def test_fourth_otp_send_in_an_hour_is_refused_and_a_resend_replaces_the_code(api: httpx.Client) -> None:
    phone = new_phone()
    assert api.post("/api/auth/otp/send", json={"phone": phone}).status_code == 200
    first_code = sms_code(api, phone)
    assert api.post("/api/auth/otp/send", json={"phone": phone}).status_code == 200
    second_code = sms_code(api, phone)
    assert api.post("/api/auth/otp/send", json={"phone": phone}).status_code == 200
    fourth = api.post("/api/auth/otp/send", json={"phone": phone})
    assert fourth.status_code == 429 and fourth.json()["error"]["code"] == "rate_limited"
    assert len(outbox(api, phone)) == 3
    if first_code != second_code:
        assert api.post("/api/auth/otp/verify", json={"phone": phone, "code": first_code}).status_code == 400


@pytest.mark.parametrize("phone", ["12345", "+20 12", "phone", "+0000000000", "<script>alert(1)</script>"])
def test_malformed_phone_numbers_are_refused(api: httpx.Client, phone: str) -> None:
    response = api.post("/api/auth/otp/send", json={"phone": phone})
    assert response.status_code == 422


def test_a_signed_in_user_verifies_a_phone_on_the_account(api: httpx.Client) -> None:
    _, pair = verified_account(api)
    phone = new_phone()
    anonymous = api.post("/api/auth/otp/send", json={"phone": phone, "purpose": "verify_phone"})
    assert anonymous.status_code == 401
    sent = api.post("/api/auth/otp/send", json={"phone": phone, "purpose": "verify_phone"}, headers=bearer(pair))
    assert sent.status_code == 200
    user = api.post(
        "/api/auth/phone/verify", json={"phone": phone, "code": sms_code(api, phone), "purpose": "verify_phone"},
        headers=bearer(pair),
    )  # fmt: skip
    assert user.status_code == 200 and user.json()["phone"] == phone and user.json()["phone_verified"]


# -- Google ------------------------------------------------------------------------------------------------------------
def test_google_sign_in_creates_then_finds_the_account(api: httpx.Client, fake_google: Any) -> None:
    subject, email = f"g-{uuid.uuid4().hex}", new_email()
    first = api.post("/api/auth/google", json={"id_token": fake_google.id_token(subject, email=email)})
    assert first.status_code == 200, first.text
    assert first.json()["user"]["google_linked"] and first.json()["user"]["email"] == email
    second = api.post("/api/auth/google", json={"id_token": fake_google.id_token(subject, email=email)})
    assert second.json()["user"]["id"] == first.json()["user"]["id"]


def test_google_sign_in_links_the_account_that_owns_the_verified_email(api: httpx.Client, fake_google: Any) -> None:
    email, pair = verified_account(api)
    response = api.post(
        "/api/auth/google", json={"id_token": fake_google.id_token(f"g-{uuid.uuid4().hex}", email=email)}
    )
    assert response.json()["user"]["id"] == pair["user"]["id"]


def test_sign_in_methods_give_the_google_client_a_browser_needs(api: httpx.Client, fake_google: Any) -> None:
    from devstack.fakes import GOOGLE_CLIENT_ID

    response = api.get("/api/auth/methods")
    assert response.status_code == 200
    assert response.json() == {
        "google": {"client_id": GOOGLE_CLIENT_ID, "authorization_url": fake_google.authorization_url}
    }


def test_sign_in_methods_say_google_is_off_without_a_client_id(stack: LocalStack) -> None:
    process = ServiceProcess(stack, "osool_auth", GOOGLE_CLIENT_ID="").start()
    try:
        assert httpx.get(f"{process.url}/api/auth/methods", timeout=10).json() == {"google": None}
        assert httpx.get(f"{process.url}/api/auth/google/nonce", timeout=10).status_code == 404
        refused = httpx.post(f"{process.url}/api/auth/google", json={"id_token": "x" * 40}, timeout=10)
        assert refused.status_code == 404 and refused.json()["error"]["code"]
    finally:
        process.stop()


def test_the_id_token_of_googles_redirect_signs_in(api: httpx.Client) -> None:
    """The browser's way (OpenID Connect implicit flow) through the fake: a nonce from auth, authorize, choose an
    account, come back to the client's page with the ID token in the fragment, hand it to auth: once."""
    google = api.get("/api/auth/methods").json()["google"]
    issued = api.get("/api/auth/google/nonce")
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    nonce = issued.json()["nonce"]
    assert nonce.startswith("osool-") and len(nonce) >= 32 and issued.json()["expires_in"] == 600
    assert api.get("/api/auth/google/nonce").json()["nonce"] != nonce
    email, back = new_email(), f"{api.base_url}/signin/google"
    params = {"client_id": google["client_id"], "redirect_uri": back, "response_type": "id_token",
              "scope": "openid email profile", "nonce": nonce, "state": "s-0123456789"}  # fmt: skip
    assert httpx.get(google["authorization_url"], params=params, timeout=10).status_code == 200
    assert httpx.get(google["authorization_url"], params={**params, "nonce": ""}, timeout=10).status_code == 400
    approved = httpx.get(
        f"{google['authorization_url']}/approve",
        params={"redirect_uri": back, "state": "s-0123456789", "nonce": nonce, "email": email, "decision": "allow"},
        timeout=10,
    )  # fmt: skip
    assert approved.status_code == 302
    location = urlsplit(approved.headers["location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == back
    fragment = parse_qs(location.fragment)
    assert fragment["state"] == ["s-0123456789"]
    signed_in = api.post("/api/auth/google", json={"id_token": fragment["id_token"][0]})
    assert signed_in.status_code == 200, signed_in.text
    assert signed_in.json()["user"]["email"] == email and signed_in.json()["user"]["google_linked"]
    # The same token again (from the browser's history, a log): its nonce is used up.
    replayed = api.post("/api/auth/google", json={"id_token": fragment["id_token"][0]})
    assert replayed.status_code == 401 and "nonce" in replayed.json()["error"]["message"]


def test_a_google_token_naming_a_nonce_auth_never_issued_is_refused(api: httpx.Client, fake_google: Any) -> None:
    subject = f"g-{uuid.uuid4().hex}"
    forged = fake_google.id_token(subject, email=new_email(), nonce="osool-" + "a" * 32)
    refused = api.post("/api/auth/google", json={"id_token": forged})
    assert refused.status_code == 401 and "nonce" in refused.json()["error"]["message"]
    # A client that never asked auth for a nonce (a mobile app's Google SDK names its own) signs in as before.
    own = fake_google.id_token(subject, email=new_email(), nonce="sdk-0123456789")
    assert api.post("/api/auth/google", json={"id_token": own}).status_code == 200


@pytest.mark.parametrize("claims", [{"aud": "someone-else"}, {"iss": "https://evil.example"}, {"exp": 1000}])
def test_google_tokens_for_another_audience_issuer_or_expired_are_refused(
    api: httpx.Client, fake_google: Any, claims: dict[str, Any]
) -> None:
    token = fake_google.id_token(f"g-{uuid.uuid4().hex}", email=new_email(), **claims)
    assert api.post("/api/auth/google", json={"id_token": token}).status_code == 401


# -- Ethereum wallet ---------------------------------------------------------------------------------------------------
def _siwe(api: httpx.Client, account: Any, **overrides: Any) -> dict[str, str]:
    nonce = api.get("/api/auth/siwe/nonce").json()
    fields = {
        "domain": nonce["domain"],
        "address": account.address,
        "uri": nonce["uri"],
        "chain_id": nonce["chain_id"],
        "nonce": nonce["nonce"],
        "issued_at": datetime.now(UTC),
        "statement": "Sign in to Osool",
        "expiration_time": datetime.now(UTC) + timedelta(minutes=5),
        **overrides,
    }
    message = build_siwe_message(**fields)
    signature = account.sign_message(encode_defunct(text=message)).signature.hex()
    return {"message": message, "signature": signature if signature.startswith("0x") else f"0x{signature}"}


def test_wallet_sign_in_with_a_single_use_nonce(api: httpx.Client) -> None:
    account = Account.create()
    body = _siwe(api, account)
    first = api.post("/api/auth/siwe/verify", json=body)
    assert first.status_code == 200, first.text
    assert first.json()["user"]["wallet_address"] == account.address
    replay = api.post("/api/auth/siwe/verify", json=body)
    assert replay.status_code == 401 and "nonce" in replay.json()["error"]["message"]
    again = api.post("/api/auth/siwe/verify", json=_siwe(api, account))
    assert again.json()["user"]["id"] == first.json()["user"]["id"]


def test_a_wallet_message_for_another_domain_is_refused(api: httpx.Client) -> None:
    response = api.post("/api/auth/siwe/verify", json=_siwe(api, Account.create(), domain="evil.example"))
    assert response.status_code == 401 and "wrong_domain" in response.json()["error"]["message"]


def test_a_nonce_the_server_never_gave_is_refused(api: httpx.Client) -> None:
    response = api.post("/api/auth/siwe/verify", json=_siwe(api, Account.create(), nonce="madeUpNonce12345"))
    assert response.status_code == 401


def test_a_wallet_can_be_linked_to_an_existing_account_once(api: httpx.Client) -> None:
    _, pair = verified_account(api)
    account = Account.create()
    linked = api.post("/api/auth/wallet/link", json=_siwe(api, account), headers=bearer(pair))
    assert linked.status_code == 200 and linked.json()["wallet_address"] == account.address
    _, other = verified_account(api)
    taken = api.post("/api/auth/wallet/link", json=_siwe(api, account), headers=bearer(other))
    assert taken.status_code == 409
    signed_in = api.post("/api/auth/siwe/verify", json=_siwe(api, account)).json()
    assert signed_in["user"]["id"] == pair["user"]["id"]


# -- administration ----------------------------------------------------------------------------------------------------
def test_first_admin_from_the_command_line_manages_roles(api: httpx.Client, stack: LocalStack) -> None:
    admin_email = new_email()
    env = {**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)}
    created = subprocess.run(
        [sys.executable, "-m", "osool_auth", "create-admin", "--email", admin_email, "--password-stdin"],
        input="an admin passphrase\n", env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert f"created admin {admin_email}" in created.stdout
    admin = api.post("/api/auth/login", json={"email": admin_email, "password": "an admin passphrase"}).json()
    assert admin["user"]["role"] == "admin"
    # The same command makes a sales agent (--role agent), created verified and able to sign in.
    agent_email = new_email()
    made = subprocess.run(
        [sys.executable, "-m", "osool_auth", "create-admin", "--role", "agent", "--email", agent_email,
         "--password-stdin"], input="an agent passphrase\n", env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert made.returncode == 0 and f"created agent {agent_email}" in made.stdout, made.stderr
    agent = api.post("/api/auth/login", json={"email": agent_email, "password": "an agent passphrase"}).json()
    assert agent["user"]["role"] == "agent"

    _, user = verified_account(api)
    assert api.get("/api/auth/admin/users", headers=bearer(user)).status_code == 403
    page = api.get("/api/auth/admin/users", params={"limit": 2}, headers=bearer(admin)).json()
    assert len(page["users"]) == 2 and page["next_cursor"]
    following = api.get(
        "/api/auth/admin/users", params={"limit": 2, "cursor": page["next_cursor"]}, headers=bearer(admin)
    )
    assert following.status_code == 200
    assert {u["id"] for u in page["users"]}.isdisjoint(u["id"] for u in following.json()["users"])
    bad_cursor = api.get("/api/auth/admin/users", params={"cursor": "garbage"}, headers=bearer(admin))
    assert bad_cursor.status_code == 400

    promoted = api.put(
        f"/api/auth/admin/users/{user['user']['id']}/role", json={"role": "agent"}, headers=bearer(admin)
    )
    assert promoted.status_code == 200 and promoted.json()["role"] == "agent"
    assert (
        api.put(f"/api/auth/admin/users/{uuid.uuid4()}/role", json={"role": "agent"}, headers=bearer(admin)).status_code
        == 404
    )
    assert (
        api.put(
            f"/api/auth/admin/users/{user['user']['id']}/role", json={"role": "root"}, headers=bearer(admin)
        ).status_code
        == 422
    )
    refreshed = api.post("/api/auth/token/refresh", json={"refresh_token": user["refresh_token"]}).json()
    assert refreshed["user"]["role"] == "agent"


def test_auth_metrics_count_sign_ins_otps_and_reuse(stack: LocalStack) -> None:
    text = httpx.get(f"{stack.config.internal_url}/auth/metrics").text
    names = ["sign_ins", "otps_sent", "tokens_issued", "refresh_reuse", "rate_limited", "otps_verified"]
    for name in (f"osool_auth_{name}_total" for name in names):
        assert re.search(rf"^{name}(\{{[^}}]*\}})? [1-9]", text, re.MULTILINE), name


def test_otp_sends_are_limited_per_client_address(stack: LocalStack) -> None:
    # Another loopback address is another client for the gateway (X-Real-IP), so this spends nobody else's limit.
    transport = httpx.HTTPTransport(local_address="127.0.0.3")
    limit = TEST_OTP_SENDS_PER_IP
    with httpx.Client(transport=transport, base_url=stack.config.public_url, timeout=10) as client:
        statuses = [
            client.post("/api/auth/otp/send", json={"phone": new_phone()}).status_code for _ in range(limit + 1)
        ]
    assert statuses[:limit] == [200] * limit
    assert statuses[limit] == 429
