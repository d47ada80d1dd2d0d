"""Where the plugin's time under ``flake8 -j1`` goes: flake8 alone, the plugin installed but doing nothing, the
one-file rules only, and everything; plus the floors any whole-history plugin pays, as a share of flake8's time.

Each variant runs flake8 in a fresh process (the two virtual environments of ``flake8_overhead.py``) with timers
around the plugin's entry point and the cyclic garbage collector. The variants other than "all rules" switch parts
of *this* plugin off from the benchmark's own process; the linted code is never imported or run.

Usage: python benchmarks/flake8_breakdown.py CORPUS_DIR [--repeat 3] [--venvs DIR]
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from flake8_overhead import flake8_venvs, version_files

VARIANTS = {
    "plain": "flake8 alone",
    "installed": "plugin installed, reports nothing (import + flake8 calling it per file)",
    "one-file": "one-file rules only (whole-history analysis switched off)",
    "all": "all default rules, history included (what users run)",
}


def child(variant: str, corpus: Path) -> dict[str, float]:
    """One flake8 run in this process, timed: wall, the plugin's own time, the garbage collector's."""
    os.chdir(corpus)
    files = version_files(corpus)
    plugin_seconds = [0.0]
    gc_seconds = [0.0]
    started_at: list[float] = []

    def on_gc(phase: str, _info: dict[str, Any]) -> None:
        if phase == "start":
            started_at.append(time.perf_counter())
        elif started_at:
            gc_seconds[0] += time.perf_counter() - started_at.pop()

    if variant != "plain":
        from flake8_alembic import engine, plugin

        findings = plugin.Plugin._findings

        def timed(self: plugin.Plugin) -> list[tuple[int, int, str]]:
            start = time.perf_counter()
            try:
                return [] if variant == "installed" else findings(self)
            finally:
                plugin_seconds[0] += time.perf_counter() - start

        plugin.Plugin._findings = timed  # type: ignore[method-assign]
        if variant == "one-file":
            engine.PROCESS_CACHE.history = None
            engine.PROCESS_CACHE.environments = None
    from flake8.main import cli

    gc.callbacks.append(on_gc)
    start = time.perf_counter()
    with contextlib.suppress(SystemExit):
        cli.main(["--isolated", "--jobs=1", "--exit-zero", "--output-file", os.devnull, *files])
    return {"wall": time.perf_counter() - start, "plugin": plugin_seconds[0], "gc": gc_seconds[0]}


def floors(corpus: Path) -> dict[str, float]:
    """What a whole-history plugin pays before any rule: parsing every migration itself (flake8's trees arrive one
    file at a time, after the history is needed) and one bare ``ast.walk`` over every tree."""
    os.chdir(corpus)
    sources = []
    for name in version_files(corpus):
        with open(name, "rb") as handle:
            sources.append(handle.read())
    start = time.perf_counter()
    for source in sources:
        with contextlib.suppress(SyntaxError, ValueError):
            ast.parse(source)
    parse = time.perf_counter() - start
    walk = 0.0
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            continue
        start = time.perf_counter()
        for _node in ast.walk(tree):
            pass
        walk += time.perf_counter() - start
    # importlib.metadata is imported first: flake8 has loaded it before it loads any plugin.
    timing = "import importlib.metadata, time; t = time.perf_counter(); import flake8_alembic.plugin; "
    timing += "print(time.perf_counter() - t)"
    imports = float(subprocess.run([sys.executable, "-c", timing], check=True, capture_output=True, text=True).stdout)
    return {"parse": parse, "walk": walk, "import": imports}


def run_child(python: Path, variant: str, corpus: Path) -> dict[str, float]:
    command = [str(python), __file__, str(corpus), "--child", variant]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    result: dict[str, float] = json.loads(output.strip().splitlines()[-1])
    return result


def largest_folder_last_file(files: list[str]) -> tuple[str, int]:
    """The file an editor lint is timed on: the last (by name) of the largest versions folder, and that folder's
    size."""
    folders: dict[Path, list[str]] = {}
    for name in files:
        folders.setdefault(Path(name).parent, []).append(name)
    largest = max(folders.values(), key=len)
    return sorted(largest)[-1], len(largest)


def one_file(python: Path, corpus: Path, target: str, repeat: int) -> float:
    """An editor's lint: flake8 on one file, median wall."""
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(
            [str(python), "-m", "flake8", "--isolated", "--exit-zero", "-q", target],
            cwd=corpus,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        walls.append(time.perf_counter() - start)
    return statistics.median(walls)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "flake8-alembic-bench")
    parser.add_argument("--child", metavar="VARIANT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    corpus = args.corpus.resolve()
    if args.child:
        print(json.dumps(floors(corpus) if args.child == "floors" else child(args.child, corpus)))
        return 0
    _, plain, plugged = flake8_venvs(args.venvs)
    files = version_files(corpus)
    runs: dict[str, list[dict[str, float]]] = {variant: [] for variant in VARIANTS}
    for _ in range(args.repeat):  # variants alternate, so drift on the machine hits all alike
        for variant in VARIANTS:
            runs[variant].append(run_child(plain if variant == "plain" else plugged, variant, corpus))
    median = {
        variant: {key: statistics.median(run[key] for run in results) for key in ("wall", "plugin", "gc")}
        for variant, results in runs.items()
    }
    base = median["plain"]["wall"]
    print(f"{len(files)} files from {corpus}; flake8 -j1; median of {args.repeat} runs")
    print(f"{'variant':<72} {'wall s':>7} {'vs alone':>9} {'plugin s':>9} {'GC s':>6}")
    for variant, label in VARIANTS.items():
        figures = median[variant]
        print(
            f"{label:<72} {figures['wall']:7.2f} {(figures['wall'] / base - 1) * 100:+8.1f}% "
            f"{figures['plugin']:9.2f} {figures['gc']:6.2f}"
        )
    floor = run_child(plugged, "floors", corpus)
    print(f"floors, as a share of flake8 alone ({base:.2f} s); a 10% budget is {base * 0.1:.2f} s:")
    for key, label in (
        ("import", "importing the plugin"),
        ("parse", "ast.parse of every file again (the history is needed before flake8 hands over its trees)"),
        ("walk", "one bare ast.walk over every tree (any rule engine visits the nodes once)"),
    ):
        print(f"  {label:<96} {floor[key]:5.2f} s {floor[key] / base * 100:5.1f}%")
    total = sum(floor.values())
    print(
        f"  {'together, before any rule, graph, replay or garbage collection':<96} {total:5.2f} s "
        f"{total / base * 100:5.1f}%"
    )
    target, size = largest_folder_last_file(files)
    alone = one_file(plain, corpus, target, args.repeat)
    plugged_wall = one_file(plugged, corpus, target, args.repeat)
    print(f"one file, as an editor lints it ({target}; its folder holds {size} files):")
    print(f"  flake8 alone {alone:.2f} s, with the plugin {plugged_wall:.2f} s (start-up and the whole environment)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
