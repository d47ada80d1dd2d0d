"""ALM006 swallowed-error: an `except: pass` (or `contextlib.suppress`) around migration statements."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier
from ._try_blocks import statements_inside


def check_swallowed_error(context: RuleContext, report: Report) -> None:
    for block in context.migration.try_blocks:
        if not context.applies(block.dialects):
            continue
        inside = [op for op in statements_inside(context, block) if context.applies(op.dialects)]
        if not inside:
            continue
        for handler in block.handlers:
            if handler.silent and handler.catches_db_error:  # `except ValueError: pass` lets SQL errors through
                what = "contextlib.suppress()" if block.kind == "suppress" else "this handler"
                report(
                    handler,
                    f"{what} swallows a failed migration statement without a trace: the migration reports "
                    "success on a schema it did not change; check existence first, or log and re-raise",
                )


RULE = Rule(
    code="ALM006",
    name="swallowed-error",
    summary="an `except: pass` (or `contextlib.suppress`) around migration statements",
    check=check_swallowed_error,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
