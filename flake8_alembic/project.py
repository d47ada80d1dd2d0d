"""Static facts about the user's project, read from files without importing or executing anything.

Nothing here imports the user's code, runs ``env.py`` or evaluates an expression: files are read as bytes
and understood with ``ast``, ``configparser`` (``interpolation=None``), ``tomllib``/``tomli`` and ``json``.
Every function tolerates missing, unreadable, oversized, non-UTF-8 or malformed files (it returns ``None`` or
an empty set, never raises), reads only a handful of named files (no tree walks), never opens anything but a
regular file (a FIFO named ``alembic.ini`` cannot block it) and never resolves symlinks (a symlink loop is
just a file that cannot be read). There is no module-level mutable state; callers may cache results.

INTERFACE:

    def find_project_root(start: Path) -> Path
    def is_project_root(folder: Path) -> bool
    def dist_info(folder: Path) -> Path | None
    def find_alembic_ini(start: Path) -> Path | None
    def alembic_pin(root: Path) -> tuple[int, ...] | None
    def alembic_pin_source(root: Path) -> tuple[tuple[int, ...], str] | None
    def alembic_ini_dialects(ini: Path) -> frozenset[str]
    def env_py_for(migration_path: Path) -> Path | None
    def env_py_autocommit(env_py: Path) -> bool | None
    def application_packages(root: Path) -> frozenset[str]
"""

from __future__ import annotations

import ast
import configparser
import json
import keyword
import os
import re
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .dialects import URL_SCHEMES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11 only
    import tomli as tomllib

__all__ = [
    "alembic_ini_dialects",
    "alembic_pin",
    "alembic_pin_source",
    "application_packages",
    "dist_info",
    "env_py_autocommit",
    "env_py_for",
    "find_alembic_ini",
    "find_project_root",
    "is_project_root",
]

Version = tuple[int, ...]

# A project file larger than this is not something we want to parse while linting.
_MAX_BYTES = 16 * 1024 * 1024
# At most this many requirements files are read (root requirements*.txt + requirements/*.txt).
_MAX_REQUIREMENT_FILES = 32

ROOT_FILE_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py")
"""Files that make a folder a project root, as for ruff and flake8 (with ``.git`` and a ``*.dist-info`` folder).
``alembic.ini`` is not one: Flask-Migrate keeps it in ``migrations/``, others in ``src/<package>/``."""


# Folders that are never the application's importable top-level package.
_SKIP_PACKAGES = frozenset(
    {
        "tests",
        "test",
        "docs",
        "doc",
        "migrations",
        "alembic",
        "build",
        "dist",
        "venv",
        "node_modules",
        "site_packages",
        "htmlcov",
    }
)
# Top-level modules of a project root that are tooling, not application code.
_SKIP_MODULE_NAMES = _SKIP_PACKAGES | {"setup", "conftest", "noxfile", "manage", "fabfile", "tasks", "env"}

