"""ALM002 unguarded-drop: `drop_table/column/index/constraint` or SQL `DROP` without an existence guard."""

from __future__ import annotations

from ...dialects import MYSQL
from ...effects import CreatedObjects, ObjectRef, dropped_by, norm, renamed_by, sql_drops
from ...parse.records import DROP_OPS, Frame, Operation
from ..base import SUBJECT, Report, Rule, RuleContext, Subject, Tier

# The first Alembic release whose op renders IF EXISTS (reference/alembic_facts.md §1.1).
IF_EXISTS_SINCE = {
    "drop_table": (1, 13, 3),
    "drop_index": (1, 11, 2),
    "drop_column": (1, 16, 0),
    "drop_constraint": (1, 16, 0),
}


def check_unguarded_drop(context: RuleContext, report: Report) -> None:
    migration = context.migration
    candidates = [op for op in migration.operations if _may_drop(op)]
    if not candidates:
        return
    # What was created is only needed where a drop can be excused by it: its own function, and for drops in
    # downgrade(), the upgrade() of the same engine.
    scopes = {(op.function, op.engine) for op in candidates}
    engines = {op.engine for op in candidates if op.phase == "downgrade"}
    created_by_upgrade = {engine: CreatedObjects() for engine in engines}
    named = _names_dropped(candidates, migration.operations)
    if engines:
        for operation in migration.operations:
            if (
                operation.phase == "upgrade"
                and operation.engine in created_by_upgrade
                and _may_create(operation, named)
            ):
                created_by_upgrade[operation.engine].add(operation)
    catching = context.catching_frames
    proven = _proven_drops(context) if context.settings.guard_drops == "unproven" else set()
    created_in_function = {scope: CreatedObjects() for scope in scopes}
    for operation in migration.operations:
        earlier = created_in_function.get((operation.function, operation.engine))
        if earlier is None:
            continue
        if (
            _may_drop(operation)
            and context.applies(operation.dialects)
            and not _protected(operation, catching)
            and not (operation.receiver == "batch" and any(f in context.value_error_frames for f in operation.stack))
            and id(operation) not in proven
        ):
            undone = [earlier]
            if operation.phase == "downgrade":
                undone.append(created_by_upgrade[operation.engine])
            finding = _finding(context, operation, undone)
            if finding is not None:
                report(operation, *finding)
        if _may_create(operation, named):
            earlier.add(operation)


def _proven_drops(context: RuleContext) -> set[int]:
    """Drops in upgrade() of a table or column the replay shows exists before this revision, each the first
    change to its table in this revision (identified by ``id``)."""
    before = context.schema_before
    if before is None or before.open_world:
        return set()
    proven: set[int] = set()
    touched: set[tuple[str, str | None]] = set()
    for operation in context.migration.operations:
        if operation.phase != "upgrade":
            continue
        key = (operation.engine, norm(operation.table))
        state = before.table((key[0], key[1])) if key[1] and key not in touched else None
        if state is not None and not state.uncertain and operation.receiver in ("op", "batch"):
            column = norm(operation.target)
            if operation.name == "drop_table" or (operation.name == "drop_column" and column in state.columns):
                proven.add(id(operation))
        if operation.name != "batch_alter_table":
            touched.add(key)
    return proven


def _names_dropped(candidates: list[Operation], operations: tuple[Operation, ...]) -> set[str | None]:
    """Every name a drop candidate mentions (object or table), as `norm` spells it, plus every name a rename
    touches (an object created as `a` and renamed to `b` is excused by a drop of `b`)."""
    names: set[str | None] = set()
    for operation in candidates:
        for ref in dropped_by(operation):
            names.add(ref.name)
            names.add(ref.table)
    for operation in operations:
        for before, new_name in renamed_by(operation):
            names.update((before.name, before.table, new_name))
    names.discard(None)
    return names


def _may_create(operation: Operation, named: set[str | None]) -> bool:
    """Whether the operation can create (or rename) something a drop names; SQL is always examined."""
    if operation.sql_text is not None or operation.new_name is not None:
        return True
    return norm(operation.table) in named or norm(operation.target) in named


def _may_drop(operation: Operation) -> bool:
    if operation.name in DROP_OPS:
        return operation.receiver != "bind"
    text = operation.sql_text
    return text is not None and "DROP" in text.upper()


def _protected(operation: Operation, catching: frozenset[Frame]) -> bool:
    """Guarded by an existence check, or inside a try/suppress that catches the failure."""
    return operation.guarded or any(frame in catching for frame in operation.stack)


def _finding(
    context: RuleContext, operation: Operation, undone: list[CreatedObjects]
) -> tuple[str, Subject | None] | None:
    """The message (and what it is about) for a drop nothing excuses; None when something does."""
    if operation.name in DROP_OPS and operation.receiver in ("op", "batch"):
        refs = dropped_by(operation)
        if any(created.covers(ref) for ref in refs for created in undone):
            return None
        if any(created.covers_unnamed_drop(operation) for created in undone):
            return None
        prefix = "batch_op" if operation.receiver == "batch" else "op"
        message = (
            f"{prefix}.{operation.name}() of {SUBJECT if refs else 'the object'} is not guarded: it fails if the "
            f"object is already gone; {_fix(context, operation)}"
        )
        return message, _subject(refs[0]) if refs else None
    made_here = CreatedObjects()  # by an earlier statement of the same SQL string (CREATE PROCEDURE …; DROP …)
    for statement in operation.statements("DROP"):
        for ref, if_exists in sql_drops(statement):
            if if_exists or any(created.covers(ref) for created in (*undone, made_here)):
                continue
            message = (
                f"SQL {statement.verb} of {SUBJECT} has no IF EXISTS: it fails if the object is already "
                f"gone; {_sql_fix(context.reachable(operation.dialects), ref)}"
            )
            return message, _subject(ref)
        made_here.add_statement(statement)
    return None


def _subject(ref: ObjectRef) -> Subject:
    name = f'"{ref.name}"' if ref.name else "(dynamic name)"
    plural = "indexes" if ref.kind == "index" else ""
    if ref.kind in ("column", "constraint", "index") and ref.table:
        return Subject(ref.kind, f'{name} of "{ref.table}"', plural)
    return Subject(ref.kind, name, plural)


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
    if operation.name == "drop_constraint" and dialects & MYSQL:
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


RULE = Rule(
    code="ALM002",
    name="unguarded-drop",
    summary="`drop_table/column/index/constraint` or SQL `DROP` without an existence guard",
    check=check_unguarded_drop,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
