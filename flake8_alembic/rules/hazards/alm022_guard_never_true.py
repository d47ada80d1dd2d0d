"""ALM022 guard-never-true: `has_table(..., schema="public")` on MySQL/SQLite: never true, the guarded op is skipped."""

from __future__ import annotations

from ...dialects import SCHEMA_IS_A_DATABASE
from ..base import Report, Rule, RuleContext, Tier


def check_guard_never_true(context: RuleContext, report: Report) -> None:
    for lookup in context.migration.schema_lookups:
        reached = context.reachable(lookup.dialects) & SCHEMA_IS_A_DATABASE
        if lookup.phase is None or lookup.schema.lower() != "public" or not reached:
            continue
        where = "an attached database on SQLite" if reached == {"sqlite"} else "a database on MySQL/MariaDB"
        report(
            lookup,
            f'{lookup.method}(..., schema="public") never finds the table: "public" is PostgreSQL\'s default '
            f"schema but {where}, so the guarded operation is silently skipped; leave out schema= to look in "
            "the connection's own schema",
        )


RULE = Rule(
    code="ALM022",
    name="guard-never-true",
    summary='`has_table(..., schema="public")` on MySQL/SQLite: never true, the guarded op is skipped',
    check=check_guard_never_true,
    tier=Tier.DEFAULT,
    dialects=SCHEMA_IS_A_DATABASE,
    since="0.2.0",
)
