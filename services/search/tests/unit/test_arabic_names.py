"""Every area, place, compound and developer of the gazetteer has the Arabic name a page or a reply in Arabic shows,
and a listing carries its names in Arabic (null for a place the gazetteer does not know)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from osool_search.gazetteer import (
    ARABIC_NAMES,
    AREA_NAMES,
    COMPOUND_NAMES,
    DEVELOPER_NAMES,
    REGION_PLACES,
)
from osool_search.schemas import Property


def _arabic(text: str) -> bool:
    return all("\u0600" <= ch <= "\u06ff" or ch == " " for ch in text)


def test_every_name_of_the_gazetteer_has_an_arabic_name_in_arabic_letters() -> None:
    names = {*AREA_NAMES, *COMPOUND_NAMES, *DEVELOPER_NAMES, *REGION_PLACES}
    assert names - set(ARABIC_NAMES) == set()
    assert all(_arabic(ARABIC_NAMES[name]) for name in names), {n: ARABIC_NAMES[n] for n in names}


def test_a_fuller_name_is_shown_where_buyers_type_a_short_one() -> None:
    # Buyers type "اي سيتي" and "إعمار"; a page says the whole name.
    assert ARABIC_NAMES["Mountain View iCity"] == "ماونتن فيو آي سيتي"
    assert ARABIC_NAMES["Emaar Misr"] == "إعمار مصر"
    assert ARABIC_NAMES["Allegria"] == "أليجريا"  # with its hamza, as a page writes it
    assert ARABIC_NAMES["New Cairo"] == "القاهرة الجديدة" and ARABIC_NAMES["Hurghada"] == "الغردقة"


def _listing(**changes: object) -> Property:
    now = datetime.now(UTC)
    fields: dict[str, object] = {
        "id": uuid.uuid4(), "source_id": "X-1", "title": "Flat", "description": "", "type": "Apartment",
        "location": "New Cairo", "compound": "Mivida", "developer": "Emaar Misr", "price": 8_000_000,
        "price_per_sqm": 50_000, "size_sqm": 160.0, "bedrooms": 3, "bathrooms": 2, "finishing": None,
        "delivery_year": None, "is_delivered": True, "sale_type": "resale", "down_payment_pct": None,
        "installment_years": None, "monthly_installment": None, "is_cash_only": False, "image_url": None,
        "source_url": None, "is_available": True, "features": [], "floor": None, "embedding_model": "m",
        "created_at": now, "updated_at": now,
    }  # fmt: skip
    return Property.model_validate({**fields, **changes})


def test_a_listing_carries_its_names_in_arabic() -> None:
    body = _listing().model_dump(mode="json")
    assert (body["location_ar"], body["compound_ar"], body["developer_ar"]) == (
        "القاهرة الجديدة",
        "ميفيدا",
        "إعمار مصر",
    )
    # A brokerage's own place and no compound: nothing made up.
    own = _listing(location="Abu Rawash", compound=None, developer=None).model_dump(mode="json")
    assert (own["location_ar"], own["compound_ar"], own["developer_ar"]) == (None, None, None)
