"""The chain service through the gateway, on the test stack's embedded node (py-evm behind JSON-RPC), two replicas.

Staff sign in for real: an administrator made with `python -m osool_auth create-admin`, an agent promoted by them.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import psycopg
import pytest
from eth_account import Account
from eth_utils import keccak

from devstack.stack import LocalStack
from devstack.testing import admin_headers, read_outbox

pytestmark = pytest.mark.stack
PASSWORD = "a long enough passphrase"
BUYER = Account.create().address
OTHER_BUYER = Account.create().address


def doc(text: str) -> str:
    return "0x" + keccak(text=text).hex()


def key() -> str:
    return uuid.uuid4().hex


def new_ref() -> str:
    return f"unit-{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.config.public_url, timeout=30) as client:
        yield client


def _verified(api: httpx.Client) -> dict[str, Any]:
    email = f"chain-{uuid.uuid4().hex[:12]}@osool-test.eg"
    assert api.post("/api/auth/signup", json={"email": email, "password": PASSWORD}).status_code == 202
    body = read_outbox(api, email)[0]["body"]
    token = re.search(r"token=([A-Za-z0-9_\-]+)", body)
    assert token
    pair: dict[str, Any] = api.post("/api/auth/verify-email", json={"token": token[1]}).json()
    return pair


@pytest.fixture(scope="module")
def admin(stack: LocalStack) -> dict[str, str]:
    return admin_headers(stack, "chain-admin")


@pytest.fixture(scope="module")
def agent(api: httpx.Client, admin: dict[str, str]) -> dict[str, str]:
    user = _verified(api)
    promoted = api.put(f"/api/auth/admin/users/{user['user']['id']}/role", json={"role": "agent"}, headers=admin)
    assert promoted.status_code == 200
    pair = api.post("/api/auth/token/refresh", json={"refresh_token": user["refresh_token"]}).json()
    assert pair["user"]["role"] == "agent"
    return {"Authorization": f"Bearer {pair['access_token']}"}


@pytest.fixture(scope="module")
def user(api: httpx.Client) -> dict[str, str]:
    return {"Authorization": f"Bearer {_verified(api)['access_token']}"}


def write(api: httpx.Client, path: str, who: dict[str, str], body: dict[str, Any] | None = None,
          idempotency_key: str | None = None) -> httpx.Response:  # fmt: skip
    headers = {**who, "Idempotency-Key": idempotency_key or key()}
    if body is None:
        return api.post(path, headers=headers)
    return api.post(path, json=body, headers=headers)


def register(api: httpx.Client, who: dict[str, str], ref: str | None = None, price: int = 3_500_000) -> str:
    ref = ref or new_ref()
    response = write(
        api, "/api/chain/listings", who, {"listing_id": ref, "document_hash": doc(ref), "price_egp": price}
    )
    assert response.status_code == 202, response.text
    return ref


def wait_tx(api: httpx.Client, tx_id: str, until: tuple[str, ...] = ("confirmed", "failed"),
            timeout: float = 30) -> dict[str, Any]:  # fmt: skip
    deadline = time.monotonic() + timeout
    while True:
        tx: dict[str, Any] = api.get(f"/api/chain/transactions/{tx_id}").json()
        if tx["status"] in until:
            return tx
        assert time.monotonic() < deadline, f"transaction still {tx['status']}: {tx}"
        time.sleep(0.1)


def wait_listing(api: httpx.Client, ref: str, status: str, *, after: str | None = None,
                 timeout: float = 30) -> dict[str, Any]:  # fmt: skip
    """Reads come from the indexer's tables: wait until it shows `status` with nothing pending, and (given the
    id of a write) until that write's event is indexed."""
    deadline = time.monotonic() + timeout
    want_hash = wait_tx(api, after, timeout=timeout)["tx_hash"] if after else None
    while True:
        response = api.get(f"/api/chain/listings/{ref}")
        if response.status_code == 200:
            listing: dict[str, Any] = response.json()
            hashes = {event["tx_hash"] for event in listing["transactions"]}
            if listing["status"] == status and not listing["pending_transactions"] and want_hash in (None, *hashes):
                return listing
        assert time.monotonic() < deadline, f"listing {ref} not {status}: {response.text}"
        time.sleep(0.1)


