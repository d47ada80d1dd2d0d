"""Premises of the recall rules (issue 15): ALM010's preview behaviour, ALM031, ALM032 and ALM034-ALM039 (ALM033's
are in test_alembic_signatures.py; ALM037 is blocked, see docs/premises.md): each test shows, on the real library or
server, that the hazard a rule will report happens (the exact exception class and message fragment, SQLSTATE
or error number), and that the form the rule suggests instead works.

* ALM031: APIs that SQLAlchemy 2.0 removed fail on the installed SQLAlchemy 2.x, also inside a migration run
  through Alembic's `Operations` with `op.get_bind()`.
* ALM032: which Alembic operations fail on SQLite (stdlib `sqlite3`) outside `batch_alter_table`, which work
  natively (and the cases in which those fail too), and that the failing ones work inside it.
* ALM034: a column named twice in an index, unique constraint or primary key: Alembic and SQLAlchemy refuse it
  before any SQL; what PostgreSQL, MariaDB and SQLite do with the SQL itself.
* ALM035: a `postgresql_using` expression whose type has no assignment cast to the new type fails with 42804.
* ALM036: a downgrade that re-creates a dropped foreign key, index or unique constraint differently leaves a
  reflected schema that differs from the one before the upgrade; the faithful downgrade restores it.
* ALM037: MariaDB accepts a literal `server_default` on TEXT/BLOB/JSON, and the parenthesised expression form
  too (MySQL's error 1101 is not shown here: there is no MySQL server on this machine).
* ALM038: `sa.String()` without a length fails to compile on the MySQL dialect before any SQL; PostgreSQL and
  SQLite accept it.
* ALM010 (preview): a revision that imports the application's code fails to import once the application changes.
* ALM039: `op.*` at module level raises NameError when the revision file is imported outside a migration
  (`alembic heads`, `alembic history`), and runs at import, before any revision's `upgrade()`, under
  `alembic upgrade`.

PostgreSQL and MariaDB are throwaway servers (tests/postgres.py, tests/mariadb.py): without their binaries those
tests are skipped visibly. Every PostgreSQL connection starts with `statement_timeout=10s` and
`lock_timeout=5s`; every MariaDB connection with `max_statement_time = 10` and lock wait timeouts of 5 s. No test
measures time. See docs/premises.md, section "Premises of the planned rules (ALM031-ALM039)".
"""

from __future__ import annotations

import importlib
import io
import shutil
import sqlite3
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("alembic")

from alembic import command, op  # noqa: E402
from alembic.config import Config  # noqa: E402
from alembic.operations import Operations  # noqa: E402
from alembic.runtime.migration import MigrationContext  # noqa: E402
from sqlalchemy.dialects import mysql  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from .mariadb import throwaway_server  # noqa: E402
from .postgres import engine_or_skip, server_url_or_skip  # noqa: E402

PG_SAFETY = "-c statement_timeout=10000 -c lock_timeout=5000"
MARIADB_SAFETY = "SET SESSION max_statement_time = 10, lock_wait_timeout = 5, innodb_lock_wait_timeout = 5"
NO_CONSTRAINT_ALTER = (
    "No support for ALTER of constraints in SQLite dialect. Please refer to the batch mode feature which allows "
    "for SQLite migrations using a copy-and-move strategy."
)


@pytest.fixture(scope="module")
def pg() -> Iterator[Any]:
    pytest.importorskip("psycopg2")
    yield from engine_or_skip(PG_SAFETY)


