"""Gunicorn settings shared by every service: uvicorn workers, keep-alive longer than the gateway's, metrics cleanup."""

from __future__ import annotations

from typing import Any

from prometheus_client import multiprocess

worker_class = "uvicorn_worker.UvicornWorker"
# Longer than nginx's upstream keepalive_timeout, so the gateway always closes an idle connection first.
keepalive = 75
graceful_timeout = 10
timeout = 60
accesslog = None


def child_exit(server: Any, worker: Any) -> None:
    # A dead worker's live gauges must stop counting; its counters stay so totals never go backwards.
    multiprocess.mark_process_dead(worker.pid)
