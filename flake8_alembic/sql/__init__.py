"""Classifying SQL text given to ``op.execute`` / ``sa.text`` / ``conn.execute``.

Public interface::

    HOLE = "\\x00"                       stands for each ``{...}`` of an f-string; names holding it are None
    @dataclass(frozen=True) class AlterAction      one sub-action of ALTER TABLE
    @dataclass(frozen=True) class SqlStatement     one classified statement
    split_statements(sql) -> list[str]            statements, stripped, comment-only ones dropped
    classify(sql) -> tuple[SqlStatement, ...]     one record per statement
    bind_parameter_names(sql) -> tuple[str, ...]  names ``sqlalchemy.text()`` reads as ``:name`` binds
    mentions(statement) -> Mentions              the tables a statement reads or writes, and its other names
    condition_names(condition) -> tuple[str, ...] the names a CHECK condition reads
    is_probe(statement) -> bool                  SHOW / SET / RESET / a reading SELECT: changes nothing lasting

This is *not* a SQL parser.  It understands the statement shapes a migration linter needs (CREATE / DROP /
ALTER / REINDEX / TRUNCATE / COMMENT ON, the target of UPDATE / INSERT / DELETE, ALTER TABLE sub-actions,
CREATE TABLE column types).  Anything else is reported with ``verb`` only: unknown means fewer claims.

``lexer`` reads the text (statements, tokens, quoting); ``statements`` classifies each statement, with
``alter_table`` for the sub-actions of ALTER TABLE and ``definitions`` for column definitions; ``references``
reads the names a statement mentions; ``records`` holds what they produce. Unquoted names are returned as written
(no case folding); quoted parts keep double quotes, whichever quotes they were written with (a backquoted ``T``
becomes ``"T"``), since quoting decides how a database compares a name (``names.Identifiers``). No function here
raises, and the work is linear in the input.
"""

from __future__ import annotations

from .lexer import split_statements
from .probes import is_probe
from .records import HOLE, AlterAction, SqlStatement
from .references import Mentions, condition_names, mentions
from .statements import bind_parameter_names, classify

__all__ = [
    "HOLE",
    "AlterAction",
    "Mentions",
    "SqlStatement",
    "bind_parameter_names",
    "classify",
    "condition_names",
    "is_probe",
    "mentions",
    "split_statements",
]
