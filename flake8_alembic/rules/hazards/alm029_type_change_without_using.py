"""ALM029 type-change-without-using: a type change PostgreSQL cannot cast without `postgresql_using=`."""

from __future__ import annotations

from typing import Final

from ...dialects import POSTGRESQL
from ...effects import norm
from ...parse.records import Operation
from ...types import TypeRef, sql_type_ref
from ..base import Report, Rule, RuleContext, Tier

_CASTS_WITHOUT_USING: Final = (
    frozenset({"integer", "numeric", "float"}),
    frozenset({"datetime", "date"}),
)
"""Families between which PostgreSQL has an implicit or assignment cast (anything also casts *to* text)."""


def check_type_change_without_using(context: RuleContext, report: Report) -> None:
    for operation in context.operations(POSTGRESQL):
        if operation.name == "alter_column" and operation.type_ is not None:
            if "postgresql_using" in operation.kwargs:
                continue
            old = operation.existing_type or _replayed_type(context, operation, operation.table, operation.target)
            if old is not None and _needs_using(old, operation.type_):
                report(operation, _without_using(operation, operation.target, old, operation.type_))
            continue
        for statement in operation.statements("TYPE"):
            for action in statement.actions:
                if action.kind != "ALTER COLUMN TYPE" or action.using or action.type_text is None:
                    continue
                old = _replayed_type(context, operation, statement.table, action.column)
                new = sql_type_ref(action.type_text)
                if old is not None and _needs_using(old, new):
                    report(operation, _without_using(operation, action.column, old, new))


def _replayed_type(context: RuleContext, operation: Operation, table: str | None, column: str | None) -> TypeRef | None:
    before = context.schema_before
    name, column_name = norm(table), norm(column)
    if before is None or name is None or column_name is None:
        return None
    state = before.certain_table((operation.engine, name))
    found = state.columns.get(column_name) if state is not None else None
    return found.type if found is not None else None


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
