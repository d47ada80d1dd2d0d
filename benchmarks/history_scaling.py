"""Marginal cost of whole-history analysis against history size, on synthetic linear histories.

Usage: python benchmarks/history_scaling.py [--sizes 1,1000,5000,10000] [--repeat 3]

For each size n it writes a history of n revisions (each creates a table or changes one of the tables created
before, as real histories do), then times, in a fresh process state (new caches), linting the head revision:
finding the environment, reading every revision's graph facts, the full parse of every revision and the schema
replay. t(n) - t(1) is the marginal cost; the last column is the marginal time per revision.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from flake8_alembic.config import Settings
from flake8_alembic.engine import ProjectCache, lint_source


def write_history(folder: Path, size: int) -> Path:
    versions = folder / "versions"
    versions.mkdir(parents=True)
    (folder / "env.py").write_text("")
    previous = None
    head = versions
    for index in range(size):
        revision = f"r{index:06d}"
        table = f"table_{index // 10}"
        if index % 10 == 0:
            body = f'    op.create_table("{table}", sa.Column("id", sa.Integer(), primary_key=True))'
            undo = f'    op.drop_table("{table}")'
        else:
            body = f'    op.add_column("{table}", sa.Column("c{index}", sa.String(36), nullable=True))'
            undo = f'    op.drop_column("{table}", "c{index}")'
        head = versions / f"{revision}_step.py"
        head.write_text(
            f'"""Step {index}"""\nimport sqlalchemy as sa\nfrom alembic import op\n\nrevision = "{revision}"\n'
            f"down_revision = {previous!r}\n\n\ndef upgrade():\n{body}\n\n\ndef downgrade():\n{undo}\n"
        )
        previous = revision
    return head


def time_head(head: Path, repeat: int) -> float:
    source = head.read_bytes()
    runs = []
    for _ in range(repeat):
        cache = ProjectCache()
        started = time.perf_counter()
        result = lint_source(str(head), source, Settings(), cache)
        runs.append(time.perf_counter() - started)
        assert result.failure is None and cache.environments is not None and cache.environments.replays_run == 1
    return statistics.median(runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,1000,5000,10000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    times = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            head = write_history(Path(scratch) / f"n{size}", size)
            times[size] = time_head(head, args.repeat)
    base = times[sizes[0]]
    print(f"{'revisions':>10} {'t(n) s':>9} {'t(n)-t(1) s':>12} {'per revision ms':>16}")
    for size in sizes:
        marginal = times[size] - base
        per = marginal / (size - sizes[0]) * 1000 if size > sizes[0] else 0.0
        print(f"{size:>10} {times[size]:>9.3f} {marginal:>12.3f} {per:>16.4f}")
    if len(sizes) >= 3:
        small, large = sizes[1], sizes[-1]
        ratio = ((times[large] - base) / (large - sizes[0])) / ((times[small] - base) / (small - sizes[0]))
        print(f"per-revision cost at {large} / at {small}: {ratio:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
