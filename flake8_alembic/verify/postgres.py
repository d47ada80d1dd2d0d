"""A throwaway PostgreSQL cluster: initdb + pg_ctl in a temporary folder, listening on a unix socket only.

``verify --postgres`` runs a history against it, and the test suite's premise tests use it too. It needs the
server binaries of a local PostgreSQL installation (``initdb``, ``pg_ctl``); nothing is downloaded. As root (CI
containers), the server runs as the unprivileged ``postgres`` user the distribution's package creates, because
``initdb`` refuses to run as root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

EXISTING_SERVER_VARIABLE = "FLAKE8_ALEMBIC_PG_URL"
"""Set to a server URL to use that server instead of starting a cluster (the test suite's escape hatch)."""


class PostgresUnavailable(FileNotFoundError):
    """No PostgreSQL server binaries on this machine."""


def server_binaries() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl``: on PATH, from ``pg_config``, else the newest Debian install."""
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
        if (Path(out) / "initdb").exists():
            return Path(out)
    except (OSError, subprocess.CalledProcessError):
        pass
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_major_version)
    return Path(candidates[-1]).parent if candidates else None


def _major_version(initdb: str) -> int:
    parts = Path(initdb).parts
    try:
        return int(parts[-3])
    except (ValueError, IndexError):
        return 0


def _as_server_user(command: list[str]) -> list[str]:
    """initdb refuses to run as root: run the server as the unprivileged `postgres` user the package creates."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def throwaway_cluster(driver: str = "psycopg2") -> Iterator[str]:
    """A SQLAlchemy URL of a fresh cluster (socket only, trust authentication); stopped and removed afterwards.

    Raises ``PostgresUnavailable`` without server binaries and ``subprocess.CalledProcessError`` (with the
    server's output) when the cluster cannot be started."""
    bindir = server_binaries()
    if bindir is None:
        raise PostgresUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    folder = Path(tempfile.mkdtemp(prefix="alm-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    try:
        initdb = [str(bindir / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres"]
        subprocess.run(_as_server_user(initdb), check=True, capture_output=True)
        # -h '': no TCP listener at all; the socket lives in the private temporary folder.
        start = [str(bindir / "pg_ctl"), "-D", str(data), "-o", f"-k {folder} -h ''", "-l", str(folder / "log")]
        subprocess.run(_as_server_user([*start, "-w", "start"]), check=True, capture_output=True)
        try:
            yield f"postgresql+{driver}://postgres@/postgres?host={folder}"
        finally:
            stop = [str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]
            subprocess.run(_as_server_user(stop), capture_output=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def postgres_url() -> Iterator[str]:
    """The server named by ``FLAKE8_ALEMBIC_PG_URL`` when set, else a throwaway cluster."""
    explicit = os.environ.get(EXISTING_SERVER_VARIABLE)
    if explicit:
        yield explicit
        return
    with throwaway_cluster() as url:
        yield url
