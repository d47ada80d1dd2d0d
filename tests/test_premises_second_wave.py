"""The PostgreSQL and SQLite behaviour the second-wave rules' docs claim (ALM014, ALM022-ALM025, ALM028-ALM030),
shown on a real PostgreSQL (see tests/postgres.py) and the standard library's sqlite3.

What Alembic emits is run through the real `Operations` on a `MigrationContext` bound to the test connection.
Every PostgreSQL connection starts with `statement_timeout=10s` and `lock_timeout=5s`, so no test can hang. The
MariaDB side is in tests/test_premises_mariadb.py. See docs/premises.md for the list of premises.
"""

from __future__ import annotations

import io
import sqlite3
import time
from collections.abc import Iterator
from typing import Any

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg2")
pytest.importorskip("alembic")

from alembic.operations import Operations  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from sqlalchemy.dialects import postgresql  # noqa: E402

from .postgres import engine_or_skip  # noqa: E402

SAFETY = "-c statement_timeout=10000 -c lock_timeout=5000"


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    yield from engine_or_skip(SAFETY)


def autocommit(engine: Any) -> Any:
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def ops(conn: Any) -> Any:
    return Operations(MigrationContext.configure(conn))


def sqlstate(error: BaseException) -> str | None:
    return getattr(getattr(error, "orig", None), "pgcode", None)


def notices_of(conn: Any, statement: str) -> list[str]:
    """Run `statement` on the raw DBAPI cursor and return the server's notices (SQLAlchemy's psycopg2 dialect
    empties `connection.notices` after its own executions)."""
    dbapi = conn.connection.dbapi_connection
    del dbapi.notices[:]
    with dbapi.cursor() as cursor:
        cursor.execute(statement)
    return [notice.strip() for notice in dbapi.notices]


def index_valid(conn: Any, name: str) -> bool | None:
    return conn.execute(
        sa.text("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = :n"),
        {"n": name},
    ).scalar()


def type_exists(conn: Any, name: str) -> bool:
    return bool(conn.execute(sa.text("SELECT count(*) FROM pg_type WHERE typname = :n"), {"n": name}).scalar())


# ALM022: `has_table(..., schema="public")` is a PostgreSQL-only guard.


