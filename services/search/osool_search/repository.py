"""Every SQL statement of the search service: listings, vectors, the embedding cache, ingest runs, market figures;
each on the server it belongs on (the reads of searches, listings and market figures on the read pool)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple, TypeAlias

import asyncpg
import numpy as np
from asyncpg.pool import PoolConnectionProxy

from osool_common.listing_filters import FILTER_RULES, FilterRule, column_sql
from osool_common.replicas import ReadConnection, ReadPool
from osool_search.filters import SearchFilters
from osool_search.gazetteer import PROPERTY_TYPES

# The listing's own fields, in table order; what ingestion writes and every read returns.
LISTING_COLUMNS: tuple[str, ...] = (
    "source_id", "title", "description", "type", "location", "compound", "developer", "price", "price_per_sqm",
    "size_sqm", "bedrooms", "bathrooms", "finishing", "delivery_year", "is_delivered", "sale_type",
    "down_payment_pct", "installment_years", "monthly_installment", "is_cash_only", "image_url", "source_url",
    "is_available", "features", "floor",
)  # fmt: skip
# And what ingestion writes besides: the features the source stated as it stated them (migration 0014), the hash, the
# embedding and what it was made from.
WRITE_COLUMNS: tuple[str, ...] = (
    *LISTING_COLUMNS, "stated_features", "content_hash", "embedding_text", "embedding_model", "embedding"
)  # fmt: skip


def _read_columns(alias: str = "") -> str:
    # Features are NULL only until the service has read those of listings stored before migration 0005.
    on = f"{alias}." if alias else ""
    return ", ".join(
        f"coalesce({on}{c}, '{{}}') AS {c}" if c == "features" else f"{on}{c}"
        for c in ("id", *LISTING_COLUMNS, "embedding_model", "created_at", "updated_at")
    )


READ_COLUMNS = _read_columns()


# The text branch ranks at most this many times k of a query's matches (see candidates()).
TEXT_BOUND_FACTOR = 10

# What runs a single statement: the pool, or one of its connections (or a plain connection).
Queryable = asyncpg.Pool | asyncpg.Connection | PoolConnectionProxy
# What runs a read: the above, or the read pool (a replica within the lag limit, else the primary) or one of its.
Readable: TypeAlias = asyncpg.Pool | asyncpg.Connection | PoolConnectionProxy | ReadPool | ReadConnection


class _Params:
    """Positional parameters for one statement: every value goes through asyncpg, never into the SQL text."""

    def __init__(self, *initial: Any) -> None:
        self.values: list[Any] = list(initial)

    def __call__(self, value: Any) -> str:
        self.values.append(value)
        return f"${len(self.values)}"


# What a profile fixes (see migration 0003): a filter on one of these is checked on the profile, once for all of its
# listings, when the query joins profiles (an exclusion too: a profile's NULL compound is its listings' NULL). The
# latest-delivery-year rule also reads delivery_year, a listing column.
PROFILE_COLUMNS = ("bedrooms", "type", "location", "compound", "developer", "finishing", "is_delivered", "sale_type")


# The most rows a price order's walk reads when its index does not answer every filter; past them, a walk that has
# not met its matches gives way to another reading of the page (repository.by_price).
WALK_ROWS = 1_000
# The most walks one price order merges (see _price_walks): a walk per type is eleven, per place and type two places.
MAX_PRICE_WALKS = 24


def _on_profile(rule: FilterRule) -> bool:
    return rule.column in PROFILE_COLUMNS and not rule.delivered_passes


def narrows_profiles(filters: SearchFilters) -> bool:
    """Whether the filters rule out profiles (not only some listings of a profile): then the few profiles left are
    ranked exactly, which costs less than walking the HNSW graph past every profile the filters reject. An exclusion
    alone ("not a villa") leaves most profiles, which the index walks past more cheaply than an exact ranking."""
    # Being in some compound leaves most profiles too; being in none is a few.
    return any(
        _on_profile(rule) and rule.op != "not in" and not (rule.op == "present" and wanted)
        for rule, wanted in ((FILTER_RULES[name], wanted) for name, wanted in filters.applied().items())
    )


class _Walk(NamedTuple):
    """One walk of a price order: the filters its rows must pass, and those its index answers as it walks."""

    filters: SearchFilters
    on_index: SearchFilters


def _price_walks(filters: SearchFilters) -> list[_Walk]:
    """The walks a price order merges. A few compounds: a walk per compound, along its (compound, price) index.
    Otherwise a walk per type the filters leave (every type a listing can have, as migration 0011 holds them to),
    along the (type, price) index, or along (location, type, price) per place and type when the filters name a few
    places: a type's listings in price order hold its matches spread through them, where the price index of every
    type holds the cheap apartments before any villa and the dear villas after every apartment. No walk: no type is
    left."""
    prices = {"min_price": filters.min_price, "max_price": filters.max_price}
    if filters.compounds and len(filters.compounds) <= MAX_PRICE_WALKS:
        return [
            _Walk(filters.model_copy(update={"compounds": [compound]}), SearchFilters(compounds=[compound], **prices))
            for compound in filters.compounds
        ]
    excluded = set(filters.exclude_property_types or ())
    types = [t for t in (filters.property_types or PROPERTY_TYPES) if t not in excluded]
    places: list[str | None] = [None]
    if filters.locations and len(filters.locations) * len(types) <= MAX_PRICE_WALKS:
        places = list(filters.locations)
    walks = []
    for place in places:
        for ptype in types:
            on_index = {"property_types": [ptype], **({"locations": [place]} if place else {})}
            walks.append(
                _Walk(
                    filters.model_copy(update={"exclude_property_types": None, **on_index}),
                    SearchFilters(**on_index, **prices),
                )
            )
    return walks


def _capped_walk(column: str, direction: str, model: str, walked: str, passes: str, limit: str, rows: str) -> str:
    """One walk of an order by `column` (price, size_sqm, price_per_sqm): the rows its index answers (`walked`) in that
    order, up to `rows`, each marked whether it passes every filter (`passes`); the matches and, when the walk reads
    that far, its last row (`stopped`): past it, the walk has not looked. `model` is the model's parameter."""
    return (
        f"SELECT id, {column}, profile_key, ok, walked = {rows} AS stopped FROM (SELECT p.id, p.{column}, "
        f"p.profile_key, ({passes}) AS ok, row_number() OVER (ORDER BY p.{column} {direction}, p.id) AS walked "
        f"FROM properties p WHERE p.embedding_model = {model} AND {walked} ORDER BY p.{column} {direction}, p.id "
        f"LIMIT {rows}) w WHERE ok OR walked = {rows} ORDER BY {column} {direction}, id LIMIT {limit}"
    )


