"""ALM204 set-not-null: `nullable=False` on an existing column (ACCESS EXCLUSIVE while the table is scanned)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import table_of, upgrade_steps


def check_set_not_null(context: RuleContext, report: Report) -> None:
    for step in upgrade_steps(context):
        operation = step.operation
        op_form = operation.name == "alter_column" and operation.kwargs.get("nullable") is False
        sql_form = step.statement is not None and any(a.kind == "SET NOT NULL" for a in step.statement.actions)
        if op_form or sql_form:
            report(
                step.operation,
                f"SET NOT NULL on existing {SUBJECT} scans the whole table under an ACCESS EXCLUSIVE "
                "lock; add CHECK (column IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ "
                "skips the scan) and drop the check",
                table_of(step),
            )


RULE = Rule(
    code="ALM204",
    name="set-not-null",
    summary="`nullable=False` on an existing column (ACCESS EXCLUSIVE while the table is scanned)",
    check=check_set_not_null,
    tier=Tier.OPT_IN,
    dialects=POSTGRESQL,
    since="0.1.0",
)
