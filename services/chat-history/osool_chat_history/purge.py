"""The scheduled purge of old anonymous sessions: one replica at a time, every PURGE_INTERVAL_SECONDS."""

from __future__ import annotations

import argparse
import asyncio

from redis.asyncio import Redis

from osool_chat_history.repository import HistoryRepository
from osool_chat_history.service import HistoryService
from osool_chat_history.settings import Settings
from osool_common.db import create_pool
from osool_common.logging import get_logger
from osool_common.settings import CommonSettings

log = get_logger(__name__)
LOCK_KEY = "chat-history:purge-lock"


async def purge_periodically(service: HistoryService, redis: Redis) -> None:
    """Every worker of every replica runs this loop; the Redis lock lets one of them purge per interval."""
    interval = service.settings.purge_interval_seconds
    while True:
        try:
            if await redis.set(LOCK_KEY, "1", nx=True, ex=max(1, int(interval))):
                await service.purge_anonymous()
        except Exception as exc:  # an outage must not kill the loop; the next round tries again
            log.warning("history.purge_failed", error=f"{type(exc).__name__}: {exc}")
        await asyncio.sleep(interval)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options: the age comes from PURGE_ANONYMOUS_AFTER_DAYS


def run(settings: CommonSettings, args: argparse.Namespace) -> int:
    del args
    assert isinstance(settings, Settings)

    async def purge_once() -> int:
        pool = await create_pool(settings)
        try:
            return await HistoryService(settings, HistoryRepository(pool)).purge_anonymous()
        finally:
            await pool.close()

    print(f"purged {asyncio.run(purge_once())} anonymous sessions")
    return 0
