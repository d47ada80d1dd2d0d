"""ALM029 type-change-without-using: a type change PostgreSQL cannot cast without `postgresql_using=`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...dialects import POSTGRESQL
from ...names import unquoted
from ...parse.records import Operation
from ...schema import Snapshot, replay_revision
from ...types import TypeRef, sql_type_ref
from ..base import Report, Rule, RuleContext, Tier

_CASTS_WITHOUT_USING: Final = (
    frozenset({"integer", "numeric", "float"}),
    frozenset({"datetime", "date"}),
)
"""Families between which PostgreSQL has an implicit or assignment cast (anything also casts *to* text)."""


def check_type_change_without_using(context: RuleContext, report: Report) -> None:
    for operation, schema in _with_schema_before(context):
        if operation.name == "alter_column" and operation.type_ is not None:
            if "postgresql_using" in operation.kwargs:
                continue
            old = _old_type(operation, schema, operation.table, operation.target)
            if old is not None and _needs_using(old, operation.type_):
                report(operation, _without_using(operation, operation.target, old, operation.type_))
            continue
        for statement in operation.statements("TYPE"):
            for action in statement.actions:
                if action.kind != "ALTER COLUMN TYPE" or action.using or action.type_text is None:
                    continue
                old = _old_type(operation, schema, statement.table, action.column, in_sql=True)
                new = sql_type_ref(action.type_text)
                if old is not None and _needs_using(old, new):
                    report(operation, _without_using(operation, unquoted(action.column or ""), old, new))


def _with_schema_before(context: RuleContext) -> Iterator[tuple[Operation, Snapshot | None]]:
    """The PostgreSQL operations, each with the schema just before it: the replay of the earlier revisions carried
    through this revision's earlier statements (a column converted earlier in the same upgrade is converted)."""
    operations = context.operations(POSTGRESQL)
    before = context.schema_before
    if before is None:
        yield from ((operation, None) for operation in operations)
        return
    yield from replay_revision(before, operations, context.replay_targets)


def _old_type(
    operation: Operation, schema: Snapshot | None, table: str | None, column: str | None, in_sql: bool = False
) -> TypeRef | None:
    """The column's type before the change. ``existing_type`` is what autogenerate saw in the database it compared
    with (a SQLite one reflects a native enum as VARCHAR): where the replay knows the type for certain (a table
    nothing unreadable touched, in a closed world, where no unreadable helper may have changed a column), it wins."""
    replayed: TypeRef | None = None
    if schema is not None:
        key = schema.key(operation.engine, table, in_sql)
        state = schema.certain_table(key) if key is not None else None
        found = schema.column(state, column, in_sql) if state is not None else None
        replayed = found.type if found is not None else None
    certain = replayed is not None and replayed.family != "unknown" and schema is not None and not schema.open_world
    return replayed if certain else operation.existing_type or replayed


def _needs_using(old: TypeRef, new: TypeRef) -> bool:
    if "unknown" in (old.family, new.family) or old.family == new.family or new.family == "string":
        return False
    return not any(old.family in group and new.family in group for group in _CASTS_WITHOUT_USING)


def _without_using(operation: Operation, column: str | None, old: TypeRef, new: TypeRef) -> str:
    shown = column or "the column"
    target = new.describe().lower()
    if new.family == "enum":
        enum_name = operation.enum.name if operation.enum is not None else None
        target = enum_name or "<enum type name>"
    return (
        f"changing {shown} from {old.describe()} to {new.describe()} needs an explicit cast: PostgreSQL fails "
        f'with "cannot be cast automatically" (42804) even on an empty table; pass '
        f'postgresql_using="{shown}::{target}"'
    )


RULE = Rule(
    code="ALM029",
    name="type-change-without-using",
    summary="a type change PostgreSQL cannot cast without `postgresql_using=`",
    check=check_type_change_without_using,
    tier=Tier.PREVIEW,
    dialects=POSTGRESQL,
    since="0.2.0",
)
