"""Rules answered by the schema replay: ALM003 alter-unknown-table, ALM005 column-existence."""

from __future__ import annotations

from collections.abc import Iterator

from ..effects import norm
from ..parse.records import Operation
from ..schema import Snapshot, TableState
from .base import Diagnostic, Rule, RuleContext

_ASSUMES_TABLE = frozenset(
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


def _tables_assumed(operation: Operation) -> list[str]:
    """The tables an operation needs to exist (batch blocks are checked once, at the block)."""
    if operation.name in _ASSUMES_TABLE and operation.receiver == "op":
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


def _tables_created(operation: Operation) -> list[str]:
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


def check_alter_unknown_table(context: RuleContext) -> Iterator[Diagnostic]:
    before, replay, environment = context.schema_before, context.replay, context.environment
    revision = context.migration.revision
    if before is None or replay is None or environment is None or revision is None:
        return
    external = {norm(name) for name in context.settings.external_tables}
    always = context.settings.guard_alters == "always"
    created_here: set[tuple[str, str | None]] = set()
    ancestors: set[str] | None = None
    for operation in context.operations():
        if operation.phase != "upgrade":
            continue
        for name in _tables_assumed(operation):
            key = (operation.engine, norm(name))
            if operation.guarded or key in created_here or key[1] in external or key[1] is None:
                continue
            if always:
                yield _finding(operation, name, 'guard-alters = "always": check that the table exists first')
                continue
            if before.table((key[0], key[1])) is not None:
                continue
            drop = before.dropped((key[0], key[1]))
            if drop is not None:
                how = f"renamed to {drop.renamed_to!r}" if drop.renamed_to else "dropped"
                yield _finding(operation, name, f"it was {how} by revision {drop.revision}")
                continue
            if before.open_world:
                continue
            creators = replay.creators.get((key[0], key[1]), set()) - {revision}
            if creators:
                ancestors = ancestors if ancestors is not None else environment.ancestors(revision)
                if creators & ancestors:
                    continue
                shown = ", ".join(sorted(creators))
                yield _finding(
                    operation, name, f"only revision {shown} creates it, and that is not an ancestor of this one"
                )
            else:
                yield _finding(operation, name, "no migration of this history creates it")
        created_here.update((operation.engine, norm(name)) for name in _tables_created(operation))


def _finding(operation: Operation, table: str, why: str) -> Diagnostic:
    return Diagnostic(
        operation.line,
        operation.col,
        "ALM003",
        f"{operation.name}() on table {table!r} assumes it exists, but {why}: it fails with relation "
        f'"{table}" does not exist; create it first, or guard it with sa.inspect(op.get_bind()).has_table()',
    )


def check_column_existence(context: RuleContext) -> Iterator[Diagnostic]:
    before = context.schema_before
    if before is None or before.open_world:
        return
    catching = context.catching_frames
    touched: set[tuple[str, str | None]] = set()
    for operation in context.operations():
        if operation.phase != "upgrade" or operation.name == "batch_alter_table":
            continue
        key = (operation.engine, norm(operation.table))
        state = _known_table(before, key, touched)
        protected = operation.guarded or any(frame in catching for frame in operation.stack)
        if state is not None and not protected:
            yield from _column_findings(operation, state)
        if operation.name in ("execute", "exec_driver_sql"):
            touched.update((operation.engine, norm(t)) for t in _tables_assumed(operation) + _tables_created(operation))
        touched.add(key)


def _known_table(
    before: Snapshot, key: tuple[str, str | None], touched: set[tuple[str, str | None]]
) -> TableState | None:
    if key[1] is None or key in touched:
        return None  # changed earlier in this revision: the order of its changes is not modelled
    return before.certain_table((key[0], key[1]))


def _column_findings(operation: Operation, state: TableState) -> Iterator[Diagnostic]:
    column = norm(operation.target)
    if operation.name == "add_column" and column and column in state.columns:
        yield Diagnostic(
            operation.line,
            operation.col,
            "ALM005",
            f"add_column({state.name!r}, {operation.target!r}): the earlier revisions already gave the table "
            "this column; it fails with DuplicateColumn; check get_columns() first or drop the add",
        )
    elif operation.name in ("alter_column", "drop_column") and column and column not in state.columns:
        yield Diagnostic(
            operation.line,
            operation.col,
            "ALM005",
            f"{operation.name}({state.name!r}, {operation.target!r}): no such column at this revision (table "
            f"{state.name!r} has {', '.join(sorted(state.columns)) or 'no columns'}); it fails with "
            "UndefinedColumn",
        )
    elif operation.name == "create_index":
        missing = [name for name in operation.index_columns if name and norm(name) not in state.columns]
        if missing:
            yield Diagnostic(
                operation.line,
                operation.col,
                "ALM005",
                f"create_index on {state.name!r} names column(s) {', '.join(missing)} that do not exist at this "
                "revision; it fails with UndefinedColumn",
            )


RULES = (
    Rule(
        "ALM003", "alter-unknown-table", "an operation on a table the history never created", check_alter_unknown_table
    ),
    Rule(
        "ALM005",
        "column-existence",
        "adding a column that exists, or altering one that does not",
        check_column_existence,
    ),
)
