"""Unit tests for flake8_alembic.parse: one migration file into its summary (calls, bindings, conditions, the walk,
the module), each from a small inline source."""

from __future__ import annotations

import ast
import sys
import textwrap

import pytest

from flake8_alembic.dialects import ALL
from flake8_alembic.names import UNKNOWN
from flake8_alembic.parse.bindings import bind_target
from flake8_alembic.parse.conditions import (
    is_foreign_code,
    names_exception,
    only_reads_or_logs,
    required_parameters,
)
from flake8_alembic.parse.expressions import split_reference
from flake8_alembic.parse.module import (
    Migration,
    ParseFailure,
    decode_source,
    looks_like_migration,
    parse_source,
)
from flake8_alembic.parse.records import (
    ColumnSpec,
    EnumSpec,
    ForeignKeySpec,
    Handler,
    Operation,
)
from flake8_alembic.sql import HOLE
from flake8_alembic.types import TypeRef

HEADER = '''\
"""Test migration."""
import sqlalchemy as sa
from alembic import op

revision = "a1"
down_revision = "a0"
'''


def body_line(header: str = HEADER) -> int:
    """The line of the first statement of ``upgrade()`` in a source built by ``upgrade()`` below."""
    return header.count("\n") + 4


BODY_LINE = body_line()

NOT_PG = ALL - {"postgresql"}
MYSQL_FAMILY = frozenset({"mysql", "mariadb"})


def migration(source: str) -> Migration:
    result = parse_source("versions/a1.py", textwrap.dedent(source).encode())
    assert isinstance(result, Migration), result
    return result


def upgrade(body: str, *, header: str = HEADER, extra: str = "") -> Migration:
    """A migration whose ``upgrade()`` runs ``body`` and whose ``downgrade()`` does nothing; ``extra`` is appended
    at module level (helpers)."""
    code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    return migration(f"{header}\n\ndef upgrade():\n{code}\n\n\ndef downgrade():\n    pass\n{textwrap.dedent(extra)}")


def only(summary: Migration, name: str | None = None) -> Operation:
    found = [operation for operation in summary.operations if name is None or operation.name == name]
    assert len(found) == 1, found
    return found[0]


def tables(summary: Migration, name: str | None = None) -> list[str | None]:
    return [operation.table for operation in summary.operations if name is None or operation.name == name]


def kinds(operation: Operation) -> tuple[str, ...]:
    return tuple(frame.kind for frame in operation.stack)


def handler(body: str, *, header: str = HEADER) -> Handler:
    """The one handler of ``try: op.drop_table("t")`` followed by ``body`` (an ``except`` clause)."""
    summary = upgrade('try:\n    op.drop_table("t")\n' + textwrap.dedent(body), header=header)
    (block,) = summary.try_blocks
    (found,) = block.handlers
    return found


INTEGER = TypeRef("integer", 4, name="INTEGER")


# --------------------------------------------------------------------------------------------------
# module: what is a migration, its fields, docstring, functions, raises, hints
# --------------------------------------------------------------------------------------------------


def test_typed_revision_fields_make_a_migration() -> None:
    summary = migration(
        """\
        from typing import Union
        revision: str = "x1"
        down_revision: Union[str, None] = "x0"
        def upgrade() -> None:
            pass
        """
    )
    assert (summary.revision, summary.down_revisions, summary.is_merge) == ("x1", ("x0",), False)
    assert summary.fields["down_revision"].line == 3


@pytest.mark.parametrize(
    "source",
    [
        pytest.param('revision = "x"\ndown_revision = "y"\ndef downgrade():\n    pass\n', id="no upgrade"),
        pytest.param('down_revision = "y"\ndef upgrade():\n    pass\n', id="no revision"),
        pytest.param('revision = "x"\ndef upgrade():\n    pass\n', id="no down_revision"),
    ],
)
def test_not_a_migration(source: str) -> None:
    assert parse_source("m.py", source.encode()) is None


def test_multidb_upgrade_alone_is_a_migration() -> None:
    summary = migration('revision = "x"\ndown_revision = "y"\ndef upgrade_engine1():\n    pass\n')
    assert [(f.name, f.kind, f.engine) for f in summary.functions] == [("upgrade_engine1", "upgrade", "engine1")]


@pytest.mark.parametrize(
    ("value", "parents", "merge"),
    [
        ('("a", "b")', ("a", "b"), True),
        ('"a"', ("a",), False),
        ("None", (), False),
        ("compute()", None, False),
    ],
)
def test_down_revision_parents(value: str, parents: tuple[str, ...] | None, merge: bool) -> None:
    summary = migration(f'revision = "x"\ndown_revision = {value}\ndef upgrade():\n    pass\n')
    assert (summary.down_revisions, summary.is_merge) == (parents, merge)


def test_docstring_is_the_description() -> None:
    summary = migration(
        '"""Add users.\n\nRevision ID: x\n"""\nrevision = "x"\ndown_revision = "y"\ndef upgrade():\n    pass\n'
    )
    assert summary.docstring == "Add users.\n\nRevision ID: x\n"
    assert summary.description == summary.docstring


def test_neutron_style_description_after_the_imports() -> None:
    summary = migration(
        """\
        from alembic import op

        \"\"\"add users table\"\"\"

        revision = "x"
        down_revision = "y"
        \"\"\"a later string\"\"\"
        def upgrade():
            pass
        """
    )
    assert (summary.docstring, summary.description) == (None, "add users table")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("pass", True),
        ('"""Nothing to do."""', True),
        ("connection = op.get_bind()", True),
        ("context = op.get_context()\npass", True),
        ("connection = op.get_bind(x)", False),
        ("op.get_bind()", False),
        ('op.drop_table("t")', False),
    ],
)
def test_does_nothing(body: str, expected: bool) -> None:
    summary = upgrade(body)
    assert summary.functions_of("upgrade")[0].does_nothing is expected
    assert summary.functions_of("downgrade")[0].does_nothing is True


@pytest.mark.parametrize(
    ("statement", "has_message"),
    [
        ('raise NotImplementedError("irreversible")', True),
        ("raise NotImplementedError", False),
        ('raise NotImplementedError("   ")', False),
        ("raise NotImplementedError(REASON)", True),
        ('raise NotImplementedError(f"no {x}")', True),
        ('raise Irreversible(msg="cannot")', True),
        ("raise", False),
    ],
)
def test_downgrade_top_level_raise(statement: str, has_message: bool) -> None:
    summary = migration(f"{HEADER}\ndef upgrade():\n    pass\n\ndef downgrade():\n    {statement}\n")
    (raised,) = summary.raises
    assert (raised.function, raised.line, raised.col, raised.has_message) == ("downgrade", 12, 4, has_message)


