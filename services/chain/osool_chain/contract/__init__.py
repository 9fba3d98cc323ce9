"""The property registry contract: its committed build artifact (ABI, bytecode) and deployment."""

from __future__ import annotations

import json
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from eth_typing import ChecksumAddress
    from web3 import Web3
    from web3.contract import Contract

ARTIFACT_NAME = "PropertyRegistry.json"


def load_artifact() -> dict[str, Any]:
    """{"abi", "bytecode", "solc_version", "source_sha256"}, as built by `make contracts`."""
    text = resources.files(__package__).joinpath(ARTIFACT_NAME).read_text(encoding="utf-8")
    artifact: dict[str, Any] = json.loads(text)
    return artifact


def deploy(w3: Web3, deployer: ChecksumAddress) -> Contract:
    """Deploy a fresh registry from `deployer` (its admin) and return it bound to its address."""
    artifact = load_artifact()
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    tx_hash = factory.constructor().transact({"from": deployer})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1:
        raise RuntimeError(f"deployment of the property registry failed in tx {tx_hash.hex()}")
    return cast("Contract", w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"]))
