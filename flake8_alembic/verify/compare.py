"""Comparing schemas: the static replay with the live database, and the live database with itself.

Replay against live (after an upgrade): what the replay asserts and the database contradicts. The replay is
trusted only where it is sure: a table it marks uncertain is compared for existence only, a column whose
nullability it does not know is not compared for it, foreign keys are not compared on a table where a constraint
was dropped by name, and a type family is compared only where the dialect stores it as itself (SQLite keeps a UUID
as CHAR(32) and an enum as VARCHAR). Live against live (before and after a downgrade): every reflected detail.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from ..schema import ColumnState, TableState
from .expected import Expectation, ExpectedIndex
from .shapes import ColumnShape, IndexShape, SchemaShape, TableShape

_STORED_AS_ITSELF: Final[Mapping[str, frozenset[str]]] = {
    "sqlite": frozenset(
        {"string", "integer", "float", "numeric", "boolean", "datetime", "date", "time", "binary", "json"}
    ),
    "mysql": frozenset({"string", "integer", "float", "numeric", "datetime", "date", "time", "binary", "enum"}),
    "mariadb": frozenset({"string", "integer", "float", "numeric", "datetime", "date", "time", "binary", "enum"}),
}
"""Per dialect, the families it stores under their own name; absent dialects store every family as itself."""
_ALSO_STORED_AS: Final[Mapping[str, frozenset[str]]] = {
    "enum": frozenset({"string"}),  # sa.Enum(native_enum=False), which the replay does not tell apart
}


@dataclass(frozen=True)
class Divergence:
    """One thing the live schema says differently from what it was compared with."""

    table: str
    column: str | None
    aspect: str
    """``table`` | ``column`` | ``type`` | ``nullable`` | ``primary key`` | ``foreign key`` | ``index``."""
    expected: str
    actual: str

    def describe(self) -> str:
        where = f"{self.table}.{self.column}" if self.column else self.table
        return f"{self.aspect} of {where}: expected {self.expected}, the database has {self.actual}"


# ---------------------------------------------------------------------------------------------- replay vs live


def against_replay(expectation: Expectation, live: SchemaShape, dialect: str) -> list[Divergence]:
    """What the live schema contradicts in the replay's schema after one revision."""
    found: list[Divergence] = []
    for name, state in sorted(expectation.tables.items()):
        table = live.get(name)
        if table is None:
            found.append(Divergence(name, None, "table", "it to exist", "no such table"))
        elif not state.uncertain:
            found.extend(_table_against_replay(state, table, dialect))
    if not expectation.open_world:
        for name in sorted(set(live) - set(expectation.tables)):
            found.append(Divergence(name, None, "table", "no such table", "it"))
    found.extend(_indexes_against_replay(expectation.indexes, live))
    return found


def _table_against_replay(state: TableState, table: TableShape, dialect: str) -> list[Divergence]:
    found: list[Divergence] = []
    name = table.name
    for column in sorted(set(state.columns) - set(table.columns)):
        found.append(Divergence(name, column, "column", "it to exist", "no such column"))
    for column in sorted(set(table.columns) - set(state.columns)):
        found.append(Divergence(name, column, "column", "no such column", "it"))
    for column, expected in sorted(state.columns.items()):
        live = table.columns.get(column)
        if live is not None:
            found.extend(_column_against_replay(name, expected, live, table, dialect))
    if not state.keys_uncertain:
        for key in sorted(state.foreign_keys - table.foreign_keys):
            found.append(Divergence(name, None, "foreign key", _key(key), "no such foreign key"))
        for key in sorted(table.foreign_keys - state.foreign_keys):
            found.append(Divergence(name, None, "foreign key", "no such foreign key", _key(key)))
    return found


def _column_against_replay(
    table: str, expected: ColumnState, live: ColumnShape, shape: TableShape, dialect: str
) -> list[Divergence]:
    found: list[Divergence] = []
    if not family_matches(expected.type.family, live.family, dialect):
        found.append(Divergence(table, live.name, "type", f"family {expected.type.family}", live.type_text))
    if expected.nullable is not None and expected.nullable != live.nullable and not expected.primary_key:
        found.append(Divergence(table, live.name, "nullable", _null(expected.nullable), _null(live.nullable)))
    if expected.primary_key and live.name not in shape.primary_key:
        found.append(Divergence(table, live.name, "primary key", "part of the primary key", "not part of it"))
    return found


