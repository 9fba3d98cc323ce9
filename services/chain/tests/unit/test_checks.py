"""The chain head the node and indexer checks share: one reading for the checks of one health run, never an old one."""

from __future__ import annotations

import asyncio

import pytest

from osool_chain.checks import ChainHead


class Counted:
    """The two readings, counted, each held until released so the test decides when they answer."""

    def __init__(self) -> None:
        self.blocks = 0
        self.deployments = 0
        self.release = asyncio.Event()
        self.fail: Exception | None = None

    async def block_number(self) -> int:
        self.blocks += 1
        await self.release.wait()
        if self.fail is not None:
            raise self.fail
        return 100 + self.blocks

    async def active_deployment(self) -> None:
        self.deployments += 1


async def test_checks_running_together_share_one_reading_and_a_later_run_reads_again() -> None:
    counted = Counted()
    head = ChainHead(counted.block_number, counted.active_deployment)
    together = asyncio.gather(head.read(), head.read())
    await asyncio.sleep(0)
    counted.release.set()
    assert await together == [(101, None), (101, None)]
    assert (counted.blocks, counted.deployments) == (1, 1)
    # The next run is a new reading: no answer is kept past the run it was read for.
    assert await head.read() == (102, None)
    assert (counted.blocks, counted.deployments) == (2, 2)


async def test_a_check_that_times_out_leaves_the_reading_to_the_other() -> None:
    counted = Counted()
    head = ChainHead(counted.block_number, counted.active_deployment)
    patient = asyncio.create_task(head.read())
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(head.read(), timeout=0.05)  # as HealthRegistry times a check out
    counted.release.set()
    assert await patient == (101, None)
    assert counted.blocks == 1


async def test_a_failed_reading_fails_every_check_that_shared_it_and_the_next_run_tries_again() -> None:
    counted = Counted()
    counted.fail = ConnectionError("node down")
    head = ChainHead(counted.block_number, counted.active_deployment)
    together = asyncio.gather(head.read(), head.read(), return_exceptions=True)
    await asyncio.sleep(0)
    counted.release.set()
    assert [type(result) for result in await together] == [ConnectionError, ConnectionError]
    counted.fail = None
    assert await head.read() == (102, None)
