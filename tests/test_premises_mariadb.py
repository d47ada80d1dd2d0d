"""The MariaDB behaviour the rules' docs claim (ALM014, ALM015, ALM022, ALM025, ALM027, ALM028, ALM030), shown
on a real server (see tests/mariadb.py). What Alembic emits is run through the real `Operations` on a
`MigrationContext` bound to the test connection. Every connection has `max_statement_time` and
`lock_wait_timeout`/`innodb_lock_wait_timeout` set, so no statement can hang. See docs/premises.md.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("pymysql")
pytest.importorskip("alembic")

from alembic.operations import Operations  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from alembic.util import CommandError  # noqa: E402

from .mariadb import throwaway_server  # noqa: E402
from .postgres import server_url_or_skip  # noqa: E402

SAFETY = "SET SESSION max_statement_time = 10, lock_wait_timeout = 5, innodb_lock_wait_timeout = 5"


def _safety(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(SAFETY)


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    for url in server_url_or_skip(throwaway_server, "MariaDB"):
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _safety)
        yield engine
        engine.dispose()


@pytest.fixture
def conn(engine: Any) -> Iterator[Any]:
    """A connection to a fresh database (its own engine, so SQLAlchemy's default schema is that database), so
    the tables of one test never meet another's."""
    name = f"premise_{uuid.uuid4().hex[:12]}"
    with engine.connect() as admin:
        admin.exec_driver_sql(f"CREATE DATABASE {name}")
    database = sa.create_engine(engine.url.set(database=name), poolclass=sa.pool.NullPool)
    sa.event.listen(database, "connect", _safety)
    try:
        with database.connect() as connection:
            yield connection
            connection.rollback()
    finally:
        database.dispose()
        with engine.connect() as admin:
            admin.exec_driver_sql(f"DROP DATABASE {name}")


def ops(conn: Any) -> Any:
    return Operations(MigrationContext.configure(conn))


def errno(error: BaseException) -> int | None:
    """MariaDB's error number from a wrapped pymysql error."""
    args = getattr(getattr(error, "orig", None), "args", ())
    return args[0] if args else None


def column(conn: Any, table: str, name: str) -> tuple[Any, ...]:
    """(COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT) from information_schema.COLUMNS."""
    row = conn.execute(
        sa.text(
            "SELECT COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t AND COLUMN_NAME = :c"
        ),
        {"t": table, "c": name},
    ).one_or_none()
    return tuple(row) if row is not None else ()


def test_mariadb_version_and_default_sql_mode(conn: Any) -> None:
    """The facts below were seen on this server in its default (strict) SQL mode."""
    version, mode = conn.execute(sa.text("SELECT VERSION(), @@sql_mode")).one()
    assert "MariaDB" in version
    assert "STRICT_TRANS_TABLES" in mode.split(",")


# ALM022: on MySQL/MariaDB a schema is a database; schema="public" names a database that does not exist.


def test_alm022_has_table_schema_public_is_false_on_mariadb(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t (id int PRIMARY KEY)")
    inspector = sa.inspect(conn)
    assert inspector.has_table("t", schema="public") is False
    assert inspector.has_table("t") is True
    current = conn.execute(sa.text("SELECT DATABASE()")).scalar()
    assert sa.inspect(conn).has_table("t", schema=current) is True


# ALM015: MariaDB adds a NOT NULL column without a default to a non-empty table, filling implicit defaults.


def test_alm015_add_not_null_column_without_default_silently_fills_zero_values(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t015 (id int PRIMARY KEY)")
    conn.exec_driver_sql("INSERT INTO t015 VALUES (1), (2), (3)")
    conn.exec_driver_sql("ALTER TABLE t015 ADD COLUMN c INT NOT NULL")
    assert conn.exec_driver_sql("SHOW WARNINGS").all() == []
    conn.exec_driver_sql("ALTER TABLE t015 ADD COLUMN v VARCHAR(10) NOT NULL")
    ops(conn).add_column("t015", sa.Column("d", sa.Date(), nullable=False))
    rows = conn.exec_driver_sql("SELECT id, c, v, CAST(d AS CHAR) FROM t015 ORDER BY id").all()
    assert rows == [(1, 0, "", "0000-00-00"), (2, 0, "", "0000-00-00"), (3, 0, "", "0000-00-00")]
    assert column(conn, "t015", "c") == ("int(11)", "NO", None)
    # The column has no default: a later INSERT that omits it fails in strict mode.
    with pytest.raises(sa.exc.OperationalError) as failure:
        conn.exec_driver_sql("INSERT INTO t015 (id, v, d) VALUES (4, 'x', '2024-01-01')")
    assert errno(failure.value) == 1364
    assert "Field 'c' doesn't have a default value" in str(failure.value)


def test_alm015_add_nullable_backfill_then_not_null(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t015s (id int PRIMARY KEY)")
    conn.exec_driver_sql("INSERT INTO t015s VALUES (1), (2)")
    op = ops(conn)
    op.add_column("t015s", sa.Column("c", sa.Integer(), nullable=True))
    conn.exec_driver_sql("UPDATE t015s SET c = id * 10")
    op.alter_column("t015s", "c", existing_type=sa.Integer(), nullable=False)
    assert column(conn, "t015s", "c") == ("int(11)", "NO", None)
    assert conn.exec_driver_sql("SELECT c FROM t015s ORDER BY id").scalars().all() == [10, 20]


# ALM025: an unnamed constraint cannot be dropped.


@pytest.mark.parametrize(
    ("type_", "exception", "message"),
    [
        ("foreignkey", AssertionError, ""),
        ("unique", AssertionError, ""),
        ("check", AssertionError, ""),
        (None, NotImplementedError, "No generic 'DROP CONSTRAINT' in MySQL - please specify constraint type"),
    ],
    ids=["foreignkey", "unique", "check", "no-type"],
)
def test_alm025_drop_unnamed_constraint_fails_before_any_sql(
    conn: Any, type_: str | None, exception: type[BaseException], message: str
) -> None:
    """SQLAlchemy's MySQL compiler hits a bare `assert name is not None` (so `python -O` behaves differently);
    without `type_`, Alembic's MySQL impl refuses. The foreign key is still there afterwards."""
    conn.exec_driver_sql("CREATE TABLE p025 (id int PRIMARY KEY)")
    conn.exec_driver_sql("CREATE TABLE c025 (id int PRIMARY KEY, p int, FOREIGN KEY (p) REFERENCES p025 (id))")
    with pytest.raises(exception) as failure:
        ops(conn).drop_constraint(None, "c025", type_=type_)
    assert str(failure.value) == message
    assert len(sa.inspect(conn).get_foreign_keys("c025")) == 1


def test_alm025_unnamed_primary_key_drop_works_on_mariadb(conn: Any) -> None:
    """The exception to "always fails": MySQL's `DROP PRIMARY KEY` needs no name."""
    conn.exec_driver_sql("CREATE TABLE t025 (id int PRIMARY KEY)")
    ops(conn).drop_constraint(None, "t025", type_="primary")
    assert sa.inspect(conn).get_pk_constraint("t025")["constrained_columns"] == []


# ALM027: MySQL/MariaDB MODIFY/CHANGE rewrites the whole column definition.


def test_alm027_alter_type_without_existing_loses_not_null_and_default(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t027 (id int PRIMARY KEY, c VARCHAR(10) NOT NULL DEFAULT 'x')")
    assert column(conn, "t027", "c") == ("varchar(10)", "NO", "'x'")
    ops(conn).alter_column("t027", "c", type_=sa.String(20))
    # MariaDB shows "no default" on a nullable column as the string 'NULL' (not SQL NULL).
    assert column(conn, "t027", "c") == ("varchar(20)", "YES", "NULL")
    conn.exec_driver_sql("INSERT INTO t027 (id) VALUES (1)")
    assert conn.exec_driver_sql("SELECT c FROM t027").scalar() is None


def test_alm027_alter_type_with_existing_keeps_not_null_and_default(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t027s (id int PRIMARY KEY, c VARCHAR(10) NOT NULL DEFAULT 'x')")
    ops(conn).alter_column(
        "t027s",
        "c",
        type_=sa.String(20),
        existing_type=sa.String(10),
        existing_nullable=False,
        existing_server_default=sa.text("'x'"),
    )
    assert column(conn, "t027s", "c") == ("varchar(20)", "NO", "'x'")


def test_alm027_rename_without_existing_type_raises_then_loses_attributes(conn: Any) -> None:
    """A rename needs `existing_type` (Alembic refuses before any SQL); with only `existing_type`, the CHANGE
    still drops NOT NULL and the default."""
    conn.exec_driver_sql("CREATE TABLE t027r (id int PRIMARY KEY, c VARCHAR(10) NOT NULL DEFAULT 'x')")
    op = ops(conn)
    with pytest.raises(CommandError) as failure:
        op.alter_column("t027r", "c", new_column_name="d")
    assert str(failure.value) == "All MySQL CHANGE/MODIFY COLUMN operations require the existing type."
    assert column(conn, "t027r", "c") == ("varchar(10)", "NO", "'x'")
    op.alter_column("t027r", "c", new_column_name="d", existing_type=sa.String(10))
    assert column(conn, "t027r", "d") == ("varchar(10)", "YES", "NULL")


def test_alm027_rename_with_all_existing_keeps_attributes(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t027rs (id int PRIMARY KEY, c VARCHAR(10) NOT NULL DEFAULT 'x')")
    ops(conn).alter_column(
        "t027rs",
        "c",
        new_column_name="d",
        existing_type=sa.String(10),
        existing_nullable=False,
        existing_server_default=sa.text("'x'"),
    )
    assert column(conn, "t027rs", "d") == ("varchar(10)", "NO", "'x'")


# ALM028: MariaDB's identifier limit is 64 characters.


def test_alm028_index_name_over_64_fails_1059(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t028 (id int PRIMARY KEY, a int)")
    name65 = "ix_" + "a" * 62
    with pytest.raises(sa.exc.OperationalError) as failure:
        conn.exec_driver_sql(f"CREATE INDEX {name65} ON t028 (a)")
    assert errno(failure.value) == 1059
    assert f"Identifier name '{name65}' is too long" in str(failure.value)
    # Alembic/SQLAlchemy's MySQL dialect does not check the length: the server rejects it.
    with pytest.raises(sa.exc.OperationalError) as failure:
        ops(conn).create_index(name65, "t028", ["a"])
    assert errno(failure.value) == 1059
    name64 = "ix_" + "a" * 61
    ops(conn).create_index(name64, "t028", ["a"])
    assert [ix["name"] for ix in sa.inspect(conn).get_indexes("t028")] == [name64]


def test_alm028_table_name_over_64_fails_1103(conn: Any) -> None:
    with pytest.raises(sa.exc.ProgrammingError) as failure:
        ops(conn).create_table("t" * 65, sa.Column("id", sa.Integer(), primary_key=True))
    assert errno(failure.value) == 1103
    assert f"Incorrect table name '{'t' * 65}'" in str(failure.value)


# ALM030: string server defaults that are not valid literals for the column type.


@pytest.mark.parametrize("text", ["false", "true"])
def test_alm030_boolean_string_server_default_fails_1067(conn: Any, text: str) -> None:
    """`sa.Boolean()` is TINYINT(1); `DEFAULT 'false'` is not a valid integer literal in strict mode."""
    conn.exec_driver_sql("CREATE TABLE t030 (id int PRIMARY KEY)")
    with pytest.raises(sa.exc.OperationalError) as failure:
        ops(conn).add_column("t030", sa.Column("b", sa.Boolean(), server_default=text, nullable=False))
    assert errno(failure.value) == 1067
    assert "Invalid default value for 'b'" in str(failure.value)
    assert column(conn, "t030", "b") == ()


def test_alm030_sa_false_server_default_works(conn: Any) -> None:
    conn.exec_driver_sql("CREATE TABLE t030s (id int PRIMARY KEY)")
    conn.exec_driver_sql("INSERT INTO t030s VALUES (1)")
    op = ops(conn)
    op.add_column("t030s", sa.Column("b", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("t030s", sa.Column("t", sa.Boolean(), server_default=sa.true(), nullable=False))
    assert column(conn, "t030s", "b") == ("tinyint(1)", "NO", "0")
    assert column(conn, "t030s", "t") == ("tinyint(1)", "NO", "1")
    assert conn.exec_driver_sql("SELECT b, t FROM t030s").one() == (0, 1)


def test_alm030_now_string_server_default_fails_1067(conn: Any) -> None:
    """`server_default="now()"` renders `DEFAULT 'now()'`, a string; MariaDB rejects it for DATETIME."""
    conn.exec_driver_sql("CREATE TABLE t030n (id int PRIMARY KEY)")
    op = ops(conn)
    with pytest.raises(sa.exc.OperationalError) as failure:
        op.add_column("t030n", sa.Column("ts", sa.DateTime(), server_default="now()"))
    assert errno(failure.value) == 1067
    assert "Invalid default value for 'ts'" in str(failure.value)
    op.add_column("t030n", sa.Column("ts", sa.DateTime(), server_default=sa.text("now()")))
    assert column(conn, "t030n", "ts")[2] == "current_timestamp()"


# ALM014: the MySQL dialect drops IF EXISTS from drop_constraint, so the DROP still fails.


def test_alm014_drop_constraint_if_exists_is_dropped_from_the_sql() -> None:
    """Offline rendering on the MySQL dialect; no server needed."""
    buffer = io.StringIO()
    offline = Operations(
        MigrationContext.configure(dialect_name="mysql", opts={"as_sql": True, "output_buffer": buffer})
    )
    offline.drop_constraint("fk_nope", "t014", type_="foreignkey", if_exists=True)
    offline.drop_constraint("uq_nope", "t014", type_="unique", if_exists=True)
    offline.drop_constraint("ck_nope", "t014", type_="check", if_exists=True)
    assert buffer.getvalue().split(";\n\n") == [
        "ALTER TABLE t014 DROP FOREIGN KEY fk_nope",
        "ALTER TABLE t014 DROP INDEX uq_nope",
        "ALTER TABLE t014 DROP CHECK ck_nope",
        "",
    ]


@pytest.mark.parametrize(
    ("type_", "statement", "message"),
    [
        ("foreignkey", "ALTER TABLE t014 DROP FOREIGN KEY fk_nope", "Can't DROP FOREIGN KEY `fk_nope`"),
        ("unique", "ALTER TABLE t014 DROP INDEX fk_nope", "Can't DROP INDEX `fk_nope`"),
        ("check", "ALTER TABLE t014 DROP CONSTRAINT fk_nope", "Can't DROP CONSTRAINT `fk_nope`"),
    ],
    ids=["foreignkey", "unique", "check"],
)
def test_alm014_drop_constraint_if_exists_still_fails_1091(conn: Any, type_: str, statement: str, message: str) -> None:
    """Online, on the MariaDB dialect, the missing constraint fails with 1091, while MariaDB's own
    `DROP FOREIGN KEY IF EXISTS` only leaves a note."""
    conn.exec_driver_sql("CREATE TABLE t014 (id int PRIMARY KEY)")
    with pytest.raises(sa.exc.OperationalError) as failure:
        ops(conn).drop_constraint("fk_nope", "t014", type_=type_, if_exists=True)
    assert errno(failure.value) == 1091
    assert message in str(failure.value)
    assert failure.value.statement == statement
    conn.exec_driver_sql("ALTER TABLE t014 DROP FOREIGN KEY IF EXISTS fk_nope")
    assert conn.exec_driver_sql("SHOW WARNINGS").all() == [
        ("Note", 1091, "Can't DROP FOREIGN KEY `fk_nope`; check that it exists")
    ]
