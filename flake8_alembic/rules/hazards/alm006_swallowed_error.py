"""ALM006 swallowed-error: an `except: pass` (or `contextlib.suppress`) around migration statements."""

from __future__ import annotations

from ...parse.records import Operation
from ...sql import is_probe
from ..base import Report, Rule, RuleContext, Tier
from ._try_blocks import statements_inside


def check_swallowed_error(context: RuleContext, report: Report) -> None:
    for block in context.migration.try_blocks:
        if not context.applies(block.dialects):
            continue
        inside = [op for op in statements_inside(context, block) if context.applies(op.dialects)]
        if not inside or all(_only_probes(op) for op in inside):
            continue  # nothing inside changes the schema: a failure leaves nothing undone
        for handler in block.handlers:
            if handler.silent and handler.catches_db_error:  # `except ValueError: pass` lets SQL errors through
                what = "contextlib.suppress()" if block.kind == "suppress" else "this handler"
                report(
                    handler,
                    f"{what} swallows a failed migration statement without a trace: the migration reports "
                    "success on a schema it did not change; check existence first, or log and re-raise",
                )


def _only_probes(operation: Operation) -> bool:
    """SQL that only reads the server or sets the session (``SHOW``, ``SET LOCAL``, a reading ``SELECT``)."""
    statements = operation.sql if operation.name in ("execute", "exec_driver_sql") else None
    return bool(statements) and all(is_probe(statement) for statement in statements or ())


RULE = Rule(
    code="ALM006",
    name="swallowed-error",
    summary="an `except: pass` (or `contextlib.suppress`) around migration statements",
    check=check_swallowed_error,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
