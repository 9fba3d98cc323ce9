"""The rehearsal's steps on a running scale topology (devstack.scale): what it checks first, the three faults with their
load, and the backup restored into a fresh cluster; each returns its figures (bench/rehearsal/report.py judges them).

The acknowledged writes that live in Valkey, checked after its failover: sign-outs (POST /api/auth/logout puts the
session on the deny list every service's token verifier reads, auth:revoked-session:<sid>; a lost one would let a
signed-out access token work again) and sign-in-with-Ethereum nonces (GET /api/auth/siwe/nonce stores auth:siwe:<nonce>
for the signature that must follow; a lost one fails that sign-in).
"""

from __future__ import annotations

import random
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
from prometheus_client.parser import text_string_to_metric_families

from bench.common import create_admins
from bench.rehearsal.load import Caller, Load, Stream
from devstack import backups
from devstack.replication import create_osool_database, postgres_cluster, wait_until
from devstack.scale import READ_FROM_REPLICAS, ScaleTopology
from osool_common.auth import REVOKED_SESSION_KEY
from osool_common.settings import CommonSettings

# osool_auth.service.AuthService.new_siwe_nonce's key.
SIWE_NONCE_KEY = "auth:siwe:{}"
PROMOTION_TIMEOUT_SECONDS = 60.0
RECOVERY_TIMEOUT_SECONDS = 60.0
SAMPLE_SECONDS = 0.2

SEARCHES = (
    "apartment in New Cairo",
    "villa in Sheikh Zayed with a garden",
    "3 bedroom apartment under 8 million",
    "شقة ٣ غرف في التجمع الخامس",
    "townhouse in Madinaty with installments",
    "chalet in North Coast",
)
CHAT_MESSAGES = ("3 bedroom apartment in New Cairo under 8M", "عايز شقة 3 غرف في التجمع تحت 8 مليون")


@dataclass(frozen=True)
class Durations:
    """Seconds of load: before each fault, after the stack answers again without failures, and of writes while the
    replication lag is sampled."""

    before_fault: float
    after_recovery: float
    lag_load: float


FULL = Durations(before_fault=10.0, after_recovery=15.0, lag_load=60.0)
QUICK = Durations(before_fault=4.0, after_recovery=5.0, lag_load=12.0)


@dataclass
class Plan:
    """What the streams use: accounts to sign in and out with, a signed-in admin, conversations, listings."""

    staff_token: str
    sign_in_accounts: list[dict[str, str]]
    sessions: list[dict[str, str]]
    chat_sessions: list[dict[str, str]]
    property_ids: list[str]
    service_headers: dict[str, str] = field(repr=False)


def prepare(topology: ScaleTopology) -> Plan:
    staff, *sign_in = create_admins(topology.config.env_file, 3, "rehearsal")
    with topology.client() as api, httpx.Client(base_url=topology.internal_url, timeout=10) as internal:
        login = api.post("/api/auth/login", json=staff)
        login.raise_for_status()

        def session(title: str) -> dict[str, str]:
            created = api.post("/api/history/sessions", json={"title": title})
            created.raise_for_status()
            return {"id": created.json()["id"], "secret": created.json()["secret"]}

        sessions = [session("rehearsal") for _ in range(8)]
        for conversation in sessions:  # something to read
            appended = internal.post(
                f"/chat-history/api/history/internal/sessions/{conversation['id']}/messages",
                json={"messages": [{"role": "user", "content": "a first message"}]},
                headers={**topology.service_headers(), "Idempotency-Key": uuid.uuid4().hex},
            )
            appended.raise_for_status()
        property_ids: list[str] = []
        for query in SEARCHES[:3]:
            found = api.post("/api/properties/search", json={"query": query, "limit": 20})
            found.raise_for_status()
            property_ids += [str(result["id"]) for result in found.json()["results"]]
    if not property_ids:
        raise RuntimeError("search found no demo listings")
    return Plan(
        staff_token=login.json()["access_token"],
        sign_in_accounts=sign_in,
        sessions=sessions,
        chat_sessions=sessions[:4],
        property_ids=sorted(set(property_ids)),
        service_headers=topology.service_headers(),
    )


