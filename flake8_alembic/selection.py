"""Which findings are reported: ruff's selection over the rule catalogue, shared by both faces.

The more specific selector wins (``--select ALM0 --ignore ALM002`` reports ALM001 but not ALM002); on a tie,
ignore wins. Opt-in rules are reported only when a selector names them by their code or a family prefix longer
than ``ALM`` (``ALM017``, ``ALM01``, ``ALM2``); ``per-file-ignores`` then drops its codes from the files its globs
match, whatever the selection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import ConfigError, ConfigFile, ConfigFinder, PerFileIgnore, Resolved, explicit_opt_in, resolve, suggestion
from .rules.base import Tier
from .rules.registry import BY_CODE, OPT_IN_CODES, RULES

PREVIEW_CODES = frozenset(info.code for info in RULES if info.tier is Tier.PREVIEW)

NOT_RULES = frozenset({"E999", "ALM000"})
"""Codes every selection reports: a file that cannot be parsed, an internal error."""


@dataclass
class Selection:
    select: tuple[str, ...]
    ignore: tuple[str, ...]
    per_file: tuple[PerFileIgnore, ...] = ()
    preview: bool = False
    used_patterns: set[PerFileIgnore] = field(default_factory=set)
    """The per-file-ignores entries that matched a linted file (the others earn a warning)."""
    _per_path: dict[Path, tuple[str, ...]] = field(default_factory=dict, repr=False)

    @classmethod
    def of(cls, resolved: Resolved) -> Selection:
        return cls(resolved.select, resolved.ignore, resolved.per_file_ignores, resolved.settings.preview)

    @property
    def opt_in(self) -> frozenset[str]:
        return explicit_opt_in(self.select, OPT_IN_CODES)

    def ignored_in(self, path: Path) -> tuple[str, ...]:
        """The codes ``per-file-ignores`` drops for ``path`` (matched once per file)."""
        if path not in self._per_path:
            matched = [entry for entry in self.per_file if entry.matches(path)]
            self.used_patterns.update(matched)
            self._per_path[path] = tuple(code for entry in matched for code in entry.codes)
        return self._per_path[path]

    def reports(self, code: str, path: Path) -> bool:
        if code in NOT_RULES:
            return True
        if code in OPT_IN_CODES and code not in self.opt_in:
            return False
        if code in PREVIEW_CODES and not self.preview:
            return False
        chosen = max((len(prefix) for prefix in self.select if code.startswith(prefix)), default=-1)
        dropped = max((len(prefix) for prefix in self.ignore if code.startswith(prefix)), default=-1)
        # As in ruff, a per-file ignore drops its codes from that file whatever the selection says.
        return chosen >= 0 and chosen > dropped and not code.startswith(self.ignored_in(path) or ("\0",))

    def preview_named_without_preview(self) -> list[str]:
        """Preview rules the selection names by their full code while preview mode is off: they do not run."""
        if self.preview:
            return []
        return sorted(code for code in PREVIEW_CODES if code in self.select)

    def unused_patterns(self) -> list[PerFileIgnore]:
        return [entry for entry in self.per_file if entry not in self.used_patterns]


def unknown_selectors(selectors: tuple[str, ...]) -> list[str]:
    """Selectors that name no rule (E999, flake8's syntax error code, is known)."""
    return [
        selector for selector in selectors if selector != "E999" and not any(c.startswith(selector) for c in BY_CODE)
    ]


@dataclass
class Configurations:
    """The configuration of each linted file, resolved once per ``[tool.flake8-alembic]`` table found (ruff's
    hierarchical configuration: the nearest table above a file governs it), with its selection; an explicit
    configuration (``--config``) governs every file. Raises ConfigError for a broken table or an unknown selector."""

    overrides: dict[str, object]
    cwd: Path
    origin: str
    """What the overrides are called in ``--show-settings`` (``command line``, ``flake8 option``)."""
    explicit: ConfigFile | None = None
    finder: ConfigFinder = field(default_factory=ConfigFinder)
    resolved: dict[Path | None, tuple[Resolved, Selection]] = field(default_factory=dict)

    def for_path(self, path: Path) -> tuple[Resolved, Selection]:
        config = self.explicit or self.finder.for_path(path)
        key = config.path if config is not None else None
        if key not in self.resolved:
            resolved = resolve(config, self.overrides, self.origin, self.cwd, OPT_IN_CODES)
            for option, selectors in (("select", resolved.select), ("ignore", resolved.ignore)):
                unknown = unknown_selectors(selectors)
                if unknown:
                    hint = suggestion(unknown[0], BY_CODE)
                    raise ConfigError(
                        f"{option}: unknown rule selector {unknown[0]!r}{hint}; `flake8-alembic rule --all` lists them"
                    )
            self.resolved[key] = (resolved, Selection.of(resolved))
        return self.resolved[key]
