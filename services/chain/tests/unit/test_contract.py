"""The property registry contract on the in-process EVM: roles, listings, reservations, sales, events, gas."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from eth_abi import decode
from eth_tester.exceptions import TransactionFailed
from eth_typing import ChecksumAddress
from eth_utils import keccak
from web3 import Web3
from web3.contract import Contract
from web3.contract.contract import ContractFunction
from web3.providers.eth_tester import EthereumTesterProvider
from web3.types import TxReceipt

from osool_chain.contract import deploy, load_artifact
from osool_chain.contract.gas_report import GAS_GOALS, measure

AVAILABLE, RESERVED, SOLD = 0, 1, 2
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"
LISTING = 1001
DOC = keccak(text="title deed 1001, version 1")
DOC_2 = keccak(text="title deed 1001, version 2")
PRICE = 2_750_000 * 10**18
UINT96_MAX = 2**96 - 1
REGISTRAR_ROLE = keccak(text="REGISTRAR_ROLE")
AGENT_ROLE = keccak(text="AGENT_ROLE")


@dataclass
class Chain:
    w3: Web3
    registry: Contract
    admin: ChecksumAddress
    registrar: ChecksumAddress
    agent: ChecksumAddress
    buyer: ChecksumAddress
    stranger: ChecksumAddress

    def send(self, function: ContractFunction, sender: ChecksumAddress) -> TxReceipt:
        receipt = self.w3.eth.wait_for_transaction_receipt(function.transact({"from": sender}))
        assert receipt["status"] == 1
        return receipt

    def timestamp(self, receipt: TxReceipt) -> int:
        return int(self.w3.eth.get_block(receipt["blockNumber"])["timestamp"])

    def advance(self, seconds: int) -> None:
        """The next block is mined `seconds` after the latest one."""
        latest = int(self.w3.eth.get_block("latest")["timestamp"])
        self.w3.provider.ethereum_tester.time_travel(latest + seconds)  # type: ignore[attr-defined]

    def reverts_with(self, function: ContractFunction, sender: ChecksumAddress) -> tuple[str, tuple[Any, ...]]:
        """The custom error (name, arguments) the function reverts with when `sender` calls or sends it."""
        with pytest.raises(TransactionFailed) as failure:
            if function.abi["stateMutability"] in ("view", "pure"):
                function.call({"from": sender})
            else:
                function.transact({"from": sender})
        return decode_custom_error(self.registry, str(failure.value))

    def events(self, receipt: TxReceipt) -> list[tuple[str, dict[str, Any]]]:
        """Every event of the receipt as (name, arguments), in order."""
        found = []
        for log in receipt["logs"]:
            for event in self.registry.events:
                if bytes(log["topics"][0]) == Web3.to_bytes(hexstr=event.topic):
                    found.append((event.event_name, dict(event.process_log(log)["args"])))
        assert len(found) == len(receipt["logs"]), "a log the ABI does not describe"
        return found


def decode_custom_error(registry: Contract, message: str) -> tuple[str, tuple[Any, ...]]:
    # eth-tester reports revert data as the repr of the bytes after this prefix (web3 parses it the same way).
    prefix = "execution reverted: "
    assert message.startswith(prefix), message
    data = ast.literal_eval(message.removeprefix(prefix))
    assert isinstance(data, bytes), message
    for entry in registry.abi:
        if entry["type"] != "error":
            continue
        types = [argument["type"] for argument in entry["inputs"]]
        if keccak(text=f"{entry['name']}({','.join(types)})")[:4] == data[:4]:
            values = decode(types, data[4:])
            return entry["name"], tuple(
                Web3.to_checksum_address(value) if kind == "address" else value
                for kind, value in zip(types, values, strict=True)
            )
    raise AssertionError(f"revert data {data.hex()} is no custom error of the ABI")


@pytest.fixture(scope="module")
def deployed() -> Chain:
    w3 = Web3(EthereumTesterProvider())
    admin, registrar, agent, buyer, stranger = w3.eth.accounts[:5]
    chain = Chain(w3, deploy(w3, admin), admin, registrar, agent, buyer, stranger)
    chain.send(chain.registry.functions.grantRole(REGISTRAR_ROLE, registrar), admin)
    chain.send(chain.registry.functions.grantRole(AGENT_ROLE, agent), admin)
    return chain


@pytest.fixture
def chain(deployed: Chain) -> Iterator[Chain]:
    """The module's chain (roles granted, nothing listed), back to that state after each test."""
    tester = deployed.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    snapshot = tester.take_snapshot()
    yield deployed
    tester.revert_to_snapshot(snapshot)


