"""The pytest plugin: registered through `pytest11`, import-light (no SQLAlchemy until a test uses its fixtures),
and `alembic_verify` runs the same cycle with pytest-alembic's fixture names (`alembic_config`, `alembic_engine`)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
VERIFY = REPO / "tests" / "fixtures" / "verify"


def test_the_plugin_is_registered_with_pytest() -> None:
    found = {entry.value for entry in entry_points(group="pytest11")}
    assert "flake8_alembic.verify.pytest_plugin" in found


@pytest.mark.slow
def test_importing_the_plugin_loads_neither_sqlalchemy_nor_alembic() -> None:
    script = (
        "import sys, flake8_alembic.verify.pytest_plugin, flake8_alembic.verify.command, flake8_alembic.cli; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'alembic'}))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


CONFTEST = """
import pytest

@pytest.fixture
def alembic_config():
    return {{"file": {ini!r}, "at_revision_data": {seeds!r}}}
"""

TESTS = """
import sys


def test_nothing_loaded_sqlalchemy_yet():
    assert "sqlalchemy" not in sys.modules


def test_the_history_passes(alembic_verify):
    outcome = alembic_verify.assert_passes()
    assert [r.revision for r in outcome.walk.revisions] == {revisions!r}


def test_results_are_there_to_assert_on(alembic_verify):
    outcome = alembic_verify()
    assert [(p.code, p.revision, p.line) for p in outcome.problems] == {problems!r}
"""


def _run_pytest(folder: Path) -> subprocess.CompletedProcess[str]:
    # The plugin comes in through its entry point, as in a user's project (not with -p).
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)],
        cwd=folder,
        env={key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.slow
def test_alembic_verify_in_a_projects_own_test_suite(tmp_path: Path) -> None:
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "conftest.py").write_text(CONFTEST.format(ini=str(VERIFY / "healthy" / "alembic.ini"), seeds={}))
    (suite / "test_migrations.py").write_text(
        TESTS.format(revisions=["h01", "h02", "h03a", "h03b", "h04", "h05"], problems=[])
    )
    result = _run_pytest(suite)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


@pytest.mark.slow
def test_alembic_verify_reports_what_the_command_reports(tmp_path: Path) -> None:
    """Seed rows in pytest-alembic's at_revision_data shape, a failing history: the problems and a failed test."""
    suite = tmp_path / "suite"
    suite.mkdir()
    history = VERIFY / "unique_over_duplicates"
    rows = [{"__tablename__": "members", "id": n, "email": "ada@example.org"} for n in (1, 2)]
    (suite / "conftest.py").write_text(CONFTEST.format(ini=str(history / "alembic.ini"), seeds={"u01": rows}))
    (suite / "test_migrations.py").write_text(
        TESTS.format(revisions=["u01", "u02", "u03"], problems=[("ALV001", "u03", 16)])
    )
    result = _run_pytest(suite)
    assert result.returncode == 1
    assert "1 failed, 2 passed" in result.stdout
    assert "flake8-alembic verify found 1 problem(s)" in result.stdout
    assert "ALV001 revision u03, step upgrade: IntegrityError" in result.stdout


def test_the_plugin_leaves_pytest_alembic_its_own_fixtures() -> None:
    """With pytest-alembic installed, its alembic_config/alembic_engine are used (ours are registered only when
    it is absent), so installing both never changes a pytest-alembic suite."""
    from flake8_alembic.verify import pytest_plugin

    registered: list[str] = []

    class Manager:
        def __init__(self, present: bool) -> None:
            self.present = present

        def hasplugin(self, name: str) -> bool:
            return self.present and name == "pytest_alembic"

        def register(self, plugin: object, name: str) -> None:
            registered.append(name)

    class Config:
        def __init__(self, present: bool) -> None:
            self.pluginmanager = Manager(present)

    pytest_plugin.pytest_configure(Config(True))  # type: ignore[arg-type]
    assert registered == []
    pytest_plugin.pytest_configure(Config(False))  # type: ignore[arg-type]
    assert registered == ["flake8_alembic_verify_defaults"]


def test_a_pytest_alembic_config_object_is_understood() -> None:
    from flake8_alembic.verify.pytest_plugin import _history_path, _options

    class PytestAlembicConfig:
        def __init__(self) -> None:
            self.config_options = {"script_location": "migrations"}
            self.at_revision_data = {"a": {"__tablename__": "t", "id": 1}}
            self.before_revision_data: dict[str, object] = {}

    options = _options(PytestAlembicConfig())
    assert options["at_revision_data"] == {"a": {"__tablename__": "t", "id": 1}}
    assert _history_path(options, PytestAlembicConfig(), Path("/root")) == Path("/root/migrations")