# ---- the streams ----


def search(caller: Caller) -> None:
    caller.send("POST", "/api/properties/search", json={"query": random.choice(SEARCHES), "limit": 10}, expect=200,
                name="POST /api/properties/search")  # fmt: skip


def filtered_search(caller: Caller) -> None:
    """A search the result cache has not seen (its own price limit), so it reads the database."""
    limit = random.randrange(2_000_000, 60_000_000, 1000)
    body = {"query": random.choice(SEARCHES), "limit": 10, "filters": {"max_price": limit}}
    caller.send("POST", "/api/properties/search", json=body, expect=200, name="POST /api/properties/search (filtered)")


def property_read(plan: Plan) -> Callable[[Caller], None]:
    def task(caller: Caller) -> None:
        caller.send("GET", f"/api/properties/{random.choice(plan.property_ids)}", expect=200,
                    name="GET /api/properties/{id}")  # fmt: skip

    return task


def history_read(plan: Plan) -> Callable[[Caller], None]:
    def task(caller: Caller) -> None:
        conversation = random.choice(plan.sessions)
        caller.send("GET", f"/api/history/sessions/{conversation['id']}/messages", params={"limit": 20},
                    headers={"X-Session-Secret": conversation["secret"]}, expect=200,
                    name="GET /api/history/sessions/{id}/messages")  # fmt: skip

    return task


def history_append(plan: Plan) -> Callable[[Caller], None]:
    """The agent's write (the internal listener, the service key, an Idempotency-Key)."""

    def task(caller: Caller) -> None:
        conversation = random.choice(plan.sessions)
        message = {"role": "user", "content": f"rehearsal write {uuid.uuid4().hex} " + "x" * 200}
        caller.send("POST", f"/chat-history/api/history/internal/sessions/{conversation['id']}/messages",
                    json={"messages": [message]}, headers={**plan.service_headers, "Idempotency-Key": uuid.uuid4().hex},
                    expect=201, name="POST internal history append")  # fmt: skip

    return task


def me(plan: Plan) -> Callable[[Caller], None]:
    """A signed-in read: every service's verifier reads the deny list in Valkey (cached a second)."""

    def task(caller: Caller) -> None:
        caller.send("GET", "/api/auth/me", headers={"Authorization": f"Bearer {plan.staff_token}"}, expect=200,
                    name="GET /api/auth/me")  # fmt: skip

    return task


def monitoring_status(plan: Plan) -> Callable[[Caller], None]:
    def task(caller: Caller) -> None:
        caller.send("GET", "/api/monitoring/status", headers={"Authorization": f"Bearer {plan.staff_token}"},
                    expect=200, name="GET /api/monitoring/status")  # fmt: skip

    return task


def chain_statuses(plan: Plan) -> Callable[[Caller], None]:
    def task(caller: Caller) -> None:
        ids = random.sample(plan.property_ids, min(5, len(plan.property_ids)))
        caller.send("GET", "/api/chain/listings", params=[("id", i) for i in ids], expect=200,
                    name="GET /api/chain/listings?id=...")  # fmt: skip

    return task


def chat(plan: Plan) -> Callable[[Caller], None]:
    def task(caller: Caller) -> None:
        conversation = random.choice(plan.chat_sessions)
        headers = {"X-Session-Secret": conversation["secret"], "Idempotency-Key": uuid.uuid4().hex,
                   "Accept": "application/json"}  # fmt: skip
        caller.send("POST", "/api/chat", json={"message": random.choice(CHAT_MESSAGES), "session_id":
                    conversation["id"]}, headers=headers, expect=200, name="POST /api/chat")  # fmt: skip

    return task


