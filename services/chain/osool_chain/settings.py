"""Settings of the chain service: the common variables plus the node, the signing key and the indexer's pace."""

from __future__ import annotations

import re
from typing import ClassVar

from eth_utils import is_checksum_address, is_hex_address, to_checksum_address
from pydantic import AnyHttpUrl, SecretStr, field_validator

from osool_common.settings import CommonSettings

_PRIVATE_KEY = re.compile(r"^(0x)?[0-9a-fA-F]{64}$")


class Settings(CommonSettings):
    service_name: ClassVar[str] = "chain"
    required_secrets: ClassVar[tuple[str, ...]] = ("database_url", "redis_url", "chain_private_key")
    upstream_services: str = "auth"

    # The JSON-RPC node every replica writes to and reads from. The local stack runs one
    # (`python -m osool_chain node`, py-evm in memory) and points this at it; at scale, any Ethereum node.
    # Serving needs it (create_app refuses to start without it); migrating does not.
    chain_rpc_url: AnyHttpUrl | None = None
    # The one key this service signs with (hex, 32 bytes). No default: the local stack generates one into .env.
    chain_private_key: SecretStr | None = None
    # A registry deployed elsewhere; unset: the service deploys one on first start and keeps its address in Postgres.
    chain_contract_address: str | None = None
    # With a configured contract, the block the indexer starts from (the contract's deployment block).
    chain_start_block: int = 0
    # Blocks a transaction or an event must be buried under before it counts (0 on a dev node, ~12 on mainnet).
    chain_confirmations: int = 0
    chain_rpc_timeout_seconds: float = 3.0
    # How often the sender and the indexer look when nothing wakes them.
    chain_poll_interval_seconds: float = 1.0
    # The sender's longest wait between two tries while the node is unreachable.
    chain_retry_max_seconds: float = 5.0
    chain_indexer_batch_blocks: int = 2000
    # Health: the indexer further behind than this (beyond the confirmations), or an outbox write older than this,
    # degrades the service.
    chain_indexer_max_lag_blocks: int = 20
    chain_outbox_max_age_seconds: float = 120.0

    @field_validator("chain_private_key")
    @classmethod
    def _key_is_32_bytes_of_hex(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() and not _PRIVATE_KEY.match(value.get_secret_value()):
            raise ValueError("must be 32 bytes of hex (64 hex digits, 0x optional)")
        return value

    @field_validator("chain_contract_address")
    @classmethod
    def _address_is_valid(cls, value: str | None) -> str | None:
        if not value:
            return None
        if not is_hex_address(value) or (value != value.lower() and not is_checksum_address(value)):
            raise ValueError("must be a 0x address (20 bytes of hex, checksummed or all lower case)")
        return str(to_checksum_address(value))

    @field_validator("chain_confirmations", "chain_start_block")
    @classmethod
    def _not_negative(cls, value: int) -> int:
        if value < 0:
            raise ValueError("must be 0 or more")
        return value
