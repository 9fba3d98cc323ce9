"""Local stand-ins for third-party services, speaking their wire protocol, for the tests' stack."""

from __future__ import annotations

import time
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI, Request, Response
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


class FakeOpenAI:
    """OpenAI's embeddings endpoint (POST /v1/embeddings), for the real `openai` client. A text's vector is one-hot at
    its length (not normalised, so the embedder must normalise), and the data comes back out of order, so the
    client must put vectors back in the order of the texts."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app = FastAPI()

        @self.app.post("/v1/embeddings")
        async def embeddings(request: Request) -> dict[str, Any]:
            body = await request.json()
            self.requests.append({"body": body, "authorization": request.headers.get("authorization")})
            data = []
            for index, text in reversed(list(enumerate(body["input"]))):
                vector = [0.0] * body["dimensions"]
                vector[len(text) % body["dimensions"]] = 3.0
                data.append({"object": "embedding", "index": index, "embedding": vector})
            usage = {"prompt_tokens": 5, "total_tokens": 5}
            return {"object": "list", "data": data, "model": body["model"], "usage": usage}

        self.server = ThreadedServer(self.app)
