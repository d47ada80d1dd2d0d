"""The command's entry point: hand a ``check`` to a running resident server (``flake8-alembic server start``), else
run it in this process.

This module is what every ``flake8-alembic`` call imports first, so it imports only what forwarding needs: no
argparse, no engine, not even ``json``, ``hashlib`` or the ``socket`` wrapper (each costs a pre-commit hook more
than the server's whole answer; ``_socket`` is the C module ``socket`` wraps). A forwarded run costs the
interpreter's start-up, one round trip and the server's work. Anything the server cannot answer exactly as this
process would (another command, standard input, ``--no-cache``, ``--no-server``, a server of other code, a broken
connection) runs here, as without a server.

The wire format: a request is NUL-separated fields (POSIX arguments, paths and environment entries cannot hold a
NUL): the protocol, the verb (``run``, ``status``, ``stop``), this interpreter and package (a server of another
copy declines), and for ``run`` the working folder, whether standard output and error are terminals, their
encodings and error handlers (``utf-8:strict``: the server encodes what it prints as this process would), the
number of arguments, the arguments and the environment's ``NAME=value`` entries. A reply is NUL-separated header
fields and a body: ``ran``, the exit code, then what the run printed, a record per write in the order it wrote
(``1`` for standard output or ``2`` for standard error, the length of its bytes, ``:``, the bytes); or
``declined`` and why; or ``status`` and ``name=value`` fields.
"""

from __future__ import annotations

import os
import stat
import sys
import zlib

TYPE_CHECKING = False  # ``typing`` costs more start-up (~7 ms) than a forwarded run's whole reply; mypy knows the name

try:
    import _socket as socket_module
except ImportError:  # pragma: no cover - an interpreter without the C module: the wrapper has the same calls
    import socket as socket_module  # type: ignore[no-redef]

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from typing import NoReturn, TextIO

PROTOCOL = b"flake8-alembic/1"
DEFAULT_IDLE_MINUTES = 30
CONNECT_TIMEOUT_SECONDS = 2.0
REPLY_TIMEOUT_SECONDS = 600.0
"""A server that has not answered after this long is stuck (a run of the whole tuning corpus takes seconds)."""
START_TIMEOUT_SECONDS = 20.0
OTHER_COMMANDS = ("rule", "baseline", "verify", "server", "--version", "-h", "--help")
NOT_FORWARDED = ("--no-cache", "--no-server", "--stdin-filename", "-", "-h", "--help", "--add-noqa")
"""Options a server does not take: they read standard input, write into files, print help, or ask for no cache
(the server's memory is one)."""
PACKAGE = os.path.dirname(os.path.abspath(__file__))


def socket_path(environ: Mapping[str, str] | None = None) -> str:
    """Where the server of this interpreter and this copy of the package listens: a folder only this user may
    enter (``$XDG_RUNTIME_DIR``, else ``$TMPDIR`` or ``/tmp``), a name from a checksum of the two paths (short: a
    Unix socket's path has a limit of about 100 bytes; two copies that collide are told apart by the request)."""
    environ = os.environ if environ is None else environ
    base = environ.get("XDG_RUNTIME_DIR") or environ.get("TMPDIR") or "/tmp"
    name = f"{zlib.crc32(b'/'.join(identity())):08x}"
    return os.path.join(base, f"flake8-alembic-{os.getuid()}", f"{name}.sock")


def identity() -> tuple[bytes, bytes]:
    """This interpreter and this copy of the package: a server answers only requests of its own."""
    return os.fsencode(sys.executable), os.fsencode(PACKAGE)


def wants_server(arguments: Sequence[str]) -> bool:
    """Whether these arguments are a ``check`` (named or implied) that a server may run."""
    if arguments and arguments[0] in OTHER_COMMANDS:
        return False
    return not any(
        argument in NOT_FORWARDED or argument.startswith(("--stdin-filename=", "--no-cache", "--no-server"))
        for argument in arguments
    )


