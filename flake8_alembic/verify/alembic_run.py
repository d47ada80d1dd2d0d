"""Running Alembic for real: the Config, the generic env.py, one step at a time, and what a failing step says.

The database goes in the two ways the Alembic cookbook describes: its URL as ``sqlalchemy.url`` and an open
connection in ``config.attributes["connection"]``, one transaction per step. A step that raises is kept as a
``StepError`` with the SQL the database rejected and its error (SQLAlchemy's ``DBAPIError`` carries both), and the
line of the revision file the exception passed through. Imports Alembic and SQLAlchemy: verify only.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import traceback
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import alembic
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from .live import reflect
from .shapes import SchemaShape

GENERIC_ENV_PY: Final = '''"""Alembic's generic env.py with the cookbook's shared connection.

Written by `flake8-alembic verify --env-py generic`: it runs a history without its application."""

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def run(connection):
    context.configure(
        connection=connection,
        target_metadata=None,
        render_as_batch=bool(config.attributes.get("render_as_batch", False)),
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection", None)
if connection is not None:
    run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.", poolclass=pool.NullPool
    )
    with engine.connect() as connection:
        run(connection)
'''


_ALEMBIC = tuple(int(part) for part in alembic.__version__.split(".")[:2] if part.isdigit())


@dataclass(frozen=True)
class StepError:
    """What went wrong in one Alembic command."""

    kind: str
    """The exception's class name (``ProgrammingError``, ``NotImplementedError``…)."""
    message: str
    """The database's error (or the exception's message), first line."""
    sql: str | None
    """The statement the database rejected; None for an error raised in Python."""
    frames: tuple[tuple[str, int], ...]
    """(file, line) of each traceback frame, innermost last."""

    def line_in(self, path: str) -> int | None:
        """The innermost line of ``path`` the exception passed through."""
        wanted = os.path.realpath(path)
        lines = [line for file, line in self.frames if os.path.realpath(file) == wanted]
        return lines[-1] if lines else None

    def describe(self) -> str:
        sql = f"; SQL: {_one_line(self.sql)}" if self.sql else ""
        return f"{self.kind}: {self.message}{sql}"


def step_error(error: BaseException) -> StepError:
    frames = tuple((frame.filename, frame.lineno or 0) for frame in traceback.extract_tb(error.__traceback__))
    if isinstance(error, sa.exc.DBAPIError):
        original = error.orig if error.orig is not None else error
        return StepError(type(original).__name__, _first_line(str(original)), error.statement, frames)
    return StepError(type(error).__name__, _first_line(str(error)) or type(error).__name__, None, frames)


def _first_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[0] if lines else ""


def _one_line(sql: str) -> str:
    text = " ".join(sql.split())
    return text if len(text) <= 300 else text[:297] + "..."


@dataclass(frozen=True)
class Target:
    """What to run: a project's own Alembic configuration, or its version folders under the generic env.py."""

    ini: Path | None
    """alembic.ini (or None)."""
    script_location: Path | None
    """The folder of env.py when there is no ini; None under the generic env.py."""
    version_locations: tuple[Path, ...] = ()
    """Under the generic env.py: the folders of the version files."""
    section: str = "alembic"
    recursive: bool = False


@contextmanager
def alembic_config(target: Target, url: str, render_as_batch: bool) -> Iterator[Config]:
    """The Config of ``target`` pointing at ``url`` (the generic env.py lives in a temporary folder meanwhile)."""
    folder: Path | None = None
    try:
        if target.ini is not None:
            config = Config(str(target.ini), ini_section=target.section)
        else:
            config = Config(ini_section=target.section)
        if target.script_location is not None:
            config.set_main_option("script_location", str(target.script_location))
        if target.version_locations:
            folder = Path(tempfile.mkdtemp(prefix="flake8-alembic-verify-"))
            (folder / "env.py").write_text(GENERIC_ENV_PY, encoding="utf-8")
            config.set_main_option("script_location", str(folder))
            # path_separator since Alembic 1.16; the older name before (both accept "newline").
            config.set_main_option("path_separator" if _ALEMBIC >= (1, 16) else "version_path_separator", "newline")
            config.set_main_option("version_locations", "\n".join(str(p) for p in target.version_locations))
            if target.recursive:
                config.set_main_option("recursive_version_locations", "true")
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
        config.attributes["render_as_batch"] = render_as_batch
        yield config
    finally:
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)