def test_alm022_has_table_schema_public_is_true_on_postgresql(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t022 (id int)"))
        inspector = sa.inspect(conn)
        assert inspector.has_table("t022", schema="public") is True
        assert inspector.has_table("t022") is True
        conn.rollback()


def test_alm022_has_table_schema_public_is_false_on_sqlite() -> None:
    """SQLite reads the schema as an attached database name: no error, just False."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t022 (id int)"))
        inspector = sa.inspect(conn)
        assert inspector.has_table("t022", schema="public") is False
        assert inspector.has_table("t022") is True
        assert inspector.has_table("t022", schema="main") is True
        with pytest.raises(sa.exc.OperationalError) as failure:
            conn.execute(sa.text("SELECT * FROM public.t022"))
        assert str(failure.value.orig) == "no such table: public.t022"
    engine.dispose()


# ALM023: a failed concurrent unique build leaves an INVALID index that IF NOT EXISTS then skips.


def _duplicates(conn: Any, table: str) -> None:
    conn.execute(sa.text(f"CREATE TABLE {table} (id int, email text)"))
    conn.execute(sa.text(f"INSERT INTO {table} VALUES (1, 'a@x'), (2, 'a@x'), (3, 'b@x')"))


def test_alm023_failed_concurrent_unique_build_leaves_invalid_index_that_the_retry_skips(engine: Any) -> None:
    with autocommit(engine) as conn:
        _duplicates(conn, "t023")
        with pytest.raises(sa.exc.IntegrityError) as failure:
            conn.execute(sa.text("CREATE UNIQUE INDEX CONCURRENTLY ux023 ON t023 (email)"))
        assert sqlstate(failure.value) == "23505"
        assert 'could not create unique index "ux023"' in str(failure.value)
        assert "Key (email)=(a@x) is duplicated." in str(failure.value)
        assert index_valid(conn, "ux023") is False
        # The retry, as plain SQL: a notice, no error, and the index stays invalid.
        notices = notices_of(conn, "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ux023 ON t023 (email)")
        assert notices == ['NOTICE:  relation "ux023" already exists, skipping']
        # The retry, as Alembic emits it.
        ops(conn).create_index(
            "ux023", "t023", ["email"], unique=True, postgresql_concurrently=True, if_not_exists=True
        )
        assert index_valid(conn, "ux023") is False
        # Uniqueness is not enforced.
        conn.execute(sa.text("INSERT INTO t023 VALUES (4, 'b@x')"))
        assert conn.execute(sa.text("SELECT count(*) FROM t023 WHERE email = 'b@x'")).scalar() == 2
        conn.execute(sa.text("DROP TABLE t023"))


def test_alm023_drop_the_invalid_index_first_then_build_is_valid(engine: Any) -> None:
    with autocommit(engine) as conn:
        _duplicates(conn, "t023s")
        with pytest.raises(sa.exc.IntegrityError):
            conn.execute(sa.text("CREATE UNIQUE INDEX CONCURRENTLY ux023s ON t023s (email)"))
        assert index_valid(conn, "ux023s") is False
        conn.execute(sa.text("DELETE FROM t023s WHERE id = 2"))
        conn.execute(sa.text("DROP INDEX CONCURRENTLY IF EXISTS ux023s"))
        conn.execute(sa.text("CREATE UNIQUE INDEX CONCURRENTLY ux023s ON t023s (email)"))
        assert index_valid(conn, "ux023s") is True
        with pytest.raises(sa.exc.IntegrityError) as failure:
            conn.execute(sa.text("INSERT INTO t023s VALUES (4, 'b@x')"))
        assert sqlstate(failure.value) == "23505"
        conn.execute(sa.text("DROP TABLE t023s"))


# ALM024: the lifecycle of a PostgreSQL enum type under Alembic.


@pytest.mark.parametrize(
    "enum",
    [
        pytest.param(lambda: sa.Enum("a", "b", name="status024"), id="sa.Enum"),
        pytest.param(lambda: postgresql.ENUM("a", "b", name="status024", create_type=True), id="ENUM-create_type"),
    ],
)
def test_alm024_add_column_does_not_create_the_enum_type_42704(engine: Any, enum: Any) -> None:
    """`create_type=True` (the default) only acts on CREATE TABLE; add_column never creates the type."""
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t024 (id int)"))
        with pytest.raises(sa.exc.ProgrammingError) as failure:
            ops(conn).add_column("t024", sa.Column("s", enum()))
        assert sqlstate(failure.value) == "42704"
        assert 'type "status024" does not exist' in str(failure.value)
        assert failure.value.statement == "ALTER TABLE t024 ADD COLUMN s status024"
        conn.rollback()


def test_alm024_create_the_type_first_then_add_column(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t024s (id int)"))
        postgresql.ENUM("a", "b", name="status024s").create(conn, checkfirst=True)
        ops(conn).add_column("t024s", sa.Column("s", postgresql.ENUM("a", "b", name="status024s", create_type=False)))
        conn.execute(sa.text("INSERT INTO t024s VALUES (1, 'a')"))
        assert conn.execute(sa.text("SELECT s FROM t024s")).scalar() == "a"
        conn.rollback()


def test_alm024_drop_table_keeps_the_type_and_the_next_upgrade_fails_42710(engine: Any) -> None:
    def table(op: Any) -> None:
        op.create_table("t024b", sa.Column("id", sa.Integer()), sa.Column("s", sa.Enum("a", "b", name="status024b")))

    with engine.connect() as conn:
        op = ops(conn)
        table(op)  # upgrade: CREATE TYPE, then CREATE TABLE
        assert type_exists(conn, "status024b")
        op.drop_table("t024b")  # downgrade: DROP TABLE only
        assert type_exists(conn, "status024b")
        conn.commit()
        # Within the same MigrationContext the type is remembered as created, and the re-create succeeds.
        table(op)
        conn.rollback()
    with engine.connect() as conn:  # the next `alembic upgrade`: a new MigrationContext
        with pytest.raises(sa.exc.ProgrammingError) as failure:
            table(ops(conn))
        assert sqlstate(failure.value) == "42710"
        assert 'type "status024b" already exists' in str(failure.value)
        assert failure.value.statement == "CREATE TYPE status024b AS ENUM ('a', 'b')"
        conn.rollback()
        # The safe downgrade drops the type too; then the upgrade runs again.
        sa.Enum(name="status024b").drop(conn, checkfirst=True)
        table(ops(conn))
        conn.rollback()
        conn.execute(sa.text("DROP TYPE status024b"))
        conn.commit()


def test_alm024_alter_column_to_enum_with_an_added_value_is_a_no_op_22P02(engine: Any) -> None:
    buffer = io.StringIO()
    offline = Operations(
        MigrationContext.configure(dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buffer})
    )
    changed = {
        "type_": sa.Enum("a", "b", "c", name="status024c"),
        "existing_type": sa.Enum("a", "b", name="status024c"),
    }
    offline.alter_column("t024c", "s", **changed)
    assert buffer.getvalue().strip() == "ALTER TABLE t024c ALTER COLUMN s TYPE status024c;"
    with engine.connect() as conn:
        op = ops(conn)
        op.create_table("t024c", sa.Column("id", sa.Integer()), sa.Column("s", sa.Enum("a", "b", name="status024c")))
        op.alter_column("t024c", "s", **changed)
        conn.commit()
        assert conn.execute(sa.text("SELECT enum_range(NULL::status024c)::text")).scalar() == "{a,b}"
        with pytest.raises(sa.exc.DataError) as failure:
            conn.execute(sa.text("INSERT INTO t024c VALUES (1, 'c')"))
        assert sqlstate(failure.value) == "22P02"
        assert 'invalid input value for enum status024c: "c"' in str(failure.value)
        conn.rollback()
        # The form that adds the value.
        conn.execute(sa.text("ALTER TYPE status024c ADD VALUE 'c'"))
        conn.commit()
        conn.execute(sa.text("INSERT INTO t024c VALUES (1, 'c')"))
        conn.execute(sa.text("DROP TABLE t024c"))
        conn.execute(sa.text("DROP TYPE status024c"))
        conn.commit()


# ALM025: an unnamed constraint cannot be dropped.


@pytest.mark.parametrize(
    ("type_", "construct"),
    [
        ("foreignkey", "ForeignKeyConstraint"),
        ("unique", "UniqueConstraint"),
        ("check", "CheckConstraint"),
        ("primary", "PrimaryKeyConstraint"),
        (None, "Constraint"),
    ],
    ids=["foreignkey", "unique", "check", "primary", "no-type"],
)
def test_alm025_drop_unnamed_constraint_fails_at_compile_on_postgresql(
    engine: Any, type_: str | None, construct: str
) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE p025 (id int PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE c025 (id int PRIMARY KEY, p int REFERENCES p025 (id))"))
        with pytest.raises(sa.exc.CompileError) as failure:
            ops(conn).drop_constraint(None, "c025", type_=type_)
        message = str(failure.value)
        assert message.startswith(f"Can't emit DROP CONSTRAINT for constraint {construct}(")
        assert message.endswith("; it has no name")
        assert len(sa.inspect(conn).get_foreign_keys("c025")) == 1
        conn.rollback()


def test_alm025_drop_unnamed_constraint_fails_on_sqlite() -> None:
    """Plain: SQLite's Alembic impl refuses any constraint ALTER. Batch: the recreate needs the name."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE p025 (id integer PRIMARY KEY)"))
        conn.execute(sa.text("CREATE TABLE c025 (id integer PRIMARY KEY, p int REFERENCES p025 (id))"))
        op = ops(conn)
        with pytest.raises(NotImplementedError) as plain:
            op.drop_constraint(None, "c025", type_="foreignkey")
        assert str(plain.value) == (
            "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode feature which "
            "allows for SQLite migrations using a copy-and-move strategy."
        )
        with pytest.raises(ValueError) as batch, op.batch_alter_table("c025") as batch_op:
            batch_op.drop_constraint(None, type_="foreignkey")
        assert str(batch.value) == "Constraint must have a name"
        assert len(sa.inspect(conn).get_foreign_keys("c025")) == 1
    engine.dispose()


# ALM028: PostgreSQL's identifier limit is 63 bytes.

LONG = "ix_" + "a" * 67  # 70 characters
TRUNCATED = LONG[:63]


def test_alm028_plain_sql_truncates_a_long_name_with_a_notice(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t028 (id int)"))
        notices = notices_of(conn, f"CREATE INDEX {LONG} ON t028 (id)")
        assert notices == [f'NOTICE:  identifier "{LONG}" will be truncated to "{TRUNCATED}"']
        names = conn.execute(sa.text("SELECT relname FROM pg_class WHERE relname LIKE 'ix\\_a%'")).scalars().all()
        assert names == [TRUNCATED]
        # A later plain-SQL drop by the long literal is truncated the same way, so it works.
        conn.execute(sa.text(f"DROP INDEX {LONG}"))
        conn.rollback()


def test_alm028_alembic_rejects_a_long_name_before_any_sql(engine: Any) -> None:
    """SQLAlchemy checks index and constraint names against PostgreSQL's 63: IdentifierError, client side, for
    create_index, create_unique_constraint, and drop_index (even of an index that plain SQL created)."""
    message = f"Identifier '{LONG}' exceeds maximum length of 63 characters"
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t028a (id int)"))
        op = ops(conn)
        with pytest.raises(sa.exc.IdentifierError) as failure:
            op.create_index(LONG, "t028a", ["id"])
        assert str(failure.value) == message
        with pytest.raises(sa.exc.IdentifierError) as failure:
            op.create_unique_constraint(LONG, "t028a", ["id"])
        assert str(failure.value) == message
        conn.execute(sa.text(f"CREATE INDEX {LONG} ON t028a (id)"))  # e.g. an earlier op.execute
        with pytest.raises(sa.exc.IdentifierError) as failure:
            op.drop_index(LONG, "t028a")
        assert str(failure.value) == message
        op.drop_index(TRUNCATED, "t028a")  # the name PostgreSQL stored
        conn.rollback()


def test_alm028_op_f_long_name_is_hash_truncated_and_differs_from_postgresql_truncation(engine: Any) -> None:
    """`op.f()` marks the name as final, and SQLAlchemy shortens it itself (55 characters, `_`, 4 hex digits of
    its md5: 60 in all). A plain-SQL drop by the literal is truncated by PostgreSQL to a different name and fails
    with 42704."""
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t028f (id int)"))
        op = ops(conn)
        op.create_index(op.f(LONG), "t028f", ["id"])
        names = conn.execute(sa.text("SELECT relname FROM pg_class WHERE relname LIKE 'ix\\_a%'")).scalars().all()
        assert len(names) == 1
        assert len(names[0]) == 60
        assert names[0].startswith(LONG[:55] + "_")
        assert names[0] != TRUNCATED
        with pytest.raises(sa.exc.ProgrammingError) as failure, conn.begin_nested():
            conn.execute(sa.text(f"DROP INDEX {LONG}"))
        assert sqlstate(failure.value) == "42704"
        assert f'index "{TRUNCATED}" does not exist' in str(failure.value)
        op.drop_index(op.f(LONG), "t028f")  # the same op.f() name drops it
        conn.rollback()


def test_alm028_alembic_long_table_name_is_truncated_silently(engine: Any) -> None:
    """SQLAlchemy does not check table names: PostgreSQL truncates them to 63 bytes."""
    with engine.connect() as conn:
        ops(conn).create_table("t" * 70, sa.Column("id", sa.Integer()))
        assert sa.inspect(conn).has_table("t" * 63) is True
        conn.rollback()


# ALM029: PostgreSQL's ALTER COLUMN TYPE without USING needs an assignment cast.


@pytest.mark.parametrize(
    ("source", "target", "shown"),
    [
        ("varchar(10)", "integer", "integer"),
        ("varchar(10)", "uuid", "uuid"),
        ("varchar(10)", "jsonb", "jsonb"),
        ("varchar(10)", "timestamp", "timestamp without time zone"),
        ("varchar(10)", "mood029", "mood029"),
        ("integer", "boolean", "boolean"),
        ("text", "integer", "integer"),
        ("varchar(10)", "numeric", "numeric"),
        ("varchar(10)", "date", "date"),
    ],
    ids=lambda value: value.replace("(", "").replace(")", "").replace(" ", "-"),
)
def test_alm029_type_change_without_using_fails_42804_on_an_empty_table(
    engine: Any, source: str, target: str, shown: str
) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TYPE mood029 AS ENUM ('a', 'b')"))
        conn.execute(sa.text(f"CREATE TABLE t029 (c {source})"))
        with pytest.raises(sa.exc.ProgrammingError) as failure, conn.begin_nested():
            conn.execute(sa.text(f"ALTER TABLE t029 ALTER COLUMN c TYPE {target}"))
        assert sqlstate(failure.value) == "42804"
        assert f'column "c" cannot be cast automatically to type {shown}' in str(failure.value)
        assert f'You might need to specify "USING c::{shown}".' in str(failure.value)
        conn.execute(sa.text(f"ALTER TABLE t029 ALTER COLUMN c TYPE {target} USING c::{target}"))
        conn.rollback()


@pytest.mark.parametrize(
    ("source", "target"),
    [("varchar(10)", "varchar(20)"), ("varchar(10)", "text"), ("integer", "bigint"), ("integer", "text")],
    ids=lambda value: value.replace("(", "").replace(")", ""),
)
def test_alm029_type_change_with_an_assignment_cast_needs_no_using(engine: Any, source: str, target: str) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text(f"CREATE TABLE t029s (c {source})"))
        conn.execute(sa.text("INSERT INTO t029s VALUES ('1')"))
        conn.execute(sa.text(f"ALTER TABLE t029s ALTER COLUMN c TYPE {target}"))
        conn.rollback()


def test_alm029_alembic_alter_column_needs_postgresql_using(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t029a (c varchar)"))
        op = ops(conn)
        with pytest.raises(sa.exc.ProgrammingError) as failure, conn.begin_nested():
            op.alter_column("t029a", "c", type_=sa.Integer(), existing_type=sa.String())
        assert sqlstate(failure.value) == "42804"
        assert 'column "c" cannot be cast automatically to type integer' in str(failure.value)
        assert failure.value.statement.strip() == "ALTER TABLE t029a ALTER COLUMN c TYPE INTEGER"
        op.alter_column("t029a", "c", type_=sa.Integer(), existing_type=sa.String(), postgresql_using="c::integer")
        assert sa.inspect(conn).get_columns("t029a")[0]["type"].__class__ is sa.INTEGER
        conn.rollback()


# ALM030: server defaults.


@pytest.mark.parametrize("value", [False, True])
def test_alm030_bool_server_default_raises_argument_error(value: bool) -> None:
    """Client side, when the Column is built: no server involved."""
    with pytest.raises(sa.exc.ArgumentError) as failure:
        sa.Column("b", sa.Boolean(), server_default=value)
    assert str(failure.value) == (
        "Argument 'arg' is expected to be one of type '<class 'str'>' or "
        "'<class 'sqlalchemy.sql.elements.ClauseElement'>' or '<class 'sqlalchemy.sql.elements.TextClause'>', "
        "got '<class 'bool'>'"
    )


def test_alm030_sa_false_server_default_works_on_postgresql(engine: Any) -> None:
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t030 (id int)"))
        conn.execute(sa.text("INSERT INTO t030 VALUES (1)"))
        op = ops(conn)
        op.add_column("t030", sa.Column("b", sa.Boolean(), server_default=sa.false(), nullable=False))
        op.add_column("t030", sa.Column("t", sa.Boolean(), server_default=sa.true(), nullable=False))
        assert conn.execute(sa.text("SELECT b, t FROM t030")).one() == (False, True)
        conn.rollback()


def test_alm030_now_string_server_default_is_the_ddl_time_constant(engine: Any) -> None:
    """`server_default="now()"` renders `DEFAULT 'now()'`: PostgreSQL evaluates the literal once, at DDL time."""
    with engine.connect() as conn:
        op = ops(conn)
        op.create_table("t030n", sa.Column("id", sa.Integer()))
        op.add_column("t030n", sa.Column("as_string", sa.DateTime(timezone=True), server_default="now()"))
        op.add_column("t030n", sa.Column("as_text", sa.DateTime(timezone=True), server_default=sa.text("now()")))
        conn.commit()
        defaults = dict(
            conn.execute(
                sa.text("SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 't030n'")
            ).all()
        )
        assert defaults["as_string"].endswith("'::timestamp with time zone")
        assert defaults["as_text"] == "now()"
        for row in (1, 2):
            time.sleep(0.3)
            conn.execute(sa.text("INSERT INTO t030n (id) VALUES (:id)"), {"id": row})
            conn.commit()
        rows = conn.execute(sa.text("SELECT as_string, as_text FROM t030n ORDER BY id")).all()
        assert rows[0].as_string == rows[1].as_string
        assert rows[1].as_text > rows[0].as_text
        conn.execute(sa.text("DROP TABLE t030n"))
        conn.commit()


# ALM014: SQLite has no DROP COLUMN IF EXISTS, but Alembic renders it.


def test_alm014_sqlite_drop_column_if_exists_is_a_syntax_error() -> None:
    raw = sqlite3.connect(":memory:")
    try:
        raw.execute("CREATE TABLE t014 (id int, c int)")
        with pytest.raises(sqlite3.OperationalError) as failure:
            raw.execute("ALTER TABLE t014 DROP COLUMN IF EXISTS c")
        assert str(failure.value) == 'near "EXISTS": syntax error'
        raw.execute("ALTER TABLE t014 DROP COLUMN c")  # SQLite >= 3.35
    finally:
        raw.close()
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        conn.execute(sa.text("CREATE TABLE t014 (id int, c int)"))
        with pytest.raises(sa.exc.OperationalError) as alembic_failure:
            ops(conn).drop_column("t014", "c", if_exists=True)
        assert alembic_failure.value.statement == "ALTER TABLE t014 DROP COLUMN IF EXISTS c"
        assert str(alembic_failure.value.orig) == 'near "EXISTS": syntax error'
    engine.dispose()


def test_alm014_postgresql_renders_drop_constraint_if_exists() -> None:
    """For contrast with MariaDB (test_premises_mariadb.py), where the clause is dropped."""
    buffer = io.StringIO()
    offline = Operations(
        MigrationContext.configure(dialect_name="postgresql", opts={"as_sql": True, "output_buffer": buffer})
    )
    offline.drop_constraint("fk_nope", "t014", type_="foreignkey", if_exists=True)
    assert buffer.getvalue().strip() == "ALTER TABLE t014 DROP CONSTRAINT IF EXISTS fk_nope;"