def test_raises_outside_downgrade_or_nested_are_not_recorded() -> None:
    summary = migration(
        HEADER
        + "\ndef upgrade():\n    raise NotImplementedError('up')\n"
        + "\ndef downgrade():\n    if x:\n        raise NotImplementedError('nested')\n"
    )
    assert summary.raises == ()


def test_dialect_hints_from_imports_at_module_level_and_in_functions() -> None:
    summary = upgrade(
        "from sqlalchemy.dialects.oracle import NUMBER",
        header=HEADER
        + "from sqlalchemy.dialects import postgresql\n"
        + "from sqlalchemy.dialects.mysql import VARCHAR\n"
        + "import sqlalchemy.dialects.sqlite\n",
    )
    assert summary.dialect_hints == {"postgresql", "mysql", "sqlite", "oracle"}


def test_dialect_hints_from_dialect_tests() -> None:
    summary = upgrade('if op.get_bind().dialect.name == "mysql":\n    pass\nif is_sqlite():\n    pass')
    assert summary.dialect_hints == {"mysql", "mariadb", "sqlite"}


def test_syntax_error_is_a_parse_failure_at_its_position() -> None:
    result = parse_source("m.py", b'revision = "x"\ndown_revision = "y"\ndef upgrade(:\n    pass\n')
    assert result == ParseFailure("m.py", 3, 12, "SyntaxError: invalid syntax")


def test_undecodable_bytes_are_a_parse_failure() -> None:
    result = parse_source("m.py", b'revision = "\xff"\ndown_revision = "y"\ndef upgrade():\n    pass\n')
    assert isinstance(result, ParseFailure)
    assert (result.line, result.col) == (1, 0)
    assert result.message.startswith("cannot decode the file: ")


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (b"down_revision = 'a'\ndef upgrade():\n    pass\n", True),
        (b"down_revision = 'a'\nasync def upgrade_engine1():\n    pass\n", True),
        (b"x_down_revision = 'a'\ndef upgrade():\n    pass\n", False),
        (b"down_revision = 'a'\ndef migrate():\n    pass\n", False),
    ],
)
def test_looks_like_migration(source: bytes, expected: bool) -> None:
    assert looks_like_migration(source) is expected


@pytest.mark.parametrize(
    ("source", "text"),
    [
        (b"\xef\xbb\xbfx = 1\n", "x = 1\n"),
        (b"# -*- coding: latin-1 -*-\nx = '\xe9'\n", "# -*- coding: latin-1 -*-\nx = '\u00e9'\n"),
    ],
)
def test_decode_source(source: bytes, text: str) -> None:
    assert decode_source(source) == text


# --------------------------------------------------------------------------------------------------
# aliases: what names op
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("imports", "call"),
    [
        ("from alembic import op as o", 'o.drop_table("t")'),
        ("import alembic.op as x", 'x.drop_table("t")'),
        ("from alembic.op import drop_table", 'drop_table("t")'),
        ("from alembic.op import drop_table as dt", 'dt("t")'),
        ("import alembic", 'alembic.op.drop_table("t")'),
    ],
)
def test_op_aliases(imports: str, call: str) -> None:
    summary = upgrade(call, header=f'{imports}\nrevision = "a1"\ndown_revision = "a0"\n')
    operation = only(summary)
    assert (operation.name, operation.receiver, operation.table) == ("drop_table", "op", "t")


def test_op_alias_imported_inside_the_function() -> None:
    summary = upgrade(
        'from alembic import op as inner\ninner.drop_table("t")', header='revision = "a"\ndown_revision = None\n'
    )
    assert tables(summary, "drop_table") == ["t"]


def test_non_operation_imported_from_alembic_op_is_not_an_operation() -> None:
    summary = upgrade("get_bind()", header='from alembic.op import get_bind\nrevision = "a"\ndown_revision = None\n')
    assert summary.operations == ()


def test_op_parameter_of_a_helper() -> None:
    summary = upgrade("helper(op)", extra='\ndef helper(op):\n    op.drop_table("x")\n')
    operation = only(summary)
    assert (operation.table, operation.function, operation.phase) == ("x", "upgrade", "upgrade")


# --------------------------------------------------------------------------------------------------
# calls: arguments bound to Alembic's parameter names
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('op.drop_table("t", schema="s")', {"table": "t", "schema": "s", "target": None}),
        ('op.drop_table(table_name="t")', {"table": "t"}),
        ('op.drop_column("t", "c")', {"table": "t", "target": "c"}),
        ('op.drop_column(column_name="c", table_name="t")', {"table": "t", "target": "c"}),
        (
            'op.create_index("ix", "t", ["a", "b"], schema="s")',
            {"table": "t", "target": "ix", "schema": "s", "index_columns": ("a", "b")},
        ),
        ('op.create_index(index_name="ix", table_name="t", columns="a")', {"target": "ix", "index_columns": ("a",)}),
        ('op.create_index("ix", "t", [sa.text("lower(a)"), "b"])', {"index_columns": (None, "b")}),
        ('op.drop_index("ix", table_name="t")', {"table": "t", "target": "ix"}),
        ('op.create_unique_constraint("uq", "t", ["a"])', {"table": "t", "target": "uq", "index_columns": ("a",)}),
        ('op.drop_constraint("fk", "t", type_="foreignkey")', {"table": "t", "target": "fk"}),
        ('op.create_check_constraint("ck", "t", "a > 0")', {"table": "t", "target": "ck"}),
        ('op.create_primary_key("pk", "t", ["id"])', {"table": "t", "target": "pk", "index_columns": ("id",)}),
        ('op.rename_table("old", "new", schema="s")', {"table": "old", "new_name": "new", "schema": "s"}),
        ('op.rename_table(old_table_name="old", new_table_name="new")', {"table": "old", "new_name": "new"}),
        ('op.alter_column("t", "c", new_column_name="d")', {"table": "t", "target": "c", "new_name": "d"}),
        ('op.alter_column("t", "c", nullable=False)', {"table": "t", "target": "c", "new_name": None}),
        (
            'op.create_foreign_key("fk", "src", "ref", ["a"], ["id"], source_schema="s")',
            {"table": "src", "schema": "s"},
        ),
        ('op.create_table_comment("t", "about t")', {"table": "t", "target": None}),
    ],
)
def test_op_arguments_bound_to_parameter_names(call: str, expected: dict[str, object]) -> None:
    operation = only(upgrade(call))
    assert {key: getattr(operation, key) for key in expected} == expected
    assert (operation.table_known, operation.target_known, operation.receiver) == (True, True, "op")


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('batch_op.add_column(sa.Column("x", sa.Integer()))', {"name": "add_column", "target": "x"}),
        ('batch_op.drop_column("y")', {"name": "drop_column", "target": "y"}),
        ('batch_op.alter_column("z", new_column_name="w")', {"target": "z", "new_name": "w"}),
        ('batch_op.create_index("ix", ["a"])', {"target": "ix", "index_columns": ("a",)}),
        ('batch_op.drop_constraint("uq", type_="unique")', {"target": "uq", "kwargs": {"type_": "unique"}}),
        ('batch_op.create_unique_constraint("uq", ["a", "b"])', {"target": "uq", "index_columns": ("a", "b")}),
    ],
)
def test_batch_op_arguments_take_table_and_schema_from_the_batch(call: str, expected: dict[str, object]) -> None:
    summary = upgrade(f'with op.batch_alter_table("bt", schema="s") as batch_op:\n    {call}')
    batch, operation = summary.operations
    assert (batch.name, batch.receiver, batch.table, batch.schema, batch.stack) == (
        "batch_alter_table",
        "op",
        "bt",
        "s",
        (),
    )
    assert (operation.receiver, operation.table, operation.schema, kinds(operation)) == ("batch", "bt", "s", ("batch",))
    assert {key: getattr(operation, key) for key in expected} == expected


