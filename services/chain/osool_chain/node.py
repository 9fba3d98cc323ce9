"""`python -m osool_chain node`: the embedded Ethereum node of the local stack, py-evm in memory behind JSON-RPC.

Every chain replica must see one chain, so the in-process EVM of web3 (eth-tester on py-evm) runs once, in this
process, and the replicas reach it over HTTP like any other node: one code path for the dev node, hardhat and a
real network. It mines a block per transaction. Its chain lives in memory: when this process restarts the chain
starts again from genesis, and the service notices (the genesis hash changes), retires its old deployment and
deploys the registry again (see the chain README).
"""

from __future__ import annotations

import argparse
import ast
import json
from typing import Any

from eth_account import Account
from eth_tester.exceptions import TransactionFailed
from eth_utils import ValidationError as EthValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from web3 import Web3
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import RPCEndpoint, RPCResponse

from osool_chain.settings import Settings
from osool_common.logging import get_logger
from osool_common.settings import CommonSettings

log = get_logger(__name__)

FUND_WEI = 10_000 * 10**18


class _RawTesterProvider(EthereumTesterProvider):
    """eth-tester's provider without its error wrapping, so a revert keeps its data for the JSON-RPC error."""

    def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        namespace, _, endpoint = method.partition("_")
        assert self.api_endpoints is not None
        delegator = self.api_endpoints[namespace][endpoint]  # KeyError: unknown method
        return {"jsonrpc": "2.0", "id": 0, "result": delegator(self.ethereum_tester, params)}


def to_wire(value: Any) -> Any:
    """eth-tester's Python values as JSON-RPC: numbers as hex quantities, bytes as 0x data."""
    if value is None or isinstance(value, bool | str | float):
        return value
    if isinstance(value, int):
        return hex(value)
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if isinstance(value, dict):
        return {key: (None if key == "to" and item == "" else to_wire(item)) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(item) for item in value]
    return str(value)


def revert_data(exc: TransactionFailed) -> bytes:
    """eth-tester reports revert data as bytes, as an exception holding bytes, or as the repr of bytes."""
    first: Any = exc.args[0] if exc.args else b""
    if isinstance(first, Exception) and first.args:
        first = first.args[0]
    if isinstance(first, str) and first.startswith(("b'", 'b"')):
        try:
            first = ast.literal_eval(first)
        except (ValueError, SyntaxError):
            return b""
    return bytes(first) if isinstance(first, bytes | bytearray) else b""


class DevNode:
    def __init__(self) -> None:
        self.provider = _RawTesterProvider()
        w3 = Web3(self.provider, middleware=[])
        self._request = self.provider.request_func(w3, w3.middleware_onion)

    @property
    def tester(self) -> Any:
        return self.provider.ethereum_tester

    def fund(self, address: str, wei: int = FUND_WEI) -> None:
        """Give the service's signer ether from one of the tester's prefunded accounts."""
        source = self.tester.get_accounts()[0]
        self.tester.send_transaction(
            {"from": source, "to": address, "value": wei, "gas": 21_000,
             "max_fee_per_gas": 10**11, "max_priority_fee_per_gas": 10**9}
        )  # fmt: skip

    def handle(self, request: Any) -> dict[str, Any]:
        request_id = request.get("id") if isinstance(request, dict) else None
        if not isinstance(request, dict) or not isinstance(request.get("method"), str):
            return _error(request_id, -32600, "invalid request")
        method, params = request["method"], request.get("params") or []
        try:
            response = self._request(RPCEndpoint(method), params)
        except KeyError:
            return _error(request_id, -32601, f"the method {method} does not exist")
        except TransactionFailed as exc:
            data = revert_data(exc)
            return _error(request_id, 3, "execution reverted", "0x" + data.hex())
        except EthValidationError as exc:
            message = str(exc)
            if "nonce" in message.lower():
                message = f"nonce too low: {message}"
            return _error(request_id, -32000, message)
        except Exception as exc:  # the node answers every request; a bad one gets an error, not a dropped connection
            return _error(request_id, -32000, f"{type(exc).__name__}: {exc}")
        return {"jsonrpc": "2.0", "id": request_id, "result": to_wire(response.get("result"))}


def _error(request_id: Any, code: int, message: str, data: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if data is not None:
        error["data"] = data
    return {"jsonrpc": "2.0", "id": request_id, "error": error}


def create_node_app(node: DevNode) -> Starlette:
    async def rpc(request: Request) -> Response:
        try:
            body = json.loads(await request.body())
        except ValueError:
            return JSONResponse(_error(None, -32700, "parse error"))
        # One event loop thread: py-evm is never entered by two requests at once.
        if isinstance(body, list):
            return JSONResponse([node.handle(item) for item in body])
        return JSONResponse(node.handle(body))

    async def health(_: Request) -> Response:
        return JSONResponse({"status": "alive", "block": int(node.tester.get_block_by_number("latest")["number"])})

    return Starlette(routes=[Route("/", rpc, methods=["POST"]), Route("/health", health, methods=["GET"])])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="default: the host of CHAIN_RPC_URL, else 127.0.0.1")
    parser.add_argument("--port", type=int, help="default: the port of CHAIN_RPC_URL, else 8545")


def run(settings: CommonSettings, args: argparse.Namespace) -> int:
    import uvicorn

    assert isinstance(settings, Settings) and settings.chain_private_key is not None
    url = settings.chain_rpc_url
    host = args.host or (url.host if url else None) or "127.0.0.1"
    port = args.port or (url.port if url else None) or 8545
    node = DevNode()
    signer = Account.from_key(settings.chain_private_key.get_secret_value()).address
    node.fund(signer)
    genesis = node.tester.get_block_by_number(0)["hash"]
    log.info("node.started", host=host, port=port, signer=signer, genesis=to_wire(genesis))
    uvicorn.run(create_node_app(node), host=host, port=port, log_level="warning")
    return 0
