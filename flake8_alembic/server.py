"""The resident process ``flake8-alembic server start`` leaves running (docs/server.md): it runs ``check`` for the
command (``client`` forwards it).

A ``check`` run in a fresh process pays for importing the engine and for reading back what earlier runs learnt
before it does any work; for a pre-commit hook on one changed migration, that is nearly all of it. The server is
the same ``check`` in a process that stays: each request runs ``cli.main`` in the caller's folder with the caller's
whole environment, and what it keeps between requests (``resident``) is keyed by content, never by path or time,
so a request sees exactly what a fresh process would.

What it does not trust: a request from another user (the socket sits in a folder only its user may enter, and the
peer's uid is checked where the system tells it), code that changed under it (every request compares the package's
files with what it started from; on a change it declines and exits, and the command runs in its own process).
It runs no project code (``check`` never does). It exits after ``--idle-minutes`` without a request.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import json
import os
import select
import signal
import socket
import struct
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .client import PACKAGE, PROTOCOL, identity, socket_path
from .resident import Resident

if TYPE_CHECKING:
    from .engine import ProjectCache

DEFAULT_IDLE_SECONDS = 30 * 60.0
MAX_REQUEST_BYTES = 64 << 20
COLLECT_AFTER_SECONDS = 2.0
COLLECT_EVERY_REQUESTS = 100
"""Idle this long after a request, the server collects the garbage cycles requests left (off the request path)."""
CONNECTION_TIMEOUT_SECONDS = 30.0
"""How long a caller may take to send its request or read the reply (a stuck caller must not hold the others)."""


class _Output(io.StringIO):
    """Standard output or error of one request, as the caller's terminal would see it; each write also goes to the
    request's ``log``, shared by both streams, so the caller replays them in the order they were written."""

    def __init__(self, number: int, tty: bool, log: list[tuple[int, str]]) -> None:
        super().__init__()
        self._number, self._tty, self._log = number, tty, log

    def isatty(self) -> bool:
        return self._tty

    def write(self, text: str) -> int:
        self._log.append((self._number, text))
        return super().write(text)


def code_stamp() -> tuple[tuple[str, int, int], ...]:
    """Every file of the package with its modification time and size: what a running server compares, on each
    request, with what it was started from (an upgrade or an edit of the linter stops it)."""
    stamp = []
    for folder, subfolders, names in os.walk(PACKAGE):
        subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
        for name in sorted(names):
            path = os.path.join(folder, name)
            try:
                status = os.stat(path)
            except OSError:
                continue
            stamp.append((path, status.st_mtime_ns, status.st_size))
    return tuple(stamp)


