"""PostgreSQL online safety (ALM201 to ALM212): locks, rewrites and running code, opt-in as a family.

Lock levels and rewrite behaviour are the ones verified on PostgreSQL 15 (reference alembic_facts.md §3d) and
re-checked by tests/test_premises_postgres.py. Every rule is silent on a table created earlier in the same
revision: it is new, empty and unused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ..effects import norm
from ..parse.records import Operation
from ..sql import SqlStatement
from .base import POSTGRESQL, Diagnostic, Rule, RuleContext

_VOLATILE = re.compile(
    r"\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|timeofday|statement_timestamp|nextval)\s*\(",
    re.IGNORECASE,
)
_ACCESS_EXCLUSIVE_OPS = frozenset(
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
class _Step:
    """An upgrade statement on an existing table (not created earlier in this revision)."""

    operation: Operation
    table: str | None
    statement: SqlStatement | None = None

    @property
    def text(self) -> str:
        return self.statement.text.upper() if self.statement else ""


def _steps(context: RuleContext) -> Iterator[_Step]:
    """PostgreSQL-reachable upgrade statements, each with its table, skipping tables this revision created first."""
    created: set[tuple[str, str | None]] = set()
    for operation in context.operations(POSTGRESQL):
        if operation.phase != "upgrade":
            continue
        if operation.name in ("execute", "exec_driver_sql"):
            for statement in operation.sql or ():
                table = norm(statement.table or (statement.names[0] if statement.names else None))
                if statement.verb == "CREATE" and statement.object_kind == "TABLE":
                    created.update((operation.engine, norm(name)) for name in statement.names)
                    continue
                if (operation.engine, table) not in created:
                    yield _Step(operation, table, statement)
            continue
        table = norm(operation.table)
        if operation.name == "create_table":
            created.add((operation.engine, table))
        elif operation.name != "batch_alter_table" and (operation.engine, table) not in created:
            yield _Step(operation, table)


def _diagnostic(step: _Step, code: str, message: str) -> Diagnostic:
    return Diagnostic(step.operation.line, step.operation.col, code, message)


def _table(step: _Step) -> str:
    return f'"{step.table}"' if step.table else "the table"


def check_index_without_concurrently(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _steps(context):
        operation = step.operation
        sql_index = (
            step.statement is not None and step.statement.verb == "CREATE" and step.statement.object_kind == "INDEX"
        )
        if (operation.name == "create_index" and not operation.flag("postgresql_concurrently")) or (
            sql_index and step.statement is not None and not step.statement.concurrently
        ):
            name = operation.target or (step.statement.names[0] if step.statement and step.statement.names else "")
            yield _diagnostic(
                step,
                "ALM201",
                f"index {name or '(unnamed)'} on existing table {_table(step)} takes a SHARE lock that blocks "
                "writes while it builds; pass postgresql_concurrently=True inside "
                "op.get_context().autocommit_block()",
            )


def _validated_now(context: RuleContext, operation_name: str, sql_kind: str) -> Iterator[_Step]:
    """Constraints added without NOT VALID: ``op.<operation_name>`` or SQL ``ADD CONSTRAINT … <sql_kind>``."""
    for step in _steps(context):
        operation = step.operation
        op_form = operation.name == operation_name and not operation.flag("postgresql_not_valid")
        sql_form = _adds_constraint(step, sql_kind) and "NOT VALID" not in step.text
        if op_form or sql_form:
            yield step


def check_foreign_key_validates_now(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _validated_now(context, "create_foreign_key", "FOREIGN KEY"):
        yield _diagnostic(
            step,
            "ALM202",
            f"adding a foreign key on existing table {_table(step)} validates every row under SHARE ROW "
            "EXCLUSIVE locks on both tables; add it with postgresql_not_valid=True, then run "
            "VALIDATE CONSTRAINT in a later revision",
        )


def check_column_type_change(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _steps(context):
        operation = step.operation
        if operation.name == "alter_column" and operation.type_ is not None:
            if _widens(operation):
                continue
            new_type = operation.type_
            what = (
                f"the type of {operation.target!r}"
                if new_type.family == "unknown"
                else f"{operation.target!r} to {new_type.describe()}"
            )
        elif step.statement is not None and any(a.kind == "ALTER COLUMN TYPE" for a in step.statement.actions):
            what = "a column's type"
        else:
            continue
        yield _diagnostic(
            step,
            "ALM203",
            f"changing {what} on existing table {_table(step)} rewrites the table and its indexes under an ACCESS "
            "EXCLUSIVE lock; add a new column, backfill it in batches, and switch over",
        )


# Families a TypeRef describes completely (no precision, scale, time zone or enum name left out).
_FULLY_DESCRIBED = frozenset({"boolean", "uuid", "date", "integer", "string"})


def _widens(operation: Operation) -> bool:
    """VARCHAR(n) → VARCHAR(m ≥ n) and VARCHAR → TEXT change no stored byte: no rewrite (facts §3d)."""
    new, existing = operation.type_, operation.existing_type
    if new is None or existing is None:
        return False
    if (
        new.family in _FULLY_DESCRIBED
        and new.family == existing.family
        and new.length == existing.length
        and new.describe() == existing.describe()
    ):
        return True  # the same type again (autogenerate writes these): nothing to rewrite
    if new.family != "string" or existing.family != "string":
        return False
    if new.length is None:
        return True
    return existing.length is not None and new.length >= existing.length


def check_set_not_null(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _steps(context):
        operation = step.operation
        op_form = operation.name == "alter_column" and operation.kwargs.get("nullable") is False
        sql_form = step.statement is not None and any(a.kind == "SET NOT NULL" for a in step.statement.actions)
        if op_form or sql_form:
            yield _diagnostic(
                step,
                "ALM204",
                f"SET NOT NULL on existing table {_table(step)} scans the whole table under an ACCESS EXCLUSIVE "
                "lock; add CHECK (column IS NOT NULL) NOT VALID, VALIDATE it, then SET NOT NULL (PostgreSQL 12+ "
                "skips the scan) and drop the check",
            )


def check_rename(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _steps(context):
        operation = step.operation
        op_form = operation.name == "rename_table" or (operation.name == "alter_column" and operation.new_name)
        sql_form = step.statement is not None and any(
            action.kind in ("RENAME COLUMN", "RENAME TO") for action in step.statement.actions
        )
        if op_form or sql_form:
            yield _diagnostic(
                step,
                "ALM205",
                f"renaming on existing table {_table(step)} breaks the application release still running against "
                "the old name; add the new name, write to both, switch readers, then drop the old one",
            )


def check_drop_in_use(context: RuleContext) -> Iterator[Diagnostic]:
    rebuilt = _Rebuilt.of(context.migration.operations)
    for step in _steps(context):
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
            yield _diagnostic(
                step,
                "ALM206",
                f"dropping from {_table(step)} breaks the application release still running and selecting it; "
                "remove every use from the code and deploy first, then drop",
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

    def later(self, step: _Step) -> bool:
        operation = step.operation
        position = self.position.get(id(operation), -1)
        if operation.name == "drop_column":
            return self.last_added.get((step.table, norm(operation.target)), -1) > position
        if operation.name == "drop_table":
            return self.last_renamed_to.get(step.table, -1) > position
        return False


def check_unique_constraint_locks(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _steps(context):
        operation = step.operation
        op_form = operation.name in ("create_unique_constraint", "create_primary_key", "create_exclude_constraint")
        sql_form = (
            _adds_constraint(step, "UNIQUE") or _adds_constraint(step, "PRIMARY KEY")
        ) and "USING INDEX" not in step.text
        if op_form or sql_form:
            yield _diagnostic(
                step,
                "ALM207",
                f"a unique or primary key constraint on existing table {_table(step)} builds its index under an "
                "ACCESS EXCLUSIVE lock; CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... USING INDEX",
            )


def check_rewriting_add_column(context: RuleContext) -> Iterator[Diagnostic]:
    old_postgres = context.settings.postgres_version < 11
    for step in _steps(context):
        operation = step.operation
        reason = None
        if operation.name == "add_column" and operation.columns:
            column = operation.columns[0]
            default = column.default_sql or ""
            if column.stored:
                reason = "a stored generated or identity column"
            elif _VOLATILE.search(default):
                reason = f"the volatile default {default}"
            elif old_postgres and column.server_default:
                reason = "a default (before PostgreSQL 11 every default rewrites)"
        elif step.statement is not None and any(a.kind == "ADD COLUMN" for a in step.statement.actions):
            text = step.text
            if "STORED" in text or "IDENTITY" in text or re.search(r"\b(BIG|SMALL)?SERIAL\b", text):
                reason = "a stored generated, identity or serial column"
            elif "DEFAULT" in text and _VOLATILE.search(text):
                reason = "a volatile default"
        if reason:
            yield _diagnostic(
                step,
                "ALM208",
                f"adding a column with {reason} rewrites existing table {_table(step)} under an ACCESS EXCLUSIVE "
                "lock; add it nullable without the default, backfill in batches, then set the default",
            )


def check_check_constraint_validates_now(context: RuleContext) -> Iterator[Diagnostic]:
    for step in _validated_now(context, "create_check_constraint", "CHECK"):
        yield _diagnostic(
            step,
            "ALM209",
            f"a check constraint on existing table {_table(step)} checks every row under an ACCESS EXCLUSIVE "
            "lock; add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT in a later revision",
        )


def check_missing_lock_timeout(context: RuleContext) -> Iterator[Diagnostic]:
    timeout_set = False
    for step in _steps(context):
        if step.statement is not None and step.statement.verb == "SET" and "LOCK_TIMEOUT" in step.text:
            timeout_set = True
            continue
        if not timeout_set and _takes_access_exclusive(step):
            if context.project.env_sets_lock_timeout:
                return
            yield _diagnostic(
                step,
                "ALM210",
                "this revision takes an ACCESS EXCLUSIVE lock without a lock_timeout: while it waits for the "
                "lock every later query queues behind it; run op.execute(\"SET LOCAL lock_timeout = '5s'\") first "
                "(or set it in env.py)",
            )
            return


def _takes_access_exclusive(step: _Step) -> bool:
    if step.statement is None:
        return step.operation.name in _ACCESS_EXCLUSIVE_OPS and step.operation.receiver in ("op", "batch")
    statement = step.statement
    return (statement.verb == "ALTER" and statement.object_kind == "TABLE") or (
        statement.verb == "DROP" and statement.object_kind == "TABLE"
    )


def check_prefer_jsonb(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations(POSTGRESQL):
        if operation.phase != "upgrade":
            continue
        for statement in operation.statements("JSON"):
            types = [text for _, text in statement.columns] + [
                action.type_text or "" for action in statement.actions if action.kind == "ADD COLUMN"
            ]
            if any(re.match(r"\s*json\b", text, re.IGNORECASE) for text in types):
                yield Diagnostic(
                    operation.line,
                    operation.col,
                    "ALM211",
                    "a json column: PostgreSQL keeps the text as written, has no equality operator and no GIN "
                    "index for it; use jsonb",
                )
        if operation.name not in ("create_table", "add_column"):
            continue
        for column in operation.columns:
            if column.type.family == "json" and column.type.describe().upper() == "JSON":
                yield Diagnostic(
                    column.line,
                    column.col,
                    "ALM211",
                    f"column {column.name!r} is JSON: PostgreSQL keeps the text as written, has no equality "
                    "operator and no GIN index for it; use postgresql.JSONB",
                )


def check_backfill_under_lock(context: RuleContext) -> Iterator[Diagnostic]:
    steps = list(_steps(context))
    foreign_key_only = {step.table for step in steps if _only_adds_foreign_keys(step)}
    foreign_key_only |= {step.table for step in steps if step.operation.name == "create_foreign_key"}
    exclusive = {step.table for step in steps if _takes_access_exclusive(step) and not _only_adds_foreign_keys(step)}
    share_row = foreign_key_only - exclusive
    ddl_seen: set[str | None] = set()
    for step in steps:
        operation = step.operation
        if _takes_access_exclusive(step) or operation.name == "create_foreign_key" or _only_adds_foreign_keys(step):
            ddl_seen.add(step.table)
        if operation.inside("autocommit") or step.table not in ddl_seen:
            continue
        data = operation.name == "bulk_insert" or (
            step.statement is not None and step.statement.verb in ("UPDATE", "INSERT")
        )
        if not data or step.table is None or step.table not in exclusive | share_row:
            continue
        who = (
            "every reader waits on the DDL's ACCESS EXCLUSIVE lock"
            if step.table in exclusive
            else "every writer waits on the foreign key's SHARE ROW EXCLUSIVE lock"
        )
        yield _diagnostic(
            step,
            "ALM212",
            f"this backfill of {_table(step)} runs in the same transaction as DDL on it, so {who} until it "
            "commits; backfill in a separate revision or in op.get_context().autocommit_block() batches",
        )


def _only_adds_foreign_keys(step: _Step) -> bool:
    statement = step.statement
    return (
        statement is not None
        and bool(statement.actions)
        and all(action.kind == "ADD CONSTRAINT" for action in statement.actions)
        and "FOREIGN KEY" in step.text
    )


def _adds_constraint(step: _Step, kind: str) -> bool:
    statement = step.statement
    return (
        statement is not None
        and any(action.kind == "ADD CONSTRAINT" for action in statement.actions)
        and kind in step.text
    )


RULES = tuple(
    Rule(code, name, summary, check, default=False, dialects=POSTGRESQL)
    for code, name, summary, check in (
        (
            "ALM201",
            "index-without-concurrently",
            "CREATE INDEX without CONCURRENTLY on an existing table",
            check_index_without_concurrently,
        ),
        (
            "ALM202",
            "foreign-key-validates-now",
            "a foreign key validated while both tables are locked",
            check_foreign_key_validates_now,
        ),
        ("ALM203", "column-type-change", "a column type change that rewrites the table", check_column_type_change),
        ("ALM204", "set-not-null", "SET NOT NULL scans the table under ACCESS EXCLUSIVE", check_set_not_null),
        ("ALM205", "rename", "a rename breaks the running release", check_rename),
        ("ALM206", "drop-column-in-use", "a drop breaks the running release", check_drop_in_use),
        (
            "ALM207",
            "unique-constraint-locks",
            "a unique constraint built under ACCESS EXCLUSIVE",
            check_unique_constraint_locks,
        ),
        ("ALM208", "rewriting-add-column", "add_column that rewrites the table", check_rewriting_add_column),
        (
            "ALM209",
            "check-constraint-validates-now",
            "a check constraint validated under ACCESS EXCLUSIVE",
            check_check_constraint_validates_now,
        ),
        ("ALM210", "missing-lock-timeout", "ACCESS EXCLUSIVE without lock_timeout", check_missing_lock_timeout),
        ("ALM211", "prefer-jsonb", "JSON instead of JSONB", check_prefer_jsonb),
        (
            "ALM212",
            "data-backfill-under-lock",
            "a backfill in the transaction of DDL on the same table",
            check_backfill_under_lock,
        ),
    )
)
