"""ALM201 index-without-concurrently: `create_index` without `postgresql_concurrently=True` (SHARE: blocks writes while
building)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Subject, Tier
from ._steps import table_of, upgrade_steps


def check_index_without_concurrently(context: RuleContext, report: Report) -> None:
    for step in upgrade_steps(context):
        operation = step.operation
        sql_index = (
            step.statement is not None and step.statement.verb == "CREATE" and step.statement.object_kind == "INDEX"
        )
        if (operation.name == "create_index" and not operation.flag("postgresql_concurrently")) or (
            sql_index and step.statement is not None and not step.statement.concurrently
        ):
            name = operation.target or (step.statement.names[0] if step.statement and step.statement.names else "")
            report(
                step.operation,
                f"creating {SUBJECT} takes a SHARE lock on an existing table, blocking writes while it builds; pass "
                "postgresql_concurrently=True inside op.get_context().autocommit_block()",
                Subject("index", f"{name or '(unnamed)'} on {table_of(step).name}", "indexes"),
            )


RULE = Rule(
    code="ALM201",
    name="index-without-concurrently",
    summary="`create_index` without `postgresql_concurrently=True` (SHARE: blocks writes while building)",
    check=check_index_without_concurrently,
    tier=Tier.OPT_IN,
    dialects=POSTGRESQL,
    since="0.1.0",
)
