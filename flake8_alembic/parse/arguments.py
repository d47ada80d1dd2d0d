"""An operation call's arguments bound to the names of Alembic's parameters (``BoundCall``), the parts every
operation shares read from them (its table, its target's name, the columns it is on), and ``Parts``, what one
kind of operation adds to its record."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from ..names import Literal, call_name, literal
from ..types import TypeRef
from .alembic_api import BATCH_PARAMS, OP_PARAMS, TARGET_PARAMS
from .expressions import string_items
from .records import ColumnSpec, EnumSpec, ForeignKeySpec
from .state import FunctionState
from .table_objects import table_object_name


def bulk_insert_table(node: ast.expr, state: FunctionState) -> str | None:
    if isinstance(node, ast.Name):
        return state.table_objects.get(node.id)
    return table_object_name(node, state.env)


@dataclass
class BoundCall:
    """An operation call with its arguments bound to the names of Alembic's parameters."""

    node: ast.Call
    name: str
    arguments: dict[str, ast.expr]
    kwargs: dict[str, Literal]
    env: Mapping[str, Literal]

    def value(self, key: str) -> Literal:
        return literal(self.arguments.get(key), self.env)

    def text(self, key: str) -> tuple[str | None, bool]:
        """(the literal string, whether it could be read): (None, True) when the argument is absent."""
        expression = self.arguments.get(key)
        if expression is None:
            return None, True
        value = literal(expression, self.env)
        return (value, True) if isinstance(value, str) else (None, False)


def bind_arguments(node: ast.Call, name: str, receiver: str, env: Mapping[str, Literal]) -> BoundCall:
    params = BATCH_PARAMS.get(name, ()) if receiver == "batch" else OP_PARAMS.get(name, ("sqltext",))
    if receiver == "bind":
        params = ("sqltext",)
    arguments: dict[str, ast.expr] = {}
    for index, argument in enumerate(node.args):
        if isinstance(argument, ast.Starred):
            break
        if index < len(params):
            arguments[params[index]] = argument
    kwargs: dict[str, Literal] = {}
    for keyword in node.keywords:
        if keyword.arg is None:
            continue
        arguments.setdefault(keyword.arg, keyword.value)
        kwargs[keyword.arg] = literal(keyword.value, env)
    return BoundCall(node, name, arguments, kwargs, env)


WITHOUT_TABLE: Final = frozenset({"execute", "exec_driver_sql", "bulk_insert"})
"""Operations that name no table by a parameter: not knowing one is no loss."""


def table_part(call: BoundCall, state: FunctionState) -> tuple[str | None, str | None, bool]:
    """(table, schema, whether the table could be read) of an ``op`` call."""
    name = call.name
    table_key = next((key for key in ("table_name", "source_table", "old_table_name") if key in call.arguments), None)
    table, table_known = call.text(table_key) if table_key else (None, name in WITHOUT_TABLE)
    if name == "bulk_insert" and "table" in call.arguments:
        table = bulk_insert_table(call.arguments["table"], state)
    schema = call.kwargs.get("schema", call.kwargs.get("source_schema"))
    return table, schema if isinstance(schema, str) else None, table_known


def index_columns(call: BoundCall, parts: Parts) -> tuple[str | None, ...]:
    if parts.index_columns is not None:
        return parts.index_columns
    return string_items(call.value("columns")) if "columns" in call.arguments else ()


def target_part(call: BoundCall) -> tuple[str | None, bool, ast.expr | None, bool, bool]:
    """(name of the column/index/constraint, whether it could be read, its expression, given as None, wrapped in
    ``op.f()``)."""
    for key in TARGET_PARAMS:
        if key in call.arguments:
            expression = call.arguments[key]
            target, known = call.text(key)
            unnamed = isinstance(expression, ast.Constant) and expression.value is None
            final = isinstance(expression, ast.Call) and call_name(expression) == "f"
            # A literal None is read: the name is the database's (or the naming convention's) choice, not unknown.
            return target, known or unnamed, expression, unnamed, final
    return None, True, None, False, False


@dataclass
class Parts:
    """What one kind of operation adds to its record; ``target`` overrides the name read from the parameters."""

    columns: tuple[ColumnSpec, ...] = ()
    foreign_keys: tuple[ForeignKeySpec, ...] = ()
    target: tuple[str | None, bool] | None = None
    new_name: str | None = None
    type_: TypeRef | None = None
    existing_type: TypeRef | None = None
    enum: EnumSpec | None = None
    existing_enum: EnumSpec | None = None
    sql_text: str | None = None
    plain_string: bool = False
    core_dml: bool = False
    sql_sketch: str | None = None
    core_refs: tuple[tuple[str, str | None], ...] = ()
    index_columns: tuple[str | None, ...] | None = None
    """The columns the object is on, when they are not the ``columns`` parameter (a CHECK condition's)."""
