"""The names a statement mentions: the tables it reads or writes (after FROM, JOIN, UPDATE, INTO, TABLE…) and the
other names in it, so that a caller can ask whether a statement uses a table, or a column of it. Approximate by
design: a name is any word that is not a keyword, a number, a function being called or a cast's type."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from .lexer import Lexer, Token, is_name_tok, is_op, keyword_of, spelled
from .records import HOLE

_TABLE_WORDS: Final = frozenset({"FROM", "JOIN", "UPDATE", "INTO", "TABLE", "USING"})
"""Words after which a table name follows (``DELETE FROM t USING u``, ``ALTER TABLE t``)."""

_KEYWORDS: Final = frozenset(
    [
        "ALL",
        "ALTER",
        "AND",
        "ANY",
        "ARRAY",
        "AS",
        "ASC",
        "BETWEEN",
        "BY",
        "CASE",
        "CAST",
        "COLLATE",
        "COLUMN",
        "CONSTRAINT",
        "CREATE",
        "CROSS",
        "CURRENT_DATE",
        "CURRENT_TIMESTAMP",
        "DEFAULT",
        "DELETE",
        "DESC",
        "DISTINCT",
        "DROP",
        "ELSE",
        "END",
        "ESCAPE",
        "EXISTS",
        "FALSE",
        "FOR",
        "FROM",
        "FULL",
        "GROUP",
        "HAVING",
        "ILIKE",
        "IN",
        "INNER",
        "INSERT",
        "INTERVAL",
        "INTO",
        "IS",
        "JOIN",
        "LEFT",
        "LIKE",
        "LIMIT",
        "NOT",
        "NULL",
        "OFFSET",
        "ON",
        "OR",
        "ORDER",
        "OUTER",
        "RETURNING",
        "RIGHT",
        "SELECT",
        "SET",
        "SIMILAR",
        "SOME",
        "TABLE",
        "THEN",
        "TO",
        "TRUE",
        "UNION",
        "UNIQUE",
        "UPDATE",
        "USING",
        "VALUES",
        "WHEN",
        "WHERE",
        "WITH",
    ]
)


@dataclass(frozen=True)
class Mentions:
    """What one statement names, each name spelled as written (a quoted one keeps its double quotes)."""

    tables: tuple[str, ...]
    names: tuple[str, ...]
    """Every other name: columns, aliases, and whatever else the statement calls by a name."""


def mentions(text: str) -> Mentions:
    """The tables and names of one SQL statement (its text with ``HOLE`` for unknown parts)."""
    tokens = _tokens(text)
    tables: list[str] = []
    names: list[str] = []
    index = 0
    while index < len(tokens):
        token = tokens[index]
        if keyword_of(token) in _TABLE_WORDS:
            index = _read_tables(tokens, index + 1, tables)
            continue
        if _is_plain_name(tokens, index):
            names.append(spelled(token))
        index += 1
    return Mentions(tuple(dict.fromkeys(tables)), tuple(dict.fromkeys(names)))


def condition_names(text: str) -> tuple[str, ...]:
    """The names a condition (``rating BETWEEN 1 AND 5``) reads: the columns it is on, approximately."""
    return mentions(text).names


def _tokens(text: str) -> list[Token]:
    lexer = Lexer(text)
    lexer.fill_all()
    return lexer.tokens


def _read_tables(tokens: list[Token], index: int, tables: list[str]) -> int:
    """Read ``a, b`` / ``s.a AS x`` from ``index``: the tables a FROM-like word introduces."""
    while index < len(tokens) and keyword_of(tokens[index]) in ("ONLY", "IF", "NOT", "EXISTS", "LATERAL"):
        index += 1
    while index < len(tokens) and is_name_tok(tokens[index]):
        parts = [spelled(tokens[index])]
        index += 1
        while index + 1 < len(tokens) and is_op(tokens[index], ".") and is_name_tok(tokens[index + 1]):
            parts.append(spelled(tokens[index + 1]))
            index += 2
        name = ".".join(parts)
        if HOLE not in name and keyword_of(tokens[index - 1]) not in _KEYWORDS:
            tables.append(name)
        if keyword_of(tokens[index] if index < len(tokens) else None) == "AS":
            index += 1
        if (
            index < len(tokens)
            and tokens[index].kind in ("word", "ident")
            and keyword_of(tokens[index]) not in _KEYWORDS
        ):
            index += 1  # an alias
        if index < len(tokens) and is_op(tokens[index], ","):
            index += 1
            continue
        break
    return index


def _is_plain_name(tokens: list[Token], index: int) -> bool:
    """A name that is not a keyword, a number, a function being called, a cast's type or a qualifier (``t.c``: the
    ``c`` counts, the ``t`` does not)."""
    token = tokens[index]
    if not is_name_tok(token) or HOLE in token.value:
        return False
    if token.kind == "word" and (token.key in _KEYWORDS or token.value[:1].isdigit()):
        return False
    following = tokens[index + 1] if index + 1 < len(tokens) else None
    previous = tokens[index - 1] if index > 0 else None
    if is_op(following, "(") or is_op(following, ".") or is_op(previous, "::"):
        return False
    return not (previous is not None and previous.kind == "op" and previous.value == ":")
