"""What a Python module of the project says about the project, read from its syntax tree (never imported or run):
the database URLs it spells, the naming convention it gives ``MetaData``, whether it calls ``create_all`` and
Alembic's ``stamp``, how env.py configures its transactions, and what it imports.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from .. import project
from ..dialects import CODE_WORDS, URL_SCHEMES
from .records import CONSTRAINT_KINDS

_SCHEME_BEFORE: Final = re.compile(rb"(?:postgres|postgresql|psycopg2?|mysql|mariadb|sqlite|mssql|oracle)(?:\+\w+)?$")
_URL_IN_TEXT: Final = re.compile(r"^\s*([A-Za-z][A-Za-z0-9+.-]*)://")
_SERVER_WORD: Final = re.compile(r"(?i)postgres(?:ql)?|mysql|mariadb")
"""The server databases a test class or fixture is named after (``TestMigrationsPostgreSQL``,
``MySQLOpportunisticFixture``); SQLite is left out, as ``sqlite3`` names a module, not a target."""
_CONVENTION_CLASSES: Final = {
    "ForeignKeyConstraint": "fk",
    "UniqueConstraint": "uq",
    "CheckConstraint": "ck",
    "PrimaryKeyConstraint": "pk",
    "Index": "ix",
}
"""SQLAlchemy accepts a constraint class as a naming-convention key instead of its short name."""
_ENGINE_FACTORIES: Final = frozenset(
    {"create_engine", "engine_from_config", "create_async_engine", "async_engine_from_config"}
)


def may_hold_url(data: bytes) -> bool:
    """Whether a file's bytes may spell a database URL (a scheme before ``://``): a file without one is not parsed
    for URLs. Each ``://`` is checked by the few bytes before it, which costs far less than one case-insensitive
    search of a large file."""
    start = data.find(b"://")
    while start != -1:
        if _SCHEME_BEFORE.search(data[max(0, start - 24) : start].lower()):
            return True
        start = data.find(b"://", start + 3)
    return False


@dataclass(frozen=True)
class UrlClue:
    line: int
    url: str
    dialect: str


@dataclass(frozen=True)
class ConventionClue:
    line: int
    templates: tuple[tuple[str, str | None], ...]
    complete: bool


def _callee(node: ast.Call) -> str | None:
    function = node.func
    if isinstance(function, ast.Name):
        return function.id
    if isinstance(function, ast.Attribute):
        return function.attr
    return None


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of string statements (docstrings and other bare strings): prose, not configuration."""
    return {
        id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }


def _scheme_dialect(text: str) -> str | None:
    """``postgresql+asyncpg`` (a drivername) → postgresql."""
    return URL_SCHEMES.get(text.strip().lower().split("+", 1)[0])