def siwe_nonce(caller: Caller) -> None:
    reply = caller.send("GET", "/api/auth/siwe/nonce", expect=200, name="GET /api/auth/siwe/nonce")
    if reply.ok:
        caller.acknowledged("siwe_nonce", nonce=reply.body["nonce"])


def sign_in_and_out(plan: Plan) -> Callable[[Caller], None]:
    """Password sign-in (its throttle lives in Valkey), then sign-out of that session (acknowledged with a 204)."""
    turn = iter(range(1 << 30))

    def task(caller: Caller) -> None:
        account = plan.sign_in_accounts[next(turn) % len(plan.sign_in_accounts)]
        pair = caller.send("POST", "/api/auth/login", json=account, expect=200, name="POST /api/auth/login")
        if not pair.ok:
            return
        out = caller.send("POST", "/api/auth/logout", json={"refresh_token": pair.body["refresh_token"]}, expect=204,
                          name="POST /api/auth/logout")  # fmt: skip
        if out.ok:
            access = pair.body["access_token"]
            session = jwt.decode(access, options={"verify_signature": False})["sid"]
            caller.acknowledged("logout", session_id=session, access_token=access)

    return task


def failover_streams(plan: Plan) -> list[Stream]:
    """Every service through the public listener; the sign-ins, sign-outs and nonces need Valkey on every call."""
    return [
        Stream("search", 3.0, "POST /api/properties/search", False, search),
        Stream("property", 2.0, "GET /api/properties/{id}", True, property_read(plan)),
        Stream("history_read", 2.0, "GET /api/history/sessions/{id}/messages", True, history_read(plan)),
        Stream("me", 2.0, "GET /api/auth/me (bearer)", True, me(plan)),
        Stream("monitoring", 0.5, "GET /api/monitoring/status (admin)", True, monitoring_status(plan)),
        Stream("chain_read", 1.0, "GET /api/chain/listings?id=...", True, chain_statuses(plan)),
        Stream("chat", 0.5, "POST /api/chat (rules brain, Idempotency-Key)", True, chat(plan)),
        Stream("siwe_nonce", 3.0, "GET /api/auth/siwe/nonce (stored in Valkey)", True, siwe_nonce),
        Stream(
            "sign_in_out",
            1.0,
            "POST /api/auth/login, then POST /api/auth/logout",
            False,
            sign_in_and_out(plan),
            threads=2,
        ),
    ]


def read_streams(plan: Plan) -> list[Stream]:
    """Reads that search and chat-history send through their read pool (the replica)."""
    return [
        Stream("property", 4.0, "GET /api/properties/{id}", True, property_read(plan), threads=2),
        Stream("history_read", 4.0, "GET /api/history/sessions/{id}/messages", True, history_read(plan), threads=2),
        Stream("search", 2.0, "POST /api/properties/search (filtered, not cached)", False, filtered_search),
    ]


def write_streams(plan: Plan) -> list[Stream]:
    """As many appends as 6 clients get through (the rate is a ceiling), and owners reading meanwhile."""
    return [
        Stream(
            "history_append",
            600.0,
            "POST internal history append (6 clients back to back)",
            True,
            history_append(plan),
            threads=6,
            internal=True,
        ),
        Stream("history_read", 2.0, "GET /api/history/sessions/{id}/messages", True, history_read(plan)),
    ]


def load(topology: ScaleTopology, streams: list[Stream]) -> Load:
    return Load(streams, topology.client, lambda: httpx.Client(base_url=topology.internal_url, timeout=10))


# ---- what runs, checked first ----


