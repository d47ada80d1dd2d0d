"""ALM205 rename: renaming a column or table (the running release still uses the old name)."""

from __future__ import annotations

from ...dialects import SERVERS
from ...names import Identifiers
from ...phase import phase_effects
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import table_of, upgrade_steps


def check_rename(context: RuleContext, report: Report) -> None:
    effects = phase_effects(context.operations(SERVERS), "upgrade", Identifiers.on(context.target_dialects))
    for step in upgrade_steps(context, SERVERS):
        operation = step.operation
        op_form = operation.name == "rename_table" or (operation.name == "alter_column" and operation.new_name)
        sql_form = step.statement is not None and any(
            action.kind in ("RENAME COLUMN", "RENAME TO") for action in step.statement.actions
        )
        if not (op_form or sql_form):
            continue
        net = effects[operation.engine]
        if net.returns_later(operation) or net.made_earlier(operation):
            continue  # a rebuild's step: the old name comes back, or only this revision ever knew it
        report(
            step.operation,
            f"renaming on existing {SUBJECT} breaks the application release still running against "
            "the old name; add the new name, write to both, switch readers, then drop the old one",
            table_of(step),
        )


RULE = Rule(
    code="ALM205",
    name="rename",
    summary="renaming a column or table (the running release still uses the old name)",
    check=check_rename,
    tier=Tier.PREVIEW,
    named=True,
    dialects=SERVERS,
    since="0.1.0",
)
