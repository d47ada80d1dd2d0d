"""Which databases a project runs on, from the evidence it gives, in order of precedence:

1. the ``target-dialects`` setting;
2. a folder below ``versions`` named after a dialect (``versions/sqlite/``): it says where *its* files run, which
   project-wide evidence cannot;
3. what says where *this environment's* migrations run, together: a real ``sqlalchemy.url`` in ``alembic.ini`` (a
   placeholder such as ``driver://…`` or ``%(DB_URL)s`` says nothing), URLs spelled in env.py and in the project
   modules env.py imports, the database images of docker-compose and CI services, the dialects the
   environment's migrations branch on or import types from (their authors wrote them for those databases; when
   nothing else here names a database, PostgreSQL, the default, joins them: a branch has an ``else``; when the
   branches name only SQLite, the servers the project's driver pins name run that ``else`` instead);
   the server databases the project's own database tests run on are added to them (a test module naming
   Alembic, migrations or upgrades that spells a URL, names a test class or fixture after a server database, or
   compares with a database's name: a project that tests its migrations on PostgreSQL supports PostgreSQL
   whatever its settings default to; SQLite in tests is a convenience, not a target);
4. only without any of that, what the project merely mentions: URLs elsewhere in the application (a settings
   default, a connector to some other database) and driver packages in the pins (test and dev groups left out),
   with the databases its tests run on;
5. without any of that: PostgreSQL, plus the databases its tests run on, else plus the dialects a file imports or
   branches on (its ``else`` runs somewhere).

At levels 3 to 5, a proof rules databases out: SQL PostgreSQL rejects (MySQL's ``UPDATE … JOIN``, ``MODIFY``,
``DROP PRIMARY KEY``, ``ENGINE=``, a backtick-quoted name) that a migration runs on every database, unguarded and
outside any ``try``: the history stops there on every database that rejects it (PostgreSQL, and SQLite but for
backticks), so nobody runs it there. Only a URL or a service naming the database keeps it.

When there is evidence (levels 1-4), nothing but its tests' databases is added to it: a project whose only
database is SQLite is linted as SQLite only. Mentions come last because a project names databases it does not
migrate (an application that connects to its customers' MySQL keeps its own schema on PostgreSQL; a development
default of ``sqlite://`` says nothing of production), while a migration that branches on ``mysql`` was written to
run there.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Final

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


STRONG_KINDS: Final = frozenset({"alembic.ini", "env.py", "service", "migrations"})
_WHERE_THEY_RUN: Final = frozenset({"alembic.ini", "env.py", "service"})
"""The strong clues that name a database the migrations are run on (not only written for)."""
"""Clues that say where the environment's migrations run (level 3); the others are mentions (level 4), except the
server databases the project's own database tests run on (``tests``), which add to either level and close neither:
a project tests on the databases it supports, and tests on one does not say it supports no other."""


def _union(clues: Iterable[DialectClue]) -> frozenset[str]:
    return frozenset(name for clue in clues for name in clue.dialects)


def decide_dialects(clues: Iterable[DialectClue]) -> Dialects:
    """The databases an environment runs on, from its clues (levels 3 and 4), less those an ``unrunnable`` clue
    proves the migrations cannot run on; empty when nothing says."""
    given = tuple(clues)
    every = tuple(clue for clue in given if clue.kind != "unrunnable")
    found = _decide(every)
    # A URL or a service naming PostgreSQL says where the migrations run, whatever SQL an old revision holds.
    named = _union(clue for clue in every if clue.kind in _WHERE_THEY_RUN)
    for proof in (clue for clue in given if clue.kind == "unrunnable"):
        # The clue names the databases its SQL runs on and they reject (SQLite rejects MySQL's UPDATE … JOIN as
        # PostgreSQL does): they leave the set, unless a URL or service says the migrations run there.
        base = found.dialects or dialects.DEFAULT  # nothing said: the default would apply
        kept = base - (proof.dialects - named)
        if kept != base:
            found = Dialects(kept or dialects.ALL - proof.dialects, "evidence", (*found.clues, proof), found.outweighed)
    return found


def _decide(every: tuple[DialectClue, ...]) -> Dialects:
    strong = tuple(clue for clue in every if clue.kind in STRONG_KINDS)
    tested = tuple(clue for clue in every if clue.kind == "tests")
    mentioned = tuple(clue for clue in every if clue.kind not in STRONG_KINDS and clue.kind != "tests")
    if strong and not all(clue.kind == "migrations" for clue in strong):
        return Dialects(_union(strong + tested), "evidence", strong + tested, outweighed=mentioned)
    if strong:
        # A migration written for some databases (a branch on `mysql`) says where it runs, not that nothing else
        # runs it (its `else` runs somewhere): with nothing else naming where, the default stays. What the project
        # mentions does not join (a connector's driver pin names its customers' databases), except when the
        # branches name no server database: a branch that sets SQLite apart runs its `else` on the servers the
        # project ships drivers for.
        found = _union(strong + tested)
        drivers = (
            tuple(clue for clue in mentioned if clue.kind == "driver" and clue.dialects & dialects.SERVERS)
            if not found & dialects.SERVERS
            else ()
        )
        if drivers:
            rest = tuple(clue for clue in mentioned if clue not in drivers)
            found |= _union(drivers) & dialects.SERVERS
            return Dialects(found, "branches-drivers", strong + tested + drivers, outweighed=rest)
        return Dialects(found | dialects.DEFAULT, "branches", strong + tested, outweighed=mentioned)
    if len(tested) < len(every):
        return Dialects(_union(every), "mentions", every)
    if tested:  # tests alone close nothing: the default stays, with the databases they run on
        return Dialects(_union(tested) | dialects.DEFAULT, "tests", tested)
    return Dialects(frozenset(), "none")


_POSTGRESQL_REJECTS: Final = (
    (
        re.compile(
            r"(?is)^\s*UPDATE\s+[\w.`\"]+(?:\s+(?:AS\s+)?\w+)?\s+(?:INNER\s+|LEFT\s+(?:OUTER\s+)?|CROSS\s+)?JOIN\b"
        ),
        "UPDATE … JOIN",
        dialects.MYSQL,
    ),
    (
        re.compile(r"(?is)^\s*ALTER\s+TABLE\s+[\w.`\"]+\s+(?:CHANGE|MODIFY)\b"),
        "ALTER TABLE … MODIFY/CHANGE",
        dialects.MYSQL | {"oracle"},
    ),
    (
        re.compile(r"(?is)^\s*ALTER\s+TABLE\s+[\w.`\"]+\s+DROP\s+PRIMARY\s+KEY\b"),
        "DROP PRIMARY KEY",
        dialects.MYSQL | {"oracle"},
    ),
    # A table option: after CREATE TABLE's closing parenthesis, or ALTER TABLE t ENGINE=… (not a column "engine").
    (
        re.compile(r"(?is)^\s*CREATE\s+TABLE\b.*\)[^()]*\bENGINE\s*=\s*\w+[^()]*$"),
        "ENGINE=",
        dialects.MYSQL,
    ),
    (re.compile(r"(?is)^\s*ALTER\s+TABLE\s+[\w.`\"]+\s+ENGINE\s*=\s*\w+"), "ENGINE=", dialects.MYSQL),
)
"""SQL that PostgreSQL rejects, with what it is and the databases that accept it."""
_LITERALS_AND_COMMENTS: Final = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)


@functools.lru_cache(maxsize=4096)  # a pure function of the text: a resident server asks again on every request
def postgresql_rejects(sql: str) -> tuple[str, frozenset[str]] | None:
    """What in ``sql`` PostgreSQL rejects (and the databases that accept it), or None: MySQL's ``UPDATE … JOIN``,
    ``MODIFY``/``CHANGE``, ``DROP PRIMARY KEY``, a table ``ENGINE=``, a backtick-quoted name."""
    code = _LITERALS_AND_COMMENTS.sub("''", sql)  # what a string literal or a comment says is not SQL
    for pattern, what, accepted in _POSTGRESQL_REJECTS:
        if pattern.search(code):
            return what, accepted
    if "`" in code:
        return "a `backtick`-quoted name", dialects.MYSQL | dialects.SQLITE
    return None


def unrunnable_clue(found: Iterable[tuple[str, int, str, frozenset[str]]]) -> DialectClue | None:
    """From (path, line, what, ruled out) of statements the migrations run unguarded and outside any try on
    databases that reject them (``ruled out``): the one that rules out the most, as proof the chain cannot run on
    those databases (it stops there). The clue's dialects are the databases ruled out."""
    proofs = [(path, line, what, out) for path, line, what, out in found if out]
    if not proofs:
        return None
    path, line, what, out = max(proofs, key=lambda proof: len(proof[3]))  # the first of the widest
    names = [dialects.DISPLAY_NAMES[name] for name in dialects.NAMES if name in out]
    rejecting = " and ".join(filter(None, (", ".join(names[:-1]), names[-1])))
    return DialectClue(out, "unrunnable", Evidence(f"{what} runs on {rejecting}, which reject it", f"{path}:{line}"))


def migration_clue(hints: Iterable[tuple[str, frozenset[str]]]) -> DialectClue | None:
    """The dialects an environment's migrations branch on or import, from (path, dialects) per migration; None
    when none does."""
    first: dict[str, str] = {}
    count = 0
    for path, named in hints:
        count += bool(named)
        for dialect in sorted(named):
            first.setdefault(dialect, path)
    if not first:
        return None
    where = "; ".join(f"{dialect}: {path}" for dialect, path in sorted(first.items()))
    text = f"{count} migration(s) branch on or import {', '.join(sorted(first))}"
    return DialectClue(frozenset(first), "migrations", Evidence(text, where))


def file_dialects(
    setting: frozenset[str] | None, project: Dialects, path: str, hints: frozenset[str] = frozenset()
) -> Dialects:
    """The databases one migration file runs on, by the precedence above (``project``: its environment's)."""
    if setting:
        return Dialects(setting, "setting")
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
