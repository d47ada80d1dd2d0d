"""What a statement does to the database: change its schema, change its rows, neither, or something the engine
cannot see. Usable by every rule (``Migration.effect_of``).

- **schema**: an Alembic operation (``op.add_column``…), SQL whose verb is DDL (``CREATE``, ``ALTER``, ``DROP``,
  ``RENAME``, ``COMMENT``; not a ``CREATE TEMP TABLE``), ``metadata.create_all(…)``/``drop_all(…)``, or a table,
  index or type created or dropped on a connection (``t.create(bind)``);
- **data**: DML in SQL (``UPDATE``, ``INSERT``, ``DELETE``, ``MERGE``, ``TRUNCATE``, ``WITH …``; also SQL built by
  concatenation, ``%`` or ``.format()`` whose readable start is one), SQLAlchemy Core statements
  (``sa.update(t)…``, ``t.delete()…``, ``sa.select(…)``) on a table declared (``sa.table``) or reflected
  (``sa.Table(…, autoload_with=bind)``), ``op.bulk_insert``, and ORM session work on a connection or session
  (``session.add/merge/delete/query/scalars…``);
- **neutral**: reads and session settings (``SELECT``, ``SET``, ``PRAGMA``, ``ANALYZE``, ``REINDEX``…), and what
  is never recorded at all: logging, printing, inspection (``sa.inspect``, ``has_table``), ``commit``;
- **unknown**: code the engine cannot follow: SQL it cannot read (``op.execute(query)``), SQL that runs code
  (``DO``, ``CALL``, ``EXECUTE``, ``GRANT``), an operation Alembic does not define (a plugin's ``op.X``), and calls
  into the application or other foreign code (recorded with their qualified name, so that a later reader of the
  application may resolve them).

A migration's own helpers are walked at each call, so their statements are classified where they run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from typing import Final

from ..names import Literal, call_name, string_with_holes
from ..sql import HOLE, SqlStatement, classify
from .conditions import is_foreign_code, only_reads_or_logs
from .records import Operation

SCHEMA: Final = "schema"
DATA: Final = "data"
NEUTRAL: Final = "neutral"
UNKNOWN: Final = "unknown"
NONE: Final = "none"
"""Nothing recorded at all (only Python the engine reads as harmless)."""

_STRENGTH: Final = (SCHEMA, UNKNOWN, DATA, NEUTRAL)
"""How effects combine: a schema change anywhere makes the whole a schema change; else anything unknown makes it
unknown; else rows written make it data."""

SCHEMA_OPERATIONS: Final = frozenset(
    {
        "create_table",
        "drop_table",
        "rename_table",
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_unique_constraint",
        "create_foreign_key",
        "create_check_constraint",
        "create_primary_key",
        "create_exclude_constraint",
        "drop_constraint",
        "create_table_comment",
        "drop_table_comment",
    }
)
_PLUGIN_SCHEMA_PREFIXES: Final = ("create_", "drop_", "alter_", "replace_", "rename_", "add_")
"""Operations registered by plugins (alembic_utils' ``op.replace_entity``, a project's ``op.create_view``) that
say in their name that they define or remove an object."""

_SCHEMA_VERBS: Final = frozenset({"CREATE", "ALTER", "DROP", "RENAME", "COMMENT"})
_DATA_VERBS: Final = frozenset(
    {"UPDATE", "INSERT", "DELETE", "MERGE", "REPLACE", "UPSERT", "TRUNCATE", "COPY", "WITH", "LOAD", "REFRESH"}
)
_NEUTRAL_VERBS: Final = frozenset(
    {
        "SELECT",
        "VALUES",
        "TABLE",
        "SET",
        "RESET",
        "SHOW",
        "PRAGMA",
        "ANALYZE",
        "ANALYSE",
        "VACUUM",
        "REINDEX",
        "CLUSTER",
        "OPTIMIZE",
        "CHECKPOINT",
        "EXPLAIN",
        "LOCK",
        "BEGIN",
        "START",
        "COMMIT",
        "END",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "NOTIFY",
        "LISTEN",
        "DISCARD",
    }
)
_TEMPORARY: Final = re.compile(r"\s*CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?TEMP(?:ORARY)?\s", re.IGNORECASE)

SESSION_DATA_METHODS: Final = frozenset(
    {
        "add",
        "add_all",
        "merge",
        "delete",
        "query",
        "scalars",
        "scalar",
        "get",
        "bulk_save_objects",
        "bulk_insert_mappings",
        "bulk_update_mappings",
    }
)
"""An ORM session's methods that read or write rows."""
METADATA_DDL: Final = frozenset({"create_all", "drop_all"})
OBJECT_DDL: Final = frozenset({"create", "drop"})
"""``t.create(bind)``, ``sa.Index(...).drop(bind)``, ``enum.create(bind, checkfirst=True)``: DDL when given a
connection."""