def _past(column: str, after: tuple[float, uuid.UUID] | None, descending: bool, params: _Params) -> str:
    """The condition of a keyset page of an order by `column` (price, size_sqm, price_per_sqm) with ties by id: the
    rows past the last one shown (`after`, its value and id), or nothing for the first page. The bound on the column
    alone lets an index seek to it."""
    if after is None:
        return ""
    value, last = params(after[0]), params(after[1])
    past, bound = ("<", "<=") if descending else (">", ">=")
    return f" AND p.{column} {bound} {value} AND (p.{column} {past} {value} OR p.id > {last})"


def _met_before_a_stop(rows: Sequence[asyncpg.Record]) -> tuple[list[asyncpg.Record], bool]:
    """Merged walks' rows in order: the matches up to the first row where a walk stopped (past it, that walk has not
    looked), and whether one did."""
    met: list[asyncpg.Record] = []
    for row in rows:
        met += [row] if row["ok"] else []
        if row["stopped"]:
            return met, True
    return met, False


def _profile_and_listing(
    filters: SearchFilters, params: _Params, *, equality: bool = False
) -> tuple[list[str], list[str]]:
    """The filters' conditions on a profile (alias f) and on a listing (alias p), a listing's features checked on the
    rows read rather than through their index (see _nearest_by_profile)."""
    conditions = _conditions(filters, params, listing="p", profile="f", indexed=False, equality=equality)
    return [c for profile, c in conditions if profile], [c for profile, c in conditions if not profile]


def _capped_count(filters: SearchFilters, params: _Params, cap: int) -> str:
    """A subquery counting the listings that pass the filters up to `cap` (it stops reading there); $1 is the model."""
    return (
        f"SELECT count(*) FROM (SELECT 1 FROM properties WHERE embedding_model = $1 AND {_where(filters, params)} "
        f"LIMIT {params(cap)}) s"
    )


def _where(
    filters: SearchFilters, params: _Params, *, listing: str = "", profile: str | None = None, equality: bool = False
) -> str:
    """The SQL form of the filters, from the same rules as filters.violations(). `listing` and `profile` are the
    table aliases when the query joins listings to their profiles. `equality`: one value of a list filter as an
    equality rather than `= ANY` of one (a price order's statements: the planner then walks a (location, type, price)
    index in price order for it, where "= ANY" of one value read the price index from the bottom, 22 ms against 0.6
    at 100,000 listings, measured; the other statements keep the plans they were measured with)."""
    conditions = _conditions(filters, params, listing=listing, profile=profile, equality=equality)
    return " AND ".join(condition for _, condition in conditions)


def _conditions(
    filters: SearchFilters,
    params: _Params,
    *,
    listing: str = "",
    profile: str | None = None,
    indexed: bool = True,
    equality: bool = False,
) -> list[tuple[bool, str]]:
    """Each condition of _where, with whether it is checked on the profile. `indexed=False` writes a listing's
    features so that no index answers them (see _nearest_by_profile)."""
    on_listing = f"{listing}." if listing else ""
    conditions = [(False, f"{on_listing}is_available")]
    for name, wanted in filters.applied().items():
        rule = FILTER_RULES[name]  # constant column names and operators only; values are parameters
        on_profile = profile is not None and _on_profile(rule)
        column = column_sql(rule.column, profile if on_profile else listing)
        if rule.op == "in" and equality and len(wanted) == 1:
            condition = f"{column} = {params(wanted[0])}"
        elif rule.op == "in":
            condition = f"{column} = ANY({params(list(wanted))})"
        elif rule.op == "not in":  # a listing with no value is not one of those ruled out (as violations() reads it)
            condition = f"({column} IS NULL OR NOT ({column} = ANY({params(list(wanted))})))"
        elif rule.op == "all":  # a list column holding every one (the GIN index answers @>)
            target = column if indexed else f"coalesce({column}, '{{}}')"
            condition = f"{target} @> {params(list(wanted))}::text[]"
        elif rule.op == "present":  # no parameter: the wanted value picks the test
            condition = f"{column} IS NOT NULL" if wanted else f"{column} IS NULL"
        elif rule.op == "none":
            condition = f"({column} IS NULL OR NOT ({column} && {params(list(wanted))}::text[]))"
        else:
            condition = f"{column} {rule.op} {params(wanted)}"
        conditions.append(
            (on_profile, f"({on_listing}is_delivered OR {condition})" if rule.delivered_passes else condition)
        )
    return conditions


def _nearest(filters: SearchFilters, params: _Params, k: int, *, exact: bool, spread: bool = False) -> str:
    """The k nearest listings that pass the filters, as (id, distance): profiles in order of distance to the vector
    in $1 among those of the model in $2 (the HNSW index with an iterative scan; `exact` orders by the computed
    distance instead), each joined to its listings. `spread` (exact only): the nearest of each place first, then the
    second nearest of each, and so on (see _nearest_by_profile)."""
    if spread and exact:
        return (
            "SELECT id, distance FROM (SELECT p.id, f.embedding <=> $1 AS distance, row_number() OVER (PARTITION BY "
            "p.location ORDER BY f.embedding <=> $1, p.id) AS in_place FROM profiles f JOIN properties p ON "
            f"p.profile_key = f.key WHERE f.model = $2 AND {_where(filters, params, listing='p', profile='f')}) s "
            f"ORDER BY in_place, distance LIMIT {params(k)}"
        )
    order = "(f.embedding <=> $1) + 0" if exact else "f.embedding <=> $1"
    return (
        "SELECT p.id, f.embedding <=> $1 AS distance FROM profiles f JOIN properties p ON p.profile_key = f.key "
        f"WHERE f.model = $2 AND {_where(filters, params, listing='p', profile='f')} "
        f"ORDER BY {order} LIMIT {params(k)}"
    )


