"""ALM004 foreign-key-type-mismatch: a foreign key typed differently from the referenced column, in the same file or
created by earlier revisions."""

from __future__ import annotations

from ...dialects import MYSQL
from ...types import TypeRef
from ..base import Report, Rule, RuleContext, Tier
from ._foreign_key_pairs import pairs

# Pairs PostgreSQL accepts although the families differ (reference/alembic_facts.md §4.5): an integer child may
# reference a numeric or float parent, numeric a float; dates and timestamps compare with each other.
_ACCEPTED_ACROSS = frozenset(
    {
        ("integer", "numeric"),
        ("integer", "float"),
        ("numeric", "float"),
        ("date", "datetime"),
        ("datetime", "date"),
    }
)


def _mismatch(child: TypeRef, parent: TypeRef) -> bool:
    if "unknown" in (child.family, parent.family):
        return False
    if child.family == parent.family:
        return False
    return (child.family, parent.family) not in _ACCEPTED_ACROSS


def check_foreign_key_type_mismatch(context: RuleContext, report: Report) -> None:
    reported: set[tuple[int, int]] = set()
    for pair in pairs(context):
        position = (pair.key.line, pair.key.col)
        if position in reported or not _mismatch(pair.child_type, pair.parent_type):
            continue
        reported.add(position)
        report(
            pair.key,
            f"foreign key {pair.table}.{pair.child} ({pair.child_type.describe()}) references "
            f"{pair.parent_table}.{pair.parent} ({pair.parent_type.describe()}): {_consequence(pair.dialects)}; "
            "give both columns the same type",
        )


def _consequence(dialects: frozenset[str]) -> str:
    effects = []
    if "postgresql" in dialects:
        effects.append("PostgreSQL rejects it (42804, incompatible types)")
    if dialects & MYSQL:
        effects.append("MySQL/MariaDB reject it or never match the values")
    if not effects:
        effects.append("the values can never match")
    return "; ".join(effects)


RULE = Rule(
    code="ALM004",
    name="foreign-key-type-mismatch",
    summary=(
        "a foreign key typed differently from the referenced column, in the same file or created by earlier revisions"
    ),
    check=check_foreign_key_type_mismatch,
    tier=Tier.DEFAULT,
    since="0.1.0",
)
