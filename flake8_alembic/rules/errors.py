"""Error-handling rules: ALM006 swallowed-error, ALM007 try-in-transaction."""

from __future__ import annotations

from collections.abc import Iterator

from ..parse.records import Operation, TryBlock
from .base import POSTGRESQL, Diagnostic, Rule, RuleContext


def _statements_inside(context: RuleContext, block: TryBlock) -> list[Operation]:
    """The database statements a try block (or suppress block) protects.

    Batch operations are queued and run when their ``batch_alter_table`` block exits: a try inside the block
    protects nothing, a try around the whole block protects them all.
    """
    inside = []
    for operation in context.operations_in_frame.get(block.frame, ()):
        if operation.name == "batch_alter_table":
            continue
        if operation.receiver == "batch" and _batch_opened_before(operation, block):
            continue
        inside.append(operation)
    return inside


def _batch_opened_before(operation: Operation, block: TryBlock) -> bool:
    """The operation's batch block encloses the try: the operation runs only when that block exits."""
    position = operation.stack.index(block.frame)
    return any(frame.kind == "batch" for frame in operation.stack[:position])


def check_swallowed_error(context: RuleContext) -> Iterator[Diagnostic]:
    for block in context.migration.try_blocks:
        if not context.applies(block.dialects):
            continue
        inside = [op for op in _statements_inside(context, block) if context.applies(op.dialects)]
        if not inside:
            continue
        for handler in block.handlers:
            if handler.silent and handler.catches_db_error:  # `except ValueError: pass` lets SQL errors through
                what = "contextlib.suppress()" if block.kind == "suppress" else "this handler"
                yield Diagnostic(
                    handler.line,
                    handler.col,
                    "ALM006",
                    f"{what} swallows a failed migration statement without a trace: the migration reports "
                    "success on a schema it did not change; check existence first, or log and re-raise",
                )


def check_try_in_transaction(context: RuleContext) -> Iterator[Diagnostic]:
    for block in context.migration.try_blocks:
        if not context.applies(block.dialects, POSTGRESQL):
            continue
        exposed = [
            operation
            for operation in _statements_inside(context, block)
            if context.applies(operation.dialects, POSTGRESQL)
            and not _isolated(operation, block)
            and not (operation.flag("if_exists") or operation.flag("if_not_exists"))
        ]
        if not exposed:
            continue
        for handler in block.handlers:
            if handler.catches_db_error and "postgresql" not in handler.reraises_on and not context.autocommit:
                what = "contextlib.suppress()" if block.kind == "suppress" else "this handler"
                yield Diagnostic(
                    handler.line,
                    handler.col,
                    "ALM007",
                    f"{what} carries on after a failed statement inside the migration's transaction: PostgreSQL "
                    'aborts the transaction and every later statement fails with 25P02 "current transaction is '
                    'aborted"; check existence instead, or run the statement in a savepoint '
                    "(with op.get_bind().begin_nested():) inside the try",
                )


def _isolated(operation: Operation, block: TryBlock) -> bool:
    """An autocommit block, or a savepoint between the try and the statement, keeps the transaction usable."""
    frames = operation.stack
    if any(frame.kind == "autocommit" for frame in frames):
        return True
    start = frames.index(block.frame)
    return any(frame.kind == "savepoint" for frame in frames[start + 1 :])


RULES = (
    Rule(
        "ALM006",
        "swallowed-error",
        "an except that silently passes around migration statements",
        check_swallowed_error,
    ),
    Rule(
        "ALM007",
        "try-in-transaction",
        "a caught SQL failure poisons the PostgreSQL transaction",
        check_try_in_transaction,
        dialects=POSTGRESQL,
    ),
)
