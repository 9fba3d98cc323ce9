"""The registry's rules, as plain functions: listing ids, which write is allowed in which state, request identity."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any, Literal

from eth_utils import keccak

from osool_common.errors import ConflictError

UINT256_MAX = 2**256 - 1
UINT96_MAX = 2**96 - 1
ZERO_ADDRESS = "0x" + "00" * 20

Status = Literal["available", "reserved", "sold"]
# The contract's enum, in its order.
STATUSES: tuple[Status, ...] = ("available", "reserved", "sold")

# Contract functions this service sends on a caller's behalf, and the ones it sends for itself.
WRITE_FUNCTIONS = ("list", "updateDocument", "updatePrice", "reserve", "cancelReservation", "markSold")
SYSTEM_FUNCTIONS = ("deploy", "grantRole")

_DECIMAL = re.compile(r"^[1-9][0-9]{0,77}$")


def chain_listing_id(ref: str) -> int:
    """The uint256 a listing has on chain. A plain number (no leading zero) is itself, so ids from a numeric
    catalogue read the same on chain; anything else (a UUID, a slug) is the keccak256 of its text."""
    if _DECIMAL.match(ref) and int(ref) <= UINT256_MAX:
        return int(ref)
    return int.from_bytes(keccak(text=ref), "big")


@dataclass(frozen=True)
class ListingState:
    status: Status
    reserved_by: str | None = None


class AlreadyListedError(ConflictError):
    code = "already_listed"


class AlreadyReservedError(ConflictError):
    code = "already_reserved"


class WrongStateError(ConflictError):
    code = "wrong_state"


def apply_write(state: ListingState | None, function: str, args: dict[str, Any], ref: str) -> ListingState:
    """The state after `function`, or the conflict that forbids it. The contract applies the same rules; deciding
    here first, under a row lock, is what lets exactly one of many concurrent reservations through."""
    if function == "list":
        if state is not None:
            raise AlreadyListedError(f"listing {ref} is already registered")
        return ListingState("available")
    if state is None:
        raise WrongStateError(f"listing {ref} is not registered", details={"status": None})
    if function in ("updateDocument", "updatePrice"):
        if state.status != "available":
            raise WrongStateError(
                f"listing {ref} is {state.status}: its document and price are frozen", details={"status": state.status}
            )
        return state
    if function == "reserve":
        if state.status == "reserved":
            raise AlreadyReservedError(f"listing {ref} is already reserved", details={"status": state.status})
        if state.status != "available":
            raise WrongStateError(f"listing {ref} is {state.status}", details={"status": state.status})
        return ListingState("reserved", str(args["buyer"]))
    if function in ("cancelReservation", "markSold"):
        if state.status != "reserved":
            raise WrongStateError(f"listing {ref} is {state.status}, not reserved", details={"status": state.status})
        return ListingState("available") if function == "cancelReservation" else ListingState("sold", state.reserved_by)
    raise ValueError(f"not a write function: {function}")


def replay_state(state: ListingState | None, writes: list[tuple[str, dict[str, Any]]], ref: str) -> ListingState | None:
    """`state` with every write applied in order; a write the state no longer allows is skipped (the contract will
    refuse it too)."""
    for function, args in writes:
        try:
            state = apply_write(state, function, args, ref)
        except ConflictError:
            continue
    return state


def request_hash(function: str, listing_id: int, args: dict[str, Any], requested_by: str) -> bytes:
    """What makes two requests "the same" for an Idempotency-Key: who asked, what, on which listing, with what."""
    canonical = json.dumps(
        {"function": function, "listing_id": str(listing_id), "args": args, "by": requested_by},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(canonical.encode()).digest()
