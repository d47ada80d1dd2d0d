"""`flake8-alembic verify --env-py generic` on every tuning-corpus history that claims SQLite support.

Usage: python benchmarks/verify_corpus.py CORPUS [--venvs DIR] [--projects a,b] [--timeout SECONDS] [--json OUT]

A history *claims SQLite support* when its own code says so (read statically, never run): its env.py passes
`render_as_batch` (batch mode exists for SQLite), a version folder is named `sqlite` (prefect), a migration
compares the dialect name with "sqlite", or at least a quarter of its migrations use `batch_alter_table`.

Each claimed history runs in its own process on a SQLite file in a temporary folder (its private HOME, where the
application's own settings point too). With --venvs DIR, the
project's own virtual environment DIR/<project> runs it (the application installed with its dependencies and
flake8-alembic[verify]): migrations that import their application find it. Without one, the project's wheel
(`CORPUS/.wheels/<project>/*.whl`, which fetch-corpus downloads) is unpacked first on sys.path, and a history
that needs the application's third-party dependencies is reported as blocked, naming the missing module.

Prints one row per history: revisions passed/total, failures (upgrade, downgrade, repeat), divergences (replay
against live schema, downgrade against the schema before), revisions not reached, time per revision.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SKIPPED_FOLDERS = ("execution_api",)  # airflow-core's API versions: not Alembic
DIALECT_COMPARISON = re.compile(r"""==\s*["']sqlite["']|["']sqlite["']\s*(==|in\b)|\bsqlite\b["']\s*[,)]""")

RUNNER = r"""
import json, sys, time
from pathlib import Path
from flake8_alembic.verify.session import Request, verify, SetupError
folder, wheel, database = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
try:
    request = Request(
        folder, env_py="generic", database_url=database, prepend_sys_path=(Path(wheel),) if wheel else ()
    )
    outcome = verify(request)
except SetupError as error:
    print(json.dumps({"blocked": str(error)}))
    sys.exit(0)
print(json.dumps({
    "revisions": [[r.revision, r.reached, r.passed, r.seconds] for r in outcome.walk.revisions],
    "problems": [[p.code, p.revision, p.step, Path(p.path).name, p.line, p.message] for p in outcome.problems],
    "stopped": outcome.walk.stopped,
    "seconds": outcome.seconds,
}))
"""


def version_folders(project: Path) -> list[Path]:
    found = []
    for folder in sorted(project.rglob("versions")):
        parts = folder.relative_to(project).parts
        if not folder.is_dir() or any(part in SKIPPED_FOLDERS or part.startswith(".") for part in parts):
            continue
        subfolders = [child for child in folder.iterdir() if child.is_dir() and not child.name.startswith((".", "_"))]
        if subfolders and not list(folder.glob("*.py")) and all(c.name in ("sqlite", "postgresql") for c in subfolders):
            found.extend(subfolders)  # prefect: one environment per dialect
        else:
            found.append(folder)
    return found


def sqlite_claim(folder: Path) -> str | None:
    """Why the history claims SQLite support (None: it does not)."""
    if folder.name == "sqlite":
        return "a version folder named sqlite"
    if folder.name in ("postgresql", "mysql"):
        return None  # the other dialect's folder of a per-dialect history (prefect)
    env = next(
        (candidate for candidate in (folder.parent / "env.py", folder.parent.parent / "env.py") if candidate.is_file()),
        None,
    )
    if env is not None and "render_as_batch" in env.read_text(encoding="utf-8", errors="replace"):
        return "env.py passes render_as_batch"
    files = [path for path in folder.rglob("*.py") if ".flake8_alembic_cache" not in path.parts]
    texts = [path.read_text(encoding="utf-8", errors="replace") for path in files]
    comparing = sum(1 for text in texts if DIALECT_COMPARISON.search(text))
    if comparing:
        return f"{comparing} migration(s) compare the dialect with 'sqlite'"
    batch = sum(1 for text in texts if "batch_alter_table" in text)
    if files and batch * 4 >= len(files):
        return f"{batch} of {len(files)} migrations use batch_alter_table"
    return None


def unpacked_wheel(corpus: Path, project: str, into: Path) -> str:
    wheels = sorted((corpus / ".wheels" / project).glob("*.whl"))
    if not wheels:
        return ""
    target = into / project
    with zipfile.ZipFile(wheels[-1]) as archive:
        archive.extractall(target)
    return str(target)


def run_history(folder: Path, wheel: str, timeout: float, python: str, home: Path) -> dict[str, object]:
    # A private HOME: applications write their default settings and databases there on import (airflow makes
    # ~/airflow/airflow.db), and one airflow migration even opens the application's own session on it.
    home.mkdir(parents=True, exist_ok=True)
    environment = {key: value for key, value in os.environ.items() if not key.startswith("AIRFLOW")}
    # The verified database is a file of that HOME, and the application's own settings name it too, as its own
    # migrate command would have them (airflow's migrations open the application's session in places).
    database = f"sqlite:///{home / 'verify.db'}"
    environment.update(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=database, AIRFLOW__CORE__SQL_ALCHEMY_CONN=database)
    try:
        result = subprocess.run(
            [python, "-c", RUNNER, str(folder), wheel, database],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**environment, "HOME": str(home)},
        )
    except subprocess.TimeoutExpired:
        return {"blocked": f"timed out after {timeout:.0f} s"}
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        return {"blocked": f"crashed: {result.stderr.strip().splitlines()[-1:] or ['no output']}"}
    data: dict[str, object] = json.loads(lines[-1])
    return data