@dataclass
class Server:
    """One listening socket, the memory kept between requests, and the code it was started from."""

    path: str
    idle_seconds: float
    stamp: tuple[tuple[str, int, int], ...] = field(default_factory=code_stamp)
    resident: Resident = field(default_factory=Resident)
    requests: int = 0
    started: float = field(default_factory=time.time)
    stopping: bool = False
    since_collected: int = 0
    """Requests answered since the last garbage collection."""

    def serve(self) -> None:
        _import_the_engine()
        gc.freeze()
        listener = _listen(self.path)
        signal.signal(signal.SIGTERM, _terminate)
        untidy = False  # requests answered since the last garbage collection
        idle_until = time.monotonic() + self.idle_seconds
        try:
            while not self.stopping:
                wait = COLLECT_AFTER_SECONDS if untidy else max(0.0, idle_until - time.monotonic())
                ready, _, _ = select.select([listener], [], [], wait)
                if not ready and untidy:
                    _collect()
                    untidy, self.since_collected = False, 0
                    continue
                if not ready:
                    break  # idle for too long
                connection, _ = listener.accept()
                connection.settimeout(CONNECTION_TIMEOUT_SECONDS)
                with connection:
                    self._answer(connection)
                # What the request kept (its memory entries) is never scanned by the cyclic collector again until
                # the server is idle: a collection walks every object, and the memory holds hundreds of thousands.
                gc.freeze()
                untidy = True
                self.since_collected += 1
                if self.since_collected >= COLLECT_EVERY_REQUESTS:  # a steady stream of requests never idles
                    _collect()
                    self.since_collected = 0
                idle_until = time.monotonic() + self.idle_seconds
        finally:
            listener.close()
            _remove(self.path)

    def _answer(self, connection: socket.socket) -> None:
        if not _same_user(connection):
            return
        try:
            reply = self.handle(_receive(connection))
        except Exception as error:  # a bug of ours: the caller runs the check itself, the server stays up
            reply = _declined(f"internal error: {type(error).__name__}: {error}")
        try:
            connection.settimeout(CONNECTION_TIMEOUT_SECONDS)
            connection.sendall(reply)
        except OSError:
            return  # the caller went away (interrupted): nothing to answer

    def handle(self, message: bytes) -> bytes:
        """The reply to one request (see ``client`` for the format): a run's exit code and output, this server's
        status, or why it declines."""
        fields = message.split(b"\0")
        if len(fields) < 4 or fields[0] != PROTOCOL:
            return _declined("not a request of this version")
        if tuple(fields[2:4]) != identity():
            return _declined("a server of another interpreter or copy of flake8-alembic")
        verb = fields[1]
        if verb == b"stop":
            self.stopping = True
            return _status(pid=os.getpid())
        if verb == b"status":
            return _status(pid=os.getpid(), requests=self.requests, started=self.started, **self.resident.sizes())
        if code_stamp() != self.stamp:
            self.stopping = True
            return _declined("the linter's code changed since the server started")
        if verb in (b"flake8-setup", b"flake8-lint") and len(fields) == 5:
            self.requests += 1
            return self._flake8(verb, fields[4])
        request = _RunRequest.parse(fields[4:])
        if verb != b"run" or request is None:
            return _declined("not a request")
        if not _answerable(request.argv):
            return _declined("a run the calling process makes itself (standard input, --no-cache, --add-noqa…)")
        self.requests += 1
        return self._run(request)

    def _run(self, request: _RunRequest) -> bytes:
        from .cli import main

        log: list[tuple[int, str]] = []
        out, err = _Output(1, request.tty[0], log), _Output(2, request.tty[1], log)
        try:
            with _as_caller(request.cwd, request.environ, out, err):
                try:
                    code = main(request.argv, out, resident=self.resident)
                except SystemExit as stop:
                    code = stop.code if isinstance(stop.code, int) else 1
        except _CannotEnter:
            return _declined(f"cannot enter {request.cwd}")
        finally:
            self.resident.bound()
        return b"\0".join((b"ran", str(code).encode(), _records(log, request.encodings)))

    def _flake8(self, verb: bytes, payload: bytes) -> bytes:
        """The flake8 plugin's set-up (its configuration error and warnings) or one file's findings, as the plugin
        computes them in flake8's process (``plugin.Plugin``), with this server's memory."""
        request = json.loads(payload)
        cwd, environ, overrides = request.get("cwd"), request.get("env"), request.get("overrides")
        if not (isinstance(cwd, str) and isinstance(environ, dict) and isinstance(overrides, dict)):
            return _declined("not a request")
        log: list[tuple[int, str]] = []
        out, err = _Output(1, False, log), _Output(2, False, log)
        try:
            with _as_caller(cwd, {str(k): str(v) for k, v in environ.items()}, out, err):
                answer = self._plugin(verb, request, err)
        except _CannotEnter:
            return _declined(f"cannot enter {cwd}")
        finally:
            self.resident.bound()
        return b"flake8\0" + json.dumps(answer).encode()

    def _plugin(self, verb: bytes, request: dict[str, Any], err: io.StringIO) -> dict[str, object]:
        from .cache import SummaryStore, content_digest
        from .config import SETTINGS
        from .engine import ProjectCache
        from .project import roots_remembered
        from .reading import RunFiles, whole_file

        files = RunFiles(whole_file, (), self.resident.files, content_digest)
        cache = ProjectCache.for_run(SummaryStore(), self.resident, files)
        plain = request["overrides"]
        overrides = {spec.key: spec.parse(plain[spec.key]) for spec in SETTINGS if spec.key in plain}
        with roots_remembered():
            return self._plugin_run(verb, request, err, cache, overrides)

    def _plugin_run(
        self,
        verb: bytes,
        request: dict[str, Any],
        err: io.StringIO,
        cache: ProjectCache,
        overrides: dict[str, object],
    ) -> dict[str, object]:
        from .parse.module import parse_quietly
        from .plugin import Plugin

        selected = tuple(str(code) for code in request.get("selected") or ())
        args = [str(arg) for arg in request.get("args") or ()]
        error = Plugin.setup(overrides, selected, Path.cwd(), args, cache)
        if verb == b"flake8-setup":
            return {"error": error, "printed": err.getvalue()}
        if error is not None:  # the set-up request reported it; flake8 stopped there
            return {"findings": [[1, 0, f"ALM000 configuration error: {error}"]], "printed": ""}
        err.seek(0)
        err.truncate()  # the set-up's warnings were printed once, by the set-up request
        text, filename = str(request.get("text")), str(request.get("filename"))
        plugin = Plugin(parse_quietly(text, filename), filename, text.splitlines(keepends=True))
        return {"findings": [list(finding) for finding in plugin._findings()], "printed": err.getvalue()}


