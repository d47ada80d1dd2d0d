"""Where an ``env.py`` takes its database from, read statically (``ast``) before ``verify`` runs anything.

``verify`` hands the database it verifies to Alembic the two ways the Alembic cookbook describes: the URL as the
``sqlalchemy.url`` option of the ``Config``, and an open connection in ``config.attributes["connection"]``. An
``env.py`` that builds its engine from anything else (an environment variable, the application's settings, a
hard-coded URL) would migrate *that* database instead, so ``verify`` refuses it before running anything. The reading
is conservative: an engine built from a source it cannot trace back to the config counts as foreign.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

CONFIG: Final = "config"
SHARED: Final = "shared connection"
ENVIRONMENT: Final = "an environment variable"
LITERAL: Final = "a hard-coded URL"
APPLICATION: Final = "the application"
UNKNOWN: Final = "an expression flake8-alembic cannot trace"

_CONFIG_READERS: Final = frozenset({"get_main_option", "get_section", "get_section_option", "get_alembic_option"})
_ENGINE_MAKERS: Final = frozenset(
    {"create_engine", "create_async_engine", "engine_from_config", "async_engine_from_config"}
)
_LIBRARIES: Final = ("alembic", "sqlalchemy", "logging", "os", "sys", "typing", "asyncio", "__future__", "pathlib")
_MAX_DEPTH: Final = 8

HOW_TO_WIRE: Final = (
    "make env.py use the connection Alembic's Config carries (`connection = config.attributes.get('connection')`, "
    "the cookbook's 'Sharing a Connection') or build its engine from `config.get_main_option('sqlalchemy.url')`, "
    "or run the history with Alembic's generic env.py: --env-py generic"
)


@dataclass(frozen=True)
class ForeignSource:
    """An engine (or URL override) whose database does not come from the config."""

    line: int
    source: str
    """What it comes from: ``ENVIRONMENT``, ``LITERAL``, ``APPLICATION`` or ``UNKNOWN``."""
    code: str
    """The expression, as written."""


@dataclass(frozen=True)
class EnvWiring:
    """How an env.py connects, and the options of ``context.configure`` that ``--env-py generic`` must repeat."""

    path: Path
    shared_connection: bool
    """Reads ``config.attributes["connection"]``."""
    config_engines: int
    """Engines built from ``sqlalchemy.url`` / the ini section."""
    foreign: tuple[ForeignSource, ...]
    render_as_batch: bool
    version_table: str | None
    error: str | None = None
    """Why the file could not be read."""

    @property
    def refusal(self) -> str | None:
        """Why verify must not run this env.py (None: it connects to the database verify gives it)."""
        where = self.path.name
        if self.error is not None:
            return f"cannot read {where}: {self.error}; {HOW_TO_WIRE}"
        if self.foreign:
            first = self.foreign[0]
            return (
                f"{where}:{first.line} takes its database from {first.source} (`{first.code}`), not from the "
                f"Config verify gives it, so it could migrate another database; {HOW_TO_WIRE}"
            )
        if not self.shared_connection and not self.config_engines:
            return f"cannot see where {where} gets its database (no engine built from the Config); {HOW_TO_WIRE}"
        return None


def read_env_py(path: Path) -> EnvWiring:
    """The wiring of the env.py at ``path``."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError) as error:
        return EnvWiring(path, False, 0, (), False, None, error=str(error))
    sources = _Sources(tree)
    foreign: list[ForeignSource] = []
    config_engines = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _called_name(node.func)
        if name in _ENGINE_MAKERS:
            found = _foreign(sources, node, _first_argument(node, ("url", "configuration")))
            if found is None:
                config_engines += 1
            else:
                foreign.append(found)
        elif name in ("set_main_option", "set_section_option") and _sets_the_url(node):
            found = _foreign(sources, node, node.args[-1] if node.args else None)
            foreign.extend([found] if found is not None else [])
    return EnvWiring(
        path,
        shared_connection=any(_reads_shared_connection(node) for node in ast.walk(tree)),
        config_engines=config_engines,
        foreign=tuple(sorted(foreign, key=lambda item: item.line)),
        render_as_batch=_configure_keyword(tree, "render_as_batch") not in (None, False),
        version_table=_literal_version_table(tree),
    )


def _foreign(sources: _Sources, call: ast.Call, argument: ast.expr | None) -> ForeignSource | None:
    """The source of an engine's URL when it is not the config alone."""
    found = sources.of(argument) if argument is not None else frozenset({UNKNOWN})
    if found and found <= {CONFIG}:
        return None
    ranked = [kind for kind in (ENVIRONMENT, LITERAL, APPLICATION, UNKNOWN) if kind in found] or [UNKNOWN]
    return ForeignSource(call.lineno, ranked[0], _code(call))


def _code(node: ast.AST) -> str:
    text = ast.unparse(node)
    return text if len(text) <= 100 else text[:97] + "..."


def _called_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _first_argument(call: ast.Call, keywords: Iterable[str]) -> ast.expr | None:
    if call.args:
        return call.args[0]
    wanted = set(keywords)
    return next((keyword.value for keyword in call.keywords if keyword.arg in wanted), None)


def _sets_the_url(call: ast.Call) -> bool:
    return any(isinstance(arg, ast.Constant) and arg.value == "sqlalchemy.url" for arg in call.args)


def _is_attributes(node: ast.expr) -> bool:
    """``config.attributes`` / ``context.config.attributes``."""
    return isinstance(node, ast.Attribute) and node.attr == "attributes"


def _reads_shared_connection(node: ast.AST) -> bool:
    """``config.attributes["connection"]`` or ``config.attributes.get("connection")``."""
    if isinstance(node, ast.Subscript) and _is_attributes(node.value):
        key = node.slice
        return isinstance(key, ast.Constant) and key.value == "connection"
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        first = node.args[0] if node.args else None
        is_connection = isinstance(first, ast.Constant) and first.value == "connection"
        return _is_attributes(node.func.value) and is_connection
    return False


