"""ALM027 mysql-modify-loses-attributes: mySQL `alter_column` without `existing_*`: the column loses NOT NULL and its
default."""

from __future__ import annotations

from collections.abc import Iterable

from ...dialects import MYSQL
from ...effects import norm
from ...parse.records import Operation
from ...schema import ColumnState
from ..base import Report, Rule, RuleContext, Tier


def check_mysql_modify_loses_attributes(context: RuleContext, report: Report) -> None:
    migration = context.migration
    for position, operation in enumerate(migration.operations):
        if operation.name != "alter_column" or not context.applies(operation.dialects, MYSQL):
            continue
        given = operation.kwargs
        changes_type = "type_" in given
        renames = "new_column_name" in given
        if not changes_type and not renames:
            continue
        if renames and not changes_type and "existing_type" not in given:
            report(
                operation,
                "alter_column renames the column without existing_type: on MySQL/MariaDB Alembic refuses it "
                '("All MySQL CHANGE/MODIFY COLUMN operations require the existing type"); pass existing_type, '
                "existing_nullable and existing_server_default",
            )
            continue
        column = _column_before(context, migration.operations[:position], operation)
        if column is None:
            continue  # what the column was is not known: nothing to say it loses
        lost = []
        if "nullable" not in given and "existing_nullable" not in given and column.nullable is False:
            lost.append(("its NOT NULL", "existing_nullable=False"))
        if "server_default" not in given and "existing_server_default" not in given and column.default:
            lost.append(("its server default", "existing_server_default=..."))
        if lost:
            change = "changes the type" if changes_type else "renames the column"
            report(
                operation,
                f"alter_column {change} without {' and '.join(fix for _, fix in lost)}: on MySQL/MariaDB Alembic "
                "emits MODIFY/CHANGE, which redefines the whole column, so it silently loses "
                f"{' and '.join(what for what, _ in lost)}; pass the column's current existing_* attributes",
            )


def _column_before(context: RuleContext, earlier: Iterable[Operation], operation: Operation) -> ColumnState | None:
    """What the column is before ``operation`` on MySQL: made earlier in this file, else as the history replayed
    for MySQL knows it (an earlier MODIFY without existing_nullable already lost what it had)."""
    table, name = norm(operation.table), norm(operation.target)
    if table is None or name is None:
        return None
    if operation.phase == "downgrade" and any(
        previous.phase == "upgrade" and norm(previous.table) == table and norm(previous.target) == name
        for previous in context.migration.operations
    ):
        return None  # the upgrade changed the column: the history knows it only as it was before
    found: ColumnState | None = None
    for previous in earlier:
        if previous.phase != operation.phase:
            continue
        if norm(previous.table) != table or previous.name not in ("create_table", "add_column"):
            continue
        for column in previous.columns:
            if norm(column.name) == name:
                found = ColumnState.of(column)
    if found is not None:
        return found
    before = context.schema_before_on(MYSQL)
    key = before.key(operation.engine, operation.table) if before is not None else None
    state = before.certain_table(key) if before is not None and key is not None else None
    return before.column(state, operation.target) if before is not None and state is not None else None


RULE = Rule(
    code="ALM027",
    name="mysql-modify-loses-attributes",
    summary="MySQL `alter_column` without `existing_*`: the column loses NOT NULL and its default",
    check=check_mysql_modify_loses_attributes,
    tier=Tier.DEFAULT,
    dialects=MYSQL,
    since="0.2.0",
)
