"""The registry tool: a listing's status on the blockchain property registry."""

from __future__ import annotations

from pydantic import Field

from osool_agent.tools.context import ToolArgs, ToolContext, ToolOutcome
from osool_agent.tools.listings import fetch_listing
from osool_common.errors import DomainError


class AvailabilityArgs(ToolArgs):
    property_id: str = Field(min_length=1, max_length=100, description="the listing's id or source id, as shown")


class AvailabilityOutcome(ToolOutcome):
    property_id: str | None = None
    title: str | None = None
    # available, reserved, sold (as the registry recorded them), or not_registered
    status: str | None = None
    # Whether the listing itself is still offered for sale (the brokerage's data), whatever the registry says.
    listed: bool | None = None
    pending_status: str | None = None
    document_hash: str | None = None
    on_chain_price_egp: int | None = None
    last_block: int | None = None
    contract_address: str | None = None


async def check_availability(ctx: ToolContext, args: AvailabilityArgs) -> AvailabilityOutcome:
    """The registry's record of a listing: available, reserved or sold, with its document hash and block."""
    try:
        listing = await fetch_listing(ctx, args.property_id)
        if listing is None:
            return AvailabilityOutcome(ok=False, error="not_found", message=f"no listing with id {args.property_id}")
        record = await ctx.chain.listing(listing.id)
    except DomainError as exc:
        return AvailabilityOutcome(ok=False, error="unavailable", message=exc.message)
    if record is None:
        return AvailabilityOutcome(
            property_id=listing.id, title=listing.title, status="not_registered", listed=listing.is_available
        )
    return AvailabilityOutcome(
        property_id=listing.id,
        title=listing.title,
        listed=listing.is_available,
        status=record.get("status") or "pending",
        pending_status=record.get("pending_status"),
        document_hash=record.get("document_hash"),
        on_chain_price_egp=record.get("price_egp"),
        last_block=record.get("last_block"),
        contract_address=record.get("contract_address"),
    )
