"""Score the blind grades of the precision evaluation: a Markdown table per rule for docs/evaluation.md.

Usage: python benchmarks/evaluation_score.py GRADES [--counts counts.json] [--sample sample.jsonl]

GRADES is a JSON-lines file (benchmarks/evaluation/grades.jsonl), one object per graded finding:
`{"id": "ALM001-07", "code": "ALM001", "path": "...", "line": 12, "verdict": "true", "reason": "...",
"grader": "..."}` with `verdict` one of `true`, `false`, `unsure` and a one-line `reason`.
`--counts` is the `counts.json` evaluation_sample.py writes (findings per code on the whole corpus); with it
every code it lists gets a row, graded or not. `--sample` is its `sample.jsonl`: sampled findings without a
grade are reported on standard error.

Precision is true / (true + false); unsure grades count in neither. The lower bound is the 95% Wilson score
interval's (z = 1.96), undefined when nothing was graded true or false.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

Z95 = 1.96
VERDICTS = ("true", "false", "unsure")
REQUIRED = ("id", "code", "path", "line", "verdict", "reason", "grader")
GOAL = 0.95
CODE = re.compile(r"^ALM\d{3}$")


class GradesError(ValueError):
    """A grades file that does not follow the format."""


@dataclass(frozen=True)
class Score:
    code: str
    corpus: int | None
    true: int
    false: int
    unsure: int

    @property
    def sampled(self) -> int:
        return self.true + self.false + self.unsure

    @property
    def precision(self) -> float | None:
        judged = self.true + self.false
        return self.true / judged if judged else None

    @property
    def lower_bound(self) -> float | None:
        return wilson_lower_bound(self.true, self.true + self.false)


def wilson_lower_bound(successes: int, trials: int, z: float = Z95) -> float | None:
    """The lower end of the Wilson score interval for ``successes`` out of ``trials``; None when trials is 0."""
    if trials <= 0:
        return None
    if not 0 <= successes <= trials:
        raise ValueError(f"{successes} successes out of {trials} trials")
    p = successes / trials
    z2 = z * z
    centre = p + z2 / (2 * trials)
    spread = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials))
    return (centre - spread) / (1 + z2 / trials)


def read_grades(lines: Iterable[str], source: str = "grades") -> list[dict[str, object]]:
    """The grade rows, checked: every field present, a known verdict, a one-line reason, unique ids."""
    rows: list[dict[str, object]] = []
    seen: set[str] = set()
    for number, text in enumerate(lines, 1):
        if not text.strip():
            continue
        where = f"{source}:{number}"
        try:
            row = json.loads(text)
        except json.JSONDecodeError as error:
            raise GradesError(f"{where}: not JSON: {error}") from None
        if not isinstance(row, dict):
            raise GradesError(f"{where}: not a JSON object")
        missing = [key for key in REQUIRED if key not in row]
        if missing:
            raise GradesError(f"{where}: missing {', '.join(missing)}")
        identifier, code = str(row["id"]), str(row["code"])
        if not CODE.match(code) or not identifier.startswith(f"{code}-"):
            raise GradesError(f"{where}: id {identifier!r} does not belong to code {code!r}")
        if identifier in seen:
            raise GradesError(f"{where}: {identifier} graded twice")
        seen.add(identifier)
        if row["verdict"] not in VERDICTS:
            raise GradesError(f"{where}: verdict {row['verdict']!r} is not one of {', '.join(VERDICTS)}")
        reason = str(row["reason"])
        if not reason.strip() or "\n" in reason:
            raise GradesError(f"{where}: the reason must be one non-empty line")
        if not str(row["grader"]).strip():
            raise GradesError(f"{where}: no grader")
        rows.append(row)
    return rows


def score(grades: Sequence[Mapping[str, object]], counts: Mapping[str, int] | None = None) -> list[Score]:
    codes = sorted({str(row["code"]) for row in grades} | set(counts or {}))
    scores = []
    for code in codes:
        verdicts = [row["verdict"] for row in grades if row["code"] == code]
        scores.append(
            Score(
                code=code,
                corpus=None if counts is None else counts.get(code, 0),
                true=verdicts.count("true"),
                false=verdicts.count("false"),
                unsure=verdicts.count("unsure"),
            )
        )
    return scores


def percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * max(0.0, value):.1f}%"  # a rounding -1e-17 is 0


def table(scores: Sequence[Score]) -> str:
    """The results as a Markdown table (one row per rule), ready for docs/evaluation.md."""
    out = [
        "| rule | corpus findings | sampled | true | false | unsure | precision | 95% Wilson lower bound |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in scores:
        corpus = "?" if item.corpus is None else str(item.corpus)
        out.append(
            f"| {item.code} | {corpus} | {item.sampled} | {item.true} | {item.false} | {item.unsure} "
            f"| {percent(item.precision)} | {percent(item.lower_bound)} |"
        )
    return "\n".join(out)


def summary(scores: Sequence[Score]) -> str:
    below = [item.code for item in scores if item.precision is not None and item.precision < GOAL]
    unjudged = [item.code for item in scores if item.precision is None and (item.corpus or item.sampled)]
    lines = []
    if below:
        lines.append(f"Below the {GOAL:.0%} precision goal: {', '.join(below)}.")
    if unjudged:
        lines.append(f"No true/false grade yet: {', '.join(unjudged)}.")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("grades", type=Path)
    parser.add_argument("--counts", type=Path, help="counts.json from evaluation_sample.py")
    parser.add_argument("--sample", type=Path, help="sample.jsonl from evaluation_sample.py: report ungraded findings")
    args = parser.parse_args(argv)
    try:
        grades = read_grades(args.grades.read_text(encoding="utf-8").splitlines(), str(args.grades))
    except (OSError, GradesError) as error:
        print(f"evaluation_score: {error}", file=sys.stderr)
        return 2
    counts = None
    if args.counts:
        loaded = json.loads(args.counts.read_text(encoding="utf-8"))
        counts = {str(code): int(count) for code, count in loaded.items()}
    if args.sample:
        graded = {str(row["id"]) for row in grades}
        sampled = [json.loads(line) for line in args.sample.read_text(encoding="utf-8").splitlines() if line.strip()]
        ungraded = [str(row["id"]) for row in sampled if str(row["id"]) not in graded]
        if ungraded:
            print(f"warning: {len(ungraded)} sampled findings have no grade: {', '.join(ungraded)}", file=sys.stderr)
    scores = score(grades, counts)
    print(table(scores))
    note = summary(scores)
    if note:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
