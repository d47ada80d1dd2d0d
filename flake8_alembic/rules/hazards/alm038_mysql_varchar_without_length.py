"""ALM038 mysql-varchar-without-length: a String/VARCHAR without a length on a MySQL or MariaDB target."""

from __future__ import annotations

from typing import Final

from ...dialects import MYSQL
from ...types import TypeRef
from ..base import Positioned, Report, Rule, RuleContext, Tier

_VARCHAR_NAMES: Final = frozenset({"VARCHAR", "NVARCHAR"})
"""What ``String``/``Unicode``/``VARCHAR``/``NVARCHAR`` render as: MySQL's VARCHAR must have a length (TEXT and
CHAR need none)."""
_COMPILED: Final = frozenset({"create_table", "add_column", "alter_column"})


def check_mysql_varchar_without_length(context: RuleContext, report: Report) -> None:
    reported: set[tuple[int, int]] = set()
    for operation in context.operations(MYSQL):
        if operation.name not in _COMPILED:
            continue
        found: list[tuple[Positioned, str | None, TypeRef]] = [
            (column, column.name, column.type) for column in operation.columns
        ]
        if operation.type_ is not None:
            found.append((operation, operation.target, operation.type_))
        for where, name, type_ref in found:
            if not lacks_length(type_ref) or (where.line, where.col) in reported:
                continue
            reported.add((where.line, where.col))
            column = f'column "{name}"' if name else "a column"
            report(
                where,
                f"{column} is {type_ref.describe()} without a length: SQLAlchemy's MySQL dialect refuses to compile "
                f"it (CompileError: VARCHAR requires a length on dialect mysql) before any SQL, so "
                f"{operation.name}() fails on MySQL/MariaDB; give it a length (sa.String(255)) or use sa.Text()",
            )


def lacks_length(type_ref: TypeRef) -> bool:
    """A VARCHAR with no length at all (not a length that could not be read)."""
    return (
        type_ref.family == "string"
        and type_ref.name in _VARCHAR_NAMES
        and type_ref.length is None
        and not type_ref.length_unknown
    )


RULE = Rule(
    code="ALM038",
    name="mysql-varchar-without-length",
    summary="a String/VARCHAR without a length on a MySQL or MariaDB target",
    check=check_mysql_varchar_without_length,
    tier=Tier.PREVIEW,
    dialects=MYSQL,
    since="0.2.0",
)
