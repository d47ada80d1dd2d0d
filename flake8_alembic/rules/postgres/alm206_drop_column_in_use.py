"""ALM206 drop-column-in-use: dropping a column or table (the running release still selects it)."""

from __future__ import annotations

from dataclasses import dataclass

from ...dialects import POSTGRESQL
from ...effects import norm
from ...parse.records import Operation
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import Step, table_of, upgrade_steps


def check_drop_in_use(context: RuleContext, report: Report) -> None:
    rebuilt = _Rebuilt.of(context.migration.operations)
    for step in upgrade_steps(context):
        if rebuilt.later(step):
            continue
        operation = step.operation
        statement = step.statement
        op_form = operation.name in ("drop_column", "drop_table")
        sql_form = statement is not None and (
            (statement.verb == "DROP" and statement.object_kind == "TABLE")
            or any(action.kind == "DROP COLUMN" for action in statement.actions)
        )
        if op_form or sql_form:
            report(
                step.operation,
                f"dropping from {SUBJECT} breaks the application release still running and selecting it; "
                "remove every use from the code and deploy first, then drop",
                table_of(step),
            )


@dataclass
class _Rebuilt:
    """Where upgrade() adds each column and renames a table into each name: a drop followed by one of these
    rebuilds the name in the same revision, so running code still finds it."""

    position: dict[int, int]
    last_added: dict[tuple[str | None, str | None], int]
    last_renamed_to: dict[str | None, int]

    @classmethod
    def of(cls, operations: tuple[Operation, ...]) -> _Rebuilt:
        rebuilt = cls({}, {}, {})
        for index, operation in enumerate(op for op in operations if op.phase == "upgrade"):
            rebuilt.position[id(operation)] = index
            if operation.name == "add_column":
                rebuilt.last_added[(norm(operation.table), norm(operation.target))] = index
            elif operation.name == "rename_table" and operation.new_name:
                rebuilt.last_renamed_to[norm(operation.new_name)] = index
        return rebuilt

    def later(self, step: Step) -> bool:
        operation = step.operation
        position = self.position.get(id(operation), -1)
        if operation.name == "drop_column":
            return self.last_added.get((step.table, norm(operation.target)), -1) > position
        if operation.name == "drop_table":
            return self.last_renamed_to.get(step.table, -1) > position
        return False


RULE = Rule(
    code="ALM206",
    name="drop-column-in-use",
    summary="dropping a column or table (the running release still selects it)",
    check=check_drop_in_use,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
