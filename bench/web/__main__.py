"""The web client against its budget, on a private stack: the chat page's JavaScript (gzipped, from the build and as
the browser loads it through the gateway), first contentful paint of `/` (median of cold loads in Debian's
chromium), and the time from a streamed chunk's arrival at the browser to its text on screen.

Goals: at most 100 KB of gzipped JS for the chat page; first contentful paint under 1 s; the first streamed token
on screen within 50 ms of its arrival (every turn). `BENCH_WEB_LOADS` (15) cold loads, `BENCH_WEB_TURNS` (12) turns.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.common import private_stack, write_results
from bench.web.figures import GOAL_FCP_MS, GOAL_FIRST_TOKEN_MS, GOAL_JS_BYTES, chat_page_scripts, summarise
from devstack.config import REPO_ROOT, UNLIMITED_RATES
from devstack.testing import clean_environ

DIST = REPO_ROOT / "web" / "dist"
MEASURE = Path(__file__).with_name("measure.mjs")
CHROMIUM = Path(os.environ.get("OSOOL_CHROMIUM", "/usr/bin/chromium"))


def _ready() -> None:
    if shutil.which("node") is None or not CHROMIUM.exists():
        sys.exit("bench.web needs node and chromium (apt-get install -y nodejs chromium fonts-noto-core)")
    if not (DIST / "index.html").is_file() or not (REPO_ROOT / "web" / "node_modules" / "playwright-core").is_dir():
        sys.exit("the web client is not built: run make install (or make web)")


def _measure(base_url: str) -> dict[str, object]:
    env = {**clean_environ(), "OSOOL_WEB_URL": base_url, "OSOOL_CHROMIUM": str(CHROMIUM)}
    result = subprocess.run(["node", str(MEASURE)], env=env, capture_output=True, text=True, timeout=900, check=False)
    if result.returncode != 0:
        sys.exit(f"measure.mjs failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    measured: dict[str, object] = json.loads(result.stdout)
    return measured


def main() -> None:
    _ready()
    static_js = chat_page_scripts(DIST)
    # A few hundred listings, so Amr's replies carry cards as they do for people; the rules brain (no model key).
    with private_stack({"DEMO_LISTINGS": "300"}, rates=UNLIMITED_RATES) as stack:
        measured = _measure(stack.config.public_url)
    figures = summarise(static_js, measured)
    figures["browser"] = measured["browser"]
    path = write_results("web", figures)
    js, fcp, first = figures["chat_page_js"], figures["first_contentful_paint_ms"], figures["first_token"]
    goals = figures["goals"]
    wire = js["loaded_by_the_browser"]
    print(
        f"chat page JS: {js['gzip9_bytes_from_dist'] / 1024:.1f} KB gzipped (-9) from the build, "
        f"{wire['transfer_bytes'] / 1024:.1f} KB over the wire in {wire['files']} files "
        f"({wire['decoded_bytes'] / 1024:.1f} KB decoded); goal <= {GOAL_JS_BYTES // 1024} KB: met {goals['js_met']}"
    )
    print(
        f"first contentful paint over {fcp['n']} cold loads: median {fcp['median']:.0f} ms, p90 {fcp['p90']:.0f} ms, "
        f"max {fcp['max']:.0f} ms; goal < {GOAL_FCP_MS:.0f} ms: met {goals['fcp_met']}"
    )
    print(
        f"first token, chunk arrival -> DOM: median {first['to_dom_ms']['median']:.2f} ms, max "
        f"{first['to_dom_ms']['max']:.2f} ms; -> the frame that paints it: median {first['to_frame_ms']['median']:.1f} "
        f"ms, max {first['to_frame_ms']['max']:.1f} ms over {first['turns']} turns; goal <= {GOAL_FIRST_TOKEN_MS:.0f} "
        f"ms: met {goals['first_token_met']}"
    )
    every = figures["every_token"]
    print(
        f"every token -> frame: median {every['to_frame_ms']['median']:.1f} ms, max {every['to_frame_ms']['max']:.1f} "
        f"ms over {every['to_frame_ms']['n']} text changes; written to {path}"
    )


if __name__ == "__main__":
    main()
