"""ALM034 duplicate-column-in-index: a column named twice in an index, unique constraint or primary key."""

from __future__ import annotations

from collections import Counter

from ..base import Report, Rule, RuleContext, Tier

_COLUMN_LISTS = frozenset({"create_index", "create_unique_constraint", "create_primary_key"})
_RECEIVERS = {"op": "op", "batch": "batch_op"}


def check_duplicate_column_in_index(context: RuleContext, report: Report) -> None:
    reported: set[tuple[int, int]] = set()
    for operation in context.operations():
        receiver = _RECEIVERS.get(operation.receiver)
        if receiver is None or operation.name not in _COLUMN_LISTS or (operation.line, operation.col) in reported:
            continue
        # Only names read as literals count: an expression (sa.text("lower(email)")) is not a column.
        counts = Counter(name for name in operation.index_columns if name is not None)
        repeated = [name for name, count in counts.items() if count > 1]
        if not repeated:
            continue
        reported.add((operation.line, operation.col))
        names = ", ".join(f'"{name}"' for name in repeated)
        report(
            operation,
            f"{receiver}.{operation.name}() names column {names} more than once: Alembic builds a table with one "
            "column per name and SQLAlchemy raises DuplicateColumnError before any SQL, on every database; "
            "list each column once",
        )


RULE = Rule(
    code="ALM034",
    name="duplicate-column-in-index",
    summary="a column named twice in an index, unique constraint or primary key",
    check=check_duplicate_column_in_index,
    tier=Tier.PREVIEW,
    since="0.2.0",
)
