"""ALM002 unguarded-drop: `drop_table/column/index/constraint` or SQL `DROP` without an existence guard."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ...dialects import MYSQL
from ...effects import CreatedObjects, ObjectRef, dropped_by, naming_templates, renamed_by, sql_drops
from ...names import Identifiers
from ...parse.records import DROP_OPS, Frame, Operation
from ...phase import EarlierUses
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
    ids = Identifiers.on(context.target_dialects)
    convention = context.naming_convention
    naming = naming_templates(convention.templates, convention.complete) if convention is not None else None
    # What was created is only needed where a drop can be excused by it: its own function, and for drops in
    # downgrade(), the upgrade() of the same engine.
    scopes = {(op.function, op.engine) for op in candidates}
    engines = {op.engine for op in candidates if op.phase == "downgrade"}
    created_by_upgrade = {engine: CreatedObjects(ids, naming) for engine in engines}
    named = _names_dropped(candidates, migration.operations, ids)
    if engines:
        for operation in migration.operations:
            if (
                operation.phase == "upgrade"
                and operation.engine in created_by_upgrade
                and _may_create(operation, named, ids)
            ):
                created_by_upgrade[operation.engine].add(operation)
    catching = context.catching_frames
    # A drop of what the same function already used unguarded is still unguarded (the policy asks for both to be
    # guarded: a re-run fails at the earlier statement first); the message names that statement too.
    earlier = EarlierUses(migration.operations, ids, catching)
    proven = _proven_drops(context) if context.settings.guard_drops == "unproven" else set()
    created_in_function = {scope: CreatedObjects(ids, naming) for scope in scopes}
    for operation in migration.operations:
        created = created_in_function.get((operation.function, operation.engine))
        if created is None:
            continue
        if (
            _may_drop(operation)
            and context.applies(operation.dialects)
            and not _protected(operation, catching)
            and not (operation.receiver == "batch" and any(f in context.value_error_frames for f in operation.stack))
            and id(operation) not in proven
        ):
            undone = [created]
            if operation.phase == "downgrade":
                undone.append(created_by_upgrade[operation.engine])
            finding = _finding(context, operation, _Excuses(undone, earlier, ids))
            if finding is not None:
                report(operation, *finding)
        if _may_create(operation, named, ids):
            created.add(operation)


@dataclass(frozen=True)
class _Excuses:
    """What makes a drop's guard pointless: objects created earlier (by this function, or for a downgrade by the
    matching upgrade). ``earlier`` finds the statements that already used the dropped object, for the message."""

    undone: list[CreatedObjects]
    earlier: EarlierUses
    ids: Identifiers

    def excuse(self, ref: ObjectRef, made_here: CreatedObjects | None = None) -> bool:
        created = [*self.undone, made_here] if made_here is not None else self.undone
        return any(objects.covers(ref) for objects in created)

    def also(self, operation: Operation, refs: Sequence[ObjectRef]) -> str:
        """``; line N already uses it …`` when an earlier statement of the function needs a dropped object too."""
        uses = [use for ref in refs if (use := self.earlier.first_use_before(operation, ref)) is not None]
        if not uses:
            return ""
        use = min(uses, key=lambda found: found.line)
        return f"; line {use.line} already uses it unguarded, so guard that statement too (a re-run fails there first)"


def _proven_drops(context: RuleContext) -> set[int]:
    """Drops in upgrade() of a table or column the replay shows exists before this revision, each the first
    change to its table in this revision (identified by ``id``)."""
    before = context.schema_before
    if before is None or before.open_world:
        return set()
    proven: set[int] = set()
    touched: set[tuple[str, str] | None] = set()
    for operation in context.migration.operations:
        if operation.phase != "upgrade":
            continue
        key = before.key(operation.engine, operation.table)
        state = before.table(key) if key is not None and key not in touched else None
        if state is not None and not state.uncertain and operation.receiver in ("op", "batch"):
            column = before.column(state, operation.target)
            if operation.name == "drop_table" or (operation.name == "drop_column" and column is not None):
                proven.add(id(operation))
        if operation.name != "batch_alter_table":
            touched.add(key)
    return proven


def _names_dropped(candidates: list[Operation], operations: tuple[Operation, ...], ids: Identifiers) -> set[str | None]:
    """Every name a drop candidate mentions (object or table), as ``ids`` compares it, plus every name a rename
    touches (an object created as `a` and renamed to `b` is excused by a drop of `b`)."""
    names: set[str | None] = set()
    for operation in candidates:
        for ref in dropped_by(operation, ids):
            names.add(ref.name)
            names.add(ref.table)
    for operation in operations:
        for before, new_name in renamed_by(operation, ids):
            names.update((before.name, before.table, new_name))
    names.discard(None)
    return names


def _may_create(operation: Operation, named: set[str | None], ids: Identifiers) -> bool:
    """Whether the operation can create (or rename) something a drop names; SQL is always examined."""
    if operation.sql_text is not None or operation.new_name is not None:
        return True
    kind = "table" if operation.name == "create_table" else "column"
    return ids.python(operation.table) in named or ids.python(operation.target, kind) in named


def _may_drop(operation: Operation) -> bool:
    if operation.name in DROP_OPS:
        return operation.receiver in ("op", "batch")
    text = operation.sql_text
    return text is not None and "DROP" in text.upper()


def _protected(operation: Operation, catching: frozenset[Frame]) -> bool:
    """Guarded by an existence check, or inside a try/suppress that catches the failure."""
    return operation.guarded or any(frame in catching for frame in operation.stack)


def _finding(context: RuleContext, operation: Operation, excuses: _Excuses) -> tuple[str, Subject | None] | None:
    """The message (and what it is about) for a drop nothing excuses; None when something does."""
    if operation.name in DROP_OPS:
        refs = dropped_by(operation, excuses.ids)
        if any(excuses.excuse(ref) for ref in refs):
            return None
        if any(created.covers_unnamed_drop(operation) for created in excuses.undone):
            return None
        prefix = "batch_op" if operation.receiver == "batch" else "op"
        message = (
            f"{prefix}.{operation.name}() of {SUBJECT if refs else 'the object'} is not guarded: it fails if the "
            f"object is already gone; {_fix(context, operation)}{excuses.also(operation, refs)}"
        )
        return message, _subject(refs[0]) if refs else None
    made_here = CreatedObjects(excuses.ids)  # by an earlier statement of the same SQL string (CREATE …; DROP …)
    for statement in operation.statements("DROP"):
        for ref, if_exists in sql_drops(statement, excuses.ids):
            if if_exists or excuses.excuse(ref, made_here):
                continue
            message = (
                f"SQL {statement.verb} of {SUBJECT} has no IF EXISTS: it fails if the object is already "
                f"gone; {_sql_fix(context.reachable(operation.dialects), ref)}{excuses.also(operation, (ref,))}"
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


_CONSTRAINT_INSPECTOR_CALL = {
    "foreignkey": "get_foreign_keys()",
    "unique": "get_unique_constraints()",
    "check": "get_check_constraints()",
    "primary": "get_pk_constraint()",
}
"""The inspector call that lists a constraint of ``drop_constraint(type_=…)``'s kind."""


def _inspector_call(operation: Operation) -> str:
    kind = operation.kwargs.get("type_") if operation.name == "drop_constraint" else None
    if isinstance(kind, str) and kind in _CONSTRAINT_INSPECTOR_CALL:
        return _CONSTRAINT_INSPECTOR_CALL[kind]
    return _INSPECTOR_CALL[operation.name]


def _fix(context: RuleContext, operation: Operation) -> str:
    guard = f"guard it with sa.inspect(op.get_bind()).{_inspector_call(operation)}"
    dialects = context.reachable(operation.dialects)
    if operation.receiver == "batch" and operation.name == "drop_constraint":
        return f"batch_op.drop_constraint() has no if_exists: {guard}"
    if operation.name == "drop_constraint" and dialects & MYSQL:
        return f"MySQL renders no IF EXISTS for drop_constraint: {guard}"
    if operation.name == "drop_column" and "sqlite" in dialects:
        return f"SQLite rejects DROP COLUMN IF EXISTS: {guard}"
    if operation.name == "drop_column" and "mysql" in dialects:
        return f"MySQL has no DROP COLUMN IF EXISTS (MariaDB has): {guard}"
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
    tier=Tier.DEFAULT,
    since="0.1.0",
)
