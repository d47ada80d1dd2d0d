"""ALM032 sqlite-alter-outside-batch: an ALTER that SQLite rejects outside batch mode, on a SQLite target.

Which operations fail was measured on SQLite 3.40 through Alembic (``tests/test_premises_recall.py``, ALM032):
``alter_column`` changing the type, nullability or server default (SQLite has no ALTER COLUMN), every constraint
operation (Alembic raises NotImplementedError), and ``add_column`` of a column with a foreign key (the column is
added, then the constraint fails). ``drop_column`` and column renames work natively since SQLite 3.35 and 3.25;
the SQLite version a project runs is not known statically, so they are never reported.
"""

from __future__ import annotations

from typing import Final

from ...dialects import SQLITE
from ...parse.records import Operation
from ...signatures import call_problem, signature
from ..base import Report, Rule, RuleContext, Tier

_CONSTRAINT_OPS: Final = frozenset(
    {
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
    }
)
_COLUMN_CHANGES: Final = (("type_", "type"), ("nullable", "nullability"), ("server_default", "server default"))


def check_sqlite_alter_outside_batch(context: RuleContext, report: Report) -> None:
    reported: set[tuple[int, int]] = set()
    for operation in context.operations(SQLITE):
        if operation.receiver != "op" or (operation.line, operation.col) in reported:
            continue
        message = _failure(operation)
        if message is None or _looks_like_batch_call(operation):
            continue
        reported.add((operation.line, operation.col))
        table = operation.table or "<table>"
        report(
            operation,
            f'{message}; SQLite is a target: do it inside `with op.batch_alter_table("{table}") as batch_op:`, '
            "which copies the table",
        )


def _failure(operation: Operation) -> str | None:
    """What SQLite (or Alembic's SQLite support) does with the operation outside batch mode; None if it works."""
    name = operation.name
    if name == "alter_column":
        changes = [label for key, label in _COLUMN_CHANGES if _changes(operation, key)]
        if not changes:
            return None
        column = f'"{operation.table}.{operation.target}"' if operation.table and operation.target else "a column"
        return (
            f"op.alter_column() changes the {' and '.join(changes)} of {column} outside batch mode: SQLite has no "
            'ALTER COLUMN and fails (OperationalError: near "ALTER": syntax error)'
        )
    if name in _CONSTRAINT_OPS:
        return (
            f"op.{name}() outside batch mode: Alembic cannot ALTER a constraint on SQLite and raises "
            "NotImplementedError (No support for ALTER of constraints in SQLite dialect)"
        )
    keyed = next((column for column in operation.columns if column.foreign_keys), None)
    if name == "add_column" and keyed is not None:
        return (
            f'op.add_column() of "{keyed.name}" with a foreign key outside batch mode: on SQLite Alembic adds the '
            "column, then raises NotImplementedError for its constraint (the column stays, without the key)"
        )
    return None


def _changes(operation: Operation, key: str) -> bool:
    """Whether ``alter_column`` is asked to change that attribute: ``type_``/``nullable`` given and not None,
    ``server_default`` given and not False (Alembic's "unchanged"; None drops the default, which is a change)."""
    if key not in operation.kwargs:
        return False
    value = operation.kwargs[key]
    return value is not False if key == "server_default" else value is not None


def _looks_like_batch_call(operation: Operation) -> bool:
    """A call on a helper's parameter named ``op`` that binds as a ``batch_op`` call but not as an ``op`` call
    (``op.alter_column("c", type_=...)``): the helper is given a batch_op."""
    keywords = tuple(operation.kwargs)
    as_op, as_batch = signature(None, "op", operation.name), signature(None, "batch_op", operation.name)
    if operation.unpacks or as_op is None or as_batch is None:
        return False
    return (
        call_problem(as_op, operation.positional_count, keywords, False, False) is not None
        and call_problem(as_batch, operation.positional_count, keywords, False, False) is None
    )


RULE = Rule(
    code="ALM032",
    name="sqlite-alter-outside-batch",
    summary="an ALTER that SQLite rejects outside batch mode, on a SQLite target",
    check=check_sqlite_alter_outside_batch,
    tier=Tier.PREVIEW,
    dialects=SQLITE,
    since="0.2.0",
)