@pytest.fixture
def listed(chain: Chain) -> Chain:
    chain.send(chain.registry.functions.list(LISTING, DOC, PRICE), chain.registrar)
    return chain


@pytest.fixture
def reserved(listed: Chain) -> Chain:
    listed.send(listed.registry.functions.reserve(LISTING, listed.buyer), listed.agent)
    return listed


@pytest.fixture
def sold(reserved: Chain) -> Chain:
    reserved.send(reserved.registry.functions.markSold(LISTING), reserved.registrar)
    return reserved


def listing(chain: Chain, listing_id: int = LISTING) -> dict[str, Any]:
    fields = ("owner", "price", "reservedBy", "status", "listedAt", "updatedAt", "documentHash")
    return dict(zip(fields, chain.registry.functions.getListing(listing_id).call(), strict=True))


# ---- roles ----


def test_the_deployer_is_admin_and_holds_no_listing_role(chain: Chain) -> None:
    fns = chain.registry.functions
    assert fns.admin().call() == chain.admin
    assert fns.REGISTRAR_ROLE().call() == REGISTRAR_ROLE
    assert fns.AGENT_ROLE().call() == AGENT_ROLE
    assert not fns.hasRole(REGISTRAR_ROLE, chain.admin).call()
    assert not fns.hasRole(AGENT_ROLE, chain.admin).call()
    assert fns.hasRole(REGISTRAR_ROLE, chain.registrar).call()
    assert not fns.hasRole(AGENT_ROLE, chain.registrar).call()
    assert fns.hasRole(AGENT_ROLE, chain.agent).call()


def test_the_admin_grants_a_role_with_an_event_and_the_account_gains_its_rights(chain: Chain) -> None:
    receipt = chain.send(chain.registry.functions.grantRole(AGENT_ROLE, chain.stranger), chain.admin)
    assert chain.events(receipt) == [
        ("RoleGranted", {"role": AGENT_ROLE, "account": chain.stranger, "sender": chain.admin})
    ]
    assert chain.registry.functions.hasRole(AGENT_ROLE, chain.stranger).call()
    chain.send(chain.registry.functions.list(LISTING, DOC, PRICE), chain.registrar)
    chain.send(chain.registry.functions.reserve(LISTING, chain.buyer), chain.stranger)


def test_granting_a_role_already_held_changes_nothing(chain: Chain) -> None:
    receipt = chain.send(chain.registry.functions.grantRole(REGISTRAR_ROLE, chain.registrar), chain.admin)
    assert chain.events(receipt) == []
    assert chain.registry.functions.hasRole(REGISTRAR_ROLE, chain.registrar).call()


def test_an_account_may_hold_both_roles_and_lose_one(chain: Chain) -> None:
    fns = chain.registry.functions
    chain.send(fns.grantRole(AGENT_ROLE, chain.registrar), chain.admin)
    assert fns.hasRole(REGISTRAR_ROLE, chain.registrar).call()
    assert fns.hasRole(AGENT_ROLE, chain.registrar).call()
    chain.send(fns.revokeRole(AGENT_ROLE, chain.registrar), chain.admin)
    assert fns.hasRole(REGISTRAR_ROLE, chain.registrar).call()
    assert not fns.hasRole(AGENT_ROLE, chain.registrar).call()


def test_the_admin_revokes_a_role_with_an_event_and_the_account_loses_its_rights(chain: Chain) -> None:
    receipt = chain.send(chain.registry.functions.revokeRole(REGISTRAR_ROLE, chain.registrar), chain.admin)
    assert chain.events(receipt) == [
        ("RoleRevoked", {"role": REGISTRAR_ROLE, "account": chain.registrar, "sender": chain.admin})
    ]
    assert not chain.registry.functions.hasRole(REGISTRAR_ROLE, chain.registrar).call()
    assert chain.reverts_with(chain.registry.functions.list(LISTING, DOC, PRICE), chain.registrar) == (
        "NotAuthorized",
        (chain.registrar,),
    )


