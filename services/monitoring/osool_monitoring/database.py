"""The hourly database report: where PostgreSQL spends its time and what to change, each finding with the numbers it
was computed from and a concrete recommendation (the index to create or drop, the statement to look at)."""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from osool_common.logging import get_logger

log = get_logger(__name__)
Connection = asyncpg.Connection | PoolConnectionProxy
TOP_STATEMENTS = 10
# A table worth indexing: enough rows that a sequential scan costs, read whole often enough to matter.
SEQ_SCAN_MIN_ROWS = 1000
# A dead-row share worth a vacuum (autovacuum's own default trigger is 20% plus 50 rows).
BLOAT_RATIO = 0.2
COMPARISON = r"\s*(=|<>|!=|<=|>=|<|>|\bIN\b|\bBETWEEN\b|\bLIKE\b|\bILIKE\b|@>|&&|\bIS\b)"


def _mb(size: float) -> str:
    return f"{size / 1048576:.1f} MB"


def _name(schema: str, name: str) -> str:
    return f"{schema}.{name}"


class DatabaseReport:
    """Reads the statistics views of the database the service is connected to (every service's schema lives there)."""

    def __init__(self, pool: asyncpg.Pool, unused_index_min_hours: float = 1.0) -> None:
        self.pool = pool
        # An index is judged unused only after this much statistics: right after a start every index is "unused".
        self.unused_index_min_hours = unused_index_min_hours

    async def run(self) -> tuple[dict[str, Any], list[dict[str, Any]], float]:
        started = time.perf_counter()
        async with self.pool.acquire() as connection:
            summary: dict[str, Any] = {"generated_at": datetime.now(UTC).isoformat()}
            findings: list[dict[str, Any]] = []
            summary.update(await self._server(connection))
            statements, state = await self._statements(connection)
            summary["pg_stat_statements"] = state
            summary["statements_by_total_time"] = statements["by_total"]
            summary["statements_by_mean_time"] = statements["by_mean"]
            findings += _statement_findings(statements, summary)
            findings += await self._indexes(connection, summary)
            findings += await self._seq_scans(connection, statements["all"], state)
            findings += await self._bloat(connection)
            findings += await self._cache(connection, summary)
            findings += await self._connections(connection, summary)
            findings += await self._replication(connection, summary)
        order = {"critical": 0, "warning": 1, "info": 2}
        findings.sort(key=lambda f: (order[f["severity"]], -f.get("weight", 0)))
        return summary, findings, (time.perf_counter() - started) * 1000

    async def _server(self, connection: Connection) -> dict[str, Any]:
        row = await connection.fetchrow(
            """SELECT current_database() AS database, current_setting('server_version') AS server_version,
                      pg_database_size(current_database()) AS database_bytes,
                      COALESCE(d.stats_reset, pg_postmaster_start_time()) AS stats_since,
                      extract(epoch FROM now() - COALESCE(d.stats_reset, pg_postmaster_start_time())) AS observed_s
               FROM pg_stat_database d WHERE d.datname = current_database()"""
        )
        assert row is not None
        return {
            "database": row["database"], "server_version": row["server_version"],
            "database_size": _mb(row["database_bytes"]), "stats_since": row["stats_since"].isoformat(),
            "observed_hours": round(float(row["observed_s"]) / 3600, 2),
        }  # fmt: skip

    async def _statements(self, connection: Connection) -> tuple[dict[str, list[dict[str, Any]]], str]:
        empty: dict[str, list[dict[str, Any]]] = {"by_total": [], "by_mean": [], "all": []}
        schema = await connection.fetchval(
            "SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements'"
        )
        if schema is None:
            return empty, "off: the pg_stat_statements extension is not created in this database"
        try:
            rows = await connection.fetch(
                f"""SELECT queryid, query, calls, total_exec_time, mean_exec_time, rows, shared_blks_hit,
                           shared_blks_read, temp_blks_written, r.rolname AS role
                    FROM {schema}.pg_stat_statements s LEFT JOIN pg_roles r ON r.oid = s.userid
                    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND calls > 0
                    ORDER BY total_exec_time DESC LIMIT 500"""  # noqa: S608 (the extension's schema, from the catalog)
            )
        except asyncpg.PostgresError as exc:
            # The extension exists but the library is not loaded (shared_preload_libraries), or we may not read it.
            return empty, f"off: {exc}"
        total = sum(row["total_exec_time"] for row in rows) or 1.0
        statements = [
            {
                "queryid": row["queryid"], "query": " ".join(row["query"].split())[:600], "role": row["role"],
                "calls": row["calls"], "total_ms": round(row["total_exec_time"], 1),
                "mean_ms": round(row["mean_exec_time"], 3), "rows_per_call": round(row["rows"] / row["calls"], 1),
                "share_of_time": round(row["total_exec_time"] / total, 4),
                "cache_hit_ratio": round(row["shared_blks_hit"] / (row["shared_blks_hit"] + row["shared_blks_read"]), 4)
                if row["shared_blks_hit"] + row["shared_blks_read"] else None,
                "blocks_read_per_call": round(row["shared_blks_read"] / row["calls"], 1),
                "temp_blocks_written": row["temp_blks_written"],
            }
            for row in rows
        ]  # fmt: skip
        by_mean = sorted((s for s in statements if s["calls"] >= 5), key=lambda s: s["mean_ms"], reverse=True)
        return {"by_total": statements[:TOP_STATEMENTS], "by_mean": by_mean[:TOP_STATEMENTS], "all": statements}, "on"

    async def _indexes(self, connection: Connection, summary: dict[str, Any]) -> list[dict[str, Any]]:
        rows = await connection.fetch(
            """SELECT n.nspname AS schema, t.relname AS table, c.relname AS index, i.indexrelid,
                      i.indkey::text AS keys, i.indclass::text AS classes, i.indcollation::text AS collations,
                      i.indexprs IS NOT NULL AS has_exprs, i.indpred IS NOT NULL AS partial,
                      COALESCE(pg_get_expr(i.indpred, i.indrelid), '') AS predicate,
                      COALESCE(pg_get_expr(i.indexprs, i.indrelid), '') AS expressions,
                      i.indisunique AS is_unique, i.indisprimary AS is_primary, am.amname AS method,
                      EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) AS backs_constraint,
                      EXISTS (SELECT 1 FROM pg_inherits h WHERE h.inhrelid = i.indexrelid) AS inherited,
                      pg_relation_size(i.indexrelid) AS bytes, COALESCE(s.idx_scan, 0) AS scans,
                      COALESCE(st.n_tup_ins + st.n_tup_upd + st.n_tup_del, 0) AS writes,
                      pg_get_indexdef(i.indexrelid) AS definition
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am am ON am.oid = c.relam
               LEFT JOIN pg_stat_user_indexes s ON s.indexrelid = i.indexrelid
               LEFT JOIN pg_stat_user_tables st ON st.relid = i.indrelid
               WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND c.relkind = 'i'"""
        )
        summary["indexes"] = len(rows)
        findings = []
        observed = summary["observed_hours"]
        if observed < self.unused_index_min_hours:
            summary["unused_indexes"] = (
                f"not judged yet: {observed:.1f} h of statistics, {self.unused_index_min_hours:g} h needed"
            )
            rows_to_judge = []
        else:
            rows_to_judge = list(rows)
        for row in rows_to_judge:
            if row["scans"] or row["is_unique"] or row["is_primary"] or row["backs_constraint"] or row["inherited"]:
                continue
            if not row["bytes"]:
                continue
            name = _name(row["schema"], row["index"])
            findings.append({
                "kind": "unused_index", "severity": "info", "object": name, "table": _name(row["schema"], row["table"]),
                "size_bytes": row["bytes"], "scans": 0, "table_writes": row["writes"], "observed_hours": observed,
                "weight": row["bytes"],
                "recommendation": (
                    f"DROP INDEX CONCURRENTLY {name}; -- never scanned in the {observed:.1f} h of statistics, it "
                    f"takes {_mb(row['bytes'])} and is updated by every one of the {row['writes']} writes to "
                    f"{row['table']} since. ({row['definition']})"
                ),
            })  # fmt: skip
        findings += _duplicates([dict(row) for row in rows])
        return findings

    async def _seq_scans(
        self, connection: Connection, statements: list[dict[str, Any]], state: str
    ) -> list[dict[str, Any]]:
        rows = await connection.fetch(
            """SELECT st.schemaname AS schema, st.relname AS table, st.relid, st.seq_scan, st.seq_tup_read,
                      COALESCE(st.idx_scan, 0) AS idx_scan, st.n_live_tup, pg_table_size(st.relid) AS bytes
               FROM pg_stat_user_tables st
               WHERE st.seq_scan > 0 AND st.n_live_tup >= $1 AND st.seq_tup_read / st.seq_scan >= $1
               ORDER BY st.seq_tup_read DESC LIMIT 10""",
            SEQ_SCAN_MIN_ROWS,
        )
        findings = []
        for row in rows:
            table = _name(row["schema"], row["table"])
            per_scan = row["seq_tup_read"] / row["seq_scan"]
            columns = await connection.fetch(
                """SELECT a.attname, s.n_distinct,
                          EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = a.attrelid AND i.indkey[0] = a.attnum)
                              AS leads_an_index
                   FROM pg_attribute a
                   LEFT JOIN pg_stats s ON s.schemaname = $2 AND s.tablename = $3 AND s.attname = a.attname
                   WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped""",
                row["relid"], row["schema"], row["table"],
            )  # fmt: skip
            column, evidence = _filtered_column(row["table"], columns, statements)
            numbers = (
                f"{row['seq_scan']} sequential scans read {row['seq_tup_read']} rows, {per_scan:.0f} a scan, of "
                f"its {row['n_live_tup']} rows ({_mb(row['bytes'])}; {row['idx_scan']} index scans)"
            )
            if column is not None:
                recommendation = (
                    f"CREATE INDEX CONCURRENTLY ON {table} ({column}); -- {numbers}; {evidence} filter on {column}, "
                    "which no index leads with."
                )
            elif state == "on":
                recommendation = (
                    f"{table}: {numbers}. No statement in pg_stat_statements filters it on an unindexed column: look "
                    f"for full reads of {row['table']} (a missing LIMIT, or a count) in the statements above."
                )
            else:
                recommendation = (
                    f"{table}: {numbers}. pg_stat_statements is {state}, so the statements cannot be named: turn it on "
                    "and find the ones reading this table whole."
                )
            findings.append({
                "kind": "sequential_scans", "severity": "warning" if per_scan >= 10 * SEQ_SCAN_MIN_ROWS else "info",
                "object": table, "seq_scans": row["seq_scan"], "rows_read": row["seq_tup_read"],
                "rows_per_scan": round(per_scan), "live_rows": row["n_live_tup"], "index_scans": row["idx_scan"],
                "suggested_column": column, "weight": row["seq_tup_read"], "recommendation": recommendation,
            })  # fmt: skip
        return findings

    async def _bloat(self, connection: Connection) -> list[dict[str, Any]]:
        rows = await connection.fetch(
            """SELECT schemaname AS schema, relname AS table, n_live_tup, n_dead_tup, pg_table_size(relid) AS bytes,
                      GREATEST(last_autovacuum, last_vacuum) AS last_vacuum,
                      current_setting('autovacuum_vacuum_scale_factor')::float AS scale,
                      current_setting('autovacuum_vacuum_threshold')::int AS threshold
               FROM pg_stat_user_tables
               WHERE n_dead_tup >= 1000 AND n_dead_tup::float / GREATEST(n_live_tup + n_dead_tup, 1) >= $1
               ORDER BY n_dead_tup DESC LIMIT 10""",
            BLOAT_RATIO,
        )
        findings = []
        for row in rows:
            table = _name(row["schema"], row["table"])
            ratio = row["n_dead_tup"] / (row["n_live_tup"] + row["n_dead_tup"])
            wasted = row["bytes"] * ratio
            trigger = row["threshold"] + row["scale"] * row["n_live_tup"]
            # A scale factor that would have vacuumed at a tenth of the dead rows seen (never below 1%).
            suggested = max(0.01, round(row["n_dead_tup"] / 10 / max(row["n_live_tup"], 1), 3))
            last = row["last_vacuum"].isoformat() if row["last_vacuum"] else "never"
            findings.append({
                "kind": "bloat", "severity": "warning" if ratio >= 0.5 else "info", "object": table,
                "dead_rows": row["n_dead_tup"], "live_rows": row["n_live_tup"], "dead_ratio": round(ratio, 3),
                "estimated_bloat_bytes": round(wasted), "last_vacuum": last, "weight": wasted,
                "recommendation": (
                    f"VACUUM (ANALYZE) {table}; -- {row['n_dead_tup']} dead rows ({ratio:.0%} of its rows, about "
                    f"{_mb(wasted)} of its {_mb(row['bytes'])}), last vacuumed {last}; autovacuum waits for "
                    f"{trigger:.0f} dead rows: ALTER TABLE {table} SET (autovacuum_vacuum_scale_factor = {suggested})."
                ),
            })  # fmt: skip
        return findings

    async def _cache(self, connection: Connection, summary: dict[str, Any]) -> list[dict[str, Any]]:
        row = await connection.fetchrow(
            """SELECT blks_hit, blks_read, current_setting('shared_buffers') AS shared_buffers,
                      pg_size_bytes(current_setting('shared_buffers')) AS shared_bytes
               FROM pg_stat_database WHERE datname = current_database()"""
        )
        assert row is not None
        reads = row["blks_hit"] + row["blks_read"]
        ratio = row["blks_hit"] / reads if reads else None
        summary["cache_hit_ratio"] = round(ratio, 5) if ratio is not None else None
        summary["shared_buffers"] = row["shared_buffers"]
        if ratio is None or ratio >= 0.99 or row["blks_read"] < 10000:
            return []
        # The hot set: the relations that account for 90% of the blocks read from disk, and their size.
        relations = await connection.fetch(
            """SELECT schemaname || '.' || relname AS name, heap_blks_read + COALESCE(idx_blks_read, 0) AS read,
                      pg_total_relation_size(relid) AS bytes
               FROM pg_statio_user_tables ORDER BY 2 DESC LIMIT 20"""
        )
        total_read = sum(r["read"] for r in relations) or 1
        hot, covered, hot_bytes = [], 0, 0
        for relation in relations:
            if covered >= 0.9 * total_read:
                break
            hot.append(relation["name"])
            covered += relation["read"]
            hot_bytes += relation["bytes"]
        wanted = _mb(max(hot_bytes * 1.25, row["shared_bytes"]))
        return [{
            "kind": "cache_hit_ratio", "severity": "warning" if ratio < 0.95 else "info",
            "object": summary["database"], "cache_hit_ratio": round(ratio, 4), "blocks_read": row["blks_read"],
            "shared_buffers": row["shared_buffers"], "hot_set_bytes": hot_bytes, "weight": row["blks_read"],
            "recommendation": (
                f"{ratio:.2%} of block reads were served from shared_buffers ({row['blks_read']} from disk); the "
                f"relations behind 90% of the disk reads ({', '.join(hot[:5])}) take {_mb(hot_bytes)}: raise "
                f"shared_buffers from {row['shared_buffers']} to at least {wanted}."
                if hot_bytes * 1.25 > row["shared_bytes"]
                else f"{ratio:.2%} of block reads were served from shared_buffers ({row['shared_buffers']}, more "
                f"than the {_mb(hot_bytes)} of {', '.join(hot[:5])} that most disk reads come from): the misses are "
                "cold starts; look again after a day."
            ),
        }]  # fmt: skip

    async def _connections(self, connection: Connection, summary: dict[str, Any]) -> list[dict[str, Any]]:
        rows = await connection.fetch(
            """SELECT COALESCE(NULLIF(application_name, ''), usename, 'unknown') AS service,
                      COALESCE(state, 'unknown') AS state, count(*) AS connections,
                      max(extract(epoch FROM now() - xact_start)) FILTER (WHERE state = 'idle in transaction')
                          AS oldest_idle_transaction_s
               FROM pg_stat_activity WHERE backend_type = 'client backend' GROUP BY 1, 2"""
        )
        limit = int(await connection.fetchval("SELECT current_setting('max_connections')::int"))
        by_state: dict[str, int] = defaultdict(int)
        by_service: dict[str, dict[str, int]] = defaultdict(dict)
        findings = []
        for row in rows:
            by_state[row["state"]] += row["connections"]
            by_service[row["service"]][row["state"]] = row["connections"]
            if row["oldest_idle_transaction_s"] and row["oldest_idle_transaction_s"] >= 60:
                findings.append({
                    "kind": "idle_in_transaction", "severity": "warning", "object": row["service"],
                    "connections": row["connections"], "oldest_seconds": round(row["oldest_idle_transaction_s"]),
                    "weight": row["oldest_idle_transaction_s"],
                    "recommendation": (
                        f"{row['service']} holds {row['connections']} connection(s) idle in a transaction, the oldest "
                        f"for {row['oldest_idle_transaction_s']:.0f} s: it keeps locks and stops vacuum; find the "
                        "code path that opens a transaction and awaits something else."
                    ),
                })  # fmt: skip
        total = sum(by_state.values())
        summary["connections"] = {"total": total, "max_connections": limit, "by_state": dict(by_state),
                                  "by_service": dict(by_service)}  # fmt: skip
        if total >= 0.8 * limit:
            busiest = sorted(by_service.items(), key=lambda item: -sum(item[1].values()))[:3]
            findings.append({
                "kind": "connections_near_limit", "severity": "critical" if total >= 0.95 * limit else "warning",
                "object": summary["database"], "connections": total, "max_connections": limit, "weight": total,
                "recommendation": (
                    f"{total} of max_connections {limit} in use ({total / limit:.0%}); the most: "
                    + ", ".join(f"{name} {sum(states.values())}" for name, states in busiest)
                    + ": lower their DB_POOL_MAX_SIZE or put PgBouncer in front."
                ),
            })  # fmt: skip
        return findings

    async def _replication(self, connection: Connection, summary: dict[str, Any]) -> list[dict[str, Any]]:
        if await connection.fetchval("SELECT pg_is_in_recovery()"):
            lag = await connection.fetchval("SELECT extract(epoch FROM now() - pg_last_xact_replay_timestamp())")
            summary["replication"] = {"role": "replica", "replay_lag_seconds": float(lag) if lag is not None else None}
            replicas: list[dict[str, Any]] = []
        else:
            rows = await connection.fetch(
                """SELECT COALESCE(application_name, client_addr::text) AS name, state,
                          extract(epoch FROM replay_lag) AS lag_s,
                          pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) AS lag_bytes
                   FROM pg_stat_replication"""
            )
            replicas = [
                {"name": r["name"], "state": r["state"],
                 "replay_lag_seconds": float(r["lag_s"]) if r["lag_s"] is not None else None,
                 "lag_bytes": int(r["lag_bytes"]) if r["lag_bytes"] is not None else None}
                for r in rows
            ]  # fmt: skip
            summary["replication"] = {"role": "primary", "replicas": replicas or "none: this server has no replicas"}
        return [
            {
                "kind": "replication_lag",
                "severity": "warning",
                "object": replica["name"],
                "replay_lag_seconds": replica["replay_lag_seconds"],
                "lag_bytes": replica["lag_bytes"],
                "weight": replica["replay_lag_seconds"],
                "recommendation": (
                    f"replica {replica['name']} replays {replica['replay_lag_seconds']:.1f} s "
                    f"({_mb(replica['lag_bytes'] or 0)} of WAL) behind: reads sent to it see stale data; check its "
                    "disk and network."
                ),
            }
            for replica in replicas
            if (replica["replay_lag_seconds"] or 0) >= 10
        ]