def _answerable(argv: list[str]) -> bool:
    """Whether the command line, as the command parses it (abbreviated options included: ``--stdin`` is
    ``--stdin-filename``), is a check a server answers; a command line that does not parse is (the error is the
    same line here)."""
    from .cli import COMMANDS, UsageError, build_parser

    arguments = argv if argv and argv[0] in COMMANDS else ["check", *argv]
    try:
        options = build_parser().parse_args(arguments)
    except (UsageError, SystemExit, Exception):
        return True
    return options.command == "check" and not (
        options.stdin_filename or options.no_cache or options.add_noqa or options.no_server or "-" in options.paths
    )


def _forget_process_caches() -> None:
    from .plugin import Plugin
    from .runcache import _forget_process_caches as forget

    forget()
    Plugin.cache, Plugin.configurations, Plugin.resolved = None, None, {}


class _CannotEnter(Exception):
    """The caller's working folder cannot be entered."""


@contextlib.contextmanager
def _as_caller(cwd: str, environ: dict[str, str], out: io.StringIO, err: io.StringIO) -> Iterator[None]:
    """Run as the caller would: in its folder, with its environment, printing into ``out`` and ``err``; this
    process's own are restored after."""
    saved_environ, saved_streams = dict(os.environ), (sys.stdout, sys.stderr)
    try:
        os.chdir(cwd)
    except OSError:
        raise _CannotEnter(cwd) from None
    os.environ.clear()
    os.environ.update(environ)
    sys.stdout, sys.stderr = out, err
    _forget_process_caches()  # memories of a process of its own (keyed by path and stat): not for the next caller
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved_streams
        os.environ.clear()
        os.environ.update(saved_environ)
        os.chdir("/")


@dataclass(frozen=True)
class _RunRequest:
    cwd: str
    tty: tuple[bool, bool]
    encodings: tuple[tuple[str, str], tuple[str, str]]
    argv: list[str]
    environ: dict[str, str]

    @classmethod
    def parse(cls, fields: list[bytes]) -> _RunRequest | None:
        """The fields after the protocol, verb and identity; None when they are not a run request."""
        if len(fields) < 5 or len(fields[1]) != 2 or not fields[4].isdigit():
            return None
        count = int(fields[4])
        if len(fields) < 5 + count:
            return None
        argv = [os.fsdecode(field) for field in fields[5 : 5 + count]]
        environ = dict(os.fsdecode(field).partition("=")[::2] for field in fields[5 + count :] if b"=" in field)
        encodings = tuple(_encoding(field) for field in fields[2:4])
        tty = (fields[1][:1] == b"1", fields[1][1:] == b"1")
        return cls(os.fsdecode(fields[0]), tty, encodings, argv, environ)  # type: ignore[arg-type]


