"""ALM018 foreign-key-width-mismatch: same type family, different width (`Integer` → `BigInteger`, `String(36)` →
`String(64)`)."""

from __future__ import annotations

from ..base import Report, Rule, RuleContext, Tier
from ._foreign_key_pairs import pairs


def check_foreign_key_width_mismatch(context: RuleContext, report: Report) -> None:
    reported: set[tuple[int, int]] = set()
    for pair in pairs(context):
        child, parent = pair.child_type, pair.parent_type
        position = (pair.key.line, pair.key.col)
        if position in reported or child.family != parent.family or child.family not in ("integer", "string"):
            continue
        if child.length is None or parent.length is None or child.length == parent.length:
            continue
        reported.add(position)
        narrower = child.length < parent.length
        if child.family == "integer":
            risk = (
                "parent ids above the child's range cannot be referenced" if narrower else "the widths differ"
            ) + "; MariaDB rejects such a key (errno 150)"
        else:
            risk = "longer parent keys do not fit the child column" if narrower else "the lengths differ"
        report(
            pair.key,
            f"foreign key {pair.table}.{pair.child} ({child.describe()}) references {pair.parent_table}."
            f"{pair.parent} ({parent.describe()}): {risk}; use the same width",
        )


RULE = Rule(
    code="ALM018",
    name="foreign-key-width-mismatch",
    summary="same type family, different width (`Integer` → `BigInteger`, `String(36)` → `String(64)`)",
    check=check_foreign_key_width_mismatch,
    tier=Tier.PREVIEW,
    named=True,
    since="0.1.0",
)
