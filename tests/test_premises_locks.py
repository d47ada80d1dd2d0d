"""The locks, rewrites and scans the ALM2xx rules' docs claim, shown on a real PostgreSQL (see tests/postgres.py).

Pattern: connection A runs the flagged statement in a transaction and does not commit; connection B reads
`pg_locks` joined with `pg_class` for A's backend and asserts the strongest lock mode held on the relation.
Rewrites are shown by a changed `pg_class.relfilenode` after a committed statement. Every connection starts
with a statement_timeout and a lock_timeout (see `engine`), and the waits the tests provoke use much shorter
ones, so no test can hang. See docs/premises.md for the list of premises.
"""

from __future__ import annotations

import threading
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg2")

from .postgres import engine_or_skip  # noqa: E402

# Weakest to strongest (PostgreSQL "Table-Level Locks").
LOCK_ORDER = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
]

# Safety net for every connection; the tests use far shorter timeouts where they wait on purpose.
SAFETY = "-c statement_timeout=10000 -c lock_timeout=5000"


@pytest.fixture(scope="module")
def engine() -> Iterator[Any]:
    yield from engine_or_skip(SAFETY)


def sqlstate(error: BaseException) -> str | None:
    return getattr(getattr(error, "orig", None), "pgcode", None)


def run(engine: Any, *statements: str) -> None:
    """Run and commit."""
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))


def make_table(engine: Any, name: str, rows: int = 1000, index: bool = True) -> None:
    """`name(id int primary key, a int, v varchar(50), s text, n numeric(10,2), u varchar(36))` with `rows` rows
    (u holds uuid text), optionally an index on a."""
    run(
        engine,
        f"CREATE TABLE {name} (id int PRIMARY KEY, a int, v varchar(50), s text, n numeric(10, 2), u varchar(36))",
        f"INSERT INTO {name} SELECT g, g, 'v' || g, 's' || g, g / 3.0, gen_random_uuid()::text "
        f"FROM generate_series(1, {rows}) g",
    )
    if index:
        run(engine, f"CREATE INDEX ix_{name}_a ON {name} (a)")


def backend_pid(conn: Any) -> int:
    return int(conn.execute(sa.text("SELECT pg_backend_pid()")).scalar())


def locks(engine: Any, pid: int, relation: str, granted: bool = True) -> set[str]:
    """Lock modes `pid` holds (or waits for) on `relation`, read from a second connection."""
    with engine.connect() as other:
        rows = other.execute(
            sa.text(
                "SELECT l.mode FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                "WHERE l.pid = :pid AND c.relname = :relation AND l.granted = :granted"
            ),
            {"pid": pid, "relation": relation, "granted": granted},
        )
        return {row[0] for row in rows}


def strongest(modes: set[str]) -> str | None:
    return max(modes, key=LOCK_ORDER.index) if modes else None


def strongest_lock_held(engine: Any, statements: list[str], relations: list[str]) -> dict[str, str | None]:
    """Run `statements` on connection A without committing; return A's strongest lock per relation; roll back."""
    with engine.connect() as conn:
        conn.begin()
        pid = backend_pid(conn)
        for statement in statements:
            conn.execute(sa.text(statement))
        seen = {relation: strongest(locks(engine, pid, relation)) for relation in relations}
        conn.rollback()
    return seen


def relfilenode(engine: Any, table: str) -> int:
    with engine.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT relfilenode FROM pg_class WHERE oid = CAST(:t AS regclass)"), {"t": table}
            ).scalar()
        )


def rewrites(engine: Any, table: str, statement: str) -> bool:
    """Commit `statement`; True if the table's relfilenode changed (the table was rewritten)."""
    before = relfilenode(engine, table)
    run(engine, statement)
    return relfilenode(engine, table) != before


def probe(engine: Any, statement: str, timeout: str = "200ms") -> str | None:
    """Run `statement` on a fresh connection with a short lock_timeout (55P03 if it has to wait); SQLSTATE or None."""
    with engine.connect() as conn:
        conn.begin()
        conn.execute(sa.text(f"SET LOCAL lock_timeout = '{timeout}'"))
        conn.execute(sa.text("SET LOCAL statement_timeout = '3s'"))
        try:
            conn.execute(sa.text(statement))
        except sa.exc.DBAPIError as error:
            conn.rollback()
            return sqlstate(error)
        conn.rollback()
    return None


