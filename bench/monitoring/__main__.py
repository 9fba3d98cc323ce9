"""The cost of monitoring: the stack's CPU with and without the monitoring jobs and Prometheus scraping under the same
load, and the hourly database report's run time on 1,000,000 listings.

One private stack with Prometheus, the global Prometheus, Alertmanager and the exporters (config.observability), and
3,500 demo listings loaded with the search service's own `load-demo`. Then:
- windows: the same paced wrk load through the public gateway (cold searches whose query is embedded in the request,
  searches of the evaluation set, listings by id, a filtered list, market stats; a fixed rate kept by the wrk script
  whatever the latency) in pairs of windows, one with monitoring and one without, which comes first alternating (A B,
  B A, A B), after an unmeasured warm-up. "With": the observability programs running and the monitoring replica at
  its default intervals. "Without": those programs stopped and the monitoring replica restarted with every job's
  interval at the maximum its settings allow, so no job runs in the window (the replica stays up: its idle cost is
  not counted as monitoring's). The replica is restarted before every window of either kind, the switch is followed
  by a settling time, and the window is placed so the health job (every 15 s) runs four times and RED (every minute)
  once in it (counted from monitoring.job_runs and reported). CPU: user + system seconds of every process under
  supervisord (PostgreSQL, Valkey, nginx, every replica and its workers, the chain node, Prometheus, Alertmanager, the
  exporters), from /proc, with what exited children used, in all and by program; the ratio is the median of the
  pairs' (with over without);
- the scrapes: every target's /metrics (each replica's, each exporter's) SCRAPE_ROUNDS times at rest, with
  Prometheus stopped: the CPU of the programs answering (the replicas; PostgreSQL and Valkey behind the exporters) a
  round, spread over the scrape interval;
- every job alone in the monitoring replica at a short interval in an idle window, against idle windows with no job
  around it: its CPU per run (the whole stack's: the replica, PostgreSQL, the services it reads). Those too seldom to
  fall in a window (database report hourly, performance analysis and cache report every 6 hours, cost report daily,
  the baselines every replica publishes every 5 minutes) are spread over their default period and added to the
  "with" side; health and RED, already in the windows, say which job costs what;
- itemised, the goal's figure: monitoring's own programs as they ran in the windows with it, plus the scrapes and every
  job spread over its period, over the stack's CPU without monitoring. The pairs of windows differ from one another by
  more than monitoring costs (search alone by about 4%), so their ratio is kept as the cross-check;
- the database report: the listings raised to 1,000,000 (the same loader as bench/search), the paced load run once
  more so pg_stat_statements holds searches, then `DatabaseReport(pool).run()` REPORT_RUNS times on a pool of this
  process; median and max, findings, CPU per run, and the report's own statements by time (pg_stat_statements).
`BENCH_MONITORING_LISTINGS` sets the big tier (0 skips it). About 26 minutes, a third of it loading listings.
"""

from __future__ import annotations

import asyncio
import json
import math
import os
import statistics
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import psycopg
from annotated_types import Le

from bench import proc
from bench.common import LoadResult, private_stack, run_wrk, write_results
from bench.monitoring import figures
from bench.monitoring.figures import Window
from bench.search.__main__ import _load_tier
from devstack import observability
from devstack.envfile import read_env_file
from devstack.stack import LocalStack
from osool_common.settings import CommonSettings
from osool_monitoring.database import DatabaseReport
from osool_monitoring.scheduler import Job
from osool_monitoring.settings import Settings

DEMO_LISTINGS = 3500
BIG_LISTINGS = int(os.environ.get("BENCH_MONITORING_LISTINGS", "1000000"))
# The load: requests a second through the public gateway, kept by the wrk script.
RATE = 40.0
CONNECTIONS = 8
THREADS = 2
PAIRS = 3
WINDOW_SECONDS = 60
# Unmeasured load before the first window: the replicas' caches and PostgreSQL's buffers as in the later windows.
WARM_UP_SECONDS = 20
# After a switch: the restarted replica's start-up jobs and Prometheus's start are over, and (with MARGIN_SECONDS)
# the window opens about 22 s after the replica's scheduler started, past its start-up runs; the jobs fire as their
# periods open on the clock, so a 60 s window holds four health runs and one RED run wherever it falls.
SETTLE_SECONDS = 18
MARGIN_SECONDS = 4
JOB_INTERVAL_SECONDS = 2.0
JOB_WINDOW_SECONDS = 20
# Health and RED, whose figures count, run every second (their settings' minimum) for 30 s: a run's figure is the
# window less the idle stack around it over the runs, and the idle stack's rate differs by about 0.005 cores from one
# window to the next, so at 2 s a run the figure moved by 10 ms (one run of the bench timed the health job at 31, 33
# and 18 ms), at 1 s by 5. The seldom jobs keep 2 s: a cache report can take longer than a second.
FREQUENT_JOB_INTERVAL_SECONDS = 1.0
FREQUENT_JOB_WINDOW_SECONDS = 30
# Health and RED, the jobs that count (every 15 s and every minute), are timed this many times, interleaved, and the
# median run taken: one 20 s window of the idle stack can hold a checkpoint or an autovacuum, and one run of the bench
# read the health job at 30 ms a run, the next at 67.
JOB_REPEATS = 3
# The services whose health asks upstream services (UPSTREAM_SERVICES by default): an answer spares their checks a
# probe for UPSTREAM_FRESH_SECONDS (40 s), so at the health job's 15 s one run in three sends the probes. Timed every
# 2 s they would send none; for the job phase these services run with the freshness that makes every third run at 2 s
# send them (figures.freshness_for), so a run costs what it costs at its period.
UPSTREAM_CALLERS = ("agent", "chain", "chat-history")
JOB_SETTLE_SECONDS = 8
# After the upstream callers restart: their start-up work (the agent's intent evaluation, the chain's deployment
# check) is over before the first idle window.
UPSTREAM_RESTART_SETTLE_SECONDS = 30
REPORT_RUNS = 5
# The scrape rounds: every target's /metrics this many times, between idle readings of as long.
SCRAPE_ROUNDS = 40
SCRAPE_IDLE_SECONDS = 10
# Each service's /health on the big tier, this many times.
HEALTH_CALLS = 20
# What Prometheus 2.x/3.x asks for (the kit answers the text format to both).
SCRAPE_ACCEPT = "application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1"
REPORT_LOAD_SECONDS = 20
# Before the report on the big tier: searches only, some hundreds, so pg_stat_statements holds them.
REPORT_LOAD_RATE = 20.0
REPORT_LOAD_PATTERN = ("cold", "warm", "cold", "property")
GOAL_ADDED_CPU = 0.02
GOAL_REPORT_SECONDS = 5.0
# Marks this bench's own statements (a column alias: pg_stat_statements drops comments and constants), left out of
# the statements read from pg_stat_statements.
OWN = "bench_monitoring_own"