def _nearest_by_profile(filters: SearchFilters, params: _Params, k: int, profiles: int, *, spread: bool = False) -> str:
    """The k nearest listings that pass the filters among those of the `profiles` nearest profiles that pass the
    profile's filters: those profiles ranked exactly, then each one's listings read in turn through the profile
    index, until k pass the listing's own filters (a feature, a price). The same answer as the exact _nearest when k
    are found (a listing shares its profile's distance), read from a few profiles' listings where _nearest reads every
    listing that passes first: "a villa with a pool" is a few dozen rows, where _nearest joins every villa with a
    pool to its profile (1,900 at 100,000 listings, ten times as many at 1,000,000). Features are checked on the
    rows read, not through their index: the planner, which takes two features as independent (a basement and a
    maid's room come together), would otherwise read the whole feature index once for every profile."""
    # `passing`: how many profiles pass in all; no more than `profiles` means every listing that passes was read.
    if spread:
        # Each place in turn (a lateral join over the filters' places): that place's nearest profiles, their listings
        # read until k pass, as below, so each place stops early; then the nearest of each place, the second of each,
        # ... Ranking every place's profiles at once and numbering all their listings read every listing of the 200
        # nearest profiles (p99 1.2 s at 1,000,000 listings, measured).
        others = filters.model_copy(update={"locations": None})
        profile_conditions, listing_conditions = _profile_and_listing(others, params)
        on_profile = " AND ".join(["f.model = $2", "f.location = place.name", *profile_conditions])
        on_listing = " AND ".join(["p.profile_key = d.key", *listing_conditions])
        places, limit = params(list(filters.locations or ())), params(k)
        return (
            "SELECT id, distance, passing FROM (SELECT x.id, x.distance, x.passing, row_number() OVER (PARTITION BY "
            f"place.name ORDER BY x.distance, x.id) AS in_place FROM unnest({places}::text[]) AS place(name) "
            "CROSS JOIN LATERAL (SELECT l.id, d.distance, d.passing FROM (SELECT f.key, f.embedding <=> $1 AS "
            f"distance, count(*) OVER () AS passing FROM profiles f WHERE {on_profile} ORDER BY 2 "
            f"LIMIT {params(profiles)}) d CROSS JOIN LATERAL (SELECT p.id FROM properties p WHERE {on_listing} "
            f"LIMIT {limit}) l ORDER BY d.distance LIMIT {limit}) x) s ORDER BY in_place, distance LIMIT {limit}"
        )
    profile_conditions, listing_conditions = _profile_and_listing(filters, params)
    on_profile = " AND ".join(["f.model = $2", *profile_conditions])
    on_listing = " AND ".join(["p.profile_key = d.key", *listing_conditions])
    return (
        "SELECT l.id, d.distance, d.passing FROM (SELECT f.key, f.embedding <=> $1 AS distance, count(*) OVER () "
        f"AS passing FROM profiles f WHERE {on_profile} ORDER BY 2 LIMIT {params(profiles)}) d "
        f"CROSS JOIN LATERAL (SELECT p.id FROM properties p WHERE {on_listing} LIMIT {params(k)}) l "
        f"ORDER BY d.distance LIMIT {params(k)}"
    )


class Candidate(NamedTuple):
    """One listing a search may rank, with its signals (a tuple: a search builds 40 to 80 of them)."""

    id: uuid.UUID
    distance: float | None
    text_rank: float | None
    title_similarity: float | None
    location: str = ""


class Priced(NamedTuple):
    """A listing in a price order, with its profile's distance to the query (None when no query was given)."""

    id: uuid.UUID
    price: int
    distance: float | None


# The columns an order other than the price's walks (repository.by_size): written into its SQL, so never free text.
MeasuredColumn = Literal["size_sqm", "price_per_sqm"]


class Sized(NamedTuple):
    """A listing in a size order, or in order of its price per square metre: its size or that price (`key`), with its
    profile's distance to the query (None when no query was given)."""

    id: uuid.UUID
    key: float
    distance: float | None


@dataclass(frozen=True)
class ExistingListing:
    content_hash: str
    embedding_model: str