class Background:
    """Run one statement on `conn` in a thread; keep the SQLSTATE (or None) it ended with."""

    def __init__(self, conn: Any, statement: str) -> None:
        self.outcome: str | None = "running"
        self.conn = conn
        self.statement = statement
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            self.conn.execute(sa.text(self.statement))
            self.outcome = None
        except sa.exc.DBAPIError as error:
            self.outcome = sqlstate(error) or repr(error)

    def join(self, seconds: float = 15) -> str | None:
        self.thread.join(seconds)
        assert not self.thread.is_alive(), f"still running: {self.statement}"
        return self.outcome


def wait_until(condition: Any, seconds: float = 5) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError("condition not reached in time")


def debug_messages(engine: Any, statement: str) -> str:
    """Run `statement` in a rolled-back transaction with DEBUG1 messages sent to the client; return them.

    psycopg2 collects non-error server messages in `notices`; SQLAlchemy's psycopg2 dialect empties that list
    after each of its own executions, so the statement runs on a raw cursor of the same connection.
    """
    with engine.connect() as conn:
        conn.begin()
        dbapi = conn.connection.dbapi_connection
        cursor = dbapi.cursor()
        cursor.execute("SET LOCAL client_min_messages = debug1")
        cursor.execute(statement)
        messages = "".join(dbapi.notices)
        cursor.close()
        conn.rollback()
    return messages


# --- ALM201 index-without-concurrently --------------------------------------------------------------------


def test_alm201_create_index_takes_share_lock(engine: Any) -> None:
    make_table(engine, "t201", index=False)
    with engine.connect() as conn:
        conn.begin()
        pid = backend_pid(conn)
        conn.execute(sa.text("CREATE INDEX ix_t201_a ON t201 (a)"))
        assert strongest(locks(engine, pid, "t201")) == "ShareLock"
        # SHARE blocks writers, not readers.
        assert probe(engine, "INSERT INTO t201 VALUES (100000, 1, 'x', 'y')") == "55P03"
        assert probe(engine, "SELECT count(*) FROM t201") is None
        conn.rollback()


def test_alm201_create_index_concurrently_takes_share_update_exclusive(engine: Any) -> None:
    make_table(engine, "t201c", index=False)
    with engine.connect() as writer, engine.connect().execution_options(isolation_level="AUTOCOMMIT") as builder:
        # An open writer makes the concurrent build wait, so its lock can be seen while it runs.
        writer.begin()
        writer.execute(sa.text("INSERT INTO t201c VALUES (100000, 1, 'x', 'y')"))
        pid = backend_pid(builder)
        build = Background(builder, "CREATE INDEX CONCURRENTLY ix_t201c_a ON t201c (a)")
        held = wait_until(lambda: locks(engine, pid, "t201c"))
        assert strongest(held) == "ShareUpdateExclusiveLock"
        # SHARE UPDATE EXCLUSIVE does not block writers.
        assert probe(engine, "INSERT INTO t201c VALUES (100001, 1, 'x', 'y')") is None
        writer.commit()
        assert build.join() is None
    with engine.connect() as conn:
        valid = conn.execute(
            sa.text("SELECT indisvalid FROM pg_index WHERE indexrelid = CAST('ix_t201c_a' AS regclass)")
        ).scalar()
    assert valid is True


# --- ALM202 foreign-key-validates-now ---------------------------------------------------------------------


def _fk_tables(engine: Any, child: str, parent: str) -> None:
    make_table(engine, parent, index=False)
    make_table(engine, child, index=False)


def test_alm202_add_foreign_key_share_row_exclusive_on_both_tables(engine: Any) -> None:
    _fk_tables(engine, "c202", "p202")
    seen = strongest_lock_held(
        engine,
        ["ALTER TABLE c202 ADD CONSTRAINT fk_c202_p202 FOREIGN KEY (a) REFERENCES p202 (id)"],
        ["c202", "p202"],
    )
    assert seen == {"c202": "ShareRowExclusiveLock", "p202": "ShareRowExclusiveLock"}


