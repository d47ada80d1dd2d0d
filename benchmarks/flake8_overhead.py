"""Time flake8 over a corpus of migrations with and without flake8-alembic installed; print the overhead ratios.

flake8 runs every installed plugin whatever --select says, so the fair comparison is two virtual environments:
one with flake8 alone, one with flake8 and this project. Both run the same flake8 command on the same files.

Usage: python benchmarks/flake8_overhead.py CORPUS_DIR [--repeat 5] [--venvs DIR]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def venv(folder: Path, packages: list[str]) -> Path:
    python = folder / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", *packages], check=True)
    # The pip a user has today (the one a venv starts with may be years older): it writes the console scripts, and
    # older ones import ``re`` in every script, a few milliseconds of every start-up.
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--upgrade", "pip"], check=False, capture_output=True)
    return python


def version_files(corpus: Path) -> list[str]:
    """The files flake8 is timed on: every .py file under a `versions` folder, relative to the corpus."""
    return sorted(
        str(path.relative_to(corpus))
        for path in corpus.rglob("*.py")
        if "versions" in path.parts and ".wheels" not in path.parts
    )


def flake8_venvs(venvs: Path) -> tuple[str, Path, Path]:
    """(flake8 pin, python of the flake8-only venv, python of the venv with the plugin). The plugin is reinstalled
    every run so the measured code is this checkout's; both venvs pin the flake8 this interpreter has."""
    flake8_version = subprocess.run(
        [sys.executable, "-c", "import importlib.metadata as m; print(m.version('flake8'))"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    pin = f"flake8=={flake8_version}" if flake8_version else "flake8"
    plain = venv(venvs / "flake8-only", [pin])
    plugged = venv(venvs / "flake8-with-alembic", [pin])
    subprocess.run(
        [str(plugged), "-m", "pip", "install", "-q", "--force-reinstall", "--no-deps", str(REPO)], check=True
    )
    return pin, plain, plugged


def timed_once(python: Path, files: list[str], jobs: str, cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the flake8 process and its workers) for one run."""
    command = [str(python), "-m", "flake8", "--isolated", f"--jobs={jobs}", "--exit-zero", "--output-file", os.devnull]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([*command, *files], check=True, cwd=cwd)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def compare(plain: Path, plugged: Path, files: list[str], jobs: str, repeat: int, cwd: Path) -> None:
    """Alternate the two environments run by run, so drift on the machine hits both alike."""
    results: dict[Path, list[tuple[float, float]]] = {plain: [], plugged: []}
    for _ in range(repeat):
        for python in (plain, plugged):
            results[python].append(timed_once(python, files, jobs, cwd))
    base_wall = statistics.median(wall for wall, _ in results[plain])
    plug_wall = statistics.median(wall for wall, _ in results[plugged])
    base_cpu = statistics.median(cpu for _, cpu in results[plain])
    plug_cpu = statistics.median(cpu for _, cpu in results[plugged])
    print(
        f"-j{jobs:<5} wall {base_wall:6.2f} s -> {plug_wall:6.2f} s ({(plug_wall / base_wall - 1) * 100:+.1f}%)   "
        f"CPU {base_cpu:6.2f} s -> {plug_cpu:6.2f} s ({(plug_cpu / base_cpu - 1) * 100:+.1f}%)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "flake8-alembic-bench")
    args = parser.parse_args()
    files = version_files(args.corpus)
    pin, plain, plugged = flake8_venvs(args.venvs)
    print(f"{len(files)} files from {args.corpus}; {pin}; median of {args.repeat} runs; {os.cpu_count()} CPUs")
    print("flake8 alone -> flake8 with flake8-alembic (medians; runs alternate between the two environments)")
    for jobs in ("1", "auto"):
        compare(plain, plugged, files, jobs, args.repeat, args.corpus)
    return 0


if __name__ == "__main__":
    sys.exit(main())
