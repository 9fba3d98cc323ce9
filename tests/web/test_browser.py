"""The web client in a real browser: web/tests/*.test.mjs (playwright-core driving Debian's chromium, headless) run
by node against the test stack through its gateway, which serves the built client (web/dist). Node's output is shown
when a test fails; screenshots go to bench/results/screenshots/."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from devstack import binaries
from devstack.config import REPO_ROOT
from devstack.stack import LocalStack
from devstack.testing import admin_headers, clean_environ, service_headers

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


def _staff_admin(stack: LocalStack) -> tuple[str, str]:
    """An administrator made as an operator makes one (`create-admin`), whose password the browser tests know: the
    staff pages' tests sign in with it (and give the agent role through it), getting fresh tokens when they need."""
    email = f"web-admin-{uuid.uuid4().hex[:8]}@osool-test.eg"
    password = secrets.token_urlsafe(16)
    created = subprocess.run(
        [sys.executable, "-m", "osool_auth", "create-admin", "--email", email, "--password-stdin"],
        input=f"{password}\n", env={**clean_environ(), "OSOOL_ENV_FILE": str(stack.config.env_file)},
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    return email, password


# Per suite, not per module: an access token lives 15 minutes, and every suite gets its administrator's token fresh.
@pytest.fixture
def browser_env(stack: LocalStack) -> dict[str, str]:
    reason = _absent()
    if reason:
        pytest.skip(reason)
    # With node present, a missing build or package is a broken install, not a reason to skip.
    assert (WEB / "node_modules" / "playwright-core").is_dir(), "web/node_modules is missing: run make install"
    assert (WEB / "dist" / "index.html").is_file(), "the web client is not built (web/dist): run make install"
    admin_email, admin_password = _staff_admin(stack)
    # What read_outbox uses: the service key and an administrator's token, for the internal outbox route. The token
    # alone is what a test uses to act as an administrator through the public gateway (registering a listing on chain).
    admin = admin_headers(stack, "web-admin")
    outbox = {**admin, **service_headers(stack)}
    # The stack's supervisorctl: the operations test stops a service with it and starts it again (then waits until
    # the service is healthy).
    ctl = [str(binaries.supervisorctl()), "-c", str(stack.supervisord_conf)]
    return {
        **clean_environ(),
        "OSOOL_WEB_URL": stack.config.public_url,
        "OSOOL_INTERNAL_URL": stack.config.internal_url,
        "OSOOL_ADMIN_EMAIL": admin_email,
        "OSOOL_ADMIN_PASSWORD": admin_password,
        "OSOOL_OUTBOX_HEADERS": json.dumps(outbox),
        "OSOOL_ADMIN_HEADERS": json.dumps(admin),
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
