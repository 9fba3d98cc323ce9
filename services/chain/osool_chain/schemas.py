"""Request and response models of the chain service (the OpenAPI contract)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict

from osool_chain.registry import UINT96_MAX, ZERO_ADDRESS


def _document_hash(value: str) -> str:
    if int(value, 16) == 0:
        raise ValueError("the document hash cannot be zero")
    return value.lower()


def _address(value: str) -> str:
    if not is_hex_address(value):
        raise ValueError("not an address: 0x and 40 hex digits")
    if value != value.lower() and value[2:] != value[2:].upper() and not is_checksum_address(value):
        raise ValueError("the address's checksum (its mixed case) is wrong")
    if value.lower() == ZERO_ADDRESS:
        raise ValueError("the zero address cannot reserve")
    return str(to_checksum_address(value))


ListingRef = Annotated[
    str,
    Field(
        min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$",
        description="the listing's id in Osool (a number, a UUID, a slug); on chain a plain number is itself and "
        "anything else the keccak256 of its text",
        examples=["4200017", "0b6f6a4e-3f4e-4a8e-9a57-2f4b1c3d5e6f"],
    ),
]  # fmt: skip
DocumentHash = Annotated[
    str,
    Field(pattern=r"^0x[0-9a-fA-F]{64}$", description="32 bytes, 0x hex: e.g. the sha256 of the title deed",
          examples=["0x5f2b4c8e0d1a9e7b3c6f4a2d8e1b0c9f7a5e3d2c1b0a9f8e7d6c5b4a3f2e1d0c"]),
    AfterValidator(_document_hash),
]  # fmt: skip
PriceEgp = Annotated[int, Strict(), Field(gt=0, le=UINT96_MAX, description="whole Egyptian pounds", examples=[3500000])]
Address = Annotated[
    str,
    Field(min_length=42, max_length=42, description="0x address, checksummed or all one case",
          examples=["0x2B5AD5c4795c026514f8317c7a215E218DcCD6cF"]),
    AfterValidator(_address),
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ListingCreate(_Strict):
    listing_id: ListingRef
    document_hash: DocumentHash
    price_egp: PriceEgp


class DocumentUpdate(_Strict):
    document_hash: DocumentHash


class PriceUpdate(_Strict):
    price_egp: PriceEgp


class ReserveRequest(_Strict):
    buyer: Address = Field(description="the buyer's wallet address, recorded on chain as the reserving buyer")


class ServiceReserveRequest(_Strict):
    """A reservation the agent service made for a buyer: registered on chain first when it never was."""

    listing_id: ListingRef
    buyer: Address
    price_egp: PriceEgp = Field(description="the listing's price, used when it has to be registered first")
    document_hash: DocumentHash = Field(description="the listing record's hash, used when it is registered first")


class VerifyRequest(_Strict):
    listing_id: ListingRef
    document_hash: DocumentHash


TxStatus = Literal["pending", "sent", "confirmed", "failed"]


class Transaction(BaseModel):
    tx_id: uuid.UUID
    function: str = Field(description="the contract function: list, updateDocument, updatePrice, reserve, "
                          "cancelReservation, markSold (deploy and grantRole are the service's own)")  # fmt: skip
    listing_id: str | None
    status: TxStatus = Field(description="pending: in the outbox; sent: the node has it; confirmed: mined "
                             "CHAIN_CONFIRMATIONS deep; failed: see error")  # fmt: skip
    tx_hash: str | None
    nonce: int | None
    block_number: int | None
    gas_used: int | None
    error: str | None
    created_at: datetime
    sent_at: datetime | None
    mined_at: datetime | None
    finished_at: datetime | None


class ChainEvent(BaseModel):
    event: str
    tx_hash: str
    block_number: int
    log_index: int
    block_time: datetime
    args: dict[str, str]


class Listing(BaseModel):
    listing_id: str
    chain_listing_id: str = Field(description="the uint256 id on chain, in decimal")
    status: Literal["available", "reserved", "sold"] | None = Field(
        description="on chain, as indexed CHAIN_CONFIRMATIONS deep; null until the registration is"
    )
    pending_status: Literal["available", "reserved", "sold"] | None = Field(
        description="what the status will be once every accepted write has landed"
    )
    owner: str | None
    reserved_by: str | None
    price_egp: int | None
    document_hash: str | None
    listed_at: datetime | None
    updated_at: datetime | None
    last_block: int | None
    contract_address: str | None
    transactions: list[ChainEvent] = Field(description="the confirmed events that changed it, oldest first")
    pending_transactions: list[Transaction] = Field(description="accepted writes not yet confirmed")


class ListingStatus(BaseModel):
    listing_id: str
    status: Literal["available", "reserved", "sold", "pending", "not_registered"] = Field(
        description="as indexed; pending while the registration is on its way; not_registered when never listed"
    )
    pending_status: Literal["available", "reserved", "sold"] | None
    price_egp: int | None


class ListingStatuses(BaseModel):
    listings: list[ListingStatus]


class Verification(BaseModel):
    listing_id: str
    document_hash: str
    matches: bool
    on_chain_document_hash: str
    as_of_block: int | None
