"""The packages and versions a project pins, read statically from its dependency declarations and lock files.

``pyproject.toml`` (PEP 621, Poetry, PDM, uv, dependency groups), ``requirements*.txt``, ``setup.cfg``, ``setup.py``
(read with ``ast``: literal lists only), ``Pipfile``, lock files (``poetry.lock``, ``uv.lock``, ``pdm.lock``,
``Pipfile.lock``) and an unpacked wheel's ``METADATA`` are read as text, TOML, ini, JSON or a syntax tree; nothing is
installed, imported or run. Every function tolerates missing or malformed files (it returns ``None`` or nothing,
never raises).

INTERFACE:

    def read_pins(root: Path) -> ProjectPins           # every declaration and lock entry, read once
    class ProjectPins: lowest(name), range_of(name), requirements(include_dev)
    class VersionRange: lowest, highest, highest_inclusive, evidence; allows_from(version)
    def alembic_pin(root: Path) -> tuple[int, ...] | None
    def alembic_pin_source(root: Path) -> tuple[tuple[int, ...], str] | None
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from . import project, reading

__all__ = [
    "Locked",
    "ProjectPins",
    "Requirement",
    "VersionRange",
    "alembic_pin",
    "alembic_pin_source",
    "normalise_distribution",
    "read_pins",
]

Version = tuple[int, ...]

# At most this many requirements files are read (root requirements*.txt + requirements/*.txt).
_MAX_REQUIREMENT_FILES = 32

_LOWER_BOUND_OPS = frozenset({"", "==", "===", "=", ">=", ">", "~=", "^", "~"})
_EXACT_OPS = frozenset({"", "==", "===", "="})
_SPEC_TOKEN_RE = re.compile(r"(~=|===|==|!=|<=|>=|<|>|\^|~|=)?\s*([^\s,|<>=!~^]+)")
_VERSION_RE = re.compile(r"[vV]?(?:\d+!)?(\d+(?:\.\d+)*)")
_REQUIREMENT_RE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?(.*)", re.DOTALL)
_INCLUDE_RE = re.compile(r"(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s*)(\S+)")
_COMMENT_RE = re.compile(r"(?:^|\s+)#.*$")
_EXTRA_MARKER_RE = re.compile(r"""extra\s*==\s*["']([^"']+)["']""")
_DEV_WORDS = frozenset(
    {"test", "tests", "testing", "dev", "develop", "development", "doc", "docs", "lint", "linting", "typing", "mypy"}
    | {"ci", "bench", "benchmark", "benchmarks", "style", "format", "check", "qa", "coverage", "tox"}
)
"""Words naming a dependency group, extra or requirements file that only developers install."""


# --------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One declared requirement, as written."""

    name: str
    """The distribution, normalised (``psycopg2-binary``, ``sqlalchemy``)."""
    extras: tuple[str, ...]
    spec: str
    """The version specifier (``>=1.4,<2.0``, Poetry's ``^1.4``); empty when none."""
    text: str
    path: str
    """The file that declares it."""
    section: str
    """Where in the file: the table, group or extra (empty for a requirements file)."""
    dev: bool
    """Declared for development only: a test, dev or docs group, extra or requirements file."""

    @property
    def where(self) -> str:
        return f"{self.path} {self.section}" if self.section else self.path


@dataclass(frozen=True)
class Locked:
    """A version a lock file records for a distribution."""

    name: str
    version: Version
    where: str


@dataclass(frozen=True)
class _Declarations:
    """One declaring source (``requirements*.txt`` may be several files) and its requirements."""

    requirements: tuple[Requirement, ...]


def _key(version: Version) -> Version:
    """A version without trailing zeros, so that 2 == 2.0 == 2.0.0 when versions are compared."""
    end = len(version)
    while end > 1 and version[end - 1] == 0:
        end -= 1
    return version[:end]


