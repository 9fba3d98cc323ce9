"""`make fuzz`: Schemathesis against every service's OpenAPI document, through the gateway, as a user and as an admin.

Each service's document is read from the internal listener (with the service key). Its public operations are fuzzed
through the public listener, its internal ones through the internal listener with the service key, each as a signed-in
user and as an administrator, with every Schemathesis check. The goals: 0 server errors, 0 undocumented statuses,
0 schema violations (response bodies, content types and headers as documented), for every service. The other checks
(a valid request refused, a missing Allow, ...) are counted and printed too.

    python -m devstack.fuzz                       # a private stack on free ports, stopped afterwards
    python -m devstack.fuzz --max-examples 10     # fewer cases per operation (the bounded run of make test uses 5)

Results: printed per service and role, and written to bench/results/fuzz.json (the failures' details are in the
Schemathesis output above them). Schemathesis is run as its CLI, the way its documentation shows; its JSON report
gives the failures by kind.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devstack.config import REPO_ROOT, SERVICES, UNLIMITED_RATES
from devstack.stack import LocalStack

# The three goals and the Schemathesis failure types that count against each.
GOALS = {
    "server_errors": {"ServerError"},
    "undocumented_statuses": {"UndefinedStatusCode"},
    "schema_violations": {
        "JsonSchemaError",
        "MalformedJson",
        "MalformedMediaType",
        "MissingContentType",
        "UndefinedContentType",
        "MissingHeaders",
        "MissingHeaderNotRejected",
    },
}
RESULTS = REPO_ROOT / "bench" / "results" / "fuzz.json"


@dataclass
class Run:
    service: str
    role: str
    listener: str
    exit_code: int
    failures: dict[str, int] = field(default_factory=dict)
    operations: dict[str, list[str]] = field(default_factory=dict)
    test_cases: int = 0
    tested_operations: int = 0

    def count(self, goal: str) -> int:
        return sum(n for kind, n in self.failures.items() if kind in GOALS[goal])


def _schemathesis() -> str:
    return str(Path(sys.executable).with_name("schemathesis"))


def _run_one(
    schema_file: Path, *, base_url: str, headers: dict[str, str], include: str | None, exclude: str | None,
    max_examples: int, seed: int, report: Path, label: str,
) -> dict[str, Any]:  # fmt: skip
    argv = [_schemathesis(), "run", str(schema_file), "--url", base_url, "--checks", "all",
            "--max-examples", str(max_examples), "--seed", str(seed), "--workers", "1", "--no-color",
            "--report", "json", "--report-json-path", str(report), "--generation-database", "none",
            "--request-timeout", "30", "--suppress-health-check", "all"]  # fmt: skip
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    if include:
        argv += ["--include-path-regex", include]
    if exclude:
        argv += ["--exclude-path-regex", exclude]
    print(f"\n=== {label}", flush=True)
    subprocess.run(argv, check=False)
    if not report.exists():
        raise RuntimeError(f"schemathesis wrote no report for {label}")
    document: dict[str, Any] = json.loads(report.read_text())
    return document


def fuzz(stack: LocalStack, *, max_examples: int, seed: int, services: tuple[str, ...] = SERVICES) -> list[Run]:
    """Every service, public operations through the public listener and internal ones through the internal one, as
    a user and as an admin."""
    from devstack.testing import admin_headers, service_headers, user_headers

    key = service_headers(stack)
    roles = {"user": user_headers(stack, "fuzz-user"), "admin": admin_headers(stack, "fuzz-admin")}
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="osool-fuzz-") as work:
        for service in services:
            response = httpx.get(f"{stack.config.internal_url}/{service}/openapi.json", headers=key, timeout=30)
            response.raise_for_status()
            schema_file = Path(work) / f"{service}.json"
            schema_file.write_text(response.text)
            paths = list(response.json()["paths"])
            has_internal = any("/internal/" in path or path.endswith("/internal") for path in paths)
            for role, token in roles.items():
                listeners: list[tuple[str, str, dict[str, str], str | None, str | None]] = [
                    ("public", stack.config.public_url, token, None, r"^/health|/internal(/|$)")
                ]
                if has_internal:
                    internal_url = f"{stack.config.internal_url}/{service}"
                    listeners.append(("internal", internal_url, {**token, **key}, r"/internal(/|$)", None))
                for listener, base_url, headers, include, exclude in listeners:
                    report = Path(work) / f"{service}-{role}-{listener}.json"
                    document = _run_one(
                        schema_file, base_url=base_url, headers=headers, include=include, exclude=exclude,
                        max_examples=max_examples, seed=seed, report=report, label=f"{service} as {role} ({listener})",
                    )  # fmt: skip
                    failures = Counter({item["type"]: int(item["count"]) for item in document.get("failures", [])})
                    for error in document.get("errors", []):
                        failures["RunError"] += 1
                        print(f"schemathesis error: {json.dumps(error)[:500]}")
                    runs.append(
                        Run(
                            service, role, listener, int(document.get("exit_code", 1)), dict(failures),
                            {item["type"]: item.get("operations", []) for item in document.get("failures", [])},
                            int(document.get("test_cases", {}).get("generated", 0)),
                            int(document.get("operations", {}).get("tested", 0)),
                        )
                    )  # fmt: skip
    return runs


def summary(runs: list[Run]) -> dict[str, Any]:
    goals = {goal: sum(run.count(goal) for run in runs) for goal in GOALS}
    others = Counter[str]()
    for run in runs:
        for kind, n in run.failures.items():
            if not any(kind in kinds for kinds in GOALS.values()):
                others[kind] += n
    return {
        "goals": {goal: {"value": value, "at_most": 0, "met": value == 0} for goal, value in goals.items()},
        "other_failures": dict(others),
        "test_cases": sum(run.test_cases for run in runs),
        "runs": [run.__dict__ for run in runs],
    }


def print_summary(result: dict[str, Any]) -> None:
    print(f"\n{'service':<14} {'role':<6} {'listener':<9} {'cases':>6}  failures")
    for run in result["runs"]:
        failures = ", ".join(f"{kind} {n}" for kind, n in sorted(run["failures"].items())) or "none"
        print(f"{run['service']:<14} {run['role']:<6} {run['listener']:<9} {run['test_cases']:>6}  {failures}")
    for goal, value in result["goals"].items():
        print(f"{goal:<24} {value['value']:>4}   {'met' if value['met'] else 'NOT MET'} (goal 0)")
    if result["other_failures"]:
        print(f"other checks: {result['other_failures']}")


def main() -> int:
    from bench.common import private_stack, write_results

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=30, help="test cases per operation and phase")
    parser.add_argument("--seed", type=int, default=20261130)
    parser.add_argument("--service", action="append", choices=SERVICES, help="only these services")
    args = parser.parse_args()
    services = tuple(args.service or SERVICES)
    with private_stack(env_lines={"DEMO_LISTINGS": "300"}, rates=UNLIMITED_RATES) as stack:
        runs = fuzz(stack, max_examples=args.max_examples, seed=args.seed, services=services)
    result = {"max_examples": args.max_examples, "seed": args.seed, **summary(runs)}
    print_summary(result)
    path = write_results("fuzz", result)
    print(f"\nwritten: {path.relative_to(REPO_ROOT)}")
    return 0 if all(goal["met"] for goal in result["goals"].values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
