"""ALM004 foreign-key-type-mismatch: the seed's incident, a VARCHAR(36) column referencing a UUID."""

from __future__ import annotations

from collections.abc import Iterator

from ..effects import norm
from ..operations import ForeignKeySpec
from ..types import TypeRef
from .base import Diagnostic, Rule, RuleContext

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


def check_foreign_key_type_mismatch(context: RuleContext) -> Iterator[Diagnostic]:
    operations = context.operations()
    if not any(op.foreign_keys or any(column.foreign_keys for column in op.columns) for op in operations):
        return
    tables: dict[str, dict[str, TypeRef]] = {}
    added: dict[str, dict[str, TypeRef]] = {}
    for operation in operations:
        if operation.phase == "downgrade":
            continue
        table = norm(operation.table)
        if table is None:
            continue
        if operation.name == "create_table":
            tables[table] = {norm(c.name) or "": c.type for c in operation.columns if c.name}
        elif operation.name == "add_column":
            for column in operation.columns:
                if column.name:
                    added.setdefault(table, {})[norm(column.name) or ""] = column.type
    for operation in operations:
        if operation.phase == "downgrade" or not (
            operation.foreign_keys or any(column.foreign_keys for column in operation.columns)
        ):
            continue
        table = norm(operation.table)
        local = {**added.get(table or "", {}), **tables.get(table or "", {})}
        own = {norm(c.name) or "": c.type for c in operation.columns if c.name}
        for column in operation.columns:
            for key in column.foreign_keys:
                yield from _compare(context.reachable(operation.dialects), key, table, {**local, **own}, tables)
        for key in operation.foreign_keys:
            yield from _compare(context.reachable(operation.dialects), key, table, {**local, **own}, tables)


def _compare(
    dialects: frozenset[str],
    key: ForeignKeySpec,
    table: str | None,
    local_types: dict[str, TypeRef],
    tables: dict[str, dict[str, TypeRef]],
) -> Iterator[Diagnostic]:
    parent_table = norm(key.ref_table)
    if parent_table is None or parent_table not in tables or len(key.columns) != len(key.ref_columns):
        return
    for child_name, parent_name in zip(key.columns, key.ref_columns):
        child = local_types.get(norm(child_name) or "")
        parent = tables[parent_table].get(norm(parent_name) or "")
        if child is None or parent is None or not _mismatch(child, parent):
            continue
        yield Diagnostic(
            key.line,
            key.col,
            "ALM004",
            f"foreign key {table}.{child_name} ({child.describe()}) references {parent_table}.{parent_name} "
            f"({parent.describe()}): {_consequence(dialects)}; give both columns the same type",
        )
        return


def _consequence(dialects: frozenset[str]) -> str:
    effects = []
    if "postgresql" in dialects:
        effects.append("PostgreSQL rejects it (42804, incompatible types)")
    if dialects & {"mysql", "mariadb"}:
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
)