def test_alm202_not_valid_same_locks_then_validate_share_update_exclusive(engine: Any) -> None:
    _fk_tables(engine, "c202n", "p202n")
    seen = strongest_lock_held(
        engine,
        ["ALTER TABLE c202n ADD CONSTRAINT fk_c202n_p202n FOREIGN KEY (a) REFERENCES p202n (id) NOT VALID"],
        ["c202n", "p202n"],
    )
    assert seen == {"c202n": "ShareRowExclusiveLock", "p202n": "ShareRowExclusiveLock"}
    run(engine, "ALTER TABLE c202n ADD CONSTRAINT fk_c202n_p202n FOREIGN KEY (a) REFERENCES p202n (id) NOT VALID")
    seen = strongest_lock_held(engine, ["ALTER TABLE c202n VALIDATE CONSTRAINT fk_c202n_p202n"], ["c202n", "p202n"])
    assert seen == {"c202n": "ShareUpdateExclusiveLock", "p202n": "RowShareLock"}


def test_alm202_inline_references_on_new_column_takes_no_validation_scan(engine: Any) -> None:
    """`add_column(sa.Column(..., sa.ForeignKey(...)))`, which ALM202 does not report: nothing to validate."""
    _fk_tables(engine, "c202i", "p202i")
    statement = "ALTER TABLE c202i ADD COLUMN p_id int REFERENCES p202i (id)"
    seen = strongest_lock_held(engine, [statement], ["c202i", "p202i"])
    assert seen == {"c202i": "AccessExclusiveLock", "p202i": "ShareRowExclusiveLock"}
    assert "validating foreign key constraint" not in debug_messages(engine, statement)
    # The same check does see the scan of a plain ADD CONSTRAINT … FOREIGN KEY.
    named = "ALTER TABLE c202i ADD CONSTRAINT fk_c202i_a FOREIGN KEY (a) REFERENCES p202i (id)"
    assert 'validating foreign key constraint "fk_c202i_a"' in debug_messages(engine, named)


# --- ALM203 column-type-change ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "rewritten"),
    [
        ("ALTER COLUMN a TYPE bigint", True),
        ("ALTER COLUMN v TYPE varchar(100)", False),
        ("ALTER COLUMN v TYPE text", False),
        ("ALTER COLUMN v TYPE varchar(20)", True),
        ("ALTER COLUMN s TYPE varchar(50)", True),
        ("ALTER COLUMN n TYPE numeric(12, 2)", False),
        ("ALTER COLUMN n TYPE numeric(12, 4)", True),
        ("ALTER COLUMN u TYPE uuid USING u::uuid", True),
    ],
    ids=[
        "int-bigint",
        "varchar50-varchar100",
        "varchar50-text",
        "varchar50-varchar20",
        "text-varchar50",
        "numeric-precision",
        "numeric-scale",
        "varchar-uuid",
    ],
)
def test_alm203_type_change_rewrite(engine: Any, change: str, rewritten: bool) -> None:
    table = "t203_" + str(zlib.crc32(change.encode()))
    make_table(engine, table)
    assert strongest_lock_held(engine, [f"ALTER TABLE {table} {change}"], [table]) == {table: "AccessExclusiveLock"}
    assert rewrites(engine, table, f"ALTER TABLE {table} {change}") is rewritten


def test_alm203_unbounded_varchar_to_text_no_rewrite(engine: Any) -> None:
    run(
        engine,
        "CREATE TABLE t203u (id int, v varchar)",
        "INSERT INTO t203u SELECT g, 'v' || g FROM generate_series(1, 1000) g",
    )
    assert rewrites(engine, "t203u", "ALTER TABLE t203u ALTER COLUMN v TYPE text") is False


# --- ALM204 set-not-null ----------------------------------------------------------------------------------


def _set_not_null_debug(engine: Any, table: str) -> tuple[str | None, str]:
    """SET NOT NULL on A without committing, with DEBUG1 messages sent to the client: (lock, messages)."""
    with engine.connect() as conn:
        conn.begin()
        pid = backend_pid(conn)
        # psycopg2 collects non-error server messages in `notices`; SQLAlchemy's psycopg2 dialect empties that
        # list after each of its own executions, so run these two on a raw cursor in the same transaction.
        dbapi = conn.connection.dbapi_connection
        cursor = dbapi.cursor()
        cursor.execute("SET LOCAL client_min_messages = debug1")
        cursor.execute(f"ALTER TABLE {table} ALTER COLUMN a SET NOT NULL")
        messages = "".join(dbapi.notices)
        cursor.close()
        lock = strongest(locks(engine, pid, table))
        conn.rollback()
    return lock, messages


