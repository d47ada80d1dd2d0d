"""The flake8 face: registers the ``--alembic-*`` options and reports the engine's findings as ``ALM###``."""

from __future__ import annotations

import argparse
import ast
import gc
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

from . import __version__
from .cache import project_cache
from .config import SETTINGS, ConfigError, Settings, explicit_opt_in, find_pyproject, load_pyproject
from .engine import INTERNAL_ERROR, PROCESS_CACHE, lint_tree
from .project import find_project_root
from .rules.registry import OPT_IN_CODES


class Plugin:
    """flake8 tree plugin (entry point ``ALM``)."""

    name = "flake8-alembic"
    version = __version__
    settings: ClassVar[Settings] = Settings()

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
        values: dict[str, object] = {}
        try:
            pyproject = find_pyproject(Path.cwd())
            if pyproject is not None:
                values.update(load_pyproject(pyproject))
        except ConfigError as error:
            option_manager.parser.error(str(error))
        for spec in SETTINGS:
            value = getattr(options, spec.dest, None)
            if value is not None:
                values[spec.key] = value
        selected = [
            *(getattr(options, "select", None) or ()),
            *(getattr(options, "extend_select", None) or ()),
        ]
        values["opt_in"] = explicit_opt_in(selected, OPT_IN_CODES)
        cls.settings = Settings().updated(values)
        # Opt-in under flake8: every worker summarises (and so would write) every file of a history, and creating
        # thousands of small files cost more on a cold run than loading them saved on a warm one (docs/performance.md).
        PROCESS_CACHE.summaries.disk = project_cache(find_project_root(Path.cwd())) if cls.settings.cache else None

    def run(self) -> Iterator[tuple[int, int, str, type[Plugin]]]:
        for line, col, message in self._findings():
            yield line, col, message, type(self)

    def _findings(self) -> list[tuple[int, int, str]]:
        # Our per-file records hold no reference cycles. Pausing the cyclic collector while they are built keeps it
        # from rescanning flake8's whole heap several times per file (most of our overhead under flake8 -j1).
        collecting = gc.isenabled()
        gc.disable()
        try:
            text = "".join(self.lines) if self.lines is not None else None
            diagnostics = lint_tree(self.filename, self.tree, self.settings, text=text)
        except Exception as error:
            message = " ".join(str(error).split())[:200]
            return [(1, 0, f"{INTERNAL_ERROR} internal error in the engine: {type(error).__name__}: {message}")]
        finally:
            if collecting:
                gc.enable()
        disk = PROCESS_CACHE.summaries.disk
        if disk is not None and disk.pending:
            # flake8 has no end-of-run hook, and pool workers end without atexit. The first file of a history
            # summarises all of it, so this writes one pack per worker; later files find nothing pending.
            disk.flush()
        return [(d.line, d.col, f"{d.code} {d.message}") for d in diagnostics]
