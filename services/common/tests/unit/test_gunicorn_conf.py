"""The gunicorn every service's `serve` embeds: the shared settings, the app built once in the master."""

from __future__ import annotations

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
