"""Google ID token verification: signature, claims, alg pinning, and how often Google's key endpoint is asked.

Google is a real HTTP server on a free loopback port (uvicorn in a thread) publishing RSA keys as a JWKS, the
way https://www.googleapis.com/oauth2/v3/certs does; tokens are minted here with the matching private keys.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from jwt.algorithms import RSAAlgorithm

from devstack.config import free_port
from devstack.testing import ThreadedServer
from osool_auth.google import GoogleIdentity, GoogleIdTokenVerifier, GoogleTokenError

CLIENT_ID = "1234567890-osool.apps.googleusercontent.com"
SUBJECT = "110169484474386276334"

KEY_A = rsa.generate_private_key(public_exponent=65537, key_size=2048)
KEY_B = rsa.generate_private_key(public_exponent=65537, key_size=2048)


class FakeGoogle:
    """Google's JWKS endpoint: publishes the public halves of `published`, counts its hits, can fail or stall."""

    def __init__(self) -> None:
        self.published: dict[str, rsa.RSAPrivateKey] = {"key-a": KEY_A}
        self.hits = 0
        self.fail = False
        self.delay_seconds = 0.0
        self.cache_control: str | None = None
        app = FastAPI()

        @app.get("/oauth2/v3/certs")
        async def certs() -> Response:
            self.hits += 1
            if self.delay_seconds:
                await asyncio.sleep(self.delay_seconds)
            if self.fail:
                return Response(status_code=500)
            keys = [
                {**RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "alg": "RS256", "use": "sig"}
                for kid, key in self.published.items()
            ]
            headers = {"Cache-Control": self.cache_control} if self.cache_control else None
            return JSONResponse({"keys": keys}, headers=headers)

        self.server = ThreadedServer(app)
        self.jwks_url = f"{self.server.url}/oauth2/v3/certs"


@pytest.fixture
def google() -> Iterator[FakeGoogle]:
    fake = FakeGoogle()
    with fake.server:
        yield fake


@pytest.fixture
async def verifier(google: FakeGoogle) -> AsyncIterator[GoogleIdTokenVerifier]:
    checker = GoogleIdTokenVerifier(client_id=CLIENT_ID, jwks_url=google.jwks_url)
    yield checker
    await checker.aclose()


