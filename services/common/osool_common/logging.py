"""JSON logs: structlog for our events, the standard library (uvicorn, gunicorn, libraries) rendered the same way."""

from __future__ import annotations

import logging
import sys
from functools import lru_cache
from typing import Any, TextIO

import structlog
from asgi_correlation_id import correlation_id

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


def configure_logging(service: str, level: str = "INFO", stream: TextIO | None = None) -> None:
    """Send every log line to stdout (or `stream`: commands whose output is data log to stderr) as one JSON object
    with service, level, time and request id."""
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
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
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
