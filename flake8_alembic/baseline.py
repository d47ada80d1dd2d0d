"""``flake8-alembic baseline``: adopt the linter on an existing history by writing today's heads as
``baseline-revision`` into ``[tool.flake8-alembic]``: those revisions and their ancestors are read as history but
never reported, so only new migrations are.

The TOML file is edited as text (the standard library reads TOML but does not write it): the key's line is
replaced inside the table, or added after the table's header, or the table is appended; the result is read back
to check that it says what was meant.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from . import project
from .config import PYPROJECT_TABLE, ConfigError, ConfigFinder
from .files import DEFAULT_EXCLUDES, PathError, default_paths, discover
from .history import HistoryCache
from .parse.module import looks_like_migration

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11 only
    import tomli as tomllib

KEY = "baseline-revision"
_HEADER = re.compile(r"^\s*\[\s*tool\s*\.\s*(?:\"flake8-alembic\"|flake8-alembic)\s*\]\s*(?:#.*)?$")
_ANY_HEADER = re.compile(r"^\s*\[")
_KEY_LINE = re.compile(r"^\s*(?:baseline-revision|baseline_revision|\"baseline-revision\")\s*=")


def current_heads(cwd: Path, paths: Sequence[str]) -> list[str]:
    """The heads of every Alembic environment under ``paths`` (default: the project's environments)."""
    given = list(paths) or default_paths(cwd, DEFAULT_EXCLUDES)
    files, _ = discover(given, DEFAULT_EXCLUDES, False, cwd)
    history = HistoryCache()
    heads: list[str] = []
    seen: set[int] = set()
    for path in files:
        try:
            if not looks_like_migration(path.read_bytes()):
                continue
        except OSError:
            continue
        environment = history.environment_for(str(path))
        if environment is None or id(environment) in seen:
            continue
        seen.add(id(environment))
        heads.extend(head for head in environment.heads() if head not in heads)
    return heads


def target_file(cwd: Path, explicit: Path | None) -> Path:
    """The TOML file to write: ``--config``, else the configuration governing ``cwd``, else the project root's
    ``pyproject.toml`` (created when missing)."""
    if explicit is not None:
        return explicit
    found = ConfigFinder().for_folder(Path(os.path.abspath(cwd)))
    if found is not None:
        return found.path
    return project.find_project_root(cwd) / "pyproject.toml"


def with_key(text: str, heads: Sequence[str]) -> str:
    """``text`` with ``baseline-revision = [...]`` set in its ``[tool.flake8-alembic]`` table."""
    assignment = f"{KEY} = [{', '.join(_quoted(head) for head in heads)}]"
    lines = text.splitlines()
    start = next((index for index, line in enumerate(lines) if _HEADER.match(line)), None)
    if start is None:
        separator = "" if not text or text.endswith("\n\n") else "\n" if text.endswith("\n") else "\n\n"
        return f"{text}{separator}[tool.{PYPROJECT_TABLE}]\n{assignment}\n"
    end = next((index for index in range(start + 1, len(lines)) if _ANY_HEADER.match(lines[index])), len(lines))
    for index in range(start + 1, end):
        if _KEY_LINE.match(lines[index]):
            stop = index
            while stop < end - 1 and "]" not in lines[stop].split("#", 1)[0]:
                stop += 1  # a list written over several lines
            lines[index : stop + 1] = [assignment]
            break
    else:
        lines.insert(start + 1, assignment)
    return "\n".join(lines) + "\n"


def write_baseline(cwd: Path, paths: Sequence[str], explicit: Path | None) -> tuple[Path, list[str]]:
    """Write today's heads into the configuration; returns (file written, heads). Raises ConfigError/PathError."""
    heads = current_heads(cwd, paths)
    if not heads:
        raise PathError("no Alembic environment with revisions found: nothing to take as a baseline")
    target = target_file(cwd, explicit)
    try:
        text = target.read_text(encoding="utf-8") if target.exists() else ""
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{target}: cannot read: {error}") from None
    updated = with_key(text, heads)
    try:
        written = tomllib.loads(updated).get("tool", {}).get(PYPROJECT_TABLE, {}).get(KEY)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{target}: not valid TOML, left unchanged: {error}") from None
    if written != list(heads):
        raise ConfigError(f"{target}: could not set {KEY} safely; set it by hand: {KEY} = {list(heads)}")
    try:
        target.write_text(updated, encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{target}: cannot write: {error.strerror or error}") from None
    return target, heads


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
