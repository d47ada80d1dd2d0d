"""The live schema, reflected with SQLAlchemy's inspector into ``shapes`` (imports SQLAlchemy: verify only)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa

from ..types import sql_type_ref
from .shapes import ColumnShape, IndexShape, SchemaShape, TableShape

VERSION_TABLE = "alembic_version"


def reflect(connection: Any, version_table: str | None = None) -> SchemaShape:
    """Every table of the connection's default schema but Alembic's version table."""
    inspector = sa.inspect(connection)
    skipped = (version_table or VERSION_TABLE).lower()
    tables: dict[str, TableShape] = {}
    with quiet_index_reflection():
        for name in inspector.get_table_names():
            if name.lower() != skipped:
                tables[name.lower()] = _table(inspector, name, connection.dialect)
    return tables


@contextmanager
def quiet_index_reflection() -> Iterator[None]:
    """SQLAlchemy warns of each expression index it does not reflect on SQLite: verify reads their names itself,
    and Alembic's batch mode, reflecting the same tables, would repeat the warning at every step."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection of expression-based index")
        yield


def _table(inspector: Any, name: str, dialect: Any) -> TableShape:
    columns = {}
    for column in inspector.get_columns(name):
        key = column["name"].lower()
        columns[key] = ColumnShape(
            key, _type_text(column["type"], dialect), family(column["type"], dialect), bool(column["nullable"])
        )
    primary = inspector.get_pk_constraint(name).get("constrained_columns") or []
    keys = frozenset(
        (_lower(key["constrained_columns"]), key["referred_table"].lower(), _lower(key["referred_columns"]))
        for key in inspector.get_foreign_keys(name)
    )
    reflected = inspector.get_indexes(name)
    indexes = {
        IndexShape(
            _name(index.get("name")),
            _lower(index.get("column_names") or ()),
            bool(index.get("unique")),
            expression=None in (index.get("column_names") or ()) or bool(index.get("expressions")),
        )
        for index in reflected
    }
    known = {index.name for index in indexes}
    indexes |= {IndexShape(index, (), False, expression=True) for index in _sqlite_index_names(inspector, name) - known}
    try:
        uniques = inspector.get_unique_constraints(name)
    except NotImplementedError:  # a dialect without unique-constraint reflection
        uniques = []
    indexes |= {
        IndexShape(_name(unique.get("name")), _lower(unique.get("column_names") or ()), True, constraint=True)
        for unique in uniques
    }
    return TableShape(name.lower(), columns, _lower(primary), keys, frozenset(indexes))


def _sqlite_index_names(inspector: Any, table: str) -> set[str]:
    """Every index of a SQLite table by name, expression indexes included (SQLAlchemy skips those)."""
    if inspector.dialect.name != "sqlite":
        return set()
    rows = inspector.bind.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL", (table,)
    )
    return {str(row[0]).lower() for row in rows}


def _lower(names: Any) -> tuple[str, ...]:
    return tuple(str(name).lower() for name in names if name is not None)


def _name(name: object) -> str | None:
    return name.lower() if isinstance(name, str) else None


def _type_text(type_: Any, dialect: Any) -> str:
    try:
        return str(type_.compile(dialect=dialect))
    except Exception:  # a reflected type this dialect cannot render (NullType): its repr is all there is
        return repr(type_)


def family(type_: Any, dialect: Any) -> str:
    """A reflected type's family, in the replay's words."""
    if isinstance(type_, sa.Enum):
        return "enum"
    if isinstance(type_, sa.ARRAY):
        return "array"
    if isinstance(type_, sa.JSON):
        return "json"
    if isinstance(type_, sa.types.NullType):
        return "unknown"
    return sql_type_ref(_type_text(type_, dialect)).family
