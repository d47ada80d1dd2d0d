"""The database behaviour the replay's identifiers and effects claim (names.Identifiers, names.postgresql_object_name,
a CHECK constraint dropped with its column), shown on a real PostgreSQL (tests/postgres.py) and MariaDB
(tests/mariadb.py), with the DDL SQLAlchemy and Alembic's real `Operations` send. See docs/premises.md."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg2")
pytest.importorskip("pymysql")
pytest.importorskip("alembic")

from alembic.operations import Operations  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402

from flake8_alembic.names import postgresql_object_name  # noqa: E402

from .mariadb import throwaway_server  # noqa: E402
from .postgres import engine_or_skip, server_url_or_skip  # noqa: E402


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    yield from engine_or_skip()


@pytest.fixture
def pg_conn(pg: Any) -> Iterator[Any]:
    with pg.connect() as connection:
        yield connection
        connection.rollback()


def ops(conn: Any) -> Any:
    return Operations(MigrationContext.configure(conn))


def sqlstate(error: BaseException) -> str | None:
    return getattr(getattr(error, "orig", None), "pgcode", None)


def pg_tables(conn: Any) -> set[str]:
    rows = conn.execute(sa.text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"))
    return {row[0] for row in rows}


def pg_constraints(conn: Any, table: str) -> set[str]:
    rows = conn.execute(
        sa.text("SELECT conname FROM pg_constraint WHERE conrelid = to_regclass(:t)"), {"t": f'"{table}"'}
    )
    return {row[0] for row in rows}


# ------------------------------------------------------------------------------------------------ PostgreSQL
def test_postgresql_sqlalchemy_quotes_a_mixed_case_name_and_unquoted_sql_means_another_table(pg_conn: Any) -> None:
    ops(pg_conn).create_table("Account", sa.Column("id", sa.Integer(), primary_key=True))
    assert "Account" in pg_tables(pg_conn) and "account" not in pg_tables(pg_conn)
    pg_conn.exec_driver_sql('ALTER TABLE "Account" ADD COLUMN zone varchar(8)')
    pg_conn.exec_driver_sql("SAVEPOINT unquoted")
    with pytest.raises(sa.exc.ProgrammingError) as failure:
        pg_conn.exec_driver_sql("ALTER TABLE Account ADD COLUMN region varchar(8)")
    assert sqlstate(failure.value) == "42P01"
    assert 'relation "account" does not exist' in str(failure.value)
    pg_conn.exec_driver_sql("ROLLBACK TO SAVEPOINT unquoted")


def test_postgresql_folds_unquoted_names_and_tells_column_cases_apart(pg_conn: Any) -> None:
    pg_conn.exec_driver_sql("CREATE TABLE Ledger (id int)")
    assert "ledger" in pg_tables(pg_conn)
    ops(pg_conn).create_table("member", sa.Column("nickName", sa.String(9)))
    ops(pg_conn).add_column("member", sa.Column("nickname", sa.String(9)))  # another column: no DuplicateColumn
    names = {c["name"] for c in sa.inspect(pg_conn).get_columns("member")}
    assert names == {"nickName", "nickname"}


@pytest.mark.parametrize(
    ("table", "column"),
    [("orders", "customer_id"), ("a" * 40, "b" * 30), ("t" * 70, "c"), ("é" * 35, "b" * 10)],
)
def test_postgresql_names_an_unnamed_foreign_key_as_make_object_name_does(
    pg_conn: Any, table: str, column: str
) -> None:
    ops(pg_conn).create_table("parent", sa.Column("id", sa.Integer(), primary_key=True))
    ops(pg_conn).create_table(table, sa.Column(column, sa.Integer()))
    ops(pg_conn).create_foreign_key(None, table, "parent", [column], ["id"])
    real = pg_conn.execute(sa.text("SELECT conname FROM pg_constraint WHERE contype = 'f'")).scalar_one()
    stored = pg_conn.execute(sa.text("SELECT relname FROM pg_class WHERE oid = to_regclass(:t)"), {"t": f'"{table}"'})
    assert real == postgresql_object_name(stored.scalar_one(), column, "fkey")


def test_postgresql_names_a_check_constraint_after_its_one_column(pg_conn: Any) -> None:
    ops(pg_conn).create_table("visit", sa.Column("rating", sa.Integer()), sa.Column("lo", sa.Integer()))
    ops(pg_conn).create_check_constraint(None, "visit", "rating BETWEEN 1 AND 5")
    ops(pg_conn).create_check_constraint(None, "visit", "lo < rating")
    assert pg_constraints(pg_conn, "visit") == {"visit_rating_check", "visit_check"}


def test_postgresql_dropping_a_column_drops_the_check_constraints_on_it(pg_conn: Any) -> None:
    ops(pg_conn).create_table("visit", sa.Column("id", sa.Integer()), sa.Column("rating", sa.Integer()))
    ops(pg_conn).create_check_constraint("ck_visit_rating_range", "visit", "rating BETWEEN 1 AND 5")
    assert "ck_visit_rating_range" in pg_constraints(pg_conn, "visit")
    ops(pg_conn).drop_column("visit", "rating")
    assert pg_constraints(pg_conn, "visit") == set()
    # The downgrade can then add the column and the constraint again: nothing was left behind.
    ops(pg_conn).add_column("visit", sa.Column("rating", sa.Integer()))
    ops(pg_conn).create_check_constraint("ck_visit_rating_range", "visit", "rating BETWEEN 1 AND 5")


# ------------------------------------------------------------------------------------------------ MariaDB
SAFETY = "SET SESSION max_statement_time = 10, lock_wait_timeout = 5, innodb_lock_wait_timeout = 5"


@pytest.fixture(scope="module")
def mariadb() -> Iterator[Any]:
    for url in server_url_or_skip(throwaway_server, "MariaDB"):
        engine = sa.create_engine(url)
        yield engine
        engine.dispose()


@pytest.fixture
def my_conn(mariadb: Any) -> Iterator[Any]:
    name = f"premise_{uuid.uuid4().hex[:12]}"
    with mariadb.connect() as admin:
        admin.exec_driver_sql(f"CREATE DATABASE {name}")
    database = sa.create_engine(mariadb.url.set(database=name), poolclass=sa.pool.NullPool)
    try:
        with database.connect() as connection:
            connection.exec_driver_sql(SAFETY)
            yield connection
            connection.rollback()
    finally:
        database.dispose()
        with mariadb.connect() as admin:
            admin.exec_driver_sql(f"DROP DATABASE {name}")


def test_mariadb_table_names_keep_their_case_and_column_names_do_not(my_conn: Any) -> None:
    assert my_conn.exec_driver_sql("SELECT @@lower_case_table_names").scalar_one() == 0  # Linux's default
    ops(my_conn).create_table("Token", sa.Column("Name", sa.String(9)))
    with pytest.raises(sa.exc.ProgrammingError) as failure:
        my_conn.exec_driver_sql("ALTER TABLE token ADD COLUMN x int")
    assert "doesn't exist" in str(failure.value)
    my_conn.exec_driver_sql("ALTER TABLE Token ADD COLUMN x int")  # unquoted, not folded
    with pytest.raises(sa.exc.OperationalError) as duplicate:
        my_conn.exec_driver_sql("ALTER TABLE Token ADD COLUMN name int")
    assert "Duplicate column name" in str(duplicate.value)


def test_mariadb_dropping_a_column_drops_its_single_column_check(my_conn: Any) -> None:
    ops(my_conn).create_table("visit", sa.Column("id", sa.Integer()), sa.Column("rating", sa.Integer()))
    ops(my_conn).create_check_constraint("ck_visit_rating_range", "visit", "rating BETWEEN 1 AND 5")
    ops(my_conn).drop_column("visit", "rating")
    checks = my_conn.exec_driver_sql(
        "SELECT CONSTRAINT_NAME FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
    ).all()
    assert checks == []
