"""What chat-history makes of auth's access tokens: an ended session's token stops working here within seconds,
and a validly signed token with claims no service can use is a 401, never a 500.

Through the gateway, against the real auth service: chat-history learns of a logout only through the shared kit's
verifier and Redis, never from a call to auth.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import jwt
import pytest

from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from devstack.testing import outbox_link_token
from osool_auth.tokens import parse_signing_keys

pytestmark = pytest.mark.stack
PASSWORD = "a long enough passphrase"
SESSIONS = "/api/history/sessions"
# The verifier reads the deny list through a cache of one second; this bounds the whole round trip.
REVOCATION_DEADLINE_SECONDS = 3.0


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


def signed_up(api: httpx.Client) -> tuple[str, dict[str, Any]]:
    email = f"revoke-{uuid.uuid4().hex[:12]}@osool-test.eg"
    assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    pair = api.post("/api/auth/verify-email", json={"token": outbox_link_token(api, email, "verify-email")})
    assert pair.status_code == 200, pair.text
    return email, pair.json()


def signed_in(api: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = api.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    pair: dict[str, Any] = response.json()
    return pair


def bearer(pair: dict[str, Any]) -> dict[str, str]:
    return {"Authorization": f"Bearer {pair['access_token']}"}


def refused_within(api: httpx.Client, pair: dict[str, Any], deadline: float = REVOCATION_DEADLINE_SECONDS) -> float:
    """Seconds until chat-history refuses the pair's access token; fails past the deadline."""
    started = time.monotonic()
    while True:
        response = api.get(SESSIONS, headers=bearer(pair))
        elapsed = time.monotonic() - started
        if response.status_code == 401:
            assert response.json()["error"]["code"] == "unauthenticated"
            return elapsed
        assert response.status_code == 200, response.text
        assert elapsed < deadline, f"the token still works {elapsed:.1f} s after its session ended"
        time.sleep(0.1)


def test_logout_ends_the_access_token_in_chat_history_within_seconds(api: httpx.Client) -> None:
    email, pair = signed_up(api)
    other_device = signed_in(api, email)
    assert api.get(SESSIONS, headers=bearer(pair)).status_code == 200
    assert api.post("/api/auth/logout", json={"refresh_token": pair["refresh_token"]}).status_code == 204
    refused_within(api, pair)
    assert api.get("/api/auth/me", headers=bearer(pair)).status_code == 401
    # Only the session that logged out ended: the same user on another device goes on.
    assert api.get(SESSIONS, headers=bearer(other_device)).status_code == 200


def test_a_reused_refresh_token_ends_the_session_in_chat_history(api: httpx.Client) -> None:
    _, first = signed_up(api)
    second = api.post("/api/auth/token/refresh", json={"refresh_token": first["refresh_token"]}).json()
    assert api.get(SESSIONS, headers=bearer(first)).status_code == 200
    assert api.get(SESSIONS, headers=bearer(second)).status_code == 200
    # The used refresh token comes back (stolen): every access token of that sign-in dies, old and new.
    assert api.post("/api/auth/token/refresh", json={"refresh_token": first["refresh_token"]}).status_code == 401
    refused_within(api, second)
    refused_within(api, first)


def test_a_password_reset_ends_every_session_in_chat_history(api: httpx.Client) -> None:
    email, first = signed_up(api)
    second = signed_in(api, email)
    assert api.get(SESSIONS, headers=bearer(first)).status_code == 200
    assert api.post("/api/auth/password/reset", json={"email": email}).status_code == 202
    new_password = "a brand new passphrase"
    confirm = api.post(
        "/api/auth/password/reset/confirm",
        json={"token": outbox_link_token(api, email, "reset-password"), "new_password": new_password},
    )
    assert confirm.status_code == 200, confirm.text
    refused_within(api, first)
    refused_within(api, second)
    # A sign-in after the reset, even in the same second, is a new session that works.
    after = signed_in(api, email, new_password)
    assert api.get(SESSIONS, headers=bearer(after)).status_code == 200


# -- validly signed, malformed ---------------------------------------------------------------------------------------
@pytest.fixture
def forge(stack: LocalStack) -> Any:
    """Sign claims with the very key the test stack's auth signs with."""
    key = parse_signing_keys(read_env_file(stack.config.env_file)["AUTH_JWT_KEYS"])[0]

    def sign(**overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": "osool-auth", "aud": "osool", "sub": str(uuid.uuid4()), "role": "user",
                  "jti": uuid.uuid4().hex, "sid": str(uuid.uuid4()), "iat": now, "exp": now + 600,
                  **overrides}  # fmt: skip
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    return sign


def test_a_forged_token_with_well_formed_claims_is_accepted(api: httpx.Client, forge: Any) -> None:
    # The control for the next test: the forging itself is right, so a 401 there is the claim's doing.
    assert api.get(SESSIONS, headers={"Authorization": f"Bearer {forge()}"}).status_code == 200


@pytest.mark.parametrize("claims", [{"sub": "someone"}, {"sub": "' OR '1'='1"}, {"sub": ""}, {"role": "root"}])
def test_a_validly_signed_token_with_a_malformed_subject_or_role_gets_401_not_500(
    api: httpx.Client, forge: Any, claims: dict[str, Any]
) -> None:
    headers = {"Authorization": f"Bearer {forge(**claims)}"}
    for response in (
        api.get(SESSIONS, headers=headers),
        api.post(SESSIONS, json={"title": "Villas"}, headers=headers),
        api.get("/api/history/search", params={"q": "villa"}, headers=headers),
    ):
        assert response.status_code == 401, (claims, response.request.url, response.text)
        error = response.json()["error"]
        assert error["code"] == "unauthenticated" and error["message"] and error["request_id"]
