"""ALM900 unused-noqa: a `# noqa: ALM…` comment that hides nothing (ruff's RUF100 for ALM codes)."""

from __future__ import annotations

from ...noqa import unused_codes
from ..base import CommentsContext, Report, Rule, Tier


def check_unused_noqa(context: CommentsContext, report: Report) -> None:
    """A code is unused when its rule ran on the file and found nothing on the comment's lines."""
    found: dict[int, set[str]] = {}
    for diagnostic in context.diagnostics:
        found.setdefault(diagnostic.line, set()).add(diagnostic.code)
    for line, col, message in unused_codes(context.noqa, found, context.ran.__contains__, context.known):
        report((line, col), message)


RULE = Rule(
    code="ALM900",
    name="unused-noqa",
    summary="a `# noqa: ALM…` comment that hides nothing (ruff's RUF100 for ALM codes)",
    check=check_unused_noqa,
    tier=Tier.OPT_IN,
    since="0.2.0",
    kind="comments",
)
