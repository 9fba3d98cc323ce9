"""The 6-hourly cache report: per cache in Valkey (search results, query vectors, keys, rate limits) its keys, memory,
hit ratio since the last report, and a TTL recommendation from how long entries are really read after being written."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

# name: (key prefixes, the counter whose labels say hit or miss, its label, hit value, miss value)
CACHES: dict[str, tuple[tuple[str, ...], str | None, str, str, str]] = {
    "search results": (("search:result:",), "osool_search_searches_total", "cache", "hit", "miss"),
    "query vectors": (("search:qvec:",), "osool_search_query_embedding_cache_total", "result", "hit", "miss"),
    # The token deny list of signed-out sessions, sign-in-with-Ethereum nonces, known addresses.
    "keys": (("auth:revoked-session:", "auth:siwe:", "auth:known"), None, "", "", ""),
    "rate limits": (("auth:limit:", "agent:turns:", "agent:contract-audits:", "ratelimit:"), None, "", "", ""),
}
SAMPLE = 1000
SCAN_LIMIT = 200_000


def family(key: str) -> str:
    for name, (prefixes, *_rest) in CACHES.items():
        if key.startswith(prefixes):
            return name
    return "other"


def counters(texts: list[str]) -> dict[str, dict[str, float]]:
    """Hits and misses per cache, summed over every replica's /metrics."""
    found = {name: {"hits": 0.0, "misses": 0.0} for name, spec in CACHES.items() if spec[1]}
    for text in texts:
        for metric in text_string_to_metric_families(text):
            for name, (_prefixes, counter, label, hit, miss) in CACHES.items():
                if counter is None or metric.name != counter.removesuffix("_total"):
                    continue
                for sample in metric.samples:
                    if sample.name != counter:
                        continue
                    if sample.labels.get(label) == hit:
                        found[name]["hits"] += sample.value
                    elif sample.labels.get(label) == miss:
                        found[name]["misses"] += sample.value
    return found


def since(now: dict[str, dict[str, float]], before: dict[str, dict[str, float]] | None) -> dict[str, dict[str, float]]:
    """Hits and misses since the previous report (a restart resets a counter: then since the restart)."""
    result = {}
    for name, figures in now.items():
        previous = (before or {}).get(name)
        if previous and all(figures[k] >= previous.get(k, 0.0) for k in figures):
            result[name] = {k: figures[k] - previous.get(k, 0.0) for k in figures}
        else:
            result[name] = dict(figures)
    return result


async def sample_keys(redis: Redis) -> tuple[dict[str, int], dict[str, list[str]], bool]:
    """Every key counted by cache (up to SCAN_LIMIT keys), and up to SAMPLE keys of each to measure."""
    counts: dict[str, int] = defaultdict(int)
    samples: dict[str, list[str]] = defaultdict(list)
    scanned = 0
    async for key in redis.scan_iter(count=1000):
        name = family(key if isinstance(key, str) else key.decode())
        counts[name] += 1
        if len(samples[name]) < SAMPLE:
            samples[name].append(key)
        scanned += 1
        if scanned >= SCAN_LIMIT:
            return dict(counts), dict(samples), True
    return dict(counts), dict(samples), False


async def measure(redis: Redis, keys: list[str]) -> list[tuple[int, int | None, int]]:
    """(bytes, seconds idle or None when the eviction policy is LFU, milliseconds to live) per key still there."""
    pipe = redis.pipeline(transaction=False)
    for key in keys:
        pipe.memory_usage(key)
        pipe.object("idletime", key)
        pipe.pttl(key)
    replies = await pipe.execute(raise_on_error=False)
    measured = []
    for index in range(0, len(replies), 3):
        size, idle, ttl = replies[index : index + 3]
        if size is None or isinstance(size, Exception):
            continue  # expired between the scan and now
        measured.append((int(size), None if isinstance(idle, (Exception, type(None))) else int(idle), int(ttl)))
    return measured


