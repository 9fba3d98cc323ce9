"""The one writer: signs and sends the outbox, in order, with nonces that never collide and never skip.

Every worker of every replica runs `Sender.run`; the one that holds a Postgres advisory lock leads, the others try
for it twice a second and take over within half a second of its connection going. An advisory lock rather than a Redis
lock with a TTL: it lives exactly as long as the leader's database connection, so it can neither expire under a
slow leader (two leaders, two transactions with one nonce) nor outlive a dead one; and every nonce the leader
takes is written on that same connection, so a leader that lost its connection (and its lock) cannot take one.

One transaction is in flight at a time: the next is estimated only once the previous one is mined, so the estimate
sees the state it will run in (a reservation right after a listing) and a revert is caught before a nonce is spent.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime
from typing import Any

import asyncpg
from eth_account import Account
from eth_account.signers.local import LocalAccount

from osool_chain import metrics
from osool_chain.contract.codec import RegistryCodec
from osool_chain.registry import STATUSES, ListingState, replay_state
from osool_chain.repository import OUTBOX_CHANNEL, ChainRepository, Record, connect
from osool_chain.rpc import ChainNode, NodeRejectedError, NodeUnreachableError, RevertedError
from osool_chain.settings import Settings
from osool_common.logging import get_logger

log = get_logger(__name__)

SENDER_LOCK = 0x05_C4A1_5E4D  # pg advisory lock key: "chain sender"
LEADER_POLL_SECONDS = 0.5
GAS_HEADROOM = 1.25
MAX_REFUSALS = 5
_ALREADY_THERE = ("nonce too low", "already known", "known transaction", "alreadyknown", "invalid transaction nonce")


class Sender:
    def __init__(self, settings: Settings, repository: ChainRepository, node: ChainNode, codec: RegistryCodec) -> None:
        assert settings.chain_private_key is not None
        self.settings = settings
        self.repository = repository
        self.node = node
        self.codec = codec
        self.account: LocalAccount = Account.from_key(settings.chain_private_key.get_secret_value())
        self._wake = asyncio.Event()
        self._failures = 0

    @property
    def signer(self) -> str:
        return str(self.account.address)

    # -- leadership ------------------------------------------------------------------------------------------------
    async def run(self) -> None:
        while True:
            connection: asyncpg.Connection | None = None
            try:
                connection = await connect(self.settings)
                # Tries until the leader's connection (and so its lock) goes: takeover within LEADER_POLL_SECONDS.
                await self.repository.wait_for_lock(connection, SENDER_LOCK, LEADER_POLL_SECONDS)
                log.info("chain.sender_leading", signer=self.signer)
                await connection.add_listener(OUTBOX_CHANNEL, lambda *_: self._wake.set())
                await self._lead(connection)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: let go, and try to lead again
                log.warning("chain.sender_lost", error=f"{type(exc).__name__}: {exc}")
                await asyncio.sleep(self.settings.chain_poll_interval_seconds)
            finally:
                if connection is not None and not connection.is_closed():
                    with contextlib.suppress(Exception):
                        await connection.close()

    async def _lead(self, connection: asyncpg.Connection) -> None:
        while True:
            self._wake.clear()
            # Before the round too: a round waits on the node (up to its RPC timeout when it hangs), and the depth
            # must show the writes queueing meanwhile, not only once the node has answered or timed out.
            await self._update_outbox_gauge(connection)
            try:
                delay = await self.round(connection)
                self._failures = 0
            except NodeUnreachableError as exc:
                self._failures += 1
                delay = min(self.settings.chain_retry_max_seconds, 0.25 * 2**self._failures)
                log.warning("chain.node_unreachable", error=str(exc), retry_in=delay)
            except (NodeRejectedError, RevertedError) as exc:
                self._failures += 1
                delay = min(self.settings.chain_retry_max_seconds, 0.25 * 2**self._failures)
                log.warning("chain.sender_round_failed", error=str(exc), retry_in=delay)
            await self._update_outbox_gauge(connection)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=delay)

    async def _update_outbox_gauge(self, connection: asyncpg.Connection) -> None:
        depth = await connection.fetchval("SELECT count(*) FROM transactions WHERE status = 'pending'")
        metrics.OUTBOX_DEPTH.set(int(depth))

    # -- one round ---------------------------------------------------------------------------------------------------
    async def round(self, db: asyncpg.Connection) -> float:
        """Settle what is in flight, confirm what is deep enough, send what waits. Returns when to look again."""
        poll = self.settings.chain_poll_interval_seconds
        head = await self.node.block_number()
        deployment = await self.ensure_deployment(db)
        for tx in await self.repository.in_flight(db):
            if not await self._settle(db, tx):
                return poll
        await self._confirm(db, head)
        while True:
            deployment = await self.repository.active_deployment(db)
            assert deployment is not None
            tx = await self.repository.next_unsigned(db)
            if tx is None:
                break
            if tx["function"] != "deploy" and deployment["address"] is None:
                break  # the registry is not deployed yet: its deployment goes first (priority 0)
            sent = await self._send(db, deployment, tx)
            if sent is None:
                continue  # failed before a nonce was spent: on to the next one
            if not await self._settle(db, sent):
                return poll
            await self._confirm(db, await self.node.block_number())
        retry_at = await self.repository.earliest_retry(db)
        if retry_at is not None:
            return max(0.05, min(poll, (retry_at - datetime.now(UTC)).total_seconds()))
        return poll

    async def _confirm(self, db: asyncpg.Connection, head: int) -> None:
        for row in await self.repository.confirm_mined(db, head - self.settings.chain_confirmations):
            metrics.TRANSACTIONS.labels(row["function"], "confirmed").inc()

    # -- the deployment ----------------------------------------------------------------------------------------------
    async def ensure_deployment(self, db: asyncpg.Connection) -> Record:
        """The active deployment; a new one when there is none or the node no longer has it."""
        genesis = str((await self.node.block(0))["hash"])
        deployment = await self.repository.active_deployment(db)
        if deployment is not None:
            reason = None
            if deployment["genesis_hash"] != genesis:
                reason = (
                    f"the node's chain changed (genesis {deployment['genesis_hash'][:10]}… is now {genesis[:10]}…): "
                    "the node lost its state (an in-memory dev node restarted)"
                )
            elif deployment["address"] is not None and not await self.node.code(deployment["address"]):
                if deployment["configured"]:
                    raise NodeRejectedError(f"no contract code at the configured address {deployment['address']}")
                reason = f"no contract code at {deployment['address']} any more"
            if reason is None:
                return deployment
            await self._reset(db, deployment, reason)
        return await self._new_deployment(db, genesis)

    async def _reset(self, db: asyncpg.Connection, deployment: Record, reason: str) -> None:
        async with db.transaction():
            await self.repository.retire_deployment(db, deployment["id"], reason)
            failed = await self.repository.fail_open_transactions(
                db, f"the chain was reset before this write landed: {reason}"
            )
            await self.repository.delete_listings(db)
        for row in failed:
            metrics.TRANSACTIONS.labels(row["function"], "failed").inc()
        log.warning("chain.reset", reason=reason, old_address=deployment["address"], failed_writes=len(failed))

    async def _new_deployment(self, db: asyncpg.Connection, genesis: str) -> Record:
        chain_id = await self.node.chain_id()
        next_nonce = await self.node.nonce(self.signer, "pending")
        configured = self.settings.chain_contract_address
        async with db.transaction():
            deployment = await self.repository.insert_deployment(
                db, chain_id=chain_id, genesis_hash=genesis, signer=self.signer, next_nonce=next_nonce,
                address=configured, deployed_block=self.settings.chain_start_block if configured else None,
            )  # fmt: skip
            if configured is None:
                await self.repository.insert_transaction(db, function="deploy", args={}, priority=0)
                for role in ("REGISTRAR_ROLE", "AGENT_ROLE"):
                    await self.repository.insert_transaction(
                        db, function="grantRole", args={"role": role, "account": self.signer}, priority=0
                    )
        if configured:
            log.info("chain.using_configured_contract", address=configured, chain_id=chain_id)
        else:
            log.warning("chain.deploying", chain_id=chain_id, signer=self.signer, genesis=genesis)
        return deployment

    # -- sending ------------------------------------------------------------------------------------------------------
    def _call(self, tx: Record, deployment: Record) -> tuple[str | None, str]:
        """(to, data) of a transaction of the outbox."""
        args: dict[str, Any] = tx["args"]
        function = tx["function"]
        if function == "deploy":
            return None, self.codec.bytecode
        listing_id = int(tx["listing_id"]) if tx["listing_id"] is not None else 0
        values: list[Any] = {
            "grantRole": lambda: [self.codec.role_id(args.get("role", "")), args.get("account")],
            "list": lambda: [listing_id, bytes.fromhex(args["document_hash"][2:]), int(args["price"])],
            "updateDocument": lambda: [listing_id, bytes.fromhex(args["document_hash"][2:])],
            "updatePrice": lambda: [listing_id, int(args["price"])],
            "reserve": lambda: [listing_id, args["buyer"]],
            "cancelReservation": lambda: [listing_id],
            "markSold": lambda: [listing_id],
        }[function]()
        return deployment["address"], self.codec.call_data(function, values)

    async def _send(self, db: asyncpg.Connection, deployment: Record, tx: Record) -> Record | None:
        """Estimate, sign with the next nonce, record, broadcast. None when it failed before spending a nonce."""
        to, data = self._call(tx, deployment)
        try:
            gas = await self.node.estimate_gas(self.signer, to, data)
        except RevertedError as exc:
            name, args = self.codec.decode_revert(exc.data)
            await self._fail(db, tx, f"the contract refused it: {name} {args}".rstrip(" {}"))
            return None
        max_fee, tip = await self.node.fees()
        async with db.transaction():
            nonce = await self.repository.take_nonce(db, deployment["id"])
            fields: dict[str, Any] = {
                "type": 2, "chainId": deployment["chain_id"], "nonce": nonce, "value": 0, "data": data,
                "gas": int(gas * GAS_HEADROOM), "maxFeePerGas": max_fee, "maxPriorityFeePerGas": tip,
            }  # fmt: skip
            if to is not None:
                fields["to"] = to
            signed = self.account.sign_transaction(fields)
            tx_hash = "0x" + bytes(signed.hash).hex()
            await self.repository.mark_signed(
                db, tx["id"], deployment["id"], nonce, tx_hash, bytes(signed.raw_transaction)
            )
        log.info("chain.signed", tx_id=str(tx["id"]), function=tx["function"], nonce=nonce, tx_hash=tx_hash)
        raw = bytes(signed.raw_transaction)
        signed_tx = {**dict(tx), "nonce": nonce, "tx_hash": tx_hash, "raw_tx": raw, "deployment_id": deployment["id"]}
        return await self._broadcast(db, signed_tx)

    async def _broadcast(self, db: asyncpg.Connection, tx: dict[str, Any] | Record) -> Record | None:
        """Hand the signed transaction to the node (again, after an outage: the same bytes, the same hash)."""
        try:
            await self.node.send_raw(tx["raw_tx"])
        except NodeRejectedError as exc:
            message = str(exc)
            if not any(marker in message.lower() for marker in _ALREADY_THERE):
                await self._refused(db, tx, message)
                return None
            # It reached the node before (a timeout hid the answer) or is already mined: the receipt will say.
        if await self.repository.mark_sent(db, tx["id"]):
            metrics.TRANSACTIONS.labels(tx["function"], "sent").inc()
        return await self.repository.transaction_on(db, tx["id"])

    async def _refused(self, db: asyncpg.Connection, tx: dict[str, Any] | Record, message: str) -> None:
        """The node refused it outright (funds, fees): the nonce was never used, so it is given back."""
        attempts = int(tx["attempts"]) + (1 if isinstance(tx, dict) else 0)
        if attempts >= MAX_REFUSALS:
            async with db.transaction():
                await self.repository.release_nonce(db, tx["id"], tx["deployment_id"], tx["nonce"], message, 0)
                await self.repository.mark_failed(db, tx["id"], f"the node refused it {attempts} times: {message}")
            metrics.TRANSACTIONS.labels(tx["function"], "failed").inc()
            await self._recompute_intended(db, tx)
            return
        retry = min(self.settings.chain_retry_max_seconds * 6, 2.0**attempts)
        async with db.transaction():
            await self.repository.release_nonce(db, tx["id"], tx["deployment_id"], tx["nonce"], message, retry)
        log.warning("chain.refused", tx_id=str(tx["id"]), error=message, retry_in=retry)

    async def _settle(self, db: asyncpg.Connection, tx: Record) -> bool:
        """True once the transaction is mined (its outcome recorded); False while it waits."""
        receipt = await self.node.receipt(tx["tx_hash"])
        if receipt is None:
            rebroadcast = await self._broadcast(db, tx)
            if rebroadcast is None:
                return True  # refused and released: nothing in flight any more
            receipt = await self.node.receipt(tx["tx_hash"])
            if receipt is None:
                mined_nonce = await self.node.nonce(self.signer, "latest")
                if mined_nonce > int(tx["nonce"]):
                    # Its nonce was mined by another transaction of this key: ours can never be mined.
                    await self._fail(db, tx, f"nonce {tx['nonce']} was used by another transaction of the signer")
                    await self.repository.raise_next_nonce(db, tx["deployment_id"], await self.node.nonce(self.signer))
                    return True
                return False
        function = tx["function"]
        metrics.GAS_USED.labels(function).observe(receipt.gas_used)
        if receipt.status != 1:
            await self._fail(db, tx, "reverted on chain", receipt.block_number, receipt.gas_used)
            return True
        async with db.transaction():
            await self.repository.mark_mined(db, tx["id"], receipt.block_number, receipt.gas_used)
            if function == "deploy" and receipt.contract_address:
                await self.repository.set_deployed(db, tx["deployment_id"], receipt.contract_address,
                                                   receipt.block_number)  # fmt: skip
        if function == "deploy":
            log.warning("chain.deployed", address=receipt.contract_address, block=receipt.block_number)
        log.info("chain.mined", tx_id=str(tx["id"]), function=function, block=receipt.block_number,
                 gas_used=receipt.gas_used)  # fmt: skip
        return True

    async def _fail(self, db: asyncpg.Connection, tx: Record | dict[str, Any], error: str,
                    block: int | None = None, gas_used: int | None = None) -> None:  # fmt: skip
        await self.repository.mark_failed(db, tx["id"], error, block, gas_used)
        metrics.TRANSACTIONS.labels(tx["function"], "failed").inc()
        log.warning("chain.failed", tx_id=str(tx["id"]), function=tx["function"], error=error)
        if tx["function"] == "deploy":
            deployment = await self.repository.active_deployment(db)
            if deployment is not None:
                await self._reset(db, deployment, f"its deployment failed: {error}")
            return
        await self._recompute_intended(db, tx)

    async def _recompute_intended(self, db: asyncpg.Connection, tx: Record | dict[str, Any]) -> None:
        """After a failed write, what the listing will be: the chain's state now, plus the writes still queued."""
        if tx["listing_id"] is None:
            return
        listing_id = int(tx["listing_id"])
        deployment = await self.repository.active_deployment(db)
        state: ListingState | None = None
        if deployment is not None and deployment["address"] is not None:
            try:
                raw = await self.node.call(deployment["address"], self.codec.call_data("getListing", [listing_id]))
                _, _, reserved_by, status, *_ = self.codec.decode_listing(raw)
                state = ListingState(STATUSES[status], reserved_by if STATUSES[status] != "available" else None)
            except RevertedError:
                state = None  # UnknownListing
        queued = [(row["function"], row["args"]) for row in await self.repository.unsigned_writes_of(db, listing_id)]
        async with db.transaction():
            if await self.repository.lock_listing(db, listing_id) is not None:
                await self.repository.set_intended(db, listing_id, replay_state(state, queued, str(listing_id)))
