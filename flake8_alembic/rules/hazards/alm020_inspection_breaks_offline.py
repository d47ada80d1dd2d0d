"""ALM020 inspection-breaks-offline: `sa.inspect(bind)`, which breaks `alembic upgrade --sql`."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_inspection_breaks_offline(context: RuleContext, report: Report) -> None:
    for inspection in context.migration.inspections:
        if context.applies(inspection.dialects):
            report(
                inspection,
                "inspecting the database fails in offline mode (alembic upgrade --sql raises "
                "NoInspectionAvailable on the mock connection)",
            )


RULE = Rule(
    code="ALM020",
    name="inspection-breaks-offline",
    summary="`sa.inspect(bind)`, which breaks `alembic upgrade --sql`",
    check=check_inspection_breaks_offline,
    tier=Tier.PREVIEW,
    named=True,
    since="0.1.0",
)
