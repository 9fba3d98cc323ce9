"""Start-up of the local stack: `python -m devstack up` (what `make up` runs after its install check), timed on a
private copy of the developer's stack: its own state directory, env file and ports, the same replicas, workers and
monitoring programs, `LOCAL_LLM=off`.

The first start creates the PostgreSQL cluster, applies the migrations and loads the 3,500 demo listings; then the
stack is stopped and started again ROUNDS times, as a developer's second `make up`. Each start is timed from the
command's launch to its exit (it exits once every service is healthy through the gateway and every replica answers on
its own port), next to the figure the command prints. Goal (issue "Search: understand buyers as Egyptians actually
type"): a second start under 15 s on this 2-core machine, as the median of the rounds.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import write_results
from devstack.config import free_port
from devstack.testing import clean_environ, kill_leftovers

ROUNDS = 5
GOAL_SECONDS = 15.0
_PRINTED = re.compile(r"Osool is up in ([0-9.]+)s")


def printed_seconds(output: str) -> float | None:
    """The figure `devstack up` prints ("Osool is up in 14.3s ..."), None when it printed none."""
    match = _PRINTED.search(output)
    return float(match[1]) if match else None


def _environ(root: Path) -> dict[str, str]:
    ports = ("GATEWAY_PUBLIC_PORT", "GATEWAY_INTERNAL_PORT", "POSTGRES_PORT", "VALKEY_PORT", "PROMETHEUS_PORT",
             "PROMETHEUS_GLOBAL_PORT", "ALERTMANAGER_PORT")  # fmt: skip
    return {
        **clean_environ(),
        "OSOOL_STATE_DIR": str(root / "state"),
        "OSOOL_ENV_FILE": str(root / ".env"),
        "LOCAL_LLM": "off",
        **{name: str(free_port()) for name in ports},
    }


def _devstack(command: str, environ: dict[str, str]) -> tuple[float, str]:
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "devstack", command], env=environ, capture_output=True, text=True, timeout=900
    )
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(
            f"devstack {command} failed ({result.returncode}): {result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    return seconds, result.stdout


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="osool-bench-startup-") as directory:
        root = Path(directory)
        environ = _environ(root)
        try:
            first, output = _devstack("up", environ)
            print(f"first start (cluster, migrations, 3,500 demo listings): {first:.1f} s", flush=True)
            _devstack("down", environ)
            rounds: list[dict[str, Any]] = []
            for number in range(1, ROUNDS + 1):
                time.sleep(1)
                seconds, output = _devstack("up", environ)
                printed = printed_seconds(output)
                rounds.append({"command_seconds": round(seconds, 2), "printed_seconds": printed})
                print(f"second start, round {number}: {seconds:.1f} s (the command printed {printed} s)", flush=True)
                _devstack("down", environ)
        finally:
            subprocess.run([sys.executable, "-m", "devstack", "down"], env=environ, capture_output=True, timeout=120)
            kill_leftovers(root / "state")
    median = round(statistics.median(r["command_seconds"] for r in rounds), 2)
    met = median < GOAL_SECONDS
    spread = [r["command_seconds"] for r in rounds]
    verdict = "met" if met else "MISSED"
    print(
        f"second start: median {median} s, {min(spread)} to {max(spread)} s; goal under {GOAL_SECONDS:g} s: {verdict}"
    )
    path = write_results(
        "startup",
        {
            "first_start_seconds": round(first, 2),
            "rounds": rounds,
            "second_start_median_seconds": median,
            "goals": {"second_start_seconds": {"value": median, "under": GOAL_SECONDS, "met": met}},
        },
    )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
