"""ALM030 bad-server-default: `server_default=False`, `"now()"` as a string, `"false"` on MySQL."""

from __future__ import annotations

from ...dialects import MYSQL
from ...types import TypeRef
from ..base import Report, Rule, RuleContext, Tier


def check_bad_server_default(context: RuleContext, report: Report) -> None:
    for operation in context.operations():
        reached = context.reachable(operation.dialects)
        for column in operation.columns:
            problem = _default_problem(column.default_constant, column.type, reached)
            if problem:
                report(column, problem)
        if operation.name == "alter_column":
            value = operation.kwargs.get("server_default")
            constant = value if isinstance(value, str) or value is True else None
            problem = _default_problem(constant, operation.type_ or operation.existing_type, reached)
            if problem:
                report(operation, problem)


def _default_problem(value: bool | str | None, column_type: TypeRef | None, dialects: frozenset[str]) -> str | None:
    if isinstance(value, bool):
        replacement = "sa.true()" if value else "sa.false()"
        return (
            f"server_default={value} raises ArgumentError: a server default is SQL text, not a Python value; "
            f"use server_default={replacement} (or sa.text('{str(value).lower()}'))"
        )
    if value is None:
        return None
    text = value.strip().lower()
    family = column_type.family if column_type is not None else "unknown"
    if text in ("now()", "now") and family in ("datetime", "date", "time", "unknown"):
        return (
            f"server_default=\"{value}\" is the quoted string '{value}', not a function call: PostgreSQL turns it "
            "into the time of the migration, stored as a constant for every row; use server_default=sa.func.now() "
            'or sa.text("now()")'
        )
    if text in ("true", "false") and family in ("boolean", "unknown") and dialects & MYSQL:
        replacement = "sa.true()" if text == "true" else "sa.false()"
        return (
            f"server_default=\"{value}\" becomes DEFAULT '{value}', which MySQL/MariaDB cannot store in a BOOLEAN "
            f"(TINYINT) column; use server_default={replacement}"
        )
    return None


RULE = Rule(
    code="ALM030",
    name="bad-server-default",
    summary='`server_default=False`, `"now()"` as a string, `"false"` on MySQL',
    check=check_bad_server_default,
    tier=Tier.DEFAULT,
    since="0.2.0",
)
