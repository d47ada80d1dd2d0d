"""ALM026 unnamed-constraint: a constraint created with no name and no naming convention."""

from __future__ import annotations

from typing import Final

from ..base import Report, Rule, RuleContext, Tier

_CONSTRAINT_KIND: Final = {
    "create_unique_constraint": "uq",
    "create_check_constraint": "ck",
    "create_foreign_key": "fk",
    "create_primary_key": "pk",
}
"""The naming-convention key that names what each operation creates."""


_BACKEND: Final = {"mariadb": "mysql"}
"""Dialects that generate the same constraint names."""


def check_unnamed_constraint(context: RuleContext, report: Report) -> None:
    convention = context.naming_convention
    for operation in context.operations():
        kind = _CONSTRAINT_KIND.get(operation.name)
        if kind is None or not operation.unnamed:
            continue
        if convention is not None and convention.names(kind) is not False:
            continue  # the convention names it (or may: a convention not read in full)
        backends = {_BACKEND.get(dialect, dialect) for dialect in context.reachable(operation.dialects)}
        if len(backends) >= 2:  # one database: its generated names are predictable
            report(
                operation,
                f"{operation.name}(None, ...) with no naming convention for {kind!r}: each database then picks its "
                "own name, and a later drop must hard-code one backend's choice; name the constraint, or give "
                f"MetaData(naming_convention=...) of target_metadata a {kind!r} template",
            )


RULE = Rule(
    code="ALM026",
    name="unnamed-constraint",
    summary="a constraint created with no name and no naming convention",
    check=check_unnamed_constraint,
    tier=Tier.OPT_IN,
    since="0.2.0",
)
