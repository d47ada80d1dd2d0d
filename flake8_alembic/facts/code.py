"""The project's own code and documents, read once per project: which files are the application's, what they say
(database URLs, naming conventions, ``create_all`` and ``stamp``), and what env.py says and imports.

Only a real project root (``pyproject.toml``, ``setup.cfg``, ``setup.py``, ``.git`` or a wheel's ``*.dist-info``) is
read: a folder without one may be anything (a home folder), and its code is not the migrations' application. Tests,
examples and documentation folders are not application code; the number and size of files read are bounded.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from .. import project, reading
from . import source
from .records import Evidence

MAX_CODE_FILES: Final = 4000
"""At most this many Python files of the application are read (sorted by path)."""
MAX_CODE_BYTES: Final = 1024 * 1024
"""A module larger than this is generated or vendored, not where a project configures itself."""
MAX_DOCUMENTS: Final = 300
MAX_TEST_FILES: Final = 2000
"""At most this many test modules are looked at (sorted by path), for the databases the migration tests run on."""
_MIGRATION_TEST_WORDS: Final = (b"alembic", b"migrat", b"upgrade")
_SERVER_DATABASE_WORDS: Final = (b"postgres", b"mysql", b"mariadb")
_MAX_DEPTH: Final = 10
_SKIP_FOLDERS: Final = frozenset(
    {"tests", "test", "testing", "versions", "docs", "doc", "examples", "example", "samples", "build", "dist"}
    | {"node_modules", "site-packages", "site_packages", "venv", "__pycache__", "htmlcov", "vendor", "_vendor"}
)
_SKIP_MODULES: Final = frozenset({"setup.py", "conftest.py", "noxfile.py", "fabfile.py"})
_TEST_SKIP_FOLDERS: Final = (_SKIP_FOLDERS - {"tests", "test", "testing"}) | {
    "fixtures",
    "snapshots",
    "golden",
    "data",
    "cassettes",
}
"""Where test modules are not looked for: what application code skips, less the test folders themselves, and the
test data beside them."""
_DATABASE_TEST_NAMES: Final = ("migrat", "alembic", "upgrade", "db", "database", "schema", "sql")
"""What the name of a test module that exercises the database holds (test_migrations.py, test_db.py)."""
_SCRIPT_FOLDERS: Final = ("scripts", "bin", "tools", "script", "docker", "deploy")
_STAMP_TEXT: Final = re.compile(r"(?i)\balembic\b[^\n]{0,60}?\bstamp\b|\bdb\s+stamp\b")
_DOCUMENT_SUFFIXES: Final = (".md", ".rst", ".txt", ".sh", ".bash", ".yml", ".yaml", ".cfg", ".ini", ".toml")
_DOCUMENT_NAMES: Final = ("Makefile", "Procfile", "Justfile", "Taskfile")
_LIBRARIES: Final = frozenset({"alembic", "sqlalchemy", "sqlmodel", "flask_migrate", "logging", "os", "sys"})
"""What env.py imports that is never the project's own module (a migrations folder may be named ``alembic``)."""


def shown(path: Path, root: Path) -> str:
    """A path as evidence shows it: relative to the project root when inside it."""
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _is_test_module(name: str) -> bool:
    return name.startswith("test_") or name.endswith("_test.py") or name in _SKIP_MODULES


def _walk(folder: Path, skipped: frozenset[str], wanted: Callable[[str], bool], found: list[Path], limit: int) -> bool:
    """Add to ``found`` the ``.py`` files under ``folder`` whose names ``wanted`` accepts, sorted, skipping hidden
    folders and those named in ``skipped``, depth bounded; False once ``found`` holds ``limit`` files."""
    for current, folders, files in os.walk(folder):
        depth = len(Path(current).relative_to(folder).parts)
        folders[:] = sorted(
            name for name in folders if depth < _MAX_DEPTH and not name.startswith(".") and name.lower() not in skipped
        )
        found += [Path(current) / name for name in sorted(files) if name.endswith(".py") and wanted(name)]
        if len(found) >= limit:
            return False
    return True


def _walk_package(folder: Path, found: list[Path]) -> None:
    """The modules of a package, tests and the like left out, depth and count bounded."""
    _walk(folder, _SKIP_FOLDERS, lambda name: not _is_test_module(name), found, MAX_CODE_FILES)