def test_revoking_a_role_not_held_changes_nothing(chain: Chain) -> None:
    receipt = chain.send(chain.registry.functions.revokeRole(AGENT_ROLE, chain.stranger), chain.admin)
    assert chain.events(receipt) == []


@pytest.mark.parametrize("method", ["grantRole", "revokeRole"])
@pytest.mark.parametrize("who", ["registrar", "agent", "stranger"])
def test_only_the_admin_grants_and_revokes_roles(chain: Chain, method: str, who: str) -> None:
    sender = getattr(chain, who)
    function = chain.registry.functions[method](REGISTRAR_ROLE, chain.stranger)
    assert chain.reverts_with(function, sender) == ("NotAuthorized", (sender,))


@pytest.mark.parametrize("method", ["grantRole", "revokeRole", "hasRole"])
def test_an_unknown_role_is_refused(chain: Chain, method: str) -> None:
    role = keccak(text="DEFAULT_ADMIN_ROLE")
    function = chain.registry.functions[method](role, chain.stranger)
    assert chain.reverts_with(function, chain.admin) == ("UnknownRole", (role,))


# ---- listing ----


def test_a_registrar_lists_a_property(chain: Chain) -> None:
    receipt = chain.send(chain.registry.functions.list(LISTING, DOC, PRICE), chain.registrar)
    assert chain.events(receipt) == [
        ("Listed", {"listingId": LISTING, "owner": chain.registrar, "documentHash": DOC, "price": PRICE})
    ]
    at = chain.timestamp(receipt)
    assert listing(chain) == {
        "owner": chain.registrar,
        "price": PRICE,
        "reservedBy": ZERO_ADDRESS,
        "status": AVAILABLE,
        "listedAt": at,
        "updatedAt": at,
        "documentHash": DOC,
    }
    fns = chain.registry.functions
    assert fns.statusOf(LISTING).call() == AVAILABLE
    assert fns.ownerOf(LISTING).call() == chain.registrar
    assert fns.reservedBy(LISTING).call() == ZERO_ADDRESS
    assert fns.priceOf(LISTING).call() == PRICE
    assert fns.documentHashOf(LISTING).call() == DOC
    assert fns.listedAt(LISTING).call() == at
    assert fns.updatedAt(LISTING).call() == at


def test_listings_are_independent(listed: Chain) -> None:
    listed.send(listed.registry.functions.list(LISTING + 1, DOC_2, 1), listed.registrar)
    listed.send(listed.registry.functions.reserve(LISTING + 1, listed.buyer), listed.agent)
    assert listing(listed)["status"] == AVAILABLE
    assert listing(listed, LISTING + 1)["status"] == RESERVED
    assert listing(listed, LISTING + 1)["price"] == 1


@pytest.mark.parametrize("who", ["admin", "agent", "stranger"])
def test_listing_needs_the_registrar_role(chain: Chain, who: str) -> None:
    sender = getattr(chain, who)
    assert chain.reverts_with(chain.registry.functions.list(LISTING, DOC, PRICE), sender) == (
        "NotAuthorized",
        (sender,),
    )


@pytest.mark.parametrize("state", ["listed", "reserved", "sold"])
def test_a_listing_id_is_listed_only_once(request: pytest.FixtureRequest, state: str) -> None:
    chain: Chain = request.getfixturevalue(state)
    assert chain.reverts_with(chain.registry.functions.list(LISTING, DOC_2, PRICE), chain.registrar) == (
        "AlreadyListed",
        (LISTING,),
    )


@pytest.mark.parametrize("price", [0, UINT96_MAX + 1, 2**256 - 1])
def test_a_price_out_of_range_is_refused(listed: Chain, price: int) -> None:
    fns = listed.registry.functions
    assert listed.reverts_with(fns.list(LISTING + 1, DOC, price), listed.registrar) == ("PriceOutOfRange", (price,))
    assert listed.reverts_with(fns.updatePrice(LISTING, price), listed.registrar) == ("PriceOutOfRange", (price,))


def test_the_largest_price_in_range_is_kept_exactly(chain: Chain) -> None:
    chain.send(chain.registry.functions.list(LISTING, DOC, UINT96_MAX), chain.registrar)
    assert chain.registry.functions.priceOf(LISTING).call() == UINT96_MAX
    assert listing(chain)["owner"] == chain.registrar  # the price shares its slot with the owner


