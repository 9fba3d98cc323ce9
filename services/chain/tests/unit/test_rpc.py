"""The node client keeps its connections between calls, and still sorts a node that stops answering as unreachable.
The node is a local JSON-RPC server (aiohttp) that counts the connections it is opened."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from aiohttp import web

from osool_chain.rpc import KEEPALIVE_SECONDS, ChainNode, NodeUnreachableError


class Node:
    """eth_blockNumber answered with a counter; every TCP connection a client opens is recorded by its peer port."""

    def __init__(self) -> None:
        self.peers: set[tuple[str, int]] = set()
        self.calls = 0

    async def rpc(self, request: web.Request) -> web.Response:
        transport = request.transport
        assert transport is not None
        self.peers.add(transport.get_extra_info("peername")[:2])
        body: dict[str, Any] = await request.json()
        self.calls += 1
        return web.json_response({"jsonrpc": "2.0", "id": body["id"], "result": hex(self.calls)})


@pytest.fixture
async def node() -> AsyncIterator[tuple[Node, str, web.AppRunner]]:
    fake = Node()
    app = web.Application()
    app.router.add_post("/", fake.rpc)
    runner = web.AppRunner(app, keepalive_timeout=75)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield fake, f"http://127.0.0.1:{port}/", runner
    await runner.cleanup()


async def test_calls_in_a_row_share_one_connection(node: tuple[Node, str, web.AppRunner]) -> None:
    fake, url, _ = node
    client = ChainNode(url, timeout_seconds=3.0)
    try:
        blocks = [await client.block_number() for _ in range(20)]
        # Concurrent calls open what they need, and those are kept too.
        blocks += await asyncio.gather(*(client.block_number() for _ in range(5)))
        blocks += [await client.block_number() for _ in range(5)]
    finally:
        await client.close()
    assert sorted(blocks) == list(range(1, 31))
    # web3's own session opens a connection per call (force_close): 30 here.
    assert len(fake.peers) <= 5, fake.peers


async def test_an_idle_connection_is_let_go_before_a_server_would_close_it(
    node: tuple[Node, str, web.AppRunner],
) -> None:
    fake, url, _ = node
    # Under the keep-alive of uvicorn, the dev node's server (its default): the node never closes a connection the
    # client could still pick.
    assert KEEPALIVE_SECONDS < uvicorn.Config(app=None).timeout_keep_alive
    client = ChainNode(url, timeout_seconds=3.0)
    try:
        await client.block_number()
        await asyncio.sleep(KEEPALIVE_SECONDS + 1.5)
        await client.block_number()
    finally:
        await client.close()
    assert len(fake.peers) == 2


async def test_a_node_that_went_away_is_unreachable_and_one_that_came_back_answers(
    node: tuple[Node, str, web.AppRunner],
) -> None:
    fake, url, runner = node
    client = ChainNode(url, timeout_seconds=3.0)
    try:
        assert await client.block_number() == 1
        await runner.cleanup()  # the kept connection is closed by the server
        with pytest.raises(NodeUnreachableError):
            await client.block_number()
        port = int(url.rsplit(":", 1)[1].strip("/"))
        again = web.Application()
        again.router.add_post("/", fake.rpc)
        runner2 = web.AppRunner(again)
        await runner2.setup()
        await web.TCPSite(runner2, "127.0.0.1", port).start()
        try:
            assert await client.block_number() == 2
        finally:
            await runner2.cleanup()
    finally:
        await client.close()
    assert fake.calls == 2 and len(fake.peers) == 2  # one connection before, a new one after


async def test_concurrent_first_calls_leave_one_session_and_it_keeps_connections(
    node: tuple[Node, str, web.AppRunner],
) -> None:
    fake, url, _ = node
    client = ChainNode(url, timeout_seconds=3.0)
    try:
        await asyncio.gather(*(client.block_number() for _ in range(8)))
        blocks = [await client.block_number() for _ in range(10)]
        assert client._session is not None and not client._session.closed
    finally:
        await client.close()
    assert blocks == list(range(9, 19))
    assert len(fake.peers) <= 8, fake.peers  # the ten calls after reused what the first eight opened
