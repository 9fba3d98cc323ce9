"""The alert tools: save_search, "tell me when one appears" (the signed-in buyer's search saved, so new listings that
match it, and price drops on listings they were shown, reach them by email or SMS, at most once a day); my_alerts, the
buyer's saved searches that alert, and the stopping of one ("what alerts do I have?", "stop that alert")."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from osool_agent.alerts.schemas import SavedSearch, SavedSearchIn, SavedSearchPatch
from osool_agent.tools.context import ToolArgs, ToolContext, ToolOutcome, the_one_named
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


class MyAlertsArgs(ToolArgs):
    action: Literal["list", "stop"] = Field(
        default="list", description="list: the buyer's saved searches that alert; stop: no more alerts from one"
    )
    saved_search_id: uuid.UUID | None = Field(
        default=None, description="with stop: the saved_search_id of the one to stop (from a list this tool gave); "
        "absent, the only one",
    )  # fmt: skip


class AlertBrief(BaseModel):
    saved_search_id: str
    query: str
    channel: str

    @classmethod
    def of(cls, saved: SavedSearch) -> AlertBrief:
        return cls(saved_search_id=str(saved.id), query=saved.query, channel=saved.channel)


class MyAlertsResult(ToolOutcome):
    alerts: list[AlertBrief] = Field(default_factory=list, description="the saved searches that alert, newest first")
    stopped: AlertBrief | None = None


# Why no alert was stopped (the_one_named's reasons): the error code and what it means.
_NOT_STOPPED = {
    "none": ("no_alerts", "the buyer has no saved search that alerts"),
    "not_found": ("not_found", "saved_search_id: not one of the buyer's alerting searches"),
    "which": ("which_alert", "several saved searches alert: ask which one to stop"),
}


async def my_alerts(ctx: ToolContext, args: MyAlertsArgs) -> BaseModel:
    """The signed-in buyer's saved searches that still alert, newest first; or the stopping of one of them (switched
    off, as the Saved searches page does, so it can be switched on again there): the one named, or the only one
    (several and none named: which one, with the list)."""
    if ctx.saved_searches is None:
        return ToolOutcome(ok=False, error="unavailable", message="saved searches are not available here")
    if ctx.user_id is None:
        return ToolOutcome(ok=False, error="sign_in_required", message="the buyer must sign in to see their alerts")
    active = [saved for saved in await ctx.saved_searches.for_user(ctx.user_id) if saved.active]
    active.sort(key=lambda saved: saved.created_at, reverse=True)
    briefs = [AlertBrief.of(saved) for saved in active]
    if args.action == "list":
        return MyAlertsResult(alerts=briefs)
    named = None if args.saved_search_id is None else str(args.saved_search_id)
    chosen = the_one_named(active, named, lambda saved: str(saved.id))
    if isinstance(chosen, str):
        error, message = _NOT_STOPPED[chosen]
        return MyAlertsResult(ok=False, error=error, message=message, alerts=briefs)
    try:
        stopped = await ctx.saved_searches.update(ctx.user_id, chosen.id, SavedSearchPatch(active=False))
    except DomainError as exc:
        return ToolOutcome(ok=False, error="unavailable", message=exc.message)
    left = [brief for brief in briefs if brief.saved_search_id != str(stopped.id)]
    return MyAlertsResult(alerts=left, stopped=AlertBrief.of(stopped))
