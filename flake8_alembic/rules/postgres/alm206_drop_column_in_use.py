"""ALM206 drop-column-in-use: dropping a column or table (the running release still selects it)."""

from __future__ import annotations

from ...dialects import SERVERS
from ...names import Identifiers
from ...phase import phase_effects
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import table_of, upgrade_steps


def check_drop_in_use(context: RuleContext, report: Report) -> None:
    effects = phase_effects(context.operations(SERVERS), "upgrade", Identifiers.on(context.target_dialects))
    for step in upgrade_steps(context, SERVERS):
        operation = step.operation
        statement = step.statement
        op_form = operation.name in ("drop_column", "drop_table")
        sql_form = statement is not None and (
            (statement.verb == "DROP" and statement.object_kind == "TABLE")
            or any(action.kind == "DROP COLUMN" for action in statement.actions)
        )
        if not (op_form or sql_form):
            continue
        net = effects[operation.engine]
        if net.returns_later(operation) or net.made_earlier(operation):
            continue  # rebuilt in the same revision (running code still finds the name), or only this revision knew it
        report(
            step.operation,
            f"dropping from {SUBJECT} breaks the application release still running and selecting it; "
            "remove every use from the code and deploy first, then drop",
            table_of(step),
        )


RULE = Rule(
    code="ALM206",
    name="drop-column-in-use",
    summary="dropping a column or table (the running release still selects it)",
    check=check_drop_in_use,
    tier=Tier.PREVIEW,
    named=True,
    dialects=SERVERS,
    since="0.1.0",
)
