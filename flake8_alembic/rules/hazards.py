"""The second wave of deploy-breaking hazards: ALM022 guard-never-true, ALM023 invalid-index-on-retry,
ALM024 enum-type-lifecycle, ALM025 unnamed-constraint-drop, ALM026 unnamed-constraint, ALM027
mysql-modify-loses-attributes, ALM028 identifier-too-long, ALM029 type-change-without-using,
ALM030 bad-server-default."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from ..dialects import SCHEMA_IS_A_DATABASE
from ..effects import enum_types_made, norm
from ..parse.module import Migration
from ..parse.records import Operation
from ..schema import ColumnState
from ..types import TypeRef, sql_type_ref
from .base import MYSQL, POSTGRESQL, Diagnostic, Rule, RuleContext

IDENTIFIER_LIMITS: Final = (("postgresql", 63, "bytes"), ("mysql", 64, "characters"), ("mariadb", 64, "characters"))
"""PostgreSQL's NAMEDATALEN - 1 counts bytes; MySQL/MariaDB count characters."""

_NAMED_BY_TARGET: Final = frozenset(
    {
        "create_index",
        "create_unique_constraint",
        "create_check_constraint",
        "create_foreign_key",
        "create_primary_key",
        "create_exclude_constraint",
        "drop_index",
        "drop_constraint",
    }
)
_CONSTRAINT_CREATORS: Final = frozenset(
    {"create_unique_constraint", "create_check_constraint", "create_foreign_key", "create_primary_key"}
)
_BACKEND: Final = {"mariadb": "mysql"}
"""Dialects that generate the same constraint names."""
_CASTS_WITHOUT_USING: Final = (
    frozenset({"integer", "numeric", "float"}),
    frozenset({"datetime", "date"}),
)
"""Families between which PostgreSQL has an implicit or assignment cast (anything also casts *to* text)."""


# ---------------------------------------------------------------------------------------------- ALM022
def check_guard_never_true(context: RuleContext) -> Iterator[Diagnostic]:
    for lookup in context.migration.schema_lookups:
        reached = context.reachable(lookup.dialects) & SCHEMA_IS_A_DATABASE
        if lookup.phase is None or lookup.schema.lower() != "public" or not reached:
            continue
        where = "an attached database on SQLite" if reached == {"sqlite"} else "a database on MySQL/MariaDB"
        yield Diagnostic(
            lookup.line,
            lookup.col,
            "ALM022",
            f'{lookup.method}(..., schema="public") never finds the table: "public" is PostgreSQL\'s default '
            f"schema but {where}, so the guarded operation is silently skipped; leave out schema= to look in "
            "the connection's own schema",
        )


# ---------------------------------------------------------------------------------------------- ALM023
def check_invalid_index_on_retry(context: RuleContext) -> Iterator[Diagnostic]:
    migration = context.migration
    for position, operation in enumerate(migration.operations):
        if not context.applies(operation.dialects, POSTGRESQL):
            continue
        for name, unique in _idempotent_concurrent_builds(operation, migration):
            earlier = migration.operations[:position]
            if (
                _dropped_before(earlier, operation, name)
                or _validity_checked(migration.operations, operation, name)
                or _retry_fails_earlier(earlier, operation)
            ):
                continue
            consequence = "uniqueness is never enforced" if unique else "the planner never uses the index"
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM023",
                "a concurrent index build made idempotent with IF NOT EXISTS or an index check: a failed build "
                f"leaves an INVALID index that the retry skips, so {consequence}; drop it first with "
                "`DROP INDEX CONCURRENTLY IF EXISTS` (op.drop_index(..., postgresql_concurrently=True, "
                "if_exists=True)) and build it again",
            )


def _idempotent_concurrent_builds(operation: Operation, migration: Migration) -> Iterator[tuple[str | None, bool]]:
    if operation.name == "create_index" and operation.flag("postgresql_concurrently"):
        if operation.flag("if_not_exists") or _in_index_guard(operation, migration):
            yield operation.target, operation.flag("unique")
        return
    for statement in operation.statements("CONCURRENTLY"):
        builds = statement.verb == "CREATE" and statement.object_kind == "INDEX" and statement.concurrently
        if builds and (statement.if_not_exists or _in_index_guard(operation, migration)):
            yield (statement.names[0] if statement.names else None), statement.unique