def mint(key: rsa.RSAPrivateKey = KEY_A, kid: str = "key-a", **overrides: Any) -> str:
    """A Google-shaped ID token; a claim overridden with None is left out."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "https://accounts.google.com",
        "azp": CLIENT_ID,
        "aud": CLIENT_ID,
        "sub": SUBJECT,
        "email": "layla@example.com",
        "email_verified": True,
        "name": "Layla Hassan",
        "iat": now,
        "exp": now + 3600,
    }
    claims.update(overrides)
    claims = {name: value for name, value in claims.items() if value is not None}
    return jwt.encode(claims, key, algorithm="RS256", headers={"kid": kid})


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, separators=(",", ":")).encode())


def hand_made(header: dict[str, Any], claims: dict[str, Any], sign: Callable[[bytes], bytes]) -> str:
    """A token PyJWT would refuse to mint, the way an attacker builds one."""
    signing_input = f"{_segment(header)}.{_segment(claims)}"
    return f"{signing_input}.{_b64url(sign(signing_input.encode()))}"


def valid_claims() -> dict[str, Any]:
    return jwt.decode(mint(), options={"verify_signature": False})


async def refused(verifier: GoogleIdTokenVerifier, token: str) -> str:
    with pytest.raises(GoogleTokenError) as caught:
        await verifier.verify(token)
    return caught.value.reason


async def test_valid_token_yields_the_google_identity(verifier: GoogleIdTokenVerifier) -> None:
    identity = await verifier.verify(mint())

    assert identity == GoogleIdentity(
        subject=SUBJECT, email="layla@example.com", email_verified=True, name="Layla Hassan"
    )


async def test_token_from_the_short_issuer_spelling_is_accepted(verifier: GoogleIdTokenVerifier) -> None:
    identity = await verifier.verify(mint(iss="accounts.google.com"))

    assert identity.subject == SUBJECT


async def test_unverified_or_missing_email_is_reported_not_refused(verifier: GoogleIdTokenVerifier) -> None:
    unverified = await verifier.verify(mint(email_verified=False))
    without_email = await verifier.verify(mint(email=None, email_verified=None, name=None))

    assert (unverified.email, unverified.email_verified) == ("layla@example.com", False)
    assert without_email == GoogleIdentity(subject=SUBJECT, email=None, email_verified=False, name=None)


async def test_token_for_another_client_is_refused_as_wrong_audience(verifier: GoogleIdTokenVerifier) -> None:
    assert await refused(verifier, mint(aud="someone-else.apps.googleusercontent.com")) == "wrong_audience"


async def test_token_listing_our_client_among_other_audiences_is_refused(verifier: GoogleIdTokenVerifier) -> None:
    assert await refused(verifier, mint(aud=["other.apps.googleusercontent.com", CLIENT_ID])) == "wrong_audience"


async def test_token_from_another_issuer_is_refused_as_wrong_issuer(verifier: GoogleIdTokenVerifier) -> None:
    assert await refused(verifier, mint(iss="https://accounts.google.evil.example")) == "wrong_issuer"


async def test_expired_token_is_refused(verifier: GoogleIdTokenVerifier) -> None:
    now = int(time.time())

    assert await refused(verifier, mint(iat=now - 7200, exp=now - 3600)) == "expired"


async def test_token_expired_within_the_leeway_is_still_accepted(verifier: GoogleIdTokenVerifier) -> None:
    now = int(time.time())

    identity = await verifier.verify(mint(iat=now - 3600, exp=now - 10))

    assert identity.subject == SUBJECT


async def test_token_without_iat_is_refused_as_malformed(verifier: GoogleIdTokenVerifier) -> None:
    assert await refused(verifier, mint(iat=None)) == "malformed"


async def test_unknown_kid_is_refused_after_one_refetch_and_not_refetched_again_at_once(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    await verifier.verify(mint())
    assert google.hits == 1

    assert await refused(verifier, mint(KEY_B, kid="key-unpublished")) == "unknown_key"
    assert google.hits == 2

    assert await refused(verifier, mint(KEY_B, kid="another-unpublished")) == "unknown_key"
    assert google.hits == 2


async def test_key_published_after_the_first_fetch_is_used_after_exactly_one_refetch(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    await verifier.verify(mint())
    google.published["key-b"] = KEY_B

    identity = await verifier.verify(mint(KEY_B, kid="key-b"))

    assert identity.subject == SUBJECT
    assert google.hits == 2


async def test_two_verifications_fetch_the_keys_once(google: FakeGoogle, verifier: GoogleIdTokenVerifier) -> None:
    await verifier.verify(mint())
    await verifier.verify(mint(sub="another-subject"))

    assert google.hits == 1


async def test_twenty_concurrent_verifications_on_a_cold_cache_fetch_the_keys_once(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    google.delay_seconds = 0.1
    tokens = [mint(sub=f"subject-{n}") for n in range(20)]

    identities = await asyncio.gather(*(verifier.verify(token) for token in tokens))

    assert [identity.subject for identity in identities] == [f"subject-{n}" for n in range(20)]
    assert google.hits == 1


async def test_cache_control_max_age_is_honoured_over_cache_seconds(google: FakeGoogle) -> None:
    google.cache_control = "public, max-age=19822, must-revalidate, no-transform"
    checker = GoogleIdTokenVerifier(client_id=CLIENT_ID, jwks_url=google.jwks_url, cache_seconds=0)
    try:
        await checker.verify(mint())
        await checker.verify(mint())
    finally:
        await checker.aclose()

    assert google.hits == 1


async def test_keys_are_fetched_again_once_cache_seconds_have_passed(google: FakeGoogle) -> None:
    checker = GoogleIdTokenVerifier(client_id=CLIENT_ID, jwks_url=google.jwks_url, cache_seconds=0)
    try:
        await checker.verify(mint())
        await checker.verify(mint())
    finally:
        await checker.aclose()

    assert google.hits == 2


async def test_alg_none_token_is_refused_before_any_key_lookup(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    token = hand_made({"alg": "none", "typ": "JWT", "kid": "key-a"}, valid_claims(), lambda _: b"")

    assert await refused(verifier, token) == "bad_signature"
    assert google.hits == 0


async def test_hs256_token_keyed_with_the_public_key_pem_is_refused(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    public_pem = KEY_A.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    token = hand_made(
        {"alg": "HS256", "typ": "JWT", "kid": "key-a"},
        valid_claims(),
        lambda signing_input: hmac.new(public_pem, signing_input, hashlib.sha256).digest(),
    )

    assert await refused(verifier, token) == "bad_signature"
    assert google.hits == 0


async def test_tampered_payload_is_refused_as_bad_signature(verifier: GoogleIdTokenVerifier) -> None:
    header, _, signature = mint().split(".")
    forged_claims = {**valid_claims(), "sub": "someone-else", "email": "admin@osool.example"}

    assert await refused(verifier, f"{header}.{_segment(forged_claims)}.{signature}") == "bad_signature"


async def test_token_signed_by_another_key_under_a_published_kid_is_refused(verifier: GoogleIdTokenVerifier) -> None:
    assert await refused(verifier, mint(KEY_B, kid="key-a")) == "bad_signature"


@pytest.mark.parametrize("garbage", ["not-a-token", "", "a.b.c", "eyJhbGciOiJSUzI1NiJ9.!!!.###"])
async def test_garbage_is_refused_as_malformed_without_asking_google(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier, garbage: str
) -> None:
    assert await refused(verifier, garbage) == "malformed"
    assert google.hits == 0


async def test_jwks_endpoint_answering_500_means_keys_unavailable_until_it_recovers(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    google.fail = True
    assert await refused(verifier, mint()) == "keys_unavailable"

    google.fail = False
    identity = await verifier.verify(mint())

    assert identity.subject == SUBJECT


async def test_concurrent_verifications_share_one_failed_fetch(
    google: FakeGoogle, verifier: GoogleIdTokenVerifier
) -> None:
    google.fail = True
    google.delay_seconds = 0.1

    outcomes = await asyncio.gather(*(verifier.verify(mint()) for _ in range(10)), return_exceptions=True)

    assert {outcome.reason for outcome in outcomes if isinstance(outcome, GoogleTokenError)} == {"keys_unavailable"}
    assert len(outcomes) == 10 and all(isinstance(outcome, GoogleTokenError) for outcome in outcomes)
    assert google.hits == 1


async def test_jwks_endpoint_timing_out_means_keys_unavailable(google: FakeGoogle) -> None:
    google.delay_seconds = 1.0
    async with httpx.AsyncClient(timeout=0.2) as http:
        checker = GoogleIdTokenVerifier(client_id=CLIENT_ID, jwks_url=google.jwks_url, http=http)

        assert await refused(checker, mint()) == "keys_unavailable"


async def test_unreachable_jwks_endpoint_means_keys_unavailable() -> None:
    nobody_listens = f"http://127.0.0.1:{free_port()}/oauth2/v3/certs"
    checker = GoogleIdTokenVerifier(client_id=CLIENT_ID, jwks_url=nobody_listens)
    try:
        assert await refused(checker, mint()) == "keys_unavailable"
    finally:
        await checker.aclose()
