"""The pure parts of reservations: the buyer's pseudonymous address, the listing record's hash, the deposit."""

from __future__ import annotations

import uuid
from typing import Any

from osool_agent.reservations import ReservationService, buyer_address, record_hash
from osool_agent.settings import Settings


def test_a_buyer_without_a_wallet_gets_a_stable_address_that_hides_their_id() -> None:
    user = uuid.uuid4()
    address = buyer_address("key-one", user)
    assert address.startswith("0x") and len(address) == 42 and int(address, 16) >= 0
    assert buyer_address("key-one", user) == address
    assert buyer_address("key-two", user) != address  # keyed: nobody without the service key can link it back
    assert buyer_address("key-one", uuid.uuid4()) != address
    assert user.hex not in address


def test_the_record_hash_changes_with_the_listing_and_only_with_its_stable_fields() -> None:
    listing: dict[str, Any] = {"id": "a", "source_id": "S-1", "title": "T", "type": "Villa", "location": "Maadi",
                               "price": 5_000_000, "size_sqm": 200, "updated_at": "2026-01-01"}  # fmt: skip
    first = record_hash(listing)
    assert first.startswith("0x") and len(first) == 66
    assert record_hash({**listing, "updated_at": "2026-02-02"}) == first
    assert record_hash({**listing, "price": 5_100_000}) != first


def test_the_deposit_is_a_share_of_the_price_with_a_floor() -> None:
    settings = Settings.model_construct(reservation_deposit_pct=1.0, reservation_min_deposit_egp=50_000)
    service = ReservationService(settings, None, None, None, None)  # type: ignore[arg-type]
    assert service.deposit(12_000_000) == 120_000
    assert service.deposit(3_000_000) == 50_000
    half = ReservationService(Settings.model_construct(reservation_deposit_pct=0.5, reservation_min_deposit_egp=1),
                              None, None, None, None)  # type: ignore[arg-type]  # fmt: skip
    assert half.deposit(12_000_000) == 60_000
