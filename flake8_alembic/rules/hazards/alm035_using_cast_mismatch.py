"""ALM035 using-cast-mismatch: a postgresql_using cast to a type other than the new column type.

PostgreSQL converts the USING expression to the new type with an *assignment* cast; when none exists from the
expression's type it refuses the ALTER (42804). The expression's type is read only from a final cast
(``c::text``, ``CAST(c AS text)``); which family pairs have an assignment cast was measured on PostgreSQL for
every pair of the families below (``tests/test_premises_recall.py``, ALM035): the table is that measurement.
"""

from __future__ import annotations

import re
from typing import Final

from ...dialects import POSTGRESQL
from ...types import TypeRef, sql_type_ref
from ..base import Report, Rule, RuleContext, Tier

CHECKED_FAMILIES: Final = frozenset(
    {
        "string",
        "integer",
        "numeric",
        "float",
        "boolean",
        "uuid",
        "datetime",
        "date",
        "time",
        "interval",
        "json",
        "binary",
    }
)
"""The families whose every pair was measured; a cast or a new type outside them (enums, arrays, custom types)
leaves the rule silent."""
_NUMBERS: Final = frozenset({"integer", "numeric", "float"})
_DAYS: Final = frozenset({"datetime", "date"})
UNDECIDED: Final = frozenset({("datetime", "time"), ("time", "interval"), ("interval", "time")})
"""Pairs where some members have an assignment cast and others not (``timestamp`` → ``time`` works,
``timestamptz`` → ``time`` does not): silent."""

_TYPE: Final = r"[A-Za-z_][\w ]*?(?:\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+with(?:out)?\s+time\s+zone)?"
_TRAILING_CAST: Final = re.compile(rf"::\s*({_TYPE})\s*$", re.IGNORECASE)
_CAST_CALL: Final = re.compile(rf"^CAST\s*\((.+)\s+AS\s+({_TYPE})\s*\)$", re.IGNORECASE | re.DOTALL)


def check_using_cast_mismatch(context: RuleContext, report: Report) -> None:
    for operation in context.operations(POSTGRESQL):
        if operation.name != "alter_column" or operation.type_ is None:
            continue
        using = operation.kwargs.get("postgresql_using")
        if not isinstance(using, str):
            continue
        cast = final_cast(using)
        if cast is None or not fails_assignment(cast.family, operation.type_.family):
            continue
        column = operation.target or "the column"
        report(
            operation,
            f"postgresql_using ends with a cast to {cast.describe()} but the column becomes "
            f"{operation.type_.describe()}: PostgreSQL has no assignment cast between them and refuses the ALTER "
            f'(42804, result of USING clause for column "{column}" cannot be cast automatically); '
            f"cast to the new type ({column}::{operation.type_.describe().lower()})",
        )


def final_cast(expression: str) -> TypeRef | None:
    """The type the USING expression's last cast gives it: ``a::text::integer`` → INTEGER, ``CAST(a AS uuid)`` →
    UUID; None when the expression does not end with a cast (``a::text || 'x'``) or the type is not one we know."""
    text = _strip_parentheses(expression.strip())
    call = _CAST_CALL.match(text)
    trailing = _TRAILING_CAST.search(text) if call is None else None
    if trailing is not None and not _single_operand(text[: trailing.start()]):
        return None  # `a::int > b::int`: the last cast covers one operand, not the expression
    match = call or trailing
    if match is None:
        return None
    cast = sql_type_ref(match.group(match.lastindex or 1))
    return cast if cast.family in CHECKED_FAMILIES else None


def fails_assignment(source: str, target: str) -> bool:
    """Whether PostgreSQL has no assignment cast from every type of family ``source`` to every one of ``target``."""
    if source not in CHECKED_FAMILIES or target not in CHECKED_FAMILIES or (source, target) in UNDECIDED:
        return False
    if source == target or target == "string":  # anything converts to a string type (I/O conversion)
        return False
    return not ({source, target} <= _NUMBERS or {source, target} <= _DAYS)


def _single_operand(text: str) -> bool:
    """Whether ``text`` is one operand (a name, a call, a parenthesised group, a quoted literal, a cast chain):
    nothing at the top level separates it into several (no space, no operator)."""
    depth, quote = 0, ""
    for character in text:
        if quote:
            quote = "" if character == quote else quote
        elif character in "'\"":
            quote = character
        elif character == "(":
            depth += 1
        elif character == ")":
            depth -= 1
        elif depth == 0 and (character.isspace() or character in "+-*/|<>=!%&^~,;"):
            return False
    return bool(text) and depth == 0 and not quote


def _strip_parentheses(text: str) -> str:
    """``((a::int))`` → ``a::int``: only parentheses that wrap the whole expression."""
    while text.startswith("(") and text.endswith(")") and _closes_at_end(text):
        text = text[1:-1].strip()
    return text


def _closes_at_end(text: str) -> bool:
    depth = 0
    for index, character in enumerate(text):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if depth == 0:
            return index == len(text) - 1
    return False


RULE = Rule(
    code="ALM035",
    name="using-cast-mismatch",
    summary="a postgresql_using cast to a type other than the new column type",
    check=check_using_cast_mismatch,
    tier=Tier.PREVIEW,
    dialects=POSTGRESQL,
    since="0.2.0",
)