def _mariadb_safety(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute(MARIADB_SAFETY)


@pytest.fixture(scope="module")
def mariadb() -> Iterator[Any]:
    pytest.importorskip("pymysql")
    for url in server_url_or_skip(throwaway_server, "MariaDB"):
        engine = sa.create_engine(url)
        sa.event.listen(engine, "connect", _mariadb_safety)
        yield engine
        engine.dispose()


@pytest.fixture
def maria(mariadb: Any) -> Iterator[Any]:
    """A connection to a fresh MariaDB database (its own engine, so it is SQLAlchemy's default schema)."""
    name = f"premise_{uuid.uuid4().hex[:12]}"
    with mariadb.connect() as admin:
        admin.exec_driver_sql(f"CREATE DATABASE {name}")
    database = sa.create_engine(mariadb.url.set(database=name), poolclass=sa.pool.NullPool)
    sa.event.listen(database, "connect", _mariadb_safety)
    try:
        with database.connect() as connection:
            yield connection
            connection.rollback()
    finally:
        database.dispose()
        with mariadb.connect() as admin:
            admin.exec_driver_sql(f"DROP DATABASE {name}")


@pytest.fixture
def lite() -> Iterator[Any]:
    """A connection to a fresh in-memory SQLite database (the standard library's sqlite3)."""
    engine = sa.create_engine("sqlite://")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def ops(conn: Any) -> Any:
    return Operations(MigrationContext.configure(conn))


def sqlstate(error: BaseException) -> str | None:
    return getattr(getattr(error, "orig", None), "pgcode", None)


def errno(error: BaseException) -> int | None:
    args = getattr(getattr(error, "orig", None), "args", ())
    return args[0] if args else None


@contextmanager
def sent(conn: Any) -> Iterator[list[str]]:
    """The statements that reach the database while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement.strip())

    sa.event.listen(conn, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(conn, "before_cursor_execute", record)


def test_versions_seen() -> None:
    """The installed SQLAlchemy is 2.x, and the SQLite library has native RENAME COLUMN (3.25) and DROP COLUMN
    (3.35), which the ALM032 table below depends on. The docs record the exact versions seen."""
    import alembic

    assert sa.__version__.split(".")[0] == "2"
    assert sqlite3.sqlite_version_info >= (3, 35, 0), sqlite3.sqlite_version
    assert tuple(int(part) for part in alembic.__version__.split(".")[:2]) >= (1, 13)


# ALM031: APIs that SQLAlchemy 2.0 removed.


def _t031(conn: Any) -> Any:
    conn.exec_driver_sql("CREATE TABLE t031 (id integer PRIMARY KEY, x integer)")
    conn.exec_driver_sql("INSERT INTO t031 VALUES (1, 10)")
    return sa.Table("t031", sa.MetaData(), autoload_with=conn)


REMOVED_2_0: list[Any] = [
    pytest.param(
        lambda engine, conn, table: sa.MetaData(bind=engine),
        lambda engine, conn, table: sa.MetaData().tables == {},
        TypeError,
        "got an unexpected keyword argument 'bind'",
        id="MetaData-bind",
    ),
    pytest.param(
        lambda engine, conn, table: sa.Table("t031", sa.MetaData(), autoload=True),
        lambda engine, conn, table: list(sa.Table("t031", sa.MetaData(), autoload_with=conn).c.keys()) == ["id", "x"],
        TypeError,
        "Additional arguments should be named <dialectname>_<argument>, got 'autoload'",
        id="Table-autoload",
    ),
    pytest.param(
        lambda engine, conn, table: sa.Table("t031", sa.MetaData(), autoload=True, autoload_with=conn),
        lambda engine, conn, table: list(sa.Table("t031", sa.MetaData(), autoload_with=conn).c.keys()) == ["id", "x"],
        TypeError,
        "Additional arguments should be named <dialectname>_<argument>, got 'autoload'",
        id="Table-autoload-and-autoload_with",
    ),
    pytest.param(
        lambda engine, conn, table: sa.select([table.c.id]),
        lambda engine, conn, table: conn.execute(sa.select(table.c.id)).scalars().all() == [1],
        sa.exc.ArgumentError,
        "Column expression, FROM clause, or other columns clause element expected, got [",
        id="select-list",
    ),
    pytest.param(
        lambda engine, conn, table: sa.Binary,
        lambda engine, conn, table: isinstance(sa.LargeBinary(), sa.types.TypeEngine),
        AttributeError,
        "module 'sqlalchemy' has no attribute 'Binary'",
        id="sa.Binary",
    ),
    pytest.param(
        lambda engine, conn, table: conn.execute(sa.text("SELECT x FROM t031 WHERE id = :x"), x=1),
        lambda engine, conn, table: conn.execute(sa.text("SELECT x FROM t031 WHERE id = :x"), {"x": 1}).scalar() == 10,
        TypeError,
        "got an unexpected keyword argument 'x'",
        id="execute-keyword-params",
    ),
    pytest.param(
        lambda engine, conn, table: engine.execute(sa.text("SELECT 1")),
        lambda engine, conn, table: conn.execute(sa.text("SELECT 1")).scalar() == 1,
        AttributeError,
        "'Engine' object has no attribute 'execute'",
        id="Engine.execute",
    ),
    # Beyond the planned list, and as common in old data migrations:
    pytest.param(
        lambda engine, conn, table: conn.execute(sa.select(table)).first()["x"],
        lambda engine, conn, table: conn.execute(sa.select(table)).first()._mapping["x"] == 10,
        TypeError,
        "tuple indices must be integers or slices, not str",
        id="row-string-key",
    ),
    pytest.param(
        lambda engine, conn, table: table.update().values(x=2).execute(),
        lambda engine, conn, table: conn.execute(table.update().values(x=10)).rowcount == 1,
        AttributeError,
        "'Update' object has no attribute 'execute'",
        id="implicit-execution",
    ),
    # The other forms ALM031 reports (each fails the same on 2.0.0; see docs/premises.md):
    pytest.param(
        lambda engine, conn, table: sa.MetaData(engine),
        lambda engine, conn, table: sa.MetaData("main").schema == "main",
        sa.exc.ArgumentError,
        "expected schema argument to be a string",
        id="MetaData-positional-engine",
    ),
    pytest.param(
        lambda engine, conn, table: sa.case([(table.c.x == 10, "a")], else_="b"),
        lambda engine, conn, table: conn.execute(sa.select(sa.case((table.c.x == 10, "a"), else_="b"))).scalar() == "a",
        sa.exc.ArgumentError,
        'The "whens" argument to case(), when referring to a sequence of items, is now passed as a series',
        id="case-list",
    ),
    pytest.param(
        lambda engine, conn, table: sa.case(whens={10: "a"}, value=table.c.x),
        lambda engine, conn, table: conn.execute(sa.select(sa.case({10: "a"}, value=table.c.x))).scalar() == "a",
        TypeError,
        "got an unexpected keyword argument 'whens'",
        id="case-whens-keyword",
    ),
    pytest.param(
        lambda engine, conn, table: sa.select((table.c.id, table.c.x)),
        lambda engine, conn, table: conn.execute(sa.select(table.c.id, table.c.x)).all() == [(1, 10)],
        sa.exc.ArgumentError,
        "columns clause element expected, got (",
        id="select-tuple",
    ),
    pytest.param(
        lambda engine, conn, table: sa.exists([table.c.id]),
        lambda engine, conn, table: conn.execute(sa.select(sa.exists(table.c.id))).scalar() is True,
        sa.exc.ArgumentError,
        "columns clause element expected, got [",
        id="exists-list",
    ),
    pytest.param(
        lambda engine, conn, table: sa.select(table.c.id).with_only_columns([table.c.x]),
        lambda engine, conn, table: conn.execute(sa.select(table.c.id).with_only_columns(table.c.x)).scalar() == 10,
        sa.exc.ArgumentError,
        'The "entities" argument to Select.with_only_columns(), when referring to a sequence of items',
        id="with_only_columns-list",
    ),
    pytest.param(
        lambda engine, conn, table: sa.update(table, table.c.id == 1),
        lambda engine, conn, table: conn.execute(sa.update(table).where(table.c.id == 1).values(x=10)).rowcount == 1,
        TypeError,
        "update() takes 1 positional argument but 2 were given",
        id="update-whereclause-argument",
    ),
    pytest.param(
        lambda engine, conn, table: sa.insert(table, values={"x": 1}),
        lambda engine, conn, table: sa.insert(table).values(x=1) is not None,
        TypeError,
        "got an unexpected keyword argument 'values'",
        id="insert-values-keyword",
    ),
    pytest.param(
        lambda engine, conn, table: table.update(table.c.id == 1),
        lambda engine, conn, table: conn.execute(table.update().where(table.c.id == 1).values(x=10)).rowcount == 1,
        TypeError,
        "update() takes 1 positional argument but 2 were given",
        id="table-update-whereclause",
    ),
    pytest.param(
        lambda engine, conn, table: table.select(table.c.id == 1),
        lambda engine, conn, table: conn.execute(table.select().where(table.c.id == 1)).all() == [(1, 10)],
        TypeError,
        "select() takes 1 positional argument but 2 were given",
        id="table-select-whereclause",
    ),
    pytest.param(
        lambda engine, conn, table: conn.execute(table.update().values(x=sa.bindparam("v")), {"v": 10}, {"v": 10}),
        lambda engine, conn, table: conn.execute(table.update().values(x=sa.bindparam("v")), [{"v": 10}]).rowcount == 1,
        TypeError,
        "takes from 2 to 3 positional arguments but 4 were given",
        id="execute-several-parameter-sets",
    ),
    pytest.param(
        lambda engine, conn, table: Session(bind=conn).execute(sa.text("SELECT :x"), x=1),
        lambda engine, conn, table: Session(bind=conn).execute(sa.text("SELECT :x"), params={"x": 1}).scalar() == 1,
        TypeError,
        "got an unexpected keyword argument 'x'",
        id="Session.execute-keyword-params",
    ),
    *[
        pytest.param(
            call,
            lambda engine, conn, table: sa.inspect(engine).has_table("t031") is True,
            AttributeError,
            f"'Engine' object has no attribute '{method}'",
            id=f"Engine.{method}",
        )
        for method, call in [
            ("scalar", lambda engine, conn, table: engine.scalar(sa.text("SELECT 1"))),
            ("has_table", lambda engine, conn, table: engine.has_table("t031")),
            ("table_names", lambda engine, conn, table: engine.table_names()),
            ("run_callable", lambda engine, conn, table: engine.run_callable(lambda connection: 1)),
            ("transaction", lambda engine, conn, table: engine.transaction(lambda connection: 1)),
        ]
    ],
    pytest.param(
        lambda engine, conn, table: sa.select(table.c.x).scalar(),
        lambda engine, conn, table: conn.scalar(sa.select(table.c.x)) == 10,
        AttributeError,
        "'Select' object has no attribute 'scalar'",
        id="implicit-scalar",
    ),
    pytest.param(
        lambda engine, conn, table: sa.DDL("SELECT 1").execute(conn),
        lambda engine, conn, table: conn.execute(sa.DDL("CREATE INDEX ix031 ON t031 (x)")) is not None,
        AttributeError,
        "'DDL' object has no attribute 'execute'",
        id="DDL.execute",
    ),
    pytest.param(
        lambda engine, conn, table: table.exists(conn),
        lambda engine, conn, table: sa.inspect(conn).has_table("t031") is True,
        AttributeError,
        "'Table' object has no attribute 'exists'",
        id="Table.exists",
    ),
    pytest.param(
        lambda engine, conn, table: conn.execute(sa.select(table)).first()[table.c.x],
        lambda engine, conn, table: conn.execute(sa.select(table)).first()._mapping[table.c.x] == 10,
        TypeError,
        "tuple indices must be integers or slices, not Column",
        id="row-column-key",
    ),
    *[
        pytest.param(
            lambda engine, conn, table, method=method: getattr(conn.execute(sa.select(table)).first(), method)(),
            lambda engine, conn, table: list(conn.execute(sa.select(table)).first()._mapping.keys()) == ["id", "x"],
            AttributeError,
            f"Could not locate column in row for column '{method}'",
            id=f"row.{method}",
        )
        for method in ("keys", "items", "values")
    ],
    pytest.param(
        lambda engine, conn, table: dict(conn.execute(sa.select(table)).first()),
        lambda engine, conn, table: dict(conn.execute(sa.select(table)).first()._mapping) == {"id": 1, "x": 10},
        TypeError,
        "cannot convert dictionary update sequence element #0 to a sequence",
        id="dict-row",
    ),
    pytest.param(
        lambda engine, conn, table: exec("from sqlalchemy import Binary", {}),
        lambda engine, conn, table: isinstance(sa.LargeBinary(), sa.types.TypeEngine),
        ImportError,
        "cannot import name 'Binary' from 'sqlalchemy'",
        id="import-Binary",
    ),
    pytest.param(
        lambda engine, conn, table: sa.Unicode(80, convert_unicode=True),
        lambda engine, conn, table: sa.Unicode(80).length == 80,
        TypeError,
        "got an unexpected keyword argument 'convert_unicode'",
        id="String-convert_unicode",
    ),
    pytest.param(
        lambda engine, conn, table: Session(bind=conn, autocommit=True),
        lambda engine, conn, table: Session(bind=conn).execute(sa.text("SELECT 1")).scalar() == 1,
        sa.exc.ArgumentError,
        "autocommit=True is no longer supported",
        id="Session-autocommit",
    ),
    pytest.param(
        lambda engine, conn, table: importlib.import_module("sqlalchemy.databases"),
        lambda engine, conn, table: importlib.import_module("sqlalchemy.dialects.mysql") is not None,
        ModuleNotFoundError,
        "No module named 'sqlalchemy.databases'",
        id="sqlalchemy.databases",
    ),
]


@pytest.mark.parametrize(("old", "new", "exception", "fragment"), REMOVED_2_0)
def test_alm031_removed_api_fails_on_sqlalchemy_2(
    old: Callable[..., Any], new: Callable[..., Any], exception: type[BaseException], fragment: str
) -> None:
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn:
        table = _t031(conn)
        with pytest.raises(exception) as failure:
            old(engine, conn, table)
        assert type(failure.value) is exception
        assert fragment in str(failure.value)
        assert new(engine, conn, table) is True
    engine.dispose()


def _upgrade_with_keyword_params() -> None:
    """An old data migration, as written for SQLAlchemy 1.x."""
    bind = op.get_bind()
    bind.execute(sa.text("UPDATE t031m SET x = :x WHERE id = :id"), x=2, id=1)


def _upgrade_with_select_list() -> None:
    bind = op.get_bind()
    table = sa.Table("t031m", sa.MetaData(), autoload_with=bind)
    for row in bind.execute(sa.select([table.c.id])):
        bind.execute(table.update().where(table.c.id == row.id).values(x=2))


def _upgrade_with_metadata_bind() -> None:
    meta = sa.MetaData(bind=op.get_bind())
    sa.Table("t031m", meta, autoload=True)


def _upgrade_2_0() -> None:
    bind = op.get_bind()
    table = sa.Table("t031m", sa.MetaData(), autoload_with=bind)
    for row in bind.execute(sa.select(table.c.id)):
        bind.execute(sa.text("UPDATE t031m SET x = :x WHERE id = :id"), {"x": 2, "id": row.id})


@pytest.mark.parametrize(
    ("upgrade", "exception", "fragment"),
    [
        (_upgrade_with_keyword_params, TypeError, "got an unexpected keyword argument 'x'"),
        (_upgrade_with_select_list, sa.exc.ArgumentError, "columns clause element expected, got ["),
        (_upgrade_with_metadata_bind, TypeError, "got an unexpected keyword argument 'bind'"),
    ],
    ids=["keyword-params", "select-list", "MetaData-bind"],
)
def test_alm031_removed_api_fails_inside_a_migration(
    lite: Any, upgrade: Callable[[], None], exception: type[BaseException], fragment: str
) -> None:
    """`op.get_bind()` is a SQLAlchemy 2 `Connection`: the migration fails when it runs, not when it is
    imported, and the 2.0 form of the same upgrade works."""
    lite.exec_driver_sql("CREATE TABLE t031m (id integer PRIMARY KEY, x integer)")
    lite.exec_driver_sql("INSERT INTO t031m VALUES (1, 1)")
    with Operations.context(MigrationContext.configure(lite)):
        assert isinstance(op.get_bind(), sa.engine.Connection)
        with pytest.raises(exception) as failure:
            upgrade()
        assert type(failure.value) is exception
        assert fragment in str(failure.value)
        assert lite.exec_driver_sql("SELECT x FROM t031m").scalar() == 1
        _upgrade_2_0()
    assert lite.exec_driver_sql("SELECT x FROM t031m").scalar() == 2


# ALM032: SQLite ALTER outside batch_alter_table.


def _sqlite_schema(conn: Any) -> Any:
    """The tables as a migration would create them (so the foreign key is a table-level FOREIGN KEY clause, as
    SQLAlchemy emits it), with one row each. `t` has no primary key, so `create_primary_key` has one to add."""
    operations = ops(conn)
    operations.create_table("p", sa.Column("id", sa.Integer(), primary_key=True))
    operations.create_table(
        "t",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("a", sa.Integer()),
        sa.Column("b", sa.String(10)),
        sa.Column("q", sa.Integer()),
        sa.Column("p_id", sa.Integer(), sa.ForeignKey("p.id", name="fk_t_p_id")),
        sa.Column("u", sa.Integer()),
        sa.Column("i", sa.Integer()),
        sa.UniqueConstraint("u", name="uq_t_u"),
    )
    operations.create_index("ix_t_i", "t", ["i"])
    conn.exec_driver_sql("INSERT INTO p VALUES (1)")
    conn.exec_driver_sql("INSERT INTO t VALUES (1, 1, 'x', 1, 1, 1, 1)")
    return operations


def _columns(conn: Any, table: str = "t") -> dict[str, Any]:
    return {column["name"]: column for column in sa.inspect(conn).get_columns(table)}


def _shape(conn: Any, table: str = "t") -> list[tuple[str, str, bool, Any]]:
    return [(c["name"], str(c["type"]), c["nullable"], c["default"]) for c in sa.inspect(conn).get_columns(table)]


def _syntax(statement: str) -> tuple[type[BaseException], str, list[str]]:
    return (sa.exc.OperationalError, 'near "ALTER": syntax error', [statement])


def _refused(*statements: str) -> tuple[type[BaseException], str, list[str]]:
    return (NotImplementedError, NO_CONSTRAINT_ALTER, list(statements))


def _sqlite_error(message: str, statement: str) -> tuple[type[BaseException], str, list[str]]:
    return (sa.exc.OperationalError, message, [statement])


# (operation outside batch mode, expected failure: exception class, exact message (of `.orig` for a DBAPI error),
# every statement sent, the failing one last).
SQLITE_FAILS_OUTSIDE_BATCH: list[Any] = [
    pytest.param(
        lambda o: o.alter_column("t", "a", type_=sa.BigInteger(), existing_type=sa.Integer()),
        _syntax("ALTER TABLE t ALTER COLUMN a TYPE BIGINT"),
        id="alter_column-type_",
    ),
    pytest.param(
        lambda o: o.alter_column("t", "a", nullable=False, existing_type=sa.Integer()),
        _syntax("ALTER TABLE t ALTER COLUMN a SET NOT NULL"),
        id="alter_column-nullable",
    ),
    pytest.param(
        lambda o: o.alter_column("t", "a", server_default="0", existing_type=sa.Integer()),
        _syntax("ALTER TABLE t ALTER COLUMN a SET DEFAULT '0'"),
        id="alter_column-server_default",
    ),
    pytest.param(
        lambda o: o.create_foreign_key("fk_t_q", "t", "p", ["q"], ["id"]), _refused(), id="create_foreign_key"
    ),
    pytest.param(lambda o: o.create_unique_constraint("uq_t_a", "t", ["a"]), _refused(), id="create_unique_constraint"),
    pytest.param(lambda o: o.create_check_constraint("ck_t_a", "t", "a > 0"), _refused(), id="create_check_constraint"),
    pytest.param(lambda o: o.drop_constraint("uq_t_u", "t", type_="unique"), _refused(), id="drop_constraint"),
    pytest.param(lambda o: o.create_primary_key("pk_t", "t", ["id"]), _refused(), id="create_primary_key"),
    # The operations below work natively in general (see SQLITE_WORKS_OUTSIDE_BATCH), but not in these cases.
    pytest.param(
        lambda o: o.drop_column("t", "p_id"),
        _sqlite_error(
            'error in table t after drop column: unknown column "p_id" in foreign key definition',
            "ALTER TABLE t DROP COLUMN p_id",
        ),
        id="drop_column-of-a-foreign-key-column",
    ),
    pytest.param(
        lambda o: o.drop_column("t", "u"),
        _sqlite_error("error in table t after drop column: no such column: u", "ALTER TABLE t DROP COLUMN u"),
        id="drop_column-of-a-unique-column",
    ),
    pytest.param(
        lambda o: o.drop_column("t", "i"),
        _sqlite_error("error in index ix_t_i after drop column: no such column: i", "ALTER TABLE t DROP COLUMN i"),
        id="drop_column-of-an-indexed-column",
    ),
    pytest.param(
        lambda o: o.add_column("t", sa.Column("n", sa.Integer(), sa.ForeignKey("p.id", name="fk_t_n"))),
        _refused("ALTER TABLE t ADD COLUMN n INTEGER"),
        id="add_column-with-ForeignKey",
    ),
    pytest.param(
        lambda o: o.add_column("t", sa.Column("n", sa.Integer(), unique=True)),
        _refused("ALTER TABLE t ADD COLUMN n INTEGER"),
        id="add_column-unique",
    ),
    pytest.param(
        lambda o: o.add_column("t", sa.Column("n", sa.Integer(), nullable=False)),
        _sqlite_error(
            "Cannot add a NOT NULL column with default value NULL", "ALTER TABLE t ADD COLUMN n INTEGER NOT NULL"
        ),
        id="add_column-not-null-without-default-non-empty-table",
    ),
    pytest.param(
        lambda o: o.add_column("t", sa.Column("n", sa.DateTime(), server_default=sa.func.current_timestamp())),
        _sqlite_error(
            "Cannot add a column with non-constant default",
            "ALTER TABLE t ADD COLUMN n DATETIME DEFAULT CURRENT_TIMESTAMP",
        ),
        id="add_column-non-constant-default-non-empty-table",
    ),
]


@pytest.mark.parametrize(("operation", "expected"), SQLITE_FAILS_OUTSIDE_BATCH)
def test_alm032_sqlite_operation_fails_outside_batch(lite: Any, operation: Callable[[Any], Any], expected: Any) -> None:
    exception, message, statements = expected
    operations = _sqlite_schema(lite)
    before = _shape(lite)
    with pytest.raises(exception) as failure, sent(lite) as seen:
        operation(operations)
    assert type(failure.value) is exception
    assert seen == statements
    if exception is NotImplementedError:  # Alembic's SQLite impl refuses the constraint, no SQL for it
        assert str(failure.value) == message
    else:
        assert str(failure.value.orig) == message
        assert _shape(lite) == before


def test_alm032_add_column_with_a_constraint_leaves_the_column_behind(lite: Any) -> None:
    """Alembic's SQLite impl is not transactional-DDL: the ADD COLUMN is done when the constraint is refused."""
    operations = _sqlite_schema(lite)
    assert operations.migration_context.impl.transactional_ddl is False
    with pytest.raises(NotImplementedError):
        operations.add_column("t", sa.Column("n", sa.Integer(), sa.ForeignKey("p.id", name="fk_t_n")))
    assert "n" in _columns(lite)
    assert [fk["name"] for fk in sa.inspect(lite).get_foreign_keys("t")] == ["fk_t_p_id"]


# (operation outside batch mode, check on the connection afterwards).
SQLITE_WORKS_OUTSIDE_BATCH: list[Any] = [
    pytest.param(lambda o: o.drop_column("t", "b"), lambda c: "b" not in _columns(c), id="drop_column"),
    pytest.param(
        lambda o: o.add_column("t", sa.Column("n", sa.Integer())),
        lambda c: c.exec_driver_sql("SELECT n FROM t").scalar() is None,
        id="add_column",
    ),
    pytest.param(
        lambda o: o.add_column("t", sa.Column("n", sa.Integer(), nullable=False, server_default="0")),
        lambda c: c.exec_driver_sql("SELECT n FROM t").scalar() == 0 and _columns(c)["n"]["nullable"] is False,
        id="add_column-not-null-with-server_default",
    ),
    pytest.param(
        lambda o: o.alter_column("t", "b", new_column_name="bb"),
        lambda c: "bb" in _columns(c) and "b" not in _columns(c),
        id="alter_column-new_column_name",
    ),
    pytest.param(
        lambda o: o.alter_column("t", "i", new_column_name="ii"),
        lambda c: sa.inspect(c).get_indexes("t")[0]["column_names"] == ["ii"],
        id="alter_column-new_column_name-of-an-indexed-column",
    ),
    pytest.param(
        lambda o: o.create_index("ix_t_a", "t", ["a"]),
        lambda c: "ix_t_a" in {ix["name"] for ix in sa.inspect(c).get_indexes("t")},
        id="create_index",
    ),
    pytest.param(
        lambda o: o.drop_index("ix_t_i", "t"),
        lambda c: sa.inspect(c).get_indexes("t") == [],
        id="drop_index",
    ),
    pytest.param(
        lambda o: o.rename_table("t", "t2"),
        lambda c: sa.inspect(c).has_table("t2") and not sa.inspect(c).has_table("t"),
        id="rename_table",
    ),
]


@pytest.mark.parametrize(("operation", "check"), SQLITE_WORKS_OUTSIDE_BATCH)
def test_alm032_sqlite_operation_works_outside_batch(
    lite: Any, operation: Callable[[Any], Any], check: Callable[[Any], bool]
) -> None:
    operations = _sqlite_schema(lite)
    with sent(lite) as statements:
        operation(operations)
    assert statements  # done natively with ALTER TABLE / CREATE INDEX / DROP INDEX, no table copy
    assert not any(statement.startswith("CREATE TABLE") for statement in statements)
    assert check(lite) is True


def _fk_names(c: Any) -> set[str]:
    return {fk["name"] for fk in sa.inspect(c).get_foreign_keys("t")}


# (operation inside `with op.batch_alter_table("t") as batch_op:`, check on the connection afterwards).
SQLITE_WORKS_IN_BATCH: list[Any] = [
    pytest.param(
        lambda b: b.alter_column("a", type_=sa.BigInteger(), existing_type=sa.Integer()),
        lambda c: isinstance(_columns(c)["a"]["type"], sa.BIGINT),
        id="alter_column-type_",
    ),
    pytest.param(
        lambda b: b.alter_column("a", nullable=False, existing_type=sa.Integer()),
        lambda c: _columns(c)["a"]["nullable"] is False,
        id="alter_column-nullable",
    ),
    pytest.param(
        lambda b: b.alter_column("a", server_default="0", existing_type=sa.Integer()),
        lambda c: _columns(c)["a"]["default"] == "'0'",
        id="alter_column-server_default",
    ),
    pytest.param(
        lambda b: b.create_foreign_key("fk_t_q", "p", ["q"], ["id"]),
        lambda c: _fk_names(c) == {"fk_t_p_id", "fk_t_q"},
        id="create_foreign_key",
    ),
    pytest.param(
        lambda b: b.create_unique_constraint("uq_t_a", ["a"]),
        lambda c: {uq["name"] for uq in sa.inspect(c).get_unique_constraints("t")} == {"uq_t_u", "uq_t_a"},
        id="create_unique_constraint",
    ),
    pytest.param(
        lambda b: b.create_check_constraint("ck_t_a", "a > 0"),
        lambda c: [ck["name"] for ck in sa.inspect(c).get_check_constraints("t")] == ["ck_t_a"],
        id="create_check_constraint",
    ),
    pytest.param(
        lambda b: b.drop_constraint("uq_t_u", type_="unique"),
        lambda c: sa.inspect(c).get_unique_constraints("t") == [],
        id="drop_constraint",
    ),
    pytest.param(
        lambda b: b.create_primary_key("pk_t", ["id"]),
        lambda c: sa.inspect(c).get_pk_constraint("t")["constrained_columns"] == ["id"],
        id="create_primary_key",
    ),
    pytest.param(
        lambda b: b.drop_column("p_id"),
        lambda c: "p_id" not in _columns(c) and _fk_names(c) == set(),
        id="drop_column-of-a-foreign-key-column",
    ),
    pytest.param(
        lambda b: b.drop_column("u"),
        lambda c: "u" not in _columns(c) and sa.inspect(c).get_unique_constraints("t") == [],
        id="drop_column-of-a-unique-column",
    ),
    pytest.param(
        lambda b: (b.drop_index("ix_t_i"), b.drop_column("i")),
        lambda c: "i" not in _columns(c) and sa.inspect(c).get_indexes("t") == [],
        id="drop_index-then-drop_column-of-an-indexed-column",
    ),
    pytest.param(
        lambda b: b.add_column(sa.Column("n", sa.Integer(), sa.ForeignKey("p.id", name="fk_t_n"))),
        lambda c: _fk_names(c) == {"fk_t_p_id", "fk_t_n"},
        id="add_column-with-ForeignKey",
    ),
    pytest.param(
        lambda b: (b.add_column(sa.Column("n", sa.Integer())), b.create_unique_constraint("uq_t_n", ["n"])),
        lambda c: {uq["name"] for uq in sa.inspect(c).get_unique_constraints("t")} == {"uq_t_u", "uq_t_n"},
        id="add_column-then-named-unique",
    ),
    pytest.param(
        lambda b: b.add_column(sa.Column("n", sa.DateTime(), server_default=sa.func.current_timestamp())),
        lambda c: c.exec_driver_sql("SELECT n FROM t").scalar() is not None,
        id="add_column-non-constant-default-non-empty-table",
    ),
]


@pytest.mark.parametrize(("operation", "check"), SQLITE_WORKS_IN_BATCH)
def test_alm032_sqlite_operation_works_in_batch(
    lite: Any, operation: Callable[[Any], Any], check: Callable[[Any], bool]
) -> None:
    """The failing operations, inside batch mode: Alembic copies the table (CREATE TABLE _alembic_tmp_t, INSERT
    … SELECT, DROP, RENAME), and the row survives."""
    operations = _sqlite_schema(lite)
    with sent(lite) as statements, operations.batch_alter_table("t") as batch_op:
        operation(batch_op)
    assert any(statement.startswith("CREATE TABLE _alembic_tmp_t") for statement in statements)
    assert check(lite) is True
    assert lite.exec_driver_sql("SELECT id FROM t").scalars().all() == [1]


def test_alm032_batch_add_column_unique_needs_a_name(lite: Any) -> None:
    """`add_column(sa.Column(..., unique=True))` in batch mode: the copy's constraint has no name."""
    operations = _sqlite_schema(lite)
    with pytest.raises(ValueError) as failure, operations.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("n", sa.Integer(), unique=True))
    assert str(failure.value) == "Constraint must have a name"


