"""Every fixture migration yields exactly the findings its ``# expect:`` comments name (within its codes)."""

from __future__ import annotations

import pytest

from flake8_alembic.engine import lint_source

from .fixture_support import Fixture, all_fixtures, hermetic_cache

FIXTURES = all_fixtures()


def test_every_rule_directory_has_bad_and_good_fixtures() -> None:
    codes = {fixture.code for fixture in FIXTURES}
    for code in codes:
        names = [fixture.path.name for fixture in FIXTURES if fixture.code == code]
        assert any(name.startswith("bad_") for name in names), code
        assert any(name.startswith("good_") for name in names), code


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture.id for fixture in FIXTURES])
def test_fixture(fixture: Fixture) -> None:
    result = lint_source(
        str(fixture.path), fixture.path.read_bytes(), fixture.settings(), hermetic_cache([fixture.path])
    )
    assert result.failure is None
    assert result.is_migration
    found = {(d.line, d.code) for d in result.diagnostics if d.code in fixture.scope}
    assert "ALM000" not in {d.code for d in result.diagnostics}, result.diagnostics
    if fixture.path.name.startswith("bad_"):
        assert any(code == fixture.code for _, code in fixture.expected), "a bad fixture must expect its code"
    else:
        assert all(code != fixture.code for _, code in fixture.expected), "a good fixture must not expect its code"
    messages = {(d.line, d.code): d.message for d in result.diagnostics}
    assert found == set(fixture.expected), {key: messages.get(key) for key in found ^ set(fixture.expected)}
