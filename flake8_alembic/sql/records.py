"""The records of classified SQL: one statement (``SqlStatement``), one sub-action of ``ALTER TABLE``
(``AlterAction``), and ``HOLE``, the character that stands for each ``{...}`` of an f-string."""

from __future__ import annotations

from dataclasses import dataclass

HOLE: str = "\x00"


@dataclass(frozen=True)
class AlterAction:
    """One comma-separated sub-action of ``ALTER TABLE``."""

    kind: str  # ADD COLUMN, DROP COLUMN, ALTER COLUMN TYPE, RENAME COLUMN, RENAME TO, DROP CONSTRAINT,
    # ADD CONSTRAINT, SET NOT NULL, DROP NOT NULL, SET DEFAULT, DROP DEFAULT, VALIDATE CONSTRAINT, OTHER
    column: str | None = None
    new_name: str | None = None
    type_text: str | None = None
    using: bool = False
    if_exists: bool = False
    if_not_exists: bool = False
    constraint: str | None = None
    not_valid: bool = False


@dataclass(frozen=True)
class SqlStatement:
    """One classified statement."""

    verb: str
    object_kind: str | None
    names: tuple[str | None, ...]
    if_exists: bool = False
    if_not_exists: bool = False
    concurrently: bool = False
    unique: bool = False
    table: str | None = None
    actions: tuple[AlterAction, ...] = ()
    columns: tuple[tuple[str, str], ...] = ()
    text: str = ""
