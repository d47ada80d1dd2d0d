"""`flake8-alembic verify` as a command: every output format `check` has, exit codes 0/1/2, a progress line per
revision on a terminal (none in a pipe), its help saying it runs project code, and the missing extra."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from flake8_alembic.cli import main
from flake8_alembic.output import FORMATS

REPO = Path(__file__).resolve().parent.parent
VERIFY = REPO / "tests" / "fixtures" / "verify"
LEAVES = VERIFY / "downgrade_leaves_column"


@pytest.fixture(scope="module")
def leaves_results() -> dict[str, tuple[int, str]]:
    """The downgrade_leaves_column history's results in every format (one run each: the walk is cheap here)."""
    results = {}
    for output_format in FORMATS:
        out = io.StringIO()
        status = main(["verify", str(LEAVES), "-q", "--output-format", output_format], stdout=out)
        results[output_format] = (status, out.getvalue())
    return results


@pytest.mark.parametrize("output_format", FORMATS)
def test_every_output_format_of_check_renders_verify_results(
    output_format: str, leaves_results: dict[str, tuple[int, str]]
) -> None:
    status, text = leaves_results[output_format]
    assert status == 1
    assert "ALV004" in text and "l02_pins.py" in text
    if output_format in ("json", "gitlab", "sarif"):
        json.loads(text)
    elif output_format == "json-lines":
        assert [json.loads(line)["code"] for line in text.splitlines()] == ["ALV005", "ALV004"]
    elif output_format == "junit":
        ElementTree.fromstring(text)


def test_the_full_format_shows_the_revision_line(leaves_results: dict[str, tuple[int, str]]) -> None:
    _, text = leaves_results["full"]
    assert "ALV004 revision l02, step downgrade to l01: the downgrade leaves behind" in text
    assert "20 | def downgrade() -> None:  # verify: ALV004" in text
    sarif = json.loads(leaves_results["sarif"][1])
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["ALV004"]["name"] == "downgrade-mismatch"


def test_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(VERIFY / "healthy"), "-q"], stdout=io.StringIO()) == 0
    assert main(["verify", str(LEAVES), "-q"], stdout=io.StringIO()) == 1
    assert main(["verify", str(tmp_path / "missing")], stdout=io.StringIO()) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert main(["verify", "--no-such-option"], stdout=io.StringIO()) == 2
    assert main(["verify", str(tmp_path)], stdout=io.StringIO()) == 2  # no alembic.ini, no env.py
    assert "--env-py generic" in capsys.readouterr().err


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_line_per_revision_on_a_terminal_and_none_in_a_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    main(["verify", str(VERIFY / "healthy")], stdout=io.StringIO())
    lines = terminal.getvalue().splitlines()
    progress = [line for line in lines if line.startswith("verify [")]
    assert [line.split("]")[0] for line in progress] == [f"verify [{n}/6" for n in range(1, 7)]
    assert progress[0].startswith("verify [1/6] h01: ok (")
    assert lines[-1].startswith("verify: 6 of 6 revisions passed on sqlite (")
    pipe = io.StringIO()
    monkeypatch.setattr(sys, "stderr", pipe)
    main(["verify", str(VERIFY / "healthy")], stdout=io.StringIO())
    assert not [line for line in pipe.getvalue().splitlines() if line.startswith("verify [")]


def test_the_output_file_option(tmp_path: Path) -> None:
    target = tmp_path / "results.json"
    main(["verify", str(LEAVES), "-q", "--output-format", "json", "--output-file", str(target)], stdout=io.StringIO())
    assert {record["code"] for record in json.loads(target.read_text())} == {"ALV004", "ALV005"}


def test_help_says_it_runs_the_project_code(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"], stdout=io.StringIO())
    assert "EXECUTES the project's env.py and migration code" in " ".join(capsys.readouterr().out.split())
    with pytest.raises(SystemExit):
        main(["--help"], stdout=io.StringIO())  # the top-level help lists it
    assert "(executes project code)" in " ".join(capsys.readouterr().out.split())


@pytest.mark.slow
def test_without_the_extra_it_says_how_to_install_it(tmp_path: Path) -> None:
    """A Python without site-packages (so without SQLAlchemy and Alembic) running this checkout."""
    script = "import sys; from flake8_alembic.cli import main; sys.exit(main(['verify', '.']))"
    result = subprocess.run(
        [sys.executable, "-S", "-c", script],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        "flake8-alembic: error: verify needs SQLAlchemy and Alembic: pip install 'flake8-alembic[verify]'"
    ]
