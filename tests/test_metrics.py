"""RED metrics: every worker process of a replica is counted in the replica's /metrics, and each replica keeps its own
(Prometheus sums the replicas; a request is never counted twice)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import httpx
import pytest

from devstack.stack import LocalStack
from devstack.testing import replica_metrics, service_headers

pytestmark = pytest.mark.stack


def _route_count(text: str, route: str, status: str = "200") -> float:
    total = 0.0
    pattern = re.compile(r"^osool_http_requests_total\{(?P<labels>[^}]*)\} (?P<value>\S+)$")
    for line in text.splitlines():
        match = pattern.match(line)
        if match and f'route="{route}"' in match["labels"] and f'status="{status}"' in match["labels"]:
            assert 'service="search"' in match["labels"] and 'method="GET"' in match["labels"]
            total += float(match["value"])
    return total


def _worker_pids(master_pid: int) -> set[int]:
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return {int(pid) for pid in children}


async def test_metrics_count_requests_served_by_every_worker(stack: LocalStack) -> None:
    url = f"{stack.config.internal_url}/search"
    requests = 300
    async with httpx.AsyncClient(
        timeout=10, limits=httpx.Limits(max_connections=32), headers=service_headers(stack)
    ) as client:
        before = sum(_route_count(text, "/openapi.json") for text in replica_metrics(stack, "search"))
        responses = await asyncio.gather(*(client.get(f"{url}/openapi.json") for _ in range(requests)))
        # Each replica's /metrics, whichever of its workers answers it, counts all of that replica's requests; the
        # replicas together count every request once.
        totals = [
            sum(_route_count(text, "/openapi.json") for text in replica_metrics(stack, "search")) for _ in range(3)
        ]
    assert all(response.status_code == 200 for response in responses)

    # Several worker processes (2 replicas x 2 workers) served them: each keeps its own metrics file.
    workers = set()
    for replica in ("search:search-1", "search:search-2"):
        workers |= _worker_pids(stack.program_pid(replica))
    assert len(workers) == 4
    files = {int(m.group(1)) for f in (stack.config.state_dir / "metrics" / "search").glob("*/*")
             if (m := re.match(r"counter_(\d+)\.db", f.name))}  # fmt: skip
    assert len(workers & files) >= 2
    assert [total - before for total in totals] == [requests] * 3


def test_metrics_label_routes_by_template_not_raw_path(stack: LocalStack) -> None:
    for suffix in ("aaa", "bbb", "ccc"):
        httpx.get(f"{stack.config.internal_url}/search/no/such/{suffix}", headers=service_headers(stack))
    text = "\n".join(replica_metrics(stack, "search"))
    assert "aaa" not in text and "/no/such" not in text
    assert _route_count(text, "<unmatched>", "404") >= 3
    assert "osool_http_request_duration_seconds_bucket" in text
