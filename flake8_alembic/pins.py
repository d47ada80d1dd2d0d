"""The versions a project pins, read statically from its dependency declarations and lock files.

``pyproject.toml`` (PEP 621, Poetry, PDM, uv, dependency groups), ``requirements*.txt``, ``setup.cfg``, ``Pipfile``,
lock files (``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``Pipfile.lock``) and an unpacked wheel's ``METADATA`` are
read as text, TOML, ini or JSON; nothing is installed, imported or run. Every function tolerates missing or malformed
files (it returns ``None`` or an empty list, never raises).

INTERFACE:

    def alembic_pin(root: Path) -> tuple[int, ...] | None
    def alembic_pin_source(root: Path) -> tuple[tuple[int, ...], str] | None
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from . import project, reading

__all__ = ["alembic_pin", "alembic_pin_source"]

Version = tuple[int, ...]

# At most this many requirements files are read (root requirements*.txt + requirements/*.txt).
_MAX_REQUIREMENT_FILES = 32

_LOWER_BOUND_OPS = frozenset({"", "==", "===", "=", ">=", ">", "~=", "^", "~"})
_SPEC_TOKEN_RE = re.compile(r"(~=|===|==|!=|<=|>=|<|>|\^|~|=)?\s*([^\s,|<>=!~^]+)")
_VERSION_RE = re.compile(r"[vV]?(?:\d+!)?(\d+(?:\.\d+)*)")
_REQUIREMENT_RE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?(.*)", re.DOTALL)
_INCLUDE_RE = re.compile(r"(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s*)(\S+)")
_COMMENT_RE = re.compile(r"(?:^|\s+)#.*$")


def _normalise_distribution(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _is_alembic(name: object) -> bool:
    return isinstance(name, str) and _normalise_distribution(name.strip()) == "alembic"


def _version_tuple(text: str) -> Version | None:
    match = _VERSION_RE.match(text.strip())
    if match is None:
        return None
    return tuple(int(part) for part in match.group(1).split("."))


def _clause_lower_bound(clause: str) -> tuple[bool, Version | None]:
    """(has_any_constraint, lowest version) of one AND-clause such as ``>=1.11,<2`` or ``>=1.2 <1.5``."""
    bounds: list[Version] = []
    constrained = False
    for match in _SPEC_TOKEN_RE.finditer(clause):
        operator, word = match.group(1) or "", match.group(2)
        version = _version_tuple(word)
        if version is None:  # "*", "latest", a marker fragment…
            continue
        constrained = True
        if operator in _LOWER_BOUND_OPS:
            bounds.append(version)
    # Several lower bounds in one clause all apply: the highest one is the lowest allowed version.
    return constrained, (max(bounds) if bounds else None)


def _spec_lower_bound(spec: str) -> Version | None:
    """The lowest version a specifier allows: ``==1.13.2`` -> (1, 13, 2), ``>=1.11,<2`` -> (1, 11),
    ``~=1.12.0`` -> (1, 12, 0), Poetry ``^1.12`` / ``~1.12`` / ``1.12`` -> (1, 12); None without a lower
    bound. Poetry alternatives (``^1.10 || ^1.12``) give the lowest alternative."""
    lows: list[Version] = []
    for alternative in re.split(r"\|\|?", spec):
        constrained, low = _clause_lower_bound(alternative)
        if low is not None:
            lows.append(low)
        elif constrained:  # an alternative with no lower bound ("<1.0 || >=1.5"): the lowest is unknown
            return None
    return min(lows) if lows else None


def _requirement_bound(requirement: str) -> Version | None:
    """The lower bound of a PEP 508 requirement when it names Alembic (extras and markers allowed)."""
    requirement = requirement.split(";", 1)[0]
    match = _REQUIREMENT_RE.fullmatch(requirement)
    if match is None or not _is_alembic(match.group(1)):
        return None
    rest = match.group(2).strip()
    if rest.startswith("@"):  # a direct URL reference carries no version we can trust
        return None
    if rest.startswith("(") and rest.endswith(")"):
        rest = rest[1:-1]
    return _spec_lower_bound(rest)


def _dependency_table_bounds(value: object) -> list[Version]:
    """Bounds of a Poetry/Pipfile dependency value: ``"^1.12"``, ``{version = "..."}`` or a list of tables."""
    items = value if isinstance(value, list) else [value]
    bounds: list[Version] = []
    for item in items:
        spec = item.get("version") if isinstance(item, dict) else item
        if isinstance(spec, str):
            bound = _spec_lower_bound(spec)
            if bound is not None:
                bounds.append(bound)
    return bounds


def _requirement_list_bounds(requirements: object) -> list[Version]:
    bounds: list[Version] = []
    for requirement in reading.strings(requirements):
        bound = _requirement_bound(requirement)
        if bound is not None:
            bounds.append(bound)
    return bounds


def _pyproject_bounds(root: Path) -> list[Version]:
    data = reading.load_toml(root / "pyproject.toml")
    if data is None:
        return []
    bounds: list[Version] = []
    project = reading.table(data, "project")
    bounds += _requirement_list_bounds(project.get("dependencies"))
    for requirements in reading.table(project, "optional-dependencies").values():
        bounds += _requirement_list_bounds(requirements)
    poetry = reading.table(data, "tool", "poetry")
    poetry_tables = [reading.table(poetry, "dependencies"), reading.table(poetry, "dev-dependencies")]
    poetry_tables += [reading.table(group, "dependencies") for group in reading.table(poetry, "group").values()]
    for dependencies in poetry_tables:
        for name, value in dependencies.items():
            if _is_alembic(name):
                bounds += _dependency_table_bounds(value)
    for requirements in reading.table(data, "dependency-groups").values():
        bounds += _requirement_list_bounds(requirements)  # {include-group = …} tables are skipped
    for requirements in reading.table(data, "tool", "pdm", "dev-dependencies").values():
        bounds += _requirement_list_bounds(requirements)
    bounds += _requirement_list_bounds(reading.table(data, "tool", "uv").get("dev-dependencies"))
    return bounds


def _requirements_file_bounds(path: Path, follow_includes: bool, seen: set[str]) -> list[Version]:
    key = os.path.normcase(os.path.abspath(path))
    if key in seen:
        return []
    seen.add(key)
    text = reading.read_text(path)
    if text is None:
        return []
    bounds: list[Version] = []
    for raw_line in text.replace("\\\r\n", "").replace("\\\n", "").splitlines():
        line = _COMMENT_RE.sub("", raw_line).strip()
        if not line:
            continue
        if line.startswith("-"):
            include = _INCLUDE_RE.match(line)
            if include is not None and follow_includes:
                bounds += _requirements_file_bounds(path.parent / include.group(1), False, seen)
            continue  # -e, --index-url, … carry no pin
        line = re.split(r"\s+--?[A-Za-z]", line, maxsplit=1)[0]  # trailing --hash=… options
        bound = _requirement_bound(line)
        if bound is not None:
            bounds.append(bound)
    return bounds


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


def _requirements_bounds(root: Path) -> list[Version]:
    seen: set[str] = set()
    bounds: list[Version] = []
    for path in _requirements_files(root):
        bounds += _requirements_file_bounds(path, True, seen)
    return bounds


def _setup_cfg_bounds(root: Path) -> list[Version]:
    parser = reading.load_ini(root / "setup.cfg")
    if parser is None:
        return []
    values: list[str] = []
    if parser.has_section("options"):
        values.append(parser.get("options", "install_requires", fallback=""))
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    return _requirement_list_bounds([line for value in values for line in value.splitlines()])


def _pipfile_bounds(root: Path) -> list[Version]:
    data = reading.load_toml(root / "Pipfile")
    bounds: list[Version] = []
    for section in ("packages", "dev-packages"):
        for name, value in reading.table(data, section).items():
            if _is_alembic(name):
                bounds += _dependency_table_bounds(value)
    return bounds


def _toml_lock_versions(path: Path) -> list[Version]:
    """``[[package]] name = "alembic" version = "…"`` entries of poetry.lock / uv.lock / pdm.lock."""
    data = reading.load_toml(path)
    packages = data.get("package") if data is not None else None
    if not isinstance(packages, list):
        return []
    versions: list[Version] = []
    for package in packages:
        if isinstance(package, dict) and _is_alembic(package.get("name")):
            text = package.get("version")
            version = _version_tuple(text) if isinstance(text, str) else None
            if version is not None:
                versions.append(version)
    return versions


def _pipfile_lock_versions(path: Path) -> list[Version]:
    text = reading.read_text(path)
    if text is None:
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    versions: list[Version] = []
    for section in ("default", "develop"):
        for name, info in reading.table(data, section).items():
            if _is_alembic(name) and isinstance(info, dict) and isinstance(info.get("version"), str):
                version = _spec_lower_bound(info["version"])
                if version is not None:
                    versions.append(version)
    return versions


def _metadata_bounds(root: Path) -> list[Version]:
    """``Requires-Dist`` lines of an unpacked wheel's ``METADATA`` (extras and markers included)."""
    info = project.dist_info(root)
    text = reading.read_text(info / "METADATA") if info is not None else None
    if text is None:
        return []
    headers = text.split("\n\n", 1)[0]  # the body after the first blank line is the long description
    requirements = [line.split(":", 1)[1].strip() for line in headers.splitlines() if line.startswith("Requires-Dist:")]
    return _requirement_list_bounds(requirements)


