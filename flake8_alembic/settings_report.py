"""``flake8-alembic check --show-settings``: every setting's resolved value, where it came from and, for an
inferred one, the evidence; the configuration file, the project root, the cache folder, and one block per Alembic
environment found (its version folders, revisions, heads and the facts inferred for it).

The text form reads as TOML with the sources as comments; ``--output-format json`` gives the same as JSON.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import pins, project
from .config import SETTINGS, Resolved
from .engine import DEFAULT_DIALECTS, dialect_folder
from .history import Environment, HistoryCache
from .parse.module import looks_like_migration
from .selection import Configurations

_DEFINES_DOWNGRADE = re.compile(rb"^(?:async[ \t]+)?def[ \t]+downgrade\w*[ \t]*\(", re.MULTILINE)


@dataclass
class Entry:
    """One setting: its value and where it came from."""

    key: str
    value: object
    source: str


@dataclass
class EnvironmentBlock:
    versions: list[str]
    configured_by: str
    revisions: int
    heads: list[str]
    entries: list[Entry] = field(default_factory=list)


@dataclass
class ProjectBlock:
    files: int
    config: str | None
    root: str
    root_marker: str
    entries: list[Entry] = field(default_factory=list)
    environments: list[EnvironmentBlock] = field(default_factory=list)


def show_settings(
    out: TextIO, paths: Sequence[Path], configurations: Configurations, excludes: tuple[str, ...], cwd: Path
) -> int:
    history = HistoryCache()
    groups: dict[tuple[str | None, str], list[Path]] = {}
    for path in paths:
        resolved, _ = configurations.for_path(path)
        root = project.find_project_root(Path(os.path.abspath(path)))
        key = (str(resolved.config.path) if resolved.config else None, str(root))
        groups.setdefault(key, []).append(path)
    blocks = []
    for (_, root_folder), files in groups.items():
        resolved, _ = configurations.for_path(files[0])
        blocks.append(_project_block(files, Path(root_folder), resolved, excludes, history))
    if configurations.overrides.get("output-format") == "json":
        out.write(json.dumps([_as_json(block) for block in blocks], indent=2, default=_jsonable) + "\n")
    else:
        out.write("\n\n".join(_as_text(block) for block in blocks) + "\n")
    return 0


def _project_block(
    files: list[Path], root: Path, resolved: Resolved, excludes: tuple[str, ...], history: HistoryCache
) -> ProjectBlock:
    settings, origins = resolved.settings, resolved.origins
    config = str(resolved.config.path) if resolved.config else None
    block = ProjectBlock(len(files), config, str(root), _marker(root))
    entries = block.entries
    entries.append(Entry("select", list(resolved.select), origins.get("select", "default")))
    entries.append(Entry("ignore", list(resolved.ignore), origins.get("ignore", "default")))
    entries.append(
        Entry(
            "per-file-ignores",
            {f"{entry.pattern} (relative to {entry.base})": list(entry.codes) for entry in resolved.per_file_ignores},
            origins.get("per-file-ignores", "default"),
        )
    )
    entries.append(Entry("exclude", list(excludes), origins.get("exclude", "default")))
    entries.append(Entry("output-format", resolved.output_format, origins.get("output-format", "default")))
    entries.append(Entry("opt-in-rules", sorted(settings.opt_in), "the opt-in rules select names by code or family"))
    per_environment = {"target-dialects", "downgrades", "autocommit-connections"}
    for spec in SETTINGS:
        if spec.key in per_environment:
            continue
        value = getattr(settings, spec.attribute)
        origin = origins.get(spec.key, "default")
        if origin == "default":
            value, origin = _inferred(spec.key, value, root)
        entries.append(Entry(spec.key, value, origin))
    seen: set[int] = set()
    for path in files:
        if not _is_migration(path):
            continue
        environment = history.environment_for(str(path))
        if environment is None or id(environment) in seen:
            continue
        seen.add(id(environment))
        block.environments.append(_environment_block(environment, Path(os.path.abspath(path)), resolved))
    return block


def _inferred(key: str, value: object, root: Path) -> tuple[object, str]:
    """A setting left unset: the value the linter infers and the evidence, or its default."""
    if key == "target-alembic-version":
        found = pins.alembic_pin_source(root)
        if found is None:
            return None, "inferred: no pin of alembic found at the project root (unknown)"
        version, source = found
        return ".".join(map(str, version)), f"inferred: alembic pinned in {source}"
    if key == "application-import-names":
        names = sorted(project.application_packages(root))
        return names, f"inferred: the packages and modules at the project root {root} (and its src/)"
    if key == "cache-dir":
        return str(root / ".flake8_alembic_cache"), "default: the project root's"
    if key == "cache":
        return True, "default (true for the standalone command, false under flake8)"
    return value, "default"


def _environment_block(environment: Environment, path: Path, resolved: Resolved) -> EnvironmentBlock:
    located = HistoryCache.locate(path)
    versions = [str(folder) for folder in located[0].folders] if located else [str(path.parent)]
    ini = project.find_alembic_ini(path.parent)
    configured_by = (
        (str(ini) if ini else "[tool.alembic]") if located and located[0].configured else "the nearest versions folder"
    )
    block = EnvironmentBlock(versions, configured_by, len(environment.by_revision), environment.heads())
    settings, origins = resolved.settings, resolved.origins
    if settings.target_dialects is not None:
        block.entries.append(Entry("target-dialects", sorted(settings.target_dialects), origins["target-dialects"]))
    else:
        block.entries.append(_dialects(path, ini))
    if settings.downgrades is not None:
        block.entries.append(Entry("downgrades", settings.downgrades, origins["downgrades"]))
    else:
        block.entries.append(_downgrades(environment))
    if settings.autocommit_connections is not None:
        block.entries.append(
            Entry("autocommit-connections", settings.autocommit_connections, origins["autocommit-connections"])
        )
    else:
        env_py = project.env_py_for(path)
        autocommit = project.env_py_autocommit(env_py) if env_py else None
        evidence = (
            f"inferred: {env_py} {'configures' if autocommit else 'configures no'} AUTOCOMMIT connection"
            if env_py is not None and autocommit is not None
            else "unknown: no env.py found or readable (ALM016 stays silent)"
        )
        block.entries.append(Entry("autocommit-connections", autocommit, evidence))
    return block


def _dialects(path: Path, ini: Path | None) -> Entry:
    found = project.alembic_ini_dialects(ini) if ini else frozenset()
    if found:
        return Entry("target-dialects", sorted(found), f"inferred: sqlalchemy.url in {ini}")
    folder = dialect_folder(str(path))
    if folder:
        return Entry("target-dialects", sorted(folder), "inferred: the versions subfolder is named after the dialect")
    why = "no sqlalchemy.url naming a database" + (f" in {ini}" if ini else " (no alembic.ini found)")
    return Entry(
        "target-dialects",
        sorted(DEFAULT_DIALECTS),
        f"default ({why}); a file that imports a dialect or branches on one also runs there",
    )


def _downgrades(environment: Environment) -> Entry:
    total = with_downgrade = 0
    for info in environment.migrations:
        try:
            source = Path(info.path).read_bytes()
        except OSError:
            continue
        total += 1
        with_downgrade += _DEFINES_DOWNGRADE.search(source) is not None
    policy = "forward-only" if total >= 5 and with_downgrade * 10 <= total else "required"
    return Entry("downgrades", policy, f"inferred: {with_downgrade} of {total} migrations define a downgrade()")


def _is_migration(path: Path) -> bool:
    try:
        return looks_like_migration(path.read_bytes())
    except OSError:
        return False


def _marker(root: Path) -> str:
    names = [name for name in project.ROOT_FILE_MARKERS if (root / name).is_file()]
    if (root / ".git").exists():
        names.append(".git")
    info = project.dist_info(root)
    if info is not None:
        names.append(info.name)
    return ", ".join(names) or "no marker: the folder of alembic.ini or of the files"


def _toml(value: object) -> str:
    if value is None:
        return '""  # unset'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else list(value)
        return "[" + ", ".join(_toml(item) for item in items) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value))


def _line(key: str, value: object, source: str) -> str:
    left = f"{key} = {_toml(value)}"
    return f"{left:<52} # {source}" if source else left


def _as_text(block: ProjectBlock) -> str:
    lines = [
        f"# flake8-alembic settings for {block.files} file(s)",
        _line(
            "config",
            block.config or "",
            "the nearest [tool.flake8-alembic] above the files" if block.config else "none found: defaults",
        ),
        _line("project-root", block.root, f"holds {block.root_marker}"),
        "",
    ]
    lines += [_line(entry.key, entry.value, entry.source) for entry in block.entries]
    for environment in block.environments:
        lines += ["", "[[environment]]"]
        lines.append(_line("versions", environment.versions, f"configured by {environment.configured_by}"))
        lines.append(_line("revisions", environment.revisions, ""))
        lines.append(_line("heads", environment.heads, ""))
        lines += [_line(entry.key, entry.value, entry.source) for entry in environment.entries]
    if not block.environments:
        lines += ["", "# no Alembic environment found among these files"]
    return "\n".join(lines)


def _as_json(block: ProjectBlock) -> dict[str, object]:
    def entries(items: list[Entry]) -> dict[str, object]:
        return {entry.key: {"value": entry.value, "source": entry.source} for entry in items}

    return {
        "files": block.files,
        "config": block.config,
        "project_root": block.root,
        "project_root_marker": block.root_marker,
        "settings": entries(block.entries),
        "environments": [
            {
                "versions": environment.versions,
                "configured_by": environment.configured_by,
                "revisions": environment.revisions,
                "heads": environment.heads,
                "settings": entries(environment.entries),
            }
            for environment in block.environments
        ],
    }


def _jsonable(value: object) -> object:
    if isinstance(value, (set, frozenset, tuple)):
        return sorted(value) if isinstance(value, (set, frozenset)) else list(value)
    return str(value)