def test_alm204_set_not_null_access_exclusive_and_scans(engine: Any) -> None:
    make_table(engine, "t204")
    lock, messages = _set_not_null_debug(engine, "t204")
    assert lock == "AccessExclusiveLock"
    assert 'verifying table "t204"' in messages


def test_alm204_null_found_after_the_scan_fails_23502(engine: Any) -> None:
    make_table(engine, "t204n")
    run(engine, "UPDATE t204n SET a = NULL WHERE id = 1000")
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(sa.exc.IntegrityError) as failure:
            conn.execute(sa.text("ALTER TABLE t204n ALTER COLUMN a SET NOT NULL"))
        assert sqlstate(failure.value) == "23502"
        assert 'column "a" of relation "t204n" contains null values' in str(failure.value)
        conn.rollback()


def test_alm204_valid_check_skips_the_scan_but_not_the_lock(engine: Any) -> None:
    make_table(engine, "t204c")
    run(
        engine,
        "ALTER TABLE t204c ADD CONSTRAINT ck_t204c_a_not_null CHECK (a IS NOT NULL) NOT VALID",
        "ALTER TABLE t204c VALIDATE CONSTRAINT ck_t204c_a_not_null",
    )
    lock, messages = _set_not_null_debug(engine, "t204c")
    assert lock == "AccessExclusiveLock"
    assert 'existing constraints on column "t204c.a" are sufficient to prove that it does not contain nulls' in messages
    assert 'verifying table "t204c"' not in messages


# --- ALM205 rename / ALM206 drop-column-in-use ------------------------------------------------------------


def test_alm205_rename_column_old_name_fails_42703(engine: Any) -> None:
    make_table(engine, "t205")
    assert strongest_lock_held(engine, ["ALTER TABLE t205 RENAME COLUMN s TO s2"], ["t205"]) == {
        "t205": "AccessExclusiveLock"
    }
    assert rewrites(engine, "t205", "ALTER TABLE t205 RENAME COLUMN s TO s2") is False
    with engine.connect() as running_app, pytest.raises(sa.exc.ProgrammingError) as failure:
        running_app.execute(sa.text("SELECT id, s FROM t205 WHERE id = 1"))
    assert sqlstate(failure.value) == "42703"
    assert type(failure.value.orig).__name__ == "UndefinedColumn"


def test_alm205_rename_table_old_name_fails_42P01(engine: Any) -> None:
    make_table(engine, "t205t")
    run(engine, "ALTER TABLE t205t RENAME TO t205t_new")
    with engine.connect() as running_app, pytest.raises(sa.exc.ProgrammingError) as failure:
        running_app.execute(sa.text("SELECT id FROM t205t"))
    assert sqlstate(failure.value) == "42P01"
    assert type(failure.value.orig).__name__ == "UndefinedTable"


def test_alm206_drop_column_select_fails_42703(engine: Any) -> None:
    make_table(engine, "t206")
    assert strongest_lock_held(engine, ["ALTER TABLE t206 DROP COLUMN s"], ["t206"]) == {"t206": "AccessExclusiveLock"}
    assert rewrites(engine, "t206", "ALTER TABLE t206 DROP COLUMN s") is False
    with engine.connect() as running_app, pytest.raises(sa.exc.ProgrammingError) as failure:
        running_app.execute(sa.text("SELECT id, s FROM t206 WHERE id = 1"))
    assert sqlstate(failure.value) == "42703"
    assert type(failure.value.orig).__name__ == "UndefinedColumn"


def test_alm206_drop_table_select_fails_42P01(engine: Any) -> None:
    make_table(engine, "t206t")
    assert strongest_lock_held(engine, ["DROP TABLE t206t"], ["t206t"]) == {"t206t": "AccessExclusiveLock"}
    run(engine, "DROP TABLE t206t")
    with engine.connect() as running_app, pytest.raises(sa.exc.ProgrammingError) as failure:
        running_app.execute(sa.text("SELECT id FROM t206t"))
    assert sqlstate(failure.value) == "42P01"