@dataclass(frozen=True)
class VersionRange:
    """The versions of a distribution a project allows: from ``lowest`` (None: no lower bound) up to ``highest``
    (None: no upper bound; ``highest_inclusive`` says whether ``highest`` itself is allowed), and what says so."""

    lowest: Version | None
    highest: Version | None
    highest_inclusive: bool
    evidence: str

    def allows_from(self, version: Version) -> bool:
        """Whether some allowed version is ``version`` or later (``allows_from((2,))``: may 2.x be installed?)."""
        if self.highest is None:
            return True
        if self.highest_inclusive:
            return _key(self.highest) >= _key(version)
        return _key(self.highest) > _key(version)

    @property
    def shown(self) -> str:
        """The range as a specifier: ``>=1.3.20, <2.0``."""
        parts = []
        if self.lowest is not None:
            parts.append(">=" + ".".join(map(str, self.lowest)))
        if self.highest is not None:
            parts.append(("<=" if self.highest_inclusive else "<") + ".".join(map(str, self.highest)))
        return ", ".join(parts) or "any"

    @classmethod
    def series(cls, version: Version, evidence: str) -> VersionRange:
        """The versions a configured ``1.4`` names: 1.4.x (``2`` names 2.x, ``1.4.52`` that release)."""
        return cls(version, _bump(version), False, evidence)


# --------------------------------------------------------------------------------------------------
# Version specifiers
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bounds:
    constrained: bool
    low: Version | None = None
    high: Version | None = None
    inclusive: bool = False


def normalise_distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name.strip()).lower()


