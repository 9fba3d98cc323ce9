"""Saved searches and alerts, the domain: saving a search (read by the search service's parser), matching the
catalogue's change log against every active search and every buyer's shown listings, and sending each buyer's digest
at most once a period, by the channel they chose."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import asyncpg
from redis.asyncio import Redis
from redis.exceptions import RedisError

from osool_agent import metrics
from osool_agent.alerts.links import AlertLinks
from osool_agent.alerts.repository import SavedSearchRepository
from osool_agent.alerts.schemas import Alert, SavedSearch, SavedSearchIn, SavedSearchPatch
from osool_agent.brains.rules import language_of
from osool_agent.clients import AuthClient, SearchClient, UpstreamError
from osool_agent.settings import Settings
from osool_common.errors import (
    ConflictError,
    DomainError,
    NotFoundError,
    PermissionDeniedError,
    ValidationFailedError,
)
from osool_common.listing_filters import satisfies
from osool_common.logging import get_logger

log = get_logger(__name__)


class PhoneRequiredError(ValidationFailedError):
    """SMS alerts asked of an account without a verified phone: a code of its own, so a client can send the buyer to
    where a phone is added rather than read the message."""

    code = "phone_required"


# The search service publishes here after an ingest that changed listings (a nudge; the log is the record).
CHANGES_CHANNEL = "osool:listings:changed"
CHANGES_PER_READ = 500
ITEMS_PER_DIGEST = 30
# What an alert says about a listing, kept with the item.
LISTING_FIELDS = ("title", "type", "location", "compound", "bedrooms", "size_sqm")


class InvalidLinkError(PermissionDeniedError):
    code = "invalid_link"


class SavedSearchService:
    def __init__(
        self, settings: Settings, repository: SavedSearchRepository, search: SearchClient, auth: AuthClient,
        links: AlertLinks, redis: Redis | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.repository = repository
        self.search = search
        self.auth = auth
        self.links = links
        self.redis = redis

    # ---- the buyer's saved searches ----

    async def save(self, user_id: uuid.UUID, body: SavedSearchIn) -> tuple[SavedSearch, bool]:
        """Save a search (the same words again update its channel). Its filters are the search service's reading
        of the words; words with nothing to match on ("something nice") are refused."""
        parsed = await self.search.parse(body.query)
        filters = {k: v for k, v in (parsed.get("filters") or {}).items() if v is not None}
        if not filters:
            raise ValidationFailedError(
                "query: say what to look for (an area, a type, rooms or a budget), e.g. '3 bedrooms in New Cairo "
                "under 5 million'"
            )
        if body.channel == "sms":
            await self._has_phone(user_id)
        saved = await self.repository.create(
            user_id, body.query.strip(), filters, body.channel, language_of(body.query, "auto"),
            self.settings.saved_searches_per_user,
        )  # fmt: skip
        if saved is None:
            raise ConflictError(
                f"you have {self.settings.saved_searches_per_user} saved searches; delete one to save another"
            )
        row, created = saved
        if created:
            metrics.SAVED_SEARCHES.labels(body.channel).inc()
        return SavedSearch.of(row), created

    async def for_user(self, user_id: uuid.UUID) -> list[SavedSearch]:
        return [SavedSearch.of(row) for row in await self.repository.list_for(user_id)]

    async def _has_phone(self, user_id: uuid.UUID) -> None:
        profile = await self.auth.user(user_id)
        if profile is None or not profile.get("phone"):
            raise PhoneRequiredError("channel: SMS alerts need a verified phone number; verify one or use email")

    async def _own(self, user_id: uuid.UUID, saved_search_id: uuid.UUID) -> None:
        row = await self.repository.get(saved_search_id)
        if row is None or row["user_id"] != user_id:
            raise NotFoundError("no such saved search")

    async def update(self, user_id: uuid.UUID, saved_search_id: uuid.UUID, body: SavedSearchPatch) -> SavedSearch:
        await self._own(user_id, saved_search_id)
        if body.channel == "sms":
            await self._has_phone(user_id)
        try:
            row = await self.repository.update(saved_search_id, body.channel, body.active)
        except asyncpg.UniqueViolationError:
            raise ConflictError("an active saved search has the same words; switch that one off first") from None
        if row is None:
            raise NotFoundError("no such saved search")
        return SavedSearch.of(row)

    async def delete(self, user_id: uuid.UUID, saved_search_id: uuid.UUID) -> None:
        await self._own(user_id, saved_search_id)
        await self.repository.delete(saved_search_id)

    async def unsubscribe(self, token: str) -> list[uuid.UUID]:
        claim = self.links.read(token)
        if claim is None:
            raise InvalidLinkError("this unsubscribe link was not issued by Osool, or it was altered")
        return await self.repository.deactivate(claim.user_id, claim.saved_search_id)

    async def alerts(self, user_id: uuid.UUID) -> list[Alert]:
        return [
            Alert(kind=r["kind"], listing_id=r["listing_id"], saved_search_id=r["saved_search_id"],
                  title=_listing(r["listing"]).get("title", ""), price=r["price"], previous_price=r["previous_price"],
                  channel=r["channel"], found_at=r["created_at"], sent_at=r["sent_at"])
            for r in await self.repository.items_for(user_id)
        ]  # fmt: skip

    # ---- matching: the change log against the saved searches and the shown listings ----

    async def match(self) -> int:
        """Read the change log from where the matching stands and keep what it finds; the number of changes read.
        Workers race safely: the cursor moves only from where each read it, with that read's items."""
        cursor = await self.repository.cursor()
        if cursor is None:
            # A new deployment starts at the end of the log: alerts are about what appears after a search is saved.
            head = await self.search.changes(None, 1)
            await self.repository.start_cursor(int(head["last_seq"]))
            return 0
        page = await self.search.changes(cursor, CHANGES_PER_READ)
        changes: list[dict[str, Any]] = page["changes"]
        if not changes:
            return 0
        items = await self._items(changes, await self.repository.active_searches())
        added = await self.repository.record(cursor, int(changes[-1]["seq"]), items)
        if added:
            for item in items:
                metrics.ALERTS_FOUND.labels(item["kind"]).inc()
        return len(changes)

    async def _items(self, changes: Sequence[dict[str, Any]], searches: Sequence[Any]) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        drops = [str(c["listing"]["id"]) for c in changes if c["kind"] == "price_drop"]
        shown = await self.repository.shown_to_alerted(drops) if drops else {}
        watched = [(search, SavedSearch.of(search).filters) for search in searches]
        for change in changes:
            listing = change["listing"]
            if not listing.get("is_available", True):
                continue
            at = datetime.fromisoformat(change["at"])
            summary = {key: listing.get(key) for key in LISTING_FIELDS}
            now_listing = {**listing, "price": change["price"]}
            before = {**listing, "price": change["previous_price"]} if change["kind"] == "price_drop" else None
            seen: set[uuid.UUID] = set()
            for search, filters in watched:
                # A search matches what appears after it was saved, and a price drop only when the old price did not
                # match already (the buyer heard of it then, or it was not for them).
                if search["user_id"] in seen or search["created_at"] > at:
                    continue
                if not satisfies(now_listing, filters) or (before is not None and satisfies(before, filters)):
                    continue
                seen.add(search["user_id"])
                items.append(_item(search["user_id"], search["id"], search["channel"], search["language"], "match",
                                   change, summary))  # fmt: skip
            if change["kind"] == "price_drop":
                for buyer in shown.get(str(listing["id"]), []):
                    items.append(_item(buyer["user_id"], None, buyer["channel"], buyer["language"], "price_drop",
                                       change, summary))  # fmt: skip
        return items

    # ---- digests ----

    async def send_digests(self) -> int:
        """Every due buyer's digest, one per channel; the number sent."""
        every = self.settings.alert_digest_hours * 3600
        sent = 0
        for due in await self.repository.due(every, 50):
            async with self.repository.claim_digest(due["user_id"], due["channel"], every, ITEMS_PER_DIGEST) as claim:
                if claim is None or not claim.items:
                    continue
                subject, text = self.compose(claim.user_id, claim.channel, claim.items)
                key = f"alerts:{claim.channel}:{claim.items[-1]['id']}"
                try:
                    result = await self.auth.notify(claim.user_id, subject, text, [claim.channel], key)
                except NotFoundError:
                    result = {"sent": [], "skipped": [{"reason": "no_such_user"}]}
                except DomainError as exc:
                    # Auth down, or this digest being sent by a worker that lost its claim: the next round retries.
                    log.warning("alerts.digest_failed", error=exc.code)
                    continue
                outcome = (
                    "sent"
                    if result.get("sent")
                    else "skipped:" + ",".join(str(s.get("reason")) for s in result.get("skipped", []))
                )
                await claim.sent(outcome[:100])
                metrics.ALERT_DIGESTS.labels(claim.channel, "sent" if result.get("sent") else "skipped").inc()
                sent += 1 if result.get("sent") else 0
        return sent

    def compose(self, user_id: uuid.UUID, channel: str, items: Sequence[Any]) -> tuple[str, str]:
        """The digest's subject and text in the language of the buyer's saved search: each listing with its price and
        link, and the signed unsubscribe links (each saved search's and all)."""
        ar = items[0]["language"] == "ar"
        matches = [i for i in items if i["kind"] == "match"]
        drops = [i for i in items if i["kind"] == "price_drop"]
        stop_all = self.links.unsubscribe_url(user_id)
        if channel == "sms":
            first = items[0]
            line = f"{_title(first)} {_egp(first['price'])} EGP {self.links.listing_url(str(first['listing_id']))}"
            if ar:
                text = (f"أسول: {len(matches)} وحدة جديدة و{len(drops)} تخفيض سعر. {line} "
                        f"لإيقاف التنبيهات: {stop_all}")  # fmt: skip
            else:
                text = f"Osool: {len(matches)} new matches, {len(drops)} price drops. {line} Stop alerts: {stop_all}"
            return ("تنبيهات أسول" if ar else "Osool alerts"), text
        lines: list[str] = []
        if matches:
            lines.append("وحدات جديدة تطابق بحثك المحفوظ:" if ar else "New listings that match your saved searches:")
            for item in matches:
                lines.append(f"- {_title(item)}: {_egp(item['price'])} EGP ({item['query']})")
                lines.append(f"  {self.links.listing_url(str(item['listing_id']))}")
        if drops:
            lines.append("")
            lines.append("تخفيضات في أسعار وحدات عرضناها عليك:" if ar else "Price drops on listings you were shown:")
            for item in drops:
                was = "بدلاً من" if ar else "was"
                lines.append(f"- {_title(item)}: {_egp(item['price'])} EGP ({was} {_egp(item['previous_price'])})")
                lines.append(f"  {self.links.listing_url(str(item['listing_id']))}")
        lines.append("")
        hours = self.settings.alert_digest_hours
        if ar:
            lines.append(f"بتوصلك التنبيهات دي مرة واحدة بالكتير كل {hours:g} ساعة.")
        else:
            lines.append(f"These alerts reach you at most once every {hours:g} hours.")
        searches = {item["saved_search_id"]: item["query"] for item in matches if item["saved_search_id"]}
        for search_id, query in searches.items():
            stop = self.links.unsubscribe_url(user_id, search_id)
            lines.append(f'إيقاف تنبيهات "{query}": {stop}' if ar else f'Stop alerts for "{query}": {stop}')
        lines.append(f"إيقاف كل التنبيهات: {stop_all}" if ar else f"Stop all Osool alerts: {stop_all}")
        count = len(items)
        subject = f"أسول: {count} تنبيه جديد" if ar else f"Osool: {count} new listing alert{'s' if count != 1 else ''}"
        return subject, "\n".join(lines)

    # ---- the job ----

    async def run_jobs(self) -> None:
        """Every worker of every replica runs it: the cursor's compare-and-set and the digests' row claims (and auth's
        dedupe keys) make each change matched once and each digest sent once. An ingest wakes it at once."""
        while True:
            await self._wait_for_changes(self.settings.alert_check_seconds)
            try:
                while await self.match() >= CHANGES_PER_READ:
                    pass
                await self.send_digests()
            except (asyncpg.PostgresError, OSError, UpstreamError, DomainError) as exc:
                log.warning("alerts.job_failed", error=type(exc).__name__)

    async def _wait_for_changes(self, seconds: float) -> None:
        """Sleep until an ingest's nudge or the timeout, whichever is first (Redis down: the timeout)."""
        if self.redis is None:
            await asyncio.sleep(seconds)
            return
        pubsub = self.redis.pubsub()
        try:
            await pubsub.subscribe(CHANGES_CHANNEL)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + seconds
            while (left := deadline - loop.time()) > 0:
                message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=left)
                if message is not None:
                    return
        except (RedisError, OSError):
            await asyncio.sleep(seconds)
        finally:
            with contextlib.suppress(RedisError, OSError):
                await pubsub.aclose()


def _item(user_id: uuid.UUID, search_id: uuid.UUID | None, channel: str, language: str, kind: str,
          change: dict[str, Any], summary: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    return {"user_id": user_id, "saved_search_id": search_id, "channel": channel, "language": language, "kind": kind,
            "listing_id": uuid.UUID(change["listing"]["id"]), "price": int(change["price"]),
            "previous_price": change["previous_price"], "listing": summary}  # fmt: skip


def _listing(value: Any) -> dict[str, Any]:
    return dict(value)


def _title(item: Any) -> str:
    return str(_listing(item["listing"]).get("title") or "a listing")


def _egp(value: Any) -> str:
    return "?" if value is None else f"{int(value):,}"
