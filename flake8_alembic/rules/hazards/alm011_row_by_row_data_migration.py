"""ALM011 row-by-row-data-migration: a statement per row of a query result."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_row_by_row(context: RuleContext, report: Report) -> None:
    for loop in context.migration.row_loops:
        if context.applies(loop.dialects):
            report(
                loop,
                "a statement per row of a query result: one set-based UPDATE/INSERT … SELECT does the same in one "
                "round trip, and keeps the migration short",
            )


RULE = Rule(
    code="ALM011",
    name="row-by-row-data-migration",
    summary="a statement per row of a query result",
    check=check_row_by_row,
    tier=Tier.PREVIEW,
    named=True,
    since="0.1.0",
)
