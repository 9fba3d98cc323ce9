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
from devstack.config import REPO_ROOT, GatewayRates
from devstack.render import render_compose_gateway, retry_after_seconds
from devstack.testing import ThreadedServer, standalone_gateway
from osool_common.gateway_client import gateway_client

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
    with upstream.server, standalone_gateway(tmp_path, upstream.port, GatewayRates()) as url:
        yield url


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


def test_a_limits_retry_after_is_the_time_it_lets_one_more_request_through() -> None:
    assert [retry_after_seconds(rate) for rate in ("50r/s", "1r/s", "30r/m", "10r/m", "3r/m", "120r/m")] == [
        1, 1, 2, 6, 20, 1,
    ]  # fmt: skip
    for rate in ("5r/h", "0r/s", "fast"):
        with pytest.raises(ValueError, match="gateway rate"):
            retry_after_seconds(rate)


def test_the_gateways_429_says_when_to_come_back_by_the_limit_that_refused(tmp_path: Path) -> None:
    # Each limit lets two requests through (one and a burst of one), then refuses: its 429 names its own wait.
    rates = GatewayRates(api="2r/s", auth="30r/m", login="10r/m", otp="3r/m",
                         bursts={"api": 1, "auth": 1, "login": 1, "otp": 1})  # fmt: skip
    upstream = ThreadedServer(FastAPI())  # every route a 404: only the gateway's own answers matter here
    with upstream, standalone_gateway(tmp_path, upstream.port, rates) as url, httpx.Client(base_url=url) as client:
        for path, wait in (("/api/properties?q=1", "1"), ("/api/auth/me", "2"), ("/api/auth/login", "6"),
                           ("/api/auth/otp/send", "20")):  # fmt: skip
            answers = [client.post(path, json={}) for _ in range(4)]
            refused = [answer for answer in answers if answer.status_code == 429]
            assert refused, [answer.status_code for answer in answers]
            assert all(answer.headers["retry-after"] == wait for answer in refused), (path, refused[0].headers)
            assert refused[0].json()["error"]["code"] == "rate_limited"
            assert refused[0].headers["x-content-type-options"] == "nosniff"  # the public headers are kept
            passed = [answer for answer in answers if answer.status_code != 429]
            assert passed and "retry-after" not in passed[0].headers


def test_the_evaluations_client_waits_out_the_gateways_limit(tmp_path: Path) -> None:
    # 2 a second with a burst of 1: six quick searches meet 429s, which the client waits out (Retry-After: 1).
    rates = GatewayRates(api="2r/s", bursts={"api": 1, "auth": 1, "login": 1, "otp": 1})
    upstream = ThreadedServer(FastAPI())
    with upstream, standalone_gateway(tmp_path, upstream.port, rates) as url:
        started = time.monotonic()
        with gateway_client(url, timeout=10) as client:
            statuses = [client.post("/api/properties/search", json={}).status_code for _ in range(6)]
        elapsed = time.monotonic() - started
    assert statuses == [404] * 6  # each reached the service (here, one without routes)
    assert elapsed >= 1.9  # six at 2 a second after a burst of two: at least two seconds of waiting
    access = (tmp_path / "access.log").read_text()
    assert '"status":429' in access, "the gateway did refuse some on the way"