def url_clues(tree: ast.Module) -> list[UrlClue]:
    """Database URLs the module spells: string literals (an f-string's literal head too) that start with a known
    scheme (``"sqlite:///app.db"``, ``f"postgresql+asyncpg://{user}@…"``, an ``os.environ.get("X", "mysql://…")``
    default), and ``URL.create("postgresql+psycopg2", …)`` / ``drivername=`` arguments. Docstrings are prose, and
    placeholders (``driver://``) name nothing."""
    prose = _docstrings(tree)
    found: list[UrlClue] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            found += _drivername_clues(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in prose:
            dialect = project.url_dialect(node.value) if _URL_IN_TEXT.match(node.value) else None
            if dialect is not None:
                found.append(UrlClue(node.lineno, node.value.strip().split("\n", 1)[0][:80], dialect))
    return found


def tested_dialects(tree: ast.Module) -> list[UrlClue]:
    """The databases a test module runs its database tests on: the URLs it spells, the test classes and fixtures
    it names after a server database (``class TestMigrationsPostgreSQL``, ``PostgresqlOpportunisticFixture``: a
    CamelCase name, never a ``sqlite3``-like module), and comparisons with a database's name (``"postgres" in
    db_url``, ``engine.name == "mysql"``). Prose (docstrings, comments) names nothing."""
    found = url_clues(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            found += _named_after(node.name, node.lineno)
        elif isinstance(node, ast.Name) and node.id[:1].isupper():
            found += _named_after(node.id, node.lineno)
        elif isinstance(node, ast.Attribute) and node.attr[:1].isupper():
            found += _named_after(node.attr, node.lineno)
        elif isinstance(node, ast.Compare):
            found += _compared_names(node)
    return found


def _named_after(name: str, line: int) -> list[UrlClue]:
    match = _SERVER_WORD.search(name)
    if match is None:
        return []
    return [UrlClue(line, name, dialect) for dialect in sorted(CODE_WORDS[match.group().lower()])]


def _compared_names(node: ast.Compare) -> list[UrlClue]:
    """``"postgres" in url`` and ``name == "mysql"``: a string constant that is exactly a database's word."""
    found: list[UrlClue] = []
    for operand in (node.left, *node.comparators):
        if isinstance(operand, ast.Constant) and isinstance(operand.value, str):
            word = operand.value.strip().lower()
            found += [
                UrlClue(node.lineno, repr(operand.value), dialect) for dialect in sorted(CODE_WORDS.get(word, ()))
            ]
    return found


def _drivername_clues(node: ast.Call) -> list[UrlClue]:
    values = [keyword.value for keyword in node.keywords if keyword.arg == "drivername"]
    function = node.func
    receiver = function.value if isinstance(function, ast.Attribute) and function.attr == "create" else None
    if isinstance(receiver, ast.Name) and receiver.id == "URL" and node.args:
        values.append(node.args[0])
    found = []
    for value in values:
        if isinstance(value, ast.Constant) and isinstance(value.value, str):
            dialect = _scheme_dialect(value.value)
            if dialect is not None:
                found.append(UrlClue(node.lineno, f"drivername {value.value!r}", dialect))
    return found


# --------------------------------------------------------------------------------------------------
# Naming conventions
# --------------------------------------------------------------------------------------------------


def _module_values(tree: ast.Module) -> dict[str, ast.expr]:
    """Module-level names bound exactly once (``CONVENTION = {...}``)."""
    bound: dict[str, list[ast.expr]] = {}
    for statement in tree.body:
        if isinstance(statement, ast.Assign):
            targets, value = statement.targets, statement.value
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            targets, value = [statement.target], statement.value
        else:
            continue
        for target in targets:
            if isinstance(target, ast.Name):
                bound.setdefault(target.id, []).append(value)
    return {name: values[0] for name, values in bound.items() if len(values) == 1}


def _convention_key(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Attribute):
        return _CONVENTION_CLASSES.get(node.attr)
    if isinstance(node, ast.Name):
        return _CONVENTION_CLASSES.get(node.id)
    return None


def _read_convention(node: ast.expr, names: dict[str, ast.expr]) -> tuple[tuple[tuple[str, str | None], ...], bool]:
    """(templates by kind, read in full) of a naming-convention value: a dict display, ``dict(fk=...)``, or a name
    bound once to one in the same module."""
    if isinstance(node, ast.Name) and node.id in names:
        node = names[node.id]
    pairs: list[tuple[ast.expr | None, ast.expr]] = []
    if isinstance(node, ast.Dict):
        pairs = list(zip(node.keys, node.values))
    elif isinstance(node, ast.Call) and _callee(node) == "dict" and not node.args:
        pairs = [(ast.Constant(keyword.arg) if keyword.arg else None, keyword.value) for keyword in node.keywords]
    else:
        return (), False
    templates: dict[str, str | None] = {}
    complete = True
    for key_node, value in pairs:
        key = _convention_key(key_node)
        if key is None:
            complete = False  # a **spread, or a key built at run time
            continue
        if key in CONSTRAINT_KINDS:
            literal = value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None
            templates[key] = literal
    return tuple(sorted(templates.items())), complete


def naming_conventions(tree: ast.Module) -> list[ConventionClue]:
    """``MetaData(naming_convention=...)`` calls (any spelling: ``sa.MetaData``, inside ``declarative_base(...)``
    or a ``DeclarativeBase`` class body) and ``<metadata>.naming_convention = {...}`` assignments."""
    names = _module_values(tree)
    found: list[ConventionClue] = []
    for node in ast.walk(tree):
        value: ast.expr | None = None
        if isinstance(node, ast.Call) and _callee(node) == "MetaData":
            value = next((keyword.value for keyword in node.keywords if keyword.arg == "naming_convention"), None)
        elif isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Attribute) and target.attr == "naming_convention" for target in node.targets
        ):
            value = node.value
        if value is not None:
            templates, complete = _read_convention(value, names)
            found.append(ConventionClue(getattr(node, "lineno", 0), templates, complete))
    return sorted(found, key=lambda clue: clue.line)


# --------------------------------------------------------------------------------------------------
# create_all, stamp, engines and transactions
# --------------------------------------------------------------------------------------------------


def create_all_lines(tree: ast.Module) -> list[int]:
    """Calls of ``<metadata>.create_all(...)`` / ``db.create_all()``: the schema built from the models."""
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "create_all"
    ]


STAMP_NEEDLE: Final = re.compile(rb"\bstamp\b")
"""Bytes that may call Alembic's ``stamp`` (not ``timestamp``): a file without them is not parsed for it."""


def _calls_stamp(function: ast.expr) -> bool | None:
    """True for ``command.stamp(...)``; None for a bare ``stamp(...)`` (Alembic's only if imported from it)."""
    if isinstance(function, ast.Attribute):
        return function.attr == "stamp" and "command" in ast.unparse(function.value)
    return None if isinstance(function, ast.Name) and function.id == "stamp" else False


