"""What the names of a migration module refer to: imports, aliases and literal values.

Everything here is iterative or depth-bounded: a migration may hold 3,000-deep expressions.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final, Union

MAX_CHAIN: Final = 64
"""Longest attribute chain (``a.b.c…``) that is resolved; longer ones are unknown."""


@dataclass(frozen=True)
class ImportRecord:
    """One imported name: ``import a.b as c`` or ``from a import b as c``."""

    module: str
    """The module imported from (``a.b`` for both forms; relative imports keep their dots)."""
    name: str | None
    """The imported name for ``from`` imports, else None."""
    bound: str
    """The local name it binds."""
    line: int
    col: int

    @property
    def qualified(self) -> str:
        """The dotted path the bound name stands for."""
        if self.name is None:
            return self.module
        return f"{self.module}.{self.name}" if self.module else self.name


_BLOCKS: Final = ("body", "orelse", "finalbody")


def import_records(node: ast.Import | ast.ImportFrom) -> list[ImportRecord]:
    """The names one import statement binds."""
    records: list[ImportRecord] = []
    if isinstance(node, ast.Import):
        for alias in node.names:
            bound = alias.asname or alias.name.split(".")[0]
            module = alias.name if alias.asname else alias.name.split(".")[0]
            records.append(ImportRecord(module, None, bound, node.lineno, node.col_offset))
            if not alias.asname and "." in alias.name:
                # ``import a.b`` binds ``a`` but also imports ``a.b``: keep the full path for rules.
                records.append(ImportRecord(alias.name, None, "", node.lineno, node.col_offset))
    else:
        module = "." * node.level + (node.module or "")
        for alias in node.names:
            records.append(ImportRecord(module, alias.name, alias.asname or alias.name, node.lineno, node.col_offset))
    return records


def collect_imports(body: list[ast.stmt]) -> tuple[ImportRecord, ...]:
    """The imports of module-level code, including inside module-level ``if``/``try`` blocks.

    Imports inside functions are recorded by the walker, which visits those statements anyway.
    """
    records: list[ImportRecord] = []
    stack: list[ast.stmt] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            records.extend(import_records(node))
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            children: list[ast.stmt] = []
            for block in _BLOCKS:
                children.extend(getattr(node, block, ()))
            for handler in getattr(node, "handlers", ()):
                children.extend(handler.body)
            for case in getattr(node, "cases", ()):
                children.extend(case.body)
            stack.extend(reversed(children))
    return tuple(records)


def alias_map(imports: tuple[ImportRecord, ...]) -> dict[str, str]:
    """Local name → dotted path, for names bound by imports."""
    return {record.bound: record.qualified for record in imports if record.bound}


def dotted_parts(node: ast.expr) -> list[str] | None:
    """``a.b.c`` → ["a", "b", "c"]; None for anything that is not a plain name chain."""
    parts: list[str] = []
    current: ast.expr = node
    for _ in range(MAX_CHAIN):
        if isinstance(current, ast.Attribute):
            parts.append(current.attr)
            current = current.value
        elif isinstance(current, ast.Name):
            parts.append(current.id)
            parts.reverse()
            return parts
        else:
            return None
    return None


def qualify(node: ast.expr, aliases: Mapping[str, str]) -> str | None:
    """The fully qualified dotted name an expression refers to, through the file's imports."""
    parts = dotted_parts(node)
    if not parts or parts[0] not in aliases:
        return None
    return ".".join([aliases[parts[0]], *parts[1:]])


def call_name(node: ast.Call) -> str | None:
    """The last name of the called function: ``x.y.has_table(...)`` → ``has_table``."""
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


class Unknown:
    """The value of an expression the engine cannot know statically."""

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN: Final = Unknown()

Literal = Union[str, int, float, bool, None, tuple["Literal", ...], Unknown]
"""A statically known Python value, or UNKNOWN."""

MAX_LITERAL_ITEMS: Final = 256


def revision_ids(value: Literal) -> tuple[str, ...] | None:
    """Revision ids as Alembic reads a ``down_revision``/``depends_on``/``branch_labels`` value: None → (),
    a string → (it,), a tuple of strings → that; None when the value is not readable."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, tuple) and all(isinstance(item, str) for item in value):
        return tuple(item for item in value if isinstance(item, str))
    return None


def literal(node: ast.expr | None, env: Mapping[str, Literal]) -> Literal:
    """The value of a literal expression (constants, names bound to literals, tuples, ``op.f("x")``, ``"a" + "b"``).

    Anything else is UNKNOWN. Bounded: long or deep expressions are UNKNOWN rather than recursed into.
    """
    return _literal(node, env, 0)


def _literal(node: ast.expr | None, env: Mapping[str, Literal], depth: int) -> Literal:
    if node is None or depth > 20:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        value = node.value
        if value is None or isinstance(value, (str, bool, int, float)):
            return value
        return UNKNOWN
    if isinstance(node, ast.Name):
        return env.get(node.id, UNKNOWN)
    if isinstance(node, (ast.Tuple, ast.List)):
        if len(node.elts) > MAX_LITERAL_ITEMS:
            return UNKNOWN
        return tuple(_literal(item, env, depth + 1) for item in node.elts)
    if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
        # op.f("name") keeps its literal argument; conv()/quoted_name() likewise.
        if call_name(node) in ("f", "conv", "quoted_name"):
            return _literal(node.args[0], env, depth + 1)
        return UNKNOWN
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _literal(node.left, env, depth + 1)
        right = _literal(node.right, env, depth + 1)
        if isinstance(left, str) and isinstance(right, str):
            return left + right
        return UNKNOWN
    if isinstance(node, ast.JoinedStr):
        pieces: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces.append(part.value)
            elif isinstance(part, ast.FormattedValue):
                inner = _literal(part.value, env, depth + 1)
                if not isinstance(inner, (str, int)) or part.format_spec is not None:
                    return UNKNOWN
                pieces.append(str(inner))
            else:
                return UNKNOWN
        return "".join(pieces)
    return UNKNOWN


def string_with_holes(node: ast.expr, env: Mapping[str, Literal], hole: str) -> str | None:
    """The text of a string literal or f-string, with ``hole`` for each part that is not known."""
    value = literal(node, env)
    if isinstance(value, str):
        return value
    if isinstance(node, ast.JoinedStr):
        pieces: list[str] = []
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                pieces.append(part.value)
            else:
                known = literal(part.value, env) if isinstance(part, ast.FormattedValue) else UNKNOWN
                pieces.append(str(known) if isinstance(known, (str, int)) else hole)
        return "".join(pieces)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        left = literal(node.left, env)
        if isinstance(left, str):
            return left
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
        and isinstance(node.func.value, ast.Constant)
        and isinstance(node.func.value.value, str)
    ):
        return node.func.value.value
    return None