def our_nonces(stack_env: dict[str, str]) -> list[int]:
    """Every nonce the service used on the active deployment's chain, in order."""
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        rows = connection.execute(
            """SELECT t.nonce FROM chain.transactions t JOIN chain.deployments d ON d.id = t.deployment_id
               WHERE d.retired_at IS NULL AND t.nonce IS NOT NULL ORDER BY t.nonce"""
        ).fetchall()
    return [int(row[0]) for row in rows]


def assert_no_nonce_gap(stack_env: dict[str, str]) -> list[int]:
    nonces = our_nonces(stack_env)
    assert nonces, "no transaction was sent"
    assert nonces == list(range(nonces[0], nonces[0] + len(nonces))), f"nonce gap or repeat: {nonces}"
    return nonces


def node_rpc(stack: LocalStack, method: str, params: list[Any]) -> Any:
    assert stack.config.chain_node_url
    response = httpx.post(stack.config.chain_node_url, json={"jsonrpc": "2.0", "id": 1, "method": method,
                                                             "params": params}, timeout=10)  # fmt: skip
    return response.json()["result"]


# -- the life of a listing ---------------------------------------------------------------------------------------
def test_a_listing_is_registered_reserved_and_sold_with_the_hashes_that_changed_it(
    api: httpx.Client, agent: dict[str, str]
) -> None:
    ref = new_ref()
    created = write(api, "/api/chain/listings", agent, {"listing_id": ref, "document_hash": doc(ref),
                                                          "price_egp": 4_250_000})  # fmt: skip
    assert created.status_code == 202
    tx = created.json()
    assert tx["status"] in ("pending", "sent", "confirmed") and tx["function"] == "list" and tx["listing_id"] == ref
    assert created.headers["location"] == f"/api/chain/transactions/{tx['tx_id']}"
    listed = wait_tx(api, tx["tx_id"])
    assert listed["status"] == "confirmed" and listed["tx_hash"].startswith("0x") and listed["gas_used"] > 21_000
    assert listed["block_number"] >= 1 and listed["nonce"] is not None

    available = wait_listing(api, ref, "available")
    assert available["price_egp"] == 4_250_000 and available["document_hash"] == doc(ref)
    assert available["contract_address"].startswith("0x") and available["chain_listing_id"] != ref

    reserved_tx = write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": BUYER.lower()}).json()
    assert wait_tx(api, reserved_tx["tx_id"])["status"] == "confirmed"
    reserved = wait_listing(api, ref, "reserved")
    assert reserved["reserved_by"] == BUYER  # normalised to its checksum form

    sold_tx = write(api, f"/api/chain/listings/{ref}/sell", agent).json()
    sold = wait_tx(api, sold_tx["tx_id"])
    assert sold["status"] == "confirmed"
    final = wait_listing(api, ref, "sold")
    assert [event["event"] for event in final["transactions"]] == ["Listed", "Reserved", "Sold"]
    assert [event["tx_hash"] for event in final["transactions"]] == [
        listed["tx_hash"], wait_tx(api, reserved_tx["tx_id"])["tx_hash"], sold["tx_hash"]
    ]  # fmt: skip
    assert final["reserved_by"] == BUYER and final["pending_status"] == "sold"


def test_a_reservation_is_cancelled_and_the_document_and_price_change_while_available(
    api: httpx.Client, agent: dict[str, str], admin: dict[str, str]
) -> None:
    ref = register(api, admin)
    reserved = write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": BUYER})
    assert reserved.status_code == 202
    frozen = api.put(f"/api/chain/listings/{ref}/price", json={"price_egp": 1},
                     headers={**agent, "Idempotency-Key": key()})  # fmt: skip
    assert frozen.status_code == 409 and frozen.json()["error"]["code"] == "wrong_state"
    cancelled = write(api, f"/api/chain/listings/{ref}/cancel", agent)
    assert cancelled.status_code == 202
    new_doc = doc(ref + " version 2")
    updated = api.put(f"/api/chain/listings/{ref}/document", json={"document_hash": new_doc},
                      headers={**agent, "Idempotency-Key": key()})  # fmt: skip
    repriced = api.put(f"/api/chain/listings/{ref}/price", json={"price_egp": 3_100_000},
                       headers={**agent, "Idempotency-Key": key()})  # fmt: skip
    assert updated.status_code == 202 and repriced.status_code == 202
    listing = wait_listing(api, ref, "available", after=repriced.json()["tx_id"])
    assert listing["document_hash"] == new_doc and listing["price_egp"] == 3_100_000 and listing["reserved_by"] is None
    assert [e["event"] for e in listing["transactions"]] == [
        "Listed", "Reserved", "ReservationCancelled", "DocumentUpdated", "PriceUpdated"
    ]  # fmt: skip

    matches = api.post("/api/chain/verify", json={"listing_id": ref, "document_hash": new_doc}).json()
    assert matches["matches"] is True and matches["on_chain_document_hash"] == new_doc
    old = api.post("/api/chain/verify", json={"listing_id": ref, "document_hash": doc(ref)}).json()
    assert old["matches"] is False