def test_alm032_batch_does_not_fix_not_null_without_default(lite: Any) -> None:
    """Batch mode adds a plain column natively too, so NOT NULL without a default still fails on a non-empty
    table; `server_default` is the fix (SQLITE_WORKS_OUTSIDE_BATCH)."""
    operations = _sqlite_schema(lite)
    with pytest.raises(sa.exc.OperationalError) as failure, operations.batch_alter_table("t") as batch_op:
        batch_op.add_column(sa.Column("n", sa.Integer(), nullable=False))
    assert str(failure.value.orig) == "Cannot add a NOT NULL column with default value NULL"


def test_alm032_batch_drop_column_of_an_indexed_column_fails_after_the_copy(lite: Any) -> None:
    """Batch mode copies the table without the column, then re-creates the table's indexes, including the one on
    the dropped column. The column and the index are gone when the error is raised (no transactional DDL).
    `batch_op.drop_index` first is the form that works (SQLITE_WORKS_IN_BATCH)."""
    operations = _sqlite_schema(lite)
    with pytest.raises(sa.exc.OperationalError) as failure, operations.batch_alter_table("t") as batch_op:
        batch_op.drop_column("i")
    assert str(failure.value.orig) == "no such column: i"
    assert failure.value.statement == "CREATE INDEX ix_t_i ON t (i)"
    assert "i" not in _columns(lite)
    assert sa.inspect(lite).get_indexes("t") == []


