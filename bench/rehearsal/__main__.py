"""`python -m bench.rehearsal` (make rehearse-scale): the whole rehearsal (bench/rehearsal/__init__.py), its summary
printed and its figures written to bench/results/rehearsal.json; exits 1 when a goal is missed."""

from __future__ import annotations

import sys

from bench.common import write_results
from bench.rehearsal import FULL, rehearse, report


def main() -> int:
    figures = rehearse(FULL)
    path = write_results("rehearsal", figures)
    print()
    print(report.summary(figures))
    print(f"\n{figures['run_seconds']} s; written to {path}")
    return 0 if figures["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
