"""Gunicorn settings shared by every service: uvicorn workers, keep-alive longer than the gateway's, metrics cleanup,
workers that die with their master."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from typing import Any

from prometheus_client import multiprocess

worker_class = "uvicorn_worker.UvicornWorker"
# Longer than nginx's upstream keepalive_timeout, so the gateway always closes an idle connection first.
keepalive = 75
graceful_timeout = 10
timeout = 60
accesslog = None

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def post_fork(server: Any, worker: Any) -> None:
    # A master killed hard (SIGKILL, the OOM killer) cannot stop its workers, and uvicorn's worker never checks its
    # parent: they would go on serving, unsupervised and holding the port, so the restarted master could not bind
    # it ("Connection in use") for as long as they live. The kernel kills a worker the moment its master dies.
    # SIGKILL rather than SIGTERM: a worker whose event loop is stuck would never act on SIGTERM, and no master is
    # left to escalate. Through ctypes, not python-prctl: one call to libc is not worth a package that compiles
    # against libcap.
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        server.log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %s", ctypes.get_errno())
    # The master may have died between fork and prctl: then no signal will come.
    if os.getppid() != worker.ppid:
        os._exit(1)


def child_exit(server: Any, worker: Any) -> None:
    # A dead worker's live gauges must stop counting; its counters stay so totals never go backwards.
    multiprocess.mark_process_dead(worker.pid)
