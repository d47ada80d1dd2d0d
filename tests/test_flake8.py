"""The flake8 face, run for real: flake8 in a subprocess with the installed plugin, in temporary folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from flake8_alembic.rules.registry import OPT_IN_CODES

from .fixture_support import Fixture, all_fixtures

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "migrations" / "versions" / "20251114_0002_document_share_links.py"

MIGRATION = '''"""Drop a legacy table

Revision ID: aaa111
Revises: 999000
"""
from alembic import op

revision = "aaa111"
down_revision = "999000"


def upgrade():
    op.drop_table("legacy")  {noqa}


def downgrade():
    pass
'''


def run_flake8(cwd: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flake8", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
    )


def codes(output: str) -> list[tuple[str, int, str]]:
    """(file name, line, code) for each reported line."""
    found = []
    for line in output.splitlines():
        path, row, _col, rest = line.split(":", 3)
        found.append((Path(path).name, int(row), rest.split()[0]))
    return sorted(found)


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A temporary project: its own (empty) flake8 config, so this repository's configuration never applies."""
    (tmp_path / "setup.cfg").write_text("[flake8]\n")
    (tmp_path / ".git").mkdir()
    return tmp_path


def write(project: Path, name: str, text: str) -> Path:
    """A single migration outside any versions folder: no environment, so only one-file rules apply."""
    path = project / "scripts" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_example_reports_the_policy_incidents_with_lines(project: Path) -> None:
    shutil.copy(EXAMPLE, project / EXAMPLE.name)
    result = run_flake8(project, "--select", "ALM", EXAMPLE.name)
    assert result.returncode == 1, result.stderr
    assert codes(result.stdout) == [(EXAMPLE.name, 30, "ALM004"), (EXAMPLE.name, 32, "ALM002")]
    assert "VARCHAR(36)" in result.stdout and "UUID" in result.stdout
    preview = run_flake8(project, "--select", "ALM", "--alembic-preview=true", EXAMPLE.name)
    assert codes(preview.stdout) == [
        (EXAMPLE.name, 30, "ALM004"),
        (EXAMPLE.name, 32, "ALM002"),
        (EXAMPLE.name, 35, "ALM007"),
        (EXAMPLE.name, 40, "ALM001"),
    ]


def test_non_migration_yields_nothing(project: Path) -> None:
    (project / "app.py").write_text("import os\n\n\ndef upgrade():\n    os.remove('x')\n")
    (project / "broken_but_not_migration.py").write_text("revision = 'x'\nprint(\n")
    result = run_flake8(project, "--select", "ALM", "app.py")
    assert (result.returncode, result.stdout) == (0, "")


def test_noqa_with_code_silences_only_that_code(project: Path) -> None:
    write(project, "a.py", MIGRATION.format(noqa="# noqa: ALM002"))
    write(project, "b.py", MIGRATION.format(noqa="# noqa: ALM001"))
    result = run_flake8(project, "--select", "ALM", "--alembic-preview=true", "scripts")
    assert codes(result.stdout) == [("a.py", 16, "ALM001"), ("b.py", 13, "ALM002"), ("b.py", 16, "ALM001")]


def test_per_file_ignores(project: Path) -> None:
    (project / "setup.cfg").write_text("[flake8]\nper-file-ignores =\n    scripts/a.py: ALM002\n")
    write(project, "a.py", MIGRATION.format(noqa=""))
    write(project, "b.py", MIGRATION.format(noqa=""))
    result = run_flake8(project, "--select", "ALM", "--alembic-preview=true", "scripts")
    assert codes(result.stdout) == [("a.py", 16, "ALM001"), ("b.py", 13, "ALM002"), ("b.py", 16, "ALM001")]


UNNAMED = '''"""An unnamed foreign key and its impossible drop (default ALM025), an unguarded column drop (default
ALM002), in a misnamed file (opt-in ALM105)

Revision ID: bbb222
Revises: aaa111
"""
from alembic import op

revision = "bbb222"
down_revision = "aaa111"


def upgrade():
    op.create_foreign_key(None, "orders", "customers", ["customer_id"], ["id"])
    op.drop_column("orders", "legacy_id")  # default ALM002, named ALM206 and ALM210


def downgrade():
    op.drop_constraint(None, "orders", type_="foreignkey")
'''


@pytest.mark.parametrize(
    ("config", "args", "expected"),
    [
        ("", ["--select", "ALM"], {"ALM002", "ALM025"}),
        ("select = E,F,W,ALM\n", [], {"ALM002", "ALM025"}),
        ("", ["--extend-select", "ALM"], {"ALM002", "ALM025"}),
        ("ignore = E203\n", [], {"ALM002", "ALM025"}),
        ("", ["--extend-select", "ALM105"], {"ALM002", "ALM025", "ALM105"}),
        ("", ["--select", "ALM105"], {"ALM105"}),
        ("", ["--select", "ALM1"], {"ALM105"}),
        ("extend-select = ALM105\n", [], {"ALM002", "ALM025", "ALM105"}),
        ("", ["--select", "ALM2"], set()),
        ("", ["--select", "ALM", "--alembic-preview=true"], {"ALM025", "ALM002"}),
        ("", ["--select", "ALM2", "--alembic-preview=true"], {"ALM202", "ALM206", "ALM210"}),
    ],
    ids=[
        "select-ALM",
        "select-E-F-W-ALM",
        "extend-select-ALM",
        "plain-ignore",
        "extend-select-ALM105",
        "select-ALM105",
        "select-ALM1",
        "config-extend-select",
        "select-ALM2",
        "preview-select-ALM",
        "preview-select-ALM2",
    ],
)
def test_opt_in_rules_need_an_explicit_code_or_family(
    project: Path, config: str, args: list[str], expected: set[str]
) -> None:
    (project / "setup.cfg").write_text("[flake8]\n" + config)
    write(project, "0123456789ab_unnamed.py", UNNAMED)  # the name carries another revision id: ALM105
    result = run_flake8(project, *args, "scripts")
    assert result.returncode == (1 if expected else 0), result.stderr
    assert {code for _, _, code in codes(result.stdout) if code.startswith("ALM")} == expected


