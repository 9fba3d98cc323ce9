"""The registry's ABI in both directions: call data for a write, revert data and event logs back to names and values."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from eth_abi import decode
from eth_utils import function_signature_to_4byte_selector, keccak, to_checksum_address
from web3 import Web3

from osool_chain.contract import load_artifact


def _signature(entry: dict[str, Any]) -> str:
    return f"{entry['name']}({','.join(_type(item) for item in entry['inputs'])})"


def _type(item: dict[str, Any]) -> str:
    if item["type"].startswith("tuple"):
        return "(" + ",".join(_type(component) for component in item["components"]) + ")" + item["type"][5:]
    return str(item["type"])


def _plain(abi_type: str, value: Any) -> Any:
    """ABI values as JSON: addresses checksummed, bytes as 0x hex, big numbers as they are."""
    if abi_type == "address":
        return str(to_checksum_address(value))
    if isinstance(value, bytes):
        return "0x" + value.hex()
    return value


@dataclass(frozen=True)
class DecodedLog:
    event: str
    args: dict[str, Any]


class RegistryCodec:
    def __init__(self) -> None:
        artifact = load_artifact()
        self.abi: list[dict[str, Any]] = artifact["abi"]
        self.bytecode: str = artifact["bytecode"]
        self._contract = Web3().eth.contract(abi=self.abi)

    @cached_property
    def _errors(self) -> dict[bytes, dict[str, Any]]:
        return {
            function_signature_to_4byte_selector(_signature(entry)): entry
            for entry in self.abi
            if entry["type"] == "error"
        }

    @cached_property
    def _events(self) -> dict[bytes, dict[str, Any]]:
        return {keccak(text=_signature(entry)): entry for entry in self.abi if entry["type"] == "event"}

    def call_data(self, function: str, args: list[Any]) -> str:
        return str(self._contract.encode_abi(function, args))

    def role_id(self, name: str) -> bytes:
        return keccak(text=name)

    def decode_revert(self, data: bytes) -> tuple[str, dict[str, Any]]:
        """('AlreadyReserved', {'listingId': 7}) for a custom error; ('Error', {'message': ...}) for a require."""
        selector, body = data[:4], data[4:]
        if selector == function_signature_to_4byte_selector("Error(string)"):
            return "Error", {"message": decode(["string"], body)[0]}
        entry = self._errors.get(selector)
        if entry is None:
            return "UnknownError", {"data": "0x" + data.hex()}
        types = [_type(item) for item in entry["inputs"]]
        values = decode(types, body)
        return str(entry["name"]), {
            item["name"]: _plain(t, v) for item, t, v in zip(entry["inputs"], types, values, strict=True)
        }

    def decode_listing(self, raw: bytes) -> tuple[str, int, str, int, int, int, str]:
        """getListing's answer: (owner, price, reservedBy, status, listedAt, updatedAt, documentHash)."""
        (listing,) = decode(["(address,uint96,address,uint8,uint40,uint40,bytes32)"], raw)
        owner, price, reserved_by, status, listed_at, updated_at, document_hash = listing
        return (str(to_checksum_address(owner)), int(price), str(to_checksum_address(reserved_by)), int(status),
                int(listed_at), int(updated_at), "0x" + bytes(document_hash).hex())  # fmt: skip

    def decode_log(self, topics: list[bytes], data: bytes) -> DecodedLog | None:
        """An event of the registry, or None for a log it does not know."""
        if not topics or topics[0] not in self._events:
            return None
        entry = self._events[topics[0]]
        indexed = [item for item in entry["inputs"] if item["indexed"]]
        plain = [item for item in entry["inputs"] if not item["indexed"]]
        args: dict[str, Any] = {}
        for item, topic in zip(indexed, topics[1:], strict=True):
            args[item["name"]] = _plain(item["type"], decode([item["type"]], topic)[0])
        for item, value in zip(plain, decode([_type(i) for i in plain], data), strict=True):
            args[item["name"]] = _plain(item["type"], value)
        return DecodedLog(str(entry["name"]), args)
