"""Gunicorn settings shared by every service: uvicorn workers, keep-alive longer than the gateway's, metrics cleanup,
workers that die with their master; and the embedded gunicorn that `serve` runs with them."""

from __future__ import annotations

import ctypes
import gc
import os
import signal
import sys
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
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


class EmbeddedGunicorn(BaseApplication):
    """Gunicorn run inside `serve`'s own process, with the app loaded once in the master and forked into the workers
    (preload_app). Each process used to import the service again: the serve command to migrate, then every worker,
    three imports of one to three seconds of CPU per replica, which is what a stack's start on two cores spent most
    of its time on. Gunicorn's documented custom-application API, so its master, signals and worker management are
    the same as the command line's; the settings are this module's."""

    def __init__(self, factory: Callable[[], Any], options: dict[str, Any]) -> None:
        self.factory = factory
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        settings = {
            "worker_class": worker_class,
            "keepalive": keepalive,
            "graceful_timeout": graceful_timeout,
            "timeout": timeout,
            "accesslog": accesslog,
            "post_fork": post_fork,
            "child_exit": child_exit,
            # The app is built in the master before the workers fork: built once, its modules' pages shared. What
            # holds a socket or a thread (pools, clients, the embedding model) is made in each worker's lifespan.
            "preload_app": True,
            # Gunicorn 27's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl): every
            # replica's master would bind (and unlink) the same one. Nothing of ours uses it.
            "control_socket_disable": True,
            **self.options,
        }
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        app = self.factory()
        # `serve` built the app with the collector off (cli._serve): what exists now lives as long as the process, so
        # it moves to the permanent generation, which no collection scans (the CPython recipe for a forking server:
        # no pass over it in any worker, and no copy-on-write of the pages its headers sit on), and collection of
        # what the workers make comes back on.
        gc.freeze()
        gc.enable()
        return app