def _statement_findings(statements: dict[str, list[dict[str, Any]]], summary: dict[str, Any]) -> list[dict[str, Any]]:
    """The statements that dominate the database's time, or are slow each time, with what stands out in numbers."""
    findings = []
    seen = set()
    candidates = [(s, "total") for s in statements["by_total"][:5] if s["share_of_time"] >= 0.1]
    candidates += [(s, "mean") for s in statements["by_mean"][:5] if s["mean_ms"] >= 20]
    for statement, why in candidates:
        if statement["queryid"] in seen:
            continue
        seen.add(statement["queryid"])
        reasons = []
        if statement["cache_hit_ratio"] is not None and statement["cache_hit_ratio"] < 0.95:
            reasons.append(
                f"{statement['blocks_read_per_call']} blocks read from disk a call (cache hit "
                f"{statement['cache_hit_ratio']:.1%})"
            )
        if statement["rows_per_call"] >= 1000:
            reasons.append(f"{statement['rows_per_call']:.0f} rows returned a call: page it or narrow it")
        if statement["temp_blocks_written"]:
            reasons.append(f"{statement['temp_blocks_written']} temp blocks written: raise work_mem or sort less")
        lead = (
            f"{statement['share_of_time']:.0%} of all statement time ({statement['calls']} calls, "
            f"{statement['mean_ms']:.2f} ms each)"
            if why == "total"
            else f"{statement['mean_ms']:.1f} ms a call over {statement['calls']} calls"
        )
        findings.append({
            "kind": "statement", "severity": "warning" if statement["mean_ms"] >= 100 else "info",
            "object": f"queryid {statement['queryid']}", "query": statement["query"], "role": statement["role"],
            "calls": statement["calls"], "mean_ms": statement["mean_ms"], "total_ms": statement["total_ms"],
            "share_of_time": statement["share_of_time"], "weight": statement["total_ms"],
            "recommendation": (
                f"{lead}: EXPLAIN (ANALYZE, BUFFERS) {statement['query'][:200]}"
                + (f" -- {'; '.join(reasons)}." if reasons else "")
            ),
        })  # fmt: skip
    return findings


