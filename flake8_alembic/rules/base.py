"""What every rule is made of: the rule record, its input (``RuleContext``) and its output (``Diagnostic``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from functools import cached_property
from typing import Any, Callable, Final, Protocol, Union

from .. import dialects
from ..config import Settings
from ..facts.birth import schema_birth
from ..facts.environment import EnvironmentFacts
from ..facts.project import ProjectFacts
from ..facts.records import NamingConvention, SchemaBirth
from ..history import Environment, RevisionInfo
from ..noqa import NoqaMap
from ..parse.classify import UNKNOWN, strongest
from ..parse.module import FunctionSummary, Migration
from ..parse.records import Frame, Operation
from ..pins import VersionRange
from ..schema import Replay, Snapshot


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One finding, positioned as ``ast`` positions it (1-based line, 0-based column)."""

    line: int
    col: int
    code: str
    message: str


@dataclass(frozen=True)
class RuleContext:
    """What a check may look at: the migration, the settings and the facts resolved for it. A read-only view: the
    engine resolves everything; the properties below only select from what the facts already hold."""

    migration: Migration
    settings: Settings
    target_dialects: frozenset[str]
    """The dialects this file's code runs on."""
    project: ProjectFacts
    revision_info: RevisionInfo
    environment_facts: EnvironmentFacts | None = None
    """The facts of the Alembic environment; None outside one or when whole-history analysis is off."""
    replay_targets: frozenset[str] = dialects.DEFAULT
    """The dialects the whole environment runs on (per-file hints do not change the shared replay)."""
    downgrades: str = "required"
    """The downgrade policy: configured, else what the history shows."""

    @property
    def environment(self) -> Environment | None:
        """The revision graph of the environment (built once per process), or None outside one."""
        return self.environment_facts.environment if self.environment_facts is not None else None

    @property
    def environment_migrations(self) -> tuple[Migration, ...]:
        """The summaries of every migration of the environment; () outside one."""
        return self.environment_facts.migrations if self.environment_facts is not None else ()

    @cached_property
    def replay(self) -> Replay | None:
        return self.environment_facts.replay(self.replay_targets) if self.environment_facts is not None else None

    def schema_before_on(self, dialects: frozenset[str]) -> Snapshot | None:
        """The schema before this revision as it is on ``dialects`` (a replay of its own, built once per
        environment): code in branches for other dialects is left out."""
        facts, revision = self.environment_facts, self.migration.revision
        if facts is None or revision is None:
            return None
        replay = facts.replay(dialects)
        return replay.before.get(revision) if replay.complete else None

    @cached_property
    def schema_before(self) -> Snapshot | None:
        """The schema before this revision runs, as the replay of its ancestors knows it."""
        replay, revision = self.replay, self.migration.revision
        if replay is None or revision is None or not replay.complete:
            return None
        return replay.before.get(revision)

    @property
    def alembic_version(self) -> tuple[int, ...] | None:
        return self.settings.target_alembic_version or self.project.alembic_version

    @property
    def application_names(self) -> frozenset[str]:
        configured = self.settings.application_import_names
        return configured if configured is not None else self.project.application_names

    @property
    def autocommit(self) -> bool:
        configured = self.settings.autocommit_connections
        return configured if configured is not None else bool(self.project.autocommit)

    def effect_of(self, function: FunctionSummary) -> str:
        """What running ``function`` does to the database (``parse/classify.py``), with the calls into the
        application it makes read from the project where they can be (``facts/helpers.py``)."""
        effect = self.migration.effect_of(function)
        if effect != UNKNOWN:
            return effect
        helpers = self.project.application_helpers
        if helpers is None:
            return effect
        resolved = [self.migration.effect_of(function, without_foreign_calls=True)]
        for call in self.migration.call_effects:
            if call.phase == function.kind and call.engine == function.engine and call.effect == UNKNOWN:
                resolved.append(helpers.effect(call.qualified, self.application_names) if call.qualified else UNKNOWN)
        return strongest(resolved)

    @property
    def sqlalchemy_versions(self) -> VersionRange | None:
        """The SQLAlchemy versions the project runs: the ``target-sqlalchemy-version`` setting's series, else the
        range its pins allow; None when nothing says."""
        configured = self.settings.target_sqlalchemy_version
        if configured is not None:
            return VersionRange.series(configured, "target-sqlalchemy-version")
        return self.project.sqlalchemy_versions

    @property
    def naming_convention(self) -> NamingConvention | None:
        """The naming convention the project gives ``MetaData`` (env.py, its target_metadata, the application)."""
        return self.project.naming_convention

    @cached_property
    def schema_birth(self) -> SchemaBirth:
        """How the schema is born: open when the project builds it outside the migrations (``create_all`` then
        ``stamp``) or the environment's base revisions show it (a cut history, an adopted schema); else closed."""
        environment = self.environment_facts.schema_birth if self.environment_facts is not None else None
        return schema_birth(self.project.schema_birth, environment)

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


