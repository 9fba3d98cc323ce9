"""The web client in a real browser: web/tests/*.test.mjs (playwright-core driving Debian's chromium, headless) run
by node against the test stack through its gateway, which serves the built client (web/dist). Node's output is shown
when a test fails; screenshots go to bench/results/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from devstack import binaries
from devstack.config import REPO_ROOT
from devstack.stack import LocalStack
from devstack.testing import admin_account, admin_headers, clean_environ, service_headers

pytestmark = pytest.mark.stack

WEB = REPO_ROOT / "web"
CHROMIUM = Path(os.environ.get("OSOOL_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = REPO_ROOT / "bench" / "results" / "screenshots"
SUITES = sorted(path.name.removesuffix(".test.mjs") for path in (WEB / "tests").glob("*.test.mjs"))


def _absent() -> str | None:
    if shutil.which("node") is None:
        return "node is not installed: the browser tests need Node.js 20.19 or newer (and make install)"
    if not CHROMIUM.exists():
        return f"no chromium at {CHROMIUM}: apt-get install -y chromium fonts-noto-core (.ci/run does)"
    return None


@pytest.fixture(scope="module")
def browser_env(stack: LocalStack) -> dict[str, str]:
    reason = _absent()
    if reason:
        pytest.skip(reason)
    # With node present, a missing build or package is a broken install, not a reason to skip.
    assert (WEB / "node_modules" / "playwright-core").is_dir(), "web/node_modules is missing: run make install"
    assert (WEB / "dist" / "index.html").is_file(), "the web client is not built (web/dist): run make install"
    # What read_outbox uses: the service key and an administrator's token, for the internal outbox route.
    outbox = {**admin_headers(stack, "web-outbox"), **service_headers(stack)}
    # An administrator who signs in through the pages (the operations page), and the stack's supervisorctl, with
    # which the operations test stops a service and starts it again (it waits until the service is healthy).
    admin_email, admin_password = admin_account(stack, "web-admin")
    ctl = [str(binaries.supervisorctl()), "-c", str(stack.supervisord_conf)]
    return {
        **clean_environ(),
        "OSOOL_WEB_URL": stack.config.public_url,
        "OSOOL_INTERNAL_URL": stack.config.internal_url,
        "OSOOL_OUTBOX_HEADERS": json.dumps(outbox),
        "OSOOL_ADMIN_EMAIL": admin_email,
        "OSOOL_ADMIN_PASSWORD": admin_password,
        "OSOOL_STACK_CTL": json.dumps(ctl),
        "OSOOL_SCREENSHOTS": str(SCREENSHOTS),
        "OSOOL_CHROMIUM": str(CHROMIUM),
    }


@pytest.mark.timeout(600)
@pytest.mark.parametrize("suite", SUITES)
def test_browser_suite_passes(browser_env: dict[str, str], suite: str) -> None:
    result = subprocess.run(
        ["node", str(WEB / "tests" / "run.mjs"), f"{suite}.test.mjs"],
        cwd=WEB, env=browser_env, capture_output=True, text=True, timeout=580,
    )  # fmt: skip
    assert result.returncode == 0, f"node web/tests/run.mjs {suite}.test.mjs failed:\n{result.stdout}\n{result.stderr}"
