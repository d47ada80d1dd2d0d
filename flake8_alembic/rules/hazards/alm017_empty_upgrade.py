"""ALM017 empty-upgrade: `upgrade()` that does nothing in a non-merge revision."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_empty_upgrade(context: RuleContext, report: Report) -> None:
    migration = context.migration
    if migration.is_merge:
        return
    for upgrade in migration.functions_of("upgrade"):
        if upgrade.does_nothing:
            report(
                upgrade,
                f"{upgrade.name}() does nothing in a revision that is not a merge: delete the revision or fill it",
            )


RULE = Rule(
    code="ALM017",
    name="empty-upgrade",
    summary="`upgrade()` that does nothing in a non-merge revision",
    check=check_empty_upgrade,
    tier=Tier.PREVIEW,
    named=True,
    since="0.1.0",
)
