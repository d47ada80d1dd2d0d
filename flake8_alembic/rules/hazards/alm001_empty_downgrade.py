"""ALM001 empty-downgrade: `downgrade()` that does nothing (`pass`), or a missing one when `downgrades = "required"`."""

from __future__ import annotations

from ...parse.classify import DATA, NEUTRAL, SCHEMA
from ..base import Report, Rule, RuleContext, Tier


def check_empty_downgrade(context: RuleContext, report: Report) -> None:
    migration = context.migration
    if migration.is_merge:
        return
    upgrades = {function.engine: function for function in migration.functions_of("upgrade")}
    downgrades = {function.engine: function for function in migration.functions_of("downgrade")}
    for engine, downgrade in downgrades.items():
        upgrade = upgrades.get(engine)
        if not downgrade.does_nothing or downgrade.explained or upgrade is None or upgrade.does_nothing:
            continue
        # The claim is that the schema stays changed: only an upgrade seen to change it proves that (its own
        # statements, its helpers', the application functions it calls when the project shows them). Rows
        # written, and code the engine cannot follow (SQL it cannot read, code outside the project), prove nothing.
        if context.effect_of(upgrade) == SCHEMA:
            report(
                downgrade,
                f"{downgrade.name}() is empty: `alembic downgrade` moves alembic_version back and leaves "
                f"the schema changed; undo what {upgrade.name}() does, or raise NotImplementedError "
                "saying why and how to roll back",
            )
    if context.downgrades != "required":
        return
    for engine, upgrade in upgrades.items():
        if engine in downgrades or upgrade.does_nothing or context.effect_of(upgrade) in (DATA, NEUTRAL):
            continue
        expected = f"downgrade_{engine}" if engine else "downgrade"
        report(
            upgrade,
            f"no {expected}() for {upgrade.name}(): `alembic downgrade` fails on this revision; write one "
            '(or raise NotImplementedError with the reason), or set downgrades = "forward-only"',
        )


RULE = Rule(
    code="ALM001",
    name="empty-downgrade",
    summary='`downgrade()` that does nothing (`pass`), or a missing one when `downgrades = "required"`',
    check=check_empty_downgrade,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
