"""ALM211 prefer-jsonb: a `JSON` column instead of `JSONB`."""

from __future__ import annotations

import re

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Subject, Tier


def check_prefer_jsonb(context: RuleContext, report: Report) -> None:
    for operation in context.operations(POSTGRESQL):
        if operation.phase != "upgrade":
            continue
        for statement in operation.statements("JSON"):
            types = [text for _, text in statement.columns] + [
                action.type_text or "" for action in statement.actions if action.kind == "ADD COLUMN"
            ]
            if any(re.match(r"\s*json\b", text, re.IGNORECASE) for text in types):
                report(
                    operation,
                    "a json column: PostgreSQL keeps the text as written, has no equality operator and no GIN "
                    "index for it; use jsonb",
                )
        if operation.name not in ("create_table", "add_column"):
            continue
        for column in operation.columns:
            if column.type.family == "json" and column.type.describe().upper() == "JSON":
                report(
                    column,
                    f"{SUBJECT} typed JSON: PostgreSQL keeps the text as written, has no equality "
                    "operator and no GIN index for it; use postgresql.JSONB",
                    Subject("column", repr(column.name)),
                )


RULE = Rule(
    code="ALM211",
    name="prefer-jsonb",
    summary="a `JSON` column instead of `JSONB`",
    check=check_prefer_jsonb,
    tier=Tier.OPT_IN,
    dialects=POSTGRESQL,
    since="0.1.0",
)
