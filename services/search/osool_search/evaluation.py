"""The search evaluation: every labelled query of eval/queries.jsonl sent through the gateway, its results checked
against the constraints the query states (and the order it asks for: "the biggest villa" biggest first), and its page
checked for fullness against how many listings match.

`python -m osool_search.evaluation --url http://127.0.0.1:8080` (what `make eval-search` runs) prints the two
shares the issue sets goals for (1.00 each), then both by category of query (a labelled query's `category`, "general"
when it has none), and exits non-zero when either share is missed."""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from osool_common.gateway_client import gateway_client
from osool_common.listing_filters import ORDER_KEYS
from osool_search.filters import LISTING_PARAMETERS, SearchFilters, folded_into_regions, violations

EVAL_FILE = Path(__file__).resolve().parent.parent / "eval" / "queries.jsonl"
PAGE = 10
GENERAL = "general"


@dataclass
class QueryOutcome:
    id: str
    query: str
    results: int
    satisfying: int
    matching: int  # listings that satisfy the constraints, counted up to a full page
    violations: list[str] = field(default_factory=list)
    category: str = GENERAL

    @property
    def full_page_expected(self) -> bool:
        return self.matching >= PAGE

    @property
    def full_page(self) -> bool:
        return self.results >= min(PAGE, self.matching)


@dataclass
class EvalReport:
    outcomes: list[QueryOutcome]

    @property
    def satisfying_share(self) -> float:
        return _satisfying_share(self.outcomes)

    @property
    def full_page_share(self) -> float:
        return _full_page_share(self.outcomes)

    def by_category(self) -> dict[str, dict[str, Any]]:
        """Each category's figures: its queries, results, precision (results satisfying the constraints) and share of
        full pages."""
        categories: dict[str, list[QueryOutcome]] = {}
        for outcome in self.outcomes:
            categories.setdefault(outcome.category, []).append(outcome)
        return {
            name: {
                "queries": len(outcomes),
                "results": sum(o.results for o in outcomes),
                "satisfying_share": round(_satisfying_share(outcomes), 4),
                "full_page_share": round(_full_page_share(outcomes), 4),
            }
            for name, outcomes in sorted(categories.items())
        }

    def as_dict(self) -> dict[str, Any]:
        return {
            "queries": len(self.outcomes),
            "results": sum(o.results for o in self.outcomes),
            "satisfying_share": round(self.satisfying_share, 4),
            "queries_expecting_a_full_page": sum(1 for o in self.outcomes if o.full_page_expected),
            "full_page_share": round(self.full_page_share, 4),
            "by_category": self.by_category(),
            "failures": [
                {
                    "id": o.id,
                    "query": o.query,
                    "violations": o.violations,
                    "results": o.results,
                    "matching": o.matching,
                    "category": o.category,
                }
                for o in self.outcomes
                if o.violations or (o.full_page_expected and not o.full_page)
            ],
        }


def _satisfying_share(outcomes: list[QueryOutcome]) -> float:
    results = sum(o.results for o in outcomes)
    return sum(o.satisfying for o in outcomes) / results if results else 0.0


def _full_page_share(outcomes: list[QueryOutcome]) -> float:
    expected = [o for o in outcomes if o.full_page_expected]
    return sum(1 for o in expected if o.full_page) / len(expected) if expected else 1.0


def load_eval_set(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _count_matching(client: httpx.Client, filters: SearchFilters) -> int:
    """How many listings satisfy the constraints, up to a page, from the filter-only listing route (no ranking)."""
    params: dict[str, Any] = {"limit": PAGE}
    for key, value in filters.applied().items():
        if key in ("locations", "exclude_locations"):
            value = folded_into_regions(value)  # a region's 32 names would pass the route's 20
        params[LISTING_PARAMETERS.get(key, key)] = value
    response = client.get("/api/properties", params=params)
    response.raise_for_status()
    page = response.json()
    return min(PAGE, sum(1 for listing in page["results"] if not violations(listing, filters)))


def _out_of_order(results: list[dict[str, Any]], order: str | None) -> list[str]:
    """The results a labelled order ("the biggest villa": size_desc) finds out of place: each one that comes after
    one it should precede."""
    if order is None:
        return []
    key, descending = ORDER_KEYS[order]
    return [
        f"{later['source_id']}: {key} {later[key]} after {earlier[key]} ({order})"
        for earlier, later in itertools.pairwise(results)
        if (later[key] > earlier[key] if descending else later[key] < earlier[key])
    ]


def evaluate(base_url: str, eval_set: list[dict[str, Any]] | None = None) -> EvalReport:
    outcomes = []
    with gateway_client(base_url, timeout=30) as client:
        for item in eval_set or load_eval_set():
            constraints = SearchFilters.model_validate(item["constraints"])
            response = client.post("/api/properties/search", json={"query": item["query"], "limit": PAGE})
            response.raise_for_status()
            results = response.json()["results"]
            broken = [f"{r['source_id']}: {', '.join(v)}" for r in results if (v := violations(r, constraints))]
            broken += _out_of_order(results, item.get("order"))
            matching = _count_matching(client, constraints)
            outcomes.append(
                QueryOutcome(
                    item["id"],
                    item["query"],
                    len(results),
                    len(results) - len(broken),
                    matching,
                    broken,
                    item.get("category", GENERAL),
                )
            )
    return EvalReport(outcomes)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Evaluate search against the labelled queries")
    parser.add_argument("--url", default="http://127.0.0.1:8080", help="the gateway's public address")
    parser.add_argument("--json", type=Path, help="also write the report here")
    args = parser.parse_args(argv)
    report = evaluate(args.url)
    summary = report.as_dict()
    print(f"queries: {summary['queries']}, results checked: {summary['results']}")
    print(f"share of results satisfying the stated constraints: {report.satisfying_share:.2f} (goal 1.00)")
    print(
        f"share of queries with a full page where at least {PAGE} listings match: {report.full_page_share:.2f} "
        f"(goal 1.00, {summary['queries_expecting_a_full_page']} such queries)"
    )
    for name, figures in summary["by_category"].items():
        print(f"  {name}: {figures['queries']} queries, {figures['results']} results, satisfying "
              f"{figures['satisfying_share']:.2f}, full pages {figures['full_page_share']:.2f}")  # fmt: skip
    for failure in summary["failures"]:
        print(f"  {failure['id']} {failure['query']!r}: {failure['results']} results of {failure['matching']} "
              f"matching; {'; '.join(failure['violations'][:3])}")  # fmt: skip
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    return 0 if report.satisfying_share == 1.0 and report.full_page_share == 1.0 else 1


if __name__ == "__main__":
    sys.exit(main())
