"""ALM202 foreign-key-validates-now: a foreign key added without `NOT VALID` (SHARE ROW EXCLUSIVE on both tables while
every row is validated)."""

from __future__ import annotations

from ...dialects import POSTGRESQL
from ..base import SUBJECT, Report, Rule, RuleContext, Tier
from ._steps import table_of, validated_now


def check_foreign_key_validates_now(context: RuleContext, report: Report) -> None:
    for step in validated_now(context, "create_foreign_key", "FOREIGN KEY"):
        report(
            step.operation,
            f"adding a foreign key on existing {SUBJECT} validates every row under SHARE ROW "
            "EXCLUSIVE locks on both tables; add it with postgresql_not_valid=True, then run "
            "VALIDATE CONSTRAINT in a later revision",
            table_of(step),
        )


RULE = Rule(
    code="ALM202",
    name="foreign-key-validates-now",
    summary="a foreign key added without `NOT VALID` (SHARE ROW EXCLUSIVE on both tables while every row is validated)",
    check=check_foreign_key_validates_now,
    tier=Tier.PREVIEW,
    named=True,
    dialects=POSTGRESQL,
    since="0.1.0",
)