# ALM034: a column named twice in an index, unique constraint or primary key.

DUPLICATE_THROUGH_ALEMBIC: list[Any] = [
    pytest.param(lambda o: o.create_index("ix_t034_aa", "t034", ["a", "a"]), id="create_index"),
    pytest.param(lambda o: o.create_index("ux_t034_aa", "t034", ["a", "a"], unique=True), id="create_index-unique"),
    pytest.param(lambda o: o.create_unique_constraint("uq_t034_aa", "t034", ["a", "a"]), id="create_unique_constraint"),
    pytest.param(lambda o: o.create_primary_key("pk_t034_aa", "t034", ["a", "a"]), id="create_primary_key"),
]


@contextmanager
def _backend(request: pytest.FixtureRequest, backend: str) -> Iterator[Any]:
    if backend == "sqlite":
        yield request.getfixturevalue("lite")
    elif backend == "postgresql":
        with request.getfixturevalue("pg").connect() as conn:
            yield conn
            conn.rollback()
    else:
        yield request.getfixturevalue("maria")


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mariadb"])
@pytest.mark.parametrize("operation", DUPLICATE_THROUGH_ALEMBIC)
def test_alm034_alembic_refuses_a_duplicate_column_before_any_sql(
    request: pytest.FixtureRequest, backend: str, operation: Callable[[Any], Any]
) -> None:
    """Alembic builds a throwaway `Table` with one `Column` per name: SQLAlchemy raises DuplicateColumnError (an
    ArgumentError) on every backend, and nothing reaches the server. The de-duplicated list works."""
    with _backend(request, backend) as conn:
        conn.exec_driver_sql("CREATE TABLE t034 (a integer NOT NULL, b integer)")
        operations = ops(conn)
        with pytest.raises(sa.exc.DuplicateColumnError) as failure, sent(conn) as seen:
            operation(operations)
        assert str(failure.value).startswith("A column with name 'a' is already present in table 't034'.")
        assert isinstance(failure.value, sa.exc.ArgumentError)
        assert seen == []
        operations.create_index("ix_t034_a", "t034", ["a"])
        assert [ix["column_names"] for ix in sa.inspect(conn).get_indexes("t034")] == [["a"]]


