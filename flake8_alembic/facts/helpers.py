"""What the application's functions that migrations call do to the database, read statically from the project.

A call into the application is code the migration's own text cannot show. When the function lives in the
project (its top-level package is one of the application's), its module is parsed with ``ast`` and the function
walked (``parse/helpers.py``); what it calls in turn is followed a few steps deep. Bounded: modules over
``MAX_MODULE_BYTES`` or outside the project root are not read, each module is parsed once per process, and
anything not found stays ``unknown``.
"""

from __future__ import annotations

import ast
import functools
import os
import warnings
from collections.abc import Collection
from pathlib import Path
from typing import Final

from ..parse.classify import SCHEMA, UNKNOWN, strongest
from ..parse.helpers import HelperEffect, HelperModule

MAX_DEPTH: Final = 3
"""Calls followed from the migration: its helper, what that calls, and one more step."""
MAX_MODULE_BYTES: Final = 1_000_000


class ApplicationHelpers:
    """The application's functions under one project root, read when a migration's call asks for them."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def effect(self, qualified: str, packages: Collection[str]) -> str:
        """What calling the application's function ``qualified`` (``pkg.module.function``) does, ``packages``
        being the application's top-level names: ``schema``, ``data``, ``neutral``, ``none``, or ``unknown``
        when it cannot be read (not the application's, not a module-level function, not found, or calling code
        that cannot be read). The modules are parsed once per process; the function is walked on each question
        (rules ask only about the few calls they need)."""
        return self._effect(qualified, frozenset(packages), MAX_DEPTH, frozenset())

    def _effect(self, qualified: str, packages: frozenset[str], depth: int, seen: frozenset[str]) -> str:
        if depth <= 0 or qualified in seen or qualified.split(".")[0] not in packages:
            return UNKNOWN
        summary = self._find(qualified)
        if summary is None:
            return UNKNOWN
        effects = [summary.effect]
        for call in summary.foreign_calls:
            effects.append(self._effect(call, packages, depth - 1, seen | {qualified}))
            if effects[-1] == SCHEMA:
                break
        return strongest(effects)

    def _find(self, qualified: str) -> HelperEffect | None:
        """The function's effect in its module, following one re-export (``from .steps import add_column``)."""
        parts = qualified.split(".")
        for _ in range(2):
            found = self._module(parts[:-1])
            if found is None:
                return None
            module, package = found
            summary = module.effect_of(parts[-1])
            if summary is not None:
                return summary
            origin = module.import_of(parts[-1])
            if origin is None:
                return None
            parts = [*_absolute(origin[0], package), origin[1]]
        return None

    def _module(self, dotted: list[str]) -> tuple[HelperModule, list[str]] | None:
        """The module ``dotted`` names under the project root (or its ``src``), and the package it is in."""
        if not dotted or not all(part.isidentifier() for part in dotted):
            return None
        for base in (self._root, self._root / "src"):
            module = _read_module(base.joinpath(*dotted).with_suffix(".py"))
            if module is not None:
                return module, dotted[:-1]
            module = _read_module(base.joinpath(*dotted, "__init__.py"))
            if module is not None:
                return module, dotted
        return None


def _absolute(module: str, package: list[str]) -> list[str]:
    """The dotted parts of an imported module, a relative one resolved against ``package``."""
    level = len(module) - len(module.lstrip("."))
    rest = [part for part in module.lstrip(".").split(".") if part]
    if not level:
        return rest
    return [*package[: max(len(package) - (level - 1), 0)], *rest]


def _read_module(path: Path) -> HelperModule | None:
    try:
        status = os.stat(path)
    except OSError:
        return None
    if not os.path.isfile(path) or status.st_size > MAX_MODULE_BYTES:
        return None
    return _parsed(str(path), status.st_mtime_ns, status.st_size)


@functools.lru_cache(maxsize=256)
def _parsed(path: str, mtime_ns: int, size: int) -> HelperModule | None:
    """One module parsed per process and version of the file (its mtime and size are part of the key)."""
    try:
        with open(path, "rb") as handle:
            source = handle.read()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source, filename=path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return HelperModule(tree)
