"""The search service's domain logic: hybrid search, listing reads, market figures, ingestion; no HTTP, no SQL."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from statistics import median
from typing import Any, cast

import asyncpg
import numpy as np
from cachetools import LRUCache
from pydantic import ValidationError
from redis.asyncio import Redis
from redis.exceptions import RedisError

from osool_common.cache import serialization_timers
from osool_common.errors import NotFoundError, ValidationFailedError
from osool_common.listing_filters import ORDER_KEYS
from osool_common.logging import get_logger
from osool_common.pagination import InvalidCursorError, decode_cursor, encode_cursor
from osool_common.replicas import staleness_bound
from osool_search import metrics
from osool_search.embeddings import DIMENSIONS, Embedder
from osool_search.features import VOCABULARY, listing_features
from osool_search.filters import SearchFilters, folded_into_regions
from osool_search.gazetteer import NON_RESIDENTIAL_TYPES, REGION_LOCATIONS, REGION_PLACES
from osool_search.ingest import EmbeddingStore, Ingestor
from osool_search.ingest_records import Rejection as RejectedRecord
from osool_search.listing import ListingIn
from osool_search.query_parser import ParsedQuery, parse_query
from osool_search.ranking import fuse, spread_over_places
from osool_search.relaxation import GROUPS, relaxed_variants
from osool_search.repository import ListingRepository, MeasuredColumn, Priced, Sized, narrows_profiles
from osool_search.schemas import (
    Comparable,
    Comparables,
    IngestReport,
    ListingChange,
    ListingChanges,
    ListOrder,
    MarketStats,
    ParsedQueryOut,
    PlaceStats,
    Property,
    PropertyPage,
    RecentChanges,
    Rejection,
    Relaxation,
    ScoredProperty,
    SearchRequest,
    SearchResponse,
    YearStats,
)
from osool_search.settings import Settings

log = get_logger(__name__)

GENERATION_KEY = "search:generation"
# When the generation last changed (epoch seconds): with read replicas, results are not cached for a moment after.
GENERATION_AT_KEY = "search:generation:at"
# Published after an ingest that changed listings (the agent's alerts listen); the log itself is listing_changes.
CHANGES_CHANNEL = "osool:listings:changed"
# The change log keeps a month: a follower away longer than that starts again from the end.
CHANGES_KEPT_DAYS = 30
# The setting that says which words the stored listings' features were read with (features.VOCABULARY).
FEATURES_READ_SETTING = "features_read_with"
PROPERTY_FIELDS = tuple(Property.model_fields)
QUERY_VECTOR_TTL = 86_400
REDIS_LOG_INTERVAL = 60.0  # seconds between two log lines of one failing Redis operation
# Query vectors (and parsed queries) kept in each worker's memory as well: a query's vector never changes for one
# model, 10,000 of them are about 15 MB, and a repeated query then costs no round trip to Redis.
LOCAL_ENTRIES = 10_000
# A search whose filters rule out profiles reads the listings of at most this many of the nearest that pass before it
# ranks every listing that passes instead (repository._nearest_by_profile).
NEAREST_PROFILES = 200
# A search that found nothing counts what each group of its filters, given up, would bring back up to this many.
RELAXATION_CAP = 100


# Past any price (2,000,000,000 at most) or size a listing holds, and within a real's and a bigint's range.
_MOST_ORDER_KEY = 10**12
# The orders repository.by_size answers (every order of the shared kit's but the price's): the column each walks and
# whether the greatest comes first.
_MEASURED: dict[str, tuple[MeasuredColumn, bool]] = {
    order: (cast(MeasuredColumn, column), descending)
    for order, (column, descending) in ORDER_KEYS.items()
    if column != "price"
}


class SearchService:
    def __init__(self, settings: Settings, repository: ListingRepository, embedder: Embedder, redis: Redis) -> None:
        self.settings = settings
        self.repository = repository
        self.embedder = embedder
        self.redis = redis
        self.embeddings = EmbeddingStore(repository, embedder, settings.embedding_batch_size)
        self.query_vectors: LRUCache[str, np.ndarray] = LRUCache(maxsize=LOCAL_ENTRIES)
        # The parser is a pure function of the text and ParsedQuery is frozen: popular queries are parsed once.
        self.parsed_queries: LRUCache[str, ParsedQuery] = LRUCache(maxsize=LOCAL_ENTRIES)
        self.ingestor = Ingestor(repository, self.embeddings)
        self._redis_logged: dict[str, float] = {}
        # The two caches in Redis: response bodies (JSON text) and query vectors (float32 bytes, base64).
        self.result_codec = serialization_timers(settings.service_name, "search_results")
        self.vector_codec = serialization_timers(settings.service_name, "query_vectors")
        # Searches read a replica, which may be this many seconds behind: for that long after an ingest bumped the
        # generation, a search may still see the listings before it, so its body is not cached (it would be served
        # under the new generation for the cache's whole TTL). 0 without replicas.
        self.replica_staleness = staleness_bound(settings)

    # ---- search ----

    def _check(self, request: SearchRequest) -> str:
        query = " ".join(request.query.split())
        if not query:
            raise ValidationFailedError("the query is empty")
        if len(query) > self.settings.search_max_query_chars:
            raise ValidationFailedError(f"the query is longer than {self.settings.search_max_query_chars} characters")
        if request.limit > self.settings.search_max_limit:
            raise ValidationFailedError(f"limit is at most {self.settings.search_max_limit}")
        return query

    async def search_json(self, request: SearchRequest) -> str:
        """The response body, from the cache when this exact search was answered since the last ingest."""
        started = time.perf_counter()
        query = self._check(request)
        parse_started = time.perf_counter()
        parsed = self.parsed_queries.get(query)
        if parsed is None:
            parsed = self.parsed_queries[query] = parse_query(query)
        metrics.STAGE_SECONDS.labels("parse").observe(time.perf_counter() - parse_started)
        try:
            filters = parsed.filters if request.filters is None else request.filters.merged_over(parsed.filters)
        except ValidationError as exc:
            reasons = "; ".join(str(error["msg"]).removeprefix("Value error, ") for error in exc.errors())
            raise ValidationFailedError(f"the filters contradict each other: {reasons}") from None
        if request.homes_only and not (filters.property_types or filters.exclude_property_types):
            filters = filters.model_copy(update={"exclude_property_types": sorted(NON_RESIDENTIAL_TYPES)})
        if request.relax:  # a relaxation taken: those groups' filters given up, whoever stated them
            given_up = {name for group in request.relax for name in GROUPS[group]}
            filters = SearchFilters.model_validate(
                {name: value for name, value in filters.applied().items() if name not in given_up}
            )
        order = request.order or parsed.order or "relevance"
        fingerprint = hashlib.sha256(
            json.dumps([self.embedder.model, query.casefold(), filters.applied(), order], sort_keys=True).encode()
        ).hexdigest()[:16]
        offset = self._offset(request.cursor, fingerprint)
        # One round trip for what Redis may already know: the cache generation and the query's vector (unless this
        # worker has the vector already).
        vector_key = f"search:qvec:b64:{self.embedder.model}:{hashlib.sha256(query.casefold().encode()).hexdigest()}"
        local_vector = self.query_vectors.get(vector_key)
        generation, stored_vector = await self._read(None if local_vector is not None else vector_key)
        cache_key = (
            None
            if generation is None
            else f"search:result:{generation}:{fingerprint}:{offset}:{request.limit}:{int(request.explain_empty)}"
        )
        cached = await self._cache_get(cache_key)
        if cached is not None:
            metrics.SEARCHES.labels("hit").inc()
            return cached
        metrics.SEARCHES.labels("miss").inc()

        embed_started = time.perf_counter()
        if local_vector is not None:
            metrics.QUERY_EMBEDDING_CACHE.labels("hit").inc()
            vector = local_vector
        else:
            vector = await self._query_vector(query, vector_key, stored_vector)
            self.query_vectors[vector_key] = vector
        metrics.STAGE_SECONDS.labels("embed").observe(time.perf_counter() - embed_started)

        query_started = time.perf_counter()
        unmatched: list[str] = []
        if filters.features:
            filters, unmatched = await self._features_found(filters)
        text = parsed.ranking_text(filters)
        if order == "relevance":
            results, more = await self._ranked_page(filters, vector, text, offset, request.limit)
        elif order in _MEASURED:
            results, more = await self._sized_page(filters, vector, offset, request.limit, order)
        else:
            results, more = await self._priced_page(filters, vector, offset, request.limit, order == "price_desc")
        explain = request.explain_empty and not results and offset == 0
        relaxations = await self._relaxations(filters) if explain else []
        metrics.STAGE_SECONDS.labels("query").observe(time.perf_counter() - query_started)
        metrics.RESULTS.observe(len(results))

        next_offset = offset + len(results)
        next_cursor = (
            encode_cursor(next_offset, fingerprint) if more and next_offset < self.settings.search_max_depth else None
        )
        with self.result_codec.serialize.time():  # the response and the cache entry are one text
            body = SearchResponse(
                results=results,
                applied_filters=filters.applied(),
                query_text=text,
                understood=list(parsed.understood),
                order=order,
                unmatched_features=unmatched,
                relaxations=relaxations,
                next_cursor=next_cursor,
                currency=parsed.currency,
            ).model_dump_json()
        await self._cache_set(cache_key, body)
        metrics.STAGE_SECONDS.labels("total").observe(time.perf_counter() - started)
        return body

    async def _features_found(self, filters: SearchFilters) -> tuple[SearchFilters, list[str]]:
        """Features are soft preferences: each one asked for is kept when some listing that passes the other filters
        (and the features kept before it) has it, and otherwise given back as unmatched, for the response to say,
        rather than emptying the results."""
        kept: list[str] = []
        for feature in filters.features or ():
            trial = filters.model_copy(update={"features": [*kept, feature]})
            if await self.repository.any_matching(trial, self.embedder.model):
                kept.append(feature)
        unmatched = [feature for feature in filters.features or () if feature not in kept]
        if unmatched:
            metrics.UNMATCHED_FEATURES.inc(len(unmatched))
        return filters.model_copy(update={"features": kept or None}), unmatched

    async def _relaxations(self, filters: SearchFilters) -> list[Relaxation]:
        """A search that found nothing says which group of its filters, given up alone, would bring listings back,
        and for the budget the cheapest listing without it. Only when the first page is empty, so no other search
        pays for it: one statement counts every group, one more finds the cheapest."""
        variants = relaxed_variants(filters)
        if not variants:
            return []
        model = self.embedder.model
        counts = await self.repository.counts_matching([relaxed for _, _, relaxed in variants], model, RELAXATION_CAP)
        relaxations = []
        for (group, without, relaxed), count in zip(variants, counts, strict=True):
            if count == 0:
                continue
            cheapest = await self.repository.cheapest_matching(relaxed, model) if group == "price" else None
            relaxations.append(
                Relaxation(group=group, without=without, count=count, at_most=RELAXATION_CAP, cheapest_price=cheapest)
            )
        metrics.EMPTY_SEARCHES.labels("offered" if relaxations else "none").inc()
        # The most listings first; the groups' own order (what a buyer usually gives up first) breaks ties.
        return sorted(relaxations, key=lambda relaxation: -relaxation.count)

    async def _ranked_page(
        self, filters: SearchFilters, vector: np.ndarray, text: str, offset: int, limit: int
    ) -> tuple[list[ScoredProperty], bool]:
        model = self.embedder.model
        need = offset + limit
        depth = max(2 * need, 40)
        # Filters that rule out profiles leave few enough to rank exactly, each joined to its listings in turn
        # (repository._nearest_by_profile); otherwise the HNSW index over profiles finds the nearest.
        profiles = NEAREST_PROFILES if narrows_profiles(filters) else None
        # Several places ("Giza", "Zayed or October"): each place's nearest listings in turn (see
        # repository._nearest_by_profile and ranking.spread_over_places).
        spread = len(filters.locations or ()) > 1
        async with self.repository.on_one_connection() as repository:
            candidates, nearest, complete = await repository.candidates(
                filters, model, vector, text, depth, profiles=profiles, spread=spread
            )
            if nearest < depth and not complete:
                # Both can come back short of listings that exist: the HNSW scan stops at hnsw.max_scan_tuples, and
                # the nearest profiles may hold too few listings that pass (a rare feature, a narrow price). Then the
                # filtered set is small, and an exact scan over every listing in it is cheap.
                matching = await repository.count_matching(filters, model, depth)
                if matching > nearest:
                    metrics.EXACT_FALLBACKS.inc()
                    candidates, _, _ = await repository.candidates(
                        filters, model, vector, text, depth, exact=True, spread=spread
                    )
            ranked = fuse(candidates)
            if spread:
                ranked = spread_over_places(ranked, {c.id: c.location for c in candidates})
            page = ranked[offset:need]
            results = await _scored(repository, [(r.id, r.score, r.similarity) for r in page])
        return results, len(ranked) > need

    async def _priced_page(
        self, filters: SearchFilters, vector: np.ndarray, offset: int, limit: int, descending: bool
    ) -> tuple[list[ScoredProperty], bool]:
        """A page of the listings that pass the filters in price order ("the cheapest", "أغلى"): every one of them,
        not the cheapest of the most relevant; each scored by its similarity to the query."""
        need = offset + limit
        async with self.repository.on_one_connection() as repository:
            priced = await repository.by_price(filters, self.embedder.model, vector, need + 1, descending=descending)
            similar = [(p.id, round(1 - (p.distance or 0.0), 4)) for p in priced[offset:need]]
            results = await _scored(repository, [(id_, similarity, similarity) for id_, similarity in similar])
        return results, len(priced) > need

    async def _sized_page(
        self, filters: SearchFilters, vector: np.ndarray, offset: int, limit: int, order: str
    ) -> tuple[list[ScoredProperty], bool]:
        """A page of the listings that pass the filters in size order ("the biggest villa", "أصغر شقة") or in order of
        their price per square metre ("أقل سعر للمتر"), each scored by its similarity to the query."""
        need = offset + limit
        column, descending = _MEASURED[order]
        async with self.repository.on_one_connection() as repository:
            sized = await repository.by_size(
                filters, self.embedder.model, vector, need + 1, descending=descending, column=column
            )
            similar = [(s.id, round(1 - (s.distance or 0.0), 4)) for s in sized[offset:need]]
            results = await _scored(repository, [(id_, similarity, similarity) for id_, similarity in similar])
        return results, len(sized) > need

    def _offset(self, cursor: str | None, fingerprint: str) -> int:
        if cursor is None:
            return 0
        offset_text, cursor_fingerprint = decode_cursor(cursor, 2)
        if cursor_fingerprint != fingerprint:
            raise InvalidCursorError("the cursor belongs to another search")
        try:
            offset = int(offset_text)
        except ValueError:
            raise InvalidCursorError("the cursor is not one this service gave out") from None
        if not 0 < offset <= self.settings.search_max_depth:
            raise InvalidCursorError("the cursor is not one this service gave out")
        return offset

    async def _read(self, vector_key: str | None) -> tuple[str | None, bytes | str | None]:
        """The result cache's generation (None when results are not cached, or Redis is out) and the stored vector
        of the query (when a key is given), if any: in one round trip, or none when neither is needed."""
        caching = self.settings.search_cache_ttl_seconds > 0
        fresh_window = caching and self.replica_staleness > 0
        keys = ([GENERATION_KEY] if caching else []) + ([GENERATION_AT_KEY] if fresh_window else [])
        keys += [vector_key] if vector_key else []
        if not keys:
            return None, None
        try:
            values = await self.redis.mget(keys)
        except RedisError as exc:
            self._redis_failed("read", exc)
            return None, None  # an outage slows searches down; it never fails them
        generation = (_as_bytes(values[0]).decode() if values[0] else "0") if caching else None
        if fresh_window and values[1] and time.time() - float(values[1]) < self.replica_staleness:
            generation = None  # a replica may not have the ingest yet: answer, but neither read nor fill the cache
        return generation, (values[-1] if vector_key else None)

    async def _query_vector(self, query: str, key: str, stored: bytes | str | None) -> np.ndarray:
        cached = None
        if stored is not None:
            try:
                # The shared client decodes replies as text, so the vector's bytes travel base64-encoded.
                with self.vector_codec.deserialize.time():
                    cached = np.frombuffer(base64.b64decode(stored), dtype=np.float32)
            except ValueError:  # a damaged entry: embed the query again
                cached = None
        if cached is not None and cached.shape == (DIMENSIONS,):
            metrics.QUERY_EMBEDDING_CACHE.labels("hit").inc()
            return cached
        metrics.QUERY_EMBEDDING_CACHE.labels("miss").inc()
        vector = (await self.embedder.embed([query.casefold()]))[0]
        with self.vector_codec.serialize.time():
            encoded = base64.b64encode(vector.astype(np.float32).tobytes())
        try:
            await self.redis.set(key, encoded, ex=QUERY_VECTOR_TTL)
        except RedisError as exc:
            self._redis_failed("store_vector", exc)
        return vector

    # ---- the result cache: a generation number bumped by every ingest makes every older entry unreachable ----

    async def _cache_get(self, key: str | None) -> str | None:
        if key is None:
            return None
        try:
            value = await self.redis.get(key)
        except RedisError as exc:
            self._redis_failed("cache_get", exc)
            return None  # a cache outage slows searches down; it never fails them
        if not value:
            return None
        # The entry is the response body itself: decoding is only the bytes to text, when the client gave bytes.
        with self.result_codec.deserialize.time():
            return value if isinstance(value, str) else value.decode()

    async def _cache_set(self, key: str | None, body: str) -> None:
        if key is None:
            return
        try:
            await self.redis.set(key, body, ex=self.settings.search_cache_ttl_seconds)
        except RedisError as exc:
            self._redis_failed("cache_set", exc)

    def _redis_failed(self, operation: str, exc: RedisError) -> None:
        """A Redis error a search survives: counted every time, logged at most once a minute per operation (an outage
        would otherwise write a line per search)."""
        metrics.REDIS_ERRORS.labels(operation).inc()
        now = time.monotonic()
        if now - self._redis_logged.get(operation, -REDIS_LOG_INTERVAL) >= REDIS_LOG_INTERVAL:
            self._redis_logged[operation] = now
            log.warning("search.redis_failed", operation=operation, error=f"{type(exc).__name__}: {exc}")

    async def invalidate_cache(self) -> None:
        try:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.incr(GENERATION_KEY)
                pipe.set(GENERATION_AT_KEY, time.time(), ex=3600)
                await pipe.execute()
        except RedisError:
            log.warning("search.cache_invalidation_failed")

    async def announce_changes(self, run: str) -> None:
        """Wake the followers of the change log (the agent's alerts) now rather than at their next poll; the log in
        PostgreSQL is the record, this is only a nudge, so a lost one costs a poll interval and nothing else."""
        try:
            await self.redis.publish(CHANGES_CHANNEL, run)
            await self.repository.prune_changes(CHANGES_KEPT_DAYS)
        except (RedisError, asyncpg.PostgresError, OSError):
            log.warning("search.changes_announce_failed")

    async def changes(self, after: int | None, limit: int) -> ListingChanges:
        """The change log after `after`; without it, none, and where the log stands (a new follower starts there)."""
        last = await self.repository.last_change()
        if after is None:
            return ListingChanges(changes=[], last_seq=last)
        rows = await self.repository.changes_after(after, limit)
        changes = [
            ListingChange(seq=r["seq"], kind=r["kind"], price=r["change_price"], previous_price=r["previous_price"],
                          at=r["at"], listing=Property(**{k: r[k] for k in PROPERTY_FIELDS}))
            for r in rows
        ]  # fmt: skip
        return ListingChanges(changes=changes, last_seq=last)

    # ---- reads ----

    async def get(self, listing_id: uuid.UUID) -> Property:
        row = await self.repository.get(listing_id)
        if row is None:
            raise NotFoundError(f"no property with id {listing_id}")
        return Property(**dict(row))

    async def get_by_source(self, source_id: str) -> Property:
        row = await self.repository.get_by_source(source_id)
        if row is None:
            raise NotFoundError(f"no property with source id {source_id}")
        return Property(**dict(row))

    def parse(self, text: str) -> ParsedQueryOut:
        """What the search understands of a buyer's words (the agent's rules brain reads requests with it)."""
        query = self._check(SearchRequest(query=text))
        parsed = self.parsed_queries.get(query)
        if parsed is None:
            parsed = self.parsed_queries[query] = parse_query(query)
        return ParsedQueryOut(
            filters=parsed.filters.model_dump(exclude_none=True), text=parsed.text, understood=list(parsed.understood),
            order=parsed.order or "relevance", regions=list(parsed.regions),
            places=folded_into_regions(parsed.filters.locations or []), currency=parsed.currency,
        )  # fmt: skip

    async def list(
        self, filters: SearchFilters, limit: int, cursor: str | None, order: ListOrder = "newest"
    ) -> PropertyPage:
        """A page of the listings that pass the filters, newest first or in price or size order (ties by id),
        keyset-paginated: the cursor holds the last listing's sort key, and the order it was given out for."""
        if order != "newest":
            return await self._list_ordered(filters, limit, cursor, order)
        after = None
        if cursor is not None:
            created, listing_id = decode_cursor(cursor, 2)
            try:
                after = (datetime.fromisoformat(created), uuid.UUID(listing_id))
            except ValueError:
                raise InvalidCursorError("the cursor is not one this service gave out") from None
        rows = await self.repository.list_page(filters, limit + 1, after)
        page = [Property(**dict(row)) for row in rows[:limit]]
        next_cursor = encode_cursor(page[-1].created_at.isoformat(), page[-1].id) if len(rows) > limit else None
        return PropertyPage(results=page, next_cursor=next_cursor)

    async def _list_ordered(
        self, filters: SearchFilters, limit: int, cursor: str | None, order: ListOrder
    ) -> PropertyPage:
        """A page in price, size or price-per-square-metre order, ties by id; the cursor holds the last listing's price,
        size or price per square metre, its id and the order it was given out for."""
        by_size = order in ("size_desc", "size_asc")
        after = None
        if cursor is not None:
            cursor_order, key, listing_id = decode_cursor(cursor, 3)
            if cursor_order != order:
                raise InvalidCursorError("the cursor belongs to another order")
            try:
                after = (float(key) if by_size else int(key), uuid.UUID(listing_id))
            except ValueError:
                raise InvalidCursorError("the cursor is not one this service gave out") from None
            # A price or a size no listing has (a forged cursor) would overflow its column's type: refused as such.
            if not (math.isfinite(after[0]) and 0 <= after[0] <= _MOST_ORDER_KEY):
                raise InvalidCursorError("the cursor is not one this service gave out")
        descending = ORDER_KEYS[order][1]
        model = self.embedder.model
        async with self.repository.on_one_connection() as repository:
            found: Sequence[Priced | Sized] = await (
                repository.by_size(
                    filters, model, None, limit + 1, descending=descending, after=after, column=_MEASURED[order][0]
                )
                if order in _MEASURED
                else repository.by_price(filters, model, None, limit + 1, descending=descending, after=after)
            )
            page = [Property(**dict(row)) for row in await _in_order(repository, [f.id for f in found[:limit]])]
        last = found[limit - 1] if len(found) > limit else None
        if last is None:
            return PropertyPage(results=page, next_cursor=None)
        # A size as the database holds it (a real), written so that it reads back to the same number.
        key_text = (repr(last.key) if by_size else str(int(last.key))) if isinstance(last, Sized) else str(last.price)
        return PropertyPage(results=page, next_cursor=encode_cursor(order, key_text, last.id))

    async def market_stats(
        self, location: str | None, property_type: str | None, max_price: int | None = None,
        *, places: Sequence[str] | None = None, bedrooms: int | None = None,
    ) -> MarketStats:  # fmt: skip
        """The area's figures (or those of `places` set side by side, canonical names; of the listings with `bedrooms`
        bedrooms only, when given), kept in the result cache until
        the next ingest: the medians sort every matching listing, seconds for a whole market of a million, and listing
        pages and valuations ask for the same areas."""
        generation, _ = await self._read(None)
        # The day too: the recent changes are of a window that moves with it.
        today = datetime.now(UTC).date().isoformat()
        asked = [location, property_type, max_price, today, list(places) if places else None, bedrooms]
        area = hashlib.sha256(json.dumps(asked).encode()).hexdigest()[:16]
        cache_key = None if generation is None else f"search:stats:{generation}:{area}"
        cached = await self._cache_get(cache_key)
        if cached is not None:
            return MarketStats.model_validate_json(cached)
        stats = await self._compute_market_stats(location, property_type, max_price, places, bedrooms)
        await self._cache_set(cache_key, stats.model_dump_json())
        return stats

    async def _compute_market_stats(
        self, location: str | None, property_type: str | None, max_price: int | None, compared: Sequence[str] | None,
        bedrooms: int | None,
    ) -> MarketStats:  # fmt: skip
        places = list(REGION_PLACES[location]) if location in REGION_PLACES else list(compared) if compared else None
        where = list(REGION_LOCATIONS[location]) if location in REGION_PLACES else places or (
            [location] if location else None
        )  # fmt: skip
        # A region, places side by side or the whole market: each place's figures too ("which area?").
        figures = await self.repository.market_stats(
            where,
            property_type,
            max_price,
            by_location=location is None or bool(places),
            recent_days=CHANGES_KEPT_DAYS,
            bedrooms=bedrooms,
        )
        overall, recent = figures["overall"], figures["recent"]
        return MarketStats(
            location=location,
            places=places,
            type=property_type,
            budget=max_price,
            bedrooms=bedrooms,
            count=overall.get("count", 0),
            median_price_per_sqm=_round(overall.get("median_price_per_sqm")),
            mean_price_per_sqm=_round(overall.get("mean_price_per_sqm")),
            median_price=_round(overall.get("median_price")),
            min_price=overall.get("min_price"),
            max_price=overall.get("max_price"),
            by_delivery_year=[
                YearStats(
                    delivery_year=row["delivery_year"],
                    count=row["count"],
                    median_price_per_sqm=_round(row["median_price_per_sqm"]),
                    mean_price_per_sqm=_round(row["mean_price_per_sqm"]),
                )
                for row in figures["by_delivery_year"]
            ],
            by_location=[
                PlaceStats(
                    location=row["location"],
                    count=row["count"],
                    median_price_per_sqm=_round(row["median_price_per_sqm"]),
                    median_size_sqm=_round(row["median_size_sqm"]),
                    ready_median_price_per_sqm=_round(row["ready_median_price_per_sqm"]),
                    off_plan_median_price_per_sqm=_round(row["off_plan_median_price_per_sqm"]),
                )
                for row in figures["by_location"]
            ],
            recent=RecentChanges(
                days=CHANGES_KEPT_DAYS,
                new_listings=recent.get("new_listings") or 0,
                price_drops=recent.get("price_drops") or 0,
                median_drop_pct=None if recent.get("median_drop_pct") is None else round(recent["median_drop_pct"], 1),
            ),
        )

    async def comparables(
        self, location: str, property_type: str, size_sqm: float, bedrooms: int | None, limit: int,
        finishing: str | None = None,
    ) -> Comparables:  # fmt: skip
        rows = await self.repository.comparables(location, property_type, size_sqm, bedrooms, limit, finishing)
        comparables = [
            Comparable(**{k: v for k, v in dict(row).items() if k != "size_gap"}, size_gap_sqm=row["size_gap"])
            for row in rows
        ]
        per_sqm = median(c.price_per_sqm for c in comparables) if comparables else None
        return Comparables(
            location=location,
            type=property_type,
            size_sqm=size_sqm,
            finishing=finishing,
            same_finishing=sum(1 for c in comparables if finishing and c.finishing == finishing),
            estimated_price=round(per_sqm * size_sqm, -4) if per_sqm else None,
            median_price_per_sqm=per_sqm,
            comparables=comparables,
        )

    # ---- ingestion ----

    async def ingest(
        self,
        items: Iterable[ListingIn | RejectedRecord],
        source: str,
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        run_id, tally, seconds = await self.ingestor.ingest(items, source, progress)
        if tally.inserted or tally.updated:
            await self.invalidate_cache()
            await self.announce_changes(str(run_id))
        report: dict[str, Any] = tally.as_dict()
        report["rejections"] = [Rejection(**r) for r in tally.rejections]
        return IngestReport(run_id=run_id, source=source, seconds=round(seconds, 3), **report)

    async def read_features(self, batch: int = 1000) -> int | None:
        """Read every listing's features again when the words they were read with (features.VOCABULARY, kept in
        settings) are not today's: a new feature or spelling reaches the listings already stored, not only those
        ingested next. Each is read from its title, its description and what its source stated (migration 0014;
        before it, the features it has, so the new words only add). Batch by batch in id order with the ingest's own
        reader, a listing written only when its features change; idempotent, so two workers doing it at once only
        repeat work. Returns how many listings changed, None when they were all read with today's words."""
        if await self.repository.get_setting(FEATURES_READ_SETTING) == VOCABULARY:
            return None
        changed, after = 0, None
        while rows := await self.repository.features_to_read(after, batch):
            read: list[tuple[uuid.UUID, str, list[str]]] = []
            for row in rows:
                had = row["features"]  # NULL: stored before features were read at all (migration 0005)
                stated = row["stated_features"] if row["stated_features"] is not None else (had or ())
                features = listing_features(row["title"], row["description"], stated)
                if had is None or features != list(had):
                    read.append((row["id"], row["content_hash"], features))
            changed += await self.repository.replace_features(read)
            after = rows[-1]["id"]
        await self.repository.set_setting(FEATURES_READ_SETTING, VOCABULARY)
        if changed:
            await self.invalidate_cache()
        return changed

    async def reindex(self, batch: int, progress: Callable[[int], None] | None = None) -> int:
        """Re-embed every listing made by another model with the current one (through the cache), batch by batch;
        until it finishes, those listings are left out of searches rather than compared across models."""
        model = self.embedder.model
        done = 0
        while rows := await self.repository.texts_to_reindex(model, batch):
            vectors, _, _ = await self.embeddings.vectors_for([row["embedding_text"] for row in rows])
            await self.repository.set_embeddings(model, [(row["id"], v) for row, v in zip(rows, vectors, strict=True)])
            done += len(rows)
            if progress:
                progress(len(rows))
        if done:
            await self.repository.prune_profiles()
            await self.invalidate_cache()
        return done


async def _scored(
    repository: ListingRepository, page: list[tuple[uuid.UUID, float, float | None]]
) -> list[ScoredProperty]:
    """A page's listings, in its order, each with its (id, score, similarity); one that went away meanwhile is left
    out."""
    rows = await _in_order(repository, [id_ for id_, _, _ in page])
    scores = {id_: (score, similarity) for id_, score, similarity in page}
    return [
        # Validated although the rows are our own table's: pydantic-core's validation takes half the time of
        # model_construct, which is Python (0.12 against 0.24 ms for a page of 10, measured), for the same JSON.
        ScoredProperty.model_validate({**row, "score": scores[row["id"]][0], "similarity": scores[row["id"]][1]})
        for row in rows
    ]


async def _in_order(repository: ListingRepository, ids: list[uuid.UUID]) -> list[asyncpg.Record]:
    """The listings of these ids, in their order; one that went away meanwhile is left out."""
    rows = {row["id"]: row for row in await repository.get_many(ids)} if ids else {}
    return [rows[id_] for id_ in ids if id_ in rows]


def _round(value: Any) -> float | None:
    return None if value is None else round(float(value), 1)


def _as_bytes(value: bytes | str) -> bytes:
    # The client returns bytes (no decode_responses); the union is redis-py's typing.
    return value if isinstance(value, bytes) else value.encode()
