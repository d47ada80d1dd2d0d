"""ALM104 revision-cycle: a cycle in the revision graph."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_revision_cycle(context: RuleContext, report: Report) -> None:
    environment, info = context.environment, context.revision_info
    if environment is None or info.revision is None:
        return
    for cycle in environment.cycles():
        if info.revision in cycle:
            shown = ", ".join(sorted(cycle))
            error = "LoopDetected" if len(cycle) == 1 else "CycleDetected (or DependencyCycleDetected)"
            report(
                (info.line_of("down_revision"), 0),
                f"revision {info.revision} is part of a cycle ({shown}): Alembic fails with {error}",
            )


RULE = Rule(
    code="ALM104",
    name="revision-cycle",
    summary="a cycle in the revision graph",
    check=check_revision_cycle,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
