"""``--models module:attribute``: the application's metadata against the live schema at the heads, with Alembic's
own ``compare_metadata`` (what ``alembic check`` runs). This imports the application: an explicit opt-in."""

from __future__ import annotations

import importlib
import inspect
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from .databases import SetupError


@dataclass(frozen=True)
class Drift:
    table: str
    message: str
    path: str
    line: int


def load_metadata(spec: str, search_path: Path) -> tuple[Any, str]:
    """The ``MetaData`` named by ``module:attribute`` (a declarative base's ``.metadata`` too), and its module's
    file."""
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise SetupError(f"--models: expected module:attribute, got {spec!r}")
    if str(search_path) not in sys.path:
        sys.path.insert(0, str(search_path))
    try:
        module = importlib.import_module(module_name)
        value: Any = module
        for part in attribute.split("."):
            value = getattr(value, part)
    except Exception as error:  # the application's import can fail in any way: say how, exit 2
        raise SetupError(f"--models: cannot load {spec}: {type(error).__name__}: {error}") from None
    metadata = getattr(value, "metadata", value)
    if not hasattr(metadata, "sorted_tables"):
        raise SetupError(f"--models: {spec} is neither a MetaData nor a declarative base")
    return metadata, inspect.getsourcefile(module) or ""


def drift(connection: Any, metadata: Any, models_file: str, version_table: str | None) -> list[Drift]:
    """Each difference ``compare_metadata`` finds, placed on the line of the model's table name."""
    context = MigrationContext.configure(connection, opts={"version_table": version_table or "alembic_version"})
    lines = _source_lines(models_file)
    found = []
    for difference in _flatten(compare_metadata(context, metadata)):
        table, message = describe(difference)
        found.append(Drift(table, message, models_file, _line_of_table(lines, table)))
    return found


def _flatten(differences: Iterable[Any]) -> Iterable[tuple[Any, ...]]:
    for difference in differences:
        if isinstance(difference, list):  # modify_* differences of one column come grouped
            yield from difference
        else:
            yield difference


def describe(difference: tuple[Any, ...]) -> tuple[str, str]:
    """(table, sentence) for one of Alembic's diff tuples."""
    kind = difference[0]
    if kind in ("add_table", "remove_table"):
        table = difference[1].name
        side = (
            "the models have a table the migrations never create"
            if kind == "add_table"
            else ("the migrations create a table the models do not have")
        )
        return table, f"{side}: {table}"
    if kind in ("add_column", "remove_column"):
        table, column = difference[2], difference[3].name
        side = (
            "the models have a column the migrations never create"
            if kind == "add_column"
            else ("the migrations create a column the models do not have")
        )
        return table, f"{side}: {table}.{column}"
    if kind.startswith("modify_"):
        table, column, existing, new = difference[2], difference[3], difference[5], difference[6]
        what = kind.removeprefix("modify_").replace("_", " ")
        return table, f"{what} of {table}.{column}: the database has {existing!s}, the models say {new!s}"
    target = difference[1]
    table = getattr(getattr(target, "table", None), "name", "") or ""
    name = getattr(target, "name", None) or str(target)
    side = "the models have it" if kind.startswith("add") else "only the database has it"
    return table, f"{kind.replace('_', ' ')} {name} ({side})"


def _source_lines(path: str) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []


def _line_of_table(lines: list[str], table: str) -> int:
    pattern = re.compile(rf"""["']{re.escape(table)}["']""")
    return next((number for number, text in enumerate(lines, 1) if pattern.search(text)), 1)
