"""The chain service against a real JSON-RPC node: hardhat's `hardhat node` on loopback, in a stack of its own.

CHAIN_CONFIRMATIONS=2 here: a write is mined at once (hardhat mines a block per transaction) but counts, and is
indexed, only two blocks later. Skipped, saying why, only where Node.js is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from eth_account import Account
from eth_utils import keccak

from devstack.config import free_port
from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from devstack.testing import admin_headers, make_test_stack_config, running_stack, stack_root

pytestmark = pytest.mark.stack
HARDHAT_DIR = Path(__file__).resolve().parents[1] / "hardhat"
PASSWORD = "a long enough passphrase"
CONFIRMATIONS = 2


class Hardhat:
    def __init__(self, process: subprocess.Popen[str], url: str, private_key: str) -> None:
        self.process, self.url, self.private_key = process, url, private_key

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        body = {"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}
        return httpx.post(self.url, json=body, timeout=10).json()["result"]

    def mine(self, blocks: int) -> None:
        for _ in range(blocks):
            self.rpc("evm_mine")


def _hardhat_installed() -> None:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("Node.js (node and npm) is not installed: the hardhat node cannot run here")
    if not (HARDHAT_DIR / "node_modules" / "hardhat").is_dir():
        # `make install` does this; a plain `pytest` on a fresh clone does it here.
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HARDHAT_DIR, check=True, capture_output=True,
                       timeout=600)  # fmt: skip


@pytest.fixture(scope="module")
def hardhat() -> Iterator[Hardhat]:
    _hardhat_installed()
    port = free_port()
    process = subprocess.Popen(
        [str(HARDHAT_DIR / "node_modules" / ".bin" / "hardhat"), "node", "--hostname", "127.0.0.1", "--port",
         str(port)],
        cwd=HARDHAT_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        env={**os.environ, "HARDHAT_DISABLE_TELEMETRY_PROMPT": "true"},
    )  # fmt: skip
    try:
        assert process.stdout is not None
        seen, key = "", None
        deadline = time.monotonic() + 60
        while key is None:
            line = process.stdout.readline()
            assert line or process.poll() is None, f"hardhat node exited: {seen}"
            assert time.monotonic() < deadline, f"hardhat node did not start: {seen}"
            seen += line
            # It prints its funded development accounts: the first one's key signs for the service.
            match = re.search(r"Private Key: (0x[0-9a-fA-F]{64})", line)
            key = match[1] if match else None
        yield Hardhat(process, f"http://127.0.0.1:{port}", key)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture(scope="module")
def hardhat_stack(hardhat: Hardhat) -> Iterator[LocalStack]:
    with stack_root("osool-hardhat-stack-") as root:
        config = make_test_stack_config(root)
        config.workers = dict.fromkeys(config.workers, 1)
        config.env_file.parent.mkdir(parents=True, exist_ok=True)
        config.env_file.write_text(
            f"CHAIN_RPC_URL={hardhat.url}\nCHAIN_PRIVATE_KEY={hardhat.private_key}\nCHAIN_CONFIRMATIONS={CONFIRMATIONS}\n"
            # This stack is for the chain: no demo listings for search to load before it is healthy.
            "DEMO_LISTINGS=0\n"
        )
        with running_stack(config) as local_stack:
            yield local_stack


@pytest.fixture(scope="module")
def api(hardhat_stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=hardhat_stack.config.public_url, timeout=30) as client:
        yield client


@pytest.fixture(scope="module")
def admin(hardhat_stack: LocalStack) -> dict[str, str]:
    return admin_headers(hardhat_stack, "hardhat-admin")


def send(api: httpx.Client, admin: dict[str, str], path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = api.post(path, json=body, headers={**admin, "Idempotency-Key": uuid.uuid4().hex})
    assert response.status_code == 202, response.text
    tx: dict[str, Any] = response.json()
    return tx


def wait_for(api: httpx.Client, path: str, ready: Any, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        response = api.get(path)
        if response.status_code == 200 and ready(response.json()):
            body: dict[str, Any] = response.json()
            return body
        assert time.monotonic() < deadline, f"{path}: {response.text}"
        time.sleep(0.1)


def test_on_hardhat_a_listing_is_registered_reserved_and_sold_counting_confirmations(
    api: httpx.Client, admin: dict[str, str], hardhat: Hardhat, hardhat_stack: LocalStack
) -> None:
    ref = f"hh-{uuid.uuid4().hex[:10]}"
    document = "0x" + keccak(text=ref).hex()
    listed = send(api, admin, "/api/chain/listings", {"listing_id": ref, "document_hash": document, "price_egp": 9})
    # Mined at once, but not yet two blocks deep: sent, not confirmed, and not indexed.
    mined = wait_for(api, f"/api/chain/transactions/{listed['tx_id']}", lambda tx: tx["block_number"] is not None)
    assert mined["status"] == "sent"
    time.sleep(1.5)
    assert api.get(f"/api/chain/transactions/{listed['tx_id']}").json()["status"] == "sent"
    unconfirmed = api.get(f"/api/chain/listings/{ref}").json()
    assert unconfirmed["status"] is None and unconfirmed["pending_status"] == "available"
    hardhat.mine(CONFIRMATIONS)
    confirmed = wait_for(api, f"/api/chain/transactions/{listed['tx_id']}", lambda tx: tx["status"] == "confirmed")
    assert confirmed["gas_used"] > 21_000
    listing = wait_for(api, f"/api/chain/listings/{ref}", lambda body: body["status"] == "available")
    assert listing["transactions"][0]["tx_hash"] == confirmed["tx_hash"]
    assert hardhat.rpc("eth_getCode", [listing["contract_address"], "latest"]) not in ("0x", None)

    buyer = Account.create().address
    reserved = send(api, admin, f"/api/chain/listings/{ref}/reserve", {"buyer": buyer})
    wait_for(api, f"/api/chain/transactions/{reserved['tx_id']}", lambda tx: tx["block_number"] is not None)
    sold = send(api, admin, f"/api/chain/listings/{ref}/sell")
    wait_for(api, f"/api/chain/transactions/{sold['tx_id']}", lambda tx: tx["block_number"] is not None)
    hardhat.mine(CONFIRMATIONS)
    final = wait_for(api, f"/api/chain/listings/{ref}", lambda body: body["status"] == "sold")
    assert final["reserved_by"] == buyer
    assert [event["event"] for event in final["transactions"]] == ["Listed", "Reserved", "Sold"]
    verified = api.post("/api/chain/verify", json={"listing_id": ref, "document_hash": document}).json()
    assert verified["matches"] is True

    # Every transaction the service sent is on hardhat's chain, nonces 0..n-1 without a gap.
    env = read_env_file(hardhat_stack.config.env_file)
    with psycopg.connect(env["DATABASE_URL"]) as connection:
        nonces = [row[0] for row in connection.execute(
            "SELECT nonce FROM chain.transactions WHERE nonce IS NOT NULL ORDER BY nonce"
        ).fetchall()]  # fmt: skip
    signer = Account.from_key(hardhat.private_key).address
    on_chain = int(hardhat.rpc("eth_getTransactionCount", [signer, "latest"]), 16)
    assert nonces == list(range(len(nonces))) and on_chain == len(nonces)
    health = httpx.get(f"{hardhat_stack.config.internal_url}/chain/health").json()
    assert "chain id 31337" in health["checks"]["chain-node"]["message"]