class ListingRepository:
    """`reads`: the service's read pool. What buyers and the agent read (searches, listings, market figures) goes
    there, a few seconds behind the primary at most, which a listing read or a market figure can be. The rest stays on
    the primary: writes, and the reads of ingestion, reindexing, the change log and the settings, which must see what
    was just written (each says why)."""

    def __init__(self, pool: asyncpg.Pool, reads: Readable | None = None) -> None:
        self.pool = pool  # transactions acquire from it
        self.db: Queryable = pool  # single statements on the primary run on it
        self.reads: Readable = pool if reads is None else reads

    @asynccontextmanager
    async def on_one_connection(self) -> AsyncIterator[ListingRepository]:
        """This repository with its reads on one connection, acquired once (a search runs two statements, and an
        acquire and release cost about 0.25 ms each, measured)."""
        if not isinstance(self.reads, asyncpg.Pool | ReadPool):
            yield self
            return
        async with self.reads.acquire() as connection:
            yield ListingRepository(self.pool, connection)

    # ---- reads (on the read pool) ----

    async def get(self, listing_id: uuid.UUID) -> asyncpg.Record | None:
        return await self.reads.fetchrow(f"SELECT {READ_COLUMNS} FROM properties WHERE id = $1", listing_id)

    async def get_by_source(self, source_id: str) -> asyncpg.Record | None:
        return await self.reads.fetchrow(f"SELECT {READ_COLUMNS} FROM properties WHERE source_id = $1", source_id)

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[asyncpg.Record]:
        return await self.reads.fetch(f"SELECT {READ_COLUMNS} FROM properties WHERE id = ANY($1::uuid[])", list(ids))

    async def list_page(
        self, filters: SearchFilters, limit: int, after: tuple[datetime, uuid.UUID] | None
    ) -> list[asyncpg.Record]:
        """Newest first, keyset-paginated on (created_at, id)."""
        params = _Params()
        where = _where(filters, params)
        if after is not None:
            where += f" AND (created_at, id) < ({params(after[0])}, {params(after[1])})"
        sql = (
            f"SELECT {READ_COLUMNS} FROM properties WHERE {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT {params(limit)}"
        )
        return await self.reads.fetch(sql, *params.values)

    async def count_matching(self, filters: SearchFilters, model: str, cap: int) -> int:
        """How many listings match, counted up to `cap` (enough to know whether a page can be full)."""
        params = _Params(model)
        return int(await self.reads.fetchval(_capped_count(filters, params, cap), *params.values))

    async def counts_matching(self, variants: Sequence[SearchFilters], model: str, cap: int) -> list[int]:
        """For each set of filters, how many listings pass it, counted up to `cap`, in one statement (what a search
        that found nothing would find with one group of its filters given up)."""
        params = _Params(model)
        columns = [f"({_capped_count(filters, params, cap)})" for filters in variants]
        if not columns:
            return []
        row = await self.reads.fetchrow(f"SELECT {', '.join(columns)}", *params.values)
        assert row is not None
        return [int(count) for count in row.values()]

    async def cheapest_matching(self, filters: SearchFilters, model: str, walk_rows: int = WALK_ROWS) -> int | None:
        """The lowest price among the listings that pass the filters (by_price's first, without a vector)."""
        cheapest = await self.by_price(filters, model, None, 1, walk_rows=walk_rows)
        return cheapest[0].price if cheapest else None

    async def by_price(
        self,
        filters: SearchFilters,
        model: str,
        vector: np.ndarray | None,
        k: int,
        *,
        descending: bool = False,
        after: tuple[int, uuid.UUID] | None = None,
        walk_rows: int = WALK_ROWS,
    ) -> list[Priced]:
        """The k cheapest (or dearest) listings that pass the filters, in price order with ties by id, each with its
        profile's distance to the vector (None without one); with `after` (a price and an id), those past it in that
        order (a keyset page).

        Walks along the price indexes, merged: one per type the filters leave (per place and type when they name a
        few places, per compound when they name a few: see _price_walks), each reading its listings in price order
        until its k-th match. (One walk along the price index of every type read, for the dearest non-villas of a
        place, every dearer villa of every place first: 500 ms at 1,000,000 listings.) When the walks' indexes answer
        every filter, every row they read is a match. Otherwise each walk checks the rest on its rows and reads
        `walk_rows` at most: the matches met before the first walk that stopped short are the answer when they are k.
        When they are not (a rare filter, or one that follows the price: "under 50,000 a month", dearest first), a
        feature asked for goes to the planner's choice for each walk with every filter (the feature's GIN index when
        it is rare), and the rest to the profiles' walks: each profile that passes, its listings in price order from
        its covering index (migrations 0009, 0015), which holds every other listing filter's column. The planner given
        every filter at once walked the whole (place, type) index for "corner apartment in New Cairo" (100 ms at
        1,000,000 listings) where the walk meets ten corner units within 1,000 rows (0.3 ms). Only the page's rows are
        joined to their profiles for the distance."""
        direction = "DESC" if descending else "ASC"
        order = f"ORDER BY t.price {direction}, t.id"

        def past_after(params: _Params) -> str:
            return _past("price", after, descending, params)

        def matching(params: _Params, walk: SearchFilters) -> str:
            where = _where(walk, params, listing="p", equality=True) + past_after(params)
            return (
                "SELECT p.id, p.price, p.profile_key, true AS ok, false AS stopped FROM properties p "
                f"WHERE p.embedding_model = $1 AND {where}"
            )

        def bounded(params: _Params, walk: _Walk, limit: str, rows: str) -> str:
            # What the walk's index answers, past the last row shown (see _capped_walk).
            on_index = _where(walk.on_index, params, listing="p", equality=True) + past_after(params)
            passes = _where(walk.filters, params, listing="p", equality=True)
            return _capped_walk("price", direction, "$1", on_index, passes, limit, rows)

        def by_profiles(params: _Params) -> str:
            # Each profile that passes, its listings in price order from the profile's covering index (migrations
            # 0009, 0015) up to its k-th match; the profiles' firsts merged.
            profile_conditions, listing_conditions = _profile_and_listing(filters, params, equality=True)
            on_profile = " AND ".join(["f.model = $1", *profile_conditions])
            on_listing = " AND ".join(["p.profile_key = f.key", *listing_conditions])
            limit = params(k)
            return (
                "SELECT l.id, l.price, f.key AS profile_key, true AS ok, false AS stopped FROM profiles f "
                f"CROSS JOIN LATERAL (SELECT p.id, p.price FROM properties p WHERE {on_listing}{past_after(params)} "
                f"ORDER BY p.price {direction}, p.id LIMIT {limit}) l WHERE {on_profile} "
                f"ORDER BY l.price {direction}, l.id LIMIT {limit}"
            )

        def statement(walks: list[_Walk] | None, capped: bool) -> tuple[str, list[Any]]:
            params = _Params(model)
            if walks is None:
                page = by_profiles(params)
            else:
                limit = params(k)
                rows = params(walk_rows) if capped else ""
                merged = " UNION ALL ".join(
                    f"({bounded(params, walk, limit, rows)})"
                    if capped
                    else f"({matching(params, walk.filters)} ORDER BY p.price {direction}, p.id LIMIT {limit})"
                    for walk in walks
                )
                page = f"SELECT * FROM ({merged}) t {order} LIMIT {limit}"
            if vector is None:
                return (
                    f"SELECT t.id, t.price, NULL::float8 AS distance, t.ok, t.stopped FROM ({page}) t {order}",
                    params.values,
                )
            distance = f"f.embedding <=> {params(vector)}"
            sql = (
                f"SELECT t.id, t.price, {distance} AS distance, t.ok, t.stopped FROM ({page}) t "
                f"JOIN profiles f ON f.key = t.profile_key {order}"
            )
            return sql, params.values

        walks = _price_walks(filters)
        if not walks:
            return []
        # When every walk's index answers all its filters, every row it reads is a match: nothing to cap.
        answered = all(walk.filters.applied().keys() == walk.on_index.applied().keys() for walk in walks)
        sql, values = statement(walks, capped=not answered)
        met, stopped = _met_before_a_stop(await self.reads.fetch(sql, *values))
        if stopped and len(met) < k:
            # A feature asked for: the planner's choice for each walk with every filter (its GIN index, when the
            # feature is rare); otherwise the profiles' walks, whose index holds the other listing filters' columns.
            sql, values = statement(walks if filters.features else None, capped=False)
            met = await self.reads.fetch(sql, *values)
        return [
            Priced(row["id"], int(row["price"]), None if row["distance"] is None else float(row["distance"]))
            for row in met
        ]

    async def by_size(
        self,
        filters: SearchFilters,
        model: str,
        vector: np.ndarray | None,
        k: int,
        *,
        descending: bool = True,
        after: tuple[float, uuid.UUID] | None = None,
        walk_rows: int = WALK_ROWS,
        column: MeasuredColumn = "size_sqm",
    ) -> list[Sized]:
        """The k biggest (or smallest) listings that pass the filters, ties by id, each with its profile's distance to
        the vector (None without one); with `after` (a size and an id), those past it in that order (a keyset page).
        `column` price_per_sqm: the same, in order of the price of a square metre (its indexes: migration 0013).
        Walks merged as a price order's (_price_walks): one per place and type along (location, type, size_sqm), or
        per type along (type, size_sqm) (migration 0012), each reading its listings in size order and checking the
        rest of the filters on them, `walk_rows` at most. When a walk stops short of its matches (a budget walks past
        every bigger listing: "3 bedrooms in New Cairo under 5 million", biggest first, read 100,000 rows for 450 ms
        at 1,000,000 listings), or compounds are named (a few hundred listings, and no index of theirs by size), every
        match is sorted: those of the profiles that pass from the profiles' covering index when the filters rule out
        profiles (a type, a place, rooms), else from the index the planner picks for the filters."""
        direction = "DESC" if descending else "ASC"
        order = f"ORDER BY t.{column} {direction}, t.id"

        def past_after(params: _Params) -> str:
            return _past(column, after, descending, params)

        def bounded(params: _Params, walk: _Walk, limit: str, rows: str) -> str:
            # As by_price's (_capped_walk). The budget is checked on the rows, not on the walk: the size index does
            # not hold it.
            on_index = walk.on_index.model_copy(update={"min_price": None, "max_price": None})
            walked = _where(on_index, params, listing="p", equality=True) + past_after(params)
            passes = _where(walk.filters, params, listing="p", equality=True)
            return _capped_walk(column, direction, "$1", walked, passes, limit, rows)

        def statement(walks: list[_Walk] | None) -> tuple[str, list[Any]]:
            params = _Params(model)
            limit = params(k)
            if walks is None and narrows_profiles(filters):
                # The profiles that pass, each one's listings read from the profile's covering index (migrations
                # 0009, 0015), which holds the size and the other listing filters' columns: no listing row is read.
                profile_conditions, listing_conditions = _profile_and_listing(filters, params)
                on = " AND ".join(["f.model = $1", "p.profile_key = f.key", *profile_conditions, *listing_conditions])
                page = (
                    f"SELECT p.id, p.{column}, p.profile_key, true AS ok, false AS stopped FROM profiles f JOIN "
                    f"properties p ON p.profile_key = f.key WHERE {on}{past_after(params)} "
                    f"ORDER BY p.{column} {direction}, p.id LIMIT {limit}"
                )
            elif walks is None:
                page = (
                    f"SELECT p.id, p.{column}, p.profile_key, true AS ok, false AS stopped FROM properties p WHERE "
                    f"p.embedding_model = $1 AND {_where(filters, params, listing='p')}{past_after(params)} "
                    f"ORDER BY p.{column} {direction}, p.id LIMIT {limit}"
                )
            else:
                rows = params(walk_rows)
                page = " UNION ALL ".join(f"({bounded(params, walk, limit, rows)})" for walk in walks)
            page = f"SELECT * FROM ({page}) t {order} LIMIT {limit}"
            if vector is None:
                sql = f"SELECT t.id, t.{column}, t.ok, t.stopped, NULL::float8 AS distance FROM ({page}) t {order}"
                return sql, params.values
            sql = (
                f"SELECT t.id, t.{column}, t.ok, t.stopped, f.embedding <=> {params(vector)} AS distance FROM ({page}) "
                f"t JOIN profiles f ON f.key = t.profile_key {order}"
            )
            return sql, params.values

        walks = None if filters.compounds else _price_walks(filters)
        if walks == []:
            return []  # every type ruled out
        met: list[asyncpg.Record] = []
        stopped = walks is None
        if walks:
            sql, values = statement(walks)
            met, stopped = _met_before_a_stop(await self.reads.fetch(sql, *values))
        if stopped and len(met) < k:
            sql, values = statement(None)
            met = await self.reads.fetch(sql, *values)
        return [
            Sized(row["id"], float(row[column]), None if row["distance"] is None else float(row["distance"]))
            for row in met
        ]

    async def any_matching(self, filters: SearchFilters, model: str) -> bool:
        """Whether any listing passes the filters."""
        params = _Params(model)
        sql = f"SELECT EXISTS (SELECT 1 FROM properties WHERE embedding_model = $1 AND {_where(filters, params)})"
        return bool(await self.reads.fetchval(sql, *params.values))

    async def vector_candidates(
        self, filters: SearchFilters, model: str, vector: np.ndarray, k: int, *, exact: bool = False
    ) -> list[tuple[uuid.UUID, float]]:
        """The k nearest listings that pass the filters (see _nearest); for recall measurement."""
        params = _Params(vector, model)
        rows = await self.reads.fetch(_nearest(filters, params, k, exact=exact), *params.values)
        return [(row["id"], float(row["distance"])) for row in rows]

    async def candidates(
        self,
        filters: SearchFilters,
        model: str,
        vector: np.ndarray,
        text: str,
        k: int,
        *,
        exact: bool = False,
        profiles: int | None = None,
        spread: bool = False,
    ) -> tuple[list[Candidate], int, bool]:
        """One statement for the ranking's inputs: the k nearest listings that pass the filters (as in
        vector_candidates; with `profiles`, among the listings of that many nearest profiles, _nearest_by_profile),
        up to k listings whose words match the free text (English or Arabic stems) or whose title is close to it
        (trigrams, for misspelt names), and every signal of each. Returns the candidates and how many the
        nearest-neighbour part found (short of k: the HNSW scan stopped before the filters let k through, or the
        nearest profiles had fewer listings that pass) and whether that is every listing that passes (an exact
        ranking, or every profile that passes was among the nearest read). `spread`: the nearest listings of each of
        the filters' places in turn rather than of all of them (_nearest_by_profile; ranked exactly, _nearest)."""
        params = _Params(vector, model, text)
        if profiles is None:
            nearest = _nearest(filters, params, k, exact=exact, spread=spread)
            passing = "NULL::boolean"
        else:
            nearest = _nearest_by_profile(filters, params, k, profiles, spread=spread)
            passing = f"(SELECT max(passing) FROM nearest) <= {params(profiles)}"
        ctes = [f"nearest AS MATERIALIZED ({nearest})"]
        pool_ids = "SELECT id FROM nearest"
        if text:
            # Ranked within a bound: the first TEXT_BOUND_FACTOR * k matches are ordered by their full-text rank (then
            # title similarity) and the best k kept. Ranking a common word's every match would cost more than the
            # search; taking k unordered would keep whichever rows the index met first, not the best ones.
            ctes.append(
                "matched AS MATERIALIZED (SELECT id FROM (SELECT id, search, title FROM properties "
                f"WHERE embedding_model = $2 AND {_where(filters, params)} AND "
                "(search @@ (websearch_to_tsquery('english', $3) || websearch_to_tsquery('arabic', $3)) "
                f"OR $3 <% title) LIMIT {params(TEXT_BOUND_FACTOR * k)}) bounded "
                "ORDER BY ts_rank_cd(search, websearch_to_tsquery('english', $3) || "
                f"websearch_to_tsquery('arabic', $3)) DESC, word_similarity($3, title) DESC LIMIT {params(k)})"
            )
            pool_ids += " UNION SELECT id FROM matched"
        sql = f"""
            WITH {", ".join(ctes)}
            SELECT p.id, p.location, p.id IN (SELECT id FROM nearest) AS is_nearest, p.embedding <=> $1 AS distance,
                   CASE WHEN $3 = '' THEN NULL ELSE ts_rank_cd(search,
                        websearch_to_tsquery('english', $3) || websearch_to_tsquery('arabic', $3)) END AS text_rank,
                   CASE WHEN $3 = '' THEN NULL ELSE word_similarity($3, title) END AS title_similarity,
                   {passing} AS complete
            FROM properties p WHERE p.id IN ({pool_ids})
        """
        rows = await self.reads.fetch(sql, *params.values)
        found = [
            Candidate(r["id"], float(r["distance"]), r["text_rank"], r["title_similarity"], r["location"]) for r in rows
        ]
        complete = exact or bool(rows and rows[0]["complete"])
        return found, sum(1 for r in rows if r["is_nearest"]), complete

    async def market_stats(
        self, locations: list[str] | None, property_type: str | None, max_price: int | None, *, by_location: bool,
        recent_days: int, bedrooms: int | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        params = _Params()
        wanted = SearchFilters(
            locations=locations, property_types=[property_type] if property_type else None, max_price=max_price,
            bedrooms=bedrooms,
        )  # fmt: skip
        where = _where(wanted, params)
        overall = await self.reads.fetchrow(
            f"""
            SELECT count(*) AS count,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_sqm) AS median_price_per_sqm,
                   avg(price_per_sqm) AS mean_price_per_sqm,
                   min(price) AS min_price, max(price) AS max_price,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY price) AS median_price
            FROM properties WHERE {where}
            """,
            *params.values,
        )
        by_year = await self.reads.fetch(
            f"""
            SELECT delivery_year, count(*) AS count,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_sqm) AS median_price_per_sqm,
                   avg(price_per_sqm) AS mean_price_per_sqm
            FROM properties WHERE {where} GROUP BY delivery_year ORDER BY delivery_year NULLS LAST
            """,
            *params.values,
        )
        by_place = await self.reads.fetch(
            f"""
            SELECT location, count(*) AS count,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_sqm) AS median_price_per_sqm,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY size_sqm) AS median_size_sqm,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_sqm) FILTER (WHERE is_delivered)
                       AS ready_median_price_per_sqm,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY price_per_sqm) FILTER (WHERE NOT is_delivered)
                       AS off_plan_median_price_per_sqm
            FROM properties WHERE {where} GROUP BY location ORDER BY count(*) DESC, location
            """,
            *params.values,
        ) if by_location else []  # fmt: skip
        # The change log's rows of these listings: in the subquery, price is the listing's (the budget's filter).
        recent = await self.reads.fetchrow(
            f"""
            SELECT count(*) FILTER (WHERE kind = 'new') AS new_listings,
                   count(*) FILTER (WHERE kind = 'price_drop') AS price_drops,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY 100.0 * (previous_price - price) / previous_price)
                       FILTER (WHERE kind = 'price_drop') AS median_drop_pct
            FROM listing_changes
            WHERE at > now() - make_interval(days => {params(recent_days)})
              AND listing_id IN (SELECT id FROM properties WHERE {where})
            """,
            *params.values,
        )
        return {
            "overall": dict(overall) if overall else {},
            "by_delivery_year": [dict(row) for row in by_year],
            "by_location": [dict(row) for row in by_place],
            "recent": dict(recent) if recent else {},
        }

    async def comparables(
        self, location: str, property_type: str, size_sqm: float, bedrooms: int | None, limit: int,
        finishing: str | None = None,
    ) -> list[asyncpg.Record]:  # fmt: skip
        """The listings of the same place and kind closest in size (then in bedrooms) to the one being valued; with
        its finishing, those finished the same come first (a core-and-shell unit and a furnished one of one size are
        priced far apart), the others only filling what they leave."""
        params = _Params()
        where = _where(SearchFilters(locations=[location], property_types=[property_type]), params)
        size = params(size_sqm)
        order = [f"abs(size_sqm - {size})", "id"]
        if bedrooms is not None:
            order.insert(0, f"abs(coalesce(bedrooms, 0) - {params(bedrooms)})")
        if finishing is not None:
            order.insert(0, f"(finishing IS DISTINCT FROM {params(finishing)})")
        sql = (
            f"SELECT {READ_COLUMNS}, abs(size_sqm - {size}) AS size_gap FROM properties WHERE {where} "
            f"ORDER BY {', '.join(order)} LIMIT {params(limit)}"
        )
        return await self.reads.fetch(sql, *params.values)

    # ---- writes, and the reads of ingestion, on the primary ----

    async def existing(self, source_ids: Sequence[str]) -> dict[str, ExistingListing]:
        # Primary: ingestion decides from it what to write; a replica a chunk behind would have it embed and write anew.
        rows = await self.db.fetch(
            "SELECT source_id, content_hash, embedding_model FROM properties WHERE source_id = ANY($1::text[])",
            list(source_ids),
        )
        return {r["source_id"]: ExistingListing(r["content_hash"], r["embedding_model"]) for r in rows}

    async def upsert_many(self, rows: Sequence[tuple[Any, ...]]) -> tuple[int, int]:
        """Insert new listings and update changed ones (by source_id) in one transaction. Rows are in WRITE_COLUMNS
        order. Returns (inserted, updated); a row whose content hash is unchanged is left alone."""
        if not rows:
            return 0, 0
        columns = ", ".join(WRITE_COLUMNS)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in WRITE_COLUMNS if c != "source_id")
        async with self.pool.acquire() as connection, connection.transaction():
            # COPY into a temporary table, then one INSERT .. ON CONFLICT: the fastest bulk upsert Postgres has.
            await connection.execute(
                f"CREATE TEMP TABLE incoming ON COMMIT DROP AS SELECT {columns} FROM properties WITH NO DATA"
            )
            await connection.copy_records_to_table("incoming", records=rows, columns=list(WRITE_COLUMNS))
            await _insert_profiles(connection, "incoming")
            results = await connection.fetch(
                f"""
                INSERT INTO properties ({columns}) SELECT {columns} FROM incoming
                ON CONFLICT (source_id) DO UPDATE SET {updates}, updated_at = now()
                WHERE properties.content_hash IS DISTINCT FROM EXCLUDED.content_hash
                   OR properties.embedding_model IS DISTINCT FROM EXCLUDED.embedding_model
                RETURNING (xmax = 0) AS inserted
                """
            )
        inserted = sum(1 for r in results if r["inserted"])
        return inserted, len(results) - inserted

    async def texts_to_reindex(self, model: str, limit: int) -> list[asyncpg.Record]:
        # Primary: the loop reads until what it wrote is gone; a replica behind it would hand a batch again.
        return await self.db.fetch(
            # `<` or `>` rather than `<>`: the planner reads properties_embedding_model_idx for ranges, not for `<>`.
            "SELECT id, embedding_text FROM properties WHERE embedding_model < $1 OR embedding_model > $1 "
            "ORDER BY id LIMIT $2",
            model,
            limit,
        )

    async def set_embeddings(self, model: str, items: Sequence[tuple[uuid.UUID, np.ndarray]]) -> None:
        async with self.pool.acquire() as connection, connection.transaction():
            await connection.executemany(
                "UPDATE properties SET embedding = $2, embedding_model = $3, updated_at = now() WHERE id = $1",
                [(listing_id, vector, model) for listing_id, vector in items],
            )
            # The new model makes new profile keys; their profiles are written before the deferred key check.
            await _insert_profiles(connection, "properties", [listing_id for listing_id, _ in items])

    async def features_to_read(self, after: uuid.UUID | None, limit: int) -> list[asyncpg.Record]:
        """The next `limit` listings in id order after `after`, with what their features are read from. On the
        primary, as the writes that follow."""
        return await self.db.fetch(
            "SELECT id, title, description, features, stated_features, content_hash FROM properties "
            "WHERE $1::uuid IS NULL OR id > $1 ORDER BY id LIMIT $2",
            after,
            limit,
        )

    async def replace_features(self, items: Sequence[tuple[uuid.UUID, str, list[str]]]) -> int:
        """Set the features of listings (id, the content hash they were read at, features) in one statement; a listing
        written since it was read (another hash) is left to what wrote it. Returns how many were set."""
        if not items:
            return 0
        ids, hashes, features = zip(*items, strict=True)
        # Feature names are lowercase words: joined by commas, one text[] parameter carries lists of any length.
        result = await self.db.execute(
            """
            UPDATE properties p SET features = string_to_array(v.features, ',')
            FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, content_hash, features)
            WHERE p.id = v.id AND p.content_hash = v.content_hash
            """,
            list(ids),
            list(hashes),
            [",".join(names) for names in features],
        )
        return int(result.split()[-1])

    async def prune_profiles(self) -> int:
        """Delete the profiles no listing has any more (left by a change of model or of a listing's attributes)."""
        result = await self.db.execute(
            "DELETE FROM profiles f WHERE NOT EXISTS (SELECT 1 FROM properties p WHERE p.profile_key = f.key)"
        )
        return int(result.split()[-1])

    async def count_by_model(self) -> dict[str, int]:
        # Primary: reindex's count reports what is stored, not a replica's view of it.
        rows = await self.db.fetch("SELECT embedding_model, count(*) AS n FROM properties GROUP BY embedding_model")
        return {r["embedding_model"]: int(r["n"]) for r in rows}

    async def listings_summary(self, model: str) -> tuple[int, dict[str, int]]:
        """For the health check, which runs every few seconds on every replica: about how many listings are stored
        (the statistics' live rows, kept by PostgreSQL as rows are written: no scan), and exactly how many are under
        each model other than `model` (from properties_embedding_model_idx, two empty ranges when there are none).
        An exact count(*) read the whole table each time: 1,000,000 rows at the top tier. Primary, like the writes."""
        async with self.pool.acquire() as connection:
            # pg_stat_user_tables.n_live_tup, read by its function: the view joins the catalogs for every table.
            live = await connection.fetchval("SELECT pg_stat_get_live_tuples('properties'::regclass)")
            rows = await connection.fetch(
                "SELECT embedding_model, count(*) AS n FROM properties "
                "WHERE embedding_model < $1 OR embedding_model > $1 GROUP BY embedding_model",
                model,
            )
        return int(live or 0), {r["embedding_model"]: int(r["n"]) for r in rows}

    async def count(self) -> int:
        return int(await self.db.fetchval("SELECT count(*) FROM properties"))

    # ---- embedding cache ----

    async def cached_embeddings(self, model: str, hashes: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        # Primary: read by ingestion right after the chunk before wrote its vectors; a miss costs an embedding (money).
        rows = await self.db.fetch(
            "SELECT text_sha256, embedding FROM embedding_cache WHERE model = $1 AND text_sha256 = ANY($2::bytea[])",
            model,
            list(hashes),
        )
        return {bytes(r["text_sha256"]): r["embedding"] for r in rows}

    async def cache_embeddings(self, model: str, items: Sequence[tuple[bytes, np.ndarray]]) -> None:
        if not items:
            return
        await self.db.executemany(
            "INSERT INTO embedding_cache (model, text_sha256, embedding) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            [(model, digest, vector) for digest, vector in items],
        )

    # ---- ingest runs and settings ----

    async def start_run(self, source: str) -> uuid.UUID:
        return await self.db.fetchval("INSERT INTO ingest_runs (source) VALUES ($1) RETURNING id", source)

    async def finish_run(self, run_id: uuid.UUID, report: dict[str, Any]) -> None:
        await self.db.execute(
            """
            UPDATE ingest_runs SET finished_at = now(), read = $2, inserted = $3, updated = $4, unchanged = $5,
                   rejected = $6, embedded = $7, rejections = $8 WHERE id = $1
            """,
            run_id,
            report["read"],
            report["inserted"],
            report["updated"],
            report["unchanged"],
            report["rejected"],
            report["embedded"],
            report["rejections"],
        )

    # ---- the change log (written by triggers: migrations/0004_listing_changes.sql) ----

    async def changes_after(self, after: int, limit: int) -> list[asyncpg.Record]:
        """New listings and price drops after `after`, in order, each with the listing as it is now (a change whose
        listing is gone is skipped). On the primary, with last_change: a follower reads them when an ingest's nudge
        says there are new ones, a moment after the commit, which a replica may not have replayed yet."""
        listing = _read_columns("p")
        return await self.db.fetch(
            f"""
            SELECT c.seq, c.kind, c.price AS change_price, c.previous_price, c.at, {listing}
            FROM listing_changes c JOIN properties p ON p.id = c.listing_id
            WHERE c.seq > $1 ORDER BY c.seq LIMIT $2
            """,
            after,
            limit,
        )

    async def last_change(self) -> int:
        return int(await self.db.fetchval("SELECT coalesce(max(seq), 0) FROM listing_changes"))

    async def prune_changes(self, keep_days: int) -> int:
        result = await self.db.execute(
            "DELETE FROM listing_changes WHERE at < now() - make_interval(days => $1)", keep_days
        )
        return int(result.split()[-1])

    async def get_setting(self, key: str) -> str | None:
        # Primary: the demo load's flag is read by the workers waiting for the one that writes it.
        return await self.db.fetchval("SELECT value FROM settings WHERE key = $1", key)

    async def set_setting(self, key: str, value: str) -> None:
        await self.db.execute(
            "INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            key,
            value,
        )


async def _insert_profiles(
    connection: asyncpg.Connection | PoolConnectionProxy, source: str, ids: Sequence[uuid.UUID] | None = None
) -> None:
    """The profiles of the listings in `source` (the incoming table of an upsert, or properties restricted to
    `ids`) that do not exist yet. The key is computed by the same SQL function as the listings' generated column."""
    where = "" if ids is None else "WHERE id = ANY($1::uuid[])"
    attributes = ", ".join(PROFILE_COLUMNS)  # also profile_key()'s arguments after the first two, in this order
    await connection.execute(
        f"""
        INSERT INTO profiles (key, model, embedding, {attributes})
        SELECT DISTINCT ON (key) key, embedding_model, embedding, {attributes}
        FROM (SELECT profile_key(embedding_model, embedding_text, {attributes}) AS key, * FROM {source} {where}) s
        ORDER BY key
        ON CONFLICT (key) DO NOTHING
        """,
        *(() if ids is None else (list(ids),)),
    )
