"""``flake8-alembic check --show-settings``: every setting's resolved value, where it came from and, for an
inferred one, the evidence; the configuration file, the project root, the cache folder, and one block per Alembic
environment found (its version folders, revisions, heads, and what the project model reads for it: its databases,
downgrade policy, transaction mode, naming convention and how its schema is born, each with its evidence).

The text form reads as TOML with the sources as comments (each piece of evidence on a comment line of its own);
``--output-format json`` gives the same as JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from . import project
from .config import SETTINGS, Resolved
from .engine import ProjectCache, downgrade_policy, environment_dialects_of
from .facts.birth import schema_birth
from .facts.dialects import file_dialects
from .facts.environment import FORWARD_ONLY_MIN_HISTORY, EnvironmentFacts
from .facts.model import ProjectModel
from .facts.project import ProjectFacts
from .facts.records import Dialects
from .history import Environment, HistoryCache
from .parse.module import looks_like_migration
from .selection import Configurations


@dataclass
class Entry:
    """One setting or fact: its value, where it came from, and the evidence (file:line or a pin as written)."""

    key: str
    value: object
    source: str
    evidence: list[str] = field(default_factory=list)


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
    cache = ProjectCache()
    groups: dict[tuple[str | None, str], list[Path]] = {}
    for path in paths:
        resolved, _ = configurations.for_path(path)
        root = project.find_project_root(Path(os.path.abspath(path)))
        key = (str(resolved.config.path) if resolved.config else None, str(root))
        groups.setdefault(key, []).append(path)
    blocks = []
    for (_, root_folder), files in groups.items():
        resolved, _ = configurations.for_path(files[0])
        blocks.append(_project_block(files, Path(root_folder), resolved, excludes, cache))
    if configurations.overrides.get("output-format") == "json":
        out.write(json.dumps([_as_json(block) for block in blocks], indent=2, default=_jsonable) + "\n")
    else:
        out.write("\n\n".join(_as_text(block) for block in blocks) + "\n")
    return 0


def _project_block(
    files: list[Path], root: Path, resolved: Resolved, excludes: tuple[str, ...], cache: ProjectCache
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
    model = cache.models.setdefault(str(root), ProjectModel(root))
    for spec in SETTINGS:
        if spec.key in per_environment:
            continue
        origin = origins.get(spec.key, "default")
        if origin == "default":
            entries.append(_inferred(spec.key, getattr(settings, spec.attribute), model))
        else:
            entries.append(Entry(spec.key, getattr(settings, spec.attribute), origin))
    seen: set[int] = set()
    for path in files:
        if not _is_migration(path):
            continue
        assert cache.history is not None
        environment = cache.history.environment_for(str(path))
        if environment is None or id(environment) in seen:
            continue
        seen.add(id(environment))
        block.environments.append(_environment_block(environment, Path(os.path.abspath(path)), resolved, cache))
    return block


def _inferred(key: str, value: object, model: ProjectModel) -> Entry:
    """A setting left unset: the value the linter infers and the evidence, or its default."""
    root = model.root
    if key == "target-alembic-version":
        found = model.alembic_pin
        if found is None:
            return Entry(key, None, "inferred: no pin of alembic found at the project root (unknown)")
        version, source = found
        return Entry(key, ".".join(map(str, version)), f"inferred: alembic pinned in {source}")
    if key == "target-sqlalchemy-version":
        versions = model.sqlalchemy_versions
        if versions is None:
            why = "inferred: no pin of sqlalchemy found at the project root (unknown: taken as allowing 2.x)"
            return Entry(key, None, why)
        allows = "allows" if versions.allows_from((2,)) else "excludes"
        return Entry(
            key, versions.shown, f"inferred: the pins allow {versions.shown} ({allows} 2.x)", [versions.evidence]
        )
    if key == "application-import-names":
        names = sorted(model.application_names)
        return Entry(key, names, f"inferred: the packages and modules at the project root {root} (and its src/)")
    if key == "cache-dir":
        return Entry(key, str(root / ".flake8_alembic_cache"), "default: the project root's")
    if key == "cache":
        return Entry(key, True, "default")
    return Entry(key, value, "default")


def _environment_block(
    environment: Environment, path: Path, resolved: Resolved, cache: ProjectCache
) -> EnvironmentBlock:
    located = HistoryCache.locate(path)
    versions = [str(folder) for folder in located[0].folders] if located else [str(path.parent)]
    facts = cache.facts_for(str(path))
    ini = facts.ini
    configured_by = (
        (str(ini) if ini else "[tool.alembic]") if located and located[0].configured else "the nearest versions folder"
    )
    block = EnvironmentBlock(versions, configured_by, len(environment.by_revision), environment.heads())
    settings, origins = resolved.settings, resolved.origins
    assert cache.environments is not None
    environment_facts = cache.environments.for_environment(environment)
    if settings.target_dialects is not None:
        block.entries.append(Entry("target-dialects", sorted(settings.target_dialects), origins["target-dialects"]))
    else:
        found = environment_dialects_of(facts, environment_facts)
        block.entries.append(_dialects(file_dialects(None, found, str(path)), ini))
    if settings.downgrades is not None:
        block.entries.append(Entry("downgrades", settings.downgrades, origins["downgrades"]))
    else:
        block.entries.append(_downgrades(facts, environment_facts, cache, path))
    if settings.autocommit_connections is not None:
        value = settings.autocommit_connections
        block.entries.append(Entry("autocommit-connections", value, origins["autocommit-connections"]))
    else:
        block.entries.append(_autocommit(facts))
    block.entries += _model_facts(facts, environment_facts)
    return block


_DIALECT_SOURCES = {
    "folder": "inferred: the versions subfolder is named after the dialect",
    "evidence": "inferred: where the migrations run (alembic.ini, URLs env.py uses, service images, the dialects "
    "the migrations branch on, the databases the project's tests run them on)",
    "branches": "inferred: the dialects the migrations branch on or import, and PostgreSQL, the default (a branch's "
    "else runs somewhere; nothing else says where they run)",
    "branches-drivers": "inferred: the dialects the migrations branch on or import (SQLite only), and the servers "
    "the project ships drivers for (a branch that sets SQLite apart runs its else on them)",
    "mentions": "inferred: what the project mentions (URLs in the application, driver pins): nothing says where "
    "the migrations run",
    "tests": "inferred: PostgreSQL by default, with the databases the project's tests run its migrations on "
    "(nothing else says where they run)",
}


def _dialects(found: Dialects, ini: Path | None) -> Entry:
    evidence = [f"{clue.kind}: {clue.evidence}" for clue in found.clues]
    evidence += [f"outweighed {clue.kind}: {clue.evidence}" for clue in found.outweighed]
    if found.source in _DIALECT_SOURCES:
        return Entry("target-dialects", sorted(found.dialects), _DIALECT_SOURCES[found.source], evidence)
    why = "no sqlalchemy.url naming a database" + (f" in {ini}" if ini else " (no alembic.ini found)")
    why += ", and no URL, driver pin, service image or dialect branch naming one elsewhere"
    return Entry(
        "target-dialects",
        sorted(found.dialects),
        f"default ({why}); a file that imports a dialect or branches on one also runs there",
    )


def _downgrades(facts: ProjectFacts, environment: EnvironmentFacts, cache: ProjectCache, path: Path) -> Entry:
    template = facts.template_downgrades
    if template is not None:
        return Entry("downgrades", template.policy, "inferred: the revision template", [template.evidence])
    policy = downgrade_policy(facts, environment, cache.history, str(path))
    with_downgrade, total = environment.downgrade_counts
    scope = "migrations"
    if total < FORWARD_ONLY_MIN_HISTORY and cache.history is not None:  # too few: the versions tree decides
        with_downgrade, total = cache.history.versions_tree_downgrades(str(path))
        scope = "migrations of the versions tree"
    return Entry("downgrades", policy, f"inferred: {with_downgrade} of {total} {scope} define a downgrade()")


def _autocommit(facts: ProjectFacts) -> Entry:
    mode = facts.transaction
    if mode.autocommit is None:
        return Entry("autocommit-connections", None, "unknown: no env.py found or readable (ALM016 stays silent)")
    if mode.autocommit_evidence is not None:
        return Entry("autocommit-connections", True, "inferred: AUTOCOMMIT", [str(mode.autocommit_evidence)])
    where = str(facts.env_py.path) if facts.env_py is not None else "env.py"
    return Entry("autocommit-connections", False, f"inferred: {where} configures no AUTOCOMMIT connection")


def _model_facts(facts: ProjectFacts, environment: EnvironmentFacts) -> list[Entry]:
    """What the project model reads that is no setting: rules read these facts, and they are shown with their
    evidence."""
    mode = facts.transaction
    per_migration = [str(mode.per_migration_evidence)] if mode.per_migration_evidence else []
    entries = [
        Entry(
            "transaction-per-migration",
            mode.per_migration,
            "fact: env.py sets it" if per_migration else "fact: default (one transaction for the whole run)",
            per_migration,
        )
    ]
    convention = facts.naming_convention
    if convention is None:
        entries.append(Entry("naming-convention", None, "fact: no MetaData(naming_convention=...) found"))
    else:
        shown = {kind: template or "(not a literal)" for kind, template in convention.templates}
        why = "fact: read in full" if convention.complete else "fact: partly read (a spread or a computed key)"
        entries.append(Entry("naming-convention", shown, why, [str(convention.evidence)]))
    birth = schema_birth(facts.schema_birth, environment.schema_birth)
    evidence = [birth.evidence] if birth.evidence else []
    entries.append(Entry("schema-birth", "closed" if birth.closed else "open", f"fact: {birth.reason}", evidence))
    return entries


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


def _entry_lines(entry: Entry) -> list[str]:
    return [_line(entry.key, entry.value, entry.source), *(f"#   evidence: {item}" for item in entry.evidence)]


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
    lines += [line for entry in block.entries for line in _entry_lines(entry)]
    for environment in block.environments:
        lines += ["", "[[environment]]"]
        lines.append(_line("versions", environment.versions, f"configured by {environment.configured_by}"))
        lines.append(_line("revisions", environment.revisions, ""))
        lines.append(_line("heads", environment.heads, ""))
        lines += [line for entry in environment.entries for line in _entry_lines(entry)]
    if not block.environments:
        lines += ["", "# no Alembic environment found among these files"]
    return "\n".join(lines)


def _as_json(block: ProjectBlock) -> dict[str, object]:
    def entries(items: list[Entry]) -> dict[str, object]:
        return {
            entry.key: {"value": entry.value, "source": entry.source, "evidence": entry.evidence} for entry in items
        }

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
