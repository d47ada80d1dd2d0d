"""ALM212 data-backfill-under-lock: `UPDATE`/`INSERT`/`bulk_insert` in the transaction of DDL on the same table."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import Step, table_of, takes_access_exclusive, upgrade_steps


def check_backfill_under_lock(context: RuleContext, report: Report) -> None:
    steps = list(upgrade_steps(context))
    foreign_key_only = {step.table for step in steps if _only_adds_foreign_keys(step)}
    foreign_key_only |= {step.table for step in steps if step.operation.name == "create_foreign_key"}
    exclusive = {step.table for step in steps if takes_access_exclusive(step) and not _only_adds_foreign_keys(step)}
    share_row = foreign_key_only - exclusive
    ddl_seen: set[str | None] = set()
    for step in steps:
        operation = step.operation
        if takes_access_exclusive(step) or operation.name == "create_foreign_key" or _only_adds_foreign_keys(step):
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
        report(
            step.operation,
            f"this backfill of {SUBJECT} runs in the same transaction as DDL on it, so {who} until it "
            "commits; backfill in a separate revision or in op.get_context().autocommit_block() batches",
            table_of(step),
        )


def _only_adds_foreign_keys(step: Step) -> bool:
    statement = step.statement
    return (
        statement is not None
        and bool(statement.actions)
        and all(action.kind == "ADD CONSTRAINT" for action in statement.actions)
        and "FOREIGN KEY" in step.text
    )


RULE = Rule(
    code="ALM212",
    name="data-backfill-under-lock",
    summary="`UPDATE`/`INSERT`/`bulk_insert` in the transaction of DDL on the same table",
    check=check_backfill_under_lock,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
