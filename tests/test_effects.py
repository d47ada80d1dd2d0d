"""Unit tests for flake8_alembic.effects: what operations create, drop and rename, the objects created so far
(``CreatedObjects``) and the enum types a migration makes."""

from __future__ import annotations

import textwrap

import pytest

from flake8_alembic.effects import (
    CreatedObjects,
    ObjectRef,
    created_by,
    dropped_by,
    enum_types_made,
    inline_constraints,
    norm,
    renamed_by,
    sql_drops,
)
from flake8_alembic.parse.module import Migration, parse_source
from flake8_alembic.parse.records import Operation
from flake8_alembic.sql import classify

HEADER = '''\
"""Test migration."""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "a1"
down_revision = "a0"
'''


def migration(body: str, header: str = HEADER) -> Migration:
    code = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    source = f"{header}\n\ndef upgrade():\n{code}\n\n\ndef downgrade():\n    pass\n"
    result = parse_source("versions/a1.py", source.encode())
    assert isinstance(result, Migration), result
    return result


def operations(body: str) -> list[Operation]:
    return list(migration(body).operations)


def one(statement: str) -> Operation:
    (operation,) = operations(statement)
    return operation


def created(statements: str) -> CreatedObjects:
    objects = CreatedObjects()
    for operation in operations(statements):
        objects.add(operation)
    return objects


# --------------------------------------------------------------------------------------------------
# norm
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Users", "users"),
        ('"Public"."Users"', "users"),
        ("[dbo].[Users]", "users"),
        ("`shop`.`Orders`", "orders"),
        (None, None),
    ],
)
def test_norm(name: str | None, expected: str | None) -> None:
    assert norm(name) == expected


# --------------------------------------------------------------------------------------------------
# created_by, dropped_by, renamed_by
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "refs"),
    [
        ('op.create_table("Users", sa.Column("id", sa.Integer()))', [ObjectRef("table", "users")]),
        ('op.add_column("users", sa.Column("Email", sa.String()))', [ObjectRef("column", "email", "users")]),
        ('op.create_index("ix_a", "users", ["A", "b"])', [ObjectRef("index", "ix_a", "users", ("a", "b"))]),
        ('op.create_unique_constraint("uq", "users", ["a"])', [ObjectRef("constraint", "uq", "users", ("a",))]),
        (
            'op.create_foreign_key("fk", "orders", "customers", ["customer_id"], ["id"])',
            [ObjectRef("constraint", "fk", "orders", ("customer_id",))],
        ),
        (
            'with op.batch_alter_table("t") as b:\n    b.create_index("ix", ["c"])',
            [ObjectRef("index", "ix", "t", ("c",))],
        ),
        ('op.drop_table("users")', []),
        ('op.execute("UPDATE users SET a = 1")', []),
    ],
)
def test_created_by_operations(statement: str, refs: list[ObjectRef]) -> None:
    assert created_by(operations(statement)[-1]) == refs


def test_created_by_sql() -> None:
    operation = one(
        'op.execute("CREATE TABLE x (id int); CREATE INDEX ix_x ON x (id); '
        "ALTER TABLE x ADD COLUMN y int, ADD CONSTRAINT ck CHECK (y > 0); CREATE TYPE mood AS ENUM ('a')\")"
    )
    assert created_by(operation) == [
        ObjectRef("table", "x"),
        ObjectRef("index", "ix_x", "x"),
        ObjectRef("column", "y", "x"),
        ObjectRef("constraint", "ck", "x"),
        ObjectRef("type", "mood"),
    ]


@pytest.mark.parametrize(
    ("statement", "name"),
    [
        ('op.create_foreign_key(None, "orders", "customers", ["customer_id"], ["id"])', "orders_customer_id_fkey"),
        ('op.create_unique_constraint(None, "orders", ["a", "b"])', "orders_a_b_key"),
        ('op.create_primary_key(None, "orders", ["id"])', "orders_pkey"),
        ('op.create_check_constraint(None, "orders", "a > 0")', "orders_a_check"),
        ('op.create_check_constraint(None, "orders", "a > b")', "orders_check"),
        ('op.create_check_constraint(None, "orders", sa.column("a") > 0)', "orders_a_check"),
        ('op.create_unique_constraint(None, "orders", [sa.text("lower(a)")])', None),
        ('op.create_unique_constraint(None, table, ["a"])', None),
    ],
)
def test_postgresql_names_unnamed_constraints(statement: str, name: str | None) -> None:
    (ref,) = created_by(one(statement))
    assert (ref.kind, ref.name) == ("constraint", name)


