"""The search tests' client of the test stack's public gateway, as a buyer's browser or app calls it."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from devstack.stack import LocalStack


@pytest.fixture
def api(stack: LocalStack) -> Iterator[httpx.Client]:
    # 60 s: an ingest through the gateway embeds its listings in the request.
    with httpx.Client(base_url=stack.config.public_url, timeout=60) as client:
        yield client