# Every scheduled job of the monitoring service (osool_monitoring/main.py) and the setting of its interval.
JOB_SETTINGS = {
    "health": "monitoring_health_interval_seconds",
    "red": "monitoring_red_interval_seconds",
    "database-report": "monitoring_database_report_interval_seconds",
    "performance-analysis": "monitoring_performance_interval_seconds",
    "cache-report": "monitoring_cache_report_interval_seconds",
    "cost-report": "monitoring_cost_report_interval_seconds",
    "publish-baselines": "monitoring_baseline_publish_seconds",
}
IN_WINDOW_JOBS = ("health", "red")
# Run by every replica without a lease, so not in job_runs: its runs in a window are counted from its interval.
UNLEASED_JOBS = frozenset({"publish-baselines"})

COLD_TEMPLATES = (
    "%d bedroom apartment in New Cairo under %dM with %d sqm",
    "villa in Sheikh Zayed with %d bedrooms under %d million, around %d sqm",
    "شقة %d غرف في التجمع الخامس بأقل من %d مليون مساحة %d متر",
    "chalet in North Coast with %d rooms under %d million %d m2",
    "%d BR duplex in Mostakbal City below %dM, %d meters, installments",
)
# One cycle of the load: 3 cold searches, 2 searches of the evaluation set (vectors cached, results cached for
# SEARCH_CACHE_TTL_SECONDS), 3 listings by id, a filtered list, the market stats.
PATTERN = ("cold", "property", "warm", "property", "cold", "stats", "warm", "property", "cold", "list")
# Distinct (rooms, budget, size) triples of the cold searches: k -> (k % 3, k % 40, k // 120 % 900).
COLD_VARIANTS = 120 * 900


def interval_settings() -> dict[str, tuple[float, float]]:
    """(default, maximum) of every job's interval, from the service's settings; a setting this bench does not know
    (a new job) stops it, since its cost would go unmeasured."""
    fields = Settings.model_fields
    unknown = {
        name for name in fields
        if name.startswith("monitoring_") and name.endswith("_seconds") and name not in JOB_SETTINGS.values()
    }  # fmt: skip
    if unknown:
        raise SystemExit(f"monitoring settings this bench does not measure: {sorted(unknown)}")
    found = {}
    for job, name in JOB_SETTINGS.items():
        maximum = next(m.le for m in fields[name].metadata if isinstance(m, Le))
        found[job] = (float(fields[name].default), float(maximum))  # type: ignore[arg-type]
    return found


def lua_list(items: list[str]) -> str:
    # Lua has no \uXXXX escape: UTF-8 as it is (the JSON bodies keep theirs, their backslashes escaped).
    return "{\n" + ",\n".join(json.dumps(item, ensure_ascii=False) for item in items) + "\n}"


