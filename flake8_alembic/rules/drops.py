"""ALM002 unguarded-drop: a DROP that fails when the object is already gone."""

from __future__ import annotations

from collections.abc import Iterator

from ..effects import CreatedObjects, ObjectRef, dropped_by, sql_drops
from ..operations import DROP_OPS, Frame, Operation
from .base import Diagnostic, Rule, RuleContext

# The first Alembic release whose op renders IF EXISTS (reference/alembic_facts.md §1.1).
IF_EXISTS_SINCE = {
    "drop_table": (1, 13, 3),
    "drop_index": (1, 11, 2),
    "drop_column": (1, 16, 0),
    "drop_constraint": (1, 16, 0),
}
_MYSQL = frozenset({"mysql", "mariadb"})


def check_unguarded_drop(context: RuleContext) -> Iterator[Diagnostic]:
    migration = context.migration
    if not any(op.name in DROP_OPS or op.sql_text is not None for op in migration.operations):
        return
    created_by_upgrade: dict[str, CreatedObjects] = {}
    for operation in migration.operations:
        if operation.phase == "upgrade":
            created_by_upgrade.setdefault(operation.engine, CreatedObjects()).add(operation)
    catching = {block.frame for block in migration.try_blocks if any(h.catches_db_error for h in block.handlers)}
    created_in_function: dict[tuple[str, str], CreatedObjects] = {}
    for operation in migration.operations:
        scope = (operation.function, operation.engine)
        earlier = created_in_function.setdefault(scope, CreatedObjects())
        candidate = operation.name in DROP_OPS or operation.sql_text is not None
        if candidate and context.applies(operation.dialects) and not _protected(operation, catching):
            undone = [earlier]
            if operation.phase == "downgrade":
                undone.append(created_by_upgrade.get(operation.engine, CreatedObjects()))
            finding = _finding(context, operation, undone)
            if finding is not None:
                yield finding
        earlier.add(operation)


def _protected(operation: Operation, catching: set[Frame]) -> bool:
    """Guarded by an existence check, or inside a try/suppress that catches the failure."""
    return operation.guarded or any(frame in catching for frame in operation.stack)


def _finding(context: RuleContext, operation: Operation, undone: list[CreatedObjects]) -> Diagnostic | None:
    if operation.name in DROP_OPS and operation.receiver in ("op", "batch"):
        refs = dropped_by(operation)
        if any(created.covers(ref) for ref in refs for created in undone):
            return None
        prefix = "batch_op" if operation.receiver == "batch" else "op"
        described = _describe(refs[0]) if refs else "the object"
        return Diagnostic(
            operation.line,
            operation.col,
            "ALM002",
            f"{prefix}.{operation.name}() of {described} is not guarded: it fails if the object is already "
            f"gone; {_fix(context, operation)}",
        )
    for statement in operation.statements("DROP"):
        for ref, if_exists in sql_drops(statement):
            if if_exists or any(created.covers(ref) for created in undone):
                continue
            return Diagnostic(
                operation.line,
                operation.col,
                "ALM002",
                f"SQL {statement.verb} of {_describe(ref)} has no IF EXISTS: it fails if the object is already "
                f"gone; {_sql_fix(context.reachable(operation.dialects), ref)}",
            )
    return None


def _describe(ref: ObjectRef) -> str:
    name = f'"{ref.name}"' if ref.name else "(dynamic name)"
    if ref.kind in ("column", "constraint", "index") and ref.table:
        return f'{ref.kind} {name} of "{ref.table}"'
    return f"{ref.kind} {name}"


_INSPECTOR_CALL = {
    "drop_table": "has_table()",
    "drop_column": "get_columns()",
    "drop_index": "get_indexes()",
    "drop_constraint": "get_foreign_keys()/get_unique_constraints()",
}


def _fix(context: RuleContext, operation: Operation) -> str:
    guard = f"guard it with sa.inspect(op.get_bind()).{_INSPECTOR_CALL[operation.name]}"
    dialects = context.reachable(operation.dialects)
    if operation.receiver == "batch" and operation.name == "drop_constraint":
        return f"batch_op.drop_constraint() has no if_exists: {guard}"
    if operation.name == "drop_constraint" and dialects & _MYSQL:
        return f"MySQL renders no IF EXISTS for drop_constraint: {guard}"
    if operation.name == "drop_column" and "sqlite" in dialects:
        return f"SQLite rejects DROP COLUMN IF EXISTS: {guard}"
    since = IF_EXISTS_SINCE[operation.name]
    needed = ".".join(map(str, since))
    version = context.alembic_version
    if version is None:
        return f"pass if_exists=True (Alembic >= {needed}) or {guard}"
    if version < since:
        shown = ".".join(map(str, version))
        return f"the project's Alembic {shown} has no if_exists for {operation.name} (added in {needed}): {guard}"
    return "pass if_exists=True"


def _sql_fix(dialects: frozenset[str], ref: ObjectRef) -> str:
    if ref.kind == "column" and dialects & {"mysql", "sqlite"}:
        return "MySQL and SQLite have no DROP COLUMN IF EXISTS: guard it with an inspector check"
    if ref.kind == "constraint" and dialects & {"mysql", "sqlite"}:
        return "MySQL and SQLite have no DROP CONSTRAINT IF EXISTS: guard it with an inspector check"
    return "write IF EXISTS"


RULES = (Rule("ALM002", "unguarded-drop", "a DROP without an existence guard", check_unguarded_drop),)
