"""ALM017 empty-upgrade: `upgrade()` that does nothing in a non-merge revision."""

from __future__ import annotations

from ...parse.module import Migration
from ..base import Report, Rule, RuleContext, Tier


def check_empty_upgrade(context: RuleContext, report: Report) -> None:
    migration = context.migration
    if migration.is_merge or _placeholder_by_position(migration):
        return
    for upgrade in migration.functions_of("upgrade"):
        if upgrade.does_nothing and not upgrade.explained and not upgrade.commented_code:
            report(
                upgrade,
                f"{upgrade.name}() does nothing in a revision that is not a merge: delete the revision or fill it",
            )


def _placeholder_by_position(migration: Migration) -> bool:
    """A revision whose place in the history says it is empty on purpose: a base revision (it adopts a schema that
    exists, or starts the chain) or a branch root (``branch_labels`` name the branch it starts)."""
    if migration.down_revisions == ():
        return True
    labels = migration.fields.get("branch_labels")
    value = labels.value if labels is not None else None
    if isinstance(value, (str, tuple)):
        return bool(value)
    # A label named through the project's constant (`(cli.CONTRACT_BRANCH,)`) labels a branch all the same.
    return value is not None


RULE = Rule(
    code="ALM017",
    name="empty-upgrade",
    summary="`upgrade()` that does nothing in a non-merge revision",
    check=check_empty_upgrade,
    tier=Tier.PREVIEW,
    named=True,
    since="0.1.0",
)
