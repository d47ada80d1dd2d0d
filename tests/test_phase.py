"""Unit tests for flake8_alembic.phase: the rebuilds a phase makes (its net effect), which names its drops and
renames take away only for a moment, and which objects a statement had already used before a later one."""

from __future__ import annotations

import textwrap

import pytest

from flake8_alembic.effects import ObjectRef
from flake8_alembic.names import FOLDED, POSTGRESQL_IDENTIFIERS
from flake8_alembic.parse.module import Migration, parse_source
from flake8_alembic.parse.records import Frame, Operation
from flake8_alembic.phase import EarlierUses, PhaseEffects, phase_effects, rebuilds, uses_of

HEADER = '''\
"""Test migration."""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = "a0"

parcels = sa.table("parcel", sa.column("id"), sa.column("code"))
'''


def migration(body: str) -> Migration:
    code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    source = f"{HEADER}\n\ndef upgrade():\n{code}\n\n\ndef downgrade():\n    pass\n"
    result = parse_source("versions/a1.py", source.encode())
    assert isinstance(result, Migration), result
    return result


def upgrade_ops(body: str) -> list[Operation]:
    return [op for op in migration(body).operations if op.phase == "upgrade"]


# -------------------------------------------------------------------------------------------------- rebuilds
@pytest.mark.parametrize(
    ("body", "rebuilt"),
    [
        (
            """
            op.create_table("place_new", sa.Column("id", sa.Integer()))
            op.execute("INSERT INTO place_new SELECT * FROM place")
            op.drop_table("place")
            op.rename_table("place_new", "place")
            """,
            ("table", None, "place", "place_new"),
        ),
        (
            """
            op.add_column("visit", sa.Column("score_tmp", sa.Numeric()))
            op.execute("UPDATE visit SET score_tmp = score")
            op.drop_column("visit", "score")
            op.alter_column("visit", "score_tmp", new_column_name="score")
            """,
            ("column", "visit", "score", "score_tmp"),
        ),
        (
            """
            op.rename_table("visit", "visit_old")
            op.create_table("visit", sa.Column("id", sa.BigInteger()))
            op.execute("INSERT INTO visit SELECT * FROM visit_old")
            op.drop_table("visit_old")
            """,
            ("table", None, "visit", "visit_old"),
        ),
        (
            """
            op.alter_column("metric", "user_id", new_column_name="tmp_user_id")
            op.add_column("metric", sa.Column("user_id", sa.String(255)))
            op.drop_column("metric", "tmp_user_id")
            """,
            ("column", "metric", "user_id", "tmp_user_id"),
        ),
        (
            """
            op.execute("CREATE TABLE _t_new (id int)")
            op.execute("INSERT INTO _t_new SELECT id FROM t")
            op.execute("DROP TABLE t")
            op.execute("ALTER TABLE _t_new RENAME TO t")
            """,
            ("table", None, "t", "_t_new"),
        ),
    ],
    ids=["copy-table", "copy-column", "aside-table", "aside-column", "sql"],
)
def test_rebuilds_are_recognised(body: str, rebuilt: tuple[str, str | None, str, str]) -> None:
    operations = upgrade_ops(body)
    (found,) = rebuilds(operations, FOLDED)
    assert (found.kind, found.table, found.name, found.temporary) == rebuilt
    # The steps are the creation, the drop and the rename: never the statement copying the rows.
    copies = ("INSERT", "UPDATE")
    assert found.steps == {id(op) for op in operations if not (op.sql_text or "").startswith(copies)}


@pytest.mark.parametrize(
    "body",
    [
        'op.create_table("a", sa.Column("id", sa.Integer()))\nop.rename_table("a", "b")',
        'op.drop_table("b")\nop.rename_table("a", "b")',
        'op.add_column("t", sa.Column("x", sa.Integer()))\nop.drop_column("t", "y")\n'
        'op.alter_column("t", "x", new_column_name="z")',
        'op.add_column("t", sa.Column("x", sa.Integer()))\nop.drop_column("u", "y")\n'
        'op.alter_column("t", "x", new_column_name="y")',
        'op.rename_table("visit", "visit_old")\nop.drop_table("visit_old")',
    ],
    ids=["new-then-renamed", "no-copy-made-here", "other-name", "other-table", "moved-aside-not-replaced"],
)
def test_what_is_not_a_rebuild(body: str) -> None:
    assert rebuilds(upgrade_ops(body), FOLDED) == ()


def test_rebuild_names_follow_the_identifiers() -> None:
    body = """
        op.create_table("Place_new", sa.Column("id", sa.Integer()))
        op.drop_table("place")
        op.rename_table("Place_new", "Place")
        """
    assert rebuilds(upgrade_ops(body), FOLDED) != ()
    assert rebuilds(upgrade_ops(body), POSTGRESQL_IDENTIFIERS) == ()  # "Place" is not the table place


def test_phase_effects_know_names_that_come_back_and_names_made_here() -> None:
    operations = upgrade_ops(
        """
        op.add_column("visit", sa.Column("score_tmp", sa.Numeric()))
        op.drop_column("visit", "score")
        op.alter_column("visit", "score_tmp", new_column_name="score")
        op.drop_column("visit", "legacy")
        op.alter_column("visit", "name", new_column_name="title")
        """
    )
    net = PhaseEffects(operations, FOLDED)
    add, drop, rename, plain_drop, plain_rename = operations
    assert net.in_rebuild(add) and net.in_rebuild(drop) and net.in_rebuild(rename)
    assert net.returns_later(drop) and not net.made_earlier(drop)
    assert net.made_earlier(rename) and not net.returns_later(rename)
    for operation in (plain_drop, plain_rename):
        assert not net.in_rebuild(operation)
        assert not net.returns_later(operation) and not net.made_earlier(operation)


