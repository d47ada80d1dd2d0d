"""What a whole Alembic environment shows, computed once per environment and process: its migrations' summaries,
the static replays of its schema (one per set of target dialects), how many of its migrations write a downgrade,
the enum types its migrations create, and how its base revisions say the schema is born.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..cache import SummaryStore
from ..effects import enum_types_made
from ..history import Environment
from ..parse.module import Migration
from ..schema import Replay, ReplayMemo, replay
from .birth import environment_birth
from .dialects import migration_clue, postgresql_rejects, unrunnable_clue
from .records import DialectClue, SchemaBirth

FORWARD_ONLY_MIN_HISTORY = 5
"""Fewer migrations than this say nothing about a project's downgrade policy."""


class EnvironmentFacts:
    """The facts of one environment (the file being linted may replace its on-disk version: then the environment
    object, and so its facts, are its own)."""

    def __init__(self, environment: Environment, store: EnvironmentFactsCache) -> None:
        self.environment = environment
        self._store = store
        self._replays: dict[frozenset[str], Replay] = {}

    @cached_property
    def migrations(self) -> tuple[Migration, ...]:
        """The summaries of every migration of the environment (each file parsed once per process)."""
        summaries = (self._store.summary(info.path) for info in self.environment.migrations)
        return tuple(summary for summary in summaries if summary is not None)

    def replay(self, dialects: frozenset[str]) -> Replay:
        """The schema before each revision as it is on ``dialects``: code in branches for other dialects is left
        out."""
        if dialects not in self._replays:
            self._store.replays_run += 1
            migrations = {
                info.revision: self._store.summary(info.path) for info in self.environment.migrations if info.revision
            }
            self._replays[dialects] = replay(self.environment, migrations, dialects, self._store.replay_steps)
        return self._replays[dialects]

    @cached_property
    def dialect_clue(self) -> DialectClue | None:
        """The dialects the environment's migrations branch on or import types from: where their authors meant
        them to run."""
        return migration_clue((migration.path, migration.dialect_hints) for migration in self.migrations)

    @cached_property
    def unrunnable_clue(self) -> DialectClue | None:
        """SQL one of the migrations runs on PostgreSQL that PostgreSQL rejects (MySQL's ``UPDATE … JOIN``…),
        unguarded and outside any try: the history cannot be run past it on PostgreSQL, nor on any other database
        the statement runs on that rejects it."""
        return unrunnable_clue(
            (migration.path, operation.line, rejected[0], operation.dialects - rejected[1])
            for migration in self.migrations
            for operation in migration.operations
            if operation.phase == "upgrade"
            and operation.sql_text is not None
            and not operation.guarded
            and not any(frame.kind in ("try", "suppress", "guard", "handler") for frame in operation.stack)
            for rejected in [postgresql_rejects(operation.sql_text)]
            if rejected is not None and "postgresql" in operation.dialects - rejected[1]
        )

    @cached_property
    def downgrade_counts(self) -> tuple[int, int]:
        """(migrations with a downgrade function, migrations)."""
        return sum(1 for migration in self.migrations if migration.functions_of("downgrade")), len(self.migrations)

    @cached_property
    def schema_birth(self) -> SchemaBirth | None:
        """How the base revisions say the schema is born (a cut history, an adopted schema…); None without a
        readable base revision."""
        return environment_birth(self.migrations)

    @cached_property
    def enum_types_made(self) -> frozenset[str | None]:
        """The enum types the environment's migrations create (None in it: one whose name cannot be read)."""
        made: set[str | None] = set()
        for migration in self.migrations:
            made |= enum_types_made(migration)
        return frozenset(made)


@dataclass
class EnvironmentFactsCache:
    """The explicit per-process cache of environment facts. Summaries come from the shared store, so a file the
    standalone command lints is parsed once for both its own rules and its environment's replay."""

    summaries: SummaryStore = field(default_factory=SummaryStore)
    replay_steps: ReplayMemo | None = None
    """Revisions a resident server replayed in earlier runs (None in a process of its own)."""
    replays_run: int = 0
    """How many replays were run (one per environment and target set)."""
    facts: dict[int, EnvironmentFacts] = field(default_factory=dict)
    """Environment identity → its facts (an environment rebuilt for an editor's buffer gets its own)."""

    def for_environment(self, environment: Environment) -> EnvironmentFacts:
        found = self.facts.get(id(environment))
        if found is None or found.environment is not environment:
            found = self.facts[id(environment)] = EnvironmentFacts(environment, self)
        return found

    def summary(self, path: str) -> Migration | None:
        """The summary of the file at ``path`` (parsed once per process); None when it cannot be read."""
        result = self.summaries.from_disk(path)
        return result if isinstance(result, Migration) else None

    def summary_for(self, path: str, text: str) -> Migration | None:
        """The summary of ``path`` when ``text`` is what is on disk (so each file is walked once per process)."""
        migration = self.summary(path)
        if migration is not None and self.summaries.matches_disk(path, text):
            return migration
        return None
