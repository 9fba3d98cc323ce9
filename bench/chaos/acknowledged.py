"""After the faults: every write the stack acknowledged during the chaos run, looked up in PostgreSQL and on chain,
and every write stored twice.

- history appends (201): the message is in chat_history.messages exactly once, in its session, under its key and
  with the ids the answer gave; no marker of any append (acknowledged or not) is stored twice.
- chat turns (200 with a reply): the turn's user message is stored once under the turn's key; no user message in
  the run's chat sessions was stored under a key the run did not send (a turn stored twice).
- listings (202) and reservations (202): the transaction is in chain.transactions and confirmed, its receipt on the
  node says it succeeded, a reserved listing is indexed as reserved by its buyer; one `list` and one `reserve`
  transaction and one `Reserved` event per listing at most.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Sequence
from typing import Any

import httpx
import psycopg

SETTLE_SECONDS = 180.0


def _writes(records: Sequence[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in records if r.get("type") == "write" and r["write"] == kind]


def _result(acknowledged: int, attempted: int, missing: list[str], duplicates: list[str]) -> dict[str, Any]:
    return {
        "acknowledged": acknowledged,
        "not_acknowledged": attempted - acknowledged,
        "present": acknowledged - len(missing),
        "missing": len(missing),
        "duplicates": len(duplicates),
        "missing_examples": missing[:10],
        "duplicate_examples": duplicates[:10],
    }


def check_history(connection: psycopg.Connection[Any], records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    appends = _writes(records, "history_append")
    rows = connection.execute(
        "SELECT id, session_id::text, content, idempotency_key FROM chat_history.messages "
        "WHERE content LIKE 'chaos-append %'"
    ).fetchall()
    by_marker: dict[str, list[tuple[int, str, str | None]]] = {}
    for message_id, session_id, content, key in rows:
        by_marker.setdefault(content, []).append((message_id, session_id, key))
    missing = []
    for write in (w for w in appends if w["acknowledged"]):
        stored = by_marker.get(write["marker"], [])
        ids = {message_id for message_id, _, _ in stored}
        if (
            len(stored) != 1
            or stored[0][1] != write["session_id"]
            or stored[0][2] != f"{write['key']}:0"
            or not set(write["message_ids"]) <= ids
        ):
            missing.append(f"{write['marker']} (stored {len(stored)}x)")
    duplicates = [marker for marker, stored in by_marker.items() if len(stored) > 1]
    return _result(sum(1 for w in appends if w["acknowledged"]), len(appends), missing, duplicates)


def check_chat(connection: psycopg.Connection[Any], records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    turns = _writes(records, "chat_turn")
    sessions = sorted({t["session_id"] for t in turns})
    rows = connection.execute(
        "SELECT session_id::text, idempotency_key FROM chat_history.messages "
        "WHERE session_id = ANY(%s::uuid[]) AND role = 'user'",
        (sessions,),
    ).fetchall()
    stored = Counter((session_id, key) for session_id, key in rows)
    sent = {(t["session_id"], f"{t['key']}:0") for t in turns}
    missing = [t["key"] for t in turns if t["acknowledged"] and stored[(t["session_id"], f"{t['key']}:0")] != 1]
    duplicates = [f"{key}" for (session_id, key), n in stored.items() if n > 1 or (session_id, key) not in sent]
    return _result(sum(1 for t in turns if t["acknowledged"]), len(turns), missing, duplicates)


def _settled(connection: psycopg.Connection[Any], tx_ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """Wait until none of the transactions waits in the outbox or for its block; their rows by id."""
    deadline = time.monotonic() + SETTLE_SECONDS
    while True:
        rows = connection.execute(
            "SELECT id::text, function, status, tx_hash, error FROM chain.transactions WHERE id = ANY(%s::uuid[])",
            (tx_ids,),
        ).fetchall()
        by_id = {row[0]: row for row in rows}
        if all(row[2] in ("confirmed", "failed") for row in rows) or time.monotonic() > deadline:
            return by_id
        connection.commit()
        time.sleep(1.0)


def _receipt_ok(node_url: str, tx_hash: str) -> bool:
    response = httpx.post(
        node_url,
        json={"jsonrpc": "2.0", "id": 1, "method": "eth_getTransactionReceipt", "params": [tx_hash]},
        timeout=10,
    )
    receipt = response.json().get("result")
    return isinstance(receipt, dict) and int(str(receipt.get("status", "0x0")), 16) == 1


def check_chain(
    connection: psycopg.Connection[Any], node_url: str, records: Sequence[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    listings, reservations = _writes(records, "listing"), _writes(records, "reservation")
    acknowledged = [w for w in [*listings, *reservations] if w["acknowledged"]]
    rows = _settled(connection, [w["tx_id"] for w in acknowledged])
    refs = sorted({w["ref"] for w in listings})
    indexed = {
        ref: (status, str(reserved_by).lower())
        for ref, status, reserved_by in connection.execute(
            "SELECT ref, status, reserved_by FROM chain.listings WHERE ref = ANY(%s)", (refs,)
        ).fetchall()
    }
    per_listing = connection.execute(
        """SELECT l.ref, t.function, count(*) FROM chain.transactions t JOIN chain.listings l USING (listing_id)
           WHERE l.ref = ANY(%s) AND t.function IN ('list', 'reserve') GROUP BY l.ref, t.function""",
        (refs,),
    ).fetchall()
    events = connection.execute(
        """SELECT l.ref, e.event, count(*) FROM chain.events e JOIN chain.listings l USING (listing_id)
           JOIN chain.deployments d ON d.id = e.deployment_id
           WHERE d.retired_at IS NULL AND l.ref = ANY(%s) GROUP BY l.ref, e.event""",
        (refs,),
    ).fetchall()
    results = {}
    for kind, writes, function, event in (
        ("listings", listings, "list", "Listed"),
        ("reservations", reservations, "reserve", "Reserved"),
    ):
        missing = []
        for write in (w for w in writes if w["acknowledged"]):
            row = rows.get(write["tx_id"])
            if row is None or row[1] != function:
                missing.append(f"{write['ref']}: no {function} transaction {write['tx_id']}")
            elif row[2] != "confirmed":
                missing.append(f"{write['ref']}: {row[2]} ({row[4]})")
            elif not _receipt_ok(node_url, row[3]):
                missing.append(f"{write['ref']}: receipt of {row[3]} is not a success")
            elif kind == "reservations" and indexed.get(write["ref"]) != ("reserved", write["buyer"].lower()):
                missing.append(f"{write['ref']}: indexed as {indexed.get(write['ref'])}")
        duplicates = [f"{ref}: {n} {function} transactions" for ref, fn, n in per_listing if fn == function and n > 1]
        duplicates += [f"{ref}: {n} {name} events" for ref, name, n in events if name == event and n > 1]
        result = _result(sum(1 for w in writes if w["acknowledged"]), len(writes), missing, duplicates)
        # What the database and the chain count, acknowledged or not (a write whose answer was lost may land).
        result["transactions_in_database"] = sum(n for _, fn, n in per_listing if fn == function)
        result["events_indexed_from_chain"] = sum(n for _, name, n in events if name == event)
        results[kind] = result
    return results