@dataclass(frozen=True)
class ModuleContext:
    """What a check of a module that is not a migration may look at: its path and the environment it sits in."""

    path: str
    environment: Environment | None


@dataclass(frozen=True)
class CommentsContext:
    """What a check of a file's comments may look at: its noqa comments, the findings of the rules that ran on it,
    the codes of those rules and of every rule there is."""

    noqa: NoqaMap
    diagnostics: tuple[Diagnostic, ...]
    ran: frozenset[str]
    known: frozenset[str]


Position = Union[tuple[int, int], "Positioned"]


class Positioned(Protocol):
    """Anything with a 1-based line and a 0-based column, as ``ast`` counts them (operations, columns, raises…)."""

    @property
    def line(self) -> int: ...

    @property
    def col(self) -> int: ...


SUBJECT: Final = "{subject}"
"""Where a message names the object it is about (``f"SET NOT NULL on existing {SUBJECT} scans …"``): the reporter
puts the object's name there, or the names of all the objects the rule reports at the same source position."""


@dataclass(frozen=True)
class Subject:
    """The object a finding is about, given apart from the message so that the findings a loop or a helper expands
    on one source line merge into one that names them all (``tables "a", "b" and 3 more``)."""

    noun: str
    """Singular: ``table``, ``column``, ``index``."""
    name: str
    """As the message shows it, quoted by the rule: ``"users"``, ``ix_users_email on "users"``."""
    plural: str = ""
    """The noun for several; ``noun + "s"`` when empty."""

    @classmethod
    def table(cls, name: str | None) -> Subject:
        return cls("table", f'"{name}"' if name else "(dynamic name)")

    def phrase(self, names: list[str]) -> str:
        """``table "a"``; ``tables "a" and "b"``; ``tables "a", "b" and "c"``; ``tables "a", "b" and 3 more``."""
        if len(names) == 1:
            return f"{self.noun} {names[0]}"
        plural = self.plural or f"{self.noun}s"
        if len(names) <= MAX_NAMED:
            return f"{plural} {', '.join(names[:-1])} and {names[-1]}"
        return f"{plural} {', '.join(names[:2])} and {len(names) - 2} more"


MAX_NAMED: Final = 3
"""The most objects a merged message names one by one; past it, the first two and how many more."""


class Report(Protocol):
    """``report(node_or_position, message, subject=None)``: a finding of the check's own rule (the code is bound).
    With a ``subject``, the message holds ``SUBJECT`` once, where the object is named."""

    def __call__(self, where: Position, message: str, subject: Subject | None = None) -> None: ...


@dataclass(frozen=True)
class _Finding:
    message: str
    subject: Subject | None


