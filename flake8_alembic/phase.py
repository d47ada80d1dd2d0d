"""What the sequence of one phase's statements shows beyond each statement alone.

- **Rebuilds** (the net effect): a table or column copied under a temporary name, the original dropped and the
  copy renamed to the original name (or the original moved aside, a new one made under its name and filled, the
  old one dropped). The object *changed*: nothing new is left for a downgrade to drop, and no name disappears for
  running code.
- **Earlier uses**: the objects a statement already used, unguarded, before a later one in the same function
  (selected, updated, altered, copied from). Where the object is missing, that earlier statement fails first: a
  guard on the later one changes nothing.

Names are compared with the ``Identifiers`` given, as ``effects`` compares them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from .effects import ObjectRef, created_by, dropped_by, renamed_by
from .names import Identifiers
from .parse.records import Frame, Operation
from .sql import SqlStatement, mentions

Key = tuple[str, "str | None", str]
"""(kind, owning table for a column or None, name)."""


@dataclass(frozen=True)
class Rebuild:
    """A table or column rebuilt in place."""

    kind: str
    """``table`` | ``column``."""
    table: str | None
    """The owning table of a column."""
    name: str
    """The name the object keeps."""
    temporary: str
    """The copy's name, or the name the original was moved aside to."""
    steps: frozenset[int]
    """The ``id`` of the operations that make it: the creation, the drop and the rename."""


def _key(ref: ObjectRef) -> Key | None:
    if ref.kind not in ("table", "column") or ref.name is None:
        return None
    return (ref.kind, ref.table if ref.kind == "column" else None, ref.name)


@dataclass
class _Seen:
    """Where the statements so far created, dropped and renamed each name (the latest statement of each)."""

    created: dict[Key, Operation] = field(default_factory=dict)
    dropped: dict[Key, Operation] = field(default_factory=dict)
    moved_aside: dict[Key, tuple[Key, Operation]] = field(default_factory=dict)
    """The name an object was renamed to → (its name before, the rename)."""
    replaced: dict[Key, tuple[Key, Operation, Operation]] = field(default_factory=dict)
    """A moved-aside name whose original name was made again → (that name, the rename, the creation)."""


def rebuilds(operations: Iterable[Operation], ids: Identifiers) -> tuple[Rebuild, ...]:
    """The rebuilds of one phase's operations (in order, one engine)."""
    seen = _Seen()
    found: list[Rebuild] = []
    for operation in operations:
        for before, new_name in renamed_by(operation, ids):
            old, new = _key(before), _key(before._replace(name=new_name))
            if old is None or new is None:
                continue
            if old in seen.created and new in seen.dropped:  # copy made, original dropped, copy takes its name
                made = frozenset({id(seen.created[old]), id(seen.dropped[new]), id(operation)})
                found.append(Rebuild(new[0], new[1], new[2], old[2], made))
            else:
                seen.moved_aside[new] = (old, operation)
        for ref in created_by(operation, ids):
            key = _key(ref)
            if key is None:
                continue
            seen.created[key] = operation
            aside = next((name for name, (old, _) in seen.moved_aside.items() if old == key), None)
            if aside is not None:  # the original moved aside, a new one made under its name
                seen.replaced[aside] = (key, seen.moved_aside[aside][1], operation)
        for ref in dropped_by(operation, ids):
            key = _key(ref)
            if key is None:
                continue
            seen.dropped[key] = operation
            if key in seen.replaced:  # ... and the moved-aside original dropped
                original, rename, creation = seen.replaced.pop(key)
                steps = frozenset({id(rename), id(creation), id(operation)})
                found.append(Rebuild(original[0], original[1], original[2], key[2], steps))
    return tuple(found)


class PhaseEffects:
    """The net effect of one phase's operations (in order): its rebuilds, and which names its drops and renames take
    away only for a moment (made again later in the phase) or took from objects the phase itself made."""

    def __init__(self, operations: Sequence[Operation], ids: Identifiers) -> None:
        self.rebuilds = rebuilds(operations, ids)
        self._steps = frozenset(step for rebuild in self.rebuilds for step in rebuild.steps)
        self._ids = ids
        self._made_at: dict[Key, list[int]] = {}
        self._position = {id(operation): index for index, operation in enumerate(operations)}
        for index, operation in enumerate(operations):
            made = [_key(ref) for ref in created_by(operation, ids)]
            made += [_key(before._replace(name=new_name)) for before, new_name in renamed_by(operation, ids)]
            for key in made:
                if key is not None:
                    self._made_at.setdefault(key, []).append(index)

    def in_rebuild(self, operation: Operation) -> bool:
        """The operation is a step of a rebuild (its copy, its drop of the original or its rename)."""
        return id(operation) in self._steps

    def returns_later(self, operation: Operation) -> bool:
        """Every name the operation takes away (drops, or renames away) is made again later in the phase (created
        or renamed into): running code still finds it once the revision commits."""
        taken = self._taken(operation)
        position = self._position.get(id(operation), -1)
        return bool(taken) and all(any(index > position for index in self._made_at.get(key, ())) for key in taken)

    def made_earlier(self, operation: Operation) -> bool:
        """Every object the operation takes away was made earlier in the phase: nothing outside the revision knew
        its name."""
        taken = self._taken(operation)
        position = self._position.get(id(operation), -1)
        return bool(taken) and all(any(index < position for index in self._made_at.get(key, ())) for key in taken)

    def _taken(self, operation: Operation) -> list[Key]:
        refs = [*dropped_by(operation, self._ids), *(before for before, _ in renamed_by(operation, self._ids))]
        keys = [_key(ref) for ref in refs]
        return [key for key in keys if key is not None] if all(keys) else []