def forward(arguments: Sequence[str]) -> int | None:
    """The exit code of the run a server made for ``arguments``, its output printed here; None when no server
    answered it (none runs, it declined, or the connection broke before a whole reply)."""
    if not hasattr(socket_module, "AF_UNIX") or not wants_server(arguments) or not _safe_folder(socket_path()):
        return None
    reply = exchange(run_request(arguments))
    ran = parse_ran(reply) if reply is not None else None
    if ran is None:
        return None
    code, printed = ran
    for number, data in printed:  # in the order the run printed them: output and errors may share one pipe
        stream = sys.stdout if number == 1 else sys.stderr
        buffer = getattr(stream, "buffer", None)
        if buffer is None:  # a stream of text only (a test's capture): what the server encoded is UTF-8 or ASCII
            stream.write(data.decode(stream.encoding or "utf-8", errors="replace"))
            continue
        stream.flush()
        buffer.write(data)
        buffer.flush()
    return code


def run_request(arguments: Sequence[str]) -> bytes:
    """A ``run`` request: what the server needs to run ``arguments`` as this process would (its folder, its whole
    environment: git and the settings read it, whether its output goes to a terminal)."""
    streams = (sys.stdout, sys.stderr)
    tty = b"".join(b"1" if stream.isatty() else b"0" for stream in streams)
    encodings = [f"{stream.encoding}:{stream.errors}".encode() for stream in streams]
    fields = [PROTOCOL, b"run", *identity(), os.fsencode(os.getcwd()), tty, *encodings, str(len(arguments)).encode()]
    fields += [os.fsencode(argument) for argument in arguments]
    fields += [os.fsencode(name) + b"=" + os.fsencode(value) for name, value in os.environ.items()]
    return b"\0".join(fields)


def verb_request(verb: bytes) -> bytes:
    """A ``status`` or ``stop`` request."""
    return b"\0".join((PROTOCOL, verb, *identity()))


def json_request(verb: bytes, payload: dict[str, object]) -> bytes:
    """A request whose fields after the identity are one JSON document (the flake8 plugin's: ``plugin._ask``;
    JSON escapes every control character, so the document holds no NUL)."""
    import json

    return b"\0".join((PROTOCOL, verb, *identity(), json.dumps(payload).encode()))


def server_may_run() -> bool:
    """Whether a server's socket is where this installation's would be, in a folder that is safe to use."""
    path = socket_path()
    return hasattr(socket_module, "AF_UNIX") and _safe_folder(path) and os.path.exists(path)


def parse_ran(reply: bytes) -> tuple[int, list[tuple[int, bytes]]] | None:
    """(exit code, what the run printed: (1 for standard output or 2 for standard error, bytes), in order) of a
    ``ran`` reply; None for any other reply, or one that is not whole."""
    parts = reply.split(b"\0", 2)
    if len(parts) != 3 or parts[0] != b"ran" or not parts[1].isdigit():
        return None
    printed: list[tuple[int, bytes]] = []
    body, at = parts[2], 0
    while at < len(body):
        colon = body.find(b":", at + 1)
        number, length = body[at : at + 1], body[at + 1 : colon]
        if colon < 0 or number not in (b"1", b"2") or not length.isdigit() or colon + 1 + int(length) > len(body):
            return None
        printed.append((int(number), body[colon + 1 : colon + 1 + int(length)]))
        at = colon + 1 + int(length)
    return int(parts[1]), printed


def parse_status(reply: bytes | None) -> dict[str, str] | None:
    """The ``name=value`` fields of a ``status`` reply; None for any other reply."""
    if reply is None:
        return None
    parts = reply.split(b"\0")
    if parts[0] != b"status":
        return None
    return dict(part.decode(errors="replace").partition("=")[::2] for part in parts[1:])


