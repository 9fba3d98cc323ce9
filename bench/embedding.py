"""Query embedding with sentence-transformers (torch) against onnxruntime (the export `make install` makes): time per
query, a search worker's memory, and the agreement of their vectors, in one run on this machine.

- time: the evaluation queries (services/search/eval/queries.jsonl, casefolded as the service embeds them) one at a
  time, each runtime on one thread as in a worker; the two are measured in alternating turns (the cores are shared)
  and the ratio is the median of the turns' ratios. A batch of 64 (ingestion's size) is timed the same way;
- memory: a fresh process per runtime imports the search worker's modules, loads the model and embeds one query,
  then reads its VmRSS (and peak VmHWM) from /proc/self/status; median of three processes each;
- agreement: the lowest cosine between the two runtimes' vectors over the evaluation queries (raw and casefolded).

`python bench/embedding.py` or `python -m bench.embedding`; writes bench/results/embedding.json.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from osool_search.embeddings import OnnxEncoder, SentenceTransformerEncoder, export_onnx

BENCH_DIR = Path(__file__).resolve().parent
EVAL_FILE = BENCH_DIR.parent / "services" / "search" / "eval" / "queries.jsonl"
RESULTS_FILE = BENCH_DIR / "results" / "embedding.json"
TURNS = 5
MEMORY_RUNS = 3
BATCH = 64

# A search worker's imports, the model loaded by one runtime, one query embedded; then the process's memory.
MEMORY_PROBE = """
import json, sys
import osool_search.main
from osool_search.embeddings import OnnxEncoder, SentenceTransformerEncoder, export_onnx

runtime = sys.argv[1]
if runtime == "onnxruntime":
    OnnxEncoder(export_onnx(), threads=1).encode(["3 bedroom apartment in new cairo under 8m"])
elif runtime == "sentence-transformers":
    SentenceTransformerEncoder(threads=1).encode(["3 bedroom apartment in new cairo under 8m"])
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
torch_loaded = "torch" in sys.modules
print(json.dumps({"rss_kb": int(status["VmRSS"].split()[0]), "hwm_kb": int(status["VmHWM"].split()[0]),
                  "torch_imported": torch_loaded}))