def row(name: str, claim: str, data: dict[str, object]) -> str:
    if "blocked" in data:
        return f"| {name} | {claim} | blocked: {data['blocked']} | | | | |"
    revisions = data["revisions"]
    problems = data["problems"]
    assert isinstance(revisions, list) and isinstance(problems, list)
    reached = [r for r in revisions if r[1]]
    passed = sum(1 for r in reached if r[2])
    failures = [p for p in problems if p[0] in ("ALV001", "ALV003", "ALV005", "ALV007", "ALV008")]
    divergences = [p for p in problems if p[0] in ("ALV002", "ALV004")]
    per = sum(r[3] for r in reached) / len(reached) if reached else 0.0
    return (
        f"| {name} | {claim} | {passed}/{len(revisions)} | {len(failures)} | {len(divergences)} | "
        f"{len(revisions) - len(reached)} | {per:.2f} s |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--projects", help="comma-separated project folders (default: all)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds per history")
    parser.add_argument("--json", type=Path, help="write every history's results (problems included) here")
    parser.add_argument(
        "--venvs",
        type=Path,
        help="folder of virtual environments named after the projects (the application and its dependencies "
        "installed, with flake8-alembic[verify]); a project without one runs here, its wheel unpacked on sys.path",
    )
    options = parser.parse_args()
    chosen = set(options.projects.split(",")) if options.projects else None
    report: dict[str, object] = {}
    print("| history | claims SQLite because | passed | failures | divergences | not reached | per revision |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="verify-corpus-") as scratch:
        for project in sorted(path for path in options.corpus.iterdir() if path.is_dir() and path.name[0] != "."):
            if chosen is not None and project.name not in chosen:
                continue
            for folder in version_folders(project):
                name = str(folder.relative_to(options.corpus))
                claim = sqlite_claim(folder)
                if claim is None:
                    report[name] = {"claim": None}
                    continue
                python = options.venvs / project.name / "bin" / "python" if options.venvs else None
                if python is not None and python.is_file():
                    data = run_history(folder, "", options.timeout, str(python), Path(scratch) / "home" / project.name)
                else:
                    wheel = unpacked_wheel(options.corpus, project.name, Path(scratch))
                    data = run_history(
                        folder, wheel, options.timeout, sys.executable, Path(scratch) / "home" / project.name
                    )
                report[name] = {"claim": claim, **data}
                print(row(name, claim, data), flush=True)
    unclaimed = sorted(name for name, data in report.items() if isinstance(data, dict) and data["claim"] is None)
    print(f"\nNot claiming SQLite support (not run): {', '.join(unclaimed)}")
    if options.json:
        options.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
