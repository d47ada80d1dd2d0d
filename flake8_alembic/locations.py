"""Where an Alembic environment keeps its version files, as ``alembic.ini`` or ``[tool.alembic]`` configure them (read
statically). A module of its own, importing no parser: file discovery (``files.default_paths``) needs it on the
standalone command's cache-hit path, which must not import the history and the parse machinery."""

from __future__ import annotations

import configparser
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib


@dataclass(frozen=True)
class Locations:
    """Where an environment's version files are."""

    folders: tuple[Path, ...]
    recursive: bool
    configured: bool


def configured_locations(ini: Path | None, pyproject: Path | None) -> Locations | None:
    """``version_locations`` (or ``script_location``/versions) from alembic.ini or ``[tool.alembic]``."""
    if ini is not None:
        found = _ini_locations(ini)
        if found is not None:
            return found
    if pyproject is not None:
        return _pyproject_locations(pyproject)
    return None


def _ini_locations(ini: Path) -> Locations | None:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(ini.read_text(encoding="utf-8", errors="replace"))
    except (OSError, configparser.Error):
        return None
    if not parser.has_section("alembic"):
        return None
    section = parser["alembic"]
    here = str(ini.parent)

    def resolve(value: str) -> Path | None:
        value = value.strip().replace("%(here)s", here)
        if not value or (":" in value and not os.path.isabs(value) and not re.match(r"^[A-Za-z]:[\\/]", value)):
            return None  # a package resource ("myapp:migrations"): not statically resolvable
        path = Path(value)
        return path if path.is_absolute() else ini.parent / path

    recursive = section.get("recursive_version_locations", "false").strip().lower() in ("true", "1", "yes", "on")
    raw = section.get("version_locations")
    if raw:
        separator = section.get("path_separator", section.get("version_path_separator", "")).strip().lower()
        splitter = {"space": r"\s+", "newline": r"\n+", ":": ":", ";": ";", "os": re.escape(os.pathsep)}.get(
            separator, r"[\s,]+"
        )
        folders = [resolve(item) for item in re.split(splitter, raw) if item.strip()]
        if folders and all(folder is not None for folder in folders):
            return Locations(tuple(f for f in folders if f is not None), recursive, True)
        return None
    script = section.get("script_location")
    location = resolve(script) if script else None
    return Locations((location / "versions",), recursive, True) if location else None


def _pyproject_locations(pyproject: Path) -> Locations | None:
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    table = data.get("tool", {}).get("alembic") if isinstance(data.get("tool"), dict) else None
    if not isinstance(table, dict):
        return None
    here = str(pyproject.parent)
    recursive = bool(table.get("recursive_version_locations", False))
    locations = table.get("version_locations")
    if isinstance(locations, list) and locations:
        folders = [Path(str(item).replace("%(here)s", here)) for item in locations]
    elif isinstance(table.get("script_location"), str) and ":" not in table["script_location"]:
        folders = [Path(table["script_location"].replace("%(here)s", here)) / "versions"]
    else:
        return None
    resolved = tuple(folder if folder.is_absolute() else pyproject.parent / folder for folder in folders)
    return Locations(resolved, recursive, True)