"""


def _queries() -> list[str]:
    lines = EVAL_FILE.read_text().splitlines()
    return [json.loads(line)["query"].casefold() for line in lines if line.strip()]


def _timings_ms(encode: Callable[[Sequence[str]], np.ndarray], inputs: list[list[str]]) -> list[float]:
    timings = []
    for texts in inputs:
        started = time.perf_counter()
        encode(texts)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]


def measure_time(queries: list[str]) -> dict[str, Any]:
    torch_encoder = SentenceTransformerEncoder(threads=1)
    onnx_encoder = OnnxEncoder(export_onnx(), threads=1)
    encoders = {"sentence-transformers": torch_encoder.encode, "onnxruntime": onnx_encoder.encode}
    singles = [[query] for query in queries]
    batches = [queries[start : start + BATCH] for start in range(0, len(queries), BATCH)]
    for encode in encoders.values():  # warm-up: first calls allocate
        _timings_ms(encode, singles[:20])
    turns: list[dict[str, dict[str, float]]] = []
    for turn in range(TURNS):
        figures: dict[str, dict[str, float]] = {}
        # Alternate which runs first, so that neither always meets the same neighbour load.
        order = list(encoders) if turn % 2 == 0 else list(reversed(encoders))
        for name in order:
            single = _timings_ms(encoders[name], singles)
            batch = _timings_ms(encoders[name], batches)
            figures[name] = {
                "p50_ms": statistics.median(single),
                "p99_ms": _p99(single),
                "batch_ms_per_text": sum(batch) / len(queries),
            }
        turns.append(figures)

    def median_of(name: str, key: str) -> float:
        return round(statistics.median(turn[name][key] for turn in turns), 3)

    def ratio_of(key: str) -> float:
        ratios = [turn["sentence-transformers"][key] / turn["onnxruntime"][key] for turn in turns]
        return round(statistics.median(ratios), 2)

    return {
        "queries": len(queries),
        "turns": TURNS,
        "per_query": {
            name: {"p50_ms": median_of(name, "p50_ms"), "p99_ms": median_of(name, "p99_ms")} for name in encoders
        },
        "per_query_p50_speedup": ratio_of("p50_ms"),
        "per_query_p99_speedup": ratio_of("p99_ms"),
        "batch_of_64": {name: {"ms_per_text": median_of(name, "batch_ms_per_text")} for name in encoders},
        "batch_of_64_speedup": ratio_of("batch_ms_per_text"),
        "turn_figures": turns,
    }


def measure_agreement(queries: list[str]) -> dict[str, Any]:
    raw = [json.loads(line)["query"] for line in EVAL_FILE.read_text().splitlines() if line.strip()]
    texts = raw + queries
    expected = SentenceTransformerEncoder(threads=1).encode(texts)
    onnx = OnnxEncoder(export_onnx(), threads=1)
    alone = np.vstack([onnx.encode([text]) for text in texts])
    batched = onnx.encode(texts)
    return {
        "texts": len(texts),
        "min_cosine_alone": round(float((alone * expected).sum(axis=1).min()), 6),
        "min_cosine_batched": round(float((batched * expected).sum(axis=1).min()), 6),
    }


def _probe(runtime: str) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE, runtime], capture_output=True, text=True, check=True, timeout=600
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure_memory() -> dict[str, Any]:
    runtimes = ("none", "sentence-transformers", "onnxruntime")
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in runtimes}
    for _ in range(MEMORY_RUNS):
        for name in runtimes:
            runs[name].append(_probe(name))
    figures = {
        name: {
            "rss_mb": round(statistics.median(run["rss_kb"] for run in runs[name]) / 1024, 1),
            "peak_rss_mb": round(statistics.median(run["hwm_kb"] for run in runs[name]) / 1024, 1),
            "torch_imported": any(run["torch_imported"] for run in runs[name]),
        }
        for name in runtimes
    }
    before, after = figures["sentence-transformers"], figures["onnxruntime"]
    return {
        "processes_per_runtime": MEMORY_RUNS,
        # "none": the worker's modules without a model, for scale.
        "worker": figures,
        "rss_ratio": round(before["rss_mb"] / after["rss_mb"], 2),
        "peak_rss_ratio": round(before["peak_rss_mb"] / after["peak_rss_mb"], 2),
    }


def main() -> None:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    queries = _queries()
    export_onnx()  # what make install made; nothing when it is there
    timing = measure_time(queries)
    agreement = measure_agreement(queries)
    memory = measure_memory()
    per_query = timing["per_query"]
    print(
        f"per query p50: sentence-transformers {per_query['sentence-transformers']['p50_ms']} ms, "
        f"onnxruntime {per_query['onnxruntime']['p50_ms']} ms ({timing['per_query_p50_speedup']}x faster; "
        f"p99 {timing['per_query_p99_speedup']}x)"
    )
    batch = timing["batch_of_64"]
    print(
        f"batch of 64, per text: sentence-transformers {batch['sentence-transformers']['ms_per_text']} ms, "
        f"onnxruntime {batch['onnxruntime']['ms_per_text']} ms ({timing['batch_of_64_speedup']}x)"
    )
    worker = memory["worker"]
    print(
        f"search worker RSS after one query: sentence-transformers {worker['sentence-transformers']['rss_mb']} MB, "
        f"onnxruntime {worker['onnxruntime']['rss_mb']} MB ({memory['rss_ratio']}x less; without a model "
        f"{worker['none']['rss_mb']} MB)"
    )
    print(
        f"agreement over {agreement['texts']} evaluation queries: min cosine {agreement['min_cosine_alone']} alone, "
        f"{agreement['min_cosine_batched']} batched"
    )
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "benchmark": "embedding",
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count() or 0, "python": platform.python_version(), "platform": platform.platform()},
        "threads_per_runtime": 1,
        "time": timing,
        "memory": memory,
        "agreement": agreement,
    }
    RESULTS_FILE.write_text(json.dumps(document, indent=2))
    print(f"written to {RESULTS_FILE}")


if __name__ == "__main__":
    main()
