"""CPU seconds of a process tree, read from /proc: every process under a root, plus what its exited children used."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class ProcessCpu:
    pid: int
    ppid: int
    # utime + stime of the process (every thread), and cutime + cstime: what its children that exited and were waited
    # for used, so a process that ends between two readings still counts (in its parent's figure).
    own_ticks: int
    children_ticks: int

    @property
    def ticks(self) -> int:
        return self.own_ticks + self.children_ticks


def parse_stat(text: str) -> ProcessCpu:
    """One /proc/<pid>/stat line. The command name (field 2) is in parentheses and may hold spaces and parentheses
    itself, so the fields are counted from the last closing one."""
    head, _, rest = text.rpartition(")")
    pid = int(head.split("(", 1)[0])
    fields = rest.split()
    # fields[0] is field 3 of proc(5) (state): ppid is field 4, utime..cstime fields 14 to 17.
    utime, stime, cutime, cstime = (int(value) for value in fields[11:15])
    return ProcessCpu(pid=pid, ppid=int(fields[1]), own_ticks=utime + stime, children_ticks=cutime + cstime)


def descendants(processes: Mapping[int, ProcessCpu], roots: Iterable[int]) -> set[int]:
    """The roots that exist and every process below them."""
    children: dict[int, list[int]] = {}
    for process in processes.values():
        children.setdefault(process.ppid, []).append(process.pid)
    found: set[int] = set()
    pending = [pid for pid in roots if pid in processes]
    while pending:
        pid = pending.pop()
        if pid not in found:
            found.add(pid)
            pending.extend(children.get(pid, ()))
    return found


def tree_ticks(processes: Mapping[int, ProcessCpu], roots: Iterable[int]) -> int:
    return sum(processes[pid].ticks for pid in descendants(processes, roots))


def read_processes(proc: Path = PROC) -> dict[int, ProcessCpu]:
    """Every process now; one that exits while it is read is left out (its parent's children figure has it next)."""
    processes = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            processes[int(entry.name)] = parse_stat((entry / "stat").read_text())
        except (OSError, ValueError, IndexError):
            continue
    return processes


def cpu_seconds_by_group(
    processes: Mapping[int, ProcessCpu], roots: Mapping[str, int], group: Callable[[str], str]
) -> dict[str, float]:
    """CPU seconds of each named root's tree, summed by group(name) (e.g. every replica of a service together)."""
    found: dict[str, float] = {}
    for name, pid in roots.items():
        key = group(name)
        found[key] = found.get(key, 0.0) + tree_ticks(processes, [pid]) / TICKS_PER_SECOND
    return found


def tree_cpu_seconds(roots: Iterable[int], proc: Path = PROC) -> float:
    """User + system CPU seconds used so far by the processes under `roots` (and their exited children)."""
    return tree_ticks(read_processes(proc), roots) / TICKS_PER_SECOND
