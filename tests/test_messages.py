"""Fix texts that depend on the target dialect: the advice must work on the database the code runs on."""

from __future__ import annotations

import textwrap

import pytest

from flake8_alembic.config import Settings
from flake8_alembic.engine import ProjectCache, lint_source
from flake8_alembic.facts.project import ProjectFacts
from flake8_alembic.rules.registry import OPT_IN_CODES

HEADER = '''"""A migration."""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = "a0"


'''


def messages(body: str, dialects: str, code: str, alembic: str = "1.16.0") -> list[str]:
    version = tuple(map(int, alembic.split(".")))
    settings = Settings(preview=True, opt_in=OPT_IN_CODES).updated(
        {"target_dialects": frozenset(dialects.split(",")), "target_alembic_version": version}
    )
    cache = ProjectCache(facts={"/virtual": ProjectFacts()}, history=None, environments=None)
    source = (HEADER + textwrap.dedent(body)).encode()
    result = lint_source("/virtual/m.py", source, settings, cache)
    return [d.message for d in result.diagnostics if d.code == code]


UNGUARDED_DROPS = """
def upgrade() -> None:
    op.drop_constraint("fk_a_b", "a", type_="foreignkey")
    op.drop_column("a", "legacy")


def downgrade() -> None:
    pass
"""


@pytest.mark.parametrize(
    ("dialects", "constraint_fix", "column_fix"),
    [
        ("postgresql", "pass if_exists=True", "pass if_exists=True"),
        # MySQL's ALTER TABLE has no IF EXISTS for DROP COLUMN; MariaDB's has.
        ("mysql", "MySQL renders no IF EXISTS for drop_constraint", "MySQL has no DROP COLUMN IF EXISTS"),
        ("mariadb", "MySQL renders no IF EXISTS for drop_constraint", "pass if_exists=True"),
        ("sqlite", "pass if_exists=True", "SQLite rejects DROP COLUMN IF EXISTS"),
    ],
)
def test_alm002_fix_text_follows_the_target(dialects: str, constraint_fix: str, column_fix: str) -> None:
    constraint, column = messages(UNGUARDED_DROPS, dialects, "ALM002")
    assert constraint_fix in constraint
    assert column_fix in column
    if dialects != "postgresql":
        assert "inspect(op.get_bind())" in (constraint if "MySQL" in constraint_fix else column)


FLAGGED_DROPS = """
def upgrade() -> None:
    op.drop_constraint("fk_a_b", "a", type_="foreignkey", if_exists=True)
    op.drop_column("a", "legacy", if_exists=True)


def downgrade() -> None:
    pass
"""


@pytest.mark.parametrize(
    ("dialects", "expected"),
    [
        ("postgresql", []),
        ("mysql", ["the MySQL dialect renders no IF EXISTS for drop_constraint"]),
        ("sqlite", ["SQLite rejects DROP COLUMN IF EXISTS (syntax error)"]),
    ],
)
def test_alm014_names_the_dialect_that_drops_or_rejects_the_clause(dialects: str, expected: list[str]) -> None:
    found = messages(FLAGGED_DROPS, dialects, "ALM014")
    assert len(found) == len(expected)
    assert all(text in message for text, message in zip(expected, found))