def _in_index_guard(operation: Operation, migration: Migration) -> bool:
    return any(frame in migration.index_guards for frame in operation.stack)


def _dropped_before(earlier: Iterable[Operation], build: Operation, name: str | None) -> bool:
    """Whether the same function drops the index (IF EXISTS) before building it again."""
    wanted = norm(name)
    for operation in earlier:
        if operation.function != build.function:
            continue
        if (
            operation.name == "drop_index"
            and operation.flag("if_exists")
            and (wanted is None or operation.target is None or norm(operation.target) == wanted)
        ):
            return True
        for statement in operation.statements("DROP"):
            if statement.verb == "DROP" and statement.object_kind == "INDEX" and statement.if_exists:
                names = {norm(found) for found in statement.names}
                if wanted is None or wanted in names or None in names:
                    return True
    return False


_FAILS_WHEN_REPEATED: Final = frozenset(
    {
        "add_column",
        "create_table",
        "create_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "rename_table",
    }
)


def _retry_fails_earlier(earlier: Iterable[Operation], build: Operation) -> bool:
    """An unguarded ``add_column`` (or another change that fails when repeated) runs before the build in the same
    function: it was committed before the build started, so a retry stops there and never reaches the skipped
    build (dropping that column by hand drops the invalid index with it)."""
    for operation in earlier:
        if operation.function != build.function or operation.guarded:
            continue
        if operation.name in _FAILS_WHEN_REPEATED:
            return True
        for statement in operation.statements("CREATE"):
            kind = statement.object_kind
            if statement.verb == "CREATE" and kind in ("TABLE", "INDEX") and not statement.if_not_exists:
                return True
    return False


def _validity_checked(operations: Iterable[Operation], build: Operation, name: str | None) -> bool:
    """Whether the same function reads ``pg_index.indisvalid`` or REINDEXes the index: an invalid leftover is
    then found and rebuilt (or the migration fails loudly) instead of being skipped."""
    wanted = norm(name)
    for operation in operations:
        if operation.function != build.function or operation.sql_text is None:
            continue
        if "indisvalid" in operation.sql_text.lower():
            return True
        for statement in operation.statements("REINDEX"):
            names = {norm(found) for found in statement.names}
            if statement.verb == "REINDEX" and (wanted is None or wanted in names):
                return True
    return False


# ---------------------------------------------------------------------------------------------- ALM024
def check_enum_type_lifecycle(context: RuleContext) -> Iterator[Diagnostic]:
    migration = context.migration
    operations = context.operations(POSTGRESQL)
    yield from _enum_never_created(context, operations)
    yield from _enum_values_never_added(migration, operations)
    yield from _enum_left_behind(migration, operations)


def _enum_never_created(context: RuleContext, operations: Iterable[Operation]) -> Iterator[Diagnostic]:
    for operation in operations:
        if operation.phase != "upgrade":
            continue
        if operation.name == "add_column" and operation.columns:
            enum = operation.columns[0].enum
        elif operation.name == "alter_column" and operation.enum is not None:
            enum = operation.enum
            existing = operation.existing_enum
            if existing is not None and norm(existing.name) == norm(enum.name):
                continue  # the same type: ALM024's values check
        else:
            continue
        if enum is None or not enum.creates_type or enum.name is None:
            continue
        made = _enum_types_made(context)
        if made is None or None in made or norm(enum.name) in made:
            continue
        yield Diagnostic(
            operation.line,
            operation.col,
            "ALM024",
            f'{operation.name} uses enum type "{enum.name}", which no migration creates: Alembic creates an '
            f"enum type only inside create_table, so this fails with 'type \"{enum.name}\" does not exist'; "
            f'create it first: sa.Enum(..., name="{enum.name}").create(op.get_bind(), checkfirst=True)',
        )


def _enum_types_made(context: RuleContext) -> frozenset[str | None] | None:
    """Enum types created by this file or any migration of its environment (None in it: one the linter cannot
    name). None without a history: the file alone cannot tell a new type from one an earlier revision made."""
    facts = context.environment_facts
    if facts is None or not facts.migrations:
        return None
    return facts.enum_types_made | enum_types_made(context.migration)


