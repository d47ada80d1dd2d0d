"""ALM015 not-null-column-without-default: `add_column(nullable=False)` without `server_default` on an existing
table."""

from __future__ import annotations

from ...effects import norm
from ..base import SUBJECT, Report, Rule, RuleContext, Subject, Tier


def check_not_null_without_default(context: RuleContext, report: Report) -> None:
    created: dict[tuple[str | None, str], set[str | None]] = {}
    for operation in context.operations():
        key = (operation.phase, operation.engine)
        if operation.name == "create_table":
            created.setdefault(key, set()).add(norm(operation.table))
        else:
            for statement in operation.statements("CREATE"):
                if statement.verb == "CREATE" and statement.object_kind == "TABLE":
                    created.setdefault(key, set()).update(norm(name) for name in statement.names)
    emptied: set[tuple[str, str | None]] = set()
    for operation in context.operations():
        for statement in operation.statements("DELETE", "TRUNCATE"):
            if statement.verb in ("DELETE", "TRUNCATE") and " where " not in f" {statement.text.lower()} ":
                for name in (statement.table, *statement.names):
                    emptied.add((operation.function, norm(name)))
        if operation.name == "rename_table" and (operation.function, norm(operation.table)) in emptied:
            emptied.add((operation.function, norm(operation.new_name)))
        if operation.name != "add_column" or not operation.columns:
            continue
        if (operation.function, norm(operation.table)) in emptied or operation.inside("empty"):
            continue  # the table was emptied earlier in the same function, or checked to be empty
        column = operation.columns[0]
        # An integer primary key fills itself (SERIAL, AUTO_INCREMENT, SQLite's rowid); an unknown type may too.
        required = column.nullable is False or (column.primary_key and column.type.family not in ("integer", "unknown"))
        if not required or column.server_default or column.generated:
            continue
        tables = created.get((operation.phase, operation.engine), set())
        if norm(operation.table) in tables or (operation.table is None and None in tables):
            continue
        report(
            operation,
            f"add_column of NOT NULL {SUBJECT} without server_default on an existing table: it fails on a "
            "non-empty table (PostgreSQL 23502, SQLite) and MySQL fills in zero values; add it nullable, backfill, "
            "then alter_column(nullable=False)",
            Subject("column", f"{column.name!r} of {operation.table!r}"),
        )


RULE = Rule(
    code="ALM015",
    name="not-null-column-without-default",
    summary="`add_column(nullable=False)` without `server_default` on an existing table",
    check=check_not_null_without_default,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