def test_alm034_duplicate_column_in_a_batch_create_index_is_refused_too(lite: Any) -> None:
    lite.exec_driver_sql("CREATE TABLE t034 (a integer NOT NULL, b integer)")
    with pytest.raises(sa.exc.DuplicateColumnError) as failure, ops(lite).batch_alter_table("t034") as batch_op:
        batch_op.create_index("ix_t034_aa", ["a", "a"])
    assert str(failure.value).startswith("A column with name 'a' is already present in table 't034'.")


RAW_DUPLICATES = {
    "index": "CREATE INDEX ix_t034_aa ON t034 (a, a)",
    "unique-index": "CREATE UNIQUE INDEX ux_t034_aa ON t034 (a, a)",
    "unique-constraint": "ALTER TABLE t034 ADD CONSTRAINT uq_t034_aa UNIQUE (a, a)",
    "primary-key": "ALTER TABLE t034 ADD CONSTRAINT pk_t034_aa PRIMARY KEY (a, a)",
}


@pytest.mark.parametrize(
    ("kind", "failure"),
    [
        ("index", None),
        ("unique-index", None),
        ("unique-constraint", 'column "a" appears twice in unique constraint'),
        ("primary-key", 'column "a" appears twice in primary key constraint'),
    ],
)
def test_alm034_postgresql_rejects_a_duplicate_in_a_constraint_42701_but_accepts_it_in_an_index(
    pg: Any, kind: str, failure: str | None
) -> None:
    """The same SQL sent as such (`op.execute`, or an `sa.Index` in `op.create_table`, below)."""
    with pg.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t034 (a integer NOT NULL, b integer)")
        if failure is None:
            conn.exec_driver_sql(RAW_DUPLICATES[kind])
            assert [ix["column_names"] for ix in sa.inspect(conn).get_indexes("t034")] == [["a", "a"]]
        else:
            with pytest.raises(sa.exc.ProgrammingError) as error:
                conn.exec_driver_sql(RAW_DUPLICATES[kind])
            assert sqlstate(error.value) == "42701"
            assert failure in str(error.value.orig)
        conn.rollback()


@pytest.mark.parametrize("kind", list(RAW_DUPLICATES))
def test_alm034_mariadb_rejects_every_duplicate_1060(maria: Any, kind: str) -> None:
    maria.exec_driver_sql("CREATE TABLE t034 (a integer NOT NULL, b integer)")
    with pytest.raises(sa.exc.OperationalError) as error:
        maria.exec_driver_sql(RAW_DUPLICATES[kind])
    assert errno(error.value) == 1060
    assert "Duplicate column name 'a'" in str(error.value.orig)


@pytest.mark.parametrize("kind", ["index", "unique-index"])
def test_alm034_sqlite_accepts_a_duplicate_silently(lite: Any, kind: str) -> None:
    """SQLite keeps the index as written. (It cannot add a constraint with ALTER TABLE; in CREATE TABLE it
    accepts `PRIMARY KEY (a, a)` and `UNIQUE (a, a)` too, and keeps the repeat in the constraint's index.)"""
    lite.exec_driver_sql("CREATE TABLE t034 (a integer NOT NULL, b integer)")
    lite.exec_driver_sql(RAW_DUPLICATES[kind])
    assert [ix["column_names"] for ix in sa.inspect(lite).get_indexes("t034")] == [["a", "a"]]
    lite.exec_driver_sql("CREATE TABLE t034c (a integer, PRIMARY KEY (a, a))")
    (index,) = lite.exec_driver_sql("PRAGMA index_list(t034c)").all()
    assert index[1:4] == ("sqlite_autoindex_t034c_1", 1, "pk")
    assert [row[2] for row in lite.exec_driver_sql("PRAGMA index_info(sqlite_autoindex_t034c_1)")] == ["a", "a"]


