"""ALM208 rewriting-add-column: `add_column` with a volatile default, stored generated or identity column (ACCESS
EXCLUSIVE + rewrite)."""

from __future__ import annotations

import re

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import table_of, upgrade_steps

_VOLATILE = re.compile(
    r"\b(gen_random_uuid|uuid_generate_v[14]|random|clock_timestamp|timeofday|statement_timestamp|nextval)\s*\(",
    re.IGNORECASE,
)


def check_rewriting_add_column(context: RuleContext, report: Report) -> None:
    old_postgres = context.settings.postgres_version < 11
    for step in upgrade_steps(context):
        operation = step.operation
        reason = None
        if operation.name == "add_column" and operation.columns:
            column = operation.columns[0]
            default = column.default_sql or ""
            if column.stored:
                reason = "a stored generated or identity column"
            elif _VOLATILE.search(default):
                reason = f"the volatile default {default}"
            elif old_postgres and column.server_default:
                reason = "a default (before PostgreSQL 11 every default rewrites)"
        elif step.statement is not None and any(a.kind == "ADD COLUMN" for a in step.statement.actions):
            text = step.text
            if "STORED" in text or "IDENTITY" in text or re.search(r"\b(BIG|SMALL)?SERIAL\b", text):
                reason = "a stored generated, identity or serial column"
            elif "DEFAULT" in text and _VOLATILE.search(text):
                reason = "a volatile default"
        if reason:
            report(
                step.operation,
                f"adding a column with {reason} rewrites existing {SUBJECT} under an ACCESS EXCLUSIVE "
                "lock; add it nullable without the default, backfill in batches, then set the default",
                table_of(step),
            )


RULE = Rule(
    code="ALM208",
    name="rewriting-add-column",
    summary="`add_column` with a volatile default, stored generated or identity column (ACCESS EXCLUSIVE + rewrite)",
    check=check_rewriting_add_column,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