def test_an_empty_document_hash_is_refused(listed: Chain) -> None:
    fns = listed.registry.functions
    empty = bytes(32)
    assert listed.reverts_with(fns.list(LISTING + 1, empty, PRICE), listed.registrar) == (
        "EmptyDocumentHash",
        (LISTING + 1,),
    )
    assert listed.reverts_with(fns.updateDocument(LISTING, empty), listed.registrar) == (
        "EmptyDocumentHash",
        (LISTING,),
    )


# ---- updates ----


def test_updating_the_document_replaces_the_hash_and_the_update_time(listed: Chain) -> None:
    listed_at = listing(listed)["listedAt"]
    listed.advance(3600)
    receipt = listed.send(listed.registry.functions.updateDocument(LISTING, DOC_2), listed.registrar)
    assert listed.events(receipt) == [("DocumentUpdated", {"listingId": LISTING, "documentHash": DOC_2})]
    after = listing(listed)
    assert after["documentHash"] == DOC_2
    assert after["listedAt"] == listed_at
    assert after["updatedAt"] == listed.timestamp(receipt) >= listed_at + 3600
    assert after["price"] == PRICE
    assert after["owner"] == listed.registrar


def test_updating_the_price_replaces_it_and_the_update_time(listed: Chain) -> None:
    listed_at = listing(listed)["listedAt"]
    listed.advance(86_400)
    receipt = listed.send(listed.registry.functions.updatePrice(LISTING, PRICE // 2), listed.registrar)
    assert listed.events(receipt) == [("PriceUpdated", {"listingId": LISTING, "price": PRICE // 2})]
    after = listing(listed)
    assert after["price"] == PRICE // 2
    assert after["owner"] == listed.registrar
    assert after["documentHash"] == DOC
    assert after["listedAt"] == listed_at
    assert after["updatedAt"] == listed.timestamp(receipt) >= listed_at + 86_400


def test_any_registrar_may_update_a_listing(listed: Chain) -> None:
    listed.send(listed.registry.functions.grantRole(REGISTRAR_ROLE, listed.stranger), listed.admin)
    listed.send(listed.registry.functions.updatePrice(LISTING, 7), listed.stranger)
    assert listing(listed)["price"] == 7
    assert listing(listed)["owner"] == listed.registrar  # the owner stays the lister


UPDATES: dict[str, Callable[[Contract], ContractFunction]] = {
    "updateDocument": lambda registry: registry.functions.updateDocument(LISTING, DOC_2),
    "updatePrice": lambda registry: registry.functions.updatePrice(LISTING, PRICE + 1),
}


@pytest.mark.parametrize("update", sorted(UPDATES))
@pytest.mark.parametrize("who", ["admin", "agent", "stranger"])
def test_updates_need_the_registrar_role(listed: Chain, update: str, who: str) -> None:
    sender = getattr(listed, who)
    assert listed.reverts_with(UPDATES[update](listed.registry), sender) == ("NotAuthorized", (sender,))


@pytest.mark.parametrize("update", sorted(UPDATES))
@pytest.mark.parametrize(("state", "status"), [("reserved", RESERVED), ("sold", SOLD)])
def test_updates_are_refused_once_reserved_or_sold(
    request: pytest.FixtureRequest, update: str, state: str, status: int
) -> None:
    chain: Chain = request.getfixturevalue(state)
    before = listing(chain)
    assert chain.reverts_with(UPDATES[update](chain.registry), chain.registrar) == ("WrongState", (LISTING, status))
    assert listing(chain) == before


# ---- unknown listings ----

EVERY_LISTING_FUNCTION: dict[str, Callable[[Contract, ChecksumAddress], ContractFunction]] = {
    "updateDocument": lambda registry, _: registry.functions.updateDocument(LISTING, DOC_2),
    "updatePrice": lambda registry, _: registry.functions.updatePrice(LISTING, PRICE),
    "reserve": lambda registry, buyer: registry.functions.reserve(LISTING, buyer),
    "cancelReservation": lambda registry, _: registry.functions.cancelReservation(LISTING),
    "markSold": lambda registry, _: registry.functions.markSold(LISTING),
    "verifyDocument": lambda registry, _: registry.functions.verifyDocument(LISTING, DOC),
    "getListing": lambda registry, _: registry.functions.getListing(LISTING),
    "statusOf": lambda registry, _: registry.functions.statusOf(LISTING),
    "ownerOf": lambda registry, _: registry.functions.ownerOf(LISTING),
    "reservedBy": lambda registry, _: registry.functions.reservedBy(LISTING),
    "priceOf": lambda registry, _: registry.functions.priceOf(LISTING),
    "documentHashOf": lambda registry, _: registry.functions.documentHashOf(LISTING),
    "listedAt": lambda registry, _: registry.functions.listedAt(LISTING),
    "updatedAt": lambda registry, _: registry.functions.updatedAt(LISTING),
}


@pytest.mark.parametrize("function", sorted(EVERY_LISTING_FUNCTION))
def test_every_function_refuses_an_unknown_listing(chain: Chain, function: str) -> None:
    sender = chain.agent if function in ("reserve", "cancelReservation") else chain.registrar
    call = EVERY_LISTING_FUNCTION[function](chain.registry, chain.buyer)
    assert chain.reverts_with(call, sender) == ("UnknownListing", (LISTING,))


def test_every_function_taking_a_listing_id_is_covered_by_the_unknown_listing_test() -> None:
    takes_a_listing = {
        entry["name"]
        for entry in load_artifact()["abi"]
        if entry["type"] == "function" and entry["inputs"] and entry["inputs"][0]["name"] == "listingId"
    }
    assert takes_a_listing - {"list"} == set(EVERY_LISTING_FUNCTION)


# ---- reservation ----


def test_an_agent_reserves_an_available_listing_for_a_buyer(listed: Chain) -> None:
    listed.advance(60)
    receipt = listed.send(listed.registry.functions.reserve(LISTING, listed.buyer), listed.agent)
    assert listed.events(receipt) == [("Reserved", {"listingId": LISTING, "buyer": listed.buyer})]
    after = listing(listed)
    assert after["status"] == RESERVED
    assert after["reservedBy"] == listed.buyer
    assert after["updatedAt"] == listed.timestamp(receipt) > after["listedAt"]
    assert after["owner"] == listed.registrar
    assert after["price"] == PRICE
    assert listed.registry.functions.statusOf(LISTING).call() == RESERVED
    assert listed.registry.functions.reservedBy(LISTING).call() == listed.buyer


@pytest.mark.parametrize("who", ["admin", "registrar", "stranger"])
def test_reserving_needs_the_agent_role(listed: Chain, who: str) -> None:
    sender = getattr(listed, who)
    assert listed.reverts_with(listed.registry.functions.reserve(LISTING, listed.buyer), sender) == (
        "NotAuthorized",
        (sender,),
    )


def test_a_reserved_listing_cannot_be_reserved_again(reserved: Chain) -> None:
    function = reserved.registry.functions.reserve(LISTING, reserved.stranger)
    assert reserved.reverts_with(function, reserved.agent) == ("AlreadyReserved", (LISTING,))
    assert listing(reserved)["reservedBy"] == reserved.buyer


def test_a_sold_listing_cannot_be_reserved(sold: Chain) -> None:
    function = sold.registry.functions.reserve(LISTING, sold.stranger)
    assert sold.reverts_with(function, sold.agent) == ("WrongState", (LISTING, SOLD))


def test_a_reservation_needs_a_buyer(listed: Chain) -> None:
    function = listed.registry.functions.reserve(LISTING, ZERO_ADDRESS)
    assert listed.reverts_with(function, listed.agent) == ("ZeroBuyer", (LISTING,))


def test_cancelling_a_reservation_makes_the_listing_available_again(reserved: Chain) -> None:
    reserved.advance(600)
    receipt = reserved.send(reserved.registry.functions.cancelReservation(LISTING), reserved.agent)
    assert reserved.events(receipt) == [("ReservationCancelled", {"listingId": LISTING, "buyer": reserved.buyer})]
    after = listing(reserved)
    assert after["status"] == AVAILABLE
    assert after["reservedBy"] == ZERO_ADDRESS
    assert after["updatedAt"] == reserved.timestamp(receipt)
    reserved.send(reserved.registry.functions.reserve(LISTING, reserved.stranger), reserved.agent)
    assert listing(reserved)["reservedBy"] == reserved.stranger


@pytest.mark.parametrize(("state", "status"), [("listed", AVAILABLE), ("sold", SOLD)])
def test_cancelling_needs_a_reservation(request: pytest.FixtureRequest, state: str, status: int) -> None:
    chain: Chain = request.getfixturevalue(state)
    function = chain.registry.functions.cancelReservation(LISTING)
    assert chain.reverts_with(function, chain.agent) == ("WrongState", (LISTING, status))


@pytest.mark.parametrize("who", ["admin", "registrar", "stranger"])
def test_cancelling_needs_the_agent_role(reserved: Chain, who: str) -> None:
    sender = getattr(reserved, who)
    assert reserved.reverts_with(reserved.registry.functions.cancelReservation(LISTING), sender) == (
        "NotAuthorized",
        (sender,),
    )


# ---- sale ----


def test_a_registrar_marks_a_reserved_listing_sold_to_its_buyer(reserved: Chain) -> None:
    reserved.advance(7 * 86_400)
    receipt = reserved.send(reserved.registry.functions.markSold(LISTING), reserved.registrar)
    assert reserved.events(receipt) == [("Sold", {"listingId": LISTING, "buyer": reserved.buyer})]
    after = listing(reserved)
    assert after["status"] == SOLD
    assert after["reservedBy"] == reserved.buyer
    assert after["updatedAt"] == reserved.timestamp(receipt) >= after["listedAt"] + 7 * 86_400
    assert after["documentHash"] == DOC
    assert after["price"] == PRICE


@pytest.mark.parametrize(("state", "status"), [("listed", AVAILABLE), ("sold", SOLD)])
def test_only_a_reserved_listing_can_be_sold(request: pytest.FixtureRequest, state: str, status: int) -> None:
    chain: Chain = request.getfixturevalue(state)
    function = chain.registry.functions.markSold(LISTING)
    assert chain.reverts_with(function, chain.registrar) == ("WrongState", (LISTING, status))


@pytest.mark.parametrize("who", ["admin", "agent", "stranger"])
def test_selling_needs_the_registrar_role(reserved: Chain, who: str) -> None:
    sender = getattr(reserved, who)
    assert reserved.reverts_with(reserved.registry.functions.markSold(LISTING), sender) == (
        "NotAuthorized",
        (sender,),
    )


# ---- documents ----


def test_verify_document_accepts_only_the_registered_hash(listed: Chain) -> None:
    verify = listed.registry.functions.verifyDocument
    assert verify(LISTING, DOC).call() is True
    assert verify(LISTING, DOC_2).call() is False
    assert verify(LISTING, bytes(32)).call() is False
    listed.send(listed.registry.functions.updateDocument(LISTING, DOC_2), listed.registrar)
    assert verify(LISTING, DOC).call() is False
    assert verify(LISTING, DOC_2).call() is True


def test_verify_document_still_answers_after_the_sale(sold: Chain) -> None:
    assert sold.registry.functions.verifyDocument(LISTING, DOC).call() is True
    assert sold.registry.functions.verifyDocument(LISTING, DOC_2).call() is False


# ---- gas ----


def test_list_reserve_and_sale_stay_within_their_gas_goals(chain: Chain) -> None:
    fns = chain.registry.functions
    gas = {
        "list": chain.send(fns.list(4_200_017, DOC, PRICE), chain.registrar)["gasUsed"],
        "reserve": chain.send(fns.reserve(4_200_017, chain.buyer), chain.agent)["gasUsed"],
        "markSold": chain.send(fns.markSold(4_200_017), chain.registrar)["gasUsed"],
    }
    assert set(gas) == set(GAS_GOALS)
    for function, used in gas.items():
        assert 21_000 < used <= GAS_GOALS[function], f"{function} used {used} gas, goal {GAS_GOALS[function]}"


def test_the_gas_report_measures_every_function_and_meets_the_goals() -> None:
    _, deployment_gas, figures = measure(Web3(EthereumTesterProvider()))
    assert deployment_gas > 0
    names = [figure.function for figure in figures]
    assert sorted(names) == sorted(entry["name"] for entry in load_artifact()["abi"] if entry["type"] == "function")
    assert all(figure.met is not False for figure in figures), figures
