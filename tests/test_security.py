"""The product never imports, executes or evaluates the code it reads, and a check writes nothing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.cache import CACHE_FOLDER, FORMAT, content_digest, fingerprint

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
    """Every file and folder except the summary cache, the one place the product writes to."""
    return {
        str(path): (path.stat().st_size, path.stat().st_mtime_ns)
        for path in root.rglob("*")
        if CACHE_FOLDER not in path.relative_to(root).parts
    }


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


def test_the_only_folder_written_is_the_summary_cache(planted: tuple[Path, Path]) -> None:
    project, _ = planted
    subprocess.run([sys.executable, "-m", "flake8_alembic", "check"], cwd=project, capture_output=True, timeout=120)
    written = [path for path in project.rglob("*") if CACHE_FOLDER in path.parts]
    assert written and all(path.relative_to(project).parts[0] == CACHE_FOLDER for path in written)
    assert (project / CACHE_FOLDER / ".gitignore").read_text().splitlines()[-1] == "*"


def test_a_planted_cache_entry_is_ignored_and_runs_nothing(planted: tuple[Path, Path]) -> None:
    """A cloned repository can ship its own .flake8_alembic_cache: loading it is data only (JSON into an allowlist
    of records), so an entry naming other classes, a pickle, or junk is a miss and the file is parsed again."""
    project, marker = planted
    expected = subprocess.run(
        [sys.executable, "-m", "flake8_alembic", "check", "--no-cache"], cwd=project, capture_output=True, timeout=120
    )
    entries = project / CACHE_FOLDER / fingerprint()
    entries.mkdir(parents=True)
    write_marker = f"__import__('pathlib').Path({str(marker)!r}).write_text('executed')"
    pickled = b"cos\nsystem\n(S'touch " + str(marker).encode() + b"'\ntR."
    for index, path in enumerate(sorted((project / "migrations" / "versions").glob("*.py"))):
        digest = content_digest(path.read_bytes())
        key = [FORMAT, fingerprint(), digest]
        payloads = [
            {"key": key, "summary": {"r": "os.system", "v": [f"touch {marker}"]}},
            {"key": key, "summary": {"r": "builtins.eval", "v": [write_marker]}},
        ]
        content = pickled if index == 0 else json.dumps(payloads[index % 2]).encode()
        (entries / f"{digest}.json").write_bytes(content)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_alembic", "check"], cwd=project, capture_output=True, timeout=120
    )
    assert not marker.exists()
    assert (result.returncode, result.stdout) == (expected.returncode, expected.stdout)
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--isolated", "--select", "ALM", "--alembic-cache=true", "migrations"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "ALM" in flake8.stdout, flake8.stderr
    assert not marker.exists()