def test_a_uuid_listing_id_and_a_numeric_one_map_onto_the_chain(api: httpx.Client, agent: dict[str, str]) -> None:
    numeric = str(int(time.time() * 1000) + os.getpid())
    register(api, agent, numeric)
    text = str(uuid.uuid4())
    register(api, agent, text)
    assert wait_listing(api, numeric, "available")["chain_listing_id"] == numeric
    assert wait_listing(api, text, "available")["chain_listing_id"] == str(int.from_bytes(keccak(text=text), "big"))


# -- who may write, and what is refused ------------------------------------------------------------------------------
def test_only_agents_and_admins_write(api: httpx.Client, user: dict[str, str]) -> None:
    body = {"listing_id": new_ref(), "document_hash": doc("x"), "price_egp": 10}
    assert api.post("/api/chain/listings", json=body, headers={"Idempotency-Key": key()}).status_code == 401
    refused = api.post("/api/chain/listings", json=body, headers={**user, "Idempotency-Key": key()})
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"document_hash": "0x" + "ab" * 31, "price_egp": 10}, "document_hash"),
        ({"document_hash": "0x" + "zz" * 32, "price_egp": 10}, "document_hash"),
        ({"document_hash": "0x" + "00" * 32, "price_egp": 10}, "document_hash"),
        ({"document_hash": "0x" + "ab" * 32, "price_egp": 0}, "price_egp"),
        ({"document_hash": "0x" + "ab" * 32, "price_egp": 2**96}, "price_egp"),
        ({"document_hash": "0x" + "ab" * 32, "price_egp": "100"}, "price_egp"),
        ({"document_hash": "0x" + "ab" * 32, "price_egp": 10.5}, "price_egp"),
        ({"document_hash": "0x" + "ab" * 32, "price_egp": 10, "owner": "me"}, "owner"),
        ({"listing_id": "has space", "document_hash": "0x" + "ab" * 32, "price_egp": 10}, "listing_id"),
        ({"listing_id": "x" * 101, "document_hash": "0x" + "ab" * 32, "price_egp": 10}, "listing_id"),
    ],
)
def test_a_bad_registration_is_refused_with_422(
    api: httpx.Client, agent: dict[str, str], body: dict[str, Any], field: str
) -> None:
    response = write(api, "/api/chain/listings", agent, {"listing_id": new_ref(), **body})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error" and field in str(error["details"])


@pytest.mark.parametrize(
    "buyer",
    ["0x" + "00" * 20, "0x1234", "not an address", "0x2b5AD5c4795c026514f8317c7a215E218DcCD6cF", ""],
)
def test_a_bad_buyer_address_is_refused_with_422(api: httpx.Client, agent: dict[str, str], buyer: str) -> None:
    response = write(api, f"/api/chain/listings/{new_ref()}/reserve", agent, {"buyer": buyer})
    assert response.status_code == 422 and "buyer" in str(response.json()["error"]["details"])


def test_writes_need_an_idempotency_key(api: httpx.Client, agent: dict[str, str]) -> None:
    body = {"listing_id": new_ref(), "document_hash": doc("k"), "price_egp": 10}
    missing = api.post("/api/chain/listings", json=body, headers=agent)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "idempotency_key_required"
    malformed = api.post("/api/chain/listings", json=body, headers={**agent, "Idempotency-Key": "short"})
    assert malformed.status_code == 422


def test_state_conflicts_are_409(api: httpx.Client, agent: dict[str, str]) -> None:
    unknown = write(api, f"/api/chain/listings/{new_ref()}/reserve", agent, {"buyer": BUYER})
    assert unknown.status_code == 409 and unknown.json()["error"]["code"] == "wrong_state"
    ref = register(api, agent)
    again = write(api, "/api/chain/listings", agent, {"listing_id": ref, "document_hash": doc(ref), "price_egp": 5})
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_listed"
    not_reserved = write(api, f"/api/chain/listings/{ref}/sell", agent)
    assert not_reserved.status_code == 409 and "not reserved" in not_reserved.json()["error"]["message"]
    assert write(api, f"/api/chain/listings/{ref}/cancel", agent).status_code == 409


