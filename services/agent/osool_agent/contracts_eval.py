"""The contract-review evaluation: the labelled clauses of eval/contracts.jsonl through the analyser, precision and
recall over (clause, status) pairs, overall, per language and on the held-out items the rules were not tuned on.

An item is a snippet (only the clauses it shows are judged: a finding of any other clause as present or risky is a
false positive, a clause reported missing is not judged) or a contract (every clause kind is judged, missing ones
too). Each item's `split`: `tune` (the rules were tuned until these pass), `held_out` (written with the first items,
before the rules, and never tuned on; the rules' author had read them), `held_out_fresh` (written after the rules,
never tuned on: the fairest figure). `make eval-contracts` runs it; it exits non-zero when the overall precision or
recall is below the goal.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from osool_agent.contracts import review_contract

EVAL_FILE = Path(__file__).resolve().parent.parent / "eval" / "contracts.jsonl"
GOAL = 0.90

Pair = tuple[str, str]


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    items: int = 0

    @property
    def precision(self) -> float:
        judged = self.true_positives + self.false_positives
        return self.true_positives / judged if judged else 1.0

    @property
    def recall(self) -> float:
        expected = self.true_positives + self.false_negatives
        return self.true_positives / expected if expected else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "precision": round(self.precision, 4), "recall": round(self.recall, 4)}


@dataclass
class ItemResult:
    id: str
    lang: str
    split: str
    missed: list[Pair] = field(default_factory=list)
    extra: list[Pair] = field(default_factory=list)


def load_eval_set(path: Path = EVAL_FILE) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def predicted_pairs(item: dict[str, Any]) -> set[Pair]:
    review = review_contract(item["text"])
    contract = item.get("mode") == "contract"
    return {(f.clause, f.status) for f in review.findings if contract or f.status != "missing"}


def judge(item: dict[str, Any]) -> tuple[ItemResult, Tally]:
    expected = {(e["clause"], e["status"]) for e in item["expect"]}
    predicted = predicted_pairs(item)
    result = ItemResult(item["id"], item["lang"], item.get("split", "tune"))
    result.missed = sorted(expected - predicted)
    result.extra = sorted(predicted - expected)
    tally = Tally(len(expected & predicted), len(result.extra), len(result.missed), 1)
    return result, tally


def _add(into: Tally, tally: Tally) -> None:
    into.true_positives += tally.true_positives
    into.false_positives += tally.false_positives
    into.false_negatives += tally.false_negatives
    into.items += tally.items


def evaluate(items: list[dict[str, Any]]) -> tuple[dict[str, Tally], list[ItemResult]]:
    groups: dict[str, Tally] = defaultdict(Tally)
    results = []
    for item in items:
        result, tally = judge(item)
        results.append(result)
        for group in ("all", f"lang:{result.lang}", f"split:{result.split}", f"split:{result.split}/{result.lang}"):
            _add(groups[group], tally)
    return dict(sorted(groups.items())), results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=EVAL_FILE)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--quiet", action="store_true", help="do not list the items that were wrong")
    args = parser.parse_args(argv)
    items = load_eval_set(args.file)
    groups, results = evaluate(items)
    print(f"{len(items)} items, {sum(len(i['expect']) for i in items)} labelled (clause, status) pairs")
    print(f"{'group':<26} {'items':>5} {'precision':>9} {'recall':>7}")
    for name, tally in groups.items():
        print(f"{name:<26} {tally.items:>5} {tally.precision:>9.3f} {tally.recall:>7.3f}")
    wrong = [r for r in results if r.missed or r.extra]
    if wrong and not args.quiet:
        print("\nwrong:")
        for result in wrong:
            print(f"  {result.id} ({result.split}): missed {result.missed} extra {result.extra}")
    overall = groups["all"]
    passed = overall.precision >= GOAL and overall.recall >= GOAL
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        document = {
            "goal": GOAL, "passed": passed, "items": len(items),
            "groups": {name: tally.as_dict() for name, tally in groups.items()},
            "wrong": [asdict(r) for r in wrong],
        }  # fmt: skip
        args.json.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"\nprecision {overall.precision:.3f}, recall {overall.recall:.3f} (goal {GOAL:.2f}): "
          f"{'passed' if passed else 'BELOW THE GOAL'}")  # fmt: skip
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