_LOWER_BOUND_OPS = frozenset({"", "==", "===", "=", ">=", ">", "~=", "^", "~"})
_SPEC_TOKEN_RE = re.compile(r"(~=|===|==|!=|<=|>=|<|>|\^|~|=)?\s*([^\s,|<>=!~^]+)")
_VERSION_RE = re.compile(r"[vV]?(?:\d+!)?(\d+(?:\.\d+)*)")
_REQUIREMENT_RE = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?(.*)", re.DOTALL)
_INCLUDE_RE = re.compile(r"(?:-r|--requirement|-c|--constraint)(?:\s*=\s*|\s*)(\S+)")
_COMMENT_RE = re.compile(r"(?:^|\s+)#.*$")
_URL_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_INI_URL_LINE_RE = re.compile(r"\s*sqlalchemy\.url\s*[=:]\s*(.*)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# Safe file access
# --------------------------------------------------------------------------------------------------


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of a regular file of reasonable size, else None (missing, loop, FIFO, permission…)."""
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size > _MAX_BYTES:
            return None
        with open(path, "rb") as handle:
            data = handle.read(_MAX_BYTES + 1)
    except (OSError, ValueError):
        return None
    return data if len(data) <= _MAX_BYTES else None


def _read_text(path: Path) -> str | None:
    """The text of a file; a BOM is dropped and bytes that are not UTF-8 become U+FFFD."""
    data = _read_bytes(path)
    if data is None:
        return None
    return data.decode("utf-8-sig", errors="replace")


def _is_file(path: Path) -> bool:
    return os.path.isfile(path)  # follows symlinks; False on a loop or any OSError/ValueError


def _list_dir(folder: Path) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda entry: entry.name)
    except (OSError, ValueError):
        return []


def _absolute(path: Path) -> Path:
    """An absolute path without resolving symlinks (so no symlink loop can hang or raise)."""
    return Path(os.path.abspath(os.fspath(path)))


def _start_folder(start: Path) -> Path:
    path = _absolute(start)
    return path if os.path.isdir(path) else path.parent


def _folders_upwards(folder: Path) -> Iterator[Path]:
    yield folder
    yield from folder.parents


def _load_toml(path: Path) -> dict[str, Any] | None:
    text = _read_text(path)
    if text is None:
        return None
    try:
        return tomllib.loads(text)
    except (ValueError, RecursionError):
        return None


def _load_ini(path: Path) -> configparser.ConfigParser | None:
    text = _read_text(path)
    if text is None:
        return None
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text, source=str(path))
    except configparser.Error:
        return None
    return parser


def _table(data: object, *keys: str) -> dict[str, Any]:
    """``data[k1][k2]…`` when every step is a table, else an empty dict."""
    current = data
    for key in keys:
        if not isinstance(current, dict):
            return {}
        current = current.get(key)
    return current if isinstance(current, dict) else {}


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, str)]


# --------------------------------------------------------------------------------------------------
# Project root and alembic.ini
# --------------------------------------------------------------------------------------------------


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` (a file or a folder) holding ``pyproject.toml``, ``setup.cfg``,
    ``setup.py``, ``.git`` or a ``*.dist-info`` folder (an unpacked wheel); without any, the folder of the nearest
    ``alembic.ini``, else the folder of ``start``. The result is absolute."""
    base = _start_folder(start)
    for folder in _folders_upwards(base):
        if is_project_root(folder):
            return folder
    ini = find_alembic_ini(base)
    return ini.parent if ini is not None else base


def is_project_root(folder: Path) -> bool:
    """Whether ``folder`` holds one of the markers of a project root."""
    if any(_is_file(folder / name) for name in ROOT_FILE_MARKERS) or os.path.exists(folder / ".git"):
        return True
    return dist_info(folder) is not None


def dist_info(folder: Path) -> Path | None:
    """The ``*.dist-info`` folder of an unpacked wheel at ``folder`` (the first by name when there are several)."""
    for entry in _list_dir(folder):
        if entry.name.endswith(".dist-info"):
            try:
                if entry.is_dir():
                    return folder / entry.name
            except OSError:
                continue
    return None


def find_alembic_ini(start: Path) -> Path | None:
    """The nearest ``alembic.ini`` at or above ``start``; the search stops at a folder holding ``.git``."""
    for folder in _folders_upwards(_start_folder(start)):
        ini = folder / "alembic.ini"
        if _is_file(ini):
            return ini
        if os.path.exists(folder / ".git"):
            return None
    return None


# --------------------------------------------------------------------------------------------------
# The Alembic version the project pins
# --------------------------------------------------------------------------------------------------


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
    for requirement in _strings(requirements):
        bound = _requirement_bound(requirement)
        if bound is not None:
            bounds.append(bound)
    return bounds


def _pyproject_bounds(root: Path) -> list[Version]:
    data = _load_toml(root / "pyproject.toml")
    if data is None:
        return []
    bounds: list[Version] = []
    project = _table(data, "project")
    bounds += _requirement_list_bounds(project.get("dependencies"))
    for requirements in _table(project, "optional-dependencies").values():
        bounds += _requirement_list_bounds(requirements)
    poetry = _table(data, "tool", "poetry")
    poetry_tables = [_table(poetry, "dependencies"), _table(poetry, "dev-dependencies")]
    poetry_tables += [_table(group, "dependencies") for group in _table(poetry, "group").values()]
    for dependencies in poetry_tables:
        for name, value in dependencies.items():
            if _is_alembic(name):
                bounds += _dependency_table_bounds(value)
    for requirements in _table(data, "dependency-groups").values():
        bounds += _requirement_list_bounds(requirements)  # {include-group = …} tables are skipped
    for requirements in _table(data, "tool", "pdm", "dev-dependencies").values():
        bounds += _requirement_list_bounds(requirements)
    bounds += _requirement_list_bounds(_table(data, "tool", "uv").get("dev-dependencies"))
    return bounds


def _requirements_file_bounds(path: Path, follow_includes: bool, seen: set[str]) -> list[Version]:
    key = os.path.normcase(os.path.abspath(path))
    if key in seen:
        return []
    seen.add(key)
    text = _read_text(path)
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
        for entry in _list_dir(root)
        if entry.name.startswith("requirements") and entry.name.endswith(".txt")
    ]
    files.sort(key=lambda path: (path.name != "requirements.txt", path.name))
    folder = root / "requirements"
    files += [folder / entry.name for entry in _list_dir(folder) if entry.name.endswith(".txt")]
    return files[:_MAX_REQUIREMENT_FILES]


