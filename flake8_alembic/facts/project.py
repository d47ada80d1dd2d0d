"""What the project a migration belongs to says about itself, read statically (never run), once per folder.

Each fact is read when first asked: most files never need the Alembic pin or the application's packages.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Final

from .. import project
from .helpers import ApplicationHelpers

KNOWN: Final = frozenset(
    {"ini_dialects", "alembic_version", "application_names", "env_sets_lock_timeout", "naming_convention", "autocommit"}
)
"""The facts a caller may give instead of having them read (tests, editors)."""


class ProjectFacts:
    """The facts of the folder holding a migration: its ``alembic.ini``, its environment's ``env.py`` and its
    project root. Without a path (or for facts given as keywords) nothing is read."""

    def __init__(self, migration: Path | None = None, **known: object) -> None:
        unknown = set(known) - KNOWN
        if unknown:
            raise TypeError(f"unknown project facts: {', '.join(sorted(unknown))}")
        self._migration = migration
        self.__dict__.update(known)  # what cached_property would store: a given fact is never read

    @cached_property
    def ini_dialects(self) -> frozenset[str]:
        """The dialects ``sqlalchemy.url`` names in the nearest alembic.ini."""
        if self._migration is None:
            return frozenset()
        ini = project.find_alembic_ini(self._migration.parent)
        return project.alembic_ini_dialects(ini) if ini else frozenset()

    @cached_property
    def alembic_version(self) -> tuple[int, ...] | None:
        """The lowest Alembic version the project's pins allow."""
        if self._migration is None:
            return None
        return project.alembic_pin(project.find_project_root(self._migration.parent))

    @cached_property
    def application_names(self) -> frozenset[str]:
        """The application's top-level packages, from the project root."""
        if self._migration is None:
            return frozenset()
        return project.application_packages(project.find_project_root(self._migration.parent))

    @cached_property
    def application_helpers(self) -> ApplicationHelpers | None:
        """The application's functions that migrations call, read when asked (``facts/helpers.py``); None
        without a path."""
        if self._migration is None:
            return None
        return ApplicationHelpers(project.find_project_root(self._migration.parent))

    @cached_property
    def env_sets_lock_timeout(self) -> bool:
        """env.py mentions ``lock_timeout`` (read as text, never run)."""
        return self._env_py_mentions("lock_timeout")

    @cached_property
    def naming_convention(self) -> bool:
        """env.py mentions ``naming_convention``: constraint names follow a convention (read as text, never run)."""
        return self._env_py_mentions("naming_convention")

    @cached_property
    def autocommit(self) -> bool | None:
        """env.py runs migrations on an AUTOCOMMIT connection; None when there is no env.py to read."""
        if self._migration is None:
            return None
        env_py = project.env_py_for(self._migration)
        return project.env_py_autocommit(env_py) if env_py else None

    def _env_py_mentions(self, word: str) -> bool:
        env_py = project.env_py_for(self._migration) if self._migration is not None else None
        try:
            return env_py is not None and word in env_py.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
