"""ALM039 op-at-module-level: an op call or op.get_bind() at a migration's module level."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_op_at_module_level(context: RuleContext, report: Report) -> None:
    for call in context.migration.module_op_calls:
        report(
            call,
            f"op.{call.name}() at module level runs when Alembic imports the file, outside any migration: "
            "`alembic heads`/`history` fail with NameError (op has no context yet) and `alembic upgrade` runs it "
            "at import, before every upgrade(); move it into upgrade() or downgrade()",
        )


RULE = Rule(
    code="ALM039",
    name="op-at-module-level",
    summary="an op call or op.get_bind() at a migration's module level",
    check=check_op_at_module_level,
    tier=Tier.PREVIEW,
    since="0.2.0",
)
