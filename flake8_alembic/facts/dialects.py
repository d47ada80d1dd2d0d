"""Which databases a project runs on, from the evidence it gives, in order of precedence:

1. the ``target-dialects`` setting;
2. a real ``sqlalchemy.url`` in ``alembic.ini`` (a placeholder such as ``driver://…`` or ``%(DB_URL)s`` says
   nothing);
3. a folder below ``versions`` named after a dialect (``versions/sqlite/``): it says where *its* files run, which
   project-wide evidence cannot;
4. the project's evidence, together: URLs spelled in env.py and the application (``create_engine("sqlite://…")``, a
   settings default), driver packages in the pins (``psycopg``, ``PyMySQL``…; test and dev groups left out), and
   the database images of docker-compose and CI services;
5. without any evidence: PostgreSQL, plus the dialects a file imports or branches on (its ``else`` runs
   somewhere).

When there is evidence (levels 1-4), nothing is added to it: a project whose only database is SQLite is linted as
SQLite only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path

from .. import dialects
from ..pins import ProjectPins
from .code import shown
from .records import DialectClue, Dialects, Evidence


def dialect_folder(path: str) -> frozenset[str]:
    """``…/versions/sqlite/x.py`` → {"sqlite"}: a folder below ``versions`` named after a dialect."""
    parts = os.path.abspath(path).split(os.sep)
    if "versions" not in parts[:-1]:
        return frozenset()
    below = parts[len(parts) - 1 - parts[::-1].index("versions") : -1]
    return frozenset(dialects.FOLDER_NAMES[part.lower()] for part in below if part.lower() in dialects.FOLDER_NAMES)


def _extra_dialects(extra: str) -> frozenset[str]:
    """``postgresql_asyncpg`` → PostgreSQL; ``asyncpg`` (an extra named after a driver) too."""
    first = re.split(r"[-_.]", extra, maxsplit=1)[0]
    return dialects.EXTRA_WORDS.get(first, frozenset()) | dialects.DRIVER_PACKAGES.get(extra, frozenset())


def driver_clues(pins: ProjectPins, root: Path) -> tuple[DialectClue, ...]:
    """Driver packages (and extras naming a database: ``SQLAlchemy[postgresql_asyncpg]``, ``oslo.db[mysql]``) the
    project declares for its users; what only its developers install (test, dev, docs groups) says nothing."""
    clues = []
    for requirement in pins.requirements(include_dev=False):
        found = dialects.DRIVER_PACKAGES.get(requirement.name, frozenset())
        for extra in requirement.extras:
            found |= _extra_dialects(extra)
        if found:
            where = " ".join(filter(None, (shown(Path(requirement.path), root), requirement.section)))
            clues.append(DialectClue(found, "driver", Evidence(requirement.text, where)))
    return tuple(clues)


def _union(clues: Iterable[DialectClue]) -> frozenset[str]:
    return frozenset(name for clue in clues for name in clue.dialects)


def project_dialects(ini: tuple[DialectClue, ...], evidence: tuple[DialectClue, ...]) -> Dialects:
    """The databases the project as a whole names (levels 2 and 4); empty when nothing does."""
    if ini:
        return Dialects(_union(ini), "alembic.ini", ini)
    if evidence:
        return Dialects(_union(evidence), "project", evidence)
    return Dialects(frozenset(), "none")


def file_dialects(
    setting: frozenset[str] | None, project: Dialects, path: str, hints: frozenset[str] = frozenset()
) -> Dialects:
    """The databases one migration file runs on, by the precedence above."""
    if setting:
        return Dialects(setting, "setting")
    if project.source == "alembic.ini":
        return project
    folder = dialect_folder(path)
    if folder:
        where = os.path.dirname(os.path.abspath(path))
        return Dialects(folder, "folder", (DialectClue(folder, "folder", Evidence("a versions folder", where)),))
    if project.dialects:
        return project
    return Dialects(hints | dialects.DEFAULT, "default")


def environment_dialects(setting: frozenset[str] | None, project: Dialects) -> frozenset[str]:
    """The databases the whole environment's replay runs on: per-file folders and hints do not change it."""
    return setting or project.dialects or dialects.DEFAULT
