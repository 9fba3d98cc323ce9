"""EMBEDDING_PROVIDER=openai: the official client against a local server that speaks OpenAI's embeddings protocol."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from devstack.fakes import FakeOpenAI
from osool_search.embeddings import DIMENSIONS, OpenAIEmbedder, create_embedder
from osool_search.settings import Settings


def test_openai_embeddings_come_back_in_order_normalised_with_384_dimensions() -> None:
    fake = FakeOpenAI()
    with fake.server as server:
        embedder = OpenAIEmbedder("text-embedding-3-small", "sk-test-key", f"{server.url}/v1")

        async def embed_then_close() -> np.ndarray:
            try:
                return await embedder.embed(["villa", "apartment in new cairo"])
            finally:
                await embedder.close()  # inside the loop: a client closed after it would log an error later

        vectors = asyncio.run(embed_then_close())
    assert vectors.shape == (2, DIMENSIONS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert vectors[0][len("villa")] == pytest.approx(1.0)
    assert vectors[1][len("apartment in new cairo")] == pytest.approx(1.0)
    sent = fake.requests[0]
    assert sent["body"]["model"] == "text-embedding-3-small" and sent["body"]["dimensions"] == DIMENSIONS
    assert sent["authorization"] == "Bearer sk-test-key"


def test_the_openai_provider_needs_a_key_and_names_its_model() -> None:
    with pytest.raises(ValueError, match="OPENAI_API_KEY"):
        Settings(
            database_url="postgresql://x@h/d",
            redis_url="redis://h",
            osool_service_key="k" * 24,
            embedding_provider="openai",
        )
    settings = Settings(
        database_url="postgresql://x@h/d",
        redis_url="redis://h",
        osool_service_key="k" * 24,
        embedding_provider="openai",
        openai_api_key="sk-1",
    )
    embedder = create_embedder(settings)
    assert isinstance(embedder, OpenAIEmbedder) and embedder.model == "text-embedding-3-small"
    local = Settings(database_url="postgresql://x@h/d", redis_url="redis://h", osool_service_key="k" * 24)
    assert create_embedder(local).model == "all-MiniLM-L6-v2"
