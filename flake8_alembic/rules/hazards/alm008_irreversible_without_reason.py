"""ALM008 irreversible-without-reason: `raise NotImplementedError` in `downgrade()` without saying why."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier


def check_irreversible_without_reason(context: RuleContext, report: Report) -> None:
    for raised in context.migration.raises:
        if not raised.has_message and not raised.explained:
            report(
                raised,
                f"{raised.function}() raises without a message: say why it cannot be undone and how to roll "
                "back (e.g. restore from backup)",
            )


RULE = Rule(
    code="ALM008",
    name="irreversible-without-reason",
    summary="`raise NotImplementedError` in `downgrade()` without saying why",
    check=check_irreversible_without_reason,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
