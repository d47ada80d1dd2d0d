"""Column definitions in SQL: the type part of ``name TYPE …`` and the columns of ``CREATE TABLE t (…)``."""

from __future__ import annotations

from ..types import sql_type_ref
from .lexer import Token, keyword_of, single_name, split_top_level

# Words that end the type part of a column definition.
_TYPE_STOP = frozenset(
    {
        "CONSTRAINT",
        "NOT",
        "NULL",
        "DEFAULT",
        "PRIMARY",
        "REFERENCES",
        "UNIQUE",
        "CHECK",
        "COLLATE",
        "GENERATED",
        "AUTO_INCREMENT",
        "AUTOINCREMENT",
        "COMMENT",
        "ON",
        "IDENTITY",
        "AS",
        "STORED",
        "VIRTUAL",
        "CHARSET",
        "COMPRESSION",
        "STORAGE",
        "DEFERRABLE",
        "INITIALLY",
        "USING",
        "FIRST",
        "AFTER",
        "KEY",
        "VISIBLE",
        "INVISIBLE",
        "SRID",
    }
)


_TABLE_CONSTRAINT_START = frozenset(
    {"CONSTRAINT", "PRIMARY", "FOREIGN", "UNIQUE", "CHECK", "EXCLUDE", "LIKE", "PERIOD"}
)


INDEX_WORDS = frozenset({"INDEX", "KEY", "FULLTEXT", "SPATIAL"})


def column_type_text(text: str, toks: list[Token]) -> str | None:
    """The type part of ``toks`` (a column definition after its name), whitespace-normalised."""
    depth = 0
    last = -1
    for idx, tok in enumerate(toks):
        if tok.kind == "op":
            if tok.value in "([":
                depth += 1
            elif tok.value in ")]":
                depth -= 1
        if depth == 0 and tok.kind == "word":
            word = keyword_of(tok)
            if word in _TYPE_STOP:
                break
            if word == "CHARACTER" and keyword_of(toks[idx + 1] if idx + 1 < len(toks) else None) == "SET":
                break
        last = idx
    if last < 0:
        return None
    return " ".join(text[toks[0].start : toks[last].end].split())


def looks_like_column(toks: list[Token]) -> bool:
    """``key VARCHAR(50)`` is a column named key; ``KEY ix (a)`` is a MySQL index definition."""
    if len(toks) < 2 or toks[1].kind != "word":
        return False
    return sql_type_ref(toks[1].value).family != "unknown"


def column_defs(text: str, body: list[Token]) -> tuple[tuple[str, str], ...]:
    columns: list[tuple[str, str]] = []
    for element in split_top_level(body):
        first = keyword_of(element[0])
        if first in _TABLE_CONSTRAINT_START:
            continue
        if first in INDEX_WORDS and not looks_like_column(element):
            continue
        name = single_name(element[0])
        if name is None or len(element) < 2:
            continue
        type_text = column_type_text(text, element[1:])
        if type_text is not None:
            columns.append((name, type_text))
    return tuple(columns)
