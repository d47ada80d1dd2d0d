"""A throwaway MariaDB server for premise tests: mariadb-install-db + mariadbd in a temporary folder, unix socket only.

Set FLAKE8_ALEMBIC_MARIADB_URL to use an existing server instead. Without server binaries the tests are skipped
visibly, except under CI (CI=true), where a missing server is a failure (see `server_url_or_skip`).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

START_TIMEOUT = 60.0  # seconds until the socket must accept connections
STOP_TIMEOUT = 20.0  # seconds for a clean shutdown before SIGKILL


def _binary(*names: str) -> Path | None:
    """`mariadbd` lives in /usr/sbin, which is not on a normal user's PATH."""
    for name in names:
        found = shutil.which(name) or next(
            (str(Path(d) / name) for d in ("/usr/sbin", "/usr/bin") if (Path(d) / name).exists()), None
        )
        if found:
            return Path(found)
    return None


def _as_server_user(command: list[str]) -> list[str]:
    """mariadbd refuses to run as root without --user: run it as the `mysql` user the package creates."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "mysql", "--", *command]
    return command


def _wait_for_socket(socket: Path, process: subprocess.Popen[bytes], log: Path) -> None:
    import pymysql

    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise OSError(f"mariadbd exited with {process.returncode}: {_tail(log)}")
        if socket.exists():
            try:
                pymysql.connect(unix_socket=str(socket), user="root", connect_timeout=2).close()
                return
            except pymysql.err.OperationalError:
                pass
        if time.monotonic() > deadline:
            raise OSError(f"mariadbd did not accept connections within {START_TIMEOUT:.0f} s: {_tail(log)}")
        time.sleep(0.1)


def _tail(log: Path) -> str:
    try:
        return " | ".join(log.read_text(errors="replace").splitlines()[-5:])
    except OSError:
        return "(no log)"


def _stop(process: subprocess.Popen[bytes], pid_file: Path) -> None:
    """SIGTERM the server (its own pid from the pid file, else the process we started) and wait a bounded time;
    then SIGKILL. `runuser` waits for the server, so the process we started ends when the server does."""
    try:
        server_pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        server_pid = process.pid
    for sig, targets in ((signal.SIGTERM, {server_pid}), (signal.SIGKILL, {server_pid, process.pid})):
        for pid in targets:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)
        try:
            process.wait(timeout=STOP_TIMEOUT)
            return
        except subprocess.TimeoutExpired:
            continue


def throwaway_server() -> Iterator[str]:
    """Yield a SQLAlchemy URL for a fresh server with an empty `test` database; stop and remove it afterwards."""
    explicit = os.environ.get("FLAKE8_ALEMBIC_MARIADB_URL")
    if explicit:
        yield explicit
        return
    server = _binary("mariadbd", "mysqld")
    install = _binary("mariadb-install-db", "mysql_install_db")
    if server is None or install is None:
        raise FileNotFoundError("MariaDB server binaries (mariadbd, mariadb-install-db) not found")
    folder = Path(tempfile.mkdtemp(prefix="alm-my-"))
    data, socket, pid_file, log = folder / "data", folder / "sock", folder / "pid", folder / "log"
    if os.geteuid() == 0:
        shutil.chown(folder, "mysql")
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(install),
                    "--no-defaults",
                    f"--datadir={data}",
                    "--auth-root-authentication-method=normal",
                    "--skip-test-db",
                    "--skip-name-resolve",
                ]
            ),
            check=True,
            capture_output=True,
            timeout=START_TIMEOUT,
        )
        process = subprocess.Popen(
            _as_server_user(
                [
                    str(server),
                    "--no-defaults",
                    f"--datadir={data}",
                    f"--socket={socket}",
                    "--skip-networking",
                    f"--pid-file={pid_file}",
                    f"--log-error={log}",
                    "--innodb-buffer-pool-size=32M",
                    "--character-set-server=utf8mb4",
                    "--collation-server=utf8mb4_general_ci",
                ]
            ),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_socket(socket, process, log)
            import pymysql

            connection = pymysql.connect(unix_socket=str(socket), user="root", connect_timeout=2)
            with connection.cursor() as cursor:
                cursor.execute("CREATE DATABASE test")
            connection.close()
            yield f"mysql+pymysql://root@localhost/test?unix_socket={socket}"
        finally:
            _stop(process, pid_file)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
