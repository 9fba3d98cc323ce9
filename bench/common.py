"""What every benchmark shares: a private stack, wrk runs parsed into numbers, results written as JSON."""

from __future__ import annotations

import json
import platform
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from devstack.config import REPO_ROOT
from devstack.stack import LocalStack
from devstack.testing import make_test_stack_config, running_stack

RESULTS_DIR = REPO_ROOT / "bench" / "results"
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class LoadResult:
    label: str
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk() -> str:
    """wrk is a C load generator: a Python client would be the bottleneck on a 2-core machine."""
    found = shutil.which("wrk")
    if found:
        return found
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)
        found = shutil.which("wrk")
    assert found, "wrk could not be installed (apt-get install wrk)"
    return found


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    assert match, text
    return float(match[1]) * _UNITS[match[2]]


def run_wrk(
    label: str, url: str, *, connections: int, seconds: int, threads: int = 2, script: str | None = None
) -> LoadResult:
    """One wrk run; `script` is a wrk Lua script (e.g. a POST with a JSON body)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as lua:
        extra = []
        if script:
            lua.write(script)
            lua.flush()
            extra = ["-s", lua.name]
        # wrk needs at least one connection per thread.
        argv = [ensure_wrk(), f"-t{min(threads, connections)}", f"-c{connections}", f"-d{seconds}s", "--latency"]
        output = subprocess.run([*argv, *extra, url], capture_output=True, text=True, check=True).stdout
    percentiles = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)\s*$", output, re.MULTILINE))
    if set(percentiles) != {"50", "99"}:
        raise RuntimeError(f"wrk printed no latency percentiles for {label}:\n{output}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    total = int(re.search(r"(\d+) requests in", output)[1])  # type: ignore[index]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", output))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors += int(non_2xx[1]) if non_2xx else 0
    return LoadResult(label, rps, _duration_ms(percentiles["50"]), _duration_ms(percentiles["99"]), total, errors)


def median_result(label: str, runs: list[LoadResult]) -> LoadResult:
    return LoadResult(
        label,
        statistics.median(r.requests_per_second for r in runs),
        statistics.median(r.p50_ms for r in runs),
        statistics.median(r.p99_ms for r in runs),
        sum(r.requests for r in runs),
        sum(r.errors for r in runs),
    )


@contextmanager
def private_stack(env_lines: dict[str, str] | None = None, **overrides: object) -> Iterator[LocalStack]:
    """A whole stack on free ports in a temporary directory, stopped afterwards. `env_lines` start its env file
    (the launcher adds the generated secrets and keeps these); no demo listings unless asked for."""
    with tempfile.TemporaryDirectory(prefix="osool-bench-") as root:
        config = make_test_stack_config(Path(root))
        for key, value in overrides.items():
            setattr(config, key, value)
        config.env_file.parent.mkdir(parents=True, exist_ok=True)
        config.env_file.write_text(
            "".join(f"{k}={v}\n" for k, v in {"DEMO_LISTINGS": "0", **(env_lines or {})}.items())
        )
        with running_stack(config) as stack:
            yield stack


def create_admins(env_file: Path, count: int, label: str) -> list[dict[str, str]]:
    """Accounts made as an operator makes them (`create-admin`, against the stack of `env_file`), in parallel: sign-up
    would mail a link through auth's outbox. Their email and password, to sign in with."""
    import secrets
    import sys
    import uuid

    from devstack.testing import clean_environ

    accounts = [
        {"email": f"{label}-{n}-{uuid.uuid4().hex[:8]}@osool-test.eg", "password": secrets.token_urlsafe(16)}
        for n in range(count)
    ]
    environ = {**clean_environ(), "OSOOL_ENV_FILE": str(env_file)}
    argv = [sys.executable, "-m", "osool_auth", "create-admin", "--password-stdin", "--email"]
    processes = [
        subprocess.Popen(
            [*argv, account["email"]],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=environ,
        )
        for account in accounts
    ]
    for process, account in zip(processes, accounts, strict=True):
        _, error = process.communicate(f"{account['password']}\n", timeout=180)
        if process.returncode != 0:
            raise RuntimeError(f"create-admin failed: {error}")
    return accounts


def write_results(name: str, payload: dict[str, object]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    document = {
        "benchmark": name,
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": _cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        **payload,
    }
    path.write_text(json.dumps(document, indent=2, default=_default))
    return path


def _cpu_count() -> int:
    import os

    return os.cpu_count() or 0


def _default(value: object) -> object:
    if isinstance(value, LoadResult):
        return asdict(value)
    raise TypeError(type(value))
