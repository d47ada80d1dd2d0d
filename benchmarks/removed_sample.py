"""Draw the blind-grading sample of the findings a change removed (issue "precision": at most 2 of 40 may be TRUE).

Usage: python benchmarks/removed_sample.py CORPUS BEFORE AFTER --out DIR [--size 40] [--seed S]
           [--linter FROZEN/bin/flake8-alembic] [--exclude-graded benchmarks/evaluation/removed-round*.jsonl]

BEFORE and AFTER are `corpus_snapshot.py` outputs of the same corpus (cli face). A finding is removed when its
(project path, line, code) is in BEFORE and not in AFTER: a finding merged with others on its line (one finding per
line and code) or reworded is not removed, nor one that moved (the same file, code and message on a line that had no
such finding before). The sample is a seeded random draw of --size removed findings (all of them when there are
fewer), leaving out those an earlier round graded (`--exclude-graded`: never re-grade). DIR receives one packet per
code, in evaluation_sample.py's format: the rule's page as --linter (the linter that made the findings) prints it,
then each finding with its code; graders are not told the findings were removed. Also `sample.jsonl` and
`removed.jsonl` (every removed finding). DIR holds corpus code: keep it outside the repository.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import evaluation_sample  # noqa: E402  (a sibling script: packets)
from evaluation_sample import Finding  # noqa: E402

LINE = re.compile(r"^cli (?P<path>\S+?):(?P<line>\d+):(?P<column>\d+): (?P<code>ALM\d{3}) (?P<message>.*)$")


def findings(snapshot: Path) -> dict[tuple[str, int, str], Finding]:
    found: dict[tuple[str, int, str], Finding] = {}
    for text in snapshot.read_text(encoding="utf-8").splitlines():
        match = LINE.match(text)
        if match:
            finding = Finding(match["code"], match["path"], int(match["line"]), int(match["column"]), match["message"])
            found.setdefault((finding.path, finding.line, finding.code), finding)
    return found


def removed(before: Path, after: Path) -> list[Finding]:
    old, new = findings(before), findings(after)
    # A finding that moved keeps its file, code and message on a line of its own (a revision-wide finding now
    # anchored on the statement that runs on the target database): it was not removed.
    arrived = {(f.path, f.code, f.message) for key, f in new.items() if key not in old}
    gone = (old[key] for key in old.keys() - new.keys())
    return sorted((f for f in gone if (f.path, f.code, f.message) not in arrived), key=lambda f: (f.code, *f.sort_key))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--size", type=int, default=40)
    parser.add_argument("--seed", type=int, default=4040)
    parser.add_argument("--linter", help="the executable whose rule pages go in the packets (default: this one)")
    parser.add_argument("--exclude-graded", nargs="*", type=Path, default=[], help="grades of earlier rounds")
    args = parser.parse_args(argv)
    out: Path = args.out.resolve()
    repository = HERE.parent
    if out == repository or repository in out.parents:
        parser.error(f"{out} is inside the repository; packets hold corpus code and must stay out of it")
    everything = removed(args.before, args.after)
    graded = evaluation_sample.graded_before(args.exclude_graded)  # never graded twice
    eligible = [f for f in everything if (f.code, f.path, f.line) not in graded]
    chosen = eligible if len(eligible) <= args.size else random.Random(args.seed).sample(eligible, args.size)
    by_code: dict[str, list[Finding]] = defaultdict(list)
    for finding in sorted(chosen, key=lambda f: (f.code, *f.sort_key)):
        by_code[finding.code].append(finding)
    linter = [args.linter] if args.linter else [sys.executable, "-m", "flake8_alembic"]
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for code, picked in sorted(by_code.items()):
        ids = [f"R-{identifier}" for identifier in evaluation_sample.identifiers(code, len(picked))]
        page = evaluation_sample.rule_page(code, linter)
        text = evaluation_sample.packet(code, page, picked, ids, len(picked), args.corpus, args.seed, projects=True)
        (out / f"{code}.md").write_text(text, encoding="utf-8")
        rows += [{"id": i, "code": code, "path": f.path, "line": f.line} for i, f in zip(ids, picked)]
    with (out / "sample.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(row) + "\n" for row in rows)
    with (out / "removed.jsonl").open("w", encoding="utf-8") as handle:
        handle.writelines(
            json.dumps({"code": f.code, "path": f.path, "line": f.line, "message": f.message}) + "\n"
            for f in everything
        )
    counts = {code: sum(1 for f in everything if f.code == code) for code in sorted({f.code for f in everything})}
    print(
        f"{len(everything)} removed findings {counts}; {len(everything) - len(eligible)} graded before; "
        f"{len(chosen)} sampled (seed {args.seed}) into {out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
