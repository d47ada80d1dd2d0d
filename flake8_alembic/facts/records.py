"""The project model's records: each fact a project states about itself, typed, with the evidence that states it.

Evidence is what ``--show-settings`` prints: a file and line (``env.py:12``), or a pin as written and the file that
declares it. A fact nothing states is absent (None) or says so in its ``reason``; rules stay silent on what is unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Evidence:
    """What a file says, and where: ``sqlalchemy.url = mysql+pymysql://…`` at ``alembic.ini:3``."""

    says: str
    where: str

    def __str__(self) -> str:
        return f"{self.says} ({self.where})" if self.where else self.says


@dataclass(frozen=True)
class DialectClue:
    """One place naming the database(s) the project runs on."""

    dialects: frozenset[str]
    kind: str
    """``alembic.ini`` (a real ``sqlalchemy.url``), ``url`` (a URL literal in env.py or the application), ``driver``
    (a driver package in the pins), ``service`` (a docker-compose or CI service image), ``migrations`` (what the
    environment's migrations branch on), ``tests`` (what the project's database tests run on)."""
    evidence: Evidence


@dataclass(frozen=True)
class Dialects:
    """The databases a project runs on, and why: ``source`` says which level of evidence decided (see
    ``facts.dialects``); ``clues`` are every clue of that level. Empty ``dialects``: nothing says."""

    dialects: frozenset[str]
    source: str
    clues: tuple[DialectClue, ...] = ()
    outweighed: tuple[DialectClue, ...] = ()
    """The mentions a stronger level of evidence outweighed (shown, so a reader sees what was not used)."""


@dataclass(frozen=True)
class TransactionMode:
    """How env.py runs the migrations: on an AUTOCOMMIT connection (statements commit one by one, nothing to roll
    back or abort), and with ``transaction_per_migration=True`` (one transaction per revision instead of one for the
    whole run). None: there is no env.py to read."""

    autocommit: bool | None
    autocommit_evidence: Evidence | None = None
    per_migration: bool | None = None
    per_migration_evidence: Evidence | None = None


CONSTRAINT_KINDS: Final = ("fk", "uq", "ck", "pk", "ix")
"""The keys of a SQLAlchemy naming convention that name objects (others are tokens used inside templates)."""


@dataclass(frozen=True)
class NamingConvention:
    """``MetaData(naming_convention=...)``: the template of each kind of constraint it names (None: a template that
    is not a literal string), and whether every key could be read (a ``**spread`` or a dict built at run time
    cannot)."""

    templates: tuple[tuple[str, str | None], ...]
    complete: bool
    evidence: Evidence

    def template(self, kind: str) -> str | None:
        """The template for ``fk``, ``uq``, ``ck``, ``pk`` or ``ix`` constraints, when it is a literal string."""
        return dict(self.templates).get(kind)

    def names(self, kind: str) -> bool | None:
        """Whether the convention names unnamed constraints of ``kind``: True, False, or None when the convention
        could not be read in full."""
        if kind in dict(self.templates):
            return True
        return False if self.complete else None


@dataclass(frozen=True)
class SchemaBirth:
    """How the database schema is born. ``closed``: every table comes from the migrations, so "no migration creates
    it" is evidence that a table does not exist. Open: the schema may come from elsewhere (``create_all`` then
    ``stamp``, a history cut at its base, a base revision that adopts an existing schema)."""

    closed: bool
    reason: str
    evidence: str


UNKNOWN_BIRTH: Final = SchemaBirth(True, "no evidence of a schema born outside the migrations", "")


@dataclass(frozen=True)
class DowngradePolicy:
    """Whether a migration must write a downgrade(), and why."""

    policy: str
    """``required`` or ``forward-only``."""
    evidence: str
