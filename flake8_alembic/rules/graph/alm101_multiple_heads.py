"""ALM101 multiple-heads: two or more heads not told apart by branch labels (`alembic upgrade head` fails)."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_multiple_heads(context: RuleContext, report: Report) -> None:
    environment, info = context.environment, context.revision_info
    if environment is None or not environment.readable or info.revision is None:
        return
    unlabelled = environment.unlabelled_heads()
    if len(unlabelled) >= 2 and info.revision in unlabelled:
        others = ", ".join(head for head in unlabelled if head != info.revision)
        report(
            (info.line_of("revision"), 0),
            f"revision {info.revision} is one of {len(unlabelled)} heads (also {others}): `alembic upgrade head` "
            'fails with "Multiple head revisions"; merge them (alembic merge heads) or label the branches',
        )


RULE = Rule(
    code="ALM101",
    name="multiple-heads",
    summary="two or more heads not told apart by branch labels (`alembic upgrade head` fails)",
    check=check_multiple_heads,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
