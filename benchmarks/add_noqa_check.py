"""`--add-noqa` on a whole corpus changes comments only, and afterwards both faces report nothing.

Usage: python benchmarks/add_noqa_check.py CORPUS [--bin /path/to/venv/bin]

Copies the corpus's Python files and project files (to a temporary folder: the corpus is never modified), runs
`flake8-alembic check --add-noqa` with every rule in each project's own folder, then checks that every edited file
parses to the same `ast.dump` as before, that a second `--add-noqa` edits nothing, and that the standalone command
and flake8 then report no finding. Prints one line per project and a total; exit 1 on any difference.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

SELECTION = ("--select", "ALM", "--extend-select", "ALM0,ALM1,ALM2")
KEEP = (".py", ".ini", ".toml", ".cfg", ".txt", "METADATA")


def dump(path: Path) -> str:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.dump(ast.parse(path.read_bytes()))


def copy(corpus: Path, target: Path) -> None:
    for source in corpus.rglob("*"):
        relative = source.relative_to(corpus)
        if relative.parts[0].startswith(".") or not source.is_file() or not source.name.endswith(KEEP):
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, destination)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--bin", type=Path, default=Path(sys.executable).parent)
    args = parser.parse_args(argv)
    linter, flake8 = str(args.bin / "flake8-alembic"), str(args.bin / "flake8")
    problems = edited_total = 0
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        copy(args.corpus, work)
        for project in sorted(path for path in work.iterdir() if path.is_dir()):
            before = {path: path.read_bytes() for path in project.rglob("*.py")}
            added = subprocess.run(
                [linter, "check", "--no-cache", "--add-noqa", *SELECTION], cwd=project, capture_output=True, text=True
            )
            edited = [path for path, data in before.items() if path.read_bytes() != data]
            edited_total += len(edited)
            changed_code = []
            for path in edited:
                original = path.with_suffix(".orig")
                original.write_bytes(before[path])
                if dump(path) != dump(original):
                    changed_code.append(path)
                original.unlink()
            again = subprocess.run(
                [linter, "check", "--no-cache", "--add-noqa", *SELECTION], cwd=project, capture_output=True, text=True
            )
            check = subprocess.run(
                [linter, "check", "--no-cache", "--output-format", "concise", *SELECTION],
                cwd=project,
                capture_output=True,
                text=True,
            )
            versions = [str(p.relative_to(project)) for p in project.rglob("*.py") if "versions" in p.parent.parts]
            flake8_out = ""
            for start in range(0, len(versions), 500):
                flake8_out += subprocess.run(
                    [flake8, "--isolated", "-j1", *SELECTION, *versions[start : start + 500]],
                    cwd=project,
                    capture_output=True,
                    text=True,
                ).stdout
            remaining = [line for line in check.stdout.splitlines() if ": ALM" in line or ": E999" in line]
            flake8_remaining = [line for line in flake8_out.splitlines() if ": ALM" in line]
            ok = (
                added.returncode == 0
                and not changed_code
                and again.stdout.strip() == "Added 0 noqa directives."
                and not remaining
                and not flake8_remaining
            )
            problems += not ok
            print(
                f"{'ok ' if ok else 'BAD'} {project.name}: {added.stdout.strip()} in {len(edited)} files; "
                f"AST changed in {len(changed_code)}; second run: {again.stdout.strip()}; "
                f"left: {len(remaining)} (command), {len(flake8_remaining)} (flake8)"
            )
            for line in (changed_code + remaining + flake8_remaining)[:5]:
                print(f"    {line}")
    print(f"{edited_total} files edited; {problems} projects with a problem")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
