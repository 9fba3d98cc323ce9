"""The /metrics text of a replica's worker files (prometheus_client's multiprocess mode), rendered with every series'
parsed key and formatted labels kept from one scrape to the next.

prometheus_client's own path (MultiProcessCollector, then generate_latest) decodes every key's JSON, builds a Sample
per value and checks and escapes every label name again at each scrape: 17 ms of CPU for the monitoring replica's
~1,000 samples, paid at every Prometheus scrape and RED reading of every replica, which made most of what monitoring
cost the stack (bench/monitoring). A key's text never changes (the files only grow), so here it is parsed once per
process; a scrape reads the files with the library's own reader and adds the values up the library's way (counters and
histograms summed over the workers, each gauge by its multiprocess mode, histogram buckets made cumulative). The
samples are the library's (tests/unit/test_exposition.py compares both on real worker files); the lines' order within a
family may differ, which the text format allows.
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Collection
from dataclasses import dataclass, field

from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.openmetrics.exposition import UNDERSCORES, escape_label_name, escape_metric_name
from prometheus_client.utils import floatToGoString

_MIN_MODES = frozenset({"min", "livemin"})
_MAX_MODES = frozenset({"max", "livemax"})
_SUM_MODES = frozenset({"sum", "livesum"})
_RECENT_MODES = frozenset({"mostrecent", "livemostrecent"})
# Gauges in these modes keep one series per worker, labelled with its pid.
_PER_PROCESS_MODES = frozenset({"all", "liveall"})


def _escape_value(value: str) -> str:
    return value.replace("\\", r"\\").replace("\n", r"\n").replace('"', r"\"")


def _labels_text(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    pairs = ",".join(
        f'{escape_label_name(name, UNDERSCORES)}="{_escape_value(value)}"' for name, value in sorted(labels.items())
    )
    return "{" + pairs + "}"


@dataclass(frozen=True)
class _Series:
    """One key of one kind of file, parsed: its family, the line it is written as, and for a histogram bucket the
    series it belongs to and its bound."""

    family: str
    help_text: str
    sample: str  # the sample's name, for name[] filtering
    line: str  # the sample's name and labels, as written before the value
    group: str = ""  # a bucket's labels without `le`: its histogram's series
    bound: float | None = None  # a bucket's `le`


@dataclass(slots=True)
class _Bucket:
    line: str
    value: float


@dataclass
class _Family:
    name: str
    kind: str
    help_text: str
    mode: str = ""
    values: dict[str, float] = field(default_factory=dict)
    stamps: dict[str, float] = field(default_factory=dict)
    # A histogram's buckets by series (its labels without `le`), then by bound, summed over the workers.
    buckets: dict[str, dict[float, _Bucket]] = field(default_factory=dict)


class MultiProcessText:
    """Renders the worker files of one directory; keeps what it parsed for the next scrape."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._series: dict[tuple[str, str], _Series] = {}

    def render(self, names: Collection[str] = ()) -> bytes:
        """The exposition of every worker's values; with `names`, only the samples of those names (name[] of
        prometheus_client's own handler: e.g. osool_http_requests_total, a histogram's _bucket, _sum, _count)."""
        wanted = frozenset(names)
        families: dict[str, _Family] = {}
        for path in glob.glob(os.path.join(self.path, "*.db")):
            parts = os.path.basename(path)[: -len(".db")].split("_")
            kind = parts[0]
            mode = parts[1] if kind == "gauge" else ""
            pid = parts[-1] if mode in _PER_PROCESS_MODES else ""
            try:
                values = MmapedDict.read_all_values_from_file(path)
            except FileNotFoundError:
                # A dead worker's live gauges are removed (mark_process_dead) between the glob and the read.
                continue
            for key, value, stamp, _ in values:
                series = self._series.get((pid + kind, key)) or self._parse(kind, pid, key)
                if wanted and not (wanted & _sample_names(kind, series.family)):
                    continue
                family = families.get(series.family)
                if family is None:
                    family = families[series.family] = _Family(series.family, kind, series.help_text, mode)
                _add(family, series, value, stamp)
        return "".join(_write(family, wanted) for family in families.values()).encode()

    def _parse(self, kind: str, pid: str, key: str) -> _Series:
        family, sample, labels, help_text = json.loads(key)
        if pid:
            labels = {**labels, "pid": pid}
        group, bound = "", None
        if kind == "histogram" and "le" in labels:
            bound = float(labels["le"])
            group = _labels_text({name: value for name, value in labels.items() if name != "le"})
            labels = {**labels, "le": floatToGoString(bound)}
        parsed = _Series(
            family, help_text, sample, escape_metric_name(sample, UNDERSCORES) + _labels_text(labels), group, bound
        )
        self._series[(pid + kind, key)] = parsed
        return parsed


def _sample_names(kind: str, family: str) -> frozenset[str]:
    if kind == "histogram":
        return frozenset({f"{family}_bucket", f"{family}_count", f"{family}_sum"})
    if kind == "counter":
        return frozenset({f"{family}_total"})
    if kind == "summary":
        return frozenset({family, f"{family}_count", f"{family}_sum"})
    return frozenset({family})


def _add(family: _Family, series: _Series, value: float, stamp: float) -> None:
    """One worker's value, combined with the others' as MultiProcessCollector does."""
    if series.bound is not None:
        bounds = family.buckets.setdefault(series.group, {})
        bucket = bounds.get(series.bound)
        if bucket is None:
            bounds[series.bound] = _Bucket(series.line, value)
        else:
            bucket.value += value
        return
    line, values = series.line, family.values
    if family.kind != "gauge" or family.mode in _SUM_MODES:
        values[line] = values.get(line, 0.0) + value
    elif family.mode in _MIN_MODES:
        values[line] = min(values.get(line, value), value)
    elif family.mode in _MAX_MODES:
        values[line] = max(values.get(line, value), value)
    elif family.mode in _RECENT_MODES:
        # A worker that never set it (time 0) does not count, as in the library.
        if family.stamps.get(line, 0.0) < stamp:
            values[line], family.stamps[line] = value, stamp
    else:  # all, liveall: one series per worker, the pid among its labels
        values[line] = value


def _write(family: _Family, wanted: frozenset[str]) -> str:
    name = f"{family.name}_total" if family.kind == "counter" else family.name
    help_text = family.help_text.replace("\\", r"\\").replace("\n", r"\n")
    lines = [f"# HELP {name} {help_text}\n# TYPE {name} {family.kind}\n"]
    for line, value in family.values.items():
        if not wanted or line.partition("{")[0] in wanted:
            lines.append(f"{line} {floatToGoString(value)}\n")
    count_name, bucket_name = f"{family.name}_count", f"{family.name}_bucket"
    for group, bounds in family.buckets.items():
        total = 0.0
        for bound in sorted(bounds):
            bucket = bounds[bound]
            total += bucket.value
            if not wanted or bucket_name in wanted:
                lines.append(f"{bucket.line} {floatToGoString(total)}\n")
        if not wanted or count_name in wanted:
            lines.append(f"{count_name}{group} {floatToGoString(total)}\n")
    return "".join(lines)