def test_batch_create_foreign_key_has_no_source_table_parameter() -> None:
    summary = upgrade('with op.batch_alter_table("bt") as b:\n    b.create_foreign_key("fk", "other", ["a"], ["id"])')
    operation = only(summary, "create_foreign_key")
    assert (operation.table, operation.target) == ("bt", "fk")
    assert operation.foreign_keys == (ForeignKeySpec(("a",), "other", ("id",), BODY_LINE + 1, 8),)


def test_batch_with_an_unreadable_table_is_opaque() -> None:
    summary = upgrade("with op.batch_alter_table(name) as b:\n    b.drop_column('c')")
    assert [(o.name, o.table, o.table_known) for o in summary.operations] == [
        ("batch_alter_table", None, False),
        ("drop_column", None, False),
    ]
    assert summary.opaque_phases == {"upgrade"}


def test_alter_column_types() -> None:
    operation = only(upgrade('op.alter_column("t", "c", type_=sa.String(10), existing_type=sa.Integer())'))
    assert operation.type_ == TypeRef("string", 10, name="VARCHAR")
    assert operation.existing_type == INTEGER
    assert (operation.enum, operation.existing_enum) == (None, None)


def test_alter_column_enum_types() -> None:
    operation = only(
        upgrade(
            'op.alter_column("t", "c", type_=sa.Enum("a", "b", name="new_kind"),'
            ' existing_type=sa.Enum("a", name="old_kind"))'
        )
    )
    assert operation.enum == EnumSpec("new_kind", ("a", "b"))
    assert operation.existing_enum == EnumSpec("old_kind", ("a",))


@pytest.mark.parametrize(
    ("keywords", "guarded"),
    [
        ("if_exists=True", True),
        ("if_not_exists=True", True),
        ("if_exists=False", False),
        ("if_exists=flag", False),
        ("", False),
    ],
)
def test_if_exists_keywords_guard_the_operation(keywords: str, guarded: bool) -> None:
    operation = only(upgrade(f'op.drop_index("ix", "t", {keywords})'))
    assert operation.guarded is guarded
    assert operation.flag("if_exists") is (keywords == "if_exists=True")


def test_keyword_values_are_kept_as_literals() -> None:
    operation = only(upgrade('op.create_index("ix", "t", ["a"], unique=True, postgresql_where=sa.text("a"))'))
    assert operation.kwargs == {"unique": True, "postgresql_where": UNKNOWN}


def test_module_constants_name_objects() -> None:
    summary = upgrade(
        'op.drop_index(PREFIX + "a", TABLE)\nop.drop_table(f"{TABLE}_old")',
        header=HEADER + 'TABLE = "users"\nPREFIX = "ix_"\n',
    )
    assert [(o.table, o.target) for o in summary.operations] == [("users", "ix_a"), ("users_old", None)]


def test_create_table_columns() -> None:
    operation = only(
        upgrade(
            """\
            op.create_table(
                "orders",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("customer_id", sa.Integer(), nullable=False),
                schema="s",
            )
            """
        )
    )
    assert (operation.table, operation.schema, operation.target) == ("orders", "s", None)
    assert operation.columns == (
        ColumnSpec("id", INTEGER, BODY_LINE + 2, 8, primary_key=True),
        ColumnSpec("customer_id", INTEGER, BODY_LINE + 3, 8, nullable=False),
    )


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        ('sa.Column("a", sa.Integer(), nullable=True)', {"nullable": True, "primary_key": False}),
        ('sa.Column("a", sa.Integer(), nullable=flag)', {"nullable": None}),
        ('sa.Column("a", sa.Integer(), primary_key=True)', {"primary_key": True, "nullable": None}),
        (
            'sa.Column("a", sa.String(), server_default="x")',
            {"server_default": True, "default_constant": "x", "default_sql": "'x'"},
        ),
        (
            'sa.Column("a", sa.Boolean(), server_default=True)',
            {"server_default": True, "default_constant": True, "default_sql": None},
        ),
        (
            'sa.Column("a", sa.Integer(), server_default=sa.text("0"))',
            {"server_default": True, "default_constant": None, "default_sql": "0"},
        ),
        (
            'sa.Column("a", sa.DateTime(), server_default=sa.func.now())',
            {"server_default": True, "default_sql": "now()"},
        ),
        ('sa.Column("a", sa.Boolean(), server_default=sa.false())', {"server_default": True, "default_sql": None}),
        ('sa.Column("a", sa.Integer(), server_default=None)', {"server_default": False, "default_constant": None}),
        ('sa.Column("a", sa.Integer(), sa.Computed("b * 2"))', {"generated": True, "stored": True}),
        ('sa.Column("a", sa.Integer(), sa.Computed("b * 2", persisted=False))', {"generated": True, "stored": False}),
        ('sa.Column("a", sa.BigInteger(), sa.Identity())', {"generated": True, "stored": True}),
        ('sa.Column("a", sa.Integer(), sa.Sequence("s"))', {"generated": False, "type": INTEGER}),
        ('sa.Column(sa.Integer(), name="a")', {"name": "a", "type": INTEGER}),
        ('sa.Column("a", type_=sa.Integer())', {"type": INTEGER}),
        ('sa.Column("a")', {"type": TypeRef("unknown")}),
        ("sa.Column(name_of_a, sa.Integer())", {"name": None}),
    ],
)
def test_column_spec_fields(column: str, expected: dict[str, object]) -> None:
    (spec,) = only(upgrade(f'op.create_table("t", {column})')).columns
    assert {key: getattr(spec, key) for key in expected} == expected


