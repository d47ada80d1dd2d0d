"""Safe, bounded access to a project's files: regular files of reasonable size only, never a FIFO, never a symlink
resolved (a loop is just a file that cannot be read), text decoded tolerantly, TOML and ini parsed without
interpolation. Every function returns ``None`` or an empty value instead of raising.
"""

from __future__ import annotations

import ast
import configparser
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
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
    "absolute",
    "folders_upwards",
    "is_file",
    "list_dir",
    "load_ini",
    "load_toml",
    "parse_python",
    "read_bytes",
    "read_text",
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


class RunFiles:
    """A reader that reads each file once per run: the history, the summaries and discovery all want the same
    migrations' bytes. ``known``: what discovery read already."""

    def __init__(self, read: FileReader, known: Iterable[tuple[str, bytes]] = ()) -> None:
        self._read = read
        self._bytes = dict(known)

    def __call__(self, path: str) -> bytes:
        data = self._bytes.get(path)
        if data is None:
            data = self._bytes[path] = self._read(path)
        return data


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
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
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
    try:
        return ast.parse(source, filename=os.fspath(path))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
