"""What the user feels, as ratios against an anchor measured side by side in the same run (issue "incremental").

Usage: python benchmarks/user_facing.py CORPUS [--repeat 5] [--venvs DIR] [--rows precommit,editor,warm,cold,tree]

Rows (each a median of --repeat runs that alternate between the linter and its anchor, so drift on a busy machine
hits both alike; CPU is user + system time of the child processes):

- precommit: one changed migration in the largest history of CORPUS (the newest revision gets a new comment line
  before every run), the cache warm: `flake8-alembic check FILE` against `ruff check FILE` (CPU). Goal ≤ 8x.
  Measured twice: each run in a process of its own, then with a resident server (`flake8-alembic server start`):
  the CPU of the command (the client) plus the CPU the server spent on the request (/proc/PID/schedstat).
- editor: flake8 on that one file, the venv with the plugin against flake8 alone (wall, added seconds). Goal
  ≤ +0.08 s warm. Measured twice, as precommit: without and with a resident server (the plugin hands one file to
  it).
- warm: an unchanged re-run of `flake8-alembic check CORPUS` against the parse floor (one process that only
  `ast.parse`s the same files). Goal ≤ 0.3x.
- cold: `flake8-alembic check --no-cache CORPUS` against the floor, wall and CPU. Goal ≤ 1.5x wall (CPU ≤ 3x on
  2 CPUs).
- tree: flake8 -j1 over a real project's whole source tree (the apache-airflow wheel of CORPUS/.wheels, unpacked
  into a temporary folder: application code and migrations), with the plugin against flake8 alone (CPU). Goal
  ≤ +10%.

The flake8 venvs are flake8_overhead.py's (built once under --venvs; the plugin is reinstalled from this checkout
on every run). Every row runs the `flake8-alembic` of the venv with the plugin, installed as a user's pip install
does (not editable: an editable install's import hook costs ~15 ms of every start-up). The runs look for servers
in a folder of their own ($XDG_RUNTIME_DIR), so a developer's server never answers them. Nothing is written into
CORPUS except the linter's own cache folder, removed at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import flake8_overhead  # noqa: E402  (a sibling script: its venvs)
import performance  # noqa: E402  (the parse floor and the corpus file list)

BIN = Path(sys.executable).parent
Command = Callable[[], Sequence[str]]


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float


def run_timed(command: Sequence[str], cwd: Path, server: int | None = None) -> Timing:
    """Wall and CPU time of one run; with ``server`` (a server's pid), the CPU it spent meanwhile counts too."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    served = server_cpu(server)
    started = time.perf_counter()
    subprocess.run(list(command), cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    served = server_cpu(server) - served
    return Timing(wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime) + served)


def server_cpu(pid: int | None) -> float:
    """Seconds of CPU a process has used (/proc/PID/schedstat counts nanoseconds; 0 without a pid)."""
    if pid is None:
        return 0.0
    return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9


def alternate(
    repeat: int,
    cwd: Path,
    first: Command,
    second: Command,
    before_each: Callable[[], None] = lambda: None,
    server: int | None = None,
) -> tuple[Timing, Timing]:
    """Medians of ``repeat`` runs of each command, alternating, with ``before_each`` run before every run;
    ``server``: the pid of the server the first command's runs go to (its CPU counts as theirs)."""
    timings: tuple[list[Timing], list[Timing]] = ([], [])
    for _ in range(repeat):
        for index, command in enumerate((first, second)):
            before_each()
            timings[index].append(run_timed(command(), cwd, server if index == 0 else None))
    return tuple(  # type: ignore[return-value]
        Timing(statistics.median(t.wall for t in runs), statistics.median(t.cpu for t in runs)) for runs in timings
    )


def largest_history(corpus: Path) -> tuple[Path, Path]:
    """(the project folder, the newest file of its largest versions folder)."""
    folders: dict[Path, list[Path]] = {}
    for path in corpus.rglob("*.py"):
        if "versions" in path.parts and ".wheels" not in path.parts and path.name != "__init__.py":
            folders.setdefault(path.parent, []).append(path)
    folder = max(folders, key=lambda key: len(folders[key]))
    project = corpus / folder.relative_to(corpus).parts[0]
    return project, max(folders[folder], key=lambda path: (path.stat().st_mtime, path.name))


def remove_caches(folder: Path) -> None:
    """Every cache folder the runs created under ``folder`` (summaries go to each file's project root, which in a
    corpus of unpacked wheels may be a versions folder's)."""
    for cache in sorted(folder.rglob(".flake8_alembic_cache"), reverse=True):
        shutil.rmtree(cache, ignore_errors=True)


LINTER: list[str] = []
"""The installed command every row runs (set by main)."""


def linter() -> list[str]:
    if LINTER:
        return LINTER
    found = shutil.which("flake8-alembic", path=str(BIN))
    return [found] if found else [sys.executable, "-m", "flake8_alembic"]


@contextlib.contextmanager
def resident_server() -> Iterator[int]:
    """A server for the runs (the folder of $XDG_RUNTIME_DIR main set), stopped at the end; yields its pid."""
    subprocess.run([*linter(), "server", "start"], check=True, capture_output=True)
    status = subprocess.run([*linter(), "server", "status"], capture_output=True, text=True).stdout
    try:
        yield int(status.split("pid ")[1].split(",")[0])
    finally:
        subprocess.run([*linter(), "server", "stop"], capture_output=True)


def row_precommit(corpus: Path, repeat: int) -> str:
    ruff = shutil.which("ruff", path=str(BIN)) or shutil.which("ruff")
    if ruff is None:
        return "precommit: skipped (ruff is not installed)"
    project, newest = largest_history(corpus)
    original = newest.read_bytes()
    counter = iter(range(1_000_000))

    def edit() -> None:
        newest.write_bytes(original + f"\n# edit {next(counter)}\n".encode())

    def check() -> list[str]:
        return [*linter(), "check", "--exit-zero", "--quiet", str(newest)]

    def ruff_check() -> list[str]:
        return [ruff, "check", "--exit-zero", "--quiet", str(newest)]

    try:
        subprocess.run([*linter(), "check", "--exit-zero", "--quiet", "."], cwd=project, capture_output=True)
        mine, anchor = alternate(repeat, project, check, ruff_check, edit)
        with resident_server() as pid:
            subprocess.run(check(), cwd=project, capture_output=True)  # the server's first request
            served, served_anchor = alternate(repeat, project, check, ruff_check, edit, server=pid)
    finally:
        newest.write_bytes(original)
        remove_caches(project)
        shutil.rmtree(project / ".ruff_cache", ignore_errors=True)
    files = sum(1 for _ in newest.parent.glob("*.py"))
    return (
        f"precommit: one changed migration of {files} ({newest.parent.relative_to(corpus)}), warm: "
        f"CPU {mine.cpu:.3f} s vs ruff {anchor.cpu:.3f} s = {mine.cpu / anchor.cpu:.1f}x (goal <= 8x)\n"
        f"precommit with `server start`: CPU {served.cpu:.3f} s (the command and the server's work) vs ruff "
        f"{served_anchor.cpu:.3f} s = {served.cpu / served_anchor.cpu:.1f}x (goal <= 8x); wall {served.wall:.3f} s"
    )


def row_editor(corpus: Path, repeat: int, venvs: Path) -> str:
    _, plain, plugged = flake8_overhead.flake8_venvs(venvs)
    project, newest = largest_history(corpus)

    def flake8(python: Path) -> Command:
        return lambda: [str(python), "-m", "flake8", "--isolated", "--exit-zero", str(newest)]

    try:
        subprocess.run(flake8(plugged)(), cwd=project, capture_output=True)  # warm the plugin's cache, if any
        alone, plugin = alternate(repeat, project, flake8(plain), flake8(plugged))
        with resident_server() as pid:
            subprocess.run(flake8(plugged)(), cwd=project, capture_output=True)  # the server's first requests
            served, served_alone = alternate(repeat, project, flake8(plugged), flake8(plain), server=pid)
    finally:
        remove_caches(project)
    return (
        f"editor: flake8 on that file {alone.wall:.3f} s -> {plugin.wall:.3f} s "
        f"(+{plugin.wall - alone.wall:.3f} s; goal <= +0.08 s)\n"
        f"editor with `server start`: {served_alone.wall:.3f} s -> {served.wall:.3f} s "
        f"(+{served.wall - served_alone.wall:.3f} s wall; CPU {served_alone.cpu:.3f} s -> {served.cpu:.3f} s with "
        f"the server's; goal <= +0.08 s)"
    )


def floor_command(files: list[str]) -> Command:
    return lambda: [sys.executable, "-c", performance.FLOOR, *files]


def row_warm_and_cold(corpus: Path, repeat: int, rows: set[str]) -> list[str]:
    files = [str(path) for path in performance.corpus_files(corpus)]
    cache = corpus / ".flake8_alembic_cache"
    lines = []
    try:
        if "warm" in rows:
            subprocess.run([*linter(), "check", "--exit-zero", "--quiet", "."], cwd=corpus, capture_output=True)
            warm, floor = alternate(
                repeat,
                corpus,
                lambda: [*linter(), "check", "--exit-zero", "--quiet", "."],
                floor_command(files),
            )
            lines.append(
                f"warm: unchanged re-run {warm.wall:.2f} s vs parse floor {floor.wall:.2f} s = "
                f"{warm.wall / floor.wall:.2f}x (goal <= 0.3x)"
            )
            with resident_server() as pid:
                subprocess.run([*linter(), "check", "--exit-zero", "--quiet", "."], cwd=corpus, capture_output=True)
                served, floor = alternate(
                    repeat,
                    corpus,
                    lambda: [*linter(), "check", "--exit-zero", "--quiet", "."],
                    floor_command(files),
                    server=pid,
                )
            lines.append(
                f"warm with `server start`: {served.wall:.2f} s wall, {served.cpu:.2f} s CPU (command and server) vs "
                f"parse floor {floor.wall:.2f} s = {served.wall / floor.wall:.2f}x (goal <= 0.3x)"
            )
        if "cold" in rows:
            cold, floor = alternate(
                repeat,
                corpus,
                lambda: [*linter(), "check", "--exit-zero", "--quiet", "--no-cache", "."],
                floor_command(files),
            )
            lines.append(
                f"cold: --no-cache {cold.wall:.2f} s wall, {cold.cpu:.2f} s CPU vs floor {floor.wall:.2f} s = "
                f"{cold.wall / floor.wall:.2f}x wall, {cold.cpu / floor.cpu:.2f}x CPU (goals <= 1.5x wall, "
                f"<= 3x CPU on 2 CPUs)"
            )
    finally:
        shutil.rmtree(cache, ignore_errors=True)
        remove_caches(corpus)
    return lines


def row_tree(corpus: Path, repeat: int, venvs: Path) -> str:
    wheels = sorted((corpus / ".wheels" / "apache-airflow").glob("*.whl"))
    if not wheels:
        return "tree: skipped (no apache-airflow wheel under CORPUS/.wheels)"
    _, plain, plugged = flake8_overhead.flake8_venvs(venvs)
    with tempfile.TemporaryDirectory() as temporary:
        tree = Path(temporary)
        with zipfile.ZipFile(wheels[0]) as archive:
            archive.extractall(tree)
        (tree / "setup.cfg").write_text("[metadata]\nname = airflow-tree\n")  # a project root, as a checkout has

        def flake8(python: Path) -> Command:
            return lambda: [str(python), "-m", "flake8", "--isolated", "-j1", "--exit-zero", "airflow"]

        alone, plugin = alternate(repeat, tree, flake8(plain), flake8(plugged))
        count = sum(1 for _ in (tree / "airflow").rglob("*.py"))
    return (
        f"tree: flake8 -j1 over {wheels[0].name} ({count} files) CPU {alone.cpu:.2f} s -> {plugin.cpu:.2f} s "
        f"({(plugin.cpu / alone.cpu - 1) * 100:+.1f}%; goal <= +10%)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--venvs", type=Path, default=Path.home() / ".cache" / "flake8-alembic-bench")
    parser.add_argument("--rows", default="precommit,editor,warm,cold,tree")
    args = parser.parse_args(argv)
    rows = {row.strip() for row in args.rows.split(",")}
    corpus: Path = args.corpus.resolve()
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    # A user's install has bytecode caches (pip writes them); a shell that forbids writing them (as this machine's
    # does) makes every run of every Python tool compile its modules again, which no user pays.
    forbidden = os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None
    caches = "bytecode caches on" + (" (PYTHONDONTWRITEBYTECODE unset for the runs)" if forbidden else "")
    servers = os.environ["XDG_RUNTIME_DIR"] = tempfile.mkdtemp(prefix="fab-", dir="/tmp")  # the runs' own servers
    _, _, plugged = flake8_overhead.flake8_venvs(args.venvs)
    LINTER[:] = [str(plugged.parent / "flake8-alembic")]
    print(
        f"{corpus}; {cpus} CPUs; Python {sys.version.split()[0]}; medians of {args.repeat} alternating runs; {caches}"
    )
    if "precommit" in rows:
        print(row_precommit(corpus, args.repeat))
    if "editor" in rows:
        print(row_editor(corpus, args.repeat, args.venvs))
    for line in row_warm_and_cold(corpus, args.repeat, rows):
        print(line)
    if "tree" in rows:
        print(row_tree(corpus, args.repeat, args.venvs))
    shutil.rmtree(servers, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
