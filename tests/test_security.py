"""The product never imports, executes or evaluates the code it reads, and a check writes nothing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

PLANT = """import pathlib
pathlib.Path({marker!r}).write_text("executed")
"""


@pytest.fixture()
def planted(tmp_path: Path) -> tuple[Path, Path]:
    """A project whose env.py, migrations and helper module each write a marker file when imported or run."""
    marker = tmp_path / "MARKER"
    project = tmp_path / "project"
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True)
    (project / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (project / "migrations" / "env.py").write_text(PLANT.format(marker=str(marker)) + "from alembic import context\n")
    (versions / "a1_first.py").write_text(
        '"""First"""\n' + PLANT.format(marker=str(marker)) + "from alembic import op\n"
        'revision = "a1"\ndown_revision = None\n'
        f"def upgrade():\n    {PLANT.format(marker=str(marker)).splitlines()[1]}\n    op.drop_table('t')\n"
        "def downgrade():\n    pass\n"
    )
    (versions / "b1_second.py").write_text(
        '"""Second"""\nfrom alembic import op\nfrom myapp.models import User\n'
        f'revision = __import__("pathlib").Path({str(marker)!r}).write_text("x") or "b1"\n'
        'down_revision = "a1"\n'
        "def upgrade():\n    exec(open('x').read())\n    op.execute(eval('1'))\n"
        "def downgrade():\n    pass\n"
    )
    (versions / "_helpers.py").write_text(PLANT.format(marker=str(marker)))
    return project, marker


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {str(path): (path.stat().st_size, path.stat().st_mtime_ns) for path in root.rglob("*")}


def test_flake8_plugin_runs_no_user_code(planted: tuple[Path, Path]) -> None:
    project, marker = planted
    before = _snapshot(project)
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ALM", "migrations"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "ALM" in result.stdout, result.stderr
    assert not marker.exists()
    assert _snapshot(project) == before


def test_standalone_command_runs_no_user_code_and_writes_nothing(planted: tuple[Path, Path]) -> None:
    project, marker = planted
    before = _snapshot(project)
    for arguments in (["check"], ["check", "--output-format", "sarif", "migrations"], ["check", "--statistics"]):
        result = subprocess.run(
            [sys.executable, "-m", "flake8_alembic", *arguments],
            cwd=project,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert not marker.exists()
    assert _snapshot(project) == before


def test_control_the_planted_code_does_write_the_marker_when_run(planted: tuple[Path, Path]) -> None:
    project, marker = planted
    subprocess.run([sys.executable, str(project / "migrations" / "versions" / "_helpers.py")], check=True, timeout=60)
    assert marker.read_text() == "executed"
