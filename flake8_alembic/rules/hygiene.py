"""Migration hygiene: ALM010 application-model-import, ALM011 row-by-row-data-migration, ALM012 missing-description,
ALM013 plain-string-execute, ALM015 not-null-column-without-default, ALM016 concurrent-index-in-transaction,
ALM019 colon-bind-parameter."""

from __future__ import annotations

from collections.abc import Iterator

from ..effects import norm
from ..sql import bind_parameter_names
from .base import POSTGRESQL, Diagnostic, Rule, RuleContext

_PLACEHOLDERS = frozenset({"", "empty message"})
_MODEL_PARTS = frozenset({"models", "model"})


def check_application_model_import(context: RuleContext) -> Iterator[Diagnostic]:
    banned = context.settings.banned_imports
    reported: set[int] = set()
    for record in context.migration.imports:
        path = record.qualified
        if "model" not in path and not banned:
            continue
        parts = [part for part in path.split(".") if part]
        if not parts or record.line in reported or any("migration" in part.lower() for part in parts):
            continue
        relative = path.startswith(".")
        if any(path == module or path.startswith(module + ".") for module in banned):
            reason = "a banned import"
        elif _MODEL_PARTS & set(parts) and (relative or parts[0] in context.application_names):
            reason = "the application's models"
        else:
            continue
        reported.add(record.line)
        yield Diagnostic(
            record.line,
            record.col,
            "ALM010",
            f"migration imports {path} ({reason}): the migration then changes whenever the application does; "
            "copy the table definition or custom column type into the migration",
        )


def check_row_by_row(context: RuleContext) -> Iterator[Diagnostic]:
    for loop in context.migration.row_loops:
        if context.applies(loop.dialects):
            yield Diagnostic(
                loop.line,
                loop.col,
                "ALM011",
                "a statement per row of a query result: one set-based UPDATE/INSERT … SELECT does the same in one "
                "round trip, and keeps the migration short",
            )


def check_missing_description(context: RuleContext) -> Iterator[Diagnostic]:
    description = context.migration.description
    if description is None:
        yield Diagnostic(
            1, 0, "ALM012", "no description: start the file with a docstring saying what the migration does"
        )
        return
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if first.lower() in _PLACEHOLDERS or first.startswith("Revision ID:"):
        yield Diagnostic(
            1,
            0,
            "ALM012",
            f"the description is a placeholder ({first or 'empty'!r}): say what the migration does "
            '(alembic revision -m "...")',
        )


def check_plain_string_execute(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations():
        if operation.receiver == "bind" and operation.name == "execute" and operation.plain_string:
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM013",
                "connection.execute() with a plain string fails on SQLAlchemy 2.0 (ObjectNotExecutableError); "
                "wrap it in sa.text(), or use exec_driver_sql() for %s parameters",
            )


def check_not_null_without_default(context: RuleContext) -> Iterator[Diagnostic]:
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
        yield Diagnostic(
            operation.line,
            operation.col,
            "ALM015",
            f"add_column of NOT NULL column {column.name!r} without server_default on existing table "
            f"{operation.table!r}: it fails on a non-empty table (PostgreSQL 23502, SQLite) and MySQL fills "
            "in zero values; add it nullable, backfill, then alter_column(nullable=False)",
        )


def check_concurrent_index_in_transaction(context: RuleContext) -> Iterator[Diagnostic]:
    if context.settings.autocommit_connections is None and context.project.autocommit is None:
        return  # no env.py to read: how the application runs the migrations (AUTOCOMMIT?) is unknown
    for operation in context.operations(POSTGRESQL):
        if operation.inside("autocommit") or operation.after_commit:
            continue
        concurrent = operation.kwargs.get("postgresql_concurrently") is True or any(
            statement.concurrently for statement in operation.statements("CONCURRENTLY")
        )
        if concurrent and not context.autocommit:
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM016",
                "a CONCURRENTLY index operation inside the migration's transaction: PostgreSQL refuses it "
                "(25001, cannot run inside a transaction block); put it in "
                "`with op.get_context().autocommit_block():`",
            )


def check_colon_bind_parameter(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations():
        if operation.receiver == "bind" or operation.name != "execute" or not operation.plain_string:
            continue
        names = bind_parameter_names(operation.sql_text or "")
        if names:
            shown = ", ".join(f":{name}" for name in dict.fromkeys(names))
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM019",
                f'op.execute() reads {shown} in this string as a bind parameter and fails with "A value is '
                'required for bind parameter"; escape the colon (\\:) or use sa.text(...).bindparams(...)',
            )


RULES = (
    Rule(
        "ALM010",
        "application-model-import",
        "a migration imports the application's models",
        check_application_model_import,
    ),
    Rule(
        "ALM011",
        "row-by-row-data-migration",
        "a statement per row of a query result",
        check_row_by_row,
        default=False,
    ),
    Rule(
        "ALM012",
        "missing-description",
        "no description of what the migration does",
        check_missing_description,
    ),
    Rule(
        "ALM013",
        "plain-string-execute",
        "connection.execute() with a plain string",
        check_plain_string_execute,
    ),
    Rule(
        "ALM015",
        "not-null-column-without-default",
        "a NOT NULL column added without a server default",
        check_not_null_without_default,
    ),
    Rule(
        "ALM016",
        "concurrent-index-in-transaction",
        "CONCURRENTLY inside a transaction",
        check_concurrent_index_in_transaction,
        dialects=POSTGRESQL,
    ),
    Rule("ALM019", "colon-bind-parameter", "a `:name` in a plain op.execute string", check_colon_bind_parameter),
)
