"""The standalone command: exit codes, errors, selection, noqa, adoption; findings equal the fixtures'."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.cli import main
from flake8_alembic.rules.registry import OPT_IN_CODES

from .fixture_support import Fixture, all_fixtures

REPO = Path(__file__).resolve().parent.parent
HISTORIES = REPO / "tests" / "fixtures" / "histories"
BAD = '''"""Drop the legacy table"""
from alembic import op

revision = "b1"
down_revision = None


def upgrade():
    op.drop_table("legacy"){noqa}


def downgrade():
    raise NotImplementedError("data is gone")
'''
CLEAN = '''"""Add a note column"""
import sqlalchemy as sa
from alembic import op

revision = "c1"
down_revision = None


def upgrade():
    op.add_column("users", sa.Column("note", sa.Text(), nullable=True))


def downgrade():
    op.drop_column("users", "note")
'''


def run(args: list[str], cwd: Path, monkeypatch: pytest.MonkeyPatch, stdin: str = "") -> tuple[int, str]:
    monkeypatch.chdir(cwd)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    out = io.StringIO()
    code = main(args, stdout=out)
    return code, out.getvalue()


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "scripts").mkdir()
    return tmp_path


def test_exit_codes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "scripts" / "bad.py").write_text(BAD.format(noqa=""))
    (project / "scripts" / "clean.py").write_text(CLEAN)
    assert run(["check", "scripts/bad.py"], project, monkeypatch)[0] == 1
    assert run(["check", "scripts/clean.py"], project, monkeypatch) == (0, "All checks passed!\n")
    assert run(["check", "--exit-zero", "scripts/bad.py"], project, monkeypatch)[0] == 0
    code, out = run(["check", "--output-format", "concise", "scripts"], project, monkeypatch)
    assert code == 1 and "scripts/bad.py:9:5: ALM002" in out and "Found 1 error." in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["check", "--no-such-option"], "unrecognized option(s): --no-such-option"),
        (["check", "missing/"], "path not found: missing/"),
        (["check", "--select", "ALM999", "scripts"], "unknown rule selector 'ALM999'"),
        (["check", "--select", "alm-1", "scripts"], "invalid rule selector"),
        (["check", "--output-format", "xml", "scripts"], "invalid choice: 'xml'"),
        (["check", "--target-dialects", "postgres", "scripts"], "invalid dialect 'postgres'"),
        (["rule", "ALM999"], "unknown rule 'ALM999'"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _ = run(args, project, monkeypatch)
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_broken_pyproject_and_unknown_key(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "scripts" / "bad.py").write_text(BAD.format(noqa=""))
    (project / "pyproject.toml").write_text("[tool.flake8-alembic]\nselect = [\n")
    assert run(["check", "scripts"], project, monkeypatch)[0] == 2
    assert "invalid TOML" in capsys.readouterr().err
    (project / "pyproject.toml").write_text('[tool.flake8-alembic]\nflavour = "x"\n')
    assert run(["check", "scripts"], project, monkeypatch)[0] == 2
    err = capsys.readouterr().err
    assert "unknown key 'flavour'" in err and "allowed:" in err and err.count("\n") == 1


def test_unreadable_file(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    target = project / "scripts" / "bad.py"
    target.write_text(BAD.format(noqa=""))
    original = Path.read_bytes

    def refuse(self: Path) -> bytes:
        if self.name == "bad.py":
            raise PermissionError(13, "Permission denied")
        return original(self)

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert run(["check", "scripts/bad.py"], project, monkeypatch)[0] == 2
    assert "cannot read scripts/bad.py: Permission denied" in capsys.readouterr().err


def test_folder_without_migrations_warns_and_exits_0(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "scripts" / "util.py").write_text("print('hello')\n")
    assert run(["check", "scripts"], project, monkeypatch)[0] == 0
    assert capsys.readouterr().err == "warning: no Alembic migrations found under the given path(s)\n"


def test_noqa_forms(project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "coded.py": ("  # noqa: ALM002", 0),
        "other_code.py": ("  # noqa: ALM001", 1),
        "blanket_prefix.py": ("  # noqa: ALM", 0),
        "unspaced.py": ("  #noqa:ALM002", 1),
    }
    for name, (comment, _) in cases.items():
        (project / "scripts" / name).write_text(BAD.format(noqa=comment))
    (project / "scripts" / "file_level.py").write_text("# flake8: noqa\n" + BAD.format(noqa=""))
    for name, (_, expected) in cases.items():
        assert run(["check", f"scripts/{name}"], project, monkeypatch)[0] == expected, name
    err = capsys.readouterr().err
    assert "blanket noqa for flake8" in err and "without a space is no noqa comment for flake8" in err
    assert run(["check", "scripts/file_level.py"], project, monkeypatch)[0] == 0


def test_per_file_ignores_and_selection(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "scripts" / "bad.py").write_text(BAD.format(noqa=""))
    assert run(["check", "--per-file-ignores", "scripts/*.py:ALM002", "scripts"], project, monkeypatch)[0] == 0
    assert run(["check", "--ignore", "ALM0", "scripts"], project, monkeypatch)[0] == 0
    assert run(["check", "--ignore", "ALM0", "--select", "ALM002", "scripts"], project, monkeypatch)[0] == 1
    (project / "pyproject.toml").write_text(
        '[tool.flake8-alembic]\nper-file-ignores = {"scripts/bad.py" = ["ALM002"]}\n'
    )
    assert run(["check", "scripts"], project, monkeypatch)[0] == 0


def test_rule_docs(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(["rule", "ALM004"], project, monkeypatch)
    assert code == 0 and out.startswith("# ALM004 foreign-key-type-mismatch\n") and "## Use instead" in out
    code, out = run(["rule", "--all"], project, monkeypatch)
    assert code == 0 and out.count("\n## What it does") == len(list((REPO / "flake8_alembic" / "docs").glob("*.md")))


def test_stdin_filename(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out = run(
        ["check", "--output-format", "concise", "--stdin-filename", "scripts/x.py"],
        project,
        monkeypatch,
        stdin=BAD.format(noqa=""),
    )
    assert code == 1 and "scripts/x.py:9:5: ALM002" in out


def _cli_findings(fixture: Fixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> set[tuple[int, str]]:
    target = tmp_path / fixture.path.name
    shutil.copy(fixture.path, target)
    (tmp_path / ".git").mkdir(exist_ok=True)
    options = [f"--{key}={value}" for key, value in fixture.settings_text.items() if key != "preview"]
    if fixture.settings_text.get("preview") == "false":  # a switch on the command line: --no-preview wins last
        options.append("--no-preview")
    code, out = run(
        [
            "check",
            "--select",
            "ALM",
            "--extend-select",
            ",".join(sorted(OPT_IN_CODES)),
            "--preview",
            "--output-format",
            "json",
            *options,
            target.name,
        ],
        tmp_path,
        monkeypatch,
    )
    assert code in (0, 1)
    return {(record["location"]["row"], record["code"]) for record in json.loads(out)}


@pytest.mark.parametrize("fixture", all_fixtures(), ids=lambda fixture: fixture.id)
def test_cli_reports_the_fixture_expectations(
    fixture: Fixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same expectations the plugin is held to (tests/test_flake8.py), through the standalone command."""
    found = {item for item in _cli_findings(fixture, monkeypatch, tmp_path) if item[1] in fixture.scope}
    assert found == set(fixture.expected)


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _history(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    shutil.copytree(HISTORIES / "linear_healthy", root)
    for index, path in enumerate(sorted((root / "versions").glob("*.py"))):
        drop = f"def upgrade() -> None:\n    op.drop_table('old_{index}')\n"
        text = path.read_text().replace("def upgrade() -> None:\n", drop)
        path.write_text(text)
    return root


def test_baseline_revision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _history(tmp_path)
    files = sorted((root / "versions").glob("*.py"))
    baseline = files[-2].name.split("_")[0]
    code, out = run(
        ["check", "--output-format", "json", "--baseline-revision", baseline, "versions"], root, monkeypatch
    )
    reported = {Path(record["filename"]).name for record in json.loads(out)}
    assert code == 1 and reported == {files[-1].name}


def test_changed_since_and_add_noqa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _history(tmp_path)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-qm", "history")
    changed = sorted((root / "versions").glob("*.py"))[3]
    changed.write_text(changed.read_text() + "\n")
    code, out = run(["check", "--output-format", "json", "--changed-since", "HEAD", "versions"], root, monkeypatch)
    assert code == 1 and {Path(record["filename"]).name for record in json.loads(out)} == {changed.name}
    code, out = run(["check", "--add-noqa", "versions"], root, monkeypatch)
    assert code == 0 and out == "Added 12 noqa directives.\n"
    assert run(["check", "versions"], root, monkeypatch)[0] == 0
    assert "# noqa: ALM002" in changed.read_text()


def test_python_m_and_console_script_start(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(CLEAN)
    result = subprocess.run(
        [sys.executable, "-m", "flake8_alembic", "check", "a.py"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0 and result.stdout == "All checks passed!\n", result.stderr
    assert "flake8" not in subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, flake8_alembic.cli; print(sorted(m for m in sys.modules if m.startswith('flake8')))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.replace("flake8_alembic", "")


def test_discovery_respects_gitignore_and_excludes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _git(tmp_path, "init", "-q")
    for folder in ("kept", "ignored_by_git", "build", "custom"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "bad.py").write_text(BAD.format(noqa=""))
    (tmp_path / ".gitignore").write_text("ignored_by_git/\n")
    code, out = run(["check", "--output-format", "json", "."], tmp_path, monkeypatch)
    reported = {Path(record["filename"]).parent.name for record in json.loads(out)}
    assert code == 1 and reported == {"kept", "custom"}
    code, out = run(["check", "--output-format", "json", "--extend-exclude", "custom", "."], tmp_path, monkeypatch)
    assert {Path(record["filename"]).parent.name for record in json.loads(out)} == {"kept"}
    explicit = ["check", "--output-format", "json", "--extend-exclude", "custom", "custom/bad.py"]
    assert run(explicit, tmp_path, monkeypatch)[0] == 1  # an explicit path is read...
    assert run([*explicit[:-1], "--force-exclude", "custom/bad.py"], tmp_path, monkeypatch)[0] == 0  # ...unless forced


def test_non_migrations_are_silent_even_broken_and_broken_migrations_are_E999(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "scripts" / "not_python_really.py").write_text("def broken(:\n")
    assert run(["check", "scripts/not_python_really.py"], project, monkeypatch)[0] == 0
    (project / "scripts" / "broken_migration.py").write_text('revision = "a"\ndown_revision = None\ndef upgrade(:\n')
    code, out = run(["check", "--output-format", "concise", "scripts/broken_migration.py"], project, monkeypatch)
    assert code == 1 and "scripts/broken_migration.py:3:13: E999 SyntaxError" in out


def test_a_passed_file_is_judged_against_the_whole_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pre-commit passes only the changed file: the history is still read, and only that file is reported."""
    root = tmp_path / "proj"
    shutil.copytree(HISTORIES / "two_heads", root)
    code, out = run(["check", "--output-format", "json", "versions/c04a_x.py"], root, monkeypatch)
    records = json.loads(out)
    assert code == 1
    assert {(Path(record["filename"]).name, record["code"]) for record in records} == {("c04a_x.py", "ALM101")}


def test_file_noqa_with_codes_skips_the_file_as_flake8_does_and_warns(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "scripts" / "bad.py").write_text("# flake8: noqa: E402\n" + BAD.format(noqa=""))
    assert run(["check", "scripts/bad.py"], project, monkeypatch)[0] == 0
    assert "skip the whole file for every code" in capsys.readouterr().err