def test_reads_of_unknown_things_are_404_and_bad_ids_422(api: httpx.Client) -> None:
    assert api.get(f"/api/chain/listings/{new_ref()}").status_code == 404
    assert api.get(f"/api/chain/transactions/{uuid.uuid4()}").status_code == 404
    assert api.get("/api/chain/transactions/not-a-uuid").status_code == 422
    assert api.get("/api/chain/listings/has%20space").status_code == 422
    unknown = api.post("/api/chain/verify", json={"listing_id": new_ref(), "document_hash": doc("v")})
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    assert api.post("/api/chain/verify", json={"listing_id": "x", "document_hash": "0x12"}).status_code == 422


# -- idempotency ------------------------------------------------------------------------------------------------------
def test_a_retried_request_returns_the_first_answer_and_never_writes_twice(
    api: httpx.Client, agent: dict[str, str], stack_env: dict[str, str]
) -> None:
    ref = register(api, agent)
    retry_key = key()
    first = write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": BUYER}, retry_key)
    again = write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": BUYER}, retry_key)
    assert first.status_code == again.status_code == 202
    assert again.json()["tx_id"] == first.json()["tx_id"] and again.headers["idempotent-replayed"] == "true"
    wait_tx(api, first.json()["tx_id"])
    after = write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": BUYER}, retry_key)
    assert after.json()["tx_id"] == first.json()["tx_id"] and after.json()["status"] == "confirmed"
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        count = connection.execute(
            "SELECT count(*) FROM chain.transactions WHERE function = 'reserve' AND args->>'listing' = %s", (ref,)
        ).fetchone()
    assert count is not None and count[0] == 1
    reused = write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": OTHER_BUYER}, retry_key)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"


# -- one writer -------------------------------------------------------------------------------------------------------
async def _reserve_concurrently(stack: LocalStack, agent: dict[str, str], ref: str, n: int) -> list[httpx.Response]:
    async with httpx.AsyncClient(base_url=stack.config.public_url, timeout=30) as client:
        buyers = [Account.create().address for _ in range(n)]
        return list(await asyncio.gather(*(
            client.post(f"/api/chain/listings/{ref}/reserve", json={"buyer": buyer},
                        headers={**agent, "Idempotency-Key": key()})
            for buyer in buyers
        )))  # fmt: skip


def test_fifty_concurrent_reservations_through_two_replicas_one_wins_no_nonce_gap(
    api: httpx.Client, agent: dict[str, str], stack: LocalStack, stack_env: dict[str, str]
) -> None:
    assert len(stack.config.replica_ports["chain"]) == 2
    ref = register(api, agent)
    wait_listing(api, ref, "available")
    responses = asyncio.run(_reserve_concurrently(stack, agent, ref, 50))
    statuses = sorted(response.status_code for response in responses)
    assert statuses == [202] + [409] * 49, statuses
    for response in responses:
        if response.status_code == 409:
            assert response.json()["error"]["code"] == "already_reserved"
    winner = next(r for r in responses if r.status_code == 202).json()
    assert wait_tx(api, winner["tx_id"])["status"] == "confirmed"
    listing = wait_listing(api, ref, "reserved")
    assert [e["event"] for e in listing["transactions"]] == ["Listed", "Reserved"]
    nonces = assert_no_nonce_gap(stack_env)
    signer_nonce = int(node_rpc(stack, "eth_getTransactionCount", [listing_signer(stack_env), "latest"]), 16)
    assert signer_nonce == nonces[-1] + 1
    print(f"\n50 concurrent reservations: {statuses.count(202)} accepted, {statuses.count(409)} refused (409); "
          f"nonces {nonces[0]}..{nonces[-1]} with no gap")  # fmt: skip


def listing_signer(stack_env: dict[str, str]) -> str:
    return str(Account.from_key(stack_env["CHAIN_PRIVATE_KEY"]).address)


# -- health and metrics ---------------------------------------------------------------------------------------------
def test_health_reports_the_node_indexer_and_outbox(stack: LocalStack) -> None:
    health = httpx.get(f"{stack.config.internal_url}/chain/health").json()
    checks = health["checks"]
    assert health["status"] == "healthy"
    assert re.match(r"block \d+; chain id \d+; registry at 0x[0-9a-fA-F]{40}", checks["chain-node"]["message"])
    assert checks["indexer"]["message"].startswith("lag ")
    assert checks["outbox"]["status"] == "healthy"


