"""The migration test cycle of the policy, one revision at a time, checked against the static replay.

For every revision in topological order (parents and dependencies first; every head's lineage, so every branch
is walked from its shared ancestor): bring the database to exactly the revision's ancestors, insert the rows
seeded before it, **upgrade** one step, insert the rows seeded at it, **compare** the live schema with the replay
(only what this revision newly contradicts is reported), **downgrade** one step (at a merge, to each parent in
turn) and compare with the schema before, then **re-upgrade** and compare with the schema after. A step that fails
stops the walk below that revision; a failure that leaves the database half-migrated stops the whole walk.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from ..parse.module import Migration
from .alembic_run import StepError
from .compare import Divergence, against_replay, between
from .expected import StaticHistory, may_not_run
from .provenance import Place, StaticFindings, divergence_place, function_line
from .shapes import SchemaShape

CODES: Final[Mapping[str, str]] = {
    "ALV001": "upgrade-failed",
    "ALV002": "replay-divergence",
    "ALV003": "downgrade-failed",
    "ALV004": "downgrade-mismatch",
    "ALV005": "upgrade-not-repeatable",
    "ALV006": "model-drift",
    "ALV007": "seed-failed",
    "ALV008": "state-unreachable",
}
"""The codes of verify's results (ALV: Alembic, verified), beside the linter's ALM codes."""

Rows = Sequence[tuple[str, Mapping[str, object]]]
_GO_ON, _RESET, _BLOCKED = "go on", "reset", "blocked"


class Database(Protocol):
    """What the cycle needs of a database under Alembic (``alembic_run.Driver``)."""

    def upgrade(self, target: str) -> StepError | None: ...
    def downgrade(self, target: str) -> StepError | None: ...
    def stamp(self, target: str) -> StepError | None: ...
    def reset(self) -> StepError | None: ...
    def heads(self) -> set[str]: ...
    def reflect(self) -> SchemaShape: ...
    def insert(self, rows: Rows) -> StepError | None: ...


@dataclass(frozen=True)
class Seeds:
    """Rows to insert, per revision: before it is applied, and right after (pytest-alembic's
    ``before_revision_data`` and ``at_revision_data``)."""

    before: Mapping[str, Rows] = field(default_factory=dict)
    at: Mapping[str, Rows] = field(default_factory=dict)


@dataclass(frozen=True)
class Problem:
    """One verify result: a failed step, a divergence, a downgrade that does not undo its upgrade…"""

    code: str
    revision: str
    step: str
    path: str
    line: int
    col: int
    message: str


@dataclass
class RevisionReport:
    revision: str
    path: str
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)
    reached: bool = True

    @property
    def passed(self) -> bool:
        return self.reached and not self.problems


@dataclass
class WalkReport:
    dialect: str
    revisions: list[RevisionReport] = field(default_factory=list)
    stopped: str | None = None
    """Why the walk ended early (the database was left half-migrated)."""

    @property
    def problems(self) -> list[Problem]:
        return [problem for report in self.revisions for problem in report.problems]


Progress = Callable[[int, int, RevisionReport], None]


class Walk:
    """One walk of a history over one database."""

    def __init__(self, database: Database, history: StaticHistory, seeds: Seeds, findings: StaticFindings) -> None:
        self.db = database
        self.history = history
        self.seeds = seeds
        self.findings = findings
        self.report = WalkReport(history.dialect)
        self.divergences: dict[str, frozenset[Divergence]] = {}
        self.blocked: set[str] = set()
        self.preexisting: frozenset[str] = frozenset()
        """Tables there before the walk (``--allow-non-empty``): not the history's doing, never compared."""

    def run(self, progress: Progress | None = None) -> WalkReport:
        order = topological(self.history)
        self.preexisting = frozenset(self.db.reflect())
        for index, revision in enumerate(order, 1):
            report = RevisionReport(revision, self.history.paths.get(revision, ""))
            self.report.revisions.append(report)
            if self.report.stopped or any(p in self.blocked for p in self.history.parents(revision)):
                report.reached = False
                self.blocked.add(revision)
                continue
            started = time.perf_counter()
            if not self._cycle(revision, report):
                self.blocked.add(revision)
            report.seconds = time.perf_counter() - started
            if progress is not None:
                progress(index, len(order), report)
        return self.report

    # ------------------------------------------------------------------------------------------ one revision

    def _cycle(self, revision: str, report: RevisionReport) -> bool:
        """The four steps; False when the walk cannot go on below this revision."""
        parents = self.history.parents(revision)
        failed = self._transition(parents)
        if failed is not None:
            self._fail(report, "ALV008", "reach its parents", failed, "the database cannot be brought back to them")
            return False
        before = self.db.reflect()
        if not self._seed(report, self.seeds.before.get(revision), "seed before it"):
            return False
        failed = self.db.upgrade(revision)
        if failed is not None:
            self._fail(report, "ALV001", "upgrade", failed)
            self._stop_if_changed(before, revision)
            return False
        if not self._seed(report, self.seeds.at.get(revision), "seed at it"):
            return False
        after = self.db.reflect()
        self._compare_with_replay(revision, report, after, parents)
        if not self._has_downgrade(revision):
            return True  # forward-only (no downgrade function at all): nothing to undo or repeat
        for target in self._downgrade_targets(revision):
            state = self._down_and_up(revision, report, target, before, after)
            if state != _GO_ON:
                return state == _RESET  # after a reset the next revision rebuilds its parents from scratch
        return True

    def _down_and_up(
        self, revision: str, report: RevisionReport, target: str, before: SchemaShape, after: SchemaShape
    ) -> str:
        """Downgrade to ``target``, compare, re-upgrade, compare; how the walk can go on (``_GO_ON``, ``_RESET``:
        the database was emptied, ``_BLOCKED``: not below this revision)."""
        step = f"downgrade to {target.replace(f'{revision}@', '')}"
        failed = self.db.downgrade(target)
        if failed is not None:
            self._fail(report, "ALV003", step, failed)
            return self._recover(after)
        undone = self.db.reflect()
        mismatches = between(before, undone)
        self._mismatches(revision, report, step, mismatches)
        lost_seeds = self._lost_seed_tables(revision, undone)
        failed = self.db.upgrade(revision)
        if failed is not None:
            self._fail(report, "ALV005", f"re-upgrade after {step}", failed)
            return self._recover(after, stamp=revision)
        if lost_seeds and not self._seed(report, lost_seeds, "seed at it again"):
            return _BLOCKED
        again = self.db.reflect()
        already = {_where(difference) for difference in mismatches}  # lost by the downgrade: reported there
        for difference in between(after, again):
            if _where(difference) in already:
                continue
            self._report(
                report,
                "ALV005",
                f"re-upgrade after {step}",
                self._place(revision, difference),
                (f"upgrading again gives another schema: {difference.describe()}"),
            )
        return _GO_ON

    def _recover(self, after: SchemaShape, stamp: str | None = None) -> str:
        """After a failed step: go on when the database still holds the revision's schema (a downgrade rolled back
        whole; a downgrade that undid nothing, whose revision is stamped as applied again), else start again from an
        empty database when verify found it empty, else stop below this revision."""
        if self.db.reflect() == after and (stamp is None or self.db.stamp(stamp) is None):
            return _GO_ON
        if not self.preexisting and self.db.reset() is None:
            return _RESET
        return _BLOCKED

    def _downgrade_targets(self, revision: str) -> list[str]:
        """Each parent of a merge in turn; a root goes to ``<revision>@base`` (other roots stay applied)."""
        parents = sorted(self.history.environment.parents(revision, with_dependencies=False))
        return parents or [f"{revision}@base"]

    # ------------------------------------------------------------------------------------------ comparisons

    def _compare_with_replay(
        self, revision: str, report: RevisionReport, live: SchemaShape, parents: list[str]
    ) -> None:
        compared = against_replay(self.history.after(revision), live, self.history.dialect)
        found = frozenset(divergence for divergence in compared if divergence.table not in self.preexisting)
        self.divergences[revision] = found
        inherited = frozenset().union(*(self.divergences.get(parent, frozenset()) for parent in parents))
        for divergence in sorted(found - inherited, key=_order):
            place = divergence_place(self.history.migrations.get(revision), divergence, self.history.dialect)
            if place.operation is not None and may_not_run(place.operation):
                continue  # the replay records what a guarded operation makes, but it may rightly not have run
            cause = ""
            operation = place.operation
            if operation is not None and operation.name in ("execute", "exec_driver_sql") and not operation.sql_text:
                cause = " (this operation's SQL is built at run time: the replay cannot read it)"
            self._report(
                report,
                "ALV002",
                "compare with the replay",
                place,
                (f"the live schema differs from the static replay: {divergence.describe()}{cause}"),
            )

    def _mismatches(self, revision: str, report: RevisionReport, step: str, differences: list[Divergence]) -> None:
        migration = self.history.migrations.get(revision)
        place = function_line(migration, "downgrade")
        for difference in differences:
            made = divergence_place(migration, difference, self.history.dialect)
            origin = f" (upgrade line {made.line})" if made.operation is not None else ""
            verb = (
                "leaves behind"
                if difference.expected in ("no such table", "no such column", "no such index")
                else "does not restore"
            )
            self._report(
                report,
                "ALV004",
                step,
                place,
                (
                    f"the downgrade {verb} what the upgrade changed{origin}: {difference.describe()} "
                    "(expected: the schema before the upgrade)"
                ),
            )

    def _place(self, revision: str, difference: Divergence) -> Place:
        return divergence_place(self.history.migrations.get(revision), difference, self.history.dialect)

    # ------------------------------------------------------------------------------------------ state

    def _transition(self, parents: Sequence[str]) -> StepError | None:
        """Bring the database to exactly ``parents`` and their ancestors: downgrade what else is applied, or when
        that cannot be done (a revision without a downgrade, one that fails), start again from an empty database
        (only one verify found empty)."""
        wanted = self._closure(parents)
        for _ in range(len(self.history.paths) + 2):
            current = self._closure(self.db.heads())
            if current == wanted:
                return None
            extra = current - wanted
            if extra:
                failed = self._downgrade_away(extra)
            else:
                failed = self._upgrade_to(sorted(_maximal(self.history, wanted - current)))
            if failed is not None:
                return failed
        return StepError("RuntimeError", "the revisions applied do not converge", None, ())

    def _downgrade_away(self, extra: set[str]) -> StepError | None:
        if all(self._has_downgrade(revision) for revision in extra):
            failed = next(filter(None, (self.db.downgrade(target) for target in self._downgrades(extra))), None)
            if failed is None:
                return None
        else:
            failed = StepError("NotImplementedError", "a revision to undo has no downgrade()", None, ())
        if self.preexisting:
            return failed  # never drop what was there before verify
        return self.db.reset()

    def _upgrade_to(self, heads: list[str]) -> StepError | None:
        return next(filter(None, (self.db.upgrade(head) for head in heads)), None)

    def _has_downgrade(self, revision: str) -> bool:
        migration = self.history.migrations.get(revision)
        return migration is None or bool(migration.functions_of("downgrade"))

    def _downgrades(self, extra: set[str]) -> list[str]:
        environment = self.history.environment
        minimal = [r for r in extra if not any(p in extra for p in environment.parents(r, with_dependencies=False))]
        targets = []
        for revision in sorted(minimal):
            parents = sorted(environment.parents(revision, with_dependencies=False))
            targets.append(parents[0] if parents else f"{revision}@base")
        return targets

    def _closure(self, heads: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for head in heads:
            found.add(head)
            found |= self.history.environment.ancestors(head)
        return found

    def _stop_if_changed(self, before: SchemaShape, revision: str) -> None:
        """A failed step that was not rolled back (SQLite's DDL, MySQL) leaves a half-migrated database: start
        again from an empty one (the next revision's parents are rebuilt), or stop when it held tables before."""
        if self.db.reflect() == before:
            return
        if self.preexisting or self.db.reset() is not None:
            self.report.stopped = f"the failure at {revision} left the database half-migrated (it was not rolled back)"

    def _seed(self, report: RevisionReport, rows: Rows | None, step: str) -> bool:
        if not rows:
            return True
        failed = self.db.insert(rows)
        if failed is not None:
            self._fail(report, "ALV007", step, failed)
        return failed is None

    def _lost_seed_tables(self, revision: str, live: SchemaShape) -> Rows:
        """Rows seeded at the revision whose table the downgrade dropped: the re-upgrade needs them again."""
        return [(table, values) for table, values in self.seeds.at.get(revision, ()) if table.lower() not in live]

    # ------------------------------------------------------------------------------------------ results

    def _fail(self, report: RevisionReport, code: str, step: str, error: StepError, note: str = "") -> None:
        path = report.path
        line = error.line_in(path) if path else None
        kind = "downgrade" if code == "ALV003" else "upgrade"
        migration = self.history.migrations.get(report.revision)
        place = _statement_place(migration, line) if line else function_line(migration, kind)
        predicted = self.findings.on_statement(path, place.line) if path and line else []
        linked = f"; the static analysis reported it on this statement: {' | '.join(predicted)}" if predicted else ""
        suffix = f" ({note})" if note else ""
        self._report(report, code, step, place, f"{error.describe()}{suffix}{linked}")

    def _report(self, report: RevisionReport, code: str, step: str, place: Place, message: str) -> None:
        text = f"revision {report.revision}, step {step}: {message}"
        report.problems.append(Problem(code, report.revision, step, report.path, place.line, place.col, text))


def _statement_place(migration: Migration | None, line: int) -> Place:
    """The failing line, at the column of the operation that starts on it (else at its indentation)."""
    operations = [op for op in (migration.operations if migration else ()) if op.line == line]
    return Place(line, operations[0].col, operations[0]) if operations else Place(line, 0)


def _where(difference: Divergence) -> tuple[str, str | None, str]:
    return difference.table, difference.column, difference.aspect


def _order(divergence: Divergence) -> tuple[str, str, str]:
    return divergence.table, divergence.column or "", divergence.aspect


def _maximal(history: StaticHistory, revisions: set[str]) -> set[str]:
    """The revisions of the set no other member descends from (upgrading to them applies the rest)."""
    inner = {parent for revision in revisions for parent in history.environment.ancestors(revision)}
    return {revision for revision in revisions if revision not in inner}


def topological(history: StaticHistory) -> list[str]:
    """Parents (and dependencies) first; a branch is followed to its end before the next one starts, so the
    database rarely has to go back."""
    revisions = sorted(history.paths)
    children: dict[str, list[str]] = {revision: [] for revision in revisions}
    pending = {revision: len(history.parents(revision)) for revision in revisions}
    for revision in revisions:
        for parent in history.parents(revision):
            children[parent].append(revision)
    ready = sorted((revision for revision, count in pending.items() if count == 0), reverse=True)
    ordered: list[str] = []
    while ready:
        revision = ready.pop()
        ordered.append(revision)
        for child in sorted(children[revision], reverse=True):
            pending[child] -= 1
            if pending[child] == 0:
                ready.append(child)
    return ordered
