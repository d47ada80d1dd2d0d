"""What every rule is made of: the rule record, its input (``RuleContext``) and its output (``Diagnostic``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable

from .. import dialects
from ..config import Settings
from ..history import Environment, HistoryCache, RevisionInfo, info_from_migration
from ..parse.module import Migration
from ..parse.records import Frame, Operation
from ..schema import Replay, ReplayCache, Snapshot

if TYPE_CHECKING:
    from ..engine import ProjectFacts


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, positioned as ``ast`` positions it (1-based line, 0-based column)."""

    line: int
    col: int
    code: str
    message: str


@dataclass(frozen=True)
class RuleContext:
    """Everything a check may look at: the migration and the settings resolved for its project."""

    migration: Migration
    settings: Settings
    target_dialects: frozenset[str]
    facts: ProjectFacts
    history: HistoryCache | None = None
    """Where the environment comes from; None when whole-history analysis is off."""
    replays: ReplayCache | None = None

    @cached_property
    def revision_info(self) -> RevisionInfo:
        return info_from_migration(self.migration)

    @cached_property
    def environment(self) -> Environment | None:
        """The Alembic environment of this migration (built once per process), or None outside one."""
        if self.history is None:
            return None
        return self.history.environment_for(self.migration.path, self.revision_info)

    @property
    def replay_targets(self) -> frozenset[str]:
        """The dialects the whole environment runs on (per-file hints do not change the shared replay)."""
        return self.settings.target_dialects or self.facts.ini_dialects or dialects.DEFAULT

    @cached_property
    def replay(self) -> Replay | None:
        environment = self.environment
        if environment is None or self.replays is None:
            return None
        return self.replays.replay_for(environment, self.replay_targets)

    @cached_property
    def environment_migrations(self) -> tuple[Migration, ...]:
        """The summaries of every migration of the environment (each parsed once per process); () outside one."""
        environment = self.environment
        if environment is None or self.replays is None:
            return ()
        return self.replays.migrations_of(environment)

    def schema_before_on(self, dialects: frozenset[str]) -> Snapshot | None:
        """The schema before this revision as it is on ``dialects`` (a replay of its own, built once per
        environment): code in branches for other dialects is left out."""
        environment, revision = self.environment, self.migration.revision
        if environment is None or self.replays is None or revision is None:
            return None
        replay = self.replays.replay_for(environment, dialects)
        return replay.before.get(revision) if replay.complete else None

    @cached_property
    def schema_before(self) -> Snapshot | None:
        """The schema before this revision runs, as the replay of its ancestors knows it."""
        replay, revision = self.replay, self.migration.revision
        if replay is None or revision is None or not replay.complete:
            return None
        return replay.before.get(revision)

    @cached_property
    def downgrades(self) -> str:
        """The downgrade policy: configured, else ``forward-only`` for a history that (almost) never writes a
        downgrade() — OpenStack projects — else ``required``."""
        if self.settings.downgrades is not None:
            return self.settings.downgrades
        environment = self.environment
        with_downgrade = total = 0
        if environment is not None and self.replays is not None:
            with_downgrade, total = self.replays.per_environment(environment, "downgrades", self._count_downgrades)
        if total < FORWARD_ONLY_MIN_HISTORY and self.history is not None:
            with_downgrade, total = self.history.versions_tree_downgrades(self.migration.path)
        if total >= FORWARD_ONLY_MIN_HISTORY and with_downgrade * 10 <= total:
            return "forward-only"
        return "required"

    def _count_downgrades(self, environment: Environment) -> tuple[int, int]:
        """(migrations with a downgrade function, migrations) of the environment."""
        assert self.replays is not None
        migrations = self.replays.migrations_of(environment)
        return sum(1 for migration in migrations if migration.functions_of("downgrade")), len(migrations)

    @property
    def alembic_version(self) -> tuple[int, ...] | None:
        return self.settings.target_alembic_version or self.facts.alembic_version

    @property
    def application_names(self) -> frozenset[str]:
        configured = self.settings.application_import_names
        return configured if configured is not None else self.facts.application_names

    @property
    def autocommit(self) -> bool:
        configured = self.settings.autocommit_connections
        return configured if configured is not None else bool(self.facts.autocommit)

    def applies(self, dialects: frozenset[str], rule_dialects: frozenset[str] | None = None) -> bool:
        """Whether code running on ``dialects`` can hit a hazard of a rule holding on ``rule_dialects``."""
        reachable = dialects & self.target_dialects
        return bool(reachable & rule_dialects) if rule_dialects is not None else bool(reachable)

    def reachable(self, dialects: frozenset[str]) -> frozenset[str]:
        """The target dialects code restricted to ``dialects`` actually runs on."""
        return dialects & self.target_dialects

    @cached_property
    def _on_targets(self) -> tuple[Operation, ...]:
        return tuple(op for op in self.migration.operations if op.dialects & self.target_dialects)

    @cached_property
    def catching_frames(self) -> frozenset[Frame]:
        """The try/suppress blocks with a handler that catches a database error (a guard for ALM002/ALM005)."""
        return frozenset(
            block.frame
            for block in self.migration.try_blocks
            if any(handler.catches_db_error for handler in block.handlers)
        )

    @cached_property
    def value_error_frames(self) -> frozenset[Frame]:
        """The try blocks with an ``except ValueError``: batch mode's answer to a missing constraint."""
        return frozenset(
            block.frame for block in self.migration.try_blocks if any(h.catches_value_error for h in block.handlers)
        )

    @cached_property
    def operations_in_frame(self) -> dict[Frame, list[Operation]]:
        """Operations by each construct (try, batch, loop…) that encloses them."""
        index: dict[Frame, list[Operation]] = {}
        for operation in self.migration.operations:
            for frame in operation.stack:
                index.setdefault(frame, []).append(operation)
        return index

    def operations(self, rule_dialects: frozenset[str] | None = None) -> tuple[Operation, ...]:
        """The operations that run on a target dialect (and on one of the rule's dialects)."""
        if rule_dialects is None:
            return self._on_targets
        return tuple(op for op in self._on_targets if op.dialects & self.target_dialects & rule_dialects)


Check = Callable[[RuleContext], Iterator[Diagnostic]]


@dataclass(frozen=True)
class Rule:
    """A rule: its identity, default, the dialects its premise holds on, and its check."""

    code: str
    name: str
    summary: str
    check: Check
    default: bool = True
    dialects: frozenset[str] | None = None
    """None: the premise holds on every dialect."""

    @property
    def family(self) -> str:
        return self.code[:4]


POSTGRESQL = dialects.POSTGRESQL
MYSQL = dialects.MYSQL
FORWARD_ONLY_MIN_HISTORY = 5
"""Fewer migrations than this say nothing about a project's downgrade policy."""
