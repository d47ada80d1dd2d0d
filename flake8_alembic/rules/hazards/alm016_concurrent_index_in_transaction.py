"""ALM016 concurrent-index-in-transaction: `CONCURRENTLY` outside `autocommit_block()` (25001)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import Report, Rule, RuleContext, Tier


def check_concurrent_index_in_transaction(context: RuleContext, report: Report) -> None:
    if context.settings.autocommit_connections is None and context.project.autocommit is None:
        return  # no env.py to read: how the application runs the migrations (AUTOCOMMIT?) is unknown
    for operation in context.operations(POSTGRESQL):
        if operation.inside("autocommit") or operation.after_commit:
            continue
        concurrent = operation.kwargs.get("postgresql_concurrently") is True or any(
            statement.concurrently for statement in operation.statements("CONCURRENTLY")
        )
        if concurrent and not context.autocommit:
            report(
                operation,
                "a CONCURRENTLY index operation inside the migration's transaction: PostgreSQL refuses it "
                "(25001, cannot run inside a transaction block); put it in "
                "`with op.get_context().autocommit_block():`",
            )


RULE = Rule(
    code="ALM016",
    name="concurrent-index-in-transaction",
    summary="`CONCURRENTLY` outside `autocommit_block()` (25001)",
    check=check_concurrent_index_in_transaction,
    tier=Tier.DEFAULT,
    dialects=POSTGRESQL,
    since="0.1.0",
)
