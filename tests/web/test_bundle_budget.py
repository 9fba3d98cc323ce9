"""The chat page's JavaScript stays under 100 KB gzipped: the built entry script and every module index.html preloads
with it (pages loaded later, on their first visit, are not counted); the chart library is not part of it."""

from __future__ import annotations

import gzip
import re
import shutil

import pytest

from devstack.config import REPO_ROOT

DIST = REPO_ROOT / "web" / "dist"
BUDGET_BYTES = 100 * 1024


def chat_page_modules() -> list[str]:
    if not (DIST / "index.html").is_file():
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: the web client is not built")
        pytest.fail("the web client is not built (web/dist): run make install")
    page = (DIST / "index.html").read_text()
    scripts = re.findall(r'<script type="module"[^>]*src="/([^"]+)"', page)
    preloads = re.findall(r'<link rel="modulepreload"[^>]*href="/([^"]+)"', page)
    assert scripts, page
    return scripts + preloads


def test_the_chat_page_ships_under_100_kb_of_gzipped_javascript() -> None:
    sizes = {name: len(gzip.compress((DIST / name).read_bytes(), 9)) for name in chat_page_modules()}
    assert sum(sizes.values()) < BUDGET_BYTES, sizes


def test_the_chart_library_ships_only_with_the_pages_that_draw_charts() -> None:
    # uPlot's class names survive minifying: the chunk holding them is the library (its own chunk, since two pages
    # import it), so the marker is the right one.
    marker = b"u-legend"
    chat = chat_page_modules()
    assert not [name for name in chat if marker in (DIST / name).read_bytes()], chat
    library = [path.name for path in (DIST / "assets").glob("*.js") if marker in path.read_bytes()]
    assert library, "no chunk holds uPlot"
    for page in ("OperationsPage", "ListingPage"):
        (chunk,) = (DIST / "assets").glob(f"{page}-*.js")
        text = chunk.read_bytes()
        assert any(name.encode() in text or marker in text for name in library), f"{page} does not load uPlot"