def topology_figures(topology: ScaleTopology) -> dict[str, Any]:
    database, valkey = topology.database, topology.valkey
    replication = database.primary.rows(
        "SELECT r.application_name, r.state, r.sync_state, s.slot_name FROM pg_stat_replication r "
        "JOIN pg_replication_slots s ON s.active_pid = r.pid",
        database="postgres",
    )
    sentinels = []
    for sentinel in valkey.sentinels:
        with valkey.client(sentinel) as client:
            state = client.sentinel_master(valkey.master)
        sentinels.append({
            "master": f"{state['ip']}:{state['port']}",
            "replicas": int(state["num-slaves"]),
            "other_sentinels": int(state["num-other-sentinels"]),
            "quorum": int(state["quorum"]),
            "down_after_ms": int(state["down-after-milliseconds"]),
        })  # fmt: skip
    with valkey.client(valkey.replica) as client:
        replica_info = client.info("replication")
    redirect = httpx.get(f"{topology.redirect_url}/api/properties/search?q=x", timeout=5)
    with socket.create_connection(("127.0.0.1", topology.config.public_port), timeout=5) as raw:
        context = topology.tls_context()
        context.set_alpn_protocols(["h2", "http/1.1"])
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            alpn, version = tls.selected_alpn_protocol(), tls.version()
    return {
        "postgres": {
            "pg_stat_replication": [
                {"application_name": r[0], "state": r[1], "sync_state": r[2], "slot": r[3]} for r in replication
            ],
            "replica_in_recovery": bool(database.replica.query("SELECT pg_is_in_recovery()")),
        },
        "valkey": {
            "replica_role": replica_info.get("role"),
            "replica_link": replica_info.get("master_link_status"),
            "sentinels": sentinels,
        },
        "gateway": {
            "tls_version": version,
            "alpn": alpn,
            "plain_http": f"{redirect.status_code} to {redirect.headers.get('location', '')}",
            "upstreams": {service: len(ports) for service, ports in topology.config.replica_ports.items()},
        },
        "services": {service: len(replicas) for service, replicas in topology.replicas.items()},
        "read_replicas_for": list(READ_FROM_REPLICAS),
    }


# ---- 1: Valkey's primary killed ----


def valkey_failover(topology: ScaleTopology, plan: Plan, durations: Durations) -> dict[str, Any]:
    group = topology.valkey
    streams = failover_streams(plan)
    with load(topology, streams) as running:
        time.sleep(durations.before_fault)
        killed_at = time.time()
        group.primary.kill()  # SIGKILL, as a crash
        promoted_at = float(
            wait_until(lambda: group.master_port() == group.replica.port and time.time(), PROMOTION_TIMEOUT_SECONDS,
                       "Sentinel promoting the replica")
        )  # fmt: skip
        _wait_answering(running, killed_at, promoted_at, durations.after_recovery)
        ended_at = time.time()
    # The former primary back (compose restarts it): the Sentinels make it a replica of the new primary.
    restarted_at = time.time()
    group.primary.start()
    wait_until(lambda: group.in_sync(group.primary) and _replica_of(group), 60, "the former primary a replica")
    rejoined_after = time.time() - restarted_at
    return {
        "streams": {s.name: {"rate": s.rate, "sends": s.sends} for s in streams},
        "killed_at": killed_at,
        "promoted_after_s": round(promoted_at - killed_at, 2),
        "window": [running.started_at, ended_at],
        "records": running.records,
        "writes": check_valkey_writes(topology, running.writes),
        "former_primary_rejoined_as_replica_after_s": round(rejoined_after, 2),
    }


def _replica_of(group: Any) -> bool:
    with group.client(group.primary) as client:
        info = client.info("replication")
    return bool(info.get("role") == "slave" and int(info.get("master_port", 0)) == group.replica.port)


def _wait_answering(running: Load, killed_at: float, promoted_at: float, quiet: float) -> None:
    """Until `quiet` seconds passed since the promotion and since the end of the last failed request after the kill
    (at most RECOVERY_TIMEOUT_SECONDS after the promotion)."""
    deadline = promoted_at + RECOVERY_TIMEOUT_SECONDS
    while True:
        ends = [r["t"] + r["ms"] / 1000 for r in running.failures_since(killed_at - 30)]
        now = time.time()
        if now - max([promoted_at, *ends]) >= quiet or now > deadline:
            return
        time.sleep(0.2)


