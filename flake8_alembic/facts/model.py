"""The project model: what a project (its root) says about itself, read statically once per root and process, each
fact when first asked. ``ProjectFacts`` adds what one Alembic environment's files say (alembic.ini, env.py,
script.py.mako) and is what the engine and ``--show-settings`` read.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from .. import dialects, pins, project
from ..pins import ProjectPins, VersionRange
from . import code, services
from .dialects import driver_clues
from .records import DialectClue, Evidence, NamingConvention, SchemaBirth
from .source import ConventionClue


class ProjectModel:
    """The facts of the project at ``root``: its pins, its application's code and documents, its services."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @cached_property
    def real(self) -> bool:
        """A real project root (a marker file, ``.git`` or a wheel): only then are its code and documents read."""
        return project.is_project_root(self.root)

    @cached_property
    def pins(self) -> ProjectPins:
        return pins.read_pins(self.root)

    @cached_property
    def alembic_pin(self) -> tuple[tuple[int, ...], str] | None:
        """The lowest Alembic version the pins allow, and the file that says so."""
        return self.pins.lowest("alembic")

    @cached_property
    def sqlalchemy_versions(self) -> VersionRange | None:
        """The SQLAlchemy versions the pins allow; None when nothing pins SQLAlchemy."""
        return self.pins.range_of("sqlalchemy")

    @cached_property
    def application_names(self) -> frozenset[str]:
        return project.application_packages(self.root)

    @cached_property
    def code(self) -> code.CodeClues:
        """What the application's Python files say (nothing outside a real project root)."""
        return code.read_code(self.root, code.code_files(self.root))

    @cached_property
    def driver_clues(self) -> tuple[DialectClue, ...]:
        return driver_clues(self.pins, self.root)

    @cached_property
    def service_clues(self) -> tuple[DialectClue, ...]:
        return services.service_clues(self.root) if self.real else ()

    @cached_property
    def url_clues(self) -> tuple[DialectClue, ...]:
        """Database URLs spelled in the application's code."""
        return tuple(
            DialectClue(
                frozenset({clue.dialect}), "url", Evidence(clue.url, f"{code.shown(path, self.root)}:{clue.line}")
            )
            for path, clue in self.code.urls
        )

    @cached_property
    def test_clues(self) -> tuple[DialectClue, ...]:
        """The server databases the project's own database tests run on: the first place naming each, one clue per
        place (``TestMigrationsMySQL`` names MySQL and MariaDB at once)."""
        places: dict[Evidence, set[str]] = {}
        named: set[str] = set()
        for path, clue in code.migration_test_clues(code.test_files(self.root)):
            # SQLite in tests is a convenience (an in-memory database), not a statement of where migrations run.
            if clue.dialect in named or clue.dialect in dialects.SQLITE:
                continue
            named.add(clue.dialect)
            places.setdefault(Evidence(clue.url, f"{code.shown(path, self.root)}:{clue.line}"), set()).add(clue.dialect)
        return tuple(DialectClue(frozenset(found), "tests", evidence) for evidence, found in places.items())

    @cached_property
    def naming_convention(self) -> NamingConvention | None:
        """The first naming convention the application's code gives ``MetaData``."""
        found = self.code.conventions
        return convention(found[0].path, found[0].clue, self.root) if found else None

    @cached_property
    def schema_birth(self) -> SchemaBirth | None:
        """An open world when the application calls ``create_all()`` and the project stamps the database with
        Alembic (in its code, scripts or documents); None without that evidence."""
        stamps = (*self.code.stamps, *code.documented_stamps(self.root))
        if not self.code.create_all or not stamps:
            return None
        return SchemaBirth(
            False,
            "the application creates the schema with create_all() and stamps it with Alembic",
            f"{self.code.create_all[0]}; {stamps[0]}",
        )


def convention(path: Path, clue: ConventionClue, root: Path) -> NamingConvention:
    evidence = Evidence("MetaData(naming_convention=...)", f"{code.shown(path, root)}:{clue.line}")
    return NamingConvention(clue.templates, clue.complete, evidence)
