"""The flake8 face: registers the ``--alembic-*`` options and reports the engine's findings as ``ALM###``.

Settings are resolved as the standalone command resolves them: the nearest ``[tool.flake8-alembic]`` above each
linted file, overridden by flake8's ``--alembic-<key>`` options (and the same keys in ``[flake8]``).

An editor lints one file at a time, and a flake8 process pays for importing the engine and reading the file's whole
history before it reports anything. When flake8 is given one file and a resident server runs (docs/server.md), the
plugin hands the file's text and flake8's options to the server, which runs this same module there (``setup`` and
``_lint``) with what it keeps in memory; anything it does not answer is linted here. Whole trees are linted here:
one process reads each history once for all its files. So this module imports the engine only where it lints.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from . import __version__
from .config import SETTINGS, ConfigError, Resolved, explicit_opt_in

if TYPE_CHECKING:
    from .engine import ProjectCache
    from .history import HistoryCache
    from .selection import Configurations


class Plugin:
    """flake8 tree plugin (entry point ``ALM``)."""

    name = "flake8-alembic"
    version = __version__
    overrides: ClassVar[dict[str, object]] = {}
    selected: ClassVar[tuple[str, ...]] = ()
    configurations: ClassVar[Configurations | None] = None
    resolved: ClassVar[dict[Path | None, Resolved]] = {}
    warned: ClassVar[set[str]] = set()
    cache: ClassVar[ProjectCache | None] = None
    """Where the engine keeps what it learns (``engine.PROCESS_CACHE`` under flake8; a server's run's own)."""
    remote: ClassVar[bool] = False
    """Files go to a resident server (one file, and a server answered the set-up)."""

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
        overrides = {
            spec.key: getattr(options, spec.dest) for spec in SETTINGS if getattr(options, spec.dest, None) is not None
        }
        # flake8 selects by its own --select; an opt-in rule runs when that selection names it explicitly.
        selected = (
            *(getattr(options, "select", None) or ()),
            *(getattr(options, "extend_select", None) or ()),
        )
        cls.overrides, cls.selected, cls.remote = overrides, selected, False
        if len(args or ()) == 1 and (args[0] == "-" or os.path.isfile(args[0])):
            answered = _served_setup(overrides, selected, list(args))
            if answered is not None:
                error, printed = answered
                if error is not None:
                    option_manager.parser.error(error)
                sys.stderr.write(printed)
                cls.remote = True
                return
        error = cls.setup(overrides, selected, Path.cwd(), list(args or ()))
        if error is not None:
            # A broken configuration above the working folder or a path given is one flake8 error line.
            option_manager.parser.error(error)

    @classmethod
    def setup(
        cls,
        overrides: dict[str, object],
        selected: tuple[str, ...],
        cwd: Path,
        args: list[str],
        cache: ProjectCache | None = None,
    ) -> str | None:
        """Resolve the configurations (every one above ``cwd`` and the paths given, before any file), print the
        warnings about them, and choose the cache; the error of a broken configuration, else None."""
        from .cache import CacheFolders
        from .engine import PROCESS_CACHE
        from .selection import PREVIEW_CODES, Configurations

        cls.overrides, cls.selected = overrides, selected
        cls.configurations = Configurations(overrides, cwd, "flake8 option")
        cls.resolved, cls.warned = {}, set()
        cls.cache = cache or PROCESS_CACHE
        try:
            for start in (cwd, *(Path(arg) for arg in args)):
                cls._resolved_for(start)
        except ConfigError as error:
            return str(error)
        settings = cls._resolved_for(cwd).settings
        for code in sorted(PREVIEW_CODES & set(selected)):
            if not settings.preview:
                print(
                    f"flake8-alembic: warning: {code} is a preview rule: it runs only with --alembic-preview=true",
                    file=sys.stderr,
                )
        # On unless turned off: one pack file per process, so flake8's workers never write the same file; measured
        # neutral on a whole tree (cold -j2 and warm -j1) and 0.18 s faster for an editor's one file.
        configured = Path(settings.cache_dir) if settings.cache_dir else None
        cls.cache.summaries.folders = CacheFolders(configured) if settings.cache is not False else None
        return None

    @classmethod
    def _resolved_for(cls, path: Path) -> Resolved:
        from .rules.registry import OPT_IN_CODES

        assert cls.configurations is not None, "setup() resolves the configurations first"
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
        if self.remote:
            served = _served_lint(self.overrides, self.selected, self.filename, self.lines)
            if served is not None:
                return served
            type(self).remote = False  # the server went away: this process lints from now on
            error = type(self).setup(self.overrides, self.selected, Path.cwd(), [])
            if error is not None:
                return [(1, 0, f"ALM000 configuration error: {error}")]
        from .engine import paused_gc

        with paused_gc():
            return self._lint()

    def _lint(self) -> list[tuple[int, int, str]]:
        from .cache import flush, pending_writes
        from .engine import INTERNAL_ERROR, lint_tree

        cache = self.cache
        assert cache is not None, "setup() chooses the cache first"
        try:
            try:
                resolved = self._resolved_for(Path(self.filename))
            except ConfigError as error:
                return [(1, 0, f"{INTERNAL_ERROR} configuration error: {error}")]
            text = "".join(self.lines) if self.lines is not None else None
            diagnostics = lint_tree(self.filename, self.tree, resolved.settings, cache, text=text)
            found = [(d.line, d.col, d.code, d.message) for d in diagnostics]
        except Exception as error:
            message = " ".join(str(error).split())[:200]
            return [(1, 0, f"{INTERNAL_ERROR} internal error in the engine: {type(error).__name__}: {message}")]
        self._warn_about_the_baseline(resolved)
        if pending_writes(cache.summaries):
            # flake8 has no end-of-run hook, and pool workers end without atexit. The first file of a history
            # summarises all of it, so this writes one pack per worker; later files find nothing pending.
            flush(cache.summaries)
        return [(line, col, f"{code} {message}") for line, col, code, message in found]

    def _warn_about_the_baseline(self, resolved: Resolved) -> None:
        """flake8 sees one environment at a time: a baseline id no environment of the project knows is a warning,
        not an error (an id of another environment of the project is fine)."""
        names = resolved.settings.baseline_revision
        history = self.cache.history if self.cache is not None else None
        if not names or history is None:
            return
        environment = history.environment_for(self.filename)
        if environment is None:
            return
        for name in names:
            if name in self.warned or environment.resolve(name) is not None:
                continue
            self.warned.add(name)  # once per process (flake8 -jN may print it N times)
            if not _known_in_the_project(name, Path(self.filename), history):
                from . import project

                print(
                    f"flake8-alembic: warning: baseline-revision {name!r} is no revision of the Alembic environments "
                    f"of {project.find_project_root(Path(self.filename))}",
                    file=sys.stderr,
                )


def _known_in_the_project(name: str, path: Path, history: HistoryCache) -> bool:
    """Whether an environment of the project holding ``path`` has the revision or branch label ``name``."""
    from . import project
    from .files import DEFAULT_EXCLUDES, default_paths  # only on this rare path

    root = project.find_project_root(path)
    for folder in default_paths(root, DEFAULT_EXCLUDES):
        first = next(iter(sorted(Path(folder).rglob("*.py"))), None)
        environment = history.environment_for(str(first)) if first is not None else None
        if environment is not None and environment.resolve(name) is not None:
            return True
    return False


# ---------------------------------------------------------------------------------------------- a resident server


def _served_setup(
    overrides: dict[str, object], selected: tuple[str, ...], args: list[str]
) -> tuple[str | None, str] | None:
    """(the configuration error, what set-up printed) from a resident server; None when none answers."""
    reply = _ask(b"flake8-setup", {"overrides": overrides, "selected": selected, "args": args})
    if reply is None or not isinstance(reply.get("printed"), str):
        return None
    error = reply.get("error")
    return (error if isinstance(error, str) else None), reply["printed"]


def _served_lint(
    overrides: dict[str, object], selected: tuple[str, ...], filename: str, lines: list[str] | None
) -> list[tuple[int, int, str]] | None:
    """The findings a resident server reports for this file and text; None when none answers."""
    if lines is None:
        return None
    reply = _ask(
        b"flake8-lint", {"overrides": overrides, "selected": selected, "filename": filename, "text": "".join(lines)}
    )
    found = reply.get("findings") if reply is not None else None
    if reply is None or not isinstance(found, list) or not isinstance(reply.get("printed"), str):
        return None
    sys.stderr.write(reply["printed"])
    return [(int(line), int(col), str(message)) for line, col, message in found]


def _ask(verb: bytes, payload: dict[str, object]) -> dict[str, Any] | None:
    import json

    from . import client

    if not client.server_may_run():
        return None
    payload = {**payload, "overrides": plain_overrides(payload["overrides"]), "cwd": os.getcwd()}
    reply = client.exchange(client.json_request(verb, {**payload, "env": dict(os.environ)}))
    if reply is None or not reply.startswith(b"flake8\0"):
        return None
    try:
        answer = json.loads(reply[len(b"flake8\0") :])
    except ValueError:
        return None
    return answer if isinstance(answer, dict) else None


def plain_overrides(overrides: object) -> dict[str, object]:
    """flake8's parsed ``--alembic-*`` values as TOML would give them: each setting's parser takes them back."""
    assert isinstance(overrides, dict)
    return {key: _plain(value) for key, value in overrides.items()}


def _plain(value: object) -> object:
    if isinstance(value, tuple) and value and all(isinstance(part, int) for part in value):
        return ".".join(str(part) for part in value)  # a version: (1, 4) -> "1.4"
    if isinstance(value, (set, frozenset)):
        return sorted(_plain(item) for item in value)  # type: ignore[type-var]
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value
