"""ALM026 unnamed-constraint: a constraint created with no name and no naming convention."""

from __future__ import annotations

from typing import Final

from ..base import Report, Rule, RuleContext, Tier

_CONSTRAINT_CREATORS: Final = frozenset(
    {"create_unique_constraint", "create_check_constraint", "create_foreign_key", "create_primary_key"}
)


_BACKEND: Final = {"mariadb": "mysql"}
"""Dialects that generate the same constraint names."""


def check_unnamed_constraint(context: RuleContext, report: Report) -> None:
    if context.project.naming_convention:
        return
    for operation in context.operations():
        backends = {_BACKEND.get(dialect, dialect) for dialect in context.reachable(operation.dialects)}
        if len(backends) < 2:
            continue  # one database: its generated names are predictable
        if operation.name in _CONSTRAINT_CREATORS and operation.unnamed:
            report(
                operation,
                f"{operation.name}(None, ...) with no naming convention: each database then picks its own name, "
                "and a later drop must hard-code one backend's choice; name the constraint, or set "
                "MetaData(naming_convention=...) for target_metadata in env.py",
            )


RULE = Rule(
    code="ALM026",
    name="unnamed-constraint",
    summary="a constraint created with no name and no naming convention",
    check=check_unnamed_constraint,
    tier=Tier.OPT_IN,
    since="0.2.0",
)
