"""What the project a migration belongs to says about itself, read statically (never run), once per folder; the
project-wide part (pins, application code, services) once per project root (``facts.model``).

Each fact is read when first asked, and carries its evidence: ``--show-settings`` prints it, rules read the fact.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Final

from .. import project, reading
from ..pins import VersionRange
from . import code, source
from .dialects import decide_dialects
from .helpers import ApplicationHelpers
from .model import ProjectModel, convention
from .records import DialectClue, Dialects, DowngradePolicy, Evidence, NamingConvention, SchemaBirth, TransactionMode

KNOWN: Final = frozenset(
    {"ini_dialects", "alembic_version", "application_names", "env_sets_lock_timeout", "naming_convention", "autocommit"}
    | {"dialects", "sqlalchemy_versions", "transaction", "schema_birth", "template_downgrades"}
)
"""The facts a caller may give instead of having them read (tests, editors)."""
_DEFINES_DOWNGRADE: Final = re.compile(r"\bdef\s+downgrade")


class ProjectFacts:
    """The facts of the folder holding a migration: its ``alembic.ini``, its environment's ``env.py`` and
    ``script.py.mako``, and its project (``model``, shared by every folder of the same root). Without a path (or for
    facts given as keywords) nothing is read."""

    def __init__(self, migration: Path | None = None, model: ProjectModel | None = None, **known: object) -> None:
        unknown = set(known) - KNOWN
        if unknown:
            raise TypeError(f"unknown project facts: {', '.join(sorted(unknown))}")
        self._migration = migration
        self._model = model
        self.__dict__.update(known)  # what cached_property would store: a given fact is never read

    @cached_property
    def model(self) -> ProjectModel | None:
        """The project the migration belongs to; None without a path."""
        if self._model is not None or self._migration is None:
            return self._model
        return ProjectModel(project.find_project_root(self._migration.parent))

    @cached_property
    def ini(self) -> Path | None:
        """The nearest alembic.ini."""
        return project.find_alembic_ini(self._migration.parent) if self._migration is not None else None

    @cached_property
    def env_py(self) -> code.EnvPyReading | None:
        """The environment's env.py, parsed; None when there is none or it does not parse."""
        path = project.env_py_for(self._migration) if self._migration is not None else None
        return code.read_env_py(path, self.model.root) if path is not None and self.model is not None else None

    def _shown(self, path: Path) -> str:
        return code.shown(path, self.model.root) if self.model is not None else str(path)

    # ----------------------------------------------------------------------------------------------
    # Databases
    # ----------------------------------------------------------------------------------------------

    @cached_property
    def ini_clues(self) -> tuple[DialectClue, ...]:
        """Each ``sqlalchemy.url`` of alembic.ini that names a database."""
        if self.ini is None:
            return ()
        where = self._shown(self.ini)
        return tuple(
            DialectClue(frozenset({dialect}), "alembic.ini", Evidence(f"sqlalchemy.url = {url}", f"{where}:{line}"))
            for line, url, dialect in project.alembic_ini_url_lines(self.ini)
        )

    @cached_property
    def ini_dialects(self) -> frozenset[str]:
        """The dialects ``sqlalchemy.url`` names in the nearest alembic.ini."""
        return project.alembic_ini_dialects(self.ini) if self.ini is not None else frozenset()

    @cached_property
    def dialect_clues(self) -> tuple[DialectClue, ...]:
        """Every clue the project gives of its databases: alembic.ini's real URLs; URLs in env.py and in the
        project modules env.py imports (kind ``env.py``); URLs elsewhere in the application (``url``); driver pins;
        service images. ``facts.dialects.decide_dialects`` weighs them, with the environment's migrations."""
        named = self.ini_dialects
        ini = tuple(clue for clue in self.ini_clues if clue.dialects <= named)
        if named and not ini:  # a URL only configparser reads (a continuation line)
            ini = (DialectClue(named, "alembic.ini", Evidence("sqlalchemy.url", str(self.ini))),)
        bypass = self.env_py.ini_url_bypass_line if self.env_py is not None else None
        if bypass is not None and self.env_py is not None:
            # env.py runs the migrations on the application's database: the ini's URL is only a mention.
            where = f"{self._shown(self.env_py.path)}:{bypass}"
            why = f"a fallback: env.py takes the database from the application at {where}"
            ini = tuple(
                replace(clue, kind="url", evidence=replace(clue.evidence, says=f"{clue.evidence.says}, {why}"))
                for clue in ini
            )
        return ini + self._evidence_clues()

    @cached_property
    def dialects(self) -> Dialects:
        """The databases the project's own clues name, before the environment's migrations are heard."""
        return decide_dialects(self.dialect_clues)

    def _evidence_clues(self) -> tuple[DialectClue, ...]:
        clues: list[DialectClue] = []
        imported: frozenset[Path] = frozenset()
        if self.env_py is not None:
            where = self._shown(self.env_py.path)
            clues += [
                DialectClue(frozenset({url.dialect}), "env.py", Evidence(url.url, f"{where}:{url.line}"))
                for url in self.env_py.urls
            ]
            imported = frozenset(path for path, _ in self.env_py.imports)
        if self.model is not None:
            for clue, path in zip(self.model.url_clues, (path for path, _ in self.model.code.urls)):
                # A URL in a module env.py imports is the one it migrates (a settings default it reads).
                clues.append(replace(clue, kind="env.py") if path in imported else clue)
            clues += [*self.model.driver_clues, *self.model.service_clues, *self.model.test_clues]
        return tuple(clues)

    # ----------------------------------------------------------------------------------------------
    # Versions
    # ----------------------------------------------------------------------------------------------

    @cached_property
    def alembic_version(self) -> tuple[int, ...] | None:
        """The lowest Alembic version the project's pins allow."""
        found = self.model.alembic_pin if self.model is not None else None
        return found[0] if found is not None else None

    @cached_property
    def sqlalchemy_versions(self) -> VersionRange | None:
        """The SQLAlchemy versions the project's pins allow; None when nothing pins SQLAlchemy."""
        return self.model.sqlalchemy_versions if self.model is not None else None

    @cached_property
    def application_names(self) -> frozenset[str]:
        """The application's top-level packages, from the project root."""
        return self.model.application_names if self.model is not None else frozenset()

    # ----------------------------------------------------------------------------------------------
    # env.py: transactions, lock timeout, naming convention
    # ----------------------------------------------------------------------------------------------

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
        text = reading.read_text(self.env_py.path) if self.env_py is not None else None
        return text is not None and "lock_timeout" in text

    @cached_property
    def transaction(self) -> TransactionMode:
        """AUTOCOMMIT (on a connection env.py makes, or on the application engine it imports and uses) and
        ``transaction_per_migration``; unknown without an env.py to read."""
        env = self.env_py
        if env is None:
            return TransactionMode(None)
        where = self._shown(env.path)
        autocommit = (
            Evidence("isolation_level AUTOCOMMIT", f"{where}:{env.autocommit_line}") if env.autocommit_line else None
        )
        if autocommit is None and not env.creates_engine:
            autocommit = self._imported_autocommit(env)
        per_migration = None
        if env.per_migration is not None:
            value, line = env.per_migration
            per_migration = Evidence(f"transaction_per_migration={value}", f"{where}:{line}")
        per_migration_value = env.per_migration[0] if env.per_migration is not None else False
        return TransactionMode(autocommit is not None, autocommit, per_migration_value, per_migration)

    def _imported_autocommit(self, env: code.EnvPyReading) -> Evidence | None:
        """An engine env.py does not make but imports from the application, made with AUTOCOMMIT."""
        for path, names in env.imports:
            if not names:
                continue
            tree = reading.parse_python(path, code.MAX_CODE_BYTES)
            line = project.autocommit_line(tree) if tree is not None else None
            if line is not None:
                says = f"isolation_level AUTOCOMMIT on the engine env.py imports ({', '.join(names)})"
                return Evidence(says, f"{self._shown(path)}:{line}")
        return None

    @cached_property
    def autocommit(self) -> bool | None:
        """env.py runs migrations on an AUTOCOMMIT connection; None when there is no env.py to read."""
        return self.transaction.autocommit

    @cached_property
    def naming_convention(self) -> NamingConvention | None:
        """``MetaData(naming_convention=...)`` in env.py, in a module env.py imports (its ``target_metadata``), or
        anywhere in the application's code, in that order."""
        env = self.env_py
        if env is not None and env.conventions:
            return convention(env.path, env.conventions[0], self._root())
        for path, _ in env.imports if env is not None else ():
            tree = reading.parse_python(path, code.MAX_CODE_BYTES)
            found = source.naming_conventions(tree) if tree is not None else []
            if found:
                return convention(path, found[0], self._root())
        return self.model.naming_convention if self.model is not None else None

    def _root(self) -> Path:
        return self.model.root if self.model is not None else Path("/")

    # ----------------------------------------------------------------------------------------------
    # Schema birth, downgrade policy
    # ----------------------------------------------------------------------------------------------

    @cached_property
    def schema_birth(self) -> SchemaBirth | None:
        """An open world the project's own code or documents show (``create_all`` then ``stamp``); None without
        such evidence (the environment's base revisions may still show one: ``facts.birth``)."""
        return self.model.schema_birth if self.model is not None else None

    @cached_property
    def template_downgrades(self) -> DowngradePolicy | None:
        """``forward-only`` when the environment's ``script.py.mako`` writes no ``downgrade()``: each new revision
        starts without one (OpenStack projects); None when the template writes one, or there is none."""
        if self.env_py is None:
            return None
        template = self.env_py.path.parent / "script.py.mako"
        text = reading.read_text(template)
        if text is None or _DEFINES_DOWNGRADE.search(text):
            return None
        return DowngradePolicy("forward-only", f"{self._shown(template)} writes no downgrade()")
