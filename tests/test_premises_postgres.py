"""The PostgreSQL behaviour the one-file rules' docs claim, shown on a real server (see tests/postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg2")

from .postgres import engine_or_skip  # noqa: E402


@pytest.fixture(scope="module")
def engine() -> Iterator[object]:
    yield from engine_or_skip()


def sqlstate(error: BaseException) -> str | None:
    return getattr(getattr(error, "orig", None), "pgcode", None)


def test_alm004_varchar_fk_to_uuid_fails_42804(engine: object) -> None:
    with engine.connect() as conn, conn.begin():  # type: ignore[attr-defined]
        conn.execute(sa.text("CREATE TABLE documents (id uuid PRIMARY KEY)"))
        with pytest.raises(sa.exc.ProgrammingError) as failure:
            conn.execute(
                sa.text(
                    "CREATE TABLE share_links (id varchar(36) PRIMARY KEY, "
                    "document_id varchar(36) REFERENCES documents (id))"
                )
            )
        assert sqlstate(failure.value) == "42804"
        assert "are of incompatible types" in str(failure.value)
        conn.rollback()


def test_alm004_silent_pairs_are_accepted(engine: object) -> None:
    """Pairs the rule does not report (integer → numeric, date → timestamp, varchar → text) are accepted."""
    with engine.connect() as conn, conn.begin():  # type: ignore[attr-defined]
        conn.execute(sa.text("CREATE TABLE p (n numeric PRIMARY KEY, t timestamp UNIQUE, s text UNIQUE)"))
        conn.execute(
            sa.text(
                "CREATE TABLE c (n integer REFERENCES p (n), t date REFERENCES p (t), s varchar(36) REFERENCES p (s))"
            )
        )
        conn.rollback()


def _failing_then_next(conn: object, protect: str) -> None:
    """The policy's try/except pattern, with the statement protected as `protect` says."""
    if protect == "none":
        try:  # noqa: SIM105 - the policy's own pattern, verbatim
            conn.execute(sa.text("ALTER TABLE admin_activities ALTER COLUMN amount DROP DEFAULT"))  # type: ignore[attr-defined]
        except sa.exc.ProgrammingError:
            pass
    elif protect == "savepoint-inside-try":
        try:
            with conn.begin_nested():  # type: ignore[attr-defined]
                conn.execute(sa.text("ALTER TABLE admin_activities ALTER COLUMN amount DROP DEFAULT"))  # type: ignore[attr-defined]
        except sa.exc.ProgrammingError:
            pass
    elif protect == "savepoint-enclosing-try":
        with conn.begin_nested():  # type: ignore[attr-defined]
            try:  # noqa: SIM105 - the policy's own pattern, verbatim
                conn.execute(sa.text("ALTER TABLE admin_activities ALTER COLUMN amount DROP DEFAULT"))  # type: ignore[attr-defined]
            except sa.exc.ProgrammingError:
                pass
    conn.execute(sa.text("CREATE TABLE after_the_error (id int)"))  # type: ignore[attr-defined]


@pytest.mark.parametrize("protect", ["none", "savepoint-enclosing-try"])
def test_alm007_swallowed_error_aborts_the_transaction_25P02(engine: object, protect: str) -> None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.begin()
        with pytest.raises(sa.exc.DBAPIError) as failure:
            _failing_then_next(conn, protect)
        assert sqlstate(failure.value) == "25P02"
        assert "current transaction is aborted" in str(failure.value)
        conn.rollback()


def test_alm007_savepoint_inside_the_try_keeps_the_transaction(engine: object) -> None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.begin()
        _failing_then_next(conn, "savepoint-inside-try")
        assert conn.execute(sa.text("SELECT count(*) FROM after_the_error")).scalar() == 0
        conn.rollback()


def test_alm016_concurrent_index_in_transaction_fails_25001(engine: object) -> None:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.begin()
        conn.execute(sa.text("CREATE TABLE orders (id int, status text)"))
        with pytest.raises(sa.exc.DBAPIError) as failure:
            conn.execute(sa.text("CREATE INDEX CONCURRENTLY ix_orders_status ON orders (status)"))
        assert sqlstate(failure.value) == "25001"
        conn.rollback()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:  # type: ignore[attr-defined]
        conn.execute(sa.text("CREATE TABLE orders2 (id int, status text)"))
        conn.execute(sa.text("CREATE INDEX CONCURRENTLY ix_orders2_status ON orders2 (status)"))
        conn.execute(sa.text("DROP TABLE orders2"))
