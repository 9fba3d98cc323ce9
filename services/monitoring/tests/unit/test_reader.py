"""The jobs' reader against a test peer standing for the gateway and a replica: the service key goes to the gateway
only, a degraded service's 503 is its reading (asked once, never again), and no answer is unreachable."""

from __future__ import annotations

from typing import Any

import pytest

from devstack.testing import ThreadedServer
from osool_monitoring.health import read_health
from osool_monitoring.reader import Reader, ReadError
from osool_monitoring.red import Target, read_text
from osool_monitoring.settings import Settings

KEY = "k" * 40


class Peer:
    """Answers /<service>/health with a degraded report (503) and /metrics with one line; keeps what it was asked."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        headers = {name.decode().lower(): value.decode() for name, value in scope["headers"]}
        self.seen.append((scope["path"], scope["query_string"].decode(), headers))
        if scope["path"].endswith("/health"):
            status, body, kind = (
                503,
                b'{"status": "degraded", "checks": {"redis": {"status": "unhealthy"}}}',
                b"application/json",
            )
        else:
            status, body, kind = 200, b"osool_up 1\n", b"text/plain; version=0.0.4"
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-type", kind)]})
        await send({"type": "http.response.body", "body": body})


def settings(url: str) -> Settings:
    return Settings(
        database_url="postgresql://osool@127.0.0.1:1/osool",
        redis_url="redis://127.0.0.1:1/0",
        osool_service_key=KEY,
        gateway_internal_url=url,
        osool_env="test",
    )


async def test_a_degraded_service_is_read_once_with_the_key_and_a_replica_without_it() -> None:
    peer = Peer()
    with ThreadedServer(peer) as server:
        reader = Reader(settings(server.url))
        try:
            reading = await read_health(reader, "search")
            text = await read_text(reader, Target("search", "1", f"{server.url}/metrics"), ("osool_up",))
            through_gateway = await read_text(reader, Target("chain", "gateway", None))
        finally:
            await reader.aclose()
    assert reading["status"] == "degraded" and reading["http_status"] == 503, reading
    assert reading["checks"] == {"redis": {"status": "unhealthy"}}
    assert text == through_gateway == "osool_up 1\n"
    paths = [(path, query) for path, query, _ in peer.seen]
    # One request for the degraded /health: a 503 is the service's answer, not a failure to ask again.
    assert paths == [("/search/health", ""), ("/metrics", "name%5B%5D=osool_up"), ("/chain/metrics", "")], paths
    keys = [headers.get("x-osool-service-key") for _, _, headers in peer.seen]
    assert keys == [KEY, None, KEY]
    assert all(headers["user-agent"] == "osool-monitoring" for _, _, headers in peer.seen)


async def test_no_answer_is_unreachable_and_a_read_error() -> None:
    with ThreadedServer(Peer()) as server:
        closed = server.url
    reader = Reader(settings(closed), timeout_seconds=2)
    try:
        reading = await read_health(reader, "auth")
        with pytest.raises(ReadError):
            await reader.url(f"{closed}/metrics")
        assert await read_text(reader, Target("auth", "1", f"{closed}/metrics")) is None
    finally:
        await reader.aclose()
    assert reading["status"] == "unreachable" and reading["http_status"] is None, reading