def _version_tuple(text: str) -> Version | None:
    match = _VERSION_RE.match(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _bump(version: Version) -> Version:
    return (*version[:-1], version[-1] + 1)


def _caret_ceiling(version: Version) -> Version:
    """Poetry's ``^``: the first non-zero part may not change (``^1.4`` < 2, ``^0.9`` < 0.10, ``^0.0.3`` < 0.0.4)."""
    first = next((index for index, part in enumerate(version) if part), min(len(version) - 1, 1))
    return _bump(version[: first + 1])


def _ceiling(operator: str, word: str, version: Version) -> tuple[Version, bool] | None:
    """The upper bound (version, inclusive) one ``operator version`` term sets, if any."""
    if operator in _EXACT_OPS:
        return (_bump(version), False) if word.rstrip().endswith("*") else (version, True)
    if operator == "~=":
        return (_bump(version[:-1]), False) if len(version) >= 2 else None
    if operator == "^":
        return _caret_ceiling(version), False
    if operator == "~":
        return _bump(version[:2] if len(version) >= 2 else version), False
    if operator in ("<", "<="):
        return version, operator == "<="
    return None


def _clause_bounds(clause: str) -> _Bounds:
    """The bounds of one AND-clause such as ``>=1.11,<2`` or ``>=1.2 <1.5``."""
    lows: list[Version] = []
    highs: list[tuple[Version, bool]] = []
    constrained = False
    for match in _SPEC_TOKEN_RE.finditer(clause):
        operator, word = match.group(1) or "", match.group(2)
        version = _version_tuple(word)
        if version is None:  # "*", "latest", a marker fragment…
            continue
        constrained = True
        if operator in _LOWER_BOUND_OPS:
            lows.append(version)
        ceiling = _ceiling(operator, word, version)
        if ceiling is not None:
            highs.append(ceiling)
    # Several bounds in one clause all apply: the highest lower bound and the lowest upper bound.
    low = max(lows, key=_key) if lows else None
    high = min(highs, key=lambda item: (_key(item[0]), item[1])) if highs else None
    return _Bounds(constrained, low, high[0] if high else None, high[1] if high else False)


def _spec_bounds(spec: str) -> _Bounds:
    """The versions a specifier allows: ``==1.13.2``, ``>=1.11,<2``, ``~=1.12.0``, Poetry ``^1.12`` / ``~1.12`` /
    ``1.12``; Poetry alternatives (``^1.10 || ^1.12``) give the lowest low and the highest high. An alternative with
    no lower (upper) bound leaves the range without one."""
    alternatives = [bounds for part in re.split(r"\|\|?", spec) if (bounds := _clause_bounds(part)).constrained]
    if not alternatives:
        return _Bounds(False)
    lows = [bounds.low for bounds in alternatives]
    highs = [bounds for bounds in alternatives]
    low = None if any(item is None for item in lows) else min((item for item in lows if item), key=_key)
    high = None if any(item.high is None for item in highs) else max(highs, key=_high_key)
    return _Bounds(True, low, high.high if high else None, high.inclusive if high else False)


def _high_key(bounds: _Bounds) -> tuple[Version, bool]:
    return _key(bounds.high or ()), bounds.inclusive


def _spec_lower_bound(spec: str) -> Version | None:
    return _spec_bounds(spec).low


# --------------------------------------------------------------------------------------------------
# Declaring sources
# --------------------------------------------------------------------------------------------------


def _is_dev(name: str) -> bool:
    return any(word in _DEV_WORDS for word in re.split(r"[^a-z0-9]+", name.lower()))


def _parse_requirement(text: str, path: Path, section: str, dev: bool) -> Requirement | None:
    """A PEP 508 requirement (extras and markers allowed); None when it is not one. A direct URL reference carries
    no version to trust: its specifier is empty."""
    requirement, _, marker = text.partition(";")
    match = _REQUIREMENT_RE.fullmatch(requirement)
    if match is None:
        return None
    extras = tuple(extra.strip().lower() for extra in (match.group(2) or "").split(",") if extra.strip())
    rest = match.group(3).strip()
    if rest.startswith("@"):
        rest = ""
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    extra = _EXTRA_MARKER_RE.search(marker)
    dev = dev or (extra is not None and _is_dev(extra.group(1)))
    return Requirement(normalise_distribution(match.group(1)), extras, rest, text.strip(), str(path), section, dev)


def _requirement_list(values: object, path: Path, section: str, dev: bool) -> list[Requirement]:
    found = (_parse_requirement(text, path, section, dev) for text in reading.strings(values))
    return [requirement for requirement in found if requirement is not None]


def _dependency_table(dependencies: dict[str, object], path: Path, section: str, dev: bool) -> list[Requirement]:
    """A Poetry/Pipfile table: ``name = "^1.12"``, ``{version = "...", extras = [...]}`` or a list of tables."""
    found: list[Requirement] = []
    for name, value in dependencies.items():
        for item in value if isinstance(value, list) else [value]:
            spec = item.get("version") if isinstance(item, dict) else item
            extras = reading.strings(item.get("extras")) if isinstance(item, dict) else []
            spec = spec if isinstance(spec, str) else ""
            text = f"{name} = {spec!r}" if spec else name
            extra_names = tuple(extra.lower() for extra in extras)
            found.append(Requirement(normalise_distribution(name), extra_names, spec, text, str(path), section, dev))
    return found


def _pyproject(root: Path) -> list[Requirement]:
    path = root / "pyproject.toml"
    data = reading.load_toml(path)
    if data is None:
        return []
    found: list[Requirement] = []
    project_table = reading.table(data, "project")
    found += _requirement_list(project_table.get("dependencies"), path, "[project] dependencies", False)
    for extra, values in reading.table(project_table, "optional-dependencies").items():
        found += _requirement_list(values, path, f"[project.optional-dependencies] {extra}", _is_dev(extra))
    poetry = reading.table(data, "tool", "poetry")
    found += _dependency_table(reading.table(poetry, "dependencies"), path, "[tool.poetry.dependencies]", False)
    dev_table = reading.table(poetry, "dev-dependencies")
    found += _dependency_table(dev_table, path, "[tool.poetry.dev-dependencies]", True)
    for group, table in reading.table(poetry, "group").items():
        section = f"[tool.poetry.group.{group}.dependencies]"
        found += _dependency_table(reading.table(table, "dependencies"), path, section, _is_dev(group))
    for group, values in reading.table(data, "dependency-groups").items():  # {include-group = …} tables skipped
        found += _requirement_list(values, path, f"[dependency-groups] {group}", _is_dev(group))
    for group, values in reading.table(data, "tool", "pdm", "dev-dependencies").items():
        found += _requirement_list(values, path, f"[tool.pdm.dev-dependencies] {group}", True)
    uv_dev = reading.table(data, "tool", "uv").get("dev-dependencies")
    found += _requirement_list(uv_dev, path, "[tool.uv] dev-dependencies", True)
    return found


def _requirements_file(path: Path, follow_includes: bool, seen: set[str], dev: bool) -> list[Requirement]:
    key = os.path.normcase(os.path.abspath(path))
    if key in seen:
        return []
    seen.add(key)
    text = reading.read_text(path)
    if text is None:
        return []
    dev = dev or _is_dev(path.stem)
    found: list[Requirement] = []
    for raw_line in text.replace("\\\r\n", "").replace("\\\n", "").splitlines():
        line = _COMMENT_RE.sub("", raw_line).strip()
        if not line:
            continue
        if line.startswith("-"):
            include = _INCLUDE_RE.match(line)
            if include is not None and follow_includes:
                found += _requirements_file(path.parent / include.group(1), False, seen, dev)
            continue  # -e, --index-url, … carry no pin
        line = re.split(r"\s+--?[A-Za-z]", line, maxsplit=1)[0]  # trailing --hash=… options
        requirement = _parse_requirement(line, path, "", dev)
        if requirement is not None:
            found.append(requirement)
    return found


def _requirements_files(root: Path) -> list[Path]:
    files = [
        root / entry.name
        for entry in reading.list_dir(root)
        if entry.name.startswith("requirements") and entry.name.endswith(".txt")
    ]
    files.sort(key=lambda path: (path.name != "requirements.txt", path.name))
    folder = root / "requirements"
    files += [folder / entry.name for entry in reading.list_dir(folder) if entry.name.endswith(".txt")]
    return files[:_MAX_REQUIREMENT_FILES]


def _requirements(root: Path) -> list[Requirement]:
    seen: set[str] = set()
    found: list[Requirement] = []
    for path in _requirements_files(root):
        found += _requirements_file(path, True, seen, False)
    return found


def _setup_cfg(root: Path) -> list[Requirement]:
    path = root / "setup.cfg"
    parser = reading.load_ini(path)
    if parser is None:
        return []
    found: list[Requirement] = []
    if parser.has_section("options"):
        lines = parser.get("options", "install_requires", fallback="").splitlines()
        found += _requirement_list(lines, path, "[options] install_requires", False)
    if parser.has_section("options.extras_require"):
        for extra, value in parser.items("options.extras_require"):
            section = f"[options.extras_require] {extra}"
            found += _requirement_list(value.splitlines(), path, section, _is_dev(extra))
    return found


def _setup_py(root: Path) -> list[Requirement]:
    """``setup(install_requires=[...], extras_require={...})`` with literal lists (or names bound once to one)."""
    path = root / "setup.py"
    source = reading.read_bytes(path)
    if source is None or (b"install_requires" not in source and b"extras_require" not in source):
        return []
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    lists = _literal_names(tree)
    found: list[Requirement] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg == "install_requires":
                found += _requirement_list(_literal_list(keyword.value, lists), path, "install_requires", False)
            elif keyword.arg == "extras_require" and isinstance(keyword.value, ast.Dict):
                for key, value in zip(keyword.value.keys, keyword.value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        section = f"extras_require {key.value}"
                        found += _requirement_list(_literal_list(value, lists), path, section, _is_dev(key.value))
    return found


def _literal_names(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound once, to a list or tuple display."""
    bound: dict[str, list[ast.expr]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(statement.value)
    return {name: values[0] for name, values in bound.items() if len(values) == 1}


def _literal_list(node: ast.expr, names: dict[str, ast.expr]) -> list[str]:
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    if not isinstance(node, (ast.List, ast.Tuple)):
        return []
    return [item.value for item in node.elts if isinstance(item, ast.Constant) and isinstance(item.value, str)]


def _pipfile(root: Path) -> list[Requirement]:
    path = root / "Pipfile"
    data = reading.load_toml(path)
    found = _dependency_table(reading.table(data, "packages"), path, "[packages]", False)
    return found + _dependency_table(reading.table(data, "dev-packages"), path, "[dev-packages]", True)


def _metadata(root: Path) -> list[Requirement]:
    """``Requires-Dist`` lines of an unpacked wheel's ``METADATA`` (extras and markers included)."""
    info = project.dist_info(root)
    if info is None:
        return []
    path = info / "METADATA"
    text = reading.read_text(path)
    if text is None:
        return []
    headers = text.split("\n\n", 1)[0]  # the body after the first blank line is the long description
    requirements = [line.split(":", 1)[1].strip() for line in headers.splitlines() if line.startswith("Requires-Dist:")]
    return _requirement_list(requirements, path, "Requires-Dist", False)


# --------------------------------------------------------------------------------------------------
# Lock files
# --------------------------------------------------------------------------------------------------


def _toml_lock(path: Path) -> list[Locked]:
    """``[[package]] name = "…" version = "…"`` entries of poetry.lock / uv.lock / pdm.lock."""
    data = reading.load_toml(path)
    packages = data.get("package") if data is not None else None
    if not isinstance(packages, list):
        return []
    found: list[Locked] = []
    for package in packages:
        if not isinstance(package, dict) or not isinstance(package.get("name"), str):
            continue
        text = package.get("version")
        version = _version_tuple(text) if isinstance(text, str) else None
        if version is not None:
            found.append(Locked(normalise_distribution(package["name"]), version, str(path)))
    return found


def _pipfile_lock(path: Path) -> list[Locked]:
    text = reading.read_text(path)
    if text is None:
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    found: list[Locked] = []
    for section in ("default", "develop"):
        for name, info in reading.table(data, section).items():
            if isinstance(info, dict) and isinstance(info.get("version"), str):
                version = _spec_lower_bound(info["version"])
                if version is not None:
                    found.append(Locked(normalise_distribution(name), version, str(path)))
    return found


# --------------------------------------------------------------------------------------------------
# The project's pins
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectPins:
    """Every declaring source of a project (in the order that decides) and every lock entry."""

    declared: tuple[_Declarations, ...]
    locked: tuple[Locked, ...]

    def lowest(self, name: str) -> tuple[Version, str] | None:
        """The lowest version of ``name`` the project allows and the file that says so (see ``read_pins``)."""
        locked = [(entry.version, entry.where) for entry in self.locked if entry.name == name]
        if locked:
            return min(locked, key=lambda item: (_key(item[0]), item[1]))
        for source in self.declared:
            lows = [(low, r.path) for r in source.requirements if r.name == name if (low := _spec_lower_bound(r.spec))]
            if lows:
                return min(lows, key=lambda item: _key(item[0]))
        return None

    def range_of(self, name: str) -> VersionRange | None:
        """The versions of ``name`` the project allows: what the lock files hold, else the first source that
        constrains it (lowest low, highest high of its requirements); None when nothing does."""
        locked = [entry for entry in self.locked if entry.name == name]
        if locked:
            versions = sorted((entry.version for entry in locked), key=_key)
            where = ", ".join(sorted({entry.where for entry in locked}))
            shown = ", ".join(".".join(map(str, version)) for version in versions)
            return VersionRange(versions[0], versions[-1], True, f"{name} {shown} locked in {where}")
        for source in self.declared:
            constrained = [
                (r, bounds)
                for r in source.requirements
                if r.name == name
                if (bounds := _spec_bounds(r.spec)).constrained
            ]
            if constrained:
                return _declared_range(constrained)
        return None

    def requirements(self, include_dev: bool = True) -> Iterator[Requirement]:
        """Every declared requirement (those only developers install left out unless ``include_dev``)."""
        for source in self.declared:
            yield from (r for r in source.requirements if include_dev or not r.dev)


def _declared_range(constrained: list[tuple[Requirement, _Bounds]]) -> VersionRange:
    lows = [bounds.low for _, bounds in constrained]
    low = None if any(item is None for item in lows) else min((item for item in lows if item), key=_key)
    bounds = [item for _, item in constrained]
    high = None if any(item.high is None for item in bounds) else max(bounds, key=_high_key)
    evidence = "; ".join(f"{requirement.text} ({requirement.where})" for requirement, _ in constrained)
    return VersionRange(low, high.high if high else None, high.inclusive if high else False, evidence)


def read_pins(root: Path) -> ProjectPins:
    """Every pin of the project at ``root``.

    A lock file (``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``Pipfile.lock``) records what is installed and wins
    over every declared range. Otherwise the first declaring source in this order gives the answer:
    ``pyproject.toml`` (``[project]`` dependencies and optional dependencies, Poetry dependencies and groups,
    ``[dependency-groups]``), ``requirements*.txt`` and ``requirements/*.txt`` (``-r``/``-c`` followed one level),
    ``setup.cfg`` (``install_requires``/``extras_require``), ``setup.py`` (literal lists), ``Pipfile``, an unpacked
    wheel's ``*.dist-info/METADATA`` (``Requires-Dist``)."""
    base = reading.absolute(root)
    locked: list[Locked] = []
    for name in ("poetry.lock", "uv.lock", "pdm.lock"):
        locked += _toml_lock(base / name)
    locked += _pipfile_lock(base / "Pipfile.lock")
    declared = []
    for read in (_pyproject, _requirements, _setup_cfg, _setup_py, _pipfile, _metadata):
        found = read(base)
        if found:
            declared.append(_Declarations(tuple(found)))
    return ProjectPins(tuple(declared), tuple(locked))


def alembic_pin(root: Path) -> Version | None:
    """The lowest Alembic version the project allows, read statically; None when nothing says (see
    ``alembic_pin_source``)."""
    found = alembic_pin_source(root)
    return found[0] if found is not None else None


def alembic_pin_source(root: Path) -> tuple[Version, str] | None:
    """The lowest Alembic version the project allows and the file that says so; None when nothing says. Within a
    source, or across several lock files, the lowest version wins (see ``read_pins`` for which source decides)."""
    return read_pins(root).lowest("alembic")
