"""Which tables an operation assumes exist or creates: shared by ALM003 and ALM005."""

from __future__ import annotations

from typing import NamedTuple

from ...names import Identifiers, unquoted
from ...parse.records import Operation

ASSUMES_TABLE = frozenset(
    {
        "alter_column",
        "add_column",
        "drop_column",
        "create_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "batch_alter_table",
        "rename_table",
    }
)


class TableName(NamedTuple):
    """A table as the code names it: in Python (an operation's argument) or in SQL text, where quoting matters."""

    written: str
    in_sql: bool = False

    @property
    def shown(self) -> str:
        """The name as a message shows it (without SQL quotes)."""
        return unquoted(self.written) if self.in_sql else self.written

    def key(self, ids: Identifiers) -> str | None:
        """The name as the target databases compare it."""
        return ids.sql(self.written) if self.in_sql else ids.python(self.written)


def tables_assumed(operation: Operation) -> list[TableName]:
    """The tables an operation needs to exist (batch blocks are checked once, at the block)."""
    if operation.name in ASSUMES_TABLE and operation.receiver == "op":
        return [TableName(operation.table)] if operation.table else []
    if operation.name in ("execute", "exec_driver_sql"):
        return [
            TableName(name, in_sql=True)
            for statement in operation.statements("ALTER")
            if statement.verb == "ALTER" and statement.object_kind == "TABLE" and not statement.if_exists
            for name in [statement.table or (statement.names[0] if statement.names else None)]
            if name
        ]
    return []


def tables_created(operation: Operation) -> list[TableName]:
    names = []
    if operation.name == "create_table" and operation.table:
        names.append(TableName(operation.table))
    if operation.name == "rename_table" and operation.new_name:
        names.append(TableName(operation.new_name))
    for statement in operation.statements("CREATE", "RENAME"):
        if statement.verb == "CREATE" and statement.object_kind == "TABLE":
            names.extend(TableName(name, in_sql=True) for name in statement.names if name)
        for action in statement.actions:
            if action.kind == "RENAME TO" and action.new_name:
                names.append(TableName(action.new_name, in_sql=True))
    return names
