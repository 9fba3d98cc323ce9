"""Gas report of the property registry: every function on the in-process EVM, against the gas goals.

`make gas-report`, or `python -m osool_chain.contract.gas_report [--out bench/results/gas.json]`.
Figures are whole-transaction gas (the 21,000 base included); read-only functions are what they would cost
when sent as a transaction (free in an eth_call). Exits non-zero when a goal is missed.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from eth_typing import ChecksumAddress
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.providers.eth_tester import EthereumTesterProvider

from osool_chain.contract import load_artifact

# Whole-transaction gas, the 21,000 base included.
GAS_GOALS: dict[str, int] = {"list": 110_000, "reserve": 50_000, "markSold": 45_000}

# Realistic arguments: a 7-digit listing id, a sha256 document hash, a price of 3.5 million (18 decimals).
LISTING_ID = 4_200_017
DOCUMENT_HASH = bytes.fromhex("5f2b4c8e0d1a9e7b3c6f4a2d8e1b0c9f7a5e3d2c1b0a9f8e7d6c5b4a3f2e1d0c")
NEW_DOCUMENT_HASH = bytes.fromhex("a1b2c3d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeeff00")
PRICE = 3_500_000 * 10**18


@dataclass(frozen=True)
class GasMeasurement:
    function: str
    gas: int
    kind: str  # "transaction", or "view": a read-only function, measured by sending it as a transaction

    @property
    def goal(self) -> int | None:
        return GAS_GOALS.get(self.function)

    @property
    def met(self) -> bool | None:
        return None if self.goal is None else self.gas <= self.goal


def transact_gas(w3: Web3, function: ContractFunction, sender: ChecksumAddress) -> int:
    """Send, require success, and return the gas the transaction used."""
    tx_hash = function.transact({"from": sender})
    receipt = w3.eth.wait_for_transaction_receipt(tx_hash)
    if receipt["status"] != 1:
        raise RuntimeError(f"{function.fn_name} reverted")
    return int(receipt["gasUsed"])


def measure(w3: Web3) -> tuple[Contract, int, list[GasMeasurement]]:
    """Deploy a fresh registry and call every function once; returns (contract, deployment gas, figures)."""
    admin, registrar, agent, buyer = list(w3.eth.accounts)[:4]
    artifact = load_artifact()
    factory = w3.eth.contract(abi=artifact["abi"], bytecode=artifact["bytecode"])
    receipt = w3.eth.wait_for_transaction_receipt(factory.constructor().transact({"from": admin}))
    deployment_gas = int(receipt["gasUsed"])
    registry = cast(Contract, w3.eth.contract(address=receipt["contractAddress"], abi=artifact["abi"]))
    fns = registry.functions
    registrar_role = fns.REGISTRAR_ROLE().call()
    agent_role = fns.AGENT_ROLE().call()
    figures: list[GasMeasurement] = []

    def tx(name: str, function: ContractFunction, sender: ChecksumAddress) -> None:
        figures.append(GasMeasurement(name, transact_gas(w3, function, sender), "transaction"))

    def view(name: str, function: ContractFunction) -> None:
        # eth_estimateGas of py-evm is a binary search with slack; a mined transaction gives the exact figure.
        figures.append(GasMeasurement(name, transact_gas(w3, function, buyer), "view"))

    tx("grantRole", fns.grantRole(registrar_role, registrar), admin)
    transact_gas(w3, fns.grantRole(agent_role, agent), admin)
    tx("list", fns.list(LISTING_ID, DOCUMENT_HASH, PRICE), registrar)
    tx("updateDocument", fns.updateDocument(LISTING_ID, NEW_DOCUMENT_HASH), registrar)
    tx("updatePrice", fns.updatePrice(LISTING_ID, PRICE - 250_000 * 10**18), registrar)
    tx("reserve", fns.reserve(LISTING_ID, buyer), agent)
    tx("cancelReservation", fns.cancelReservation(LISTING_ID), agent)
    transact_gas(w3, fns.reserve(LISTING_ID, buyer), agent)
    tx("markSold", fns.markSold(LISTING_ID), registrar)
    view("verifyDocument", fns.verifyDocument(LISTING_ID, NEW_DOCUMENT_HASH))
    view("getListing", fns.getListing(LISTING_ID))
    for name in ("statusOf", "ownerOf", "reservedBy", "priceOf", "documentHashOf", "listedAt", "updatedAt"):
        view(name, fns[name](LISTING_ID))
    view("hasRole", fns.hasRole(agent_role, agent))
    for name in ("admin", "REGISTRAR_ROLE", "AGENT_ROLE"):
        view(name, fns[name]())
    tx("revokeRole", fns.revokeRole(agent_role, agent), admin)

    measured = {figure.function for figure in figures}
    in_abi = {entry["name"] for entry in artifact["abi"] if entry["type"] == "function"}
    if in_abi != measured:
        raise RuntimeError(f"gas report out of step with the ABI: unmeasured {sorted(in_abi - measured)}")
    return registry, deployment_gas, figures


def render_table(figures: list[GasMeasurement]) -> str:
    lines = [f"{'function':<20} {'kind':<12} {'gas':>9} {'goal':>9}  result", "-" * 60]
    for figure in figures:
        goal = "" if figure.goal is None else f"{figure.goal:,}"
        result = "" if figure.met is None else ("pass" if figure.met else "FAIL")
        lines.append(f"{figure.function:<20} {figure.kind:<12} {figure.gas:>9,} {goal:>9}  {result}".rstrip())
    return "\n".join(lines)


def report(w3: Web3) -> tuple[dict[str, Any], list[GasMeasurement]]:
    """The JSON document written under bench/results/, and the figures it was made from."""
    registry, deployment_gas, figures = measure(w3)
    artifact = load_artifact()
    goals: dict[str, Any] = {f"{name}_at_most": goal for name, goal in GAS_GOALS.items()}
    goals["met"] = all(figure.met is not False for figure in figures)
    document = {
        "benchmark": "gas",
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"python": platform.python_version(), "platform": platform.platform()},
        "evm": "py-evm via eth-tester (web3 EthereumTesterProvider)",
        "contract": {
            "name": "PropertyRegistry",
            "solc_version": artifact["solc_version"],
            "source_sha256": artifact["source_sha256"],
            "runtime_bytes": len(w3.eth.get_code(registry.address)),
            "deployment_gas": deployment_gas,
        },
        "gas": {figure.function: {"gas": figure.gas, "kind": figure.kind} for figure in figures},
        "goals": goals,
    }
    return document, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Gas per function of the property registry, against its goals.")
    parser.add_argument("--out", type=Path, default=Path("bench/results/gas.json"), help="where to write the JSON")
    args = parser.parse_args(argv)
    document, figures = report(Web3(EthereumTesterProvider()))
    contract = document["contract"]
    print(f"PropertyRegistry (solc {contract['solc_version']}, {contract['runtime_bytes']:,} bytes of runtime code)")
    print(f"deployment: {contract['deployment_gas']:,} gas")
    print(render_table(figures))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    met = document["goals"]["met"]
    print(f"goals {'met' if met else 'MISSED'}; wrote {args.out}")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