@pytest.mark.parametrize(
    ("where", "option"),
    [
        ("cli", "--alembic-target-dialects=postgresq"),
        ("cli", "--alembic-downgrades=sometimes"),
        ("cli", "--alembic-target-alembic-version=one"),
        ("setup.cfg", "alembic-target-dialects = postgresq"),
        ("setup.cfg", "alembic_autocommit_connections = maybe"),
    ],
)
def test_bad_option_value_is_one_argparse_error(project: Path, where: str, option: str) -> None:
    write(project, "a.py", MIGRATION.format(noqa=""))
    if where == "cli":
        result = run_flake8(project, "--select", "ALM", option, "scripts")
    else:
        (project / "setup.cfg").write_text(f"[flake8]\n{option}\n")
        result = run_flake8(project, "--select", "ALM", "scripts")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "flake8: error: argument --alembic-" in result.stderr
    assert "allowed" in result.stderr or "expected" in result.stderr


def test_bad_pyproject_value_is_one_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.flake8-alembic]\ndowngrades = "sometimes"\n')
    write(project, "a.py", MIGRATION.format(noqa=""))
    result = run_flake8(project, "--select", "ALM", "scripts")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "downgrades: invalid value 'sometimes'; allowed: required, forward-only" in result.stderr


def test_pyproject_settings_apply_and_cli_overrides(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.flake8-alembic]\ndowngrades = "forward-only"\n')
    missing = MIGRATION.format(noqa="").split("\n\ndef downgrade")[0] + "\n"
    write(project, "a.py", missing)
    quiet = run_flake8(project, "--select", "ALM001", "--alembic-preview=true", "scripts")
    assert (quiet.returncode, quiet.stdout) == (0, "")
    loud = run_flake8(
        project, "--select", "ALM001", "--alembic-preview=true", "--alembic-downgrades=required", "scripts"
    )
    assert codes(loud.stdout) == [("a.py", 12, "ALM001")]


def test_syntax_error_is_flake8s_E999_not_ours(project: Path) -> None:
    write(project, "a.py", 'revision = "a"\ndown_revision = None\ndef upgrade(:\n')
    result = run_flake8(project, "scripts")
    assert "E999" in result.stdout and "ALM000" not in result.stdout


def test_stdin_display_name(project: Path) -> None:
    result = run_flake8(
        project,
        "--select",
        "ALM",
        "--alembic-preview=true",
        "--stdin-display-name",
        "scripts/z.py",
        "-",
        stdin=MIGRATION.format(noqa=""),
    )
    assert codes(result.stdout) == [("z.py", 13, "ALM002"), ("z.py", 16, "ALM001")]


def _fixture_groups() -> list[tuple[str, list[Fixture]]]:
    groups: dict[str, list[Fixture]] = defaultdict(list)
    for fixture in all_fixtures():
        key = ";".join(f"{k}={v}" for k, v in sorted(fixture.settings_text.items()))
        groups[key].append(fixture)
    return sorted(groups.items())


@pytest.mark.parametrize(
    ("settings", "fixtures"), _fixture_groups(), ids=[key or "defaults" for key, _ in _fixture_groups()]
)
def test_flake8_reports_every_fixture_expectation(project: Path, settings: str, fixtures: list[Fixture]) -> None:
    """The same fixtures as test_fixtures, through real flake8: the plugin and the engine agree."""
    names = []
    for index, fixture in enumerate(fixtures):
        name = f"f{index:03d}_{fixture.code}_{fixture.path.name}"
        shutil.copy(fixture.path, project / name)
        names.append(name)
    options = [f"--alembic-{key}={value}" for key, value in fixtures[0].settings_text.items()]
    opt_in = ",".join(sorted(OPT_IN_CODES))
    result = run_flake8(
        project, "--select", "ALM", "--extend-select", opt_in, "--alembic-preview=true", *options, *names
    )
    assert "Traceback" not in result.stderr, result.stderr
    found = codes(result.stdout)
    for name, fixture in zip(names, fixtures):
        mine = {(row, code) for file, row, code in found if file == name and code in fixture.scope}
        assert mine == set(fixture.expected), (fixture.id, mine ^ set(fixture.expected))


def test_flake8_j1_builds_each_environment_once(tmp_path: Path) -> None:
    """flake8 hands the plugin one file at a time; the environment is still read once per process."""
    from flake8.main.application import Application

    from flake8_alembic.engine import PROCESS_CACHE

    source = REPO / "tests" / "fixtures" / "histories" / "linear_healthy"
    shutil.copytree(source, tmp_path / "linear_healthy")
    files = sorted(str(path) for path in (tmp_path / "linear_healthy" / "versions").glob("*.py"))
    assert len(files) == 12
    history = PROCESS_CACHE.history
    assert history is not None
    before = history.builds
    application = Application()
    application.run(["--isolated", "--select", "ALM", "--jobs", "1", "--output-file", os.devnull, *files])
    assert application.result_count == 0
    assert history.builds - before == 1
