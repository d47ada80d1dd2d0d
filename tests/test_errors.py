"""Every user mistake is one line on stderr, exit 2, no "internal error", with a suggestion when a name is misspelled.

The texts are asserted whole: a changed message is a change a user sees.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.cli import main

REPO = Path(__file__).resolve().parent.parent
BAD = (REPO / "tests" / "fixtures" / "ALM002" / "bad_plain.py").read_text()


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / "scripts").mkdir()
    (tmp_path / "scripts" / "bad.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def failure(args: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and "internal error" not in err, err
    return err.rstrip("\n")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["check", "--changed-since", "nosuchref", "scripts"],
            "flake8-alembic: error: --changed-since nosuchref: fatal: bad revision 'nosuchref'",
        ),
        (["rule"], "flake8-alembic: error: rule: give a rule code such as ALM002, or --all for every rule"),
        (
            ["rule", "ALM99"],
            "flake8-alembic: error: unknown rule 'ALM99' (did you mean 'ALM900'?); "
            "`flake8-alembic rule --all` lists them",
        ),
        (
            ["rule", "ALM10"],
            "flake8-alembic: error: 'ALM10' is a prefix, not a rule: give one of ALM101, ALM102, ALM103, ALM104, "
            "ALM105, ALM106, ALM107",
        ),
        (
            ["chek"],
            "flake8-alembic: error: unknown command 'chek' (did you mean 'check'?); the commands are check, rule, "
            "baseline, verify, server",
        ),
        (["check", "nothere"], "flake8-alembic: error: path not found: nothere"),
        (
            ["check", "--selct", "ALM", "scripts"],
            "flake8-alembic: error: unrecognized option(s): --selct (did you mean '--select'?); see "
            "`flake8-alembic check --help`",
        ),
        (
            ["--selct", "ALM"],
            "flake8-alembic: error: unrecognized option(s): --selct (did you mean '--select'?); see "
            "`flake8-alembic check --help`",
        ),
        (
            ["check", "--select", "ALM999", "scripts"],
            "flake8-alembic: error: select: unknown rule selector 'ALM999' (did you mean 'ALM900'?); "
            "`flake8-alembic rule --all` lists them",
        ),
        (
            ["check", "--per-file-ignores", "scripts/bad.py", "scripts"],
            "flake8-alembic: error: argument --per-file-ignores: invalid per-file-ignores entry 'scripts/bad.py'; "
            "expected GLOB:CODE[,CODE]",
        ),
        (
            ["check", "--baseline-revision", "a,b", "scripts"],
            "flake8-alembic: error: baseline-revision (command line): 'a' is no revision or branch label of the "
            "Alembic environments linted (none found)",
        ),
        (
            ["check", "--config", "missing.toml", "scripts"],
            "flake8-alembic: error: --config: missing.toml: no such file",
        ),
    ],
    ids=lambda value: value[1] if isinstance(value, list) and len(value) > 1 else str(value)[:30],
)
def test_command_line_mistakes(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    assert failure(args, capsys) == expected


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        (
            '[tool.flake8_alembic]\nselect = ["ALM"]\n',
            "[tool.flake8_alembic] is not read: the table is [tool.flake8-alembic] (the distribution's name, with a "
            "dash)",
        ),
        (
            '[tool.flake8-alembic]\nselct = ["ALM"]\n',
            "[tool.flake8-alembic]: unknown key 'selct' (did you mean 'select'?); allowed: "
            "allowed-imports, application-import-names, autocommit-connections, banned-imports, baseline-revision, "
            "cache, cache-dir, downgrades, exclude, extend-exclude, extend-ignore, extend-select, external-tables, "
            "guard-alters, guard-drops, ignore, output-format, per-file-ignores, postgres-version, preview, select, "
            "target-alembic-version, target-dialects, target-sqlalchemy-version",
        ),
        (
            '[tool.flake8-alembic]\nper-file-ignores = [["x", "y"]]\n',
            '[tool.flake8-alembic]: per-file-ignores: expected a table {"GLOB" = ["CODE", ...]} or a list of '
            '"GLOB:CODE,CODE" strings',
        ),
        (
            '[tool.flake8-alembic]\nper-file-ignores = ["scripts/bad.py"]\n',
            "[tool.flake8-alembic]: per-file-ignores: invalid per-file-ignores entry 'scripts/bad.py'; expected "
            "GLOB:CODE[,CODE]",
        ),
        (
            '[tool.flake8-alembic]\ndowngrades = "never"\n',
            "[tool.flake8-alembic]: downgrades: invalid value 'never'; allowed: required, forward-only",
        ),
        ("[tool.flake8-alembic]\nselect = [\n", "invalid TOML: "),
    ],
    ids=["import-name-table", "unknown-key", "per-file-list-of-lists", "per-file-entry", "bad-value", "broken"],
)
def test_configuration_mistakes_in_both_faces(
    project: Path, capsys: pytest.CaptureFixture[str], table: str, expected: str
) -> None:
    pyproject = project / "pyproject.toml"
    pyproject.write_text(table)
    err = failure(["check", "scripts"], capsys)
    assert err.startswith(f"flake8-alembic: error: {pyproject}")
    assert expected in err
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "ALM", "scripts"], cwd=project, capture_output=True, text=True
    )
    assert flake8.returncode == 2 and "Traceback" not in flake8.stderr
    assert f"flake8: error: {pyproject}" in flake8.stderr and expected in flake8.stderr


def test_per_file_ignores_forms_and_globs(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True)
    (versions / "bad.py").write_text(BAD)
    pyproject = project / "pyproject.toml"
    for value in (
        '{"**/versions/*.py" = ["ALM002"]}',  # ruff's table
        '["**/versions/*.py:ALM002"]',  # a list of flake8-style entries
        '{"bad.py" = ["ALM0"]}',  # no slash: the file name, anywhere
        '{"migrations/versions/*.py" = ["ALM002"]}',  # relative to the configuration's folder
    ):
        pyproject.write_text(f"[tool.flake8-alembic]\nper-file-ignores = {value}\n")
        assert main(["check", "--preview", "--select", "ALM002", "migrations"]) == 0, value
        assert capsys.readouterr().err == ""
    pyproject.write_text('[tool.flake8-alembic]\nper-file-ignores = {"versions/*.py" = ["ALM002"]}\n')
    assert main(["check", "--preview", "--select", "ALM002", "migrations"]) == 1
    assert capsys.readouterr().err == (
        f"warning: per-file-ignores pattern 'versions/*.py' matches no linted file (it is matched against paths "
        f"relative to {project}; to match a folder at any depth, start it with **/)\n"
    )
    # The --help example matches a versions folder at any depth.
    pyproject.unlink()
    assert (
        main(
            ["check", "--preview", "--select", "ALM002", "--per-file-ignores", "**/versions/*.py:ALM002", "migrations"]
        )
        == 0
    )
    assert (
        main(["check", "--preview", "--select", "ALM002", "--per-file-ignores", "versions/*.py:ALM002", "migrations"])
        == 1
    )
