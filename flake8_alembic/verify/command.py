"""``flake8-alembic verify``: the command line. Unlike ``check``, verify RUNS the project's env.py and migrations.

This module imports only the standard library and the package's output formats, so that ``flake8-alembic --help``
and the lint faces never load SQLAlchemy or Alembic; without the ``verify`` extra installed it says how to get it.
Exit codes as ``check``: 0 passed, 1 faults found, 2 usage or set-up error (one line on stderr).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn, TextIO

from ..output import FORMATS

INSTALL_HINT = "verify needs SQLAlchemy and Alembic: pip install 'flake8-alembic[verify]'"
DESCRIPTION = (
    "Run the migrations for real, one revision at a time (upgrade, compare with the static replay, downgrade, "
    "compare with the schema before, re-upgrade), on a throwaway database. Unlike `check`, this EXECUTES the "
    "project's env.py and migration code (and, with --models, imports the application)."
)


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _Usage(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="flake8-alembic verify", description=DESCRIPTION)
    parser.add_argument(
        "path",
        nargs="?",
        default=".",
        help="alembic.ini, a folder holding it (or env.py), or with --env-py generic a folder of version files",
    )
    database = parser.add_mutually_exclusive_group()
    database.add_argument("--database-url", metavar="URL", help="verify on this database (it must be empty)")
    database.add_argument(
        "--postgres", action="store_true", help="start a throwaway PostgreSQL cluster from the local server binaries"
    )
    parser.add_argument(
        "--allow-non-empty", action="store_true", help="let --database-url name a database that holds tables"
    )
    parser.add_argument(
        "--env-py",
        choices=("project", "generic"),
        default="project",
        help="run the project's env.py (default; refused unless it takes its database from the Config), or "
        "Alembic's generic one over the project's version files (histories without their application)",
    )
    parser.add_argument("--name", default="alembic", help="the alembic.ini section to use (default: alembic)")
    parser.add_argument(
        "--render-as-batch",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="with --env-py generic: batch mode for SQLite (default: as the project's env.py says)",
    )
    parser.add_argument(
        "--models",
        metavar="MODULE:ATTRIBUTE",
        help="at the heads, compare the application's MetaData with the database (imports the application)",
    )
    parser.add_argument(
        "--seed",
        metavar="FILE",
        help="JSON or TOML with before_revision_data / at_revision_data: rows inserted around revisions",
    )
    parser.add_argument(
        "--prepend-sys-path", metavar="DIR", action="append", default=[], help="put DIR first on sys.path"
    )
    parser.add_argument("--output-format", choices=FORMATS, default="full", help="how results are printed")
    parser.add_argument("--output-file", help="write results to this file instead of standard output")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress lines and no summary")
    return parser


def main(argv: Sequence[str], out: TextIO, err: TextIO | None = None) -> int:
    errors = err or sys.stderr
    try:
        options = build_parser().parse_args(list(argv))
    except _Usage as error:
        print(f"flake8-alembic: error: verify: {error}", file=errors)
        return 2
    try:
        from .report import run  # SQLAlchemy and Alembic from here on
    except ImportError as error:
        if (error.name or "").split(".")[0] not in ("sqlalchemy", "alembic"):
            raise
        print(f"flake8-alembic: error: {INSTALL_HINT}", file=errors)
        return 2

    return run(options, out, errors)
