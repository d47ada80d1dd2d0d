"""ALM102 unknown-down-revision: `down_revision`/`depends_on` naming no revision of the environment."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_unknown_down_revision(context: RuleContext, report: Report) -> None:
    environment, info = context.environment, context.revision_info
    if environment is None or not environment.readable:
        return
    for field, missing in environment.unknown_references(info):
        report(
            (info.line_of(field), 0),
            f"{field} names {missing!r}, which no migration of this environment defines: Alembic fails with "
            f"KeyError: {missing!r} on every command (a file name instead of a revision id?)",
        )


RULE = Rule(
    code="ALM102",
    name="unknown-down-revision",
    summary="`down_revision`/`depends_on` naming no revision of the environment",
    check=check_unknown_down_revision,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