def load_script(
    window_index: int, property_ids: list[str], warm_queries: list[str], seconds: int,
    rate: float = RATE, pattern: tuple[str, ...] = PATTERN,
) -> str:  # fmt: skip
    """wrk's Lua: `rate` requests a second in all (each thread its share on a schedule of its own, so a slow answer
    delays no later request), cold queries never sent in another window."""
    per_thread = math.ceil(rate / THREADS * seconds * 1.5)
    base = window_index * THREADS * per_thread
    if base + THREADS * per_thread > COLD_VARIANTS:
        raise ValueError("more cold queries than distinct variants")
    warm_bodies = [json.dumps({"query": q, "limit": 10}) for q in warm_queries]
    return f"""
local ffi = require("ffi")
pcall(ffi.cdef, [[
typedef struct {{ long tv_sec; long tv_usec; }} osool_timeval;
int gettimeofday(osool_timeval *tv, void *tz);
]])
local tv = ffi.new("osool_timeval")
local function now_ms()
  ffi.C.gettimeofday(tv, nil)
  return tonumber(tv.tv_sec) * 1000 + tonumber(tv.tv_usec) / 1000
end
local interval_ms = {THREADS * 1000.0 / rate}
local templates = {lua_list(list(COLD_TEMPLATES))}
local warm = {lua_list(warm_bodies)}
local ids = {lua_list(property_ids)}
local pattern = {lua_list(list(pattern))}
local json_headers = {{["Content-Type"] = "application/json"}}
local made = 0
function setup(thread)
  thread:set("thread_index", made)
  made = made + 1
end
local next_at = nil
local sent = 0
function delay()
  local now = now_ms()
  if next_at == nil then next_at = now + (thread_index or 0) * interval_ms / {THREADS} end
  local at = next_at
  next_at = next_at + interval_ms
  if at <= now then return 0 end
  return math.floor(at - now + 0.5)
end
function request()
  sent = sent + 1
  local kind = pattern[(sent % #pattern) + 1]
  if kind == "cold" then
    local k = {base} + (thread_index or 0) * {per_thread} + sent
    local q = string.format(templates[(k % #templates) + 1], 2 + k % 3, 4 + k % 40, 90 + math.floor(k / 120) % 900)
    return wrk.format("POST", "/api/properties/search", json_headers, '{{"query": "' .. q .. '", "limit": 10}}')
  elseif kind == "warm" then
    return wrk.format("POST", "/api/properties/search", json_headers, warm[(sent % #warm) + 1])
  elseif kind == "property" then
    return wrk.format("GET", "/api/properties/" .. ids[(sent % #ids) + 1])
  elseif kind == "list" then
    return wrk.format("GET", "/api/properties?location=New%20Cairo&min_bedrooms=2&limit=20")
  end
  return wrk.format("GET", "/api/market/stats")
end
"""


class Bench:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.env = read_env_file(stack.config.env_file)
        self.supervisord = int((stack.config.state_dir / "supervisord.pid").read_text().strip())
        assert stack.observed is not None, "Prometheus is not installed: " + observability.INSTALL_HINT
        self.observability_programs = [name for name, _, _ in observability.programs(
            stack.config, stack.observed, stack.env)]  # fmt: skip
        self.intervals = interval_settings()
        self.windows_made = 0

    # -- the stack ------------------------------------------------------------------------------------------------
    def cpu_seconds(self) -> float:
        return proc.tree_cpu_seconds([self.supervisord])

    def snapshot(self, programs: dict[str, int]) -> tuple[float, dict[str, float]]:
        """The whole tree's CPU seconds, and each program's (a service's replicas together), from one reading."""
        processes = proc.read_processes()
        total = proc.tree_ticks(processes, [self.supervisord]) / proc.TICKS_PER_SECOND
        return total, proc.cpu_seconds_by_group(processes, programs, lambda name: name.partition(":")[0])

    def monitoring_intervals(self, intervals: dict[str, float]) -> None:
        """Restart the monitoring replicas with these job intervals (the env file every service reads; the other
        services keep theirs until they restart, and ignore these variables anyway)."""
        path = self.stack.config.env_file
        names = {JOB_SETTINGS[job].upper() for job in JOB_SETTINGS}
        kept = [line for line in path.read_text().splitlines() if line.partition("=")[0].strip() not in names]
        kept += [f"{JOB_SETTINGS[job].upper()}={seconds:g}" for job, seconds in intervals.items()]
        path.write_text("\n".join(kept) + "\n")
        result = self.stack.ctl("restart", "monitoring:*")
        if result.returncode != 0 or "ERROR" in result.stdout:
            raise RuntimeError(f"restarting monitoring: {result.stdout} {result.stderr}")
        deadline = time.monotonic() + 90
        ports = self.stack.config.replica_ports["monitoring"]
        while any(self.stack.replica_live("monitoring", i, port).http_status != 200 for i, port in enumerate(ports)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"monitoring did not come back; see {self.stack.config.state_dir}/logs")
            time.sleep(0.2)

    def upstream_freshness(self, seconds: float) -> None:
        """Restart the services that probe upstream services with this UPSTREAM_FRESH_SECONDS."""
        path = self.stack.config.env_file
        kept = [line for line in path.read_text().splitlines() if line.partition("=")[0] != "UPSTREAM_FRESH_SECONDS"]
        path.write_text("\n".join([*kept, f"UPSTREAM_FRESH_SECONDS={seconds:g}"]) + "\n")
        result = self.stack.ctl("restart", *(f"{service}:*" for service in UPSTREAM_CALLERS))
        if result.returncode != 0 or "ERROR" in result.stdout:
            raise RuntimeError(f"restarting {UPSTREAM_CALLERS}: {result.stdout} {result.stderr}")
        self.stack.wait_healthy(timeout=180)
        time.sleep(UPSTREAM_RESTART_SETTLE_SECONDS)

    def observability(self, on: bool) -> None:
        result = self.stack.ctl("start" if on else "stop", *self.observability_programs)
        # Already in the state asked for is fine (the stack starts with them running).
        failed = [line for line in result.stdout.splitlines()
                  if "ERROR" in line and "already started" not in line and "not running" not in line]  # fmt: skip
        if failed:
            raise RuntimeError(f"supervisorctl {'start' if on else 'stop'}: {result.stdout} {result.stderr}")

    def monitoring(self, on: bool) -> None:
        defaults = {job: default for job, (default, _) in self.intervals.items()}
        self.observability(on)
        self.monitoring_intervals(defaults if on else self.quiet())

    def quiet(self) -> dict[str, float]:
        return {job: maximum for job, (_, maximum) in self.intervals.items()}

    def job_runs(self, started: float, ended: float) -> dict[str, int]:
        """Runs of each job that began in the window, by job name (the key's interval dropped)."""
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            rows = connection.execute(
                "SELECT job, count(*) FROM monitoring.job_runs WHERE started_at >= to_timestamp(%s) "
                "AND started_at < to_timestamp(%s) GROUP BY job",
                (started, ended),
            ).fetchall()
        runs: dict[str, int] = {}
        for key, count in rows:
            name = key.partition("@")[0]
            runs[name] = runs.get(name, 0) + int(count)
        return runs

    def job_runs_of(self, key: str, started: float, ended: float) -> int:
        with psycopg.connect(self.env["DATABASE_URL"]) as connection:
            row = connection.execute(
                "SELECT count(*) FROM monitoring.job_runs WHERE job = %s AND started_at >= to_timestamp(%s) "
                "AND started_at < to_timestamp(%s) AND finished_at IS NOT NULL AND error IS NULL",
                (key, started, ended),
            ).fetchone()
        return int(row[0]) if row else 0

    # -- measurements ---------------------------------------------------------------------------------------------
    def loaded_window(self, script: str, seconds: int) -> tuple[float, float, float, LoadResult, dict[str, float]]:
        """The paced load for seconds plus a margin either side; CPU read over the middle `seconds`. Returns
        (cpu seconds, window seconds, wall-clock start, the load's figures, cpu seconds by program)."""
        url = f"{self.stack.config.public_url}/api/properties/search"
        programs = self.stack.program_pids()
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(run_wrk, "paced", url, connections=CONNECTIONS, threads=THREADS,
                                 seconds=seconds + 2 * MARGIN_SECONDS, script=script)  # fmt: skip
            time.sleep(MARGIN_SECONDS)
            wall, started, (cpu, by_program) = time.time(), time.monotonic(), self.snapshot(programs)
            time.sleep(seconds)
            (cpu_end, by_program_end), elapsed = self.snapshot(programs), time.monotonic() - started
            load = future.result()
        used = {name: round(by_program_end[name] - by_program.get(name, 0.0), 3) for name in by_program_end}
        return cpu_end - cpu, elapsed, wall, load, used

    def idle_window(self, seconds: int) -> tuple[float, float, float]:
        wall, started, cpu = time.time(), time.monotonic(), self.cpu_seconds()
        time.sleep(seconds)
        return self.cpu_seconds() - cpu, time.monotonic() - started, wall

    def next_script(self, property_ids: list[str], warm: list[str], seconds: int, **load: Any) -> str:
        script = load_script(self.windows_made, property_ids, warm, seconds + 2 * MARGIN_SECONDS, **load)
        self.windows_made += 1
        return script


