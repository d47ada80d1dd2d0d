"""ALM013 plain-string-execute: `connection.execute("…")` with a plain string (fails on SQLAlchemy 2.0)."""

from __future__ import annotations

from typing import Final

from ..base import Report, Rule, RuleContext, Tier

SQLALCHEMY_2: Final = (2,)


def check_plain_string_execute(context: RuleContext, report: Report) -> None:
    versions = context.sqlalchemy_versions
    if versions is not None and not versions.allows_from(SQLALCHEMY_2):
        return  # every SQLAlchemy the project allows is 1.x, where a plain string still executes
    # No pin at all is no proof of 1.x: `pip install sqlalchemy` gives 2.x today, so the finding stands.
    for operation in context.operations():
        if operation.receiver == "bind" and operation.name == "execute" and operation.plain_string:
            report(
                operation,
                "connection.execute() with a plain string fails on SQLAlchemy 2.0 (ObjectNotExecutableError); "
                "wrap it in sa.text(), or use exec_driver_sql() for %s parameters",
            )


RULE = Rule(
    code="ALM013",
    name="plain-string-execute",
    summary='`connection.execute("…")` with a plain string (fails on SQLAlchemy 2.0)',
    check=check_plain_string_execute,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