def _requirements_bounds(root: Path) -> list[Version]:
    seen: set[str] = set()
    bounds: list[Version] = []
    for path in _requirements_files(root):
        bounds += _requirements_file_bounds(path, True, seen)
    return bounds


def _setup_cfg_bounds(root: Path) -> list[Version]:
    parser = _load_ini(root / "setup.cfg")
    if parser is None:
        return []
    values: list[str] = []
    if parser.has_section("options"):
        values.append(parser.get("options", "install_requires", fallback=""))
    if parser.has_section("options.extras_require"):
        values += [value for _, value in parser.items("options.extras_require")]
    return _requirement_list_bounds([line for value in values for line in value.splitlines()])


def _pipfile_bounds(root: Path) -> list[Version]:
    data = _load_toml(root / "Pipfile")
    bounds: list[Version] = []
    for section in ("packages", "dev-packages"):
        for name, value in _table(data, section).items():
            if _is_alembic(name):
                bounds += _dependency_table_bounds(value)
    return bounds


def _toml_lock_versions(path: Path) -> list[Version]:
    """``[[package]] name = "alembic" version = "…"`` entries of poetry.lock / uv.lock / pdm.lock."""
    data = _load_toml(path)
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
    text = _read_text(path)
    if text is None:
        return []
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return []
    versions: list[Version] = []
    for section in ("default", "develop"):
        for name, info in _table(data, section).items():
            if _is_alembic(name) and isinstance(info, dict) and isinstance(info.get("version"), str):
                version = _spec_lower_bound(info["version"])
                if version is not None:
                    versions.append(version)
    return versions


def _metadata_bounds(root: Path) -> list[Version]:
    """``Requires-Dist`` lines of an unpacked wheel's ``METADATA`` (extras and markers included)."""
    info = dist_info(root)
    text = _read_text(info / "METADATA") if info is not None else None
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
    base = _absolute(root)
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
            info = dist_info(base) if name.endswith("METADATA") else None
            where = str(info / "METADATA") if info is not None else str(base / name)
            return min(bounds), where
    return None


# --------------------------------------------------------------------------------------------------
# Target dialects from alembic.ini
# --------------------------------------------------------------------------------------------------


def _ini_urls(text: str) -> list[str]:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error:
        # Not an ini file configparser accepts (no section header, bad continuation…): scan the lines.
        return [match.group(1) for line in text.splitlines() if (match := _INI_URL_LINE_RE.match(line))]
    urls = [parser.defaults().get("sqlalchemy.url", "")]
    urls += [parser.get(section, "sqlalchemy.url", fallback="") for section in parser.sections()]
    return urls


def _url_dialect(url: str) -> str | None:
    lines = url.strip().splitlines()
    value = lines[0].strip().strip("'\"").strip() if lines else ""
    match = _URL_SCHEME_RE.match(value)
    if match is None:  # "%(DB_URL)s", "${DATABASE_URL}", empty…
        return None
    scheme = match.group(1).lower().split("+", 1)[0]
    return URL_SCHEMES.get(scheme)  # "driver://user:pass@localhost/dbname" and unknown schemes: None


def alembic_ini_dialects(ini: Path) -> frozenset[str]:
    """Dialect names of every ``sqlalchemy.url`` (any section) of an ``alembic.ini``."""
    text = _read_text(ini)
    if text is None:
        return frozenset()
    return frozenset(dialect for url in _ini_urls(text) if (dialect := _url_dialect(url)) is not None)


# --------------------------------------------------------------------------------------------------
# env.py
# --------------------------------------------------------------------------------------------------


def env_py_for(migration_path: Path) -> Path | None:
    """The ``env.py`` of a migration's environment: the parent of the nearest ``versions`` folder at or above
    the migration's folder, when it holds ``env.py``. Without a ``versions`` folder (a custom
    ``version_locations`` name), the parent of the migration's folder when it holds ``env.py``."""
    folder = _start_folder(migration_path)
    for candidate in _folders_upwards(folder):
        if candidate.name == "versions":
            env_py = candidate.parent / "env.py"
            if _is_file(env_py):
                return env_py
            break
    env_py = folder.parent / "env.py"
    return env_py if _is_file(env_py) and folder.parent != folder else None


