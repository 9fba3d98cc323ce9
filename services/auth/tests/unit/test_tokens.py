"""Signing keys, access tokens and the JWKS, checked by the verifier every other service uses."""

from __future__ import annotations

import asyncio
import base64
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from osool_auth.tokens import (
    KeyConfigurationError,
    TokenIssuer,
    generate_signing_key_entry,
    hash_token,
    new_opaque_token,
    parse_signing_keys,
)
from osool_common.auth import TokenVerifier
from osool_common.errors import UnauthenticatedError

ISSUER, AUDIENCE = "osool-auth", "osool"


def _issuer(*entries: str) -> TokenIssuer:
    return TokenIssuer(parse_signing_keys(",".join(entries)), issuer=ISSUER, audience=AUDIENCE, access_ttl_seconds=900)


def _verifier(issuer: TokenIssuer) -> TokenVerifier:
    async def keys() -> dict[str, Any]:
        return issuer.jwks()

    return TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, redis=None)


async def test_an_issued_token_verifies_with_the_published_keys() -> None:
    issuer = _issuer(generate_signing_key_entry("k1"))
    user_id = uuid.uuid4()
    session_id = uuid.uuid4()
    token = issuer.issue_access_token(user_id, "agent", session_id)
    principal = await _verifier(issuer).verify(token.token)
    assert principal.user_id == str(user_id) and principal.role == "agent" and principal.token_id == token.token_id
    assert principal.session_id == str(session_id)
    header = jwt.get_unverified_header(token.token)
    assert header == {"alg": "RS256", "kid": "k1", "typ": "JWT"}
    claims = jwt.decode(token.token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 900 and set(claims) >= {"iss", "aud", "sub", "role", "jti", "sid"}


async def test_two_published_keys_let_keys_rotate_without_signing_anyone_out() -> None:
    old_entry, new_entry = generate_signing_key_entry("old"), generate_signing_key_entry("new")
    before = _issuer(old_entry)
    token_from_old_key = before.issue_access_token(uuid.uuid4(), "user", uuid.uuid4()).token
    after = _issuer(new_entry, old_entry)  # the new key signs, the old one is still published
    assert [key["kid"] for key in after.jwks()["keys"]] == ["new", "old"]
    verifier = _verifier(after)
    assert (await verifier.verify(token_from_old_key)).role == "user"
    assert jwt.get_unverified_header(after.issue_access_token(uuid.uuid4(), "user", uuid.uuid4()).token)["kid"] == "new"


def test_jwks_publishes_public_keys_only() -> None:
    document = _issuer(generate_signing_key_entry("k1")).jwks()
    (key,) = document["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)  # the private parts


@pytest.mark.parametrize(
    ("value", "message"),
    [("", "holds no key"), ("nokid", "kid:base64"), ("k1:bm90IGEga2V5", "not a PEM private key")],
)
def test_bad_key_configuration_is_refused(value: str, message: str) -> None:
    with pytest.raises(KeyConfigurationError, match=message):
        parse_signing_keys(value)


def test_a_non_rsa_key_is_refused() -> None:
    pem = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(KeyConfigurationError, match="not an RSA key of 2048 bits or more"):
        parse_signing_keys(f"ec:{base64.b64encode(pem).decode()}")


def test_duplicate_kids_are_refused() -> None:
    entry = generate_signing_key_entry("same")
    with pytest.raises(KeyConfigurationError, match="same kid"):
        parse_signing_keys(f"{entry},{generate_signing_key_entry('same')}")


def test_opaque_tokens_are_random_and_stored_as_hashes() -> None:
    tokens = {new_opaque_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(token) >= 43 for token in tokens)
    token = next(iter(tokens))
    assert hash_token(token) == hash_token(token) and len(hash_token(token)) == 32
    assert token.encode() not in hash_token(token)


async def test_expired_token_is_refused() -> None:
    issuer = TokenIssuer(
        parse_signing_keys(generate_signing_key_entry("k1")), issuer=ISSUER, audience=AUDIENCE, access_ttl_seconds=-60
    )
    with pytest.raises(UnauthenticatedError, match="expired"):
        await _verifier(issuer).verify(issuer.issue_access_token(uuid.uuid4(), "user", uuid.uuid4()).token)


async def test_token_of_another_issuer_key_with_the_same_kid_is_refused() -> None:
    genuine = _issuer(generate_signing_key_entry("k1"))
    forger = _issuer(generate_signing_key_entry("k1"))
    with pytest.raises(UnauthenticatedError, match="invalid token"):
        await _verifier(genuine).verify(forger.issue_access_token(uuid.uuid4(), "admin", uuid.uuid4()).token)


async def test_unknown_kids_cannot_make_the_verifier_hammer_auth() -> None:
    issuer = _issuer(generate_signing_key_entry("k1"))
    fetches = 0

    async def keys() -> dict[str, Any]:
        nonlocal fetches
        fetches += 1
        return issuer.jwks()

    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, redis=None, refetch_interval_seconds=30)
    stranger = _issuer(generate_signing_key_entry("k2")).issue_access_token(uuid.uuid4(), "user", uuid.uuid4()).token
    for _ in range(5):
        with pytest.raises(UnauthenticatedError, match="unknown key"):
            await verifier.verify(stranger)
    assert fetches == 1


async def test_a_key_published_later_is_picked_up_by_a_refetch() -> None:
    first, second = generate_signing_key_entry("k1"), generate_signing_key_entry("k2")
    published = _issuer(first)

    async def keys() -> dict[str, Any]:
        return published.jwks()

    verifier = TokenVerifier(keys, issuer=ISSUER, audience=AUDIENCE, redis=None, refetch_interval_seconds=0.05)
    await verifier.verify(published.issue_access_token(uuid.uuid4(), "user", uuid.uuid4()).token)
    published = _issuer(second, first)  # auth rotated: k2 signs now
    await asyncio.sleep(0.1)
    principal = await verifier.verify(published.issue_access_token(uuid.uuid4(), "admin", uuid.uuid4()).token)
    assert principal.role == "admin"


async def test_verification_is_fast_with_cached_keys() -> None:
    issuer = _issuer(generate_signing_key_entry("k1"))
    verifier = _verifier(issuer)
    token = issuer.issue_access_token(uuid.uuid4(), "user", uuid.uuid4()).token
    await verifier.verify(token)
    started = time.perf_counter()
    for _ in range(200):
        await verifier.verify(token)
    # Generous bound (the real figure is in bench/auth): no network, no key parsing per call.
    assert (time.perf_counter() - started) / 200 < 0.005


def _signed(issuer: TokenIssuer, **overrides: Any) -> str:
    """A token with the issuer's real key and claims of the test's choosing (what a bug in auth could sign)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": str(uuid.uuid4()), "role": "user", "jti": uuid.uuid4().hex,
              "sid": str(uuid.uuid4()), "iat": now, "exp": now + 60, **overrides}  # fmt: skip
    claims = {name: value for name, value in claims.items() if value is not None}
    key = issuer.keys[0]
    return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})


@pytest.mark.parametrize(
    "claims",
    [{"sub": "someone"}, {"sub": ""}, {"sub": 42}, {"sub": "' OR '1'='1"}, {"role": "root"}, {"role": ["admin"]},
     {"sid": "not-a-session"}, {"sid": None}],
)  # fmt: skip
async def test_a_validly_signed_token_with_a_malformed_subject_role_or_session_is_refused(
    claims: dict[str, Any],
) -> None:
    issuer = _issuer(generate_signing_key_entry("k1"))
    with pytest.raises(UnauthenticatedError):
        await _verifier(issuer).verify(_signed(issuer, **claims))


async def test_the_subject_is_given_in_canonical_uuid_form() -> None:
    issuer = _issuer(generate_signing_key_entry("k1"))
    user_id = uuid.uuid4()
    principal = await _verifier(issuer).verify(_signed(issuer, sub=user_id.hex.upper()))
    assert principal.user_id == str(user_id)


async def test_expiry_leeway_is_one_second() -> None:
    issuer = _issuer(generate_signing_key_entry("k1"))
    verifier = _verifier(issuer)
    # Just after a second begins, so the token expired a few milliseconds ago however long signing and verifying take
    # on a busy machine (up to most of the second): int(time.time()) late in a second was up to a second old already,
    # and a slow verification went past the leeway.
    await asyncio.sleep(1.02 - time.time() % 1)
    assert (await verifier.verify(_signed(issuer, exp=int(time.time())))).role == "user"  # within the leeway
    with pytest.raises(UnauthenticatedError, match="expired"):
        await verifier.verify(_signed(issuer, exp=int(time.time()) - 2))
