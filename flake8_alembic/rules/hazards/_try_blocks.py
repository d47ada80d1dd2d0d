"""What a try block (or a ``contextlib.suppress`` block) protects: shared by ALM006 and ALM007."""

from __future__ import annotations

from ...parse.records import Operation, TryBlock
from ..base import RuleContext


def statements_inside(context: RuleContext, block: TryBlock) -> list[Operation]:
    """The database statements a try block (or suppress block) protects.

    Batch operations are queued and run when their ``batch_alter_table`` block exits: a try inside the block
    protects nothing, a try around the whole block protects them all.
    """
    inside = []
    for operation in context.operations_in_frame.get(block.frame, ()):
        if operation.name == "batch_alter_table":
            continue
        if operation.receiver == "batch" and batch_opened_before(operation, block):
            continue
        inside.append(operation)
    return inside


def batch_opened_before(operation: Operation, block: TryBlock) -> bool:
    """The operation's batch block encloses the try: the operation runs only when that block exits."""
    position = operation.stack.index(block.frame)
    return any(frame.kind == "batch" for frame in operation.stack[:position])
