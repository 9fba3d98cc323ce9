"""The kit's /metrics text of every worker's files gives prometheus_client's samples, and only the asked-for ones; a
replica's start empties its directory."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest, multiprocess
from prometheus_client.parser import text_string_to_metric_families

from osool_common.cli import empty_metrics_dir
from osool_common.exposition import MultiProcessText

# Every kind of series the services use, from a worker: counters, histograms, and gauges in each multiprocess mode;
# label values with a quote, a backslash and a newline; a gauge that worker 1 never set (mostrecent keeps the
# worker that set it last).
WORKER = textwrap.dedent(
    """
    import sys, time
    from prometheus_client import Counter, Gauge, Histogram
    n = int(sys.argv[1])
    requests = Counter("t_requests", "Requests\\nby route", ["route", "status"])
    requests.labels("/a", "200").inc(3 * n)
    requests.labels('/b "x" \\\\ y\\nz', "500").inc(n)
    duration = Histogram("t_duration_seconds", "Duration", ["route"], buckets=(0.01, 0.1, 1.0))
    for seconds in (0.005, 0.05, 0.5, 5.0)[:n + 2]:
        duration.labels("/a").observe(seconds)
    for mode in ("livesum", "liveall", "all", "max", "min", "sum", "livemax", "livemin"):
        Gauge(f"t_{mode}", mode, ["pool"], multiprocess_mode=mode).labels("p").set(10 * n + 1)
    if n == 2:
        time.sleep(0.01)
        Gauge("t_recent", "recent", multiprocess_mode="livemostrecent").set(7)
    """
)


def write_worker_files(directory: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    for n in (1, 2):
        subprocess.run([sys.executable, "-c", WORKER, str(n)], env=env, check=True)


def samples(text: str) -> dict[str, tuple[str, str, set[tuple[str, tuple[tuple[str, str], ...], float]]]]:
    return {
        family.name: (
            family.type,
            family.documentation,
            {(s.name, tuple(sorted(s.labels.items())), s.value) for s in family.samples},
        )
        for family in text_string_to_metric_families(text)
    }


def test_the_workers_files_render_to_the_samples_prometheus_client_gives(tmp_path: Path) -> None:
    write_worker_files(tmp_path)
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(tmp_path))
    expected = samples(generate_latest(registry).decode())
    text = MultiProcessText(str(tmp_path))

    assert samples(text.render().decode()) == expected
    # Again, from what the first scrape parsed.
    assert samples(text.render().decode()) == expected
    duration = expected["t_duration_seconds"][2]
    assert ("t_duration_seconds_count", (("route", "/a"),), 7.0) in duration  # 3 + 4 observations, both workers
    assert ("t_duration_seconds_bucket", (("le", "0.1"), ("route", "/a")), 4.0) in duration  # cumulative
    assert {s[2] for s in expected["t_livesum"][2]} == {32.0} and len(expected["t_liveall"][2]) == 2


def test_new_series_written_after_a_scrape_are_in_the_next(tmp_path: Path) -> None:
    write_worker_files(tmp_path)
    text = MultiProcessText(str(tmp_path))
    before = samples(text.render().decode())
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    script = (
        "from prometheus_client import Counter\n"
        'Counter("t_requests", "Requests\\nby route", ["route", "status"]).labels("/new", "200").inc(5)'
    )
    subprocess.run([sys.executable, "-c", script], env=env, check=True)

    after = samples(text.render().decode())

    assert ("t_requests_total", (("route", "/new"), ("status", "200")), 5.0) in after["t_requests"][2]
    assert len(after["t_requests"][2]) == len(before["t_requests"][2]) + 1


def test_names_keep_only_those_samples_and_their_families(tmp_path: Path) -> None:
    write_worker_files(tmp_path)
    full = samples(MultiProcessText(str(tmp_path)).render().decode())

    narrow = samples(MultiProcessText(str(tmp_path)).render(["t_requests_total", "t_duration_seconds_bucket"]).decode())

    assert set(narrow) == {"t_requests", "t_duration_seconds"}
    assert narrow["t_requests"] == full["t_requests"]
    assert narrow["t_duration_seconds"][2] == {s for s in full["t_duration_seconds"][2] if s[0].endswith("_bucket")}


def test_a_replica_starts_with_none_of_its_earlier_starts_files(tmp_path: Path) -> None:
    write_worker_files(tmp_path)
    assert list(tmp_path.glob("*.db"))

    empty_metrics_dir(tmp_path)

    assert list(tmp_path.glob("*.db")) == []
    assert MultiProcessText(str(tmp_path)).render() == b""
