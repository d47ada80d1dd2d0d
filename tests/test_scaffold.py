"""Adding a rule takes four hand-written files and no registry edit: the scaffold writes them, a three-line check
makes the rule report, and both faces, `rule CODE` and the preview gating see it at once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CODE = "ALM099"


def _copy_of_this_checkout(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        if (REPO / name).is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / name, target / name)
    for command in (["init", "-q"], ["add", "."], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"]):
        subprocess.run(["git", *command], cwd=target, check=True, capture_output=True)


def _run(copy: Path, *command: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(copy)}  # the copy's package, not the installed one
    # The scaffold writes the new rule's snapshot with --snapshot-update, which the suite refuses under CI=true so
    # that CI never rewrites this repository's snapshots; here it writes into a throwaway copy, as a developer would.
    environment.pop("CI", None)
    return subprocess.run(command, cwd=copy, capture_output=True, text=True, timeout=300, env=environment)


@pytest.mark.slow
def test_a_rule_in_four_files_through_both_faces(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    _copy_of_this_checkout(copy)
    scaffold = _run(
        copy, sys.executable, "scripts/add_rule.py", CODE, "drop-table-anywhere", "--summary", "every `drop_table`"
    )
    assert scaffold.returncode == 0, scaffold.stdout + scaffold.stderr
    module = copy / "flake8_alembic" / "rules" / "hazards" / "alm099_drop_table_anywhere.py"
    bad = copy / "tests" / "fixtures" / CODE / "bad_example.py"
    # The three lines of the check, and the bad fixture's hazard.
    module.write_text(
        module.read_text().replace(
            '        pass  # where the hazard is: report(operation, "what happens, on which database, and the fix")\n',
            '        if operation.name == "drop_table":\n'
            '            report(operation, f"drop_table({operation.table!r}) reported everywhere")\n',
        )
    )
    bad.write_text(bad.read_text().replace("pass  # the hazard  # expect:", 'op.drop_table("t")  # expect:'))
    status = _run(copy, "git", "status", "--porcelain", "--untracked-files=all").stdout.splitlines()
    assert sorted(status) == sorted(
        [
            " M README.md",
            " M flake8_alembic/rules/index.py",
            "?? flake8_alembic/docs/ALM099.md",
            "?? flake8_alembic/rules/hazards/alm099_drop_table_anywhere.py",
            "?? tests/fixtures/ALM099/bad_example.py",
            "?? tests/fixtures/ALM099/good_example.py",
            "?? tests/snapshots/ALM099.snap",
        ]
    ), "four hand-written files, the rest generated, no registry edit"
    target = "tests/fixtures/ALM099/bad_example.py"
    found = "tests/fixtures/ALM099/bad_example.py:18:5: ALM099 drop_table('t') reported everywhere"
    # The standalone command: a preview rule runs with --preview, and is named but silent without it.
    preview = _run(copy, sys.executable, "-m", "flake8_alembic", "check", "--preview", "--select", CODE,
                   "--no-cache", "--output-format", "concise", target)  # fmt: skip
    assert preview.returncode == 1 and preview.stdout.splitlines()[0] == found, preview.stdout + preview.stderr
    stable = _run(copy, sys.executable, "-m", "flake8_alembic", "check", "--select", CODE, "--no-cache", target)
    assert stable.returncode == 0, stable.stdout
    assert "warning: ALM099 is a preview rule: it runs only in preview mode" in stable.stderr
    # flake8, through the installed entry point importing the copy's package.
    flake8 = _run(copy, sys.executable, "-m", "flake8", "--select", CODE, "--alembic-preview=true", target)
    assert flake8.stdout.splitlines() == [found], flake8.stdout + flake8.stderr
    assert _run(copy, sys.executable, "-m", "flake8", "--select", CODE, target).stdout == ""
    page = _run(copy, sys.executable, "-m", "flake8_alembic", "rule", CODE)
    assert page.stdout.startswith("# ALM099 drop-table-anywhere\n\nTier: preview · Dialects: all · Since: ")
    # The rule's own fixture test, the snapshot (rewritten once) and the generated files all pass in the copy.
    _run(copy, sys.executable, "-m", "pytest", "-q", "tests/test_snapshots.py", "-k", CODE, "--snapshot-update")
    tests = _run(copy, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_fixtures.py",
                 "tests/test_snapshots.py", "tests/test_registry.py", "-k", f"{CODE} or fresh")  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:]