# --- ALM207 unique-constraint-locks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "constraint"),
    [("t207u", "UNIQUE (a)"), ("t207p", "PRIMARY KEY (a)"), ("t207x", "EXCLUDE USING btree (a WITH =)")],
    ids=["unique", "primary-key", "exclude"],
)
def test_alm207_add_unique_primary_key_exclude_access_exclusive(engine: Any, table: str, constraint: str) -> None:
    run(
        engine,
        f"CREATE TABLE {table} (a int NOT NULL)",
        f"INSERT INTO {table} SELECT g FROM generate_series(1, 1000) g",
    )
    seen = strongest_lock_held(engine, [f"ALTER TABLE {table} ADD CONSTRAINT uq_{table} {constraint}"], [table])
    assert seen == {table: "AccessExclusiveLock"}


def test_alm207_unique_using_index_built_concurrently(engine: Any) -> None:
    make_table(engine, "t207i", index=False)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(sa.text("CREATE UNIQUE INDEX CONCURRENTLY ix_t207i_a ON t207i (a)"))
    statement = "ALTER TABLE t207i ADD CONSTRAINT uq_t207i_a UNIQUE USING INDEX ix_t207i_a"
    assert strongest_lock_held(engine, [statement], ["t207i"]) == {"t207i": "AccessExclusiveLock"}
    before = relfilenode(engine, "ix_t207i_a")
    run(engine, statement)
    with engine.connect() as conn:
        contype = conn.execute(sa.text("SELECT contype FROM pg_constraint WHERE conname = 'uq_t207i_a'")).scalar()
        # The index is adopted (renamed to the constraint), not rebuilt.
        adopted = conn.execute(sa.text("SELECT relfilenode FROM pg_class WHERE relname = 'uq_t207i_a'")).scalar()
    assert contype == "u"
    assert adopted == before


# --- ALM208 rewriting-add-column --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "rewritten"),
    [
        ("c uuid DEFAULT gen_random_uuid()", True),
        ("c double precision DEFAULT random()", True),
        ("c timestamptz DEFAULT clock_timestamp()", True),
        ("c text DEFAULT timeofday()", True),
        ("c int GENERATED ALWAYS AS (a * 2) STORED", True),
        ("c serial", True),
        ("c bigint GENERATED BY DEFAULT AS IDENTITY", True),
        ("c int DEFAULT 0", False),
        ("c int NOT NULL DEFAULT 0", False),
        ("c timestamptz DEFAULT now()", False),
        ("c timestamptz DEFAULT CURRENT_TIMESTAMP", False),
        ("c int", False),
    ],
    ids=[
        "gen_random_uuid",
        "random",
        "clock_timestamp",
        "timeofday",
        "generated-stored",
        "serial",
        "identity",
        "default-0",
        "not-null-default-0",
        "now",
        "current_timestamp",
        "no-default",
    ],
)
def test_alm208_add_column_rewrite(engine: Any, column: str, rewritten: bool) -> None:
    table = "t208_" + str(zlib.crc32(column.encode()))
    make_table(engine, table)
    seen = strongest_lock_held(engine, [f"ALTER TABLE {table} ADD COLUMN {column}"], [table])
    assert seen == {table: "AccessExclusiveLock"}
    assert rewrites(engine, table, f"ALTER TABLE {table} ADD COLUMN {column}") is rewritten


# --- ALM209 check-constraint-validates-now ----------------------------------------------------------------


def test_alm209_add_check_access_exclusive(engine: Any) -> None:
    make_table(engine, "t209")
    seen = strongest_lock_held(engine, ["ALTER TABLE t209 ADD CONSTRAINT ck_t209 CHECK (a > 0)"], ["t209"])
    assert seen == {"t209": "AccessExclusiveLock"}


def test_alm209_not_valid_then_validate_share_update_exclusive(engine: Any) -> None:
    make_table(engine, "t209n")
    seen = strongest_lock_held(engine, ["ALTER TABLE t209n ADD CONSTRAINT ck_t209n CHECK (a > 0) NOT VALID"], ["t209n"])
    assert seen == {"t209n": "AccessExclusiveLock"}  # brief: no scan under it
    run(engine, "ALTER TABLE t209n ADD CONSTRAINT ck_t209n CHECK (a > 0) NOT VALID")
    seen = strongest_lock_held(engine, ["ALTER TABLE t209n VALIDATE CONSTRAINT ck_t209n"], ["t209n"])
    assert seen == {"t209n": "ShareUpdateExclusiveLock"}


