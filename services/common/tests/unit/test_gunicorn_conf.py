"""The gunicorn every service's `serve` embeds: the shared settings, the app built once in the master."""

from __future__ import annotations

import gc
from typing import Any

from osool_common import gunicorn_conf
from osool_common.gunicorn_conf import EmbeddedGunicorn


def test_the_embedded_gunicorn_takes_the_shared_settings_and_preloads_the_app() -> None:
    built: list[int] = []

    def factory() -> Any:
        built.append(1)
        return "the app"

    server = EmbeddedGunicorn(factory, {"bind": ["127.0.0.1:0"], "workers": 3, "proc_name": "osool-test"})
    cfg = server.cfg
    assert cfg.worker_class_str == gunicorn_conf.worker_class
    assert (cfg.keepalive, cfg.graceful_timeout, cfg.timeout) == (75, 10, 60)
    assert cfg.post_fork is gunicorn_conf.post_fork and cfg.child_exit is gunicorn_conf.child_exit
    assert cfg.preload_app is True
    assert cfg.control_socket_disable is True
    assert (cfg.bind, cfg.workers, cfg.proc_name) == (["127.0.0.1:0"], 3, "osool-test")
    assert built == []  # nothing is built before gunicorn asks for the app
    assert server.wsgi() == "the app" and built == [1]
    assert server.wsgi() == "the app" and built == [1]  # once


def test_the_app_built_without_the_collector_is_frozen_and_collection_comes_back_on() -> None:
    seen: list[bool] = []

    def factory() -> Any:
        seen.append(gc.isenabled())
        return ["an app", {"that": "lives"}]

    gc.disable()  # as `serve` does before importing and building the app
    try:
        app = EmbeddedGunicorn(factory, {"bind": ["127.0.0.1:0"]}).wsgi()
        assert seen == [False]
        assert gc.isenabled()  # the workers forked after this collect what they make
        assert gc.get_freeze_count() > 0 and gc.is_tracked(app)
    finally:
        gc.unfreeze()
        gc.enable()
