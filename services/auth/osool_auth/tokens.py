"""Access tokens (RS256 JWTs with a kid), the published JWKS, and opaque refresh tokens stored only as hashes."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from osool_common.auth import ALGORITHM

KEY_BITS = 2048


class KeyConfigurationError(ValueError):
    pass


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.private_key.public_key(), as_dict=True)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def generate_signing_key_entry(kid: str | None = None) -> str:
    """A new AUTH_JWT_KEYS entry: `kid:base64(PEM)`. The local stack calls this on first start."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    kid = kid or f"k{time.strftime('%Y%m%d')}-{secrets.token_hex(4)}"
    return f"{kid}:{base64.b64encode(pem).decode()}"


def parse_signing_keys(value: str) -> list[SigningKey]:
    keys = []
    for entry in filter(None, (part.strip() for part in value.split(","))):
        kid, sep, encoded = entry.partition(":")
        if not sep or not kid:
            raise KeyConfigurationError("AUTH_JWT_KEYS entries look like kid:base64(PEM)")
        try:
            private_key = serialization.load_pem_private_key(base64.b64decode(encoded), password=None)
        except ValueError as exc:
            raise KeyConfigurationError(f"AUTH_JWT_KEYS entry {kid!r} is not a PEM private key") from exc
        if not isinstance(private_key, rsa.RSAPrivateKey) or private_key.key_size < KEY_BITS:
            raise KeyConfigurationError(f"AUTH_JWT_KEYS entry {kid!r} is not an RSA key of {KEY_BITS} bits or more")
        keys.append(SigningKey(kid, private_key))
    if not keys:
        raise KeyConfigurationError("AUTH_JWT_KEYS holds no key")
    if len({key.kid for key in keys}) != len(keys):
        raise KeyConfigurationError("AUTH_JWT_KEYS has two keys with the same kid")
    return keys


@dataclass(frozen=True)
class IssuedAccessToken:
    token: str
    expires_in: int
    token_id: str


class TokenIssuer:
    def __init__(self, keys: list[SigningKey], *, issuer: str, audience: str, access_ttl_seconds: int) -> None:
        self.keys = keys
        self.issuer = issuer
        self.audience = audience
        self.access_ttl_seconds = access_ttl_seconds

    def issue_access_token(self, user_id: uuid.UUID, role: str, session_id: uuid.UUID) -> IssuedAccessToken:
        """`session_id` is the refresh-token family: revoking it (logout, reuse, reset) ends this token too."""
        now = int(time.time())
        token_id = uuid.uuid4().hex
        claims = {
            "iss": self.issuer,
            "aud": self.audience,
            "sub": str(user_id),
            "role": role,
            "jti": token_id,
            "sid": str(session_id),
            "iat": now,
            "exp": now + self.access_ttl_seconds,
        }
        signer = self.keys[0]
        token = jwt.encode(claims, signer.private_key, algorithm=ALGORITHM, headers={"kid": signer.kid})
        return IssuedAccessToken(token, self.access_ttl_seconds, token_id)

    def jwks(self) -> dict[str, Any]:
        return {"keys": [key.public_jwk() for key in self.keys]}


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> bytes:
    # Refresh and email tokens carry 256 random bits: a fast hash is enough (no password-style stretching needed).
    return hashlib.sha256(token.encode()).digest()
