"""Snapshots of every finding, as ruff's insta snapshots: one file per fixture folder under tests/snapshots/, each
finding as ``line:column CODE message`` (every rule on, opt-in ones included), compared in full. A changed column
or message fails here; the diff of a snapshot belongs to the commit that changes behaviour.

Rewrite them with ``python -m pytest tests/test_snapshots.py --snapshot-update`` (refused under CI) and review the
diff before committing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from flake8_alembic.engine import lint_source

from .fixture_support import FIXTURES, hermetic_cache, read_fixture
from .test_history import HISTORIES, lint_history_results
from .test_projects import PROJECTS

SNAPSHOTS = Path(__file__).parent / "snapshots"
HEADER = (
    "# Every finding on {what}, as line:column CODE message (all rules on, opt-in included).\n"
    "# Rewritten by `python -m pytest tests/test_snapshots.py --snapshot-update`; review the diff.\n"
)


def fixture_snapshot(folder: Path) -> str:
    blocks = [HEADER.format(what=f"tests/fixtures/{folder.name}")]
    for path in sorted(folder.glob("*.py")):
        fixture = read_fixture(path)
        result = lint_source(str(path), path.read_bytes(), fixture.settings(), hermetic_cache([path]))
        blocks.append(_block(path.name, result.failure, result.diagnostics))
    return "\n".join(blocks)


def history_snapshot(root: Path) -> str:
    blocks = [HEADER.format(what=f"tests/fixtures/histories/{root.name}")]
    for relative, result in lint_history_results(root):
        blocks.append(_block(relative, result.failure, result.diagnostics))
    return "\n".join(blocks)


def project_snapshot(folder: Path) -> str:
    """`flake8-alembic check` run from a project fixture with every rule on (preview and opt-in included)."""
    from flake8_alembic.rules.registry import RULES

    from .test_projects import run_check

    everything = ",".join(info.code for info in RULES)
    _, out = run_check(folder, "--output-format", "concise", "--select", everything)
    return HEADER.format(what=f"tests/fixtures/projects/{folder.name}") + out


def _block(name: str, failure: object, diagnostics: tuple[object, ...]) -> str:
    lines = [f"{name}:"]
    if failure is not None:
        lines.append(f"  {failure.line}:{failure.col + 1} E999 {failure.message}")  # type: ignore[attr-defined]
    for diagnostic in diagnostics:
        line, col, code, message = diagnostic.line, diagnostic.col, diagnostic.code, diagnostic.message  # type: ignore[attr-defined]
        lines.append(f"  {line}:{col + 1} {code} {message}")
    if len(lines) == 1:
        lines.append("  (none)")
    return "\n".join(lines) + "\n"


CASES = [(f"{folder.name}.snap", folder, fixture_snapshot) for folder in sorted(FIXTURES.glob("ALM*"))] + [
    (f"histories/{root.name}.snap", root, history_snapshot) for root in sorted(HISTORIES.iterdir()) if root.is_dir()
]
CASES += [(f"projects/{f.name}.snap", f, project_snapshot) for f in sorted(PROJECTS.iterdir()) if f.is_dir()]


@pytest.mark.parametrize(("name", "folder", "render"), CASES, ids=[case[0] for case in CASES])
def test_snapshot(name: str, folder: Path, render: object, request: pytest.FixtureRequest) -> None:
    snapshot = SNAPSHOTS / name
    actual = render(folder)  # type: ignore[operator]
    if request.config.getoption("--snapshot-update"):
        snapshot.parent.mkdir(parents=True, exist_ok=True)
        snapshot.write_text(actual, encoding="utf-8")
        return
    assert snapshot.is_file(), f"no snapshot {snapshot}: run with --snapshot-update and review it"
    assert actual == snapshot.read_text(encoding="utf-8")


def test_every_snapshot_belongs_to_a_fixture_folder() -> None:
    """A snapshot whose folder is gone is stale: remove it."""
    expected = {name for name, _, _ in CASES}
    found = {str(path.relative_to(SNAPSHOTS)) for path in SNAPSHOTS.rglob("*.snap")}
    assert found == expected