def test_postgresql_default_name_is_shortened_to_63_bytes() -> None:
    table, column = "a" * 40, "b" * 30
    (ref,) = created_by(one(f'op.create_foreign_key(None, "{table}", "other", ["{column}"], ["id"])'))
    assert ref.name == "a" * 29 + "_" + "b" * 28 + "_fkey"


@pytest.mark.parametrize(
    ("statement", "refs"),
    [
        ('op.drop_table("public.Users")', [ObjectRef("table", "users")]),
        ('op.drop_column("users", "Email")', [ObjectRef("column", "email", "users")]),
        ('op.drop_index("ix_a", table_name="users")', [ObjectRef("index", "ix_a", "users")]),
        ('op.drop_constraint("fk", "orders", type_="foreignkey")', [ObjectRef("constraint", "fk", "orders")]),
        ('op.drop_constraint(None, "orders")', [ObjectRef("constraint", None, "orders")]),
        ('op.create_table("users")', []),
        (
            'op.execute("DROP TABLE IF EXISTS x; ALTER TABLE y DROP COLUMN z, DROP CONSTRAINT c; DROP INDEX ix_x")',
            [
                ObjectRef("table", "x"),
                ObjectRef("column", "z", "y"),
                ObjectRef("constraint", "c", "y"),
                ObjectRef("index", "ix_x"),
            ],
        ),
        ('op.execute(f"DROP TABLE {name}")', [ObjectRef("table", None)]),
        ('op.execute("DELETE FROM x")', []),
    ],
)
def test_dropped_by(statement: str, refs: list[ObjectRef]) -> None:
    assert dropped_by(one(statement)) == refs


@pytest.mark.parametrize(
    ("sql", "drops"),
    [
        ("DROP TABLE IF EXISTS a, b", [(ObjectRef("table", "a"), True), (ObjectRef("table", "b"), True)]),
        ("DROP INDEX ix ON t", [(ObjectRef("index", "ix", "t"), False)]),
        (
            "ALTER TABLE t DROP COLUMN IF EXISTS c, DROP CONSTRAINT k",
            [(ObjectRef("column", "c", "t"), True), (ObjectRef("constraint", "k", "t"), False)],
        ),
        ("CREATE TABLE t (id int)", []),
    ],
)
def test_sql_drops_and_their_if_exists(sql: str, drops: list[tuple[ObjectRef, bool]]) -> None:
    (statement,) = classify(sql)
    assert sql_drops(statement) == drops


@pytest.mark.parametrize(
    ("statement", "renames"),
    [
        ('op.rename_table("Old", "New")', [(ObjectRef("table", "old"), "new")]),
        ('op.alter_column("t", "c", new_column_name="D")', [(ObjectRef("column", "c", "t"), "d")]),
        (
            'with op.batch_alter_table("t") as b:\n    b.alter_column("c", new_column_name="d")',
            [(ObjectRef("column", "c", "t"), "d")],
        ),
        ('op.alter_column("t", "c", nullable=False)', []),
        (
            'op.execute("ALTER TABLE t RENAME TO u; ALTER TABLE u RENAME COLUMN a TO b; '
            'ALTER TYPE mood RENAME TO feeling")',
            [
                (ObjectRef("table", "t"), "u"),
                (ObjectRef("column", "a", "u"), "b"),
                (ObjectRef("type", "mood"), "feeling"),
            ],
        ),
        ('op.execute("ALTER TABLE t ADD COLUMN renamed int")', []),
    ],
)
def test_renamed_by(statement: str, renames: list[tuple[ObjectRef, str]]) -> None:
    assert renamed_by(operations(statement)[-1]) == renames


@pytest.mark.parametrize(
    ("statement", "refs"),
    [
        (
            'op.add_column("users", sa.Column("org", sa.Integer(), sa.ForeignKey("orgs.id", name="FK_Org")))',
            [ObjectRef("constraint", "fk_org", "users", ("org",))],
        ),
        (
            'op.add_column("users", sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id")))',
            [ObjectRef("constraint", "users_org_id_fkey", "users", ("org_id",))],
        ),
        ('op.add_column("users", sa.Column("org_id", sa.Integer()))', []),
        ('op.create_table("users", sa.Column("org_id", sa.Integer(), sa.ForeignKey("orgs.id")))', []),
    ],
)
def test_inline_constraints(statement: str, refs: list[ObjectRef]) -> None:
    assert inline_constraints(one(statement)) == refs


