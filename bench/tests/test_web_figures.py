"""The web bench's arithmetic without a browser: the chat page's scripts read from a build, each text change paired
with the chunk that brought it, goals judged on the right figure."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import pytest

from bench.web import figures


def build(root: Path, entry: bytes, preload: bytes, lazy: bytes) -> Path:
    (root / "assets").mkdir()
    (root / "assets" / "index-a1.js").write_bytes(entry)
    (root / "assets" / "shared-b2.js").write_bytes(preload)
    (root / "assets" / "SignInPage-c3.js").write_bytes(lazy)
    (root / "index.html").write_text(
        '<script type="module" crossorigin src="/assets/index-a1.js"></script>\n'
        '<link rel="modulepreload" crossorigin href="/assets/shared-b2.js">\n'
    )
    return root


def test_the_chat_page_counts_its_entry_and_preloads_but_not_lazy_pages(tmp_path: Path) -> None:
    entry, preload, lazy = b"console.log(1);" * 50, b"export const x = 2;" * 20, b"lazy" * 10_000
    sizes = figures.chat_page_scripts(build(tmp_path, entry, preload, lazy))
    assert sizes == {
        "assets/index-a1.js": len(gzip.compress(entry, 9)),
        "assets/shared-b2.js": len(gzip.compress(preload, 9)),
    }


def test_a_page_without_a_module_script_is_not_a_build(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<p>Run make install</p>")
    with pytest.raises(ValueError):
        figures.chat_page_scripts(tmp_path)


def test_each_text_change_is_timed_from_the_last_chunk_before_it() -> None:
    turn = {
        "chunks_ms": [100.0, 130.0, 160.0],
        "changes": [
            {"dom_ms": 131.0, "frame_ms": 140.0, "length": 3},
            {"dom_ms": 160.5, "frame_ms": None, "length": 9},
        ],
    }
    assert figures.token_latencies(turn) == [(1.0, 10.0), (0.5, 0.5)]


def test_a_change_before_any_chunk_is_an_error_not_a_negative_latency() -> None:
    with pytest.raises(ValueError):
        figures.token_latencies({"chunks_ms": [50.0], "changes": [{"dom_ms": 10.0, "frame_ms": 12.0, "length": 1}]})


def measured(first_frames: list[float], fcps: list[float], wire_bytes: int) -> dict[str, Any]:
    turns = [
        {"chunks_ms": [0.0, 10.0], "changes": [{"dom_ms": 10.2, "frame_ms": 10.0 + frame, "length": 4}]}
        for frame in first_frames
    ]
    script = {"path": "/assets/index-a1.js", "encoded_bytes": wire_bytes, "decoded_bytes": wire_bytes * 3}
    return {"loads": [{"fcp_ms": fcp, "scripts": [script]} for fcp in fcps], "turns": turns}


def test_goals_are_met_by_the_median_paint_and_every_first_token() -> None:
    summary = figures.summarise({"a.js": 40_000}, measured([8.0, 16.0, 30.0], [300.0, 400.0, 1500.0], 45_000))
    assert summary["first_contentful_paint_ms"]["median"] == 400.0
    assert summary["first_token"]["to_frame_ms"]["max"] == 30.0
    assert summary["goals"] == {
        "js_gzip_bytes_at_most": 102_400,
        "js_met": True,
        "fcp_median_ms_under": 1000.0,
        "fcp_met": True,
        "first_token_ms_at_most": 50.0,
        "first_token_met": True,
    }


def test_one_slow_first_token_or_too_much_js_misses_its_goal() -> None:
    summary = figures.summarise({"a.js": 40_000}, measured([8.0, 75.0], [300.0], 120_000))
    assert summary["goals"]["first_token_met"] is False
    assert summary["goals"]["js_met"] is False
    assert summary["goals"]["fcp_met"] is True