def exchange(message: bytes, path: str | None = None) -> bytes | None:
    """Send one request, read one reply; None when nothing listens, the connection breaks, or the server does not
    answer in time (stopped, or stuck: the command then runs the check itself)."""
    connection = socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_STREAM)
    try:
        connection.settimeout(CONNECT_TIMEOUT_SECONDS)
        connection.connect(path or socket_path())
        connection.sendall(message)
        connection.shutdown(socket_module.SHUT_WR)
        connection.settimeout(REPLY_TIMEOUT_SECONDS)
        chunks = []
        while chunk := connection.recv(1 << 16):
            chunks.append(chunk)
    except OSError:
        return None
    finally:
        connection.close()
    return b"".join(chunks) or None


def _safe_folder(path: str) -> bool:
    """The socket's folder is a folder, this user's and no one else's (a socket another user planted would see
    every request's environment)."""
    try:
        status = os.lstat(os.path.dirname(path))
    except OSError:
        return False
    return stat.S_ISDIR(status.st_mode) and status.st_uid == os.getuid() and status.st_mode & 0o077 == 0


# ---------------------------------------------------------------------------------------------- the command


def command(arguments: Sequence[str], out: TextIO) -> int:
    """``flake8-alembic server start [--idle-minutes N] | stop | status`` (the server itself: ``server``)."""
    import argparse
    import socket

    class OneLineParser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:  # one line, as every other mistake of the command
            print(f"flake8-alembic: error: server: {message}", file=sys.stderr)
            raise SystemExit(2)

    parser = OneLineParser(
        prog="flake8-alembic server", description="A resident process that runs check (see docs/server.md)."
    )
    parser.add_argument("action", choices=("start", "stop", "status"))
    parser.add_argument(
        "--idle-minutes",
        type=_minutes,
        default=DEFAULT_IDLE_MINUTES,
        help=f"exit after this long without a request (default: {DEFAULT_IDLE_MINUTES})",
    )
    try:
        options = parser.parse_args(arguments)
    except SystemExit as stop:  # --help, or a mistake already printed
        return stop.code if isinstance(stop.code, int) else 2
    if not hasattr(socket, "AF_UNIX"):
        print("flake8-alembic: error: the server needs Unix sockets, which this system lacks", file=sys.stderr)
        return 2
    path = socket_path()
    status = parse_status(exchange(verb_request(b"status"), path))
    if options.action == "status":
        if status is None:
            out.write("flake8-alembic server: not running\n")
            return 1
        out.write(f"flake8-alembic server: running, pid {status.get('pid')}, {status.get('requests')} requests\n")
        return 0
    if options.action == "stop":
        if status is None:
            out.write("flake8-alembic server: not running\n")
            return 0
        exchange(verb_request(b"stop"), path)
        out.write(f"flake8-alembic server: stopped pid {status.get('pid')}\n")
        return 0
    if status is not None:
        out.write(f"flake8-alembic server: already running, pid {status.get('pid')}\n")
        return 0
    return _start(path, options.idle_minutes, out)


def _minutes(value: str) -> float:
    import argparse

    try:
        minutes = float(value)
    except ValueError:
        minutes = 0
    if not 0 < minutes < 10**6:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(f"invalid value {value!r}: a number of minutes above 0")
    return minutes


def _start(path: str, idle_minutes: float, out: TextIO) -> int:
    """Start a detached server and wait until it answers."""
    import subprocess
    import time

    # The server must import this very copy of the package (a source checkout in the working folder shadows the
    # installed one for `python -m`, and the server runs from "/"): its folder goes first on its import path.
    imports = os.pathsep.join(filter(None, (os.path.dirname(PACKAGE), os.environ.get("PYTHONPATH"))))
    process = subprocess.Popen(
        [sys.executable, "-m", "flake8_alembic.server", "--idle-seconds", str(idle_minutes * 60)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        cwd="/",
        env={**os.environ, "PYTHONPATH": imports},
    )
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        status = parse_status(exchange(verb_request(b"status"), path))
        if status is not None:
            out.write(f"flake8-alembic server: started, pid {status.get('pid')}, socket {path}\n")
            return 0
        if process.poll() is not None:
            break
        time.sleep(0.05)
    print(f"flake8-alembic: error: the server did not start (socket {path})", file=sys.stderr)
    return 2
