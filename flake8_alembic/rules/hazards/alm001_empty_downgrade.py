"""ALM001 empty-downgrade: `downgrade()` that does nothing (`pass`), or a missing one when `downgrades = "required"`."""

from __future__ import annotations

from ...parse.module import Migration
from ..base import Report, Rule, RuleContext, Tier


def check_empty_downgrade(context: RuleContext, report: Report) -> None:
    migration = context.migration
    if migration.is_merge or _changes_only_data(migration):
        return
    upgrades = {function.engine: function for function in migration.functions_of("upgrade")}
    downgrades = {function.engine: function for function in migration.functions_of("downgrade")}
    for engine, downgrade in downgrades.items():
        upgrade = upgrades.get(engine)
        if downgrade.does_nothing and not downgrade.explained and upgrade is not None and not upgrade.does_nothing:
            report(
                downgrade,
                f"{downgrade.name}() is empty: `alembic downgrade` moves alembic_version back and leaves "
                f"the schema changed; undo what {upgrade.name}() does, or raise NotImplementedError "
                "saying why and how to roll back",
            )
    if context.downgrades != "required":
        return
    for engine, upgrade in upgrades.items():
        if engine not in downgrades and not upgrade.does_nothing:
            expected = f"downgrade_{engine}" if engine else "downgrade"
            report(
                upgrade,
                f"no {expected}() for {upgrade.name}(): `alembic downgrade` fails on this revision; write one "
                '(or raise NotImplementedError with the reason), or set downgrades = "forward-only"',
            )


_DATA_VERBS = frozenset({"UPDATE", "INSERT", "DELETE", "SELECT", "WITH", "MERGE", "TRUNCATE", "SET", "PRAGMA"})


def _changes_only_data(migration: Migration) -> bool:
    """upgrade() only writes rows (UPDATE/INSERT/DELETE, bulk_insert): the schema is the same after it, and
    running it again is the usual way forward. Unreadable SQL or code the linter cannot follow may change the
    schema: then it is not data-only."""
    if "upgrade" in migration.opaque_phases:
        return False
    upgrade_ops = [op for op in migration.operations if op.phase == "upgrade"]
    if not upgrade_ops:
        return False
    for operation in upgrade_ops:
        if operation.name == "bulk_insert":
            continue
        if operation.core_dml:
            continue
        if operation.name not in ("execute", "exec_driver_sql") or operation.sql is None:
            return False
        if any(statement.verb not in _DATA_VERBS for statement in operation.sql):
            return False
    return True


RULE = Rule(
    code="ALM001",
    name="empty-downgrade",
    summary='`downgrade()` that does nothing (`pass`), or a missing one when `downgrades = "required"`',
    check=check_empty_downgrade,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
