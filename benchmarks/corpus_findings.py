"""Run the engine over a corpus of real migrations; print finding counts per code (and per project).

Usage: python benchmarks/corpus_findings.py CORPUS_DIR [--select ALM011,ALM017] [--show CODE] [--sample N]

CORPUS_DIR is what ../shared/corpus/fetch-corpus prints (one folder per project). Never commit the corpus.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

from flake8_alembic.config import Settings
from flake8_alembic.engine import lint_source
from flake8_alembic.rules.registry import OPT_IN_CODES


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--opt-in", action="store_true", help="also run the opt-in rules")
    parser.add_argument("--show", default="", help="print findings of these codes (comma separated)")
    parser.add_argument("--sample", type=int, default=0, help="print a random sample of N findings per shown code")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    settings = Settings(opt_in=OPT_IN_CODES if args.opt_in else frozenset())
    files = sorted(
        path for path in args.corpus.rglob("*.py") if "versions" in path.parts and ".wheels" not in path.parts
    )
    totals: Counter[str] = Counter()
    per_project: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, list[str]] = defaultdict(list)
    wanted = {code for code in args.show.split(",") if code}
    migrations = failures = 0
    started = time.perf_counter()
    for path in files:
        project = path.relative_to(args.corpus).parts[0]
        result = lint_source(str(path), path.read_bytes(), settings)
        migrations += result.is_migration
        if result.failure:
            failures += 1
            print(f"parse failure: {path}: {result.failure.message}", file=sys.stderr)
        for diagnostic in result.diagnostics:
            totals[diagnostic.code] += 1
            per_project[project][diagnostic.code] += 1
            if diagnostic.code in wanted:
                shown[diagnostic.code].append(f"{path}:{diagnostic.line}: {diagnostic.code} {diagnostic.message}")
    elapsed = time.perf_counter() - started
    print(f"{len(files)} files, {migrations} migrations, {failures} parse failures, {elapsed:.2f} s")
    print("code     total  " + "  ".join(f"{name[:10]:>10}" for name in sorted(per_project)))
    for code in sorted(totals):
        row = "  ".join(f"{per_project[name][code]:>10}" for name in sorted(per_project))
        print(f"{code}  {totals[code]:>6}  {row}")
    rng = random.Random(args.seed)
    for code in sorted(shown):
        lines = shown[code]
        picked = rng.sample(lines, min(args.sample, len(lines))) if args.sample else lines
        print(f"\n== {code}: {len(lines)} findings, showing {len(picked)}")
        print("\n".join(picked))
    return 1 if totals["ALM000"] else 0


if __name__ == "__main__":
    sys.exit(main())
