"""The engine both faces call: file → migration → rules → diagnostics.

Internal failures of a rule are caught here, once, and become an ``ALM000`` diagnostic naming the rule.
"""

from __future__ import annotations

import ast
import gc
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from . import dialects, project
from .cache import SummaryStore
from .config import Settings
from .facts.dialects import decide_dialects, environment_dialects, file_dialects
from .facts.environment import FORWARD_ONLY_MIN_HISTORY, EnvironmentFacts, EnvironmentFactsCache
from .facts.model import ProjectModel
from .facts.project import ProjectFacts
from .facts.records import Dialects
from .history import HistoryCache, info_from_migration
from .noqa import NoqaMap
from .parse.module import Migration, ParseFailure, decode_source, looks_like_migration, parse_tree
from .reading import RunFiles
from .rules.base import CommentsContext, Diagnostic, ModuleContext, Rule, RuleContext, RuleInfo, Tier
from .rules.registry import BY_CODE, RULES, load

if TYPE_CHECKING:
    from .resident import Resident

INTERNAL_ERROR = "ALM000"
_ON_COMMENTS = frozenset(info.code for info in RULES if info.kind == "comments")
"""The rules that judge a file's comments (they need its text)."""
DEFAULT_DIALECTS = dialects.DEFAULT


@dataclass
class ProjectCache:
    """The explicit per-process cache: project facts per folder (each inferred once), the project model per project
    root (its pins, code and services read once), the Alembic environments (each built once) and their facts.
    ``history=None`` turns whole-history analysis off."""

    facts: dict[str, ProjectFacts] = field(default_factory=dict)
    models: dict[str, ProjectModel] = field(default_factory=dict)
    """Project root → what the project says about itself."""
    history: HistoryCache | None = field(default_factory=HistoryCache)
    environments: EnvironmentFactsCache | None = field(default_factory=EnvironmentFactsCache)
    summaries: SummaryStore = field(default_factory=SummaryStore)
    """Each file's summary, shared with the environments' facts: a file is parsed once per process (or loaded)."""
    configured_locations: dict[str, bool] = field(default_factory=dict)
    """Per folder: whether it is a version location alembic.ini / [tool.alembic] configures."""

    def __post_init__(self) -> None:
        if self.environments is not None:
            self.environments.summaries = self.summaries

    @classmethod
    def for_run(cls, summaries: SummaryStore, resident: Resident | None, files: RunFiles) -> ProjectCache:
        """The cache of one command run, reading migrations through ``files`` (each once per run; a run cache
        journal's reader notes what it reads); with ``resident``, the summaries, revision headers, environments and
        replay steps a server kept from earlier runs (all keyed by content) are this run's to read and add to, and
        a file it read before is known by its digest while its stat holds."""
        history, environments = HistoryCache(read=files), EnvironmentFactsCache()
        summaries.read = files
        if resident is not None:
            summaries.known_digest = history.known_digest = files.known_digest
            summaries.by_content = resident.summaries
            history.by_content, history.built = resident.infos, resident.environments
            environments.replay_steps = resident.replay_steps
        return cls(summaries=summaries, history=history, environments=environments)

    def facts_for(self, path: str) -> ProjectFacts:
        folder = os.path.dirname(os.path.abspath(path))
        cached = self.facts.get(folder)
        if cached is None:
            root = project.find_project_root(Path(folder))
            model = self.models.get(str(root))
            if model is None:
                model = self.models[str(root)] = ProjectModel(root)
            cached = self.facts[folder] = ProjectFacts(Path(folder) / os.path.basename(path), model)
        return cached

    def in_configured_location(self, path: str) -> bool:
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self.configured_locations:
            located = HistoryCache.locate(Path(os.path.abspath(path)))
            self.configured_locations[folder] = located is not None and located[0].configured
        return self.configured_locations[folder]


PROCESS_CACHE = ProjectCache()


