"""Latency and throughput of /health/live called directly and through the gateway, at 64 connections; and the
CPU a call through the gateway costs the calling service (the shared kit's ServiceClient).

Both paths hit the same single replica (two workers) of the search service, in turns, so the machine's
noise falls on both alike; the figures are medians of the rounds. Goal: the gateway adds at most 1 ms at
p50 and keeps at least 85% of the direct throughput.

The caller's side: the kit's ServiceClient (httpx's API over aiohttp's connections) calls /search/health/live
through the internal listener, one call at a time and 8 at once, against the same client over httpx's default
transport (httpcore on anyio), in alternating rounds; this process's CPU per call, medians of the rounds.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from typing import Any, ClassVar

import httpx
import uvloop

from bench.common import LoadResult, median_result, private_stack, run_wrk, write_results
from devstack.envfile import read_env_file
from devstack.stack import LocalStack

CONNECTIONS = 64
ROUNDS = 5
SECONDS = 6
GOAL_ADDED_P50_MS = 1.0
GOAL_THROUGHPUT_SHARE = 0.85
CLIENT_ROUNDS = 5
CLIENT_CALLS = 1500
CLIENT_CONCURRENCY = 8


def _client_settings(stack: LocalStack) -> Any:
    from osool_common.settings import CommonSettings

    class CallerSettings(CommonSettings):
        service_name: ClassVar[str] = "bench-caller"
        required_secrets: ClassVar[tuple[str, ...]] = ()

    key = read_env_file(stack.config.env_file)["OSOOL_SERVICE_KEY"]
    return CallerSettings(gateway_internal_url=stack.config.internal_url, osool_service_key=key)


async def _cpu_per_call(client: Any, concurrency: int) -> dict[str, float]:
    """This process's CPU and the wall time per call, over CLIENT_CALLS calls made `concurrency` at a time."""

    async def call() -> None:
        response = await client.get("search", "/health/live")
        assert response.status_code == 200, response.status_code
        response.json()

    for _ in range(50):  # connections open, code warm
        await call()
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(CLIENT_CALLS // concurrency):
        await asyncio.gather(*(call() for _ in range(concurrency)))
    calls = CLIENT_CALLS // concurrency * concurrency
    return {
        "cpu_ms": (time.process_time() - cpu) / calls * 1000,
        "wall_ms": (time.perf_counter() - wall) / calls * 1000,
    }


def measure_client(stack: LocalStack) -> dict[str, Any]:
    """The kit's ServiceClient against the same client over httpx's default transport, in alternating rounds."""
    from osool_common.http_client import ServiceClient

    async def run() -> dict[str, Any]:
        settings = _client_settings(stack)
        clients = {
            "service_client": ServiceClient(settings),
            "httpx_default_transport": ServiceClient(
                settings, transport=httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=100))
            ),
        }
        rounds: dict[str, dict[str, list[dict[str, float]]]] = {
            name: {"one_at_a_time": [], f"{CLIENT_CONCURRENCY}_at_once": []} for name in clients
        }
        try:
            for _ in range(CLIENT_ROUNDS):
                for name, client in clients.items():
                    rounds[name]["one_at_a_time"].append(await _cpu_per_call(client, 1))
                    rounds[name][f"{CLIENT_CONCURRENCY}_at_once"].append(
                        await _cpu_per_call(client, CLIENT_CONCURRENCY)
                    )
        finally:
            for client in clients.values():
                await client.aclose()
        figures: dict[str, Any] = {
            name: {
                mode: {key: round(statistics.median(r[key] for r in runs), 3) for key in ("cpu_ms", "wall_ms")}
                for mode, runs in modes.items()
            }
            for name, modes in rounds.items()
        }
        figures["cpu_ratio"] = {
            mode: round(
                statistics.median(
                    new["cpu_ms"] / old["cpu_ms"]
                    for new, old in zip(
                        rounds["service_client"][mode], rounds["httpx_default_transport"][mode], strict=True
                    )
                ),
                3,
            )
            for mode in rounds["service_client"]
        }
        return figures

    return uvloop.run(run())


def main() -> None:
    with private_stack(replicas={"search": 1}) as stack:
        port = stack.config.replica_ports["search"][0]
        direct_url = f"http://127.0.0.1:{port}/health/live"
        gateway_url = f"{stack.config.internal_url}/search/health/live"
        run_wrk("warm-up", direct_url, connections=CONNECTIONS, seconds=2)
        run_wrk("warm-up", gateway_url, connections=CONNECTIONS, seconds=2)
        direct_runs: list[LoadResult] = []
        gateway_runs: list[LoadResult] = []
        for _ in range(ROUNDS):
            direct_runs.append(run_wrk("direct", direct_url, connections=CONNECTIONS, seconds=SECONDS))
            gateway_runs.append(run_wrk("gateway", gateway_url, connections=CONNECTIONS, seconds=SECONDS))
        client = measure_client(stack)
    direct = median_result("direct", direct_runs)
    gateway = median_result("gateway", gateway_runs)
    added_p50 = gateway.p50_ms - direct.p50_ms
    share = gateway.requests_per_second / direct.requests_per_second
    figures = {
        "connections": CONNECTIONS,
        "rounds": ROUNDS,
        "seconds_per_round": SECONDS,
        "direct": direct,
        "gateway": gateway,
        "gateway_added_p50_ms": round(added_p50, 3),
        "gateway_throughput_share": round(share, 3),
        "goals": {
            "gateway_added_p50_ms_at_most": GOAL_ADDED_P50_MS,
            "gateway_throughput_share_at_least": GOAL_THROUGHPUT_SHARE,
            "met": added_p50 <= GOAL_ADDED_P50_MS and share >= GOAL_THROUGHPUT_SHARE,
        },
        # Each round's own comparison (direct and gateway measured back to back), to show the spread.
        "rounds_compared": [
            {
                "added_p50_ms": round(g.p50_ms - d.p50_ms, 3),
                "throughput_share": round(g.requests_per_second / d.requests_per_second, 3),
            }
            for d, g in zip(direct_runs, gateway_runs, strict=True)
        ],
        "runs": {"direct": direct_runs, "gateway": gateway_runs},
        "service_client_per_call": client,
    }
    path = write_results("gateway", figures)
    print(f"{'path':<10}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}")
    for result in (direct, gateway):
        print(
            f"{result.label:<10}{result.requests_per_second:>10.0f}{result.p50_ms:>10.2f}"
            f"{result.p99_ms:>10.2f}{result.errors:>8}"
        )
    print(f"gateway adds {added_p50:.2f} ms at p50 (goal <= {GOAL_ADDED_P50_MS} ms)")
    print(f"gateway keeps {share:.1%} of direct throughput (goal >= {GOAL_THROUGHPUT_SHARE:.0%})")
    print(f"a call through the gateway, the caller's CPU (ms; medians of {CLIENT_ROUNDS} alternating rounds):")
    for mode in client["cpu_ratio"]:
        new, old = client["service_client"][mode], client["httpx_default_transport"][mode]
        print(f"  {mode:<14} service client {new['cpu_ms']:.3f} (wall {new['wall_ms']:.3f}), httpx's default transport "
              f"{old['cpu_ms']:.3f} (wall {old['wall_ms']:.3f}): {client['cpu_ratio'][mode]:.2f}x")  # fmt: skip
    print(f"goals met: {json.dumps(figures['goals']['met'])}; written to {path}")  # type: ignore[index]


if __name__ == "__main__":
    main()
