"""The save_search tool: "tell me when one appears" — the signed-in buyer's search saved, so new listings that match
it (and price drops on listings they were shown) reach them by email or SMS, at most once a day."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from osool_agent.alerts.schemas import SavedSearchIn
from osool_agent.tools.context import ToolArgs, ToolContext, ToolOutcome
from osool_common.errors import DomainError


class SaveSearchArgs(ToolArgs):
    query: str = Field(
        min_length=2, max_length=300, description="the search to watch, in the buyer's words (the last search's query)"
    )
    channel: Literal["email", "sms"] = Field(default="email", description="email unless the buyer asked for SMS")


class SavedSearchResult(ToolOutcome):
    saved_search_id: str | None = None
    query: str | None = None
    channel: str | None = None
    filters: dict[str, object] = Field(default_factory=dict, description="what a new listing must meet")
    already_saved: bool = False
    digest_hours: float | None = Field(default=None, description="alerts come at most once per this many hours")


async def save_search(ctx: ToolContext, args: SaveSearchArgs) -> BaseModel:
    if ctx.saved_searches is None:
        return ToolOutcome(ok=False, error="unavailable", message="saved searches are not available here")
    if ctx.user_id is None:
        return ToolOutcome(ok=False, error="sign_in_required", message="the buyer must sign in to save a search")
    try:
        saved, created = await ctx.saved_searches.save(
            ctx.user_id, SavedSearchIn(query=args.query, channel=args.channel)
        )
    except DomainError as exc:
        error = {409: "too_many", 422: "invalid"}.get(exc.status_code, "unavailable")
        return ToolOutcome(ok=False, error=error, message=exc.message)
    return SavedSearchResult(
        saved_search_id=str(saved.id), query=saved.query, channel=saved.channel, filters=saved.filters,
        already_saved=not created, digest_hours=ctx.saved_searches.settings.alert_digest_hours,
    )  # fmt: skip
