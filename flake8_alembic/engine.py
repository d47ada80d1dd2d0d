"""The engine both faces call: file → migration → rules → diagnostics.

Internal failures of a rule are caught here, once, and become an ``ALM000`` diagnostic naming the rule.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from . import project
from .config import Settings
from .migration import Migration, ParseFailure, parse_source, parse_tree
from .rules.base import Diagnostic, Rule, RuleContext
from .rules.registry import RULES

INTERNAL_ERROR = "ALM000"
DEFAULT_DIALECTS = frozenset({"postgresql"})


@dataclass(frozen=True)
class ProjectFacts:
    """What is inferred about the project a file belongs to (read statically, never executed)."""

    ini_dialects: frozenset[str]
    alembic_version: tuple[int, ...] | None
    application_names: frozenset[str]
    autocommit: bool | None


@dataclass
class ProjectCache:
    """The explicit per-process cache: project facts per folder, computed once."""

    facts: dict[Path, ProjectFacts] = field(default_factory=dict)

    def facts_for(self, path: str) -> ProjectFacts:
        folder = Path(path).absolute().parent
        cached = self.facts.get(folder)
        if cached is None:
            cached = self.facts[folder] = _infer(folder, Path(path).absolute())
        return cached


PROCESS_CACHE = ProjectCache()


def _infer(folder: Path, path: Path) -> ProjectFacts:
    root = project.find_project_root(folder)
    ini = project.find_alembic_ini(folder)
    env_py = project.env_py_for(path)
    return ProjectFacts(
        ini_dialects=project.alembic_ini_dialects(ini) if ini else frozenset(),
        alembic_version=project.alembic_pin(root),
        application_names=project.application_packages(root),
        autocommit=project.env_py_autocommit(env_py) if env_py else None,
    )


def rule_context(migration: Migration, settings: Settings, cache: ProjectCache) -> RuleContext:
    """Settings resolved for one migration: configured values first, then what the project says."""
    facts = cache.facts_for(migration.path)
    # Dialects a file names in imports or branches run beside the default: its `else` branch runs somewhere.
    dialects = settings.target_dialects or facts.ini_dialects or migration.dialect_hints | DEFAULT_DIALECTS
    autocommit = settings.autocommit_connections
    return RuleContext(
        migration=migration,
        settings=settings,
        target_dialects=frozenset(dialects),
        alembic_version=settings.target_alembic_version or facts.alembic_version,
        application_names=(
            settings.application_import_names
            if settings.application_import_names is not None
            else facts.application_names
        ),
        autocommit=autocommit if autocommit is not None else bool(facts.autocommit),
    )


def enabled_rules(settings: Settings) -> tuple[Rule, ...]:
    """Default rules plus the opt-in rules the user named."""
    return tuple(rule for rule in RULES if rule.default or rule.code in settings.opt_in)


def run_rules(context: RuleContext, rules: Iterable[Rule]) -> list[Diagnostic]:
    """Every rule's findings, sorted and without duplicates (a helper reached twice reports once)."""
    found: set[Diagnostic] = set()
    for rule in rules:
        try:
            found.update(rule.check(context))
        except Exception as error:
            found.add(Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in {rule.code}: {_describe(error)}"))
    return sorted(found)


def lint_migration(migration: Migration, settings: Settings, cache: ProjectCache = PROCESS_CACHE) -> list[Diagnostic]:
    context = rule_context(migration, settings, cache)
    return run_rules(context, enabled_rules(settings))


def lint_tree(path: str, tree: ast.Module, settings: Settings, cache: ProjectCache = PROCESS_CACHE) -> list[Diagnostic]:
    """Findings for an already parsed module (the flake8 face); nothing for a non-migration."""
    try:
        migration = parse_tree(path, tree)
    except RecursionError:
        return []
    except Exception as error:
        return [Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in the parser: {_describe(error)}")]
    if migration is None:
        return []
    return lint_migration(migration, settings, cache)


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
        parsed = parse_source(path, source)
    except RecursionError:
        return FileResult(path, failure=ParseFailure(path, 1, 0, "the file is nested too deeply to analyse"))
    except Exception as error:
        return FileResult(
            path, (Diagnostic(1, 0, INTERNAL_ERROR, f"internal error in the parser: {_describe(error)}"),)
        )
    if parsed is None:
        return FileResult(path)
    if isinstance(parsed, ParseFailure):
        return FileResult(path, failure=parsed, is_migration=True)
    return FileResult(path, tuple(lint_migration(parsed, settings, cache)), is_migration=True)


def _describe(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