def strongest(effects: Iterable[str]) -> str:
    """The effect of statements run one after another."""
    seen = set(effects)
    return next((effect for effect in _STRENGTH if effect in seen), NONE)


def statement_effect(statement: SqlStatement) -> str:
    verb = statement.verb
    if verb in _SCHEMA_VERBS:
        return NEUTRAL if verb == "CREATE" and _TEMPORARY.match(statement.text) else SCHEMA
    if verb in _DATA_VERBS:
        return DATA
    if verb in _NEUTRAL_VERBS:
        return NEUTRAL
    return UNKNOWN


def operation_effect(operation: Operation) -> str:
    """The effect of one recorded operation or SQL execution."""
    name = operation.name
    if name in ("execute", "exec_driver_sql"):
        if operation.core_dml:
            return DATA
        statements = operation.sql
        if statements is None and operation.sql_sketch is not None:
            statements = classify(operation.sql_sketch)
        if statements is None:
            return UNKNOWN
        return strongest(map(statement_effect, statements)) if statements else NEUTRAL
    if name == "bulk_insert":
        return DATA
    if name == "batch_alter_table":
        return NEUTRAL  # the block itself; the operations inside it say what changes
    if name in SCHEMA_OPERATIONS or name.startswith(_PLUGIN_SCHEMA_PREFIXES):
        return SCHEMA
    return UNKNOWN


def call_effect(
    node: ast.Call, qualified: str | None, on_connection: bool, given_connection: bool, name: str | None
) -> str | None:
    """The effect of a call that is not an operation, when it has one worth recording: ``on_connection`` says the
    receiver is a connection or session, ``given_connection`` that an argument is one, ``name`` is
    ``call_name(node)``. None for what is neutral or recorded elsewhere (operations, SQL executions)."""
    if name in METADATA_DDL or (name in OBJECT_DDL and given_connection):
        return SCHEMA
    if on_connection and name in SESSION_DATA_METHODS:
        return DATA
    if qualified is not None and is_foreign_code(qualified) and not only_reads_or_logs(node):
        return UNKNOWN
    return None


_SQL_WRAPPERS: Final = frozenset({"bindparams", "columns", "execution_options", "format"})


def sql_sketch(node: ast.expr | None, env: Mapping[str, Literal], depth: int = 0) -> str | None:
    """SQL built by concatenation (``"UPDATE " + table + " SET …"``), ``%`` or ``.format()`` on such a string, or
    wrapped in ``sa.text()``, with ``HOLE`` for each piece that cannot be read; None when no piece is a string."""
    if node is None or depth > 16:
        return None
    if isinstance(node, ast.Call):
        if call_name(node) == "text" and node.args:
            return sql_sketch(node.args[0], env, depth + 1)
        if isinstance(node.func, ast.Attribute) and node.func.attr in _SQL_WRAPPERS:
            return sql_sketch(node.func.value, env, depth + 1)
        return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = sql_sketch(node.left, env, depth + 1)
        right = sql_sketch(node.right, env, depth + 1)
        if left is None and right is None:
            return None
        return (HOLE if left is None else left) + (HOLE if right is None else right)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return sql_sketch(node.left, env, depth + 1)
    return string_with_holes(node, env, HOLE)
