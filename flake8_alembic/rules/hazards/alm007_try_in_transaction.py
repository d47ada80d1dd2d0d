"""ALM007 try-in-transaction: a caught SQL failure that carries on inside the transaction (25P02 afterwards)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ...parse.records import Operation, TryBlock
from ..base import Report, Rule, RuleContext, Tier
from ._try_blocks import statements_inside


def check_try_in_transaction(context: RuleContext, report: Report) -> None:
    for block in context.migration.try_blocks:
        if not context.applies(block.dialects, POSTGRESQL):
            continue
        exposed = [
            operation
            for operation in statements_inside(context, block)
            if context.applies(operation.dialects, POSTGRESQL)
            and not _isolated(operation, block)
            and not (operation.flag("if_exists") or operation.flag("if_not_exists"))
        ]
        if not exposed:
            continue
        for handler in block.handlers:
            if handler.catches_db_error and "postgresql" not in handler.reraises_on and not context.autocommit:
                what = "contextlib.suppress()" if block.kind == "suppress" else "this handler"
                report(
                    handler,
                    f"{what} carries on after a failed statement inside the migration's transaction: PostgreSQL "
                    'aborts the transaction and every later statement fails with 25P02 "current transaction is '
                    'aborted"; check existence instead, or run the statement in a savepoint '
                    "(with op.get_bind().begin_nested():) inside the try",
                )


def _isolated(operation: Operation, block: TryBlock) -> bool:
    """An autocommit block, or a savepoint between the try and the statement, keeps the transaction usable. After
    an ``op.execute("COMMIT")`` on every path the connection is outside any transaction (psycopg2 still believes
    it is inside one, so it begins none): a failed statement aborts nothing."""
    frames = operation.stack
    if operation.after_commit or any(frame.kind == "autocommit" for frame in frames):
        return True
    start = frames.index(block.frame)
    return any(frame.kind == "savepoint" for frame in frames[start + 1 :])


RULE = Rule(
    code="ALM007",
    name="try-in-transaction",
    summary="a caught SQL failure that carries on inside the transaction (25P02 afterwards)",
    check=check_try_in_transaction,
    tier=Tier.PREVIEW,
    dialects=POSTGRESQL,
    since="0.1.0",
)
