"""The local model run by onnxruntime: the same vectors as sentence-transformers, and no torch in a search worker."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from osool_search.embeddings import (
    AGREEMENT,
    DIMENSIONS,
    OnnxEncoder,
    SentenceTransformerEncoder,
    export_onnx,
)

EVAL_FILE = Path(__file__).resolve().parents[2] / "eval" / "queries.jsonl"

# What a search worker does with the embedder, in a fresh interpreter: import the app's modules, create the embedder
# from the settings, load it, embed a query; then report which runtime ran and which torch modules it imported.
WORKER = """
import asyncio, json, sys
import osool_search.main
from osool_search.embeddings import create_embedder
from osool_search.settings import Settings

settings = Settings(database_url="postgresql://x@h/d", redis_url="redis://h", osool_service_key="k" * 24)
embedder = create_embedder(settings)

async def embed():
    try:
        return await embedder.embed(["3 bedroom apartment in new cairo under 8m"])
    finally:
        await embedder.close()

vector = asyncio.run(embed())[0]
heavy = sorted(name for name in ("torch", "sentence_transformers", "transformers") if name in sys.modules)
print(json.dumps({"runtime": embedder.runtime, "model": embedder.model, "heavy": heavy, "vector": vector.tolist()}))
"""


def _run_worker(cache_dir: Path | None = None) -> subprocess.Popen[str]:
    env = dict(os.environ)
    if cache_dir is not None:
        env["OSOOL_CACHE_DIR"] = str(cache_dir)
    return subprocess.Popen(
        [sys.executable, "-c", WORKER], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _report(worker: subprocess.Popen[str]) -> dict[str, object]:
    out, err = worker.communicate(timeout=900)
    assert worker.returncode == 0, err
    report: dict[str, object] = json.loads(out.strip().splitlines()[-1])
    report["log"] = out + err
    return report


@pytest.fixture(scope="module")
def reference() -> SentenceTransformerEncoder:
    return SentenceTransformerEncoder()


def _queries() -> list[str]:
    queries = [json.loads(line)["query"] for line in EVAL_FILE.read_text().splitlines() if line.strip()]
    # The service embeds the casefolded query; the raw one is checked too.
    return queries + [query.casefold() for query in queries]


def test_onnx_vectors_agree_with_sentence_transformers_on_the_evaluation_queries(
    reference: SentenceTransformerEncoder,
) -> None:
    queries = _queries()
    assert len(queries) >= 300
    onnx = OnnxEncoder(export_onnx())
    expected = reference.encode(queries)
    alone = np.vstack([onnx.encode([query]) for query in queries])  # as a search embeds its query
    batched = onnx.encode(queries)  # as ingestion embeds listings: sorted by length, padded batches of 64
    assert alone.shape == batched.shape == (len(queries), DIMENSIONS)
    assert np.allclose(np.linalg.norm(batched, axis=1), 1.0, atol=1e-5)
    assert (alone * expected).sum(axis=1).min() >= AGREEMENT
    assert (batched * expected).sum(axis=1).min() >= AGREEMENT


def test_a_search_worker_embeds_with_onnxruntime_and_never_imports_torch(
    reference: SentenceTransformerEncoder,
) -> None:
    export_onnx()  # what make install did
    report = _report(_run_worker())
    assert report["runtime"] == "onnxruntime"
    assert report["model"] == "all-MiniLM-L6-v2"  # the name stored vectors carry: no reindex
    assert report["heavy"] == []
    expected = reference.encode(["3 bedroom apartment in new cairo under 8m"])[0]
    assert float(np.dot(np.asarray(report["vector"]), expected)) >= AGREEMENT


def test_workers_starting_without_an_export_make_one_together_and_stay_without_torch(tmp_path: Path) -> None:
    workers = [_run_worker(tmp_path), _run_worker(tmp_path)]  # two workers of a fresh machine start at once
    reports = [_report(worker) for worker in workers]
    assert [report["runtime"] for report in reports] == ["onnxruntime", "onnxruntime"]
    assert [report["heavy"] for report in reports] == [[], []]
    exports = [path.name for path in (tmp_path / "models").iterdir() if not path.name.endswith(".lock")]
    assert len(exports) == 1 and exports[0].endswith(".onnx"), exports  # one export, no partial file left
    first, second = (np.asarray(report["vector"]) for report in reports)
    assert float(np.dot(first, second)) > 0.9999


def test_a_worker_falls_back_to_sentence_transformers_when_no_export_can_be_made(
    tmp_path: Path, reference: SentenceTransformerEncoder
) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")  # a cache directory under a file cannot be created, whoever runs the test
    report = _report(_run_worker(blocked / "cache"))
    assert report["runtime"] == "sentence-transformers"
    assert "embeddings.onnx_unavailable" in str(report["log"])
    expected = reference.encode(["3 bedroom apartment in new cairo under 8m"])[0]
    assert float(np.dot(np.asarray(report["vector"]), expected)) >= AGREEMENT
