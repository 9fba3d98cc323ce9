"""Append and "last 20 messages" (the agent's two calls) through the gateway, with 1,000,000 stored messages.

The messages are loaded with COPY into 10,000 sessions (100 each), then wrk calls the internal listener on random
sessions, at 1, 4 and 16 concurrent connections. Baseline: the same "last 20" query run directly against
PostgreSQL in this process. Goal: p50 <= 10 ms for both calls with four requests in flight.
"""

from __future__ import annotations

import json
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import psycopg

from bench.common import private_stack, run_wrk, write_results
from devstack.config import UNLIMITED_RATES
from devstack.envfile import read_env_file
from osool_common.service_auth import HEADER as SERVICE_KEY_HEADER

SESSIONS = 10_000
MESSAGES_PER_SESSION = 100
# Four chats answering at the same instant is the goal's load; one shows the floor, sixteen the saturation.
CONNECTION_LEVELS = (1, 4, 16)
GOAL_CONNECTIONS = 4
SECONDS = 8
GOAL_P50_MS = 10.0
WORDS = ("apartment villa townhouse New Cairo Sheikh Zayed budget million installments delivery garden "
         "شقة فيلا التجمع الخامس تقسيط مقدم استلام").split()  # fmt: skip


def _load(database_url: str) -> tuple[list[str], float]:
    rng = random.Random(7)
    session_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(SESSIONS)]
    started = time.perf_counter()
    start_time = datetime.now(UTC) - timedelta(days=30)
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        with cursor.copy("COPY chat_history.sessions (id, owner_id, title, message_count) FROM STDIN") as copy:
            for session_id in session_ids:
                copy.write_row((session_id, uuid.uuid4(), "bench", MESSAGES_PER_SESSION))
        columns = "(session_id, role, content, property_ids, created_at)"
        with cursor.copy(f"COPY chat_history.messages {columns} FROM STDIN") as copy:
            for index in range(SESSIONS * MESSAGES_PER_SESSION):
                session_id = session_ids[index % SESSIONS]
                content = " ".join(rng.choices(WORDS, k=12))
                copy.write_row((session_id, ("user", "assistant")[index % 2], content, "{}",
                                start_time + timedelta(milliseconds=index)))  # fmt: skip
        connection.commit()
        cursor.execute("ANALYZE chat_history.messages")
        cursor.execute("ANALYZE chat_history.sessions")
    return [str(s) for s in session_ids], time.perf_counter() - started


def _direct_last20(database_url: str, session_ids: list[str], samples: int = 2000) -> dict[str, float]:
    timings = []
    with psycopg.connect(database_url) as connection:
        for _ in range(samples):
            session_id = random.choice(session_ids)
            started = time.perf_counter()
            connection.execute(
                "SELECT id, session_id, role, content, property_ids, tool_calls, prompt_tokens, completion_tokens,"
                " created_at FROM chat_history.messages WHERE session_id = %s ORDER BY id DESC LIMIT 21",
                (session_id,),
            ).fetchall()
            timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"p50_ms": round(statistics.median(timings), 3), "p99_ms": round(timings[int(0.99 * len(timings))], 3)}


def _lua_sessions(session_ids: list[str]) -> str:
    return "sessions = {" + ",".join(f'"{s}"' for s in session_ids[:2000]) + "}\n"


def main() -> None:
    with private_stack(rates=UNLIMITED_RATES, replicas={"search": 1, "chat-history": 2}) as stack:
        database_url = read_env_file(stack.config.env_file)["DATABASE_URL"]
        session_ids, load_seconds = _load(database_url)
        base = f"{stack.config.internal_url}/chat-history/api/history/internal/sessions"
        # The internal routes answer our services only: wrk shows the stack's service key as they do.
        key = read_env_file(stack.config.env_file)["OSOOL_SERVICE_KEY"]
        read_script = _lua_sessions(session_ids) + (
            "request = function()\n"
            f'  local headers = {{["{SERVICE_KEY_HEADER}"] = "{key}"}}\n'
            f'  local path = "{base}/" .. sessions[math.random(#sessions)] .. "/messages?limit=20"\n'
            '  return wrk.format("GET", path, headers)\n'
            "end\n"
        )
        body = json.dumps({"messages": [{"role": "user", "content": "Is the villa in Sheikh Zayed still available?"}]})
        write_script = _lua_sessions(session_ids) + (
            "counter = 0\n"
            "request = function()\n"
            "  counter = counter + 1\n"
            f'  local headers = {{["Content-Type"] = "application/json", ["{SERVICE_KEY_HEADER}"] = "{key}",'
            ' ["Idempotency-Key"] = string.format("bench-%d-%d-%d", os.time(), math.random(1000000000), counter)}\n'
            f'  return wrk.format("POST", "{base}/" .. sessions[math.random(#sessions)] .. "/messages", headers,'
            f" {json.dumps(body)})\n"
            "end\n"
        )
        run_wrk("warm-up", f"{base}/{session_ids[0]}/messages", connections=4, seconds=2, script=read_script)
        last20 = {}
        appended = {}
        for connections in CONNECTION_LEVELS:
            last20[connections] = run_wrk(
                f"last 20 x{connections}", f"{base}/x", connections=connections, seconds=SECONDS, script=read_script
            )
            appended[connections] = run_wrk(
                f"append x{connections}", f"{base}/x", connections=connections, seconds=SECONDS, script=write_script
            )
        direct = _direct_last20(database_url, session_ids)
    goal_read, goal_write = last20[GOAL_CONNECTIONS], appended[GOAL_CONNECTIONS]
    figures = {
        "stored_messages": SESSIONS * MESSAGES_PER_SESSION,
        "sessions": SESSIONS,
        "load_seconds": round(load_seconds, 1),
        "last20_through_gateway": {str(c): r for c, r in last20.items()},
        "append_through_gateway": {str(c): r for c, r in appended.items()},
        "last20_direct_sql": direct,
        "last20_ratio_to_direct_p50_at_1_connection": round(last20[1].p50_ms / direct["p50_ms"], 2),
        "goals": {
            "p50_ms_at_most": GOAL_P50_MS,
            "at_connections": GOAL_CONNECTIONS,
            "met": goal_read.p50_ms <= GOAL_P50_MS and goal_write.p50_ms <= GOAL_P50_MS,
        },
    }
    path = write_results("history", figures)
    print(f"loaded {SESSIONS * MESSAGES_PER_SESSION:,} messages in {load_seconds:.0f} s")
    for result in [*last20.values(), *appended.values()]:
        print(
            f"{result.label:<14} through the gateway: p50 {result.p50_ms:6.2f} ms, p99 {result.p99_ms:6.2f} ms, "
            f"{result.requests_per_second:5.0f} req/s, errors {result.errors}"
        )
    print(f"last 20 as direct SQL: p50 {direct['p50_ms']:.2f} ms, p99 {direct['p99_ms']:.2f} ms")
    met = json.dumps(figures["goals"]["met"])  # type: ignore[index]
    print(f"goal p50 <= {GOAL_P50_MS} ms for both at {GOAL_CONNECTIONS} connections met: {met}; written to {path}")


if __name__ == "__main__":
    main()
