"""Safe, bounded access to a project's files: regular files of reasonable size only, never a FIFO, never a symlink
resolved (a loop is just a file that cannot be read), text decoded tolerantly, TOML and ini parsed without
interpolation. Every function returns ``None`` or an empty value instead of raising.
"""

from __future__ import annotations

import ast
import configparser
import functools
import hashlib
import os
import stat
import sys
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11 only
    import tomli as tomllib

__all__ = [
    "MAX_BYTES",
    "FileReader",
    "RunFiles",
    "SeenFile",
    "absolute",
    "folders_upwards",
    "is_file",
    "list_dir",
    "load_ini",
    "load_toml",
    "parse_python",
    "read_bytes",
    "read_text",
    "scan_dir",
    "start_folder",
    "strings",
    "table",
    "whole_file",
]

MAX_BYTES = 16 * 1024 * 1024
"""A project file larger than this is not something we want to parse while linting."""


FileReader = Callable[[str], bytes]
"""How the engine reads a migration whole: ``whole_file``, or a run cache journal's reader, which notes each file's
content from the bytes read (its audit hook would otherwise open and hash every file a second time)."""


def whole_file(path: str) -> bytes:
    """A file's bytes; raises OSError."""
    with open(path, "rb") as handle:
        return handle.read()


RACY_SECONDS = 2.0
"""A file changed less than this long before it was read could change again within the same timestamp on a file
system with coarse ones (git's "racily clean" index entries): its stat is not trusted to stand for its content."""
_STAT = os.stat  # the real one: a run cache journal wraps ``os.stat`` while it records, and these stats are ours


@dataclass(frozen=True)
class SeenFile:
    """What a resident process read in a file: its stat signature then, its sha256 (the run cache journal's state)
    and its content digest (the memories' key)."""

    signature: tuple[int, ...]
    sha256: str
    digest: str
    trusted: bool
    """Read at least ``RACY_SECONDS`` after its last change: an unchanged signature means unchanged bytes."""


def _signature(status: os.stat_result) -> tuple[int, ...]:
    # ctime cannot be set back (restoring the mtime after an edit moves it), so a same-size edit with the mtime
    # restored still changes the signature.
    return (status.st_dev, status.st_ino, status.st_mode, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


class RunFiles:
    """A reader that reads each file once per run: the history, the summaries and discovery all want the same
    migrations' bytes. ``known``: what discovery read already.

    With ``seen`` (a resident process's record of the files it read, kept between runs), a file whose stat
    signature is what it was when it was read, long enough after its last change, is known by its digest without
    being read (``known_digest``); ``note`` then tells the run cache journal its sha256."""

    def __init__(
        self,
        read: FileReader,
        known: Iterable[tuple[str, bytes]] = (),
        seen: dict[str, SeenFile] | None = None,
        digest: Callable[[bytes], str] | None = None,
        note: Callable[[str, str], None] | None = None,
    ) -> None:
        self._read = read
        self._bytes = dict(known)
        self._seen = seen
        self._digest = digest
        self._note = note
        self._known: dict[str, str | None] = {}

    def __call__(self, path: str) -> bytes:
        data = self._bytes.get(path)
        if data is None:
            if self._seen is None or self._digest is None:
                data = self._bytes[path] = self._read(path)
            else:
                data = self._bytes[path] = self._read_and_remember(path, self._seen, self._digest)
        return data

    def _read_and_remember(self, path: str, seen: dict[str, SeenFile], digest: Callable[[bytes], str]) -> bytes:
        before = _STAT(path)
        data = self._read(path)
        try:
            after = _STAT(path)
        except OSError:
            return data
        if _signature(before) == _signature(after):
            changed = max(after.st_mtime_ns, after.st_ctime_ns) / 1e9
            trusted = time.time() - changed >= RACY_SECONDS
            seen[path] = SeenFile(_signature(after), hashlib.sha256(data).hexdigest(), digest(data), trusted)
        return data

    def known_digest(self, path: str) -> str | None:
        """The content digest of a file this process read before and that has not changed since (its signature
        holds, and it was not racily read); None when it must be read. Asked once per file and run."""
        if path not in self._known:
            self._known[path] = self._known_now(path)
        return self._known[path]

    def _known_now(self, path: str) -> str | None:
        seen = self._seen.get(path) if self._seen is not None else None
        if seen is None or not seen.trusted:
            return None
        try:
            status = _STAT(path)
        except OSError:
            return None
        if _signature(status) != seen.signature:
            return None
        if self._note is not None:
            self._note(path, seen.sha256)
        return seen.digest


def read_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file of reasonable size, else None (missing, loop, FIFO, permission…)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read(MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    return data if len(data) <= MAX_BYTES else None


def read_text(path: Path) -> str | None:
    """The text of a file; a BOM is dropped and bytes that are not UTF-8 become U+FFFD."""
    data = read_bytes(path)
    if data is None:
        return None
    return data.decode("utf-8-sig", errors="replace")


def is_file(path: Path) -> bool:
    return os.path.isfile(path)  # follows symlinks; False on a loop or any OSError/ValueError


def list_dir(folder: Path) -> list[os.DirEntry[str]]:
    """A folder's entries by name; none when it cannot be listed."""
    return sorted(scan_dir(folder), key=lambda entry: entry.name)


def scan_dir(folder: Path) -> list[os.DirEntry[str]]:
    """A folder's entries in the order the system gives them; none when it cannot be listed."""
    try:
        with os.scandir(folder) as entries:
            return list(entries)
    except (OSError, ValueError):
        return []


def absolute(path: Path) -> Path:
    """An absolute path without resolving symlinks (so no symlink loop can hang or raise)."""
    return Path(os.path.abspath(os.fspath(path)))


def start_folder(start: Path) -> Path:
    path = absolute(start)
    return path if os.path.isdir(path) else path.parent


def folders_upwards(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.parents


def load_toml(path: Path) -> dict[str, Any] | None:
    text = read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError):
        return None


def load_ini(path: Path) -> configparser.ConfigParser | None:
    text = read_text(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        return None
    return parser


def table(data: object, *keys: str) -> dict[str, Any]:
    """``data[k1][k2]…`` when every step is a table, else an empty dict."""
    current = data
    for key in keys:
        if not isinstance(current, dict):
            return {}
        current = current.get(key)
    return current if isinstance(current, dict) else {}


def strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


def parse_python(path: Path, max_bytes: int = MAX_BYTES) -> ast.Module | None:
    """The syntax tree of a Python file (never run); None when it is missing, larger than ``max_bytes`` or does not
    parse."""
    try:
        if os.stat(path).st_size > max_bytes:
            return None
    except (OSError, ValueError):
        return None
    source = read_bytes(path)
    if source is None:
        return None
    return _parsed(os.fspath(path), source)


@functools.lru_cache(maxsize=64)
def _parsed(path: str, source: bytes) -> ast.Module | None:
    """A pure function of the bytes: env.py is read by two facts of every run, and by every run of a resident
    server. Callers only read the tree (nothing in the package sets an attribute on a node)."""
    try:
        with warnings.catch_warnings():  # a project's own module: its warnings are not ours to print, once or often
            warnings.simplefilter("ignore")
            return ast.parse(source, filename=path)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
