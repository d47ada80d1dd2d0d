"""The two ends of each foreign key, with their types from this file or the replay: shared by ALM004 and
ALM018."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...names import Identifiers
from ...parse.records import ForeignKeySpec, Operation
from ...schema import Snapshot
from ...types import TypeRef
from ..base import RuleContext


@dataclass(frozen=True)
class Pair:
    """One column of a foreign key with both ends' types known."""

    key: ForeignKeySpec
    table: str | None
    child: str | None
    child_type: TypeRef
    parent_table: str
    parent: str | None
    parent_type: TypeRef
    dialects: frozenset[str]


def pairs(context: RuleContext) -> Iterator[Pair]:
    """Foreign keys whose two ends have known types: from this file, else from the replay of earlier revisions."""
    operations = context.operations()
    if not any(op.foreign_keys or any(column.foreign_keys for column in op.columns) for op in operations):
        return
    # Names are compared as the replay compares them, in this file as in the earlier revisions.
    ids = Identifiers.on(context.replay_targets)

    def column_key(name: str | None) -> str:
        return ids.python(name, "column") or ""

    tables: dict[str, dict[str, TypeRef]] = {}
    added: dict[str, dict[str, TypeRef]] = {}
    for operation in operations:
        table = ids.python(operation.table)
        if operation.phase == "downgrade" or table is None:
            continue
        if operation.name == "create_table":
            tables[table] = {column_key(c.name): c.type for c in operation.columns if c.name}
        elif operation.name == "add_column":
            for column in operation.columns:
                if column.name:
                    added.setdefault(table, {})[column_key(column.name)] = column.type
    before = context.schema_before
    if before is not None and (before.open_world or changes_types_unreadably(operations)):
        before = None  # earlier types cannot be trusted: an unknown change may have retyped any column
    retyped = retyped_here(operations, ids)
    known: dict[tuple[str, str | None], dict[str, TypeRef]] = {}

    def types_of(engine: str, name: str | None) -> dict[str, TypeRef]:
        """A table's column types (built once per table: a file may hold thousands of foreign keys)."""
        key = (engine, name)
        if key not in known:
            earlier = {} if name in retyped else replayed(before, engine, name)
            known[key] = {**earlier, **added.get(name or "", {}), **tables.get(name or "", {})}
        return known[key]

    for operation in operations:
        if operation.phase == "downgrade" or not (
            operation.foreign_keys or any(column.foreign_keys for column in operation.columns)
        ):
            continue
        table = ids.python(operation.table)
        local = types_of(operation.engine, table)
        own = {column_key(c.name): c.type for c in operation.columns if c.name}
        keys = [key for column in operation.columns for key in column.foreign_keys] + list(operation.foreign_keys)
        for key in keys:
            parent_table = ids.python(key.ref_table)
            if parent_table is None or len(key.columns) != len(key.ref_columns):
                continue
            parents = types_of(operation.engine, parent_table)
            for child, parent in zip(key.columns, key.ref_columns):
                child_type = own.get(column_key(child)) or local.get(column_key(child))
                parent_type = parents.get(column_key(parent))
                if child_type is not None and parent_type is not None:
                    yield Pair(
                        key,
                        table,
                        child,
                        child_type,
                        parent_table,
                        parent,
                        parent_type,
                        context.reachable(operation.dialects),
                    )


def retyped_here(operations: tuple[Operation, ...], ids: Identifiers) -> set[str | None]:
    """Tables whose column types this revision changes (its checks do not know the order of changes)."""
    retyped: set[str | None] = set()
    for operation in operations:
        if operation.phase != "upgrade":
            continue
        if operation.name == "alter_column" and (operation.type_ is not None or operation.new_name):
            retyped.add(ids.python(operation.table))
        for statement in operation.statements("ALTER"):
            if statement.verb == "ALTER" and statement.object_kind == "TABLE":
                retyped.add(ids.sql(statement.table or (statement.names[0] if statement.names else None)))
    return retyped


def changes_types_unreadably(operations: tuple[Operation, ...]) -> bool:
    """SQL that cannot be read may retype any column."""
    return any(op.name in ("execute", "exec_driver_sql") and op.sql_text is None for op in operations)


def replayed(before: Snapshot | None, engine: str, table: str | None) -> dict[str, TypeRef]:
    """Column types of a table as the replay of earlier revisions knows it (nothing for uncertain tables)."""
    if before is None or table is None:
        return {}
    state = before.certain_table((engine, table))
    return {name: column.type for name, column in state.columns.items()} if state is not None else {}
