"""The web bench's arithmetic: the chat page's gzipped scripts from the build, and the measurements of the browser
(measure.mjs) turned into medians and goals: first contentful paint, and each token's way from its chunk's arrival
to the screen."""

from __future__ import annotations

import bisect
import gzip
import re
import statistics
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

GOAL_JS_BYTES = 100 * 1024
GOAL_FCP_MS = 1000.0
GOAL_FIRST_TOKEN_MS = 50.0


def chat_page_scripts(dist: Path) -> dict[str, int]:
    """Gzipped size (level 9) of each script index.html loads: its entry module and what it preloads with it."""
    page = (dist / "index.html").read_text()
    scripts = re.findall(r'<script type="module"[^>]*src="/([^"]+)"', page)
    preloads = re.findall(r'<link rel="modulepreload"[^>]*href="/([^"]+)"', page)
    if not scripts:
        raise ValueError("index.html loads no module script: not a build of the web client")
    return {name: len(gzip.compress((dist / name).read_bytes(), 9)) for name in [*scripts, *preloads]}


def loaded_scripts(load: Mapping[str, Any]) -> dict[str, int]:
    """What one load of `/` fetched as JavaScript, by path: bytes over the wire (the gateway's gzip) and decoded."""
    return {
        "transfer_bytes": sum(script["encoded_bytes"] for script in load["scripts"]),
        "decoded_bytes": sum(script["decoded_bytes"] for script in load["scripts"]),
        "files": len(load["scripts"]),
    }


def distribution(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        raise ValueError("no samples")
    return {
        "n": len(ordered),
        "median": round(statistics.median(ordered), 2),
        "p90": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 2),
        "max": round(ordered[-1], 2),
    }


def token_latencies(turn: Mapping[str, Any]) -> list[tuple[float, float]]:
    """For each change of the reply's text, in order: milliseconds from the arrival of the chunk that carried it (the
    last chunk mark before the change: the text changes in the same task as its chunk is parsed) to the change in the
    DOM, and to the start of the frame that paints it."""
    chunks = sorted(turn["chunks_ms"])
    pairs = []
    for change in turn["changes"]:
        index = bisect.bisect_right(chunks, change["dom_ms"]) - 1
        if index < 0:
            raise ValueError(f"a text change at {change['dom_ms']} ms before any chunk arrived: {turn}")
        arrival = chunks[index]
        frame = change["frame_ms"] if change["frame_ms"] is not None else change["dom_ms"]
        pairs.append((change["dom_ms"] - arrival, frame - arrival))
    return pairs


def summarise(static_js: Mapping[str, int], measured: Mapping[str, Any]) -> dict[str, Any]:
    """Every figure of the run and whether each goal is met."""
    loads = measured["loads"]
    fcp = distribution([load["fcp_ms"] for load in loads])
    wire = loaded_scripts(loads[0])
    firsts, every_dom, every_frame, per_turn = [], [], [], []
    for turn in measured["turns"]:
        latencies = token_latencies(turn)
        if not latencies:
            raise ValueError(f"a turn whose reply never changed on screen: {turn}")
        firsts.append(latencies[0])
        per_turn.append(
            {
                "first_token_to_frame_ms": round(latencies[0][1], 2),
                "text_changes": len(latencies),
                "chunks": len(turn["chunks_ms"]),
                "listing_cards": turn.get("cards", 0),
                "long_tasks_ms": [round(duration, 1) for _, duration in turn.get("long_tasks_ms", [])],
            }
        )
        every_dom += [dom for dom, _ in latencies]
        every_frame += [frame for _, frame in latencies]
    static_total = sum(static_js.values())
    first_frame = distribution([frame for _, frame in firsts])
    return {
        "chat_page_js": {
            "gzip9_bytes_from_dist": static_total,
            "files_from_dist": dict(static_js),
            "loaded_by_the_browser": wire,
        },
        "first_contentful_paint_ms": fcp,
        "first_token": {
            "to_dom_ms": distribution([dom for dom, _ in firsts]),
            "to_frame_ms": first_frame,
            "turns": len(firsts),
            "per_turn": per_turn,
        },
        "every_token": {"to_dom_ms": distribution(every_dom), "to_frame_ms": distribution(every_frame)},
        "goals": {
            "js_gzip_bytes_at_most": GOAL_JS_BYTES,
            "js_met": static_total <= GOAL_JS_BYTES and wire["transfer_bytes"] <= GOAL_JS_BYTES,
            "fcp_median_ms_under": GOAL_FCP_MS,
            "fcp_met": fcp["median"] < GOAL_FCP_MS,
            "first_token_ms_at_most": GOAL_FIRST_TOKEN_MS,
            "first_token_met": first_frame["max"] <= GOAL_FIRST_TOKEN_MS,
        },
    }
