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


def _readme_snippet(marker: str) -> str:
    """The YAML block of the README's pre-commit section that contains ``marker``."""
    readme = (REPO / "README.md").read_text()
    blocks = readme.split("```yaml\n")[1:]
    return next(block.split("```", 1)[0] for block in blocks if marker in block)


def _pre_commit_project(tmp_path: Path, config: str) -> tuple[Path, dict[str, str]]:
    repo = tmp_path / "app"
    versions = repo / "migrations" / "versions"
    versions.mkdir(parents=True)
    (repo / "migrations" / "env.py").write_text('"""env.py (never run by the hook)."""\n')
    (versions / "a1_first.py").write_text(CLEAN)
    (versions / "b1_drop.py").write_text(BAD)
    (repo / ".pre-commit-config.yaml").write_text(config)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    environment = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",  # the installed tool, for `language: system`
    }
    return repo, environment


def _run_hook(pre_commit: str, repo: Path, environment: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [pre_commit, "run", "--all-files", "--color", "never"]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=600, env=environment)


def test_the_readme_local_hook_runs_the_installed_tool(tmp_path: Path) -> None:
    pre_commit = _tool("pre-commit")
    repo, environment = _pre_commit_project(tmp_path, _readme_snippet("repo: local"))
    failing = _run_hook(pre_commit, repo, environment)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert " --> migrations/versions/b1_drop.py:9:5" in failing.stdout
    (repo / "migrations" / "versions" / "b1_drop.py").write_text(
        BAD.replace('op.drop_table("legacy")', 'op.drop_table("legacy", if_exists=True)')
    )
    passing = _run_hook(pre_commit, repo, environment)
    assert passing.returncode == 0 and "Passed" in passing.stdout, passing.stdout + passing.stderr


@pytest.mark.slow
def test_the_readme_remote_hook_resolves_a_tagged_release(tmp_path: Path) -> None:
    """The remote form as the README writes it, its URL pointed at a clone of this checkout tagged with the README's
    rev: pre-commit clones the tag, installs the package in its own environment and runs the hook."""
    pre_commit = _tool("pre-commit")
    snippet = _readme_snippet("rev: ")
    url = next(line.split("repo:", 1)[1].strip() for line in snippet.splitlines() if "repo:" in line)
    rev = next(line.split("rev:", 1)[1].strip() for line in snippet.splitlines() if "rev:" in line)
    clone = tmp_path / "release"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)
    _git(clone, "init", "-q")
    _git(clone, "add", ".")
    _git(clone, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "release")
    _git(clone, "tag", rev)
    repo, environment = _pre_commit_project(tmp_path, snippet.replace(url, str(clone)))
    failing = _run_hook(pre_commit, repo, environment)
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "ALM002 op.drop_table()" in failing.stdout and " --> migrations/versions/b1_drop.py:9:5" in failing.stdout


NOQA = BAD.replace('op.drop_table("legacy")', 'op.drop_table("legacy")  # noqa: ALM002')


@pytest.mark.parametrize("external", [True, False])
def test_ruff_fix_with_select_all_keeps_alm_noqa_only_with_lint_external(tmp_path: Path, external: bool) -> None:
    """The README's advice, checked with real ruff: `select = ["ALL"]` reports `# noqa: ALM002` as RUF102 and
    `--fix` deletes it, unless `lint.external = ["ALM"]`."""
    ruff = _tool("ruff")
    (tmp_path / "b1_drop.py").write_text(NOQA)
    config = 'select = ["ALL"]\n' + ('external = ["ALM"]\n' if external else "")
    (tmp_path / "ruff.toml").write_text("[lint]\n" + config)
    report = subprocess.run(
        [ruff, "check", "--output-format", "concise", "--no-cache", "b1_drop.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ("RUF102 [*] Invalid rule code in `# noqa`: ALM002" in report.stdout) is not external
    assert "RUF100" not in report.stdout
    subprocess.run([ruff, "check", "--fix", "--no-cache", "b1_drop.py"], cwd=tmp_path, capture_output=True, timeout=120)
    assert ("# noqa: ALM002" in (tmp_path / "b1_drop.py").read_text()) is external


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
