"""The service client: request id passed on, idempotent calls retried, POST never sent twice; the upstream health
check probes only an upstream that has not answered lately.

The peer is a real HTTP server on a free loopback port (uvicorn in a thread), standing in for the gateway.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest
from asgi_correlation_id import correlation_id
from fastapi import FastAPI, Request, Response

from devstack.config import free_port
from devstack.testing import ThreadedServer
from osool_common.http_client import ServiceClient, UpstreamCheck
from osool_common.settings import CommonSettings


class ClientSettings(CommonSettings):
    service_name: ClassVar[str] = "client-test"
    required_secrets: ClassVar[tuple[str, ...]] = ()


class Peer:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []
        self.failures_left = 0
        app = FastAPI()

        @app.api_route("/{service}/{path:path}", methods=["GET", "POST"])
        async def anything(service: str, path: str, request: Request) -> Response:
            self.calls.append((request.method, f"/{service}/{path}", request.headers.get("x-request-id")))
            if self.failures_left > 0:
                self.failures_left -= 1
                return Response(status_code=503)
            return Response(content=b'{"ok":true}', media_type="application/json")

        self.server = ThreadedServer(app)
        self.port = self.server.port


@pytest.fixture
def peer() -> Iterator[Peer]:
    running = Peer()
    with running.server:
        yield running


def _client(port: int, retries: int = 2) -> ServiceClient:
    settings = ClientSettings(gateway_internal_url=f"http://127.0.0.1:{port}", http_retries=retries)  # type: ignore[arg-type]
    return ServiceClient(settings)


async def test_request_id_of_the_current_request_is_passed_on(peer: Peer) -> None:
    client = _client(peer.port)
    token = correlation_id.set("incoming-req-0042")
    try:
        response = await client.get("search", "/api/properties/7")
    finally:
        correlation_id.reset(token)
        await client.aclose()
    assert response.status_code == 200
    assert peer.calls == [("GET", "/search/api/properties/7", "incoming-req-0042")]


async def test_idempotent_call_is_retried_after_503(peer: Peer) -> None:
    peer.failures_left = 2
    client = _client(peer.port, retries=2)
    try:
        response = await client.get("search", "/health/live")
    finally:
        await client.aclose()
    assert response.status_code == 200
    assert len(peer.calls) == 3


async def test_retries_stop_at_the_limit_and_return_the_last_answer(peer: Peer) -> None:
    peer.failures_left = 10
    client = _client(peer.port, retries=1)
    try:
        response = await client.get("search", "/health/live")
    finally:
        await client.aclose()
    assert response.status_code == 503
    assert len(peer.calls) == 2


async def test_post_is_never_sent_twice(peer: Peer) -> None:
    peer.failures_left = 1
    client = _client(peer.port, retries=3)
    try:
        response = await client.request("chain", "POST", "/api/chain/reserve", json={"id": 1})
    finally:
        await client.aclose()
    assert response.status_code == 503
    assert len(peer.calls) == 1


async def test_connection_refused_is_retried_then_raised() -> None:
    import httpx

    client = _client(free_port(), retries=1)
    try:
        with pytest.raises(httpx.ConnectError):
            await client.get("search", "/health/live")
    finally:
        await client.aclose()


async def test_a_call_that_got_no_answer_forgets_the_last_one() -> None:
    import httpx

    client = _client(free_port(), retries=0)
    check = UpstreamCheck(client, "search", 40.0)
    try:
        client.answered["search"] = time.monotonic()  # as if search had answered a call just now
        assert (await check()).startswith("answered ")
        with pytest.raises(httpx.ConnectError):
            await client.get("search", "/api/properties/7")
        with pytest.raises(httpx.ConnectError):
            await check()  # probed at once, not trusted for the rest of the 40 s
    finally:
        await client.aclose()


async def test_an_upstream_that_just_answered_a_call_is_not_probed_again(peer: Peer) -> None:
    client = _client(peer.port)
    check = UpstreamCheck(client, "search", 40.0)
    try:
        assert await check() == "live"  # nothing called search yet: it is asked
        assert await client.get("search", "/api/properties/7") is not None
        assert (await check()).startswith("answered ")  # the call just made says it answers
        assert [path for _, path, _ in peer.calls] == ["/search/health/live", "/search/api/properties/7"]
        # Another upstream is asked for itself.
        assert await UpstreamCheck(client, "auth", 40.0)() == "live"
        assert peer.calls[-1][1] == "/auth/health/live"
    finally:
        await client.aclose()


async def test_a_gateway_without_a_replica_or_an_old_answer_makes_the_check_ask_again(peer: Peer) -> None:
    client = _client(peer.port, retries=0)
    check = UpstreamCheck(client, "search", 40.0)
    try:
        peer.failures_left = 2
        assert (await client.get("search", "/api/properties/7")).status_code == 503
        with pytest.raises(RuntimeError, match="503"):
            await check()  # a 503 is the gateway's (no replica), not the service's: probed, and still down
        assert await check() == "live"  # the probe's own answer counts from now on
        assert (await check()).startswith("answered ")
        peer.failures_left = 1
        assert (await client.get("search", "/api/properties/7")).status_code == 503
        probes = sum(path == "/search/health/live" for _, path, _ in peer.calls)
        assert await check() == "live"  # the gateway's 503 since forgot the answer: asked again, and up now
        assert sum(path == "/search/health/live" for _, path, _ in peer.calls) == probes + 1
        check.fresh_seconds = 0.05
        await asyncio.sleep(0.1)
        probes = sum(path == "/search/health/live" for _, path, _ in peer.calls)
        assert await check() == "live"
        assert sum(path == "/search/health/live" for _, path, _ in peer.calls) == probes + 1
    finally:
        await client.aclose()


async def test_a_peer_that_hangs_up_without_answering_fails_the_post_once() -> None:
    """A gateway that reads a POST and closes the connection: the call fails at once as no answer, and the POST (no
    Idempotency-Key) is not sent again."""
    import httpx

    accepted = 0

    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal accepted
        accepted += 1
        await reader.readuntil(b"\r\n\r\n")
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = _client(port, retries=0)
    try:
        with pytest.raises(httpx.RemoteProtocolError):
            await client.request("agent", "POST", "/api/leads", json={})
        assert accepted == 1  # a POST without an Idempotency-Key is never sent twice
    finally:
        await client.aclose()
        server.close()
        await server.wait_closed()