def _database_test_module(name: str) -> bool:
    lowered = name.lower()
    return _is_test_module(name) and name not in _SKIP_MODULES and any(word in lowered for word in _DATABASE_TEST_NAMES)


def _modules_in(folder: Path) -> list[Path]:
    return [
        folder / entry.name
        for entry in reading.list_dir(folder)
        if entry.name.endswith(".py") and not _is_test_module(entry.name) and reading.is_file(folder / entry.name)
    ]


def code_files(root: Path) -> tuple[Path, ...]:
    """The application's Python files: its packages (at the root and in ``src/``), the modules at the root and in
    ``src/``, and the scripts in ``scripts/``, ``bin/``, ``tools/``…; nothing outside a real project root."""
    if not project.is_project_root(root):
        return ()
    found: list[Path] = _modules_in(root) + _modules_in(root / "src")
    for folder in _SCRIPT_FOLDERS:
        found += _modules_in(root / folder)
    for name in sorted(project.application_packages(root)):
        for base in (root, root / "src"):
            package = base / name
            if reading.is_file(package / "__init__.py"):
                _walk_package(package, found)
    return tuple(dict.fromkeys(found))[:MAX_CODE_FILES]


def resolve_import(module: str, names: tuple[str, ...], bases: tuple[Path, ...]) -> list[Path]:
    """The project files ``from module import names`` reads: ``module`` as a file or package, and each name that is
    a submodule, looked up under each base folder."""
    found: list[Path] = []
    parts = module.split(".")
    for base in bases:
        target = base.joinpath(*parts)
        for candidate in (target.with_suffix(".py"), target / "__init__.py", *(target / f"{n}.py" for n in names)):
            if reading.is_file(candidate) and candidate not in found:
                found.append(candidate)
    return found


# --------------------------------------------------------------------------------------------------
# What the application's code says
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConventionFound:
    """A naming convention and the file that gives it."""

    path: Path
    clue: source.ConventionClue


@dataclass(frozen=True)
class CodeClues:
    """What the application's Python files say, each with its file and line."""

    urls: tuple[tuple[Path, source.UrlClue], ...] = ()
    conventions: tuple[ConventionFound, ...] = ()
    create_all: tuple[Evidence, ...] = ()
    stamps: tuple[Evidence, ...] = ()


def read_code(root: Path, files: tuple[Path, ...]) -> CodeClues:
    """One pass over ``files``: each is read once, and parsed only when its bytes can hold what is looked for."""
    urls: list[tuple[Path, source.UrlClue]] = []
    conventions: list[ConventionFound] = []
    create_all: list[Evidence] = []
    stamps: list[Evidence] = []
    for path in files:
        data = reading.read_bytes(path)
        if data is None or len(data) > MAX_CODE_BYTES:
            continue
        # Plain substring tests first: they cost little next to a regular expression over a large file.
        wants_urls = source.may_hold_url(data) or b"drivername" in data
        wants_convention = b"naming_convention" in data
        wants_create_all = b"create_all" in data
        wants_stamp = b"stamp" in data and source.STAMP_NEEDLE.search(data) is not None
        if not (wants_urls or wants_convention or wants_create_all or wants_stamp):
            continue
        tree = reading.parse_python(path, MAX_CODE_BYTES)
        if tree is None:
            continue
        where = shown(path, root)
        if wants_urls:
            urls += [(path, clue) for clue in source.url_clues(tree)]
        if wants_convention:
            conventions += [ConventionFound(path, clue) for clue in source.naming_conventions(tree)]
        if wants_create_all:
            create_all += [Evidence("create_all()", f"{where}:{line}") for line in source.create_all_lines(tree)]
        if wants_stamp:
            stamps += [Evidence("alembic stamp", f"{where}:{line}") for line in source.stamp_lines(tree)]
    return CodeClues(tuple(urls), tuple(conventions), tuple(create_all), tuple(stamps))