def _constant_string(node: ast.AST | None, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def _string_names(tree: ast.AST) -> dict[str, str]:
    """Names bound to one string constant everywhere they are assigned (``LEVEL = "AUTOCOMMIT"``)."""
    values: dict[str, set[str | None]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        else:
            continue
        text = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
        for target in targets:
            if isinstance(target, ast.Name):
                values.setdefault(target.id, set()).add(text)
    return {name: text for name, texts in values.items() if len(texts) == 1 and (text := next(iter(texts))) is not None}


def _is_isolation_key(key: str | None) -> bool:
    return key is not None and (key == "isolation_level" or key.endswith(".isolation_level"))


def _configures_autocommit(tree: ast.AST) -> bool:
    names = _string_names(tree)

    def is_autocommit(node: ast.AST | None) -> bool:
        text = _constant_string(node, names)
        return text is not None and text.strip().upper() == "AUTOCOMMIT"

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # create_engine(..., isolation_level="AUTOCOMMIT"), conn.execution_options(isolation_level=…)
            if any(_is_isolation_key(kw.arg) and is_autocommit(kw.value) for kw in node.keywords):
                return True
            # config.set_main_option("sqlalchemy.isolation_level", "AUTOCOMMIT"), set_section_option(s, k, v)
            for key, value in zip(node.args, node.args[1:]):
                if _is_isolation_key(_constant_string(key, names)) and is_autocommit(value):
                    return True
        elif isinstance(node, ast.Dict):
            for dict_key, dict_value in zip(node.keys, node.values):
                if _is_isolation_key(_constant_string(dict_key, names)) and is_autocommit(dict_value):
                    return True
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and is_autocommit(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                # section["sqlalchemy.isolation_level"] = "AUTOCOMMIT"
                if isinstance(target, ast.Subscript) and _is_isolation_key(_constant_string(target.slice, names)):
                    return True
    return False


def env_py_autocommit(env_py: Path) -> bool | None:
    """True when ``env.py`` configures an AUTOCOMMIT connection (``isolation_level="AUTOCOMMIT"``, any case,
    given to any call, or a ``"sqlalchemy.isolation_level": "AUTOCOMMIT"`` setting); False when it parses and
    has none; None when it is missing or does not parse. The file is parsed, never run."""
    source = _read_bytes(env_py)
    if source is None:
        return None
    try:
        tree = ast.parse(source, filename=os.fspath(env_py))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return _configures_autocommit(tree)


# --------------------------------------------------------------------------------------------------
# Application packages
# --------------------------------------------------------------------------------------------------


def _importable(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _distribution_to_import_name(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    candidate = re.sub(r"[-.\s]+", "_", name.strip()).lower()
    return candidate if _importable(candidate) else None


def _top_level_names(folder: Path) -> set[str]:
    names: set[str] = set()
    for entry in _list_dir(folder):
        name = entry.name
        if name.startswith((".", "_")):
            continue
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            if name.lower() not in _SKIP_PACKAGES and _importable(name) and _is_file(folder / name / "__init__.py"):
                names.add(name)
        elif is_file and name.endswith(".py"):
            stem = name[:-3]
            if _importable(stem) and stem.lower() not in _SKIP_MODULE_NAMES:
                names.add(stem)
    return names


def application_packages(root: Path) -> frozenset[str]:
    """Top-level importable names of the application: packages (folders with ``__init__.py``) and modules in
    ``root`` and ``root/src`` (tests, docs, migrations, build folders, tooling modules excluded), plus the
    distribution name of ``pyproject.toml`` (``[project]``/``[tool.poetry]``) and ``setup.cfg`` normalised to
    an import name (``My-App`` -> ``my_app``), and the names an unpacked wheel's ``top_level.txt`` lists."""
    base = _absolute(root)
    names = _top_level_names(base)
    src = base / "src"
    # A src/ that is itself a package holds sub-packages, not top-level names.
    if not _is_file(src / "__init__.py"):
        names |= _top_level_names(src)
    pyproject = _load_toml(base / "pyproject.toml")
    declared: list[object] = [
        _table(pyproject, "project").get("name"),
        _table(pyproject, "tool", "poetry").get("name"),
    ]
    setup_cfg = _load_ini(base / "setup.cfg")
    if setup_cfg is not None:
        declared.append(setup_cfg.get("metadata", "name", fallback=None))
    info = dist_info(base)
    top_level = _read_text(info / "top_level.txt") if info is not None else None
    declared.extend(line.strip() for line in (top_level or "").splitlines())
    for name in declared:
        import_name = _distribution_to_import_name(name)
        if import_name is not None:
            names.add(import_name)
    return frozenset(names)
