"""RED history: every replica's /metrics read each minute, the minute's requests, errors and latency per route kept,
and the windows over it (RED per service and route, slowest routes, quantiles from summed histogram buckets)."""

from __future__ import annotations

import asyncio
import json
import math
import re
import socket
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg

from osool_common.logging import get_logger
from osool_common.metrics import LATENCY_BUCKETS
from osool_monitoring.partitions import DailyPartitions
from osool_monitoring.reader import Reader, ReadError

log = get_logger(__name__)
# The kit's latency buckets and +Inf: a sample's `buckets` are cumulative counts at these upper bounds.
BOUNDS = (*LATENCY_BUCKETS, math.inf)
# Probes and scrapes: counted, but never "the slowest route" nor a recommendation.
QUIET_ROUTES = frozenset({"/health", "/health/live", "/health/ready", "/metrics", "<unmatched>"})
# Counters per route and method: requests, errors (5xx), duration sum, then one cumulative count per bound.
Counters = dict[str, list[float]]
# The only samples a reading needs, asked for with name[] (the kit renders just these): the whole exposition of a
# replica is 10 to 90 KB, and parsing all of it was most of the job's CPU.
RED_SAMPLES = (
    "osool_http_requests_total",
    "osool_http_request_duration_seconds_bucket",
    "osool_http_request_duration_seconds_sum",
)


@dataclass(frozen=True)
class Target:
    service: str
    replica: str
    url: str | None  # a replica's own /metrics, or None: the service through the internal gateway


