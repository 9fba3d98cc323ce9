"""The JSON-RPC node, as this service uses it: a few calls, with the node's failures sorted into three kinds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import aiohttp
from eth_utils import to_checksum_address
from hexbytes import HexBytes
from web3 import AsyncWeb3
from web3.providers.rpc import AsyncHTTPProvider
from web3.types import RPCEndpoint

from osool_chain import metrics


class NodeUnreachableError(Exception):
    """No answer (refused, timed out, not JSON-RPC): whether a sent transaction arrived is unknown."""


class NodeRejectedError(Exception):
    """The node answered with an error other than a revert (nonce too low, insufficient funds, ...)."""


class RevertedError(Exception):
    """The call (or the gas estimate of a transaction) reverted; `data` is the revert data."""

    def __init__(self, data: bytes) -> None:
        super().__init__(f"execution reverted: 0x{data.hex()}")
        self.data = data


@dataclass(frozen=True)
class Receipt:
    block_number: int
    status: int
    gas_used: int
    contract_address: str | None


@dataclass(frozen=True)
class Log:
    block_number: int
    log_index: int
    tx_hash: str
    topics: list[bytes]
    data: bytes


def _int(value: Any) -> int:
    return int(value, 16) if isinstance(value, str) else int(value)


# How long an idle connection to the node waits for the next call. web3's provider, left to itself, opens a
# connection for every call (its session's connector has force_close=True): with the sender and the indexer polling
# every second, ten new TCP connections a second to the dev node, and a TLS handshake each to a remote one. Under the
# keep-alive of the servers in front of nodes (uvicorn's 5 s, the dev node's; nginx's 75 s), so a connection the node
# is closing is not picked for a call.
KEEPALIVE_SECONDS = 4.0


class ChainNode:
    def __init__(self, url: str, timeout_seconds: float) -> None:
        # No retries inside web3: the sender decides when to try again, and a health check must fail fast.
        provider = AsyncHTTPProvider(
            url,
            request_kwargs={"timeout": aiohttp.ClientTimeout(total=timeout_seconds)},
            exception_retry_configuration=None,
        )
        self.w3 = AsyncWeb3(provider)
        self.url = url
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        await self.w3.provider.disconnect()  # closes the session it was given too

    async def _keep_connections(self) -> None:
        """Give the provider a session whose connections stay open between calls (KEEPALIVE_SECONDS); made in the
        running loop, at the first call. web3 keys its sessions by event loop: another loop gets web3's own."""
        if self._session is None or self._session.closed:
            session = self._session = aiohttp.ClientSession(
                raise_for_status=True, connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS)
            )
            provider = self.w3.provider
            assert isinstance(provider, AsyncHTTPProvider)
            cached = await provider.cache_async_session(session)
            if cached is not session:
                # A call that did not wait for ours (web3 takes its cache lock in a thread) cached web3's own first:
                # ours is closed rather than left open, and that one serves.
                await session.close()
                self._session = cached

    async def request(self, method: str, params: list[Any]) -> Any:
        await self._keep_connections()
        try:
            response = await self.w3.provider.make_request(RPCEndpoint(method), params)
        except (aiohttp.ClientError, TimeoutError, OSError, ValueError) as exc:
            metrics.NODE_UP.set(0)
            raise NodeUnreachableError(f"{type(exc).__name__}: {exc}".strip(": ")) from exc
        metrics.NODE_UP.set(1)  # it answered, even if with an error
        error = response.get("error")
        if error:
            message = str(error.get("message", "")) if isinstance(error, dict) else str(error)
            data = error.get("data") if isinstance(error, dict) else None
            if isinstance(data, dict):  # some nodes nest it: {"data": {"data": "0x..."}}
                data = data.get("data")
            if "revert" in message.lower() or (isinstance(error, dict) and error.get("code") == 3):
                raise RevertedError(bytes(HexBytes(data)) if isinstance(data, str) and data.startswith("0x") else b"")
            raise NodeRejectedError(message or str(error))
        return response.get("result")

    async def block_number(self) -> int:
        return _int(await self.request("eth_blockNumber", []))

    async def chain_id(self) -> int:
        return _int(await self.request("eth_chainId", []))

    async def block(self, number: int | str) -> dict[str, Any]:
        tag = hex(number) if isinstance(number, int) else number
        block = await self.request("eth_getBlockByNumber", [tag, False])
        if not block:
            raise NodeRejectedError(f"no block {number}")
        result: dict[str, Any] = block
        return result

    async def code(self, address: str) -> bytes:
        return bytes(HexBytes(await self.request("eth_getCode", [address, "latest"]) or "0x"))

    async def nonce(self, address: str, block: str = "pending") -> int:
        return _int(await self.request("eth_getTransactionCount", [address, block]))

    async def estimate_gas(self, sender: str, to: str | None, data: str) -> int:
        call: dict[str, Any] = {"from": sender, "data": data}
        if to is not None:
            call["to"] = to
        return _int(await self.request("eth_estimateGas", [call]))

    async def call(self, to: str, data: str) -> bytes:
        return bytes(HexBytes(await self.request("eth_call", [{"to": to, "data": data}, "latest"])))

    async def fees(self) -> tuple[int, int]:
        """(max fee, priority fee) per gas: twice the latest base fee plus the tip, so full blocks don't stall us."""
        latest = await self.block("latest")
        base = _int(latest.get("baseFeePerGas") or 0)
        try:
            tip = _int(await self.request("eth_maxPriorityFeePerGas", []))
        except NodeRejectedError:
            tip = 10**9
        return 2 * base + tip, tip

    async def send_raw(self, raw: bytes) -> str:
        return str(await self.request("eth_sendRawTransaction", ["0x" + raw.hex()]))

    async def receipt(self, tx_hash: str) -> Receipt | None:
        receipt = await self.request("eth_getTransactionReceipt", [tx_hash])
        if not receipt or receipt.get("blockNumber") is None:
            return None
        return Receipt(
            block_number=_int(receipt["blockNumber"]),
            status=_int(receipt.get("status", 1)),
            gas_used=_int(receipt["gasUsed"]),
            # Some nodes (hardhat) answer in lower case; everything downstream wants the checksummed form.
            contract_address=to_checksum_address(receipt["contractAddress"])
            if receipt.get("contractAddress")
            else None,
        )

    async def logs(self, address: str, from_block: int, to_block: int) -> list[Log]:
        entries = await self.request(
            "eth_getLogs", [{"address": address, "fromBlock": hex(from_block), "toBlock": hex(to_block)}]
        )
        return [
            Log(
                block_number=_int(entry["blockNumber"]),
                log_index=_int(entry["logIndex"]),
                tx_hash=str(entry["transactionHash"]),
                topics=[bytes(HexBytes(topic)) for topic in entry["topics"]],
                data=bytes(HexBytes(entry["data"])),
            )
            for entry in entries or []
        ]
