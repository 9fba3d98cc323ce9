"""JSON logs: structlog for our events, the standard library (uvicorn, gunicorn, libraries) rendered the same way."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
import weakref
from functools import lru_cache
from typing import Any, TextIO

import structlog
from asgi_correlation_id import correlation_id

# A buffered handler writes once its lines reach this many characters, if its interval has not come first.
MAX_BUFFERED_CHARS = 64 * 1024
_SECRET_KEYS = ("password", "secret", "token", "otp", "authorization", "dsn", "api_key")


def _add_request_id(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    request_id = correlation_id.get()
    if request_id:
        event_dict.setdefault("request_id", request_id)
    return event_dict


@lru_cache(maxsize=4096)
def _names_a_secret(key: str) -> bool:
    # Log keys are a small, fixed vocabulary: each is checked once per process, not on every line.
    lowered = key.lower()
    return any(part in lowered for part in _SECRET_KEYS)


def _redact_secrets(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    # A last line of defence: callers should never log secrets, but a key named like one is masked.
    for key in list(event_dict):
        if isinstance(key, str) and _names_a_secret(key):
            event_dict[key] = "***"
    return event_dict


class BufferedStreamHandler(logging.StreamHandler):
    """Writes its lines in batches: every `flush_seconds`, when 64 KiB are waiting, and at once (with every line
    before it) for a warning or worse; at exit and before a fork too.

    A server logs a line for every request, and a line written alone costs a system call and, under the local stack,
    a wake-up of supervisord, which reads the pipe and writes the line to its file (0.23 ms of its CPU per request,
    measured on a search: more than the line's own rendering). nginx's access log here does the same
    (buffer=64k flush=1s). Lines are rendered when logged, so their time and request id are the event's: the standard
    library's MemoryHandler keeps records and renders them at its flush, and has no interval. An abrupt end (SIGKILL)
    loses at most the last `flush_seconds` of info lines."""

    def __init__(self, stream: TextIO, flush_seconds: float) -> None:
        super().__init__(stream)
        self.flush_seconds = flush_seconds
        self._pending: list[str] = []
        self._size = 0
        self._flusher_pid = 0  # the process whose flusher thread runs (a forked worker starts its own)
        self._ended = False  # closed: its flusher thread stops (Handler's own flag is private, and untyped)
        _BUFFERED.add(self)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._pending.append(line)
        self._size += len(line)
        if record.levelno >= logging.WARNING or self._size >= MAX_BUFFERED_CHARS:
            self._write()
        elif self._flusher_pid != os.getpid():
            self._start_flusher()

    def flush(self) -> None:
        self.acquire()
        try:
            self._write()
        finally:
            self.release()

    def close(self) -> None:
        self.flush()
        self._ended = True
        super().close()

    def _write(self) -> None:
        """Write what is waiting (the caller holds the handler's lock)."""
        if not self._pending:
            return
        text = "".join(self._pending)
        self._pending.clear()
        self._size = 0
        # A closed or broken stream (ValueError, OSError): the lines are lost, as a plain StreamHandler's would be.
        with contextlib.suppress(ValueError, OSError):
            self.stream.write(text)
            self.stream.flush()

    def _start_flusher(self) -> None:
        self._flusher_pid = os.getpid()
        handler = weakref.ref(self)
        interval = self.flush_seconds

        def run() -> None:
            while True:
                time.sleep(interval)
                current = handler()
                if current is None or current._ended:
                    return
                current.flush()
                del current

        threading.Thread(target=run, name="log-flusher", daemon=True).start()


_BUFFERED: weakref.WeakSet[BufferedStreamHandler] = weakref.WeakSet()


def _flush_before_fork() -> None:
    # A line waiting in the parent would otherwise be written by it and by every child it forks.
    for handler in list(_BUFFERED):
        handler.flush()


os.register_at_fork(before=_flush_before_fork)


def flush_logs() -> None:
    """Write the lines this process's handlers keep waiting. A server's worker calls it last as it stops: uvicorn ends
    it with the signal it was stopped by, once its shutdown is done, so the exit's own flush never runs."""
    for handler in logging.getLogger().handlers:
        handler.flush()


def configure_logging(
    service: str, level: str = "INFO", stream: TextIO | None = None, flush_seconds: float = 0.0
) -> None:
    """Send every log line to stdout (or `stream`: commands whose output is data log to stderr) as one JSON object
    with service, level, time and request id. With `flush_seconds` (servers), lines are written in batches
    (BufferedStreamHandler); without, each as it is logged."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_request_id,
        _redact_secrets,
    ]
    structlog.configure(
        # The level first: an event under it (a probe's or a scrape's debug line, on every /health and /metrics of
        # every service) is dropped before the time is stamped and the context merged, not after, by the logger.
        processors=[structlog.stdlib.filter_by_level, *shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder()],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    out = stream or sys.stdout
    handler = BufferedStreamHandler(out, flush_seconds) if flush_seconds > 0 else logging.StreamHandler(out)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    for replaced in root.handlers:
        replaced.flush()  # a server configures again as its app is built: the lines its first handler kept are written
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "gunicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Calls to other services are logged by the caller's own events; httpx's line per request is noise at INFO.
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
    # Requests are logged once by our own middleware, with the route and request id.
    logging.getLogger("uvicorn.access").disabled = True
    logging.getLogger("gunicorn.access").disabled = True
    structlog.contextvars.bind_contextvars(service=service)


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    return structlog.stdlib.get_logger(name)
