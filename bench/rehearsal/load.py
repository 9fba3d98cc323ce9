"""The rehearsal's load: streams of requests at fixed rates through the gateway, every answer kept as a record in the
chaos run's format (so bench.chaos.report.summarize sums them up), and every write the stack acknowledged.

Threads with an httpx client each, in the rehearsal's own process, rather than locust as `make chaos` has: a handful of
paced streams over a few minutes, and the faults are injected from the same process. Locust patches its process with
gevent, so it would need a process of its own and files to talk through (bench/chaos/locustfile.py).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

REQUEST_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class Reply:
    ok: bool
    status: int  # 0: no answer (refused, reset, timed out)
    body: Any = None


@dataclass(frozen=True)
class Stream:
    """`task` run `rate` times a second in all, spread over `threads` threads (a task that takes longer than its turn
    delays that thread's next one; turns missed meanwhile are skipped, not sent in a burst)."""

    name: str
    rate: float
    sends: str  # what a task sends, for the report
    idempotent: bool  # a GET, or a write the client may send again; a POST without a key is not
    task: Callable[[Caller], None]
    threads: int = 1
    internal: bool = False  # the gateway's internal listener (plain HTTP, the service key) instead of the public one


def failure_of(status: int, error: BaseException | None) -> str:
    """The kind of a failure, as bench.chaos.report groups them: http_502, timeout, connection, ..."""
    if error is None:
        return f"http_{status}"
    if isinstance(error, httpx.TimeoutException):
        return "timeout"
    if isinstance(error, httpx.TransportError):
        return "connection"
    return type(error).__name__


def error_detail(response: httpx.Response | None, error: BaseException | None) -> str:
    """What a failure said: the error envelope's code and message, or the transport error."""
    if error is not None or response is None:
        return str(error)[:160]
    try:
        body = response.json()["error"]
        return f"{body['code']}: {body['message']}"[:160]
    except (ValueError, KeyError, TypeError):
        return response.text[:160]


class Caller:
    """One thread of a stream: its client, and the records of what it sent."""

    def __init__(self, load: Load, stream: Stream, client: httpx.Client) -> None:
        self.load = load
        self.stream = stream
        self.client = client

    def send(self, method: str, url: str, *, expect: int, name: str, **options: Any) -> Reply:
        started, clock = time.time(), time.perf_counter()
        response: httpx.Response | None = None
        error: BaseException | None = None
        try:
            response = self.client.request(method, url, timeout=REQUEST_TIMEOUT_SECONDS, **options)
        except httpx.HTTPError as exc:
            error = exc
        status = response.status_code if response is not None else 0
        ok = error is None and status == expect
        self.load.records.append(
            {
                "type": "request",
                "t": started,
                "stream": self.stream.name,
                "name": name,
                "kind": "idempotent" if self.stream.idempotent else "non_idempotent",
                "ok": ok,
                "status": status,
                "failure": None if ok else failure_of(status, error),
                "detail": None if ok else error_detail(response, error),
                "ms": round((time.perf_counter() - clock) * 1000, 2),
                "attempts": 1,
            }
        )
        body = None
        if ok and response is not None and response.content:
            try:
                body = response.json()
            except ValueError:
                body = None
        return Reply(ok, status, body)

    def acknowledged(self, write: str, **fields: Any) -> None:
        """A write the stack answered as done: checked afterwards."""
        self.load.writes.append({"write": write, "t": time.time(), **fields})


class Load:
    """The streams running for as long as the `with` block: `records` and `writes` fill meanwhile (list appends are
    atomic in CPython, so the threads share them without a lock)."""

    def __init__(self, streams: list[Stream], public: Callable[[], httpx.Client], internal: Callable[[], httpx.Client]):
        self.streams = streams
        self.public = public
        self.internal = internal
        self.records: list[dict[str, Any]] = []
        self.writes: list[dict[str, Any]] = []
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.errors: list[str] = []
        self.started_at = 0.0

    def __enter__(self) -> Load:
        self.started_at = time.time()
        for stream in self.streams:
            for index in range(stream.threads):
                thread = threading.Thread(target=self._run, args=(stream, index), name=f"load-{stream.name}-{index}")
                self.threads.append(thread)
                thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=REQUEST_TIMEOUT_SECONDS * 3)
        if self.errors:
            raise RuntimeError(f"a load thread failed: {self.errors[0]}")

    def _run(self, stream: Stream, index: int) -> None:
        period = stream.threads / stream.rate
        next_at = time.monotonic() + period * index / stream.threads
        try:
            with self.internal() if stream.internal else self.public() as client:
                caller = Caller(self, stream, client)
                while not self.stop.wait(max(0.0, next_at - time.monotonic())):
                    stream.task(caller)
                    next_at = max(next_at + period, time.monotonic())
        except Exception as exc:  # a bug in a task, not a failed request (those are records)
            self.errors.append(f"{stream.name}: {type(exc).__name__}: {exc}")

    def failures_since(self, since: float) -> list[dict[str, Any]]:
        return [r for r in list(self.records) if not r["ok"] and r["t"] >= since]
