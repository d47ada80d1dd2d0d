"""Which line of a revision file a verify result belongs to: the operation behind a divergent object, the
statement a failure passed through, and the static findings the linter reports on that statement.

The replay keeps no source lines, so provenance is recovered from the revision's own operations: the last
upgrade operation that touched the divergent table or column (for a column, the line of its ``sa.Column``). When
none did, the divergence comes from something the replay could not read: SQL built at run time, an unknown
helper. Then the first such operation is blamed, else ``def upgrade``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Settings
from ..effects import norm
from ..engine import ProjectCache, lint_source
from ..parse.module import Migration
from ..parse.records import Operation
from .compare import Divergence
from .expected import upgrade_operations


@dataclass(frozen=True)
class Place:
    line: int
    col: int
    operation: Operation | None = None


def function_line(migration: Migration | None, kind: str) -> Place:
    """``def upgrade`` / ``def downgrade`` (the revision line when absent)."""
    if migration is None:
        return Place(1, 0)
    for function in migration.functions_of(kind):
        if not function.engine:
            return Place(function.line, function.col)
    field_ = migration.fields.get("revision")
    return Place(field_.line, field_.col) if field_ else Place(1, 0)


def divergence_place(migration: Migration | None, divergence: Divergence, dialect: str) -> Place:
    """The operation of the revision's upgrade that made the divergent object (see the module docstring)."""
    if migration is None:
        return Place(1, 0)
    operations = upgrade_operations(migration, dialect)
    for operation in reversed(operations):
        place = _touches(operation, divergence)
        if place is not None:
            return place
    for operation in operations:
        if _opaque(operation):
            return Place(operation.line, operation.col, operation)
    return function_line(migration, "upgrade")


def _touches(operation: Operation, divergence: Divergence) -> Place | None:
    tables = {norm(operation.table), norm(operation.new_name) if operation.name == "rename_table" else None}
    tables |= {norm(s.table) for s in operation.statements("CREATE", "ALTER", "DROP")}
    tables |= {norm(n) for s in operation.statements("CREATE", "ALTER", "DROP") for n in s.names}
    if divergence.table not in tables:
        return None
    column = divergence.column
    if column is None:
        return Place(operation.line, operation.col, operation)
    for spec in operation.columns:
        if norm(spec.name) == column:
            return Place(spec.line, spec.col, operation)
    named = {norm(operation.target), norm(operation.new_name)}
    named |= {norm(a.column) for s in operation.statements("ALTER") for a in s.actions}
    named |= {norm(c) for s in operation.statements("CREATE") for c, _ in s.columns}
    if column in named or operation.name in ("create_table", "drop_table", "rename_table"):
        return Place(operation.line, operation.col, operation)
    return None


def _opaque(operation: Operation) -> bool:
    """SQL the replay cannot read (built at run time), or an operation on a table named by an expression."""
    if operation.name in ("execute", "exec_driver_sql"):
        return operation.sql_text is None and not operation.core_dml
    return not operation.table_known


@dataclass
class StaticFindings:
    """The linter's findings on a revision file, for the dialect verified (preview rules included: a failure
    is worth linking to any rule that predicted it)."""

    dialect: str
    cache: ProjectCache = field(default_factory=ProjectCache)
    _by_path: dict[str, list[tuple[int, str, str]]] = field(default_factory=dict)

    def on_statement(self, path: str, line: int) -> list[str]:
        """``ALMnnn message`` for each finding on the statement holding ``line``."""
        first, last = statement_span(path, line)
        return [f"{code} {message}" for at, code, message in self._findings(path) if first <= at <= last]

    def _findings(self, path: str) -> list[tuple[int, str, str]]:
        if path not in self._by_path:
            settings = Settings(target_dialects=frozenset({self.dialect}), preview=True)
            try:
                result = lint_source(path, Path(path).read_bytes(), settings, self.cache)
            except OSError:
                self._by_path[path] = []
            else:
                found = [(d.line, d.code, d.message) for d in result.diagnostics]
                self._by_path[path] = sorted(found)
        return self._by_path[path]


def statement_span(path: str, line: int) -> tuple[int, int]:
    """The first and last line of the innermost statement of ``path`` holding ``line``."""
    try:
        tree = ast.parse(Path(path).read_bytes())
    except (OSError, SyntaxError, ValueError):
        return line, line
    best = (line, line)
    best_size: int | None = None
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and node.lineno <= line <= (node.end_lineno or node.lineno):
            size = (node.end_lineno or node.lineno) - node.lineno
            if best_size is None or size < best_size:
                best, best_size = (node.lineno, node.end_lineno or node.lineno), size
    return best