# --- ALM210 missing-lock-timeout --------------------------------------------------------------------------


def test_alm210_lock_timeout_fails_fast_55P03(engine: Any) -> None:
    make_table(engine, "t210")
    with engine.connect() as reader, engine.connect() as migration:
        reader.begin()
        reader.execute(sa.text("SELECT count(*) FROM t210"))  # AccessShareLock until the reader's commit
        migration.begin()
        migration.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
        with pytest.raises(sa.exc.OperationalError) as failure:
            migration.execute(sa.text("ALTER TABLE t210 ADD COLUMN c int"))
        # 55P03 is the lock_timeout's own error: the statement gave up instead of waiting for the reader (a
        # statement_timeout would be 57014, and without either the test would wait for the SAFETY net's 5 s).
        assert sqlstate(failure.value) == "55P03"
        assert "canceling statement due to lock timeout" in str(failure.value)
        migration.rollback()
        reader.rollback()


def test_alm210_waiting_alter_queues_later_selects(engine: Any) -> None:
    make_table(engine, "t210q")
    with engine.connect() as reader, engine.connect() as migration, engine.connect() as app:
        reader.begin()
        reader.execute(sa.text("SELECT count(*) FROM t210q"))
        migration.begin()
        migration.execute(sa.text("SET LOCAL lock_timeout = 0"))  # no lock_timeout: wait as long as it takes
        migration.execute(sa.text("SET LOCAL statement_timeout = '8s'"))  # the test's own hang guard
        migration_pid = backend_pid(migration)
        alter = Background(migration, "ALTER TABLE t210q ADD COLUMN c int")
        assert wait_until(lambda: locks(engine, migration_pid, "t210q", granted=False)) == {"AccessExclusiveLock"}

        app.begin()
        app.execute(sa.text("SET LOCAL statement_timeout = '1500ms'"))
        app_pid = backend_pid(app)
        select = Background(app, "SELECT count(*) FROM t210q")
        # The plain SELECT does not conflict with the reader's lock, yet it waits: behind the queued ALTER.
        assert wait_until(lambda: locks(engine, app_pid, "t210q", granted=False)) == {"AccessShareLock"}
        with engine.connect() as monitor:
            blockers = monitor.execute(sa.text("SELECT pg_blocking_pids(:pid)"), {"pid": app_pid}).scalar()
        assert blockers == [migration_pid]
        assert select.join() == "57014"
        app.rollback()

        reader.rollback()  # the ALTER now gets its lock and finishes
        assert alter.join() is None
        migration.rollback()


# --- ALM211 prefer-jsonb (a type premise, not a lock) --------------------------------------------------------


def test_alm211_json_has_no_equality_operator_42883(engine: Any) -> None:
    run(engine, "CREATE TABLE t211e (doc json, docb jsonb)", """INSERT INTO t211e VALUES ('{"a": 1}', '{"a": 1}')""")
    for statement, message in [
        ("SELECT doc = doc FROM t211e", "operator does not exist: json = json"),
        ("SELECT DISTINCT doc FROM t211e", "could not identify an equality operator for type json"),
    ]:
        with engine.connect() as conn:
            conn.begin()
            with pytest.raises(sa.exc.ProgrammingError) as failure:
                conn.execute(sa.text(statement))
            assert sqlstate(failure.value) == "42883"
            assert message in str(failure.value)
            conn.rollback()
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT docb = CAST('{ \"a\" : 1 }' AS jsonb) FROM t211e")).scalar() is True
        assert conn.execute(sa.text("SELECT count(DISTINCT docb) FROM t211e")).scalar() == 1


def test_alm211_json_has_no_gin_operator_class_42704(engine: Any) -> None:
    run(engine, "CREATE TABLE t211 (id int, doc json, docb jsonb)")
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(sa.exc.ProgrammingError) as failure:
            conn.execute(sa.text("CREATE INDEX ix_t211_doc ON t211 USING gin (doc)"))
        assert sqlstate(failure.value) == "42704"
        assert "data type json has no default operator class for access method" in str(failure.value)
        conn.rollback()
    run(engine, "CREATE INDEX ix_t211_docb ON t211 USING gin (docb)")


