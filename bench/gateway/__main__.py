"""Latency and throughput of /health/live called directly and through the gateway, at 64 connections.

Both paths hit the same single replica (two workers) of the search service, in turns, so the machine's
noise falls on both alike; the figures are medians of the rounds. Goal: the gateway adds at most 1 ms at
p50 and keeps at least 85% of the direct throughput.
"""

from __future__ import annotations

import json

from bench.common import LoadResult, median_result, private_stack, run_wrk, write_results

CONNECTIONS = 64
ROUNDS = 5
SECONDS = 6
GOAL_ADDED_P50_MS = 1.0
GOAL_THROUGHPUT_SHARE = 0.85


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
    print(f"goals met: {json.dumps(figures['goals']['met'])}; written to {path}")  # type: ignore[index]


if __name__ == "__main__":
    main()
