"""ALM009 downgrade-misses-upgrade: an object `upgrade()` creates that `downgrade()` leaves behind."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from ...effects import ObjectRef, created_by, dropped_by, renamed_by
from ...names import Identifiers
from ...parse.records import Operation
from ...phase import PhaseEffects
from ..base import Report, Rule, RuleContext, Tier


def check_downgrade_misses_upgrade(context: RuleContext, report: Report) -> None:
    migration = context.migration
    if "downgrade" in migration.opaque_phases:
        return
    ids = Identifiers.on(context.target_dialects)
    downgrades = {function.engine: function for function in migration.functions_of("downgrade")}
    raising = {raised.function for raised in migration.raises}
    operations = list(context.operations())
    for upgrade in migration.functions_of("upgrade"):
        downgrade = downgrades.get(upgrade.engine)
        if downgrade is None or downgrade.does_nothing or downgrade.name in raising:
            continue
        ups = [op for op in operations if op.phase == "upgrade" and op.engine == upgrade.engine]
        downs = [op for op in operations if op.phase == "downgrade" and op.engine == upgrade.engine]
        left = _left_behind(ups, _Undone.of(downs, ids), ids)
        for operation, ref in left:
            what = f'{ref.kind} "{ref.name}"' + (f' on "{ref.table}"' if ref.table else "")
            report(operation, f"{upgrade.name}() creates {what} but {downgrade.name}() neither drops it nor its table")


def _left_behind(ups: list[Operation], undone: _Undone, ids: Identifiers) -> Iterator[tuple[Operation, ObjectRef]]:
    """The objects upgrade() creates (each with its operation) that downgrade() leaves: not dropped there, not
    dropped again by upgrade() itself, not the copy of a rebuild (the rebuilt object only changed)."""
    # Only renames and drops can change what a created object is called at the end of upgrade().
    changers = _Changers(
        [(index, op) for index, op in enumerate(ups) if renamed_by(op, ids) or dropped_by(op, ids)], ids
    )
    rebuilt = PhaseEffects(ups, ids)
    dropped_first: set[tuple[str, str | None]] = set()
    for index, operation in enumerate(ups):
        for ref in dropped_by(operation, ids):
            dropped_first.add((ref.kind, ref.name))
        for ref in created_by(operation, ids):
            if ref.kind not in ("table", "column", "index", "constraint") or ref.name is None:
                continue
            if ref.kind == "constraint" and operation.unnamed:
                continue  # its name is the database's choice (see ALM026): not tracked
            if (ref.kind, ref.name) in dropped_first:
                continue  # re-created after upgrade() dropped it: it existed before this revision
            if ref.kind in ("table", "column") and rebuilt.in_rebuild(operation):
                continue  # the copy of a rebuild: the object it replaces only changed
            later = changers.touching(ref, index)
            if later is None:
                continue  # its names are changed too often to follow: say nothing
            final = _follow(ref, later, ids)
            if final is None or undone.covers(final):
                continue
            if final.kind == "table" and _partition_parent(operation, ref.name, ids) in undone.tables:
                continue  # dropping the partitioned table drops its partitions
            yield operation, ref


_PARTITION_OF = re.compile(r"\bPARTITION\s+OF\s+([\w.\"`]+)", re.IGNORECASE)


def _partition_parent(operation: Operation, table: str, ids: Identifiers) -> str | None:
    """The parent of a table created by ``CREATE TABLE … PARTITION OF parent``; None otherwise."""
    for statement in operation.statements("PARTITION"):
        if statement.verb == "CREATE" and statement.object_kind == "TABLE":
            if table not in (ids.sql(name) for name in statement.names):
                continue
            match = _PARTITION_OF.search(statement.text)
            if match:
                return ids.sql(match.group(1))
    return None


class _Changers:
    """The renames and drops of upgrade(), indexed by the names they touch."""

    LIMIT = 64

    def __init__(self, changers: list[tuple[int, Operation]], ids: Identifiers) -> None:
        self.changers = changers
        self.ids = ids
        self.by_name: dict[str, list[int]] = {}
        for position, (_, operation) in enumerate(changers):
            dropped, renamed = dropped_by(operation, ids), renamed_by(operation, ids)
            names = {ref.name for ref in dropped} | {ref.table for ref in dropped}
            names |= {before.name for before, _ in renamed} | {before.table for before, _ in renamed}
            for name in names - {None}:
                assert name is not None
                self.by_name.setdefault(name, []).append(position)

    def touching(self, ref: ObjectRef, index: int) -> list[Operation] | None:
        """The changes after ``index`` that can touch ``ref`` (following renames); None past LIMIT of them."""
        names = {ref.name, ref.table} - {None}
        chosen: set[int] = set()
        while True:
            found: set[int] = set()
            for name in names:
                positions = self.by_name.get(name or "", ())
                if len(positions) > self.LIMIT:  # before copying them: a busy table has thousands
                    return None
                found.update(positions)
            if len(found) > self.LIMIT:
                return None
            new_names = {
                new_name
                for position in found - chosen
                for _, new_name in renamed_by(self.changers[position][1], self.ids)
            }
            chosen |= found
            if new_names <= names:
                break
            names |= new_names
        return [self.changers[position][1] for position in sorted(chosen) if self.changers[position][0] > index]


def _follow(ref: ObjectRef, later: Iterable[Operation], ids: Identifiers) -> ObjectRef | None:
    """The object's name at the end of upgrade(), following renames; None when upgrade() drops it again."""
    current = ref
    for operation in later:
        for before, new_name in renamed_by(operation, ids):
            if before.kind == "table" and current.kind == "table" and before.name == current.name:
                current = current._replace(name=new_name)
            elif before.kind == "table" and before.name == current.table:
                current = current._replace(table=new_name)
            elif before.kind == current.kind and before.name == current.name and before.table == current.table:
                current = current._replace(name=new_name)
        for dropped in dropped_by(operation, ids):
            owner = current.name if current.kind == "table" else current.table
            if dropped.kind == "table" and dropped.name == owner:
                return None
            if dropped.kind == current.kind and dropped.name == current.name:
                return None
    return current


