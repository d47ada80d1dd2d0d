"""A throwaway PostgreSQL cluster for the tests: the package's own (`flake8_alembic.verify.postgres`, which
`verify --postgres` uses), wrapped so that a missing server skips visibly.

Set FLAKE8_ALEMBIC_PG_URL to use an existing server instead. Without server binaries the tests are skipped
visibly, except under CI (CI=true), where a missing server is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from flake8_alembic.verify.postgres import postgres_url


def throwaway_cluster() -> Iterator[str]:
    """Yield a SQLAlchemy URL for a fresh cluster (or FLAKE8_ALEMBIC_PG_URL); stop and remove it afterwards."""
    with postgres_url() as url:
        yield url


def server_url_or_skip(server: Callable[[], Iterator[str]] | None = None, name: str = "PostgreSQL") -> Iterator[str]:
    """The body of a module fixture: the URL of a throwaway server (by default a PostgreSQL cluster), stopped
    afterwards. Without server binaries the tests are skipped visibly, except under CI (CI=true), where that is a
    failure."""
    try:
        started = (server or throwaway_cluster)()
        url = next(started)
    except (FileNotFoundError, OSError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no {name} server: {error}")
    yield url
    next(started, None)


def engine_or_skip(options: str | None = None) -> Iterator[Any]:
    """The same, as a SQLAlchemy engine whose connections get ``options`` (``-c statement_timeout=…``)."""
    import sqlalchemy as sa

    for url in server_url_or_skip():
        engine = sa.create_engine(url, connect_args={"options": options} if options else {})
        yield engine
        engine.dispose()
