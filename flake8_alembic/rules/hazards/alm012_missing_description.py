"""ALM012 missing-description: no docstring, or a placeholder such as `empty message`."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier

_PLACEHOLDERS = frozenset({"", "empty message"})


def check_missing_description(context: RuleContext, report: Report) -> None:
    description = context.migration.description
    if description is None:
        report((1, 0), "no description: start the file with a docstring saying what the migration does")
        return
    first = description.strip().splitlines()[0].strip() if description.strip() else ""
    if first.lower() in _PLACEHOLDERS or first.startswith("Revision ID:"):
        report(
            (1, 0),
            f"the description is a placeholder ({first or 'empty'!r}): say what the migration does "
            '(alembic revision -m "...")',
        )


RULE = Rule(
    code="ALM012",
    name="missing-description",
    summary="no docstring, or a placeholder such as `empty message`",
    check=check_missing_description,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
