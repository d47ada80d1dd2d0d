"""Every finding on a corpus, through both faces, as stable text: the before/after evidence that a refactor changed
no finding (``diff`` the two files) and that the faces agree.

Usage: python benchmarks/corpus_snapshot.py CORPUS --out FILE [--face cli|flake8|both]
           [--bin /path/to/venv/bin] [--select ALM --extend-select ALM0,ALM1,ALM2]

The linter runs in each project's own folder (``CORPUS/<project>``) as its maintainers would run it: the standalone
command with no path (it finds the project's environments), flake8 over the project's ``versions`` files. Each line
is ``face project/path:line:col: CODE message``, sorted; stderr lines are kept as ``face project STDERR text``.
``--bin`` names the venv whose ``flake8-alembic`` and ``flake8`` to run (a frozen checkout's), default this one's.
``--cache warm`` runs the standalone command with its cache, twice, and keeps the second run (a run-cache hit when
nothing changed in between); ``--cache fill`` keeps the first, cache-writing run; the default ``off`` passes
``--no-cache``. The cache folders the runs create are removed afterwards.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path


def projects(corpus: Path) -> list[Path]:
    return sorted(path for path in corpus.iterdir() if path.is_dir() and not path.name.startswith("."))


def version_files(project: Path) -> list[str]:
    return sorted(
        str(path.relative_to(project))
        for path in project.rglob("*.py")
        if "versions" in path.relative_to(project).parts[:-1]
    )


def cli_lines(project: Path, executable: Path, selection: list[str], cache: str = "off") -> list[str]:
    command = [str(executable), "check", "--output-format", "json", "--exit-zero", *selection]
    if cache == "off":
        command.append("--no-cache")
    done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    if cache == "warm":
        done = subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)
    if cache != "off":
        for folder in sorted(project.rglob(".flake8_alembic_cache"), reverse=True):
            shutil.rmtree(folder, ignore_errors=True)
    lines = [f"cli {project.name} STDERR {text}" for text in done.stderr.splitlines() if text.strip()]
    if done.returncode != 0:
        return [*lines, f"cli {project.name} EXIT {done.returncode}"]
    for item in json.loads(done.stdout or "[]"):
        location = item["location"]
        path = Path(item["filename"])
        shown = (path if path.is_absolute() else project / path).resolve().relative_to(project.resolve())
        lines.append(
            f"cli {project.name}/{shown.as_posix()}:{location['row']}:{location['column']}: "
            f"{item['code']} {item['message']}"
        )
    return lines


def flake8_lines(project: Path, executable: Path, selection: list[str]) -> list[str]:
    files = version_files(project)
    if not files:
        return []
    command = [
        str(executable),
        "--isolated",
        *selection,
        "-j1",
        "--format",
        "%(path)s:%(row)d:%(col)d: %(code)s %(text)s",
    ]
    lines: list[str] = []
    for start in range(0, len(files), 500):  # a bounded command line
        done = subprocess.run([*command, *files[start : start + 500]], cwd=project, capture_output=True, text=True)
        lines += [f"flake8 {project.name} STDERR {text}" for text in done.stderr.splitlines() if text.strip()]
        if done.returncode not in (0, 1):
            lines.append(f"flake8 {project.name} EXIT {done.returncode}")
        for text in done.stdout.splitlines():
            path, _, rest = text.partition(":")
            lines.append(f"flake8 {project.name}/{Path(path).as_posix()}:{rest}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--face", choices=("cli", "flake8", "both"), default="both")
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent)
    parser.add_argument("--select", default="ALM")
    parser.add_argument("--extend-select", default="ALM0,ALM1,ALM2")
    parser.add_argument("--preview", action="store_true", help="pass --preview (linters that have it)")
    parser.add_argument("--cache", choices=("off", "fill", "warm"), default="off", help="the standalone cache")
    args = parser.parse_args(argv)
    selection = ["--select", args.select, "--extend-select", args.extend_select]
    lines: list[str] = []
    for project in projects(args.corpus):
        if args.face in ("cli", "both"):
            lines += cli_lines(
                project, args.bin / "flake8-alembic", selection + (["--preview"] if args.preview else []), args.cache
            )
        if args.face in ("flake8", "both"):
            lines += flake8_lines(
                project, args.bin / "flake8", selection + (["--alembic-preview=true"] if args.preview else [])
            )
    lines.sort()
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for line in lines:
        face = line.split(" ", 1)[0]
        counts[face] = counts.get(face, 0) + 1
    print(f"{args.out}: {len(lines)} lines ({', '.join(f'{face} {count}' for face, count in sorted(counts.items()))})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
