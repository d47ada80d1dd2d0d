"""ALM036 downgrade-recreates-differently: downgrade() re-creates what upgrade() dropped differently, or not at all.

The inverse of ALM009. What an object was before the upgrade dropped it comes from the replay
(``context.schema_before``: tables, their columns' types and foreign keys) and, for indexes and named constraints,
which the replay does not keep, from the one ancestor operation that created them (``_ancestor_objects``). Silent
wherever that is not certain: an uncertain table, an open world, a drop the upgrade guards or runs on some
dialects only, an object the upgrade itself made or changed first, an opaque, empty or raising downgrade.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Final

from ...effects import ObjectRef, created_by, dropped_by, renamed_by
from ...names import Identifiers
from ...parse.records import ColumnSpec, Operation
from ...phase import PhaseEffects
from ...schema import TableState
from ...types import TypeRef
from ..base import Report, Rule, RuleContext, Tier
from ._ancestor_objects import DEFINING_OPS, Definition, ancestor_definition, definition_of

ForeignKey = tuple[tuple[str, ...], str, tuple[str, ...]]

_SAME_STORAGE: Final = frozenset(
    {
        frozenset({"boolean", "integer"}),  # MySQL's BOOLEAN is TINYINT(1): autogenerate writes it back so
        frozenset({"uuid", "string"}),  # Uuid is CHAR(32) outside PostgreSQL
        frozenset({"uuid", "binary"}),
        frozenset({"json", "string"}),  # MariaDB's JSON is LONGTEXT
        frozenset({"enum", "string"}),  # a non-native enum is a VARCHAR
        frozenset({"numeric", "float"}),
        frozenset({"date", "datetime"}),  # Oracle's DATE holds a time
    }
)
"""Families a database may store alike, so that a downgrade written from a reflected schema differs in name only."""


@dataclass
class _Restorations:
    """What downgrade() creates: tables and their columns, added columns, named indexes and constraints."""

    tables: dict[str, Operation] = field(default_factory=dict)
    columns: dict[tuple[str, str], ColumnSpec] = field(default_factory=dict)
    named: dict[tuple[str, str], list[Operation]] = field(default_factory=dict)
    definitions: list[Definition] = field(default_factory=list)
    foreign_keys: dict[str, set[ForeignKey]] = field(default_factory=dict)
    by_sql: set[tuple[str, str | None, str | None]] = field(default_factory=set)
    """(kind, table, name) created by readable SQL or brought back by a rename (a rebuild's last step):
    re-created, but not comparable."""

    @classmethod
    def of(cls, operations: Iterable[Operation], ids: Identifiers) -> _Restorations:
        found = cls()
        for operation in operations:
            table = ids.python(operation.table)
            for before, new_name in renamed_by(operation, ids):
                owner = before.table if before.kind == "column" else None
                found.by_sql.add((before.kind, owner, new_name))
            if operation.sql_text is not None:
                found.by_sql.update((ref.kind, ref.table, ref.name) for ref in created_by(operation, ids))
                continue
            if table is None:
                continue
            if operation.name == "create_table":
                found.tables.setdefault(table, operation)
            if operation.name in ("create_table", "add_column"):
                for column in operation.columns:
                    if column.name:
                        found.columns.setdefault((table, ids.python(column.name, "column") or ""), column)
                found.foreign_keys.setdefault(table, set()).update(_keys(operation, ids))
            if operation.name == "create_foreign_key":
                found.foreign_keys.setdefault(table, set()).update(_keys(operation, ids))
            if operation.name in DEFINING_OPS:
                for ref in created_by(operation, ids):
                    if ref.name is not None:
                        found.named.setdefault((ref.kind, ref.name), []).append(operation)
                definition = definition_of(operation, ids)
                if definition is not None:
                    found.definitions.append(definition)
        return found

    def recreated_by_sql(self, ref: ObjectRef) -> bool:
        return any(
            kind == ref.kind and name == ref.name and (ref.kind != "column" or table == ref.table)
            for kind, table, name in self.by_sql
        )


def check_downgrade_recreates_differently(context: RuleContext, report: Report) -> None:
    migration = context.migration
    schema = context.schema_before
    if "downgrade" in migration.opaque_phases or schema is None:
        return
    downgrades = {function.engine: function for function in migration.functions_of("downgrade")}
    raising = {raised.function for raised in migration.raises}
    operations = context.operations()
    ids = schema.identifiers  # names compared as the replay compares them
    for upgrade in migration.functions_of("upgrade"):
        downgrade = downgrades.get(upgrade.engine)
        if downgrade is None or downgrade.does_nothing or downgrade.name in raising:
            continue
        ups = [op for op in operations if op.phase == "upgrade" and op.engine == upgrade.engine]
        downs = [op for op in operations if op.phase == "downgrade" and op.engine == upgrade.engine]
        restored = _Restorations.of(downs, ids)
        judge = _Judge(context, upgrade.engine, restored, f"{upgrade.name}()", f"{downgrade.name}()", ids)
        net = PhaseEffects(ups, ids)
        for index, operation in enumerate(ups):
            if operation.guarded or not context.replay_targets <= operation.dialects:
                continue  # a conditional drop, or one that runs on some dialects only: what it leaves is unsure
            if net.returns_later(operation):
                continue  # a rebuild's drop: the upgrade makes the name again, so there is nothing to re-create
            for ref in dropped_by(operation, ids):
                if ref.name is None or _touched_before(ref, ups[:index], ids):
                    continue
                message = judge.finding(ref, schema.certain_table((upgrade.engine, ref.table or ref.name)))
                if message is not None:
                    report(operation, message)


@dataclass(frozen=True)
class _Judge:
    context: RuleContext
    engine: str
    restored: _Restorations
    upgrade: str
    downgrade: str
    ids: Identifiers

    def finding(self, ref: ObjectRef, table: TableState | None) -> str | None:
        if ref.kind == "table" and table is not None:
            return self._table(ref.name or "", table)
        if ref.kind == "column" and table is not None and ref.table is not None:
            return self._column(ref.table, ref.name or "", table)
        if ref.kind in ("index", "constraint") and ref.name is not None:
            return self._named(ref)
        return None

    def _table(self, name: str, before: TableState) -> str | None:
        recreation = self.restored.tables.get(name)
        if recreation is None:
            if self.restored.recreated_by_sql(ObjectRef("table", name)):
                return None
            return self._missing(f'table "{name}"')
        for column in recreation.columns:
            state = before.columns.get(self.ids.python(column.name, "column") or "")
            if state is not None and _differs(state.type, column.type):
                return self._different(f'table "{name}"', _type_change(column.name, state.type, column.type))
        if before.keys_uncertain:
            return None
        return self._keys_differ(f'table "{name}"', name, before.foreign_keys)

    def _column(self, table: str, name: str, before: TableState) -> str | None:
        state = before.columns.get(name)
        if state is None:
            return None
        what = f'column "{table}.{name}"'
        recreation = self.restored.columns.get((table, name))
        if recreation is None:
            if self.restored.recreated_by_sql(ObjectRef("column", name, table)):
                return None
            return self._missing(what)
        if _differs(state.type, recreation.type):
            return self._different(what, _type_change(name, state.type, recreation.type))
        own_keys = frozenset(key for key in before.foreign_keys if name in key[0])
        return None if before.keys_uncertain else self._keys_differ(what, table, own_keys)

    def _named(self, ref: ObjectRef) -> str | None:
        before = ancestor_definition(self.context, ref.kind, ref.name or "", self.ids)
        if before is None:
            return None
        what = f'{ref.kind} "{ref.name}" {before.describe()} on "{before.table}"'
        recreations = self.restored.named.get((ref.kind, ref.name or ""), [])
        if not recreations:
            if any(before.same_shape(now) for now in self.restored.definitions) or self.restored.recreated_by_sql(ref):
                return None  # re-created under another name, or by SQL
            if before.table in self.restored.tables:
                return None  # its table is re-created: the index or constraint may be declared inline
            return self._missing(what)
        now = [definition_of(operation, self.ids) for operation in recreations]
        known = [definition for definition in now if definition is not None]
        if len(known) < len(now) or any(before.same_shape(definition) for definition in known):
            return None
        return self._different(what, f"as {known[0].describe()}")

    def _keys_differ(self, what: str, table: str, keys: frozenset[ForeignKey]) -> str | None:
        restored = self.restored.foreign_keys.get(table, set())
        for local, ref_table, ref_columns in sorted(keys):
            now = [key for key in restored if key[0] == local]
            if now and (local, ref_table, ref_columns) not in now:
                other = now[0]
                return self._different(
                    what,
                    f"with its foreign key ({', '.join(local)}) pointing to {other[1]}({', '.join(other[2])}) "
                    f"instead of {ref_table}({', '.join(ref_columns)})",
                )
        return None

    def _missing(self, what: str) -> str | None:
        if self.context.downgrades != "required":
            return None  # a forward-only history: downgrades are not expected to restore anything
        return (
            f"{self.upgrade} drops {what} but {self.downgrade} never re-creates it: after a downgrade the previous "
            "revision's schema (and the code that runs against it) lacks it; re-create it as it was"
        )

    def _different(self, what: str, how: str) -> str:
        return (
            f"{self.upgrade} drops {what} and {self.downgrade} re-creates it {how}: a downgrade does not give back "
            "the schema the previous revision had; re-create it as it was"
        )


_COLUMN_CHANGES: Final = frozenset({"create_table", "drop_table", "add_column", "drop_column", "alter_column"})


def _touched_before(ref: ObjectRef, earlier: list[Operation], ids: Identifiers) -> bool:
    """Whether upgrade() made, dropped or renamed the object, or changed its table's columns, before dropping it:
    then what it drops is not what the replay knew before the revision. Drops of other indexes or constraints of
    the same table do not count."""
    owner = ref.name if ref.kind == "table" else ref.table
    for operation in earlier:
        table = ids.python(operation.table)
        if table == owner and (ref.kind == "table" or operation.name in _COLUMN_CHANGES):
            return True
        refs = (*created_by(operation, ids), *dropped_by(operation, ids))
        if any(made.kind == ref.kind and made.name == ref.name for made in refs):
            return True
        if any(before.name in (ref.name, owner) or new == ref.name for before, new in renamed_by(operation, ids)):
            return True
    return False


def _keys(operation: Operation, ids: Identifiers) -> set[ForeignKey]:
    found: set[ForeignKey] = set()
    specs = [key for column in operation.columns for key in column.foreign_keys] + list(operation.foreign_keys)
    for key in specs:
        local = tuple(ids.python(name, "column") or "" for name in key.columns)
        remote = tuple(ids.python(name, "column") or "" for name in key.ref_columns)
        ref_table = ids.python(key.ref_table)
        if ref_table and all(local) and all(remote):
            found.add((local, ref_table, remote))
    return found


def _differs(before: TypeRef, now: TypeRef) -> bool:
    """A type change a database keeps: another family (not one stored alike), or another known string length or
    integer width."""
    if "unknown" in (before.family, now.family):
        return False
    if before.family != now.family:
        return frozenset({before.family, now.family}) not in _SAME_STORAGE
    if before.family in ("string", "integer") and before.length is not None and now.length is not None:
        return before.length != now.length or before.unsigned != now.unsigned
    return False


def _type_change(column: str | None, before: TypeRef, now: TypeRef) -> str:
    return f'with column "{column}" as {now.describe()} instead of {before.describe()}'


RULE = Rule(
    code="ALM036",
    name="downgrade-recreates-differently",
    summary="downgrade() re-creates what upgrade() dropped differently, or not at all",
    check=check_downgrade_recreates_differently,
    tier=Tier.PREVIEW,
    since="0.2.0",
)
