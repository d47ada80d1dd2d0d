"""Static facts about the user's project, read from files without importing or executing anything.

Nothing here imports the user's code, runs ``env.py`` or evaluates an expression: files are read as bytes
and understood with ``ast``, ``configparser`` (``interpolation=None``) and ``tomllib``/``tomli`` (the
versions a project pins are read in ``pins``).
Every function tolerates missing, unreadable, oversized, non-UTF-8 or malformed files (it returns ``None`` or
an empty set, never raises), reads only a handful of named files (no tree walks), never opens anything but a
regular file (a FIFO named ``alembic.ini`` cannot block it) and never resolves symlinks (a symlink loop is
just a file that cannot be read). There is no module-level mutable state; callers may cache results.

INTERFACE:

    def find_project_root(start: Path) -> Path
    def is_project_root(folder: Path) -> bool
    def dist_info(folder: Path) -> Path | None
    def find_alembic_ini(start: Path) -> Path | None
    def alembic_ini_dialects(ini: Path) -> frozenset[str]
    def alembic_ini_url_lines(ini: Path) -> list[tuple[int, str, str]]
    def url_dialect(url: str) -> str | None
    def env_py_for(migration_path: Path) -> Path | None
    def env_py_autocommit(env_py: Path) -> bool | None
    def autocommit_line(tree: ast.AST) -> int | None
    def application_packages(root: Path) -> frozenset[str]
"""

from __future__ import annotations

import ast
import configparser
import contextlib
import keyword
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Final

from . import reading
from .dialects import URL_SCHEMES

__all__ = [
    "alembic_ini_dialects",
    "alembic_ini_url_lines",
    "application_packages",
    "autocommit_line",
    "dist_info",
    "env_py_autocommit",
    "env_py_for",
    "find_alembic_ini",
    "find_project_root",
    "is_project_root",
    "url_dialect",
]


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

_URL_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_INI_URL_LINE_RE = re.compile(r"\s*sqlalchemy\.url\s*[=:]\s*(.*)", re.IGNORECASE)


# --------------------------------------------------------------------------------------------------
# Project root and alembic.ini
# --------------------------------------------------------------------------------------------------


_ROOTS: dict[Path, Path] | None = None
"""Each start folder's project root, while a run remembers them (``roots_remembered``)."""


@contextlib.contextmanager
def roots_remembered() -> Iterator[None]:
    """Within one run, each folder's project root is looked up once: the history, the project facts, the cache
    folders and the configuration all ask for the root of the same versions folder, and the files do not change
    under a run (a run cache journal records the first lookup's stats)."""
    global _ROOTS
    outer = _ROOTS
    if outer is None:
        _ROOTS = {}
    try:
        yield
    finally:
        _ROOTS = outer


def find_project_root(start: Path) -> Path:
    """The nearest folder at or above ``start`` (a file or a folder) holding ``pyproject.toml``, ``setup.cfg``,
    ``setup.py``, ``.git`` or a ``*.dist-info`` folder (an unpacked wheel); without any, the folder of the nearest
    ``alembic.ini``, else the folder of ``start``. The result is absolute."""
    base = reading.start_folder(start)
    if _ROOTS is not None and base in _ROOTS:
        return _ROOTS[base]
    root = _project_root(base)
    if _ROOTS is not None:
        _ROOTS[base] = root
    return root


def _project_root(base: Path) -> Path:
    for folder in reading.folders_upwards(base):
        if is_project_root(folder):
            return folder
    ini = find_alembic_ini(base)
    return ini.parent if ini is not None else base


def is_project_root(folder: Path) -> bool:
    """Whether ``folder`` holds one of the markers of a project root."""
    if any(reading.is_file(folder / name) for name in ROOT_FILE_MARKERS) or os.path.exists(folder / ".git"):
        return True
    return dist_info(folder) is not None


def dist_info(folder: Path) -> Path | None:
    """The ``*.dist-info`` folder of an unpacked wheel at ``folder`` (the first by name when there are several).
    Only the candidates are sorted: every folder up from a file is asked, a versions folder of hundreds included."""
    candidates = [entry for entry in reading.scan_dir(folder) if entry.name.endswith(".dist-info")]
    for entry in sorted(candidates, key=lambda entry: entry.name):
        try:
            if entry.is_dir():
                return folder / entry.name
        except OSError:
            continue
    return None


def find_alembic_ini(start: Path) -> Path | None:
    """The nearest ``alembic.ini`` at or above ``start``; the search stops at a folder holding ``.git``."""
    for folder in reading.folders_upwards(reading.start_folder(start)):
        ini = folder / "alembic.ini"
        if reading.is_file(ini):
            return ini
        if os.path.exists(folder / ".git"):
            return None
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


def url_dialect(url: str) -> str | None:
    """The dialect a database URL names by its scheme (``mysql+pymysql://…`` → mysql); None for a placeholder
    (``driver://…``, ``%(DB_URL)s``, ``${DATABASE_URL}``), an unknown scheme or no URL."""
    lines = url.strip().splitlines()
    value = lines[0].strip().strip("'\"").strip() if lines else ""
    match = _URL_SCHEME_RE.match(value)
    if match is None:  # "%(DB_URL)s", "${DATABASE_URL}", empty…
        return None
    scheme = match.group(1).lower().split("+", 1)[0]
    return URL_SCHEMES.get(scheme)  # "driver://user:pass@localhost/dbname" and unknown schemes: None


