"""Whole-project fixtures, one per cause of false alarms (issue "precision"): each folder under
tests/fixtures/projects/ is a small project (its own pyproject.toml or setup.cfg, and whatever else the cause needs:
alembic.ini, env.py, application code, pins) linted by `flake8-alembic check` run from the folder with no path,
as a user runs it. `fixture.toml` says what the fixture is about:

    cause = 1                                  # the cause it exercises (1-7)
    about = "a placeholder URL and a pymysql pin: a MySQL project"
    codes = ["ALM206"]                         # the codes it judges; others are ignored
    xfail = "why the engine still gets it wrong"  # optional: a known false alarm, xfail(strict=True)

The findings of `codes` must be exactly the `# expect: ALMxxx` comments of the folder's files: a *good* fixture has
none, a *bad* one names each finding's line. A good fixture is committed first with `xfail`; the commit of the
mechanism that fixes the cause removes it (strict: an xfail that starts passing fails the suite).
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from flake8_alembic.cli import main

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11 only
    import tomli as tomllib

PROJECTS = Path(__file__).parent / "fixtures" / "projects"
_EXPECT = re.compile(r"#\s*expect:\s*(ALM\d{3}(?:\s*,\s*ALM\d{3})*)")
_ROOT_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")


@dataclass(frozen=True)
class ProjectFixture:
    folder: Path
    cause: int
    about: str
    codes: tuple[str, ...]
    xfail: str | None
    args: tuple[str, ...]

    @property
    def expected(self) -> set[tuple[str, int, str]]:
        found = set()
        for path in sorted(self.folder.rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
                match = _EXPECT.search(line)
                if match:
                    for code in match.group(1).split(","):
                        found.add((path.relative_to(self.folder).as_posix(), number, code.strip()))
        return {item for item in found if item[2] in self.codes}


def read_project(folder: Path) -> ProjectFixture:
    table = tomllib.loads((folder / "fixture.toml").read_text(encoding="utf-8"))
    return ProjectFixture(
        folder=folder,
        cause=int(table["cause"]),
        about=str(table["about"]),
        codes=tuple(table["codes"]),
        xfail=table.get("xfail"),
        args=tuple(table.get("args", ())),
    )


def project_fixtures() -> list[ProjectFixture]:
    return [read_project(folder) for folder in sorted(PROJECTS.iterdir()) if (folder / "fixture.toml").is_file()]


def run_check(folder: Path, *args: str) -> tuple[int, str]:
    out = io.StringIO()
    previous = os.getcwd()
    os.chdir(folder)
    try:
        return main(["check", "--no-cache", "--preview", *args], stdout=out), out.getvalue()
    finally:
        os.chdir(previous)


def findings(fixture: ProjectFixture) -> set[tuple[str, int, str]]:
    code, out = run_check(fixture.folder, "--output-format", "json", "--select", ",".join(fixture.codes), *fixture.args)
    assert code in (0, 1), out
    found = set()
    for item in json.loads(out):
        path = Path(item["filename"])
        absolute = (path if path.is_absolute() else fixture.folder / path).resolve()
        relative = absolute.relative_to(fixture.folder.resolve())
        found.add((relative.as_posix(), item["location"]["row"], item["code"]))
    assert not any(code == "ALM000" for _, _, code in found)
    return found


def _cases() -> list[object]:
    return [
        pytest.param(fixture, id=fixture.folder.name, marks=[pytest.mark.xfail(reason=fixture.xfail, strict=True)])
        if fixture.xfail
        else pytest.param(fixture, id=fixture.folder.name)
        for fixture in project_fixtures()
    ]


@pytest.mark.parametrize("fixture", _cases())
def test_project_findings_match_expectations(fixture: ProjectFixture) -> None:
    assert findings(fixture) == fixture.expected


def test_every_project_fixture_is_its_own_project() -> None:
    """A fixture without a root marker would be read as part of this repository (its pins, its packages)."""
    fixtures = project_fixtures()
    for fixture in fixtures:
        assert any((fixture.folder / marker).is_file() for marker in _ROOT_MARKERS), fixture.folder
        assert 1 <= fixture.cause <= 7 and fixture.codes and fixture.about, fixture.folder
    assert sorted({folder.name for folder in PROJECTS.iterdir() if folder.is_dir()}) == sorted(
        fixture.folder.name for fixture in fixtures
    )


def test_each_cause_has_a_bad_and_a_good_fixture() -> None:
    by_cause: dict[int, set[bool]] = {}
    for fixture in project_fixtures():
        by_cause.setdefault(fixture.cause, set()).add(bool(fixture.expected))
    missing = [cause for cause in range(1, 8) if by_cause.get(cause) != {True, False}]
    assert not missing, f"causes without both a bad and a good project fixture: {missing}"
