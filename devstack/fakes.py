"""Local stand-ins for third-party services, speaking their wire protocol, for the tests' stack."""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Response
from jwt.algorithms import RSAAlgorithm

from devstack.testing import ThreadedServer

GOOGLE_ISSUER = "https://accounts.google.com"
GOOGLE_CLIENT_ID = "osool-test.apps.googleusercontent.com"


class FakeGoogle:
    """Google's published signing keys (the oauth2/v3/certs document), and a way to mint ID tokens with them."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-google-1"
        self.hits = 0
        app = FastAPI()

        @app.get("/oauth2/v3/certs")
        async def certs(response: Response) -> dict[str, Any]:
            self.hits += 1
            response.headers["Cache-Control"] = "public, max-age=3600"
            jwk: dict[str, Any] = RSAAlgorithm.to_jwk(self.key.public_key(), as_dict=True)
            return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

        self.server = ThreadedServer(app)

    @property
    def jwks_url(self) -> str:
        return f"{self.server.url}/oauth2/v3/certs"

    def id_token(self, subject: str, *, email: str | None = None, email_verified: bool = True, **claims: Any) -> str:
        now = int(time.time())
        payload = {
            "iss": GOOGLE_ISSUER,
            "aud": GOOGLE_CLIENT_ID,
            "sub": subject,
            "iat": now,
            "exp": now + 600,
            "email_verified": email_verified,
            "name": "Test Person",
            **({"email": email} if email else {}),
            **claims,
        }
        return jwt.encode(payload, self.key, algorithm="RS256", headers={"kid": self.kid})