@pytest.mark.parametrize(
    ("type_", "enum"),
    [
        ('sa.Enum("a", "b", name="status")', EnumSpec("status", ("a", "b"))),
        ('postgresql.ENUM("a", name="pre", create_type=False)', EnumSpec("pre", ("a",), creates_type=False)),
        ("sa.Enum(Mood)", EnumSpec("mood", None)),
        ('sa.Enum("a", name=NAME)', EnumSpec(None, ("a",))),
        ("STATUS", EnumSpec("Status", ("x", "y"))),
        ('sa.Enum("a", name="plain", native_enum=False)', None),
        ("sa.String(10)", None),
    ],
)
def test_column_enum(type_: str, enum: EnumSpec | None) -> None:
    header = HEADER + 'from sqlalchemy.dialects import postgresql\nSTATUS = sa.Enum("x", "y", name="Status")\n'
    (spec,) = only(upgrade(f'op.create_table("t", sa.Column("c", {type_}))', header=header)).columns
    assert spec.enum == enum


def test_inline_foreign_keys_of_columns() -> None:
    operation = only(
        upgrade(
            'op.create_table("t", sa.Column("a", sa.Integer(), sa.ForeignKey("s.other.id", name="fk_a")),'
            " sa.Column('b', sa.Integer(), sa.ForeignKey(Other.id)))"
        )
    )
    first, second = operation.columns
    assert first.foreign_keys == (ForeignKeySpec(("a",), "other", ("id",), BODY_LINE, 25, "fk_a"),)
    assert second.foreign_keys == (ForeignKeySpec(("b",), None, (None,), BODY_LINE, 97),)  # not a literal reference
    assert operation.foreign_keys == ()  # inline keys stay on their columns


def test_table_level_foreign_keys() -> None:
    operation = only(
        upgrade(
            """\
            op.create_table(
                "t",
                sa.Column("o", sa.Integer()),
                sa.ForeignKeyConstraint(["o"], ["public.other.id"], name="fk_o"),
                sa.ForeignKeyConstraint(["o", "p"], ["x.a", "y.b"]),
            )
            """
        )
    )
    assert operation.foreign_keys == (
        ForeignKeySpec(("o",), "other", ("id",), BODY_LINE + 3, 8, "fk_o"),
        ForeignKeySpec(("o", "p"), None, ("a", "b"), BODY_LINE + 4, 8, None),
    )


def test_add_column_target_is_the_column() -> None:
    operation = only(upgrade('op.add_column("t", sa.Column("c", sa.Integer(), nullable=False), schema="s")'))
    assert (operation.table, operation.schema, operation.target, operation.target_known) == ("t", "s", "c", True)
    assert operation.columns == (ColumnSpec("c", INTEGER, BODY_LINE, 23, nullable=False),)


def test_add_column_of_an_unreadable_column_is_opaque() -> None:
    summary = upgrade('op.add_column("t", make_column())')
    operation = only(summary)
    assert (operation.target, operation.target_known, operation.columns) == (None, False, ())
    assert summary.opaque_phases == {"upgrade"}


@pytest.mark.parametrize(
    "call",
    [
        'op.create_foreign_key("fk", "orders", "customers", ["customer_id"], ["id"])',
        'op.create_foreign_key(constraint_name="fk", source_table="orders", referent_table="customers",'
        ' local_cols=["customer_id"], remote_cols=["id"])',
    ],
)
def test_create_foreign_key_spec(call: str) -> None:
    operation = only(upgrade(call))
    assert (operation.table, operation.target) == ("orders", "fk")
    assert operation.foreign_keys == (ForeignKeySpec(("customer_id",), "customers", ("id",), BODY_LINE, 4),)


@pytest.mark.parametrize(
    ("statements", "sql_text", "plain", "core_dml"),
    [
        ('op.execute("DROP TABLE a")', "DROP TABLE a", True, False),
        ('op.execute(sa.text("DROP TABLE b"))', "DROP TABLE b", False, False),
        ('op.execute(sqltext="DROP TABLE k")', "DROP TABLE k", True, False),
        ('op.execute(f"DROP TABLE {name}")', f"DROP TABLE {HOLE}", True, False),
        ('T = "c"\nop.execute(f"DROP TABLE {T}")', "DROP TABLE c", True, False),
        ('stmt = sa.text("DROP TABLE d")\nop.execute(stmt)', "DROP TABLE d", False, False),
        ('stmt = sa.text("SELECT :a")\nop.execute(stmt.bindparams(a=1))', "SELECT :a", False, False),
        ('stmt = sa.text("X")\nstmt = "DROP TABLE e"\nop.execute(stmt)', "DROP TABLE e", True, False),
        ('op.execute("DELETE FROM x WHERE a = %s" % v)', "DELETE FROM x WHERE a = %s", True, False),
        ("op.execute(sa.update(t).where(t.c.id == 1).values(a=2))", None, False, True),
        ("op.execute(t.delete())", None, False, True),
        ("q = sa.select(t)\nq = q.where(t.c.a == 1)\nop.execute(q.limit(10))", None, False, True),
        ("op.execute(build_sql())", None, False, False),
    ],
)
def test_execute_sql(statements: str, sql_text: str | None, plain: bool, core_dml: bool) -> None:
    summary = upgrade(statements)
    operation = only(summary, "execute")
    assert (operation.sql_text, operation.plain_string, operation.core_dml) == (sql_text, plain, core_dml)
    assert summary.opaque_phases == (frozenset({"upgrade"}) if sql_text is None and not core_dml else frozenset())


def test_execute_sql_is_classified() -> None:
    operation = only(upgrade('op.execute("DROP TABLE a; DROP INDEX ix")'))
    assert [(s.verb, s.object_kind, s.names) for s in operation.sql or ()] == [
        ("DROP", "TABLE", ("a",)),
        ("DROP", "INDEX", ("ix",)),
    ]
    assert operation.statements("CREATE") == ()


@pytest.mark.parametrize(
    ("statements", "name"),
    [
        ('conn = op.get_bind()\nconn.execute(sa.text("UPDATE t SET a = 1"))', "execute"),
        ('x = op.get_bind()\nx.execute(sa.text("UPDATE t SET a = 1"))', "execute"),
        ('op.get_bind().execute(sa.text("UPDATE t SET a = 1"))', "execute"),
        ('with op.get_bind().connect() as c:\n    c.execute(sa.text("UPDATE t SET a = 1"))', "execute"),
        ('session.execute(sa.text("UPDATE t SET a = 1"))', "execute"),
    ],
)
def test_sql_on_connections_is_recorded_with_receiver_bind(statements: str, name: str) -> None:
    operation = only(upgrade(statements))
    assert (operation.name, operation.receiver, operation.sql_text) == (name, "bind", "UPDATE t SET a = 1")


def test_execute_on_something_else_is_not_recorded() -> None:
    assert upgrade('cursor = make()\ncursor.execute("DROP TABLE t")').operations == ()


def test_exec_driver_sql_with_readable_sql_is_not_opaque() -> None:
    summary = upgrade('conn = op.get_bind()\nconn.exec_driver_sql("UPDATE t SET a = 1")')
    operation = only(summary)
    assert (operation.receiver, operation.sql_text) == ("bind", "UPDATE t SET a = 1")
    assert summary.opaque_phases == frozenset()


