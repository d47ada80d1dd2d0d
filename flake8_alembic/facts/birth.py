"""How an environment's database schema is born, as its base revisions show: by its migrations (a closed world: a
table no migration creates does not exist) or elsewhere (an open world: "never created" is no evidence).

Evidence of an open world here (the project's own, ``create_all`` then ``stamp``, is read by ``facts.model``):

- a base revision (``down_revision = None``) whose docstring says ``Revises: X`` with a real X: the history was cut
  (squashed), and what the cut revisions made exists without a migration that creates it;
- a base revision that alters, indexes or references tables it never creates, or creates no table at all: it was
  written against a schema that already existed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ..effects import norm
from ..parse.module import Migration
from ..parse.records import Operation
from .records import UNKNOWN_BIRTH, SchemaBirth

_REVISES: Final = re.compile(r"^[ \t]*Revises[ \t]*:[ \t]*(.*?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
_NO_PARENT: Final = frozenset({"", "none", "null", "<base>", "base", "-"})
_ASSUMES_TABLE: Final = frozenset(
    {
        "add_column",
        "drop_column",
        "alter_column",
        "create_index",
        "drop_index",
        "create_foreign_key",
        "create_unique_constraint",
        "create_check_constraint",
        "create_primary_key",
        "drop_constraint",
        "drop_table",
        "rename_table",
        "batch_alter_table",
    }
)
"""Operations that need their table to exist already."""


def _is_base(migration: Migration) -> bool:
    depends_on = migration.fields.get("depends_on")
    return migration.down_revisions == () and (depends_on is None or not depends_on.value)


def _cut_from(migration: Migration) -> str | None:
    """The parent a base revision's docstring names (``Revises: 7d41c0ffee00``), when it names one."""
    match = _REVISES.search(migration.docstring or "")
    if match is None:
        return None
    parent = match.group(1).strip().strip("'\"")
    return None if parent.lower() in _NO_PARENT else parent


def _tables_referenced(operation: Operation) -> list[str | None]:
    """The tables an operation's foreign keys point at."""
    keys = [*operation.foreign_keys, *(key for column in operation.columns for key in column.foreign_keys)]
    return [key.ref_table for key in keys]


def _tables_created(operation: Operation) -> list[str | None]:
    """The tables an operation creates: ``create_table`` or SQL ``CREATE TABLE``."""
    names = [norm(operation.table)] if operation.name == "create_table" else []
    for statement in operation.statements("CREATE"):
        if statement.verb == "CREATE" and statement.object_kind == "TABLE":
            names += [norm(name) for name in statement.names]
    return names


def _first_table_assumed(migration: Migration) -> tuple[Operation, str] | None:
    """The first upgrade operation that needs a table this migration has not created before it, or whose foreign
    key points at a table it never creates (two tables may point at each other: either is created first)."""
    upgrade = [operation for operation in migration.operations if operation.phase == "upgrade"]
    made_anywhere = {name for operation in upgrade for name in _tables_created(operation)}
    created: set[str | None] = set()
    for operation in upgrade:
        made = _tables_created(operation)
        created.update(made)
        if not made and operation.name in _ASSUMES_TABLE and norm(operation.table) not in created:
            return operation, operation.table or "?"
        for table in _tables_referenced(operation):
            if table is not None and norm(table) not in made_anywhere:
                return operation, table
    return None


def _first_table_created(migration: Migration) -> Operation | None:
    return next((op for op in migration.operations if op.phase == "upgrade" and _tables_created(op)), None)


def base_birth(migration: Migration) -> SchemaBirth:
    """What one base revision says about how the schema is born."""
    where = f"{migration.path}:{migration.fields['down_revision'].line}" if "down_revision" in migration.fields else ""
    parent = _cut_from(migration)
    if parent is not None:
        return SchemaBirth(False, f"the history was cut: the base revision says 'Revises: {parent}'", where)
    assumed = _first_table_assumed(migration)
    if assumed is not None:
        operation, table = assumed
        reason = f"the base revision's {operation.name}() needs table {table!r}, which it never creates"
        return SchemaBirth(False, reason, f"{migration.path}:{operation.line}")
    first = _first_table_created(migration)
    if first is None:
        return SchemaBirth(False, "the base revision creates no table: it adopts an existing schema", where)
    return SchemaBirth(True, "the base revision creates the schema", f"{migration.path}:{first.line}")


def environment_birth(migrations: Iterable[Migration]) -> SchemaBirth | None:
    """The schema birth an environment's base revisions show: open when any base shows an open world; closed when
    every base creates its own tables; None without a readable base."""
    births = [base_birth(migration) for migration in migrations if _is_base(migration)]
    if not births:
        return None
    return next((birth for birth in births if not birth.closed), births[0])


def schema_birth(project: SchemaBirth | None, environment: SchemaBirth | None) -> SchemaBirth:
    """The project's own evidence of an open world first (``create_all`` then ``stamp``), else what the
    environment's base revisions show, else closed for want of any evidence."""
    return project or environment or UNKNOWN_BIRTH
