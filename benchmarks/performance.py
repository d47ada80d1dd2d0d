"""The performance report of docs/performance.md, in one command.

Usage: python benchmarks/performance.py CORPUS_DIR [--repeat 5] [--skip-flake8] [--skip-history] [--skip-findings]

(a) findings per rule and project (the standalone command's JSON output, so ``# noqa`` applies as users see it);
(b) the standalone command on the whole corpus, cold (summary cache removed before each run) and warm (an
    unchanged re-run), against the floor: one process that only ``ast.parse``-s the same files, streaming;
(c) flake8 with and without the plugin, in two virtual environments (flake8_overhead.py's), cold and warm;
(d) the marginal time of whole-history analysis against history size (history_scaling.py's synthetic histories).

Wall times are medians of --repeat runs of fresh processes. CORPUS_DIR is one folder per project; the cache the
runs write goes to CORPUS_DIR/.flake8_alembic_cache and is removed at the end. Never commit the corpus.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import flake8_overhead  # noqa: E402  (a sibling script: its venv and timing helpers)
import history_scaling  # noqa: E402

from flake8_alembic.cache import CACHE_FOLDER  # noqa: E402

FLOOR = """
import ast, sys, warnings
from pathlib import Path
warnings.simplefilter("ignore")
for name in sys.argv[1:]:
    try:
        ast.parse(Path(name).read_bytes(), filename=name)
    except (SyntaxError, ValueError):
        pass