def _records(log: list[tuple[int, str]], encodings: tuple[tuple[str, str], tuple[str, str]]) -> bytes:
    """What a run wrote, as the ``ran`` reply's records (``client``): consecutive writes to one stream joined."""
    merged: list[tuple[int, list[str]]] = []
    for number, text in log:
        if merged and merged[-1][0] == number:
            merged[-1][1].append(text)
        else:
            merged.append((number, [text]))
    records = []
    for number, texts in merged:
        data = _encoded("".join(texts), encodings[number - 1])
        records.append(b"%d%d:%s" % (number, len(data), data))
    return b"".join(records)


def _encoding(field: bytes) -> tuple[str, str]:
    name, _, errors = field.decode("ascii", errors="replace").partition(":")
    return name or "utf-8", errors or "strict"


def _encoded(text: str, encoding: tuple[str, str]) -> bytes:
    """Text as the caller's stream would write it (its encoding and error handler; a name this Python does not
    know, or text it cannot encode, falls back to UTF-8 with replacements rather than losing the output)."""
    try:
        return text.encode(*encoding)
    except (LookupError, UnicodeError):
        return text.encode("utf-8", errors="replace")


def _declined(why: str) -> bytes:
    return b"declined\0" + why.encode()


def _status(**fields: object) -> bytes:
    return b"\0".join((b"status", *(f"{name}={value}".encode() for name, value in fields.items())))


class _Terminated(BaseException):
    """SIGTERM: out of any wait or run (a run catches ``Exception`` and ``SystemExit``, not this), through the
    ``finally`` that removes the socket."""


def _terminate(*_: object) -> None:
    raise _Terminated


def _collect() -> None:
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def _import_the_engine() -> None:
    """Import what a run uses before the first request (a fresh process imports it on every run)."""
    from . import cli, engine, output, runcache, selection  # noqa: F401
    from .rules.registry import RULES, load

    for info in RULES:
        load(info)


def _listen(path: str) -> socket.socket:
    folder = os.path.dirname(path)
    os.makedirs(folder, mode=0o700, exist_ok=True)
    status = os.lstat(folder)
    if status.st_uid != os.getuid() or status.st_mode & 0o077:
        raise OSError(f"{folder} is not this user's alone")
    if os.path.exists(path):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(path)
            except OSError:
                _remove(path)  # a socket left by a server that was killed
            else:
                raise OSError(f"a server already listens on {path}")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(16)
    return listener


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _same_user(connection: socket.socket) -> bool:
    """The peer runs as this user (where the system says; elsewhere the socket folder's mode is the guard)."""
    option = getattr(socket, "SO_PEERCRED", None)
    if option is None:
        return True
    credentials = connection.getsockopt(socket.SOL_SOCKET, option, struct.calcsize("3i"))
    _, uid, _ = struct.unpack("3i", credentials)
    return bool(uid == os.getuid())


def _receive(connection: socket.socket) -> bytes:
    """The whole request, within ``CONNECTION_TIMEOUT_SECONDS`` in all (a caller that trickles bytes would hold every
    other caller)."""
    chunks, size = [], 0
    deadline = time.monotonic() + CONNECTION_TIMEOUT_SECONDS
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request took too long to arrive")
        connection.settimeout(left)
        chunk = connection.recv(1 << 16)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
        if size > MAX_REQUEST_BYTES:
            raise ValueError("request too large")
    return b"".join(chunks)


def _serve_main(arguments: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m flake8_alembic.server")
    parser.add_argument("--idle-seconds", type=float, default=DEFAULT_IDLE_SECONDS)
    options = parser.parse_args(arguments)
    with contextlib.suppress(_Terminated):
        Server(socket_path(), options.idle_seconds).serve()
    return 0


if __name__ == "__main__":
    sys.exit(_serve_main(sys.argv[1:]))
