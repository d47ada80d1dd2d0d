"""ALM024 enum-type-lifecycle: an enum type never created, never dropped, or given new labels that `alter_column` never
adds."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ...dialects import POSTGRESQL
from ...effects import enum_types_made, norm
from ...parse.module import Migration
from ...parse.records import Operation
from ..base import Report, Rule, RuleContext, Tier


def check_enum_type_lifecycle(context: RuleContext, report: Report) -> None:
    migration = context.migration
    operations = context.operations(POSTGRESQL)
    _enum_never_created(context, operations, report)
    _enum_values_never_added(migration, operations, report)
    _enum_left_behind(migration, operations, report)


def _enum_never_created(context: RuleContext, operations: Iterable[Operation], report: Report) -> None:
    for operation in operations:
        if operation.phase != "upgrade":
            continue
        if operation.name == "add_column" and operation.columns:
            enum = operation.columns[0].enum
        elif operation.name == "alter_column" and operation.enum is not None:
            enum = operation.enum
            existing = operation.existing_enum
            if existing is not None and norm(existing.name) == norm(enum.name):
                continue  # the same type: ALM024's values check
        else:
            continue
        if enum is None or not enum.creates_type or enum.name is None:
            continue
        made = _enum_types_made(context)
        if made is None or None in made or norm(enum.name) in made:
            continue
        report(
            operation,
            f'{operation.name} uses enum type "{enum.name}", which no migration creates: Alembic creates an '
            f"enum type only inside create_table, so this fails with 'type \"{enum.name}\" does not exist'; "
            f'create it first: sa.Enum(..., name="{enum.name}").create(op.get_bind(), checkfirst=True)',
        )


def _enum_types_made(context: RuleContext) -> frozenset[str | None] | None:
    """Enum types created by this file or any migration of its environment (None in it: one the linter cannot
    name). None without a history (the file alone cannot tell a new type from one an earlier revision made), or
    when the schema is born outside the migrations (``create_all`` makes the model's enum types)."""
    facts = context.environment_facts
    if facts is None or not facts.migrations or not context.schema_birth.closed:
        return None
    return facts.enum_types_made | enum_types_made(context.migration)


def _enum_values_never_added(migration: Migration, operations: Iterable[Operation], report: Report) -> None:
    altered_types = {
        norm(name)
        for operation in migration.operations
        for statement in operation.statements("TYPE")
        if statement.verb == "ALTER" and statement.object_kind == "TYPE"
        for name in statement.names
    }
    for operation in operations:
        new, old = operation.enum, operation.existing_enum
        if operation.name != "alter_column" or new is None or old is None or new.values is None:
            continue
        if old.values is None or norm(new.name) != norm(old.name) or norm(new.name) in altered_types:
            continue
        added = [value for value in new.values if value not in old.values]
        if added:
            shown = ", ".join(f"'{value}'" for value in added)
            report(
                operation,
                f'alter_column to enum "{new.name}" with new values {shown} changes nothing: the type keeps its '
                f"labels and inserting them fails (invalid input value for enum); run "
                f"`ALTER TYPE {new.name} ADD VALUE {added[0]!r}` with op.execute() (in an autocommit_block before "
                "PostgreSQL 12)",
            )


def _enum_left_behind(migration: Migration, operations: Sequence[Operation], report: Report) -> None:
    if "downgrade" in migration.opaque_phases:
        return
    made_by_table: dict[str | None, list[str]] = {}
    for operation in migration.operations:
        if operation.name == "create_table" and operation.phase == "upgrade":
            for column in operation.columns:
                enum = column.enum
                if enum is not None and enum.creates_type and enum.name is not None:
                    made_by_table.setdefault(norm(operation.table), []).append(enum.name)
    if not made_by_table:
        return
    dropped = _enum_types_dropped(migration)
    if None in dropped:
        return
    last_drop: dict[str, Operation] = {}
    """Each type left behind, reported once: on the last drop_table of a table that used it."""
    for operation in operations:
        if operation.name != "drop_table" or operation.phase != "downgrade":
            continue
        for name in made_by_table.get(norm(operation.table), []):
            if norm(name) not in dropped:
                last_drop[name] = operation
    by_drop: dict[int, list[str]] = {}
    for name, operation in last_drop.items():
        by_drop.setdefault(id(operation), []).append(name)
    for operation in operations:
        left = by_drop.pop(id(operation), None)
        if left:
            shown = ", ".join(f'"{name}"' for name in left)
            report(
                operation,
                f"the downgrade drops the tables but leaves the enum type {shown} that create_table made: upgrading "
                f"again fails with 'type \"{left[0]}\" already exists'; after the drop, add "
                f'sa.Enum(name="{left[0]}").drop(op.get_bind(), checkfirst=True)',
            )


def _enum_types_dropped(migration: Migration) -> frozenset[str | None]:
    dropped: set[str | None] = {norm(call.name) for call in migration.enum_calls if call.action == "drop"}
    for operation in migration.operations:
        if operation.phase != "downgrade":
            continue
        for statement in operation.statements("TYPE"):
            if statement.verb == "DROP" and statement.object_kind == "TYPE":
                dropped.update(norm(name) for name in statement.names)
    return frozenset(dropped)


RULE = Rule(
    code="ALM024",
    name="enum-type-lifecycle",
    summary="an enum type never created, never dropped, or given new labels that `alter_column` never adds",
    check=check_enum_type_lifecycle,
    tier=Tier.DEFAULT,
    dialects=POSTGRESQL,
    since="0.2.0",
)