def ttl_advice(name: str, measured: list[tuple[int, int | None, int]], hit_ratio: float | None) -> dict[str, Any]:
    """From sampled entries: the TTL they were given (the largest time to live left), how many were read again after
    being written and how late in their life; the TTL that would keep 90% of that reuse."""
    with_ttl = [(size, idle, ttl) for size, idle, ttl in measured if ttl > 0 and idle is not None]
    if len(with_ttl) < 20:
        return {"ttl_seconds": None, "reused_share": None, "recommendation": None}
    ttl = max(ttl for _, _, ttl in with_ttl) / 1000
    reuse_ages = []
    for _size, idle, left in with_ttl:
        age = ttl - left / 1000
        assert idle is not None
        if age - idle > 1:  # read at least once after it was written
            reuse_ages.append(age - idle)
    reused = len(reuse_ages) / len(with_ttl)
    reuse_ages.sort()
    p90 = reuse_ages[math.ceil(0.9 * len(reuse_ages)) - 1] if reuse_ages else None
    bytes_ = sum(size for size, _, _ in with_ttl)
    seen = f"{len(with_ttl)} {name} entries sampled: {reused:.0%} were read again after being written"
    hits = f", hit ratio {hit_ratio:.1%}" if hit_ratio is not None else ""
    if p90 is None:
        recommendation = (
            f"{seen}{hits}; none was read again within its TTL of {ttl:.0f} s, so they hold "
            f"{bytes_ / len(with_ttl):.0f} bytes each for nothing: shorten the TTL to {max(ttl / 4, 60):.0f} s or stop "
            "caching these."
        )
        suggested = max(ttl / 4, 60)
    elif p90 >= 0.8 * ttl:
        suggested = ttl * 2
        recommendation = (
            f"{seen}{hits}; 90% of the re-reads happened within {p90:.0f} s of the write, close to the TTL of "
            f"{ttl:.0f} s: entries still wanted are expiring: lengthen the TTL to {suggested:.0f} s."
        )
    elif p90 <= 0.25 * ttl:
        suggested = max(p90 * 2, 60)
        recommendation = (
            f"{seen}{hits}; 90% of the re-reads happened within {p90:.0f} s of the write, a quarter of the TTL of "
            f"{ttl:.0f} s: a TTL of {suggested:.0f} s keeps that reuse with less memory."
        )
    else:
        suggested = ttl
        recommendation = (
            f"{seen}{hits}; 90% of the re-reads happened within {p90:.0f} s of the write: the TTL of {ttl:.0f} s fits."
        )
    return {
        "ttl_seconds": round(ttl), "reused_share": round(reused, 3),
        "reuse_p90_seconds": round(p90, 1) if p90 is not None else None,
        "suggested_ttl_seconds": round(suggested), "recommendation": recommendation,
    }  # fmt: skip


async def cache_report(
    redis: Redis, metrics_texts: list[str], previous: dict[str, Any] | None
) -> tuple[dict[str, Any], list[dict[str, Any]], float]:
    started = time.perf_counter()
    now = counters(metrics_texts)
    delta = since(now, (previous or {}).get("counters"))
    try:
        info = await redis.info()
        counts, samples, truncated = await sample_keys(redis)
    except RedisError as exc:
        return {"error": f"Valkey unreachable: {exc}"}, [], (time.perf_counter() - started) * 1000
    caches = []
    findings = []
    for name in [*CACHES, "other"]:
        keys = counts.get(name, 0)
        measured = await measure(redis, samples.get(name, [])) if keys else []
        mean = sum(size for size, _, _ in measured) / len(measured) if measured else 0.0
        figures = delta.get(name)
        lookups = (figures["hits"] + figures["misses"]) if figures else 0.0
        hit_ratio = figures["hits"] / lookups if figures and lookups else None
        advice = ttl_advice(name, measured, hit_ratio) if name not in ("rate limits", "other") else {}
        entry = {
            "cache": name, "keys": keys, "memory_bytes": round(mean * keys), "mean_entry_bytes": round(mean),
            "hits": figures["hits"] if figures else None, "misses": figures["misses"] if figures else None,
            "hit_ratio": round(hit_ratio, 4) if hit_ratio is not None else None, **advice,
        }  # fmt: skip
        caches.append(entry)
        if advice.get("recommendation") and advice.get("suggested_ttl_seconds") != advice.get("ttl_seconds"):
            findings.append({"kind": "cache_ttl", "severity": "info", "object": name,
                             "recommendation": advice["recommendation"]})  # fmt: skip
    try:
        policy = (await redis.config_get("maxmemory-policy")).get("maxmemory-policy")
    except ResponseError:
        policy = None
    summary = {
        "caches": caches, "counters": now, "keys_scanned_truncated": truncated,
        "used_memory_bytes": info.get("used_memory"), "maxmemory_bytes": info.get("maxmemory"),
        "maxmemory_policy": policy, "evicted_keys": info.get("evicted_keys"),
        "keyspace_hit_ratio": round(info["keyspace_hits"] / (info["keyspace_hits"] + info["keyspace_misses"]), 4)
        if info.get("keyspace_hits", 0) + info.get("keyspace_misses", 0) else None,
    }  # fmt: skip
    if info.get("maxmemory") and info.get("used_memory", 0) >= 0.9 * info["maxmemory"]:
        biggest = max(caches, key=lambda c: c["memory_bytes"])
        findings.append({
            "kind": "cache_memory", "severity": "warning", "object": "valkey",
            "recommendation": (
                f"Valkey uses {info['used_memory'] / 1048576:.0f} MB of its {info['maxmemory'] / 1048576:.0f} MB "
                f"({info.get('evicted_keys', 0)} keys evicted so far); the largest cache is {biggest['cache']} "
                f"({biggest['memory_bytes'] / 1048576:.1f} MB): shorten its TTL or raise maxmemory."
            ),
        })  # fmt: skip
    return summary, findings, (time.perf_counter() - started) * 1000
