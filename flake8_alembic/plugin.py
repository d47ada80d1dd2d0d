"""The flake8 face: registers the ``--alembic-*`` options and reports the engine's findings as ``ALM###``.

Settings are resolved as the standalone command resolves them: the nearest ``[tool.flake8-alembic]`` above each
linted file, overridden by flake8's ``--alembic-<key>`` options (and the same keys in ``[flake8]``).
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar

from . import __version__, project
from .cache import CacheFolders, flush, pending_writes
from .config import SETTINGS, ConfigError, Resolved, explicit_opt_in
from .engine import INTERNAL_ERROR, PROCESS_CACHE, lint_tree, paused_gc
from .rules.registry import OPT_IN_CODES
from .selection import PREVIEW_CODES, Configurations


class Plugin:
    """flake8 tree plugin (entry point ``ALM``)."""

    name = "flake8-alembic"
    version = __version__
    overrides: ClassVar[dict[str, object]] = {}
    selected: ClassVar[tuple[str, ...]] = ()
    configurations: ClassVar[Configurations] = Configurations({}, Path("."), "flake8 option")
    resolved: ClassVar[dict[Path | None, Resolved]] = {}
    warned: ClassVar[set[str]] = set()

    def __init__(self, tree: ast.Module, filename: str, lines: list[str] | None = None) -> None:
        self.tree = tree
        self.filename = filename
        self.lines = lines

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        for spec in SETTINGS:
            option_manager.add_option(
                spec.option,
                dest=spec.dest,
                type=spec.parse,
                default=None,
                metavar=spec.metavar,
                parse_from_config=True,
                help=f"flake8-alembic: {spec.help}",
            )

    @classmethod
    def parse_options(cls, option_manager: Any, options: argparse.Namespace, args: Sequence[str]) -> None:
        cls.overrides = {
            spec.key: getattr(options, spec.dest) for spec in SETTINGS if getattr(options, spec.dest, None) is not None
        }
        # flake8 selects by its own --select; an opt-in rule runs when that selection names it explicitly.
        cls.selected = (
            *(getattr(options, "select", None) or ()),
            *(getattr(options, "extend_select", None) or ()),
        )
        cls.configurations = Configurations(cls.overrides, Path.cwd(), "flake8 option")
        cls.resolved, cls.warned = {}, set()
        # A broken configuration above the working folder or a path given is one flake8 error line, before any file.
        try:
            for start in (Path.cwd(), *(Path(arg) for arg in args or ())):
                cls._resolved_for(start)
        except ConfigError as error:
            option_manager.parser.error(str(error))
        settings = cls._resolved_for(Path.cwd()).settings
        for code in sorted(PREVIEW_CODES & set(cls.selected)):
            if not settings.preview:
                print(
                    f"flake8-alembic: warning: {code} is a preview rule: it runs only with --alembic-preview=true",
                    file=sys.stderr,
                )
        # On unless turned off: one pack file per process, so flake8's workers never write the same file; measured
        # neutral on a whole tree (cold -j2 and warm -j1) and 0.18 s faster for an editor's one file.
        configured = Path(settings.cache_dir) if settings.cache_dir else None
        PROCESS_CACHE.summaries.folders = CacheFolders(configured) if settings.cache is not False else None

    @classmethod
    def _resolved_for(cls, path: Path) -> Resolved:
        resolved, _ = cls.configurations.for_path(path)
        key = resolved.config.path if resolved.config is not None else None
        if key not in cls.resolved:
            # flake8's own --select/--extend-select decide what is reported, and which opt-in rules run.
            opt_in = explicit_opt_in(cls.selected, OPT_IN_CODES)
            cls.resolved[key] = replace(resolved, settings=resolved.settings.updated({"opt_in": opt_in}))
        return cls.resolved[key]

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        for line, col, message in self._findings():
            yield line, col, message, type(self)

    def _findings(self) -> list[tuple[int, int, str]]:
        with paused_gc():
            return self._lint()

    def _lint(self) -> list[tuple[int, int, str]]:
        try:
            try:
                resolved = self._resolved_for(Path(self.filename))
            except ConfigError as error:
                return [(1, 0, f"{INTERNAL_ERROR} configuration error: {error}")]
            text = "".join(self.lines) if self.lines is not None else None
            diagnostics = lint_tree(self.filename, self.tree, resolved.settings, text=text)
            found = [(d.line, d.col, d.code, d.message) for d in diagnostics]
        except Exception as error:
            message = " ".join(str(error).split())[:200]
            return [(1, 0, f"{INTERNAL_ERROR} internal error in the engine: {type(error).__name__}: {message}")]
        self._warn_about_the_baseline(resolved)
        if pending_writes(PROCESS_CACHE.summaries):
            # flake8 has no end-of-run hook, and pool workers end without atexit. The first file of a history
            # summarises all of it, so this writes one pack per worker; later files find nothing pending.
            flush(PROCESS_CACHE.summaries)
        return [(line, col, f"{code} {message}") for line, col, code, message in found]

    def _warn_about_the_baseline(self, resolved: Resolved) -> None:
        """flake8 sees one environment at a time: a baseline id no environment of the project knows is a warning,
        not an error (an id of another environment of the project is fine)."""
        names = resolved.settings.baseline_revision
        history = PROCESS_CACHE.history
        if not names or history is None:
            return
        environment = history.environment_for(self.filename)
        if environment is None:
            return
        for name in names:
            if name in self.warned or environment.resolve(name) is not None:
                continue
            self.warned.add(name)  # once per process (flake8 -jN may print it N times)
            if not _known_in_the_project(name, Path(self.filename)):
                print(
                    f"flake8-alembic: warning: baseline-revision {name!r} is no revision of the Alembic environments "
                    f"of {project.find_project_root(Path(self.filename))}",
                    file=sys.stderr,
                )


def _known_in_the_project(name: str, path: Path) -> bool:
    """Whether an environment of the project holding ``path`` has the revision or branch label ``name``."""
    from .files import DEFAULT_EXCLUDES, default_paths  # only on this rare path

    history = PROCESS_CACHE.history
    assert history is not None
    root = project.find_project_root(path)
    for folder in default_paths(root, DEFAULT_EXCLUDES):
        first = next(iter(sorted(Path(folder).rglob("*.py"))), None)
        environment = history.environment_for(str(first)) if first is not None else None
        if environment is not None and environment.resolve(name) is not None:
            return True
    return False