def family_matches(expected: str, live: str, dialect: str) -> bool:
    """Whether a live type can be what the replay says (unknown on either side, or not stored as itself: yes)."""
    if expected == "unknown" or live == "unknown" or expected == live:
        return True
    stored = _STORED_AS_ITSELF.get(dialect)
    if stored is not None and expected not in stored:
        return True
    return live in _ALSO_STORED_AS.get(expected, frozenset())


def _indexes_against_replay(expected: Iterable[ExpectedIndex], live: SchemaShape) -> list[Divergence]:
    found: list[Divergence] = []
    for index in expected:
        table = live.get(index.table)
        present = table.index(index.name) if table is not None else None
        label = "unique constraint" if index.constraint else "index"
        if not index.exists:
            if present is not None:
                found.append(Divergence(index.table, None, "index", f"{label} {index.name} dropped", "it"))
            continue
        if present is None:
            found.append(Divergence(index.table, None, "index", f"{label} {index.name}", "no such index"))
        elif present.expression:
            continue  # an expression index: its name is all the database says of it here
        elif index.columns is not None and present.columns != index.columns:
            found.append(Divergence(index.table, None, "index", _index(index.name, index.columns), _shape(present)))
        elif index.unique and not present.unique:
            found.append(Divergence(index.table, None, "index", f"{index.name} unique", f"{index.name} not unique"))
    return found


# ---------------------------------------------------------------------------------------------- live vs live


def between(before: SchemaShape, after: SchemaShape) -> list[Divergence]:
    """What ``after`` has that ``before`` had not, or lost (``expected`` is ``before``'s side)."""
    found: list[Divergence] = []
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name), after.get(name)
        if old is None:
            found.append(Divergence(name, None, "table", "no such table", "it"))
        elif new is None:
            found.append(Divergence(name, None, "table", "it", "no such table"))
        else:
            found.extend(_table_between(old, new))
    return found


def _table_between(old: TableShape, new: TableShape) -> list[Divergence]:
    name = old.name
    found = [Divergence(name, c, "column", "no such column", "it") for c in sorted(set(new.columns) - set(old.columns))]
    found += [
        Divergence(name, c, "column", "it", "no such column") for c in sorted(set(old.columns) - set(new.columns))
    ]
    for column in sorted(set(old.columns) & set(new.columns)):
        was, now = old.columns[column], new.columns[column]
        if was.type_text != now.type_text:
            found.append(Divergence(name, column, "type", was.type_text, now.type_text))
        if was.nullable != now.nullable:
            found.append(Divergence(name, column, "nullable", _null(was.nullable), _null(now.nullable)))
    if old.primary_key != new.primary_key:
        found.append(Divergence(name, None, "primary key", _columns(old.primary_key), _columns(new.primary_key)))
    for key in sorted(old.foreign_keys - new.foreign_keys):
        found.append(Divergence(name, None, "foreign key", _key(key), "no such foreign key"))
    for key in sorted(new.foreign_keys - old.foreign_keys):
        found.append(Divergence(name, None, "foreign key", "no such foreign key", _key(key)))
    return found + _indexes_between(name, old.indexes, new.indexes)


def _indexes_between(table: str, old: Iterable[IndexShape], new: Iterable[IndexShape]) -> list[Divergence]:
    """Named indexes compared by name (one difference for an index that changed), unnamed unique constraints
    (SQLite) by their columns."""
    before, after = _index_keys(old), _index_keys(new)
    found = []
    for key in sorted(set(before) | set(after), key=str):
        was, now = before.get(key), after.get(key)
        if was != now:
            found.append(Divergence(table, None, "index", _described(was), _described(now)))
    return found


def _index_keys(indexes: Iterable[IndexShape]) -> dict[object, tuple[str | None, tuple[str, ...], bool]]:
    return {
        index.name if index.name else (index.columns, index.unique): (index.name, index.columns, index.unique)
        for index in indexes
    }


def _described(key: tuple[str | None, tuple[str, ...], bool] | None) -> str:
    if key is None:
        return "no such index"
    name, columns, unique = key
    return f"{'unique ' if unique else ''}index {name or '(unnamed)'} on ({', '.join(columns)})"


def _shape(index: IndexShape) -> str:
    return _index(index.name or "(unnamed)", index.columns)


def _index(name: str, columns: tuple[str, ...]) -> str:
    return f"{name} on ({', '.join(columns)})"


def _key(key: tuple[tuple[str, ...], str, tuple[str, ...]]) -> str:
    local, table, remote = key
    return f"({', '.join(local)}) -> {table}({', '.join(remote)})"


def _columns(columns: tuple[str, ...]) -> str:
    return f"({', '.join(columns)})" if columns else "none"


def _null(nullable: bool) -> str:
    return "NULL" if nullable else "NOT NULL"
