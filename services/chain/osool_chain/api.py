"""HTTP routes of the chain service: parse, call the service layer, shape the response."""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response

from osool_chain.schemas import (
    DocumentUpdate,
    Listing,
    ListingCreate,
    ListingStatuses,
    PriceUpdate,
    ReserveRequest,
    ServiceReserveRequest,
    Transaction,
    Verification,
    VerifyRequest,
)
from osool_chain.service import ChainService, WriteResult
from osool_common.auth import Principal, require_role
from osool_common.errors import ConflictError
from osool_common.responses import model_response

router = APIRouter(prefix="/api/chain", tags=["chain"])
# Service-to-service (the service key; the public listener answers 404): reservations the agent service makes.
internal_router = APIRouter(prefix="/api/chain/internal", tags=["chain (internal)"])
# Who the agent service's writes are recorded as (its writes are idempotent under their own keys).
AGENT_SERVICE = Principal(
    user_id=str(uuid.uuid5(uuid.NAMESPACE_URL, "osool:service:agent")), role="service", token_id="none",  # noqa: S106
    expires_at=0, session_id="service",
)  # fmt: skip


async def chain(request: Request) -> ChainService:
    service: ChainService = request.app.state.chain
    return service


Chain = Annotated[ChainService, Depends(chain)]
# Registering, reserving and selling are staff work: the agent (sales staff) or an administrator.
Staff = Annotated[Principal, Depends(require_role("agent", "admin"))]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key", pattern=r"^[A-Za-z0-9._:\-]{8,128}$",
        description="required on every write: a retry with the same key returns the first answer and writes nothing",
    ),
]  # fmt: skip
Ref = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:\-]+$")]
WRITE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "no Idempotency-Key"},
    409: {"description": "the listing's state forbids it (already listed, already reserved, not reserved, sold)"},
    422: {"description": "invalid input, or an Idempotency-Key reused for a different request"},
}


def _accepted(result: WriteResult) -> Response:
    response = model_response(result.transaction, status_code=202)
    response.headers["Location"] = f"/api/chain/transactions/{result.transaction.tx_id}"
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@router.post("/listings", status_code=202, response_model=Transaction, responses=WRITE_RESPONSES)
async def register(body: ListingCreate, staff: Staff, service: Chain, key: IdempotencyKey = None) -> Response:
    """Register a listing on chain: its document hash and price. Accepted into the outbox (202); follow the
    transaction at `Location`."""
    args = {"document_hash": body.document_hash, "price": body.price_egp}
    return _accepted(await service.write("list", body.listing_id, args, key, staff))


@router.get("/listings", response_model=ListingStatuses)
async def listing_statuses(
    service: Chain, listing_id: Annotated[list[str], Query(alias="id", min_length=1, max_length=50)]
) -> ListingStatuses:
    """The status of up to 50 listings at once (`?id=a&id=b`), in the order asked, never registered ones included."""
    return ListingStatuses(listings=await service.statuses(list(dict.fromkeys(listing_id))))


@router.get("/listings/{listing_id}", response_model=Listing, responses={404: {"description": "not registered"}})
async def read_listing(listing_id: Ref, service: Chain) -> Listing:
    """The listing's on-chain state (as indexed), the transactions that changed it, and writes still on the way."""
    return await service.listing(listing_id)


@router.put("/listings/{listing_id}/document", status_code=202, response_model=Transaction, responses=WRITE_RESPONSES)
async def update_document(
    listing_id: Ref, body: DocumentUpdate, staff: Staff, service: Chain, key: IdempotencyKey = None
) -> Response:
    """A new document hash; only while the listing is available."""
    return _accepted(await service.write("updateDocument", listing_id, {"document_hash": body.document_hash}, key,
                                         staff))  # fmt: skip


@router.put("/listings/{listing_id}/price", status_code=202, response_model=Transaction, responses=WRITE_RESPONSES)
async def update_price(
    listing_id: Ref, body: PriceUpdate, staff: Staff, service: Chain, key: IdempotencyKey = None
) -> Response:
    """A new price; only while the listing is available."""
    return _accepted(await service.write("updatePrice", listing_id, {"price": body.price_egp}, key, staff))


@router.post("/listings/{listing_id}/reserve", status_code=202, response_model=Transaction, responses=WRITE_RESPONSES)
async def reserve(
    listing_id: Ref, body: ReserveRequest, staff: Staff, service: Chain, key: IdempotencyKey = None
) -> Response:
    """Record the buyer's reservation (the agent calls this once the reservation is confirmed). One wins."""
    return _accepted(await service.write("reserve", listing_id, {"buyer": body.buyer}, key, staff))


@router.post("/listings/{listing_id}/cancel", status_code=202, response_model=Transaction, responses=WRITE_RESPONSES)
async def cancel(listing_id: Ref, staff: Staff, service: Chain, key: IdempotencyKey = None) -> Response:
    """Cancel the reservation: the listing is available again."""
    return _accepted(await service.write("cancelReservation", listing_id, {}, key, staff))


@router.post("/listings/{listing_id}/sell", status_code=202, response_model=Transaction, responses=WRITE_RESPONSES)
async def sell(listing_id: Ref, staff: Staff, service: Chain, key: IdempotencyKey = None) -> Response:
    """Mark the reserved listing sold to its reserving buyer."""
    return _accepted(await service.write("markSold", listing_id, {}, key, staff))


@router.post("/verify", response_model=Verification, responses={404: {"description": "not registered on chain"}})
async def verify(body: VerifyRequest, service: Chain) -> Verification:
    """Does this document hash match the one registered on chain for the listing?"""
    return await service.verify(body.listing_id, body.document_hash)


@router.get("/transactions/{tx_id}", response_model=Transaction, responses={404: {"description": "no such tx"}})
async def transaction(tx_id: uuid.UUID, service: Chain) -> Transaction:
    """A write's progress: pending (outbox), sent, confirmed or failed, with its hash, block and gas."""
    return await service.transaction(tx_id)


@internal_router.post("/reservations", status_code=202, response_model=Transaction,
                      responses={**WRITE_RESPONSES, 401: {"description": "no service key"}})  # fmt: skip
async def service_reserve(body: ServiceReserveRequest, service: Chain, key: IdempotencyKey = None) -> Response:
    """The agent service records a buyer's reservation: the listing is registered first (its price and record hash)
    when it never was, then reserved; both writes are idempotent under the key. 409 when it is reserved or sold."""
    if not key:
        return _accepted(await service.write("reserve", body.listing_id, {"buyer": body.buyer}, key, AGENT_SERVICE))
    statuses = await service.statuses([body.listing_id])
    if statuses[0].status == "not_registered" and statuses[0].pending_status is None:
        args = {"document_hash": body.document_hash, "price": body.price_egp}
        with contextlib.suppress(ConflictError):  # registered meanwhile by a concurrent reservation: reserve decides
            await service.write("list", body.listing_id, args, f"{key}:list", AGENT_SERVICE)
    return _accepted(await service.write("reserve", body.listing_id, {"buyer": body.buyer}, key, AGENT_SERVICE))


@internal_router.post("/listings/{listing_id}/cancel", status_code=202, response_model=Transaction,
                      responses={**WRITE_RESPONSES, 401: {"description": "no service key"}})  # fmt: skip
async def service_cancel(listing_id: Ref, service: Chain, key: IdempotencyKey = None) -> Response:
    """The agent service releases a reservation (expired or cancelled): the listing is available again."""
    return _accepted(await service.write("cancelReservation", listing_id, {}, key, AGENT_SERVICE))