def check_valkey_writes(topology: ScaleTopology, writes: list[dict[str, Any]]) -> dict[str, Any]:
    """Every acknowledged nonce and sign-out on the primary the Sentinels name now; every signed-out access token
    refused through the gateway."""
    group = topology.valkey
    nonces = [w for w in writes if w["write"] == "siwe_nonce"]
    logouts = [w for w in writes if w["write"] == "logout"]
    with group.client(group.master_process()) as client:
        pipe = client.pipeline(transaction=False)
        for write in nonces:
            pipe.exists(SIWE_NONCE_KEY.format(write["nonce"]))
        for write in logouts:
            pipe.exists(REVOKED_SESSION_KEY.format(write["session_id"]))
        present = pipe.execute()
    nonce_present, logout_present = present[: len(nonces)], present[len(nonces) :]
    refused = Counter[str]()
    with topology.client() as api:
        for write in logouts:
            answer = api.get("/api/auth/me", headers={"Authorization": f"Bearer {write['access_token']}"})
            refused["refused" if answer.status_code == 401 else f"answered {answer.status_code}"] += 1
    return {
        "siwe_nonces": {
            "acknowledged": len(nonces),
            "present": sum(nonce_present),
            "missing": len(nonces) - sum(nonce_present),
        },
        "logouts": {
            "acknowledged": len(logouts),
            "present": sum(logout_present),
            "missing": len(logouts) - sum(logout_present),
            "signed_out_tokens": dict(refused),
        },
    }


# ---- 2: the PostgreSQL replica stopped ----


def reads_by_target(topology: ScaleTopology) -> Counter[str]:
    """osool_db_reads_total of every replica of the services with a read pool, summed: `replica`, `primary:<why>`."""
    found: Counter[str] = Counter()
    for service in READ_FROM_REPLICAS:
        for replica in topology.replicas[service]:
            text = httpx.get(f"{replica.url}/metrics", timeout=10).text
            for family in text_string_to_metric_families(text):
                for sample in family.samples:
                    if sample.name == "osool_db_reads_total":
                        target = sample.labels["target"]
                        key = target if target == "replica" else f"primary:{sample.labels['reason']}"
                        found[key] += int(sample.value)
    return found


def replica_stop(topology: ScaleTopology, plan: Plan, durations: Durations) -> dict[str, Any]:
    database = topology.database
    streams = read_streams(plan)
    at_start = reads_by_target(topology)
    with load(topology, streams) as running:
        time.sleep(durations.before_fault)
        before = reads_by_target(topology)
        stopped_at = time.time()
        database.replica.stop("fast")  # pg_ctl stop -m fast: every session ended with an error, as `docker stop`
        time.sleep(max(durations.after_recovery, 5.0))
        after = reads_by_target(topology)
        ended_at = time.time()
    started = reads_by_target(topology)  # nothing reads now: the baseline of the restart's
    restarted_at = time.time()
    ran = database.start_replica()  # init-replication.sh: a replica's data directory, started as it is
    wait_until(database.streaming, 60, "the replica streaming again")
    streaming_after = time.time() - restarted_at
    conversation = plan.sessions[0]

    def reads_back_on_the_replica() -> bool:
        with topology.client() as client:
            client.get(f"/api/history/sessions/{conversation['id']}/messages",
                       headers={"X-Session-Secret": conversation["secret"]})  # fmt: skip
        return reads_by_target(topology)["replica"] > started["replica"]

    wait_until(reads_back_on_the_replica, 60, "reads on the replica again", interval=0.5)
    return {
        "streams": {s.name: {"rate": s.rate, "sends": s.sends} for s in streams},
        "stopped_at": stopped_at,
        "window": [running.started_at, ended_at],
        "records": running.records,
        "reads_before_stop": {key: before[key] - at_start[key] for key in sorted(set(before) | set(at_start))},
        "reads_after_stop": {key: after[key] - before[key] for key in sorted(set(after) | set(before))},
        "restart": {
            "script_said": [line for line in ran.stdout.splitlines() if line.startswith("init-replication")],
            "streaming_after_s": round(streaming_after, 2),
            "reads_on_the_replica_after_s": round(time.time() - restarted_at, 2),
        },
    }