# --------------------------------------------------------------------------------------------------
# CreatedObjects
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ref", "covered"),
    [
        (ObjectRef("table", "made"), True),
        (ObjectRef("column", "anything", "made"), True),
        (ObjectRef("index", "ix_any", "made"), True),
        (ObjectRef("column", "c", "old"), True),
        (ObjectRef("column", "other", "old"), False),
        (ObjectRef("index", "ix_c", "old"), True),
        (ObjectRef("index", "ix_c", "elsewhere"), True),
        (ObjectRef("constraint", "fk_c", "old"), True),
        (ObjectRef("table", "old"), False),
        (ObjectRef("table", None), False),
        (ObjectRef("column", None, "old"), False),
    ],
)
def test_covers(ref: ObjectRef, covered: bool) -> None:
    objects = created(
        """\
        op.create_table("made", sa.Column("id", sa.Integer()))
        op.add_column("old", sa.Column("c", sa.Integer(), sa.ForeignKey("p.id", name="fk_c")))
        op.create_index("ix_c", "old", ["c"])
        """
    )
    assert objects.covers(ref) is covered


def test_covers_follows_table_renames() -> None:
    objects = created(
        """\
        op.create_table("a", sa.Column("id", sa.Integer()))
        op.add_column("b", sa.Column("c", sa.Integer()))
        op.rename_table("a", "a2")
        op.rename_table("b", "b2")
        """
    )
    assert objects.covers(ObjectRef("table", "a2"))
    assert objects.covers(ObjectRef("column", "id", "a2"))
    assert objects.covers(ObjectRef("column", "c", "b2"))
    assert not objects.covers(ObjectRef("table", "b2x"))


def test_covers_follows_column_renames() -> None:
    objects = created(
        'op.add_column("t", sa.Column("c", sa.Integer()))\nop.alter_column("t", "c", new_column_name="d")'
    )
    assert objects.covers(ObjectRef("column", "d", "t"))
    assert not objects.covers(ObjectRef("column", "d", "other"))


def test_renaming_a_table_does_not_cover_its_other_columns() -> None:
    objects = created('op.rename_table("users", "accounts")')
    assert objects.covers(ObjectRef("table", "accounts"))
    assert not objects.covers(ObjectRef("column", "legacy", "accounts"))


def test_covers_a_rename_of_an_object_not_created_here() -> None:
    objects = created('op.execute("ALTER TABLE t RENAME COLUMN a TO b")')
    assert objects.covers(ObjectRef("column", "b", "t"))
    assert not objects.covers(ObjectRef("column", "a", "t"))


def test_add_statement_covers_later_statements_of_the_same_string() -> None:
    objects = CreatedObjects()
    first, second = classify("CREATE PROCEDURE p() AS $$ SELECT 1 $$; DROP PROCEDURE p")
    assert sql_drops(second) == [(ObjectRef("procedure", "p"), False)]
    assert not objects.covers(ObjectRef("procedure", "p"))
    objects.add_statement(first)
    assert objects.covers(ObjectRef("procedure", "p"))


@pytest.mark.parametrize(
    ("creation", "drop", "covered"),
    [
        ('op.create_foreign_key(None, "o", "p", ["x"], ["id"])', 'op.drop_constraint(None, "o")', True),
        ('op.create_foreign_key(None, "o", "p", ["x"], ["id"])', 'op.drop_constraint(None, "q")', False),
        ('op.create_foreign_key(None, "o", "p", ["x"], ["id"])', 'op.drop_constraint("fk", "o")', False),
        ('op.create_foreign_key("fk", "o", "p", ["x"], ["id"])', 'op.drop_constraint(None, "o")', False),
        (
            'op.add_column("o", sa.Column("x", sa.Integer(), sa.ForeignKey("p.id")))',
            'op.drop_constraint(None, "o")',
            True,
        ),
        (
            'op.add_column("o", sa.Column("x", sa.Integer(), sa.ForeignKey("p.id", name="n")))',
            'op.drop_constraint(None, "o")',
            False,
        ),
    ],
)
def test_covers_unnamed_drop(creation: str, drop: str, covered: bool) -> None:
    create_op, drop_op = operations(f"{creation}\n{drop}")
    objects = CreatedObjects()
    objects.add(create_op)
    assert objects.covers_unnamed_drop(drop_op) is covered