def test_phase_effects_are_per_engine() -> None:
    operations = upgrade_ops('op.drop_table("t")\nop.rename_table("u", "t")')
    effects = phase_effects(operations, "upgrade", FOLDED)
    assert set(effects) == {""}
    assert effects[""].returns_later(operations[0])
    assert phase_effects(operations, "downgrade", FOLDED) == {}


# -------------------------------------------------------------------------------------------------- earlier uses
def used(body: str, ref: ObjectRef, catching: frozenset[Frame] = frozenset()) -> bool:
    """Whether the last operation of ``body`` comes after a use of ``ref``."""
    operations = migration(body).operations
    return EarlierUses(operations, FOLDED, catching).first_use_before(operations[-1], ref) is not None


COLUMN = ObjectRef("column", "code", "parcel")
TABLE = ObjectRef("table", "parcel")


@pytest.mark.parametrize(
    "use",
    [
        'op.get_bind().execute(sa.text("SELECT id, code FROM parcel"))',
        'op.execute("UPDATE parcel SET label = code")',
        'op.execute("INSERT INTO other (x) SELECT p.code FROM parcel AS p")',
        'op.alter_column("parcel", "code", existing_type=sa.String(20), nullable=True)',
        'op.create_index("ix_parcel_code", "parcel", ["code"])',
        "op.execute(parcels.update().values(code=None))",
        "op.get_bind().execute(sa.select(parcels.c.code))",
        'with op.batch_alter_table("parcel") as batch_op:\n    batch_op.alter_column("code", nullable=True)',
    ],
)
def test_a_column_used_earlier(use: str) -> None:
    assert used(f'{use}\nop.drop_column("parcel", "code")', COLUMN)


@pytest.mark.parametrize(
    "use",
    [
        'op.execute("SELECT id, label FROM parcel")',  # another column of the table
        'op.execute("SELECT code FROM other")',  # the name, in another table
        'if sa.inspect(op.get_bind()).has_table("parcel"):\n    op.execute("UPDATE parcel SET code = 1")',
        'for name in names:\n    op.execute("UPDATE parcel SET code = 1")',
        'op.add_column("parcel", sa.Column("code", sa.String()))',  # made, not used
    ],
    ids=["other-column", "other-table", "guarded", "in-a-loop", "added"],
)
def test_a_column_not_used_earlier(use: str) -> None:
    assert not used(f'{use}\nop.drop_column("parcel", "code")', COLUMN)


def test_a_use_after_the_drop_does_not_count() -> None:
    operations = migration('op.drop_column("parcel", "code")\nop.execute("SELECT code FROM parcel")').operations
    uses = EarlierUses(operations, FOLDED, frozenset())
    assert not uses.first_use_before(operations[0], COLUMN)
    assert not uses.first_use_before(operations[1], COLUMN)  # the drop took it away: it is not a use
    assert uses.first_use_before(operations[1], TABLE)  # the table is still there


@pytest.mark.parametrize(
    ("earlier", "ref"),
    [
        ('op.rename_table("parcel", "parcel_old")', TABLE),
        ('op.execute("ALTER TABLE parcel RENAME TO parcel_old")', TABLE),
        ('op.drop_column("parcel", "code")', COLUMN),
        ('op.alter_column("parcel", "code", new_column_name="ref")', COLUMN),
        ('op.execute("ALTER TABLE parcel RENAME COLUMN code TO ref")', COLUMN),
    ],
)
def test_taking_an_object_away_is_not_a_use_of_it(earlier: str, ref: ObjectRef) -> None:
    """After a rename or a drop the name is gone: a later drop of it fails whatever, and a guard would spare it
    (a helper's if/else whose branches rename or drop is read as both in a row)."""
    drop = 'op.drop_table("parcel")' if ref.kind == "table" else 'op.drop_column("parcel", "code")'
    assert not used(f"{earlier}\n{drop}", ref)


def test_a_table_used_by_any_statement_on_it() -> None:
    assert used('op.drop_column("parcel", "x")\nop.drop_table("parcel")', TABLE)
    assert used('op.execute("DELETE FROM parcel")\nop.drop_table("parcel")', TABLE)
    assert not used('op.execute("DELETE FROM other")\nop.drop_table("parcel")', TABLE)


def test_a_use_inside_a_catching_try_does_not_count() -> None:
    body = (
        'try:\n    op.execute("SELECT code FROM parcel")\nexcept Exception:\n    pass\nop.drop_column("parcel", "code")'
    )
    operations = migration(body).operations
    (frame,) = operations[0].stack
    assert used(body, COLUMN)
    assert not used(body, COLUMN, frozenset({frame}))


def test_a_use_on_fewer_dialects_does_not_count() -> None:
    body = (
        'if op.get_bind().dialect.name == "postgresql":\n    op.execute("SELECT code FROM parcel")\n'
        'op.drop_column("parcel", "code")'
    )
    assert not used(body, COLUMN)


def test_metadata_ddl_uses_nothing_and_sql_drops_use_nothing() -> None:
    for operation in upgrade_ops(
        'sa.Table("parcel", sa.MetaData()).create(op.get_bind())\nop.execute("DROP TABLE parcel")'
    ):
        assert uses_of(operation, FOLDED) == []
