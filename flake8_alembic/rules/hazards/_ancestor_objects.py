"""How the ancestors of a revision defined a named index or constraint: the query ALM036 needs and the replay
(``schema.py``) does not answer, since it keeps foreign keys without their names and no indexes at all.

Read from the ancestors' ``upgrade()`` operations (``effects.created_by``/``dropped_by``). A definition is known
only when exactly one ancestor operation creates the name, no other ancestor operation drops it or renames a
column, and the replay's world is closed: otherwise raw SQL, a helper, a second creation or a renamed column may have
made it differently.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...effects import created_by, dropped_by, renamed_by
from ...names import FOLDED, Identifiers
from ...parse.records import Operation
from ..base import RuleContext

DEFINING_OPS = frozenset({"create_index", "create_unique_constraint", "create_foreign_key"})


@dataclass(frozen=True)
class Definition:
    """An index or constraint as the operation that created it wrote it (names normalised)."""

    op_name: str
    table: str
    columns: tuple[str, ...]
    unique: bool = False
    """An index created with ``unique=True``."""
    ref_table: str | None = None
    ref_columns: tuple[str, ...] = ()

    def same_shape(self, other: Definition) -> bool:
        """The same kind, columns, uniqueness and reference, whatever its table is called now (tables get renamed)."""
        return (self.op_name, self.columns, self.unique, self.ref_table, self.ref_columns) == (
            other.op_name,
            other.columns,
            other.unique,
            other.ref_table,
            other.ref_columns,
        )

    def describe(self) -> str:
        columns = ", ".join(self.columns)
        if self.op_name == "create_foreign_key":
            return f"({columns}) -> {self.ref_table}({', '.join(self.ref_columns)})"
        return f"{'unique ' if self.unique else ''}({columns})"


def definition_of(operation: Operation, ids: Identifiers = FOLDED) -> Definition | None:
    """The definition an index/unique/foreign-key creation writes, when every name in it is a literal (names as
    ``ids`` compares them)."""
    if operation.name not in DEFINING_OPS or operation.unpacks:
        return None
    table = ids.python(operation.table)
    if operation.name == "create_foreign_key":
        if not operation.foreign_keys:
            return None
        key = operation.foreign_keys[0]
        local = tuple(ids.python(name, "column") for name in key.columns)
        remote = tuple(ids.python(name, "column") for name in key.ref_columns)
        ref_table = ids.python(key.ref_table)
        if table is None or ref_table is None or not local or not _all_known(local) or not _all_known(remote):
            return None
        return Definition(operation.name, table, _known(local), ref_table=ref_table, ref_columns=_known(remote))
    columns = tuple(ids.python(name, "column") for name in operation.index_columns)
    if table is None or not columns or not _all_known(columns):
        return None
    unique = operation.kwargs.get("unique")
    if operation.name == "create_index" and not isinstance(unique, bool) and "unique" in operation.kwargs:
        return None  # unique=<expression>: not known
    return Definition(operation.name, table, _known(columns), unique=unique is True)


def ancestor_definition(context: RuleContext, kind: str, name: str, ids: Identifiers = FOLDED) -> Definition | None:
    """How the ancestors of the linted revision defined the index or constraint ``name`` (``kind`` is ``index`` or
    ``constraint``); None when that is not known for sure."""
    environment, revision = context.environment, context.migration.revision
    schema = context.schema_before
    if environment is None or revision is None or schema is None or schema.open_world:
        return None
    ancestors = environment.ancestors(revision)
    creations: list[Operation] = []
    for migration in context.environment_migrations:
        if migration.revision not in ancestors:
            continue
        for operation in migration.operations:
            if operation.phase != "upgrade":
                continue
            if any(ref.kind == kind and ref.name == name for ref in dropped_by(operation, ids)):
                return None  # dropped (and perhaps re-created) along the way: which definition stands is unclear
            if any(before.kind == "column" for before, _ in renamed_by(operation, ids)):
                return None  # a renamed column: the definition's column names may be stale
            if any(ref.kind == kind and ref.name == name for ref in created_by(operation, ids)):
                creations.append(operation)
    return definition_of(creations[0], ids) if len(creations) == 1 else None


def _all_known(names: tuple[str | None, ...]) -> bool:
    return all(name is not None for name in names)


def _known(names: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(name for name in names if name is not None)