def rule_context(migration: Migration, settings: Settings, cache: ProjectCache) -> RuleContext:
    """Settings resolved for one migration: configured values first, then what the project says."""
    facts = cache.facts_for(migration.path)
    info = info_from_migration(migration)
    environment = cache.history.environment_for(migration.path, info) if cache.history is not None else None
    environment_facts = (
        cache.environments.for_environment(environment)
        if environment is not None and cache.environments is not None
        else None
    )
    # The precedence of the evidence is facts.dialects': without any, the dialects a file names in imports or
    # branches run beside the default (its `else` branch runs somewhere).
    found = environment_dialects_of(facts, environment_facts)
    targets = file_dialects(settings.target_dialects, found, migration.path, migration.dialect_hints)
    return RuleContext(
        migration=migration,
        settings=settings,
        target_dialects=targets.dialects,
        project=facts,
        revision_info=info,
        environment_facts=environment_facts,
        # The whole environment's replay runs on the environment's dialects: per-file hints do not change it.
        replay_targets=environment_dialects(settings.target_dialects, found),
        downgrades=settings.downgrades or downgrade_policy(facts, environment_facts, cache.history, migration.path),
    )


def environment_dialects_of(facts: ProjectFacts, environment: EnvironmentFacts | None) -> Dialects:
    """The databases an environment runs on: the project's clues and what its migrations branch on."""
    found = (environment.dialect_clue, environment.unrunnable_clue) if environment is not None else ()
    return decide_dialects((*facts.dialect_clues, *(clue for clue in found if clue is not None)))


def downgrade_policy(
    facts: ProjectFacts, environment: EnvironmentFacts | None, history: HistoryCache | None, path: str
) -> str:
    """The downgrade policy a project shows: its revision template's (``script.py.mako`` without a downgrade() is
    forward-only), else its history's."""
    template = facts.template_downgrades
    return template.policy if template is not None else _inferred_downgrades(environment, history, path)


def _inferred_downgrades(facts: EnvironmentFacts | None, history: HistoryCache | None, path: str) -> str:
    """The downgrade policy a history shows: ``forward-only`` when (almost) no migration writes a downgrade()
    (OpenStack projects), else ``required``. A tiny environment defers to its whole versions tree."""
    with_downgrade, total = facts.downgrade_counts if facts is not None else (0, 0)
    if total < FORWARD_ONLY_MIN_HISTORY and history is not None:
        with_downgrade, total = history.versions_tree_downgrades(path)
    if total >= FORWARD_ONLY_MIN_HISTORY and with_downgrade * 10 <= total:
        return "forward-only"
    return "required"


def enabled_rules(settings: Settings) -> tuple[Rule, ...]:
    """Default rules, the opt-in rules the user named, and in preview mode the preview rules, with their checks (each
    module imported once)."""
    return tuple(load(info) for info in RULES if runs(info, settings))


def runs(info: RuleInfo, settings: Settings) -> bool:
    """Whether a rule runs: a default rule always, an opt-in rule when named, a preview rule in preview mode."""
    if info.tier is Tier.PREVIEW and not settings.preview:
        return False
    return not info.needs_naming or info.code in settings.opt_in


def _holds_on_targets(rule: Rule, context: RuleContext) -> bool:
    """A rule whose premise holds only on some dialects is silent for projects on none of them."""
    return rule.dialects is None or bool(rule.dialects & context.target_dialects)


