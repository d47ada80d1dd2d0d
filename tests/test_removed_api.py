"""The summary of SQLAlchemy APIs that 2.0 removed (``parse/removed_api.py``): where a form runs, what a name holds."""

from __future__ import annotations

import textwrap

from flake8_alembic.parse.module import Migration, parse_text

HEADER = """
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = None
"""


def summary(body: str) -> Migration:
    parsed = parse_text("m.py", HEADER + textwrap.dedent(body))
    assert parsed is not None
    return parsed


def forms(parsed: Migration) -> list[tuple[str, str, str | None]]:
    return sorted((use.api, use.detail, use.phase) for use in parsed.removed_apis)


def test_a_form_counts_in_the_phase_that_runs_it_and_a_helper_nothing_calls_records_nothing() -> None:
    parsed = summary(
        """
        def _used():
            return sa.select([sa.column("a")])

        def _unused():
            return sa.Table("t", sa.MetaData(), autoload=True)

        def upgrade():
            _used()

        def downgrade():
            op.get_bind().engine.execute(sa.text("SELECT 1"))
        """
    )
    assert forms(parsed) == [("engine-method", "execute", "downgrade"), ("select-list", "select", "upgrade")]


def test_an_unrolled_loop_records_a_form_once_with_the_dialects_of_its_branch() -> None:
    parsed = summary(
        """
        def upgrade():
            bind = op.get_bind()
            if bind.dialect.name == "sqlite":
                for name in ("a", "b", "c"):
                    sa.Table(name, sa.MetaData(), autoload=True, autoload_with=bind)
        """
    )
    assert [(use.api, use.dialects) for use in parsed.removed_apis] == [("table-autoload", frozenset({"sqlite"}))]


def test_a_row_is_followed_through_results_and_loops_and_shadowed_by_a_comprehension() -> None:
    parsed = summary(
        """
        def upgrade():
            bind = op.get_bind()
            result = bind.execute(sa.text("SELECT id, name FROM t"))
            rows = result.fetchall()
            row = rows[0]
            print(row["name"])
            print([row["name"] for row in [{"name": "x"}]])
            for row in bind.execute(sa.text("SELECT 1")).mappings():
                print(row["name"])
            for document in bind.execute(sa.text("SELECT doc FROM t")).scalars():
                print(document["title"])
            row = {"name": "y"}
            print(row["name"])
        """
    )
    lines = [use.line for use in parsed.removed_apis]
    assert forms(parsed) == [("row-key", "", "upgrade")]
    assert lines == [HEADER.count("\n") + 7]


def test_an_engine_is_known_from_what_the_code_says_never_from_a_parameter_name() -> None:
    parsed = summary(
        """
        def _helper(engine):
            engine.execute("SELECT 1")

        def upgrade():
            _helper(op.get_bind())
            engine = sa.create_engine("sqlite://")
            engine.table_names()
            engine = op.get_bind()
            engine.execute(sa.text("SELECT 1"))
        """
    )
    assert forms(parsed) == [("engine-method", "table_names", "upgrade")]


def test_module_level_statements_run_at_import() -> None:
    parsed = summary(
        """
        blobs = sa.table("blobs", sa.column("data", sa.Binary))

        def upgrade():
            pass
        """
    )
    assert forms(parsed) == [("removed-name", "Binary", None)]
