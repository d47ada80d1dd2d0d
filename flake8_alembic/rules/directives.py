"""The linter's own comments: ALM900 unused-noqa.

The engine answers it after the other rules of a file have run, from their findings and the file's comments:
its check here has nothing to look at in a migration's operations.
"""

from __future__ import annotations

from collections.abc import Iterator

from .base import Diagnostic, Rule, RuleContext

UNUSED_NOQA = "ALM900"


def _answered_by_the_engine(context: RuleContext) -> Iterator[Diagnostic]:
    return iter(())


RULES = (
    Rule(
        UNUSED_NOQA,
        "unused-noqa",
        "a `# noqa: ALM…` comment that hides nothing",
        _answered_by_the_engine,
        default=False,
    ),
)
