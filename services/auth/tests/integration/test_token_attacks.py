"""Forged and misused tokens, and hostile strings in every field: refused with a clear 4xx, never a 500.

Tokens are checked twice: by the auth service through the gateway, and by the shared kit's verifier that every
other service uses, which fetches the JWKS through the gateway's internal listener.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Iterator
from typing import Any, ClassVar

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from redis.asyncio import Redis

from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from devstack.testing import read_outbox
from osool_auth.tokens import generate_signing_key_entry, parse_signing_keys
from osool_common.auth import TokenVerifier, gateway_jwks_fetcher
from osool_common.errors import UnauthenticatedError
from osool_common.http_client import ServiceClient
from osool_common.settings import CommonSettings

pytestmark = pytest.mark.stack
HOSTILE = ["' OR '1'='1", "'; DROP TABLE users;--", "<script>alert(1)</script>", "\u0000", "../../etc/passwd"]


class VerifierSettings(CommonSettings):
    service_name: ClassVar[str] = "verifier-test"
    required_secrets: ClassVar[tuple[str, ...]] = ()


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=10) as client:
        yield client


@pytest.fixture
def signing_key(stack: LocalStack) -> Any:
    return parse_signing_keys(read_env_file(stack.config.env_file)["AUTH_JWT_KEYS"])[0]


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    return {"iss": "osool-auth", "aud": "osool", "sub": str(uuid.uuid4()), "role": "admin", "jti": uuid.uuid4().hex,
            "sid": str(uuid.uuid4()), "iat": now, "exp": now + 600, **overrides}  # fmt: skip


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _hs256_with_public_key(signing_key: Any) -> str:
    """The classic confusion attack: HMAC-sign with the published public key (PEM) as the secret. PyJWT refuses to
    make such a token, so it is assembled by hand."""
    pem = signing_key.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{_b64({'alg': 'HS256', 'kid': signing_key.kid, 'typ': 'JWT'})}.{_b64(_claims())}"
    mac = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def _forgeries(signing_key: Any) -> dict[str, str]:
    genuine = jwt.encode(_claims(), signing_key.private_key, algorithm="RS256", headers={"kid": signing_key.kid})
    header, _, signature = genuine.split(".")
    stranger = parse_signing_keys(generate_signing_key_entry("stranger"))[0]

    def signed(claims: dict[str, Any], key: Any = signing_key.private_key) -> str:
        return jwt.encode(claims, key, algorithm="RS256", headers={"kid": signing_key.kid})

    return {
        "alg_none": f"{_b64({'alg': 'none', 'kid': signing_key.kid, 'typ': 'JWT'})}.{_b64(_claims())}.",
        "hs256_with_public_key": _hs256_with_public_key(signing_key),
        "expired": signed(_claims(exp=int(time.time()) - 120)),
        "wrong_audience": signed(_claims(aud="someone-else")),
        "wrong_issuer": signed(_claims(iss="evil")),
        "tampered_payload": f"{header}.{_b64({**_claims(), 'role': 'admin', 'sub': 'someone'})}.{signature}",
        "unknown_kid": jwt.encode(_claims(), stranger.private_key, algorithm="RS256", headers={"kid": "stranger"}),
        "right_kid_wrong_key": signed(_claims(), stranger.private_key),
        "garbage": "not.a.token",
    }


@pytest.mark.parametrize(
    "attack",
    ["alg_none", "hs256_with_public_key", "expired", "wrong_audience", "wrong_issuer", "tampered_payload",
     "unknown_kid", "right_kid_wrong_key", "garbage"],
)  # fmt: skip
def test_forged_tokens_are_refused_by_the_auth_service(api: httpx.Client, signing_key: Any, attack: str) -> None:
    token = _forgeries(signing_key)[attack]
    for path in ("/api/auth/me", "/api/auth/admin/users"):
        response = api.get(path, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 401, (attack, path, response.text)
        assert response.json()["error"]["code"] == "unauthenticated"


async def test_the_shared_verifier_of_other_services_refuses_forgeries_and_accepts_real_tokens(
    stack: LocalStack, stack_env: dict[str, str], api: httpx.Client, signing_key: Any
) -> None:
    client = ServiceClient(VerifierSettings(gateway_internal_url=stack.config.internal_url))  # type: ignore[arg-type]
    redis = Redis.from_url(stack_env["REDIS_URL"], decode_responses=True)
    verifier = TokenVerifier(gateway_jwks_fetcher(client), issuer="osool-auth", audience="osool", redis=redis)
    try:
        for attack, token in _forgeries(signing_key).items():
            with pytest.raises(UnauthenticatedError):
                await verifier.verify(token)
            assert attack
        real = jwt.encode(
            _claims(role="agent"), signing_key.private_key, algorithm="RS256", headers={"kid": signing_key.kid}
        )
        assert (await verifier.verify(real)).role == "agent"
    finally:
        await client.aclose()
        await redis.aclose()


# What a bug in auth (or a key used elsewhere) could sign: valid signatures over claims no service can use.
MALFORMED_CLAIMS = {
    "sub_not_a_uuid": {"sub": "someone"},
    "sub_sql": {"sub": "' OR '1'='1"},
    "sub_empty": {"sub": ""},
    "sub_not_a_string": {"sub": 12345},
    "role_unknown": {"role": "root"},
    "role_not_a_string": {"role": ["admin"]},
    "sid_not_a_uuid": {"sid": "not-a-session"},
}


@pytest.mark.parametrize("case", sorted(MALFORMED_CLAIMS))
def test_a_validly_signed_token_with_malformed_claims_gets_401_not_500(
    api: httpx.Client, signing_key: Any, case: str
) -> None:
    claims = _claims(**MALFORMED_CLAIMS[case])
    token = jwt.encode(claims, signing_key.private_key, algorithm="RS256", headers={"kid": signing_key.kid})
    headers = {"Authorization": f"Bearer {token}"}
    for method, path in (("GET", "/api/auth/me"), ("PATCH", "/api/auth/me"), ("GET", "/api/auth/admin/users")):
        response = api.request(method, path, headers=headers, json={"display_name": "x"} if method == "PATCH" else None)
        assert response.status_code == 401, (case, path, response.text)
        assert response.json()["error"]["code"] == "unauthenticated" and response.json()["error"]["request_id"]


def test_a_missing_or_malformed_authorization_header_is_a_401(api: httpx.Client) -> None:
    for header in ({}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer"}, {"Authorization": "Token abc"}):
        response = api.get("/api/auth/me", headers=header)
        assert response.status_code == 401 and response.json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_in_every_field_get_a_clear_4xx(api: httpx.Client, hostile: str) -> None:
    requests: list[tuple[str, dict[str, Any]]] = [
        ("/api/auth/signup", {"email": hostile, "password": "a long enough passphrase"}),
        ("/api/auth/signup", {"email": f"x{uuid.uuid4().hex[:6]}@osool-test.eg", "password": hostile * 3}),
        ("/api/auth/login", {"email": hostile, "password": hostile}),
        ("/api/auth/login", {"email": "someone@osool-test.eg", "password": hostile}),
        ("/api/auth/verify-email", {"token": hostile * 8}),
        ("/api/auth/password/reset", {"email": hostile}),
        ("/api/auth/password/reset/confirm", {"token": hostile * 8, "new_password": hostile * 4}),
        ("/api/auth/otp/send", {"phone": hostile}),
        ("/api/auth/otp/verify", {"phone": "+201001234567", "code": hostile}),
        ("/api/auth/google", {"id_token": hostile * 10}),
        ("/api/auth/siwe/verify", {"message": hostile * 10, "signature": "0x" + "ab" * 65}),
        ("/api/auth/token/refresh", {"refresh_token": hostile * 8}),
        ("/api/auth/logout", {"refresh_token": hostile * 8}),
        ("/api/auth/login", {"email": "a@b.eg", "password": "x", "role": "admin"}),
    ]
    for path, body in requests:
        response = api.post(path, json=body)
        assert 400 <= response.status_code < 500 or response.status_code in (202, 204), (path, response.text)
        if response.status_code >= 400:
            assert set(response.json()["error"]) >= {"code", "message", "request_id"}, (path, response.text)


def test_a_hostile_display_name_is_stored_as_text_not_run(api: httpx.Client) -> None:
    email = f"x{uuid.uuid4().hex[:8]}@osool-test.eg"
    api.post(
        "/api/auth/signup", json={"email": email, "password": "a long enough passphrase", "display_name": HOSTILE[2]}
    )
    outbox = read_outbox(api, email)
    token = outbox[0]["body"].split("token=")[1].split()[0]
    pair = api.post("/api/auth/verify-email", json={"token": token}).json()
    headers = {"Authorization": f"Bearer {pair['access_token']}"}
    me = api.get("/api/auth/me", headers=headers)
    assert me.headers["content-type"] == "application/json"
    assert me.json()["display_name"] == HOSTILE[2]
    refused = api.patch("/api/auth/me", json={"display_name": "nul\u0000byte"}, headers=headers)
    assert refused.status_code == 422
    assert api.get("/api/auth/me", headers=headers).json()["display_name"] == HOSTILE[2]  # nothing half-written


def test_oversized_and_non_json_bodies_are_refused(api: httpx.Client) -> None:
    assert api.post("/api/auth/login", content=b"{", headers={"Content-Type": "application/json"}).status_code == 422
    assert api.post("/api/auth/login", content=b"x" * (2 * 1024 * 1024)).status_code == 413
