"""Seed rows per revision, in pytest-alembic's shapes: ``before_revision_data`` (inserted before a revision is
applied) and ``at_revision_data`` (inserted right after). Each maps a revision id to one row or a list of rows,
a row being a mapping with its table under ``__tablename__``. ``verify --seed FILE`` reads them from JSON or TOML.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

from .cycle import Rows, Seeds

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python < 3.11 only
    import tomli as tomllib

KEYS = ("before_revision_data", "at_revision_data")


class SeedError(ValueError):
    """A seed file or mapping that is not in the expected shape."""


def seeds_from(data: Mapping[str, object]) -> Seeds:
    """Seeds from a mapping with ``before_revision_data``/``at_revision_data`` (other keys are ignored, so the
    whole of a pytest-alembic ``alembic_config`` dict can be given)."""
    parsed = {key: _by_revision(key, data.get(key) or {}) for key in KEYS}
    return Seeds(before=parsed["before_revision_data"], at=parsed["at_revision_data"])


def read_seeds(path: Path) -> Seeds:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text) if path.suffix == ".toml" else json.loads(text)
    except (OSError, ValueError) as error:
        raise SeedError(f"cannot read seed file {path}: {error}") from None
    if not isinstance(data, dict) or not any(key in data for key in KEYS):
        raise SeedError(f"{path}: expected a table with {KEYS[0]} and/or {KEYS[1]}")
    return seeds_from(data)


def _by_revision(key: str, value: object) -> dict[str, Rows]:
    if not isinstance(value, Mapping):
        raise SeedError(f"{key}: expected a mapping of revision id to rows")
    return {str(revision): _rows(f"{key}.{revision}", rows) for revision, rows in value.items()}


def _rows(where: str, value: object) -> Rows:
    items = value if isinstance(value, list) else [value]
    rows = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("__tablename__"), str):
            raise SeedError(f"{where}: each row is a mapping with its table name under __tablename__")
        values = {str(column): cell for column, cell in item.items() if column != "__tablename__"}
        rows.append((str(item["__tablename__"]), values))
    return rows