def phase_effects(operations: Iterable[Operation], phase: str, ids: Identifiers) -> dict[str, PhaseEffects]:
    """The net effect of a migration's ``phase`` (``upgrade`` or ``downgrade``) for each multidb engine."""
    by_engine: dict[str, list[Operation]] = {}
    for operation in operations:
        if operation.phase == phase:
            by_engine.setdefault(operation.engine, []).append(operation)
    return {engine: PhaseEffects(ops, ids) for engine, ops in by_engine.items()}


# ---------------------------------------------------------------------------------------------- earlier uses
_USING_OPS: Final = frozenset(
    {
        "alter_column",
        "add_column",
        "drop_column",
        "create_index",
        "drop_index",
        "create_unique_constraint",
        "create_foreign_key",
        "create_check_constraint",
        "create_primary_key",
        "create_exclude_constraint",
        "drop_constraint",
        "bulk_insert",
    }
)
"""Operations that fail when their table is missing and leave it there (``rename_table`` takes the name away:
a later drop of it fails whatever happened before, and a guard would spare it)."""
_USING_VERBS: Final = frozenset(
    {"SELECT", "WITH", "UPDATE", "INSERT", "REPLACE", "DELETE", "MERGE", "ALTER", "TRUNCATE"}
)
_ALWAYS_RUN: Final = frozenset({"batch", "autocommit", "savepoint"})
"""Enclosing constructs whose body always runs (a ``with`` block)."""


def uses_of(operation: Operation, ids: Identifiers) -> list[ObjectRef]:
    """The tables and columns an operation needs to exist (it fails without them)."""
    if operation.receiver == "metadata":
        return []
    if operation.name in ("execute", "exec_driver_sql"):
        if operation.core_dml:
            return [_core_ref(table, column, ids) for table, column in operation.core_refs]
        return [ref for statement in operation.sql or () for ref in _statement_uses(statement, ids)]
    if operation.name not in _USING_OPS:
        return []
    table = ids.python(operation.table)
    if table is None:
        return []
    refs = [ObjectRef("table", table)]
    columns = list(operation.index_columns)
    if operation.name == "alter_column" and not operation.new_name:
        columns.append(operation.target)  # a drop or a rename of the column takes it away: not a use
    columns += [name for key in operation.foreign_keys for name in key.columns]
    refs += [ObjectRef("column", ids.python(column, "column"), table) for column in columns if column]
    return refs


def _core_ref(table: str, column: str | None, ids: Identifiers) -> ObjectRef:
    if column is None:
        return ObjectRef("table", ids.python(table))
    return ObjectRef("column", ids.python(column, "column"), ids.python(table))


def _statement_uses(statement: SqlStatement, ids: Identifiers) -> list[ObjectRef]:
    if statement.verb not in _USING_VERBS:
        return []
    said = mentions(statement.text)
    taken = _taken_by_alter(statement, ids)
    if taken is None:
        return []  # ALTER TABLE … RENAME TO: the table's name is gone after it
    tables = [ids.sql(table) for table in said.tables]
    refs = [ObjectRef("table", table) for table in tables]
    # Which table a bare column name belongs to is not read: each named column counts for each named table.
    names = [ids.sql(name, "column") for name in said.names]
    refs += [ObjectRef("column", name, table) for table in tables for name in names if name not in taken]
    return refs


def _taken_by_alter(statement: SqlStatement, ids: Identifiers) -> set[str | None] | None:
    """The columns an ``ALTER TABLE`` drops or renames away (not uses: they are gone after it); None when it
    renames the table itself."""
    if statement.verb != "ALTER":
        return set()
    if any(action.kind == "RENAME TO" for action in statement.actions):
        return None
    return {
        ids.sql(action.column, "column")
        for action in statement.actions
        if action.kind in ("DROP COLUMN", "RENAME COLUMN")
    }


class EarlierUses:
    """Which objects the statements of one function used before each later statement, unguarded and
    unconditionally (outside loops, handlers and guards that the later statement is not in).

    An ordinary ``if`` leaves no frame in the records (the walk runs both branches), so a use under one counts:
    at worst a drop goes unreported, never the other way. A frame kind this does not know counts as conditional."""

    def __init__(self, operations: Sequence[Operation], ids: Identifiers, catching: frozenset[Frame]) -> None:
        self._operations = operations
        self._ids = ids
        self._catching = catching
        self._position = {id(operation): index for index, operation in enumerate(operations)}
        self._uses: dict[Key, list[int]] | None = None

    def first_use_before(self, operation: Operation, ref: ObjectRef) -> Operation | None:
        """The first earlier statement of the same function that used ``ref`` where it runs whenever ``operation``
        runs (so a missing object fails there first), or None."""
        key = _key(ref)
        position = self._position.get(id(operation))
        if key is None or position is None:
            return None
        for index in self._index().get(key, ()):
            if index >= position:
                break
            if self._runs_before(self._operations[index], operation):
                return self._operations[index]
        return None

    def _index(self) -> dict[Key, list[int]]:
        if self._uses is None:
            self._uses = {}
            for index, operation in enumerate(self._operations):
                for ref in uses_of(operation, self._ids):
                    key = _key(ref)
                    positions = self._uses.setdefault(key, []) if key is not None else None
                    if positions is not None and (not positions or positions[-1] != index):
                        positions.append(index)
        return self._uses

    def _runs_before(self, use: Operation, later: Operation) -> bool:
        if use.guarded or (use.function, use.engine, use.phase) != (later.function, later.engine, later.phase):
            return False
        if not later.dialects <= use.dialects:
            return False
        return all(
            frame in later.stack
            or frame.kind in _ALWAYS_RUN
            or (frame.kind in ("try", "suppress") and frame not in self._catching)
            for frame in use.stack
        )