def property_ids(database_url: str, count: int = 200) -> list[str]:
    with psycopg.connect(database_url) as connection:
        rows = connection.execute("SELECT id::text FROM search.properties ORDER BY id LIMIT %s", (count,)).fetchall()
    return [row[0] for row in rows]


def warm_queries() -> list[str]:
    path = Path(__file__).resolve().parents[2] / "services" / "search" / "eval" / "queries.jsonl"
    return [json.loads(line)["query"] for line in path.read_text().splitlines() if line.strip()]


def alternating_windows(bench: Bench, ids: list[str], warm: list[str]) -> list[dict[str, Any]]:
    bench.loaded_window(bench.next_script(ids, warm, WARM_UP_SECONDS), WARM_UP_SECONDS)
    windows = []
    for index in range(2 * PAIRS):
        # A B, B A, A B, ...: each pair side by side, and which side comes first alternates, so a drift of the
        # machine over the run does not always fall on the same side.
        pair, second = divmod(index, 2)
        monitoring = (second == 0) == (pair % 2 == 0)
        bench.monitoring(monitoring)
        time.sleep(SETTLE_SECONDS)
        cpu, seconds, wall, load, by_program = bench.loaded_window(
            bench.next_script(ids, warm, WINDOW_SECONDS), WINDOW_SECONDS
        )
        runs = bench.job_runs(wall, wall + seconds)
        window = Window(monitoring, cpu, seconds)
        windows.append({
            "monitoring": monitoring, "cpu_seconds": round(cpu, 2), "seconds": round(seconds, 2),
            "cores": round(window.cores, 4), "job_runs": runs, "load": load, "cpu_seconds_by_program": by_program,
        })  # fmt: skip
        print(f"  window {index + 1} {'with   ' if monitoring else 'without'}: {cpu:7.2f} CPU s in {seconds:.1f} s "
              f"= {window.cores:.3f} cores; {load.requests_per_second:.1f} req/s, p50 {load.p50_ms:.1f} ms, "
              f"errors {load.errors}; job runs {runs}", flush=True)  # fmt: skip
    return windows


