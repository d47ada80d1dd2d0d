"""What the static analysis expects of each revision on one dialect: the replay's schema after it, the indexes and
unique constraints its operations create or drop, and the operation behind each object (provenance).

The replay (``schema.py``) is computed for the dialect of the database being verified, so code in branches for
other dialects is left out exactly as a linter run with ``--target-dialects`` would. The replay does not track
indexes or unique constraints; their expectations come from the revision's own operations (``effects.py``): each
*named* index or unique constraint a revision creates must exist after it, with the columns written, and each one
it drops must be gone. Unnamed ones and indexes made by ``sa.Column(index=True)`` are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..effects import ObjectRef, created_by, dropped_by
from ..facts.environment import EnvironmentFactsCache
from ..history import Environment, HistoryCache
from ..parse.module import Migration
from ..parse.records import Operation
from ..schema import Replay, TableState

_UNSURE_FRAMES = ("loop", "try", "suppress", "guard")
"""An operation inside these may not run (or run several times): what it creates is not an expectation."""


@dataclass(frozen=True)
class ExpectedIndex:
    """A named index or unique constraint a revision creates (``exists``) or drops."""

    table: str
    name: str
    columns: tuple[str, ...] | None
    """None when not all column names are literal (or the index is made by SQL)."""
    unique: bool
    constraint: bool
    exists: bool


@dataclass(frozen=True)
class Expectation:
    """The schema the replay expects after one revision."""

    tables: Mapping[str, TableState]
    open_world: bool
    """Something the replay could not follow could have made any table: extra live tables are no divergence."""
    indexes: tuple[ExpectedIndex, ...]


class StaticHistory:
    """One environment as the linter reads it: its revision graph, summaries and replay on one dialect."""

    def __init__(self, environment: Environment, dialect: str) -> None:
        self.environment = environment
        self.dialect = dialect
        facts = EnvironmentFactsCache()
        self.migrations: dict[str, Migration] = {}
        self.paths: dict[str, str] = {}
        for info in environment.migrations:
            if info.revision is None:
                continue
            self.paths[info.revision] = info.path
            summary = facts.summary(info.path)
            if summary is not None:
                self.migrations[info.revision] = summary
        self.replay: Replay = facts.for_environment(environment).replay(frozenset({dialect}))

    @classmethod
    def of_folder(cls, folder: Path, dialect: str) -> StaticHistory | None:
        """The environment holding the version files of ``folder`` (None when it holds none)."""
        history = HistoryCache()
        for path in sorted(folder.rglob("*.py")):
            environment = history.environment_for(str(path))
            if environment is not None and environment.migrations:
                return cls(environment, dialect)
        return None

    @property
    def complete(self) -> bool:
        return self.replay.complete

    def parents(self, revision: str) -> list[str]:
        """down_revision and depends_on, resolved (what must be applied before ``revision``)."""
        known = self.environment.by_revision
        return sorted({parent for parent in self.environment.parents(revision) if parent in known})

    def after(self, revision: str) -> Expectation:
        snapshot = self.replay.after.get(revision)
        if snapshot is None:
            return Expectation({}, True, ())
        tables = {name: state for (engine, name), state in snapshot.tables().items() if engine == ""}
        migration = self.migrations.get(revision)
        indexes = expected_indexes(migration, self.dialect) if migration is not None else ()
        return Expectation(tables, snapshot.open_world, indexes)


def upgrade_operations(migration: Migration, dialect: str) -> list[Operation]:
    """The operations ``upgrade()`` runs on ``dialect`` (the default engine of a multidb history only)."""
    return [op for op in migration.operations if op.phase == "upgrade" and not op.engine and dialect in op.dialects]


def expected_indexes(migration: Migration, dialect: str) -> tuple[ExpectedIndex, ...]:
    """The named indexes and unique constraints the revision's upgrade creates or drops, last word first."""
    by_name: dict[str, ExpectedIndex] = {}
    for operation in upgrade_operations(migration, dialect):
        unsure = may_not_run(operation)  # what it touches is no longer known either way
        for ref in created_by(operation):
            made = _made(operation, ref)
            if made is not None:
                by_name.pop(made.name, None)
                by_name.update({} if unsure else {made.name: made})
        for ref in dropped_by(operation):
            if ref.kind == "table" and ref.name:
                by_name = {name: index for name, index in by_name.items() if index.table != ref.name}
            elif ref.kind in ("index", "constraint") and ref.name:
                # SQL's DROP INDEX names no table: the one this revision made it on, if it did.
                earlier = by_name.pop(ref.name, None)
                table = ref.table or (earlier.table if earlier is not None else None)
                if table and not unsure:
                    by_name[ref.name] = ExpectedIndex(table, ref.name, None, False, ref.kind == "constraint", False)
    return tuple(by_name[name] for name in sorted(by_name))


def may_not_run(operation: Operation) -> bool:
    """Under an existence guard (``if not has_table``, an early return), in a loop or a ``try``: whether it ran,
    and what it made, depends on the database."""
    return operation.guarded or any(operation.inside(kind) for kind in _UNSURE_FRAMES)


def _made(operation: Operation, ref: ObjectRef) -> ExpectedIndex | None:
    if not ref.name or not ref.table:
        return None
    columns = ref.columns if ref.columns and all(ref.columns) else None
    known = tuple(column for column in columns or () if column is not None) or None
    if ref.kind == "index":
        literal = operation.name == "create_index"
        return ExpectedIndex(ref.table, ref.name, known if literal else None, operation.flag("unique"), False, True)
    if ref.kind == "constraint" and operation.name == "create_unique_constraint" and not operation.unnamed:
        return ExpectedIndex(ref.table, ref.name, known, True, True, True)
    return None
