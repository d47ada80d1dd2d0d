"""The shape of a live database schema as ``verify`` compares it: tables, columns, keys and indexes.

Plain frozen data, filled by reflection (``live.py``) and compared with the static replay (``compare.py``) and
with itself (before and after a downgrade). Names are lower-cased, as the replay's are.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

ForeignKey = tuple[tuple[str, ...], str, tuple[str, ...]]
"""(local columns, referenced table, referenced columns), as the replay writes them."""


@dataclass(frozen=True)
class ColumnShape:
    name: str
    type_text: str
    """The type as the database reports it, rendered by its dialect (``VARCHAR(36)``, ``UUID``)."""
    family: str
    """The type family (``string``, ``uuid``…; ``unknown`` when not known)."""
    nullable: bool


@dataclass(frozen=True)
class IndexShape:
    """An index or a unique constraint."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool
    constraint: bool = False
    """A unique constraint (reflected by ``get_unique_constraints``) rather than an index."""
    expression: bool = False
    """An index on expressions (``coalesce(a, b)``, ``json_extract(…)``): ``columns`` lists only its plain columns,
    and on SQLite only its name is known (SQLAlchemy does not reflect it)."""


@dataclass(frozen=True)
class TableShape:
    name: str
    columns: Mapping[str, ColumnShape]
    primary_key: tuple[str, ...]
    foreign_keys: frozenset[ForeignKey]
    indexes: frozenset[IndexShape]

    def index(self, name: str) -> IndexShape | None:
        return next((index for index in self.indexes if index.name == name), None)


SchemaShape = Mapping[str, TableShape]
"""Table name → table."""
