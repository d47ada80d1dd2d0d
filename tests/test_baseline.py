"""Adopting the linter on an existing history with two environments: several baseline ids, written by
`flake8-alembic baseline`, given on the command line or as a TOML list; an unknown id is an error (a warning under
flake8, which sees one environment at a time)."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.baseline import tomllib, with_key
from flake8_alembic.cli import main

REVISION = '''"""Drop the unnamed constraint of {table}"""
from alembic import op

revision = "{revision}"
down_revision = {down!r}


def upgrade():
    op.drop_constraint(None, "{table}")


def downgrade():
    raise NotImplementedError("{table} is gone for good")
'''


def add(environment: Path, revision: str, down: str | None) -> Path:
    path = environment / "versions" / f"{revision}.py"
    path.write_text(REVISION.format(revision=revision, down=down, table=f"old_{revision}"))
    return path


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A service with two Alembic environments (core and tenant), each with two revisions."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\n')
    for name, revisions in (("core", ("c1", "c2")), ("tenant", ("t1", "t2"))):
        environment = tmp_path / "alembic" / name
        (environment / "versions").mkdir(parents=True)
        (environment / "env.py").write_text("")
        previous = None
        for revision in revisions:
            add(environment, revision, previous)
            previous = revision
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(args), stdout=out), out.getvalue()


def reported_files(output: str) -> list[str]:
    return sorted({line.split(":", 1)[0] for line in output.splitlines() if "ALM025" in line})


def test_the_baseline_command_writes_every_head_and_only_new_revisions_are_reported(project: Path) -> None:
    code, out = run("check", "--output-format", "concise", "--no-cache")
    assert code == 1 and len(reported_files(out)) == 4
    code, out = run("baseline")
    assert (code, out) == (0, f"wrote baseline-revision = ['c2', 't2'] into {project / 'pyproject.toml'}\n")
    table = tomllib.loads((project / "pyproject.toml").read_text())
    assert table["project"] == {"name": "svc"}
    assert table["tool"]["flake8-alembic"] == {"baseline-revision": ["c2", "t2"]}
    assert run("check", "--no-cache")[0] == 0
    add(project / "alembic" / "core", "c3", "c2")
    code, out = run("check", "--output-format", "concise", "--no-cache")
    assert code == 1 and reported_files(out) == ["alembic/core/versions/c3.py"]
    # Running it again moves the baseline to today's heads, replacing the key.
    assert run("baseline")[0] == 0
    assert tomllib.loads((project / "pyproject.toml").read_text())["tool"]["flake8-alembic"] == {
        "baseline-revision": ["c3", "t2"]
    }


def test_several_ids_on_the_command_line_and_as_a_toml_list(project: Path) -> None:
    code, out = run("check", "--output-format", "concise", "--no-cache", "--baseline-revision", "c1,t2")
    assert code == 1 and reported_files(out) == ["alembic/core/versions/c2.py"]
    (project / "pyproject.toml").write_text('[tool.flake8-alembic]\nbaseline-revision = ["c2", "t1"]\n')
    code, out = run("check", "--output-format", "concise", "--no-cache")
    assert code == 1 and reported_files(out) == ["alembic/tenant/versions/t2.py"]


def test_an_unknown_id_is_an_error_in_the_command_and_a_warning_under_flake8(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.flake8-alembic]\nbaseline-revision = ["c2", "t9"]\n')
    assert run("check", "--no-cache")[0] == 2
    assert capsys.readouterr().err == (
        f"flake8-alembic: error: baseline-revision (set in {project / 'pyproject.toml'}): 't9' is no revision or "
        "branch label of the Alembic environments linted (2 found)\n"
    )
    for known, expected in (("t1", ""), ("c1", ""), ("t9", "t9")):
        flake8 = subprocess.run(
            [
                sys.executable,
                "-m",
                "flake8",
                "-j1",
                "--select",
                "ALM025",
                f"--alembic-baseline-revision={known}",
                "alembic/tenant",
            ],
            capture_output=True,
            text=True,
            cwd=project,
        )
        assert flake8.returncode == 1, flake8.stderr
        warning = (
            f"flake8-alembic: warning: baseline-revision {expected!r} is no revision of the Alembic environments of "
            f"{project}\n"
        )
        assert flake8.stderr == (warning if expected else ""), known


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", '[tool.flake8-alembic]\nbaseline-revision = ["a", "b"]\n'),
        ('[project]\nname = "x"\n', '[project]\nname = "x"\n\n[tool.flake8-alembic]\nbaseline-revision = ["a", "b"]\n'),
        (
            '[tool.flake8-alembic]\nselect = ["ALM"]\n\n[tool.other]\nx = 1\n',
            '[tool.flake8-alembic]\nbaseline-revision = ["a", "b"]\nselect = ["ALM"]\n\n[tool.other]\nx = 1\n',
        ),
        (
            '[tool.flake8-alembic]\nbaseline-revision = [\n  "old",\n  "older",\n]\nselect = ["ALM"]\n',
            '[tool.flake8-alembic]\nbaseline-revision = ["a", "b"]\nselect = ["ALM"]\n',
        ),
    ],
    ids=["empty", "no-table", "table", "multi-line-key"],
)
def test_the_key_is_written_into_the_table(text: str, expected: str) -> None:
    assert with_key(text, ["a", "b"]) == expected
