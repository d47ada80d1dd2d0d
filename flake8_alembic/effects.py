"""What operations do to database objects: which objects each one creates, drops or renames.

Names are compared as the target databases compare them: every function takes the ``Identifiers`` of the targets
(``names.Identifiers.on(dialects)``); without one, names are compared without case or quotes (``FOLDED``). Names an
operation gives in Python go through ``Identifiers.python``, names written in SQL through ``Identifiers.sql``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, NamedTuple

from .names import FOLDED, Identifiers, norm, postgresql_object_name
from .parse.module import Migration
from .parse.records import Operation
from .sql import HOLE, SqlStatement

__all__ = [
    "CreatedObjects",
    "NamingConvention",
    "ObjectRef",
    "created_by",
    "dropped_by",
    "enum_types_made",
    "inline_constraints",
    "naming_templates",
    "norm",
    "renamed_by",
    "sql_drops",
    "unnamed_constraint_name",
]

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
_EXECUTES = frozenset({"execute", "exec_driver_sql"})

NamingConvention = Mapping[str, "str | None"]
"""``MetaData(naming_convention=...)`` templates by key (``fk``, ``uq``, ``ck``, ``pk``, ``ix``); None for a key
whose template is not known (not a literal, or a convention that could not be read in full)."""

_CONVENTION_KINDS: Final = ("fk", "uq", "ck", "pk", "ix")


def naming_templates(templates: Iterable[tuple[str, str | None]], complete: bool) -> NamingConvention:
    """The project's naming convention (``facts.records.NamingConvention``'s templates) as ``created_by`` takes
    it: a convention not read in full may name any kind it does not show, by a template not known."""
    found: dict[str, str | None] = dict(templates)
    if not complete:
        for kind in _CONVENTION_KINDS:
            found.setdefault(kind, None)
    return found


class ObjectRef(NamedTuple):
    """An object an operation touches. ``table`` is the owning table for columns, indexes and constraints. Names are
    the comparison keys of the ``Identifiers`` that read them."""

    kind: str
    """``table`` | ``column`` | ``index`` | ``constraint`` | ``view`` | ``sequence`` | ``type`` | other SQL kinds."""
    name: str | None
    table: str | None = None
    columns: tuple[str | None, ...] = ()


def created_by(
    operation: Operation, ids: Identifiers = FOLDED, naming: NamingConvention | None = None
) -> list[ObjectRef]:
    """The objects an operation creates. ``naming``: the project's naming convention, which names the constraints
    created without a name (else the name PostgreSQL gives them)."""
    name = operation.name
    if name not in _CREATORS and operation.sql_text is None:
        return []
    table = ids.python(operation.table)
    if name == "create_table":
        return [ObjectRef("table", table)]
    if name == "add_column":
        return [ObjectRef("column", ids.python(operation.target, "column"), table)]
    if name == "create_index":
        columns = tuple(ids.python(column, "column") for column in operation.index_columns)
        return [ObjectRef("index", ids.python(operation.target, "index"), table, columns)]
    if name in _CONSTRAINT_CREATORS:
        columns = operation.index_columns or (operation.foreign_keys[0].columns if operation.foreign_keys else ())
        keys = tuple(ids.python(column, "column") for column in columns)
        constraint = ids.python(operation.target, "constraint")
        if operation.unnamed:
            referred = operation.foreign_keys[0].ref_table if operation.foreign_keys else None
            constraint = unnamed_constraint_name(name, operation.table, columns, ids, naming, referred)
        return [ObjectRef("constraint", constraint, table, keys)]
    if name in _EXECUTES:
        return [ref for statement in operation.statements("CREATE", "ALTER") for ref in _sql_created(statement, ids)]
    return []


def inline_constraints(
    operation: Operation, ids: Identifiers = FOLDED, naming: NamingConvention | None = None
) -> list[ObjectRef]:
    """The foreign keys ``add_column`` declares inline (``sa.Column(..., sa.ForeignKey(..., name="fk_x"))``): their
    names, or the names they are given when unnamed. Objects of a table ``create_table`` makes need no list:
    dropping anything of that table undoes a creation."""
    if operation.name != "add_column":
        return []
    table = ids.python(operation.table)
    refs: list[ObjectRef] = []
    for column in operation.columns:
        for key in column.foreign_keys:
            columns = tuple(ids.python(name, "column") for name in key.columns)
            name = (
                ids.python(key.name, "constraint")
                if key.name
                else unnamed_constraint_name(
                    "create_foreign_key", operation.table, key.columns, ids, naming, key.ref_table
                )
            )
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
_CONVENTION_KEYS: Final = {
    "create_foreign_key": "fk",
    "create_unique_constraint": "uq",
    "create_check_constraint": "ck",
    "create_primary_key": "pk",
}


def unnamed_constraint_name(
    op_name: str,
    table: str | None,
    columns: tuple[str | None, ...],
    ids: Identifiers = FOLDED,
    naming: NamingConvention | None = None,
    referred: str | None = None,
) -> str | None:
    """The name a constraint created without one gets, so that a later drop by that name undoes the creation: the
    project's naming convention's, else PostgreSQL's (``orders_customer_id_fkey``, cut to 63 bytes as PostgreSQL
    cuts it). None when it cannot be known (a column given by an expression, a template this does not render)."""
    if table is None or None in columns:
        return None
    key = _CONVENTION_KEYS.get(op_name)
    if naming is not None and key is not None and key in naming:
        template = naming[key]
        rendered = _render(template, table, columns, referred) if template is not None else None
        return ids.python(rendered, "constraint") if rendered else None
    if op_name == "create_primary_key":
        return ids.python(postgresql_object_name(table, None, "pkey"), "constraint")
    suffix = _POSTGRESQL_SUFFIXES.get(op_name)
    if not columns:
        return None
    if op_name == "create_check_constraint":
        # PostgreSQL names a CHECK constraint after its column when its expression reads one, else after the table.
        only = columns[0] if len(set(columns)) == 1 else None
        return ids.python(postgresql_object_name(table, only, "check"), "constraint")
    if suffix is None:
        return None
    return ids.python(postgresql_object_name(table, "_".join(c or "" for c in columns), suffix), "constraint")


_TEMPLATE_TOKEN = re.compile(r"%\((\w+)\)s")


def _render(template: str, table: str, columns: tuple[str | None, ...], referred: str | None) -> str | None:
    """A naming-convention template filled in the way SQLAlchemy fills it, for the tokens it can know here (a
    ``%(constraint_name)s`` of an unnamed constraint is not known)."""
    values = {
        "table_name": table,
        "referred_table_name": referred,
        "column_0_name": columns[0] if columns else None,
        "column_0_N_name": "_".join(c or "" for c in columns) if columns else None,
        "column_0N_name": "".join(c or "" for c in columns) if columns else None,
    }
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.get(match.group(1))
        missing = missing or value is None
        return value or ""

    rendered = _TEMPLATE_TOKEN.sub(fill, template)
    return None if missing else rendered


_TYPE_RENAME: Final = re.compile(r"^\s*ALTER\s+TYPE\s+([\w.\"]+)\s+RENAME\s+TO\s+([\w.\"]+)", re.IGNORECASE)


def dropped_by(operation: Operation, ids: Identifiers = FOLDED) -> list[ObjectRef]:
    """The objects an operation drops."""
    name = operation.name
    if name not in _DROPPERS and operation.sql_text is None:
        return []
    table = ids.python(operation.table)
    if name == "drop_table":
        return [ObjectRef("table", table)]
    if name == "drop_column":
        return [ObjectRef("column", ids.python(operation.target, "column"), table)]
    if name == "drop_index":
        return [ObjectRef("index", ids.python(operation.target, "index"), table)]
    if name == "drop_constraint":
        return [ObjectRef("constraint", ids.python(operation.target, "constraint"), table)]
    if name in _EXECUTES:
        return [ref for statement in operation.statements("DROP") for ref, _ in sql_drops(statement, ids)]
    return []


def renamed_by(operation: Operation, ids: Identifiers = FOLDED) -> list[tuple[ObjectRef, str]]:
    """(object before, its new name) for each rename the operation makes."""
    if operation.new_name is None and operation.sql_text is None:
        return []
    table = ids.python(operation.table)
    if operation.name == "rename_table" and operation.new_name:
        return [(ObjectRef("table", table), ids.python(operation.new_name) or "")]
    if operation.name == "alter_column" and operation.new_name:
        column = ids.python(operation.target, "column")
        return [(ObjectRef("column", column, table), ids.python(operation.new_name, "column") or "")]
    renames: list[tuple[ObjectRef, str]] = []
    for statement in operation.statements("RENAME"):
        if statement.verb == "ALTER" and statement.object_kind == "TYPE":
            match = _TYPE_RENAME.match(statement.text)
            if match:
                renames.append((ObjectRef("type", ids.sql(match.group(1), "type")), ids.sql(match.group(2)) or ""))
        if statement.verb == "ALTER" and statement.object_kind == "TABLE":
            owner = ids.sql(_owner(statement))
            for action in statement.actions:
                if action.kind == "RENAME TO" and action.new_name:
                    renames.append((ObjectRef("table", owner), ids.sql(action.new_name) or ""))
                elif action.kind == "RENAME COLUMN" and action.new_name:
                    before = ObjectRef("column", ids.sql(action.column, "column"), owner)
                    renames.append((before, ids.sql(action.new_name, "column") or ""))
    return renames


def _owner(statement: SqlStatement) -> str | None:
    """The table an ``ALTER TABLE`` (or ``CREATE INDEX … ON``) statement is about."""
    return statement.table or (statement.names[0] if statement.names else None)


def sql_drops(statement: SqlStatement, ids: Identifiers = FOLDED) -> list[tuple[ObjectRef, bool]]:
    """(dropped object, guarded by IF EXISTS) for a SQL statement."""
    drops: list[tuple[ObjectRef, bool]] = []
    if statement.verb == "DROP" and statement.object_kind:
        kind = statement.object_kind.lower()
        for name in statement.names:
            drops.append((ObjectRef(kind, ids.sql(name, kind), ids.sql(statement.table)), statement.if_exists))
    elif statement.verb == "ALTER" and statement.object_kind == "TABLE":
        owner = ids.sql(_owner(statement))
        for action in statement.actions:
            if action.kind == "DROP COLUMN":
                drops.append((ObjectRef("column", ids.sql(action.column, "column"), owner), action.if_exists))
            elif action.kind == "DROP CONSTRAINT":
                constraint = ids.sql(action.constraint, "constraint")
                drops.append((ObjectRef("constraint", constraint, owner), action.if_exists))
    return drops


def _sql_created(statement: SqlStatement, ids: Identifiers) -> list[ObjectRef]:
    if statement.verb == "CREATE" and statement.object_kind:
        kind = statement.object_kind.lower()
        return [ObjectRef(kind, ids.sql(name, kind), ids.sql(statement.table)) for name in statement.names]
    created: list[ObjectRef] = []
    if statement.verb == "ALTER" and statement.object_kind == "TABLE":
        owner = ids.sql(_owner(statement))
        for action in statement.actions:
            if action.kind == "ADD COLUMN":
                created.append(ObjectRef("column", ids.sql(action.column, "column"), owner))
            elif action.kind == "ADD CONSTRAINT":
                created.append(ObjectRef("constraint", ids.sql(action.constraint, "constraint"), owner))
    return created


@dataclass
class CreatedObjects:
    """Objects created so far, following renames: answers "does dropping X undo a creation?"."""

    ids: Identifiers = FOLDED
    naming: NamingConvention | None = None
    tables: set[str] = field(default_factory=set)
    """Tables created here (or renamed from one): dropping any object of theirs undoes a creation."""
    renamed_tables: set[str] = field(default_factory=set)
    """Names a table existing before was renamed to: dropping that table undoes the rename, not its columns."""
    objects: set[tuple[str, str | None, str]] = field(default_factory=set)
    """(kind, owning table or None, name)."""
    unnamed_constraints_of: set[str] = field(default_factory=set)
    """Tables given a constraint without a name (``create_foreign_key(None, "t", …)``): a later
    ``drop_constraint(None, "t")`` means that one (ALM025 reports the missing name itself)."""

    def add(self, operation: Operation) -> None:
        for ref in (
            *created_by(operation, self.ids, self.naming),
            *inline_constraints(operation, self.ids, self.naming),
        ):
            self._add_ref(ref)
        for before, new_name in renamed_by(operation, self.ids):
            self._rename(before, new_name)
        table = self.ids.python(operation.table)
        if table is not None and _creates_unnamed_constraint(operation):
            self.unnamed_constraints_of.add(table)

    def add_statement(self, statement: SqlStatement) -> None:
        """One statement of a SQL string, for drops later in the same string."""
        for ref in _sql_created(statement, self.ids):
            self._add_ref(ref)

    def covers_unnamed_drop(self, operation: Operation) -> bool:
        """Whether ``drop_constraint(None, "t")`` means a constraint created here without a name on ``t``."""
        table = self.ids.python(operation.table)
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
        # A rename that ran brings the new name into being, whether or not the old one was created here; but only
        # a table created here brings its columns along.
        if before.kind == "table":
            if before.name in self.tables:
                self.tables.add(new_name)
            else:
                self.renamed_tables.add(new_name)
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
            return ref.name in self.tables or ref.name in self.renamed_tables
        if ref.table is not None and ref.table in self.tables:
            return True
        key = (ref.kind, ref.table if ref.kind == "column" else None, ref.name)
        return key in self.objects


def enum_types_made(migration: Migration, ids: Identifiers = FOLDED) -> frozenset[str | None]:
    """The native enum types a migration creates: ``create_table`` columns whose enum creates its type, explicit
    ``.create(bind)`` calls and SQL ``CREATE TYPE`` (None in it: a type whose name cannot be read)."""
    made: set[str | None] = set()
    for call in migration.enum_calls:
        if call.action == "create":
            made.add(ids.python(call.name, "type"))
    for operation in migration.operations:
        if operation.name == "create_table":
            made.update(
                ids.python(c.enum.name, "type") for c in operation.columns if c.enum is not None and c.enum.creates_type
            )
        for statement in operation.statements("TYPE"):
            if statement.verb == "CREATE" and statement.object_kind == "TYPE":
                made.update(None if name is None or HOLE in name else ids.sql(name, "type") for name in statement.names)
    return frozenset(made)
