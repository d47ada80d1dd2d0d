"""SQLAlchemy table objects in a migration: the ones it makes DDL from (``Table.create(bind)``,
``Model.__table__.create(bind)``, ``metadata.create_all(bind, tables=[...])``), the tables and columns a Core
statement reads or writes (``t.update().values(a=1)``, ``sa.select(t.c.a)``), and the columns a CHECK condition
reads. Readers only: the call recorder turns what they find into records."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ..names import Literal, call_name, literal
from ..sql import condition_names
from .state import FunctionState

TABLE_CONSTRUCTORS: Final = frozenset({"Table", "table"})
TABLE_DDL: Final = frozenset({"create", "drop"})
METADATA_DDL: Final = {"create_all": "create_table", "drop_all": "drop_table"}
"""``MetaData`` methods that run DDL for the tables listed in ``tables=``, and the operation each one makes."""


@dataclass(frozen=True)
class TableObject:
    """A table object a statement names."""

    name: str | None
    """Its table name; None when it is not in view (``Model.__table__`` of a model whose name is elsewhere)."""
    elements: tuple[ast.expr, ...] | None = None
    """The ``sa.Table(name, metadata, …)`` arguments after the name, when the construction is in view."""


def table_object_name(node: ast.expr, env: Mapping[str, Literal]) -> str | None:
    """The table name of ``sa.table("t", ...)``, ``sa.Table("t", ...)`` or ``op.create_table("t", ...)``."""
    if isinstance(node, ast.Call) and call_name(node) in ("table", "Table", "create_table") and node.args:
        name = literal(node.args[0], env)
        return name if isinstance(name, str) else None
    return None


def remember_definition(
    node: ast.Call, env: Mapping[str, Literal], definitions: dict[str, tuple[ast.expr, ...]]
) -> None:
    """Keep the elements of ``sa.Table("t", metadata, …)`` under its name, for a later ``t.create(bind)``."""
    name = literal(node.args[0], env)
    if isinstance(name, str):
        definitions[name] = tuple(node.args[1:])


def table_object(
    node: ast.expr,
    state: FunctionState,
    module_values: Mapping[str, ast.expr],
    definitions: Mapping[str, tuple[ast.expr, ...]] | None = None,
) -> TableObject | None:
    """The table object an expression is: ``sa.Table("t", …)``, a name bound to one (in the function, with the
    elements its ``definitions`` hold, or at module level), ``metadata.tables["t"]``, or ``Model.__table__``; None
    for anything else. A lightweight ``sa.table()`` has no columns to read: its elements are not in view."""
    if isinstance(node, ast.Call) and call_name(node) in TABLE_CONSTRUCTORS and node.args:
        name = literal(node.args[0], state.env)
        elements = tuple(node.args[1:]) if call_name(node) == "Table" else None
        return TableObject(name if isinstance(name, str) else None, elements)
    if isinstance(node, ast.Name):
        if node.id in state.table_objects:
            name = state.table_objects[node.id]
            return TableObject(name, (definitions or {}).get(name))
        value = module_values.get(node.id)
        if value is not None and node.id not in state.env:
            return table_object(value, state, {})
        return None
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        return TableObject(None)
    if (
        isinstance(node, ast.Subscript)
        and isinstance(node.value, ast.Attribute)
        and node.value.attr == "tables"
        and isinstance(node.slice, ast.Constant)
        and isinstance(node.slice.value, str)
    ):
        return TableObject(node.slice.value)
    return None


def listed_tables(
    call: ast.Call,
    state: FunctionState,
    module_values: Mapping[str, ast.expr],
    definitions: Mapping[str, tuple[ast.expr, ...]] | None = None,
) -> list[TableObject] | None:
    """The tables ``metadata.create_all(bind, tables=[...])`` lists; None when it lists none (then it means every
    table of the metadata) or lists them in a way that cannot be read."""
    listed = next((keyword.value for keyword in call.keywords if keyword.arg == "tables"), None)
    if listed is None and len(call.args) >= 2:
        listed = call.args[1]
    if not isinstance(listed, (ast.List, ast.Tuple)):
        return None
    found = [table_object(item, state, module_values, definitions) for item in listed.elts]
    return [item for item in found if item is not None] if all(found) else None


def core_refs(
    node: ast.expr, state: FunctionState, module_values: Mapping[str, ast.expr]
) -> tuple[tuple[str, str | None], ...]:
    """What a Core statement reads or writes: each table object it names (``(table, None)``), each column it
    reaches through ``t.c.name``, and each column ``.values(name=…)`` sets when it names one table."""
    tables: dict[str, str] = {}
    refs: list[tuple[str, str | None]] = []
    set_columns: list[str] = []
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found = table_object(child, state, module_values)
            if found is not None and found.name is not None:
                tables[child.id] = found.name
        elif isinstance(child, ast.Attribute) and _column_access(child):
            owner = child.value.value  # type: ignore[attr-defined]
            found = table_object(owner, state, module_values)
            if found is not None and found.name is not None:
                refs.append((found.name, child.attr))
        elif isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr == "values":
            set_columns.extend(keyword.arg for keyword in child.keywords if keyword.arg)
    refs.extend((table, None) for table in dict.fromkeys(tables.values()))
    if len(set(tables.values())) == 1:
        (table,) = set(tables.values())
        refs.extend((table, column) for column in set_columns)
    return tuple(dict.fromkeys(refs))


def _column_access(node: ast.Attribute) -> bool:
    """``t.c.name`` / ``t.columns.name``."""
    return (
        isinstance(node.value, ast.Attribute)
        and node.value.attr in ("c", "columns")
        and isinstance(node.value.value, ast.Name)
    )


def condition_columns(node: ast.expr | None, env: Mapping[str, Literal]) -> tuple[str, ...]:
    """The columns a CHECK condition reads: the names in its SQL text, or in the ``sa.column("x")`` and
    ``sa.text("…")`` parts of an expression; () when none can be read."""
    if node is None:
        return ()
    text = literal(node, env)
    if isinstance(text, str):
        return condition_names(text)
    found: list[str] = []
    for child in ast.walk(node):
        if not isinstance(child, ast.Call) or not child.args:
            continue
        argument = literal(child.args[0], env)
        if not isinstance(argument, str):
            continue
        if call_name(child) in ("column", "literal_column"):
            found.append(argument)
        elif call_name(child) == "text":
            found.extend(condition_names(argument))
    return tuple(dict.fromkeys(found))