async def resolve_targets(services: list[str], port: int) -> list[Target]:
    """Every replica of every service from DNS: compose's embedded DNS (and a Kubernetes headless Service) answers a
    service's name with the address of each of its replicas."""
    loop = asyncio.get_running_loop()
    targets = []
    for service in services:
        try:
            answers = await loop.getaddrinfo(service, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            log.info("monitoring.replicas_unresolved", service=service, error=str(exc))
            continue
        addresses = sorted({str(answer[4][0]) for answer in answers})
        targets += [
            Target(service, address, f"http://{f'[{address}]' if ':' in address else address}:{port}/metrics")
            for address in addresses
        ]
    return targets


def load_targets(path: str, services: list[str]) -> list[Target]:
    """Every replica of every monitored service from a Prometheus file_sd file (the launcher writes it with the
    ports it chose); without one, each service once through the internal gateway (one replica's counters a run,
    whichever the gateway picks, so with several replicas set MONITORING_TARGETS_FILE)."""
    groups: list[dict[str, Any]] = []
    if path:
        try:
            groups = json.loads(Path(path).read_text())
        except (OSError, ValueError) as exc:
            log.warning("monitoring.targets_unreadable", path=path, error=str(exc))
    targets = [
        Target(group["labels"]["service"], str(group["labels"].get("replica", index)), f"http://{address}/metrics")
        for group in groups
        for index, address in enumerate(group.get("targets", []))
        if group.get("labels", {}).get("service") in services
    ]
    found = {target.service for target in targets}
    return targets + [Target(service, "gateway", None) for service in services if service not in found]


# The three RED samples' lines: name, labels, value (and a timestamp, which a reading does not need).
_RED_LINE = re.compile(
    r"(osool_http_requests_total|osool_http_request_duration_seconds_(?:bucket|sum))"
    r"\{((?:[^\"}]|\"(?:[^\"\\]|\\.)*\")*)\}\s+(\S+)(?:\s+\S+)?\s*"
)
_LABEL = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*(?:,|$)')
_UNESCAPE = re.compile(r"\\(.)")


def _labels(text: str) -> dict[str, str]:
    labels, position = {}, 0
    while position < len(text):
        match = _LABEL.match(text, position)
        if match is None:
            raise ValueError(f"unreadable labels: {text[:200]!r}")
        value = match[2]
        labels[match[1]] = _UNESCAPE.sub(lambda m: "\n" if m[1] == "n" else m[1], value) if "\\" in value else value
        position = match.end()
    return labels


def parse(text: str) -> Counters:
    """The kit's HTTP metrics of one exposition, as counters per 'route method'. Read line by line with two regular
    expressions rather than prometheus_client's parser: that one walks every character of every line in Python, and
    was a third of the job's CPU in the monitoring replica (py-spy) for the same counters (tests/unit/test_red.py
    compares the two on the kit's own expositions). Other samples, comments and blank lines are skipped; a RED line
    that cannot be read is a ValueError."""
    counters: Counters = defaultdict(lambda: [0.0] * (3 + len(BOUNDS)))
    for line in text.splitlines():
        if not line.startswith("osool_http_request"):
            continue
        match = _RED_LINE.fullmatch(line)
        if match is None:
            if line.startswith(RED_SAMPLES):
                raise ValueError(f"unreadable sample: {line[:200]!r}")
            continue  # another family of the same prefix (osool_http_requests_in_flight, a _count)
        name, labels, value = match[1], _labels(match[2]), float(match[3])
        row = counters[f"{labels['route']} {labels['method']}"]
        if name == "osool_http_requests_total":
            row[0] += value
            if labels.get("status", "").startswith("5"):
                row[1] += value
        elif name.endswith("_sum"):
            row[2] += value
        else:
            bound = float(labels["le"])
            if bound in BOUNDS:
                row[3 + BOUNDS.index(bound)] += value
    return dict(counters)


def difference(now: Counters, before: Counters | None) -> Counters:
    """What happened between two readings of one replica; a replica whose counters went down restarted, and its
    new counters are what happened since."""
    if before is None:
        return {}
    if any(key in before and any(n < b for n, b in zip(row, before[key], strict=False)) for key, row in now.items()):
        return now
    return {
        key: [n - b for n, b in zip(row, before.get(key, [0.0] * len(row)), strict=False)] for key, row in now.items()
    }


def quantile(q: float, buckets: list[float]) -> float | None:
    """histogram_quantile as Prometheus computes it: linear inside the bucket the rank falls in; the last finite
    bound when it falls in +Inf."""
    total = buckets[-1] if buckets else 0
    if total <= 0:
        return None
    rank = q * total
    for index, count in enumerate(buckets):
        if count >= rank:
            if BOUNDS[index] == math.inf:
                return BOUNDS[-2]
            lower = BOUNDS[index - 1] if index else 0.0
            below = buckets[index - 1] if index else 0.0
            inside = count - below
            return lower + (BOUNDS[index] - lower) * ((rank - below) / inside if inside else 1.0)
    return BOUNDS[-2]


class RedHistory:
    def __init__(self, pool: asyncpg.Pool, retention_days: int) -> None:
        self.pool = pool
        self.partitions = DailyPartitions(pool, "red_samples", retention_days)

    async def record(self, readings: list[tuple[Target, Counters, datetime]], at: datetime) -> int:
        """Store each replica's reading and the minute's differences summed per service, route and method; returns
        the rows stored. A reading older than the stored one (another replica's job read later and stored first) is
        dropped: taken as the newer, its lower counters would look like a restart."""
        summed: dict[tuple[str, str, str], list[float]] = {}
        seconds: dict[str, float] = {}
        # Three statements whatever the number of replicas (the stored readings, then the new ones and the minute's
        # rows each in one pipelined executemany): a statement or two per replica were most of the job's PostgreSQL
        # time, every minute of the stack's life.
        async with self.pool.acquire() as connection, connection.transaction():
            stored = {
                (row["service"], row["replica"]): row
                for row in await connection.fetch(
                    """SELECT service, replica, read_at, counters FROM red_readings
                       WHERE (service, replica) IN (SELECT * FROM unnest($1::text[], $2::text[]))
                       ORDER BY service, replica FOR UPDATE""",
                    [target.service for target, _, _ in readings], [target.replica for target, _, _ in readings],
                )
            }  # fmt: skip
            kept = []
            for target, counters, read_at in readings:
                before = stored.get((target.service, target.replica))
                if before is not None and before["read_at"] >= read_at:
                    continue
                kept.append((target.service, target.replica, read_at, counters))
                if before is None:
                    continue
                elapsed = (read_at - before["read_at"]).total_seconds()
                seconds[target.service] = max(seconds.get(target.service, 0.0), elapsed)
                for key, row in difference(counters, before["counters"]).items():
                    route, method = key.rsplit(" ", 1)
                    total = summed.setdefault((target.service, route, method), [0.0] * len(row))
                    for index, value in enumerate(row):
                        total[index] += value
            await connection.executemany(
                """INSERT INTO red_readings (service, replica, read_at, counters) VALUES ($1, $2, $3, $4)
                   ON CONFLICT (service, replica) DO UPDATE SET read_at = $3, counters = $4""",
                kept,
            )
            rows = [
                (at, service, route, method, seconds[service], round(row[0]), round(row[1]), row[2],
                 [round(count) for count in row[3:]])
                for (service, route, method), row in summed.items()
                if row[0] > 0
            ]  # fmt: skip
            await connection.executemany(
                "INSERT INTO red_samples (at, service, route, method, seconds, requests, errors, duration_sum, "
                "buckets) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                rows,
            )
        return len(rows)

    async def window(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        """Per service, route and method over (since, until]: requests, errors, duration sum and summed buckets."""
        rows = await self.pool.fetch(
            """WITH totals AS (
                   SELECT service, route, method, sum(requests) AS requests, sum(errors) AS errors,
                          sum(duration_sum) AS duration_sum
                   FROM red_samples WHERE at > $1 AND at <= $2 GROUP BY 1, 2, 3),
               bounds AS (
                   SELECT service, route, method, i, sum(v) AS v
                   FROM red_samples, unnest(buckets) WITH ORDINALITY AS b(v, i)
                   WHERE at > $1 AND at <= $2 GROUP BY 1, 2, 3, 4)
               SELECT t.*, (SELECT array_agg(b.v ORDER BY b.i) FROM bounds b
                            WHERE (b.service, b.route, b.method) = (t.service, t.route, t.method)) AS buckets
               FROM totals t""",
            since, until,
        )  # fmt: skip
        return [
            {
                "service": row["service"], "route": row["route"], "method": row["method"],
                "requests": int(row["requests"]), "errors": int(row["errors"]),
                "duration_sum": float(row["duration_sum"]), "buckets": [float(v) for v in row["buckets"]],
            }
            for row in rows
        ]  # fmt: skip

    async def series(self, since: datetime, until: datetime, step: timedelta) -> list[dict[str, Any]]:
        """Per time bin of `step` (aligned to the epoch, so a bin is the same at every call) and service over
        (since, until]: the seconds of traffic the bin's readings cover, and the requests, errors and summed buckets
        of every route but the probes and scrapes (QUIET_ROUTES). A service read in a bin with no other request has
        its row with zero requests; a bin no reading reached has no row."""
        rows = await self.pool.fetch(
            """WITH binned AS (
                   SELECT date_bin($3, at, TIMESTAMPTZ 'epoch') AS bin, at, service, route = ANY($4) AS quiet,
                          seconds, requests, errors, buckets
                   FROM red_samples WHERE at > $1 AND at <= $2),
               covered AS (
                   SELECT bin, service, sum(seconds) AS seconds
                   FROM (SELECT DISTINCT bin, at, service, seconds FROM binned) AS readings GROUP BY 1, 2),
               totals AS (
                   SELECT bin, service, sum(requests) AS requests, sum(errors) AS errors
                   FROM binned WHERE NOT quiet GROUP BY 1, 2),
               bounds AS (
                   SELECT bin, service, i, sum(v) AS v
                   FROM binned, unnest(buckets) WITH ORDINALITY AS b(v, i) WHERE NOT quiet GROUP BY 1, 2, 3)
               SELECT c.bin, c.service, c.seconds, COALESCE(t.requests, 0) AS requests,
                      COALESCE(t.errors, 0) AS errors,
                      (SELECT array_agg(b.v ORDER BY b.i) FROM bounds b
                       WHERE (b.bin, b.service) = (c.bin, c.service)) AS buckets
               FROM covered c LEFT JOIN totals t USING (bin, service)
               ORDER BY c.bin, c.service""",
            since, until, step, sorted(QUIET_ROUTES),
        )  # fmt: skip
        return [
            {
                "bin": row["bin"], "service": row["service"], "seconds": float(row["seconds"]),
                "requests": int(row["requests"]), "errors": int(row["errors"]),
                "buckets": [float(v) for v in row["buckets"]] if row["buckets"] else [],
            }
            for row in rows
        ]  # fmt: skip


async def read_text(reader: Reader, target: Target, names: tuple[str, ...] = ()) -> str | None:
    """One target's exposition (only the samples `names` lists, when it lists any), or None (logged) when it does not
    answer."""
    params = {"name[]": list(names)} if names else None
    try:
        if target.url is None:
            answer = await reader.service(target.service, "/metrics", params)
        else:
            answer = await reader.url(target.url, params)
    except ReadError as exc:
        error = str(exc)
    else:
        if answer.status == 200:
            return answer.text
        error = f"answered {answer.status}"
    log.info("monitoring.metrics_unreadable", service=target.service, replica=target.replica, error=error)
    return None


async def read_metrics(reader: Reader, target: Target) -> Counters | None:
    text = await read_text(reader, target, RED_SAMPLES)
    try:
        return parse(text) if text is not None else None
    except ValueError as exc:
        log.info("monitoring.metrics_unparsable", service=target.service, replica=target.replica, error=str(exc))
        return None


async def find_targets(targets_file: str, dns_port: int | None, services: list[str]) -> list[Target]:
    """The replicas to read: from DNS when a port is set (compose, Kubernetes), else the targets file, and each
    service the first two do not know once through the gateway."""
    found = await resolve_targets(services, dns_port) if dns_port else []
    known = {target.service for target in found}
    return found + load_targets(targets_file, [service for service in services if service not in known])


async def collect_red(reader: Reader, history: RedHistory, targets: list[Target]) -> int:
    """The minute's job: every target's /metrics (a replica that does not answer is skipped: its next reading
    covers the gap), stored as differences."""
    at = datetime.now(UTC)
    await history.partitions.ensure(at.date())
    readings = []
    for target in targets:
        counters = await read_metrics(reader, target)
        if counters is not None:
            readings.append((target, counters, datetime.now(UTC)))
    stored = await history.record(readings, at)
    await history.partitions.prune(at.date())
    return stored


def summarize(rows: list[dict[str, Any]], minutes: float) -> dict[str, Any]:
    """The RED figures of a group of rows (a route, or a whole service): rate, error ratio, mean and quantiles."""
    requests = sum(row["requests"] for row in rows)
    errors = sum(row["errors"] for row in rows)
    buckets = [sum(values) for values in zip(*(row["buckets"] for row in rows), strict=True)] if rows else []

    def ms(value: float | None) -> float | None:
        return round(value * 1000, 2) if value is not None else None

    return {
        "requests": requests,
        "rate_per_second": round(requests / (minutes * 60), 4) if minutes else None,
        "errors": errors,
        "error_ratio": round(errors / requests, 4) if requests else None,
        "mean_ms": ms(sum(row["duration_sum"] for row in rows) / requests) if requests else None,
        "p50_ms": ms(quantile(0.5, buckets)),
        "p95_ms": ms(quantile(0.95, buckets)),
        "p99_ms": ms(quantile(0.99, buckets)),
        "time_share": sum(row["duration_sum"] for row in rows),
        "buckets": buckets,
    }


def share_slower_than(buckets: list[float], seconds: float) -> float | None:
    """The share of requests slower than a bucket bound (from the cumulative counts)."""
    if not buckets or not buckets[-1] or seconds not in BOUNDS:
        return None
    return 1 - buckets[BOUNDS.index(seconds)] / buckets[-1]


def recent(minutes: float) -> tuple[datetime, datetime]:
    until = datetime.now(UTC)
    return until - timedelta(minutes=minutes), until
