"""ALM103 duplicate-revision: two files defining the same revision id."""

from __future__ import annotations

from pathlib import Path

from ..base import Report, Rule, RuleContext, Tier


def check_duplicate_revision(context: RuleContext, report: Report) -> None:
    environment, info = context.environment, context.revision_info
    if environment is None or info.revision is None:
        return
    others = [other.path for other in environment.by_revision.get(info.revision, ()) if other.path != info.path]
    if others:
        shown = ", ".join(Path(path).name for path in others)
        report(
            (info.line_of("revision"), 0),
            f"revision {info.revision} is also defined in {shown}: Alembic keeps only the last one it loads "
            "(with a warning), so one of the two migrations never runs",
        )


RULE = Rule(
    code="ALM103",
    name="duplicate-revision",
    summary="two files defining the same revision id",
    check=check_duplicate_revision,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