# ---- 3: the replication lag under writes ----

REPLICATION_SQL = """
SELECT extract(epoch FROM write_lag) * 1000, extract(epoch FROM flush_lag) * 1000,
       extract(epoch FROM replay_lag) * 1000, pg_wal_lsn_diff(pg_current_wal_lsn(), sent_lsn),
       pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn), state
FROM pg_stat_replication WHERE application_name = %s
"""


def replication_lag(topology: ScaleTopology, plan: Plan, durations: Durations) -> dict[str, Any]:
    database = topology.database
    samples: list[dict[str, Any]] = []
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(SAMPLE_SECONDS):
            rows = database.primary.rows(REPLICATION_SQL, database.slot, database="postgres")
            if rows:
                write, flush, replay, unsent, behind, state = rows[0]
                samples.append({
                    "t": time.time(), "write_ms": write, "flush_ms": flush, "replay_ms": replay,
                    "unsent_bytes": int(unsent), "replay_bytes_behind": int(behind), "state": state,
                })  # fmt: skip

    streams = write_streams(plan)
    wal = "SELECT pg_current_wal_lsn()::text"
    first_lsn, before = database.primary.query(wal), reads_by_target(topology)
    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        with load(topology, streams) as running:
            time.sleep(durations.lag_load)
            ended_at = time.time()
    finally:
        stop.set()
        sampler.join(timeout=10)
    wal_bytes = int(database.primary.query("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", first_lsn))
    after = reads_by_target(topology)
    return {
        "streams": {s.name: {"rate": s.rate, "sends": s.sends} for s in streams},
        "window": [running.started_at, ended_at],
        "records": running.records,
        "samples": samples,
        "wal_bytes": wal_bytes,
        "reads": {key: after[key] - before[key] for key in sorted(set(after) | set(before))},
        # The read pool's limit (DATABASE_REPLICA_MAX_LAG_SECONDS, its default): beyond it reads go to the primary.
        "max_lag_limit_s": float(CommonSettings.model_fields["database_replica_max_lag_seconds"].default),
    }


# ---- the backup ----


def backup_and_restore(topology: ScaleTopology) -> dict[str, Any]:
    """The services stopped (nothing writes any more), the primary backed up with database/backup.sh (`make backup`'s
    path), the dump restored into a fresh cluster by the same script, and every table's rows counted on both."""
    topology.stop_services()
    url = topology.database_url
    source = backups.row_counts(url)
    started = time.monotonic()
    dump = backups.backup(url, topology.root / "backups")
    dumped = time.monotonic() - started
    with postgres_cluster("osool-restore-", settings={}) as fresh:
        password = uuid.uuid4().hex
        create_osool_database(fresh, password, database=False)
        env = {"DATABASE_URL": f"postgresql://osool:{password}@127.0.0.1:{fresh.port}/osool",
               "POSTGRES_SUPERUSER_PASSWORD": fresh.superuser_password}  # fmt: skip
        started = time.monotonic()
        backups.restore_into_new_database(env, dump, "osool")
        restored_in = time.monotonic() - started
        restored = backups.row_counts(env["DATABASE_URL"])
    tables = sorted(set(source) | set(restored))
    return {
        "dump_bytes": dump.stat().st_size,
        "dump_seconds": round(dumped, 2),
        "restore_seconds": round(restored_in, 2),
        "tables": len(tables),
        "rows": sum(source.values()),
        "differing": {
            name: {"primary": source.get(name), "restored": restored.get(name)}
            for name in tables
            if source.get(name) != restored.get(name)
        },
        "largest": dict(sorted(source.items(), key=lambda item: -item[1])[:5]),
    }
