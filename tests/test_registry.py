"""Every rule is complete: a docs page in the ruff shape, a README row, fixtures, and a code that never changes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flake8_alembic.rules.registry import BY_CODE, OPT_IN_CODES, RULES, documentation

REPO = Path(__file__).resolve().parent.parent
HEADINGS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options", "## References"]


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_has_a_docs_page_in_the_ruff_shape(rule: object) -> None:
    code, name = rule.code, rule.name  # type: ignore[attr-defined]
    page = documentation(code)
    assert page.splitlines()[0] == f"# {code} {name}"
    positions = [page.find(heading) for heading in HEADINGS]
    assert all(position > 0 for position in positions), [h for h, p in zip(HEADINGS, positions) if p < 0]
    assert positions == sorted(positions)
    default_line = next(line for line in page.splitlines() if line.startswith("Default:"))
    assert ("opt-in" in default_line) == (code in OPT_IN_CODES)


@pytest.mark.parametrize("rule", RULES, ids=[rule.code for rule in RULES])
def test_rule_is_in_the_readme_table_and_has_fixtures(rule: object) -> None:
    code, name = rule.code, rule.name  # type: ignore[attr-defined]
    readme = (REPO / "README.md").read_text()
    row = re.search(rf"^\| {code} \| {re.escape(name)} \| (on|opt-in)", readme, re.MULTILINE)
    assert row is not None
    assert (row.group(1) == "opt-in") == (code in OPT_IN_CODES)
    if code.startswith("ALM1") or code in ("ALM003", "ALM005", "ALM018"):  # history rules: fixture histories
        histories = REPO / "tests" / "fixtures" / "histories"
        assert any(f"expect: {code}" in path.read_text() for path in histories.rglob("*.py"))
        return
    fixtures = REPO / "tests" / "fixtures" / code
    assert list(fixtures.glob("bad_*.py")) and list(fixtures.glob("good_*.py"))


def test_codes_are_unique_and_well_formed() -> None:
    assert len(BY_CODE) == len(RULES)
    assert all(re.fullmatch(r"ALM\d{3}", rule.code) for rule in RULES)
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", rule.name) for rule in RULES)
