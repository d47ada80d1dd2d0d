"""Real pre-commit and real ruff, run as subprocesses against this checkout."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
BAD = '''"""Drop the legacy table"""
from alembic import op

revision = "b1"
down_revision = "a1"


def upgrade():
    op.drop_table("legacy")


def downgrade():
    raise NotImplementedError("the data is gone")
'''
CLEAN = '''"""First revision"""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None


def upgrade():
    op.create_table("legacy", sa.Column("id", sa.Integer(), primary_key=True))


def downgrade():
    op.drop_table("legacy")
'''


def _tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it is in the test extras)")
    return found


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.mark.slow
def test_pre_commit_try_repo_on_this_working_tree(tmp_path: Path) -> None:
    pre_commit = _tool("pre-commit")
    repo = tmp_path / "app"
    versions = repo / "migrations" / "versions"
    versions.mkdir(parents=True)
    (repo / "migrations" / "env.py").write_text('"""env.py (never run by the hook)."""\n')
    (versions / "a1_first.py").write_text(CLEAN)
    (versions / "b1_drop.py").write_text(BAD)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    environment = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    command = [pre_commit, "try-repo", str(REPO), "flake8-alembic", "--all-files", "--color", "never"]
    failing = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=600, env=environment)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "ALM002 op.drop_table()" in failing.stdout
    assert " --> migrations/versions/b1_drop.py:9:5" in failing.stdout
    assert "a1_first.py" not in failing.stdout.split("Failed")[-1]
    (versions / "b1_drop.py").write_text(
        BAD.replace('op.drop_table("legacy")', 'op.drop_table("legacy", if_exists=True)')
    )
    _git(repo, "add", ".")
    passing = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=600, env=environment)
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "Passed" in passing.stdout


NOQA = BAD.replace('op.drop_table("legacy")', 'op.drop_table("legacy")  # noqa: ALM002')


@pytest.mark.parametrize("external", [True, False])
def test_ruff_keeps_alm_noqa_with_lint_external(tmp_path: Path, external: bool) -> None:
    ruff = _tool("ruff")
    (tmp_path / "b1_drop.py").write_text(NOQA)
    config = '[lint]\nexternal = ["ALM"]\n' if external else "[lint]\n"
    (tmp_path / "ruff.toml").write_text(config)
    result = subprocess.run(
        [ruff, "check", "--select", "RUF100,RUF102", "--output-format", "concise", "--no-cache", "b1_drop.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if external:
        assert result.returncode == 0, result.stdout + result.stderr
        assert "RUF10" not in result.stdout
    else:
        assert result.returncode == 1
        assert "RUF10" in result.stdout and "ALM002" in result.stdout


def test_flake8_alembic_honours_the_noqa_ruff_keeps(tmp_path: Path) -> None:
    (tmp_path / "b1_drop.py").write_text(NOQA)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_alembic", "check", "b1_drop.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout == "All checks passed!\n"
    (tmp_path / "b1_drop.py").write_text(BAD)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_alembic", "check", "b1_drop.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1 and "ALM002" in result.stdout