def _duplicates(indexes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Indexes another index of the same table makes redundant: the same keys (and operator classes, expressions,
    predicate), or, for b-trees, keys that are the leading part of another's."""
    findings = []
    by_table: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for index in indexes:
        if not index["inherited"]:
            by_table[(index["schema"], index["table"])].append(index)
    for (schema, _table), group in by_table.items():
        for index in group:
            if index["is_unique"] or index["is_primary"] or index["backs_constraint"]:
                continue
            keys, classes = index["keys"].split(), index["classes"].split()
            for other in group:
                if other is index:
                    continue
                same_shape = (
                    other["method"] == index["method"] and other["expressions"] == index["expressions"]
                    and other["predicate"] == index["predicate"]
                )  # fmt: skip
                other_keys, other_classes = other["keys"].split(), other["classes"].split()
                exact = same_shape and other_keys == keys and other_classes == classes
                prefix = (
                    same_shape and index["method"] == "btree" and not index["has_exprs"]
                    and len(keys) < len(other_keys) and other_keys[: len(keys)] == keys
                    and other_classes[: len(classes)] == classes
                )  # fmt: skip
                # Of two identical indexes, keep the one that backs a constraint, else the older (lower oid).
                other_kept = other["is_unique"] or other["backs_constraint"]
                if exact and not other_kept and other["indexrelid"] > index["indexrelid"]:
                    continue
                if exact or prefix:
                    name = _name(schema, index["index"])
                    findings.append({
                        "kind": "duplicate_index", "severity": "warning", "object": name,
                        "covered_by": _name(schema, other["index"]), "size_bytes": index["bytes"],
                        "scans": index["scans"], "weight": index["bytes"],
                        "recommendation": (
                            f"DROP INDEX CONCURRENTLY {name}; -- {'the same keys as' if exact else 'its keys lead'} "
                            f"{other['index']} ({other['definition']}), which serves the same lookups; it takes "
                            f"{_mb(index['bytes'])} and was scanned {index['scans']} times."
                        ),
                    })  # fmt: skip
                    break
    return findings


def _filtered_column(
    table: str, columns: list[asyncpg.Record], statements: list[dict[str, Any]]
) -> tuple[str | None, str]:
    """The unindexed column the statements reading this table filter on most (weighted by their time), if any."""
    mentions = re.compile(rf"\b(FROM|JOIN|UPDATE)\s+(\w+\.)?{re.escape(table)}\b", re.IGNORECASE)
    weights: dict[str, float] = defaultdict(float)
    calls: dict[str, int] = defaultdict(int)
    candidates = [c for c in columns if not c["leads_an_index"] and (c["n_distinct"] is None or c["n_distinct"] < 0
                  or c["n_distinct"] >= 10)]  # fmt: skip
    for statement in statements:
        query = statement["query"]
        if not mentions.search(query):
            continue
        where = re.split(r"\bWHERE\b", query, maxsplit=1, flags=re.IGNORECASE)
        if len(where) < 2:
            continue
        for column in candidates:
            if re.search(rf"\b{re.escape(column['attname'])}\b{COMPARISON}", where[1], re.IGNORECASE):
                weights[column["attname"]] += statement["total_ms"]
                calls[column["attname"]] += statement["calls"]
    if not weights:
        return None, ""
    best = max(weights, key=lambda name: weights[name])
    return best, f"statements taking {weights[best]:.0f} ms over {calls[best]} calls"
