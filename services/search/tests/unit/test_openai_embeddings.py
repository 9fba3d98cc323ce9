"""EMBEDDING_PROVIDER=openai: the official client against a local server that speaks OpenAI's embeddings protocol."""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from devstack.testing import ThreadedServer
from osool_search.embeddings import DIMENSIONS, OpenAIEmbedder, create_embedder
from osool_search.settings import Settings


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.app = Starlette(routes=[Route("/v1/embeddings", self.embeddings, methods=["POST"])])

    async def embeddings(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.requests.append({"body": body, "authorization": request.headers.get("authorization")})
        data = []
        # Out of order on purpose: the client must put vectors back in the order of the texts.
        for index, text in reversed(list(enumerate(body["input"]))):
            vector = [0.0] * body["dimensions"]
            vector[len(text) % body["dimensions"]] = 3.0  # not normalised: the embedder must normalise
            data.append({"object": "embedding", "index": index, "embedding": vector})
        usage = {"prompt_tokens": 5, "total_tokens": 5}
        return JSONResponse({"object": "list", "data": data, "model": body["model"], "usage": usage})


def test_openai_embeddings_come_back_in_order_normalised_with_384_dimensions() -> None:
    fake = FakeOpenAI()
    with ThreadedServer(fake.app) as server:
        embedder = OpenAIEmbedder("text-embedding-3-small", "sk-test-key", f"{server.url}/v1")
        vectors = asyncio.run(embedder.embed(["villa", "apartment in new cairo"]))
    assert vectors.shape == (2, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0][len("villa")] == pytest.approx(1.0)
    assert vectors[1][len("apartment in new cairo")] == pytest.approx(1.0)
    sent = fake.requests[0]
    assert sent["body"]["model"] == "text-embedding-3-small" and sent["body"]["dimensions"] == DIMENSIONS
    assert sent["authorization"] == "Bearer sk-test-key"


def test_the_openai_provider_needs_a_key_and_names_its_model() -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        Settings(database_url="postgresql://x@h/d", redis_url="redis://h", embedding_provider="openai")
    settings = Settings(
        database_url="postgresql://x@h/d", redis_url="redis://h", embedding_provider="openai", openai_api_key="sk-1"
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder) and embedder.model == "text-embedding-3-small"
    assert create_embedder(Settings(database_url="postgresql://x@h/d", redis_url="redis://h")).model == (
        "all-MiniLM-L6-v2"
    )