def test_drop_constraint_none_is_unnamed() -> None:
    operation = only(upgrade('op.drop_constraint(None, "t", type_="foreignkey")'))
    assert (operation.table, operation.target, operation.unnamed, operation.final_name) == ("t", None, True, False)


def test_drop_constraint_none_leaves_the_phase_readable() -> None:
    assert upgrade('op.drop_constraint(None, "t", type_="foreignkey")').opaque_phases == frozenset()


def test_op_f_is_a_final_name() -> None:
    operation = only(upgrade('op.create_unique_constraint(op.f("uq_t_a"), "t", ["a"])'))
    assert (operation.target, operation.final_name, operation.unnamed) == ("uq_t_a", True, False)


@pytest.mark.parametrize(
    ("statement", "fields"),
    [
        ("op.drop_column('t', name)", ("t", True, None, False)),
        ("op.drop_table(table_name)", (None, False, None, True)),
        ("op.create_index(ix_name, 't', ['a'])", ("t", True, None, False)),
    ],
)
def test_unreadable_names_make_the_phase_opaque(statement: str, fields: tuple[object, ...]) -> None:
    summary = upgrade(statement)
    operation = only(summary)
    table, table_known, target, target_known = fields
    assert (operation.table, operation.table_known, operation.target, operation.target_known) == (
        table,
        table_known,
        target,
        target_known,
    )
    assert summary.opaque_phases == {"upgrade"}


def test_unreadable_names_in_downgrade_make_only_downgrade_opaque() -> None:
    summary = migration(f"{HEADER}\ndef upgrade():\n    op.drop_table('a')\n\ndef downgrade():\n    op.drop_table(x)\n")
    assert summary.opaque_phases == {"downgrade"}


@pytest.mark.parametrize(
    ("statements", "table"),
    [
        ('users = sa.table("users", sa.column("id"))\nop.bulk_insert(users, [])', "users"),
        ('made = op.create_table("made", sa.Column("id", sa.Integer()))\nop.bulk_insert(made, [])', "made"),
        ('op.bulk_insert(sa.table("inline"), [])', "inline"),
        ("op.bulk_insert(get_table(), [])", None),
    ],
)
def test_bulk_insert_table(statements: str, table: str | None) -> None:
    summary = upgrade(statements)
    operation = only(summary, "bulk_insert")
    assert (operation.table, operation.table_known) == (table, True)
    assert summary.opaque_phases == frozenset()


# --------------------------------------------------------------------------------------------------
# bindings: what local names hold
# --------------------------------------------------------------------------------------------------


def test_rebinding_a_name_forgets_its_literal() -> None:
    summary = upgrade('t = "a"\nop.drop_table(t)\nt = compute()\nop.drop_table(t)')
    assert [(o.table, o.table_known) for o in summary.operations] == [("a", True), (None, False)]


def test_bind_target() -> None:
    env: dict[str, object] = {"b": "stale"}
    target = ast.parse("a, (b, c) = x", mode="exec").body[0].targets[0]  # type: ignore[attr-defined]
    bind_target(target, ("1", "not a pair"), env)  # type: ignore[arg-type]
    assert env == {"a": "1"}
    bind_target(target, ("1", ("2", "3")), env)  # type: ignore[arg-type]
    assert env == {"a": "1", "b": "2", "c": "3"}


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        ("users.id", ("users", "id")),
        ("public.users.id", ("users", "id")),
        ("id", (None, None)),
        (None, (None, None)),
    ],
)
def test_split_reference(reference: str | None, expected: tuple[str | None, str | None]) -> None:
    assert split_reference(reference) == expected


# --------------------------------------------------------------------------------------------------
# conditions: existence guards
# --------------------------------------------------------------------------------------------------


def test_has_table_guards_both_branches_and_not_what_follows() -> None:
    summary = upgrade(
        """\
        inspector = sa.inspect(op.get_bind())
        if inspector.has_table("a"):
            op.drop_table("a")
        else:
            op.create_table("a")
        op.drop_table("b")
        """
    )
    assert [(o.name, o.guarded, kinds(o)) for o in summary.operations] == [
        ("drop_table", True, ("guard",)),
        ("create_table", True, ("guard",)),
        ("drop_table", False, ()),
    ]
    first, second, _ = summary.operations
    assert first.stack == second.stack  # one guard frame for the whole `if`


@pytest.mark.parametrize(
    "statements",
    [
        'if "a" in sa.inspect(op.get_bind()).get_table_names():\n    op.drop_table("a")',
        'names = sa.inspect(op.get_bind()).get_table_names()\nif "a" in names:\n    op.drop_table("a")',
        'names = sa.inspect(op.get_bind()).get_table_names()\nif "a" not in names:\n    op.create_table("a")',
        'if table_exists("a"):\n    op.drop_table("a")',
    ],
)
def test_membership_and_existence_helpers_guard(statements: str) -> None:
    operation = only(upgrade(statements))
    assert (operation.guarded, kinds(operation)) == (True, ("guard",))


def test_early_return_on_an_existence_test_guards_the_rest() -> None:
    summary = upgrade(
        """\
        inspector = sa.inspect(op.get_bind())
        if "a" in inspector.get_table_names():
            return
        op.create_table("a")
        """
    )
    operation = only(summary)
    assert (operation.guarded, operation.stack) == (True, ())


def test_early_return_on_another_test_does_not_guard() -> None:
    assert only(upgrade('if settings.skip:\n    return\nop.create_table("a")')).guarded is False


def test_loop_over_reflected_items_guards_drops_of_their_names() -> None:
    summary = upgrade(
        """\
        inspector = sa.inspect(op.get_bind())
        for fk in inspector.get_foreign_keys("t"):
            op.drop_constraint(fk["name"], "t")
        op.drop_constraint(other["name"], "t")
        """
    )
    assert [(o.target_known, o.guarded) for o in summary.operations] == [(False, True), (False, False)]


def test_guards_looking_for_an_index_are_index_guards() -> None:
    summary = upgrade('if index_exists("t", "ix"):\n    op.drop_index("ix", "t")\nif table_exists("t"):\n    pass')
    assert summary.index_guards == {only(summary).stack[0]}


def test_a_test_naming_empty_adds_an_empty_frame() -> None:
    operation = only(upgrade('if table_is_empty("t"):\n    op.drop_column("t", "c")'))
    assert (operation.guarded, kinds(operation)) == (False, ("empty",))