"""


def corpus_files(corpus: Path) -> list[Path]:
    """What the standalone command reads from the corpus folder: every .py file outside excluded folders."""
    return sorted(
        path
        for path in corpus.rglob("*.py")
        if not any(part.startswith(".") for part in path.relative_to(corpus).parts)
    )


def wall(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - started


def clear_cache(corpus: Path) -> None:
    shutil.rmtree(corpus / CACHE_FOLDER, ignore_errors=True)


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, {platform.system()}"


# ------------------------------------------------------------------------------------------------ (a)


def findings_table(corpus: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flake8_alembic", "check", str(corpus), "--output-format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        check=False,
    )
    per_project: dict[str, Counter[str]] = defaultdict(Counter)
    for finding in json.loads(result.stdout or "[]"):
        project = Path(finding["filename"]).resolve().relative_to(corpus.resolve()).parts[0]
        per_project[project][finding["code"]] += 1
    codes = sorted({code for counts in per_project.values() for code in counts})
    print("\n(a) findings per rule and project (default rules, the standalone command)\n")
    print("| project | " + " | ".join(codes) + " | total |")
    print("|---|" + "---:|" * (len(codes) + 1))
    for project in sorted(per_project):
        counts = per_project[project]
        cells = " | ".join(str(counts[code] or "") for code in codes)
        print(f"| {project} | {cells} | {sum(counts.values())} |")
    totals = Counter[str]()
    for counts in per_project.values():
        totals.update(counts)
    print("| **total** | " + " | ".join(str(totals[code]) for code in codes) + f" | {sum(totals.values())} |")


# ------------------------------------------------------------------------------------------------ (b)


def standalone(corpus: Path, repeat: int) -> None:
    files = [str(path) for path in corpus_files(corpus)]
    floor_command = [sys.executable, "-c", FLOOR, *files]
    check = [sys.executable, "-m", "flake8_alembic", "check", str(corpus), "-q", "--exit-zero"]
    runs: dict[str, list[float]] = {"floor": [], "cold": [], "warm": [], "no-cache": []}
    for _ in range(repeat):  # interleaved, so drift on the machine hits every variant alike
        runs["floor"].append(wall(floor_command, corpus))
        clear_cache(corpus)
        runs["cold"].append(wall(check, corpus))
        runs["warm"].append(wall(check, corpus))
        runs["no-cache"].append(wall([*check, "--no-cache"], corpus))
    clear_cache(corpus)
    floor = statistics.median(runs["floor"])
    print(f"\n(b) the standalone command on {len(files)} files, median of {repeat} fresh processes\n")
    print("| run | wall s | x parse floor | target |")
    print("|---|---:|---:|---:|")
    targets = {"floor": "", "cold": "<= 1.5x", "warm": "<= 0.3x", "no-cache": ""}
    labels = {
        "floor": "parse floor (`ast.parse` of every file, one process)",
        "cold": "`check CORPUS` cold (cache removed first)",
        "warm": "`check CORPUS` warm (unchanged re-run)",
        "no-cache": "`check CORPUS --no-cache`",
    }
    for name, times in runs.items():
        median = statistics.median(times)
        print(f"| {labels[name]} | {median:.2f} | {median / floor:.2f} | {targets[name]} |")


# ------------------------------------------------------------------------------------------------ (c)


def flake8(corpus: Path, repeat: int, venvs: Path) -> None:
    files = flake8_overhead.version_files(corpus)
    pin, plain, plugged = flake8_overhead.flake8_venvs(venvs)
    print(f"\n(c) flake8 ({pin}) on {len(files)} version files, median of {repeat} runs (wall / CPU seconds)\n")
    columns = ["flake8 alone", "+ plugin (default: no cache)", "overhead", "+ plugin, `--alembic-cache=true`, cold"]
    columns += ["overhead", "+ plugin, cache warm", "overhead"]
    print("| jobs | " + " | ".join(columns) + " |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    cached = ["--alembic-cache=true", *files]
    for jobs in ("1", "auto"):
        results: dict[str, list[tuple[float, float]]] = {"plain": [], "plugin": [], "cold": [], "warm": []}
        for _ in range(repeat):
            results["plain"].append(flake8_overhead.timed_once(plain, files, jobs, corpus))
            results["plugin"].append(flake8_overhead.timed_once(plugged, files, jobs, corpus))
            clear_cache(corpus)
            results["cold"].append(flake8_overhead.timed_once(plugged, cached, jobs, corpus))
            results["warm"].append(flake8_overhead.timed_once(plugged, cached, jobs, corpus))
        clear_cache(corpus)
        medians = {
            name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
            for name, runs in results.items()
        }
        base_wall, base_cpu = medians["plain"]
        cells = [f"{base_wall:.2f} / {base_cpu:.2f}"]
        for name in ("plugin", "cold", "warm"):
            plug_wall, plug_cpu = medians[name]
            cells.append(f"{plug_wall:.2f} / {plug_cpu:.2f}")
            cells.append(f"{(plug_wall / base_wall - 1) * 100:+.0f}% / {(plug_cpu / base_cpu - 1) * 100:+.0f}%")
        print(f"| -j{jobs} | " + " | ".join(cells) + " |")


# ------------------------------------------------------------------------------------------------ (d)


def history(sizes: list[int], repeat: int) -> None:
    times = {}
    with tempfile.TemporaryDirectory() as scratch:
        for size in sizes:
            head = history_scaling.write_history(Path(scratch) / f"n{size}", size)
            times[size] = history_scaling.time_head(head, repeat)
    base = times[sizes[0]]
    print(f"\n(d) linting the head of a synthetic linear history, in-process, no disk cache, median of {repeat}\n")
    print("| revisions | t(n) s | t(n) - t(1) s | per revision ms |")
    print("|---:|---:|---:|---:|")
    for size in sizes:
        marginal = times[size] - base
        per = marginal / (size - sizes[0]) * 1000 if size > sizes[0] else 0.0
        print(f"| {size} | {times[size]:.3f} | {marginal:.3f} | {per:.3f} |")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sizes", default="1,1000,5000,10000", help="history sizes for (d)")
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "flake8-alembic-bench")
    parser.add_argument("--skip-findings", action="store_true", help="skip (a)")
    parser.add_argument("--skip-standalone", action="store_true", help="skip (b)")
    parser.add_argument("--skip-flake8", action="store_true", help="skip (c), the slowest part (minutes)")
    parser.add_argument("--skip-history", action="store_true", help="skip (d)")
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    print(f"machine: {machine()}")
    print(f"command: python benchmarks/performance.py {args.corpus} --repeat {args.repeat}")
    if not args.skip_findings:
        findings_table(corpus)
    if not args.skip_standalone:
        standalone(corpus, args.repeat)
    if not args.skip_flake8:
        flake8(corpus, args.repeat, args.venvs)
    if not args.skip_history:
        history([int(size) for size in args.sizes.split(",")], args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
