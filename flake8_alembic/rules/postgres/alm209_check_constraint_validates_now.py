"""ALM209 check-constraint-validates-now: a check constraint without `NOT VALID` (ACCESS EXCLUSIVE while every row is
checked)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import table_of, validated_now


def check_check_constraint_validates_now(context: RuleContext, report: Report) -> None:
    for step in validated_now(context, "create_check_constraint", "CHECK"):
        report(
            step.operation,
            f"a check constraint on existing {SUBJECT} checks every row under an ACCESS EXCLUSIVE "
            "lock; add it with postgresql_not_valid=True, then VALIDATE CONSTRAINT in a later revision",
            table_of(step),
        )


RULE = Rule(
    code="ALM209",
    name="check-constraint-validates-now",
    summary="a check constraint without `NOT VALID` (ACCESS EXCLUSIVE while every row is checked)",
    check=check_check_constraint_validates_now,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
