"""ALM004 foreign-key-type-mismatch: the seed's incident, a VARCHAR(36) column referencing a UUID."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..effects import norm
from ..parse.records import ForeignKeySpec, Operation
from ..schema import Snapshot
from ..types import TypeRef
from .base import MYSQL, Diagnostic, Rule, RuleContext

# Pairs PostgreSQL accepts although the families differ (reference/alembic_facts.md §4.5): an integer child may
# reference a numeric or float parent, numeric a float; dates and timestamps compare with each other.
_ACCEPTED_ACROSS = frozenset(
    {
        ("integer", "numeric"),
        ("integer", "float"),
        ("numeric", "float"),
        ("date", "datetime"),
        ("datetime", "date"),
    }
)


def _mismatch(child: TypeRef, parent: TypeRef) -> bool:
    if "unknown" in (child.family, parent.family):
        return False
    if child.family == parent.family:
        return False
    return (child.family, parent.family) not in _ACCEPTED_ACROSS


@dataclass(frozen=True)
class _Pair:
    """One column of a foreign key with both ends' types known."""

    key: ForeignKeySpec
    table: str | None
    child: str | None
    child_type: TypeRef
    parent_table: str
    parent: str | None
    parent_type: TypeRef
    dialects: frozenset[str]


def _pairs(context: RuleContext) -> Iterator[_Pair]:
    """Foreign keys whose two ends have known types: from this file, else from the replay of earlier revisions."""
    operations = context.operations()
    if not any(op.foreign_keys or any(column.foreign_keys for column in op.columns) for op in operations):
        return
    tables: dict[str, dict[str, TypeRef]] = {}
    added: dict[str, dict[str, TypeRef]] = {}
    for operation in operations:
        table = norm(operation.table)
        if operation.phase == "downgrade" or table is None:
            continue
        if operation.name == "create_table":
            tables[table] = {norm(c.name) or "": c.type for c in operation.columns if c.name}
        elif operation.name == "add_column":
            for column in operation.columns:
                if column.name:
                    added.setdefault(table, {})[norm(column.name) or ""] = column.type
    before = context.schema_before
    if before is not None and (before.open_world or _changes_types_unreadably(operations)):
        before = None  # earlier types cannot be trusted: an unknown change may have retyped any column
    retyped = _retyped_here(operations)
    known: dict[tuple[str, str | None], dict[str, TypeRef]] = {}

    def types_of(engine: str, name: str | None) -> dict[str, TypeRef]:
        """A table's column types (built once per table: a file may hold thousands of foreign keys)."""
        key = (engine, name)
        if key not in known:
            earlier = {} if name in retyped else _replayed(before, engine, name)
            known[key] = {**earlier, **added.get(name or "", {}), **tables.get(name or "", {})}
        return known[key]

    for operation in operations:
        if operation.phase == "downgrade" or not (
            operation.foreign_keys or any(column.foreign_keys for column in operation.columns)
        ):
            continue
        table = norm(operation.table)
        local = types_of(operation.engine, table)
        own = {norm(c.name) or "": c.type for c in operation.columns if c.name}
        keys = [key for column in operation.columns for key in column.foreign_keys] + list(operation.foreign_keys)
        for key in keys:
            parent_table = norm(key.ref_table)
            if parent_table is None or len(key.columns) != len(key.ref_columns):
                continue
            parents = types_of(operation.engine, parent_table)
            for child, parent in zip(key.columns, key.ref_columns):
                child_type = own.get(norm(child) or "") or local.get(norm(child) or "")
                parent_type = parents.get(norm(parent) or "")
                if child_type is not None and parent_type is not None:
                    yield _Pair(
                        key,
                        table,
                        child,
                        child_type,
                        parent_table,
                        parent,
                        parent_type,
                        context.reachable(operation.dialects),
                    )


def _retyped_here(operations: tuple[Operation, ...]) -> set[str | None]:
    """Tables whose column types this revision changes (its checks do not know the order of changes)."""
    retyped: set[str | None] = set()
    for operation in operations:
        if operation.phase != "upgrade":
            continue
        if operation.name == "alter_column" and (operation.type_ is not None or operation.new_name):
            retyped.add(norm(operation.table))
        for statement in operation.statements("ALTER"):
            if statement.verb == "ALTER" and statement.object_kind == "TABLE":
                retyped.add(norm(statement.table or (statement.names[0] if statement.names else None)))
    return retyped


def _changes_types_unreadably(operations: tuple[Operation, ...]) -> bool:
    """SQL that cannot be read may retype any column."""
    return any(op.name in ("execute", "exec_driver_sql") and op.sql_text is None for op in operations)


def _replayed(before: Snapshot | None, engine: str, table: str | None) -> dict[str, TypeRef]:
    """Column types of a table as the replay of earlier revisions knows it (nothing for uncertain tables)."""
    if before is None or table is None:
        return {}
    state = before.certain_table((engine, table))
    return {name: column.type for name, column in state.columns.items()} if state is not None else {}


def check_foreign_key_type_mismatch(context: RuleContext) -> Iterator[Diagnostic]:
    reported: set[tuple[int, int]] = set()
    for pair in _pairs(context):
        position = (pair.key.line, pair.key.col)
        if position in reported or not _mismatch(pair.child_type, pair.parent_type):
            continue
        reported.add(position)
        yield Diagnostic(
            pair.key.line,
            pair.key.col,
            "ALM004",
            f"foreign key {pair.table}.{pair.child} ({pair.child_type.describe()}) references "
            f"{pair.parent_table}.{pair.parent} ({pair.parent_type.describe()}): {_consequence(pair.dialects)}; "
            "give both columns the same type",
        )


def check_foreign_key_width_mismatch(context: RuleContext) -> Iterator[Diagnostic]:
    reported: set[tuple[int, int]] = set()
    for pair in _pairs(context):
        child, parent = pair.child_type, pair.parent_type
        position = (pair.key.line, pair.key.col)
        if position in reported or child.family != parent.family or child.family not in ("integer", "string"):
            continue
        if child.length is None or parent.length is None or child.length == parent.length:
            continue
        reported.add(position)
        narrower = child.length < parent.length
        if child.family == "integer":
            risk = (
                "parent ids above the child's range cannot be referenced" if narrower else "the widths differ"
            ) + "; MariaDB rejects such a key (errno 150)"
        else:
            risk = "longer parent keys do not fit the child column" if narrower else "the lengths differ"
        yield Diagnostic(
            pair.key.line,
            pair.key.col,
            "ALM018",
            f"foreign key {pair.table}.{pair.child} ({child.describe()}) references {pair.parent_table}."
            f"{pair.parent} ({parent.describe()}): {risk}; use the same width",
        )


def _consequence(dialects: frozenset[str]) -> str:
    effects = []
    if "postgresql" in dialects:
        effects.append("PostgreSQL rejects it (42804, incompatible types)")
    if dialects & MYSQL:
        effects.append("MySQL/MariaDB reject it or never match the values")
    if not effects:
        effects.append("the values can never match")
    return "; ".join(effects)


RULES = (
    Rule(
        "ALM004",
        "foreign-key-type-mismatch",
        "a foreign key whose type differs from the referenced column",
        check_foreign_key_type_mismatch,
    ),
    Rule(
        "ALM018",
        "foreign-key-width-mismatch",
        "a foreign key narrower or wider than the referenced column",
        check_foreign_key_width_mismatch,
        default=False,
    ),
)