def _enum_values_never_added(migration: Migration, operations: Iterable[Operation]) -> Iterator[Diagnostic]:
    altered_types = {
        norm(name)
        for operation in migration.operations
        for statement in operation.statements("TYPE")
        if statement.verb == "ALTER" and statement.object_kind == "TYPE"
        for name in statement.names
    }
    for operation in operations:
        new, old = operation.enum, operation.existing_enum
        if operation.name != "alter_column" or new is None or old is None or new.values is None:
            continue
        if old.values is None or norm(new.name) != norm(old.name) or norm(new.name) in altered_types:
            continue
        added = [value for value in new.values if value not in old.values]
        if added:
            shown = ", ".join(f"'{value}'" for value in added)
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM024",
                f'alter_column to enum "{new.name}" with new values {shown} changes nothing: the type keeps its '
                f"labels and inserting them fails (invalid input value for enum); run "
                f"`ALTER TYPE {new.name} ADD VALUE {added[0]!r}` with op.execute() (in an autocommit_block before "
                "PostgreSQL 12)",
            )


def _enum_left_behind(migration: Migration, operations: Sequence[Operation]) -> Iterator[Diagnostic]:
    if "downgrade" in migration.opaque_phases:
        return
    made_by_table: dict[str | None, list[str]] = {}
    for operation in migration.operations:
        if operation.name == "create_table" and operation.phase == "upgrade":
            for column in operation.columns:
                enum = column.enum
                if enum is not None and enum.creates_type and enum.name is not None:
                    made_by_table.setdefault(norm(operation.table), []).append(enum.name)
    if not made_by_table:
        return
    dropped = _enum_types_dropped(migration)
    if None in dropped:
        return
    last_drop: dict[str, Operation] = {}
    """Each type left behind, reported once: on the last drop_table of a table that used it."""
    for operation in operations:
        if operation.name != "drop_table" or operation.phase != "downgrade":
            continue
        for name in made_by_table.get(norm(operation.table), []):
            if norm(name) not in dropped:
                last_drop[name] = operation
    by_drop: dict[int, list[str]] = {}
    for name, operation in last_drop.items():
        by_drop.setdefault(id(operation), []).append(name)
    for operation in operations:
        left = by_drop.pop(id(operation), None)
        if left:
            shown = ", ".join(f'"{name}"' for name in left)
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM024",
                f"the downgrade drops the tables but leaves the enum type {shown} that create_table made: upgrading "
                f"again fails with 'type \"{left[0]}\" already exists'; after the drop, add "
                f'sa.Enum(name="{left[0]}").drop(op.get_bind(), checkfirst=True)',
            )


def _enum_types_dropped(migration: Migration) -> frozenset[str | None]:
    dropped: set[str | None] = {norm(call.name) for call in migration.enum_calls if call.action == "drop"}
    for operation in migration.operations:
        if operation.phase != "downgrade":
            continue
        for statement in operation.statements("TYPE"):
            if statement.verb == "DROP" and statement.object_kind == "TYPE":
                dropped.update(norm(name) for name in statement.names)
    return frozenset(dropped)


# ---------------------------------------------------------------------------------------------- ALM025/026
def check_unnamed_constraint_drop(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations():
        if operation.name != "drop_constraint" or not operation.unnamed:
            continue
        if operation.kwargs.get("type_") == "primary" and context.reachable(operation.dialects) <= MYSQL:
            continue  # MySQL's DROP PRIMARY KEY needs no name
        yield Diagnostic(
            operation.line,
            operation.col,
            "ALM025",
            "drop_constraint(None, ...) can never run: a constraint is dropped by name, and SQLAlchemy refuses "
            "to emit DROP CONSTRAINT without one; give the name the database has (set a naming convention "
            "so names are predictable)",
        )


def check_unnamed_constraint(context: RuleContext) -> Iterator[Diagnostic]:
    if context.project.naming_convention:
        return
    for operation in context.operations():
        backends = {_BACKEND.get(dialect, dialect) for dialect in context.reachable(operation.dialects)}
        if len(backends) < 2:
            continue  # one database: its generated names are predictable
        if operation.name in _CONSTRAINT_CREATORS and operation.unnamed:
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM026",
                f"{operation.name}(None, ...) with no naming convention: each database then picks its own name, "
                "and a later drop must hard-code one backend's choice; name the constraint, or set "
                "MetaData(naming_convention=...) for target_metadata in env.py",
            )