def _imports_stamp(node: ast.ImportFrom) -> bool:
    """``from alembic.command import stamp`` / ``from flask_migrate import stamp``."""
    package = (node.module or "").split(".")[0]
    return package in ("alembic", "flask_migrate") and any(alias.name == "stamp" for alias in node.names)


def stamp_lines(tree: ast.Module) -> list[int]:
    """Alembic's ``stamp``: ``command.stamp(config, "head")``, a ``stamp`` imported from ``alembic.command`` or
    ``flask_migrate``, or ``["alembic", "stamp", "head"]`` given to a subprocess."""
    found: list[int] = []
    bare: list[int] = []
    imported = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            calls = _calls_stamp(node.func)
            if calls:
                found.append(node.lineno)
            elif calls is None:
                bare.append(node.lineno)
        elif isinstance(node, ast.ImportFrom):
            imported = imported or _imports_stamp(node)
        elif isinstance(node, (ast.List, ast.Tuple)):
            words = {item.value for item in node.elts if isinstance(item, ast.Constant) and isinstance(item.value, str)}
            if "stamp" in words and words & {"alembic", "db"}:
                found.append(node.lineno)
    return sorted(found + bare) if imported else found


def creates_engine(tree: ast.Module) -> bool:
    """Whether the module makes its own engine (``create_engine``, ``engine_from_config``, their async forms)."""
    return any(isinstance(node, ast.Call) and _callee(node) in _ENGINE_FACTORIES for node in ast.walk(tree))


def transaction_per_migration(tree: ast.Module) -> tuple[bool, int] | None:
    """``context.configure(..., transaction_per_migration=True)`` (or the key in a dict of configure arguments): its
    value and line; None when the module never sets it."""
    for node in ast.walk(tree):
        pairs: list[tuple[str | None, ast.expr]] = []
        if isinstance(node, ast.Call):
            pairs = [(keyword.arg, keyword.value) for keyword in node.keywords]
        elif isinstance(node, ast.Dict):
            pairs = [
                (key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None, value)
                for key, value in zip(node.keys, node.values)
            ]
        for key, value in pairs:
            if key == "transaction_per_migration":
                literal = value.value if isinstance(value, ast.Constant) else None
                return (literal is True, value.lineno) if isinstance(literal, bool) else None
    return None


_HANDED_IN_KEYS: Final = frozenset({"connection", "connectable", "engine"})
_ENVIRONMENT_READERS: Final = frozenset({"environ", "getenv"})


def _is_attributes(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "attributes"


def _handed_in_key(node: ast.AST) -> bool:
    """``config.attributes.get("connection")`` or ``config.attributes["connection"]``."""
    key: ast.expr | None = None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get" and node.args:
        key = node.args[0] if _is_attributes(node.func.value) else None
    elif isinstance(node, ast.Subscript) and _is_attributes(node.value):
        key = node.slice
    return isinstance(key, ast.Constant) and key.value in _HANDED_IN_KEYS


def _overrides_ini_url(node: ast.AST) -> bool:
    """``config.set_main_option("sqlalchemy.url", value)`` (or ``set_section_option(section, "sqlalchemy.url",
    value)``) with a value the application computes (not a literal, not the process environment)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
        return False
    position = {"set_main_option": 0, "set_section_option": 1}.get(node.func.attr)
    if position is None or len(node.args) < position + 2:
        return False
    key, value = node.args[position], node.args[position + 1]
    if not (isinstance(key, ast.Constant) and key.value == "sqlalchemy.url") or isinstance(value, ast.Constant):
        return False
    # A URL from the process environment comes from the deployment, which the project does not show: alembic.ini's
    # URL stays its word on the database. A value from the application's settings is the application's word.
    return not any(
        (isinstance(part, ast.Name) and part.id in _ENVIRONMENT_READERS)
        or (isinstance(part, ast.Attribute) and part.attr in _ENVIRONMENT_READERS)
        for part in ast.walk(value)
    )


def ini_url_bypass_line(tree: ast.Module) -> int | None:
    """Where env.py takes the database from the application instead of alembic.ini's ``sqlalchemy.url``: it prefers
    a connection the application hands in (``config.attributes.get("connection")``, Alembic's connection-sharing
    recipe) or replaces the URL with the application's (``config.set_main_option("sqlalchemy.url", settings.url)``);
    None when it does neither. alembic.ini's URL is then a fallback for running ``alembic`` by hand, and what the
    application says of its database outweighs it."""
    lines = [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, (ast.Call, ast.Subscript)) and (_handed_in_key(node) or _overrides_ini_url(node))
    ]
    return min(lines) if lines else None


def imported_modules(tree: ast.Module) -> Iterator[tuple[str, tuple[str, ...]]]:
    """``from a.b import c, d`` → ("a.b", ("c", "d")); ``import a.b`` → ("a.b", ()). Relative imports are left out:
    env.py is not a package module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            yield node.module, tuple(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, ()