# --- ALM212 data-backfill-under-lock ----------------------------------------------------------------------


def test_alm212_backfill_after_ddl_holds_access_exclusive_until_commit(engine: Any) -> None:
    make_table(engine, "t212")
    with engine.connect() as migration:
        migration.begin()
        pid = backend_pid(migration)
        migration.execute(sa.text("ALTER TABLE t212 ADD COLUMN c int"))
        migration.execute(sa.text("UPDATE t212 SET c = a * 2"))
        assert strongest(locks(engine, pid, "t212")) == "AccessExclusiveLock"
        with engine.connect() as app:
            app.begin()
            app.execute(sa.text("SET LOCAL statement_timeout = '200ms'"))
            with pytest.raises(sa.exc.OperationalError) as failure:
                app.execute(sa.text("SELECT count(*) FROM t212"))
            assert sqlstate(failure.value) == "57014"
            assert "canceling statement due to statement timeout" in str(failure.value)
            app.rollback()
        migration.commit()
    assert probe(engine, "SELECT count(*) FROM t212") is None


def test_alm212_after_foreign_key_only_writers_wait(engine: Any) -> None:
    """A backfill after ADD FOREIGN KEY holds SHARE ROW EXCLUSIVE, not ACCESS EXCLUSIVE: reads go on."""
    _fk_tables(engine, "c212", "p212")
    with engine.connect() as migration:
        migration.begin()
        pid = backend_pid(migration)
        migration.execute(sa.text("ALTER TABLE c212 ADD CONSTRAINT fk_c212_p212 FOREIGN KEY (a) REFERENCES p212 (id)"))
        migration.execute(sa.text("UPDATE c212 SET s = 'x' WHERE id = 1"))
        assert strongest(locks(engine, pid, "c212")) == "ShareRowExclusiveLock"
        assert probe(engine, "SELECT count(*) FROM c212") is None
        assert probe(engine, "UPDATE c212 SET s = 'y' WHERE id = 2") == "55P03"
        migration.rollback()


# --- ALM015 not-null-column-without-default (PostgreSQL premise, facts §3e) -------------------------------


def test_alm015_add_not_null_column_without_default_fails_23502(engine: Any) -> None:
    make_table(engine, "t015")
    with engine.connect() as conn:
        conn.begin()
        with pytest.raises(sa.exc.IntegrityError) as failure:
            conn.execute(sa.text("ALTER TABLE t015 ADD COLUMN c int NOT NULL"))
        assert sqlstate(failure.value) == "23502"
        assert 'column "c" of relation "t015" contains null values' in str(failure.value)
        conn.rollback()


def test_alm015_add_not_null_column_with_server_default_succeeds(engine: Any) -> None:
    make_table(engine, "t015d")
    run(engine, "ALTER TABLE t015d ADD COLUMN c int NOT NULL DEFAULT 0")
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM t015d WHERE c = 0")).scalar() == 1000


def test_alm015_add_not_null_column_on_empty_table_succeeds(engine: Any) -> None:
    make_table(engine, "t015e", rows=0)
    run(engine, "ALTER TABLE t015e ADD COLUMN c int NOT NULL")


# --- ALM013 / ALM019: raised inside SQLAlchemy, before anything reaches the server ------------------------


def test_alm013_plain_string_execute_raises_object_not_executable(engine: Any) -> None:
    with engine.connect() as conn:
        with pytest.raises(sa.exc.ObjectNotExecutableError) as failure:
            conn.execute("SELECT 1")
        assert str(failure.value) == "Not an executable object: 'SELECT 1'"
        assert conn.execute(sa.text("SELECT 1")).scalar() == 1
        assert conn.exec_driver_sql("SELECT 1").scalar() == 1


def test_alm019_colon_name_is_a_bind_parameter(engine: Any) -> None:
    with engine.connect() as conn:
        with pytest.raises(sa.exc.StatementError) as failure:
            conn.execute(sa.text("SELECT ':foo'"))
        assert "A value is required for bind parameter 'foo'" in str(failure.value)
        assert isinstance(failure.value.orig, sa.exc.InvalidRequestError)
        conn.rollback()
        assert conn.execute(sa.text(r"SELECT '\:foo'")).scalar() == ":foo"