def test_files(root: Path) -> tuple[Path, ...]:
    """The project's database test modules (``test_*.py``, ``*_test.py`` named for migrations, upgrades, the
    database or its schema): in ``tests/`` or ``test/`` at the root and in ``src/``, and in the test folders of its
    packages; nothing outside a real project root."""
    if not project.is_project_root(root):
        return ()
    found: list[Path] = []
    folders = [root / name for name in ("tests", "test")] + [root / "src" / name for name in ("tests", "test")]
    for name in sorted(project.application_packages(root)):
        folders += [root / name, root / "src" / name]
    for folder in folders:
        if not _walk(folder, _TEST_SKIP_FOLDERS, _database_test_module, found, MAX_TEST_FILES):
            break
    return tuple(dict.fromkeys(found))[:MAX_TEST_FILES]


def migration_test_clues(files: tuple[Path, ...]) -> tuple[tuple[Path, source.UrlClue], ...]:
    """What the test modules that exercise the database (they name Alembic, migrations or upgrades) say about the
    databases they run on: the project's own tests are where it says which databases it supports."""
    found: list[tuple[Path, source.UrlClue]] = []
    for path in files:
        data = reading.read_bytes(path)
        if data is None or len(data) > MAX_CODE_BYTES:
            continue
        lowered = data.lower()
        if not any(word in lowered for word in _MIGRATION_TEST_WORDS):
            continue
        if not any(word in lowered for word in _SERVER_DATABASE_WORDS):
            continue
        try:
            tree = ast.parse(data)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        found += [(path, clue) for clue in source.tested_dialects(tree)]
    return tuple(found)


def _documents(root: Path) -> list[Path]:
    """README files, the docs folder and the scripts a project runs (shell scripts, Makefile, Dockerfile…)."""
    found = [
        root / entry.name
        for entry in reading.list_dir(root)
        if entry.name.lower().startswith(("readme", "install", "dockerfile", "docker-compose", "compose"))
        or entry.name.endswith((".sh", ".bash"))
        or entry.name in _DOCUMENT_NAMES
    ]
    for folder in ("docs", "doc", *_SCRIPT_FOLDERS):
        for current, folders, files in os.walk(root / folder):
            folders[:] = sorted(name for name in folders if not name.startswith(".") and name != "_build")
            found += [
                Path(current) / name
                for name in sorted(files)
                if name.endswith(_DOCUMENT_SUFFIXES) or name in _DOCUMENT_NAMES or "." not in name
            ]
            if len(found) >= MAX_DOCUMENTS:
                break
    return found[:MAX_DOCUMENTS]


def documented_stamps(root: Path) -> tuple[Evidence, ...]:
    """``alembic stamp`` (``flask db stamp``…) in the project's documents and scripts."""
    if not project.is_project_root(root):
        return ()
    found: list[Evidence] = []
    for path in _documents(root):
        data = reading.read_bytes(path)
        if data is None or len(data) > MAX_CODE_BYTES or b"stamp" not in data:
            continue
        for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
            match = _STAMP_TEXT.search(line)
            if match:
                found.append(Evidence(match.group(0).strip(), f"{shown(path, root)}:{number}"))
                break  # one line per document is evidence enough
    return tuple(found)


# --------------------------------------------------------------------------------------------------
# env.py
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnvPyReading:
    """What an environment's env.py says, and the project modules it imports."""

    path: Path
    urls: tuple[source.UrlClue, ...]
    conventions: tuple[source.ConventionClue, ...]
    autocommit_line: int | None
    creates_engine: bool
    per_migration: tuple[bool, int] | None
    imports: tuple[tuple[Path, tuple[str, ...]], ...]
    """Each project file env.py imports from, with the names it takes (``from app.db import engine``)."""
    ini_url_bypass_line: int | None = None
    """Where env.py takes its database from the application instead of alembic.ini (``source.ini_url_bypass_line``)."""


def read_env_py(env_py: Path, root: Path) -> EnvPyReading | None:
    """env.py parsed (never run); None when it is missing or does not parse."""
    tree = reading.parse_python(env_py)
    if tree is None:
        return None
    bases = tuple(dict.fromkeys((root, root / "src", env_py.parent)))
    imports = [
        (path, names)
        for module, names in source.imported_modules(tree)
        if module.split(".")[0] not in _LIBRARIES
        for path in resolve_import(module, names, bases)
        if path != env_py
    ]
    return EnvPyReading(
        env_py,
        tuple(source.url_clues(tree)),
        tuple(source.naming_conventions(tree)),
        project.autocommit_line(tree),
        source.creates_engine(tree),
        source.transaction_per_migration(tree),
        tuple(imports),
        source.ini_url_bypass_line(tree),
    )
