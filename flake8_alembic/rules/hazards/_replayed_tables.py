"""Which tables an operation assumes exist or creates: shared by ALM003 and ALM005."""

from __future__ import annotations

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


def tables_assumed(operation: Operation) -> list[str]:
    """The tables an operation needs to exist (batch blocks are checked once, at the block)."""
    if operation.name in ASSUMES_TABLE and operation.receiver == "op":
        return [operation.table] if operation.table else []
    if operation.name in ("execute", "exec_driver_sql"):
        return [
            name
            for statement in operation.statements("ALTER")
            if statement.verb == "ALTER" and statement.object_kind == "TABLE" and not statement.if_exists
            for name in [statement.table or (statement.names[0] if statement.names else None)]
            if name
        ]
    return []


def tables_created(operation: Operation) -> list[str]:
    names = []
    if operation.name == "create_table" and operation.table:
        names.append(operation.table)
    if operation.name == "rename_table" and operation.new_name:
        names.append(operation.new_name)
    for statement in operation.statements("CREATE", "RENAME"):
        if statement.verb == "CREATE" and statement.object_kind == "TABLE":
            names.extend(name for name in statement.names if name)
        for action in statement.actions:
            if action.kind == "RENAME TO" and action.new_name:
                names.append(action.new_name)
    return names
