"""The engine both faces call: file → migration → rules → diagnostics.

Internal failures of a rule are caught here, once, and become an ``ALM000`` diagnostic naming the rule.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import dialects, project
from .cache import SummaryStore
from .config import Settings
from .history import HistoryCache
from .noqa import NoqaMap, unused_codes
from .parse.module import Migration, ParseFailure, decode_source, parse_tree
from .rules.base import Diagnostic, Rule, RuleContext
from .rules.directives import UNUSED_NOQA
from .rules.graph import stray_module
from .rules.registry import BY_CODE, RULES
from .schema import ReplayCache

INTERNAL_ERROR = "ALM000"
DEFAULT_DIALECTS = dialects.DEFAULT


class ProjectFacts:
    """What is inferred about the project a file belongs to, read statically and each fact only when first asked
    for (most files never need the Alembic pin or the application's packages)."""

    def __init__(self, path: Path | None = None, **known: object) -> None:
        self._path = path
        self._values: dict[str, object] = dict(known)

    def _fact(self, key: str) -> object:
        if key not in self._values:
            self._values[key] = _INFERENCES[key](self._path) if self._path is not None else None
        return self._values[key]

    @property
    def ini_dialects(self) -> frozenset[str]:
        value = self._fact("ini_dialects")
        return value if isinstance(value, frozenset) else frozenset()

    @property
    def alembic_version(self) -> tuple[int, ...] | None:
        value = self._fact("alembic_version")
        return value if isinstance(value, tuple) else None

    @property
    def application_names(self) -> frozenset[str]:
        value = self._fact("application_names")
        return value if isinstance(value, frozenset) else frozenset()

    @property
    def in_configured_location(self) -> bool:
        """The folder is a version location that alembic.ini / [tool.alembic] configures."""
        return self._fact("in_configured_location") is True

    @property
    def env_sets_lock_timeout(self) -> bool:
        """env.py mentions ``lock_timeout`` (read once per folder, as text: it is never run)."""
        return self._fact("env_sets_lock_timeout") is True

    @property
    def naming_convention(self) -> bool:
        """env.py mentions ``naming_convention``: constraint names follow a convention (read as text, never run)."""
        return self._fact("naming_convention") is True

    @property
    def autocommit(self) -> bool | None:
        value = self._fact("autocommit")
        return value if isinstance(value, bool) else None


def _ini_dialects(path: Path) -> frozenset[str]:
    ini = project.find_alembic_ini(path.parent)
    return project.alembic_ini_dialects(ini) if ini else frozenset()


def _autocommit(path: Path) -> bool | None:
    env_py = project.env_py_for(path)
    return project.env_py_autocommit(env_py) if env_py else None


def _env_py_mentions(word: str) -> Callable[[Path], bool]:
    """The inference "the folder's env.py mentions ``word``" (read as text, never run)."""

    def mentions(path: Path) -> bool:
        env_py = project.env_py_for(path)
        try:
            return env_py is not None and word in env_py.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False

    return mentions


def _in_configured_location(path: Path) -> bool:
    located = HistoryCache.locate(path)
    return located is not None and located[0].configured


_INFERENCES: dict[str, Callable[[Path], object]] = {
    "in_configured_location": _in_configured_location,
    "env_sets_lock_timeout": _env_py_mentions("lock_timeout"),
    "naming_convention": _env_py_mentions("naming_convention"),
    "ini_dialects": _ini_dialects,
    "alembic_version": lambda path: project.alembic_pin(project.find_project_root(path.parent)),
    "application_names": lambda path: project.application_packages(project.find_project_root(path.parent)),
    "autocommit": _autocommit,
}


@dataclass
class ProjectCache:
    """The explicit per-process cache: project facts per folder (each inferred once) and the Alembic
    environments (each built once). ``history=None`` turns whole-history analysis off."""

    facts: dict[str, ProjectFacts] = field(default_factory=dict)
    history: HistoryCache | None = field(default_factory=HistoryCache)
    replays: ReplayCache | None = field(default_factory=ReplayCache)
    summaries: SummaryStore = field(default_factory=SummaryStore)
    """Each file's summary, shared with the replay: a file is parsed once per process (or loaded from disk)."""

    def __post_init__(self) -> None:
        if self.replays is not None:
            self.replays.summaries = self.summaries

    def facts_for(self, path: str) -> ProjectFacts:
        folder = os.path.dirname(os.path.abspath(path))
        cached = self.facts.get(folder)
        if cached is None:
            cached = self.facts[folder] = ProjectFacts(Path(folder) / os.path.basename(path))
        return cached


PROCESS_CACHE = ProjectCache()


def rule_context(migration: Migration, settings: Settings, cache: ProjectCache) -> RuleContext:
    """Settings resolved for one migration: configured values first, then what the project says."""
    facts = cache.facts_for(migration.path)
    # A per-dialect sibling folder (prefect's versions/sqlite/) says which database its files run on. Otherwise
    # dialects a file names in imports or branches run beside the default: its `else` branch runs somewhere.
    dialects = (
        settings.target_dialects
        or facts.ini_dialects
        or dialect_folder(migration.path)
        or migration.dialect_hints | DEFAULT_DIALECTS
    )
    return RuleContext(
        migration=migration,
        settings=settings,
        target_dialects=frozenset(dialects),
        facts=facts,
        history=cache.history,
        replays=cache.replays if cache.history is not None else None,
    )


def dialect_folder(path: str) -> frozenset[str]:
    """``…/versions/sqlite/x.py`` → {"sqlite"}: a folder below ``versions`` named after a dialect."""
    parts = os.path.abspath(path).split(os.sep)
    if "versions" not in parts[:-1]:
        return frozenset()
    below = parts[len(parts) - 1 - parts[::-1].index("versions") : -1]
    return frozenset(dialects.FOLDER_NAMES[part.lower()] for part in below if part.lower() in dialects.FOLDER_NAMES)


def enabled_rules(settings: Settings) -> tuple[Rule, ...]:
    """Default rules plus the opt-in rules the user named."""
    return tuple(rule for rule in RULES if rule.default or rule.code in settings.opt_in)


def _holds_on_targets(rule: Rule, context: RuleContext) -> bool:
    """A rule whose premise holds only on some dialects is silent for projects on none of them."""
    return rule.dialects is None or bool(rule.dialects & context.target_dialects)


def run_rules(context: RuleContext, rules: Iterable[Rule]) -> list[Diagnostic]:
    """Every rule's findings, sorted and without duplicates (a helper reached twice reports once)."""
    found: set[Diagnostic] = set()
    for rule in rules:
        try:
            found.update(rule.check(context))
        except Exception as error:
            found.add(Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in {rule.code}: {_describe(error)}"))
    return sorted(found)


def lint_migration(
    migration: Migration, settings: Settings, cache: ProjectCache = PROCESS_CACHE, text: str | None = None
) -> list[Diagnostic]:
    context = rule_context(migration, settings, cache)
    if _before_baseline(context):
        return []
    rules = [rule for rule in enabled_rules(settings) if _holds_on_targets(rule, context)]
    diagnostics = run_rules(context, rules)
    if text is not None and "noqa" in text and any(rule.code == UNUSED_NOQA for rule in rules):
        diagnostics = sorted({*diagnostics, *_unused_noqa(text, diagnostics, {rule.code for rule in rules})})
    return diagnostics


def _unused_noqa(text: str, diagnostics: list[Diagnostic], ran: set[str]) -> list[Diagnostic]:
    """ALM900 for each ``# noqa: ALM…`` naming a rule that ran on this file and found nothing on that line."""
    found: dict[int, set[str]] = {}
    for diagnostic in diagnostics:
        found.setdefault(diagnostic.line, set()).add(diagnostic.code)
    unused = unused_codes(NoqaMap(text), found, lambda code: code in ran, BY_CODE)
    return [Diagnostic(line, col, UNUSED_NOQA, message) for line, col, message in unused]


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


def lint_non_migration(path: str, cache: ProjectCache = PROCESS_CACHE) -> list[Diagnostic]:
    """ALM106 for a module that is not a migration but sits among version files; nothing elsewhere.

    Only files under a folder named ``versions`` (or a configured location) pay for the environment lookup."""
    if cache.history is None or not _may_be_version_file(path, cache):
        return []
    environment = cache.history.environment_for(path)
    finding = stray_module(path, environment)
    return [finding] if finding else []


def _may_be_version_file(path: str, cache: ProjectCache) -> bool:
    parts = os.path.abspath(path).split(os.sep)
    return "versions" in parts[:-1] or cache.facts_for(path).in_configured_location


def lint_tree(
    path: str,
    tree: ast.Module,
    settings: Settings,
    cache: ProjectCache = PROCESS_CACHE,
    text: str | None = None,
) -> list[Diagnostic]:
    """Findings for an already parsed module (the flake8 face); nothing for a non-migration.

    ``text`` is the module's source: when it equals the file on disk that the history replay has already
    summarised, that summary is reused instead of walking ``tree`` again."""
    try:
        migration = _reused_summary(path, text, cache) or parse_tree(path, tree)
    except RecursionError:
        return []
    except Exception as error:
        return [Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in the parser: {_describe(error)}")]
    if migration is None:
        return lint_non_migration(path, cache)
    return lint_migration(migration, settings, cache, text)


def _reused_summary(path: str, text: str | None, cache: ProjectCache) -> Migration | None:
    if text is None or cache.replays is None or cache.history is None or not _may_be_version_file(path, cache):
        return None
    if cache.history.environment_for(path) is None:
        return None
    return cache.replays.summary_for(path, text)


@dataclass(frozen=True)
class FileResult:
    """The outcome for one file: diagnostics, or the reason it could not be read as a migration."""

    path: str
    diagnostics: tuple[Diagnostic, ...] = ()
    failure: ParseFailure | None = None
    is_migration: bool = False


def lint_source(path: str, source: bytes, settings: Settings, cache: ProjectCache = PROCESS_CACHE) -> FileResult:
    """Findings for file bytes (the standalone face); never raises."""
    try:
        parsed = cache.summaries.summary(path, source)
    except RecursionError:
        return FileResult(path, failure=ParseFailure(path, 1, 0, "the file is nested too deeply to analyse"))
    except Exception as error:
        return FileResult(
            path, (Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in the parser: {_describe(error)}"),)
        )
    if parsed is None:
        return FileResult(path, tuple(lint_non_migration(path, cache)))
    if isinstance(parsed, ParseFailure):
        return FileResult(path, failure=parsed, is_migration=True)
    text = _decoded(source) if UNUSED_NOQA in settings.opt_in and b"noqa" in source else None
    return FileResult(path, tuple(lint_migration(parsed, settings, cache, text)), is_migration=True)


def _decoded(source: bytes) -> str | None:
    try:
        return decode_source(source)
    except (UnicodeDecodeError, SyntaxError, LookupError):
        return None


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