@dataclass
class _Undone:
    """What downgrade() drops, by the names objects had when downgrade() started (renames followed)."""

    tables: set[str] = field(default_factory=set)
    columns: set[tuple[str | None, str]] = field(default_factory=set)
    names: set[str] = field(default_factory=set)
    """Dropped index and constraint names (either kind: MySQL drops a unique constraint as an index)."""

    @classmethod
    def of(cls, operations: Iterable[Operation], ids: Identifiers) -> _Undone:
        undone = cls()
        table_origin: dict[str, str] = {}
        column_origin: dict[tuple[str | None, str], str] = {}
        for operation in operations:
            for ref in dropped_by(operation, ids):
                if ref.name is None:
                    continue
                table = table_origin.get(ref.table, ref.table) if ref.table else None
                if ref.kind == "table":
                    undone.tables.add(table_origin.get(ref.name, ref.name))
                elif ref.kind == "column":
                    undone.columns.add((table, column_origin.get((table, ref.name), ref.name)))
                else:
                    undone.names.add(ref.name)
            for before, new_name in renamed_by(operation, ids):
                if before.name is None:
                    continue
                if before.kind == "table":
                    table_origin[new_name] = table_origin.get(before.name, before.name)
                else:
                    table = table_origin.get(before.table, before.table) if before.table else None
                    column_origin[(table, new_name)] = column_origin.get((table, before.name), before.name)
        return undone

    def covers(self, ref: ObjectRef) -> bool:
        if ref.table is not None and ref.table in self.tables:
            return True
        if ref.kind == "table":
            return ref.name in self.tables
        if ref.kind == "column":
            return (ref.table, ref.name or "") in self.columns
        if ref.name in self.names:
            return True
        return any((ref.table, column) in self.columns for column in ref.columns if column)


RULE = Rule(
    code="ALM009",
    name="downgrade-misses-upgrade",
    summary="an object `upgrade()` creates that `downgrade()` leaves behind",
    check=check_downgrade_misses_upgrade,
    tier=Tier.PREVIEW,
    since="0.1.0",
)
