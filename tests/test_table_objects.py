"""Unit tests for the parser's reading of table objects (flake8_alembic.parse.table_objects through the call
recorder): SQLAlchemy's own DDL (``Table.create(bind)``, ``metadata.create_all(bind, tables=[...])``), the tables
and columns Core statements use, the columns a CHECK condition reads, and enum types held in names."""

from __future__ import annotations

import textwrap

import pytest

from flake8_alembic.parse.module import Migration, parse_source
from flake8_alembic.parse.records import Operation

HEADER = '''\
"""Test migration."""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "a1"
down_revision = "a0"

meta = sa.MetaData()
crates = sa.Table("crate", meta, sa.Column("id", sa.Integer()), sa.Column("bin_id", sa.Integer()))
parcels = sa.table("parcel", sa.column("id"), sa.column("code"))
mood = postgresql.ENUM("happy", "sad", name="mood")
'''


def upgrade(body: str) -> Migration:
    code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    source = f"{HEADER}\n\ndef upgrade():\n{code}\n\n\ndef downgrade():\n    pass\n"
    result = parse_source("versions/a1.py", source.encode())
    assert isinstance(result, Migration), result
    return result


def made(body: str) -> list[tuple[str, str | None, tuple[str | None, ...], bool, bool]]:
    """(operation, table, columns, columns known, guarded) of each record of ``body``."""
    migration = upgrade(body)
    assert migration.opaque_phases == frozenset()
    return [
        (op.name, op.table, tuple(c.name for c in op.columns), op.columns_known, op.guarded)
        for op in migration.operations
        if op.receiver == "metadata"
    ]


@pytest.mark.parametrize(
    ("body", "records"),
    [
        (
            'sa.Table("bin", sa.MetaData(), sa.Column("id", sa.Integer())).create(op.get_bind())',
            [("create_table", "bin", ("id",), True, False)],
        ),
        (
            'bins = sa.Table("bin", meta, sa.Column("id", sa.Integer()))\n'
            "bins.create(bind=op.get_bind(), checkfirst=True)",
            [("create_table", "bin", ("id",), True, True)],
        ),
        ("crates.create(op.get_bind())", [("create_table", "crate", ("id", "bin_id"), True, False)]),
        ("crates.drop(op.get_bind())", [("drop_table", "crate", ("id", "bin_id"), True, False)]),
        ('meta.tables["shelf"].create(op.get_bind())', [("create_table", "shelf", (), False, False)]),
        (
            'meta.create_all(op.get_bind(), tables=[crates, meta.tables["shelf"]])',
            [("create_table", "crate", ("id", "bin_id"), True, True), ("create_table", "shelf", (), False, True)],
        ),
        (
            "meta.create_all(op.get_bind(), [crates], checkfirst=False)",
            [("create_table", "crate", ("id", "bin_id"), True, False)],
        ),
        ("meta.drop_all(op.get_bind(), tables=[crates])", [("drop_table", "crate", ("id", "bin_id"), True, True)]),
    ],
    ids=["inline", "bound-locally", "module-level", "drop", "by-key", "create-all", "positional", "drop-all"],
)
def test_sqlalchemy_ddl_on_table_objects_is_recorded(
    body: str, records: list[tuple[str, str | None, tuple[str | None, ...], bool, bool]]
) -> None:
    assert made(body) == records


@pytest.mark.parametrize(
    "body",
    [
        "meta.create_all(op.get_bind())",
        "Shelf.__table__.create(bind=op.get_bind())",
        "meta.create_all(op.get_bind(), tables=[Shelf.__table__])",
        "meta.create_all(op.get_bind(), tables=some_tables)",
    ],
)
def test_tables_not_in_view_make_the_phase_opaque(body: str) -> None:
    migration = upgrade(body)
    assert migration.opaque_phases == frozenset({"upgrade"})
    assert [op for op in migration.operations if op.receiver == "metadata"] == []


def test_an_enum_type_s_create_stays_an_enum_call() -> None:
    migration = upgrade("mood.create(op.get_bind())")
    assert [(call.action, call.name) for call in migration.enum_calls] == [("create", "mood")]
    assert migration.operations == ()


def only(migration: Migration) -> Operation:
    (operation,) = migration.operations
    return operation


@pytest.mark.parametrize(
    ("condition", "columns"),
    [
        ('"rating BETWEEN 1 AND 5"', ("rating",)),
        ("\"length(name) > 0 AND kind::text IN ('a', 'b')\"", ("name", "kind")),
        ('sa.column("score") >= 0', ("score",)),
        ('sa.text("lo < hi")', ("lo", "hi")),
        ("condition", ()),
    ],
)
def test_check_constraints_are_on_the_columns_their_condition_reads(condition: str, columns: tuple[str, ...]) -> None:
    operation = only(upgrade(f'op.create_check_constraint("ck", "visit", {condition})'))
    assert operation.index_columns == columns


@pytest.mark.parametrize(
    ("statement", "refs"),
    [
        ("op.execute(parcels.update().values(code=None))", (("parcel", None), ("parcel", "code"))),
        ("op.get_bind().execute(sa.select(parcels.c.code))", (("parcel", "code"), ("parcel", None))),
        ("op.execute(crates.delete())", (("crate", None),)),
        ("op.execute(sa.update(other).values(code=1))", ()),
    ],
)
def test_core_statements_record_what_they_use(statement: str, refs: tuple[tuple[str, str | None], ...]) -> None:
    operation = only(upgrade(statement))
    assert operation.core_dml
    assert operation.core_refs == refs


def test_an_enum_held_in_a_name_is_an_enum_type() -> None:
    operation = only(upgrade('op.alter_column("t", "c", type_=mood, existing_type=sa.VARCHAR(length=5))'))
    assert operation.type_ is not None and operation.type_.family == "enum"
    assert operation.existing_type is not None and operation.existing_type.family == "string"
    assert operation.enum is not None and operation.enum.name == "mood"
