"""What the names of a migration module refer to: imports, aliases and literal values.

Everything here is iterative or depth-bounded: a migration may hold 3,000-deep expressions.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Final, Union

from .dialects import MYSQL, POSTGRESQL

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


# ---------------------------------------------------------------------------------------------- identifiers
_RELATIONS: Final = frozenset({"table", "view", "sequence", "type", "materialized view"})
"""Kinds of objects MySQL stores as files (their names follow the file system's case); columns, indexes and
constraints are compared case-insensitively there."""
_QUOTES: Final = ('"', "`", "[")


@dataclass(frozen=True)
class Identifiers:
    """How the target databases tell two names apart, as a comparison key for each name.

    A name written in Python (``op.create_table("Token")``) keeps its case: SQLAlchemy quotes any name that is not
    all lower case. A name written in SQL keeps its case when quoted (``"Token"``); unquoted, PostgreSQL folds it to
    lower case (``CREATE TABLE Token`` makes ``token``) while MySQL keeps it. PostgreSQL then compares every name
    exactly; MySQL (on Linux) compares table names exactly and column, index and constraint names without case;
    SQLite and the others compare without case. The schema part (``public.x``) is left out, as objects are matched
    within one schema.
    """

    folds_unquoted: bool
    """Unquoted SQL names are folded to lower case before they are compared (PostgreSQL)."""
    relations_case_sensitive: bool
    """Tables (views, sequences, types) whose names differ only by case are different objects."""
    others_case_sensitive: bool
    """Columns, indexes and constraints whose names differ only by case are different objects."""

    @classmethod
    def on(cls, dialects: Collection[str]) -> Identifiers:
        """The comparison of a set of target databases. Where they disagree (PostgreSQL and SQLite), names are
        compared without case: two spellings that are one object somewhere are never told apart."""
        if dialects and all(name in POSTGRESQL for name in dialects):
            return POSTGRESQL_IDENTIFIERS
        if dialects and all(name in MYSQL for name in dialects):
            return MYSQL_IDENTIFIERS
        return FOLDED

    def python(self, name: str | None, kind: str = "table") -> str | None:
        """The key of a name given in Python (an operation's argument, ``sa.Column("x")``)."""
        if name is None:
            return None
        last = _last_part(name)
        body = last[1:-1] if last[:1] in _QUOTES and len(last) >= 2 else last
        return body if self._case_sensitive(kind) else body.lower()

    def sql(self, name: str | None, kind: str = "table") -> str | None:
        """The key of a name written in SQL text, quotes and all (``public."Token"``, ``Token``)."""
        if name is None:
            return None
        last = _last_part(name)
        if last[:1] in _QUOTES and len(last) >= 2:
            body = last[1:-1].replace('""', '"')
        else:
            body = last.lower() if self.folds_unquoted else last
        return body if self._case_sensitive(kind) else body.lower()

    def _case_sensitive(self, kind: str) -> bool:
        return self.relations_case_sensitive if kind in _RELATIONS else self.others_case_sensitive


def _last_part(name: str) -> str:
    """``public."Token"`` → ``"Token"``: the object's own name, without its schema (dots inside quotes kept)."""
    if "." not in name:
        return name
    if name.endswith(_QUOTE_ENDS):
        opening = {'"': '"', "`": "`", "]": "["}[name[-1]]
        start = name.rfind(opening, 0, len(name) - 1)
        if start >= 0:
            return name[start:]
    return name.rsplit(".", 1)[-1]


_QUOTE_ENDS: Final = ('"', "`", "]")

FOLDED: Final = Identifiers(folds_unquoted=True, relations_case_sensitive=False, others_case_sensitive=False)
"""Every name compared without case: SQLite, SQL Server, Oracle as SQLAlchemy spells names, and mixed targets."""
POSTGRESQL_IDENTIFIERS: Final = Identifiers(
    folds_unquoted=True, relations_case_sensitive=True, others_case_sensitive=True
)
MYSQL_IDENTIFIERS: Final = Identifiers(folds_unquoted=False, relations_case_sensitive=True, others_case_sensitive=False)


def norm(name: str | None) -> str | None:
    """``"Public"."Users"`` → ``users``: a name compared without case or quotes, whichever way it was written."""
    return FOLDED.python(name)


POSTGRESQL_NAME_BYTES: Final = 63
"""NAMEDATALEN - 1: PostgreSQL cuts longer identifiers to this many bytes."""


def postgresql_object_name(name1: str, name2: str | None, label: str) -> str:
    """The name PostgreSQL gives an object it names itself (``makeObjectName``): ``name1_name2_label``, cut to 63
    bytes by shortening the longer of the two names first, never inside a character."""
    first, second = name1.encode(), (name2 or "").encode()
    overhead = len(label.encode()) + 1 + (1 if name2 is not None else 0)
    available = POSTGRESQL_NAME_BYTES - overhead
    first_length, second_length = len(first), len(second)
    while first_length + second_length > available and (first_length or second_length):
        if first_length > second_length:
            first_length -= 1
        else:
            second_length -= 1
    parts = [_clip(first, first_length)]
    if name2 is not None:
        parts.append(_clip(second, second_length))
    return "_".join((*parts, label))


def _clip(encoded: bytes, length: int) -> str:
    """The first ``length`` bytes of a UTF-8 name, shortened further to end on a whole character."""
    return encoded[:length].decode("utf-8", errors="ignore")


def unquoted(name: str) -> str:
    """``public."Token"`` → ``public.Token``: a name written in SQL as a message shows it."""
    if '"' not in name:
        return name
    return _QUOTED_PART.sub(lambda match: match.group(1).replace('""', '"'), name)


_QUOTED_PART: Final = re.compile(r'"((?:[^"]|"")*)"')
