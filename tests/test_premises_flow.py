"""The PostgreSQL behaviour the control-flow reading relies on, shown through Alembic on a real server (see
tests/postgres.py): after ``op.execute("COMMIT")`` the connection runs outside any transaction, so a failed
statement swallowed by a ``try`` poisons nothing (ALM007 is silent there), until a ``BEGIN`` opens one again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

sa = pytest.importorskip("sqlalchemy")
pytest.importorskip("psycopg2")
pytest.importorskip("alembic")

from alembic.migration import MigrationContext  # noqa: E402
from alembic.operations import Operations  # noqa: E402

from .postgres import engine_or_skip  # noqa: E402


@pytest.fixture(scope="module")
def engine() -> Iterator[object]:
    yield from engine_or_skip()


def _swallow_then_create(engine: object, table: str, between: tuple[str, ...]) -> None:
    """A migration that runs ``between`` (COMMIT, BEGIN…), swallows a failing ALTER, then creates ``table``."""
    with engine.connect() as conn:  # type: ignore[attr-defined]
        context = MigrationContext.configure(conn)
        op = Operations(context)
        with context.begin_transaction():
            for statement in between:
                op.execute(sa.text(statement))
            try:  # noqa: SIM105 - the pattern under test
                op.execute(sa.text("ALTER TABLE no_such_table ADD COLUMN x int"))
            except sa.exc.ProgrammingError:
                pass
            op.execute(sa.text(f"CREATE TABLE {table} (id int)"))


def _exists(engine: object, table: str) -> bool:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        return bool(conn.execute(sa.text("SELECT to_regclass(:t) IS NOT NULL"), {"t": table}).scalar())


@pytest.mark.parametrize("commit", ["COMMIT", "END"])
def test_alm007_after_commit_a_swallowed_error_aborts_nothing(engine: object, commit: str) -> None:
    table = f"after_{commit.lower()}"
    _swallow_then_create(engine, table, (commit,))
    assert _exists(engine, table)


def test_alm007_a_begin_after_the_commit_opens_a_transaction_again_25P02(engine: object) -> None:
    with pytest.raises(sa.exc.DBAPIError) as failure:
        _swallow_then_create(engine, "after_begin", ("COMMIT", "BEGIN"))
    assert getattr(failure.value.orig, "pgcode", None) == "25P02"
    assert not _exists(engine, "after_begin")


def test_alm007_connection_commit_begins_a_new_transaction_25P02(engine: object) -> None:
    """``connection.commit()`` is not a raw COMMIT: SQLAlchemy knows the transaction ended and begins a new one at
    the next statement, so a swallowed failure aborts that one (the walk does not count it as a commit)."""
    with pytest.raises(sa.exc.DBAPIError) as failure, engine.connect() as conn:  # type: ignore[attr-defined]
        context = MigrationContext.configure(conn)
        op = Operations(context)
        with context.begin_transaction():
            op.get_bind().commit()
            try:  # noqa: SIM105 - the pattern under test
                op.execute(sa.text("ALTER TABLE no_such_table ADD COLUMN x int"))
            except sa.exc.ProgrammingError:
                pass
            op.execute(sa.text("CREATE TABLE after_connection_commit (id int)"))
    assert getattr(failure.value.orig, "pgcode", None) == "25P02"
