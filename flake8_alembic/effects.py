"""What operations do to database objects: which objects each one creates, drops or renames.

Names are compared case-insensitively and without schema, as unquoted SQL identifiers are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from .parse.module import Migration
from .parse.records import Operation
from .sql import HOLE, SqlStatement

_CONSTRAINT_CREATORS = frozenset(
    {
        "create_unique_constraint",
        "create_foreign_key",
        "create_check_constraint",
        "create_primary_key",
        "create_exclude_constraint",
    }
)


_CREATORS = frozenset({"create_table", "add_column", "create_index"}) | _CONSTRAINT_CREATORS
_DROPPERS = frozenset({"drop_table", "drop_column", "drop_index", "drop_constraint"})


def norm(name: str | None) -> str | None:
    """``"Public"."Users"`` → ``users``: how the objects are matched."""
    if name is None:
        return None
    return name.split(".")[-1].strip('"`[]').lower()


class ObjectRef(NamedTuple):
    """An object an operation touches. ``table`` is the owning table for columns, indexes and constraints."""

    kind: str
    """``table`` | ``column`` | ``index`` | ``constraint`` | ``view`` | ``sequence`` | ``type`` | other SQL kinds."""
    name: str | None
    table: str | None = None
    columns: tuple[str | None, ...] = ()


def created_by(operation: Operation) -> list[ObjectRef]:
    """The objects an operation creates."""
    name = operation.name
    if name not in _CREATORS and operation.sql_text is None:
        return []
    table = norm(operation.table)
    if name == "create_table":
        return [ObjectRef("table", table)]
    if name == "add_column":
        return [ObjectRef("column", norm(operation.target), table)]
    if name == "create_index":
        return [ObjectRef("index", norm(operation.target), table, tuple(map(norm, operation.index_columns)))]
    if name in _CONSTRAINT_CREATORS:
        columns = operation.index_columns or (operation.foreign_keys[0].columns if operation.foreign_keys else ())
        columns = tuple(map(norm, columns))
        constraint = norm(operation.target)
        if operation.unnamed:
            constraint = _postgresql_name(name, table, columns)
        return [ObjectRef("constraint", constraint, table, columns)]
    if name in ("execute", "exec_driver_sql"):
        return [ref for statement in operation.statements("CREATE", "ALTER") for ref in _sql_created(statement)]
    return []


def inline_constraints(operation: Operation) -> list[ObjectRef]:
    """The foreign keys ``add_column`` declares inline (``sa.Column(..., sa.ForeignKey(..., name="fk_x"))``): their
    names, or the names PostgreSQL gives them when unnamed. Objects of a table ``create_table`` makes need no list:
    dropping anything of that table undoes a creation."""
    if operation.name != "add_column":
        return []
    table = norm(operation.table)
    refs: list[ObjectRef] = []
    for column in operation.columns:
        for key in column.foreign_keys:
            columns = tuple(map(norm, key.columns))
            name = norm(key.name) if key.name else _postgresql_name("create_foreign_key", table, columns)
            refs.append(ObjectRef("constraint", name, table, columns))
    return refs


def _creates_unnamed_constraint(operation: Operation) -> bool:
    if operation.name in _CONSTRAINT_CREATORS:
        return operation.unnamed
    return operation.name == "add_column" and any(
        key.name is None for column in operation.columns for key in column.foreign_keys
    )


_POSTGRESQL_SUFFIXES: Final = {
    "create_foreign_key": "fkey",
    "create_unique_constraint": "key",
    "create_check_constraint": "check",
}


def _postgresql_name(op_name: str, table: str | None, columns: tuple[str | None, ...]) -> str | None:
    """The name PostgreSQL gives a constraint created without one (``orders_customer_id_fkey``): a later drop by
    that name undoes the creation."""
    if table is None:
        return None
    if op_name == "create_primary_key":
        return f"{table}_pkey"
    suffix = _POSTGRESQL_SUFFIXES.get(op_name)
    if suffix is None or not columns or None in columns:
        return None
    return "_".join((table, *(column or "" for column in columns), suffix))


_TYPE_RENAME: Final = re.compile(r"^\s*ALTER\s+TYPE\s+([\w.\"]+)\s+RENAME\s+TO\s+([\w.\"]+)", re.IGNORECASE)


def dropped_by(operation: Operation) -> list[ObjectRef]:
    """The objects an operation drops."""
    name = operation.name
    if name not in _DROPPERS and operation.sql_text is None:
        return []
    table = norm(operation.table)
    if name == "drop_table":
        return [ObjectRef("table", table)]
    if name == "drop_column":
        return [ObjectRef("column", norm(operation.target), table)]
    if name == "drop_index":
        return [ObjectRef("index", norm(operation.target), table)]
    if name == "drop_constraint":
        return [ObjectRef("constraint", norm(operation.target), table)]
    if name in ("execute", "exec_driver_sql"):
        return [ref for statement in operation.statements("DROP") for ref, _ in sql_drops(statement)]
    return []


def renamed_by(operation: Operation) -> list[tuple[ObjectRef, str]]:
    """(object before, its new name) for each rename the operation makes."""
    if operation.new_name is None and operation.sql_text is None:
        return []
    table = norm(operation.table)
    if operation.name == "rename_table" and operation.new_name:
        return [(ObjectRef("table", table), norm(operation.new_name) or "")]
    if operation.name == "alter_column" and operation.new_name:
        return [(ObjectRef("column", norm(operation.target), table), norm(operation.new_name) or "")]
    renames: list[tuple[ObjectRef, str]] = []
    for statement in operation.statements("RENAME"):
        if statement.verb == "ALTER" and statement.object_kind == "TYPE":
            match = _TYPE_RENAME.match(statement.text)
            if match:
                renames.append((ObjectRef("type", norm(match.group(1))), norm(match.group(2)) or ""))
        if statement.verb == "ALTER" and statement.object_kind == "TABLE":
            owner = norm(statement.table or (statement.names[0] if statement.names else None))
            for action in statement.actions:
                if action.kind == "RENAME TO" and action.new_name:
                    renames.append((ObjectRef("table", owner), norm(action.new_name) or ""))
                elif action.kind == "RENAME COLUMN" and action.new_name:
                    renames.append((ObjectRef("column", norm(action.column), owner), norm(action.new_name) or ""))
    return renames


def sql_drops(statement: SqlStatement) -> list[tuple[ObjectRef, bool]]:
    """(dropped object, guarded by IF EXISTS) for a SQL statement."""
    drops: list[tuple[ObjectRef, bool]] = []
    if statement.verb == "DROP" and statement.object_kind:
        kind = statement.object_kind.lower()
        for name in statement.names:
            drops.append((ObjectRef(kind, norm(name), norm(statement.table)), statement.if_exists))
    elif statement.verb == "ALTER" and statement.object_kind == "TABLE":
        owner = norm(statement.table or (statement.names[0] if statement.names else None))
        for action in statement.actions:
            if action.kind == "DROP COLUMN":
                drops.append((ObjectRef("column", norm(action.column), owner), action.if_exists))
            elif action.kind == "DROP CONSTRAINT":
                drops.append((ObjectRef("constraint", norm(action.constraint), owner), action.if_exists))
    return drops


def _sql_created(statement: SqlStatement) -> list[ObjectRef]:
    if statement.verb == "CREATE" and statement.object_kind:
        kind = statement.object_kind.lower()
        return [ObjectRef(kind, norm(name), norm(statement.table)) for name in statement.names]
    created: list[ObjectRef] = []
    if statement.verb == "ALTER" and statement.object_kind == "TABLE":
        owner = norm(statement.table or (statement.names[0] if statement.names else None))
        for action in statement.actions:
            if action.kind == "ADD COLUMN":
                created.append(ObjectRef("column", norm(action.column), owner))
            elif action.kind == "ADD CONSTRAINT":
                created.append(ObjectRef("constraint", norm(action.constraint), owner))
    return created


@dataclass
class CreatedObjects:
    """Objects created so far, following renames: answers "does dropping X undo a creation?"."""

    tables: set[str] = field(default_factory=set)
    objects: set[tuple[str, str | None, str]] = field(default_factory=set)
    """(kind, owning table or None, name)."""
    unnamed_constraints_of: set[str] = field(default_factory=set)
    """Tables given a constraint without a name (``create_foreign_key(None, "t", …)``): a later
    ``drop_constraint(None, "t")`` means that one (ALM025 reports the missing name itself)."""

    def add(self, operation: Operation) -> None:
        for ref in (*created_by(operation), *inline_constraints(operation)):
            self._add_ref(ref)
        for before, new_name in renamed_by(operation):
            self._rename(before, new_name)
        table = norm(operation.table)
        if table is not None and _creates_unnamed_constraint(operation):
            self.unnamed_constraints_of.add(table)

    def add_statement(self, statement: SqlStatement) -> None:
        """One statement of a SQL string, for drops later in the same string."""
        for ref in _sql_created(statement):
            self._add_ref(ref)

    def covers_unnamed_drop(self, operation: Operation) -> bool:
        """Whether ``drop_constraint(None, "t")`` means a constraint created here without a name on ``t``."""
        table = norm(operation.table)
        return operation.unnamed and table is not None and table in self.unnamed_constraints_of

    def _add_ref(self, ref: ObjectRef) -> None:
        if ref.name is None:
            return
        if ref.kind == "table":
            self.tables.add(ref.name)
            return
        key = (ref.kind, ref.table if ref.kind == "column" else None, ref.name)
        self.objects.add(key)

    def _rename(self, before: ObjectRef, new_name: str) -> None:
        # A rename that ran brings the new name into being, whether or not the old one was created here.
        if before.kind == "table":
            self.tables.add(new_name)
            for kind, table, name in list(self.objects):
                if table == before.name:
                    self.objects.add((kind, new_name, name))
        elif before.kind == "column":
            self.objects.add(("column", before.table, new_name))
        else:
            self.objects.add((before.kind, None, new_name))

    def covers(self, ref: ObjectRef) -> bool:
        """Whether dropping ``ref`` drops something created here (or an object of a table created here)."""
        if ref.name is None:
            return False
        if ref.kind == "table":
            return ref.name in self.tables
        if ref.table is not None and ref.table in self.tables:
            return True
        key = (ref.kind, ref.table if ref.kind == "column" else None, ref.name)
        return key in self.objects


def enum_types_made(migration: Migration) -> frozenset[str | None]:
    """The native enum types a migration creates: ``create_table`` columns whose enum creates its type, explicit
    ``.create(bind)`` calls and SQL ``CREATE TYPE`` (None in it: a type whose name cannot be read)."""
    made: set[str | None] = set()
    for call in migration.enum_calls:
        if call.action == "create":
            made.add(norm(call.name))
    for operation in migration.operations:
        if operation.name == "create_table":
            made.update(norm(c.enum.name) for c in operation.columns if c.enum is not None and c.enum.creates_type)
        for statement in operation.statements("TYPE"):
            if statement.verb == "CREATE" and statement.object_kind == "TYPE":
                made.update(None if name is None or HOLE in name else norm(name) for name in statement.names)
    return frozenset(made)
