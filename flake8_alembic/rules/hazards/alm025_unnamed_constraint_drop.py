"""ALM025 unnamed-constraint-drop: `drop_constraint(None, ...)`, which can never run."""

from __future__ import annotations

from ...dialects import MYSQL
from ..base import Report, Rule, RuleContext, Tier


def check_unnamed_constraint_drop(context: RuleContext, report: Report) -> None:
    for operation in context.operations():
        if operation.name != "drop_constraint" or not operation.unnamed:
            continue
        if operation.kwargs.get("type_") == "primary" and context.reachable(operation.dialects) <= MYSQL:
            continue  # MySQL's DROP PRIMARY KEY needs no name
        report(
            operation,
            "drop_constraint(None, ...) can never run: a constraint is dropped by name, and SQLAlchemy refuses "
            "to emit DROP CONSTRAINT without one; give the name the database has (set a naming convention "
            "so names are predictable)",
        )


RULE = Rule(
    code="ALM025",
    name="unnamed-constraint-drop",
    summary="`drop_constraint(None, ...)`, which can never run",
    check=check_unnamed_constraint_drop,
    tier=Tier.DEFAULT,
    since="0.2.0",
)