class Reporter:
    """The ``report`` a check receives: it collects findings under one rule's code, one per source position (one
    source line, one finding: an expanded loop or helper reports once, naming its objects)."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._at: dict[tuple[int, int], list[_Finding]] = {}

    def __call__(self, where: Position, message: str, subject: Subject | None = None) -> None:
        if subject is not None and message.count(SUBJECT) != 1:
            raise ValueError(f"{self.code}: a message with a subject names it once, as {SUBJECT}: {message!r}")
        line, col = where if isinstance(where, tuple) else (where.line, where.col)
        self._at.setdefault((line, col), []).append(_Finding(message, subject))

    @property
    def found(self) -> list[Diagnostic]:
        return [
            Diagnostic(line, col, self.code, merged_message(findings)) for (line, col), findings in self._at.items()
        ]


def merged_message(findings: list[_Finding]) -> str:
    """One message for a rule's findings at one source position. The first finding's message, naming the subjects
    of every finding with the same message and noun; the findings that say something else are counted."""
    first = findings[0]
    if first.subject is None:
        text = first.message
        merged = [finding for finding in findings if finding == first]
    else:
        merged = [
            finding
            for finding in findings
            if finding.message == first.message and finding.subject and finding.subject.noun == first.subject.noun
        ]
        names = list(dict.fromkeys(finding.subject.name for finding in merged if finding.subject))
        text = first.message.replace(SUBJECT, first.subject.phrase(names))
    others = len(dict.fromkeys(finding for finding in findings if finding not in merged))
    if others:
        text += f" (and {others} more on this line)"
    return text


Check = Callable[[Any, Report], None]
"""A check of a ``RuleContext`` (``ModuleContext`` for ``kind="module"``, ``CommentsContext`` for ``"comments"``)."""


class Tier(Enum):
    """How a rule is switched on (README, "Rules"): *default* with ``--select ALM``; *opt-in* when named by its code
    or a family prefix longer than ``ALM``; *preview* only with ``--preview`` as well."""

    DEFAULT = "default"
    OPT_IN = "opt-in"
    PREVIEW = "preview"


KINDS: Final = ("migration", "module", "comments")


@dataclass(frozen=True)
class RuleInfo:
    """What is known of a rule without importing its check: its index entry (``rules/index.py``)."""

    code: str
    name: str
    summary: str
    tier: Tier
    dialects: frozenset[str] | None
    since: str
    kind: str
    module: str
    """The rule's module, relative to ``flake8_alembic.rules`` (``hazards.alm025_unnamed_constraint_drop``)."""
    named: bool = False
    """A preview rule that, like an opt-in one, runs only when named by its code or a family prefix."""

    @property
    def default(self) -> bool:
        return self.tier is Tier.DEFAULT

    @property
    def needs_naming(self) -> bool:
        """Reported only when a selector names it by its code or a family prefix longer than ``ALM``."""
        return self.tier is Tier.OPT_IN or self.named

    @property
    def family(self) -> str:
        return self.code[:4]

    @property
    def page(self) -> str:
        """The rule's page, relative to the package (``docs/ALM025.md``)."""
        return f"docs/{self.code}.md"


@dataclass(frozen=True)
class Rule:
    """A rule: the one source of its code, name, summary, tier, the dialects its premise holds on, the release that
    added it, and its check. ``kind``: ``migration`` checks a migration (``RuleContext``), ``module`` a module among
    the version files that is not a migration (``ModuleContext``), ``comments`` a file's noqa comments against the
    other rules' findings (``CommentsContext``)."""

    code: str
    name: str
    summary: str
    check: Check
    tier: Tier = Tier.DEFAULT
    dialects: frozenset[str] | None = None
    """None: the premise holds on every dialect."""
    since: str = "0.1.0"
    kind: str = "migration"
    named: bool = False
    """A preview rule that, like an opt-in one, runs only when named (situational rules: ALM2xx, row-by-row…)."""

    @property
    def default(self) -> bool:
        return self.tier is Tier.DEFAULT

    @property
    def needs_naming(self) -> bool:
        return self.tier is Tier.OPT_IN or self.named

    @property
    def family(self) -> str:
        return self.code[:4]

    def run(self, context: Any) -> list[Diagnostic]:
        """The check's findings on ``context``."""
        reporter = Reporter(self.code)
        self.check(context, reporter)
        return reporter.found
