"""The monitoring service's own pool on the test stack's database, for the tests that drive its history directly."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest

from osool_common.db import create_pool_for
from osool_monitoring.settings import Settings


@pytest.fixture
async def monitoring_pool(stack_env: dict[str, str]) -> AsyncIterator[asyncpg.Pool]:
    """From the kit, with the monitoring service's settings: its schema first on the search path, its json codecs."""
    settings = Settings(
        database_url=stack_env["DATABASE_URL"],
        redis_url=stack_env["REDIS_URL"],
        osool_service_key=stack_env["OSOOL_SERVICE_KEY"],
        osool_env="test",
    )
    pool = await create_pool_for(settings, stack_env["DATABASE_URL"], 2)
    try:
        yield pool
    finally:
        await pool.close()
