"""Probes: statements that read the server or set the session and change nothing a migration leaves behind (no
table, column, index, type or row). ``SHOW x``, ``SET [LOCAL] x = …``, ``RESET x``, and a ``SELECT`` that reads
(catalog lookups, ``version()``, ``current_setting()``), not one that writes through a function
(``SELECT create_hypertable(…)``, ``SELECT setval(…)``) or creates a table (``SELECT … INTO t``)."""

from __future__ import annotations

import re
from typing import Final

from .records import HOLE, SqlStatement

_SESSION_VERBS: Final = frozenset({"SHOW", "SET", "RESET"})

_CALL: Final = re.compile(r"([A-Za-z_][\w$]*(?:\.[A-Za-z_][\w$]*)*|" + HOLE + r")\s*\(")
_QUOTED: Final = re.compile(r"'(?:[^']|'')*'")
_INTO: Final = re.compile(r"\bINTO\b", re.IGNORECASE)
_LOCKING: Final = re.compile(r"\bFOR\s+(?:UPDATE|SHARE|NO\s+KEY\s+UPDATE|KEY\s+SHARE)\b", re.IGNORECASE)

SQL_WORDS: Final = frozenset(
    {
        "all", "and", "any", "array", "as", "between", "by", "case", "cast", "coalesce", "distinct", "else", "exists",
        "filter", "from", "greatest", "in", "is", "join", "least", "like", "not", "nullif", "on", "or", "over",
        "row", "select", "some", "then", "union", "using", "values", "when", "where", "with", "within",
    }
)  # fmt: skip
"""Words followed by a parenthesis that are SQL syntax, not function calls."""

READING_FUNCTIONS: Final = frozenset(
    {
        "abs", "array_agg", "avg", "bool_and", "bool_or", "char_length", "col_description", "concat", "count",
        "current_database", "current_schema", "current_schemas", "current_setting", "current_user", "date_trunc",
        "extract", "format_type", "has_column_privilege", "has_schema_privilege", "has_table_privilege", "length",
        "lower", "max", "min", "now", "obj_description", "position", "quote_ident", "replace", "round",
        "string_agg", "substr", "substring", "sum", "to_char", "to_regclass", "to_regnamespace", "to_regproc",
        "to_regprocedure", "to_regtype", "trim", "upper", "version", "set_config",
        "pg_get_constraintdef", "pg_get_expr", "pg_get_indexdef", "pg_get_serial_sequence", "pg_get_viewdef",
        "pg_relation_size", "pg_size_pretty", "pg_table_is_visible", "pg_table_size", "pg_total_relation_size",
        "database", "schema", "user", "sqlite_version",
    }
)  # fmt: skip
"""Functions that only read: a SELECT calling nothing else is a probe."""


def is_probe(statement: SqlStatement) -> bool:
    """Whether a statement only reads the server or sets the session: a failure of it leaves no schema or row
    unchanged that the migration meant to change."""
    if statement.verb in _SESSION_VERBS:
        return True
    if statement.verb != "SELECT":
        return False
    text = _QUOTED.sub("''", statement.text)
    if _INTO.search(text) or _LOCKING.search(text):
        return False
    for match in _CALL.finditer(text):
        name = match.group(1)
        if name == HOLE:
            return False  # `{function}(...)`: anything may be called
        last = name.rsplit(".", 1)[-1].lower()
        if last not in SQL_WORDS and last not in READING_FUNCTIONS:
            return False
    return True
