"""The faults the chaos run injects into a private stack (a replica killed, a dependency stopped or frozen) and the
watchers that time what they do: readiness polled on every replica's own port, the dependency's own answer."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any

from devstack.config import SERVICES
from devstack.render import replica_program_name
from devstack.stack import LocalStack

POLL_SECONDS = 0.25
# The goals give readiness 5 s; an answer slower than 2 s counts as none (a hung check is not ready).
POLL_TIMEOUT_SECONDS = 2.0


def http_status(url: str, timeout: float = POLL_TIMEOUT_SECONDS) -> tuple[int, Any]:
    """The status and JSON body of a GET; 0 when nothing answered in time."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as exc:
        try:
            return exc.code, json.loads(exc.read() or b"null")
        except (OSError, ValueError):
            return exc.code, None
    except (OSError, ValueError):
        return 0, None


def failing_checks(body: Any) -> str:
    """The checks a health answer names as failing, with the start of their message."""
    checks = body.get("checks") if isinstance(body, dict) else None
    if not isinstance(checks, dict):
        return "no health report"
    failing = [f"{name}: {str(check.get('message', ''))[:80]}" for name, check in sorted(checks.items())
               if isinstance(check, dict) and check.get("status") != "healthy"]  # fmt: skip
    return "; ".join(failing) or "none failing"


def program_name(service: str, index: int) -> str:
    """As supervisor names a replica: search:search-1."""
    return f"{service}:{replica_program_name(service, index)}"


def replica_url(stack: LocalStack, service: str, index: int, path: str) -> str:
    return f"http://127.0.0.1:{stack.config.replica_ports[service][index]}{path}"


def replica_targets(stack: LocalStack, path: str, services: tuple[str, ...] = SERVICES) -> dict[str, str]:
    """Every replica's own port (not the gateway, which would hide one replica behind the other)."""
    return {
        f"{replica_program_name(service, index)}": replica_url(stack, service, index, path)
        for service in services
        for index in range(len(stack.config.replica_ports[service]))
    }


def program_pids(stack: LocalStack) -> dict[str, int]:
    """Every running program's pid, from one `supervisorctl status`."""
    lines = stack.ctl("status").stdout.splitlines()
    found = (re.match(r"(\S+)\s+RUNNING\s+pid (\d+),", line) for line in lines)
    return {match[1]: int(match[2]) for match in found if match}


def program_pid(stack: LocalStack, program: str) -> int | None:
    text = stack.ctl("pid", program).stdout.strip()
    return int(text) if text.isdigit() and text != "0" else None


def children(pid: int) -> set[int]:
    found = set()
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(proc.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def running(pid: int) -> bool:
    """Neither gone nor a zombie."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


class Poller:
    """GETs each target URL every POLL_SECONDS from its own thread (a hung replica does not delay the others) and
    keeps every (time answered, status) sample; used as a context manager."""

    def __init__(self, targets: dict[str, str]) -> None:
        self.targets = targets
        self.samples: dict[str, list[tuple[float, int]]] = {label: [] for label in targets}
        # Why each answer other than a 200 (or none) was not ready: the failing checks it named.
        self.reasons: dict[str, Counter[str]] = {label: Counter() for label in targets}
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._poll, args=(label,), daemon=True) for label in targets]

    def _poll(self, label: str) -> None:
        while not self.stopping.is_set():
            started = time.monotonic()
            status, body = http_status(self.targets[label])
            self.samples[label].append((time.time(), status))
            if status not in (0, 200):
                self.reasons[label][failing_checks(body)] += 1
            self.stopping.wait(max(0.0, POLL_SECONDS - (time.monotonic() - started)))

    def all_ready_since(self, since: float) -> bool:
        """Every target's answers after `since` exist and the latest is a 200."""
        return all(series and series[-1][0] > since and series[-1][1] == 200 for series in self.samples.values())

    def __enter__(self) -> Poller:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=POLL_TIMEOUT_SECONDS + 1)


def kill_replica(
    stack: LocalStack, service: str, index: int, sig: signal.Signals, timeout: float = 90.0
) -> dict[str, Any]:
    """Kill one replica's gunicorn master and time its return on its own port: when it stopped answering, when the
    process supervisor started again answered /health/live as this service, and when its /health/ready was 200.
    After SIGKILL, also which of the old workers outlived their master."""
    program = program_name(service, index)
    old_pid = program_pid(stack, program)
    if old_pid is None:
        raise RuntimeError(f"{program} is not running")
    workers = children(old_pid)
    live = replica_url(stack, service, index, "/health/live")
    ready = replica_url(stack, service, index, "/health/ready")
    killed_at = time.time()
    os.kill(old_pid, sig)
    down_at = serving_at = ready_at = None
    new_pid: int | None = None
    orphans: list[int] | None = None
    while time.time() - killed_at < timeout:
        now = time.time()
        status, body = http_status(live)
        answered_as = body.get("service") if isinstance(body, dict) else None
        if status != 200 and down_at is None:
            down_at = now
        # Only once the port has stopped answering: right after the kill the old process may still answer (a
        # signal takes effect when the process next runs), and supervisor may already show the new pid.
        if serving_at is None and down_at is not None and status == 200 and answered_as == service:
            pid = program_pid(stack, program)
            if pid is not None and pid != old_pid:
                serving_at, new_pid = now, pid
        if serving_at is not None and http_status(ready)[0] == 200:
            ready_at = time.time()
        if orphans is None and now - killed_at >= 5.0:
            orphans = sorted(w for w in workers if running(w))
        if ready_at is not None and orphans is not None:
            break
        time.sleep(POLL_SECONDS)
    return {
        "program": program,
        "signal": sig.name,
        "old_pid": old_pid,
        "new_pid": new_pid,
        "stopped_answering_after_s": _since(killed_at, down_at),
        "serving_after_s": _since(killed_at, serving_at),
        "ready_again_after_s": _since(killed_at, ready_at),
        # Workers still running 5 s after their master was killed: they serve unsupervised and hold the port.
        "workers_outliving_master": orphans if sig == signal.SIGKILL else [],
    }


def wait_answering(probe: Callable[[], bool], timeout: float, interval: float = 0.05) -> float | None:
    """The time the probe first succeeded, or None after `timeout` seconds."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if probe():
            return time.time()
        time.sleep(interval)
    return None


def _since(start: float, moment: float | None) -> float | None:
    return None if moment is None else round(moment - start, 2)


class Background:
    """A blocking call (supervisorctl start waits for startsecs) run in a thread while its effect is timed."""

    def __init__(self, work: Callable[[], object]) -> None:
        self.thread = threading.Thread(target=work, daemon=True)

    def __enter__(self) -> Background:
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.thread.join(timeout=60)
