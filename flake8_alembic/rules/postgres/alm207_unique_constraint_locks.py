"""ALM207 unique-constraint-locks: unique/primary key constraints built under ACCESS EXCLUSIVE (use `USING INDEX`)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import adds_constraint, table_of, upgrade_steps


def check_unique_constraint_locks(context: RuleContext, report: Report) -> None:
    for step in upgrade_steps(context):
        operation = step.operation
        op_form = operation.name in ("create_unique_constraint", "create_primary_key", "create_exclude_constraint")
        sql_form = (
            adds_constraint(step, "UNIQUE") or adds_constraint(step, "PRIMARY KEY")
        ) and "USING INDEX" not in step.text
        if op_form or sql_form:
            report(
                step.operation,
                f"a unique or primary key constraint on existing {SUBJECT} builds its index under an "
                "ACCESS EXCLUSIVE lock; CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX",
                table_of(step),
            )


RULE = Rule(
    code="ALM207",
    name="unique-constraint-locks",
    summary="unique/primary key constraints built under ACCESS EXCLUSIVE (use `USING INDEX`)",
    check=check_unique_constraint_locks,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