def run_rules(context: RuleContext | ModuleContext | CommentsContext, rules: Iterable[Rule]) -> list[Diagnostic]:
    """Every rule's findings, sorted and without duplicates (a helper reached twice reports once)."""
    found: set[Diagnostic] = set()
    for rule in rules:
        try:
            found.update(rule.run(context))
        except Exception as error:
            found.add(Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in {rule.code}: {_describe(error)}"))
    return sorted(found)


def lint_migration(
    migration: Migration, settings: Settings, cache: ProjectCache = PROCESS_CACHE, text: str | None = None
) -> list[Diagnostic]:
    context = rule_context(migration, settings, cache)
    if _before_baseline(context):
        return []
    enabled = enabled_rules(settings)
    rules = [rule for rule in enabled if rule.kind == "migration" and _holds_on_targets(rule, context)]
    diagnostics = run_rules(context, rules)
    on_comments = [rule for rule in enabled if rule.kind == "comments"]
    if text is not None and "noqa" in text and on_comments:
        ran = frozenset(rule.code for rule in (*rules, *on_comments))
        comments = CommentsContext(NoqaMap(text), tuple(diagnostics), ran, frozenset(BY_CODE))
        diagnostics = sorted({*diagnostics, *run_rules(comments, on_comments)})
    return diagnostics


def _before_baseline(context: RuleContext) -> bool:
    """The baseline revisions and their ancestors are read as history but never reported."""
    baseline, revision = context.settings.baseline_revision, context.migration.revision
    if not baseline or revision is None:
        return False
    if revision in baseline:
        return True
    environment = context.environment
    if environment is None:
        return False
    for name in baseline:
        resolved = environment.resolve(name)
        if resolved is not None and revision in environment.ancestors(resolved):
            return True
    return False


def lint_non_migration(path: str, settings: Settings, cache: ProjectCache = PROCESS_CACHE) -> list[Diagnostic]:
    """The rules over modules that are not migrations (ALM106), for files among version files; nothing elsewhere.

    Only files under a folder named ``versions`` (or a configured location) pay for the environment lookup."""
    if cache.history is None or not _may_be_version_file(path, cache):
        return []
    context = ModuleContext(path, cache.history.environment_for(path))
    return run_rules(context, [rule for rule in enabled_rules(settings) if rule.kind == "module"])


def _may_be_version_file(path: str, cache: ProjectCache) -> bool:
    parts = os.path.abspath(path).split(os.sep)
    return "versions" in parts[:-1] or cache.in_configured_location(path)


def lint_tree(
    path: str,
    tree: ast.Module,
    settings: Settings,
    cache: ProjectCache = PROCESS_CACHE,
    text: str | None = None,
) -> list[Diagnostic]:
    """Findings for an already parsed module (the flake8 face); nothing for a non-migration.

    ``text`` is the module's source: when it equals the file on disk that the history replay has already
    summarised, that summary is reused instead of walking ``tree`` again; otherwise its comments are read from it."""
    try:
        migration = _reused_summary(path, text, cache) or parse_tree(path, tree, text)
    except RecursionError:
        return []
    except Exception as error:
        return [Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in the parser: {_describe(error)}")]
    if migration is None:
        return lint_non_migration(path, settings, cache)
    return lint_migration(migration, settings, cache, text)


def _reused_summary(path: str, text: str | None, cache: ProjectCache) -> Migration | None:
    if text is None or cache.environments is None or cache.history is None or not _may_be_version_file(path, cache):
        return None
    if cache.history.environment_for(path) is None:
        return None
    return cache.environments.summary_for(path, text)


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: its diagnostics or the reason it could not be read as a migration, whether it is a
    migration, and its decoded text (for the faces' noqa handling and code frames; empty when it cannot be
    decoded)."""

    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    failure: ParseFailure | None = None
    is_migration: bool = False
    text: str = ""
    lines: tuple[str, ...] = ()


def lint_source(path: str, source: bytes, settings: Settings, cache: ProjectCache = PROCESS_CACHE) -> FileResult:
    """Findings for file bytes (the standalone face); never raises."""
    text = _decoded(source) or ""
    lines = tuple(text.splitlines())
    try:
        parsed = cache.summaries.summary(path, source)
    except RecursionError:
        failure = ParseFailure(path, 1, 0, "the file is nested too deeply to analyse")
        return FileResult(path, failure=failure, text=text, lines=lines)
    except Exception as error:
        internal = Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in the parser: {_describe(error)}")
        return FileResult(path, (internal,), text=text, lines=lines)
    if parsed is None:
        return FileResult(path, tuple(lint_non_migration(path, settings, cache)), text=text, lines=lines)
    if isinstance(parsed, ParseFailure):
        return FileResult(path, failure=parsed, is_migration=True, text=text, lines=lines)
    judged = text if "noqa" in text and any(code in settings.opt_in for code in _ON_COMMENTS) else None
    diagnostics = tuple(lint_migration(parsed, settings, cache, judged))
    return FileResult(path, diagnostics, is_migration=True, text=text, lines=lines)


def is_migration_source(source: bytes) -> bool:
    """The engine's own cheap test of whether bytes can be a migration (no parse)."""
    return looks_like_migration(source)


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector while summaries are built. They hold no reference cycles; left on, the collector
    rescans the growing heap of them (flake8's whole heap under the plugin) again and again."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _decoded(source: bytes) -> str | None:
    try:
        return decode_source(source)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return None


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