# ---------------------------------------------------------------------------------------------- ALM027
def check_mysql_modify_loses_attributes(context: RuleContext) -> Iterator[Diagnostic]:
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
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM027",
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
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM027",
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
    state = before.certain_table((operation.engine, table)) if before is not None else None
    return state.columns.get(name) if state is not None else None


# ---------------------------------------------------------------------------------------------- ALM028
def check_identifier_too_long(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations():
        shortened = operation.final_name and operation.name in _NAMED_BY_TARGET
        if shortened and operation.name.startswith("drop_"):
            continue  # op.f() shortens the name the same way its create did: the drop finds it
        for name in _names_created(operation):
            limit = _limit_exceeded(name, context.reachable(operation.dialects))
            if limit is None:
                continue
            dialect, size, unit = limit
            if shortened and name == operation.target:
                consequence = (
                    "op.f() makes SQLAlchemy shorten it (55 characters, `_`, 4 hex digits of its md5), so the "
                    "database holds another name and a later drop by the literal name or by SQL misses it"
                )
            else:
                consequence = (
                    "the statement fails (SQLAlchemy refuses index and constraint names, MySQL every name), or "
                    "PostgreSQL cuts a table or column name short and code using the full name misses it"
                )
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM028",
                f'"{name}" is {_length(name, unit)} {unit} long, over {dialect}\'s limit of {size}: '
                f"{consequence}; use a shorter name",
            )
            break


def _names_created(operation: Operation) -> Iterator[str]:
    name = operation.name
    if name in _NAMED_BY_TARGET and operation.target:
        yield operation.target
    if name in ("create_table", "rename_table", "alter_column", "add_column"):
        if name == "create_table" and operation.table:
            yield operation.table
        if operation.new_name:
            yield operation.new_name
        for column in operation.columns:
            if column.name:
                yield column.name


def _length(name: str, unit: str) -> int:
    return len(name.encode("utf-8")) if unit == "bytes" else len(name)


def _limit_exceeded(name: str, dialects: frozenset[str]) -> tuple[str, int, str] | None:
    for dialect, size, unit in IDENTIFIER_LIMITS:
        if dialect in dialects and _length(name, unit) > size:
            return ("PostgreSQL" if dialect == "postgresql" else "MySQL/MariaDB"), size, unit
    return None