def alembic_pin(root: Path) -> Version | None:
    """The lowest Alembic version the project allows, read statically; None when nothing says (see
    ``alembic_pin_source``)."""
    found = alembic_pin_source(root)
    return found[0] if found is not None else None


def alembic_pin_source(root: Path) -> tuple[Version, str] | None:
    """The lowest Alembic version the project allows and the file that says so; None when nothing says.

    A lock file (``poetry.lock``, ``uv.lock``, ``pdm.lock``, ``Pipfile.lock``) records what is installed and
    wins over every declared range. Otherwise the first declaring source in this order gives the answer:
    ``pyproject.toml`` (``[project]`` dependencies and optional dependencies, Poetry dependencies and groups,
    ``[dependency-groups]``), ``requirements*.txt`` and ``requirements/*.txt`` (``-r``/``-c`` followed one
    level), ``setup.cfg`` (``install_requires``/``extras_require``), ``Pipfile``, an unpacked wheel's
    ``*.dist-info/METADATA`` (``Requires-Dist``). Within a source, or across several lock files, the lowest
    version wins.
    """
    base = reading.absolute(root)
    locked = [
        (version, name)
        for name, read in (
            ("poetry.lock", _toml_lock_versions),
            ("uv.lock", _toml_lock_versions),
            ("pdm.lock", _toml_lock_versions),
            ("Pipfile.lock", _pipfile_lock_versions),
        )
        for version in read(base / name)
    ]
    if locked:
        version, name = min(locked)
        return version, str(base / name)
    sources = (
        (_pyproject_bounds, "pyproject.toml"),
        (_requirements_bounds, "requirements*.txt"),
        (_setup_cfg_bounds, "setup.cfg"),
        (_pipfile_bounds, "Pipfile"),
        (_metadata_bounds, "*.dist-info/METADATA"),
    )
    for source, name in sources:
        bounds = source(base)
        if bounds:
            info = project.dist_info(base) if name.endswith("METADATA") else None
            where = str(info / "METADATA") if info is not None else str(base / name)
            return min(bounds), where
    return None
