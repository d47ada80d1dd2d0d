"""ALM203 column-type-change: `alter_column(type_=...)` that rewrites (ACCESS EXCLUSIVE + rewrite); VARCHAR widening
and VARCHAR→TEXT are silent."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ...parse.records import Operation
from ..base import SUBJECT, Report, Rule, RuleContext, Subject, Tier
from ._steps import table_of, upgrade_steps


def check_column_type_change(context: RuleContext, report: Report) -> None:
    for step in upgrade_steps(context):
        operation = step.operation
        if operation.name == "alter_column" and operation.type_ is not None:
            if _widens(operation):
                continue
            new_type = operation.type_
            subject = Subject("column", f"{operation.target!r} of {table_of(step).name}")
            what = f"the type of {SUBJECT}" if new_type.family == "unknown" else f"{SUBJECT} to {new_type.describe()}"
        elif step.statement is not None and any(a.kind == "ALTER COLUMN TYPE" for a in step.statement.actions):
            subject, what = table_of(step), f"a column's type on {SUBJECT}"
        else:
            continue
        report(
            step.operation,
            f"changing {what} rewrites the existing table and its indexes under an ACCESS EXCLUSIVE lock; add a "
            "new column, backfill it in batches, and switch over",
            subject,
        )


# Families a TypeRef describes completely (no precision, scale, time zone or enum name left out).
_FULLY_DESCRIBED = frozenset({"boolean", "uuid", "date", "integer", "string"})


def _widens(operation: Operation) -> bool:
    """VARCHAR(n) → VARCHAR(m ≥ n) and VARCHAR → TEXT change no stored byte: no rewrite (facts §3d)."""
    new, existing = operation.type_, operation.existing_type
    if new is None or existing is None:
        return False
    if (
        new.family in _FULLY_DESCRIBED
        and new.family == existing.family
        and new.length == existing.length
        and new.describe() == existing.describe()
    ):
        return True  # the same type again (autogenerate writes these): nothing to rewrite
    if new.family != "string" or existing.family != "string":
        return False
    if new.length is None:
        return True
    return existing.length is not None and new.length >= existing.length


RULE = Rule(
    code="ALM203",
    name="column-type-change",
    summary=(
        "`alter_column(type_=...)` that rewrites (ACCESS EXCLUSIVE + rewrite); VARCHAR widening and "
        "VARCHAR→TEXT are silent"
    ),
    check=check_column_type_change,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