def _create_table_with_duplicates(operations: Any) -> None:
    operations.create_table(
        "t034t",
        sa.Column("a", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("b", sa.Integer()),
        sa.PrimaryKeyConstraint("a", "a", name="pk_t034t"),
        sa.UniqueConstraint("b", "b", name="uq_t034t"),
        sa.Index("ix_t034t_aa", "a", "a"),
    )


def test_alm034_create_table_dedups_constraints_but_not_an_index_postgresql(pg: Any) -> None:
    """In `op.create_table`, SQLAlchemy's constraint column collections drop the repeat silently (the constraint
    is built on `(a)`, `(b)`); an `sa.Index` keeps it, and PostgreSQL accepts the index."""
    with pg.connect() as conn, sent(conn) as seen:
        _create_table_with_duplicates(ops(conn))
        assert "CONSTRAINT pk_t034t PRIMARY KEY (a)," in seen[0]
        assert "CONSTRAINT uq_t034t UNIQUE (b)\n" in seen[0]
        assert seen[1] == "CREATE INDEX ix_t034t_aa ON t034t (a, a)"
        inspector = sa.inspect(conn)
        assert inspector.get_pk_constraint("t034t")["constrained_columns"] == ["a"]
        assert [uq["column_names"] for uq in inspector.get_unique_constraints("t034t")] == [["b"]]
        assert {ix["name"]: ix["column_names"] for ix in inspector.get_indexes("t034t")}["ix_t034t_aa"] == ["a", "a"]
        conn.rollback()


def test_alm034_create_table_index_with_a_duplicate_fails_1060_on_mariadb(maria: Any) -> None:
    with pytest.raises(sa.exc.OperationalError) as error:
        _create_table_with_duplicates(ops(maria))
    assert errno(error.value) == 1060
    assert error.value.statement == "CREATE INDEX ix_t034t_aa ON t034t (a, a)"
    # MariaDB DDL is not transactional: the table is there, without the index.
    assert sa.inspect(maria).has_table("t034t") is True


# ALM035: the USING expression's type must have an assignment cast to the new column type.


@pytest.mark.parametrize(
    ("source", "using"),
    [("integer", "c::text"), ("varchar", "c::text"), ("varchar", "c"), ("integer", "c::varchar")],
    ids=["integer-using-text", "varchar-using-text", "varchar-using-c", "integer-using-varchar"],
)
def test_alm035_using_expression_of_the_wrong_type_fails_42804(pg: Any, source: str, using: str) -> None:
    """On an empty table: the error is about types, not data."""
    with pg.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE t035 (c {source})")
        with pytest.raises(sa.exc.ProgrammingError) as failure:
            ops(conn).alter_column("t035", "c", type_=sa.Integer(), postgresql_using=using)
        assert sqlstate(failure.value) == "42804"
        assert 'result of USING clause for column "c" cannot be cast automatically to type integer' in str(
            failure.value.orig
        )
        assert "HINT:  You might need to add an explicit cast." in str(failure.value.orig)
        assert failure.value.statement == f"ALTER TABLE t035 ALTER COLUMN c TYPE INTEGER USING {using}"
        conn.rollback()


@pytest.mark.parametrize(
    ("source", "target", "using", "reflected"),
    [
        ("varchar", sa.Integer(), "c::integer", sa.INTEGER),
        ("integer", sa.Integer(), "c::integer", sa.INTEGER),
        ("varchar", sa.Integer(), "c::bigint", sa.INTEGER),
        ("varchar", sa.Text(), "c::integer", sa.TEXT),
        ("varchar", sa.BigInteger(), "c::integer", sa.BIGINT),
    ],
    ids=[
        "varchar-using-integer",
        "integer-using-integer",
        "integer-using-bigint",
        "text-using-integer",
        "bigint-using-integer",
    ],
)
def test_alm035_using_expression_with_an_assignment_cast_works(
    pg: Any, source: str, target: Any, using: str, reflected: type
) -> None:
    """The cast to the new type itself works, and so does any type with an assignment cast to it (bigint →
    integer, integer → text, integer → bigint)."""
    with pg.connect() as conn:
        conn.exec_driver_sql(f"CREATE TABLE t035s (c {source})")
        conn.exec_driver_sql("INSERT INTO t035s VALUES ('7')")
        ops(conn).alter_column("t035s", "c", type_=target, postgresql_using=using)
        assert type(sa.inspect(conn).get_columns("t035s")[0]["type"]) is reflected
        assert str(conn.exec_driver_sql("SELECT c FROM t035s").scalar()) == "7"
        conn.rollback()


# The families ALM035 judges, two or three PostgreSQL types each: the rule's table must agree with every pair.
ALM035_REPRESENTATIVES = {
    "string": ["text", "varchar(20)", "char(5)"],
    "integer": ["smallint", "integer", "bigint"],
    "numeric": ["numeric(10,2)"],
    "float": ["real", "double precision"],
    "boolean": ["boolean"],
    "uuid": ["uuid"],
    "datetime": ["timestamp", "timestamptz"],
    "date": ["date"],
    "time": ["time", "timetz"],
    "interval": ["interval"],
    "json": ["json", "jsonb"],
    "binary": ["bytea"],
}


def test_alm035_the_rules_cast_table_is_postgresqls(pg: Any) -> None:
    """For every pair of families, `ALTER COLUMN c TYPE <to> USING NULL::<from>` on every pair of their
    representatives: the rule reports the pair (fails_assignment) exactly when each of them fails with 42804, and
    the pairs it leaves undecided are those where some work and some fail."""
    from flake8_alembic.rules.hazards.alm035_using_cast_mismatch import CHECKED_FAMILIES, UNDECIDED, fails_assignment

    assert set(ALM035_REPRESENTATIVES) == CHECKED_FAMILIES
    with pg.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE t035m (c text)")
        for source, sources in ALM035_REPRESENTATIVES.items():
            for target, targets in ALM035_REPRESENTATIVES.items():
                outcomes = set()
                for left in sources:
                    for right in targets:
                        savepoint = conn.begin_nested()
                        try:
                            conn.exec_driver_sql(f"ALTER TABLE t035m ALTER COLUMN c TYPE {right} USING NULL::{left}")
                            outcomes.add("works")
                        except sa.exc.DBAPIError as error:
                            outcomes.add(sqlstate(error) or "?")
                        savepoint.rollback()
                pair = (source, target)
                if pair in UNDECIDED:
                    assert outcomes == {"works", "42804"}, pair
                else:
                    assert outcomes == ({"42804"} if fails_assignment(source, target) else {"works"}), pair
        conn.rollback()


# ALM036: a downgrade that re-creates a dropped object differently.


def _schema036(conn: Any) -> dict[str, Any]:
    """What the inspector reflects for `child`: foreign keys, indexes (less those that back a unique
    constraint), unique constraints."""
    inspector = sa.inspect(conn)
    return {
        "foreign_keys": sorted(inspector.get_foreign_keys("child"), key=lambda fk: fk["name"]),
        "indexes": sorted(
            (ix for ix in inspector.get_indexes("child") if "duplicates_constraint" not in ix),
            key=lambda ix: ix["name"],
        ),
        "unique_constraints": sorted(inspector.get_unique_constraints("child"), key=lambda uq: uq["name"]),
    }


def _base036(operations: Any) -> None:
    operations.create_table("parent", sa.Column("id", sa.Integer(), primary_key=True))
    operations.create_table("other", sa.Column("id", sa.Integer(), primary_key=True))
    operations.create_table(
        "child",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("parent_id", sa.Integer()),
        sa.Column("other_id", sa.Integer()),
        sa.Column("a", sa.Integer()),
        sa.Column("b", sa.Integer()),
    )
    operations.create_foreign_key("fk_child_parent", "child", "parent", ["parent_id"], ["id"], ondelete="CASCADE")
    operations.create_index("ix_child_a", "child", ["a"])
    operations.create_unique_constraint("uq_child_b", "child", ["b"])


def _upgrade036(operations: Any) -> None:
    operations.drop_constraint("fk_child_parent", "child", type_="foreignkey")
    operations.drop_index("ix_child_a", "child")
    operations.drop_constraint("uq_child_b", "child", type_="unique")


# The faithful re-creation of each dropped object, by the part of the reflected schema it shows in.
FAITHFUL036: dict[str, Callable[[Any], Any]] = {
    "foreign_keys": lambda o: o.create_foreign_key(
        "fk_child_parent", "child", "parent", ["parent_id"], ["id"], ondelete="CASCADE"
    ),
    "indexes": lambda o: o.create_index("ix_child_a", "child", ["a"]),
    "unique_constraints": lambda o: o.create_unique_constraint("uq_child_b", "child", ["b"]),
}


# (the downgrade's one unfaithful re-creation, the part of the reflected schema that differs).
UNFAITHFUL_DOWNGRADES: list[Any] = [
    pytest.param(
        lambda o: o.create_foreign_key("fk_child_parent", "child", "other", ["other_id"], ["id"], ondelete="CASCADE"),
        "foreign_keys",
        id="foreign-key-other-target-and-column",
    ),
    pytest.param(
        lambda o: o.create_foreign_key("fk_child_parent", "child", "parent", ["parent_id"], ["id"]),
        "foreign_keys",
        id="foreign-key-without-ondelete",
    ),
    pytest.param(lambda o: o.create_index("ix_child_a", "child", ["a", "b"]), "indexes", id="index-other-columns"),
    pytest.param(
        lambda o: o.create_index("ix_child_a", "child", ["a"], unique=True), "indexes", id="index-made-unique"
    ),
    pytest.param(
        lambda o: o.create_unique_constraint("uq_child_b", "child", ["a", "b"]),
        "unique_constraints",
        id="unique-other-columns",
    ),
]


@pytest.mark.parametrize(("unfaithful", "differs"), UNFAITHFUL_DOWNGRADES)
def test_alm036_downgrade_that_recreates_differently_changes_the_schema(
    pg: Any, unfaithful: Callable[[Any], Any], differs: str
) -> None:
    """upgrade + faithful downgrade gives back the reflected schema exactly; upgrade + a downgrade with one
    re-creation changed succeeds (no error at all) but leaves a different schema."""
    with pg.connect() as conn:
        operations = ops(conn)
        _base036(operations)
        before = _schema036(conn)
        _upgrade036(operations)
        for recreate in FAITHFUL036.values():
            recreate(operations)
        assert _schema036(conn) == before
        _upgrade036(operations)
        for part, recreate in FAITHFUL036.items():
            (unfaithful if part == differs else recreate)(operations)
        after = _schema036(conn)
        assert after[differs] != before[differs]
        assert {part: value for part, value in after.items() if part != differs} == {
            part: value for part, value in before.items() if part != differs
        }
        conn.rollback()


# ALM037: a server_default on a TEXT/BLOB column (MariaDB side only).


def _mariadb_version(conn: Any) -> tuple[int, ...]:
    version = conn.exec_driver_sql("SELECT VERSION()").scalar()
    assert "MariaDB" in version
    return tuple(int(part) for part in version.split("-")[0].split("."))


def _column_info(conn: Any, table: str, name: str) -> tuple[Any, ...]:
    """(COLUMN_TYPE, COLUMN_DEFAULT) from information_schema.COLUMNS."""
    row = conn.execute(
        sa.text(
            "SELECT COLUMN_TYPE, COLUMN_DEFAULT FROM information_schema.COLUMNS "
            "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = :t AND COLUMN_NAME = :c"
        ),
        {"t": table, "c": name},
    ).one()
    return tuple(row)


@pytest.mark.parametrize(
    ("type_", "rendered", "shown", "default", "value"),
    [
        (sa.Text(), "TEXT", "text", "x", "x"),
        (sa.LargeBinary(), "BLOB", "blob", "x", b"x"),
        (mysql.MEDIUMTEXT(), "MEDIUMTEXT", "mediumtext", "x", "x"),
        (sa.JSON(), "JSON", "longtext", "{}", "{}"),
    ],
    ids=["Text", "LargeBinary", "MEDIUMTEXT", "JSON"],
)
def test_alm037_mariadb_accepts_a_literal_default_on_text_and_blob(
    maria: Any, type_: Any, rendered: str, shown: str, default: str, value: Any
) -> None:
    """MariaDB >= 10.2.1 allows it, in the default strict SQL mode, with no warning; the existing row gets the
    default. (MariaDB's JSON is LONGTEXT.) MySQL rejects the same statement with error 1101, not verified here:
    there is no MySQL server on this machine."""
    assert _mariadb_version(maria) >= (10, 2, 1)
    assert "STRICT_TRANS_TABLES" in maria.exec_driver_sql("SELECT @@sql_mode").scalar().split(",")
    maria.exec_driver_sql("CREATE TABLE t037 (id int PRIMARY KEY)")
    maria.exec_driver_sql("INSERT INTO t037 VALUES (1)")
    with sent(maria) as seen:
        ops(maria).add_column("t037", sa.Column("s", type_, server_default=default))
    assert seen == [f"ALTER TABLE t037 ADD COLUMN s {rendered} DEFAULT '{default}'"]
    assert maria.exec_driver_sql("SHOW WARNINGS").all() == []
    assert _column_info(maria, "t037", "s") == (shown, f"'{default}'")
    assert maria.exec_driver_sql("SELECT s FROM t037").scalar() == value


def test_alm037_mariadb_accepts_an_expression_default_on_text(maria: Any) -> None:
    """The parenthesised form that MySQL 8.0.13+ documents for TEXT/BLOB also works on MariaDB, so it is the
    portable spelling."""
    maria.exec_driver_sql("CREATE TABLE t037e (id int PRIMARY KEY)")
    maria.exec_driver_sql("INSERT INTO t037e VALUES (1)")
    ops(maria).add_column("t037e", sa.Column("s", sa.Text(), server_default=sa.text("('x')")))
    assert maria.exec_driver_sql("SELECT s FROM t037e").scalar() == "x"
    maria.exec_driver_sql("INSERT INTO t037e (id) VALUES (2)")
    assert maria.exec_driver_sql("SELECT s FROM t037e WHERE id = 2").scalar() == "x"


# ALM038: sa.String() without a length on MySQL/MariaDB.

NO_LENGTH = "VARCHAR requires a length on dialect mysql"


@pytest.mark.parametrize(
    "operation",
    [
        pytest.param(lambda o: o.add_column("t038", sa.Column("s", sa.String())), id="add_column-String"),
        pytest.param(lambda o: o.add_column("t038", sa.Column("s", sa.Unicode())), id="add_column-Unicode"),
        pytest.param(lambda o: o.add_column("t038", sa.Column("s", sa.VARCHAR())), id="add_column-VARCHAR"),
        pytest.param(
            lambda o: o.alter_column("t038", "id", type_=sa.String(), existing_type=sa.Integer()),
            id="alter_column-String",
        ),
        pytest.param(
            lambda o: o.create_table(
                "t038t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("s", sa.String())
            ),
            id="create_table-String",
        ),
    ],
)
def test_alm038_string_without_length_fails_to_compile_on_mariadb(maria: Any, operation: Callable[[Any], Any]) -> None:
    maria.exec_driver_sql("CREATE TABLE t038 (id int PRIMARY KEY)")
    with pytest.raises(sa.exc.CompileError) as failure, sent(maria) as seen:
        operation(ops(maria))
    assert str(failure.value).endswith(NO_LENGTH)
    assert seen == []
    assert sa.inspect(maria).has_table("t038t") is False


def test_alm038_create_table_message_names_the_column(maria: Any) -> None:
    with pytest.raises(sa.exc.CompileError) as failure:
        ops(maria).create_table("t038t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("s", sa.String()))
    assert str(failure.value) == f"(in table 't038t', column 's'): {NO_LENGTH}"


def test_alm038_string_with_length_works_on_mariadb(maria: Any) -> None:
    maria.exec_driver_sql("CREATE TABLE t038 (id int PRIMARY KEY)")
    operations = ops(maria)
    operations.add_column("t038", sa.Column("s", sa.String(255)))
    operations.create_table("t038t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("s", sa.String(255)))
    assert _column_info(maria, "t038", "s")[0] == "varchar(255)"
    assert _column_info(maria, "t038t", "s")[0] == "varchar(255)"


def test_alm038_offline_mysql_render_fails_the_same_way() -> None:
    """`alembic upgrade --sql` with the MySQL dialect: no server at all."""
    buffer = io.StringIO()
    offline = Operations(
        MigrationContext.configure(dialect_name="mysql", opts={"as_sql": True, "output_buffer": buffer})
    )
    with pytest.raises(sa.exc.CompileError) as failure:
        offline.add_column("t038", sa.Column("s", sa.String()))
    assert str(failure.value) == NO_LENGTH
    assert buffer.getvalue() == ""


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_alm038_string_without_length_is_accepted_elsewhere(request: pytest.FixtureRequest, backend: str) -> None:
    with _backend(request, backend) as conn:
        conn.exec_driver_sql("CREATE TABLE t038 (id int PRIMARY KEY)")
        operations = ops(conn)
        with sent(conn) as seen:
            operations.add_column("t038", sa.Column("s", sa.String()))
        assert seen == ["ALTER TABLE t038 ADD COLUMN s VARCHAR"]
        operations.create_table("t038t", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("s", sa.String()))
        for table in ("t038", "t038t"):
            column = {c["name"]: c for c in sa.inspect(conn).get_columns(table)}["s"]
            assert type(column["type"]) is sa.VARCHAR
            assert column["type"].length is None


# ALM039: `op.*` at module level in a revision file.

REVISION = '''"""{doc}

Revision ID: {rev}
"""
import sqlalchemy as sa
from alembic import op

revision = "{rev}"
down_revision = {down!r}
{module_level}

def upgrade():
{upgrade}


def downgrade():
    pass
'''

ENV_PY = """from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
connectable = engine_from_config(config.get_section(config.config_ini_section) or {}, prefix="sqlalchemy.",
                                 poolclass=pool.NullPool)
with connectable.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
"""


def _project(root: Path) -> Config:
    """`alembic init` in a temporary folder, then a Config whose output is captured. The generated env.py is
    replaced by one that does not reconfigure logging (fileConfig would disable pytest's loggers)."""
    init = Config(str(root / "alembic.ini"), stdout=io.StringIO())
    command.init(init, str(root / "migrations"))
    assert (root / "alembic.ini").is_file()
    assert (root / "migrations" / "versions").is_dir()
    (root / "migrations" / "env.py").write_text(ENV_PY)
    return _project_config(root)


def _project_config(root: Path) -> Config:
    config = Config(str(root / "alembic.ini"), stdout=io.StringIO())
    config.set_main_option("script_location", str(root / "migrations"))
    config.set_main_option("sqlalchemy.url", f"sqlite:///{root / 'db.sqlite'}")
    return config


def _revision(root: Path, rev: str, down: str | None, *, module_level: str = "", upgrade: str = "pass") -> None:
    text = REVISION.format(
        doc=f"revision {rev}",
        rev=rev,
        down=down,
        module_level=f"\n{module_level}\n" if module_level else "",
        upgrade=f"    {upgrade}",
    )
    versions = root / "migrations" / "versions"
    shutil.rmtree(versions / "__pycache__", ignore_errors=True)  # never a stale compiled copy of a rewritten file
    (versions / f"{rev}_change.py").write_text(text)


def _proxy_error(function: str) -> str:
    return (
        f"Can't invoke function '{function}', as the proxy object has not yet been established for the Alembic "
        "'Operations' class.  Try placing this code inside a callable."
    )


def _alembic_cli(root: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    """The real `alembic` command line, in a fresh interpreter, as a developer or CI runs it."""
    return subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(root / "alembic.ini"), *arguments],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=root,
    )


MODULE_LEVEL_CALLS = [
    pytest.param('op.add_column("t", sa.Column("c", sa.Integer()))', "add_column", id="add_column"),
    pytest.param("bind = op.get_bind()", "get_bind", id="get_bind"),
]


@pytest.mark.parametrize("listing", ["heads", "history"])
@pytest.mark.parametrize(("call", "function"), MODULE_LEVEL_CALLS)
def test_alm039_module_level_op_breaks_alembic_heads_and_history(
    tmp_path: Path, listing: str, call: str, function: str
) -> None:
    """`alembic heads` and `alembic history` import every revision file, with no migration context: the CLI
    exits with status 1 and a NameError traceback. The same call inside upgrade(): the listing works."""
    _project(tmp_path)
    _revision(tmp_path, "aaa", None, module_level=call)
    failed = _alembic_cli(tmp_path, listing)
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines()[-1] == f"NameError: {_proxy_error(function)}"
    assert f'"{tmp_path / "migrations" / "versions" / "aaa_change.py"}", line 11, in <module>' in failed.stderr
    _revision(tmp_path, "aaa", None, upgrade=call)
    listed = _alembic_cli(tmp_path, listing)
    assert (listed.returncode, listed.stderr) == (0, "")
    if listing == "heads":
        assert listed.stdout == "aaa (head)\n"
    else:
        assert listed.stdout == "<base> -> aaa (head), revision aaa\n"


@pytest.mark.parametrize(("call", "function"), MODULE_LEVEL_CALLS)
def test_alm039_in_a_process_that_ran_a_migration_the_error_is_attribute_error(
    tmp_path: Path, call: str, function: str
) -> None:
    """In-process (`alembic.command.heads`, e.g. from a test suite), once any migration context has come and
    gone, Alembic has set the proxy to None: the import fails with AttributeError instead of NameError."""
    config = _project(tmp_path)
    _revision(tmp_path, "aaa", None, module_level=call)
    engine = sa.create_engine("sqlite://")
    with engine.connect() as conn, Operations.context(MigrationContext.configure(conn)):
        pass
    engine.dispose()
    with pytest.raises(AttributeError) as failure:
        command.heads(config)
    assert str(failure.value) == f"'NoneType' object has no attribute '{function}'"
    _revision(tmp_path, "aaa", None, upgrade=call)
    command.heads(config)
    assert config.stdout.getvalue() == "aaa (head)\n"


def test_alm039_module_level_op_runs_at_import_under_alembic_upgrade(tmp_path: Path) -> None:
    """Under `alembic upgrade` the proxy exists while the revision files are imported, so the module-level call
    runs then: before the upgrade() of every revision, including the one that creates its table. Nothing is
    applied. Moved into upgrade(), it runs in order."""
    config = _project(tmp_path)
    _revision(tmp_path, "aaa", None, upgrade='op.create_table("t", sa.Column("id", sa.Integer()))')
    _revision(tmp_path, "bbb", "aaa", module_level='op.add_column("t", sa.Column("c", sa.Integer()))')
    with pytest.raises(sa.exc.OperationalError) as failure:
        command.upgrade(config, "head")
    assert str(failure.value.orig) == "no such table: t"
    assert failure.value.statement == "ALTER TABLE t ADD COLUMN c INTEGER"
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with engine.connect() as conn:
        assert sa.inspect(conn).has_table("t") is False
    _revision(tmp_path, "bbb", "aaa", upgrade='op.add_column("t", sa.Column("c", sa.Integer()))')
    command.upgrade(_project_config(tmp_path), "head")
    with engine.connect() as conn:
        assert [column["name"] for column in sa.inspect(conn).get_columns("t")] == ["id", "c"]
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "bbb"
    engine.dispose()


# ALM010 (preview behaviour): a migration that imports the application's code runs against that code as it is on
# the day it runs.


def test_alm010_a_migration_importing_application_code_breaks_when_the_application_changes(tmp_path: Path) -> None:
    """A revision imports a constant from the application's package; it upgrades while the constant exists. The
    application then renames it (an ordinary refactor): `alembic heads`, `history` and `upgrade` of a fresh
    database all fail importing the old revision. The same revision with the value copied in keeps working."""
    _project(tmp_path)
    ini = tmp_path / "alembic.ini"  # the real CLI reads the URL from the file (prepend_sys_path = . finds shopapp)
    lines = ini.read_text().splitlines()
    url = f"sqlalchemy.url = sqlite:///{tmp_path / 'db.sqlite'}"
    ini.write_text("\n".join(url if line.startswith("sqlalchemy.url") else line for line in lines) + "\n")
    package = tmp_path / "shopapp"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "pricing.py").write_text('DEFAULT_CURRENCY = "EUR"\n')
    importing = "from shopapp.pricing import DEFAULT_CURRENCY"
    create = 'op.create_table("orders", sa.Column("currency", sa.String(3), server_default=DEFAULT_CURRENCY))'
    _revision(tmp_path, "aaa", None, module_level=importing, upgrade=create)
    assert _alembic_cli(tmp_path, "upgrade", "head").returncode == 0
    (package / "pricing.py").write_text('CURRENCY = "EUR"\n')  # the application moves on
    (tmp_path / "db.sqlite").unlink()
    for arguments in (("heads",), ("upgrade", "head")):
        failed = _alembic_cli(tmp_path, *arguments)
        assert failed.returncode == 1
        assert failed.stderr.strip().splitlines()[-1] == (
            f"ImportError: cannot import name 'DEFAULT_CURRENCY' from 'shopapp.pricing' ({package / 'pricing.py'})"
        )
    _revision(tmp_path, "aaa", None, module_level='DEFAULT_CURRENCY = "EUR"', upgrade=create)
    assert _alembic_cli(tmp_path, "upgrade", "head").returncode == 0


# ALM032: the forms the rule reports beyond the ones above (dropping a default, making a column nullable).


@pytest.mark.parametrize(
    ("change", "statement"),
    [
        ({"server_default": None}, "ALTER TABLE t032d ALTER COLUMN a DROP DEFAULT"),
        ({"nullable": True}, "ALTER TABLE t032d ALTER COLUMN a DROP NOT NULL"),
    ],
    ids=["drop-default", "drop-not-null"],
)
def test_alm032_dropping_a_default_or_not_null_fails_outside_batch(lite: Any, change: Any, statement: str) -> None:
    """`server_default=None` and `nullable=True` are changes too: SQLite has no ALTER COLUMN for them either;
    in batch mode both work."""
    lite.exec_driver_sql("CREATE TABLE t032d (id INTEGER PRIMARY KEY, a INTEGER DEFAULT 0 NOT NULL)")
    with pytest.raises(sa.exc.OperationalError) as failure:
        ops(lite).alter_column("t032d", "a", **change)
    assert 'near "ALTER": syntax error' in str(failure.value.orig)
    assert failure.value.statement == statement
    with ops(lite).batch_alter_table("t032d") as batch_op:
        batch_op.alter_column("a", existing_type=sa.Integer(), **change)
    column = next(c for c in sa.inspect(lite).get_columns("t032d") if c["name"] == "a")
    assert (column["default"], column["nullable"]) == ((None, False) if "server_default" in change else ("0", True))
