"""What chat-history makes of auth's access tokens: a validly signed token with claims no service can use is a
401, never a 500.
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
from osool_auth.tokens import parse_signing_keys

pytestmark = pytest.mark.stack
SESSIONS = "/api/history/sessions"


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


# -- validly signed, malformed ---------------------------------------------------------------------------------------
@pytest.fixture
def forge(stack: LocalStack) -> Any:
    """Sign claims with the very key the test stack's auth signs with."""
    key = parse_signing_keys(read_env_file(stack.config.env_file)["AUTH_JWT_KEYS"])[0]

    def sign(**overrides: Any) -> str:
        now = int(time.time())
        claims = {"iss": "osool-auth", "aud": "osool", "sub": str(uuid.uuid4()), "role": "user",
                  "jti": uuid.uuid4().hex, "iat": now, "exp": now + 600, **overrides}  # fmt: skip
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
