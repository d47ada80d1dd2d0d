"""ALM005 column-existence: adding a column that already exists, or altering/dropping/indexing one that does not."""

from __future__ import annotations

from ...names import Identifiers
from ...parse.records import Operation
from ...schema import Snapshot, TableState
from ..base import Report, Rule, RuleContext, Tier
from ._replayed_tables import tables_assumed, tables_created


def check_column_existence(context: RuleContext, report: Report) -> None:
    before = context.schema_before
    if before is None or before.open_world:
        return
    ids = before.identifiers
    catching = context.catching_frames
    touched: set[tuple[str, str | None]] = set()
    for operation in context.operations():
        if operation.phase != "upgrade" or operation.name == "batch_alter_table":
            continue
        key = (operation.engine, ids.python(operation.table))
        state = _known_table(before, key, touched)
        protected = operation.guarded or any(frame in catching for frame in operation.stack)
        if state is not None and not protected:
            _column_findings(operation, state, ids, report)
        if operation.name in ("execute", "exec_driver_sql"):
            named = tables_assumed(operation) + tables_created(operation)
            touched.update((operation.engine, table.key(ids)) for table in named)
        touched.add(key)


def _known_table(
    before: Snapshot, key: tuple[str, str | None], touched: set[tuple[str, str | None]]
) -> TableState | None:
    if key[1] is None or key in touched:
        return None  # changed earlier in this revision: the order of its changes is not modelled
    return before.certain_table((key[0], key[1]))


def _column_findings(operation: Operation, state: TableState, ids: Identifiers, report: Report) -> None:
    column = ids.python(operation.target, "column")
    if operation.name == "add_column" and column and column in state.columns:
        report(
            operation,
            f"add_column({state.name!r}, {operation.target!r}): the earlier revisions already gave the table "
            "this column; it fails with DuplicateColumn; check get_columns() first or drop the add",
        )
    elif operation.name in ("alter_column", "drop_column") and column and column not in state.columns:
        report(
            operation,
            f"{operation.name}({state.name!r}, {operation.target!r}): no such column at this revision (table "
            f"{state.name!r} has {', '.join(sorted(state.columns)) or 'no columns'}); it fails with "
            "UndefinedColumn",
        )
    elif operation.name == "create_index":
        missing = [name for name in operation.index_columns if name and ids.python(name, "column") not in state.columns]
        if missing:
            report(
                operation,
                f"create_index on {state.name!r} names column(s) {', '.join(missing)} that do not exist at this "
                "revision; it fails with UndefinedColumn",
            )


RULE = Rule(
    code="ALM005",
    name="column-existence",
    summary="adding a column that already exists, or altering/dropping/indexing one that does not",
    check=check_column_existence,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