# --------------------------------------------------------------------------------------------------
# conditions: dialect branches
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("test", "body", "orelse"),
    [
        ('bind.dialect.name == "mysql"', MYSQL_FAMILY, ALL - MYSQL_FAMILY),
        ('bind.dialect.name == "mariadb"', {"mariadb"}, ALL - {"mariadb"}),
        ('"postgresql" == bind.dialect.name', {"postgresql"}, NOT_PG),
        ('bind.dialect.name != "sqlite"', ALL - {"sqlite"}, {"sqlite"}),
        (
            'op.get_bind().dialect.name in ("postgresql", "sqlite")',
            {"postgresql", "sqlite"},
            ALL - {"postgresql", "sqlite"},
        ),
        ('op.get_context().dialect.name not in ["postgres"]', NOT_PG, {"postgresql"}),
        ('not bind.dialect.name == "postgresql"', NOT_PG, {"postgresql"}),
        ('dialect == "postgresql" and flag', {"postgresql"}, ALL),
        ('dialect == "postgresql" and dialect != "sqlite"', {"postgresql"}, NOT_PG),
        ('dialect == "postgresql" or dialect == "sqlite"', {"postgresql", "sqlite"}, ALL - {"postgresql", "sqlite"}),
        ('dialect == "postgresql" or flag', ALL, ALL),
        ('dialect == "cockroach"', ALL, ALL),
        ("is_sqlite()", {"sqlite"}, ALL - {"sqlite"}),
        ('dialect_name == "oracle"', {"oracle"}, ALL - {"oracle"}),
    ],
)
def test_dialect_branches(test: str, body: frozenset[str], orelse: frozenset[str]) -> None:
    summary = upgrade(
        f"""\
        bind = op.get_bind()
        dialect = bind.dialect.name
        if {test}:
            op.drop_table("body")
        else:
            op.drop_table("orelse")
        op.drop_table("after")
        """
    )
    assert [(o.table, o.dialects) for o in summary.operations] == [("body", body), ("orelse", orelse), ("after", ALL)]
    assert all(not o.guarded and o.stack == () for o in summary.operations)


def test_elif_chain_narrows_each_branch() -> None:
    summary = upgrade(
        """\
        bind = op.get_bind()
        if bind.dialect.name == "mysql":
            op.drop_table("m")
        elif bind.dialect.name == "sqlite":
            op.drop_table("s")
        else:
            op.drop_table("rest")
        """
    )
    assert [(o.table, o.dialects) for o in summary.operations] == [
        ("m", MYSQL_FAMILY),
        ("s", {"sqlite"}),
        ("rest", {"postgresql", "mssql", "oracle"}),
    ]


def test_early_return_on_a_dialect_narrows_the_rest() -> None:
    summary = upgrade('if op.get_bind().dialect.name == "sqlite":\n    return\nop.drop_table("t")')
    assert only(summary).dialects == ALL - {"sqlite"}


# --------------------------------------------------------------------------------------------------
# conditions: exception handlers
# --------------------------------------------------------------------------------------------------

HANDLER_HEADER = HEADER + "import psycopg2\nfrom sqlalchemy import exc\nfrom sqlalchemy.exc import ProgrammingError\n"


@pytest.mark.parametrize(
    ("clause", "catches_db_error", "catches_value_error"),
    [
        ("except sa.exc.OperationalError:", True, False),
        ("except ProgrammingError:", True, False),
        ("except exc.SQLAlchemyError:", True, False),
        ("except psycopg2.errors.UndefinedTable:", True, False),
        ("except psycopg2.Error:", True, False),
        ("except Exception:", True, False),
        ("except:", True, False),
        ("except (KeyError, sa.exc.ProgrammingError):", True, False),
        ("except exc.NoSuchTableError:", False, False),
        ("except ValueError:", False, True),
        ("except (ValueError, KeyError):", False, True),
        ("except Error:", False, False),
    ],
)
def test_handler_catches(clause: str, catches_db_error: bool, catches_value_error: bool) -> None:
    found = handler(f"{clause}\n    pass", header=HANDLER_HEADER)
    assert (found.catches_db_error, found.catches_value_error) == (catches_db_error, catches_value_error)


@pytest.mark.parametrize(
    ("body", "silent"),
    [
        ("pass", True),
        ("...", True),
        ('"""Ignored."""\npass', True),
        ("continue", True),
        ("log.warning('x')", False),
        ("raise", False),
    ],
)
def test_silent_handlers(body: str, silent: bool) -> None:
    assert handler("except Exception:\n" + textwrap.indent(body, "    ")).silent is silent


@pytest.mark.parametrize(
    ("body", "reraises_on"),
    [
        ("raise", ALL),
        ("log.warning('x')\nraise RuntimeError('wrapped')", ALL),
        ("pass", frozenset()),
        ("raise\nlog.warning('unreachable')", ALL),  # what follows the raise never runs
        ('if op.get_bind().dialect.name == "sqlite":\n    pass\nelse:\n    raise', ALL - {"sqlite"}),
        ('if op.get_bind().dialect.name == "postgresql":\n    raise', {"postgresql"}),
        ('if op.get_bind().dialect.name != "postgresql":\n    raise', NOT_PG),
        (
            'if op.get_bind().dialect.name == "sqlite":\n    pass\nelif op.get_bind().dialect.name == "mysql":\n'
            "    pass\nelse:\n    raise",
            {"postgresql", "mssql", "oracle"},
        ),
        ("if flag:\n    raise", frozenset()),
        ("if flag:\n    pass\nelse:\n    raise", frozenset()),
    ],
)
def test_handler_reraises_on(body: str, reraises_on: frozenset[str]) -> None:
    found = handler("except Exception:\n" + textwrap.indent(body, "    "))
    assert found.reraises_on == reraises_on


def test_early_return_before_the_final_raise_is_not_a_reraise() -> None:
    early_return = handler("except Exception as e:\n    if 'already exists' in str(e):\n        return\n    raise")
    if_else = handler(
        "except Exception as e:\n    if 'already exists' in str(e):\n        pass\n    else:\n        raise"
    )
    assert early_return.reraises_on == if_else.reraises_on == frozenset()


def test_handler_body_runs_in_a_handler_frame() -> None:
    summary = upgrade(
        'try:\n    op.drop_table("a")\nexcept Exception:\n    op.drop_table("b")\nelse:\n    op.drop_table("c")'
    )
    (block,) = summary.try_blocks
    assert [(o.table, kinds(o)) for o in summary.operations] == [("a", ("try",)), ("b", ("handler",)), ("c", ())]
    assert (block.kind, block.frame, block.line, block.phase) == (
        "try",
        summary.operations[0].stack[0],
        BODY_LINE,
        "upgrade",
    )


SUPPRESS_HEADER = HEADER + "import contextlib\nfrom contextlib import suppress\n"


@pytest.mark.parametrize(
    ("context_manager", "catches"),
    [
        ("contextlib.suppress(sa.exc.ProgrammingError)", True),
        ("suppress(ValueError)", False),
    ],
)
def test_suppress_is_a_silent_try_block(context_manager: str, catches: bool) -> None:
    summary = upgrade(f'with {context_manager}:\n    op.drop_table("t")', header=SUPPRESS_HEADER)
    (block,) = summary.try_blocks
    assert (block.kind, block.frame.kind, block.handlers) == (
        "suppress",
        "suppress",
        (Handler(body_line(SUPPRESS_HEADER), 4, catches, silent=True, reraises_on=frozenset()),),
    )
    assert only(summary).stack == (block.frame,)