def test_unnamed_constraint_is_covered_by_its_postgresql_name() -> None:
    objects = created('op.create_foreign_key(None, "orders", "customers", ["customer_id"], ["id"])')
    (drop,) = dropped_by(one('op.drop_constraint("orders_customer_id_fkey", "orders")'))
    assert objects.covers(drop)


# --------------------------------------------------------------------------------------------------
# enum_types_made
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statements", "made"),
    [
        ('op.create_table("t", sa.Column("c", sa.Enum("a", name="Kind")))', {"kind"}),
        ('op.create_table("t", sa.Column("c", postgresql.ENUM("a", name="pre", create_type=False)))', set()),
        ('op.create_table("t", sa.Column("c", sa.Enum("a", name="plain", native_enum=False)))', set()),
        ('op.add_column("t", sa.Column("c", sa.Enum("a", name="added")))', set()),
        ('color = postgresql.ENUM("r", name="color")\ncolor.create(op.get_bind())', {"color"}),
        ('sa.Enum("r", name="color").drop(op.get_bind())', set()),
        ("op.execute(\"CREATE TYPE shape AS ENUM ('a')\")", {"shape"}),
        ("op.execute(f\"CREATE TYPE {name} AS ENUM ('a')\")", {None}),
        ("op.execute(f\"CREATE TYPE app_{name} AS ENUM ('a')\")", {None}),
        ('op.execute("DROP TYPE shape")', set()),
    ],
)
def test_enum_types_made(statements: str, made: set[str | None]) -> None:
    assert enum_types_made(migration(statements)) == made


# -------------------------------------------------------------------------------------------------- identifiers
def test_names_are_compared_as_the_targets_compare_them() -> None:
    from flake8_alembic.names import POSTGRESQL_IDENTIFIERS as PG

    create = one('op.create_table("Account", sa.Column("id", sa.Integer()))')
    sql_drop = one('op.execute("DROP TABLE account")')
    quoted_drop = one("op.execute('DROP TABLE \"Account\"')")
    assert created_by(create, PG) == [ObjectRef("table", "Account")]
    assert dropped_by(sql_drop, PG) == [ObjectRef("table", "account")]
    assert dropped_by(quoted_drop, PG) == [ObjectRef("table", "Account")]
    assert created_by(create) == [ObjectRef("table", "account")] == dropped_by(sql_drop)  # folded
    objects = CreatedObjects(PG)
    objects.add(create)
    assert objects.covers(ObjectRef("table", "Account")) and not objects.covers(ObjectRef("table", "account"))


def test_a_rename_in_sql_keeps_the_quoting_of_each_name() -> None:
    from flake8_alembic.names import POSTGRESQL_IDENTIFIERS as PG

    (rename,) = renamed_by(one('op.execute(\'ALTER TABLE "Old" RENAME COLUMN "Name" TO name\')'), PG)
    assert rename == (ObjectRef("column", "Name", "Old"), "name")


@pytest.mark.parametrize(
    ("statement", "name"),
    [
        ('op.create_foreign_key(None, "orders", "customers", ["customer_id"], ["id"])', "fk_orders_customer_id"),
        ('op.create_unique_constraint(None, "orders", ["a", "b"])', "uq_orders_a_b"),
        ('op.create_check_constraint(None, "orders", "a > 0")', None),  # ck needs %(constraint_name)s
        ('op.create_primary_key(None, "orders", ["id"])', "orders_pkey"),  # no pk template: PostgreSQL's
    ],
)
def test_a_naming_convention_names_unnamed_constraints(statement: str, name: str | None) -> None:
    convention = {
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
    (ref,) = created_by(one(statement), naming=convention)
    assert ref.name == name


def test_a_convention_names_foreign_keys_after_the_referred_table_and_unread_kinds_stay_unknown() -> None:
    from flake8_alembic.effects import naming_templates

    statement = 'op.create_foreign_key(None, "visit", "place", ["place_id"], ["id"])'
    read = naming_templates((("fk", "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"),), True)
    (ref,) = created_by(one(statement), naming=read)
    assert ref.name == "fk_visit_place_id_place"
    partly_read = naming_templates((("uq", "uq_%(table_name)s_%(column_0_name)s"),), False)
    (unknown,) = created_by(one(statement), naming=partly_read)
    assert unknown.name is None  # the part not read may name foreign keys
    (postgresql,) = created_by(one(statement), naming=naming_templates((), True))
    assert postgresql.name == "visit_place_id_fkey"  # a convention read in full without "fk": PostgreSQL names it