def alembic_ini_dialects(ini: Path) -> frozenset[str]:
    """Dialect names of every ``sqlalchemy.url`` (any section) of an ``alembic.ini``."""
    text = reading.read_text(ini)
    if text is None:
        return frozenset()
    return frozenset(dialect for url in _ini_urls(text) if (dialect := url_dialect(url)) is not None)


def alembic_ini_url_lines(ini: Path) -> list[tuple[int, str, str]]:
    """(line, URL, dialect) of each ``sqlalchemy.url`` line of an ``alembic.ini`` naming a database: the evidence
    behind ``alembic_ini_dialects``."""
    text = reading.read_text(ini)
    found: list[tuple[int, str, str]] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        match = _INI_URL_LINE_RE.match(line)
        dialect = url_dialect(match.group(1)) if match else None
        if match and dialect is not None:
            found.append((number, match.group(1).strip(), dialect))
    return found


# --------------------------------------------------------------------------------------------------
# env.py
# --------------------------------------------------------------------------------------------------


def env_py_for(migration_path: Path) -> Path | None:
    """The ``env.py`` of a migration's environment: the parent of the nearest ``versions`` folder at or above
    the migration's folder, when it holds ``env.py``. Without a ``versions`` folder (a custom
    ``version_locations`` name), the parent of the migration's folder when it holds ``env.py``."""
    folder = reading.start_folder(migration_path)
    for candidate in reading.folders_upwards(folder):
        if candidate.name == "versions":
            env_py = candidate.parent / "env.py"
            if reading.is_file(env_py):
                return env_py
            break
    env_py = folder.parent / "env.py"
    return env_py if reading.is_file(env_py) and folder.parent != folder else None


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


def autocommit_line(tree: ast.AST) -> int | None:
    """The line of the first place a module configures an AUTOCOMMIT connection (``isolation_level="AUTOCOMMIT"``,
    any case, given to any call, or a ``"sqlalchemy.isolation_level": "AUTOCOMMIT"`` setting); None without one."""
    names = _string_names(tree)

    def is_autocommit(node: ast.AST | None) -> bool:
        text = _constant_string(node, names)
        return text is not None and text.strip().upper() == "AUTOCOMMIT"

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            # create_engine(..., isolation_level="AUTOCOMMIT"), conn.execution_options(isolation_level=…)
            if any(_is_isolation_key(kw.arg) and is_autocommit(kw.value) for kw in node.keywords):
                return node.lineno
            # config.set_main_option("sqlalchemy.isolation_level", "AUTOCOMMIT"), set_section_option(s, k, v)
            for key, value in zip(node.args, node.args[1:]):
                if _is_isolation_key(_constant_string(key, names)) and is_autocommit(value):
                    return node.lineno
        elif isinstance(node, ast.Dict):
            for dict_key, dict_value in zip(node.keys, node.values):
                if _is_isolation_key(_constant_string(dict_key, names)) and is_autocommit(dict_value):
                    return node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and is_autocommit(node.value):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                # section["sqlalchemy.isolation_level"] = "AUTOCOMMIT"
                if isinstance(target, ast.Subscript) and _is_isolation_key(_constant_string(target.slice, names)):
                    return node.lineno
    return None


def env_py_autocommit(env_py: Path) -> bool | None:
    """True when ``env.py`` configures an AUTOCOMMIT connection (``isolation_level="AUTOCOMMIT"``, any case,
    given to any call, or a ``"sqlalchemy.isolation_level": "AUTOCOMMIT"`` setting); False when it parses and
    has none; None when it is missing or does not parse. The file is parsed, never run."""
    tree = reading.parse_python(env_py)
    return autocommit_line(tree) is not None if tree is not None else None


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
    for entry in reading.list_dir(folder):
        name = entry.name
        if name.startswith((".", "_")):
            continue
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            if (
                name.lower() not in _SKIP_PACKAGES
                and _importable(name)
                and reading.is_file(folder / name / "__init__.py")
            ):
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
    base = reading.absolute(root)
    names = _top_level_names(base)
    src = base / "src"
    # A src/ that is itself a package holds sub-packages, not top-level names.
    if not reading.is_file(src / "__init__.py"):
        names |= _top_level_names(src)
    pyproject = reading.load_toml(base / "pyproject.toml")
    declared: list[object] = [
        reading.table(pyproject, "project").get("name"),
        reading.table(pyproject, "tool", "poetry").get("name"),
    ]
    setup_cfg = reading.load_ini(base / "setup.cfg")
    if setup_cfg is not None:
        declared.append(setup_cfg.get("metadata", "name", fallback=None))
    info = dist_info(base)
    top_level = reading.read_text(info / "top_level.txt") if info is not None else None
    declared.extend(line.strip() for line in (top_level or "").splitlines())
    for name in declared:
        import_name = _distribution_to_import_name(name)
        if import_name is not None:
            names.add(import_name)
    return frozenset(names)


GIT_CHECK_EVENT: Final = "flake8_alembic.git_check_ignore"
"""The audit event a ``git check-ignore`` raises, with the folder, the paths asked and git's answer: git reads
ignore files this process never opens, so the run cache journals the question and asks it again (``runcache``)."""


def git_ignored(paths: Sequence[str], root: str) -> frozenset[str] | None:
    """The absolute paths among ``paths`` git ignores, asked in ``root`` (one ``git check-ignore`` call); None when
    git cannot be asked."""
    import subprocess  # only when there is a git repository to ask

    try:
        result = subprocess.run(
            ["git", "check-ignore", "--stdin", "-z"],
            input="\0".join(paths) + "\0",
            capture_output=True,
            text=True,
            cwd=root,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return frozenset(os.path.abspath(os.path.join(root, name)) for name in result.stdout.split("\0") if name)