def test_suppress_from_elsewhere_is_not_a_try_block() -> None:
    summary = upgrade('with mylib.suppress(Exception):\n    op.drop_table("t")', header=HEADER + "import mylib\n")
    assert (summary.try_blocks, only(summary).stack) == ((), ())


@pytest.mark.parametrize(
    ("source", "name", "expected"),
    [
        ("ValueError", "ValueError", True),
        ("(KeyError, builtins.ValueError)", "ValueError", True),
        ("ValueErrorish", "ValueError", False),
    ],
)
def test_names_exception(source: str, name: str, expected: bool) -> None:
    assert names_exception(ast.parse(source, mode="eval").body, name) is expected


@pytest.mark.parametrize(
    ("signature", "required"),
    [("()", False), ("(x=1)", False), ("(*, x=1)", False), ("(bind)", True), ("(*, bind)", True), ("(a, b=1)", True)],
)
def test_required_parameters(signature: str, required: bool) -> None:
    function = ast.parse(f"def f{signature}:\n    pass").body[0]
    assert required_parameters(function) is required  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ('logger.info("x")', True),
        ('self.log.warning("x")', True),
        ('printer.info("x")', False),
        ('table_exists("t")', True),
        ('create_table_if_not_exists("t")', False),
    ],
)
def test_only_reads_or_logs(call: str, expected: bool) -> None:
    assert only_reads_or_logs(ast.parse(call, mode="eval").body) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("qualified", "expected"),
    [("mylib.run", True), ("os.path.join", False), ("sqlalchemy.inspect", False), ("alembic.op.f", False)],
)
def test_is_foreign_code(qualified: str, expected: bool) -> None:
    assert is_foreign_code(qualified) is expected


# --------------------------------------------------------------------------------------------------
# walk: frames, loops, helpers, commits, row loops
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statements", "frames"),
    [
        ('with op.get_bind().begin_nested():\n    op.drop_table("t")', ("savepoint",)),
        ('with op.get_context().autocommit_block():\n    op.drop_table("t")', ("autocommit",)),
        (
            'try:\n    with op.get_bind().begin_nested():\n        op.drop_table("t")\nexcept Exception:\n    pass',
            ("try", "savepoint"),
        ),
        (
            'try:\n    with op.batch_alter_table("t") as b:\n        b.drop_column("c")\nexcept ValueError:\n    pass',
            ("try", "batch"),
        ),
        ('for x in xs:\n    op.drop_table("t")', ("loop",)),
        ('while more():\n    op.drop_table("t")', ("loop",)),
    ],
)
def test_enclosing_frames_outermost_first(statements: str, frames: tuple[str, ...]) -> None:
    operation = [o for o in upgrade(statements).operations if o.name != "batch_alter_table"][-1]
    assert kinds(operation) == frames
    assert operation.stack[0].line == BODY_LINE


def test_helper_called_twice_gets_distinct_frames() -> None:
    summary = upgrade(
        'drop("a")\ndrop("b")',
        extra="\ndef drop(t):\n    try:\n        op.drop_table(t)\n    except Exception:\n        pass\n",
    )
    first, second = summary.try_blocks
    assert (first.line, first.frame.kind) == (second.line, second.frame.kind)
    assert first.frame != second.frame
    assert [o.stack for o in summary.operations] == [(first.frame,), (second.frame,)]


def test_loop_over_literal_tuple_expands_each_item() -> None:
    summary = upgrade('for name in ("x", "y"):\n    op.drop_table(name)')
    assert [(o.table, kinds(o)) for o in summary.operations] == [("x", ("loop",)), ("y", ("loop",))]
    assert summary.operations[0].stack == summary.operations[1].stack


def test_loop_over_literal_tuples_expands_helper_calls() -> None:
    summary = upgrade(
        'for t, c in (("t1", "c1"), ("t2", "c2")):\n    drop(t, c)',
        extra="""
        def drop(table, column):
            op.drop_column(table, column)
            op.drop_index("ix_" + column, table)
        """,
    )
    assert [(o.name, o.table, o.target) for o in summary.operations] == [
        ("drop_column", "t1", "c1"),
        ("drop_index", "t1", "ix_c1"),
        ("drop_column", "t2", "c2"),
        ("drop_index", "t2", "ix_c2"),
    ]
    assert summary.opaque_phases == frozenset()


def test_loop_over_unknown_items_walks_once_without_the_name() -> None:
    summary = upgrade('name = "stale"\nfor name in names():\n    op.drop_table(name)\nop.drop_table(name)')
    assert [(o.table, o.table_known) for o in summary.operations] == [(None, False), (None, False)]


@pytest.mark.parametrize(
    ("calls", "expected"),
    [
        ("drop()", ["dflt"]),
        ('drop("given")', ["given"]),
        ('drop(table="kw")', ["kw"]),
        ("drop(unknown())", [None]),
        ('drop(DEFAULT + "_x")', ["const_x"]),
    ],
)
def test_helpers_inlined_with_literal_arguments_and_defaults(calls: str, expected: list[str | None]) -> None:
    summary = upgrade(
        calls, header=HEADER + 'DEFAULT = "const"\n', extra='\ndef drop(table="dflt"):\n    op.drop_table(table)\n'
    )
    assert tables(summary) == expected
    assert {(o.function, o.phase) for o in summary.operations} == {("upgrade", "upgrade")}


def test_helper_parameter_shadows_a_module_constant() -> None:
    summary = upgrade(
        "drop(unknown())", header=HEADER + 'table = "module"\n', extra="\ndef drop(table):\n    op.drop_table(table)\n"
    )
    assert tables(summary) == [None]


def test_helper_never_called_records_nothing() -> None:
    """It never runs: no operation, try block or opaque phase of it is attributed to upgrade() or downgrade()."""
    summary = upgrade(
        "if False:\n    dead('t')",
        extra="\ndef unused(table):\n    try:\n        op.drop_table(table)\n    except Exception:\n        pass\n"
        "\ndef dead(table):\n    mylib.run(op, table)\n",
    )
    assert (summary.operations, summary.try_blocks, summary.opaque_phases) == ((), (), frozenset())


def test_local_function_is_inlined_where_called() -> None:
    summary = upgrade('def inner(t):\n    op.drop_table(t)\ninner("x")\ninner("y")')
    assert [(o.table, o.function) for o in summary.operations] == [("x", "upgrade"), ("y", "upgrade")]


def test_recursive_helper_is_walked_once() -> None:
    summary = upgrade('again("a")', extra="\ndef again(t):\n    op.drop_table(t)\n    again(t)\n")
    assert tables(summary) == ["a"]


