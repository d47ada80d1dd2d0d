"""ALM028 identifier-too-long: a name over 63 bytes (PostgreSQL) or 64 characters (MySQL/MariaDB)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from ...parse.records import Operation
from ..base import Report, Rule, RuleContext, Tier

IDENTIFIER_LIMITS: Final = (("postgresql", 63, "bytes"), ("mysql", 64, "characters"), ("mariadb", 64, "characters"))
"""PostgreSQL's NAMEDATALEN - 1 counts bytes; MySQL/MariaDB count characters."""


_NAMED_BY_TARGET: Final = frozenset(
    {
        "create_index",
        "create_unique_constraint",
        "create_check_constraint",
        "create_foreign_key",
        "create_primary_key",
        "create_exclude_constraint",
        "drop_index",
        "drop_constraint",
    }
)


def check_identifier_too_long(context: RuleContext, report: Report) -> None:
    for operation in context.operations():
        shortened = operation.final_name and operation.name in _NAMED_BY_TARGET
        if shortened and operation.name.startswith("drop_"):
            continue  # op.f() shortens the name the same way its create did: the drop finds it
        for name in _names_created(operation):
            limit = _limit_exceeded(name, context.reachable(operation.dialects))
            if limit is None:
                continue
            dialect, size, unit = limit
            if shortened and name == operation.target:
                consequence = (
                    "op.f() makes SQLAlchemy shorten it (55 characters, `_`, 4 hex digits of its md5), so the "
                    "database holds another name and a later drop by the literal name or by SQL misses it"
                )
            else:
                consequence = (
                    "the statement fails (SQLAlchemy refuses index and constraint names, MySQL every name), or "
                    "PostgreSQL cuts a table or column name short and code using the full name misses it"
                )
            report(
                operation,
                f'"{name}" is {_length(name, unit)} {unit} long, over {dialect}\'s limit of {size}: '
                f"{consequence}; use a shorter name",
            )
            break


def _names_created(operation: Operation) -> Iterator[str]:
    name = operation.name
    if name in _NAMED_BY_TARGET and operation.target:
        yield operation.target
    if name in ("create_table", "rename_table", "alter_column", "add_column"):
        if name == "create_table" and operation.table:
            yield operation.table
        if operation.new_name:
            yield operation.new_name
        for column in operation.columns:
            if column.name:
                yield column.name


def _length(name: str, unit: str) -> int:
    return len(name.encode("utf-8")) if unit == "bytes" else len(name)


def _limit_exceeded(name: str, dialects: frozenset[str]) -> tuple[str, int, str] | None:
    for dialect, size, unit in IDENTIFIER_LIMITS:
        if dialect in dialects and _length(name, unit) > size:
            return ("PostgreSQL" if dialect == "postgresql" else "MySQL/MariaDB"), size, unit
    return None


RULE = Rule(
    code="ALM028",
    name="identifier-too-long",
    summary="a name over 63 bytes (PostgreSQL) or 64 characters (MySQL/MariaDB)",
    check=check_identifier_too_long,
    tier=Tier.DEFAULT,
    since="0.2.0",
)
