"""The evaluations' gateway client: a 429 waited out as its Retry-After says and sent again (a POST too); any other
failure is the caller's. The peer is a real HTTP server on a free loopback port (uvicorn in a thread); the real
gateway's 429s are met in tests/test_gateway_config.py."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi import FastAPI, Request, Response

from devstack.testing import ThreadedServer
from osool_common.gateway_client import async_gateway_client, gateway_client


class Peer:
    """Refuses the first `refusals` requests with 429 (Retry-After: `retry_after`, unless None), then answers
    `status`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float]] = []
        self.refusals = 0
        self.retry_after: str | None = "1"
        self.status = 200
        app = FastAPI()

        @app.api_route("/{path:path}", methods=["GET", "POST"])
        async def anything(path: str, request: Request) -> Response:
            self.calls.append((request.method, time.monotonic()))
            if len(self.calls) <= self.refusals:
                headers = {"Retry-After": self.retry_after} if self.retry_after is not None else {}
                return Response(status_code=429, headers=headers)
            return Response(content=await request.body() or b"{}", status_code=self.status)

        self.server = ThreadedServer(app)


@pytest.fixture
def peer() -> Iterator[Peer]:
    running = Peer()
    with running.server:
        yield running


def test_a_refused_post_is_sent_again_after_its_retry_after(peer: Peer) -> None:
    peer.refusals = 1
    with gateway_client(peer.server.url, timeout=10) as client:
        response = client.post("/api/properties/search", json={"query": "flat"})
    assert response.status_code == 200 and response.json() == {"query": "flat"}
    assert [method for method, _ in peer.calls] == ["POST", "POST"]
    assert peer.calls[1][1] - peer.calls[0][1] >= 0.95  # Retry-After: 1


def test_without_retry_after_it_backs_off_and_gives_up_after_its_retries(peer: Peer) -> None:
    peer.refusals, peer.retry_after = 100, None
    with gateway_client(peer.server.url, timeout=10, retries=4) as client:
        response = client.get("/api/properties")
    # Refused every time: the last 429 is the answer, after 4 more tries spaced by growing waits.
    assert response.status_code == 429 and len(peer.calls) == 5
    gaps = [b - a for (_, a), (_, b) in zip(peer.calls, peer.calls[1:], strict=False)]
    assert gaps[-1] > gaps[0] > 0.1


def test_any_other_failure_is_not_sent_again(peer: Peer) -> None:
    peer.status = 500
    with gateway_client(peer.server.url, timeout=10) as client:
        assert client.post("/api/chat", json={"message": "hi"}).status_code == 500
    assert len(peer.calls) == 1


async def test_the_async_client_waits_out_a_429_too(peer: Peer) -> None:
    peer.refusals = 2
    async with async_gateway_client(peer.server.url, timeout=10) as client:
        response = await client.post("/api/chat", json={"message": "hi"})
    assert response.status_code == 200 and len(peer.calls) == 3
    assert peer.calls[2][1] - peer.calls[0][1] >= 1.9
