"""Start-up: wall time of `flake8-alembic check` on one small migration (median of several runs).

Usage: python benchmarks/startup.py [--runs 21]
Runs the installed console script (or `python -m flake8_alembic` when the script is not on PATH).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MIGRATION = '''"""Add a note column"""
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("users", "note")
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    script = shutil.which("flake8-alembic", path=str(Path(sys.executable).parent))
    command = [script] if script else [sys.executable, "-m", "flake8_alembic"]
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "c1_note.py").write_text(MIGRATION)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([*command, "check", "c1_note.py"], cwd=folder, check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        baseline = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "pass"], check=True)
            baseline.append(time.perf_counter() - started)
    print(
        f"{' '.join(Path(part).name for part in command)} check <one small migration>: "
        f"median {statistics.median(times) * 1000:.0f} ms over {args.runs} runs "
        f"(bare `python -c pass`: {statistics.median(baseline) * 1000:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
