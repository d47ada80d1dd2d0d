"""The migrations of one Alembic environment and their revision graph.

An environment is what ``alembic.ini`` (or ``[tool.alembic]``) configures: ``script_location`` and
``version_locations``, read statically. Without configuration it is the tree under the nearest ``versions`` folder,
where sibling subfolders that never reference each other are separate environments (one per dialect, as in
prefect) and subfolders that do are one (release folders, as in neutron). Environments are built once per
process and cached; the file being linted replaces its on-disk version.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Final

from .cache import content_digest
from .locations import Locations as Locations  # re-exported: it lives in the light ``locations`` module
from .locations import configured_locations as configured_locations
from .names import UNKNOWN, Literal, literal, revision_ids
from .parse.module import Migration, decode_source, looks_like_migration, parse_quietly
from .reading import FileReader, whole_file

MAX_FILES: Final = 50_000
MAX_DEPTH: Final = 12
_FIELDS: Final = ("revision", "down_revision", "branch_labels", "depends_on")
_FIELD_LINE: Final = re.compile(
    rb"^(revision|down_revision|branch_labels|depends_on)[ \t]*(?::[^=\n]*)?=[ \t]*", re.MULTILINE
)
_TOP_LEVEL: Final = re.compile(rb"^[^\s#)\]}]", re.MULTILINE)
_DEFINES_DOWNGRADE: Final = re.compile(rb"^(?:async[ \t]+)?def[ \t]+downgrade\w*[ \t]*\(", re.MULTILINE)


@dataclass(frozen=True)
class RevisionInfo:
    """What one file of an environment declares about its place in the graph."""

    path: str
    is_migration: bool
    revision: str | None = None
    """None when not a readable string."""
    down_revisions: tuple[str, ...] | None = ()
    """The parents; () for a base; None when not readable."""
    depends_on: tuple[str, ...] | None = ()
    labels: tuple[str, ...] = ()
    labelled: bool = False
    """Has branch labels, including labels written as code that cannot be read (still a label)."""
    lines: Mapping[str, int] = field(default_factory=dict)
    """The line of each revision field."""

    def line_of(self, name: str) -> int:
        return self.lines.get(name, self.lines.get("revision", 1))


def _info(path: str, values: Mapping[str, tuple[Literal, int]], is_migration: bool) -> RevisionInfo:
    revision = values.get("revision", (UNKNOWN, 1))[0]
    labels_value = values.get("branch_labels", (None, 0))[0]
    labels = revision_ids(labels_value)
    return RevisionInfo(
        path=path,
        is_migration=is_migration,
        revision=revision if isinstance(revision, str) else None,
        down_revisions=revision_ids(values.get("down_revision", (None, 0))[0]),
        depends_on=revision_ids(values.get("depends_on", (None, 0))[0]) or (),
        labels=labels or (),
        labelled=labels is None or bool(labels),
        lines={name: line for name, (_, line) in values.items()},
    )


def info_from_migration(migration: Migration) -> RevisionInfo:
    """The graph facts of a migration the engine has already parsed (the file being linted)."""
    values = {name: (field.value, field.line) for name, field in migration.fields.items()}
    return _info(os.path.abspath(migration.path), values, True)


def read_info(path: str, source: bytes) -> RevisionInfo:
    """The graph facts of a file, read without a full parse when its revision fields are plain literals."""
    if not looks_like_migration(source):
        return RevisionInfo(path, is_migration=False)
    values: dict[str, tuple[Literal, int]] = {}
    for match in _FIELD_LINE.finditer(source):
        name = match.group(1).decode()
        start = match.end()
        following = _TOP_LEVEL.search(source, start)
        end = following.start() if following else len(source)
        try:
            value: Literal = ast.literal_eval(source[start:end].decode("utf-8").strip())
        except (ValueError, SyntaxError, UnicodeDecodeError, TypeError, MemoryError, RecursionError):
            return _read_info_slowly(path, source)
        if not isinstance(value, (str, tuple, list, type(None))):
            return _read_info_slowly(path, source)
        values[name] = (tuple(value) if isinstance(value, list) else value, source.count(b"\n", 0, match.start()) + 1)
    if "revision" not in values or "down_revision" not in values:
        return _read_info_slowly(path, source)
    return _info(path, values, True)


def _read_info_slowly(path: str, source: bytes) -> RevisionInfo:
    """Revision fields written as code (names, constants, calls): read them as the engine does."""
    try:
        tree = parse_quietly(decode_source(source), path)
    except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
        return RevisionInfo(path, is_migration=False)
    constants: dict[str, Literal] = {}
    values: dict[str, tuple[Literal, int]] = {}
    has_upgrade = False
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            node.name == "upgrade" or node.name.startswith("upgrade_")
        ):
            has_upgrade = True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    value = literal(node.value, constants)
                    if target.id in _FIELDS:
                        values[target.id] = (value, node.lineno)
                    elif value is not UNKNOWN:
                        constants[target.id] = value
    if not has_upgrade or "revision" not in values or "down_revision" not in values:
        return RevisionInfo(path, is_migration=False)
    return _info(path, values, True)


# ---------------------------------------------------------------------------------------------- discovery


def version_files(locations: Locations) -> list[Path]:
    """The candidate version files, as Alembic picks them (no ``__init__.py``, no ``.#`` lock files)."""
    files: list[Path] = []
    seen: set[str] = set()
    for folder in locations.folders:
        for path, key in _walk(folder, locations.recursive):
            if key not in seen:
                seen.add(key)
                files.append(path)
            if len(files) >= MAX_FILES:
                return files
    return files


def _walk(folder: Path, recursive: bool) -> Iterator[tuple[Path, str]]:
    """Python files under a folder, each with its real path (the real folder's path and its name, unless the file
    is itself a link: one ``realpath`` per folder, not per file); symlink loops and runaway depth are cut off."""
    visited: set[str] = set()
    stack: list[tuple[Path, int]] = [(folder, 0)]
    while stack:
        current, depth = stack.pop()
        try:
            real = os.path.realpath(current)
            if real in visited:
                continue
            visited.add(real)
            entries = sorted(os.scandir(current), key=lambda entry: entry.name)
        except OSError:
            continue
        subfolders = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir():
                    if recursive and depth < MAX_DEPTH and name != "__pycache__" and not name.startswith("."):
                        subfolders.append((Path(entry.path), depth + 1))
                elif name.endswith(".py") and name != "__init__.py" and not name.startswith(".#") and entry.is_file():
                    # a FIFO or a socket named *.py is no version file: opening it would wait for a writer
                    yield (
                        Path(entry.path),
                        os.path.realpath(entry.path) if entry.is_symlink() else os.path.join(real, name),
                    )
            except OSError:
                continue
        stack.extend(reversed(subfolders))


# ---------------------------------------------------------------------------------------------- the graph


@dataclass
class Environment:
    """One Alembic environment: its files and revision graph."""

    files: tuple[RevisionInfo, ...]
    configured: bool
    by_revision: dict[str, list[RevisionInfo]] = field(default_factory=dict)
    labels: dict[str, RevisionInfo] = field(default_factory=dict)
    referenced: set[str] = field(default_factory=set)
    """Ids named by some ``down_revision``."""
    readable: bool = True
    """Every migration's revision and down_revision could be read."""
    paths: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for info in self.files:
            self.paths.add(info.path)
            if not info.is_migration:
                continue
            if info.revision is None or info.down_revisions is None:
                self.readable = False
            if info.revision is not None:
                self.by_revision.setdefault(info.revision, []).append(info)
            for label in info.labels:
                self.labels.setdefault(label, info)
            self.referenced.update(info.down_revisions or ())

    @property
    def migrations(self) -> list[RevisionInfo]:
        return [info for info in self.files if info.is_migration]

    def heads(self) -> list[str]:
        """Revisions no ``down_revision`` names (``depends_on`` does not count, as in Alembic's RevisionMap)."""
        return list(self._heads)

    @cached_property
    def _heads(self) -> tuple[str, ...]:
        return tuple(sorted(rev for rev in self.by_revision if rev not in self.referenced))

    def bases(self) -> list[str]:
        return sorted(rev for rev, infos in self.by_revision.items() if any(i.down_revisions == () for i in infos))

    def parents(self, revision: str, with_dependencies: bool = True) -> list[str]:
        found: list[str] = []
        for info in self.by_revision.get(revision, ()):
            found.extend(info.down_revisions or ())
            if with_dependencies:
                found.extend(self.resolve(dep) or dep for dep in info.depends_on or ())
        return found

    def resolve(self, name: str) -> str | None:
        """A revision id, or the revision a branch label names."""
        if name in self.by_revision:
            return name
        labelled = self.labels.get(name)
        return labelled.revision if labelled else None

    def ancestors(self, revision: str, with_dependencies: bool = True) -> set[str]:
        """Every revision reachable through down_revision (and depends_on), excluding ``revision`` itself."""
        seen: set[str] = set()
        stack = list(self.parents(revision, with_dependencies))
        while stack:
            current = stack.pop()
            if current in seen or current == revision:
                continue
            seen.add(current)
            stack.extend(self.parents(current, with_dependencies))
        return seen

    def unknown_references(self, info: RevisionInfo) -> list[tuple[str, str]]:
        """(field, id) for each down_revision/depends_on id no file of the environment defines."""
        missing = [("down_revision", rev) for rev in info.down_revisions or () if rev not in self.by_revision]
        missing += [("depends_on", dep) for dep in info.depends_on or () if self.resolve(dep) is None]
        return missing

    def cycles(self) -> list[set[str]]:
        """The revision cycles (strongly connected components with a loop), computed once."""
        return self._cycles

    @cached_property
    def _cycles(self) -> list[set[str]]:
        return self._find_cycles()

    def _find_cycles(self) -> list[set[str]]:
        """Tarjan's strongly connected components, iteratively (histories can be thousands deep)."""
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        on_stack: set[str] = set()
        stack: list[str] = []
        found: list[set[str]] = []
        counter = 0
        for start in sorted(self.by_revision):
            if start in index:
                continue
            work: list[tuple[str, Iterator[str]]] = [(start, iter(self.parents(start)))]
            index[start] = low[start] = counter
            counter += 1
            stack.append(start)
            on_stack.add(start)
            while work:
                node, children = work[-1]
                advanced = False
                for child in children:
                    if child not in self.by_revision:
                        continue
                    if child not in index:
                        index[child] = low[child] = counter
                        counter += 1
                        stack.append(child)
                        on_stack.add(child)
                        work.append((child, iter(self.parents(child))))
                        advanced = True
                        break
                    if child in on_stack:
                        low[node] = min(low[node], index[child])
                if advanced:
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    if len(component) > 1 or node in self.parents(node):
                        found.append(component)
        return found

    def unlabelled_heads(self) -> list[str]:
        """Heads not told apart by a branch label on their own line of descent, computed once."""
        return self._unlabelled

    @cached_property
    def _unlabelled(self) -> list[str]:
        return self._unlabelled_heads()

    def _unlabelled_heads(self) -> list[str]:
        heads = self.heads()
        if len(heads) < 2:
            return heads
        lineages = {head: self.ancestors(head, with_dependencies=False) | {head} for head in heads}
        shared = set.intersection(*lineages.values())
        unlabelled = []
        for head, lineage in lineages.items():
            own = lineage - shared
            if not any(info.labelled for rev in own for info in self.by_revision.get(rev, ())):
                unlabelled.append(head)
        return unlabelled


def components(infos: list[RevisionInfo], root: Path) -> list[list[RevisionInfo]]:
    """Split a versions tree into environments: subfolders whose revisions never reference each other's."""
    groups: dict[str, list[RevisionInfo]] = {}
    for info in infos:
        relative = Path(info.path).relative_to(root).parts
        groups.setdefault(relative[0] if len(relative) > 1 else "", []).append(info)
    defined: dict[str, set[str]] = {}
    for name, members in groups.items():
        for info in members:
            if info.revision:
                defined.setdefault(info.revision, set()).add(name)
            for label in info.labels:
                defined.setdefault(label, set()).add(name)
    parent = {name: name for name in groups}

    def find(name: str) -> str:
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for name, members in groups.items():
        for info in members:
            for reference in (*(info.down_revisions or ()), *(info.depends_on or ())):
                owners = defined.get(reference, set())
                if owners and name not in owners:
                    for owner in owners:
                        parent[find(owner)] = find(name)
    merged: dict[str, list[RevisionInfo]] = {}
    for name, members in groups.items():
        merged.setdefault(find(name), []).extend(members)
    return list(merged.values())


# ---------------------------------------------------------------------------------------------- the cache


@dataclass
class HistoryCache:
    """The explicit per-process cache of environments and of each file's graph facts."""

    infos: dict[str, RevisionInfo] = field(default_factory=dict)
    read: FileReader = whole_file
    """How each version file is read (a run cache journal notes what it reads)."""
    known_digest: Callable[[str], str | None] | None = None
    """A file's content digest without reading it, when a resident process knows it (``RunFiles``)."""
    by_content: dict[tuple[str, str], RevisionInfo] | None = None
    """(absolute path, content digest) → the file's graph facts, kept by a resident server across runs (None in a
    process of its own: nothing to hash for)."""
    built: dict[tuple[Locations, str], tuple[tuple[RevisionInfo, ...], list[Environment]]] | None = None
    """A resident server's last environments per version locations and root, with the graph facts they were built
    from: equal facts (an edit of a migration's body leaves its header alone) give the same environments."""
    environments: dict[tuple[str, ...], list[Environment]] = field(default_factory=dict)
    located: dict[str, tuple[Locations, Path] | None] = field(default_factory=dict)
    """The version locations of each folder's files (looking them up reads alembic.ini and stats the tree)."""
    builds: int = 0
    """How many environments were built (each exactly once per process)."""
    downgrade_counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    """Per ``versions`` tree: (migrations with a downgrade function, migrations), read as text once."""

    def versions_tree_downgrades(self, path: str) -> tuple[int, int]:
        """(with a downgrade, all) migrations under the nearest ``versions`` folder of ``path``; (0, 0) outside one.
        For files no environment holds (neutron's release folders are read by its own CLI, not alembic.ini)."""
        tree = next((folder for folder in Path(os.path.abspath(path)).parents if folder.name == "versions"), None)
        if tree is None:
            return (0, 0)
        key = str(tree)
        if key not in self.downgrade_counts:
            with_downgrade = total = 0
            for file in version_files(Locations((tree,), recursive=True, configured=False)):
                try:
                    source = file.read_bytes()
                except OSError:
                    continue
                if looks_like_migration(source):
                    total += 1
                    with_downgrade += _DEFINES_DOWNGRADE.search(source) is not None
            self.downgrade_counts[key] = (with_downgrade, total)
        return self.downgrade_counts[key]

    def environment_for(self, path: str, current: RevisionInfo | None = None) -> Environment | None:
        """The environment holding ``path``; None when the file is in no versions folder or configured location."""
        absolute = Path(os.path.abspath(path))
        folder = str(absolute.parent)
        if folder not in self.located:
            self.located[folder] = self.locate(absolute)
        located = self.located[folder]
        if located is None:
            return None
        locations, root = located
        key = (*(str(folder) for folder in locations.folders), f"recursive={locations.recursive}")
        if key not in self.environments:
            self.environments[key] = self._build(locations, root)
        for environment in self.environments[key]:
            if str(absolute) in environment.paths:
                return self._with_current(environment, current, absolute)
        if current is not None:  # a buffer not on disk yet (editor, stdin): join the folder's environment
            environments = self.environments[key]
            return self._with_current(environments[0], current, absolute) if environments else None
        return None

    @staticmethod
    def locate(path: Path) -> tuple[Locations, Path] | None:
        """The version locations holding ``path`` (configured, else its nearest ``versions`` folder)."""
        from .project import find_alembic_ini, find_project_root

        ini = find_alembic_ini(path.parent)
        root = find_project_root(path.parent)
        pyproject = root / "pyproject.toml"
        configured = configured_locations(ini, pyproject if pyproject.is_file() else None)
        if configured is not None:
            if any(_within(path, folder, configured.recursive) for folder in configured.folders):
                return configured, configured.folders[0]
            if any(_within(path, folder, True) for folder in configured.folders):
                return None  # a subfolder Alembic does not read (recursive_version_locations is off)
        for ancestor in path.parents:
            if ancestor.name == "versions":
                return Locations((ancestor,), recursive=True, configured=False), ancestor
        return None

    def _build(self, locations: Locations, root: Path) -> list[Environment]:
        infos = [self._info(path) for path in version_files(locations)]
        key = (locations, str(root))  # whether alembic.ini configures them too: it decides the grouping
        if self.built is not None and key in self.built and self.built[key][0] == tuple(infos):
            return self.built[key][1]
        environments = self._environments(infos, locations, root)
        if self.built is not None:
            self.built[key] = (tuple(infos), environments)
        return environments

    def _environments(self, infos: list[RevisionInfo], locations: Locations, root: Path) -> list[Environment]:
        self.builds += 1
        if locations.configured:
            return [Environment(tuple(infos), configured=True)]
        return [Environment(tuple(group), configured=False) for group in components(infos, root)]

    def _info(self, path: Path) -> RevisionInfo:
        key = str(path.absolute())
        cached = self.infos.get(key)
        if cached is None and self.by_content is not None and self.known_digest is not None:
            digest = self.known_digest(key)
            cached = self.by_content.get((key, digest)) if digest is not None else None
            if cached is not None:
                self.infos[key] = cached
        if cached is None:
            try:
                source = self.read(key)
            except OSError:
                source = b""
            if self.by_content is None:
                cached = self.infos[key] = read_info(key, source)
            else:
                content = (key, content_digest(source))
                cached = self.by_content.get(content)
                if cached is None:
                    cached = self.by_content[content] = read_info(key, source)
                self.infos[key] = cached
        return cached

    @staticmethod
    def _with_current(environment: Environment, current: RevisionInfo | None, path: Path) -> Environment:
        if current is None:
            return environment
        key = str(path)
        current = RevisionInfo(
            key,
            current.is_migration,
            current.revision,
            current.down_revisions,
            current.depends_on,
            current.labels,
            current.labelled,
            current.lines,
        )
        existing = next((info for info in environment.files if info.path == key), None)
        if existing == current:
            return environment
        files = (*(info for info in environment.files if info.path != key), current)
        return Environment(files, environment.configured)


def _within(path: Path, folder: Path, recursive: bool) -> bool:
    try:
        relative = path.relative_to(folder)
    except ValueError:
        return False
    return recursive or len(relative.parts) == 1
