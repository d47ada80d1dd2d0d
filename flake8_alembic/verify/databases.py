"""The database a verify run uses: a SQLite file in a temporary folder (the default), a user's database given by
URL (refused when it holds anything, unless allowed), or a throwaway PostgreSQL cluster. Imports SQLAlchemy."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from .postgres import PostgresUnavailable, throwaway_cluster


class SetupError(Exception):
    """Verify cannot start: one line for the user, exit 2."""


@contextmanager
def database(url: str | None, postgres: bool, allow_non_empty: bool) -> Iterator[tuple[str, Any]]:
    """(URL, engine) of the database to verify on; temporary ones are removed afterwards."""
    if postgres:
        try:
            with throwaway_cluster() as cluster_url:
                yield cluster_url, _engine(cluster_url)
        except PostgresUnavailable as error:
            raise SetupError(f"--postgres: {error}; install PostgreSQL's server package") from None
        return
    if url:
        engine = _engine(url)
        objects = existing_objects(engine)
        if objects and not allow_non_empty:
            shown = ", ".join(objects[:5]) + (", …" if len(objects) > 5 else "")
            raise SetupError(
                f"--database-url: the database is not empty ({shown}); verify creates and drops tables there. "
                "Give an empty database, or --allow-non-empty if you mean it"
            )
        yield url, engine
        return
    folder = Path(tempfile.mkdtemp(prefix="flake8-alembic-verify-"))
    try:
        sqlite_url = file_url(folder / "verify.db")
        yield sqlite_url, _engine(sqlite_url)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def file_url(path: Path) -> str:
    """The URL of a SQLite file (built, not spelled: the linter reads URL literals in a project's code as evidence
    of its database, and this package is the application of the fixture histories that live in its repository)."""
    return str(sa.engine.URL.create("sqlite", database=str(path)))


def _engine(url: str) -> Any:
    try:
        return sa.create_engine(url, poolclass=NullPool)
    except Exception as error:  # a bad URL or a missing driver: SQLAlchemy's message says which
        raise SetupError(f"cannot use database URL: {error}") from None


def existing_objects(engine: Any) -> list[str]:
    """The tables and views of the database's default schema."""
    try:
        with engine.connect() as connection:
            inspector = sa.inspect(connection)
            return sorted(inspector.get_table_names()) + sorted(inspector.get_view_names())
    except Exception as error:  # cannot connect: say so before anything runs
        raise SetupError(f"cannot connect to the database: {' '.join(str(error).split())[:300]}") from None
