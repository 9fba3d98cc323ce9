"""Request and response models of saved searches and alerts."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from osool_common.validation import PlainText

Channel = Literal["email", "sms"]


class SavedSearchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    query: PlainText = Field(
        min_length=2, max_length=300,
        description="the search in the buyer's words (English or Egyptian Arabic), as typed in the search box or chat",
    )  # fmt: skip
    channel: Channel = Field(default="email", description="how alerts reach the buyer (SMS needs a verified phone)")


class SavedSearchPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: Channel | None = None
    active: bool | None = Field(default=None, description="false: no more alerts from it (what it found is dropped)")


class SavedSearch(BaseModel):
    id: uuid.UUID
    query: str
    filters: dict[str, Any] = Field(description="what a new listing must meet: the search service's reading")
    channel: Channel
    language: Literal["en", "ar"] = Field(description="the language its alerts are written in (the query's)")
    active: bool
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: Any) -> SavedSearch:
        return cls(**{k: v for k, v in dict(row).items() if k in cls.model_fields})


class SavedSearchList(BaseModel):
    items: list[SavedSearch]


class Alert(BaseModel):
    """One thing found for the buyer: a new listing matching a saved search, or a price drop on one they were shown."""

    kind: Literal["match", "price_drop"]
    listing_id: uuid.UUID
    saved_search_id: uuid.UUID | None
    title: str
    price: int
    previous_price: int | None
    channel: Channel
    found_at: datetime
    sent_at: datetime | None = Field(description="when the digest carrying it went (null: in the next one)")


class AlertList(BaseModel):
    items: list[Alert]


class UnsubscribeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: str = Field(min_length=10, max_length=500, pattern=r"^[A-Za-z0-9_.\-]+$",
                       description="the token of the link in an alert")  # fmt: skip


class Unsubscribed(BaseModel):
    saved_search_ids: list[uuid.UUID] = Field(description="the saved searches switched off (empty: they already were)")