def scrape_costs(bench: Bench) -> dict[str, Any]:
    """What one scrape of every target costs the programs that answer it, at rest: every replica's /metrics (the
    replica renders it) and every exporter's (PostgreSQL and Valkey answer the exporters' queries; the exporters' own
    CPU is already in the windows, as a program). SCRAPE_ROUNDS rounds of every target, less the idle stack around
    them; Prometheus and the global one stopped meanwhile, so their own scrapes are not counted twice."""
    observed = bench.stack.observed
    assert observed is not None
    bench.observability(True)  # the exporters (the windows end without monitoring)
    bench.stack.ctl("stop", "prometheus", "prometheus-global")
    time.sleep(SCRAPE_IDLE_SECONDS)  # the exporters' first connections made
    targets = [f"http://{group['targets'][0]}/metrics"
               for group in json.loads(observability.targets_file(bench.stack.config).read_text())]  # fmt: skip
    targets += [f"http://127.0.0.1:{observed.ports[exporter]}/metrics"
                for exporter in observability.EXPORTER_JOBS if exporter in observed.ports]  # fmt: skip
    programs = bench.stack.program_pids()
    own = set(bench.observability_programs)

    def answering(by_program: dict[str, float]) -> float:
        return sum(cpu for name, cpu in by_program.items() if name not in own)

    def idle() -> float:
        _, before = bench.snapshot(programs)
        started = time.monotonic()
        time.sleep(SCRAPE_IDLE_SECONDS)
        _, after = bench.snapshot(programs)
        return (answering(after) - answering(before)) / (time.monotonic() - started)

    with httpx.Client(timeout=10, headers={"Accept": SCRAPE_ACCEPT}) as client:
        for url in targets:  # each answers once before the count (a first render builds what later ones reuse)
            assert client.get(url).status_code == 200, url
        idle_before = idle()
        _, before = bench.snapshot(programs)
        started = time.monotonic()
        sizes = []
        for _ in range(SCRAPE_ROUNDS):
            for url in targets:
                response = client.get(url)
                assert response.status_code == 200, url
                sizes.append(len(response.content))
        seconds = time.monotonic() - started
        _, after = bench.snapshot(programs)
        idle_after = idle()
    idle_cores = statistics.mean([idle_before, idle_after])
    per_round = (answering(after) - answering(before) - idle_cores * seconds) / SCRAPE_ROUNDS
    by_program = {name: round((after[name] - before.get(name, 0.0)) / SCRAPE_ROUNDS, 4)
                  for name in after if name not in own and after[name] - before.get(name, 0.0) > 0}  # fmt: skip
    interval = parse_interval(bench.stack.config.scrape_interval)
    print(f"  a scrape of every target ({len(targets)}): {per_round * 1000:.1f} ms of CPU in the programs answering, "
          f"every {interval:g} s: {max(per_round, 0) / interval * 1000:.3f} millicores", flush=True)  # fmt: skip
    return {
        "targets": len(targets), "rounds": SCRAPE_ROUNDS, "seconds": round(seconds, 2),
        "bytes_per_round": sum(sizes) // SCRAPE_ROUNDS, "idle_cores_around": round(idle_cores, 4),
        "cpu_seconds_per_round": round(per_round, 4), "cpu_seconds_per_round_by_program": by_program,
        "interval_seconds": interval, "amortised_cores": figures.amortised_cores(per_round, interval),
    }  # fmt: skip


def parse_interval(text: str) -> float:
    """Prometheus's duration as the launcher writes it: "30s", "1m"."""
    units = {"s": 1.0, "m": 60.0, "h": 3600.0}
    return float(text[:-1]) * units[text[-1]]


def job_costs(bench: Bench) -> dict[str, Any]:
    """Each job alone at JOB_INTERVAL_SECONDS in an idle window, between idle windows with every job quiet. The seldom
    ones are spread over their period (added to the windows with monitoring); health and RED, which the windows hold,
    are measured the same way to say which of them costs what."""
    bench.observability(False)
    quiet = bench.quiet()
    every = figures.probe_every(CommonSettings.model_fields["upstream_fresh_seconds"].default,
                                bench.intervals["health"][0])  # fmt: skip
    bench.upstream_freshness(figures.freshness_for(every, job_interval("health")))

    def idle() -> float:
        bench.monitoring_intervals(quiet)
        time.sleep(JOB_SETTLE_SECONDS)
        cpu, seconds, _ = bench.idle_window(JOB_WINDOW_SECONDS)
        return cpu / seconds

    baselines = [idle()]
    samples: dict[str, list[dict[str, Any]]] = {}
    order = [*JOB_SETTINGS, *[job for _ in range(JOB_REPEATS - 1) for job in IN_WINDOW_JOBS]]
    for job in order:
        interval = job_interval(job)
        bench.monitoring_intervals({**quiet, job: interval})
        time.sleep(JOB_SETTLE_SECONDS)
        cpu, seconds, wall = bench.idle_window(
            FREQUENT_JOB_WINDOW_SECONDS if job in IN_WINDOW_JOBS else JOB_WINDOW_SECONDS
        )
        baselines.append(idle())
        idle_cores = statistics.mean(baselines[-2:])
        if job in UNLEASED_JOBS:
            runs = round(seconds / interval)
        else:
            key = Job(job, interval, _nothing).key
            runs = bench.job_runs_of(key, wall, wall + seconds)
        per_run = figures.cpu_per_run(cpu, seconds, idle_cores, runs)
        samples.setdefault(job, []).append({
            "runs_in_window": runs, "window_cpu_seconds": round(cpu, 3), "window_seconds": round(seconds, 2),
            "idle_cores_around": round(idle_cores, 4), "cpu_seconds_per_run": round(per_run, 4),
        })  # fmt: skip
        print(f"  {job}: {per_run * 1000:.0f} ms of CPU a run ({runs} runs in {seconds:.0f} s, idle "
              f"{idle_cores:.3f} cores around)", flush=True)  # fmt: skip
    costs: dict[str, Any] = {}
    for job, taken in samples.items():
        per_run = statistics.median(sample["cpu_seconds_per_run"] for sample in taken)
        period = bench.intervals[job][0]
        costs[job] = {
            **(taken[0] if len(taken) == 1 else {"samples": taken}),
            "cpu_seconds_per_run": per_run, "period_seconds": period, "in_windows": job in IN_WINDOW_JOBS,
            # In cores at its default period: added to the "with" side for the seldom jobs only (the windows hold
            # the others' runs already).
            "amortised_cores": figures.amortised_cores(per_run, period),
        }  # fmt: skip
        print(f"  {job}: {per_run * 1000:.0f} ms of CPU a run{' (median)' if len(taken) > 1 else ''}, every "
              f"{period:g} s: {costs[job]['amortised_cores'] * 1000:.3f} millicores", flush=True)  # fmt: skip
    return costs


