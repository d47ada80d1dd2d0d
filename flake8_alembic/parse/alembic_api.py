"""What the linter knows of Alembic's and SQLAlchemy's API: the operations and their positional parameters,
the inspector's getters, the names connections, results and database errors go by, and which calls are Core
statements, SQLAlchemy constructors or logging. Tables only: no logic."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Final

ENUM_CLASSES: Final = frozenset({"sqlalchemy.Enum", "sqlalchemy.types.Enum", "sqlalchemy.sql.sqltypes.Enum"})


NOT_OPERATIONS: Final = frozenset(
    {
        "get_bind",
        "get_context",
        "f",
        "inline_literal",
        "batch_alter_table",
        "run_async",
        "invoke",
        "implementation_for",
        "register_operation",
        "context",
    }
)


# Positional parameters of each operation, as Alembic 1.x declares them.
OP_PARAMS: Final[Mapping[str, tuple[str, ...]]] = {
    "create_table": ("table_name",),
    "drop_table": ("table_name",),
    "add_column": ("table_name", "column"),
    "drop_column": ("table_name", "column_name"),
    "alter_column": ("table_name", "column_name"),
    "create_index": ("index_name", "table_name", "columns"),
    "drop_index": ("index_name", "table_name"),
    "create_unique_constraint": ("constraint_name", "table_name", "columns"),
    "create_foreign_key": ("constraint_name", "source_table", "referent_table", "local_cols", "remote_cols"),
    "create_check_constraint": ("constraint_name", "table_name", "condition"),
    "create_primary_key": ("constraint_name", "table_name", "columns"),
    "create_exclude_constraint": ("constraint_name", "table_name"),
    "drop_constraint": ("constraint_name", "table_name", "type_"),
    "rename_table": ("old_table_name", "new_table_name"),
    "execute": ("sqltext",),
    "bulk_insert": ("table", "rows"),
    "create_table_comment": ("table_name", "comment"),
    "drop_table_comment": ("table_name",),
}


BATCH_PARAMS: Final[Mapping[str, tuple[str, ...]]] = {
    "add_column": ("column",),
    "drop_column": ("column_name",),
    "alter_column": ("column_name",),
    "create_index": ("index_name", "columns"),
    "drop_index": ("index_name",),
    "create_unique_constraint": ("constraint_name", "columns"),
    "create_foreign_key": ("constraint_name", "referent_table", "local_cols", "remote_cols"),
    "create_check_constraint": ("constraint_name", "condition"),
    "create_primary_key": ("constraint_name", "columns"),
    "create_exclude_constraint": ("constraint_name",),
    "drop_constraint": ("constraint_name", "type_"),
    "execute": ("sqltext",),
    "create_table_comment": ("comment",),
}


TARGET_PARAMS: Final = ("column_name", "index_name", "constraint_name")


INSPECTOR_GETTERS: Final = frozenset(
    {
        "get_table_names",
        "get_columns",
        "get_indexes",
        "get_foreign_keys",
        "get_unique_constraints",
        "get_check_constraints",
        "get_pk_constraint",
        "get_view_names",
        "get_sequence_names",
        "get_enums",
        "get_schema_names",
    }
)


SCHEMA_LOOKUPS: Final = frozenset({"has_table", "has_index", "has_sequence"}) | (
    INSPECTOR_GETTERS - {"get_sequence_names", "get_enums", "get_schema_names"}
)
"""Inspector calls whose ``schema=`` names the schema they look in (ALM022): the checks and the table getters."""


CONNECTION_MAKERS: Final = frozenset({"get_bind", "connect", "begin", "get_connection", "connection"})


CONVENTIONAL_CONNECTIONS: Final = frozenset({"conn", "connection", "bind", "session", "db_conn", "db"})


RESULT_METHODS: Final = frozenset(
    {"execute", "fetchall", "fetchmany", "all", "scalars", "mappings", "exec_driver_sql", "query"}
)


DB_ERRORS: Final = frozenset(
    {
        "Exception",
        "BaseException",
        "DBAPIError",
        "DatabaseError",
        "ProgrammingError",
        "OperationalError",
        "IntegrityError",
        "InternalError",
        "DataError",
        "NotSupportedError",
        "SQLAlchemyError",
        "StatementError",
        "InterfaceError",
        "Error",
    }
)


DB_DRIVERS: Final = ("psycopg2", "psycopg", "asyncpg", "pymysql", "MySQLdb", "mysql", "sqlite3", "pg8000")


STDLIB: Final = frozenset(getattr(sys, "stdlib_module_names", ())) | {
    "os",
    "sys",
    "re",
    "json",
    "logging",
    "datetime",
    "uuid",
    "typing",
    "warnings",
    "itertools",
    "functools",
    "collections",
    "contextlib",
    "textwrap",
    "enum",
}


NEVER_HOLD_OPERATIONS: Final = frozenset(
    {
        "Column",
        "ForeignKey",
        "ForeignKeyConstraint",
        "PrimaryKeyConstraint",
        "UniqueConstraint",
        "CheckConstraint",
        "Index",
        "Computed",
        "Identity",
        "Sequence",
        "String",
        "Integer",
        "BigInteger",
        "SmallInteger",
        "Boolean",
        "DateTime",
        "Text",
        "Enum",
        "Numeric",
        "Float",
        "JSON",
        "UUID",
        "Uuid",
        "column",
        "table",
    }
)


LOGGING_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "trace"})


DML_ROOTS: Final = frozenset({"update", "insert", "delete", "select"})


DML_CLAUSES: Final = frozenset(
    {
        "where",
        "values",
        "filter",
        "filter_by",
        "returning",
        "execution_options",
        "from_select",
        "order_by",
        "limit",
        "offset",
        "join",
        "outerjoin",
        "select_from",
        "with_only_columns",
        "correlate",
        "ordered_values",
        "on_conflict_do_nothing",
        "on_conflict_do_update",
        "on_duplicate_key_update",
        "prefix_with",
        "distinct",
        "group_by",
        "having",
        "subquery",
        "scalar_subquery",
        "inline",
        "params",
    }
)


CATALOG_WORDS: Final = ("information_schema", "pg_catalog", "pg_index", "pg_constraint", "sqlite_master", "sys.")