def _configure_calls(tree: ast.AST) -> Iterator[ast.Call]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called_name(node.func) == "configure":
            yield node


def _configure_keyword(tree: ast.AST, name: str) -> object:
    """The literal value of a ``context.configure`` keyword (``True`` for a non-literal expression)."""
    for call in _configure_calls(tree):
        for keyword in call.keywords:
            if keyword.arg == name:
                return keyword.value.value if isinstance(keyword.value, ast.Constant) else True
    return None


def _literal_version_table(tree: ast.AST) -> str | None:
    value = _configure_keyword(tree, "version_table")
    return value if isinstance(value, str) else None


class _Sources:
    """Where the value of an expression comes from, following the module's assignments and functions
    (flow-insensitively: every assignment of a name counts)."""

    def __init__(self, tree: ast.Module) -> None:
        self.assigned: dict[str, list[ast.expr]] = {}
        self.functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.application: set[str] = set()
        self.environment: set[str] = set()
        for node in ast.walk(tree):
            self._bind(node)

    def _bind(self, node: ast.AST) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                # `configuration["sqlalchemy.url"] = settings.URL` changes what the dict gives an engine.
                while isinstance(target, ast.Subscript):
                    target = target.value
                if isinstance(target, ast.Name):
                    self.assigned.setdefault(target.id, []).append(node.value)
        elif isinstance(node, (ast.AnnAssign, ast.NamedExpr)) and isinstance(node.target, ast.Name) and node.value:
            self.assigned.setdefault(node.target.id, []).append(node.value)
        elif isinstance(node, (ast.With, ast.AsyncWith)):
            for item in node.items:
                if isinstance(item.optional_vars, ast.Name):
                    self.assigned.setdefault(item.optional_vars.id, []).append(item.context_expr)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.functions[node.name] = node
        elif isinstance(node, ast.ImportFrom):
            names = {alias.asname or alias.name for alias in node.names}
            if node.module == "os":
                self.environment.update(name for name in names if name in ("environ", "getenv"))
            elif node.level or not _is_library(node.module or ""):
                self.application.update(names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if not _is_library(alias.name):
                    self.application.add((alias.asname or alias.name).split(".")[0])

    def of(self, node: ast.expr | None, depth: int = 0) -> frozenset[str]:
        if node is None or depth > _MAX_DEPTH:
            return frozenset({UNKNOWN}) if node is not None else frozenset()
        if isinstance(node, ast.Constant):
            return frozenset({LITERAL}) if isinstance(node.value, str) and "://" in node.value else frozenset()
        if isinstance(node, ast.Name):
            return self._name(node.id, depth)
        if isinstance(node, ast.Call):
            return self._call(node, depth)
        if isinstance(node, ast.Subscript):
            if _is_environ(node.value, self.environment):
                return frozenset({ENVIRONMENT})
            return frozenset({SHARED}) if _reads_shared_connection(node) else self.of(node.value, depth + 1)
        if isinstance(node, ast.Attribute):
            return frozenset({ENVIRONMENT}) if _is_environ(node, self.environment) else self.of(node.value, depth + 1)
        if isinstance(node, ast.Await):
            return self.of(node.value, depth + 1)
        return self._parts(ast.iter_child_nodes(node), depth)

    def _parts(self, nodes: Iterable[ast.AST], depth: int) -> frozenset[str]:
        found: set[str] = set()
        for child in nodes:
            if isinstance(child, ast.expr):
                found |= self.of(child, depth + 1)
            elif isinstance(child, ast.keyword):
                found |= self.of(child.value, depth + 1)
        return frozenset(found)

    def _name(self, name: str, depth: int) -> frozenset[str]:
        if name in ("config", "context"):
            return frozenset()  # the Config object: what it gives counts only through its readers
        if name in self.environment:
            return frozenset({ENVIRONMENT})
        if name in self.application:
            return frozenset({APPLICATION})
        values = self.assigned.get(name)
        if not values:
            return frozenset({UNKNOWN})
        return frozenset().union(*(self.of(value, depth + 1) for value in values))

    def _call(self, call: ast.Call, depth: int) -> frozenset[str]:
        name = _called_name(call.func)
        if name in _CONFIG_READERS:
            return frozenset({CONFIG})
        if name == "getenv" or (name == "get" and _is_environ(_receiver(call.func), self.environment)):
            return frozenset({ENVIRONMENT})
        if _reads_shared_connection(call):
            return frozenset({SHARED})
        if isinstance(call.func, ast.Name) and call.func.id in self.functions:
            function = self.functions[call.func.id]
            returned = [n.value for n in ast.walk(function) if isinstance(n, ast.Return) and n.value is not None]
            return self._parts(returned, depth) or frozenset({UNKNOWN})
        if isinstance(call.func, ast.Name) and call.func.id in self.application:
            return frozenset({APPLICATION})
        receiver = _receiver(call.func)
        found = self._parts([*call.args, *call.keywords], depth)
        if receiver is not None:
            found |= self.of(receiver, depth + 1)
        return found


def _receiver(func: ast.expr) -> ast.expr | None:
    return func.value if isinstance(func, ast.Attribute) else None


def _is_environ(node: ast.expr | None, environment: set[str]) -> bool:
    """``os.environ`` (or ``environ`` imported from os)."""
    if isinstance(node, ast.Attribute):
        return node.attr == "environ"
    return isinstance(node, ast.Name) and node.id in environment and node.id != "getenv"


def _is_library(module: str) -> bool:
    return module.split(".")[0] in _LIBRARIES