def job_interval(job: str) -> float:
    return FREQUENT_JOB_INTERVAL_SECONDS if job in IN_WINDOW_JOBS else JOB_INTERVAL_SECONDS


async def _nothing() -> None:
    return None


async def _statement_totals(pool: asyncpg.Pool) -> dict[int, tuple[str, int, float]]:
    rows = await pool.fetch(
        "SELECT queryid, query, calls, total_exec_time AS bench_monitoring_own FROM pg_stat_statements "
        "WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    return {row["queryid"]: (row["query"], row["calls"], row[OWN]) for row in rows}


async def _time_reports(database_url: str, postgres_cpu: Callable[[], float]) -> dict[str, Any]:
    pool = await asyncpg.create_pool(
        database_url, min_size=1, max_size=2, server_settings={"search_path": "monitoring,public"}
    )
    assert pool is not None
    try:
        # The searches' last statements done (a slow one would share the cores with the report), at most a minute.
        waited = time.monotonic()
        for _ in range(120):
            busy = await pool.fetchval(
                "SELECT count(*) AS bench_monitoring_own FROM pg_stat_activity WHERE backend_type = 'client backend' "
                "AND state = 'active' AND pid <> pg_backend_pid()"
            )
            if not busy:
                break
            await asyncio.sleep(0.5)
        waited = time.monotonic() - waited
        before = await _statement_totals(pool)
        runs = []
        findings: list[dict[str, Any]] = []
        summary: dict[str, Any] = {}
        for _ in range(REPORT_RUNS):
            # A vacuum of the new rows shares the two cores with the report: said with each run.
            vacuums = await pool.fetchval(
                "SELECT count(*) AS bench_monitoring_own FROM pg_stat_activity WHERE backend_type = 'autovacuum worker'"
            )
            cpu = time.process_time() + postgres_cpu()
            started = time.perf_counter()
            summary, findings, duration_ms = await DatabaseReport(pool).run()
            wall = time.perf_counter() - started
            runs.append({
                "duration_ms": round(duration_ms, 1), "wall_ms": round(wall * 1000, 1),
                "cpu_seconds": round(time.process_time() + postgres_cpu() - cpu, 3), "findings": len(findings),
                "autovacuum_workers": vacuums,
            })  # fmt: skip
        after = await _statement_totals(pool)
        ids = await pool.fetchval("SELECT count(*) FROM search.properties")
    finally:
        await pool.close()
    # The statements the runs executed (anything else the idle stack sent meanwhile is a few cheap calls).
    spent: list[dict[str, Any]] = []
    for queryid, (query, calls, total) in after.items():
        old_calls, old_total = before.get(queryid, ("", 0, 0.0))[1:]
        if calls > old_calls and OWN not in query:
            spent.append({"query": " ".join(query.split())[:160], "calls": calls - old_calls,
                          "total_ms": round(total - old_total, 1),
                          "mean_ms": round((total - old_total) / (calls - old_calls), 2)})  # fmt: skip
    spent.sort(key=lambda s: -s["total_ms"])
    by_kind: dict[str, int] = {}
    for finding in findings:
        by_kind[finding["kind"]] = by_kind.get(finding["kind"], 0) + 1
    durations = [run["duration_ms"] / 1000 for run in runs]
    return {
        "listings": ids,
        "waited_for_quiet_seconds": round(waited, 1),
        "runs": runs,
        "median_seconds": round(statistics.median(durations), 3),
        "max_seconds": round(max(durations), 3),
        "cpu_seconds_per_run": round(statistics.median(run["cpu_seconds"] for run in runs), 3),
        "findings": len(findings),
        "findings_by_kind": by_kind,
        "pg_stat_statements": summary.get("pg_stat_statements"),
        "statements_seen": len(after),
        "database_size": summary.get("database_size"),
        # By the time they took during the runs: the report's statements, and whatever the stack ran meanwhile.
        "statements_during_the_runs": spent[:8],
    }


def health_at_scale(bench: Bench) -> dict[str, Any]:
    """Each service's /health through the internal gateway on the big tier, HEALTH_CALLS times: what one run of the
    health job asks of each, its latency and the CPU of the whole stack per call (search's listings check once read
    every listing)."""
    programs = bench.stack.program_pids()
    found: dict[str, Any] = {}
    with httpx.Client(base_url=bench.stack.config.internal_url, timeout=30) as client:
        for service in observability.SERVICES:
            client.get(f"/{service}/health")
            latencies = []
            cpu, _ = bench.snapshot(programs)
            for _ in range(HEALTH_CALLS):
                started = time.perf_counter()
                status = client.get(f"/{service}/health").status_code
                latencies.append((time.perf_counter() - started) * 1000)
            cpu_end, _ = bench.snapshot(programs)
            found[service] = {"status": status, "p50_ms": round(statistics.median(latencies), 2),
                              "max_ms": round(max(latencies), 2),
                              "stack_cpu_ms_per_call": round((cpu_end - cpu) * 1000 / HEALTH_CALLS, 2)}  # fmt: skip
    print(
        f"  /health at {BIG_LISTINGS:,} listings: "
        + ", ".join(f"{name} {v['p50_ms']} ms ({v['stack_cpu_ms_per_call']} ms CPU)" for name, v in found.items()),
        flush=True,
    )
    return found


def database_report(bench: Bench, ids: list[str], warm: list[str]) -> dict[str, Any]:
    config = bench.stack.config
    started = time.monotonic()
    ingest = _load_tier(config.env_file, BIG_LISTINGS)
    print(f"  {BIG_LISTINGS:,} listings: loaded in {ingest['seconds']} s ({ingest['inserted']} new)", flush=True)
    script = bench.next_script(ids, warm, REPORT_LOAD_SECONDS, rate=REPORT_LOAD_RATE, pattern=REPORT_LOAD_PATTERN)
    _, _, _, load, _ = bench.loaded_window(script, REPORT_LOAD_SECONDS)
    searches = sum(kind != "property" for kind in REPORT_LOAD_PATTERN) / len(REPORT_LOAD_PATTERN)
    print(f"  for pg_stat_statements: {load.requests} requests ({searches:.0%} searches), p50 {load.p50_ms:.0f} ms, "
          f"errors {load.errors}", flush=True)  # fmt: skip
    health = health_at_scale(bench)
    postgres = bench.stack.program_pid("postgres")
    report = asyncio.run(_time_reports(bench.env["DATABASE_URL"], lambda: proc.tree_cpu_seconds([postgres])))
    report["ingest"] = ingest
    report["health_per_service"] = health
    report["load_before"] = load
    report["amortised_cores"] = figures.amortised_cores(
        report["cpu_seconds_per_run"], bench.intervals["database-report"][0]
    )
    report["seconds_total"] = round(time.monotonic() - started, 1)
    return report


def main() -> None:
    started = time.monotonic()
    warm = warm_queries()
    with private_stack(env_lines={"DEMO_LISTINGS": "0"}, observability=True) as stack:
        bench = Bench(stack)
        demo = _load_tier(stack.config.env_file, DEMO_LISTINGS)
        ids = property_ids(bench.env["DATABASE_URL"])
        with httpx.Client(base_url=stack.config.public_url, timeout=30) as client:
            for query in warm:  # their vectors cached, as a running service has them
                assert client.post("/api/properties/search", json={"query": query}).status_code == 200
        print(f"stack up with {DEMO_LISTINGS} demo listings ({demo['seconds']} s); {2 * PAIRS} windows of "
              f"{WINDOW_SECONDS} s at {RATE:g} requests/s", flush=True)  # fmt: skip
        phase = time.monotonic()
        window_rows = alternating_windows(bench, ids, warm)
        windows_seconds = time.monotonic() - phase
        print(f"each job alone every {JOB_INTERVAL_SECONDS:g} s, health and RED every "
              f"{FREQUENT_JOB_INTERVAL_SECONDS:g} s (the seldom ones added to the windows with "
              "monitoring):", flush=True)  # fmt: skip
        print("every scrape target once, SCRAPE_ROUNDS times:", flush=True)
        scrapes = scrape_costs(bench)
        phase = time.monotonic()
        costs = job_costs(bench)
        jobs_seconds = time.monotonic() - phase
        report = database_report(bench, ids, warm) if BIG_LISTINGS else None
    windows = [Window(w["monitoring"], w["cpu_seconds"], w["seconds"]) for w in window_rows]
    amortised = sum(cost["amortised_cores"] for cost in costs.values() if not cost["in_windows"])
    with_cores = statistics.median(w.cores for w in windows if w.monitoring)
    without_cores = statistics.median(w.cores for w in windows if not w.monitoring)
    in_window = figures.median_ratio(windows)
    overall = figures.median_ratio(windows, amortised)
    by_program = figures.cores_by_group(
        [(w["monitoring"], w["seconds"], w["cpu_seconds_by_program"]) for w in window_rows]
    )
    itemised = figures.itemised_cores(
        {name: by_program[name]["with_cores"] for name in bench.observability_programs if name in by_program},
        {"scrapes": scrapes["amortised_cores"], **{job: cost["amortised_cores"] for job, cost in costs.items()}},
    )
    itemised_share = itemised["cores"] / without_cores
    goals: dict[str, Any] = {
        # The itemised figure: the windows' pairs differ by more than monitoring costs (see the README).
        "monitoring_added_cpu": {
            "value": round(itemised_share, 4), "at_most": GOAL_ADDED_CPU, "met": itemised_share <= GOAL_ADDED_CPU,
            "paired_windows": round(figures.added_share(overall), 4),
        },
    }  # fmt: skip
    if report:
        goals["database_report_seconds_at_1000000"] = {
            "value": report["median_seconds"], "max": report["max_seconds"], "at_most": GOAL_REPORT_SECONDS,
            "met": report["median_seconds"] <= GOAL_REPORT_SECONDS,
        }  # fmt: skip
    payload = {
        "method": {
            "cpu": "user+system seconds of every process under the stack's supervisord, from /proc/<pid>/stat "
            "(utime+stime, and cutime+cstime for children that exited), read at a window's start and end",
            "with": "Prometheus, the global Prometheus, Alertmanager, the PostgreSQL, Valkey and node exporters "
            "running (scrapes and the availability alerts every 30 s, the other rules every minute); the monitoring "
            "replica at its default job intervals (health every 15 s, RED every minute)",
            "scrapes": f"every target's /metrics {SCRAPE_ROUNDS} times at rest with both Prometheus stopped, less the "
            f"idle stack in {SCRAPE_IDLE_SECONDS} s before and after; the CPU of every program but the observability "
            "ones (counted in the windows) per round, over the scrape interval",
            "itemised": "the goal's figure: the observability programs' median cores in the windows with monitoring, "
            "plus the scrapes and every job at its default period, over the median cores of the windows without",
            "without": "those programs stopped (supervisorctl stop); the monitoring replica restarted with every job "
            "interval at its settings' maximum, so no job runs in the window; the replica itself stays up",
            "switch": f"the monitoring replica restarted before every window of both kinds, then {SETTLE_SECONDS} s "
            f"to settle and a {MARGIN_SECONDS} s margin of load before the window",
            "load": f"{RATE:g} requests/s through the public gateway kept by the wrk script (LuaJIT clock, a schedule "
            f"per thread), {CONNECTIONS} connections: per 10 requests, 3 searches never sent before (the query "
            "embedded in the request), 2 of the 200 evaluation queries (vector and results cached), 3 listings by "
            "id, a filtered list and the market stats; 3,500 demo listings",
            "jobs": f"each alone in the monitoring replica every {JOB_INTERVAL_SECONDS:g} s for "
            f"{JOB_WINDOW_SECONDS} s (health and RED every {FREQUENT_JOB_INTERVAL_SECONDS:g} s for "
            f"{FREQUENT_JOB_WINDOW_SECONDS} s; the agent, chain and chat-history restarted first with the upstream "
            "freshness that makes every third health run send their probes, as at the job's 15 s with the default "
            "40 s) with "
            "no load and observability off, less the idle windows (every job quiet) "
            "before and after it, divided by its runs (monitoring.job_runs; publish-baselines, unleased, from its "
            f"interval); health and RED {JOB_REPEATS} times each, interleaved, and their median run taken; CPU per "
            "run over its default period, added to the with side for the seldom jobs (not health and RED, whose runs "
            "the windows hold); a negative figure is noise and counts as nothing",
            "ratio": "in each pair of adjacent windows (A B, B A, A B) the one with monitoring over the one without; "
            "the median of the pairs'",
        },
        "windows": window_rows,
        "with_cores_median": round(with_cores, 4),
        "without_cores_median": round(without_cores, 4),
        "in_window_ratios": [round(r, 4) for r in figures.paired_ratios(windows)],
        "in_window_ratio_median": round(in_window, 4),
        "jobs": costs,
        "seldom_jobs_amortised_cores": round(amortised, 6),
        "ratios_with_seldom_jobs": [round(r, 4) for r in figures.paired_ratios(windows, amortised)],
        "ratio_median": round(overall, 4),
        "monitoring_cores": round(with_cores + amortised - without_cores, 4),
        # The stack's CPU without monitoring above which monitoring (itemised) adds under the goal's share.
        "break_even_stack_cores": round(itemised["cores"] / GOAL_ADDED_CPU, 3),
        "cores_by_program": by_program,
        "scrapes": scrapes,
        # Monitoring's cost item by item: its programs as they ran in the windows with it, and what its scrapes and
        # jobs cost the programs answering them (measured at rest, each on its own), over the stack without it.
        "itemised": {**itemised, "share_of_stack_without": round(itemised_share, 4)},
        "database_report": report,
        "goals": goals,
        "phases_seconds": {
            "windows": round(windows_seconds),
            "seldom_jobs": round(jobs_seconds),
            "database_report": report["seconds_total"] if report else None,
        },
        "bench_seconds": round(time.monotonic() - started),
    }
    path = write_results("monitoring", payload)
    print(f"itemised: {itemised['cores'] * 1000:.2f} millicores {itemised['items']}, "
          f"{itemised_share:.2%} of the stack without monitoring", flush=True)  # fmt: skip
    print(f"with monitoring {with_cores:.3f} cores, without {without_cores:.3f} (medians); ratios in the windows "
          f"{payload['in_window_ratios']}, median {in_window:.4f}; seldom jobs {amortised * 1000:.2f} millicores; "
          f"with them {overall:.4f}", flush=True)  # fmt: skip
    if report:
        print(f"database report on {report['listings']:,} listings: median {report['median_seconds']} s, max "
              f"{report['max_seconds']} s, {report['findings']} findings {report['findings_by_kind']}, "
              f"{report['cpu_seconds_per_run']} CPU s a run")  # fmt: skip
    for name, goal in goals.items():
        print(f"goal {name}: {goal['value']} ({'met' if goal['met'] else 'MISSED'}; at most {goal['at_most']})")
    print(f"wrote {path} in {payload['bench_seconds']} s")


if __name__ == "__main__":
    main()
