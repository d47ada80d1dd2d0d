"""Every rule is complete: one module that is the source of its facts, a docs page in the ruff shape, generated
README rows and page headers that are not stale, fixtures, and a code that never changes."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from flake8_alembic.rules.base import RuleInfo, Tier
from flake8_alembic.rules.registry import BY_CODE, OPT_IN_CODES, RULES, documentation, load

REPO = Path(__file__).resolve().parent.parent
HEADINGS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Options", "## References"]


def test_generated_files_are_fresh() -> None:
    """The index, the README's rule tables and the pages' facts lines are what the rule modules say."""
    done = subprocess.run([sys.executable, "scripts/generate.py", "--check"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_check_catches_a_stale_file(tmp_path: Path) -> None:
    """`generate.py --check` fails when a generated file differs (a test that can fail)."""
    sys.path.insert(0, str(REPO / "scripts"))
    try:
        generate = importlib.import_module("generate")
    finally:
        sys.path.remove(str(REPO / "scripts"))
    rules = generate.rule_modules()
    readme = (REPO / "README.md").read_text()
    stale = readme.replace(
        "| ALM025 | unnamed-constraint-drop | default |", "| ALM025 | unnamed-constraint-drop | opt-in |"
    )
    assert stale != readme and generate.readme_text(stale, rules) == readme


@pytest.mark.parametrize("info", RULES, ids=[info.code for info in RULES])
def test_rule_module_is_the_source_of_its_index_entry(info: RuleInfo) -> None:
    rule = load(info)
    assert (rule.code, rule.name, rule.summary, rule.tier, rule.dialects, rule.since, rule.kind) == (
        info.code,
        info.name,
        info.summary,
        info.tier,
        info.dialects,
        info.since,
        info.kind,
    )
    assert info.module.endswith(f"alm{info.code[3:]}_{info.name.replace('-', '_')}")


@pytest.mark.parametrize("info", RULES, ids=[info.code for info in RULES])
def test_rule_has_a_docs_page_in_the_ruff_shape(info: RuleInfo) -> None:
    page = documentation(info.code)
    assert page.splitlines()[0] == f"# {info.code} {info.name}"
    positions = [page.find(heading) for heading in HEADINGS]
    assert all(position > 0 for position in positions), [h for h, p in zip(HEADINGS, positions) if p < 0]
    assert positions == sorted(positions)
    assert page.splitlines()[2].startswith(f"Tier: {info.tier.value}")


@pytest.mark.parametrize("info", RULES, ids=[info.code for info in RULES])
def test_rule_is_in_the_readme_table_and_has_fixtures(info: RuleInfo) -> None:
    readme = (REPO / "README.md").read_text()
    row = re.search(rf"^\| {info.code} \| {re.escape(info.name)} \| (default|opt-in|preview)", readme, re.MULTILINE)
    assert row is not None
    assert row.group(1) == info.tier.value
    if info.code.startswith("ALM1") or info.code in ("ALM003", "ALM005", "ALM018", "ALM036"):  # history rules
        histories = REPO / "tests" / "fixtures" / "histories"
        assert any(f"expect: {info.code}" in path.read_text() for path in histories.rglob("*.py"))
        return
    fixtures = REPO / "tests" / "fixtures" / info.code
    assert list(fixtures.glob("bad_*.py")) and list(fixtures.glob("good_*.py"))


def test_codes_are_unique_and_well_formed() -> None:
    assert len(BY_CODE) == len(RULES)
    assert all(re.fullmatch(r"ALM\d{3}", rule.code) for rule in RULES)
    # Lowercase words joined by hyphens; a word may hold a version number (`sqlalchemy2-removed-api`).
    assert all(re.fullmatch(r"[a-z][a-z0-9]*(-[a-z][a-z0-9]*)*", rule.name) for rule in RULES)
    assert {info.code for info in RULES if info.needs_naming} == OPT_IN_CODES
    assert {info.code for info in RULES if info.tier is Tier.OPT_IN} < OPT_IN_CODES  # plus the named preview rules
    assert all(info.tier is Tier.PREVIEW for info in RULES if info.named)


def test_listing_rules_and_printing_a_page_import_no_check() -> None:
    """The faces read the index: `flake8-alembic rule ALM004` imports no rule module."""
    code = (
        "import sys; from flake8_alembic.cli import main; main(['rule', 'ALM004']);"
        "print(sorted(m for m in sys.modules if '.rules.hazards.' in m or '.rules.graph.' in m))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert done.stdout.strip().splitlines()[-1] == "[]"
