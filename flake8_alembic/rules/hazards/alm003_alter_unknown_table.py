"""ALM003 alter-unknown-table: an operation on a table the history created only later, dropped, or (closed world) never
created."""

from __future__ import annotations

from ...parse.records import Operation
from ..base import Report, Rule, RuleContext, Tier
from ._replayed_tables import tables_assumed, tables_created


def check_alter_unknown_table(context: RuleContext, report: Report) -> None:
    before, replay, environment = context.schema_before, context.replay, context.environment
    revision = context.migration.revision
    if before is None or replay is None or environment is None or revision is None:
        return
    ids = before.identifiers
    external = {ids.python(name) for name in context.settings.external_tables}
    always = context.settings.guard_alters == "always"
    created_here: set[tuple[str, str | None]] = set()
    ancestors: set[str] | None = None
    for operation in context.operations():
        if operation.phase != "upgrade":
            continue
        for table in tables_assumed(operation):
            key, name = (operation.engine, table.key(ids)), table.shown
            if operation.guarded or key in created_here or key[1] in external or key[1] is None:
                continue
            if always:
                report(
                    operation, _finding(operation, name, 'guard-alters = "always": check that the table exists first')
                )
                continue
            if before.table((key[0], key[1])) is not None:
                continue
            drop = before.dropped((key[0], key[1]))
            if drop is not None:
                how = f"renamed to {drop.renamed_to!r}" if drop.renamed_to else "dropped"
                report(operation, _finding(operation, name, f"it was {how} by revision {drop.revision}"))
                continue
            if before.open_world or not context.schema_birth.closed:
                continue  # tables may come from outside the migrations: "never created" proves nothing
            creators = replay.creators.get((key[0], key[1]), set()) - {revision}
            if creators:
                ancestors = ancestors if ancestors is not None else environment.ancestors(revision)
                if creators & ancestors:
                    continue
                shown = ", ".join(sorted(creators))
                report(
                    operation,
                    _finding(
                        operation, name, f"only revision {shown} creates it, and that is not an ancestor of this one"
                    ),
                )
            else:
                report(operation, _finding(operation, name, "no migration of this history creates it"))
        created_here.update((operation.engine, table.key(ids)) for table in tables_created(operation))


def _finding(operation: Operation, table: str, why: str) -> str:
    return (
        f"{operation.name}() on table {table!r} assumes it exists, but {why}: it fails with relation "
        f'"{table}" does not exist; create it first, or guard it with sa.inspect(op.get_bind()).has_table()'
    )


RULE = Rule(
    code="ALM003",
    name="alter-unknown-table",
    summary="an operation on a table the history created only later, dropped, or (closed world) never created",
    check=check_alter_unknown_table,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