# ---------------------------------------------------------------------------------------------- ALM029
def check_type_change_without_using(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations(POSTGRESQL):
        if operation.name == "alter_column" and operation.type_ is not None:
            if "postgresql_using" in operation.kwargs:
                continue
            old = operation.existing_type or _replayed_type(context, operation, operation.table, operation.target)
            if old is not None and _needs_using(old, operation.type_):
                yield _without_using(operation, operation.target, old, operation.type_)
            continue
        for statement in operation.statements("TYPE"):
            for action in statement.actions:
                if action.kind != "ALTER COLUMN TYPE" or action.using or action.type_text is None:
                    continue
                old = _replayed_type(context, operation, statement.table, action.column)
                new = sql_type_ref(action.type_text)
                if old is not None and _needs_using(old, new):
                    yield _without_using(operation, action.column, old, new)


def _replayed_type(context: RuleContext, operation: Operation, table: str | None, column: str | None) -> TypeRef | None:
    before = context.schema_before
    name, column_name = norm(table), norm(column)
    if before is None or name is None or column_name is None:
        return None
    state = before.certain_table((operation.engine, name))
    found = state.columns.get(column_name) if state is not None else None
    return found.type if found is not None else None


def _needs_using(old: TypeRef, new: TypeRef) -> bool:
    if "unknown" in (old.family, new.family) or old.family == new.family or new.family == "string":
        return False
    return not any(old.family in group and new.family in group for group in _CASTS_WITHOUT_USING)


def _without_using(operation: Operation, column: str | None, old: TypeRef, new: TypeRef) -> Diagnostic:
    shown = column or "the column"
    target = new.describe().lower()
    if new.family == "enum":
        enum_name = operation.enum.name if operation.enum is not None else None
        target = enum_name or "<enum type name>"
    return Diagnostic(
        operation.line,
        operation.col,
        "ALM029",
        f"changing {shown} from {old.describe()} to {new.describe()} needs an explicit cast: PostgreSQL fails "
        f'with "cannot be cast automatically" (42804) even on an empty table; pass '
        f'postgresql_using="{shown}::{target}"',
    )


# ---------------------------------------------------------------------------------------------- ALM030
def check_bad_server_default(context: RuleContext) -> Iterator[Diagnostic]:
    for operation in context.operations():
        reached = context.reachable(operation.dialects)
        for column in operation.columns:
            problem = _default_problem(column.default_constant, column.type, reached)
            if problem:
                yield Diagnostic(column.line, column.col, "ALM030", problem)
        if operation.name == "alter_column":
            value = operation.kwargs.get("server_default")
            constant = value if isinstance(value, str) or value is True else None
            problem = _default_problem(constant, operation.type_ or operation.existing_type, reached)
            if problem:
                yield Diagnostic(operation.line, operation.col, "ALM030", problem)


def _default_problem(value: bool | str | None, column_type: TypeRef | None, dialects: frozenset[str]) -> str | None:
    if isinstance(value, bool):
        replacement = "sa.true()" if value else "sa.false()"
        return (
            f"server_default={value} raises ArgumentError: a server default is SQL text, not a Python value; "
            f"use server_default={replacement} (or sa.text('{str(value).lower()}'))"
        )
    if value is None:
        return None
    text = value.strip().lower()
    family = column_type.family if column_type is not None else "unknown"
    if text in ("now()", "now") and family in ("datetime", "date", "time", "unknown"):
        return (
            f"server_default=\"{value}\" is the quoted string '{value}', not a function call: PostgreSQL turns it "
            "into the time of the migration, stored as a constant for every row; use server_default=sa.func.now() "
            'or sa.text("now()")'
        )
    if text in ("true", "false") and family in ("boolean", "unknown") and dialects & MYSQL:
        replacement = "sa.true()" if text == "true" else "sa.false()"
        return (
            f"server_default=\"{value}\" becomes DEFAULT '{value}', which MySQL/MariaDB cannot store in a BOOLEAN "
            f"(TINYINT) column; use server_default={replacement}"
        )
    return None


RULES = (
    Rule(
        "ALM022",
        "guard-never-true",
        "an existence guard that is never true on the target dialect",
        check_guard_never_true,
        dialects=SCHEMA_IS_A_DATABASE,
    ),
    Rule(
        "ALM023",
        "invalid-index-on-retry",
        "a concurrent index build made idempotent with IF NOT EXISTS",
        check_invalid_index_on_retry,
        dialects=POSTGRESQL,
    ),
    Rule(
        "ALM024",
        "enum-type-lifecycle",
        "an enum type never created, never dropped, or never given its new values",
        check_enum_type_lifecycle,
        dialects=POSTGRESQL,
    ),
    Rule("ALM025", "unnamed-constraint-drop", "drop_constraint(None, ...)", check_unnamed_constraint_drop),
    Rule(
        "ALM026",
        "unnamed-constraint",
        "a constraint created with no name and no naming convention",
        check_unnamed_constraint,
        default=False,
    ),
    Rule(
        "ALM027",
        "mysql-modify-loses-attributes",
        "alter_column on MySQL without the column's existing attributes",
        check_mysql_modify_loses_attributes,
        dialects=MYSQL,
    ),
    Rule("ALM028", "identifier-too-long", "a name over the database's identifier limit", check_identifier_too_long),
    Rule(
        "ALM029",
        "type-change-without-using",
        "a type change PostgreSQL cannot cast without USING",
        check_type_change_without_using,
        dialects=POSTGRESQL,
    ),
    Rule("ALM030", "bad-server-default", "a server default that is not what it seems", check_bad_server_default),
)