def test_batch_op_passed_to_a_helper() -> None:
    summary = upgrade(
        'with op.batch_alter_table("bt") as batch_op:\n    fix(batch_op)',
        extra='\ndef fix(b):\n    b.drop_column("c")\n',
    )
    operation = only(summary, "drop_column")
    assert (operation.receiver, operation.table, operation.target, kinds(operation)) == ("batch", "bt", "c", ("batch",))


def test_multidb_functions_and_a_helper_taking_a_connection() -> None:
    summary = migration(
        """\
        from alembic import op
        import sqlalchemy as sa
        revision = "a1"
        down_revision = "a0"
        def upgrade(engine_name):
            globals()["upgrade_%s" % engine_name]()
        def upgrade_engine1():
            op.create_table("e1")
            upgrade_x(op.get_bind())
        def downgrade_engine1():
            op.drop_table("e1")
        def upgrade_x(bind):
            bind.execute(sa.text("UPDATE t SET a = 1"))
        """
    )
    assert [(f.name, f.kind, f.engine) for f in summary.functions] == [
        ("upgrade", "upgrade", ""),
        ("upgrade_engine1", "upgrade", "engine1"),
        ("downgrade_engine1", "downgrade", "engine1"),
    ]
    assert [(o.name, o.receiver, o.function, o.phase, o.engine) for o in summary.operations] == [
        ("create_table", "op", "upgrade_engine1", "upgrade", "engine1"),
        ("execute", "bind", "upgrade_engine1", "upgrade", "engine1"),
        ("drop_table", "op", "downgrade_engine1", "downgrade", "engine1"),
    ]


@pytest.mark.parametrize("commit", ['"COMMIT"', '"commit;"', '" END "'])
def test_commit_marks_what_follows(commit: str) -> None:
    summary = upgrade(f'op.drop_table("before")\nop.execute({commit})\nop.drop_table("after")')
    assert [(o.name, o.after_commit) for o in summary.operations] == [
        ("drop_table", False),
        ("execute", False),
        ("drop_table", True),
    ]


def test_commit_on_a_connection_marks_what_follows() -> None:
    summary = upgrade('conn = op.get_bind()\nconn.execute("COMMIT")\nop.drop_table("after")')
    assert only(summary, "drop_table").after_commit is True


@pytest.mark.parametrize(
    "statements",
    [
        'if flag:\n    op.execute("COMMIT")',
        'if flag:\n    op.execute("COMMIT")\n    return',
        'def later():\n    op.execute("COMMIT")',
    ],
)
def test_commit_that_may_not_have_run_does_not_mark_what_follows(statements: str) -> None:
    summary = upgrade(f'{statements}\nop.drop_table("after")')
    assert only(summary, "drop_table").after_commit is False


def test_commit_before_an_exiting_else_marks_what_follows() -> None:
    summary = upgrade('if flag:\n    op.execute("COMMIT")\nelse:\n    return\nop.drop_table("after")')
    assert only(summary, "drop_table").after_commit is True


def test_commit_through_text_marks_what_follows() -> None:
    summary = upgrade('op.execute(sa.text("COMMIT"))\nop.drop_table("after")')
    assert only(summary, "drop_table").after_commit is True


@pytest.mark.parametrize(
    ("statements", "loop_lines"),
    [
        (
            'rows = conn.execute(sa.text("SELECT id FROM t")).fetchall()\nfor row in rows:\n'
            '    conn.execute(sa.text("UPDATE t SET a = 1 WHERE id = :id"), {"id": row.id})',
            [BODY_LINE + 1],
        ),
        ('for row in conn.execute(sa.text("SELECT id FROM u")):\n    op.execute("DELETE FROM u")', [BODY_LINE]),
        ('for i, row in enumerate(conn.execute(sa.text("SELECT 1")).all()):\n    helper(row)', [BODY_LINE]),
        ('for row in conn.execute(sa.text("SELECT id FROM v")):\n    print(row)', []),
        ('for i in range(3):\n    op.execute("SELECT 1")', []),
    ],
)
def test_row_loops(statements: str, loop_lines: list[int]) -> None:
    summary = upgrade(statements, extra='\ndef helper(row):\n    op.execute(sa.text("DELETE FROM w WHERE id = :id"))\n')
    assert [(loop.line, loop.phase, loop.dialects) for loop in summary.row_loops] == [
        (line, "upgrade", ALL) for line in loop_lines
    ]


def test_inspections_and_schema_lookups() -> None:
    summary = upgrade(
        """\
        inspector = sa.inspect(op.get_bind())
        other = Inspector.from_engine(bind)
        if inspector.has_table("t", schema="public"):
            pass
        if inspector.has_table("t"):
            pass
        """
    )
    assert [(i.line, i.col, i.phase) for i in summary.inspections] == [
        (BODY_LINE, 16, "upgrade"),
        (BODY_LINE + 1, 12, "upgrade"),
    ]
    assert [(s.method, s.schema, s.line) for s in summary.schema_lookups] == [("has_table", "public", BODY_LINE + 2)]


@pytest.mark.parametrize(
    ("statements", "opaque"),
    [
        ("metadata = sa.MetaData()\nmetadata.create_all(op.get_bind())", True),
        ("mylib.do_things(op)", True),
        ("mylib.do_nothing()", False),
        ('logger.info("x %s", 1)', False),
        ('mylib.table_exists("x")', False),
        ('os.environ.get("X")', False),
    ],
)
def test_calls_the_walk_cannot_follow_make_the_phase_opaque(statements: str, opaque: bool) -> None:
    summary = upgrade(statements, header=HEADER + "import os\nimport mylib\nfrom mylib import logger\n")
    assert summary.opaque_phases == (frozenset({"upgrade"}) if opaque else frozenset())


ENUM_HEADER = HEADER + 'from sqlalchemy.dialects import postgresql\nSTATUS = sa.Enum("x", name="status")\n'


def test_enum_type_calls() -> None:
    summary = upgrade(
        """\
        color = postgresql.ENUM("r", "g", name="color")
        color.create(op.get_bind())
        sa.Enum("z", name="zed").create(op.get_bind(), checkfirst=True)
        STATUS.drop(op.get_bind())
        table.create(op.get_bind())
        """,
        header=ENUM_HEADER,
    )
    first = body_line(ENUM_HEADER)
    assert [(c.action, c.name, c.line, c.phase) for c in summary.enum_calls] == [
        ("create", "color", first + 1, "upgrade"),
        ("create", "zed", first + 2, "upgrade"),
        ("drop", "status", first + 3, "upgrade"),
    ]


@pytest.mark.skipif(sys.version_info < (3, 10), reason="match statements need Python 3.10")
def test_operations_inside_match_cases_are_recorded() -> None:
    summary = upgrade(
        'match op.get_bind().dialect.name:\n    case "postgresql":\n        op.drop_table("a")\n'
        '    case _:\n        op.drop_table("b")'
    )
    assert tables(summary) == ["a", "b"]