def test_metrics_count_transactions_gas_and_show_lag_and_outbox(stack: LocalStack, api: httpx.Client,
                                                                agent: dict[str, str]) -> None:  # fmt: skip
    ref = register(api, agent)
    wait_listing(api, ref, "available")
    text = ""
    for _ in range(2):  # two replicas behind the internal gateway: ask until both have answered
        text += httpx.get(f"{stack.config.internal_url}/chain/metrics").text
    assert re.search(r'^osool_chain_transactions_total\{function="list",outcome="confirmed"\} [1-9]', text, re.M)
    assert re.search(r'^osool_chain_transactions_total\{function="list",outcome="sent"\} [1-9]', text, re.M)
    assert re.search(r'^osool_chain_gas_used_count\{function="list"\} [1-9]', text, re.M)
    assert re.search(r'^osool_chain_gas_used_sum\{function="deploy"\} [1-9]', text, re.M)
    assert re.search(r"^osool_chain_indexer_lag_blocks \d", text, re.M)
    assert re.search(r"^osool_chain_outbox_depth \d", text, re.M)
    assert re.search(r"^osool_chain_node_up 1\.0$", text, re.M)
    assert re.search(r'^osool_chain_writes_total\{function="list",outcome="accepted"\} [1-9]', text, re.M)


def test_waiting_senders_do_not_hold_back_vacuum(stack: LocalStack, stack_env: dict[str, str]) -> None:
    """Four senders (two replicas of two workers) compete for one lock; those waiting must not sit in a statement,
    whose snapshot would keep VACUUM from cleaning any table of any service for as long as one leads."""
    stack.wait_healthy()
    time.sleep(1.5)  # every sender has tried at least twice
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        senders = connection.execute(
            "SELECT state, backend_xmin IS NOT NULL AS holds_horizon, query FROM pg_stat_activity "
            "WHERE application_name = 'chain-sender' AND pid <> pg_backend_pid()"
        ).fetchall()
        leading = connection.execute(
            "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) "
            "WHERE l.locktype = 'advisory' AND l.granted AND a.application_name = 'chain-sender'"
        ).fetchone()
    assert len(senders) >= 2, senders  # a leader and at least one waiting
    assert leading is not None and leading[0] == 1
    assert not [s for s in senders if s[0] == "active" and "pg_advisory_lock" in s[2]], senders
    assert not [s for s in senders if s[0] == "active" and s[1] and "pg_try_advisory_lock" not in s[2]], senders


# -- the node goes away -------------------------------------------------------------------------------------------
def test_writes_made_while_the_node_is_down_are_accepted_and_all_land_once_it_is_back(
    api: httpx.Client, agent: dict[str, str], stack: LocalStack, stack_env: dict[str, str]
) -> None:
    ready_ref = register(api, agent)
    wait_listing(api, ready_ref, "available")
    node_pid = stack.program_pid("chain-node")
    os.kill(node_pid, signal.SIGSTOP)  # frozen: connections hang, requests time out, its chain is kept
    try:
        ref = new_ref()
        started = time.monotonic()
        accepted = [
            write(api, "/api/chain/listings", agent, {"listing_id": ref, "document_hash": doc(ref), "price_egp": 7}),
            write(api, f"/api/chain/listings/{ref}/reserve", agent, {"buyer": BUYER}),
            write(api, f"/api/chain/listings/{ref}/sell", agent),
            write(api, f"/api/chain/listings/{ready_ref}/reserve", agent, {"buyer": OTHER_BUYER}),
        ]
        assert time.monotonic() - started < 5, "a write waited for the node"
        assert [r.status_code for r in accepted] == [202] * 4
        assert all(r.json()["status"] == "pending" for r in accepted)
        time.sleep(2)  # the sender tries, times out and backs off
        for response in accepted:
            assert api.get(f"/api/chain/transactions/{response.json()['tx_id']}").json()["status"] in ("pending",)
        health = httpx.get(f"{stack.config.internal_url}/chain/health", timeout=10)
        assert health.status_code == 503 and health.json()["status"] == "degraded"
        assert health.json()["checks"]["chain-node"]["status"] == "unhealthy"
        assert health.json()["checks"]["outbox"]["message"].startswith("4 writes waiting")
        ready = httpx.get(f"{stack.config.internal_url}/chain/health/ready", timeout=10)
        assert ready.status_code == 200, "the node being down must not take the replicas out of rotation"
        # The depth is the leading sender's (one worker of one replica): read until the leader's replica answers.
        deadline = time.monotonic() + 10
        metrics = ""
        while not re.search(r"^osool_chain_outbox_depth [1-9]", metrics, re.M):
            assert time.monotonic() < deadline, "osool_chain_outbox_depth did not show the writes queued"
            metrics = httpx.get(f"{stack.config.internal_url}/chain/metrics").text
        # What ChainNodeDown reads: the calls that timed out say so (both replicas, the gauge is the latest call's).
        deadline = time.monotonic() + 30
        while not re.search(r"^osool_chain_node_up 0\.0$", metrics, re.M):
            assert time.monotonic() < deadline, "osool_chain_node_up did not fall to 0 while the node was frozen"
            time.sleep(0.5)
            metrics = httpx.get(f"{stack.config.internal_url}/chain/metrics").text
    finally:
        os.kill(node_pid, signal.SIGCONT)
    landed = [wait_tx(api, r.json()["tx_id"], timeout=60) for r in accepted]
    assert [tx["status"] for tx in landed] == ["confirmed"] * 4, landed
    assert wait_listing(api, ref, "sold")["reserved_by"] == BUYER
    assert wait_listing(api, ready_ref, "reserved")["reserved_by"] == OTHER_BUYER
    nonces = assert_no_nonce_gap(stack_env)
    landed_nonces = sorted(tx["nonce"] for tx in landed)
    assert landed_nonces == list(range(landed_nonces[0], landed_nonces[0] + 4)) and landed_nonces[-1] == nonces[-1]
    assert httpx.get(f"{stack.config.internal_url}/chain/health").status_code == 200


