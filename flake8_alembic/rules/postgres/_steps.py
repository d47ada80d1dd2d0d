"""The upgrade statements on existing tables the PostgreSQL online-safety rules (ALM201 to ALM212) judge, and
what they share: which statements take ACCESS EXCLUSIVE, which add a constraint."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ...dialects import POSTGRESQL
from ...effects import norm
from ...parse.records import Operation
from ...sql import SqlStatement
from ..base import RuleContext, Subject

ACCESS_EXCLUSIVE_OPS = frozenset(
    {
        "add_column",
        "drop_column",
        "alter_column",
        "rename_table",
        "drop_table",
        "create_check_constraint",
        "create_unique_constraint",
        "create_primary_key",
        "create_exclude_constraint",
        "drop_constraint",
    }
)


@dataclass(frozen=True)
class Step:
    """An upgrade statement on an existing table (not created earlier in this revision)."""

    operation: Operation
    table: str | None
    statement: SqlStatement | None = None

    @property
    def text(self) -> str:
        return self.statement.text.upper() if self.statement else ""


def upgrade_steps(context: RuleContext, dialects: frozenset[str] = POSTGRESQL) -> Iterator[Step]:
    """Upgrade statements reachable on ``dialects`` (PostgreSQL unless said), each with its table, skipping tables
    this revision created first."""
    created: set[tuple[str, str | None]] = set()
    for operation in context.operations(dialects):
        if operation.phase != "upgrade":
            continue
        if operation.name in ("execute", "exec_driver_sql"):
            for statement in operation.sql or ():
                table = norm(statement.table or (statement.names[0] if statement.names else None))
                if statement.verb == "CREATE" and statement.object_kind == "TABLE":
                    created.update((operation.engine, norm(name)) for name in statement.names)
                    continue
                if (operation.engine, table) not in created:
                    yield Step(operation, table, statement)
            continue
        table = norm(operation.table)
        if operation.name == "create_table":
            created.add((operation.engine, table))
        elif operation.name != "batch_alter_table" and (operation.engine, table) not in created:
            yield Step(operation, table)


def table_of(step: Step) -> Subject:
    """The table a step changes, as the subject of a finding (findings on one line merge, naming each table)."""
    return Subject.table(step.table)


def validated_now(context: RuleContext, operation_name: str, sql_kind: str) -> Iterator[Step]:
    """Constraints added without NOT VALID: ``op.<operation_name>`` or SQL ``ADD CONSTRAINT … <sql_kind>``."""
    for step in upgrade_steps(context):
        operation = step.operation
        op_form = operation.name == operation_name and not operation.flag("postgresql_not_valid")
        sql_form = adds_constraint(step, sql_kind) and "NOT VALID" not in step.text
        if op_form or sql_form:
            yield step


def takes_access_exclusive(step: Step) -> bool:
    if step.statement is None:
        return step.operation.name in ACCESS_EXCLUSIVE_OPS and step.operation.receiver in ("op", "batch")
    statement = step.statement
    return (statement.verb == "ALTER" and statement.object_kind == "TABLE") or (
        statement.verb == "DROP" and statement.object_kind == "TABLE"
    )


def adds_constraint(step: Step, kind: str) -> bool:
    statement = step.statement
    return (
        statement is not None
        and any(action.kind == "ADD CONSTRAINT" for action in statement.actions)
        and kind in step.text
    )
