"""A static replay of an environment's upgrades: the schema before any revision.

One topological pass over the revision graph. Each revision's schema is a copy-on-write snapshot of its parent's
(a chain of small change sets, flattened every few levels), so a history of thousands of revisions costs time in
proportion to what its revisions change. Whatever the replay cannot follow marks what it touches *uncertain*
(rules stay silent there) or, when it could touch anything, opens the world: "never created" stops being evidence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final, TypeVar

from .history import Environment
from .names import FOLDED, Identifiers
from .parse.module import Migration
from .parse.records import ColumnSpec, Operation
from .sql import AlterAction, SqlStatement
from .types import TypeRef, sql_type_ref

FLATTEN_EVERY: Final = 32
UNKNOWN_TYPE: Final = TypeRef("unknown")
T = TypeVar("T")


@dataclass(frozen=True)
class ColumnState:
    type: TypeRef
    nullable: bool | None = None
    default: bool | None = None
    """Has a server default; None when not known (SQL the replay reads loosely)."""
    primary_key: bool = False

    @classmethod
    def of(cls, column: ColumnSpec) -> ColumnState:
        """The state an ``sa.Column(...)`` as written gives a column."""
        return cls(column.type, column.nullable, column.server_default, column.primary_key)


@dataclass(frozen=True)
class TableState:
    """A table as the replay knows it. ``uncertain``: something it could not follow touched the table."""

    name: str
    columns: Mapping[str, ColumnState]
    created_by: str
    uncertain: bool = False
    foreign_keys: frozenset[tuple[tuple[str, ...], str, tuple[str, ...]]] = frozenset()
    """(local columns, referenced table, referenced columns), names normalised."""
    keys_uncertain: bool = False
    """A constraint was dropped by name: which foreign keys remain is not known statically."""


@dataclass(frozen=True)
class Drop:
    revision: str
    renamed_to: str | None = None


class Snapshot:
    """The schema at one point of the history (engine, table) → state, sharing unchanged parts with its parent."""

    __slots__ = ("_changes", "_dropped", "_parent", "depth", "identifiers", "open_world")
    open_world: bool
    depth: int
    identifiers: Identifiers
    """How the replay compares names: look a table up by ``key()``, a column by ``identifiers.python(name,
    "column")``."""

    def __init__(
        self, parent: Snapshot | None = None, open_world: bool = False, identifiers: Identifiers | None = None
    ) -> None:
        self._parent = parent
        self._changes: dict[tuple[str, str], TableState | None] = {}
        self._dropped: dict[tuple[str, str], Drop] = {}
        self.open_world = open_world or (parent.open_world if parent else False)
        self.identifiers = identifiers or (parent.identifiers if parent else FOLDED)
        self.depth = parent.depth + 1 if parent else 0
        if parent is not None and self.depth % FLATTEN_EVERY == 0:
            self._changes = dict(parent.items_raw())
            self._dropped = dict(parent.dropped_raw())
            self._parent = None

    def items_raw(self) -> dict[tuple[str, str], TableState | None]:
        merged = self._parent.items_raw() if self._parent else {}
        merged.update(self._changes)
        return merged

    def dropped_raw(self) -> dict[tuple[str, str], Drop]:
        merged = self._parent.dropped_raw() if self._parent else {}
        merged.update(self._dropped)
        return merged

    def key(self, engine: str, name: str | None, in_sql: bool = False) -> tuple[str, str] | None:
        """The key of a table named in Python (an operation's argument) or, ``in_sql``, in SQL text."""
        found = self.identifiers.sql(name) if in_sql else self.identifiers.python(name)
        return (engine, found) if found else None

    def column(self, state: TableState, name: str | None, in_sql: bool = False) -> ColumnState | None:
        """A column of a table of this snapshot, by the name an operation (or, ``in_sql``, SQL text) gives it."""
        found = self.identifiers.sql(name, "column") if in_sql else self.identifiers.python(name, "column")
        return state.columns.get(found) if found else None

    def table(self, key: tuple[str, str]) -> TableState | None:
        node: Snapshot | None = self
        while node is not None:
            if key in node._changes:
                return node._changes[key]
            node = node._parent
        return None

    def certain_table(self, key: tuple[str, str]) -> TableState | None:
        """The table, when the replay is sure of its columns (not touched by anything it could not follow)."""
        state = self.table(key)
        return state if state is not None and not state.uncertain else None

    def dropped(self, key: tuple[str, str]) -> Drop | None:
        node: Snapshot | None = self
        while node is not None:
            if key in node._dropped:
                return node._dropped[key]
            if key in node._changes and node._changes[key] is not None:
                return None  # re-created after an older drop
            node = node._parent
        return None

    def set(self, key: tuple[str, str], state: TableState | None, drop: Drop | None = None) -> None:
        self._changes[key] = state
        if drop is not None:
            self._dropped[key] = drop
        elif key in self._dropped:
            del self._dropped[key]

    def tables(self) -> dict[tuple[str, str], TableState]:
        return {key: state for key, state in self.items_raw().items() if state is not None}


@dataclass
class Replay:
    """The schema before each revision of one environment, and which revisions create which tables."""

    before: dict[str, Snapshot] = field(default_factory=dict)
    after: dict[str, Snapshot] = field(default_factory=dict)
    creators: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    complete: bool = True
    """False when the graph could not be ordered (cycle, unreadable or duplicate ids)."""
    identifiers: Identifiers = FOLDED
    """How names are compared on the dialects replayed."""


def replay(
    environment: Environment,
    migrations: Mapping[str, Migration | None],
    targets: frozenset[str],
    memo: ReplayMemo | None = None,
) -> Replay:
    """Replay every revision's upgrade in topological order (parents and dependencies first). ``memo``: the
    revisions replayed by earlier runs of a resident server, reused where their inputs are the same objects."""
    identifiers = Identifiers.on(targets)
    result = Replay(identifiers=identifiers)
    if (
        not environment.readable
        or environment.cycles()
        or any(len(infos) > 1 for infos in environment.by_revision.values())
    ):
        result.complete = False
        return result
    replayer = _Replayer(identifiers, targets, result)
    for revision in _topological(environment):
        parents = tuple(result.after[parent] for parent in environment.parents(revision) if parent in result.after)
        migration = migrations.get(revision)
        is_base = not environment.parents(revision, False)
        key = (targets, revision, id(migration))
        step = memo.steps.get(key) if memo is not None else None
        if step is None or not step.follows(migration, parents, is_base):
            step = _step(replayer, revision, migration, parents, is_base)
            if memo is not None:
                memo.steps[key] = step
                memo.computed += 1
        else:
            for created in step.created:
                result.creators.setdefault(created, set()).add(revision)
        result.before[revision], result.after[revision] = step.before, step.after
    return result


@dataclass(frozen=True)
class ReplayStep:
    """One revision's replay: the schema before and after it, and the tables it created. Its inputs are the
    revision's summary, its parents' schemas after them and whether it is a base; a resident server reuses a step
    whose inputs are the very same objects (a summary is one object per file content while the server keeps it,
    so the identity of the chain of parents' schemas stands for the chain of migrations' contents)."""

    migration: Migration | None
    parents: tuple[Snapshot, ...]
    is_base: bool
    before: Snapshot
    after: Snapshot
    created: tuple[tuple[str, str], ...]

    def follows(self, migration: Migration | None, parents: tuple[Snapshot, ...], is_base: bool) -> bool:
        return (
            self.migration is migration
            and self.is_base == is_base
            and len(self.parents) == len(parents)
            and all(mine is theirs for mine, theirs in zip(self.parents, parents))
        )


@dataclass
class ReplayMemo:
    """The steps a resident server keeps: (target dialects, revision, identity of its summary) → the step."""

    steps: dict[tuple[frozenset[str], str, int], ReplayStep] = field(default_factory=dict)
    computed: int = 0
    """Steps replayed (not reused) since the memo was made."""


def _step(
    replayer: _Replayer, revision: str, migration: Migration | None, parents: tuple[Snapshot, ...], is_base: bool
) -> ReplayStep:
    if parents:
        before = _merge(list(parents))
    else:
        opened = not _builds_its_own_tables(migration, replayer.ids)
        before = Snapshot(open_world=opened, identifiers=replayer.ids)
    after = Snapshot(before)
    replayer.created = []
    replayer.revision(revision, migration, after, is_base=is_base)
    return ReplayStep(migration, parents, is_base, before, after, tuple(replayer.created))


def replay_revision(
    before: Snapshot, operations: Sequence[Operation], targets: frozenset[str]
) -> Iterator[tuple[Operation, Snapshot]]:
    """Each of one revision's upgrade operations with the schema just before it: the replay carried on through the
    revision's own statements, for a rule that judges a statement by what the statements before it did."""
    snapshot = Snapshot(before)
    replayer = _Replayer(before.identifiers, targets, Replay(identifiers=before.identifiers))
    for operation in operations:
        yield operation, snapshot
        if operation.phase == "upgrade":
            replayer.operation("", operation, snapshot)


def _topological(environment: Environment) -> list[str]:
    children: dict[str, list[str]] = {}
    pending: dict[str, int] = {}
    for revision in environment.by_revision:
        parents = [p for p in set(environment.parents(revision)) if p in environment.by_revision]
        pending[revision] = len(parents)
        for parent in parents:
            children.setdefault(parent, []).append(revision)
    ready = sorted(revision for revision, count in pending.items() if count == 0)
    ordered: list[str] = []
    while ready:
        revision = ready.pop()
        ordered.append(revision)
        for child in children.get(revision, ()):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    return ordered


def _merge(parents: list[Snapshot]) -> Snapshot:
    if not parents:
        return Snapshot()
    if len(parents) == 1:
        return parents[0]
    merged = Snapshot(open_world=any(parent.open_world for parent in parents), identifiers=parents[0].identifiers)
    states: dict[tuple[str, str], list[TableState | None]] = {}
    for parent in parents:
        for key, state in parent.items_raw().items():
            states.setdefault(key, []).append(state)
        for key, drop in parent.dropped_raw().items():
            merged._dropped.setdefault(key, drop)
    for key, seen in states.items():
        present = [state for state in seen if state is not None]
        if not present:
            merged.set(key, None, merged._dropped.get(key))
        elif all(state == present[0] for state in present) and len(present) == len(seen):
            merged.set(key, present[0])  # the same on every branch that knows it (made on one branch: fine)
        else:  # the branches disagree about the table: keep it, but say nothing about it
            merged.set(key, replace(present[0], uncertain=True))
    return merged


_TABLE_OPS: Final = frozenset(
    {
        "create_table",
        "drop_table",
        "rename_table",
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
        "batch_alter_table",
    }
)
_EXECUTES: Final = frozenset({"execute", "exec_driver_sql"})


def _builds_its_own_tables(migration: Migration | None, ids: Identifiers) -> bool:
    """A base revision closes the world only if it creates tables and touches no table it did not create."""
    if migration is None:
        return False
    created: set[str | None] = set()
    for operation in migration.operations:
        if operation.phase != "upgrade":
            continue
        if _creates_table(operation):
            created.add(ids.python(operation.table))
            created.update(
                ids.sql(name)
                for statement in operation.statements("CREATE")
                if statement.verb == "CREATE" and statement.object_kind == "TABLE"
                for name in statement.names
            )
        elif operation.name in _TABLE_OPS and ids.python(operation.table) not in created:
            return False
    return bool(created)


def _creates_table(operation: Operation) -> bool:
    return operation.name == "create_table" or any(
        statement.verb == "CREATE" and statement.object_kind == "TABLE" for statement in operation.statements("CREATE")
    )


class _Replayer:
    """Applies a revision's operations to a snapshot, comparing names as ``identifiers`` does, on ``targets``."""

    def __init__(self, identifiers: Identifiers, targets: frozenset[str], result: Replay) -> None:
        self.ids = identifiers
        self.targets = targets
        self.result = result
        self.created: list[tuple[str, str]] = []
        """The tables the revision being replayed creates (what a reused step adds to ``result.creators``)."""

    def _created(self, key: tuple[str, str], revision: str) -> None:
        self.result.creators.setdefault(key, set()).add(revision)
        self.created.append(key)

    def revision(self, revision: str, migration: Migration | None, snapshot: Snapshot, is_base: bool) -> None:
        if migration is None:
            snapshot.open_world = True
            return
        operations = [op for op in migration.operations if op.phase == "upgrade"]
        if "upgrade" in migration.opaque_phases:
            snapshot.open_world = True
        if is_base and not any(_creates_table(op) for op in operations):
            snapshot.open_world = True  # adopted on an existing schema, or stamped: "never created" is no evidence
        for operation in operations:
            self.operation(revision, operation, snapshot)

    def operation(self, revision: str, operation: Operation, snapshot: Snapshot) -> None:
        if not operation.dialects & self.targets:
            return
        partial = not self.targets <= operation.dialects  # runs on some target dialects only: an alternative
        name = operation.name
        if name in _EXECUTES:
            if operation.sql_text is None:
                if not operation.core_dml:
                    snapshot.open_world = True
                return
            for statement in operation.statements("CREATE", "DROP", "ALTER", "RENAME"):
                self.statement(revision, operation, statement, snapshot, partial)
            return
        if name not in _TABLE_OPS:
            return
        key = self._key(operation.engine, operation.table)
        if key is None:
            snapshot.open_world = True  # a table named by an expression: could be any table
            return
        state = snapshot.table(key)
        if partial:
            if name == "create_table":
                self._created(key, revision)
                snapshot.set(key, TableState(key[1], self._columns(operation), revision, uncertain=True))
            elif state is not None:
                snapshot.set(key, replace(state, uncertain=True))
            return
        if name == "create_table":
            self._created(key, revision)
            uncertain = operation.guarded or not operation.columns_known
            columns, keys = self._columns(operation), self._foreign_keys(operation)
            snapshot.set(key, TableState(key[1], columns, revision, uncertain, keys))
        elif name == "drop_table":
            snapshot.set(key, None, Drop(revision))
        elif name == "rename_table":
            new_key = self._key(operation.engine, operation.new_name)
            if new_key is None:
                snapshot.open_world = True
                return
            snapshot.set(key, None, Drop(revision, renamed_to=new_key[1]))
            if state is not None:
                snapshot.set(new_key, replace(state, name=new_key[1]))
                self._created(new_key, revision)
        elif state is not None:
            snapshot.set(key, self._changed_table(state, operation))

    def _key(self, engine: str, table: str | None) -> tuple[str, str] | None:
        name = self.ids.python(table)
        return (engine, name) if name else None

    def _columns(self, operation: Operation) -> dict[str, ColumnState]:
        return {self.ids.python(c.name, "column") or "": ColumnState.of(c) for c in operation.columns if c.name}

    def _foreign_keys(self, operation: Operation) -> frozenset[tuple[tuple[str, ...], str, tuple[str, ...]]]:
        keys = [key for column in operation.columns for key in column.foreign_keys] + list(operation.foreign_keys)
        found = set()
        for key in keys:
            table = self.ids.python(key.ref_table)
            local = tuple(self.ids.python(name, "column") or "" for name in key.columns)
            remote = tuple(self.ids.python(name, "column") or "" for name in key.ref_columns)
            if table and all(local) and all(remote):
                found.add((local, table, remote))
        return frozenset(found)

    def _changed_table(self, state: TableState, operation: Operation) -> TableState:
        columns = dict(state.columns)
        foreign_keys = set(state.foreign_keys) | self._foreign_keys(operation)
        target = self.ids.python(operation.target, "column")
        if operation.name == "add_column":
            columns.update(self._columns(operation))
        elif operation.name == "drop_column" and target:
            columns.pop(target, None)
            foreign_keys = {key for key in foreign_keys if target not in key[0]}
        elif operation.name == "alter_column" and target:
            current = columns.pop(target, None)
            if current is None:
                return replace(state, columns=columns, uncertain=True)
            renamed = self.ids.python(operation.new_name, "column") or target
            columns[renamed] = _altered_column(current, operation)
            foreign_keys = {
                (tuple(renamed if name == target else name for name in key[0]), key[1], key[2]) for key in foreign_keys
            }
        elif operation.name == "drop_constraint":
            return replace(state, columns=columns, foreign_keys=frozenset(foreign_keys), keys_uncertain=True)
        uncertain = operation.guarded and operation.name in ("add_column", "drop_column", "alter_column")
        return replace(
            state, columns=columns, foreign_keys=frozenset(foreign_keys), uncertain=state.uncertain or uncertain
        )

    def statement(
        self, revision: str, operation: Operation, statement: SqlStatement, snapshot: Snapshot, partial: bool
    ) -> None:
        if statement.object_kind != "TABLE" or statement.verb not in ("CREATE", "DROP", "ALTER"):
            return
        names = [self.ids.sql(name) for name in statement.names] or [self.ids.sql(statement.table)]
        if any(name is None for name in names):
            snapshot.open_world = True
            return
        for name in names:
            assert name is not None
            key = (operation.engine, name)
            state = snapshot.table(key)
            if partial:
                if statement.verb == "CREATE":
                    self._created(key, revision)
                if state is not None:
                    snapshot.set(key, replace(state, uncertain=True))
                continue
            if statement.verb == "CREATE":
                columns = {
                    self.ids.sql(column, "column") or "": ColumnState(sql_type_ref(text))
                    for column, text in statement.columns
                }
                self._created(key, revision)
                uncertain = statement.if_not_exists or not statement.columns
                snapshot.set(key, TableState(name, columns, revision, uncertain=uncertain))
            elif statement.verb == "DROP":
                snapshot.set(key, None, Drop(revision))
            elif state is not None:
                altered, renamed_to = self._altered_by_sql(state, statement.actions)
                if renamed_to is None:
                    snapshot.set(key, altered)
                else:
                    snapshot.set(key, None, Drop(revision, renamed_to=renamed_to))
                    snapshot.set((key[0], renamed_to), replace(altered, name=renamed_to))
                    self._created((key[0], renamed_to), revision)

    def _altered_by_sql(self, state: TableState, actions: Iterable[AlterAction]) -> tuple[TableState, str | None]:
        """The table after ALTER TABLE actions, and its new name when one of them renames it."""
        columns = dict(state.columns)
        uncertain = state.uncertain
        renamed_to: str | None = None
        for action in actions:
            kind = action.kind
            column = self.ids.sql(action.column, "column")
            if kind == "ADD COLUMN" and column:
                columns[column] = ColumnState(sql_type_ref(action.type_text or ""))
            elif kind == "DROP COLUMN" and column:
                columns.pop(column, None)
            elif kind == "ALTER COLUMN TYPE" and column:
                previous = columns.get(column)
                columns[column] = ColumnState(
                    sql_type_ref(action.type_text or ""),
                    previous.nullable if previous else None,
                    previous.default if previous else None,
                    previous.primary_key if previous else False,
                )
            elif kind == "RENAME COLUMN" and column and action.new_name:
                moved = columns.pop(column, None)
                columns[self.ids.sql(action.new_name, "column") or column] = moved or ColumnState(UNKNOWN_TYPE)
            elif kind == "RENAME TO" and action.new_name:
                renamed_to = self.ids.sql(action.new_name)
            elif kind not in _KEEPS_COLUMNS_KNOWN:
                uncertain = True
        return replace(state, columns=columns, uncertain=uncertain), renamed_to


_KEEPS_COLUMNS_KNOWN: Final = frozenset(
    {
        "SET NOT NULL",
        "DROP NOT NULL",
        "SET DEFAULT",
        "DROP DEFAULT",
        "ADD CONSTRAINT",
        "DROP CONSTRAINT",
        "VALIDATE CONSTRAINT",
    }
)


def _altered_column(current: ColumnState, operation: Operation) -> ColumnState:
    """A column after ``alter_column``: what the arguments set, and what MySQL's rewrite may lose."""
    given = operation.kwargs
    nullable = given.get("nullable")
    default = current.default
    if "server_default" in given:
        default = default if given["server_default"] is False else given["server_default"] is not None
    kept_nullable = current.nullable
    if ("type_" in given or "new_column_name" in given) and "existing_nullable" not in given:
        # MySQL's MODIFY/CHANGE rewrites the column from the arguments: what it keeps depends on the dialect.
        kept_nullable = None
        if "existing_server_default" not in given and "server_default" not in given:
            default = None
    return ColumnState(
        operation.type_ if operation.type_ is not None else current.type,
        nullable if isinstance(nullable, bool) else kept_nullable,
        default,
        current.primary_key,
    )
