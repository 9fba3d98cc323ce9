"""The gateway template on its own: SSE streams unbuffered, and the compose rendering is current and valid."""

from __future__ import annotations

import asyncio
import re
import secrets
import string
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.responses import StreamingResponse

from devstack import binaries
from devstack.config import REPO_ROOT, SERVICES, GatewayRates, free_port
from devstack.render import render_compose_gateway, render_gateway
from devstack.testing import ThreadedServer

COMPOSE_CONF = REPO_ROOT / "gateway" / "nginx" / "nginx.compose.conf"


class SlowEventSource:
    """An upstream that writes one event, waits, then writes another: where the agent's chat stream will sit."""

    def __init__(self) -> None:
        app = FastAPI()

        @app.get("/api/chat/stream")
        async def stream() -> StreamingResponse:
            async def events() -> AsyncIterator[bytes]:
                yield b"event: token\ndata: first\n\n"
                await asyncio.sleep(1.5)
                yield b"event: token\ndata: second\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        self.server = ThreadedServer(app)
        self.port = self.server.port


@pytest.fixture
def gateway_over_event_source(tmp_path: Path) -> Iterator[str]:
    upstream = SlowEventSource()
    with upstream.server:
        public_port = free_port()
        (tmp_path / "temp").mkdir()
        config = render_gateway(
            target="test",
            upstreams={service: [f"127.0.0.1:{upstream.port}"] for service in SERVICES},
            public_listen=f"127.0.0.1:{public_port}",
            internal_listen=f"127.0.0.1:{free_port()}",
            state_dir=str(tmp_path),
            web_root=str(REPO_ROOT / "web"),
            rates=GatewayRates(),
            worker_processes="1",
            error_log=str(tmp_path / "error.log"),
            service_key=secrets.token_urlsafe(24),
        ).replace("\nworker_processes", "\nuser root;\nworker_processes")
        (tmp_path / "nginx.conf").write_text(config)
        process = subprocess.Popen(
            [str(binaries.nginx()), "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
        )
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    httpx.get(f"http://127.0.0.1:{public_port}/healthz")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, (tmp_path / "error.log").read_text()
                    time.sleep(0.05)
            yield f"http://127.0.0.1:{public_port}"
        finally:
            process.terminate()
            process.wait(timeout=10)


def test_sse_events_pass_the_gateway_as_they_are_written(gateway_over_event_source: str) -> None:
    arrivals: list[tuple[float, str]] = []
    started = time.monotonic()
    with httpx.stream("GET", f"{gateway_over_event_source}/api/chat/stream", timeout=10) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for line in response.iter_lines():
            if line.startswith("data: "):
                arrivals.append((time.monotonic() - started, line.removeprefix("data: ")))
    assert [data for _, data in arrivals] == ["first", "second"]
    # The first event is not held back until the stream ends (1.5 s later).
    assert arrivals[0][0] < 1.0
    assert arrivals[1][0] - arrivals[0][0] > 1.0


def test_committed_compose_gateway_config_is_current() -> None:
    assert COMPOSE_CONF.read_text() == render_compose_gateway(), "run `make gateway-config` and commit the result"


def test_nginx_accepts_the_compose_gateway_config(tmp_path: Path) -> None:
    # Compose's service names resolve only inside its network; for `nginx -t` here they point at loopback.
    text = re.sub(r"server ([a-z-]+):8000", r"server 127.0.0.1:8000", COMPOSE_CONF.read_text())
    text = text.replace("/var/cache/nginx", str(tmp_path)).replace("/var/run", str(tmp_path))
    text = text.replace("/dev/stdout", str(tmp_path / "access.log"))
    # What the nginx image does at start: envsubst of the defined variables (only the key) into conf.d.
    template = (COMPOSE_CONF.parent / "templates" / "service-key.conf.template").read_text()
    rendered = string.Template(template).safe_substitute(OSOOL_SERVICE_KEY=secrets.token_urlsafe(24))
    (tmp_path / "service-key.conf").write_text(rendered)
    text = text.replace("/etc/nginx/conf.d/service-key.conf", str(tmp_path / "service-key.conf"))
    # nginx -t loads the certificate: one from gateway/nginx/ssl's script, where compose mounts the directory.
    made = subprocess.run(
        ["/bin/sh", str(COMPOSE_CONF.parent / "ssl" / "make-local-certificates.sh")],
        env={"PATH": "/usr/bin:/bin", "SSL_DIR": str(tmp_path / "ssl")},
        capture_output=True,
        text=True,
    )
    assert made.returncode == 0, made.stderr
    text = text.replace("/etc/nginx/ssl/", f"{tmp_path}/ssl/")
    (tmp_path / "nginx.conf").write_text(text)
    result = subprocess.run(
        [str(binaries.nginx()), "-t", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_default_rate_limits_are_strict_for_sign_in_and_otp() -> None:
    text = COMPOSE_CONF.read_text()
    assert "zone=osool_login:10m rate=10r/m" in text and "zone=osool_otp:10m rate=3r/m" in text
    assert re.search(r"location ~ \^/api/auth/\(login\|password\).*?limit_req zone=osool_login", text, re.DOTALL)