def script_directory(config: Config) -> ScriptDirectory:
    return ScriptDirectory.from_config(config)


def version_folders(script: ScriptDirectory) -> list[Path]:
    """The folders Alembic reads version files from (``version_locations``, else ``<script>/versions``)."""
    located = getattr(script, "_version_locations", None)  # resolves package resources ("pkg:path") too
    if located is None:
        located = script.version_locations or [Path(script.dir) / "versions"]
    return [Path(folder) for folder in located]


class Driver:
    """One database and one Alembic configuration: steps, the current heads, reflection and seeding."""

    def __init__(self, config: Config, engine: Any, version_table: str | None = None) -> None:
        self.config = config
        self.engine = engine
        self.version_table = version_table
        self._loaded: ScriptDirectory | None = None

    def upgrade(self, target: str) -> StepError | None:
        return self._run("upgrade", target)

    def downgrade(self, target: str) -> StepError | None:
        return self._run("downgrade", target)

    def stamp(self, target: str) -> StepError | None:
        """Record ``target`` as the applied revision without running anything (``alembic stamp``)."""
        return self._run("stamp", target)

    def _run(self, direction: str, target: str) -> StepError | None:
        # A connection, not a transaction: env.py's begin_transaction() owns it, so autocommit_block() (which
        # commits the migration's transaction) works as under `alembic upgrade`.
        try:
            with self.engine.connect() as connection:
                self.config.attributes["connection"] = connection
                self._step(direction, target)
                left_open = connection.get_transaction()
                if left_open is not None:
                    left_open.commit()
        except Exception as error:  # the migration's own code can raise anything: it is the finding
            return step_error(error)
        finally:
            self.config.attributes.pop("connection", None)
        return None

    def _step(self, direction: str, target: str) -> None:
        """What ``alembic upgrade/downgrade TARGET`` does, with the script directory (every revision module) loaded
        once for the whole walk instead of once per command: O(revisions) instead of O(revisions²) imports."""
        script = self._script
        plan = getattr(script, f"_{direction}_revs", None)  # _upgrade_revs, _downgrade_revs, _stamp_revs
        if script is None or plan is None:  # an Alembic without them: its commands, reloading the script each time
            getattr(command, direction)(self.config, target)
            return

        def steps(revision: Any, context: Any) -> Any:
            return plan((target,) if direction == "stamp" else target, revision)

        with EnvironmentContext(self.config, script, fn=steps, as_sql=False, destination_rev=target):
            script.run_env()

    @property
    def _script(self) -> ScriptDirectory | None:
        if self._loaded is None:
            self._loaded = ScriptDirectory.from_config(self.config)
        return self._loaded

    def reset(self) -> StepError | None:
        """Drop everything (only ever on a database verify found empty): the way back when downgrades cannot go."""
        try:
            with self.engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.exec_driver_sql("DROP SCHEMA public CASCADE")
                    connection.exec_driver_sql("CREATE SCHEMA public")
                else:
                    metadata = sa.MetaData()
                    metadata.reflect(connection)
                    metadata.drop_all(connection)
        except Exception as error:
            return step_error(error)
        return None

    def heads(self) -> set[str]:
        with self.engine.connect() as connection:
            options = {"version_table": self.version_table} if self.version_table else {}
            return set(MigrationContext.configure(connection, opts=options).get_current_heads())

    def reflect(self) -> SchemaShape:
        with self.engine.connect() as connection:
            return reflect(connection, self.version_table)

    def insert(self, rows: Sequence[tuple[str, Mapping[str, object]]]) -> StepError | None:
        """Insert seed rows, each (table, values), in one transaction."""
        try:
            with self.engine.begin() as connection:
                for table, values in rows:
                    columns: list[Any] = [sa.column(name) for name in values]
                    connection.execute(sa.insert(sa.table(table, *columns)).values(dict(values)))
        except Exception as error:
            return step_error(error)
        return None
