"""The registry's rules without a server: listing ids, allowed writes, request identity, the ABI codec, the dev node."""

from __future__ import annotations

import pytest
from eth_tester.exceptions import TransactionFailed
from eth_utils import keccak

from osool_chain.contract.codec import RegistryCodec
from osool_chain.node import DevNode, revert_data, to_wire
from osool_chain.registry import (
    AlreadyListedError,
    AlreadyReservedError,
    ListingState,
    WrongStateError,
    apply_write,
    chain_listing_id,
    replay_state,
    request_hash,
)

BUYER = "0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"


def test_a_plain_number_is_its_own_chain_id_and_anything_else_is_hashed() -> None:
    assert chain_listing_id("4200017") == 4_200_017
    assert chain_listing_id("007") == int.from_bytes(keccak(text="007"), "big")  # leading zero: not a plain number
    uuid_text = "0b6f6a4e-3f4e-4a8e-9a57-2f4b1c3d5e6f"
    assert chain_listing_id(uuid_text) == int.from_bytes(keccak(text=uuid_text), "big")
    too_big = str(2**256)
    assert chain_listing_id(too_big) == int.from_bytes(keccak(text=too_big), "big")


def test_the_life_of_a_listing() -> None:
    listed = apply_write(None, "list", {}, "L")
    assert listed == ListingState("available")
    reserved = apply_write(listed, "reserve", {"buyer": BUYER}, "L")
    assert reserved == ListingState("reserved", BUYER)
    assert apply_write(reserved, "cancelReservation", {}, "L") == ListingState("available")
    assert apply_write(reserved, "markSold", {}, "L") == ListingState("sold", BUYER)


@pytest.mark.parametrize(
    ("state", "function", "error"),
    [
        (ListingState("available"), "list", AlreadyListedError),
        (None, "reserve", WrongStateError),
        (ListingState("reserved", BUYER), "reserve", AlreadyReservedError),
        (ListingState("sold", BUYER), "reserve", WrongStateError),
        (ListingState("available"), "markSold", WrongStateError),
        (ListingState("available"), "cancelReservation", WrongStateError),
        (ListingState("reserved", BUYER), "updatePrice", WrongStateError),
        (ListingState("sold", BUYER), "updateDocument", WrongStateError),
    ],
)
def test_a_write_the_state_forbids_is_a_conflict(state: ListingState | None, function: str, error: type) -> None:
    with pytest.raises(error) as raised:
        apply_write(state, function, {"buyer": BUYER}, "L")
    assert raised.value.status_code == 409


def test_replaying_queued_writes_skips_the_ones_that_no_longer_apply() -> None:
    writes = [("reserve", {"buyer": BUYER}), ("reserve", {"buyer": BUYER}), ("markSold", {})]
    assert replay_state(ListingState("available"), writes, "L") == ListingState("sold", BUYER)
    assert replay_state(None, writes, "L") is None


def test_the_request_hash_tells_different_requests_apart() -> None:
    same = request_hash("reserve", 1, {"buyer": BUYER}, "u1")
    assert same == request_hash("reserve", 1, {"buyer": BUYER}, "u1")
    assert same != request_hash("reserve", 1, {"buyer": BUYER.lower()}, "u1")
    assert same != request_hash("reserve", 2, {"buyer": BUYER}, "u1")
    assert same != request_hash("reserve", 1, {"buyer": BUYER}, "u2")


def test_the_codec_names_custom_errors_and_events() -> None:
    codec = RegistryCodec()
    selector = keccak(text="AlreadyReserved(uint256)")[:4]
    assert codec.decode_revert(selector + (7).to_bytes(32, "big")) == ("AlreadyReserved", {"listingId": 7})
    assert codec.decode_revert(b"\x01\x02\x03\x04")[0] == "UnknownError"
    topics = [keccak(text="Reserved(uint256,address)"), (9).to_bytes(32, "big"), bytes(12) + bytes.fromhex(BUYER[2:])]
    decoded = codec.decode_log(topics, b"")
    assert decoded is not None and decoded.event == "Reserved" and decoded.args == {"listingId": 9, "buyer": BUYER}
    assert codec.decode_log([keccak(text="Other()")], b"") is None


def test_the_dev_node_speaks_json_rpc_quantities_and_keeps_revert_data() -> None:
    assert to_wire({"number": 26, "hash": b"\x01\x02", "ok": True, "to": "", "list": [1]}) == {
        "number": "0x1a", "hash": "0x0102", "ok": True, "to": None, "list": ["0x1"],
    }  # fmt: skip
    assert revert_data(TransactionFailed(b"\xb1\x46")) == b"\xb1\x46"
    assert revert_data(TransactionFailed("b'\\xb1F'")) == b"\xb1F"
    node = DevNode()
    assert node.handle({"jsonrpc": "2.0", "id": 3, "method": "eth_blockNumber", "params": []}) == {
        "jsonrpc": "2.0", "id": 3, "result": "0x0",
    }  # fmt: skip
    assert node.handle({"id": 4, "method": "eth_nothing"})["error"]["code"] == -32601
    assert node.handle("garbage")["error"]["code"] == -32600
    signer = "0x" + "ab" * 20
    node.fund(signer)
    balance = node.handle({"id": 5, "method": "eth_getBalance", "params": [signer, "latest"]})["result"]
    assert int(balance, 16) > 0
    codec = RegistryCodec()
    deployed = node.handle({"id": 6, "method": "eth_estimateGas", "params": [{"from": signer, "data": codec.bytecode}]})
    assert int(deployed["result"], 16) > 100_000


def test_serving_without_a_node_url_is_refused_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from osool_chain.main import create_app
    from osool_common.settings import ConfigurationError

    for name in ("OSOOL_ENV_FILE", "CHAIN_RPC_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://osool:x@127.0.0.1:1/osool")
    monkeypatch.setenv("REDIS_URL", "redis://:x@127.0.0.1:1/0")
    monkeypatch.setenv("CHAIN_PRIVATE_KEY", "0x" + "4f" * 32)
    with pytest.raises(ConfigurationError, match="CHAIN_RPC_URL is not set"):
        create_app()