def test_a_restarted_dev_node_loses_its_chain_and_the_service_redeploys_saying_so(
    api: httpx.Client, agent: dict[str, str], stack: LocalStack, stack_env: dict[str, str]
) -> None:
    """Last in this module: the in-memory chain (and so every listing on it) is gone after this."""
    ref = register(api, agent)
    wait_listing(api, ref, "available")
    before = _active_deployment(stack_env)
    assert before is not None
    stack.ctl("restart", "chain-node", check=True)
    deadline = time.monotonic() + 60
    # Between retiring the old deployment and recording the new one (a contract deployed on the node in between) no
    # deployment is active: that is "not yet", like a new one without its address.
    while (after := _active_deployment(stack_env)) is None or after[0] == before[0] or after[2] is None:
        assert time.monotonic() < deadline, "the service did not redeploy"
        time.sleep(0.2)
    assert after[1] != before[1]  # another genesis: another chain
    health = httpx.get(f"{stack.config.internal_url}/chain/health").json()
    assert "redeployed" in health["checks"]["chain-node"]["message"]
    assert "lost its state" in health["checks"]["chain-node"]["message"]
    assert api.get(f"/api/chain/listings/{ref}").status_code == 404
    again = register(api, agent, ref)
    assert wait_listing(api, again, "available")["contract_address"] == after[2]
    assert_no_nonce_gap(stack_env)


def _active_deployment(stack_env: dict[str, str]) -> tuple[int, str, str | None] | None:
    with psycopg.connect(stack_env["DATABASE_URL"]) as connection:
        row = connection.execute(
            "SELECT id, genesis_hash, address FROM chain.deployments WHERE retired_at IS NULL"
        ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), row[2])


def test_many_listings_statuses_are_read_at_once(api: httpx.Client, agent: dict[str, str]) -> None:
    listed, never = new_ref(), new_ref()
    response = api.post("/api/chain/listings", headers={**agent, "Idempotency-Key": key()},
                        json={"listing_id": listed, "document_hash": doc(listed), "price_egp": 4_200_000})  # fmt: skip
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + 30
    while True:
        body = api.get("/api/chain/listings", params=[("id", listed), ("id", never)]).json()
        if body["listings"][0]["status"] == "available" or time.monotonic() > deadline:
            break
        time.sleep(0.3)
    assert body["listings"] == [
        {"listing_id": listed, "status": "available", "pending_status": "available", "price_egp": 4_200_000},
        {"listing_id": never, "status": "not_registered", "pending_status": None, "price_egp": None},
    ]
    assert api.get("/api/chain/listings").status_code == 422
    assert api.get("/api/chain/listings", params={"id": "bad id"}).status_code == 422
    assert api.get("/api/chain/listings", params=[("id", str(n)) for n in range(51)]).status_code == 422
