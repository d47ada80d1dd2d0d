"""A throwaway PostgreSQL cluster for premise tests: initdb + pg_ctl in a temporary folder, unix socket only.

Set FLAKE8_ALEMBIC_PG_URL to use an existing server instead. Without server binaries the tests are skipped
visibly, except under CI (CI=true), where a missing server is a failure.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


def _bindir() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


def _as_server_user(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server as the unprivileged `postgres` user the package creates."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def throwaway_cluster() -> Iterator[str]:
    """Yield a SQLAlchemy URL for a fresh cluster; stop and remove it afterwards."""
    explicit = os.environ.get("FLAKE8_ALEMBIC_PG_URL")
    if explicit:
        yield explicit
        return
    bindir = _bindir()
    if bindir is None:
        raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
    folder = Path(tempfile.mkdtemp(prefix="alm-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        subprocess.run(
            _as_server_user([str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]),
            check=True,
            capture_output=True,
        )
        subprocess.run(
            _as_server_user(
                [
                    str(bindir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-o",
                    f"-k {folder} -h ''",
                    "-l",
                    str(folder / "log"),
                    "-w",
                    "start",
                ]
            ),
            check=True,
            capture_output=True,
        )
        try:
            yield f"postgresql+psycopg2://postgres@/postgres?host={folder}"
        finally:
            subprocess.run(
                _as_server_user([str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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
